package metrics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ThresholdSpec is one threshold as a user wrote it, before parsing.
type ThresholdSpec struct {
	Source         string
	AbortOnFail    bool
	DelayAbortEval time.Duration
}

// ThresholdResult is the verdict of one threshold.
type ThresholdResult struct {
	Metric      string  `json:"metric"`            // selector, as "name{k:v}" with tags sorted
	Source      string  `json:"source"`            // the expression as written
	Passed      bool    `json:"passed"`            // true also when NoData
	Observed    float64 `json:"observed"`          // the aggregation's value (0 when NoData)
	NoData      bool    `json:"no_data,omitempty"` // the metric had no sample to judge
	AbortOnFail bool    `json:"abort_on_fail,omitempty"`
	Aborted     bool    `json:"aborted,omitempty"` // this threshold's failure aborted the run
}

// ThresholdSet is the thresholds of a run, grouped by metric selector.
type ThresholdSet struct {
	entries []*thresholdEntry // sorted by selector
}

type thresholdEntry struct {
	key        string // canonical selector
	name       string
	tags       Tags
	thresholds []Threshold
	series     *series // bound by the aggregator
}

// NewThresholdSet parses every selector and expression of specs and reports every syntax error
// at once. It does not check that the metrics exist; see Validate.
func NewThresholdSet(specs map[string][]ThresholdSpec) (*ThresholdSet, error) {
	set := &ThresholdSet{}
	byKey := map[string]*thresholdEntry{}
	var errs []error
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		name, tags, err := ParseMetricKey(k)
		if err != nil {
			errs = append(errs, fmt.Errorf("threshold metric %q: %w", k, err))
			continue
		}
		canon := MetricKey(name, tags)
		e := byKey[canon]
		if e == nil {
			e = &thresholdEntry{key: canon, name: name, tags: tags}
			byKey[canon] = e
			set.entries = append(set.entries, e)
		}
		for _, spec := range specs[k] {
			th, err := ParseThreshold(spec.Source)
			if err != nil {
				errs = append(errs, fmt.Errorf("threshold %q of metric %q: %w", spec.Source, k, err))
				continue
			}
			if spec.DelayAbortEval < 0 {
				errs = append(errs, fmt.Errorf("threshold %q of metric %q: delayAbortEval must not be negative", spec.Source, k))
			}
			th.AbortOnFail = spec.AbortOnFail
			th.DelayAbortEval = spec.DelayAbortEval
			e.thresholds = append(e.thresholds, th)
		}
	}
	slices.SortFunc(set.entries, func(a, b *thresholdEntry) int { return strings.Compare(a.key, b.key) })
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set, nil
}

// Len returns the number of thresholds.
func (s *ThresholdSet) Len() int {
	if s == nil {
		return 0
	}
	n := 0
	for _, e := range s.entries {
		n += len(e.thresholds)
	}
	return n
}

// aggregationsByType lists the aggregations each metric type supports: exactly the keys of
// its sink's Format.
var aggregationsByType = map[MetricType][]AggregationMethod{
	Counter: {AggCount, AggRate},
	Gauge:   {AggValue, AggMin, AggMax},
	Rate:    {AggRate, AggCount, AggPasses, AggFails},
	Trend:   {AggCount, AggAvg, AggMin, AggMed, AggMax, AggPercentile},
}

// SupportsAggregation reports whether a metric of type t can be judged by a.
func SupportsAggregation(t MetricType, a Aggregation) bool {
	return slices.Contains(aggregationsByType[t], a.Method)
}

func supportedList(t MetricType) string {
	var names []string
	for _, m := range aggregationsByType[t] {
		if m == AggPercentile {
			names = append(names, "p(N)")
			continue
		}
		names = append(names, aggregationNames[m])
	}
	return strings.Join(names, ", ")
}

// Validate checks every threshold against the metrics of reg: the metric must exist and its
// type must support the aggregation (p(95) on a counter is an error). All problems are
// reported at once. Call it after the VUs' init code has declared the custom metrics.
func (s *ThresholdSet) Validate(reg *Registry) error {
	if s == nil {
		return nil
	}
	var errs []error
	for _, e := range s.entries {
		m := reg.Get(e.name)
		if m == nil {
			errs = append(errs, fmt.Errorf("threshold metric %q: no metric called %q", e.key, e.name))
			continue
		}
		for _, th := range e.thresholds {
			if !SupportsAggregation(m.Type, th.Aggregation) {
				errs = append(errs, fmt.Errorf("threshold %q of metric %q: %s is not available for %s metrics (use %s)",
					th.Source, e.key, th.Aggregation, m.Type, supportedList(m.Type)))
			}
		}
	}
	return errors.Join(errs...)
}

// Evaluate judges thresholds against observed values: value returns the aggregation's value for
// a selector, and false when there is no data. It is how merged results are re-judged.
func (s *ThresholdSet) Evaluate(value func(key string, a Aggregation) (float64, bool)) []ThresholdResult {
	if s == nil {
		return nil
	}
	var out []ThresholdResult
	for _, e := range s.entries {
		for _, th := range e.thresholds {
			v, ok := value(e.key, th.Aggregation)
			out = append(out, verdict(e.key, th, v, ok))
		}
	}
	return out
}

func verdict(key string, th Threshold, v float64, ok bool) ThresholdResult {
	r := ThresholdResult{Metric: key, Source: th.Source, AbortOnFail: th.AbortOnFail}
	if !ok {
		// No sample, no verdict: k6 lets such thresholds pass, and so does ctiload.
		r.Passed, r.NoData = true, true
		return r
	}
	r.Observed = v
	r.Passed = th.Passes(v)
	return r
}
