package reports_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ctiload/ctiload/reports/htmltest"
)

// Chart colors of the report's stylesheet (light theme).
var (
	colorP99 = [3]uint8{0xc4, 0x32, 0x0a}
	colorBar = [3]uint8{0x2e, 0x6b, 0xd9}
)

// TestHTMLReportRendersInChromium loads the report in a real browser and checks, on the DOM
// after layout and on a screenshot, that the charts are drawn.
func TestHTMLReportRendersInChromium(t *testing.T) {
	bin := htmltest.Require(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(renderHTML(t, synthInput())), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := htmltest.DumpDOM(t, bin, page)
	CheckChartsDrawn(t, dom)
	img := htmltest.Screenshot(t, bin, page, filepath.Join(dir, "report.png"), 1400, 2400)
	st := htmltest.PixelStats(img, colorP99, colorBar)
	if st.Colors < 50 || st.Near[colorP99] < 200 || st.Near[colorBar] < 500 {
		t.Errorf("screenshot looks empty: %d colors, %d p99-red pixels, %d bar-blue pixels", st.Colors, st.Near[colorP99], st.Near[colorBar])
	}
	if keep := os.Getenv("CTILOAD_KEEP_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(filepath.Join(dir, "report.png"))
		os.WriteFile(keep, b, 0o644)
	}
}

var (
	linePathRE = regexp.MustCompile(`<path class="line [^"]*" d="M[0-9.]+,[0-9.]+(L[0-9.]+,[0-9.]+){5,}`)
	barRE      = regexp.MustCompile(`<rect class="bar" x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[0-9.]*[1-9][0-9.]*"`)
	chartRE    = regexp.MustCompile(`<svg class="chart-svg[^"]*" data-chart="([^"]+)"`)
)

// CheckChartsDrawn asserts that a report's DOM holds the time charts with lines and the
// histograms with bars.
func CheckChartsDrawn(t *testing.T, dom string) {
	t.Helper()
	charts := map[string]bool{}
	for _, m := range chartRE.FindAllStringSubmatch(dom, -1) {
		charts[m[1]] = true
	}
	for _, want := range []string{"latency", "throughput", "vus"} {
		if !charts[want] {
			t.Errorf("chart %q is not in the DOM (charts: %v)", want, charts)
		}
	}
	if n := len(linePathRE.FindAllString(dom, -1)); n < 5 {
		t.Errorf("%d drawn lines in the DOM; want the p50/p95/p99, requests, failures and VU lines", n)
	}
	if n := len(barRE.FindAllString(dom, -1)); n < 10 {
		t.Errorf("%d histogram bars in the DOM; want some", n)
	}
}
