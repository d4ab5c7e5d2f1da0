package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// scenarios parses a JSON object of scenarios.
func scenarios(t *testing.T, js string) map[string]executor.Config {
	t.Helper()
	sc, err := engine.ParseScenarios(json.RawMessage(js))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// sleeper is a VU factory whose VUs sleep d per iteration (interruptibly) and record one
// "req" trend sample of it, tagged msg=<Exec>.
type sleeper struct {
	d       time.Duration
	req     *metrics.Metric
	onIter  func(ctx context.Context, it *executor.Iteration) error
	created atomic.Int64
	closed  atomic.Int64
}

func (f *sleeper) NewVU(_ context.Context, _ uint64, _ *metrics.SampleBuffer) (executor.VU, error) {
	f.created.Add(1)
	return &sleeperVU{f: f}, nil
}

type sleeperVU struct{ f *sleeper }

func (v *sleeperVU) RunIteration(ctx context.Context, it *executor.Iteration) error {
	if v.f.onIter != nil {
		if err := v.f.onIter(ctx, it); err != nil {
			return err
		}
	}
	t := time.NewTimer(v.f.d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	if v.f.req != nil {
		it.Samples.Add(v.f.req, float64(v.f.d.Milliseconds()), it.TagSet.With("msg", it.Exec))
	}
	return nil
}

func (v *sleeperVU) Close(context.Context) error {
	v.f.closed.Add(1)
	return nil
}

func TestRunTwoScenarios(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		f := &sleeper{d: 100 * time.Millisecond, req: reg.Trend("req")}
		run, err := engine.New(engine.Config{
			Registry: reg,
			Scenarios: scenarios(t, `{
				"agents": {"executor":"constant-vus","vus":3,"duration":"10s","exec":"agent"},
				"calls":  {"executor":"constant-arrival-rate","rate":5,"duration":"4s","preAllocatedVUs":2,"startTime":"2s","exec":"call","tags":{"kind":"inbound"}}
			}`),
			Thresholds: map[string][]engine.ThresholdConfig{
				"req{msg:call}": {{Threshold: "count==20"}, {Threshold: "p(99)<101"}},
				"iterations":    {{Threshold: "count>300"}},
			},
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Run(context.Background())
		if err != nil {
			t.Fatalf("Run error = %v", err)
		}
		if res.ExitCode() != engine.ExitOK || time.Duration(res.Duration) != 10*time.Second {
			t.Errorf("exit %d after %v; want 0 after 10s", res.ExitCode(), time.Duration(res.Duration))
		}
		want := []engine.ScenarioResult{
			{Name: "agents", Executor: "constant-vus", Iterations: 300, VUsMax: 3},
			{Name: "calls", Executor: "constant-arrival-rate", Iterations: 20, VUsMax: 2},
		}
		if !equalSlices(res.Scenarios, want) {
			t.Errorf("Scenarios = %+v; want %+v", res.Scenarios, want)
		}
		checks := map[string]float64{
			"iterations":                  320,
			"iterations{scenario:calls}":  20,
			"iterations{scenario:agents}": 300,
			"iteration_duration":          320,
			"req{msg:agent}":              300,
			"req{msg:call}":               20,
		}
		for key, want := range checks {
			m, ok := res.Metric(key)
			if !ok || m.Values["count"] != want {
				t.Errorf("%s count = %v (found %v); want %v", key, m.Values["count"], ok, want)
			}
		}
		if it, _ := res.Metric("iterations"); it.Values["rate"] != 32 {
			t.Errorf("iterations rate = %v; want 32/s", it.Values["rate"])
		}
		if vm, _ := res.Metric("vus_max"); vm.Values["value"] != 5 {
			t.Errorf("vus_max = %v; want 5", vm.Values)
		}
		if len(res.Thresholds) != 3 || len(res.FailedThresholds()) != 0 {
			t.Errorf("Thresholds = %+v; want 3 passed", res.Thresholds)
		}
		if by := res.Breakdown("req", "msg"); len(by) != 2 || by["agent"].Values["count"] != 300 {
			t.Errorf("Breakdown(req, msg) = %v", by)
		}
		if f.closed.Load() != 5 {
			t.Errorf("%d VUs closed; want 5", f.closed.Load())
		}
		if _, err := json.Marshal(res); err != nil {
			t.Errorf("json.Marshal(result) error = %v", err)
		}
		if _, err := run.Run(context.Background()); err == nil {
			t.Error("second Run: no error")
		}
	})
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRunThresholdFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		run, err := engine.New(engine.Config{
			Scenarios:  scenarios(t, `{"s":{"executor":"shared-iterations","vus":2,"iterations":10}}`),
			Thresholds: map[string][]engine.ThresholdConfig{"iterations": {{Threshold: "count<5"}}, "iteration_duration": {{Threshold: "p(95)<1000"}}},
		}, &sleeper{d: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Run(context.Background())
		var te *engine.ThresholdsError
		if !errors.As(err, &te) || engine.ExitCode(err) != 99 || res.ExitCode() != 99 || te.Aborted {
			t.Fatalf("Run error = %v (exit %d); want a *ThresholdsError, 99", err, res.ExitCode())
		}
		if len(te.Failed) != 1 || te.Failed[0].Observed != 10 || te.Failed[0].Metric != "iterations" {
			t.Errorf("failed thresholds = %+v; want iterations count<5 observed 10", te.Failed)
		}
	})
}

func TestRunAbortOnFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		failures := reg.Rate("failures")
		f := &sleeper{d: 100 * time.Millisecond, onIter: func(_ context.Context, it *executor.Iteration) error {
			it.Samples.Add(failures, 1, it.TagSet)
			return nil
		}}
		run, err := engine.New(engine.Config{
			Registry:  reg,
			Scenarios: scenarios(t, `{"s":{"executor":"constant-vus","vus":2,"duration":"1m"}}`),
			Thresholds: map[string][]engine.ThresholdConfig{
				"failures": {{Threshold: "rate<0.1", AbortOnFail: true, DelayAbortEval: executor.Duration(3 * time.Second)}},
			},
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		res, err := run.Run(context.Background())
		var te *engine.ThresholdsError
		if !errors.As(err, &te) || !te.Aborted || !res.AbortedByThreshold || res.ExitCode() != 99 {
			t.Fatalf("Run error = %v, result aborted %v exit %d; want an abort by threshold, 99", err, res.AbortedByThreshold, res.ExitCode())
		}
		if got := time.Since(t0); got < 3*time.Second || got > 4*time.Second {
			t.Errorf("run ended after %v; want at the first evaluation after the 3s delay", got)
		}
		if tr := res.Thresholds[0]; !tr.Aborted || tr.Passed {
			t.Errorf("threshold result = %+v; want failed and aborted", tr)
		}
	})
}

func TestRunGracefulStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: 700 * time.Millisecond}
		run, err := engine.New(engine.Config{
			Scenarios: scenarios(t, `{"s":{"executor":"constant-vus","vus":2,"duration":"1h","gracefulStop":"1s"},
			                          "later":{"executor":"per-vu-iterations","startTime":"30m"}}`),
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		go func() {
			time.Sleep(2 * time.Second)
			if !run.Stop() || run.Stop() {
				t.Error("Stop() twice: want true then false")
			}
		}()
		res, err := run.Run(context.Background())
		var ie *engine.InterruptedError
		if !errors.As(err, &ie) || ie.Hard || !res.Interrupted || res.ExitCode() != engine.ExitInterrupted {
			t.Fatalf("Run error = %v; want a graceful *InterruptedError, 105", err)
		}
		// Iterations at 0, .7, 1.4 per VU: those of 1.4s end at 2.1s, within gracefulStop.
		if tot := res.Totals(); tot.Iterations != 6 || tot.Interrupted != 0 {
			t.Errorf("totals = %+v; want 6 iterations, none interrupted", tot)
		}
		if got := time.Since(t0); got != 2100*time.Millisecond {
			t.Errorf("Run returned after %v; want 2.1s", got)
		}
	})
}

func TestRunHardStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: 700 * time.Millisecond}
		teardown := false
		run, err := engine.New(engine.Config{
			Scenarios: scenarios(t, `{"s":{"executor":"constant-vus","vus":2,"duration":"1h","gracefulStop":"1m"}}`),
			Teardown:  func(context.Context, *metrics.SampleBuffer) error { teardown = true; return nil },
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(2 * time.Second)
			run.Stop() // graceful first: 1m of grace …
			time.Sleep(50 * time.Millisecond)
			cancel() // … then the second, hard stop, before the iterations of 1.4s end
		}()
		t0 := time.Now()
		res, err := run.Run(ctx)
		var ie *engine.InterruptedError
		if !errors.As(err, &ie) || !ie.Hard || res.ExitCode() != engine.ExitInterrupted {
			t.Fatalf("Run error = %v; want a hard *InterruptedError", err)
		}
		if got := time.Since(t0); got != 2050*time.Millisecond {
			t.Errorf("Run returned after %v; want 2.05s", got)
		}
		if tot := res.Totals(); tot.Iterations != 4 || tot.Interrupted != 2 {
			t.Errorf("totals = %+v; want 4 completed, 2 interrupted", tot)
		}
		if m, _ := res.Metric("interrupted_iterations"); m.Values["count"] != 2 {
			t.Errorf("interrupted_iterations = %v; want 2", m.Values)
		}
		if teardown {
			t.Error("teardown ran after a hard stop")
		}
	})
}

