package executor

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// ConstantVUsType is the name of the constant-vus executor.
const ConstantVUsType = "constant-vus"

func init() {
	Register(ConstantVUsType, func(name string) Config { return NewConstantVUsConfig(name) })
}

// ConstantVUsConfig configures constant-vus: VUs VUs loop over iterations for Duration.
type ConstantVUsConfig struct {
	BaseConfig
	VUs      int64    `json:"vus"`
	Duration Duration `json:"duration"`
}

// NewConstantVUsConfig returns the defaults: 1 VU; the duration is required.
func NewConstantVUsConfig(name string) *ConstantVUsConfig {
	return &ConstantVUsConfig{BaseConfig: NewBaseConfig(name, ConstantVUsType), VUs: 1}
}

// Validate reports every problem of the configuration.
func (c *ConstantVUsConfig) Validate() []error {
	errs := c.BaseConfig.Validate()
	if c.VUs <= 0 {
		errs = append(errs, fmt.Errorf("vus must be positive, got %d", c.VUs))
	}
	if c.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration is required and must be positive, got %s", c.Duration))
	}
	return errs
}

// VUsFor returns partition p's share of VUs.
func (c *ConstantVUsConfig) VUsFor(p *Partition) (initial, max int64) {
	v := p.Scale(c.VUs)
	return v, v
}

// RegularDuration returns the configured duration.
func (c *ConstantVUsConfig) RegularDuration() time.Duration { return time.Duration(c.Duration) }

// NewExecutor returns a ConstantVUs executor.
func (c *ConstantVUsConfig) NewExecutor(s *Scenario) (Executor, error) {
	return &ConstantVUs{cfg: c, s: s, target: c.VUs}, nil
}

// ConstantVUs runs a ConstantVUsConfig. Its target is the VU count: SetTarget changes it while
// the scenario runs; VUs beyond those initialised are initialised on the fly, VUs removed get
// gracefulStop to finish their iteration.
type ConstantVUs struct {
	cfg *ConstantVUsConfig
	s   *Scenario

	mu     sync.Mutex
	target int64
	loops  *vuLoops // while running
}

// Run keeps the target number of VUs looping until the duration is over.
func (e *ConstantVUs) Run(ctx context.Context) error {
	regCtx, iterCtx, done := e.s.stopContexts(ctx, e.cfg.RegularDuration())
	defer done()
	loops := newVULoops(e.s, regCtx, iterCtx, time.Duration(e.cfg.GracefulStop))
	e.mu.Lock()
	e.loops = loops
	loops.set(e.s.part.Scale(e.target))
	e.mu.Unlock()
	<-regCtx.Done()
	loops.wait()
	return nil
}

// SetTarget sets the VU count of the whole test; v must be a whole number ≥ 0.
func (e *ConstantVUs) SetTarget(v float64) error {
	n, err := vuTarget(v)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.target = n
	e.s.pool.raise(e.s.part.Scale(n))
	if e.loops != nil {
		e.loops.set(e.s.part.Scale(n))
	}
	return nil
}

// Target returns the VU count of the whole test.
func (e *ConstantVUs) Target() float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return float64(e.target)
}

func vuTarget(v float64) (int64, error) {
	if v < 0 || v != math.Trunc(v) || v > 1<<40 {
		return 0, fmt.Errorf("invalid VU target %v: want a whole number of VUs, 0 or more", v)
	}
	return int64(v), nil
}
