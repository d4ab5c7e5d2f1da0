package htmltest

import (
	"testing"
)

// Chart is a chart as drawn on a report or dashboard page: its id, how many series the page
// model gave it, the labels of its legend entries (uPlot's legend, without the x axis) with
// the dash style of each marker, and whether its canvas has a size.
type Chart struct {
	ID     string   `json:"id"`
	Series int      `json:"series"`
	Legend []string `json:"legend"`
	Dashes []string `json:"dashes"`
	Colors []string `json:"colors"`
	Drawn  bool     `json:"drawn"`
}

// chartsJS reads every chart figure of the page.
const chartsJS = `Array.from(document.querySelectorAll("figure[data-chart]")).map(function (f) {
  var rows = Array.from(f.querySelectorAll(".u-legend tr.u-series")).slice(1);
  var cv = f.querySelector("canvas");
  return {
    id: f.dataset.chart, series: +f.dataset.series,
    legend: rows.map(function (r) { return r.querySelector(".u-label").textContent; }),
    dashes: rows.map(function (r) { var m = r.querySelector(".u-marker"); return m ? getComputedStyle(m).borderTopStyle : ""; }),
    colors: rows.map(function (r) { var m = r.querySelector(".u-marker"); return m ? getComputedStyle(m).borderTopColor : ""; }),
    drawn: !!cv && cv.width > 100 && cv.height > 50
  };
})`

// Charts returns the charts of the page loaded in b.
func Charts(b *Browser) []Chart {
	var out []Chart
	b.Eval(chartsJS, &out)
	return out
}

// CheckLegends asserts that every chart is drawn and has one named legend entry per series,
// and that the series of a line chart differ pairwise in colour or dash (the first 32 in both
// together: no two alike).
func CheckLegends(t testing.TB, charts []Chart) {
	t.Helper()
	if len(charts) == 0 {
		t.Fatal("no chart on the page")
	}
	for _, c := range charts {
		if !c.Drawn {
			t.Errorf("chart %s has no drawn canvas", c.ID)
		}
		if c.Series == 0 || len(c.Legend) != c.Series {
			t.Errorf("chart %s: %d legend entries %v for %d series", c.ID, len(c.Legend), c.Legend, c.Series)
		}
		seen := map[string]string{}
		for i, l := range c.Legend {
			if l == "" {
				t.Errorf("chart %s: legend entry %d has no name", c.ID, i)
			}
			if i < len(c.Dashes) && i < len(c.Colors) && i < 32 {
				k := c.Colors[i] + "/" + c.Dashes[i]
				if other, dup := seen[k]; dup {
					t.Errorf("chart %s: %q and %q look alike (%s)", c.ID, other, l, k)
				}
				seen[k] = l
			}
		}
	}
}
