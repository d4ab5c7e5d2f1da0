package reports

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math"
	"slices"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
)

// The charts of the HTML report and of the live dashboard are one model, computed here from a
// Summary and drawn in the browser by the page's script (report.js, with uPlot): the report
// inlines it, the dashboard streams it. A chart names its series by the time-series key and the
// field of a point to plot, so that the live page can extend a series with the newest seconds
// without resending the run.

// pageModel is what the page's script draws.
type pageModel struct {
	Charts []chartSpec `json:"charts"`
	// Points are the per-second points of the series the charts use, by key: rows of
	// pointFields. Full says whether they replace what the page has (the report, a dashboard's
	// first message) or update it from their first second on.
	Points map[string][][]float64 `json:"points"`
	Full   bool                   `json:"full"`
}

// pointFields are the columns of a row of pageModel.Points.
var pointFields = []string{"t", "n", "sum", "last", "p50", "p95", "p99"}

func pointRow(p metrics.Point) []float64 {
	return []float64{float64(p.Time), float64(p.Count), p.Sum, p.Last, p.P50, p.P95, p.P99}
}

// chartSpec is one chart: over time (Kind "time": each series is a field of a time series)
// or a distribution (Kind "hist": bars of Y over X).
type chartSpec struct {
	ID      string       `json:"id"`
	Title   string       `json:"title"`
	Note    string       `json:"note,omitempty"`
	Section string       `json:"section"` // the page's container: "time" or "dist"
	Kind    string       `json:"kind"`
	Unit    string       `json:"unit"` // ms, count, rate (per second), percent, bytes
	Series  []seriesSpec `json:"series"`
	// Distributions: bin centres (ms) on a log axis when LogX, and percentile marks (ms).
	X     []float64          `json:"x,omitempty"`
	LogX  bool               `json:"logx,omitempty"`
	Marks map[string]float64 `json:"marks,omitempty"`
}

// seriesSpec is one series of a chart. Field is one of pointFields, or "rate" (sum/n, a rate
// metric's share of non-zero samples) or "avg" (sum/n).
type seriesSpec struct {
	Label string    `json:"label"`
	Key   string    `json:"key,omitempty"`
	Field string    `json:"field,omitempty"`
	Y     []float64 `json:"y,omitempty"` // distributions
}

// newPageModel builds the charts of s. Points holds the seconds from since on (all with 0).
func newPageModel(s *Summary, since int64) pageModel {
	b := &pageBuilder{s: s, m: pageModel{Points: map[string][][]float64{}, Full: since == 0}, byKey: map[string]metrics.Series{}}
	for _, se := range s.Result.TimeSeries {
		b.byKey[se.Key] = se
	}
	b.ctiCharts()
	b.customCharts()
	for i := range b.m.Charts {
		b.m.Charts[i].Section, b.m.Charts[i].Kind = "time", "time"
	}
	b.histograms()
	b.points(since)
	return b.m
}

// pageBuilder gathers the charts of a page model: only those with at least one series the run
// recorded are kept.
type pageBuilder struct {
	s     *Summary
	m     pageModel
	byKey map[string]metrics.Series
}

func (b *pageBuilder) has(key string) bool { _, ok := b.byKey[key]; return ok }

// add keeps c with the series that have data (a histogram's are its own), or drops it.
func (b *pageBuilder) add(c chartSpec) {
	var kept []seriesSpec
	for _, sr := range c.Series {
		if c.Kind == "hist" || b.has(sr.Key) {
			kept = append(kept, sr)
		}
	}
	if len(kept) == 0 {
		return
	}
	c.Series = kept
	b.m.Charts = append(b.m.Charts, c)
}

func percentiles(key string) []seriesSpec {
	return []seriesSpec{{"p50", key, "p50", nil}, {"p95", key, "p95", nil}, {"p99", key, "p99", nil}}
}

// subKey is the time-series key of name with the one tag tag:v, written by the engine's own
// key format.
func subKey(name, tag, v string) string { return metrics.MetricKey(name, metrics.NewTags(tag, v)) }

func perTag(name, tag, field string, values []string) []seriesSpec {
	var out []seriesSpec
	for _, v := range values {
		out = append(out, seriesSpec{Label: v, Key: subKey(name, tag, v), Field: field})
	}
	return out
}

// byTag lists the values v of tag that have a series name{tag:v}, the largest total first.
func (b *pageBuilder) byTag(name, tag string) []string {
	type kv struct {
		v     string
		total float64
	}
	var list []kv
	for _, se := range b.s.Result.TimeSeries {
		if se.Metric != name || len(se.Tags) != 1 || se.Tags[tag] == "" {
			continue
		}
		var t float64
		for _, p := range se.Points {
			t += p.Sum
		}
		list = append(list, kv{se.Tags[tag], t})
	}
	slices.SortFunc(list, func(a, b kv) int { return cmp.Or(cmp.Compare(b.total, a.total), cmp.Compare(a.v, b.v)) })
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.v
	}
	return out
}

