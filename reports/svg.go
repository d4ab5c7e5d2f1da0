package reports

import (
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// The HTML report's charts are SVG drawn here, in Go: the file needs no script and no network,
// and what a browser shows is in the document itself.

// chart geometry, in SVG user units (the SVG scales to its container).
const (
	chartW       = 640
	chartH       = 260
	padL         = 64
	padR         = 16
	padT         = 28
	padB         = 36
	maxLinePts   = 1200 // longer series are averaged down to this many points
	histogramBin = 40
)

// xy is a point of a line; NaN Y leaves a gap.
type xy struct{ X, Y float64 }

// lineSeries is one line of a line chart.
type lineSeries struct {
	Name   string
	Class  string // CSS class: its color
	Points []xy
	Area   bool // fill under the line
}

// lineChart is a chart of lines over the run's time (X in seconds from the start).
type lineChart struct {
	ID     string
	Title  string
	YLabel func(float64) string
	Series []lineSeries
}

// svg renders the chart.
func (c lineChart) svg() template.HTML {
	var b strings.Builder
	maxX, maxY := 0.0, 0.0
	n := 0
	for _, s := range c.Series {
		for _, p := range s.Points {
			maxX = math.Max(maxX, p.X)
			if !math.IsNaN(p.Y) {
				maxY = math.Max(maxY, p.Y)
				n++
			}
		}
	}
	fmt.Fprintf(&b, `<svg class="chart-svg" data-chart=%q viewBox="0 0 %d %d" role="img" aria-label=%q xmlns="http://www.w3.org/2000/svg">`,
		c.ID, chartW, chartH, c.Title)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	if n == 0 {
		fmt.Fprintf(&b, `<text class="nodata" x="%d" y="%d" text-anchor="middle">no data</text></svg>`, chartW/2, chartH/2)
		return template.HTML(b.String())
	}
	if maxX <= 0 {
		maxX = 1
	}
	yTicks, yTop := niceTicks(maxY, 5)
	xTicks := timeTicks(maxX)
	plotW, plotH := float64(chartW-padL-padR), float64(chartH-padT-padB)
	px := func(x float64) float64 { return padL + x/maxX*plotW }
	py := func(y float64) float64 { return padT + plotH - y/yTop*plotH }

	b.WriteString(`<g class="grid">`)
	for _, t := range yTicks {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, chartW-padR, py(t), py(t))
	}
	b.WriteString(`</g><g class="axis">`)
	for _, t := range yTicks {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, padL-6, py(t), html.EscapeString(axisLabel(c.YLabel(t))))
	}
	for _, t := range xTicks {
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, px(t), px(t), chartH-padB, chartH-padB+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, px(t), chartH-padB+16, shortElapsed(t))
	}
	fmt.Fprintf(&b, `<line class="baseline" x1="%d" x2="%d" y1="%d" y2="%d"/>`, padL, chartW-padR, chartH-padB, chartH-padB)
	b.WriteString(`</g>`)

	for _, s := range c.Series {
		pts := decimate(s.Points, maxLinePts)
		var d strings.Builder
		pen := false
		var first, last xy
		for _, p := range pts {
			if math.IsNaN(p.Y) {
				pen = false
				continue
			}
			if !pen {
				if d.Len() == 0 {
					first = p
				}
				fmt.Fprintf(&d, "M%.1f,%.1f", px(p.X), py(p.Y))
				pen = true
			} else {
				fmt.Fprintf(&d, "L%.1f,%.1f", px(p.X), py(p.Y))
			}
			last = p
		}
		if d.Len() == 0 {
			continue
		}
		if s.Area && !strings.Contains(d.String()[1:], "M") {
			fmt.Fprintf(&b, `<path class="area %s" d="%sL%.1f,%.1fL%.1f,%.1fZ"/>`, s.Class, d.String(),
				px(last.X), py(0), px(first.X), py(0))
		}
		fmt.Fprintf(&b, `<path class="line %s" d="%s"><title>%s</title></path>`, s.Class, d.String(), html.EscapeString(s.Name))
		if len(pts) == 1 || countPoints(pts) == 1 {
			fmt.Fprintf(&b, `<circle class="dot %s" cx="%.1f" cy="%.1f" r="3"/>`, s.Class, px(first.X), py(first.Y))
		}
	}
	// Legend, top left of the plot.
	x := float64(padL)
	for _, s := range c.Series {
		fmt.Fprintf(&b, `<g class="legend"><rect class="swatch %s" x="%.1f" y="8" width="12" height="4"/><text x="%.1f" y="13">%s</text></g>`,
			s.Class, x, x+16, html.EscapeString(s.Name))
		x += 16 + 7*float64(len([]rune(s.Name))) + 18
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func countPoints(pts []xy) int {
	n := 0
	for _, p := range pts {
		if !math.IsNaN(p.Y) {
			n++
		}
	}
	return n
}

// decimate averages a series down to at most max points (gaps count as gaps only when a whole
// bucket is one).
func decimate(pts []xy, limit int) []xy {
	if len(pts) <= limit {
		return pts
	}
	per := int(math.Ceil(float64(len(pts)) / float64(limit)))
	out := make([]xy, 0, limit)
	for i := 0; i < len(pts); i += per {
		end := min(i+per, len(pts))
		var sx, sy float64
		n := 0
		for _, p := range pts[i:end] {
			if !math.IsNaN(p.Y) {
				sx += p.X
				sy += p.Y
				n++
			}
		}
		if n == 0 {
			out = append(out, xy{pts[i].X, math.NaN()})
			continue
		}
		out = append(out, xy{sx / float64(n), sy / float64(n)})
	}
	return out
}

// niceTicks returns 0 and round values up to at least hi, about n of them, and the top one.
func niceTicks(hi float64, n int) ([]float64, float64) {
	if hi <= 0 {
		hi = 1
	}
	step := niceStep(hi / float64(n))
	top := math.Ceil(hi/step) * step
	if top < hi*1.02 {
		top += step // headroom, so the highest point is not on the frame
	}
	var ticks []float64
	for v := 0.0; v <= top*1.0000001; v += step {
		ticks = append(ticks, v)
	}
	return ticks, top
}

func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f <= 1:
		return mag
	case f <= 2:
		return 2 * mag
	case f <= 2.5:
		return 2.5 * mag
	case f <= 5:
		return 5 * mag
	}
	return 10 * mag
}

