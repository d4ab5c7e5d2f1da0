package reports_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := lines(string(got)), lines(string(want))
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got %q\nwant %q\n(run go test -update if the change is intended)\nwhole output:\n%s", name, i+1, g, w, got)
			}
		}
	}
}

func summaryOf(t *testing.T, in reports.Input, o reports.SummaryOptions) *reports.Summary {
	t.Helper()
	s, err := reports.NewSummary(in, o)
	if err != nil {
		t.Fatalf("NewSummary: %v", err)
	}
	return s
}

func TestTextSummaryGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		color bool
	}{{"summary.golden", false}, {"summary-color.golden", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := summaryOf(t, synthInput(), reports.SummaryOptions{})
			var buf bytes.Buffer
			if err := reports.NewTextReporter(s, reports.TextOptions{Color: tc.color})(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, buf.Bytes())
		})
	}
}

// TestTextSummaryInterruptedGolden is a run stopped early with no CTI traffic at all: only the
// sections with data, and the interruption as the verdict.
func TestTextSummaryInterruptedGolden(t *testing.T) {
	b := newSynth()
	b.counter("iterations", nil, 3)
	b.trend("iteration_duration", nil, []float64{1000.5, 1001.2, 999.8})
	b.gauge("vus", 0, 0, 2)
	b.gauge("vus_max", 2, 2, 2)
	res := b.res
	res.Duration = executor.Duration(2500 * time.Millisecond)
	res.Scenarios = []engine.ScenarioResult{{Name: "default", Executor: "constant-vus", Iterations: 3, Interrupted: 2, VUsMax: 2}}
	res.Interrupted, res.ErrorCode, res.Error = true, 105, "run interrupted (graceful stop)"
	s := summaryOf(t, reports.Input{Result: res, Run: reports.RunInfo{Script: "s.js", Target: "10.1.2.3:42027"}}, reports.SummaryOptions{TrendStats: []string{"avg", "med", "p(95)", "max"}})
	var buf bytes.Buffer
	if err := reports.NewTextReporter(s, reports.TextOptions{})(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary-interrupted.golden", buf.Bytes())
}

// TestTextSummarySessionFaults: lost sessions by cause, events dropped from full backlogs per
// session kind and malformed frames per type and reason each get their line in SESSIONS, so
// that a run with any of them cannot pass unnoticed.
func TestTextSummarySessionFaults(t *testing.T) {
	b := newSynth()
	b.counter("cti_sessions", nil, 10)
	b.counter("cti_sessions", map[string]string{"result": "opened"}, 10)
	b.counter("cti_sessions_lost", nil, 3)
	b.counter("cti_sessions_lost", map[string]string{"cause": "server_closed"}, 2)
	b.counter("cti_sessions_lost", map[string]string{"cause": "heartbeat_missed"}, 1)
	b.counter("cti_events_dropped", nil, 998976)
	b.counter("cti_events_dropped", map[string]string{"mode": "bridge"}, 998976)
	b.counter("cti_decode_errors", nil, 5)
	b.counter("cti_decode_errors", map[string]string{"msg": "CALL_DELIVERED_EVENT"}, 5)
	pairs := []reports.PairCount{
		{Metric: "cti_decode_errors", Tags: map[string]string{"msg": "CALL_DELIVERED_EVENT", "reason": "E_CTI_BAD_MESSAGE_FORMAT"}, Count: 4},
		{Metric: "cti_decode_errors", Tags: map[string]string{"msg": "CALL_DELIVERED_EVENT", "reason": "E_CTI_INVALID_FIELD_LENGTH"}, Count: 1},
	}
	s := summaryOf(t, reports.Input{Result: b.res, Pairs: pairs}, reports.SummaryOptions{})
	var buf bytes.Buffer
	if err := reports.NewTextReporter(s, reports.TextOptions{})(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"opened 10 · failed 0 · reconnected 0 · lost 3 (server_closed 2, heartbeat_missed 1)",
		"⚠ 998976 events dropped from full backlogs (bridge 998976): a script stopped reading its events",
		"✗ 5 malformed frames from the server, not delivered to the script (CALL_DELIVERED_EVENT E_CTI_BAD_MESSAGE_FORMAT 4, CALL_DELIVERED_EVENT E_CTI_INVALID_FIELD_LENGTH 1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if s.Sessions.Lost != 3 || len(s.Sessions.EventsDropped) != 1 || len(s.Sessions.DecodeErrors) != 2 {
		t.Errorf("Sessions = %+v", s.Sessions)
	}
	buf.Reset()
	if err := reports.NewHTMLReporter(s, reports.HTMLOptions{})(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(server_closed 2, heartbeat_missed 1)", "Events dropped from full backlogs: bridge 998976",
		"Malformed frames from the server, not delivered to the script: CALL_DELIVERED_EVENT E_CTI_BAD_MESSAGE_FORMAT 4"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
}

// synthInputByScenarioAndGroup is synthInput with the engine's breakdowns by scenario and by
// group: two scenarios, a group with its own requests and checks.
func synthInputByScenarioAndGroup() reports.Input {
	in := synthInput()
	b := newSynth()
	b.rng = rand.New(rand.NewPCG(3, 4))
	b.trend("cti_request_duration", map[string]string{"scenario": "agents"}, b.lognormal(1500, 2, 0.5))
	b.trend("cti_request_duration", map[string]string{"scenario": "supervisors"}, b.lognormal(320, 3, 0.5))
	b.counter("cti_failures", map[string]string{"scenario": "agents"}, 11)
	b.trend("cti_event_wait_duration", map[string]string{"scenario": "agents"}, b.lognormal(600, 1400, 0.9))
	b.trend("iteration_duration", map[string]string{"scenario": "agents"}, b.lognormal(580, 1900, 0.3))
	b.trend("iteration_duration", map[string]string{"scenario": "supervisors"}, b.lognormal(20, 9000, 0.1))
	b.rate("checks", map[string]string{"scenario": "agents"}, 1191, 9)
	b.trend("group_duration", map[string]string{"group": "::login"}, b.lognormal(20, 5, 0.3))
	b.trend("cti_request_duration", map[string]string{"group": "::login"}, b.lognormal(20, 4.2, 0.3))
	b.rate("checks", map[string]string{"group": "::login"}, 20, 0)
	in.Result.Metrics = append(in.Result.Metrics, b.res.Metrics...)
	return in
}

// TestTextSummaryModes: compact, the default, is the summary of the run as a whole, whatever
// breakdowns the result holds; full inserts a section per scenario and per group after
// EXECUTION and changes nothing else.
func TestTextSummaryModes(t *testing.T) {
	render := func(mode reports.SummaryMode) string {
		var buf bytes.Buffer
		s := summaryOf(t, synthInputByScenarioAndGroup(), reports.SummaryOptions{})
		if err := reports.NewTextReporter(s, reports.TextOptions{Mode: mode})(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	compact := render("")
	if got := render(reports.SummaryCompact); got != compact {
		t.Errorf("compact differs from the default:\n%s", got)
	}
	if strings.Contains(compact, "SCENARIO ") || strings.Contains(compact, "GROUP ::") {
		t.Errorf("compact shows the breakdowns:\n%s", compact)
	}
	full := render(reports.SummaryFull)
	golden(t, "summary-full.golden", []byte(full))
	const at = "\n  TRAFFIC"
	ci, fi := strings.Index(compact, at), strings.Index(full, at)
	if ci < 0 || fi < 0 || full[:ci] != compact[:ci] || full[fi:] != compact[ci:] {
		t.Errorf("full is not compact with sections inserted before TRAFFIC:\n%s", full)
	}
	for _, want := range []string{"\n  SCENARIO agents  checks 1191 of 1200 passed\n", "\n  SCENARIO supervisors\n", "\n  GROUP ::login  checks 20 of 20 passed\n"} {
		if !strings.Contains(full[ci:fi], want) {
			t.Errorf("full lacks %q", want)
		}
	}
}

// TestSummaryStartLateness: an arrival-rate run's iteration_start_lateness is a row of its own
// under the iteration duration, in the text and HTML reports and in the JSON summary, so that a
// load generator that could not keep its schedule shows it.
func TestSummaryStartLateness(t *testing.T) {
	b := newSynth()
	b.counter("iterations", nil, 4)
	b.trend("iteration_duration", nil, []float64{100, 110, 120, 130})
	b.trend("iteration_start_lateness", nil, []float64{0.2, 0.4, 3, 250})
	b.counter("dropped_iterations", nil, 2)
	res := b.res
	res.Duration = executor.Duration(2 * time.Second)
	res.Scenarios = []engine.ScenarioResult{{Name: "calls", Executor: "constant-arrival-rate", Iterations: 4, Dropped: 2, VUsMax: 2}}
	s := summaryOf(t, reports.Input{Result: res}, reports.SummaryOptions{TrendStats: []string{"p(50)", "max"}})
	if s.Execution.StartLateness == nil || s.Execution.StartLateness.Count != 4 {
		t.Fatalf("Execution.StartLateness = %+v; want a row of 4", s.Execution.StartLateness)
	}
	var buf bytes.Buffer
	if err := reports.NewTextReporter(s, reports.TextOptions{})(&buf); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`start lateness +4 .*250ms`).MatchString(buf.String()) {
		t.Errorf("text summary lacks the start lateness row with its max:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "other metrics") {
		t.Errorf("iteration_start_lateness listed as a custom metric:\n%s", buf.String())
	}
	buf.Reset()
	if err := reports.NewHTMLReporter(s, reports.HTMLOptions{})(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<td>start lateness</td>") {
		t.Error("HTML report lacks the start lateness row")
	}
}
