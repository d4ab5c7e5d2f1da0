package executor_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

func TestPerVUIterations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// VU n's iterations take n×100ms, so VUs finish at different times.
		rec := newRecorder(func(it *executor.Iteration) time.Duration { return time.Duration(it.VUID) * 100 * time.Millisecond })
		h := newHarness(t, mustConfig(t, "p", `{"executor":"per-vu-iterations","vus":3,"iterations":4}`), rec)
		start := time.Now()
		counts := h.run(context.Background(), nil)
		if counts.Iterations != 12 {
			t.Errorf("iterations = %d; want 12", counts.Iterations)
		}
		if got, want := time.Since(start), 1200*time.Millisecond; got != want {
			t.Errorf("took %v; want %v (VU 3: 4 × 300ms)", got, want)
		}
		perVU := map[uint64][]uint64{}
		for _, it := range rec.iterations() {
			perVU[it.VUID] = append(perVU[it.VUID], it.VUIter)
		}
		for id := uint64(1); id <= 3; id++ {
			if got := perVU[id]; len(got) != 4 || got[0] != 0 || got[3] != 3 {
				t.Errorf("VU %d ran iterations %v; want 0..3", id, got)
			}
		}
	})
}
