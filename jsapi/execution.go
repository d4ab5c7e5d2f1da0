package jsapi

import (
	"sync/atomic"
	"time"
)

// ExecutionInfo is what the engine tells ctiload/execution about the whole run; *engine.Run
// implements it. Set it with Runner.SetExecution once the run exists.
type ExecutionInfo interface {
	ActiveVUs() int64       // VUs running an iteration or waiting for one, in this process
	Elapsed() time.Duration // since the run started
}

// SetExecution gives the VUs' ctiload/execution module the run it belongs to.
func (r *Runner) SetExecution(e ExecutionInfo) { r.exec.Store(&e) }

func (r *Runner) execution() ExecutionInfo {
	if r == nil {
		return nil
	}
	if p := r.exec.Load(); p != nil {
		return *p
	}
	return nil
}

// executionSlot holds the run for the Runner (an interface in an atomic pointer).
type executionSlot = atomic.Pointer[ExecutionInfo]

// The `ctiload/execution` module (alias k6/execution): where the running code is in the test.
//
//	scenario.name, scenario.startTime (ms since the epoch),
//	scenario.iterationInTest   the iteration's number in the scenario, unique across segments
//	vu.idInTest                the VU's number, unique across segments (__VU)
//	vu.iterationInScenario     the VU's iteration count in its scenario (__ITER)
//	instance.vusActive, instance.currentTestRunDuration (ms)
//	test.abort([reason])       stop the whole test: exit 108
//
// The scenario and vu.iterationInScenario values exist only inside iterations (and vuSetup):
// reading them elsewhere throws, as in k6.
//
// Each of the four objects is made on its first read (lazy.go); the values of the first three
// are read from the VU on every read of a property (live properties: no getter functions, which
// cost 600–800 bytes each per runtime, and every agent of scripts/bench/idle-agents.js reads
// exec.scenario).
var executionModule = newLazyProps(map[string]func(v *vu) any{
	"scenario": func(v *vu) any { return executionScenario.object(v, false) },
	"vu":       func(v *vu) any { return executionVU.object(v, false) },
	"instance": func(v *vu) any { return executionInstance.object(v, false) },
	"test": func(v *vu) any {
		test := v.rt.NewObject()
		_ = test.Set("abort", v.abort)
		return test
	},
})

var executionScenario = newLiveProps(map[string]func(v *vu) any{
	"name":            func(v *vu) any { v.inIteration("scenario.name"); return v.it.Scenario },
	"iterationInTest": func(v *vu) any { v.inIteration("scenario.iterationInTest"); return v.it.ScenarioIter },
	"startTime":       func(v *vu) any { v.inIteration("scenario.startTime"); return v.it.ScenarioStart.UnixMilli() },
})

var executionVU = newLiveProps(map[string]func(v *vu) any{
	"idInTest": func(v *vu) any {
		if v.it != nil {
			return v.it.VUID
		}
		return v.id
	},
	"iterationInScenario": func(v *vu) any { v.inIteration("vu.iterationInScenario"); return v.it.VUIter },
})

var executionInstance = newLiveProps(map[string]func(v *vu) any{
	"vusActive": func(v *vu) any {
		if e := v.r.execution(); e != nil {
			return e.ActiveVUs()
		}
		return 0
	},
	"currentTestRunDuration": func(v *vu) any {
		if e := v.r.execution(); e != nil {
			return float64(e.Elapsed()) / float64(time.Millisecond)
		}
		return 0
	},
})

func (v *vu) inIteration(what string) {
	if v.it == nil {
		v.throwf("execution.%s: only available while an iteration runs (not in %s)", what, phaseWhere(v.phase))
	}
}
