package executor_test

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

// TestRampingArrivalRate checks that the iterations started in each stage are the integral of
// the stage's rate.
func TestRampingArrivalRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := mustConfig(t, "r", `{"executor":"ramping-arrival-rate","startRate":0,"preAllocatedVUs":5,
			"stages":[{"duration":"10s","target":10},{"duration":"10s","target":10},{"duration":"5s","target":0},
			          {"duration":"5s","target":0},{"duration":"0s","target":7},{"duration":"3s","target":7}]}`).(*executor.RampingArrivalRateConfig)
		rec := newRecorder(fixed(50 * time.Millisecond))
		h := newHarness(t, cfg, rec)
		t0 := time.Now()
		counts := h.run(context.Background(), nil)
		// Stage integrals: 50, 100, 25, 0, 0, 21.
		bounds := []time.Duration{0, 10 * time.Second, 20 * time.Second, 25 * time.Second, 30 * time.Second, 33 * time.Second}
		want := []int{50, 100, 25, 0, 21}
		got := make([]int, len(want))
		for _, it := range rec.iterations() {
			at := it.Scheduled.Sub(t0)
			for k := range want {
				if at >= bounds[k] && at < bounds[k+1] {
					got[k]++
				}
			}
		}
		if !equal(got, want) {
			t.Errorf("iterations per stage = %v; want %v", got, want)
		}
		if total := cfg.Schedule().Total(); counts.Iterations != int64(math.Ceil(total)) || counts.Iterations != 196 {
			t.Errorf("iterations = %d; want ⌈%v⌉ = 196", counts.Iterations, total)
		}
	})
}

func TestRampingArrivalRateSetTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(time.Millisecond))
		h := newHarness(t, mustConfig(t, "r", `{"executor":"ramping-arrival-rate","startRate":0,"preAllocatedVUs":1,
			"stages":[{"duration":"10s","target":10}]}`), rec)
		counts := h.run(context.Background(), func() {
			sleepUntil(time.Now(), 4*time.Second)
			if err := h.sc.SetTarget(1); err != nil {
				t.Error(err)
			}
		})
		// N(4s) = 8, then 1/s for 6s: 14.
		if counts.Iterations != 14 {
			t.Errorf("iterations = %d; want 14", counts.Iterations)
		}
	})
}