// TestRunAbandonsStuckVUs: a VU that ignores its context does not keep Run from returning.
func TestRunAbandonsStuckVUs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		f := &sleeper{onIter: func(context.Context, *executor.Iteration) error { <-release; return nil }}
		run, err := engine.New(engine.Config{
			Scenarios:       scenarios(t, `{"s":{"executor":"constant-vus","vus":1,"duration":"1h"}}`),
			HardStopTimeout: 5 * time.Second,
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		t0 := time.Now()
		res, err := run.Run(ctx)
		if engine.ExitCode(err) != engine.ExitInterrupted || time.Since(t0) != 6*time.Second {
			t.Errorf("Run = %v after %v; want interrupted after 1s + 5s", err, time.Since(t0))
		}
		if res == nil {
			t.Fatal("no result")
		}
		close(release) // let the stuck VU end, so the bubble can
		time.Sleep(time.Second)
	})
}

func TestRunScriptErrors(t *testing.T) {
	tests := []struct {
		name     string
		cfg      func(*engine.Config)
		factory  executor.VUFactory
		wantCode int
		wantErr  string
	}{
		{"init", nil, executor.VUFactoryFunc(func(context.Context, uint64, *metrics.SampleBuffer) (executor.VU, error) {
			return nil, errors.New("syntax error at script.js:3:1")
		}), engine.ExitScriptError, "init: scenario \"s\": initialising VU 1: syntax error at script.js:3:1"},
		{"setup", func(c *engine.Config) {
			c.Setup = func(context.Context, *metrics.SampleBuffer) error { return errors.New("no server") }
		}, nil, engine.ExitScriptError, "setup: no server"},
		{"setup panics", func(c *engine.Config) {
			c.Setup = func(context.Context, *metrics.SampleBuffer) error { panic("oops") }
		}, nil, engine.ExitScriptError, "setup: panic: oops"},
		{"teardown", func(c *engine.Config) {
			c.Teardown = func(context.Context, *metrics.SampleBuffer) error { return errors.New("cleanup failed") }
		}, nil, engine.ExitScriptError, "teardown: cleanup failed"},
		{"abort from a VU", nil, executor.VUFactoryFunc(func(context.Context, uint64, *metrics.SampleBuffer) (executor.VU, error) {
			return executor.VUFunc(func(context.Context, *executor.Iteration) error {
				return &executor.AbortError{Reason: "bad data"}
			}), nil
		}), engine.ExitScriptAborted, "test aborted: bad data"},
		{"abort from setup", func(c *engine.Config) {
			c.Setup = func(context.Context, *metrics.SampleBuffer) error { return &executor.AbortError{Reason: "no agents"} }
		}, nil, engine.ExitScriptAborted, "test aborted: no agents"},
		{"unknown threshold metric", func(c *engine.Config) {
			c.Thresholds = map[string][]engine.ThresholdConfig{"nope": {{Threshold: "count<1"}}}
		}, nil, engine.ExitInvalidOptions, `threshold metric "nope": no metric called "nope"`},
		{"threshold aggregation for the wrong type", func(c *engine.Config) {
			c.Thresholds = map[string][]engine.ThresholdConfig{"iterations": {{Threshold: "p(95)<1"}}}
		}, nil, engine.ExitInvalidOptions, "p(95) is not available for counter metrics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := engine.Config{Scenarios: scenarios(t, `{"s":{"executor":"constant-vus","vus":1,"duration":"10s"}}`)}
				if tt.cfg != nil {
					tt.cfg(&cfg)
				}
				factory := tt.factory
				if factory == nil {
					factory = &sleeper{d: time.Second}
				}
				run, err := engine.New(cfg, factory)
				if err != nil {
					t.Fatal(err)
				}
				res, err := run.Run(context.Background())
				if engine.ExitCode(err) != tt.wantCode || res.ExitCode() != tt.wantCode || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Run error = %v (exit %d, result %d); want %d, %q", err, engine.ExitCode(err), res.ExitCode(), tt.wantCode, tt.wantErr)
				}
				if res.Error == "" || res.ErrorCode != tt.wantCode {
					t.Errorf("Result error = %q, code %d", res.Error, res.ErrorCode)
				}
			})
		})
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	sc, err := engine.ParseScenario("ok", []byte(`{"executor":"constant-vus","duration":"1s"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = engine.New(engine.Config{
		Scenarios: map[string]executor.Config{
			"ok":  sc,
			"bad": sc, // named "ok": mismatch
		},
		Segment:    "1/2:1/4",
		Thresholds: map[string][]engine.ThresholdConfig{"x": {{Threshold: "p(99<250"}}},
		TrendStats: []string{"rate"},
	}, &sleeper{})
	var ie *engine.InvalidOptionsError
	if !errors.As(err, &ie) || engine.ExitCode(err) != 104 {
		t.Fatalf("New error = %v; want an *InvalidOptionsError", err)
	}
	for _, want := range []string{
		`scenario "bad": configuration is named "ok"`,
		`execution segment "1/2:1/4"`,
		`threshold "p(99<250" of metric "x": at column 5: expected ')'`,
		`summaryTrendStats: trend stat "rate"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("New error = %v\nwant it to contain %q", err, want)
		}
	}
	if _, err := engine.New(engine.Config{}, &sleeper{}); engine.ExitCode(err) != 104 {
		t.Errorf("New with no scenario = %v; want 104", err)
	}
}

