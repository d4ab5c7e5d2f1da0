package executor_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// TestSegmentsAddUp runs every executor unsegmented and as N segments, and checks that the
// segments together run exactly the unsegmented test: the same number of iterations, and for
// executors whose iterations are numbered in the whole test, the same iteration indices and
// the same due times.
func TestSegmentsAddUp(t *testing.T) {
	configs := []struct {
		js        string
		numbered  bool // ScenarioIter is the index in the whole test
		scheduled bool // Scheduled is the due time in the whole test
	}{
		{`{"executor":"shared-iterations","vus":7,"iterations":101}`, true, false},
		{`{"executor":"per-vu-iterations","vus":7,"iterations":13}`, true, false},
		{`{"executor":"constant-vus","vus":7,"duration":"10s"}`, false, false},
		{`{"executor":"ramping-vus","startVUs":0,"stages":[{"duration":"5s","target":11},{"duration":"5s","target":3}],"gracefulRampDown":"1s"}`, false, false},
		{`{"executor":"constant-arrival-rate","rate":37,"duration":"10s","preAllocatedVUs":20}`, true, true},
		{`{"executor":"ramping-arrival-rate","startRate":3,"stages":[{"duration":"5s","target":50},{"duration":"5s","target":0}],"preAllocatedVUs":20}`, true, true},
	}
	for _, c := range configs {
		for _, sp := range splits {
			synctest.Test(t, func(t *testing.T) {
				// 70ms iterations: no iteration boundary falls on a ramping step or the end.
				run := func(segment string, seq string) (int64, []uint64, []time.Duration) {
					var p = partitions(t, seq, []string{segment})[0]
					rec := newRecorder(fixed(70 * time.Millisecond))
					h := newHarness(t, mustConfig(t, "s", c.js), rec, withPartition(p))
					t0 := time.Now()
					counts := h.run(context.Background(), nil)
					if counts.Dropped != 0 || counts.Interrupted != 0 {
						t.Fatalf("%s segment %s: %+v; the comparison needs no drop and no interruption", c.js, segment, counts)
					}
					var idx []uint64
					var due []time.Duration
					for _, it := range rec.iterations() {
						idx = append(idx, it.ScenarioIter)
						due = append(due, it.Scheduled.Sub(t0))
					}
					return counts.Iterations, idx, due
				}
				wantN, wantIdx, wantDue := run("0:1", "")
				var n int64
				var idx []uint64
				var due []time.Duration
				for _, seg := range sp.segments {
					sn, si, sd := run(seg, sp.seq)
					n += sn
					idx = append(idx, si...)
					due = append(due, sd...)
				}
				if n != wantN {
					t.Errorf("%s split %v: %d iterations; unsegmented %d", c.js, sp.segments, n, wantN)
				}
				if c.numbered {
					slices.Sort(idx)
					slices.Sort(wantIdx)
					if !equal(idx, wantIdx) {
						t.Errorf("%s split %v: iteration indices differ from the unsegmented run's", c.js, sp.segments)
					}
				}
				if c.scheduled {
					slices.Sort(due)
					slices.Sort(wantDue)
					if !equal(due, wantDue) {
						t.Errorf("%s split %v: due times differ from the unsegmented run's", c.js, sp.segments)
					}
				}
			})
		}
	}
}
