package engine

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// Result is the outcome of a run, JSON-marshalable: what reports are made of and what
// MergeResults combines across segments.
type Result struct {
	StartTime time.Time         `json:"start_time"` // when the scenarios started
	Duration  executor.Duration `json:"duration"`   // until the last scenario ended
	Segment   string            `json:"segment,omitempty"`
	// StartSpread is, in a merged result, how far apart the segments' scenarios started: the
	// latest start minus StartTime. Segments that share a --start-at start within
	// milliseconds of each other.
	StartSpread executor.Duration `json:"start_spread,omitempty"`
	// MissingSegments are, in a merged result, the parts of the test [0,1) that no merged
	// summary covers ("1/4:1/2"): processes that died or never ran. Such a result is
	// incomplete: its exit code is ExitInterrupted unless a worse error is set.
	MissingSegments []string `json:"missing_segments,omitempty"`
	// Metrics has every metric and sub-metric with samples (and every one a threshold
	// judges), sorted by name, each metric before its sub-metrics. Values keys are threshold
	// aggregations: count, rate, avg, min, med, max, p(90), p(95), p(99), …; trends also carry
	// their encoded HdrHistogram.
	Metrics    []metrics.Summary         `json:"metrics"`
	Thresholds []metrics.ThresholdResult `json:"thresholds,omitempty"`
	Scenarios  []ScenarioResult          `json:"scenarios"`
	TimeSeries []metrics.Series          `json:"time_series,omitempty"`
	// Interrupted is true when the run was stopped from outside (Stop, or Run's context).
	Interrupted bool `json:"interrupted,omitempty"`
	// AbortedByThreshold is true when an abortOnFail threshold stopped the run.
	AbortedByThreshold bool `json:"aborted_by_threshold,omitempty"`
	// Error and ErrorCode describe what ended the run other than thresholds (104, 105, 107,
	// 108); empty and 0 otherwise.
	Error     string `json:"error,omitempty"`
	ErrorCode int    `json:"error_code,omitempty"`
	// LostSamples counts samples flushed after the metrics stopped (VUs abandoned after a hard
	// stop); BreakdownOverflow samples not broken down because of MaxBreakdownValues.
	LostSamples       int64 `json:"lost_samples,omitempty"`
	BreakdownOverflow int64 `json:"breakdown_overflow,omitempty"`
}

// ScenarioResult is the iteration counts of one scenario.
type ScenarioResult struct {
	Name        string `json:"name"`
	Executor    string `json:"executor"`
	Iterations  int64  `json:"iterations"`  // ran to their end, with or without an error
	Failed      int64  `json:"failed"`      // of which returned an error
	Interrupted int64  `json:"interrupted"` // cut short by a stop, a ramp-down or an abort
	Dropped     int64  `json:"dropped"`     // found no free VU (arrival-rate executors)
	VUsMax      int64  `json:"vus_max"`     // VUs initialised
}

// ExitCode returns the process exit code of the result: ErrorCode if set, else
// ExitInterrupted if segments are missing, else ExitThresholdsFailed if a threshold failed or aborted the run, else ExitOK.
func (r *Result) ExitCode() int {
	if r.ErrorCode != 0 {
		return r.ErrorCode
	}
	if len(r.MissingSegments) > 0 {
		return ExitInterrupted
	}
	if r.AbortedByThreshold || len(r.FailedThresholds()) > 0 {
		return ExitThresholdsFailed
	}
	return ExitOK
}

// FailedThresholds returns the thresholds that failed.
func (r *Result) FailedThresholds() []metrics.ThresholdResult {
	var out []metrics.ThresholdResult
	for _, t := range r.Thresholds {
		if !t.Passed {
			out = append(out, t)
		}
	}
	return out
}

// JudgeThresholds judges r's thresholds again on r's metrics, over r's duration, through the
// evaluator the run uses (metrics.JudgeSummaries): what MergeResults does with the merged
// values and ctiload report with a saved summary, so that a verdict always follows from the
// numbers beside it. Aborted marks and AbortedByThreshold are kept: they record what happened
// during the run.
func (r *Result) JudgeThresholds() error {
	judged, err := metrics.JudgeSummaries(r.Thresholds, r.Metrics, time.Duration(r.Duration))
	if err != nil {
		return err
	}
	r.Thresholds = judged
	return nil
}

// Metric returns the summary of a metric or sub-metric by key ("name" or "name{k:v}", tags in
// key order).
func (r *Result) Metric(key string) (metrics.Summary, bool) {
	for _, m := range r.Metrics {
		if m.Key == key {
			return m, true
		}
	}
	return metrics.Summary{}, false
}

// Breakdown returns the sub-metrics of metric name by one tag key, by value: for example every
// msg of cti_request_duration.
func (r *Result) Breakdown(name, tagKey string) map[string]metrics.Summary {
	out := map[string]metrics.Summary{}
	for _, m := range r.Metrics {
		if m.Name == name && len(m.Tags) == 1 {
			if v, ok := m.Tags[tagKey]; ok {
				out[v] = m
			}
		}
	}
	return out
}

