package metrics_test

import (
	"math"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

func newAgg(t *testing.T, reg *metrics.Registry, o metrics.AggregatorOptions) *metrics.Aggregator {
	t.Helper()
	a, err := metrics.NewAggregator(reg, o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func summaryByKey(t *testing.T, a *metrics.Aggregator) map[string]metrics.Summary {
	t.Helper()
	sums, err := a.Summaries(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]metrics.Summary{}
	for _, s := range sums {
		if _, dup := out[s.Key]; dup {
			t.Errorf("summary %q listed twice", s.Key)
		}
		out[s.Key] = s
	}
	return out
}

func TestSampleBufferFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		c := reg.Counter("c")
		a := newAgg(t, reg, metrics.AggregatorOptions{BatchSize: 4})
		a.Start()
		buf := a.NewBuffer()
		for range 3 {
			buf.Add(c, 1, metrics.Tags{})
		}
		if buf.Len() != 3 {
			t.Fatalf("Len after 3 adds = %d; want 3 (batch size 4)", buf.Len())
		}
		buf.Add(c, 1, metrics.Tags{})
		if buf.Len() != 0 {
			t.Fatalf("Len after 4 adds = %d; want 0 (flushed at batch size)", buf.Len())
		}
		buf.Add(c, 1, metrics.Tags{})
		time.Sleep(metrics.DefaultFlushInterval)
		buf.Add(c, 1, metrics.Tags{})
		if buf.Len() != 0 {
			t.Fatalf("Len = %d; want 0: the oldest sample was %v old", buf.Len(), metrics.DefaultFlushInterval)
		}
		a.Stop()
		if got := summaryByKey(t, a)["c"].Values["count"]; got != 6 {
			t.Errorf("count = %v; want 6", got)
		}
		buf.Add(c, 1, metrics.Tags{})
		buf.Flush() // after Stop: must not block, sample counted as lost
		if a.Lost() != 1 {
			t.Errorf("Lost() = %d; want 1", a.Lost())
		}
	})
}

// TestFlushOlder: the engine's end-of-iteration flush hands a buffer over only once its oldest
// sample has reached the given age, so that short iterations are handed over in batches.
func TestFlushOlder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		c := reg.Counter("c")
		a := newAgg(t, reg, metrics.AggregatorOptions{})
		a.Start()
		buf := a.NewBuffer()
		buf.FlushOlder(time.Now(), 0) // empty: nothing to hand over, no panic
		t0 := time.Now()
		buf.AddAt(c, t0, 1, metrics.Tags{})
		buf.AddAt(c, t0.Add(30*time.Millisecond), 1, metrics.Tags{})
		buf.FlushOlder(t0.Add(49*time.Millisecond), 50*time.Millisecond)
		if buf.Len() != 2 {
			t.Fatalf("Len = %d after FlushOlder at 49ms of 50ms; want 2 (kept)", buf.Len())
		}
		buf.FlushOlder(t0.Add(50*time.Millisecond), 50*time.Millisecond)
		if buf.Len() != 0 {
			t.Fatalf("Len = %d after FlushOlder at 50ms of 50ms; want 0 (handed over)", buf.Len())
		}
		synctest.Wait()
		if s, ok := a.Snapshot("c", metrics.Tags{}); !ok || s.Values["count"] != 2 {
			t.Errorf("Snapshot(c) = %v, %v; want count 2 seen by the aggregator", s.Values, ok)
		}
		var none *metrics.SampleBuffer
		none.FlushOlder(t0, 0) // a nil buffer discards: no panic
		a.Stop()
	})
}

func TestSampleBufferBackPressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		c := reg.Counter("c")
		a := newAgg(t, reg, metrics.AggregatorOptions{BatchSize: 1, QueueSize: 1})
		var done atomic.Int32
		go func() {
			buf := a.NewBuffer()
			buf.Add(c, 1, metrics.Tags{}) // fills the queue
			done.Add(1)
			buf.Add(c, 1, metrics.Tags{}) // blocks: nobody reads
			done.Add(1)
		}()
		synctest.Wait()
		if got := done.Load(); got != 1 {
			t.Fatalf("producer passed %d adds with a full queue; want 1 (blocked on the second)", got)
		}
		a.Start()
		synctest.Wait()
		if got := done.Load(); got != 2 {
			t.Fatalf("producer passed %d adds after Start; want 2", got)
		}
		a.Stop()
		if got := summaryByKey(t, a)["c"].Values["count"]; got != 2 {
			t.Errorf("count = %v; want 2 (nothing dropped)", got)
		}
	})
}

