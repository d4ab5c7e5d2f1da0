package jsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/jsapi"
)

func TestLoadOptionsAndExports(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import { sleep } from 'ctiload';
export const options = { scenarios: { b: { executor: 'constant-vus', vus: 2 }, a: { executor: 'shared-iterations' } }, thresholds: { checks: ['rate>0.9'] } };
export function setup() { return 1; }
export function agents() {}
export default function () {}
export const notAFunction = 3;
`})
	got := string(e.script.OptionsJSON())
	want := `{"scenarios":{"b":{"executor":"constant-vus","vus":2},"a":{"executor":"shared-iterations"}},"thresholds":{"checks":["rate>0.9"]}}`
	if got != want {
		t.Errorf("OptionsJSON() = %s; want %s", got, want)
	}
	if got, want := e.script.Exports(), []string{"agents", "default", "setup"}; !slices.Equal(got, want) {
		t.Errorf("Exports() = %v; want %v", got, want)
	}
}

func TestLoadNoOptions(t *testing.T) {
	e := newEnv(t, "s.js", map[string]string{"s.js": `export default function () {}`})
	if got := string(e.script.OptionsJSON()); got != "{}" {
		t.Errorf("OptionsJSON() = %s; want {}", got)
	}
}

// loadErr loads a script expected to fail and returns its *ScriptError.
func loadErr(t *testing.T, main string, files map[string]string) *jsapi.ScriptError {
	t.Helper()
	dir := writeFiles(t, files)
	_, err := jsapi.Load(filepath.Join(dir, main), jsapi.LoadOptions{})
	var se *jsapi.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("Load error = %v (%T); want *jsapi.ScriptError", err, err)
	}
	return se
}

func TestErrorPositions(t *testing.T) {
	tests := []struct {
		name      string
		main      string
		files     map[string]string
		file      string // base name
		line, col int
		msg       string
		phase     jsapi.Phase
	}{
		{
			name: "syntax error js", main: "script.js",
			files: map[string]string{"script.js": "export default function () {\n  let x = ;\n}\n"},
			file:  "script.js", line: 2, col: 11, msg: "SyntaxError", phase: jsapi.PhaseCompile,
		},
		{
			name: "reference error in init", main: "script.js",
			files: map[string]string{"script.js": "import { check } from 'ctiload';\n\nconst a = 1;\n    foo();\nexport default function () {}\n"},
			file:  "script.js", line: 4, col: 5, msg: "ReferenceError: foo is not defined", phase: jsapi.PhaseInit,
		},
		{
			name: "typescript runtime error keeps original lines", main: "script.ts",
			files: map[string]string{"script.ts": "interface Agent {\n  id: string;\n  ext: number;\n}\n\nconst a: Agent = { id: 'x', ext: 1 };\nfunction boom(n: number): string {\n  throw new Error('boom ' + n);\n}\nboom(a.ext);\nexport default function () {}\n"},
			file:  "script.ts", line: 8, col: 9, msg: "Error: boom 1", phase: jsapi.PhaseInit,
		},
		{
			name: "typescript syntax error", main: "script.ts",
			files: map[string]string{"script.ts": "const x: number = 1;\nconst y: = 2;\n"},
			file:  "script.ts", line: 2, col: 10, msg: "SyntaxError", phase: jsapi.PhaseCompile,
		},
		{
			name: "error in imported file", main: "script.js",
			files: map[string]string{
				"script.js":   "import { f } from './lib/util.ts';\nf();\nexport default function () {}\n",
				"lib/util.ts": "export function f(): void {\n  const o: any = null;\n  o.x = 1;\n}\n",
			},
			file: "util.ts", line: 3, col: 5, msg: "TypeError", phase: jsapi.PhaseInit,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se := loadErr(t, tt.main, tt.files)
			if filepath.Base(se.File) != tt.file || se.Line != tt.line || se.Column != tt.col {
				t.Errorf("position = %s:%d:%d; want %s:%d:%d (error %q, stack %q)", se.File, se.Line, se.Column, tt.file, tt.line, tt.col, se.Error(), se.Stack)
			}
			if !strings.Contains(se.Message, tt.msg) {
				t.Errorf("Message = %q; want it to contain %q", se.Message, tt.msg)
			}
			if se.Phase != tt.phase {
				t.Errorf("Phase = %q; want %q", se.Phase, tt.phase)
			}
			if se.ExitCode() != 107 || !se.Fatal() {
				t.Errorf("ExitCode() = %d, Fatal() = %v; want 107, true", se.ExitCode(), se.Fatal())
			}
		})
	}
}

func TestIterationErrorNamesVUAndIteration(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `export default function () {
  if (__ITER === 1) {
    undefinedThing.call();
  }
}
`})
	vu := e.newVU(3)
	ctx := ctxTimeout(t, 5*time.Second)
	if err := vu.run(ctx, ""); err != nil {
		t.Fatalf("iteration 0: %v", err)
	}
	err := vu.run(ctx, "")
	var se *jsapi.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("iteration 1 error = %v; want *ScriptError", err)
	}
	want := "script.js:3:5: ReferenceError: undefinedThing is not defined (VU 3, iteration 1)"
	if got := se.Error(); !strings.HasSuffix(got, want) {
		t.Errorf("Error() = %q; want suffix %q", got, want)
	}
	if se.Fatal() {
		t.Error("an iteration error must not be fatal")
	}
	// The run goes on: the next iteration works.
	if err := vu.run(ctx, ""); err != nil {
		t.Errorf("iteration 2: %v", err)
	}
}

func TestLifecycleOrder(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
console.log('init ' + __VU);
export function setup() { console.log('setup'); return { n: 7, list: ['a'] }; }
export function vuSetup(data) { console.log('vuSetup ' + __VU + ' ' + data.n); }
export default function (data) { console.log('iter ' + __VU + ' ' + __ITER + ' ' + data.n + data.list[0]); }
export function vuTeardown(data) { console.log('vuTeardown ' + __VU); }
export function teardown(data) { console.log('teardown ' + data.n); }
`})
	ctx := ctxTimeout(t, 5*time.Second)
	vu1 := e.newVU(1)
	vu2 := e.newVU(2)
	data, err := e.runner.Setup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"n":7,"list":["a"]}` {
		t.Errorf("setup data = %s", data)
	}
	for i := 0; i < 2; i++ {
		if err := vu1.run(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := vu2.run(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := vu1.close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := vu2.close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.runner.Teardown(ctx, data); err != nil {
		t.Fatal(err)
	}
	got := e.log.messages()
	want := []string{
		"init 0", // Load's options runtime
		"init 1", "init 2",
		"init 0", "setup", // setup's own runtime
		"vuSetup 1 7", "iter 1 0 7a", "iter 1 1 7a",
		"vuSetup 2 7", "iter 2 0 7a",
		"vuTeardown 1", "vuTeardown 2",
		"init 0", "teardown 7",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order =\n%q\nwant\n%q", got, want)
	}
}

func TestSetupErrorIsFatal(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `export function setup() {
  throw new Error('no setup for you');
}
export default function () {}
`})
	_, err := e.runner.Setup(context.Background())
	var se *jsapi.ScriptError
	if !errors.As(err, &se) || !se.Fatal() || se.Phase != jsapi.PhaseSetup || se.Line != 2 {
		t.Fatalf("Setup error = %#v; want a fatal *ScriptError in setup at line 2", err)
	}
	if !strings.Contains(se.Error(), "script.js:2:9: Error: no setup for you (in setup)") {
		t.Errorf("Error() = %q", se.Error())
	}
}

func TestEnvAndVUGlobals(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
export default function () {
  if (__ENV.TARGET !== 'x:1') throw new Error('env ' + __ENV.TARGET);
  __ENV.LOCAL = 'y';
  if (__ENV.LOCAL !== 'y') throw new Error('env write');
  if (__VU !== 5) throw new Error('vu ' + __VU);
}
`}, withEnv(map[string]string{"TARGET": "x:1"}))
	vu := e.newVU(5)
	if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
		t.Fatal(err)
	}
}

