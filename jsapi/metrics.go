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
		var m *metrics.Metric
		if reg := v.r.registry(); reg != nil {
			var err error
			if m, err = reg.NewMetric(name.String(), t, vt); err != nil {
				v.throwType("%s: %v", what, err)
			}
		} else if err := metrics.ValidateName(name.String()); err != nil {
			v.throwType("%s: %v", what, err)
		}
		obj := call.This
		_ = obj.Set("name", name.String())
		_ = obj.Set("add", func(c goja.FunctionCall) goja.Value {
			if v.phase == PhaseInit {
				v.throwType("%s.add: metrics cannot be recorded in init code", name.String())
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
				v.throwType("%s.add: argument 1: want a number, got %s", name.String(), describe(x))
			}
			if t == metrics.Rate && f != 0 {
				f = 1
			}
			var extra metrics.Tags
			if tg := c.Argument(1); !goja.IsUndefined(tg) {
				extra = v.tagsArg(name.String()+".add", tg)
			}
			if m != nil {
				v.currentSamples().AddAt(m, time.Now(), f, v.tags("", "", "", "", extra))
			}
			return goja.Undefined()
		})
		return nil
	}
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
