package executor

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestClaimIterationsSizes(t *testing.T) {
	var next atomic.Int64
	type claim struct{ first, end int64 }
	// 2 VUs, 300 iterations: a VU claims 2 at once while at least 2×64×2 are left, then one
	// at a time; the last claims are empty.
	var got []claim
	for {
		first, end := claimIterations(&next, 300, 2)
		got = append(got, claim{first, end})
		if first == end {
			break
		}
	}
	if got[0] != (claim{0, 2}) || got[1] != (claim{2, 4}) {
		t.Fatalf("first claims %v; want [0,2) then [2,4)", got[:2])
	}
	var covered int64
	for i, c := range got {
		if c.first != covered {
			t.Fatalf("claim %d is %v; want it to start at %d", i, c, covered)
		}
		if n := c.end - c.first; 300-covered < 2*64*2 && n > 1 {
			t.Fatalf("claim %d is %v with %d left; want one iteration at a time", i, c, 300-covered)
		}
		covered = c.end
	}
	if covered != 300 {
		t.Fatalf("claims cover [0,%d); want [0,300)", covered)
	}
	// Large runs claim at most sharedClaimMax.
	next.Store(0)
	if first, end := claimIterations(&next, 1_000_000_000, 1); first != 0 || end != sharedClaimMax {
		t.Fatalf("claim [%d,%d); want [0,%d)", first, end, sharedClaimMax)
	}
}

// Concurrent claims hand out every iteration exactly once.
func TestClaimIterationsConcurrent(t *testing.T) {
	const total, vus = 200_000, 8
	var next atomic.Int64
	seen := make([]atomic.Int32, total)
	var wg sync.WaitGroup
	for range vus {
		wg.Go(func() {
			for {
				first, end := claimIterations(&next, total, vus)
				if first == end {
					return
				}
				for i := first; i < end; i++ {
					seen[i].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for i := range seen {
		if n := seen[i].Load(); n != 1 {
			t.Fatalf("iteration %d claimed %d times", i, n)
		}
	}
}