// ctiCharts are the charts of the built-in metrics: latency, throughput and failures, VUs and
// sessions, per request and event type, heartbeats, checks and groups.
func (b *pageBuilder) ctiCharts() {
	s := b.s
	b.add(chartSpec{ID: "latency", Title: "Latency over time", Note: metricnames.CTIRequestDuration + ", per second", Unit: "ms",
		Series: percentiles(metricnames.CTIRequestDuration)})
	thr := chartSpec{ID: "throughput", Title: "Requests and failures per second", Note: metricnames.CTIRequests + " and " + metricnames.CTIFailures,
		Unit: "rate", Series: []seriesSpec{{Label: "requests/s", Key: metricnames.CTIRequests, Field: "sum"}}}
	if b.has(metricnames.CTIFailures) {
		thr.Series = append(thr.Series, seriesSpec{Label: "failures/s", Key: metricnames.CTIFailures, Field: "sum"})
	} else {
		// No failure at all: a flat zero says so on the chart.
		thr.Series = append(thr.Series, seriesSpec{Label: "failures/s", Key: metricnames.CTIRequests, Field: "zero"})
	}
	b.add(thr)
	b.add(chartSpec{ID: "failures-by-code", Title: "Failures per second by code", Note: metricnames.CTIFailures + " by code", Unit: "rate",
		Series: perTag(metricnames.CTIFailures, "code", "sum", b.byTag(metricnames.CTIFailures, "code"))})
	b.add(chartSpec{ID: "vus", Title: "Active VUs and sessions", Note: metricnames.VUs + " (sampled every second); " + metricnames.CTISessions + " opened and failed, " + metricnames.CTISessionsLost + ", per second",
		Unit: "count", Series: []seriesSpec{
			{Label: "active VUs", Key: metricnames.VUs, Field: "last"},
			{Label: "sessions opened/s", Key: subKey(metricnames.CTISessions, "result", "opened"), Field: "sum"},
			{Label: "session failures/s", Key: subKey(metricnames.CTISessions, "result", "failed"), Field: "sum"},
			{Label: "sessions lost/s", Key: metricnames.CTISessionsLost, Field: "sum"},
		}})
	var reqNames, eventNames []string
	for _, r := range s.Requests {
		reqNames = append(reqNames, r.Name)
	}
	for _, r := range s.Events {
		eventNames = append(eventNames, r.Name)
	}
	b.add(chartSpec{ID: "latency-by-msg", Title: "p95 latency by request type", Note: metricnames.CTIRequestDuration + " by msg", Unit: "ms",
		Series: perTag(metricnames.CTIRequestDuration, "msg", "p95", reqNames)})
	b.add(chartSpec{ID: "event-waits", Title: "p95 event wait by event", Note: metricnames.CTIEventWaitDuration + " by msg", Unit: "ms",
		Series: perTag(metricnames.CTIEventWaitDuration, "msg", "p95", eventNames)})
	b.add(chartSpec{ID: "heartbeat", Title: "Heartbeat round trip", Note: metricnames.CTIHeartbeatRTT + ", per second", Unit: "ms",
		Series: percentiles(metricnames.CTIHeartbeatRTT)})
	var checkNames []string
	for _, c := range s.Checks {
		checkNames = append(checkNames, c.Name)
	}
	b.add(chartSpec{ID: "checks", Title: "Checks passed", Note: metricnames.Checks + " by check, share passed per second", Unit: "percent",
		Series: perTag(metricnames.Checks, "check", "rate", checkNames)})
	var groupNames []string
	for _, g := range s.Groups {
		groupNames = append(groupNames, g.Name)
	}
	b.add(chartSpec{ID: "group-duration", Title: "p95 group duration", Note: metricnames.GroupDuration + " by group", Unit: "ms",
		Series: perTag(metricnames.GroupDuration, "group", "p95", groupNames)})
}

// customCharts is one chart per custom metric of the script, drawn as its type reads best.
func (b *pageBuilder) customCharts() {
	for _, o := range b.s.Other {
		if o.Sub {
			continue
		}
		c := chartSpec{ID: "metric-" + o.Key, Title: o.Key, Note: "custom " + o.Type.String() + ", per second", Unit: unitOf(o.Contains)}
		switch o.Type {
		case metrics.Trend:
			c.Series = percentiles(o.Key)
		case metrics.Counter:
			c.Unit = "rate"
			c.Series = []seriesSpec{{Label: o.Key + "/s", Key: o.Key, Field: "sum"}}
		case metrics.Gauge:
			c.Series = []seriesSpec{{Label: o.Key, Key: o.Key, Field: "last"}}
		case metrics.Rate:
			c.Unit = "percent"
			c.Series = []seriesSpec{{Label: o.Key, Key: o.Key, Field: "rate"}}
		}
		b.add(c)
	}
}

