package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

func TestResultExitCode(t *testing.T) {
	failed := []metrics.ThresholdResult{{Metric: "x", Source: "count<1", Passed: false}}
	passed := []metrics.ThresholdResult{{Metric: "x", Source: "count<1", Passed: true}}
	tests := []struct {
		name string
		res  engine.Result
		want int
	}{
		{"clean", engine.Result{Thresholds: passed}, 0},
		{"threshold failed", engine.Result{Thresholds: failed}, 99},
		{"aborted by threshold", engine.Result{AbortedByThreshold: true}, 99},
		{"interrupted beats thresholds", engine.Result{Thresholds: failed, Interrupted: true, ErrorCode: 105}, 105},
		{"script error", engine.Result{ErrorCode: 107}, 107},
	}
	for _, tt := range tests {
		if got := tt.res.ExitCode(); got != tt.want {
			t.Errorf("%s: ExitCode() = %d; want %d", tt.name, got, tt.want)
		}
	}
	if engine.ExitCode(nil) != 0 || engine.ExitCode(fmt.Errorf("x")) != engine.ExitEngineError {
		t.Error("ExitCode of nil or a plain error")
	}
	if engine.ExitCode(fmt.Errorf("wrapped: %w", &engine.ThresholdsError{})) != 99 {
		t.Error("ExitCode does not see a wrapped *ThresholdsError")
	}
}

// runSegment runs a test, or one segment of it, whose VUs record a deterministic latency per
// iteration (a function of its index in the whole test), so that the samples of the segments
// are exactly those of the whole.
func runSegment(t *testing.T, segment string) *engine.Result {
	t.Helper()
	var res *engine.Result
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		lat := reg.Trend("latency")
		f := executor.VUFactoryFunc(func(context.Context, uint64, *metrics.SampleBuffer) (executor.VU, error) {
			return executor.VUFunc(func(ctx context.Context, it *executor.Iteration) error {
				v := math.Exp(float64(it.ScenarioIter%97)/10) + float64(it.ScenarioIter%7)
				it.Samples.Add(lat, v, it.TagSet.With("msg", fmt.Sprint("M", it.ScenarioIter%3)))
				time.Sleep(20 * time.Millisecond)
				return nil
			}), nil
		})
		run, err := engine.New(engine.Config{
			Registry: reg,
			Scenarios: scenarios(t, `{
				"open": {"executor":"ramping-arrival-rate","startRate":10,"preAllocatedVUs":10,
				         "stages":[{"duration":"5s","target":100},{"duration":"5s","target":30}]},
				"closed": {"executor":"per-vu-iterations","vus":5,"iterations":7}}`),
			Thresholds: map[string][]engine.ThresholdConfig{"latency{msg:M1}": {{Threshold: "p(99)<1000"}, {Threshold: "count<100"}}},
			Segment:    segment,
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		res, _ = run.Run(context.Background())
	})
	return res
}

// TestMergeSegmentsEqualsWhole runs a test whole and as three segments, merges the segments'
// results and compares: counts and trend histograms must be identical.
func TestMergeSegmentsEqualsWhole(t *testing.T) {
	whole := runSegment(t, "")
	var merged *engine.Result
	for _, seg := range []string{"0:1/3", "1/3:2/3", "2/3:1"} {
		r := runSegment(t, seg)
		// Through JSON, as ctiload merge reads summary files.
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back engine.Result
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if merged == nil {
			merged = &back
			continue
		}
		if merged, err = engine.MergeResults(merged, &back); err != nil {
			t.Fatal(err)
		}
	}
	if !equalSlices(merged.Scenarios, whole.Scenarios) {
		t.Errorf("merged scenarios = %+v\nwhole = %+v", merged.Scenarios, whole.Scenarios)
	}
	for _, key := range []string{"latency", "latency{msg:M0}", "latency{msg:M1}", "iterations", "iterations{scenario:open}"} {
		w, ok1 := whole.Metric(key)
		m, ok2 := merged.Metric(key)
		if !ok1 || !ok2 {
			t.Errorf("%s: found in whole %v, merged %v", key, ok1, ok2)
			continue
		}
		if m.Histogram != w.Histogram {
			t.Errorf("%s: merged histogram differs from the whole's", key)
		}
		for k, wv := range w.Values {
			if k == "rate" {
				continue // over slightly different durations
			}
			if mv := m.Values[k]; math.Abs(mv-wv) > 1e-9*math.Max(1, math.Abs(wv)) {
				t.Errorf("%s %s: merged %v; whole %v", key, k, mv, wv)
			}
		}
	}
	if len(merged.Thresholds) != 2 {
		t.Fatalf("merged thresholds = %+v", merged.Thresholds)
	}
	for i, th := range merged.Thresholds {
		if th != whole.Thresholds[i] {
			t.Errorf("merged threshold %+v; whole %+v", th, whole.Thresholds[i])
		}
	}
	if merged.Segment != "0:1/3 of 0,1/3,2/3,1+1/3:2/3 of 0,1/3,2/3,1+2/3:1 of 0,1/3,2/3,1" {
		t.Errorf("merged segment = %q", merged.Segment)
	}
}

