package metrics

import (
	"fmt"
	"math"
	"time"
)

// Sink aggregates the values of one metric or sub-metric. Sinks are not safe for concurrent use:
// the aggregator writes them under its mutex.
type Sink interface {
	// Add adds one value.
	Add(v float64)
	// IsEmpty reports whether no value was added.
	IsEmpty() bool
	// Format returns the sink's summary: one entry per key, and the keys are threshold
	// aggregations ("count", "rate", "avg", "p(95)", …). elapsed is the time the values were
	// collected over, for per-second rates.
	Format(elapsed time.Duration) map[string]float64
	// Value returns one aggregation, and false when the sink has no data for it (an average
	// of nothing) or does not support it.
	Value(a Aggregation, elapsed time.Duration) (float64, bool)
	// Merge adds the values of o, a sink of the same type, as if they had been added here.
	Merge(o Sink) error
}

// NewSink returns an empty sink for a metric type.
func NewSink(t MetricType) Sink {
	switch t {
	case Counter:
		return &CounterSink{}
	case Gauge:
		return &GaugeSink{}
	case Rate:
		return &RateSink{}
	case Trend:
		return NewTrendSink(nil)
	}
	panic(fmt.Sprintf("metrics.NewSink: invalid metric type %d", int(t)))
}

// CounterSink sums values. Format keys: count (the sum) and rate (sum per second).
type CounterSink struct {
	Sum     float64
	Samples int64
}

// Add adds v to the sum.
func (c *CounterSink) Add(v float64) { c.Sum += v; c.Samples++ }

// IsEmpty reports whether no value was added.
func (c *CounterSink) IsEmpty() bool { return c.Samples == 0 }

// Format returns count and rate.
func (c *CounterSink) Format(elapsed time.Duration) map[string]float64 {
	return map[string]float64{tokCount: c.Sum, tokRate: perSecond(c.Sum, elapsed)}
}

// Value returns count or rate; both are defined (0) on an empty counter, so that count==0 holds.
func (c *CounterSink) Value(a Aggregation, elapsed time.Duration) (float64, bool) {
	switch a.Method {
	case AggCount:
		return c.Sum, true
	case AggRate:
		return perSecond(c.Sum, elapsed), true
	}
	return 0, false
}

// Merge adds o's sum.
func (c *CounterSink) Merge(o Sink) error {
	oc, ok := o.(*CounterSink)
	if !ok {
		return fmt.Errorf("cannot merge a %T into a counter", o)
	}
	c.Sum += oc.Sum
	c.Samples += oc.Samples
	return nil
}

func perSecond(v float64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return v / elapsed.Seconds()
}

// GaugeSink keeps the last value and the extremes. Format keys: value, min, max.
type GaugeSink struct {
	Last, Min, Max float64
	Samples        int64
}

// Add records v as the current value.
func (g *GaugeSink) Add(v float64) {
	if g.Samples == 0 || v < g.Min {
		g.Min = v
	}
	if g.Samples == 0 || v > g.Max {
		g.Max = v
	}
	g.Last = v
	g.Samples++
}

// IsEmpty reports whether no value was added.
func (g *GaugeSink) IsEmpty() bool { return g.Samples == 0 }

// Format returns value, min and max; nothing for a gauge never set, so that a summary keeps
// "no data" apart from a value of 0 (SinkFromSummary reads it back as empty).
func (g *GaugeSink) Format(time.Duration) map[string]float64 {
	if g.Samples == 0 {
		return map[string]float64{}
	}
	return map[string]float64{tokValue: g.Last, tokMin: g.Min, tokMax: g.Max}
}

// Value returns value, min or max.
func (g *GaugeSink) Value(a Aggregation, _ time.Duration) (float64, bool) {
	if g.Samples == 0 {
		return 0, false
	}
	switch a.Method {
	case AggValue:
		return g.Last, true
	case AggMin:
		return g.Min, true
	case AggMax:
		return g.Max, true
	}
	return 0, false
}

// Merge combines two partial views of one gauge, as segments of a test see them: the values
// add up (right for vus and vus_max, whose whole is the sum of the parts), and so do the
// extremes, which makes min and max an upper bound of the true extremes of the sum.
func (g *GaugeSink) Merge(o Sink) error {
	og, ok := o.(*GaugeSink)
	if !ok {
		return fmt.Errorf("cannot merge a %T into a gauge", o)
	}
	switch {
	case og.Samples == 0:
	case g.Samples == 0:
		*g = *og
	default:
		g.Last += og.Last
		g.Min += og.Min
		g.Max += og.Max
		g.Samples += og.Samples
	}
	return nil
}

// RateSink counts non-zero values among all values. Format keys: rate, count, passes, fails.
type RateSink struct {
	Passes int64 // non-zero values
	Total  int64
}

// Add counts v as a pass when it is not zero.
func (r *RateSink) Add(v float64) {
	if v != 0 {
		r.Passes++
	}
	r.Total++
}

// IsEmpty reports whether no value was added.
func (r *RateSink) IsEmpty() bool { return r.Total == 0 }

// Format returns rate, count, passes and fails.
func (r *RateSink) Format(time.Duration) map[string]float64 {
	rate := 0.0
	if r.Total > 0 {
		rate = float64(r.Passes) / float64(r.Total)
	}
	return map[string]float64{tokRate: rate, tokCount: float64(r.Total),
		tokPasses: float64(r.Passes), tokFails: float64(r.Total - r.Passes)}
}

// Value returns one of rate, count, passes or fails; rate has no data on an empty sink.
func (r *RateSink) Value(a Aggregation, _ time.Duration) (float64, bool) {
	switch a.Method {
	case AggRate:
		if r.Total == 0 {
			return 0, false
		}
		return float64(r.Passes) / float64(r.Total), true
	case AggCount:
		return float64(r.Total), true
	case AggPasses:
		return float64(r.Passes), true
	case AggFails:
		return float64(r.Total - r.Passes), true
	}
	return 0, false
}

// Merge adds o's counts.
func (r *RateSink) Merge(o Sink) error {
	or, ok := o.(*RateSink)
	if !ok {
		return fmt.Errorf("cannot merge a %T into a rate", o)
	}
	r.Passes += or.Passes
	r.Total += or.Total
	return nil
}

// SinkFromSummary rebuilds a sink from a summary's values (and, for trends, its encoded
// histogram), so that summaries of separate runs can be merged. The rebuilt sink is exact for
// every key Format returns.
func SinkFromSummary(t MetricType, values map[string]float64, histogram string) (Sink, error) {
	get := func(k string) float64 {
		v := values[k]
		if math.IsNaN(v) {
			return 0
		}
		return v
	}
	switch t {
	case Counter:
		return &CounterSink{Sum: get(tokCount), Samples: 1}, nil
	case Gauge:
		if _, set := values[tokValue]; !set {
			return &GaugeSink{}, nil
		}
		return &GaugeSink{Last: get(tokValue), Min: get(tokMin), Max: get(tokMax), Samples: 1}, nil
	case Rate:
		total := int64(get(tokCount))
		passes, ok := values[tokPasses]
		if !ok {
			passes = math.Round(get(tokRate) * float64(total))
		}
		return &RateSink{Passes: int64(passes), Total: total}, nil
	case Trend:
		return trendFromSummary(values, histogram)
	}
	return nil, fmt.Errorf("invalid metric type %d", int(t))
}
