package executor

import (
	"context"
	"slices"
	"sync"
	"time"
)

// vuLoops keeps a target number of VUs looping over iterations: the engine of constant-vus and
// ramping-vus.
//
// A VU's life in it:
//
//	from        event                               to
//	idle        target above the running count      looping (checked out of the pool)
//	looping     iteration ends, still wanted        looping (next iteration)
//	looping     target below the running count      stopping: finishes its iteration; after
//	                                                rampDown its context is cancelled
//	looping     regular duration over, or stop      stopping: the scenario's graceful stop
//	stopping    iteration ends (or is interrupted)  idle (back in the pool)
//
// When a VU goes back to the pool the loops are rebalanced, so a target raised while VUs were
// still finishing a ramp-down is reached as soon as they are free.
type vuLoops struct {
	s        *Scenario
	regCtx   context.Context
	iterCtx  context.Context
	rampDown time.Duration

	mu       sync.Mutex
	target   int64
	running  []*vuLoop // looping and wanted, in start order
	starting int64     // VUs being initialised to join
	closed   bool
	wg       sync.WaitGroup
}

type vuLoop struct {
	h      *vuHandle
	stop   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	timer  *time.Timer // interrupts the iteration rampDown after stop
}

func newVULoops(s *Scenario, regCtx, iterCtx context.Context, rampDown time.Duration) *vuLoops {
	return &vuLoops{s: s, regCtx: regCtx, iterCtx: iterCtx, rampDown: rampDown}
}

// set changes the number of looping VUs.
func (c *vuLoops) set(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.target = n
	c.rebalance()
}

// rebalance starts or stops loops to reach the target. c.mu is held.
func (c *vuLoops) rebalance() {
	if c.closed || over(c.regCtx) {
		return
	}
	for int64(len(c.running)) > c.target {
		l := c.running[len(c.running)-1]
		c.running = c.running[:len(c.running)-1]
		close(l.stop)
		l.timer = time.AfterFunc(c.rampDown, l.cancel)
	}
	for int64(len(c.running))+c.starting < c.target {
		if h := c.s.pool.tryGet(); h != nil {
			c.start(h)
			continue
		}
		m, ok := c.s.pool.reserve()
		if !ok {
			// Every VU exists and the busy ones are finishing a ramp-down: the target is
			// reached when they come back (see loop).
			return
		}
		c.starting++
		c.wg.Go(func() { c.grow(m) })
	}
}

// grow initialises VU m and makes it loop if it is still wanted.
func (c *vuLoops) grow(m int64) {
	h, err := c.s.pool.create(c.iterCtx, m)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.starting--
	if err != nil {
		c.s.log.Error("cannot add a VU", "error", err)
		return
	}
	c.s.pool.checkout(h)
	if c.closed || over(c.regCtx) || int64(len(c.running)) >= c.target {
		c.s.pool.put(h)
		return
	}
	c.start(h)
}

// start makes h loop. c.mu is held.
func (c *vuLoops) start(h *vuHandle) {
	ctx, cancel := context.WithCancel(c.iterCtx)
	l := &vuLoop{h: h, stop: make(chan struct{}), ctx: ctx, cancel: cancel}
	c.running = append(c.running, l)
	c.wg.Go(func() { c.loop(l) })
}

func (c *vuLoops) loop(l *vuLoop) {
	for now := time.Now(); !overAt(c.regCtx, now); {
		select {
		case <-l.stop:
		default:
			now = c.s.runIteration(l.ctx, l.h, time.Time{}, now, -1)
			continue
		}
		break
	}
	c.mu.Lock()
	if l.timer != nil {
		l.timer.Stop()
	}
	l.cancel()
	c.s.pool.put(l.h)
	if i := slices.Index(c.running, l); i >= 0 {
		c.running = slices.Delete(c.running, i, i+1)
	}
	c.rebalance()
	c.mu.Unlock()
}

// wait stops starting loops and waits for every loop to end. Call it once regCtx is done.
func (c *vuLoops) wait() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
}
