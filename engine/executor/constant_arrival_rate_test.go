package executor_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

func TestConstantArrivalRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(50 * time.Millisecond))
		h := newHarness(t, mustConfig(t, "a", `{"executor":"constant-arrival-rate","rate":10,"duration":"10s","preAllocatedVUs":2}`), rec)
		t0 := time.Now()
		counts := h.run(context.Background(), nil)
		if counts.Iterations != 100 || counts.Dropped != 0 {
			t.Errorf("counts = %+v; want 100 iterations, none dropped", counts)
		}
		for _, it := range rec.iterations() {
			want := t0.Add(time.Duration(it.ScenarioIter) * 100 * time.Millisecond)
			if !it.Scheduled.Equal(want) || !it.Start.Equal(want) {
				t.Fatalf("iteration %d scheduled %v, started %v; want both at %v", it.ScenarioIter, it.Scheduled.Sub(t0), it.Start.Sub(t0), want.Sub(t0))
			}
		}
		if got := h.metricCount("dropped_iterations"); got != 0 {
			t.Errorf("dropped_iterations = %v; want 0", got)
		}
	})
}

// TestArrivalRateDrops checks that an iteration with no free VU is dropped, never queued, and
// that VUs are added in the background up to maxVUs.
func TestArrivalRateDrops(t *testing.T) {
	tests := []struct {
		name        string
		js          string
		wantRun     int64
		wantDropped int64
		wantVUs     int
	}{
		// One VU busy 250ms of every 100ms slot: it takes the slots at 0, .3, .6, … of 2s.
		{"maxVUs reached", `{"executor":"constant-arrival-rate","rate":10,"duration":"2s","preAllocatedVUs":1,"maxVUs":1}`, 7, 13, 1},
		// A second VU is added after the drop at .1s, a third after the drop at .4s; three
		// suffice from then on.
		{"growing to maxVUs", `{"executor":"constant-arrival-rate","rate":10,"duration":"2s","preAllocatedVUs":1,"maxVUs":5}`, 18, 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder(fixed(250 * time.Millisecond))
				h := newHarness(t, mustConfig(t, "a", tt.js), rec)
				counts := h.run(context.Background(), nil)
				if counts.Iterations != tt.wantRun || counts.Dropped != tt.wantDropped || len(rec.created) != tt.wantVUs {
					t.Errorf("counts = %+v with %d VUs; want %d run, %d dropped, %d VUs", counts, len(rec.created), tt.wantRun, tt.wantDropped, tt.wantVUs)
				}
				if got := h.metricCount("dropped_iterations"); got != float64(tt.wantDropped) {
					t.Errorf("dropped_iterations metric = %v; want %d", got, tt.wantDropped)
				}
				// Dropped iterations are never run late: every iteration started on time.
				for _, it := range rec.iterations() {
					if it.Lateness() != 0 {
						t.Errorf("iteration %d started %v late", it.ScenarioIter, it.Lateness())
					}
				}
			})
		})
	}
}

func TestConstantArrivalRateSetTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(10 * time.Millisecond))
		h := newHarness(t, mustConfig(t, "a", `{"executor":"constant-arrival-rate","rate":10,"duration":"10s","preAllocatedVUs":2}`), rec)
		counts := h.run(context.Background(), func() {
			t0 := time.Now()
			sleepUntil(t0, 5*time.Second+50*time.Millisecond)
			if got := h.sc.Progress().Target; got != 10 {
				t.Errorf("Target before = %v; want 10", got)
			}
			if err := h.sc.SetTarget(20); err != nil {
				t.Error(err)
			}
			if got := h.sc.Progress().Target; got != 20 {
				t.Errorf("Target after = %v; want 20", got)
			}
			if err := h.sc.SetTarget(-1); err == nil {
				t.Error("SetTarget(-1): no error")
			}
		})
		// N(5.05s) = 50.5 at 10/s, then 20/s for 4.95s: 99 more; ⌈149.5⌉ = 150.
		if counts.Iterations != 150 {
			t.Errorf("iterations = %d; want 150", counts.Iterations)
		}
		its := rec.iterations()
		var idx []uint64
		for _, it := range its {
			idx = append(idx, it.ScenarioIter)
		}
		for i, v := range idx {
			if v != uint64(i) {
				t.Fatalf("ScenarioIter %v; want 0, 1, 2, … (indices continue across the change)", idx)
			}
		}
	})
}

func TestArrivalRateTimeUnit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(time.Millisecond))
		h := newHarness(t, mustConfig(t, "a", `{"executor":"constant-arrival-rate","rate":3,"timeUnit":"1m","duration":"2m","preAllocatedVUs":1}`), rec)
		counts := h.run(context.Background(), nil)
		if counts.Iterations != 6 {
			t.Errorf("iterations = %d; want 6", counts.Iterations)
		}
		if its := rec.iterations(); its[1].Scheduled.Sub(its[0].Scheduled) != 20*time.Second {
			t.Errorf("spacing = %v; want 20s", its[1].Scheduled.Sub(its[0].Scheduled))
		}
	})
}

