package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// BenchmarkArrivalRatePrecision runs constant-arrival-rate at 5,000 iterations/s for 10s (2s
// with -short) in real time, with a no-op VU, and reports:
//
//   - iterations_ratio: iterations run / iterations scheduled (1 when none is dropped);
//   - rate_ratio: achieved rate (iterations over the span of their starts) / target rate;
//   - late_p50_ms, late_p99_ms, late_max_ms: how late iterations started (Start − Scheduled);
//   - dropped.
//
// It is a benchmark so that plain `go test` skips it; b.N is ignored beyond running it once.
func BenchmarkArrivalRatePrecision(b *testing.B) {
	const rate = 5000
	dur := 10 * time.Second
	if testing.Short() {
		dur = 2 * time.Second
	}
	n := int(rate * dur.Seconds())
	for b.Loop() {
		late := make([]time.Duration, n+1000)
		starts := make([]time.Time, n+1000)
		var idx atomic.Int64
		factory := executor.VUFactoryFunc(func(context.Context, uint64, *metrics.SampleBuffer) (executor.VU, error) {
			return executor.VUFunc(func(_ context.Context, it *executor.Iteration) error {
				if i := idx.Add(1) - 1; int(i) < len(late) {
					late[i] = it.Lateness()
					starts[i] = it.Start
				}
				return nil
			}), nil
		})
		sc, err := engine.ParseScenarios(json.RawMessage(fmt.Sprintf(
			`{"rate":{"executor":"constant-arrival-rate","rate":%d,"duration":%q,"preAllocatedVUs":50,"maxVUs":500}}`, rate, dur)))
		if err != nil {
			b.Fatal(err)
		}
		run, err := engine.New(engine.Config{Scenarios: sc}, factory)
		if err != nil {
			b.Fatal(err)
		}
		res, err := run.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		got := int(idx.Load())
		late, starts = late[:got], starts[:got]
		slices.Sort(late)
		slices.SortFunc(starts, func(x, y time.Time) int { return x.Compare(y) })
		pct := func(p float64) float64 {
			if got == 0 {
				return 0
			}
			return float64(late[min(got-1, int(p*float64(got)))]) / 1e6
		}
		span := starts[got-1].Sub(starts[0]).Seconds()
		b.ReportMetric(float64(got)/float64(n), "iterations_ratio")
		b.ReportMetric(float64(got-1)/span/rate, "rate_ratio")
		b.ReportMetric(pct(0.50), "late_p50_ms")
		b.ReportMetric(pct(0.99), "late_p99_ms")
		b.ReportMetric(float64(late[got-1])/1e6, "late_max_ms")
		b.ReportMetric(float64(res.Totals().Dropped), "dropped")
	}
}

// BenchmarkEmptyIterations runs b.N empty iterations on 100 VUs (shared-iterations, a no-op VU)
// through the whole engine: scheduling, the iteration's bookkeeping and its samples
// (iterations, iteration_duration) down the metrics path to the aggregator. It is the
// engine's own ceiling, the figure to compare with k6 running scripts/bench/empty-iteration.js;
// run it with -cpu 1,2 to see whether it grows with cores.
func BenchmarkEmptyIterations(b *testing.B) {
	factory := executor.VUFactoryFunc(func(context.Context, uint64, *metrics.SampleBuffer) (executor.VU, error) {
		return executor.VUFunc(func(context.Context, *executor.Iteration) error { return nil }), nil
	})
	sc, err := engine.ParseScenarios(json.RawMessage(fmt.Sprintf(
		`{"empty":{"executor":"shared-iterations","vus":100,"iterations":%d,"maxDuration":"1h"}}`, max(b.N, 100))))
	if err != nil {
		b.Fatal(err)
	}
	run, err := engine.New(engine.Config{Scenarios: sc}, factory)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	res, err := run.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	// CPU time per iteration is the figure that holds on a shared machine, where wall time
	// depends on what else runs.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if got := res.Totals().Iterations; got != int64(max(b.N, 100)) {
		b.Fatalf("%d iterations; want %d", got, max(b.N, 100))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iterations/s")
}

// processCPU returns the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
