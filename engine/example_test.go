package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// Example runs a scenario of four VUs, 25 iterations each, whose VU is a Go function that
// records one latency per iteration, with a threshold on a sub-metric. No CLI, no JavaScript.
func Example() {
	reg := metrics.NewRegistry()
	latency := reg.Trend("request_duration")
	factory := executor.VUFactoryFunc(func(ctx context.Context, id uint64, _ *metrics.SampleBuffer) (executor.VU, error) {
		// A VU's methods run on one goroutine at a time: its own state needs no lock.
		var tags metrics.Tags // built once per VU, not per sample
		return executor.VUFunc(func(ctx context.Context, it *executor.Iteration) error {
			if tags.Len() == 0 {
				tags = it.TagSet.With("msg", "PING")
			}
			sent := time.Now()
			// … a request to the system under test, honouring ctx …
			it.RecordLatency(latency, nil, sent, time.Now(), tags)
			return nil
		}), nil
	})

	opts := engine.Options{
		Scenarios: map[string]json.RawMessage{
			"pings": json.RawMessage(`{"executor": "per-vu-iterations", "vus": 4, "iterations": 25}`),
		},
		Thresholds: map[string]engine.ThresholdList{
			"request_duration{msg:PING}": {{Threshold: "p(99)<100"}},
		},
	}
	cfg, err := opts.Resolve()
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg.Registry = reg
	run, err := engine.New(cfg, factory)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := run.Run(context.Background())
	if err != nil {
		fmt.Println(err)
	}
	ping, _ := res.Metric("request_duration{msg:PING}")
	fmt.Println("iterations:", res.Totals().Iterations)
	fmt.Println("PING samples:", ping.Values["count"])
	fmt.Println("threshold passed:", res.Thresholds[0].Passed)
	fmt.Println("exit code:", res.ExitCode())
	// Output:
	// iterations: 100
	// PING samples: 100
	// threshold passed: true
	// exit code: 0
}