func TestNamedExecAndMissingExec(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `export function agents() { console.log('agents ran'); }`})
	vu := e.newVU(1)
	ctx := ctxTimeout(t, 5*time.Second)
	if err := vu.run(ctx, "agents"); err != nil {
		t.Fatal(err)
	}
	err := vu.run(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "no default export") {
		t.Errorf("run without default = %v; want a 'no default export' error", err)
	}
}

func TestSleepInterruptedByContext(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `import { sleep } from 'ctiload';
export default function () { sleep(30); }
`})
	vu := e.newVU(1)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := vu.run(ctx, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v; want context.DeadlineExceeded", err)
	}
	// The sleep is 30 s; the context ends after 100 ms. 10 s is an order of magnitude of slack
	// for a loaded machine and still proves the sleep was cut short.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("sleep took %v after cancellation", d)
	}
	// An endless loop is interrupted too.
	e2 := newEnv(t, "loop.js", map[string]string{"loop.js": `export default function () { for (;;) {} }`})
	vu2 := e2.newVU(1)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if err := vu2.run(ctx2, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("loop err = %v; want context.DeadlineExceeded", err)
	}
	// And the VU works again with a fresh context.
	if err := vu2.run(ctxTimeout(t, 50*time.Millisecond), ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second loop err = %v", err)
	}
}

