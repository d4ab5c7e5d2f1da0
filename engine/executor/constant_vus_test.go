package executor_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestConstantVUs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 300ms iterations for 10s: iterations start at 0, 0.3, …, 9.9 — 34 per VU — and the
		// last ends at 10.2s, within the graceful stop.
		rec := newRecorder(fixed(300 * time.Millisecond))
		h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-vus","vus":5,"duration":"10s"}`), rec)
		start := time.Now()
		counts := h.run(context.Background(), nil)
		if counts.Iterations != 5*34 || counts.Interrupted != 0 {
			t.Errorf("counts = %+v; want 170 iterations, none interrupted", counts)
		}
		if got, want := time.Since(start), 10200*time.Millisecond; got != want {
			t.Errorf("took %v; want %v", got, want)
		}
		if len(rec.closed) != 5 {
			t.Errorf("closed %d VUs; want 5", len(rec.closed))
		}
	})
}

func TestConstantVUsSetTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(fixed(100 * time.Millisecond))
		h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-vus","vus":2,"duration":"10s","gracefulStop":"1s"}`), rec)
		var seen []int64
		counts := h.run(context.Background(), func() {
			t0 := time.Now()
			sleepUntil(t0, 2950*time.Millisecond)
			seen = append(seen, h.sc.ActiveVUs())
			if err := h.sc.SetTarget(5); err != nil {
				t.Error(err)
			}
			sleepUntil(t0, 4020*time.Millisecond) // off every iteration boundary (x.x0, x.x5)
			seen = append(seen, h.sc.ActiveVUs())
			if err := h.sc.SetTarget(1); err != nil {
				t.Error(err)
			}
			sleepUntil(t0, 4950*time.Millisecond)
			seen = append(seen, h.sc.ActiveVUs())
			if p := h.sc.Progress(); p.Target != 1 || p.VUsMax != 5 {
				t.Errorf("Progress() = %+v; want target 1, 5 VUs initialised", p)
			}
			if err := h.sc.SetTarget(1.5); err == nil {
				t.Error("SetTarget(1.5): no error")
			}
		})
		if want := []int64{2, 5, 1}; !equal(seen, want) {
			t.Errorf("active VUs = %v; want %v", seen, want)
		}
		if len(rec.created) != 5 {
			t.Errorf("%d VUs created; want 5 (3 at run time)", len(rec.created))
		}
		// 100ms iterations. VU 1 loops all along: 100. VU 2 starts iterations until 4.02s: 41,
		// the last one finishing within gracefulStop. VUs 3-5 start at 2.95s and stop at
		// 4.02s: 11 each.
		if counts.Iterations != 100+41+33 || counts.Interrupted != 0 {
			t.Errorf("counts = %+v; want 174 iterations, none interrupted", counts)
		}
	})
}

func equal[T comparable](a, b []T) bool {
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