func TestSetupTeardownSamples(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		phase := reg.Counter("phase")
		var order []string
		var mu sync.Mutex
		note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
		f := &sleeper{d: time.Second, onIter: func(context.Context, *executor.Iteration) error { note("iteration"); return nil }}
		run, err := engine.New(engine.Config{
			Registry:  reg,
			Scenarios: scenarios(t, `{"s":{"executor":"shared-iterations"}}`),
			Setup: func(_ context.Context, b *metrics.SampleBuffer) error {
				note("setup")
				b.Add(phase, 1, metrics.NewTags("phase", "setup"))
				return nil
			},
			Teardown: func(_ context.Context, b *metrics.SampleBuffer) error {
				note("teardown")
				b.Add(phase, 1, metrics.NewTags("phase", "teardown"))
				return nil
			},
			BreakdownTags: []string{"phase"},
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !equalSlices(order, []string{"setup", "iteration", "teardown"}) {
			t.Errorf("order = %v", order)
		}
		if by := res.Breakdown("phase", "phase"); by["setup"].Values["count"] != 1 || by["teardown"].Values["count"] != 1 {
			t.Errorf("phase breakdown = %v; want one sample each from setup and teardown", by)
		}
	})
}

func TestRunSetTargetAndLiveView(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: 10 * time.Millisecond}
		run, err := engine.New(engine.Config{
			Scenarios: scenarios(t, `{"rate":{"executor":"constant-arrival-rate","rate":10,"duration":"10s","preAllocatedVUs":2},
			                          "once":{"executor":"shared-iterations"}}`),
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(5*time.Second + 50*time.Millisecond)
			if err := run.SetTarget("rate", 20); err != nil {
				t.Error(err)
			}
			if err := run.SetTarget("once", 2); err == nil || !strings.Contains(err.Error(), "executor \"shared-iterations\"") {
				t.Errorf("SetTarget(once) = %v; want unsupported", err)
			}
			if err := run.SetTarget("nope", 2); err == nil || !strings.Contains(err.Error(), `no scenario "nope" (have once, rate)`) {
				t.Errorf("SetTarget(nope) = %v", err)
			}
			time.Sleep(time.Second)
			p := run.Progress()
			if len(p) != 2 || p[1].Scenario != "rate" || p[1].Target != 20 || p[1].Iterations != 71 || p[1].Elapsed != 6050*time.Millisecond {
				t.Errorf("Progress() = %+v", p)
			}
			if s, ok := run.Snapshot("iterations{scenario:rate}"); !ok || s.Values["count"] != 71 {
				t.Errorf("Snapshot = %+v, %v; want 71 iterations", s, ok)
			}
			// Percentiles are the top of their histogram bucket: 10ms is in an 8µs bucket.
			if s, ok := run.Snapshot("iteration_duration"); !ok || s.Values["p(95)"] != 10.007 || s.Values["max"] != 10 {
				t.Errorf("Snapshot(iteration_duration) = %+v, %v; want p(95) 10.007ms, max 10ms", s, ok)
			}
			if run.Elapsed() != 6050*time.Millisecond {
				t.Errorf("Elapsed() = %v", run.Elapsed())
			}
			// The dashboard's view: the result so far, as the final one will be made.
			part := run.Partial()
			if time.Duration(part.Duration) != 6050*time.Millisecond || len(part.Scenarios) != 2 || part.Scenarios[1].Iterations != 71 {
				t.Errorf("Partial() = %v, %+v; want 6.05s and 71 iterations of rate", time.Duration(part.Duration), part.Scenarios)
			}
			if m, ok := part.Metric("iterations{scenario:rate}"); !ok || m.Values["count"] != 71 {
				t.Errorf("Partial().Metric(iterations{scenario:rate}) = %+v, %v", m, ok)
			}
			if m, ok := part.Metric("iteration_duration"); !ok || m.Histogram == "" {
				t.Errorf("Partial() has no histogram of iteration_duration: %+v", m)
			}
			var secs int
			for _, se := range part.TimeSeries {
				if se.Key == "iterations" {
					secs = len(se.Points)
				}
			}
			if secs < 6 {
				t.Errorf("Partial() has %d seconds of iterations; want the 6 elapsed", secs)
			}
		}()
		res, err := run.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Scenarios[1].Iterations; got != 150 {
			t.Errorf("rate iterations = %d; want 150 (50 at 10/s, 100 at 20/s)", got)
		}
	})
}

