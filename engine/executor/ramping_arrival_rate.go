package executor

import (
	"context"
	"fmt"
	"time"
)

// RampingArrivalRateType is the name of the ramping-arrival-rate executor.
const RampingArrivalRateType = "ramping-arrival-rate"

func init() {
	Register(RampingArrivalRateType, func(name string) Config { return NewRampingArrivalRateConfig(name) })
}

// RampingArrivalRateConfig configures ramping-arrival-rate: the rate, in iterations per
// TimeUnit, starts at StartRate and goes linearly to each stage's target over its duration;
// VUs as for constant-arrival-rate.
type RampingArrivalRateConfig struct {
	BaseConfig
	StartRate       int64    `json:"startRate"`
	TimeUnit        Duration `json:"timeUnit"`
	Stages          []Stage  `json:"stages"`
	PreAllocatedVUs int64    `json:"preAllocatedVUs"`
	MaxVUs          int64    `json:"maxVUs"`
	// MaxStartLateness, if positive, drops an iteration the scheduler reaches later than this
	// after its due time (counted in dropped_iterations) instead of starting it late.
	MaxStartLateness Duration `json:"maxStartLateness"`
}

// NewRampingArrivalRateConfig returns the defaults: startRate 0, timeUnit 1s; stages and VUs
// are required.
func NewRampingArrivalRateConfig(name string) *RampingArrivalRateConfig {
	return &RampingArrivalRateConfig{
		BaseConfig: NewBaseConfig(name, RampingArrivalRateType),
		TimeUnit:   Duration(DefaultTimeUnit),
	}
}

// Validate reports every problem of the configuration.
func (c *RampingArrivalRateConfig) Validate() []error {
	errs := c.BaseConfig.Validate()
	if c.StartRate < 0 {
		errs = append(errs, fmt.Errorf("startRate must not be negative, got %d", c.StartRate))
	}
	if c.TimeUnit <= 0 {
		errs = append(errs, fmt.Errorf("timeUnit must be positive, got %s", c.TimeUnit))
	}
	errs = append(errs, validateStages(c.Stages, "iterations per timeUnit")...)
	if c.MaxStartLateness < 0 {
		errs = append(errs, fmt.Errorf("maxStartLateness must not be negative, got %s", c.MaxStartLateness))
	}
	return append(errs, validateArrivalVUs(c.PreAllocatedVUs, c.MaxVUs)...)
}

// VUsFor returns partition p's shares of PreAllocatedVUs and MaxVUs.
func (c *RampingArrivalRateConfig) VUsFor(p *Partition) (initial, max int64) {
	return arrivalVUs(p, c.PreAllocatedVUs, c.MaxVUs)
}

// RegularDuration returns the sum of the stages' durations.
func (c *RampingArrivalRateConfig) RegularDuration() time.Duration { return stagesDuration(c.Stages) }

// Schedule returns the unsegmented schedule: one linear piece per stage.
func (c *RampingArrivalRateConfig) Schedule() *Schedule {
	unit := time.Duration(c.TimeUnit).Seconds()
	pieces := make([]RatePiece, 0, len(c.Stages))
	from := float64(c.StartRate) / unit
	for _, s := range c.Stages {
		to := float64(s.Target) / unit
		pieces = append(pieces, RatePiece{Duration: time.Duration(s.Duration), From: from, To: to})
		from = to
	}
	return NewSchedule(pieces...)
}

// NewExecutor returns a RampingArrivalRate executor.
func (c *RampingArrivalRateConfig) NewExecutor(s *Scenario) (Executor, error) {
	return &RampingArrivalRate{cfg: c, r: newArrivalRunner(s, c.Schedule(), time.Duration(c.TimeUnit), time.Duration(c.MaxStartLateness))}, nil
}

// RampingArrivalRate runs a RampingArrivalRateConfig. Its target is the rate: SetTarget
// replaces the rest of the stages with a constant rate until their end.
type RampingArrivalRate struct {
	cfg *RampingArrivalRateConfig
	r   *arrivalRunner
}

// Run starts the iterations on schedule.
func (e *RampingArrivalRate) Run(ctx context.Context) error { return e.r.run(ctx) }

// SetTarget sets the rate of the whole test, in iterations per TimeUnit, from now until the end
// of the stages.
func (e *RampingArrivalRate) SetTarget(v float64) error { return e.r.setTarget(v) }

// Target returns the current rate of the whole test, in iterations per TimeUnit.
func (e *RampingArrivalRate) Target() float64 { return e.r.target() }
