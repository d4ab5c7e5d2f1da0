package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

func TestParseStage(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    executor.Stage
		wantErr bool
	}{
		{"30s:10", executor.Stage{Duration: executor.Duration(30 * time.Second), Target: 10}, false},
		{"1m30s:0", executor.Stage{Duration: executor.Duration(90 * time.Second), Target: 0}, false},
		{"1500:3", executor.Stage{Duration: executor.Duration(1500 * time.Millisecond), Target: 3}, false},
		{"30s", executor.Stage{}, true},
		{"soon:3", executor.Stage{}, true},
		{"30s:-1", executor.Stage{}, true},
		{"30s:x", executor.Stage{}, true},
	} {
		got, err := parseStage(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseStage(%q) = %v, %v; want %v (error: %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestVUOfLabel(t *testing.T) {
	for _, tc := range []struct {
		label string
		vu    uint64
		ok    bool
	}{{"vu3-5003", 3, true}, {"vu12", 12, true}, {"supervisor", 0, false}, {"vux-1", 0, false}} {
		vu, ok := vuOfLabel(tc.label)
		if vu != tc.vu || ok != tc.ok {
			t.Errorf("vuOfLabel(%q) = %d, %v; want %d, %v", tc.label, vu, ok, tc.vu, tc.ok)
		}
	}
}

func TestSimOptionNames(t *testing.T) {
	for camel, kebab := range map[string]string{"agents": "agents", "callRate": "call-rate", "failAAfter": "fail-a-after", "afterCallNotReady": "after-call-not-ready"} {
		if got := camelToKebab(camel); got != kebab {
			t.Errorf("camelToKebab(%q) = %q; want %q", camel, got, kebab)
		}
		if got := kebabToCamel(kebab); got != camel {
			t.Errorf("kebabToCamel(%q) = %q; want %q", kebab, got, camel)
		}
	}
}

func TestJSONFlagValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`20`, []string{"20"}},
		{`"2/s"`, []string{"2/s"}},
		{`true`, []string{"true"}},
		{`[24, 25]`, []string{"24", "25"}},
		{`["A=1%", "B=2%"]`, []string{"A=1%", "B=2%"}},
		{`{"SET_AGENT_STATE_REQ": "5%:CF_X", "ANSWER_CALL_REQ": 0.1}`, []string{"ANSWER_CALL_REQ=0.1", "SET_AGENT_STATE_REQ=5%:CF_X"}},
	} {
		got, err := jsonFlagValues(json.RawMessage(tc.in))
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("jsonFlagValues(%s) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := jsonFlagValues(json.RawMessage(`[{"a": 1}]`)); err == nil {
		t.Error("jsonFlagValues of an array of objects: no error")
	}
}

// fakeSource is a progressSource with fixed numbers.
type fakeSource struct {
	progress []executor.Progress
	counts   map[string]float64
	p95      float64
}

func (f fakeSource) Progress() []executor.Progress { return f.progress }
func (f fakeSource) Elapsed() time.Duration        { return 12 * time.Second }
func (f fakeSource) Snapshot(key string) (metrics.Summary, bool) {
	if strings.HasPrefix(key, "cti_request_duration") {
		return metrics.Summary{Values: map[string]float64{"count": 10, "p(95)": f.p95}}, true
	}
	n, ok := f.counts[key]
	return metrics.Summary{Values: map[string]float64{"count": n}}, ok
}

func TestProgressLines(t *testing.T) {
	src := fakeSource{
		progress: []executor.Progress{
			{Scenario: "agents", Executor: "constant-vus", State: executor.Running, Elapsed: 12 * time.Second,
				Duration: time.Minute, VUs: 10, VUsMax: 10, Counts: executor.Counts{Iterations: 42}},
			{Scenario: "callers", Executor: "shared-iterations", State: executor.Done, Elapsed: 10 * time.Second,
				TotalIterations: 100, VUs: 0, VUsMax: 5, Counts: executor.Counts{Iterations: 100}},
		},
		counts: map[string]float64{"cti_requests{scenario:agents}": 240, "cti_failures{scenario:agents}": 3,
			"cti_requests{scenario:callers}": 500},
		p95: 3.214,
	}
	plain := newProgress(nil, false, false, false)
	plain.src = src
	got := plain.render(time.Now())
	want := []string{
		"[00m12s] agents   running   00m12s/01m00s  10/10 VUs  3.50 it/s  20.0 req/s  3 failed  p95 3.21ms",
		"[00m12s] callers  done      00m10s 100/100 it  0/5 VUs  10.0 it/s  50.0 req/s  0 failed  p95 3.21ms",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plain lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	tty := newProgress(nil, true, true, false)
	tty.src = src
	line := tty.render(time.Now())[0]
	for _, w := range []string{"\x1b[1magents \x1b[0m", "[====>---------------]", "\x1b[31m3 failed\x1b[0m"} {
		if !strings.Contains(line, w) {
			t.Errorf("terminal line %q lacks %q", line, w)
		}
	}
}

func TestProgressLogsDoNotTearLines(t *testing.T) {
	var out strings.Builder
	p := newProgress(&out, true, false, false)
	p.drawn = []string{"line one", "line two"}
	p.printf("a log message")
	want := "\x1b[1A\x1b[2K\x1b[1A\x1b[2K\ra log message\nline one\nline two\n"
	if out.String() != want {
		t.Errorf("log through the live view wrote %q; want %q", out.String(), want)
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"agents", "callRate", "failRate", "talkTime"}
	for in, want := range map[string]string{"agent": "agents", "callrate": "callRate", "failrate": "failRate", "colour": ""} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestDevNullIsNotATerminal: /dev/null is a character device, but no terminal: a run
// redirected there must not draw the live view or color its output.
func TestDevNullIsNotATerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no %s: %v", os.DevNull, err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("isTerminal(/dev/null) = true")
	}
}
