package executor_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

func TestRampingVUSteps(t *testing.T) {
	s := time.Second
	stage := func(d time.Duration, target int64) executor.Stage {
		return executor.Stage{Duration: executor.Duration(d), Target: target}
	}
	tests := []struct {
		name   string
		start  int64
		stages []executor.Stage
		want   []executor.VUStep
	}{
		{"ramp up", 0, []executor.Stage{stage(4*s, 4)}, []executor.VUStep{{0, 0}, {s, 1}, {2 * s, 2}, {3 * s, 3}, {4 * s, 4}}},
		{"ramp down", 4, []executor.Stage{stage(2*s, 0)}, []executor.VUStep{{0, 4}, {500 * time.Millisecond, 3}, {s, 2}, {1500 * time.Millisecond, 1}, {2 * s, 0}}},
		{"hold then jump", 2, []executor.Stage{stage(3*s, 2), stage(0, 5), stage(s, 5)}, []executor.VUStep{{0, 2}, {3 * s, 5}}},
		{"jump at start", 1, []executor.Stage{stage(0, 3), stage(s, 3)}, []executor.VUStep{{0, 3}}},
		{"uneven: ceil to the nanosecond", 0, []executor.Stage{stage(s, 3)}, []executor.VUStep{{0, 0}, {333333334, 1}, {666666667, 2}, {s, 3}}},
		{"up and down", 1, []executor.Stage{stage(2*s, 3), stage(2*s, 1)}, []executor.VUStep{{0, 1}, {s, 2}, {2 * s, 3}, {3 * s, 2}, {4 * s, 1}}},
		{"very long ramp, no overflow", 0, []executor.Stage{stage(100*24*time.Hour, 2)}, []executor.VUStep{{0, 0}, {50 * 24 * time.Hour, 1}, {100 * 24 * time.Hour, 2}}},
	}
	for _, tt := range tests {
		got := executor.RampingVUSteps(tt.start, tt.stages)
		if !equal(got, tt.want) {
			t.Errorf("%s: RampingVUSteps = %v; want %v", tt.name, got, tt.want)
		}
	}
}

// TestRampingVUs checks the number of active VUs over time against the stages.
func TestRampingVUs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := mustConfig(t, "r", `{"executor":"ramping-vus","startVUs":0,"gracefulRampDown":"1s",
			"stages":[{"duration":"10s","target":10},{"duration":"5s","target":10},{"duration":"5s","target":0}]}`).(*executor.RampingVUsConfig)
		// 30ms iterations: a VU removed by a step is idle 50ms later, when it is sampled, and no
		// iteration boundary of a VU falls on the step that removes it (see rampingIterations).
		const d = 30 * time.Millisecond
		rec := newRecorder(fixed(d))
		h := newHarness(t, cfg, rec)
		type sample struct {
			at        time.Duration
			got, want int64
		}
		var samples []sample
		counts := h.run(context.Background(), func() {
			t0 := time.Now()
			for at := 550 * time.Millisecond; at < 20*time.Second; at += 500 * time.Millisecond {
				sleepUntil(t0, at)
				samples = append(samples, sample{at, h.sc.ActiveVUs(), cfg.VUsAt(at)})
			}
		})
		for _, s := range samples {
			if s.got != s.want {
				t.Errorf("at %v: %d active VUs; want %d", s.at, s.got, s.want)
			}
		}
		if len(rec.created) != 10 || counts.Interrupted != 0 {
			t.Errorf("%d VUs, %d interrupted; want 10 VUs, none interrupted (iterations are shorter than gracefulRampDown)", len(rec.created), counts.Interrupted)
		}
		if want := rampingIterations(cfg, d); counts.Iterations != want {
			t.Errorf("iterations = %d; want %d", counts.Iterations, want)
		}
	})
}

// rampingIterations counts the iterations of fixed length d that VU k (1-based) starts while it
// is wanted: from the step that brings the count to k until the step that takes it below.
func rampingIterations(cfg *executor.RampingVUsConfig, d time.Duration) int64 {
	steps := executor.RampingVUSteps(cfg.StartVUs, cfg.Stages)
	end := cfg.RegularDuration()
	var total int64
	for k := int64(1); ; k++ {
		var from time.Duration = -1
		var n int64
		for i, st := range steps {
			next := end
			if i+1 < len(steps) {
				next = steps[i+1].At
			}
			if st.VUs >= k && from < 0 {
				from = st.At
			}
			if from >= 0 && (st.VUs < k || i+1 == len(steps)) {
				stopAt := st.At
				if st.VUs >= k {
					stopAt = next
				}
				// iterations start at from, from+d, … while before stopAt
				n += int64((stopAt - from + d - 1) / d)
				from = -1
			}
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

func TestRampingVUsSetTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(100 * time.Millisecond))
		h := newHarness(t, mustConfig(t, "r", `{"executor":"ramping-vus","startVUs":1,"stages":[{"duration":"10s","target":1}]}`), rec)
		var seen []int64
		h.run(context.Background(), func() {
			t0 := time.Now()
			sleepUntil(t0, 2050*time.Millisecond)
			if err := h.sc.SetTarget(4); err != nil {
				t.Error(err)
			}
			sleepUntil(t0, 3025*time.Millisecond)
			seen = append(seen, h.sc.ActiveVUs())
			if p := h.sc.Progress(); p.Target != 4 {
				t.Errorf("Progress().Target = %v; want 4", p.Target)
			}
		})
		if !equal(seen, []int64{4}) || len(rec.created) != 4 {
			t.Errorf("active VUs %v, created %d; want 4 and 4", seen, len(rec.created))
		}
	})
}
