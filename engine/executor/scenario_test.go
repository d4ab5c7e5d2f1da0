package executor_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

// TestGracefulStop: after the duration no iteration starts; a running one that ends within
// gracefulStop completes, one that does not is interrupted when gracefulStop expires.
func TestGracefulStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// VU 1's first iteration ends at 2.5s, within 1s + 2s; VU 2's at 5s, beyond.
		rec := newRecorder(func(it *executor.Iteration) time.Duration {
			if it.VUID == 1 {
				return 2500 * time.Millisecond
			}
			return 5 * time.Second
		})
		h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-vus","vus":2,"duration":"1s","gracefulStop":"2s"}`), rec)
		t0 := time.Now()
		counts := h.run(context.Background(), nil)
		if counts.Iterations != 1 || counts.Interrupted != 1 {
			t.Errorf("counts = %+v; want 1 completed, 1 interrupted", counts)
		}
		if got := time.Since(t0); got != 3*time.Second {
			t.Errorf("took %v; want 3s (duration + gracefulStop)", got)
		}
		if got := h.metricCount("interrupted_iterations"); got != 1 {
			t.Errorf("interrupted_iterations = %v; want 1", got)
		}
		if got := h.metricCount("iteration_duration"); got != 1 {
			t.Errorf("iteration_duration has %v values; want 1 (interrupted iterations have none)", got)
		}
	})
}

// TestExternalStop: a graceful stop request behaves like the end of the duration.
func TestExternalStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(400 * time.Millisecond))
		h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-vus","vus":3,"duration":"1h","gracefulStop":"1s"}`), rec)
		t0 := time.Now()
		counts := h.run(context.Background(), func() {
			sleepUntil(t0, 1100*time.Millisecond)
			close(h.stop)
		})
		// Iterations start at 0, .4, .8 on each VU; those of .8 end at 1.2s.
		if counts.Iterations != 9 || counts.Interrupted != 0 {
			t.Errorf("counts = %+v; want 9 completed", counts)
		}
		if got := time.Since(t0); got != 1200*time.Millisecond {
			t.Errorf("took %v; want 1.2s", got)
		}
	})
}

// TestHardStop: cancelling the context interrupts running iterations at once.
func TestHardStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(time.Second))
		h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-arrival-rate","rate":2,"duration":"1h","preAllocatedVUs":10}`), rec)
		ctx, cancel := context.WithCancel(context.Background())
		t0 := time.Now()
		counts := h.run(ctx, func() {
			sleepUntil(t0, 2250*time.Millisecond)
			cancel()
		})
		// Started at 0, .5, …, 2.0: those of 1.5 and 2.0 were running.
		if counts.Iterations != 3 || counts.Interrupted != 2 {
			t.Errorf("counts = %+v; want 3 completed, 2 interrupted", counts)
		}
		if got := time.Since(t0); got != 2250*time.Millisecond {
			t.Errorf("took %v; want 2.25s", got)
		}
	})
}

func TestStartTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(time.Second))
		h := newHarness(t, mustConfig(t, "c", `{"executor":"per-vu-iterations","startTime":"5s"}`), rec)
		t0 := time.Now()
		var waiting executor.State
		h.run(context.Background(), func() {
			sleepUntil(t0, time.Second)
			waiting = h.sc.Progress().State
		})
		if waiting != executor.Waiting {
			t.Errorf("state at 1s = %v; want waiting", waiting)
		}
		if its := rec.iterations(); len(its) != 1 || its[0].Start.Sub(t0) != 5*time.Second {
			t.Errorf("iterations %v; want one at 5s", its)
		}
		if p := h.sc.Progress(); p.State != executor.Done || p.Elapsed != time.Second || p.TotalIterations != 1 {
			t.Errorf("Progress() = %+v; want done after 1s, 1 iteration in all", p)
		}
	})
}

func TestStopBeforeStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(time.Second))
		h := newHarness(t, mustConfig(t, "c", `{"executor":"per-vu-iterations","startTime":"5s"}`), rec)
		t0 := time.Now()
		counts := h.run(context.Background(), func() {
			sleepUntil(t0, time.Second)
			close(h.stop)
		})
		if counts.Iterations != 0 || time.Since(t0) != time.Second {
			t.Errorf("counts %+v after %v; want nothing, at 1s", counts, time.Since(t0))
		}
	})
}

func TestIterationErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(time.Millisecond))
		rec.fail = func(it *executor.Iteration) error {
			switch it.ScenarioIter {
			case 1:
				return errBoom
			case 2:
				panic("kaboom")
			case 3:
				return &executor.AbortError{Reason: "enough"}
			}
			return nil
		}
		h := newHarness(t, mustConfig(t, "s", `{"executor":"shared-iterations","vus":1,"iterations":5}`), rec)
		counts := h.run(context.Background(), nil)
		if counts.Iterations != 5 || counts.Failed != 3 {
			t.Errorf("counts = %+v; want 5 iterations, 3 failed", counts)
		}
		if len(h.abort) != 1 || !executor.IsAbort(h.abort[0]) {
			t.Errorf("Abort called with %v; want one *AbortError", h.abort)
		}
	})
}

func TestPanicBecomesError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got error
		factory := executor.VUFactoryFunc(func(context.Context, uint64, *metricsBuffer) (executor.VU, error) {
			return executor.VUFunc(func(context.Context, *executor.Iteration) error { panic("kaboom") }), nil
		})
		cfg := mustConfig(t, "s", `{"executor":"shared-iterations","vus":1,"iterations":2}`)
		h := newHarness(t, cfg, newRecorder(fixed(0)), func(o *executor.ScenarioOptions) {
			o.Factory = factory
			o.Logger = captureLogger(&got)
		})
		counts := h.run(context.Background(), nil)
		if counts.Iterations != 2 || counts.Failed != 2 {
			t.Errorf("counts = %+v; want 2 failed iterations, the run going on", counts)
		}
		var pe *executor.PanicError
		if !errors.As(got, &pe) || pe.Value != "kaboom" || !strings.Contains(got.Error(), "goroutine") {
			t.Errorf("logged error = %v; want a *PanicError with the stack", got)
		}
	})
}

func TestSetTargetUnsupported(t *testing.T) {
	h := newHarness(t, mustConfig(t, "s", `{"executor":"shared-iterations"}`), newRecorder(fixed(0)))
	err := h.sc.SetTarget(3)
	if !errors.Is(err, executor.ErrTargetUnsupported) || !strings.Contains(err.Error(), `scenario "s": executor "shared-iterations"`) {
		t.Errorf("SetTarget = %v; want ErrTargetUnsupported naming the scenario and executor", err)
	}
}

func TestInitError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		factory := executor.VUFactoryFunc(func(_ context.Context, id uint64, _ *metricsBuffer) (executor.VU, error) {
			calls++
			if id == 3 {
				return nil, errBoom
			}
			return executor.VUFunc(func(context.Context, *executor.Iteration) error { return nil }), nil
		})
		h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-vus","vus":5,"duration":"1s"}`), newRecorder(fixed(0)),
			func(o *executor.ScenarioOptions) { o.Factory = factory })
		err := h.sc.Init(context.Background(), 1)
		if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), `scenario "c": initialising VU 3`) {
			t.Errorf("Init = %v; want the factory's error for VU 3", err)
		}
		h.agg.Stop()
	})
}

// TestVUIDsAcrossSegments: the VUs of all segments have distinct IDs, 1..N in all.
func TestVUIDsAcrossSegments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ids []uint64
		for _, p := range partitions(t, "", []string{"0:1/3", "1/3:2/3", "2/3:1"}) {
			rec := newRecorder(fixed(time.Millisecond))
			h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-vus","vus":10,"duration":"1s"}`), rec, withPartition(p))
			h.run(context.Background(), nil)
			ids = append(ids, rec.created...)
		}
		slices.Sort(ids)
		for i, id := range ids {
			if id != uint64(i+1) {
				t.Fatalf("VU IDs over the segments = %v; want 1..10", ids)
			}
		}
	})
}
