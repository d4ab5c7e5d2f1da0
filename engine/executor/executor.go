package executor

import (
	"context"
	"errors"
)

// Executor runs a scenario's schedule on the Scenario it was built for.
type Executor interface {
	// Run runs the schedule and returns once every iteration it started has ended: at the end
	// of the schedule (plus graceful stop for iterations still running), after a graceful stop
	// request, or when ctx is cancelled (hard stop).
	Run(ctx context.Context) error
}

// Targeter is implemented by executors whose target can change while they run: the VU count
// of constant-vus and ramping-vus, the rate of the arrival-rate executors.
type Targeter interface {
	// SetTarget sets the target of the whole (unsegmented) test; each segment applies its
	// share. It may be called before or during Run, from any goroutine.
	SetTarget(v float64) error
	// Target returns the current target of the whole test.
	Target() float64
}

// ErrTargetUnsupported is returned (wrapped) by Scenario.SetTarget for executors that have no
// runtime target.
var ErrTargetUnsupported = errors.New("the executor has no target that can change at run time")

// Compile-time checks that every executor implements what it should.
var (
	_ Executor = (*SharedIterations)(nil)
	_ Executor = (*PerVUIterations)(nil)
	_ Executor = (*ConstantVUs)(nil)
	_ Executor = (*RampingVUs)(nil)
	_ Executor = (*ConstantArrivalRate)(nil)
	_ Executor = (*RampingArrivalRate)(nil)

	_ Targeter = (*ConstantVUs)(nil)
	_ Targeter = (*RampingVUs)(nil)
	_ Targeter = (*ConstantArrivalRate)(nil)
	_ Targeter = (*RampingArrivalRate)(nil)

	_ Config = (*SharedIterationsConfig)(nil)
	_ Config = (*PerVUIterationsConfig)(nil)
	_ Config = (*ConstantVUsConfig)(nil)
	_ Config = (*RampingVUsConfig)(nil)
	_ Config = (*ConstantArrivalRateConfig)(nil)
	_ Config = (*RampingArrivalRateConfig)(nil)
)