// TestSleepAfterAnInterruptedSleep checks the VU's sleep timer, which every sleep() resets: a
// sleep cut short by the iteration's end leaves nothing behind that would end the next one early,
// and each later sleep lasts its own duration.
func TestSleepAfterAnInterruptedSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, "script.js", map[string]string{"script.js": `import { sleep } from 'ctiload';
export function long() { sleep(30); }
export function short() { sleep(5); }
export default function () {}
`})
		vu := e.newVU(1)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := vu.run(ctx, "long"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("interrupted sleep: err = %v; want context.DeadlineExceeded", err)
		}
		cancel()
		for i := range 3 {
			start := time.Now()
			if err := vu.run(context.Background(), "short"); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d != 5*time.Second {
				t.Errorf("sleep(5) number %d after the interrupted one lasted %v", i+1, d)
			}
		}
		if err := vu.close(context.Background()); err != nil {
			t.Error(err)
		}
	})
}

func TestChecksGroupsAndCustomMetrics(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import { check, group } from 'ctiload';
import { Counter, Trend, Rate, Gauge } from 'ctiload/metrics';
const logins = new Counter('agent_logins');
const talk = new Trend('talk_time', true);
const ok = new Rate('ok_rate');
const g = new Gauge('queue');
export default function () {
  const r = check(5, { 'is five': (v) => v === 5, 'is six': (v) => v === 6 });
  if (r) throw new Error('check should be false');
  group('login', () => {
    logins.add(1, { site: 'paris' });
    check(true, { inside: (v) => v });
  });
  talk.add(12.5);
  ok.add(true);
  g.add(3);
}
`})
	vu := e.newVU(1)
	if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
		t.Fatal(err)
	}
	if s := find(vu.all, "checks", "check", "is five", "scenario", "test"); len(s) != 1 || s[0].Value != 1 {
		t.Errorf("checks{is five} = %v", s)
	}
	if s := find(vu.all, "checks", "check", "is six"); len(s) != 1 || s[0].Value != 0 {
		t.Errorf("checks{is six} = %v", s)
	}
	if s := find(vu.all, "checks", "check", "inside", "group", "::login"); len(s) != 1 {
		t.Errorf("checks{inside, group ::login} = %v", s)
	}
	if s := find(vu.all, "agent_logins", "site", "paris", "group", "::login"); len(s) != 1 || s[0].Value != 1 {
		t.Errorf("agent_logins = %v", s)
	}
	if s := find(vu.all, "talk_time"); len(s) != 1 || s[0].Value != 12.5 || s[0].Tags.Len() != 1 {
		t.Errorf("talk_time = %v (group tag must not leak out of the group)", s)
	}
	if m := e.reg.Get("talk_time"); m == nil || m.Contains.String() != "time" {
		t.Errorf("talk_time metric = %+v; want a time trend", m)
	}
	if s := find(vu.all, "ok_rate"); len(s) != 1 || s[0].Value != 1 {
		t.Errorf("ok_rate = %v", s)
	}
}

// TestGroupLeftOnReturnThrowAndInterrupt pins group()'s bookkeeping, whose leaving is done by
// a finally block in JavaScript (ctiload.go, groupSource) and, for an interrupt, which skips
// finally blocks, by callExport: every group entered is left once, with its duration recorded
// under its own tags, and no group tag outlives its group.
func TestGroupLeftOnReturnThrowAndInterrupt(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import { group, sleep } from 'ctiload';
import { Counter } from 'ctiload/metrics';
const marks = new Counter('marks');
export function nested() {
  const r = group('a', () => group('b', () => { marks.add(1); return 7; }));
  if (r !== 7) throw new Error('group returned ' + r);
  marks.add(2);
}
export function throws() { group('x', () => { throw new Error('boom'); }); }
export function held() { group('held', () => sleep(30)); }
export function plain() { marks.add(3); }
export function badName() { group('a::b', () => {}); }
export function noFunction() { group('a'); }
`})
	vu := e.newVU(1)
	if err := vu.run(ctxTimeout(t, 5*time.Second), "nested"); err != nil {
		t.Fatal(err)
	}
	if s := find(vu.all, "marks", "group", "::a::b"); len(s) != 1 || s[0].Value != 1 {
		t.Errorf("marks in ::a::b = %v", s)
	}
	if s := find(vu.all, "marks"); len(s) != 2 || s[1].Value != 2 || s[1].Tags.Len() != 1 {
		t.Errorf("marks = %v; want the second one outside any group", s)
	}
	if s := find(vu.all, "group_duration", "group", "::a"); len(s) != 1 {
		t.Errorf("group_duration{::a} = %v", s)
	}
	if s := find(vu.all, "group_duration", "group", "::a::b"); len(s) != 1 {
		t.Errorf("group_duration{::a::b} = %v", s)
	}
	if err := vu.run(ctxTimeout(t, 5*time.Second), "throws"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("throws: err = %v; want boom", err)
	}
	if s := find(vu.all, "group_duration", "group", "::x"); len(s) != 1 {
		t.Errorf("group_duration{::x} after a throw = %v", s)
	}
	// The context ends while the VU sleeps inside the group: the interrupt skips the finally.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := vu.run(ctx, "held"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("held: err = %v; want context.DeadlineExceeded", err)
	}
	if s := find(vu.all, "group_duration", "group", "::held"); len(s) != 1 {
		t.Errorf("group_duration{::held} after an interrupt = %v", s)
	}
	if err := vu.run(ctxTimeout(t, 5*time.Second), "plain"); err != nil {
		t.Fatal(err)
	}
	if s := find(vu.all, "marks"); len(s) != 3 || s[2].Value != 3 || s[2].Tags.Len() != 1 {
		t.Errorf("marks = %v; want the last one outside any group", s)
	}
	if err := vu.run(ctxTimeout(t, 5*time.Second), "badName"); err == nil || !strings.Contains(err.Error(), "must not contain") {
		t.Errorf("badName: err = %v", err)
	}
	if err := vu.run(ctxTimeout(t, 5*time.Second), "noFunction"); err == nil || !strings.Contains(err.Error(), "want a function") {
		t.Errorf("noFunction: err = %v", err)
	}
	if n := len(find(vu.all, "group_duration")); n != 4 {
		t.Errorf("%d group_duration samples; want 4 (a, a::b, x, held)", n)
	}
}

