package jsapi

import (
	"maps"
	"slices"
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
//
// Each of the four objects is made on its first read (lazy.go).
var executionModule = newLazyProps(map[string]func(v *vu) any{
	"scenario": func(v *vu) any {
		return v.accessors(map[string]func() any{
			"name":            func() any { v.inIteration("scenario.name"); return v.it.Scenario },
			"iterationInTest": func() any { v.inIteration("scenario.iterationInTest"); return v.it.ScenarioIter },
			"startTime":       func() any { v.inIteration("scenario.startTime"); return v.it.ScenarioStart.UnixMilli() },
		})
	},
	"vu": func(v *vu) any {
		return v.accessors(map[string]func() any{
			"idInTest": func() any {
				if v.it != nil {
					return v.it.VUID
				}
				return v.id
			},
			"iterationInScenario": func() any { v.inIteration("vu.iterationInScenario"); return v.it.VUIter },
		})
	},
	"instance": func(v *vu) any {
		return v.accessors(map[string]func() any{
			"vusActive": func() any {
				if e := v.r.execution(); e != nil {
					return e.ActiveVUs()
				}
				return 0
			},
			"currentTestRunDuration": func() any {
				if e := v.r.execution(); e != nil {
					return float64(e.Elapsed()) / float64(time.Millisecond)
				}
				return 0
			},
		})
	},
	"test": func(v *vu) any {
		test := v.rt.NewObject()
		_ = test.Set("abort", v.abort)
		return test
	},
})

// accessors makes an object of enumerable read-only properties, in sorted order, each read
// from its Go function when the script reads it. It is a dynamic object, not accessor
// properties: a getter is a goja function (600–800 bytes per runtime each) and every agent of
// scripts/bench/idle-agents.js reads exec.scenario.
func (v *vu) accessors(getters map[string]func() any) *goja.Object {
	return v.rt.NewDynamicObject(&accessorObject{v: v, names: slices.Sorted(maps.Keys(getters)), get: getters})
}

type accessorObject struct {
	v     *vu
	names []string
	get   map[string]func() any
}

func (o *accessorObject) Get(key string) goja.Value {
	if get, ok := o.get[key]; ok {
		return o.v.rt.ToValue(get())
	}
	return nil
}

func (o *accessorObject) Has(key string) bool {
	_, ok := o.get[key]
	return ok
}

func (o *accessorObject) Set(string, goja.Value) bool { return false } // read-only
func (o *accessorObject) Delete(key string) bool      { return !o.Has(key) }
func (o *accessorObject) Keys() []string              { return o.names }

func (v *vu) inIteration(what string) {
	if v.it == nil {
		v.throwf("execution.%s: only available while an iteration runs (not in %s)", what, phaseWhere(v.phase))
	}
}