// TestVUsClosedAfterFailedSetup: VUs are closed however the run ends.
func TestVUsClosedAfterFailedSetup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: time.Second}
		run, err := engine.New(engine.Config{
			Scenarios: scenarios(t, `{"s":{"executor":"constant-vus","vus":3,"duration":"10s"}}`),
			Setup:     func(context.Context, *metrics.SampleBuffer) error { return errors.New("no") },
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := run.Run(context.Background()); engine.ExitCode(err) != engine.ExitScriptError {
			t.Fatalf("Run = %v; want a script error", err)
		}
		if f.created.Load() != 3 || f.closed.Load() != 3 {
			t.Errorf("%d VUs created, %d closed; want 3 and 3", f.created.Load(), f.closed.Load())
		}
	})
}

// TestVUsGaugeSeesAShortRun: a run shorter than the one-second sampling interval must still show
// its active VUs (the gauge records the peak since the previous sample).
func TestVUsGaugeSeesAShortRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: 300 * time.Millisecond}
		run, err := engine.New(engine.Config{
			Scenarios: scenarios(t, `{"s": {"executor":"per-vu-iterations","vus":3,"iterations":2}}`),
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		vus, ok := res.Metric("vus")
		if !ok || vus.Values["max"] != 3 {
			t.Fatalf("vus gauge = %+v; want max 3 for a 600 ms run of 3 VUs", vus.Values)
		}
	})
}