func TestMergeResultsMisc(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := &engine.Result{StartTime: t0, Duration: executor.Duration(10 * time.Second),
		Metrics: []metrics.Summary{
			{Name: "c", Key: "c", Type: metrics.Counter, Values: map[string]float64{"count": 10, "rate": 1}},
			{Name: "g", Key: "g", Type: metrics.Gauge, Values: map[string]float64{"value": 3, "min": 1, "max": 4}},
			{Name: "r", Key: "r", Type: metrics.Rate, Values: map[string]float64{"rate": 0.5, "count": 4, "passes": 2, "fails": 2}},
		},
		Thresholds: []metrics.ThresholdResult{{Metric: "c", Source: "count<15", Passed: true, Observed: 10}},
		TimeSeries: []metrics.Series{{Metric: "c", Key: "c", Type: metrics.Counter, Points: []metrics.Point{{Time: 1000, Count: 1, Sum: 2, Min: 2, Max: 2}}}},
		ErrorCode:  105, Error: "run interrupted (graceful stop)", Interrupted: true,
	}
	b := &engine.Result{StartTime: t0.Add(5 * time.Second), Duration: executor.Duration(15 * time.Second),
		Metrics: []metrics.Summary{
			{Name: "c", Key: "c", Type: metrics.Counter, Values: map[string]float64{"count": 10, "rate": 1}},
			{Name: "g", Key: "g", Type: metrics.Gauge, Values: map[string]float64{"value": 2, "min": 2, "max": 2}},
			{Name: "r", Key: "r", Type: metrics.Rate, Values: map[string]float64{"rate": 1, "count": 4, "passes": 4, "fails": 0}},
			{Name: "only_b", Key: "only_b", Type: metrics.Counter, Values: map[string]float64{"count": 40, "rate": 4}},
		},
		Thresholds: []metrics.ThresholdResult{{Metric: "c", Source: "count<15", Passed: true, Observed: 10}},
		TimeSeries: []metrics.Series{{Metric: "c", Key: "c", Type: metrics.Counter, Points: []metrics.Point{{Time: 1000, Count: 3, Sum: 5, Min: 1, Max: 3}, {Time: 1001, Count: 1, Sum: 1, Min: 1, Max: 1}}}},
		ErrorCode:  107, Error: "teardown: x",
	}
	m, err := engine.MergeResults(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(m.Duration) != 20*time.Second || !m.StartTime.Equal(t0) {
		t.Errorf("merged span = %v from %v; want 20s from %v", time.Duration(m.Duration), m.StartTime, t0)
	}
	want := map[string]map[string]float64{
		"c":      {"count": 20, "rate": 1},
		"g":      {"value": 5, "min": 3, "max": 6},
		"r":      {"rate": 0.75, "count": 8, "passes": 6, "fails": 2},
		"only_b": {"count": 40, "rate": 2},
	}
	for key, vals := range want {
		s, ok := m.Metric(key)
		if !ok {
			t.Errorf("no merged %s", key)
			continue
		}
		for k, v := range vals {
			if s.Values[k] != v {
				t.Errorf("merged %s %s = %v; want %v", key, k, s.Values[k], v)
			}
		}
	}
	if len(m.Thresholds) != 1 || m.Thresholds[0].Passed || m.Thresholds[0].Observed != 20 {
		t.Errorf("merged thresholds = %+v; want count<15 failing on 20", m.Thresholds)
	}
	if m.ErrorCode != 107 || !m.Interrupted || m.ExitCode() != 107 {
		t.Errorf("merged error %d %q, interrupted %v; want 107 winning", m.ErrorCode, m.Error, m.Interrupted)
	}
	pts := m.TimeSeries[0].Points
	if len(pts) != 2 || pts[0] != (metrics.Point{Time: 1000, Count: 4, Sum: 7, Min: 1, Max: 3, Last: 0}) {
		t.Errorf("merged points = %+v", pts)
	}
	bad := &engine.Result{Metrics: []metrics.Summary{{Name: "c", Key: "c", Type: metrics.Trend, Values: map[string]float64{}}}}
	if _, err := engine.MergeResults(a, bad); err == nil {
		t.Error("merging a counter with a trend: no error")
	}
}

// TestMergeRejudgesThresholds: two segments each passed count<10 (7 and 8 calls); the merged
// test made 15 calls, so the merged result fails its threshold and exits 99.
func TestMergeRejudgesThresholds(t *testing.T) {
	part := func(seg string, calls float64) *engine.Result {
		return &engine.Result{
			Segment:  seg,
			Duration: executor.Duration(10 * time.Second),
			Metrics: []metrics.Summary{{Name: "calls", Key: "calls", Type: metrics.Counter,
				Values: map[string]float64{"count": calls, "rate": calls / 10}}},
			Thresholds: []metrics.ThresholdResult{{Metric: "calls", Source: "count<10", Passed: true, Observed: calls}},
		}
	}
	a, b := part("0:1/2", 7), part("1/2:1", 8)
	if a.ExitCode() != 0 || b.ExitCode() != 0 {
		t.Fatal("the parts do not pass on their own")
	}
	m, err := engine.MergeResults(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := metrics.ThresholdResult{Metric: "calls", Source: "count<10", Passed: false, Observed: 15}
	if len(m.Thresholds) != 1 || m.Thresholds[0] != want {
		t.Errorf("merged thresholds = %+v; want [%+v]", m.Thresholds, want)
	}
	if m.ExitCode() != engine.ExitThresholdsFailed {
		t.Errorf("merged ExitCode() = %d; want %d", m.ExitCode(), engine.ExitThresholdsFailed)
	}
}
