package reports_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/reports/htmltest"
)

// TestHTMLReportInChromium opens the report from a file:// URL in a real browser cut off from
// the network and checks through the DOM that every chart is drawn with a legend entry per
// series, that the page made no request but its own file, and that its scripts threw nothing.
func TestHTMLReportInChromium(t *testing.T) {
	bin := htmltest.Require(t)
	dir := htmltest.ArtifactDir(t)
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(renderHTML(t, wideInput())), 0o644); err != nil {
		t.Fatal(err)
	}
	b := htmltest.Start(t, bin, 1400, 1000, htmltest.Offline...)
	b.Navigate("file://" + page)
	b.WaitFor(`document.body.dataset.charts > 0`, 30*time.Second)
	charts := htmltest.Charts(b)
	htmltest.CheckLegends(t, charts)
	byID := map[string]htmltest.Chart{}
	for _, c := range charts {
		byID[c.ID] = c
	}
	for _, id := range []string{"latency", "throughput", "failures-by-code", "vus", "latency-by-msg", "event-waits",
		"heartbeat", "checks", "metric-wrapup_time", "histogram-TRANSFER_CALL_REQ"} {
		if _, ok := byID[id]; !ok {
			t.Errorf("chart %q is not on the page", id)
		}
	}
	if c := byID["latency-by-msg"]; !strings.Contains(strings.Join(c.Legend, ","), "TRANSFER_CALL_REQ") || len(c.Legend) != 12 {
		t.Errorf("p95 by request type: legend %v, want the 12 request types with TRANSFER_CALL_REQ", c.Legend)
	}
	for _, u := range b.Requests() {
		if !strings.HasPrefix(u, "file://") {
			t.Errorf("the report requested %s: it must open offline from its file", u)
		}
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("the page's scripts threw: %v", errs)
	}
	shot := filepath.Join(dir, "report.png")
	b.ScreenshotTo(shot)
	t.Logf("screenshot: %s", shot)
}
