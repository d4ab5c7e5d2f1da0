package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"dur":     FormatDuration,
	"count":   func(v any) string { return FormatCount(toFloat(v)) },
	"rate":    FormatRate,
	"percent": FormatPercent,
	"bytes":   FormatBytes,
	"label":   StatLabel,
	"names":   nameCounts,
	"failed":  failedRequests,
	"stat": func(r any, k string) string {
		var values map[string]float64
		switch x := r.(type) {
		case LatencyRow:
			values = x.Values
		case *LatencyRow:
			if x != nil {
				values = x.Values
			}
		}
		if v, ok := values[k]; ok {
			return FormatDuration(v)
		}
		return "-"
	},
	"pct": func(frac float64) string { return fmt.Sprintf("%.1f", math.Max(0, math.Min(100, frac*100))) },
	"checkRate": func(c CheckRow) float64 {
		if n := c.Passes + c.Fails; n > 0 {
			return float64(c.Passes) / float64(n)
		}
		return 0
	},
	"describe": func(m MetricRow, stats []string) string { return m.Describe(stats) },
}).Parse(htmlTemplateText))

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// HTMLOptions tune the HTML report.
type HTMLOptions struct {
	// Generated is the time printed in the footer; zero means now.
	Generated time.Time
}

// NewHTMLReporter returns the HTML report: one self-contained file (inline CSS and SVG, no
// script, nothing fetched) with the summary's tables and charts: latency percentiles over time,
// requests and failures per second, active VUs, p95 by request type, and a latency histogram
// per request type decoded from the run's HdrHistograms.
func NewHTMLReporter(s *Summary, o HTMLOptions) Reporter {
	return func(w io.Writer) error {
		gen := o.Generated
		if gen.IsZero() {
			gen = time.Now()
		}
		data := htmlData{S: s, Generated: gen.UTC().Format("2006-01-02 15:04:05 MST"), Charts: timeCharts(s)}
		for i, r := range s.Requests {
			marks := map[string]float64{}
			if t, err := metrics.DecodeTrend(r.Histogram); err == nil && t.Count() > 0 {
				for _, p := range []float64{50, 95, 99} {
					marks[fmt.Sprintf("p%g", p)] = t.Percentile(p)
				}
			}
			data.Histograms = append(data.Histograms, htmlHistogram{Name: r.Name, Row: s.Requests[i],
				SVG: histogramChart{ID: "histogram-" + r.Name, Title: "Latency distribution of " + r.Name,
					Encoded: r.Histogram, Marks: marks}.svg()})
		}
		var b strings.Builder
		if err := htmlTemplate.Execute(&b, data); err != nil {
			return fmt.Errorf("rendering the HTML report: %w", err)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
}

type htmlData struct {
	S          *Summary
	Generated  string
	Charts     []htmlChart
	Histograms []htmlHistogram
}

type htmlChart struct {
	Title, Note string
	SVG         template.HTML
}

type htmlHistogram struct {
	Name string
	Row  LatencyRow
	SVG  template.HTML
}

// Title is the page title.
func (d htmlData) Title() string {
	if d.S.Run.Script != "" {
		return "ctiload — " + d.S.Run.Script
	}
	return "ctiload report"
}

// DurationText is the run's duration.
func (d htmlData) DurationText() string {
	return FormatDuration(float64(time.Duration(d.S.Result.Duration)) / float64(time.Millisecond))
}

// Started is the run's start time.
func (d htmlData) Started() string {
	if d.S.Result.StartTime.IsZero() {
		return "-"
	}
	return d.S.Result.StartTime.UTC().Format("2006-01-02 15:04:05 MST")
}

// VerdictClass is the CSS class of the verdict badge.
func (d htmlData) VerdictClass() string {
	switch v := d.S.Verdict; {
	case v.Passed():
		return "pass"
	case v.ExitCode == engine.ExitInterrupted:
		return "warn"
	}
	return "fail"
}

// timeCharts builds the charts over time from the result's per-second series.
func timeCharts(s *Summary) []htmlChart {
	res := s.Result
	byKey := map[string]metrics.Series{}
	var t0 int64 = math.MaxInt64
	for _, se := range res.TimeSeries {
		byKey[se.Key] = se
		if len(se.Points) > 0 {
			t0 = min(t0, se.Points[0].Time)
		}
	}
	if !res.StartTime.IsZero() {
		t0 = min(t0, res.StartTime.Unix())
	}
	pts := func(key string, f func(metrics.Point) float64) []xy {
		se, ok := byKey[key]
		if !ok {
			return nil
		}
		out := make([]xy, 0, len(se.Points))
		for _, p := range se.Points {
			out = append(out, xy{float64(p.Time - t0), f(p)})
		}
		return out
	}
	trendAt := func(pick func(metrics.Point) float64) func(metrics.Point) float64 {
		return func(p metrics.Point) float64 {
			if p.Count == 0 {
				return math.NaN()
			}
			return pick(p)
		}
	}
	sum := func(p metrics.Point) float64 { return p.Sum }
	var charts []htmlChart

	lat := lineChart{ID: "latency", Title: "Request latency percentiles over time", YLabel: FormatDuration,
		Series: []lineSeries{
			{Name: "p50", Class: "s-p50", Points: pts(metricnames.CTIRequestDuration, trendAt(func(p metrics.Point) float64 { return p.P50 }))},
			{Name: "p95", Class: "s-p95", Points: pts(metricnames.CTIRequestDuration, trendAt(func(p metrics.Point) float64 { return p.P95 }))},
			{Name: "p99", Class: "s-p99", Points: pts(metricnames.CTIRequestDuration, trendAt(func(p metrics.Point) float64 { return p.P99 }))},
		}}
	charts = append(charts, htmlChart{Title: "Latency over time", Note: metricnames.CTIRequestDuration + ", per second", SVG: lat.svg()})

	reqs := pts(metricnames.CTIRequests, sum)
	fails := pts(metricnames.CTIFailures, sum)
	if fails == nil && reqs != nil {
		fails = make([]xy, len(reqs))
		for i, p := range reqs {
			fails[i] = xy{p.X, 0}
		}
	}
	thr := lineChart{ID: "throughput", Title: "Requests and failures per second", YLabel: FormatNumber,
		Series: []lineSeries{
			{Name: "requests/s", Class: "s-req", Points: reqs, Area: true},
			{Name: "failures/s", Class: "s-fail", Points: fails},
		}}
	charts = append(charts, htmlChart{Title: "Throughput", Note: metricnames.CTIRequests + " and " + metricnames.CTIFailures + ", per second", SVG: thr.svg()})

	vus := lineChart{ID: "vus", Title: "Active VUs over time", YLabel: FormatNumber,
		Series: []lineSeries{{Name: "active VUs", Class: "s-vus", Area: true,
			Points: pts(metricnames.VUs, trendAt(func(p metrics.Point) float64 { return p.Last }))}}}
	charts = append(charts, htmlChart{Title: "Virtual users", Note: "vus, sampled every second", SVG: vus.svg()})

	var perMsg []lineSeries
	for i, r := range s.Requests {
		key := fmt.Sprintf("%s{msg:%s}", metricnames.CTIRequestDuration, r.Name)
		if _, ok := byKey[key]; !ok {
			continue
		}
		perMsg = append(perMsg, lineSeries{Name: r.Name, Class: fmt.Sprintf("s-c%d", i%8),
			Points: pts(key, trendAt(func(p metrics.Point) float64 { return p.P95 }))})
	}
	if len(perMsg) > 0 {
		c := lineChart{ID: "latency-by-msg", Title: "p95 latency by request type", YLabel: FormatDuration, Series: perMsg}
		charts = append(charts, htmlChart{Title: "p95 by request type", Note: metricnames.CTIRequestDuration + " by msg, per second", SVG: c.svg()})
	}
	return charts
}
