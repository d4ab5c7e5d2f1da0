package jsapi

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/dop251/goja"
)

// The `ctiload` module: check, group, sleep, fail, abort, randomBetween, uuid.
var coreModule = newLazyProps(map[string]func(v *vu) any{
	"check":         func(v *vu) any { return v.check },
	"group":         func(v *vu) any { return v.groupFn },
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

// groupFn(name, fn) runs fn with the tag group=::name (nested groups: ::outer::inner) on every
// sample recorded inside, and returns fn's result.
//
// It takes a goja.FunctionCall rather than typed arguments: goja calls a typed Go function
// through reflect.Value.Call, whose 1.4 KB frame stays on the VU's stack under everything the
// group runs, and an idle agent waits inside groups (scripts/bench/idle-agents.js): that frame
// was what kept its stack from shrinking from 16 KB to 8 KB.
func (v *vu) groupFn(call goja.FunctionCall) goja.Value {
	var name string
	if a := call.Argument(0); !goja.IsUndefined(a) && !goja.IsNull(a) {
		name = a.String()
	}
	fn, ok := goja.AssertFunction(call.Argument(1))
	if !ok {
		v.throwType("group: argument 2: want a function")
	}
	if strings.Contains(name, "::") {
		v.throwType("group: name %q must not contain \"::\"", name)
	}
	prevGroup, prevTags := v.group, v.baseTags
	v.group = prevGroup + "::" + name
	v.baseTags = v.tags("", "", "", "", prevTags.With("group", v.group))
	start := time.Now()
	defer func() {
		// Recorded when the group ends, also by an exception (k6 does the same), with the
		// group's own tags; nested groups are counted in their parents' durations.
		if m := v.r.groupMetric(); m != nil && v.phase != PhaseInit {
			v.currentSamples().Add(m, float64(time.Since(start))/float64(time.Millisecond), v.baseTags)
		}
		v.group, v.baseTags = prevGroup, prevTags
	}()
	res, err := fn(goja.Undefined())
	if err != nil {
		panic(err)
	}
	return res
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
