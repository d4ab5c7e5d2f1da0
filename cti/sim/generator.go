package sim

import (
	"math"
	"sync"
	"time"
)

// generator offers inbound calls at a rate. Fixed-rate arrival i is due at start + i/rate
// (measured from when the rate was set), so that delays never accumulate; Poisson arrivals draw
// exponential gaps. One goroutine and one timer serve the whole simulator; calls arriving while
// the peripheral is offline are not offered.
type generator struct {
	c       *center
	poisson bool

	mu      sync.Mutex
	rate    float64
	changed chan struct{}
	done    chan struct{}
	stopped bool
	wg      sync.WaitGroup
}

func newGenerator(c *center, rate float64, poisson bool) *generator {
	return &generator{c: c, rate: rate, poisson: poisson, changed: make(chan struct{}, 1), done: make(chan struct{})}
}

func (g *generator) start() {
	g.wg.Add(1)
	go g.run()
}

func (g *generator) setRate(r float64) {
	if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		r = 0
	}
	g.mu.Lock()
	g.rate = r
	g.mu.Unlock()
	select {
	case g.changed <- struct{}{}:
	default:
	}
}

func (g *generator) stop() {
	g.mu.Lock()
	if !g.stopped {
		g.stopped = true
		close(g.done)
	}
	g.mu.Unlock()
	g.wg.Wait()
}

func (g *generator) run() {
	defer g.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		g.mu.Lock()
		rate := g.rate
		g.mu.Unlock()
		if rate <= 0 {
			select {
			case <-g.changed:
				continue
			case <-g.done:
				return
			}
		}
		start := time.Now()
		next := start
		var i int64
		for {
			if g.poisson {
				g.c.mu.Lock()
				gap := g.c.rng.ExpFloat64() / rate
				g.c.mu.Unlock()
				next = next.Add(time.Duration(gap * float64(time.Second)))
			} else {
				i++
				next = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			}
			// Behind schedule means "offer now".
			timer.Reset(max(time.Until(next), 0))
			select {
			case <-timer.C:
				// Offer under g.mu and only at the rate still in force, so that once setRate
				// returns no call comes at the old rate.
				g.mu.Lock()
				if g.rate != rate {
					g.mu.Unlock()
					break
				}
				g.arrive()
				g.mu.Unlock()
				continue
			case <-g.changed:
				timer.Stop()
			case <-g.done:
				timer.Stop()
				return
			}
			break
		}
	}
}

func (g *generator) arrive() {
	var t tx
	g.c.begin(&t, nil)
	if !g.c.closed && !g.c.pgOffline {
		g.c.offer(&t, CallOptions{})
	}
	t.end()
}
