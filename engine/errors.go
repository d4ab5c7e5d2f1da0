package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ctiload/ctiload/engine/metrics"
)

// Exit codes, k6's, so that CI scripts written for k6 carry over. Only cmd/ctiload calls
// os.Exit; the library reports them through ExitCode and Result.ExitCode.
const (
	ExitOK               = 0   // the run passed
	ExitThresholdsFailed = 99  // a threshold failed (also when it aborted the run)
	ExitEngineError      = 103 // an error of the engine itself
	ExitInvalidOptions   = 104 // options or configuration are invalid
	ExitInterrupted      = 105 // the run was stopped from outside (Stop, ctx, a signal)
	ExitScriptError      = 107 // VU init, setup or teardown failed
	ExitScriptAborted    = 108 // a VU returned an *executor.AbortError
)

// ExitCoder is an error that carries a process exit code.
type ExitCoder interface {
	error
	ExitCode() int
}

// ExitCode returns the exit code for err: 0 for nil, the code of the first ExitCoder in its
// chain, ExitEngineError otherwise.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ec ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return ExitEngineError
}

// InvalidOptionsError lists every problem found in options or configuration.
type InvalidOptionsError struct {
	Errs []error
}

// Error implements error.
func (e *InvalidOptionsError) Error() string {
	if len(e.Errs) == 1 {
		return "invalid options: " + e.Errs[0].Error()
	}
	var b strings.Builder
	b.WriteString("invalid options:")
	for _, err := range e.Errs {
		b.WriteString("\n  - ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns the problems.
func (e *InvalidOptionsError) Unwrap() []error { return e.Errs }

// ExitCode returns ExitInvalidOptions.
func (e *InvalidOptionsError) ExitCode() int { return ExitInvalidOptions }

// invalid flattens errs (and joined errors within) into an *InvalidOptionsError, or nil.
func invalid(errs ...error) error {
	var flat []error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		flat = append(flat, err)
	}
	for _, err := range errs {
		walk(err)
	}
	if len(flat) == 0 {
		return nil
	}
	return &InvalidOptionsError{Errs: flat}
}

func scenarioErr(name string, err error) error { return fmt.Errorf("scenario %q: %w", name, err) }

// ScriptError is a failure of VU initialisation, setup or teardown.
type ScriptError struct {
	Phase string // "init", "setup", "teardown" or "close"
	Err   error
}

// Error implements error.
func (e *ScriptError) Error() string { return e.Phase + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ScriptError) Unwrap() error { return e.Err }

// ExitCode returns ExitScriptError.
func (e *ScriptError) ExitCode() int { return ExitScriptError }

// ScriptAbortedError is a run aborted by a VU's *executor.AbortError.
type ScriptAbortedError struct {
	Err error
}

// Error implements error.
func (e *ScriptAbortedError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ScriptAbortedError) Unwrap() error { return e.Err }

// ExitCode returns ExitScriptAborted.
func (e *ScriptAbortedError) ExitCode() int { return ExitScriptAborted }

// InterruptedError is a run stopped from outside: Stop (graceful) or the cancellation of Run's
// context (hard).
type InterruptedError struct {
	Hard bool
}

// Error implements error.
func (e *InterruptedError) Error() string {
	if e.Hard {
		return "run interrupted (hard stop)"
	}
	return "run interrupted (graceful stop)"
}

// ExitCode returns ExitInterrupted.
func (e *InterruptedError) ExitCode() int { return ExitInterrupted }

// ThresholdsError is a run whose thresholds failed, possibly aborting it.
type ThresholdsError struct {
	Failed  []metrics.ThresholdResult
	Aborted bool // an abortOnFail threshold stopped the run early
}

// Error implements error.
func (e *ThresholdsError) Error() string {
	var b strings.Builder
	if e.Aborted {
		b.WriteString("run aborted by a threshold; ")
	}
	fmt.Fprintf(&b, "%d threshold(s) failed:", len(e.Failed))
	for _, f := range e.Failed {
		fmt.Fprintf(&b, " %s on %s (observed %g);", f.Source, f.Metric, f.Observed)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// ExitCode returns ExitThresholdsFailed.
func (e *ThresholdsError) ExitCode() int { return ExitThresholdsFailed }
