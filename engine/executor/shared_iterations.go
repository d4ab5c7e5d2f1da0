package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SharedIterationsType is the name of the shared-iterations executor.
const SharedIterationsType = "shared-iterations"

// DefaultMaxDuration bounds iteration-based executors unless configured.
const DefaultMaxDuration = 10 * time.Minute

func init() {
	Register(SharedIterationsType, func(name string) Config { return NewSharedIterationsConfig(name) })
}

// SharedIterationsConfig configures shared-iterations: VUs VUs run Iterations iterations in all,
// each VU taking the next one as soon as it is free, for at most MaxDuration.
type SharedIterationsConfig struct {
	BaseConfig
	VUs         int64    `json:"vus"`
	Iterations  int64    `json:"iterations"`
	MaxDuration Duration `json:"maxDuration"`
}

// NewSharedIterationsConfig returns the defaults: 1 VU, 1 iteration, 10 minutes.
func NewSharedIterationsConfig(name string) *SharedIterationsConfig {
	return &SharedIterationsConfig{
		BaseConfig:  NewBaseConfig(name, SharedIterationsType),
		VUs:         1,
		Iterations:  1,
		MaxDuration: Duration(DefaultMaxDuration),
	}
}

// Validate reports every problem of the configuration.
func (c *SharedIterationsConfig) Validate() []error {
	errs := c.BaseConfig.Validate()
	if c.VUs <= 0 {
		errs = append(errs, fmt.Errorf("vus must be positive, got %d", c.VUs))
	}
	if c.Iterations <= 0 {
		errs = append(errs, fmt.Errorf("iterations must be positive, got %d", c.Iterations))
	}
	if c.VUs > 0 && c.Iterations > 0 && c.Iterations < c.VUs {
		errs = append(errs, fmt.Errorf("iterations (%d) must not be fewer than vus (%d)", c.Iterations, c.VUs))
	}
	if c.MaxDuration <= 0 {
		errs = append(errs, fmt.Errorf("maxDuration must be positive, got %s", c.MaxDuration))
	}
	return errs
}

// TotalIterations returns the iterations of partition p: its share of Iterations.
func (c *SharedIterationsConfig) TotalIterations(p *Partition) int64 { return p.Scale(c.Iterations) }

// VUsFor returns partition p's share of VUs, at most one per iteration. A segment with iterations
// but no VU share (3 VUs split in 4) gets one VU, so that its iterations run: the iterations
// add up exactly, the VUs may then exceed the total by the number of such segments.
func (c *SharedIterationsConfig) VUsFor(p *Partition) (initial, max int64) {
	it, v := p.Scale(c.Iterations), p.Scale(c.VUs)
	v = min(v, it)
	if v == 0 && it > 0 {
		v = 1
	}
	return v, v
}

// RegularDuration returns MaxDuration.
func (c *SharedIterationsConfig) RegularDuration() time.Duration { return time.Duration(c.MaxDuration) }

// NewExecutor returns a SharedIterations executor.
func (c *SharedIterationsConfig) NewExecutor(s *Scenario) (Executor, error) {
	return &SharedIterations{cfg: c, s: s}, nil
}

// SharedIterations runs a SharedIterationsConfig.
type SharedIterations struct {
	cfg *SharedIterationsConfig
	s   *Scenario
}

// Run runs the iterations; the segment's iterations are the indices Partition.Index(0 … n−1)
// of the whole test, which is what Iteration.ScenarioIter says.
func (e *SharedIterations) Run(ctx context.Context) error {
	total := e.cfg.TotalIterations(e.s.part)
	vus, _ := e.cfg.VUsFor(e.s.part)
	regCtx, iterCtx, done := e.s.stopContexts(ctx, e.cfg.RegularDuration())
	defer done()
	var next, unused atomic.Int64
	var wg sync.WaitGroup
	for range vus {
		h := e.s.pool.tryGet()
		if h == nil {
			return errors.New("no initialised VU left") // Init was not called
		}
		wg.Go(func() {
			defer e.s.pool.put(h)
			var m, end int64 // this VU's claimed iterations m … end−1
			defer func() { unused.Add(end - m) }()
			for now := time.Now(); !overAt(regCtx, now); m++ {
				if m == end {
					if m, end = claimIterations(&next, total, vus); m == end {
						return
					}
				}
				now = e.s.runIteration(iterCtx, h, time.Time{}, now, e.s.part.Index(m))
			}
		})
	}
	wg.Wait()
	if left := total - min(next.Load(), total) + unused.Load(); left > 0 && ctx.Err() == nil {
		e.s.log.Warn("maxDuration reached before every iteration ran", "maxDuration", e.cfg.MaxDuration, "not_started", left)
	}
	return nil
}

// claimIterations claims the next iterations for one VU from next, the count claimed so far of
// total: [first, end), empty once every iteration is claimed. A VU claims several at once while
// every VU has more than sharedClaimSpread iterations left, so that short iterations do not
// all write the one shared counter (on two cores its cache line moving between them cost more
// than an empty iteration itself); towards the end it claims one at a time, as k6 does, so the
// last iterations spread over the VUs.
func claimIterations(next *atomic.Int64, total, vus int64) (first, end int64) {
	n := int64(1)
	if left := total - next.Load(); left > 0 {
		n = min(max(left/(vus*sharedClaimSpread), 1), sharedClaimMax)
	}
	end = next.Add(n)
	first = min(end-n, total)
	return first, min(end, total)
}

// sharedClaimSpread and sharedClaimMax bound a shared-iterations claim: at most 1/spread of a
// VU's fair share of what is left, at most max iterations.
const (
	sharedClaimSpread = 64
	sharedClaimMax    = 64
)
