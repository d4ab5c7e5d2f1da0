package jsapi

import (
	"math"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/dop251/goja"
)

// The `ctiload/metrics` module: custom metrics, created in init code, as in k6:
//
//	const logins = new Counter('agent_logins');
//	const talk = new Trend('talk_time', true); // isTime: values in ms, reported as durations
//	logins.add(1, { site: 'paris' });
var metricsModule = newLazyProps(map[string]func(v *vu) any{
	"Counter": func(v *vu) any { return v.metricConstructor(metrics.Counter) },
	"Gauge":   func(v *vu) any { return v.metricConstructor(metrics.Gauge) },
	"Rate":    func(v *vu) any { return v.metricConstructor(metrics.Rate) },
	"Trend":   func(v *vu) any { return v.metricConstructor(metrics.Trend) },
})

func (v *vu) metricConstructor(t metrics.MetricType) func(goja.ConstructorCall) *goja.Object {
	return func(call goja.ConstructorCall) *goja.Object {
		what := "new " + typeTitle(t)
		v.requireInit(what + "()")
		name := call.Argument(0)
		if goja.IsUndefined(name) {
			v.throwType("%s: argument 1: want the metric's name", what)
		}
		vt := metrics.Default
		if t == metrics.Trend && call.Argument(1).ToBoolean() {
			vt = metrics.Time
		}
		jm := &jsMetric{v: v, t: t, name: name.String()}
		if reg := v.r.registry(); reg != nil {
			var err error
			if jm.m, err = reg.NewMetric(jm.name, t, vt); err != nil {
				v.throwType("%s: %v", what, err)
			}
		} else if err := metrics.ValidateName(jm.name); err != nil {
			v.throwType("%s: %v", what, err)
		}
		obj := v.rt.NewDynamicObject(jm)
		_ = obj.SetPrototype(call.This.Prototype()) // instanceof Counter holds
		return obj
	}
}

// jsMetric is the object of a custom metric: its read-only properties name and add. It is a
// dynamic object rather than an object holding a closure of its own: every VU makes every
// metric of the init code, and an object with its own add function cost ≈ 1 KB per metric and
// VU; add is one function per VU (metricAdd) that finds its metric from this.
type jsMetric struct {
	v    *vu
	m    *metrics.Metric // nil without a registry
	t    metrics.MetricType
	name string
}

func (jm *jsMetric) Get(key string) goja.Value {
	switch key {
	case "name":
		return jm.v.rt.ToValue(jm.name)
	case "add":
		return jm.v.metricAddFunc()
	}
	return nil
}

func (jm *jsMetric) Set(string, goja.Value) bool { return false }
func (jm *jsMetric) Has(key string) bool         { return key == "name" || key == "add" }
func (jm *jsMetric) Delete(string) bool          { return false }
func (jm *jsMetric) Keys() []string              { return []string{"name", "add"} }

// metricAddFunc is the VU's add of every custom metric, made on first use.
func (v *vu) metricAddFunc() goja.Value {
	if v.metricAdd == nil {
		v.metricAdd = v.rt.ToValue(v.addToMetric)
	}
	return v.metricAdd
}

// addToMetric(value, tags?) records one sample of the metric it is called on.
func (v *vu) addToMetric(c goja.FunctionCall) goja.Value {
	var jm *jsMetric
	if this, ok := c.This.(*goja.Object); ok {
		jm, _ = this.Export().(*jsMetric)
	}
	if jm == nil {
		v.throwType("add: call it on its metric (metric.add(value)), not detached from it")
	}
	if v.phase == PhaseInit {
		v.throwType("%s.add: metrics cannot be recorded in init code", jm.name)
	}
	x := c.Argument(0)
	var f float64
	switch e := x.Export().(type) {
	case bool:
		if e {
			f = 1
		}
	default:
		f = x.ToFloat()
	}
	if goja.IsUndefined(x) || math.IsNaN(f) {
		v.throwType("%s.add: argument 1: want a number, got %s", jm.name, describe(x))
	}
	if jm.t == metrics.Rate && f != 0 {
		f = 1
	}
	var extra metrics.Tags
	if tg := c.Argument(1); !goja.IsUndefined(tg) {
		extra = v.tagsArg(jm.name+".add", tg)
	}
	if jm.m != nil {
		v.currentSamples().AddAt(jm.m, time.Now(), f, v.tags("", "", "", "", extra))
	}
	return goja.Undefined()
}

func typeTitle(t metrics.MetricType) string {
	switch t {
	case metrics.Counter:
		return "Counter"
	case metrics.Gauge:
		return "Gauge"
	case metrics.Rate:
		return "Rate"
	}
	return "Trend"
}