var _ = executor.ConstantArrivalRateType

// TestIterationStartLateness checks that every arrival-rate iteration, whatever it does,
// records how late it started in iteration_start_lateness, tagged with its scenario, and that
// VU-based iterations, which have no schedule, record none.
func TestIterationStartLateness(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want int // samples
	}{
		{"constant-arrival-rate", `{"executor":"constant-arrival-rate","rate":10,"duration":"2s","preAllocatedVUs":2,"maxStartLateness":"50ms"}`, 20},
		{"ramping-arrival-rate", `{"executor":"ramping-arrival-rate","stages":[{"duration":"2s","target":10}],"preAllocatedVUs":2,"maxStartLateness":"1s"}`, 10},
		{"constant-vus", `{"executor":"constant-vus","vus":2,"duration":"1s"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder(fixed(100 * time.Millisecond))
				h := newHarness(t, mustConfig(t, "lateness", tt.js), rec)
				counts := h.run(context.Background(), nil)
				got := h.samplesOf("iteration_start_lateness")
				if len(got) != tt.want {
					t.Fatalf("%d iteration_start_lateness samples for %+v; want %d", len(got), counts, tt.want)
				}
				if tt.want > 0 && int64(len(got)) != counts.Iterations {
					t.Errorf("%d samples for %d iterations; want one each", len(got), counts.Iterations)
				}
				for _, s := range got {
					if sc, _ := s.Tags.Get("scenario"); sc != "lateness" {
						t.Errorf("sample tagged scenario=%q; want lateness", sc)
					}
					// The fake clock never lets the scheduler fall behind: every start is on time.
					if s.Value != 0 {
						t.Errorf("lateness %vms; want 0", s.Value)
					}
				}
			})
		})
	}
}

// TestArrivalRateCatchesUpAfterDuration checks, at exact instants, what becomes of iterations
// due before the end of the duration that the scheduler reaches only after it (here, having
// started iteration 7 at 0.7 s, it loses its CPU for 350 ms before it looks at iteration 8, due
// at 0.8 s of a 1 s duration, and comes back at 1.05 s): they start late, as they would have earlier in the run, unless maxStartLateness
// says they are too late, gracefulStop has run out (both: dropped, counted) or a stop was
// asked for (not needed: neither run nor dropped). They used to be dropped at the end of the
// duration: the last agents of a login ramp were lost whenever the scheduler was behind.
func TestArrivalRateCatchesUpAfterDuration(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name        string
		extra       string        // configuration besides rate 10/s for 1s
		stopAt      time.Duration // a graceful stop asked for at this offset; 0: none
		wantStarts  map[uint64]time.Duration
		wantDropped int64
	}{
		{"started late", `"gracefulStop":"30s"`, 0, map[uint64]time.Duration{8: 1050 * ms, 9: 1050 * ms}, 0},
		// 8 is 250 ms late, 9 150 ms.
		{"beyond maxStartLateness", `"gracefulStop":"30s","maxStartLateness":"200ms"`, 0, map[uint64]time.Duration{9: 1050 * ms}, 1},
		{"gracefulStop ran out", `"gracefulStop":"30ms"`, 0, nil, 2},
		{"stop asked for", `"gracefulStop":"30s"`, 950 * ms, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder(fixed(50 * ms))
				h := newHarness(t, mustConfig(t, "a", `{"executor":"constant-arrival-rate","rate":10,"duration":"1s","preAllocatedVUs":2,`+tt.extra+`}`), rec)
				executor.SetSchedulerStall(h.sc, func(i int64) {
					if i == 8 {
						time.Sleep(350 * ms)
					}
				})
				t0 := time.Now()
				var during func()
				if tt.stopAt > 0 {
					during = func() {
						sleepUntil(t0, tt.stopAt)
						close(h.stop)
					}
				}
				counts := h.run(context.Background(), during)
				for _, it := range rec.iterations() {
					due := time.Duration(it.ScenarioIter) * 100 * ms
					want, late := tt.wantStarts[it.ScenarioIter]
					if !late {
						want = due
					}
					if it.ScenarioIter >= 8 && !late {
						t.Errorf("iteration %d started at %v; want it not started", it.ScenarioIter, it.Start.Sub(t0))
						continue
					}
					if got := it.Start.Sub(t0); got != want || it.Scheduled.Sub(t0) != due {
						t.Errorf("iteration %d scheduled at %v, started at %v; want %v, %v", it.ScenarioIter, it.Scheduled.Sub(t0), got, due, want)
					}
				}
				if want := int64(8 + len(tt.wantStarts)); counts.Iterations != want || counts.Dropped != tt.wantDropped {
					t.Errorf("counts = %+v; want %d iterations, %d dropped", counts, want, tt.wantDropped)
				}
				if got := h.metricCount("dropped_iterations"); got != float64(tt.wantDropped) {
					t.Errorf("dropped_iterations = %v; want %d", got, tt.wantDropped)
				}
			})
		})
	}
}