// TestMetricObjects pins what a custom metric's object is (jsMetric, a dynamic object sharing
// one add per VU): an instance of its constructor with read-only name and add, whose add knows
// its metric from this.
func TestMetricObjects(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import { Counter, Trend } from 'ctiload/metrics';
const calls = new Counter('calls');
const wait = new Trend('wait', true);
export default function () {
  if (!(calls instanceof Counter) || wait instanceof Counter || !(wait instanceof Trend)) throw new Error('instanceof');
  if (calls.name !== 'calls' || wait.name !== 'wait') throw new Error('names ' + calls.name + ' ' + wait.name);
  if (calls.add !== wait.add) throw new Error('add is not shared');
  if (Object.keys(calls).join() !== 'name,add') throw new Error('keys ' + Object.keys(calls));
  let threw = false;
  try { calls.name = 'other'; } catch (err) { threw = err instanceof TypeError; }
  if (!threw || calls.name !== 'calls') throw new Error('name is writable');
  calls.add(2, { site: 'paris' });
  wait.add(true);
}
export function detached() { const add = calls.add; add(1); }
`})
	vu := e.newVU(1)
	if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
		t.Fatal(err)
	}
	if s := find(vu.all, "calls", "site", "paris"); len(s) != 1 || s[0].Value != 2 {
		t.Errorf("calls = %v", s)
	}
	if s := find(vu.all, "wait"); len(s) != 1 || s[0].Value != 1 {
		t.Errorf("wait = %v", s)
	}
	if err := vu.run(ctxTimeout(t, 5*time.Second), "detached"); err == nil || !strings.Contains(err.Error(), "call it on its metric") {
		t.Errorf("detached add: err = %v", err)
	}
}

func TestMetricOutsideInitRefused(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import { Counter } from 'ctiload/metrics';
export default function () { new Counter('late'); }
`})
	vu := e.newVU(1)
	err := vu.run(ctxTimeout(t, 5*time.Second), "")
	if err == nil || !strings.Contains(err.Error(), "only allowed in init code") {
		t.Errorf("err = %v; want 'only allowed in init code'", err)
	}
}