// histograms are the latency distributions: one per request type and per custom trend.
func (b *pageBuilder) histograms() {
	for _, r := range b.s.Requests {
		b.add(histogramSpec("histogram-"+r.Name, "Latency distribution of "+r.Name, fmt.Sprintf("%s requests", FormatCount(float64(r.Count))), r.Histogram))
	}
	for _, o := range b.s.Other {
		if o.Latency != nil && !o.Sub {
			b.add(histogramSpec("histogram-"+o.Key, "Distribution of "+o.Key, fmt.Sprintf("custom trend, %s values", FormatCount(float64(o.Latency.Count))), o.Latency.Histogram))
		}
	}
}

// points copies the per-second rows of every series a chart draws, from since on (the
// dashboard sends only what is new).
func (b *pageBuilder) points(since int64) {
	for _, c := range b.m.Charts {
		for _, sr := range c.Series {
			if sr.Key == "" || b.m.Points[sr.Key] != nil {
				continue
			}
			rows := [][]float64{}
			for _, p := range b.byKey[sr.Key].Points {
				if p.Time >= since {
					rows = append(rows, pointRow(p))
				}
			}
			b.m.Points[sr.Key] = rows
		}
	}
}

func unitOf(v metrics.ValueType) string {
	switch v {
	case metrics.Time:
		return "ms"
	case metrics.Data:
		return "bytes"
	}
	return "count"
}

// histogramSpec is the distribution of an encoded HdrHistogram (µs) as bars, with its
// percentiles marked; nothing when it is empty or does not decode.
func histogramSpec(id, title, note, encoded string) chartSpec {
	c := chartSpec{ID: id, Title: title, Note: note, Section: "dist", Kind: "hist", Unit: "count"}
	bins, logScale, err := histogramBins(encoded)
	if err != nil || len(bins) == 0 {
		return c // no series: add drops it
	}
	y := make([]float64, len(bins))
	for i, b := range bins {
		mid := (b.lo + b.hi) / 2
		if logScale {
			mid = math.Sqrt(b.lo * b.hi)
		}
		c.X = append(c.X, mid/1000)
		y[i] = float64(b.count)
	}
	c.LogX = logScale
	if t, err := metrics.DecodeTrend(encoded); err == nil && t.Count() > 0 {
		c.Marks = map[string]float64{}
		for _, p := range []float64{50, 95, 99} {
			c.Marks[fmt.Sprintf("p%g", p)] = t.Percentile(p)
		}
	}
	c.Series = []seriesSpec{{Label: "requests", Y: y}}
	return c
}

// histogramBin is the number of bars of a distribution.
const histogramBin = 40

type bin struct {
	lo, hi float64 // µs
	count  int64
}

// histogramBins decodes an encoded histogram into log-spaced bins between its extremes
// (linear when they are close).
func histogramBins(encoded string) (bins []bin, logScale bool, err error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, false, err
	}
	hist, err := hdr.DecodePacked(raw)
	if err != nil {
		return nil, false, err
	}
	type bucket struct{ v, n int64 }
	var buckets []bucket
	hist.ForEachBucket(func(v, n int64) bool {
		if n > 0 {
			buckets = append(buckets, bucket{v, n})
		}
		return true
	})
	if len(buckets) == 0 {
		return nil, false, nil
	}
	lo := math.Max(float64(buckets[0].v), 1)
	hi := math.Max(float64(buckets[len(buckets)-1].v), lo)
	if hi == lo {
		return []bin{{lo, hi, hist.TotalCount()}}, false, nil
	}
	nb := histogramBin
	logScale = hi/lo >= 4
	edge := func(i int) float64 {
		f := float64(i) / float64(nb)
		if logScale {
			return lo * math.Pow(hi/lo, f)
		}
		return lo + (hi-lo)*f
	}
	bins = make([]bin, nb)
	for i := range bins {
		bins[i] = bin{lo: edge(i), hi: edge(i + 1)}
	}
	for _, bk := range buckets {
		v := math.Max(float64(bk.v), lo)
		var f float64
		if logScale {
			f = math.Log(v/lo) / math.Log(hi/lo)
		} else {
			f = (v - lo) / (hi - lo)
		}
		i := min(max(int(f*float64(nb)), 0), nb-1)
		bins[i].count += bk.n
	}
	return bins, logScale, nil
}
