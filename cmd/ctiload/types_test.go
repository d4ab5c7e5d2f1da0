package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/cti"
	"github.com/spf13/pflag"
)

// TestTypeDeclarationsMatchTheAPI keeps types/ctiload.d.ts exact: the functions the modules
// export, the session methods, the cti.connect options, the stats keys, the options.simulator keys
// and the event and request names are read from the running implementation and compared with
// what the declarations list.
func TestTypeDeclarationsMatchTheAPI(t *testing.T) {
	dts, err := os.ReadFile(filepath.Join("..", "..", "types", "ctiload.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	decl := string(dts)
	api := runtimeAPI(t)

	// block returns the text of the first "{ … }" after the line containing start.
	block := func(start string) string {
		i := strings.Index(decl, start)
		if i < 0 {
			t.Fatalf("ctiload.d.ts has no %q", start)
		}
		depth, from := 0, -1
		for j := i; j < len(decl); j++ {
			switch decl[j] {
			case '{':
				if depth == 0 {
					from = j + 1
				}
				depth++
			case '}':
				depth--
				if depth == 0 {
					return decl[from:j]
				}
			}
		}
		t.Fatalf("unbalanced braces after %q", start)
		return ""
	}
	// members lists the names declared at the top level of a block: "name(" or "name?:" / "name:".
	members := func(body string) []string {
		var out []string
		depth := 0
		for _, line := range strings.Split(body, "\n") {
			trimmed := strings.TrimSpace(line)
			if depth == 0 {
				if m := regexp.MustCompile(`^(?:export (?:function|class) |readonly )?([A-Za-z_$][A-Za-z0-9_$]*)\??[(:<]`).FindStringSubmatch(trimmed); m != nil && !strings.HasPrefix(trimmed, "//") && !strings.HasPrefix(trimmed, "*") {
					if !slices.Contains(out, m[1]) {
						out = append(out, m[1])
					}
				}
			}
			depth += strings.Count(line, "{") - strings.Count(line, "}")
		}
		slices.Sort(out)
		return out
	}
	same := func(what string, declared, actual []string) {
		t.Helper()
		slices.Sort(declared)
		slices.Sort(actual)
		if !slices.Equal(declared, actual) {
			t.Errorf("%s: ctiload.d.ts declares %v; the implementation has %v", what, declared, actual)
		}
	}

	same("session methods", without(members(block("export interface Session {")), "closed"), api.SessionMethods)
	same("stats() keys", members(block("export interface SessionStats {")), api.StatsKeys)
	same("cti.connect options", members(block("export interface ConnectOptions {")), api.ConnectOptions)
	same("ctiload exports", onlyFunctions(block("declare module 'ctiload' {")), api.Modules["ctiload"])
	same("ctiload/cti exports", append(onlyFunctions(block("declare module 'ctiload/cti' {")), onlyConsts(block("declare module 'ctiload/cti' {"))...), api.Modules["ctiload/cti"])
	same("ctiload/metrics exports", onlyClasses(block("declare module 'ctiload/metrics' {")), api.Modules["ctiload/metrics"])
	same("ctiload/data exports", append(onlyFunctions(block("declare module 'ctiload/data' {")), onlyClasses(block("declare module 'ctiload/data' {"))...), api.Modules["ctiload/data"])
	same("ctiload/summary exports", onlyFunctions(block("declare module 'ctiload/summary' {")), api.Modules["ctiload/summary"])
	same("ctiload/execution exports", onlyConsts(block("declare module 'ctiload/execution' {")), api.Modules["ctiload/execution"])
	for _, obj := range api.Modules["ctiload/execution"] {
		same("ctiload/execution "+obj, members(block("export const "+obj+": {")), api.Execution[obj])
	}

	var sim embeddedSimFlags
	sim.register(pflag.NewFlagSet("", pflag.ContinueOnError))
	var keys []string
	for _, n := range sim.flagNames() {
		keys = append(keys, kebabToCamel(n))
	}
	same("options.simulator keys", members(block("export interface SimulatorOptions {")), keys)
	same("options.cti keys", members(block("export interface CTIOptions {")), ctiOptionKeys)

	var events, requests []string
	for _, info := range cti.Catalog() {
		sent := info.Direction == cti.ServerToClient || info.Direction == cti.BothDirections
		received := info.Direction == cti.ClientToServer || info.Direction == cti.BothDirections
		if sent && !strings.HasSuffix(info.Name, "_CONF") && !strings.HasSuffix(info.Name, "_REQ") {
			events = append(events, info.Name)
		}
		// session.request builds a request from fields when it has a layout (an Invoker).
		if _, invoker := cti.New(info.Type).(cti.Invoker); received && invoker && strings.HasSuffix(info.Name, "_REQ") {
			requests = append(requests, info.Name)
		}
	}
	same("EventName", quoted(decl, "export type EventName =", ";"), events)
	same("RequestName", quoted(decl, "export type RequestName =", ";"), requests)
}

func without(list []string, drop ...string) []string {
	return slices.DeleteFunc(list, func(s string) bool { return slices.Contains(drop, s) })
}

// onlyFunctions lists the "export function NAME" of a module block.
func onlyFunctions(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s*export function ([A-Za-z]+)`).FindAllStringSubmatch(body, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// onlyConsts lists the "export const NAME" of a module block.
func onlyConsts(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s*export const ([A-Za-z]+)`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// onlyClasses lists the "export class NAME" of a module block.
func onlyClasses(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s*export class ([A-Za-z]+)`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// quoted lists the 'NAME' strings between start and the next end.
func quoted(decl, start, end string) []string {
	i := strings.Index(decl, start)
	if i < 0 {
		return nil
	}
	rest := decl[i+len(start):]
	rest = rest[:strings.Index(rest, end)]
	var out []string
	for _, m := range regexp.MustCompile(`'([A-Z0-9_]+)'`).FindAllStringSubmatch(rest, -1) {
		out = append(out, m[1])
	}
	return out
}

// apiReport is what the probe script prints.
type apiReport struct {
	Modules        map[string][]string `json:"modules"`
	SessionMethods []string            `json:"sessionMethods"`
	StatsKeys      []string            `json:"statsKeys"`
	ConnectOptions []string            `json:"connectOptions"`
	Execution      map[string][]string `json:"execution"` // ctiload/execution: each object's properties
}

// runtimeAPI runs a script against the built-in simulator that reports the API as it is.
func runtimeAPI(t *testing.T) apiReport {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "probe.js")
	src := `
import * as core from 'ctiload';
import * as ctiMod from 'ctiload/cti';
import * as metrics from 'ctiload/metrics';
import * as data from 'ctiload/data';
import * as summary from 'ctiload/summary';
import * as execution from 'ctiload/execution';
const names = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort();
// protoNames lists what a session inherits: its prototype chain up to Object.prototype.
const protoNames = (o) => {
  const out = [];
  for (let p = Object.getPrototypeOf(o); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) out.push(...Object.getOwnPropertyNames(p));
  return out;
};
export default function () {
  const s = ctiMod.default.connect('', { agentId: '5000', extension: '1000', heartbeat: 0 });
  let connectOptions = [];
  try { ctiMod.default.connect('', { agentId: '5000', noSuchOption: 1 }); } catch (e) {
    const m = /known options: ([^)]*)\)/.exec(String(e));
    connectOptions = m ? m[1].split(', ') : [];
  }
  const report = {
    modules: { 'ctiload': names(core), 'ctiload/cti': names(ctiMod), 'ctiload/metrics': names(metrics), 'ctiload/data': names(data),
      'ctiload/summary': names(summary), 'ctiload/execution': names(execution) },
    execution: Object.fromEntries(names(execution).map((k) => [k, Object.getOwnPropertyNames(execution[k]).sort()])),
    sessionMethods: protoNames(s).filter((k) => k !== 'closed'),
    statsKeys: Object.keys(s.stats()),
    connectOptions,
  };
  console.log('API ' + JSON.stringify(report));
  s.close();
}
`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ctiloadBin, "run", "--quiet", "--no-summary", "--log-format", "json", "--include-system-env-vars=false", script)
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("probe script: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		if rest, ok := strings.CutPrefix(line.Msg, "API "); ok {
			var r apiReport
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	t.Fatalf("the probe script printed no API line:\n%s", stderr.String())
	return apiReport{}
}