func TestRandomnessReproducible(t *testing.T) {
	files := map[string]string{"script.js": `
import { randomBetween, uuid } from 'ctiload';
export default function () { console.log(Math.random() + ' ' + randomBetween(1, 100) + ' ' + uuid()); }
`}
	var outs []string
	for i := 0; i < 2; i++ {
		e := newEnv(t, "script.js", files)
		vu := e.newVU(7)
		if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, strings.Join(e.log.messages(), ","))
	}
	if outs[0] != outs[1] || outs[0] == "" {
		t.Errorf("two runs with the same seed differ: %q vs %q", outs[0], outs[1])
	}
}

func TestRelativeImportsAndConfinement(t *testing.T) {
	e := newEnv(t, "main.js", map[string]string{
		"main.js":     "import { add } from './lib/math.js';\nimport cfg from './data.json';\nexport default function () { if (add(1, 2) !== 3 || cfg.n !== 4) throw new Error('bad'); }\n",
		"lib/math.js": "import { one } from './one';\nexport function add(a, b) { return a + b + one - 1; }\n",
		"lib/one.ts":  "export const one: number = 1;\n",
		"data.json":   `{"n": 4}`,
	})
	vu := e.newVU(1)
	if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
		t.Fatal(err)
	}

	dir := writeFiles(t, map[string]string{"in/main.js": "import x from '../outside.js';\nexport default function () {}\n", "outside.js": "export default 1;\n"})
	_, err := jsapi.Load(filepath.Join(dir, "in/main.js"), jsapi.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "outside the script's folder") {
		t.Errorf("import outside = %v; want an 'outside the script's folder' error", err)
	}
	if _, err := jsapi.Load(filepath.Join(dir, "in/main.js"), jsapi.LoadOptions{AllowPathsOutside: true}); err != nil {
		t.Errorf("import outside with AllowPathsOutside: %v", err)
	}
	_, err = jsapi.Load(filepath.Join(dir, "in/main.js"), jsapi.LoadOptions{})
	var se *jsapi.ScriptError
	if errors.As(err, &se) && se.Line != 1 {
		t.Errorf("import error position = line %d; want 1", se.Line)
	}
}

func TestUnknownModule(t *testing.T) {
	se := loadErr(t, "s.js", map[string]string{"s.js": "import x from 'ctiload/ctii';\nexport default function () {}\n"})
	if !strings.Contains(se.Message, `import "ctiload/ctii": unknown module (built-in modules: ctiload, ctiload/cti, ctiload/data, ctiload/execution, ctiload/metrics, ctiload/summary;`) {
		t.Errorf("Message = %q", se.Message)
	}
}

