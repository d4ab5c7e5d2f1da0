package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Tests of what a k6 user expects to carry over: handleSummary, textSummary, k6/execution.

type handledSummary struct {
	Format      string  `json:"format"`
	Iterations  float64 `json:"iterations"`
	Interrupted bool    `json:"interrupted"`
}

func readHandled(t *testing.T, path string) handledSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("handleSummary did not write %s: %v", path, err)
	}
	var h handledSummary
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("%s: %v: %s", path, err, b)
	}
	return h
}

func TestHandleSummaryStdoutAndFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "custom.json")
	r := runCLI(t, []string{"MODE=stdout", "OUT_FILE=" + out}, "run", "-q", "handle_summary.js")
	r.want(t, 0)
	// The returned stdout replaces the default summary; textSummary is the same reporter,
	// indented as asked.
	if !strings.HasPrefix(r.stdout, "CUSTOM SUMMARY\n") {
		t.Errorf("stdout does not start with handleSummary's text:\n%s", r.stdout)
	}
	contains(t, "stdout", r.stdout, "> ", "CHECKS", "is one", "✓ PASSED")
	if n := strings.Count(r.stdout, "CHECKS"); n != 1 {
		t.Errorf("the summary is printed %d times; want once (handleSummary's)", n)
	}
	h := readHandled(t, out)
	if h.Format != "ctiload-summary/1" || h.Iterations != 6 {
		t.Errorf("handleSummary saw format %q, %v iterations; want the summary export, 6", h.Format, h.Iterations)
	}
}

func TestHandleSummaryFileOnlyReplacesTheSummary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "custom.json")
	r := runCLI(t, []string{"MODE=file", "OUT_FILE=" + out}, "run", "-q", "handle_summary.js")
	r.want(t, 0)
	if strings.Contains(r.stdout, "CHECKS") || strings.Contains(r.stdout, "PASSED") {
		t.Errorf("the default summary was printed although handleSummary returned no stdout:\n%s", r.stdout)
	}
	readHandled(t, out)
}

func TestHandleSummaryThrows(t *testing.T) {
	dir := t.TempDir()
	sum := filepath.Join(dir, "summary.json")
	r := runCLI(t, []string{"MODE=throw", "OUT_FILE=" + filepath.Join(dir, "x.json")}, "run", "-q", "--summary-export", sum, "handle_summary.js")
	r.want(t, 107)
	contains(t, "stderr", r.stderr, "handle_summary.js:23:", "Error: summary broke", "(in handleSummary)")
	// Nothing is lost: the default summary instead, and the other reports.
	contains(t, "stdout", r.stdout, "CHECKS", "is one")
	if s := readSummaryJSON(t, sum); s.value("iterations", "count") != 6 {
		t.Errorf("summary export: %v iterations; want 6", s.value("iterations", "count"))
	}
}

func TestHandleSummaryRunsAfterCtrlC(t *testing.T) {
	out := filepath.Join(t.TempDir(), "custom.json")
	cmd, stdout, stderr := startCLIEnv(t, []string{"LONG=1", "MODE=file", "OUT_FILE=" + out}, "run", "handle_summary.js")
	stderr.waitFor(t, "iteration 2 done", 60*time.Second)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, stderr, 30*time.Second); code != 105 {
		t.Fatalf("exit code %d; want 105\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if h := readHandled(t, out); !h.Interrupted || h.Iterations < 2 {
		t.Errorf("handleSummary after Ctrl-C saw interrupted=%v, %v iterations; want true, ≥ 2", h.Interrupted, h.Iterations)
	}
}

// execLine is one iteration's execution context, as execution.js logs it.
type execLine struct {
	Scenario            string `json:"scenario"`
	IterationInTest     int64  `json:"iterationInTest"`
	StartTime           int64  `json:"startTime"`
	VU                  int64  `json:"vu"`
	IterationInScenario int64  `json:"iterationInScenario"`
	VUsActive           int64  `json:"vusActive"`
}