func TestUnconnectedBuffer(t *testing.T) {
	var b metrics.SampleBuffer
	m := metrics.NewRegistry().Counter("c")
	for range 1000 {
		b.Add(m, 1, metrics.Tags{})
	}
	if got := len(b.Drain()); got != 1000 {
		t.Errorf("Drain() returned %d samples; want 1000", got)
	}
	var nilBuf *metrics.SampleBuffer
	nilBuf.Add(m, 1, metrics.Tags{}) // must not panic
	nilBuf.Flush()
}

func TestSubMetricsAndBreakdowns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		req := reg.Trend("req")
		var hooked atomic.Int64
		a := newAgg(t, reg, metrics.AggregatorOptions{
			BreakdownTags: []string{"msg", "status"},
			SampleHook:    func(b []metrics.Sample) { hooked.Add(int64(len(b))) },
		})
		if err := a.Declare("req", metrics.NewTags("msg", "A", "status", "ok")); err != nil {
			t.Fatal(err)
		}
		if err := a.Declare("req", metrics.NewTags("msg", "A")); err != nil { // also a breakdown
			t.Fatal(err)
		}
		if err := a.Declare("nope", metrics.NewTags("msg", "A")); err == nil {
			t.Error("Declare of an unknown metric: no error")
		}
		a.Start()
		buf := a.NewBuffer()
		samples := []struct {
			v    float64
			tags metrics.Tags
		}{
			{10, metrics.NewTags("msg", "A", "status", "ok")},
			{20, metrics.NewTags("msg", "A", "status", "ok", "extra", "1")},
			{30, metrics.NewTags("msg", "A", "status", "fail")},
			{40, metrics.NewTags("msg", "B", "status", "ok")},
			{50, metrics.NewTags("other", "x")},
			{60, metrics.Tags{}},
		}
		for _, s := range samples {
			buf.Add(req, s.v, s.tags)
		}
		buf.Flush()
		a.Stop()
		if got := hooked.Load(); got != int64(len(samples)) {
			t.Errorf("SampleHook saw %d samples; want %d", got, len(samples))
		}
		got := summaryByKey(t, a)
		want := []struct {
			key       string
			count     float64
			max       float64
			breakdown bool
		}{
			{"req", 6, 60, false},
			{"req{msg:A,status:ok}", 2, 20, false},
			{"req{msg:A}", 3, 30, false}, // declared and broken down: one series, no double count
			{"req{msg:B}", 1, 40, true},
			{"req{status:ok}", 3, 40, true},
			{"req{status:fail}", 1, 30, true},
		}
		if len(got) != len(want) {
			t.Errorf("Summaries has %d series; want %d: %v", len(got), len(want), got)
		}
		for _, w := range want {
			s, ok := got[w.key]
			if !ok {
				t.Errorf("no summary for %q", w.key)
				continue
			}
			if s.Values["count"] != w.count || s.Values["max"] != w.max || s.Breakdown != w.breakdown {
				t.Errorf("%s: count %v max %v breakdown %v; want %v %v %v", w.key, s.Values["count"], s.Values["max"], s.Breakdown, w.count, w.max, w.breakdown)
			}
			if s.Histogram == "" {
				t.Errorf("%s: no encoded histogram", w.key)
			}
		}
		if snap, ok := a.Snapshot("req", metrics.NewTags("msg", "B")); !ok || snap.Values["count"] != 1 {
			t.Errorf("Snapshot(req{msg:B}) = %v, %v", snap, ok)
		}
		if _, ok := a.Snapshot("req", metrics.NewTags("msg", "C")); ok {
			t.Error("Snapshot of an unseen sub-metric found something")
		}
	})
}

func TestBreakdownCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		c := reg.Counter("c")
		a := newAgg(t, reg, metrics.AggregatorOptions{BreakdownTags: []string{"k"}, MaxBreakdownValues: 2})
		a.Start()
		buf := a.NewBuffer()
		for _, v := range []string{"a", "b", "c", "a", "d"} {
			buf.Add(c, 1, metrics.NewTags("k", v))
		}
		buf.Flush()
		a.Stop()
		got := summaryByKey(t, a)
		if len(got) != 3 || got["c"].Values["count"] != 5 || got["c{k:a}"].Values["count"] != 2 {
			t.Errorf("summaries = %v; want c=5, c{k:a}=2, c{k:b}=1", got)
		}
		if a.BreakdownOverflow() != 2 {
			t.Errorf("BreakdownOverflow() = %d; want 2 (c and d)", a.BreakdownOverflow())
		}
	})
}

func TestTimeSeries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		c := reg.Counter("c")
		tr := reg.Trend("t")
		g := reg.Gauge("g")
		r := reg.Rate("r")
		a := newAgg(t, reg, metrics.AggregatorOptions{TimeSeriesWindow: 2 * time.Second})
		a.Start()
		t0 := time.Now()
		buf := a.NewBuffer()
		// Second 0: 3 counts, trend 1..100, gauge 5 then 2, rate 1 of 2.
		for i := 1; i <= 100; i++ {
			buf.Add(tr, float64(i), metrics.Tags{})
		}
		buf.Add(c, 1, metrics.Tags{})
		buf.Add(c, 2, metrics.Tags{})
		buf.Add(g, 5, metrics.Tags{})
		buf.Add(g, 2, metrics.Tags{})
		buf.Add(r, 1, metrics.Tags{})
		buf.Add(r, 0, metrics.Tags{})
		buf.Flush()
		time.Sleep(2500 * time.Millisecond) // second 2: one count
		buf.Add(c, 4, metrics.Tags{})
		buf.Flush()
		synctest.Wait() // the aggregator has the batch
		live := map[string]metrics.Series{}
		for _, s := range a.TimeSeries() {
			live[s.Key] = s
		}
		if p := live["t"].Points[0]; math.Abs(p.P50-50) > 0.5 || p.Count != 100 {
			t.Errorf("live trend point = %+v; want 100 samples, p50≈50 before the second is final", p)
		}
		time.Sleep(3 * time.Second)             // second 5: second 0 is final now
		buf.AddAt(tr, t0, 1000, metrics.Tags{}) // late for second 0
		buf.Flush()
		a.Stop()
		series := map[string]metrics.Series{}
		for _, s := range a.TimeSeries() {
			series[s.Key] = s
		}
		cs := series["c"]
		if len(cs.Points) != 3 || cs.Points[0].Sum != 3 || cs.Points[0].Count != 2 || cs.Points[1].Count != 0 || cs.Points[2].Sum != 4 {
			t.Errorf("counter points = %+v; want sums 3, 0, 4", cs.Points)
		}
		if cs.Points[0].Time != t0.Unix() || cs.Points[2].Time != t0.Unix()+2 {
			t.Errorf("counter point times = %d, %d; want %d, %d", cs.Points[0].Time, cs.Points[2].Time, t0.Unix(), t0.Unix()+2)
		}
		ts := series["t"]
		p := ts.Points[0]
		if p.Count != 101 || p.Max != 1000 || math.Abs(p.P50-50) > 0.5 || math.Abs(p.P99-99) > 1 || ts.Late != 1 {
			t.Errorf("trend point = %+v, late %d; want 101 samples, max 1000, p50≈50, p99≈99 within 1 %% (late value not in percentiles), late 1", p, ts.Late)
		}
		if gp := series["g"].Points[0]; gp.Last != 2 || gp.Min != 2 || gp.Max != 5 {
			t.Errorf("gauge point = %+v; want last 2, min 2, max 5", gp)
		}
		if rp := series["r"].Points[0]; rp.Sum != 1 || rp.Count != 2 {
			t.Errorf("rate point = %+v; want 1 of 2", rp)
		}
	})
}

func TestTimeSeriesCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		c := reg.Counter("c")
		a := newAgg(t, reg, metrics.AggregatorOptions{BreakdownTags: []string{"k"}, MaxTimeSeries: 2})
		a.Start()
		buf := a.NewBuffer()
		for _, v := range []string{"a", "b", "c"} {
			buf.Add(c, 1, metrics.NewTags("k", v))
		}
		buf.Flush()
		a.Stop()
		if got := len(a.TimeSeries()); got != 2 {
			t.Errorf("%d time series; want the cap, 2", got)
		}
		if got := len(summaryByKey(t, a)); got != 4 {
			t.Errorf("%d summaries; want 4: the cap is on history only", got)
		}
	})
}

func TestThresholdAbortAfterDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		fail := reg.Rate("fail")
		ok := reg.Counter("ok")
		set, err := metrics.NewThresholdSet(map[string][]metrics.ThresholdSpec{
			"fail":      {{Source: "rate<0.5", AbortOnFail: true, DelayAbortEval: 5 * time.Second}},
			"ok":        {{Source: "count<1"}},  // fails, but does not abort
			"fail{k:v}": {{Source: "rate<0.1"}}, // no data: passes
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Validate(reg); err != nil {
			t.Fatal(err)
		}
		var abortedAt time.Duration
		var aborts atomic.Int32
		start := time.Now()
		a := newAgg(t, reg, metrics.AggregatorOptions{OnAbort: func(r metrics.ThresholdResult) {
			aborts.Add(1)
			abortedAt = time.Since(start)
			if r.Source != "rate<0.5" || !r.Aborted || r.Observed != 1 {
				t.Errorf("OnAbort(%+v)", r)
			}
		}})
		if err := a.SetThresholds(set); err != nil {
			t.Fatal(err)
		}
		a.Start()
		a.SetStart(start)
		buf := a.NewBuffer()
		buf.Add(ok, 1, metrics.Tags{})
		for range 10 {
			buf.Add(fail, 1, metrics.Tags{})
			buf.Flush()
			time.Sleep(time.Second)
		}
		a.Stop()
		if aborts.Load() != 1 || abortedAt != 5*time.Second {
			t.Errorf("aborted %d times, at %v; want once, at the first evaluation after 5s", aborts.Load(), abortedAt)
		}
		res := a.Thresholds(10 * time.Second)
		want := map[string]metrics.ThresholdResult{
			"fail":      {Metric: "fail", Source: "rate<0.5", Passed: false, Observed: 1, AbortOnFail: true, Aborted: true},
			"ok":        {Metric: "ok", Source: "count<1", Passed: false, Observed: 1},
			"fail{k:v}": {Metric: "fail{k:v}", Source: "rate<0.1", Passed: true, NoData: true},
		}
		if len(res) != 3 {
			t.Fatalf("Thresholds = %+v", res)
		}
		for _, r := range res {
			if r != want[r.Metric] {
				t.Errorf("threshold %s = %+v; want %+v", r.Metric, r, want[r.Metric])
			}
		}
	})
}

func TestThresholdSummaryKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		tr := reg.Trend("t")
		reg.Counter("never")
		set, _ := metrics.NewThresholdSet(map[string][]metrics.ThresholdSpec{
			"t{m:x}": {{Source: "p(99.9)<100"}},
			"never":  {{Source: "count==0"}},
		})
		a := newAgg(t, reg, metrics.AggregatorOptions{})
		if err := a.SetThresholds(set); err != nil {
			t.Fatal(err)
		}
		a.Start()
		buf := a.NewBuffer()
		buf.Add(tr, 5, metrics.NewTags("m", "x"))
		buf.Flush()
		a.Stop()
		got := summaryByKey(t, a)
		if _, ok := got["t{m:x}"].Values["p(99.9)"]; !ok {
			t.Errorf("t{m:x} values %v lack the threshold's p(99.9)", got["t{m:x}"].Values)
		}
		if s, ok := got["never"]; !ok || s.Values["count"] != 0 {
			t.Errorf("an unused metric with a threshold is missing from summaries: %v", got)
		}
		if r := a.Thresholds(time.Second); len(r) != 2 || !r[0].Passed || !r[1].Passed {
			t.Errorf("Thresholds = %+v", r)
		}
	})
}