func TestOpenConfinedAndInitOnly(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{
		"script.js": "const users = open('users.txt');\nexport default function () { if (users !== 'a\\nb') throw new Error(users); open('users.txt'); }\n",
		"users.txt": "a\nb",
	})
	vu := e.newVU(1)
	err := vu.run(ctxTimeout(t, 5*time.Second), "")
	if err == nil || !strings.Contains(err.Error(), `open("users.txt"): files can only be opened in init code`) {
		t.Errorf("open in iteration = %v", err)
	}
	se := loadErr(t, "in/s.js", map[string]string{"in/s.js": "open('../secret.txt');\n", "secret.txt": "x"})
	if !strings.Contains(se.Message, `open("../secret.txt"):`) || !strings.Contains(se.Message, "outside the script's folder") {
		t.Errorf("open outside = %q", se.Message)
	}
	se = loadErr(t, "s.js", map[string]string{"s.js": "open('missing.txt');\n"})
	if !strings.Contains(se.Message, `open("missing.txt"): cannot read`) || se.Line != 1 {
		t.Errorf("open missing = %q at line %d", se.Message, se.Line)
	}
}

func TestSharedArrayBuiltOnceAndReadOnly(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{
		"script.js": `
import { SharedArray, csv } from 'ctiload/data';
const users = new SharedArray('users', () => { console.log('building'); return csv(open('users.csv'), { header: true }); });
export default function () {
  if (users.length !== 3) throw new Error('len ' + users.length);
  if (users[__VU % 3].id !== String(1000 + __VU % 3)) throw new Error('row ' + JSON.stringify(users[__VU % 3]));
  if (Object.keys(users[0]).join() !== 'id,name') throw new Error('keys ' + Object.keys(users[0]));
  let threw = false;
  try { users[0].id = 'x'; } catch (e) { threw = true; }
  if (!threw || users[0].id !== '1000') throw new Error('writable');
  if (JSON.stringify(users.map((u) => u.name)) !== '["a","b","c"]') throw new Error('map');
}
`,
		"users.csv": "id,name\n1000,a\n1001,b\n1002,c\n",
	})
	ctx := ctxTimeout(t, 5*time.Second)
	for id := uint64(1); id <= 5; id++ {
		vu := e.newVU(id)
		if err := vu.run(ctx, ""); err != nil {
			t.Fatalf("VU %d: %v", id, err)
		}
	}
	if got := e.log.messages(); len(got) != 1 || got[0] != "building" {
		t.Errorf("SharedArray function ran %d times (%q); want once for 1 Load + 5 VUs", len(got), got)
	}
}

func TestSetupDataIsJSON(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
export function setup() { return { when: 1, f: () => 1 }; }
export default function (data) { if (data.f !== undefined || data.when !== 1) throw new Error(JSON.stringify(data)); data.when = 2; }
`})
	ctx := ctxTimeout(t, 5*time.Second)
	data, err := e.runner.Setup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || len(m) != 1 {
		t.Fatalf("setup data = %s (%v)", data, err)
	}
	vu := e.newVU(1)
	if err := vu.run(ctx, ""); err != nil {
		t.Fatal(err)
	}
}

func TestSharedArrayNotCopiedPerVU(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement")
	}
	// 20,000 rows of ~100 bytes: about 3 MB as Go data. A copy per VU would cost that much
	// per VU; a shared view costs a few KB.
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import { SharedArray } from 'ctiload/data';
const rows = new SharedArray('big', () => Array.from({ length: 20000 }, (_, i) => ({ id: i, pad: 'x'.repeat(90) })));
export default function () { if (rows[19999].id !== 19999 || rows.length !== 20000) throw new Error('bad'); }
`})
	const n = 20
	vus := make([]*testVU, 0, n)
	vus = append(vus, e.newVU(1))
	before := heapInuse()
	for i := 2; i <= n+1; i++ {
		vus = append(vus, e.newVU(uint64(i)))
	}
	for _, vu := range vus {
		if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
			t.Fatal(err)
		}
	}
	perVU := (int64(heapInuse()) - int64(before)) / n
	if perVU > 1<<20 {
		t.Errorf("heap per VU with a 3 MB SharedArray = %d bytes; the data is being copied per VU", perVU)
	}
	t.Logf("heap per VU: %d bytes", perVU)
	runtime.KeepAlive(vus)
}

