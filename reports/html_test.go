package reports_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
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

// pageChart is a chart of the page model, as the page's script reads it.
type pageChart struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Series []struct {
		Label string `json:"label"`
		Key   string `json:"key"`
		Field string `json:"field"`
	} `json:"series"`
}

var modelRE = regexp.MustCompile(`(?s)<script type="application/json" id="ctiload-model">(.*?)</script>`)

// pageModelOf decodes the chart model a page carries.
func pageModelOf(t *testing.T, page string) (charts map[string]pageChart, points map[string][][]float64) {
	t.Helper()
	m := modelRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page carries no chart model")
	}
	var model struct {
		Charts []pageChart            `json:"charts"`
		Points map[string][][]float64 `json:"points"`
	}
	if err := json.Unmarshal([]byte(m[1]), &model); err != nil {
		t.Fatalf("chart model: %v", err)
	}
	charts = map[string]pageChart{}
	for _, c := range model.Charts {
		charts[c.ID] = c
	}
	return charts, model.Points
}

func TestHTMLReportIsSelfContained(t *testing.T) {
	page := renderHTML(t, wideInput())
	if dir := os.Getenv("CTILOAD_KEEP_HTML"); dir != "" {
		os.WriteFile(dir, []byte(page), 0o644)
	}
	// uPlot's banner comment names its home page; nothing else may name a URL or load one.
	stripped := strings.Replace(page, "/*! https://github.com/leeoniya/uPlot", "", 1)
	for _, bad := range []string{"http://", "https://", "<script src", " src=", "<link", "@import", "url("} {
		if i := strings.Index(stripped, bad); i >= 0 {
			t.Errorf("the report contains %q (%s): it must need no network", bad, stripped[max(0, i-60):min(len(stripped), i+60)])
		}
	}
	for _, want := range []string{"E_CTI_INVALID_AGENT_STATE", "THRESHOLDS FAILED", "cti_failures", `id="groups"`, "uPlot 1.6"} {
		if !strings.Contains(strings.ToUpper(page), strings.ToUpper(want)) {
			t.Errorf("the report lacks %q", want)
		}
	}
	charts, points := pageModelOf(t, page)
	want := map[string]int{ // chart → series
		"latency": 3, "throughput": 2, "failures-by-code": 2, "vus": 2, "latency-by-msg": 12, "event-waits": 1,
		"heartbeat": 3, "checks": 2, "metric-wrapup_time": 3, "metric-calls_handled": 1,
		"histogram-SET_AGENT_STATE_REQ": 1, "histogram-TRANSFER_CALL_REQ": 1, "histogram-wrapup_time": 1,
	}
	for id, n := range want {
		c, ok := charts[id]
		if !ok {
			t.Errorf("no chart %q (have %d charts)", id, len(charts))
			continue
		}
		if len(c.Series) != n {
			t.Errorf("chart %q has %d series, want %d", id, len(c.Series), n)
		}
		for _, s := range c.Series {
			if s.Key != "" && len(points[s.Key]) == 0 {
				t.Errorf("chart %q: series %q has no points", id, s.Label)
			}
		}
	}
	if c := charts["latency-by-msg"]; len(c.Series) > 0 {
		var labels []string
		for _, s := range c.Series {
			labels = append(labels, s.Label)
		}
		if !strings.Contains(strings.Join(labels, " "), "TRANSFER_CALL_REQ") {
			t.Errorf("p95 by request type lacks TRANSFER_CALL_REQ: %v", labels)
		}
	}
	// Custom counters are integers in the tables.
	if !regexp.MustCompile(`transfers</td><td class="l">73 `).MatchString(page) {
		i := strings.Index(page, "transfers</td>")
		t.Errorf("the counter transfers is not printed as the integer 73: %s", page[max(i, 0):min(len(page), max(i, 0)+80)])
	}
	// The header's fault specification may break after its commas, not inside a word.
	if !strings.Contains(page, "0.01,<wbr>delay=") {
		t.Error("the fault specification has no break opportunities after its commas")
	}
}

// TestLiveUpdateSendsTheNewestSeconds checks the dashboard's event: the page's parts and only
// the points from the second asked for.
func TestLiveUpdateSendsTheNewestSeconds(t *testing.T) {
	s := summaryOf(t, wideInput(), reports.SummaryOptions{})
	since := synthStart.Unix() + 55
	b, err := reports.LiveUpdate(s, since, false)
	if err != nil {
		t.Fatal(err)
	}
	var up struct {
		Parts map[string]string `json:"parts"`
		Model struct {
			Full   bool                   `json:"full"`
			Points map[string][][]float64 `json:"points"`
		} `json:"model"`
		Done bool `json:"done"`
	}
	if err := json.Unmarshal(b, &up); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"header", "tiles", "thresholds", "tables"} {
		if up.Parts[p] == "" {
			t.Errorf("no part %q in the update", p)
		}
	}
	if !strings.Contains(up.Parts["header"], "RUNNING") {
		t.Errorf("a live header does not say the run is going on: %s", up.Parts["header"])
	}
	if up.Model.Full || up.Done {
		t.Errorf("full=%v done=%v, want an incremental update", up.Model.Full, up.Done)
	}
	rows := up.Model.Points["cti_request_duration"]
	if len(rows) != 5 || rows[0][0] != float64(since) {
		t.Errorf("cti_request_duration: %d rows from %v, want the last 5 seconds from %d", len(rows), rows, since)
	}
}
