package reports_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

func TestJSONExportRoundTrip(t *testing.T) {
	in := synthInput()
	s := summaryOf(t, in, reports.SummaryOptions{})
	var buf bytes.Buffer
	if err := reports.NewJSONReporter(s)(&buf); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	for _, k := range []string{"format", "run", "metrics", "thresholds", "scenarios", "time_series", "pairs", "summary"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("export lacks %q", k)
		}
	}
	back, err := reports.ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	s2 := summaryOf(t, back, reports.SummaryOptions{})
	var a, b bytes.Buffer
	reports.NewTextReporter(s, reports.TextOptions{})(&a)
	reports.NewTextReporter(s2, reports.TextOptions{})(&b)
	if a.String() != b.String() {
		t.Fatalf("the summary of the read-back export differs:\n%s\nwant\n%s", b.String(), a.String())
	}
}

func TestReadExportRejectsOtherFiles(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"{not json", "not a JSON summary"},
		{`{"hello": 1}`, "not a ctiload JSON summary"},
		{`{"format": "other/2", "metrics": []}`, "not one this ctiload reads"},
	} {
		_, err := reports.ReadExport(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadExport(%q) = %v; want an error saying %q", tc.in, err, tc.want)
		}
	}
}

// TestMergeGivesExactPercentiles splits one set of latencies between two segment results and
// checks that the merged summary's percentiles are those of the whole set.
func TestMergeGivesExactPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var all, a, bvals []float64
	for i := 0; i < 5000; i++ {
		v := float64(1+rng.IntN(20000)) / 1000 * float64(1+i%7)
		all = append(all, v)
		if i%3 == 0 {
			a = append(a, v)
		} else {
			bvals = append(bvals, v)
		}
	}
	part := func(vals []float64, seg string, fails float64) reports.Input {
		b := newSynth()
		b.trend("cti_request_duration", nil, vals)
		b.trend("cti_request_duration", map[string]string{"msg": "SET_AGENT_STATE_REQ"}, vals)
		b.counter("cti_failures", nil, fails)
		b.counter("cti_failures", map[string]string{"code": "E_CTI_TIMEOUT"}, fails)
		b.res.Segment = seg
		b.res.Thresholds = []metrics.ThresholdResult{{Metric: "cti_failures", Source: "count<5", Passed: fails < 5, Observed: fails}}
		b.res.Scenarios = []engine.ScenarioResult{{Name: "default", Executor: "constant-vus", Iterations: int64(len(vals)), VUsMax: 5}}
		return reports.Input{Result: b.res, Run: reports.RunInfo{Script: "s.js", Seed: 3, Outputs: []reports.OutputStatus{{Output: "prometheus-rw " + seg}}},
			Pairs: []reports.PairCount{{Metric: "cti_failures", Tags: map[string]string{"code": "E_CTI_TIMEOUT", "msg": "SET_AGENT_STATE_REQ"}, Count: fails}}}
	}
	merged, err := reports.MergeInputs(part(a, "0:1/3", 3), part(bvals, "1/3:1", 4))
	if err != nil {
		t.Fatal(err)
	}
	s := summaryOf(t, merged, reports.SummaryOptions{})
	whole := metrics.NewTrendSink(nil)
	for _, v := range all {
		whole.Add(v)
	}
	row := s.Requests[0]
	for _, p := range []float64{50, 90, 95, 99, 99.9} {
		key := metrics.PercentileKey(p)
		if got, want := row.Values[key], whole.Percentile(p); got != want {
			t.Errorf("merged %s = %v; want %v (the whole set's)", key, got, want)
		}
	}
	if row.Count != 5000 || s.FailureTotal != 7 || s.Failures[0].Requests[0].Count != 7 {
		t.Errorf("merged count %d, failures %d (%+v); want 5000 and 7", row.Count, s.FailureTotal, s.Failures)
	}
	if s.Verdict.ExitCode != 99 {
		t.Errorf("merged verdict %+v; want the threshold judged again on the sum (7 ≥ 5): exit 99", s.Verdict)
	}
	if merged.Run.Parts != 2 || s.Execution.Iterations != 5000 {
		t.Errorf("parts %d, iterations %d; want 2 and 5000", merged.Run.Parts, s.Execution.Iterations)
	}
	if o := merged.Run.Outputs; len(o) != 2 || o[0].Output != "prometheus-rw 0:1/3" || o[1].Output != "prometheus-rw 1/3:1" {
		t.Errorf("merged outputs %+v; want each part's", o)
	}
}

// TestIncompleteMergeIsNeverSilent: a merged result with a segment missing says so in the
// verdict (exit 105, "incomplete"), in a note, in the JUnit report and in the export, and a
// start spread of seconds is noted.
func TestIncompleteMergeIsNeverSilent(t *testing.T) {
	b := newSynth()
	b.trend("cti_request_duration", nil, []float64{1, 2, 3})
	b.res.Scenarios = []engine.ScenarioResult{{Name: "default", Executor: "constant-vus", Iterations: 3}}
	b.res.MissingSegments = []string{"1/4:1/2 (index 1 of 4)"}
	b.res.StartSpread = executor.Duration(3 * time.Second)
	s := summaryOf(t, reports.Input{Result: b.res}, reports.SummaryOptions{})
	if v := s.Verdict; v.ExitCode != 105 || v.Status != "incomplete" || !strings.Contains(v.Message, "1/4:1/2 (index 1 of 4)") {
		t.Errorf("verdict %+v; want exit 105, incomplete, naming the segment", v)
	}
	notes := strings.Join(s.Notes, "\n")
	for _, want := range []string{"missing segment 1/4:1/2 (index 1 of 4)", "started up to 3.00s apart: a segment ready after"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	var junit, export strings.Builder
	if err := reports.NewJUnitReporter(s)(&junit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), `type="incomplete"`) {
		t.Errorf("JUnit report without the incomplete run:\n%s", junit.String())
	}
	if err := reports.NewJSONReporter(s)(&export); err != nil {
		t.Fatal(err)
	}
	in, err := reports.ReadExport(strings.NewReader(export.String()))
	if err != nil || len(in.Result.MissingSegments) != 1 || in.Result.ExitCode() != 105 {
		t.Errorf("export read back: %v, missing %q", err, in.Result.MissingSegments)
	}
}
