package jsapi

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/dop251/goja"
)

// The `ctiload` module: check, group, sleep, fail, abort, randomBetween, uuid.
var coreModule = newLazyProps(map[string]func(v *vu) any{
	"check":         func(v *vu) any { return v.check },
	"group":         func(v *vu) any { return v.groupFunc() },
	"sleep":         func(v *vu) any { return v.sleep },
	"fail":          func(v *vu) any { return v.fail },
	"abort":         func(v *vu) any { return v.abort },
	"randomBetween": func(v *vu) any { return v.randomBetween },
	"uuid":          func(v *vu) any { return v.uuid },
})

// check(value, {name: fn | bool}, tags?) records one `checks` sample per name (tag check=name)
// and returns whether all passed. A check function that throws fails the iteration, as in k6.
func (v *vu) check(call goja.FunctionCall) goja.Value {
	val := call.Argument(0)
	sets := call.Argument(1)
	obj, ok := sets.(*goja.Object)
	if !ok || goja.IsNull(sets) {
		v.throwType("check: argument 2: want an object of named checks {name: (value) => boolean}, got %s", describe(sets))
	}
	var extra metrics.Tags
	if t := call.Argument(2); !goja.IsUndefined(t) {
		extra = v.tagsArg("check", t)
	}
	m := v.r.checksMetric()
	samples := v.currentSamples()
	all := true
	for _, name := range obj.Keys() {
		c := obj.Get(name)
		pass := c.ToBoolean()
		if fn, ok := goja.AssertFunction(c); ok {
			res, err := fn(goja.Undefined(), val)
			if err != nil {
				panic(err)
			}
			pass = res.ToBoolean()
		}
		if m != nil {
			x := 0.0
			if pass {
				x = 1
			}
			samples.Add(m, x, v.tags("check", name, "", "", extra))
		}
		all = all && pass
	}
	return v.rt.ToValue(all)
}

// group(name, fn) runs fn with the tag group=::name (nested groups: ::outer::inner) on every
// sample recorded inside, and returns fn's result.
//
// Its body is JavaScript (groupSource) around one native function, groupEdge: goja runs a
// JavaScript call from JavaScript in the interpreter's own loop, but a Go function that calls
// back into JavaScript puts a whole interpreter (≈ 1.7 KB of frames: the native call, goja's
// try and run loop) on the Go stack under everything the callback does. An idle agent waits
// inside groups (scripts/bench/idle-agents.js): with those frames its login went deeper than
// 8 KB and left the VU's goroutine a 16 KB stack for the rest of its life, and its idle wait
// used too much of it for the collector to shrink it back.
func (v *vu) groupFunc() goja.Value {
	mk, err := v.rt.RunProgram(groupProgram())
	if err != nil {
		panic(fmt.Errorf("group: %w", err)) // a compiled constant: cannot fail
	}
	factory, _ := goja.AssertFunction(mk)
	fn, err := factory(goja.Undefined(), v.rt.ToValue(v.groupEdge))
	if err != nil {
		panic(fmt.Errorf("group: %w", err))
	}
	return fn
}

// groupSource is group's JavaScript: a function of groupEdge returning group. The finally
// leaves the group also when fn throws; an interrupt skips finally blocks, and callExport
// leaves the groups the interrupted call was in (leaveGroups).
const groupSource = `(edge) => {
	const group = (name, fn) => {
		edge(name, fn);
		try {
			return fn();
		} finally {
			edge();
		}
	};
	return group;
}`

// groupProgram is groupSource compiled, once per process.
var groupProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("ctiload/group", groupSource, true)
})

// groupFrame is what leaving a group restores, and when it was entered.
type groupFrame struct {
	group string
	tags  metrics.Tags
	start time.Time
}

// groupEdge(name, fn) enters group name (fn must be the function group runs); groupEdge()
// leaves the innermost group.
func (v *vu) groupEdge(call goja.FunctionCall) goja.Value {
	if len(call.Arguments) == 0 {
		v.leaveGroups(len(v.groups) - 1)
		return goja.Undefined()
	}
	var name string
	if a := call.Argument(0); !goja.IsUndefined(a) && !goja.IsNull(a) {
		name = a.String()
	}
	if _, ok := goja.AssertFunction(call.Argument(1)); !ok {
		v.throwType("group: argument 2: want a function")
	}
	if strings.Contains(name, "::") {
		v.throwType("group: name %q must not contain \"::\"", name)
	}
	v.groups = append(v.groups, groupFrame{group: v.group, tags: v.baseTags, start: time.Now()})
	v.group = v.group + "::" + name
	v.baseTags = v.tags("", "", "", "", v.groups[len(v.groups)-1].tags.With("group", v.group))
	return goja.Undefined()
}

