package reports_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/reports"
)

func renderHTML(t *testing.T, in reports.Input) string {
	t.Helper()
	s := summaryOf(t, in, reports.SummaryOptions{})
	var buf bytes.Buffer
	if err := reports.NewHTMLReporter(s, reports.HTMLOptions{Generated: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)})(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLReportIsSelfContained(t *testing.T) {
	page := renderHTML(t, synthInput())
	if dir := os.Getenv("CTILOAD_KEEP_HTML"); dir != "" {
		os.WriteFile(dir, []byte(page), 0o644)
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "src="} {
		if i := strings.Index(page, bad); i >= 0 && !strings.Contains(page[max(0, i-40):i+40], "www.w3.org/2000/svg") {
			t.Errorf("the report contains %q (%s): it must need no network", bad, page[max(0, i-60):min(len(page), i+60)])
		}
	}
	for _, want := range []string{
		`data-chart="latency"`, `data-chart="throughput"`, `data-chart="vus"`, `data-chart="histogram-SET_AGENT_STATE_REQ"`,
		`class="line s-p99"`, `class="bar"`, "E_CTI_INVALID_AGENT_STATE", "THRESHOLDS FAILED", "cti_failures",
	} {
		if !strings.Contains(strings.ToUpper(page), strings.ToUpper(want)) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