// TestFailedIterationsCanFailTheRun: iterations that return an error are counted in
// failed_iterations, so a threshold on it turns script exceptions into a failed verdict.
func TestFailedIterationsCanFailTheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: time.Millisecond, onIter: func(_ context.Context, it *executor.Iteration) error {
			if it.ScenarioIter%3 == 0 {
				return errors.New("boom")
			}
			return nil
		}}
		run, err := engine.New(engine.Config{
			Scenarios:  scenarios(t, `{"s": {"executor":"shared-iterations","vus":2,"iterations":9}}`),
			Thresholds: map[string][]engine.ThresholdConfig{"failed_iterations": {{Threshold: "count==0"}}},
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := run.Run(context.Background())
		failed, ok := res.Metric("failed_iterations")
		if !ok || failed.Values["count"] != 3 {
			t.Fatalf("failed_iterations = %+v; want count 3 of 9", failed.Values)
		}
		if res.ExitCode() != engine.ExitThresholdsFailed {
			t.Fatalf("exit %d; want %d when failed_iterations count==0 is crossed", res.ExitCode(), engine.ExitThresholdsFailed)
		}
	})
}

// TestRunStartAt: the scenarios start at Config.StartAt, after VU init, so segments started
// apart run as one test; a stop during the wait ends it without an iteration.
func TestRunStartAt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: 200 * time.Millisecond}
		t0 := time.Now()
		var first time.Time
		var once sync.Once
		f.onIter = func(context.Context, *executor.Iteration) error {
			once.Do(func() { first = time.Now() })
			return nil
		}
		run, err := engine.New(engine.Config{
			Scenarios: scenarios(t, `{"s": {"executor":"per-vu-iterations","vus":2,"iterations":1}}`),
			StartAt:   t0.Add(45 * time.Second),
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := first.Sub(t0); got != 45*time.Second {
			t.Errorf("first iteration %v after New; want 45s (StartAt)", got)
		}
		if !res.StartTime.Equal(t0.Add(45*time.Second)) || res.Totals().Iterations != 2 {
			t.Errorf("start %v, totals %+v; want the start at StartAt and 2 iterations", res.StartTime.Sub(t0), res.Totals())
		}
	})
	synctest.Test(t, func(t *testing.T) {
		f := &sleeper{d: 200 * time.Millisecond}
		t0 := time.Now()
		run, err := engine.New(engine.Config{
			Scenarios: scenarios(t, `{"s": {"executor":"per-vu-iterations","vus":2,"iterations":1}}`),
			StartAt:   t0.Add(time.Hour),
		}, f)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(3 * time.Second)
			run.Stop()
		}()
		res, _ := run.Run(context.Background())
		if got := time.Since(t0); got != 3*time.Second || res.Totals().Iterations != 0 {
			t.Errorf("stopped while waiting: returned after %v with %+v; want at 3s, no iteration", got, res.Totals())
		}
	})
}
