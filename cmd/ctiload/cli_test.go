package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/reports/htmltest"
)

// The CLI tests build the binary once and run it on the scripts in testdata against the
// built-in simulator (127.0.0.1 only). Each run lasts a few seconds at most.

var ctiloadBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ctiload-cli-test")
	if err != nil {
		panic(err)
	}
	ctiloadBin = filepath.Join(dir, "ctiload")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		goBin = p
	}
	// Static, as in the container image (TestImageBuilds puts this binary in one).
	build := exec.Command(goBin, "build", "-o", ctiloadBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic("building ctiload: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cliResult is a finished ctiload process.
type cliResult struct {
	code           int
	stdout, stderr string
}

// cleanEnv is the test process environment without CTILOAD_* variables, colors off.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CTILOAD_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "NO_COLOR=1"), extra...)
}

// runCLI runs ctiload with args in testdata and waits for it (60 s at most).
func runCLI(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ctiloadBin, args...)
	cmd.Dir = "testdata"
	cmd.Env = cleanEnv(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("ctiload %v: %v", args, err)
	}
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// simSummary is the simulator counters of a summary export (run.simulator.counters).
type simSummary struct {
	SessionsOpened int64            `json:"sessions_opened"`
	Faults         map[string]int64 `json:"faults"`
	Events         map[string]int64 `json:"events"`
}

func summarySimCounters(t *testing.T, path string) simSummary {
	t.Helper()
	var got struct {
		Run struct {
			Simulator struct {
				Counters simSummary `json:"counters"`
			} `json:"simulator"`
		} `json:"run"`
	}
	if err := json.Unmarshal([]byte(readText(t, path)), &got); err != nil {
		t.Fatal(err)
	}
	return got.Run.Simulator.Counters
}

func (r cliResult) want(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d; want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func contains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// readNDJSON parses every line of an NDJSON file, failing on a line that does not parse.
func readNDJSON(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("%s does not end with a newline: a half line", path)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s line %d does not parse: %v: %q", path, n, err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// summaryJSON is the part of a summary export the tests read.
type summaryJSON struct {
	Format  string `json:"format"`
	Metrics []struct {
		Key       string             `json:"key"`
		Values    map[string]float64 `json:"values"`
		Histogram string             `json:"histogram"`
	} `json:"metrics"`
	Scenarios []struct {
		Name       string `json:"name"`
		Iterations int64  `json:"iterations"`
	} `json:"scenarios"`
	Interrupted bool   `json:"interrupted"`
	ErrorCode   int    `json:"error_code"`
	Segment     string `json:"segment"`
	Run         struct {
		Script string `json:"script"`
		Seed   int64  `json:"seed"`
	} `json:"run"`
}

func readSummaryJSON(t *testing.T, path string) summaryJSON {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s summaryJSON
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	return s
}

func (s summaryJSON) value(key, stat string) float64 {
	for _, m := range s.Metrics {
		if m.Key == key {
			return m.Values[stat]
		}
	}
	return -1
}

const agentPassword = "s3cr3t-Agent-PW"

// TestRunFullReports runs full.js with every output and checks each of them.
func TestRunFullReports(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for _, n := range []string{"summary.json", "junit.xml", "report.html", "samples.ndjson", "trace.ndjson", "samples.json.gz", "samples.csv"} {
		files[n] = filepath.Join(dir, n)
	}
	r := runCLI(t, nil, "run", "full.js", "-e", "AGENT_PASSWORD="+agentPassword, "--seed", "7",
		"--sim-agent-password", agentPassword,
		"--summary-export", files["summary.json"], "--junit", files["junit.xml"], "--html", files["report.html"],
		"--out", "ndjson="+files["samples.ndjson"], "--trace", files["trace.ndjson"],
		"--out", "json="+files["samples.json.gz"], "--out", "csv="+files["samples.csv"])
	r.want(t, 0)

	t.Run("k6 JSON and CSV outputs", func(t *testing.T) {
		checkK6Outputs(t, readSummaryJSON(t, files["summary.json"]), files["samples.json.gz"], files["samples.csv"])
	})

	t.Run("summary", func(t *testing.T) {
		contains(t, "stdout", r.stdout,
			"target  built-in simulator 127.0.0.1:", "seed  7",
			"THRESHOLDS", "✓  cti_request_duration{msg:ANSWER_CALL_REQ}  max<2000",
			"REQUESTS", "ANSWER_CALL_REQ", "SET_AGENT_STATE_REQ", "all requests",
			"p50", "p90", "p95", "p99", "p99.9", "max",
			"EVENT WAITS", "CALL_DELIVERED_EVENT", "CALL_CLEARED_EVENT",
			"SESSIONS", "opened 4 · failed 0",
			"CHECKS", "answered", "logged in",
			"EXECUTION", "iteration duration",
			"TRAFFIC", "messages", "bytes",
			"OTHER METRICS", "answer_to_clear",
			"✓ PASSED  all 3 thresholds passed")
		if strings.Contains(r.stdout, "\x1b[") {
			t.Errorf("colors in a summary written to a pipe:\n%q", r.stdout)
		}
		contains(t, "stderr", r.stderr, "ctiload: running full.js against built-in simulator", "[00m0")
	})

	t.Run("json summary equals the sample stream", func(t *testing.T) {
		s := readSummaryJSON(t, files["summary.json"])
		if !strings.HasPrefix(s.Format, "ctiload-summary/") || s.Run.Seed != 7 {
			t.Errorf("format %q, seed %d", s.Format, s.Run.Seed)
		}
		lines := readNDJSON(t, files["samples.ndjson"])
		if _, ok := lines[0]["metrics"]; !ok {
			t.Errorf("first line %v; want the metric descriptions", lines[0])
		}
		sums := map[string]float64{}
		for _, l := range lines[1:] {
			name, _ := l["metric"].(string)
			v, _ := l["value"].(float64)
			if name == "cti_request_duration" {
				v = 1 // count the samples of a trend
			}
			sums[name] += v
			if _, ok := l["time"].(string); !ok {
				t.Fatalf("sample without a time: %v", l)
			}
		}
		for _, m := range []string{"cti_requests", "iterations", "cti_messages_sent", "cti_bytes_received", "cti_request_duration"} {
			if got, want := sums[m], s.value(m, "count"); got != want || want <= 0 {
				t.Errorf("%s: the stream sums to %v; the summary counts %v", m, got, want)
			}
		}
		var its int64
		for _, sc := range s.Scenarios {
			its += sc.Iterations
		}
		if float64(its) != sums["iterations"] {
			t.Errorf("scenario iterations %d; the stream has %v", its, sums["iterations"])
		}
		for _, m := range s.Metrics {
			if m.Key == "cti_request_duration" && m.Histogram == "" {
				t.Error("cti_request_duration has no encoded histogram")
			}
		}
	})

	t.Run("junit", func(t *testing.T) {
		b, err := os.ReadFile(files["junit.xml"])
		if err != nil {
			t.Fatal(err)
		}
		var js struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Suites   []struct {
				Name  string `xml:"name,attr"`
				Cases []struct {
					Name string `xml:"name,attr"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(b, &js); err != nil {
			t.Fatalf("junit.xml does not parse: %v", err)
		}
		var names []string
		for _, s := range js.Suites {
			for _, c := range s.Cases {
				names = append(names, s.Name+"/"+c.Name)
			}
		}
		want := []string{"thresholds/checks: rate>0.5", "thresholds/cti_request_duration: p(95)<2000",
			"thresholds/cti_request_duration{msg:ANSWER_CALL_REQ}: max<2000", "checks/answered", "checks/logged in", "checks/ready"}
		if strings.Join(names, "|") != strings.Join(want, "|") || js.Tests != 6 || js.Failures != 0 {
			t.Errorf("test cases %q (tests=%d failures=%d); want %q", names, js.Tests, js.Failures, want)
		}
	})

	t.Run("trace", func(t *testing.T) {
		frames := readNDJSON(t, files["trace.ndjson"])
		names := map[string]int{}
		for _, f := range frames {
			names[f["name"].(string)]++
			if f["time"] == nil || f["vu"] == nil || f["session"] == nil || f["dir"] == nil {
				t.Fatalf("frame without time, vu, session or dir: %v", f)
			}
		}
		for _, n := range []string{"OPEN_REQ", "OPEN_CONF", "SET_AGENT_STATE_REQ", "CALL_DELIVERED_EVENT", "ANSWER_CALL_REQ"} {
			if names[n] == 0 {
				t.Errorf("no %s in the trace (%v)", n, names)
			}
		}
		b, _ := os.ReadFile(files["trace.ndjson"])
		if !bytes.Contains(b, []byte(`"AgentPassword":"[REDACTED]"`)) {
			t.Error("the login's AgentPassword is not shown redacted in the trace")
		}
	})

	t.Run("no secret anywhere", func(t *testing.T) {
		for name, path := range files {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(agentPassword)) {
				t.Errorf("%s contains the agent password", name)
			}
		}
		if strings.Contains(r.stdout+r.stderr, agentPassword) {
			t.Error("the output contains the agent password")
		}
	})

	t.Run("html in chromium", func(t *testing.T) {
		bin := htmltest.Require(t)
		b := htmltest.Start(t, bin, 1300, 1000, htmltest.Offline...)
		b.Navigate("file://" + files["report.html"])
		b.WaitFor(`document.body.dataset.charts > 0`, 30*time.Second)
		charts := htmltest.Charts(b)
		htmltest.CheckLegends(t, charts)
		have := map[string]bool{}
		for _, c := range charts {
			have[c.ID] = true
		}
		for _, want := range []string{"latency", "throughput", "vus", "latency-by-msg", "histogram-ANSWER_CALL_REQ", "histogram-SET_AGENT_STATE_REQ"} {
			if !have[want] {
				t.Errorf("chart %q is not on the page (have %v)", want, have)
			}
		}
		for _, u := range b.Requests() {
			if !strings.HasPrefix(u, "file://") {
				t.Errorf("the report requested %s: it must open offline", u)
			}
		}
		b.ScreenshotTo(filepath.Join(htmltest.ArtifactDir(t), "run-report.png"))
	})
}

func TestRunThresholdsFail(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	r := runCLI(t, nil, "run", "thresholds_fail.js", "--junit", junit, "--seed", "3")
	r.want(t, 99)
	contains(t, "stdout", r.stdout, "✗  cti_failures", "count==0",
		"FAILURES", "CF_INVALID_AGENT_WORK_MODE", "SET_AGENT_STATE_REQ", "✗ THRESHOLDS FAILED  1 of 2 thresholds failed")
	contains(t, "stderr", r.stderr, "ctiload: threshold failed: cti_failures count==0 (observed ")
	b, _ := os.ReadFile(junit)
	contains(t, "junit.xml", string(b), `<failure message="cti_failures count==0: observed`)
	// The failure table names the request of each code: "SET_AGENT_STATE_REQ N" on the code's row.
	if !regexp.MustCompile(`CF_INVALID_AGENT_WORK_MODE\s+\d+\s+\d+\.\d\d%\s+SET_AGENT_STATE_REQ \d+`).MatchString(r.stdout) {
		t.Errorf("no failure-code row with its share and request:\n%s", r.stdout)
	}
}

func TestRunScriptErrorNamesTheLine(t *testing.T) {
	r := runCLI(t, nil, "run", "init_error.js")
	r.want(t, 107)
	contains(t, "stderr", r.stderr, "init_error.js:8:", "not enough agents for this scenario")
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Errorf("a stack trace on stderr:\n%s", r.stderr)
	}
}

func TestRunEnvOverridesProcessEnvironment(t *testing.T) {
	runCLI(t, []string{"GREETING=bye"}, "run", "-q", "--no-summary", "-e", "GREETING=hello", "env.js").want(t, 0)
	runCLI(t, []string{"GREETING=hello"}, "run", "-q", "--no-summary", "env.js").want(t, 0)
	r := runCLI(t, []string{"GREETING=hello"}, "run", "-q", "--no-summary", "--include-system-env-vars=false", "env.js")
	r.want(t, 107)
	contains(t, "stderr", r.stderr, "GREETING is undefined")
}

func TestRunInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string // the whole first line of stderr
	}{
		{"bad number", nil, []string{"run", "--vus", "abc", "pass.js"}, `ctiload: --vus: invalid value "abc": want a whole number`},
		{"bad duration", nil, []string{"run", "--duration", "soon", "pass.js"}, `ctiload: --duration: invalid value "soon": want a duration such as 30s, 1m30s or 500ms`},
		{"missing script", nil, []string{"run", "nope.js"}, `ctiload: cannot read script "nope.js": no such file or directory`},
		{"no script", nil, []string{"run"}, `ctiload: missing a script: ctiload run SCRIPT`},
		{"bad env", []string{"CTILOAD_VUS=many"}, []string{"run", "pass.js"}, `ctiload: CTILOAD_VUS: invalid value "many": want a whole number`},
		{"bad stage", nil, []string{"run", "--stage", "30s", "pass.js"}, `ctiload: --stage: invalid value "30s": want DURATION:TARGET such as 30s:10`},
		{"bad threshold", nil, []string{"run", "bad_threshold.js"}, `ctiload: threshold "count=<0" of metric "cti_failures": at column 6: expected an operator`},
		{"bad output", nil, []string{"run", "--out", "cvs=x.csv", "pass.js"}, `ctiload: --out: unknown output "cvs" (did you mean csv?): ctiload has json=FILE (k6's JSON`},
		{"bad summary mode", nil, []string{"run", "--summary-mode", "compat", "pass.js"}, `ctiload: --summary-mode: invalid value "compat" (did you mean compact?): want compact or full`},
		{"output without file", nil, []string{"run", "--out", "ndjson", "pass.js"}, `ctiload: --out: invalid value "ndjson": name the file, e.g. ndjson=samples.ndjson or ndjson=samples.ndjson.gz`},
		{"bad csv time format", []string{"CTILOAD_CSV_TIME_FORMAT=unix_seconds"}, []string{"run", "--out", "csv=x.csv", "pass.js"}, `ctiload: --out csv=x.csv: CTILOAD_CSV_TIME_FORMAT: CSV time format "unix_seconds": want one of unix, unix_milli`},
		{"prometheus-rw without URL", nil, []string{"run", "--out", "prometheus-rw", "pass.js"}, `ctiload: prometheus-rw: no receiver: give --out prometheus-rw=URL or set CTILOAD_PROMETHEUS_RW_URL`},
		{"bad prometheus-rw setting", []string{"CTILOAD_PROMETHEUS_RW_PUSH_INTERVAL=often"}, []string{"run", "--out", "prometheus-rw=http://127.0.0.1:1", "pass.js"}, `ctiload: CTILOAD_PROMETHEUS_RW_PUSH_INTERVAL: invalid value "often": want a positive duration such as 5s or 500ms`},
		{"bad log format", nil, []string{"run", "--log-format", "xml", "pass.js"}, `ctiload: --log-format: invalid value "xml": want text or json`},
		{"unknown sim option", nil, []string{"run", "--sim-agents", "0x", "pass.js"}, `ctiload: --sim-agents: invalid value "0x": want a whole number`},
		{"sim number conflict", nil, []string{"run", "--sim-dialed-number", "1005", "pass.js"}, `ctiload: built-in simulator: sim: the dialed number (--sim-dialed-number) 1005 is also the extension of agent 5005 (extensions 1000…1019 from --sim-first-extension 1000 and --sim-agents 20): change --sim-dialed-number, --sim-first-extension or --sim-agents`},
		{"bad skill group", nil, []string{"run", "--sim-skill-group", "2=8002:50x", "pass.js"}, `ctiload: --sim-skill-group: "2=8002:50x": agent IDs "50x": want numbers and ranges such as 5000-5049,5080`},
		{"unreachable target", nil, []string{"run", "--target", "127.0.0.1:1", "pass.js"}, `ctiload: target 127.0.0.1:1 is unreachable (127.0.0.1:1: connect: connection refused)`},
		{"bad target", nil, []string{"run", "--target", "nowhere", "pass.js"}, `ctiload: --target: invalid value "nowhere": want host:port, or host:port,host:port for side A and side B`},
		{"unwritable report", nil, []string{"run", "--html", "/no/such/dir/r.html", "pass.js"}, `ctiload: --html: cannot write "/no/such/dir/r.html": no such file or directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, tc.args...)
			r.want(t, 104)
			first, _, _ := strings.Cut(r.stderr, "\n")
			if !strings.HasPrefix(first, tc.want) {
				t.Errorf("stderr:\n%s\nwant it to start with:\n%s", r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "Usage:") {
				t.Errorf("stack trace or usage on stderr:\n%s", r.stderr)
			}
		})
	}
}

// TestOptionPrecedence checks defaults < script < environment < flags with ctiload inspect.
func TestOptionPrecedence(t *testing.T) {
	inspect := func(env []string, args ...string) map[string]any {
		t.Helper()
		r := runCLI(t, env, append([]string{"inspect"}, args...)...)
		r.want(t, 0)
		var out map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("inspect output: %v\n%s", err, r.stdout)
		}
		return out
	}
	scenario := func(out map[string]any, name string) map[string]any {
		sc, _ := out["scenarios"].(map[string]any)[name].(map[string]any)
		return sc
	}
	// The script: per-vu-iterations "agents", 4 VUs, 20 simulator agents.
	out := inspect(nil, "pass.js")
	if sc := scenario(out, "agents"); sc == nil || sc["vus"] != 4.0 || sc["executor"] != "per-vu-iterations" {
		t.Errorf("script options: %v", out["scenarios"])
	}
	if out["simulator"].(map[string]any)["agents"] != 20.0 || out["seed"] != nil {
		t.Errorf("simulator %v, seed %v; want 20 agents from the script and no fixed seed", out["simulator"], out["seed"])
	}
	// The environment over the script.
	out = inspect([]string{"CTILOAD_VUS=6", "CTILOAD_DURATION=2s", "CTILOAD_SIM_AGENTS=30", "CTILOAD_SEED=9"}, "pass.js")
	if sc := scenario(out, "default"); sc == nil || sc["vus"] != 6.0 || sc["duration"] != "2s" || sc["executor"] != "constant-vus" {
		t.Errorf("environment: %v", out["scenarios"])
	}
	if out["simulator"].(map[string]any)["agents"] != 30.0 || out["seed"] != 9.0 {
		t.Errorf("simulator %v, seed %v; want the environment's", out["simulator"], out["seed"])
	}
	// Flags over the environment.
	out = inspect([]string{"CTILOAD_VUS=6", "CTILOAD_DURATION=2s", "CTILOAD_SIM_AGENTS=30"}, "pass.js", "--vus", "2", "--sim-agents", "40")
	if sc := scenario(out, "default"); sc == nil || sc["vus"] != 2.0 || sc["duration"] != "2s" {
		t.Errorf("flags: %v", out["scenarios"])
	}
	if out["simulator"].(map[string]any)["agents"] != 40.0 {
		t.Errorf("simulator %v; want the flag's 40 agents", out["simulator"])
	}
	// Stages replace the lower levels' duration.
	out = inspect([]string{"CTILOAD_DURATION=2s"}, "pass.js", "--stage", "1s:3", "--stage", "1s:0")
	if sc := scenario(out, "default"); sc == nil || sc["executor"] != "ramping-vus" {
		t.Errorf("stages: %v", out["scenarios"])
	}
	// A target replaces the simulator, with a warning for its flags.
	out = inspect(nil, "pass.js", "--target", "10.0.0.1:42027", "--sim-agents", "5")
	if out["target"] != "10.0.0.1:42027" || out["simulator"] != nil || out["warnings"] == nil {
		t.Errorf("target %v, simulator %v, warnings %v", out["target"], out["simulator"], out["warnings"])
	}
}

// startCLI starts ctiload and returns it with a reader of its standard error lines.
func startCLI(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *lineWaiter) {
	t.Helper()
	return startCLIEnv(t, nil, args...)
}

// startCLIEnv is startCLI with extra environment variables.
func startCLIEnv(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *lineWaiter) {
	t.Helper()
	cmd := exec.Command(ctiloadBin, args...)
	cmd.Dir = "testdata"
	cmd.Env = cleanEnv(env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, &out, newLineWaiter(pipe)
}

// lineWaiter collects a stream's lines and waits for one that contains a string.
type lineWaiter struct {
	mu    sync.Mutex
	text  strings.Builder
	cond  chan struct{}
	done  chan struct{}
	lines []string
}

func newLineWaiter(r io.Reader) *lineWaiter {
	w := &lineWaiter{cond: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			w.mu.Lock()
			w.text.WriteString(sc.Text() + "\n")
			w.mu.Unlock()
			select {
			case w.cond <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

func (w *lineWaiter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.text.String()
}

func (w *lineWaiter) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for !strings.Contains(w.String(), s) {
		select {
		case <-w.cond:
		case <-w.done:
			if !strings.Contains(w.String(), s) {
				t.Fatalf("the process ended without printing %q:\n%s", s, w.String())
			}
		case <-deadline:
			t.Fatalf("no %q within %v:\n%s", s, timeout, w.String())
		}
	}
}

func waitExit(t *testing.T, cmd *exec.Cmd, stderr *lineWaiter, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		<-stderr.done
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		t.Fatalf("still running %v after the signal:\n%s", within, stderr.String())
	}
	return -1
}

// TestRunInterruptedBySIGINT stops a 30-second run after it started: exit 105, the summary
// printed, every file written, the sample stream whole.
func TestRunInterruptedBySIGINT(t *testing.T) {
	dir := t.TempDir()
	sum, samples, html := filepath.Join(dir, "summary.json"), filepath.Join(dir, "samples.ndjson"), filepath.Join(dir, "report.html")
	cmd, stdout, stderr := startCLI(t, "run", "long.js", "--summary-export", sum, "--out", "ndjson="+samples, "--html", html)
	stderr.waitFor(t, "iteration 2 sleeping", 60*time.Second) // a few iterations, however slow the machine
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if code := waitExit(t, cmd, stderr, 30*time.Second); code != 105 {
		t.Fatalf("exit code %d; want 105\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	// Iterations would go on for 30 s; the stop takes the 1 s gracefulStop at most, plus the
	// reports. The margin is ten times that, for a loaded machine.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the graceful stop took %v; gracefulStop is 1s", d)
	}
	contains(t, "stderr", stderr.String(), "SIGINT: stopping gracefully", "ctiload: interrupted")
	contains(t, "stdout", stdout.String(), "REQUESTS", "SET_AGENT_STATE_REQ", "■ INTERRUPTED")
	s := readSummaryJSON(t, sum)
	if !s.Interrupted || s.ErrorCode != 105 {
		t.Errorf("summary interrupted=%v error_code=%d; want true, 105", s.Interrupted, s.ErrorCode)
	}
	lines := readNDJSON(t, samples)
	var reqs float64
	for _, l := range lines[1:] {
		if l["metric"] == "cti_requests" {
			reqs += l["value"].(float64)
		}
	}
	if reqs == 0 || reqs != s.value("cti_requests", "count") {
		t.Errorf("the stream has %v requests; the summary %v", reqs, s.value("cti_requests", "count"))
	}
	if _, err := os.Stat(html); err != nil {
		t.Errorf("no HTML report after the interrupt: %v", err)
	}
}

// TestRunSecondSIGINTStopsAtOnce: iterations sleep 20 s with a 30 s gracefulStop, so only the
// second signal ends the run quickly; the reports are still written.
func TestRunSecondSIGINTStopsAtOnce(t *testing.T) {
	dir := t.TempDir()
	sum, samples := filepath.Join(dir, "summary.json"), filepath.Join(dir, "samples.ndjson.gz")
	cmd, stdout, stderr := startCLI(t, "run", "long.js", "-e", "ITERATION_SLEEP=20", "-e", "GRACEFUL_STOP=30s",
		"--summary-export", sum, "--out", "ndjson="+samples)
	stderr.waitFor(t, "iteration 0 sleeping", 60*time.Second) // a VU is in its 20 s sleep
	cmd.Process.Signal(syscall.SIGINT)
	stderr.waitFor(t, "press Ctrl-C again", 30*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	// Well before the 20 s sleeps and the 30 s gracefulStop end, however loaded the machine.
	if code := waitExit(t, cmd, stderr, 15*time.Second); code != 105 {
		t.Fatalf("exit code %d; want 105\nstderr:\n%s", code, stderr.String())
	}
	contains(t, "stderr", stderr.String(), "stopping now")
	contains(t, "stdout", stdout.String(), "■ INTERRUPTED", "hard stop")
	if s := readSummaryJSON(t, sum); !s.Interrupted {
		t.Errorf("summary not marked interrupted")
	}
	if st, err := os.Stat(samples); err != nil || st.Size() == 0 {
		t.Errorf("no sample stream: %v", err)
	}
}

// TestSegmentsMergeAndReport runs a test as two segments, merges their summaries and renders
// the merged one again.
func TestSegmentsMergeAndReport(t *testing.T) {
	dir := t.TempDir()
	a, b, total := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "total.json")
	runCLI(t, nil, "run", "-q", "--no-summary", "--seed", "5", "--execution-segment", "0:1/2", "--summary-export", a, "pass.js").want(t, 0)
	runCLI(t, nil, "run", "-q", "--no-summary", "--seed", "5", "--execution-segment", "1/2:1", "--summary-export", b, "pass.js").want(t, 0)
	r := runCLI(t, nil, "merge", a, b, "-o", total)
	r.want(t, 0)
	contains(t, "merge stdout", r.stdout, "merged  2 summaries", "✓ PASSED")
	sa, sb, st := readSummaryJSON(t, a), readSummaryJSON(t, b), readSummaryJSON(t, total)
	for _, m := range []string{"iterations", "cti_requests", "cti_request_duration"} {
		if got, want := st.value(m, "count"), sa.value(m, "count")+sb.value(m, "count"); got != want || want <= 0 {
			t.Errorf("merged %s count %v; want %v", m, got, want)
		}
	}
	if st.value("iterations", "count") != 20 {
		t.Errorf("merged iterations %v; want the whole test's 20", st.value("iterations", "count"))
	}

	// Merging to standard output gives the JSON alone.
	r = runCLI(t, nil, "merge", a, b)
	r.want(t, 0)
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Errorf("merge without -o: standard output is not JSON: %v", err)
	}
	// One segment twice is refused.
	r = runCLI(t, nil, "merge", a, a)
	r.want(t, 104)
	contains(t, "stderr", r.stderr, "both ran segment")

	html, junit := filepath.Join(dir, "r.html"), filepath.Join(dir, "j.xml")
	r = runCLI(t, nil, "report", total, "--html", html, "--junit", junit)
	r.want(t, 0)
	contains(t, "report stdout", r.stdout, "THRESHOLDS", "REQUESTS", "SET_AGENT_STATE_REQ")
	for _, p := range []string{html, junit} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("report did not write %s: %v", p, err)
		}
	}
	r = runCLI(t, nil, "report", "pass.js")
	r.want(t, 104)
	contains(t, "stderr", r.stderr, "pass.js: not a JSON summary")
}

// TestMergeJudgesTheWholeTest: each segment makes 10 of the test's 20 iterations and passes
// iterations count<15 on its own; the merged test fails it, and merge says so with exit 99.
// ctiload report of the merged summary shows the same verdict.
func TestMergeJudgesTheWholeTest(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "count.js")
	if err := os.WriteFile(script, []byte(`export const options = {
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 20 } },
  thresholds: { iterations: ['count<15'] },
};
export default function () {}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b, total := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "total.json")
	runCLI(t, nil, "run", "-q", "--no-summary", "--execution-segment", "0:1/2", "--summary-export", a, script).want(t, 0)
	runCLI(t, nil, "run", "-q", "--no-summary", "--execution-segment", "1/2:1", "--summary-export", b, script).want(t, 0)
	r := runCLI(t, nil, "merge", a, b, "-o", total)
	r.want(t, 99)
	contains(t, "merge stdout", r.stdout, "THRESHOLDS FAILED")
	contains(t, "merge stderr", r.stderr, "threshold failed: iterations count<15 (observed 20)")
	if st := readSummaryJSON(t, total); st.value("iterations", "count") != 20 {
		t.Errorf("merged iterations %v; want 20", st.value("iterations", "count"))
	}
	r = runCLI(t, nil, "report", total)
	r.want(t, 0)
	contains(t, "report stdout", r.stdout, "THRESHOLDS FAILED")
}

func TestRunMoreFlags(t *testing.T) {
	t.Run("json logs", func(t *testing.T) {
		r := runCLI(t, nil, "run", "-q", "--no-summary", "--log-format", "json", "console.js")
		r.want(t, 0)
		var n int
		for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("stderr line is not JSON: %q", line)
			}
			if msg, _ := m["msg"].(string); strings.HasPrefix(msg, "hello from VU 1") {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d console lines; want 2:\n%s", n, r.stderr)
		}
	})
	t.Run("json logs from the environment", func(t *testing.T) {
		r := runCLI(t, []string{"CTILOAD_LOG_FORMAT=json", "CTILOAD_QUIET=true", "CTILOAD_NO_SUMMARY=1"}, "run", "console.js")
		r.want(t, 0)
		if !strings.HasPrefix(r.stderr, `{"time":`) || r.stdout != "" {
			t.Errorf("stdout %q, stderr %q; want JSON logs only", r.stdout, r.stderr)
		}
	})
	t.Run("trend stats", func(t *testing.T) {
		r := runCLI(t, nil, "run", "-q", "--summary-trend-stats", "avg,med,p(99.99)", "pass.js")
		r.want(t, 0)
		if !regexp.MustCompile(`request\s+count\s+failed\s+rate\s+avg\s+med\s+p99\.99\n`).MatchString(r.stdout) {
			t.Errorf("the request table does not have the columns asked for:\n%s", r.stdout)
		}
	})
	t.Run("unknown flag", func(t *testing.T) {
		r := runCLI(t, nil, "run", "--vu", "3", "pass.js")
		r.want(t, 104)
		contains(t, "stderr", r.stderr, "ctiload: unknown flag: --vu: did you mean --vus? (see ctiload run --help)")
	})
	t.Run("peripheral offline from options.simulator", func(t *testing.T) {
		sum := filepath.Join(t.TempDir(), "summary.json")
		runCLI(t, nil, "run", "-q", "--no-summary", "--summary-export", sum, "pg_offline.js").want(t, 0)
		// The simulator's own counters are in the summary, to compare with the client's.
		c := summarySimCounters(t, sum)
		if c.SessionsOpened != 1 || c.Faults["pg_offline"] != 1 || c.Events["SYSTEM_EVENT"] != 3 {
			t.Errorf("simulator counters in the summary: %+v; want 1 session, 1 pg_offline fault, 3 SYSTEM_EVENTs (open, offline, online)", c)
		}
		r := runCLI(t, nil, "run", "-q", "--no-summary", "--sim-failback-after", "1s", "pass.js")
		r.want(t, 104)
		contains(t, "stderr", r.stderr, "--sim-failback-after", "need a duplex simulator")
	})
	t.Run("planned side switch from options.simulator", func(t *testing.T) {
		sum := filepath.Join(t.TempDir(), "summary.json")
		runCLI(t, nil, "run", "-q", "--no-summary", "--summary-export", sum, "maintenance.js").want(t, 0)
		c := summarySimCounters(t, sum)
		if c.Faults["maintenance"] != 1 || c.Events["ACTIVE_MAINTENANCE_EVENT_MSG"] != 1 {
			t.Errorf("simulator counters: faults %v, ACTIVE_MAINTENANCE_EVENT_MSG sent %d; want 1 maintenance, 1 sent", c.Faults, c.Events["ACTIVE_MAINTENANCE_EVENT_MSG"])
		}
		r := runCLI(t, nil, "run", "-q", "--no-summary", "--sim-maintenance-after", "1s", "pass.js")
		r.want(t, 104)
		contains(t, "stderr", r.stderr, "--sim-maintenance-after", "need a duplex simulator")
		r = runCLI(t, nil, "run", "-q", "--no-summary", "--sim-duplex", "--sim-maintenance-after", "1s", "--sim-failback-after", "2s", "pass.js")
		r.want(t, 104)
		contains(t, "stderr", r.stderr, "--sim-failback-after 2s must come after the switch of --sim-maintenance-after 1s + --sim-maintenance-notice 5s")
	})
	t.Run("duplex simulator", func(t *testing.T) {
		r := runCLI(t, nil, "run", "duplex.js")
		r.want(t, 0)
		if !regexp.MustCompile(`target  built-in simulator 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+ \(UCCE duplex, 4 agents\)`).MatchString(r.stdout) {
			t.Errorf("the header does not name both sides:\n%s", r.stdout)
		}
		if !regexp.MustCompile(`reconnected [1-9]`).MatchString(r.stdout) {
			t.Errorf("no reconnection after the fail-over:\n%s", r.stdout)
		}
	})
	t.Run("fail-back from the flags", func(t *testing.T) {
		// duplex.js fails A over at 0.5 s; the flag brings it back at 1 s. Each switch ends the
		// sessions of the side that goes standby with FAILURE_EVENT: two at the fail-over, and at
		// least one more at the fail-back (a desktop reconnects to B in milliseconds).
		sum := filepath.Join(t.TempDir(), "summary.json")
		runCLI(t, nil, "run", "-q", "--no-summary", "--summary-export", sum, "--sim-failback-after", "1s", "duplex.js").want(t, 0)
		if c := summarySimCounters(t, sum); c.Events["FAILURE_EVENT"] < 3 {
			t.Errorf("simulator counters: %d FAILURE_EVENTs sent; want 2 at the fail-over and more at the fail-back", c.Events["FAILURE_EVENT"])
		}
	})
	t.Run("help groups the simulator flags", func(t *testing.T) {
		r := runCLI(t, nil, "run", "--help")
		r.want(t, 0)
		contains(t, "help", r.stdout, "Flags:", "--summary-export FILE", "Built-in simulator", "--sim-call-rate")
	})
}

func TestRunAllowPathsOutside(t *testing.T) {
	r := runCLI(t, nil, "run", "-q", "--no-summary", "confined/outside.js")
	r.want(t, 107)
	contains(t, "stderr", r.stderr, "is outside the script's folder", "--allow-paths-outside")
	runCLI(t, nil, "run", "-q", "--no-summary", "--allow-paths-outside", "confined/outside.js").want(t, 0)
}

// TestRunSimulatorANIPool: `run` shares `sim`'s server flags, so the ANI pool (once only on
// `ctiload sim`) shapes the embedded simulator, from options.simulator and from --sim-ani.
func TestRunSimulatorANIPool(t *testing.T) {
	runCLI(t, nil, "run", "-q", "--no-summary", "ani_pool.js").want(t, 0)
	r := runCLI(t, nil, "run", "-q", "--no-summary", "--sim-ani", "111", "ani_pool.js")
	r.want(t, 99) // the flag wins over the script: the script's ANI check fails the iteration
	contains(t, "stderr", r.stderr, "ANI = 111")
}

// TestRunControlToken: a run with --control prints its made-up token once, on the terminal; the
// API stops the run with it; no report, stream or summary carries it.
func TestRunControlToken(t *testing.T) {
	dir := t.TempDir()
	sum, samples, html := filepath.Join(dir, "summary.json"), filepath.Join(dir, "samples.ndjson"), filepath.Join(dir, "report.html")
	cmd, stdout, stderr := startCLI(t, "run", "long.js", "--control", "127.0.0.1:0", "--summary-export", sum, "--out", "ndjson="+samples, "--html", html)
	stderr.waitFor(t, "control API on http://", 20*time.Second)
	stderr.waitFor(t, "] agents ", 20*time.Second)
	m := regexp.MustCompile(`control API on http://(\S+)/v1/scenarios: curl -H 'Authorization: Bearer (\S+)' `).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no address and token in:\n%s", stderr.String())
	}
	addr, token := m[1], m[2]
	if len(token) < 20 {
		t.Fatalf("token %q: want at least 20 random characters", token)
	}
	stop := func(tok string) int {
		req, _ := http.NewRequest("POST", "http://"+addr+"/v1/stop", nil)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := stop("wrong"); code != http.StatusForbidden {
		t.Fatalf("stop with a wrong token = %d; want 403", code)
	}
	if code := stop(token); code != http.StatusOK {
		t.Fatalf("stop with the token = %d; want 200", code)
	}
	code := waitExit(t, cmd, stderr, 30*time.Second)
	if _, err := os.Stat(sum); err != nil {
		t.Fatalf("exit %d, no summary: %v\n%s", code, err, stderr.String())
	}
	if n := strings.Count(stderr.String(), token); n != 1 {
		t.Errorf("stderr shows the token %d times; want once", n)
	}
	for name, text := range map[string]string{"stdout": stdout.String(), "summary": readText(t, sum), "samples": readText(t, samples), "html": readText(t, html)} {
		if strings.Contains(text, token) {
			t.Errorf("the %s carries the control token", name)
		}
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRunFailurePhase: failures carry the lifecycle phase they happened in, and the failure
// table says "during vuTeardown" (setup, …) for those outside iterations.
func TestRunFailurePhase(t *testing.T) {
	sum := filepath.Join(t.TempDir(), "summary.json")
	r := runCLI(t, nil, "run", "--summary-export", sum, "phase_failures.js")
	r.want(t, 0)
	contains(t, "stdout", r.stdout, "SET_AGENT_STATE_REQ 2 during vuTeardown", "SET_AGENT_STATE_REQ 1 during setup")
	if strings.Contains(r.stdout, "during iteration") {
		t.Errorf("the table says 'during iteration'; iterations are the default:\n%s", r.stdout)
	}
	var e struct {
		Summary struct {
			Failures []struct {
				Code     string `json:"code"`
				Requests []struct {
					Name, Phase string
					Count       int64
				} `json:"requests"`
			} `json:"failures"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(readText(t, sum)), &e); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, f := range e.Summary.Failures {
		for _, r := range f.Requests {
			got[f.Code+" "+r.Name+" "+r.Phase] += r.Count
		}
	}
	want := map[string]int64{
		"CF_INVALID_OBJECT_STATE SET_AGENT_STATE_REQ setup":      1,
		"CF_INVALID_OBJECT_STATE SET_AGENT_STATE_REQ iteration":  1,
		"CF_INVALID_OBJECT_STATE SET_AGENT_STATE_REQ vuTeardown": 2,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("failures by code, request and phase = %v; want %v", got, want)
	}
}

// TestRunAbortsOnRefusedOpens: a run whose every open is refused backs off, then aborts with
// exit 108, naming the code and the option; the summary shows the back-off. With the rule off
// (options.cti through the environment is not a thing: a script option), the run goes on.
func TestRunAbortsOnRefusedOpens(t *testing.T) {
	start := time.Now()
	r := runCLI(t, nil, "run", "--no-color", "refused_opens.js")
	r.want(t, 108)
	contains(t, "stderr", r.stderr, "the last 10 session opens all failed (E_CTI_INVALID_PERIPHERAL_ID)", "options.cti.abortOnOpenFailures")
	contains(t, "stdout", r.stdout, "back-off before reopening")
	if d := time.Since(start); d > 45*time.Second {
		t.Errorf("the abort took %s of a 60 s run", d)
	}
}

// TestRunMissingPeripheralIDAgainstTarget: against --target (not the built-in simulator), an
// agent connect without peripheralId stops the run before any connection to the server.
func TestRunMissingPeripheralIDAgainstTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := runCLI(t, nil, "run", "-q", "--no-summary", "--skip-target-check", "--target", ln.Addr().String(), "no_peripheral.js")
	r.want(t, 108)
	contains(t, "stderr", r.stderr, "add peripheralId: N to the options")
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(200 * time.Millisecond))
	if c, err := ln.Accept(); err == nil {
		c.Close()
		t.Error("ctiload connected to the target although the script gives no peripheral ID")
	}
	// The same script on the built-in simulator gets the simulator's peripheral.
	runCLI(t, nil, "run", "-q", "--no-summary", "no_peripheral.js").want(t, 0)
}

func TestRunSafetyOptionErrors(t *testing.T) {
	r := runCLI(t, nil, "run", "--max-request-rate", "fast", "pass.js")
	r.want(t, 104)
	contains(t, "stderr", r.stderr, `--max-request-rate: invalid value "fast": want a rate such as 200/s`)
	s, err := parseCTIOptions([]byte(`{"maxRequestRate": "600/m", "maxOpenRate": 5, "abortOnOpenFailures": false, "openBackoff": {"initial": "1s", "max": 60000, "factor": 3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxRequestRate != 10 || s.MaxOpenRate != 5 || s.AbortOnOpenFailures != 0 ||
		s.OpenBackoff.Initial != time.Second || s.OpenBackoff.Max != time.Minute || s.OpenBackoff.Factor != 3 {
		t.Errorf("parsed %+v", s)
	}
	for in, want := range map[string]string{
		`{"maxRequestRat": 5}`:              `options.cti.maxRequestRat: unknown key "maxRequestRat": did you mean "maxRequestRate"?`,
		`{"openBackoff": {"inital": "1s"}}`: `options.cti.openBackoff: unknown key "inital": did you mean "initial"?`,
		`{"openBackoff": {"max": "1ms"}}`:   `options.cti.openBackoff.max: want at least openBackoff.initial`,
		`{"abortOnOpenFailures": -2}`:       `options.cti.abortOnOpenFailures: want a whole number`,
		`{"maxOpenRate": "lots"}`:           `options.cti.maxOpenRate: want a rate such as 200/s`,
	} {
		if _, err := parseCTIOptions([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseCTIOptions(%s) = %v; want %q", in, err, want)
		}
	}
}

// TestCTIOptionPrecedence: options.cti < CTILOAD_MAX_*_RATE < --max-*-rate, seen by inspect, and
// an execution segment's share of them.
func TestCTIOptionPrecedence(t *testing.T) {
	for _, tc := range []struct {
		env                []string
		args               []string
		requests, openRate float64
	}{
		{nil, nil, 100, 5},
		{[]string{"CTILOAD_MAX_OPEN_RATE=7/s"}, nil, 100, 7},
		{[]string{"CTILOAD_MAX_OPEN_RATE=7/s"}, []string{"--max-open-rate", "9/s", "--max-request-rate", "0"}, 0, 9},
		// A segment takes its share of the test's caps, so that N pods together offer the cap.
		{nil, []string{"--execution-segment", "1/4:3/4"}, 50, 2.5},
		{[]string{"JOB_COMPLETION_INDEX=2"}, []string{"--segment-count", "4", "--max-request-rate", "40/s"}, 10, 1.25},
		{nil, []string{"--execution-segment", "0:1"}, 100, 5},
	} {
		r := runCLI(t, tc.env, append([]string{"inspect", "capped.js"}, tc.args...)...)
		r.want(t, 0)
		var out struct {
			CTI struct {
				OpenBackoff struct {
					Initial, Max string
					Factor       float64
				} `json:"open_backoff"`
				Abort    int     `json:"abort_on_open_failures"`
				Requests float64 `json:"max_request_rate"`
				Opens    float64 `json:"max_open_rate"`
			} `json:"cti"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("inspect output: %v\n%s", err, r.stdout)
		}
		c := out.CTI
		if c.Requests != tc.requests || c.Opens != tc.openRate || c.Abort != 0 ||
			c.OpenBackoff.Initial != "1s" || c.OpenBackoff.Max != "1m0s" || c.OpenBackoff.Factor != 2 {
			t.Errorf("env %v, flags %v: cti %+v; want %v requests/s, %v opens/s, back-off 1s..1m ×2, no abort", tc.env, tc.args, c, tc.requests, tc.openRate)
		}
	}
}

// TestSummaryCountsLostSessions: a dropped connection is a lost session (by cause) in SESSIONS,
// and the request made on the lost session is an E_NOT_SENT failure, not a request.
func TestSummaryCountsLostSessions(t *testing.T) {
	r := runCLI(t, nil, "run", "--sim-drop-after", "3", "lost.js")
	r.want(t, 0)
	contains(t, "summary", r.stdout,
		"· lost 1 (server_closed 1)",
		"E_NOT_SENT", "E_CONNECTION_LOST")
	for _, line := range strings.Split(r.stdout, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "QUERY_AGENT_STATE_REQ" && (f[1] != "1" || f[2] != "1") {
			t.Errorf("REQUESTS counts %s QUERY_AGENT_STATE_REQ, %s failed; want 1 and 1 (the one sent): %q", f[1], f[2], line)
		}
	}
}
