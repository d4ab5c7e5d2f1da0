package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/reports"
)

// TestSafetyWaitsInSessions: the open back-off and the rate-cap waits get rows of their own in
// the SESSIONS table of the text and HTML reports, and in the JSON summary; they are not shown
// again under OTHER METRICS.
func TestSafetyWaitsInSessions(t *testing.T) {
	b := newSynth()
	b.counter(metricnames.CTISessions, nil, 12)
	b.counter(metricnames.CTISessions, map[string]string{"result": "failed"}, 12)
	b.trend(metricnames.CTIOpenBackoffDuration, nil, []float64{100, 200, 400, 800})
	b.trend(metricnames.CTIRateLimitWaitDuration, nil, []float64{5, 5, 5, 5, 5, 5})
	b.trend(metricnames.CTIRateLimitWaitDuration, map[string]string{"kind": "request"}, []float64{5, 5, 5, 5, 5})
	b.trend(metricnames.CTIRateLimitWaitDuration, map[string]string{"kind": "open"}, []float64{5})
	s, err := reports.NewSummary(reports.Input{Result: b.res}, reports.SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ss := s.Sessions
	if ss.OpenBackoff == nil || ss.OpenBackoff.Count != 4 || ss.RequestRateWait == nil || ss.RequestRateWait.Count != 5 ||
		ss.OpenRateWait == nil || ss.OpenRateWait.Count != 1 {
		t.Fatalf("sessions %+v: want the back-off (4), request waits (5) and open waits (1)", ss)
	}
	var text, html bytes.Buffer
	if err := reports.NewTextReporter(s, reports.TextOptions{})(&text); err != nil {
		t.Fatal(err)
	}
	if err := reports.NewHTMLReporter(s, reports.HTMLOptions{})(&html); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"back-off before reopening", "wait for --max-open-rate", "wait for --max-request-rate"} {
		if !strings.Contains(text.String(), row) || !strings.Contains(html.String(), row) {
			t.Errorf("row %q missing from the text or HTML report:\n%s", row, text.String())
		}
	}
	if strings.Contains(text.String(), "OTHER METRICS") {
		t.Errorf("the safety metrics are shown as custom metrics too:\n%s", text.String())
	}
}
