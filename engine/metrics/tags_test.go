package metrics_test

import (
	"encoding/json"
	"testing"

	"github.com/ctiload/ctiload/engine/metrics"
)

func TestTags(t *testing.T) {
	a := metrics.NewTags("msg", "X", "b", "2", "msg", "Y")
	if got, want := a.String(), "{b:2,msg:Y}"; got != want {
		t.Errorf("NewTags(...).String() = %q; want %q (sorted, last wins)", got, want)
	}
	if v, ok := a.Get("msg"); !ok || v != "Y" {
		t.Errorf("Get(msg) = %q, %v; want Y, true", v, ok)
	}
	if _, ok := a.Get("zzz"); ok {
		t.Error("Get(zzz) found a value")
	}
	m := metrics.TagsFromMap(map[string]string{"msg": "Y", "b": "2"})
	if !m.Equal(a) || m.Key() != a.Key() {
		t.Errorf("TagsFromMap = %v; want equal to %v", m, a)
	}
	if w := a.With("c", "3"); w.String() != "{b:2,c:3,msg:Y}" || a.Len() != 2 {
		t.Errorf("With = %v (receiver %v); want a new set {b:2,c:3,msg:Y}", w, a)
	}
	if mg := a.Merge(metrics.NewTags("b", "9")); mg.String() != "{b:9,msg:Y}" {
		t.Errorf("Merge = %v; want {b:9,msg:Y}", mg)
	}
	var zero metrics.Tags
	if zero.Len() != 0 || zero.String() != "" || zero.Map() != nil || !a.Contains(zero) {
		t.Error("the zero Tags is not the empty set")
	}
	contains := []struct {
		sub  metrics.Tags
		want bool
	}{
		{metrics.NewTags("msg", "Y"), true},
		{metrics.NewTags("msg", "Y", "b", "2"), true},
		{metrics.NewTags("msg", "X"), false},
		{metrics.NewTags("a", "1"), false},
		{metrics.NewTags("msg", "Y", "b", "2", "c", "3"), false},
	}
	for _, c := range contains {
		if got := a.Contains(c.sub); got != c.want {
			t.Errorf("%v.Contains(%v) = %v; want %v", a, c.sub, got, c.want)
		}
	}
	// Keys must not collide when values contain what a naive encoding uses as separators.
	x := metrics.NewTags("a", "1,b:2")
	y := metrics.NewTags("a", "1", "b", "2")
	z := metrics.NewTags("a", "1\x1fb\x1e")
	if x.Key() == y.Key() || y.Key() == z.Key() || x.Key() == z.Key() {
		t.Error("distinct tag sets share a key")
	}
	b, err := json.Marshal(a)
	if err != nil || string(b) != `{"b":"2","msg":"Y"}` {
		t.Errorf("json.Marshal = %s, %v", b, err)
	}
	var back metrics.Tags
	if err := json.Unmarshal(b, &back); err != nil || !back.Equal(a) {
		t.Errorf("json round trip = %v, %v; want %v", back, err, a)
	}
}

func TestRegistry(t *testing.T) {
	reg := metrics.NewRegistry()
	c := reg.Counter("c")
	if reg.Counter("c") != c {
		t.Error("Counter twice returned different metrics")
	}
	if _, err := reg.NewMetric("c", metrics.Trend); err == nil {
		t.Error("redeclaring a counter as a trend: no error")
	}
	if _, err := reg.NewMetric("1bad", metrics.Counter); err == nil {
		t.Error("invalid name: no error")
	}
	if reg.Trend("t").Contains != metrics.Time {
		t.Error("Trend is not a time trend")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Trend on a counter's name did not panic")
			}
		}()
		reg.Trend("c")
	}()
	b, err := metrics.RegisterBuiltins(reg)
	if err != nil || b.Iterations.Type != metrics.Counter || b.IterationDuration.Type != metrics.Trend || b.IterationStartLateness.Type != metrics.Trend || b.Checks.Type != metrics.Rate || b.VUs.Type != metrics.Gauge {
		t.Fatalf("RegisterBuiltins = %+v, %v", b, err)
	}
	if all := reg.All(); len(all) != 11 || all[0].Name != "c" { // c, t and the nine builtins
		t.Errorf("All() = %v", all)
	}
}
