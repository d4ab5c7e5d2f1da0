package executor_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

func TestSharedIterations(t *testing.T) {
	tests := []struct {
		name            string
		js              string
		work            time.Duration
		wantIters       int64
		wantInterrupted int64
		wantVUs         int
		wantElapse      time.Duration
	}{
		{"even", `{"executor":"shared-iterations","vus":3,"iterations":12}`, time.Second, 12, 0, 3, 4 * time.Second},
		{"uneven", `{"executor":"shared-iterations","vus":4,"iterations":10}`, time.Second, 10, 0, 4, 3 * time.Second},
		{"more VUs than iterations", `{"executor":"shared-iterations","vus":1,"iterations":1}`, time.Second, 1, 0, 1, time.Second},
		// Iterations start at 0, 1, …, 5 on each VU; those of 5s are interrupted at 5.5s.
		{"maxDuration cuts", `{"executor":"shared-iterations","vus":2,"iterations":100,"maxDuration":"5500ms","gracefulStop":"0s"}`,
			time.Second, 10, 2, 2, 5500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder(fixed(tt.work))
				h := newHarness(t, mustConfig(t, "s", tt.js), rec)
				start := time.Now()
				counts := h.run(context.Background(), nil)
				if counts.Iterations != tt.wantIters || counts.Interrupted != tt.wantInterrupted {
					t.Errorf("counts = %+v; want %d iterations, %d interrupted", counts, tt.wantIters, tt.wantInterrupted)
				}
				if got := time.Since(start); got != tt.wantElapse {
					t.Errorf("took %v; want %v", got, tt.wantElapse)
				}
				if got := len(rec.created); got != tt.wantVUs {
					t.Errorf("%d VUs; want %d", got, tt.wantVUs)
				}
				var idx []uint64
				for _, it := range rec.iterations() {
					idx = append(idx, it.ScenarioIter)
				}
				slices.Sort(idx)
				for i, v := range idx {
					if v != uint64(i) {
						t.Fatalf("ScenarioIter values %v; want 0, 1, 2, …", idx)
					}
				}
				if got := h.metricCount("iterations"); got != float64(tt.wantIters) {
					t.Errorf("iterations metric = %v; want %d", got, tt.wantIters)
				}
			})
		})
	}
}
