package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// PerVUIterationsType is the name of the per-vu-iterations executor.
const PerVUIterationsType = "per-vu-iterations"

func init() {
	Register(PerVUIterationsType, func(name string) Config { return NewPerVUIterationsConfig(name) })
}

// PerVUIterationsConfig configures per-vu-iterations: each of VUs VUs runs Iterations
// iterations, for at most MaxDuration.
type PerVUIterationsConfig struct {
	BaseConfig
	VUs         int64    `json:"vus"`
	Iterations  int64    `json:"iterations"`
	MaxDuration Duration `json:"maxDuration"`
}

// NewPerVUIterationsConfig returns the defaults: 1 VU, 1 iteration, 10 minutes.
func NewPerVUIterationsConfig(name string) *PerVUIterationsConfig {
	return &PerVUIterationsConfig{
		BaseConfig:  NewBaseConfig(name, PerVUIterationsType),
		VUs:         1,
		Iterations:  1,
		MaxDuration: Duration(DefaultMaxDuration),
	}
}

// Validate reports every problem of the configuration.
func (c *PerVUIterationsConfig) Validate() []error {
	errs := c.BaseConfig.Validate()
	if c.VUs <= 0 {
		errs = append(errs, fmt.Errorf("vus must be positive, got %d", c.VUs))
	}
	if c.Iterations <= 0 {
		errs = append(errs, fmt.Errorf("iterations must be positive, got %d", c.Iterations))
	}
	if c.MaxDuration <= 0 {
		errs = append(errs, fmt.Errorf("maxDuration must be positive, got %s", c.MaxDuration))
	}
	return errs
}

// TotalIterations returns the iterations of partition p: its VUs times Iterations.
func (c *PerVUIterationsConfig) TotalIterations(p *Partition) int64 {
	return p.Scale(c.VUs) * c.Iterations
}

// VUsFor returns partition p's share of VUs.
func (c *PerVUIterationsConfig) VUsFor(p *Partition) (initial, max int64) {
	v := p.Scale(c.VUs)
	return v, v
}

// RegularDuration returns MaxDuration.
func (c *PerVUIterationsConfig) RegularDuration() time.Duration { return time.Duration(c.MaxDuration) }

// NewExecutor returns a PerVUIterations executor.
func (c *PerVUIterationsConfig) NewExecutor(s *Scenario) (Executor, error) {
	return &PerVUIterations{cfg: c, s: s}, nil
}

// PerVUIterations runs a PerVUIterationsConfig.
type PerVUIterations struct {
	cfg *PerVUIterationsConfig
	s   *Scenario
}

// Run runs the iterations. Iteration k of the VU of global index g has ScenarioIter
// g·Iterations + k, unique across segments.
func (e *PerVUIterations) Run(ctx context.Context) error {
	vus, _ := e.cfg.VUsFor(e.s.part)
	regCtx, iterCtx, done := e.s.stopContexts(ctx, e.cfg.RegularDuration())
	defer done()
	var wg sync.WaitGroup
	for m := range vus {
		h := e.s.pool.tryGet()
		if h == nil {
			return errors.New("no initialised VU left") // Init was not called
		}
		first := e.s.part.Index(m) * e.cfg.Iterations
		wg.Go(func() {
			defer e.s.pool.put(h)
			now := time.Now()
			for k := range e.cfg.Iterations {
				if overAt(regCtx, now) {
					return
				}
				now = e.s.runIteration(iterCtx, h, time.Time{}, now, first+k)
			}
		})
	}
	wg.Wait()
	return nil
}
