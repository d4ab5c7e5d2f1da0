package executor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ConstantArrivalRateType is the name of the constant-arrival-rate executor.
const ConstantArrivalRateType = "constant-arrival-rate"

// DefaultTimeUnit is the arrival-rate executors' timeUnit unless configured.
const DefaultTimeUnit = time.Second

func init() {
	Register(ConstantArrivalRateType, func(name string) Config { return NewConstantArrivalRateConfig(name) })
}

// ConstantArrivalRateConfig configures constant-arrival-rate: Rate iterations start every
// TimeUnit for Duration, whatever the iterations take, on PreAllocatedVUs VUs, more being
// initialised up to MaxVUs (default PreAllocatedVUs) when none is free.
type ConstantArrivalRateConfig struct {
	BaseConfig
	Rate            int64    `json:"rate"`
	TimeUnit        Duration `json:"timeUnit"`
	Duration        Duration `json:"duration"`
	PreAllocatedVUs int64    `json:"preAllocatedVUs"`
	MaxVUs          int64    `json:"maxVUs"`
	// MaxStartLateness, if positive, drops an iteration the scheduler reaches later than this
	// after its due time (counted in dropped_iterations) instead of starting it late.
	MaxStartLateness Duration `json:"maxStartLateness"`
}

// NewConstantArrivalRateConfig returns the defaults: timeUnit 1s; rate, duration and VUs are
// required.
func NewConstantArrivalRateConfig(name string) *ConstantArrivalRateConfig {
	return &ConstantArrivalRateConfig{
		BaseConfig: NewBaseConfig(name, ConstantArrivalRateType),
		TimeUnit:   Duration(DefaultTimeUnit),
	}
}

// Validate reports every problem of the configuration.
func (c *ConstantArrivalRateConfig) Validate() []error {
	errs := c.BaseConfig.Validate()
	if c.Rate <= 0 {
		errs = append(errs, fmt.Errorf("rate is required and must be positive, got %d", c.Rate))
	}
	if c.TimeUnit <= 0 {
		errs = append(errs, fmt.Errorf("timeUnit must be positive, got %s", c.TimeUnit))
	}
	if c.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration is required and must be positive, got %s", c.Duration))
	}
	if c.MaxStartLateness < 0 {
		errs = append(errs, fmt.Errorf("maxStartLateness must not be negative, got %s", c.MaxStartLateness))
	}
	return append(errs, validateArrivalVUs(c.PreAllocatedVUs, c.MaxVUs)...)
}

func validateArrivalVUs(pre, maxVUs int64) []error {
	var errs []error
	if pre < 0 {
		errs = append(errs, fmt.Errorf("preAllocatedVUs must not be negative, got %d", pre))
	}
	if maxVUs < 0 {
		errs = append(errs, fmt.Errorf("maxVUs must not be negative, got %d", maxVUs))
	}
	if maxVUs != 0 && maxVUs < pre {
		errs = append(errs, fmt.Errorf("maxVUs (%d) must not be less than preAllocatedVUs (%d)", maxVUs, pre))
	}
	if max(pre, maxVUs) == 0 {
		errs = append(errs, errors.New("preAllocatedVUs or maxVUs must be positive"))
	}
	return errs
}

// arrivalVUs scales preAllocatedVUs and maxVUs (0: preAllocatedVUs) to a partition. A segment
// whose share of maxVUs rounds to 0 still owns a share of the iterations, so it gets one VU
// (pre-allocated if the test pre-allocates any): otherwise it would drop them all. Its VUs then
// exceed its exact share by one.
func arrivalVUs(p *Partition, pre, maxVUs int64) (initial, most int64) {
	if maxVUs == 0 {
		maxVUs = pre
	}
	initial, most = p.Scale(pre), p.Scale(max(pre, maxVUs))
	if most == 0 {
		most = 1
		if pre > 0 {
			initial = 1
		}
	}
	return initial, most
}

// VUsFor returns partition p's shares of PreAllocatedVUs and MaxVUs.
func (c *ConstantArrivalRateConfig) VUsFor(p *Partition) (initial, max int64) {
	return arrivalVUs(p, c.PreAllocatedVUs, c.MaxVUs)
}

// RegularDuration returns the configured duration.
func (c *ConstantArrivalRateConfig) RegularDuration() time.Duration { return time.Duration(c.Duration) }

// Schedule returns the unsegmented schedule.
func (c *ConstantArrivalRateConfig) Schedule() *Schedule {
	r := float64(c.Rate) / time.Duration(c.TimeUnit).Seconds()
	return NewSchedule(RatePiece{Duration: time.Duration(c.Duration), From: r, To: r})
}

// NewExecutor returns a ConstantArrivalRate executor.
func (c *ConstantArrivalRateConfig) NewExecutor(s *Scenario) (Executor, error) {
	return &ConstantArrivalRate{cfg: c, r: newArrivalRunner(s, c.Schedule(), time.Duration(c.TimeUnit), time.Duration(c.MaxStartLateness))}, nil
}

// ConstantArrivalRate runs a ConstantArrivalRateConfig. Its target is the rate, in iterations
// per TimeUnit.
type ConstantArrivalRate struct {
	cfg *ConstantArrivalRateConfig
	r   *arrivalRunner
}

// Run starts the iterations on schedule.
func (e *ConstantArrivalRate) Run(ctx context.Context) error { return e.r.run(ctx) }

// SetTarget sets the rate of the whole test, in iterations per TimeUnit, from now until the end
// of the duration.
func (e *ConstantArrivalRate) SetTarget(v float64) error { return e.r.setTarget(v) }

// Target returns the current rate of the whole test, in iterations per TimeUnit.
func (e *ConstantArrivalRate) Target() float64 { return e.r.target() }
