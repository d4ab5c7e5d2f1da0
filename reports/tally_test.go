package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

// TestFailuresByPhase: the tally counts cti_failures by code, request and lifecycle phase, and
// the failure tables name the phase of failures outside iterations ("during vuTeardown").
func TestFailuresByPhase(t *testing.T) {
	reg := metrics.NewRegistry()
	m, err := reg.NewMetric(metricnames.CTIFailures, metrics.Counter, metrics.Default)
	if err != nil {
		t.Fatal(err)
	}
	sample := func(msg, phase string, n float64) metrics.Sample {
		return metrics.Sample{Metric: m, Value: n, Tags: metrics.TagsFromMap(map[string]string{
			"code": "E_CTI_INVALID_AGENT_STATE", "msg": msg, "phase": phase, "scenario": "agents"})}
	}
	tally := reports.NewTally()
	tally.Add([]metrics.Sample{
		sample("SET_AGENT_STATE_REQ", "iteration", 3),
		sample("LOGOUT_REQ", "vuTeardown", 1),
		sample("LOGOUT_REQ", "vuTeardown", 1),
		sample("SET_AGENT_STATE_REQ", "setup", 1),
	})
	b := newSynth()
	b.counter("cti_failures", nil, 6)
	b.counter("cti_failures", map[string]string{"code": "E_CTI_INVALID_AGENT_STATE"}, 6)
	in := reports.Input{Result: b.res, Run: reports.RunInfo{Script: "s.js"}, Pairs: tally.Pairs()}

	s := summaryOf(t, in, reports.SummaryOptions{})
	if len(s.Failures) != 1 {
		t.Fatalf("failures = %+v; want one code", s.Failures)
	}
	want := []reports.FailedRequest{
		{Name: "SET_AGENT_STATE_REQ", Phase: "iteration", Count: 3},
		{Name: "LOGOUT_REQ", Phase: "vuTeardown", Count: 2},
		{Name: "SET_AGENT_STATE_REQ", Phase: "setup", Count: 1},
	}
	if got := s.Failures[0].Requests; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("requests = %+v; want %+v", got, want)
	}

	var text bytes.Buffer
	if err := reports.NewTextReporter(s, reports.TextOptions{})(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "SET_AGENT_STATE_REQ 3, LOGOUT_REQ 2 during vuTeardown, SET_AGENT_STATE_REQ 1 during setup") {
		t.Errorf("text failures table:\n%s", text.String())
	}
	if strings.Contains(text.String(), "during iteration") {
		t.Errorf("the text names the default phase:\n%s", text.String())
	}
	if html := renderHTML(t, in); !strings.Contains(html, "LOGOUT_REQ 2 during vuTeardown") {
		t.Errorf("the HTML failure table does not name the phase")
	}
}
