package executor

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"time"
)

// RampingVUsType is the name of the ramping-vus executor.
const RampingVUsType = "ramping-vus"

// DefaultGracefulRampDown is ramping-vus' gracefulRampDown unless configured.
const DefaultGracefulRampDown = 30 * time.Second

func init() {
	Register(RampingVUsType, func(name string) Config { return NewRampingVUsConfig(name) })
}

// RampingVUsConfig configures ramping-vus: the number of looping VUs starts at StartVUs and
// follows Stages (see RampingVUSteps). A VU removed by a ramp-down finishes its iteration
// within GracefulRampDown or is interrupted.
type RampingVUsConfig struct {
	BaseConfig
	StartVUs         int64    `json:"startVUs"`
	Stages           []Stage  `json:"stages"`
	GracefulRampDown Duration `json:"gracefulRampDown"`
}

// NewRampingVUsConfig returns the defaults: 1 start VU, 30s gracefulRampDown; stages are
// required.
func NewRampingVUsConfig(name string) *RampingVUsConfig {
	return &RampingVUsConfig{
		BaseConfig:       NewBaseConfig(name, RampingVUsType),
		StartVUs:         1,
		GracefulRampDown: Duration(DefaultGracefulRampDown),
	}
}

// Validate reports every problem of the configuration.
func (c *RampingVUsConfig) Validate() []error {
	errs := c.BaseConfig.Validate()
	if c.StartVUs < 0 {
		errs = append(errs, fmt.Errorf("startVUs must not be negative, got %d", c.StartVUs))
	}
	errs = append(errs, validateStages(c.Stages, "VUs")...)
	if c.GracefulRampDown < 0 {
		errs = append(errs, fmt.Errorf("gracefulRampDown must not be negative, got %s", c.GracefulRampDown))
	}
	if c.maxVUs() <= 0 {
		errs = append(errs, errors.New("startVUs or a stage target must be positive"))
	}
	return errs
}

func (c *RampingVUsConfig) maxVUs() int64 {
	m := c.StartVUs
	for _, s := range c.Stages {
		m = max(m, s.Target)
	}
	return m
}

// VUsFor returns partition p's share of the largest VU count.
func (c *RampingVUsConfig) VUsFor(p *Partition) (initial, max int64) {
	v := p.Scale(c.maxVUs())
	return v, v
}

// RegularDuration returns the sum of the stages' durations.
func (c *RampingVUsConfig) RegularDuration() time.Duration { return stagesDuration(c.Stages) }

// VUsAt returns the VU count of the whole test at offset t from the scenario's start.
func (c *RampingVUsConfig) VUsAt(t time.Duration) int64 {
	n := c.StartVUs
	for _, s := range RampingVUSteps(c.StartVUs, c.Stages) {
		if s.At > t {
			break
		}
		n = s.VUs
	}
	return n
}

// NewExecutor returns a RampingVUs executor.
func (c *RampingVUsConfig) NewExecutor(s *Scenario) (Executor, error) {
	return &RampingVUs{cfg: c, s: s, override: -1}, nil
}

// VUStep is a change of a VU count at an offset from the scenario's start.
type VUStep struct {
	At  time.Duration
	VUs int64
}

// RampingVUSteps returns every change of the VU count that startVUs and stages give, in order,
// beginning with startVUs at 0. During a stage from v0 to v1 lasting d, the count at offset t
// into it is v0 + trunc((v1−v0)·t/d): the count reaches each whole number between v0 and v1 at
// the first nanosecond the straight line does, and v1 at the stage's end. A stage of zero
// duration is a jump. It is a pure function, so a ramp has no drift however long it lasts.
func RampingVUSteps(startVUs int64, stages []Stage) []VUStep {
	steps := []VUStep{{At: 0, VUs: startVUs}}
	add := func(at time.Duration, v int64) {
		last := &steps[len(steps)-1]
		switch {
		case last.At == at:
			last.VUs = v
		case last.VUs != v:
			steps = append(steps, VUStep{At: at, VUs: v})
		}
	}
	cur := startVUs
	var at time.Duration
	for _, s := range stages {
		d, v1 := time.Duration(s.Duration), s.Target
		if d <= 0 {
			add(at, v1)
			cur = v1
			continue
		}
		n, sign := v1-cur, int64(1)
		if n < 0 {
			n, sign = -n, -1
		}
		for j := int64(1); j <= n; j++ {
			add(at+mulDivCeil(d, j, n), cur+sign*j)
		}
		at += d
		cur = v1
	}
	return steps
}

// mulDivCeil returns ⌈d·j/n⌉ for 0 < j ≤ n without overflow.
func mulDivCeil(d time.Duration, j, n int64) time.Duration {
	hi, lo := bits.Mul64(uint64(d), uint64(j))
	q, r := bits.Div64(hi, lo, uint64(n)) // hi < n because j ≤ n
	if r != 0 {
		q++
	}
	return time.Duration(q)
}

// scaleSteps returns partition p's share of steps, without repeats.
func scaleSteps(steps []VUStep, p *Partition) []VUStep {
	var out []VUStep
	for _, s := range steps {
		v := p.Scale(s.VUs)
		if len(out) > 0 && out[len(out)-1].VUs == v {
			continue
		}
		out = append(out, VUStep{At: s.At, VUs: v})
	}
	return out
}

// RampingVUs runs a RampingVUsConfig. SetTarget replaces the stages: from then on the VU count
// stays at the target until the stages' total duration is over.
type RampingVUs struct {
	cfg *RampingVUsConfig
	s   *Scenario

	mu       sync.Mutex
	override int64 // -1: follow the stages
	loops    *vuLoops
	start    time.Time
}

// Run follows the stages.
func (e *RampingVUs) Run(ctx context.Context) error {
	steps := scaleSteps(RampingVUSteps(e.cfg.StartVUs, e.cfg.Stages), e.s.part)
	regCtx, iterCtx, done := e.s.stopContexts(ctx, e.cfg.RegularDuration())
	defer done()
	loops := newVULoops(e.s, regCtx, iterCtx, time.Duration(e.cfg.GracefulRampDown))
	start := time.Now()
	e.mu.Lock()
	e.loops, e.start = loops, start
	if e.override >= 0 {
		loops.set(e.s.part.Scale(e.override))
	}
	e.mu.Unlock()
	t := time.NewTimer(0)
	defer t.Stop()
steps:
	for _, st := range steps {
		if d := time.Until(start.Add(st.At)); d > 0 {
			t.Reset(d)
			select {
			case <-t.C:
			case <-regCtx.Done():
				break steps
			}
		}
		if over(regCtx) {
			break
		}
		e.mu.Lock()
		if e.override < 0 {
			loops.set(st.VUs)
		}
		e.mu.Unlock()
	}
	<-regCtx.Done()
	loops.wait()
	return nil
}

// SetTarget fixes the VU count of the whole test at v (a whole number ≥ 0) for the rest of
// the scenario, instead of the stages.
func (e *RampingVUs) SetTarget(v float64) error {
	n, err := vuTarget(v)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.override = n
	e.s.pool.raise(e.s.part.Scale(n))
	if e.loops != nil {
		e.loops.set(e.s.part.Scale(n))
	}
	return nil
}

// Target returns the VU count the whole test should have now.
func (e *RampingVUs) Target() float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.override >= 0 {
		return float64(e.override)
	}
	if e.start.IsZero() {
		return float64(e.cfg.StartVUs)
	}
	return float64(e.cfg.VUsAt(time.Since(e.start)))
}