func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func TestInitInterruptedByContext(t *testing.T) {
	dir := writeFiles(t, map[string]string{"s.js": "if (__VU > 0) { for (;;) {} }\nexport default function () {}\n"})
	s, err := jsapi.Load(filepath.Join(dir, "s.js"), jsapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.NewRunner(jsapi.RunnerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := r.NewVU(ctx, 1, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("NewVU err = %v; want context.DeadlineExceeded", err)
	}
}

func TestConsoleGoesToLoggerWithVU(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
export default function () { console.warn('careful', { a: 1 }, [1, 2], 3); console.debug('dbg'); }
`})
	vu := e.newVU(4)
	if err := vu.run(ctxTimeout(t, 5*time.Second), ""); err != nil {
		t.Fatal(err)
	}
	out := e.log.String()
	for _, want := range []string{`level=WARN msg="careful {\"a\":1} [1,2] 3" vu=4 source=console iter=0`, `level=DEBUG msg=dbg vu=4`} {
		if !strings.Contains(out, want) {
			t.Errorf("log = %q; want it to contain %q", out, want)
		}
	}
}

// TestConfinementFollowsLinks: a symbolic link inside the script's folder may not lead out of
// it, for open(), imports and SharedArray loads; a link that stays inside is followed; the
// refusal names the path, where the link leads and the flag that lifts it.
func TestConfinementFollowsLinks(t *testing.T) {
	outside := writeFiles(t, map[string]string{"secret.txt": "TOP SECRET", "lib/x.js": "export default 'outside';\n"})
	cases := []struct {
		name   string
		script string
		links  map[string]string // link name in the script's folder → target
		want   string            // in the refusal; "" means the script loads
	}{
		{"file link out", "open('./link');\n", map[string]string{"link": filepath.Join(outside, "secret.txt")},
			"leads through a symbolic link to " + filepath.Join(outside, "secret.txt")},
		{"folder link out", "open('dir/secret.txt');\n", map[string]string{"dir": outside},
			"leads through a symbolic link to " + filepath.Join(outside, "secret.txt")},
		{"relative link out", "open('rel');\n", map[string]string{"rel": "../secret.txt"},
			"leads through a symbolic link to "},
		{"import through a folder link", "import x from './dir/lib/x.js';\n", map[string]string{"dir": outside},
			"leads through a symbolic link to " + filepath.Join(outside, "lib", "x.js")},
		{"import without extension", "import x from './mod';\n", map[string]string{"mod.js": filepath.Join(outside, "lib", "x.js")},
			"leads through a symbolic link to " + filepath.Join(outside, "lib", "x.js")},
		{"shared array", "import { SharedArray } from 'ctiload/data';\nnew SharedArray('s', () => [open('link')]);\n", map[string]string{"link": filepath.Join(outside, "secret.txt")},
			"leads through a symbolic link"},
		{"dot-dot", "open('sub/../../secret.txt');\n", nil, "outside the script's folder"},
		{"link inside", "if (open('inlink') !== 'data') throw new Error('content');\nif (open('indir/data.txt') !== 'data') throw new Error('content');\n",
			map[string]string{"inlink": "data.txt", "indir": "."}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent := writeFiles(t, map[string]string{"secret.txt": "TOP SECRET", "in/s.js": c.script + "export default function () {}\n", "in/data.txt": "data", "in/sub/keep": ""})
			dir := filepath.Join(parent, "in")
			for name, target := range c.links {
				if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
					t.Skipf("no symbolic links here: %v", err)
				}
			}
			_, err := jsapi.Load(filepath.Join(dir, "s.js"), jsapi.LoadOptions{})
			if c.want == "" {
				if err != nil {
					t.Fatalf("Load = %v; want the link inside the folder followed", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded; want a refusal with %q", c.want)
			}
			for _, w := range []string{c.want, "--allow-paths-outside", dir} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load = %v; want %q in it", err, w)
				}
			}
			if strings.Contains(err.Error(), "TOP SECRET") {
				t.Errorf("the refusal shows the file's content: %v", err)
			}
			if _, err := jsapi.Load(filepath.Join(dir, "s.js"), jsapi.LoadOptions{AllowPathsOutside: true}); err != nil {
				t.Errorf("with AllowPathsOutside: %v", err)
			}
		})
	}
}
