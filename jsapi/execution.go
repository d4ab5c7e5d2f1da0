package jsapi

import (
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
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
func newExecutionModule(v *vu) goja.Value {
	rt := v.rt
	accessor := func(o *goja.Object, name string, get func() any) {
		_ = o.DefineAccessorProperty(name, rt.ToValue(func(goja.FunctionCall) goja.Value { return rt.ToValue(get()) }),
			nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	inIteration := func(what string) {
		if v.it == nil {
			v.throwf("execution.%s: only available while an iteration runs (not in %s)", what, phaseWhere(v.phase))
		}
	}
	scenario := rt.NewObject()
	accessor(scenario, "name", func() any { inIteration("scenario.name"); return v.it.Scenario })
	accessor(scenario, "iterationInTest", func() any { inIteration("scenario.iterationInTest"); return v.it.ScenarioIter })
	accessor(scenario, "startTime", func() any {
		inIteration("scenario.startTime")
		return v.it.ScenarioStart.UnixMilli()
	})
	vuObj := rt.NewObject()
	accessor(vuObj, "idInTest", func() any {
		if v.it != nil {
			return v.it.VUID
		}
		return v.id
	})
	accessor(vuObj, "iterationInScenario", func() any { inIteration("vu.iterationInScenario"); return v.it.VUIter })
	instance := rt.NewObject()
	accessor(instance, "vusActive", func() any {
		if e := v.r.execution(); e != nil {
			return e.ActiveVUs()
		}
		return 0
	})
	accessor(instance, "currentTestRunDuration", func() any {
		if e := v.r.execution(); e != nil {
			return float64(e.Elapsed()) / float64(time.Millisecond)
		}
		return 0
	})
	test := rt.NewObject()
	_ = test.Set("abort", v.abort)
	return newModuleObject(v, map[string]any{"scenario": scenario, "vu": vuObj, "instance": instance, "test": test})
}
