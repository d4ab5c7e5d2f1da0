package metrics_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

// TestJudgeSummariesAgreesWithTheRun: judging a run's thresholds again on its summaries (what
// ctiload report does with a saved summary) gives the verdicts the run gave, for every metric
// type, with and without data.
func TestJudgeSummariesAgreesWithTheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		calls, lat, ok := reg.Counter("calls"), reg.Trend("lat"), reg.Rate("ok")
		queue, idle := reg.Gauge("queue"), reg.Gauge("idle")
		_ = idle // never set: its thresholds have no data
		set, err := metrics.NewThresholdSet(map[string][]metrics.ThresholdSpec{
			"calls":      {{Source: "count<5"}, {Source: "rate>1"}},
			"lat":        {{Source: "p(95)<30"}, {Source: "max<100"}, {Source: "count>=3"}},
			"lat{msg:x}": {{Source: "p(99)<1"}},
			"lat{msg:y}": {{Source: "avg<1"}}, // no sample with msg:y
			"ok":         {{Source: "rate>0.9", AbortOnFail: true}},
			"queue":      {{Source: "value<3"}, {Source: "max<10"}},
			"idle":       {{Source: "value>1"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Validate(reg); err != nil {
			t.Fatal(err)
		}
		a := newAgg(t, reg, metrics.AggregatorOptions{})
		if err := a.SetThresholds(set); err != nil {
			t.Fatal(err)
		}
		a.Start()
		buf := a.NewBuffer()
		for i, v := range []float64{3, 12, 40} {
			buf.Add(lat, v, metrics.NewTags("msg", "x"))
			buf.Add(calls, 2, metrics.Tags{})
			buf.Add(ok, float64(i%2), metrics.Tags{})
			buf.Add(queue, v/4, metrics.Tags{})
		}
		buf.Flush()
		a.Stop()
		const elapsed = 4 * time.Second
		run := a.Thresholds(elapsed)
		sums, err := a.Summaries(elapsed)
		if err != nil {
			t.Fatal(err)
		}
		again, err := metrics.JudgeSummaries(run, sums, elapsed)
		if err != nil {
			t.Fatal(err)
		}
		if len(run) != set.Len() || len(again) != len(run) {
			t.Fatalf("%d thresholds judged in the run, %d again; want %d", len(run), len(again), set.Len())
		}
		var passed, noData int
		for i := range run {
			if run[i] != again[i] {
				t.Errorf("threshold %d: the run judged %+v; judged again %+v", i, run[i], again[i])
			}
			if run[i].Passed {
				passed++
			}
			if run[i].NoData {
				noData++
			}
		}
		// The test means something only if it sees both verdicts and both kinds of no data.
		if passed == 0 || passed == len(run) || noData != 2 {
			t.Errorf("%d of %d passed, %d without data: the fixture lost its mix", passed, len(run), noData)
		}
	})
}

// TestJudgeSummariesRejudgesMergedValues: two segments each passed count<10 on their own count;
// their merge holds 15 and must fail, whatever the parts said. One threshold from two parts is
// one verdict, abortOnFail and aborted if either part says so.
func TestJudgeSummariesRejudgesMergedValues(t *testing.T) {
	parts := []metrics.ThresholdResult{
		{Metric: "calls", Source: "count<10", Passed: true, Observed: 7},
		{Metric: "calls", Source: "count<10", Passed: true, Observed: 8, AbortOnFail: true, Aborted: true},
		{Metric: "lat", Source: "p(99)<5", Passed: true, NoData: true},
	}
	merged := []metrics.Summary{{Name: "calls", Key: "calls", Type: metrics.Counter, Values: map[string]float64{"count": 15, "rate": 1.5}}}
	got, err := metrics.JudgeSummaries(parts, merged, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := []metrics.ThresholdResult{
		{Metric: "calls", Source: "count<10", Passed: false, Observed: 15, AbortOnFail: true, Aborted: true},
		{Metric: "lat", Source: "p(99)<5", Passed: true, NoData: true},
	}
	if len(got) != len(want) {
		t.Fatalf("JudgeSummaries = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("verdict %d = %+v; want %+v", i, got[i], want[i])
		}
	}

	if _, err := metrics.JudgeSummaries([]metrics.ThresholdResult{{Metric: "calls", Source: "count<<1"}}, merged, time.Second); err == nil {
		t.Error("an expression that does not parse was judged")
	}
}

// TestGaugeSummaryKeepsNoData: a gauge never set summarises to no values and reads back as
// empty, so that a threshold on it stays "no data" through a summary file instead of judging 0.
func TestGaugeSummaryKeepsNoData(t *testing.T) {
	var g metrics.GaugeSink
	back, err := metrics.SinkFromSummary(metrics.Gauge, g.Format(time.Second), "")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := back.Value(metrics.Aggregation{Method: metrics.AggValue}, time.Second); ok {
		t.Errorf("an empty gauge read back from its summary has value %v", v)
	}
	g.Add(0)
	back, _ = metrics.SinkFromSummary(metrics.Gauge, g.Format(time.Second), "")
	if v, ok := back.Value(metrics.Aggregation{Method: metrics.AggValue}, time.Second); !ok || v != 0 {
		t.Errorf("a gauge set to 0 reads back as %v, %v", v, ok)
	}
}