// timeTicks returns tick positions in seconds for a run of maxX seconds: 5 to 10 ticks on round
// time steps.
func timeTicks(maxX float64) []float64 {
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if maxX/s <= 8 {
			step = s
			break
		}
	}
	var out []float64
	for v := 0.0; v <= maxX+1e-9; v += step {
		out = append(out, v)
	}
	return out
}

// shortElapsed labels a time axis: "0", "30s", "1m", "1m30s", "2h".
func shortElapsed(sec float64) string {
	s := int64(math.Round(sec))
	switch {
	case s == 0:
		return "0"
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%dm", s/60)
		}
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	if s%3600 == 0 {
		return fmt.Sprintf("%dh", s/3600)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
}

// histogramChart is the latency distribution of one request type, from its HdrHistogram.
type histogramChart struct {
	ID      string
	Title   string
	Encoded string             // base64 V2 histogram, µs
	Marks   map[string]float64 // percentile lines, ms: "p50" → 1.2
}

type bin struct {
	lo, hi float64 // µs
	count  int64
}

// bins decodes the histogram into log-spaced bins between its extremes (linear when they are
// close).
func (h histogramChart) bins() ([]bin, error) {
	raw, err := base64.StdEncoding.DecodeString(h.Encoded)
	if err != nil {
		return nil, err
	}
	hist, err := hdr.DecodePacked(raw)
	if err != nil {
		return nil, err
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
		return nil, nil
	}
	lo := math.Max(float64(buckets[0].v), 1)
	hi := math.Max(float64(buckets[len(buckets)-1].v), lo)
	nb := histogramBin
	logScale := hi/lo >= 4
	if hi == lo {
		return []bin{{lo, hi, hist.TotalCount()}}, nil
	}
	edge := func(i int) float64 {
		f := float64(i) / float64(nb)
		if logScale {
			return lo * math.Pow(hi/lo, f)
		}
		return lo + (hi-lo)*f
	}
	out := make([]bin, nb)
	for i := range out {
		out[i] = bin{lo: edge(i), hi: edge(i + 1)}
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
		out[i].count += bk.n
	}
	return out, nil
}

// svg renders the histogram as bars over a log (or linear) latency axis.
func (h histogramChart) svg() template.HTML {
	var b strings.Builder
	const w, hgt = 420, 200
	const l, r, t, bot = 48, 12, 24, 32
	fmt.Fprintf(&b, `<svg class="chart-svg histogram" data-chart=%q viewBox="0 0 %d %d" role="img" aria-label=%q xmlns="http://www.w3.org/2000/svg">`,
		h.ID, w, hgt, h.Title)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(h.Title))
	bins, err := h.bins()
	if err != nil || len(bins) == 0 {
		msg := "no data"
		if err != nil {
			msg = "histogram unreadable: " + err.Error()
		}
		fmt.Fprintf(&b, `<text class="nodata" x="%d" y="%d" text-anchor="middle">%s</text></svg>`, w/2, hgt/2, html.EscapeString(msg))
		return template.HTML(b.String())
	}
	var maxC int64
	for _, bn := range bins {
		maxC = max(maxC, bn.count)
	}
	yTicks, yTop := niceTicks(math.Max(float64(maxC), 4), 4) // whole counts on the axis
	plotW, plotH := float64(w-l-r), float64(hgt-t-bot)
	lo, hi := bins[0].lo, bins[len(bins)-1].hi
	logScale := len(bins) > 1 && hi/lo >= 4
	px := func(us float64) float64 {
		us = math.Min(math.Max(us, lo), hi)
		if hi == lo {
			return l + plotW/2
		}
		if logScale {
			return l + math.Log(us/lo)/math.Log(hi/lo)*plotW
		}
		return l + (us-lo)/(hi-lo)*plotW
	}
	py := func(c float64) float64 { return t + plotH - c/yTop*plotH }
	b.WriteString(`<g class="grid">`)
	for _, tk := range yTicks {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, l, w-r, py(tk), py(tk))
	}
	b.WriteString(`</g><g class="axis">`)
	for _, tk := range yTicks {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, l-5, py(tk), FormatCount(tk))
	}
	for _, us := range latencyTicks(lo, hi, logScale) {
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, px(us), px(us), hgt-bot, hgt-bot+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, px(us), hgt-bot+15, axisLabel(FormatDuration(us/1000)))
	}
	fmt.Fprintf(&b, `<line class="baseline" x1="%d" x2="%d" y1="%d" y2="%d"/>`, l, w-r, hgt-bot, hgt-bot)
	b.WriteString(`</g><g class="bars">`)
	for _, bn := range bins {
		if bn.count == 0 {
			continue
		}
		x0, x1 := px(bn.lo), px(bn.hi)
		if len(bins) == 1 {
			x0, x1 = l+plotW/2-8, l+plotW/2+8
		}
		y := py(float64(bn.count))
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s – %s: %d</title></rect>`,
			x0, y, math.Max(x1-x0-0.6, 0.8), t+plotH-y, FormatDuration(bn.lo/1000), FormatDuration(bn.hi/1000), bn.count)
	}
	b.WriteString(`</g>`)
	// Percentile lines. Their labels keep 26 units apart and inside the frame: pushed right
	// from the left, then back left from the right edge.
	type mark struct {
		name   string
		x, lbl float64
	}
	var marks []mark
	for _, name := range []string{"p50", "p95", "p99"} {
		if ms, ok := h.Marks[name]; ok {
			marks = append(marks, mark{name: name, x: px(ms * 1000)})
		}
	}
	const gap = 26
	for i := range marks {
		marks[i].lbl = math.Max(marks[i].x, float64(l)+10)
		if i > 0 {
			marks[i].lbl = math.Max(marks[i].lbl, marks[i-1].lbl+gap)
		}
	}
	for i := len(marks) - 1; i >= 0; i-- {
		limit := float64(w-r) - 10
		if i < len(marks)-1 {
			limit = marks[i+1].lbl - gap
		}
		marks[i].lbl = math.Min(marks[i].lbl, limit)
	}
	for _, m := range marks {
		fmt.Fprintf(&b, `<g class="mark mark-%s"><line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f"/><text x="%.1f" y="%d" text-anchor="middle">%s</text></g>`,
			m.name, m.x, m.x, t-2, t+plotH, m.lbl, t-6, m.name)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// axisLabel shortens a formatted axis value: "8.00ms" reads "8ms", "2.50ms" "2.5ms", "0µs" "0".
func axisLabel(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != '-' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], s[i:]
	}
	if strings.Contains(num, ".") {
		num = strings.TrimRight(strings.TrimRight(num, "0"), ".")
	}
	if num == "0" || num == "" {
		return "0"
	}
	return num + unit
}

// latencyTicks returns axis positions (µs) between lo and hi: 1-2-5 steps on a log axis, nice
// steps on a linear one.
func latencyTicks(lo, hi float64, logScale bool) []float64 {
	var out []float64
	if !logScale {
		step := niceStep((hi - lo) / 4)
		for v := math.Ceil(lo/step) * step; v <= hi; v += step {
			out = append(out, v)
		}
		return out
	}
	for mag := math.Pow(10, math.Floor(math.Log10(lo))); mag <= hi; mag *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := m * mag; v >= lo && v <= hi {
				out = append(out, v)
			}
		}
	}
	if len(out) > 7 {
		// Keep the powers of ten only.
		var p []float64
		for _, v := range out {
			if s := strconv.FormatFloat(v, 'e', -1, 64); strings.HasPrefix(s, "1e") {
				p = append(p, v)
			}
		}
		out = p
	}
	return out
}
