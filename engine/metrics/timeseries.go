package metrics

import (
	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Point is one second of a series. Its fields mean, by metric type:
//
//   - counter: Sum is the sum of the second's values, that is the per-second rate.
//   - gauge: Last is the value at the end of the second; Min and Max its extremes.
//   - rate: Sum is the number of non-zero values, so the second's rate is Sum/Count.
//   - trend: Sum/Count is the average; Min, Max, P50, P95 and P99 are in milliseconds.
//
// Count is the number of samples in every case.
type Point struct {
	Time  int64   `json:"t"` // Unix time, seconds
	Count int64   `json:"n"`
	Sum   float64 `json:"sum,omitempty"`
	Min   float64 `json:"min,omitempty"`
	Max   float64 `json:"max,omitempty"`
	Last  float64 `json:"last,omitempty"`
	P50   float64 `json:"p50,omitempty"`
	P95   float64 `json:"p95,omitempty"`
	P99   float64 `json:"p99,omitempty"`
}

// Series is the per-second history of a metric or sub-metric, one point per second from the
// first second of the run to the last.
type Series struct {
	Metric string            `json:"metric"`
	Key    string            `json:"key"` // "name" or "name{k:v}"
	Type   MetricType        `json:"type"`
	Tags   map[string]string `json:"tags,omitempty"`
	Points []Point           `json:"points"`
	// Late counts trend samples that reached the aggregator after their second's percentiles
	// were final (see AggregatorOptions.TimeSeriesWindow): they are in Count, Sum, Min and
	// Max of their second but not in its percentiles.
	Late int64 `json:"late,omitempty"`
}

// maxPoints bounds a series' length (30 days of seconds) against absurd sample times.
const maxPoints = 30 * 24 * 3600

type timeSeries struct {
	typ    MetricType
	base   int64 // Unix second of points[0]
	points []Point
	open   map[int64]*hdr.Histogram // trends: seconds whose percentiles are not final
	late   int64
	// lastSec and lastHist are the open second a trend's last sample went to: nearly every
	// sample goes to the same second as the one before, and the map lookup was a quarter of
	// a trend sample's time series cost.
	lastSec  int64
	lastHist *hdr.Histogram
}

func (ts *timeSeries) add(a *Aggregator, sec int64, v float64) {
	if sec < ts.base {
		sec = ts.base // recorded before the aggregator started (AddAt with an old time)
	}
	idx := sec - ts.base
	if idx >= maxPoints {
		return
	}
	for int64(len(ts.points)) <= idx {
		ts.points = append(ts.points, Point{Time: ts.base + int64(len(ts.points))})
	}
	p := &ts.points[idx]
	if p.Count == 0 || v < p.Min {
		p.Min = v
	}
	if p.Count == 0 || v > p.Max {
		p.Max = v
	}
	p.Count++
	p.Last = v
	switch ts.typ {
	case Rate:
		if v != 0 {
			p.Sum++
		}
	case Trend:
		p.Sum += v
		if sec < a.finalBefore {
			ts.late++
			return
		}
		h := ts.lastHist
		if h == nil || ts.lastSec != sec {
			h = ts.open[sec]
		}
		if h == nil {
			h = a.getHist()
			if ts.open == nil {
				ts.open = make(map[int64]*hdr.Histogram)
			}
			ts.open[sec] = h
		}
		ts.lastSec, ts.lastHist = sec, h
		_ = h.RecordValue(toMicros(v))
	default:
		p.Sum += v
	}
}

// finalize computes the percentiles of the open seconds before before and recycles their
// histograms.
func (ts *timeSeries) finalize(a *Aggregator, before int64) {
	for sec, h := range ts.open {
		if sec >= before {
			continue
		}
		p := &ts.points[sec-ts.base]
		p.P50 = float64(h.ValueAtPercentile(50)) / 1000
		p.P95 = float64(h.ValueAtPercentile(95)) / 1000
		p.P99 = float64(h.ValueAtPercentile(99)) / 1000
		delete(ts.open, sec)
		if h == ts.lastHist {
			ts.lastHist = nil
		}
		a.putHist(h)
	}
}

// Per-second percentiles use 2 significant digits (1 % precision, enough for a plot): a dense
// histogram of that precision is about 36 KB and records in constant time. The aggregator
// recycles them, so a series holds at most one per open second (TimeSeriesWindow).
const pointSignificantDigits = 2

func (a *Aggregator) getHist() *hdr.Histogram {
	if n := len(a.histPool); n > 0 {
		h := a.histPool[n-1]
		a.histPool = a.histPool[:n-1]
		return h
	}
	return hdr.New(TrendLowestMicros, TrendHighestMicros, pointSignificantDigits)
}

func (a *Aggregator) putHist(h *hdr.Histogram) {
	h.Reset()
	a.histPool = append(a.histPool, h)
}