// leaveGroups leaves the innermost groups until depth are left, recording each one's
// duration with its own tags (also when it ends by an exception or an interrupt, as in k6);
// nested groups are counted in their parents' durations.
func (v *vu) leaveGroups(depth int) {
	for len(v.groups) > max(depth, 0) {
		f := v.groups[len(v.groups)-1]
		v.groups = v.groups[:len(v.groups)-1]
		if m := v.r.groupMetric(); m != nil && v.phase != PhaseInit {
			v.currentSamples().Add(m, float64(time.Since(f.start))/float64(time.Millisecond), v.baseTags)
		}
		v.group, v.baseTags = f.group, f.tags
	}
}

// sleep(seconds) blocks the VU; the iteration's end (graceful stop, ramp-down) interrupts it.
func (v *vu) sleep(call goja.FunctionCall) goja.Value {
	v.forbidInit("sleep()")
	d, err := toDuration(call.Argument(0), time.Second)
	if err != nil {
		v.throwType("sleep: argument 1: %v", err)
	}
	if d <= 0 {
		return goja.Undefined()
	}
	// One timer per VU, reset by every sleep: a new one per call was 200 bytes of garbage per
	// iteration of a script that sleeps. (Since Go 1.23 a stopped or fired timer delivers no
	// stale value after Reset.)
	t := v.sleepTimer
	if t == nil {
		t = time.NewTimer(d)
		v.sleepTimer = t
	} else {
		t.Reset(d)
	}
	select {
	case <-t.C:
	case <-v.ctx.Done():
		t.Stop()
		// The interrupt set by watch stops the script as soon as control returns to it.
		v.throw(v.ctx.Err())
	}
	return goja.Undefined()
}

// fail(msg) throws: the iteration fails with msg.
func (v *vu) fail(call goja.FunctionCall) goja.Value {
	msg := "fail() called"
	if a := call.Argument(0); !goja.IsUndefined(a) {
		msg = a.String()
	}
	panic(v.rt.NewGoError(fmt.Errorf("%s", msg)))
}

// abort(reason) stops the whole test, as k6's exec.test.abort(): no new iterations start, running
// ones are interrupted, the summary is written and ctiload exits 108. For a script that sees
// the system under test is broken (a CTI Server refusing every open) and should not keep
// hammering it.
func (v *vu) abort(call goja.FunctionCall) goja.Value {
	reason := "abort() called"
	if a := call.Argument(0); !goja.IsUndefined(a) {
		reason = a.String()
	}
	v.abortRun(reason)
	return nil
}

// abortRun aborts the whole run with reason. The script cannot catch it: a try/catch around
// cti.connect in a retry loop must not swallow the abort that stops the loop, so the runtime
// is interrupted as well, which no catch block sees.
func (v *vu) abortRun(reason string) {
	err := &executor.AbortError{Reason: reason}
	v.aborting = true
	v.rt.Interrupt(err)
	panic(v.rt.NewGoError(err))
}

// randomBetween(min, max) is an integer in [min, max] when both are integers, else a number in
// [min, max). The VU's generator is seeded from the run seed and the VU number.
func (v *vu) randomBetween(min, max float64) goja.Value {
	if math.IsNaN(min) || math.IsNaN(max) || max < min {
		v.throwType("randomBetween: want min <= max, got %v and %v", min, max)
	}
	if min == math.Trunc(min) && max == math.Trunc(max) {
		span := int64(max-min) + 1
		return v.rt.ToValue(int64(min) + v.rnd.Int64N(span))
	}
	return v.rt.ToValue(min + v.rnd.Float64()*(max-min))
}

// uuid() is a random (version 4) UUID from the VU's seeded generator.
func (v *vu) uuid() string {
	var b [16]byte
	hi, lo := v.rnd.Uint64(), v.rnd.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// tagsArg reads a {key: value} object of tags.
func (v *vu) tagsArg(fn string, val goja.Value) metrics.Tags {
	if goja.IsUndefined(val) || goja.IsNull(val) {
		return metrics.Tags{}
	}
	obj, ok := val.(*goja.Object)
	if !ok {
		v.throwType("%s: tags: want an object of strings {key: 'value'}, got %s", fn, describe(val))
	}
	keys := obj.Keys()
	if len(keys) == 0 {
		return metrics.Tags{}
	}
	kv := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, k, obj.Get(k).String())
	}
	return metrics.NewTags(kv...)
}