// Totals returns the iteration counts summed over the scenarios.
func (r *Result) Totals() ScenarioResult {
	var t ScenarioResult
	for _, s := range r.Scenarios {
		t.Iterations += s.Iterations
		t.Failed += s.Failed
		t.Interrupted += s.Interrupted
		t.Dropped += s.Dropped
		t.VUsMax += s.VUsMax
	}
	return t
}

// MergeResults combines the results of runs of segments of one test (ctiload merge) into the
// result of the whole test:
//
//   - counters, rates and trends merge exactly: sums of counts, trends through their
//     histograms, so merged percentiles are those of the union of the samples; min, max and
//     avg are exact too. Counter rates are recomputed over the merged duration, from the
//     earliest start to the latest end;
//   - gauges are partial views of one whole: their values add up (right for vus and vus_max);
//   - thresholds are judged again on the merged values, by the evaluator the run uses
//     (metrics.JudgeSummaries);
//   - time series merge by second: counts, sums, min and max exactly; the percentiles of a
//     second are the count-weighted means of the parts' (an approximation);
//   - scenario counts add up; Interrupted and AbortedByThreshold if either is; the error
//     with the highest precedence (script error, abort, invalid options, interruption) wins.
func MergeResults(a, b *Result) (*Result, error) {
	if a == nil || b == nil {
		return nil, errors.New("merging results: nil result")
	}
	start := a.StartTime
	if !b.StartTime.IsZero() && (start.IsZero() || b.StartTime.Before(start)) {
		start = b.StartTime
	}
	end := laterOf(a.StartTime.Add(time.Duration(a.Duration)), b.StartTime.Add(time.Duration(b.Duration)))
	dur := end.Sub(start)
	lastStart := laterOf(a.StartTime.Add(time.Duration(a.StartSpread)), b.StartTime.Add(time.Duration(b.StartSpread)))
	out := &Result{
		StartTime:          start,
		StartSpread:        executor.Duration(lastStart.Sub(start)),
		MissingSegments:    append(slices.Clone(a.MissingSegments), b.MissingSegments...),
		Duration:           executor.Duration(dur),
		Segment:            joinNonEmpty("+", a.Segment, b.Segment),
		Interrupted:        a.Interrupted || b.Interrupted,
		AbortedByThreshold: a.AbortedByThreshold || b.AbortedByThreshold,
		LostSamples:        a.LostSamples + b.LostSamples,
		BreakdownOverflow:  a.BreakdownOverflow + b.BreakdownOverflow,
	}
	out.ErrorCode, out.Error = mergeErrors(a, b)

	var err error
	if out.Metrics, err = mergeMetrics(a.Metrics, b.Metrics, dur); err != nil {
		return nil, err
	}
	out.Thresholds = append(slices.Clone(a.Thresholds), b.Thresholds...)
	if err := out.JudgeThresholds(); err != nil {
		return nil, fmt.Errorf("merging: %w", err)
	}
	if out.Scenarios, err = mergeScenarios(a.Scenarios, b.Scenarios); err != nil {
		return nil, err
	}
	out.TimeSeries = mergeSeries(a.TimeSeries, b.TimeSeries)
	return out, nil
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// errorPrecedence orders the run errors: the first one present wins a merge.
var errorPrecedence = []int{ExitScriptError, ExitScriptAborted, ExitInvalidOptions, ExitEngineError, ExitInterrupted}

func mergeErrors(a, b *Result) (int, string) {
	for _, code := range errorPrecedence {
		var msgs []string
		for _, r := range []*Result{a, b} {
			if r.ErrorCode == code {
				msgs = append(msgs, r.Error)
			}
		}
		if len(msgs) > 0 {
			return code, strings.Join(msgs, "; ")
		}
	}
	return 0, ""
}

func mergeMetrics(a, b []metrics.Summary, dur time.Duration) ([]metrics.Summary, error) {
	byKey := map[string]*metrics.Summary{}
	var order []string
	add := func(m metrics.Summary) error {
		prev, ok := byKey[m.Key]
		if !ok {
			c := m
			byKey[m.Key] = &c
			order = append(order, m.Key)
			return nil
		}
		merged, err := mergeSummary(*prev, m, dur)
		if err != nil {
			return err
		}
		*prev = merged
		return nil
	}
	for _, m := range append(slices.Clone(a), b...) {
		if err := add(m); err != nil {
			return nil, err
		}
	}
	out := make([]metrics.Summary, 0, len(order))
	for _, k := range order {
		m := *byKey[k]
		if len(m.Values) > 0 && m.Type == metrics.Counter {
			// A metric seen by one part only still needs its rate over the whole duration.
			if v, ok := m.Values["count"]; ok {
				m.Values["rate"] = perSecond(v, dur)
			}
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(x, y metrics.Summary) int {
		if c := cmp.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		if (len(x.Tags) == 0) != (len(y.Tags) == 0) {
			if len(x.Tags) == 0 {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.Key, y.Key)
	})
	return out, nil
}

func perSecond(v float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return v / d.Seconds()
}

func mergeSummary(a, b metrics.Summary, dur time.Duration) (metrics.Summary, error) {
	if a.Type != b.Type {
		return metrics.Summary{}, fmt.Errorf("merging metric %q: a %s and a %s", a.Key, a.Type, b.Type)
	}
	sa, err := metrics.SinkFromSummary(a.Type, a.Values, a.Histogram)
	if err != nil {
		return metrics.Summary{}, fmt.Errorf("merging metric %q: %w", a.Key, err)
	}
	sb, err := metrics.SinkFromSummary(b.Type, b.Values, b.Histogram)
	if err != nil {
		return metrics.Summary{}, fmt.Errorf("merging metric %q: %w", b.Key, err)
	}
	if err := sa.Merge(sb); err != nil {
		return metrics.Summary{}, fmt.Errorf("merging metric %q: %w", a.Key, err)
	}
	out := a
	out.Breakdown = a.Breakdown && b.Breakdown
	if t, ok := sa.(*metrics.TrendSink); ok {
		// Keep every summary key either part had.
		var stats []metrics.Aggregation
		for _, k := range sortedKeys(unionKeys(a.Values, b.Values)) {
			agg, err := metrics.ParseAggregation(k)
			if err != nil || !metrics.SupportsAggregation(metrics.Trend, agg) {
				continue
			}
			stats = append(stats, agg)
		}
		t.Stats = stats
		if out.Histogram, err = t.Encode(); err != nil {
			return metrics.Summary{}, fmt.Errorf("merging metric %q: %w", a.Key, err)
		}
	}
	out.Values = sa.Format(dur)
	return out, nil
}

func unionKeys(a, b map[string]float64) map[string]float64 {
	u := make(map[string]float64, len(a)+len(b))
	for k := range a {
		u[k] = 0
	}
	for k := range b {
		u[k] = 0
	}
	return u
}

func mergeScenarios(a, b []ScenarioResult) ([]ScenarioResult, error) {
	byName := map[string]int{}
	var out []ScenarioResult
	for _, s := range append(slices.Clone(a), b...) {
		i, ok := byName[s.Name]
		if !ok {
			byName[s.Name] = len(out)
			out = append(out, s)
			continue
		}
		o := &out[i]
		if o.Executor != s.Executor {
			return nil, fmt.Errorf("merging scenario %q: executors %s and %s differ", s.Name, o.Executor, s.Executor)
		}
		o.Iterations += s.Iterations
		o.Failed += s.Failed
		o.Interrupted += s.Interrupted
		o.Dropped += s.Dropped
		o.VUsMax += s.VUsMax
	}
	slices.SortFunc(out, func(x, y ScenarioResult) int { return cmp.Compare(x.Name, y.Name) })
	return out, nil
}

func mergeSeries(a, b []metrics.Series) []metrics.Series {
	byKey := map[string]int{}
	var out []metrics.Series
	for _, s := range append(slices.Clone(a), b...) {
		i, ok := byKey[s.Key]
		if !ok {
			byKey[s.Key] = len(out)
			s.Points = slices.Clone(s.Points)
			out = append(out, s)
			continue
		}
		out[i].Points = mergePoints(out[i].Points, s.Points, s.Type)
		out[i].Late += s.Late
	}
	return out
}

func mergePoints(a, b []metrics.Point, typ metrics.MetricType) []metrics.Point {
	byTime := map[int64]metrics.Point{}
	for _, p := range a {
		byTime[p.Time] = p
	}
	for _, q := range b {
		p, ok := byTime[q.Time]
		if !ok || p.Count == 0 {
			if ok && q.Count == 0 {
				continue
			}
			byTime[q.Time] = q
			continue
		}
		if q.Count == 0 {
			continue
		}
		m := metrics.Point{Time: p.Time, Count: p.Count + q.Count, Sum: p.Sum + q.Sum,
			Min: math.Min(p.Min, q.Min), Max: math.Max(p.Max, q.Max)}
		if typ == metrics.Gauge {
			m.Last = p.Last + q.Last
		} else {
			m.Last = q.Last
		}
		w := func(x, y float64) float64 { return (x*float64(p.Count) + y*float64(q.Count)) / float64(m.Count) }
		m.P50, m.P95, m.P99 = w(p.P50, q.P50), w(p.P95, q.P95), w(p.P99, q.P99)
		byTime[p.Time] = m
	}
	out := make([]metrics.Point, 0, len(byTime))
	for _, p := range byTime {
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y metrics.Point) int { return cmp.Compare(x.Time, y.Time) })
	return out
}
