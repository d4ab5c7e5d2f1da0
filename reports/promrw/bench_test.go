package promrw_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports/promrw"
)

// discardReceiver is a loopback receiver that takes every push.
func discardReceiver(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkAddSamples is the output's cost on the engine's hot path, per sample: batches of 256
// samples as the engine hands them over (requests, failures and latencies over 20 message
// types, so each batch touches some 60 series). Reported: ns/sample and allocs/op per batch
// (0 once the series exist).
func BenchmarkAddSamples(b *testing.B) {
	srv := discardReceiver(b)
	reg := metrics.NewRegistry()
	reqs, fails, dur := reg.Counter("cti_requests"), reg.Counter("cti_failures"), reg.Trend("cti_request_duration")
	var tags []metrics.Tags
	for i := range 20 {
		tags = append(tags, metrics.NewTags("msg", "MSG_"+itoa(int64(i)), "scenario", "agents", "status", "ok"))
	}
	now := time.Now()
	batch := make([]metrics.Sample, 0, 256)
	for i := 0; len(batch) < 256; i++ {
		tg := tags[i%len(tags)]
		batch = append(batch, metrics.Sample{Metric: reqs, Tags: tg, Time: now, Value: 1},
			metrics.Sample{Metric: dur, Tags: tg, Time: now, Value: float64(i%97) + 0.25})
		if i%10 == 0 {
			batch = append(batch, metrics.Sample{Metric: fails, Tags: tg.With("code", "CF_GENERIC"), Time: now, Value: 1})
		}
	}
	batch = batch[:256]
	out, err := promrw.New(promrw.Config{URL: srv.URL, PushInterval: time.Second}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	out.AddSamples(batch) // the series exist from here on
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out.AddSamples(batch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(batch)), "ns/sample")
}

// BenchmarkEmptyIterationThroughput runs empty iterations (the engine records iterations and
// iteration_duration for each) as fast as 4 VUs go, without and with a prometheus-rw output
// pushing every second to a loopback receiver, in 7 adjacent pairs (so that the load of a
// shared machine hits both sides alike), and reports the median iterations per second of
// each side and the median of the pairs' ratios (with / without), which must stay above 0.9:
// the output may not slow a test down.
func BenchmarkEmptyIterationThroughput(b *testing.B) {
	srv := discardReceiver(b)
	const iterations = 200_000
	sc, err := engine.ParseScenarios(json.RawMessage(`{"empty":{"executor":"shared-iterations","vus":4,"iterations":200000,"maxDuration":"5m"}}`))
	if err != nil {
		b.Fatal(err)
	}
	factory := executor.VUFactoryFunc(func(context.Context, uint64, *metrics.SampleBuffer) (executor.VU, error) {
		return executor.VUFunc(func(context.Context, *executor.Iteration) error { return nil }), nil
	})
	once := func(withOutput bool) float64 {
		cfg := engine.Config{Scenarios: sc}
		var out *promrw.Output
		if withOutput {
			var err error
			if out, err = promrw.New(promrw.Config{URL: srv.URL, PushInterval: time.Second}, nil); err != nil {
				b.Fatal(err)
			}
			cfg.SampleHook = out.AddSamples
		}
		run, err := engine.New(cfg, factory)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := run.Run(context.Background())
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if out != nil {
			out.Close()
			if st := out.Status(); len(st.Problems) > 0 {
				b.Fatalf("output problems: %v", st.Problems)
			}
		}
		if n := res.Totals().Iterations; n != iterations {
			b.Fatalf("%d iterations, want %d", n, iterations)
		}
		return iterations / took.Seconds()
	}
	for b.Loop() {
		var without, with, ratios []float64
		for i := range 7 {
			a, w := 0.0, 0.0
			if i%2 == 0 { // which side goes first alternates too
				a, w = once(false), once(true)
			} else {
				w, a = once(true), once(false)
			}
			without, with, ratios = append(without, a), append(with, w), append(ratios, w/a)
		}
		slices.Sort(without)
		slices.Sort(with)
		slices.Sort(ratios)
		ratio := ratios[3]
		b.ReportMetric(without[3], "it/s_without")
		b.ReportMetric(with[3], "it/s_with")
		b.ReportMetric(ratio, "ratio")
		if ratio < 0.9 {
			b.Errorf("with prometheus-rw, empty iterations run at %.2f of the speed without (want > 0.9)", ratio)
		}
	}
}