// execLines reads the console.log lines of execution.js from JSON log lines.
func execLines(t *testing.T, stderr string) []execLine {
	t.Helper()
	var out []execLine
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		var rec struct {
			Msg    string `json:"msg"`
			Source string `json:"source"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Source != "console" {
			continue
		}
		var l execLine
		if err := json.Unmarshal([]byte(rec.Msg), &l); err != nil {
			t.Fatalf("console line %q: %v", rec.Msg, err)
		}
		out = append(out, l)
	}
	return out
}

// TestExecutionUniqueAcrossSegments runs execution.js as three segments and merges what each
// iteration saw: no VU ID in two processes, no (scenario, iterationInTest) twice, and the
// fixed scenario's iterations numbered exactly 0 … 23 across the three.
func TestExecutionUniqueAcrossSegments(t *testing.T) {
	vuOwner := map[int64]string{}
	iters := map[string]bool{}
	fixed := map[int64]bool{}
	for _, seg := range []string{"0:1/3", "1/3:2/3", "2/3:1"} {
		r := runCLI(t, nil, "run", "-q", "--no-summary", "--log-format", "json", "--execution-segment", seg, "execution.js")
		r.want(t, 0)
		lines := execLines(t, r.stderr)
		if len(lines) == 0 {
			t.Fatalf("segment %s: no iteration logged:\n%s", seg, r.stderr)
		}
		for _, l := range lines {
			if owner, ok := vuOwner[l.VU]; ok && owner != seg {
				t.Errorf("VU %d in segments %s and %s", l.VU, owner, seg)
			}
			vuOwner[l.VU] = seg
			key := l.Scenario + "#" + strconv.FormatInt(l.IterationInTest, 10)
			if iters[key] {
				t.Errorf("segment %s: iteration %d of %s seen twice", seg, l.IterationInTest, l.Scenario)
			}
			iters[key] = true
			if l.Scenario == "fixed" {
				fixed[l.IterationInTest] = true
			}
			if l.StartTime < time.Now().Add(-time.Hour).UnixMilli() || l.VUsActive < 1 || l.IterationInScenario < 0 {
				t.Errorf("segment %s: implausible context %+v", seg, l)
			}
		}
	}
	for i := range int64(24) {
		if !fixed[i] {
			t.Errorf("fixed: iteration %d ran in no segment (the union must be the whole test)", i)
		}
	}
	if len(fixed) != 24 {
		t.Errorf("fixed: %d distinct iterations; want 24", len(fixed))
	}
}

func TestExecutionTestAbort(t *testing.T) {
	r := runCLI(t, []string{"ABORT=1"}, "run", "-q", "execution.js")
	r.want(t, 108)
	contains(t, "stderr", r.stderr, "enough")
}

// TestVerdictNamesSilentFailures: iterations that all throw and sessions that never open pass
// without thresholds (k6's rule), but the verdict line, the JUnit and a warning before the
// verdict say so; thresholds that judge them silence the warnings.
func TestVerdictNamesSilentFailures(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "junit.xml")
	r := runCLI(t, nil, "run", "-q", "--junit", junit, "silent_failures.js")
	r.want(t, 0)
	contains(t, "stdout", r.stdout, "⚠ 4 iterations failed and no threshold judges them", "⚠ 4 sessions never opened and no threshold judges them",
		"✓ PASSED  no thresholds to judge · 4 failed iterations · 4 sessions never opened")
	if w := strings.Index(r.stdout, "⚠ 4 iterations"); w > strings.Index(r.stdout, "✓ PASSED") {
		t.Errorf("the warning comes after the verdict:\n%s", r.stdout)
	}
	contains(t, "stderr", r.stderr, "4 iterations failed and no threshold judges them")
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "junit", string(b), `name="failed_iterations" value="4"`, `name="sessions_not_opened" value="4"`,
		`testcase name="run: 4 failed iterations · 4 sessions never opened"`)

	r = runCLI(t, []string{"JUDGE=1"}, "run", "-q", "silent_failures.js")
	r.want(t, 99)
	if strings.Contains(r.stdout, "⚠") || strings.Contains(r.stderr, "no threshold judges") {
		t.Errorf("warnings although thresholds judge both:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	contains(t, "stdout", r.stdout, "4 failed iterations · 4 sessions never opened")
}

// TestGroups: checks nested under their groups in the summary, group_duration per group (in
// the summary and the export), a threshold that selects a group.
func TestGroups(t *testing.T) {
	sum := filepath.Join(t.TempDir(), "sum.json")
	r := runCLI(t, nil, "run", "-q", "--summary-export", sum, "groups.js")
	r.want(t, 0)
	contains(t, "stdout", r.stdout, "✓  group_duration{group:::login}  max<60000",
		"█ login", "  logged in", "  █ ready", "    ログイン済み", "GROUPS", "::login::ready")
	// The nesting: login's header before its check, outside checks first (no group).
	out := r.stdout
	if !(strings.Index(out, "outside") < strings.Index(out, "█ login") && strings.Index(out, "█ login") < strings.Index(out, "logged in") &&
		strings.Index(out, "logged in") < strings.Index(out, "█ ready")) {
		t.Errorf("checks not nested by group:\n%s", out)
	}
	s := readSummaryJSON(t, sum)
	if n := s.value("group_duration{group:::login}", "count"); n != 4 {
		t.Errorf("group_duration{group:::login} count %v; want 4 (2 VUs × 2 iterations)", n)
	}
	if ms := s.value("group_duration{group:::login}", "min"); ms < 20 {
		t.Errorf("login group min %vms; the group sleeps 20ms", ms)
	}
	// A threshold on one group fails the run; --summary-mode=full adds a section per scenario
	// and per group, which compact (the default, above) leaves out.
	if strings.Contains(out, "SCENARIO main") || strings.Contains(out, "GROUP ::login") {
		t.Errorf("the compact summary has the full mode's sections:\n%s", out)
	}
	r = runCLI(t, []string{"LOGIN_MAX=1"}, "run", "-q", "--summary-mode", "full", "groups.js")
	r.want(t, 99)
	contains(t, "stdout", r.stdout, "✗  group_duration{group:::login}  max<1",
		"SCENARIO main  checks 8 of 12 passed", "GROUP ::login  checks 4 of 4 passed", "GROUP ::login::ready  checks 4 of 4 passed")
	// The same from the export, with ctiload report.
	r = runCLI(t, nil, "report", "--summary-mode", "full", sum)
	r.want(t, 0)
	contains(t, "report stdout", r.stdout, "SCENARIO main", "GROUP ::login  checks 4 of 4 passed", "group duration")
	r = runCLI(t, nil, "report", "--summary-mode", "ful", sum)
	r.want(t, 104)
	contains(t, "report stderr", r.stderr, `--summary-mode: invalid value "ful" (did you mean full?): want compact or full`)
}
