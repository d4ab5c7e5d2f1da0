package metrics

import (
	"errors"
	"fmt"
	"iter"
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

// Observed gives the evaluator the value of aggregation a of the metric or sub-metric key
// ("name" or "name{k:v}", tags sorted); ok is false when the metric has no data to judge.
type Observed func(key string, a Aggregation) (v float64, ok bool)

// Evaluate judges every threshold of s on the values observed gives, in selector order. It is
// ctiload's one threshold evaluator: the Aggregator judges a run through it (periodically for
// abortOnFail, then at the end), and JudgeSummaries judges merged results and saved summaries
// through it.
func (s *ThresholdSet) Evaluate(observed Observed) []ThresholdResult {
	var out []ThresholdResult
	for _, r := range s.verdicts(func(e *thresholdEntry, a Aggregation) (float64, bool) { return observed(e.key, a) }) {
		out = append(out, r)
	}
	return out
}

// verdicts yields every threshold of s with its verdict on the values that value gives, in
// selector order; Evaluate and the Aggregator iterate it.
func (s *ThresholdSet) verdicts(value func(e *thresholdEntry, a Aggregation) (float64, bool)) iter.Seq2[*Threshold, ThresholdResult] {
	return func(yield func(*Threshold, ThresholdResult) bool) {
		if s == nil {
			return
		}
		for _, e := range s.entries {
			for i := range e.thresholds {
				th := &e.thresholds[i]
				v, ok := value(e, th.Aggregation)
				if !yield(th, verdict(e.key, *th, v, ok)) {
					return
				}
			}
		}
	}
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

// JudgeSummaries judges the thresholds of verdicts (as a run or an earlier merge left them)
// again, on summaries, through Evaluate: how ctiload merge judges the merged values and ctiload
// report a saved summary. elapsed is the time counters' rates are computed over (the result's
// duration). Verdicts of one threshold (same metric and expression, as two segments give them)
// become one, abortOnFail and aborted if either was; the order is that of first appearance.
func JudgeSummaries(verdicts []ThresholdResult, summaries []Summary, elapsed time.Duration) ([]ThresholdResult, error) {
	if len(verdicts) == 0 {
		return nil, nil
	}
	type thresholdID struct{ metric, source string }
	type seen struct {
		order, spec int // first appearance; index in specs[metric]
		aborted     bool
	}
	specs := map[string][]ThresholdSpec{}
	byID := map[thresholdID]*seen{}
	var errs []error
	for _, v := range verdicts {
		name, tags, err := ParseMetricKey(v.Metric)
		if err != nil {
			errs = append(errs, fmt.Errorf("threshold metric %q: %w", v.Metric, err))
			continue
		}
		key := MetricKey(name, tags)
		id := thresholdID{key, v.Source}
		if s, dup := byID[id]; dup {
			specs[key][s.spec].AbortOnFail = specs[key][s.spec].AbortOnFail || v.AbortOnFail
			s.aborted = s.aborted || v.Aborted
			continue
		}
		byID[id] = &seen{order: len(byID), spec: len(specs[key]), aborted: v.Aborted}
		specs[key] = append(specs[key], ThresholdSpec{Source: v.Source, AbortOnFail: v.AbortOnFail})
	}
	set, err := NewThresholdSet(specs)
	if err != nil || len(errs) > 0 {
		return nil, fmt.Errorf("judging thresholds: %w", errors.Join(append(errs, err)...))
	}
	byKey := make(map[string]Summary, len(summaries))
	for _, s := range summaries {
		byKey[s.Key] = s
	}
	judged := set.Evaluate(func(key string, a Aggregation) (float64, bool) {
		s, ok := byKey[key]
		if !ok {
			return 0, false
		}
		sink, err := SinkFromSummary(s.Type, s.Values, s.Histogram)
		if err != nil {
			errs = append(errs, fmt.Errorf("judging thresholds of %q: %w", key, err))
			return 0, false
		}
		return sink.Value(a, elapsed)
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	out := make([]ThresholdResult, len(judged))
	for _, r := range judged {
		s := byID[thresholdID{r.Metric, r.Source}]
		r.Aborted = s.aborted
		out[s.order] = r
	}
	return out, nil
}