// BenchmarkSampleBufferAdd measures the VU side of recording: Add into a SampleBuffer whose
// batches an aggregator consumes. Target: 0 allocs/op.
func BenchmarkSampleBufferAdd(b *testing.B) {
	reg := metrics.NewRegistry()
	m := reg.Trend("req")
	a, _ := metrics.NewAggregator(reg, metrics.AggregatorOptions{})
	a.Start()
	defer a.Stop()
	buf := a.NewBuffer()
	tags := metrics.NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
	for range 10 * metrics.DefaultBatchSize { // warm the batch free list
		buf.Add(m, 1, tags)
	}
	b.ReportAllocs()
	for b.Loop() {
		buf.Add(m, 12.5, tags)
	}
}

// BenchmarkSampleBufferAddAt is BenchmarkSampleBufferAdd without reading the clock, which is
// most of Add's cost on machines with a slow clock source: a VU layer that has the time already
// (the response's arrival) should use AddAt.
func BenchmarkSampleBufferAddAt(b *testing.B) {
	reg := metrics.NewRegistry()
	m := reg.Trend("req")
	a, _ := metrics.NewAggregator(reg, metrics.AggregatorOptions{})
	a.Start()
	defer a.Stop()
	buf := a.NewBuffer()
	tags := metrics.NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
	now := time.Now()
	for range 10 * metrics.DefaultBatchSize {
		buf.AddAt(m, now, 1, tags)
	}
	b.ReportAllocs()
	for b.Loop() {
		buf.AddAt(m, now, 12.5, tags)
	}
}

// BenchmarkAggregatorPath measures the whole path of one sample: Add, flush, and aggregation
// into the metric, two breakdowns and their time series.
func BenchmarkAggregatorPath(b *testing.B) {
	reg := metrics.NewRegistry()
	m := reg.Trend("req")
	a, _ := metrics.NewAggregator(reg, metrics.AggregatorOptions{BreakdownTags: []string{"msg", "status"}})
	a.Start()
	buf := a.NewBuffer()
	tags := metrics.NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.Add(m, float64(i%1000), tags)
		i++
	}
	buf.Flush()
	a.Stop()
}

// TestRoutesFollowDeclarations: the aggregator remembers where a metric's samples with one tag
// set go (the shared, reused sets of a scenario or a message type). A sub-metric declared
// mid-run must still get the later samples of sets already routed, breakdown overflow must
// count every sample, not every set, and a set that comes back after the cache was emptied
// must land in the same series.
func TestRoutesFollowDeclarations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		m := reg.Trend("req")
		a := newAgg(t, reg, metrics.AggregatorOptions{BreakdownTags: []string{"msg"}, MaxBreakdownValues: 1})
		a.Start()
		buf := a.NewBuffer()
		ok := metrics.NewTags("msg", "A", "status", "ok")
		over := metrics.NewTags("msg", "B") // a second msg value: over the cap of 1
		for range 3 {
			buf.Add(m, 10, ok)
			buf.Add(m, 10, over)
		}
		buf.Add(m, 10, ok) // last: the metric's remembered route is ok's when Declare comes
		buf.Flush()
		synctest.Wait() // the aggregator routed both sets
		if err := a.Declare("req", metrics.NewTags("status", "ok")); err != nil {
			t.Fatal(err)
		}
		buf.Add(m, 20, ok)
		buf.Add(m, 20, metrics.NewTags("msg", "A", "status", "ok")) // the same tags, another set
		buf.Flush()
		a.Stop()
		got := summaryByKey(t, a)
		for key, want := range map[string]float64{"req": 9, "req{msg:A}": 6, "req{status:ok}": 2} {
			if c := got[key].Values["count"]; c != want {
				t.Errorf("%s count = %v; want %v (all: %v)", key, c, want, got)
			}
		}
		if a.BreakdownOverflow() != 3 {
			t.Errorf("BreakdownOverflow() = %d; want 3, one per sample of msg:B", a.BreakdownOverflow())
		}
	})
}
