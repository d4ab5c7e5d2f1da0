package metrics_test

import (
	"strings"
	"testing"

	"github.com/ctiload/ctiload/engine/metrics"
)

func TestParseThreshold(t *testing.T) {
	pct := func(p float64) metrics.Aggregation {
		return metrics.Aggregation{Method: metrics.AggPercentile, Percentile: p}
	}
	agg := func(m metrics.AggregationMethod) metrics.Aggregation { return metrics.Aggregation{Method: m} }
	tests := []struct {
		name    string
		input   string
		agg     metrics.Aggregation
		op      metrics.Operator
		value   float64
		wantErr string // substring; "" means no error
	}{
		{name: "percentile", input: "p(99)<250", agg: pct(99), op: metrics.OpLess, value: 250},
		{name: "fractional percentile", input: "p(99.9)<1000", agg: pct(99.9), op: metrics.OpLess, value: 1000},
		{name: "avg", input: "avg<100", agg: agg(metrics.AggAvg), op: metrics.OpLess, value: 100},
		{name: "rate", input: "rate<0.01", agg: agg(metrics.AggRate), op: metrics.OpLess, value: 0.01},
		{name: "count equal", input: "count==0", agg: agg(metrics.AggCount), op: metrics.OpEq, value: 0},
		{name: "strict equal is equal", input: "count===0", agg: agg(metrics.AggCount), op: metrics.OpEq, value: 0},
		{name: "strict not equal", input: "value!==3", agg: agg(metrics.AggValue), op: metrics.OpNe, value: 3},
		{name: "not equal", input: "max!=3", agg: agg(metrics.AggMax), op: metrics.OpNe, value: 3},
		{name: "less or equal before less", input: "min<=5", agg: agg(metrics.AggMin), op: metrics.OpLessEq, value: 5},
		{name: "greater or equal", input: "med>=5", agg: agg(metrics.AggMed), op: metrics.OpGreaterEq, value: 5},
		{name: "greater", input: "passes>5", agg: agg(metrics.AggPasses), op: metrics.OpGreater, value: 5},
		{name: "fails", input: "fails<1", agg: agg(metrics.AggFails), op: metrics.OpLess, value: 1},
		{name: "blanks everywhere", input: " \tp ( 95 ) <\t 200 ", agg: pct(95), op: metrics.OpLess, value: 200},
		{name: "negative value", input: "min>-1.5", agg: agg(metrics.AggMin), op: metrics.OpGreater, value: -1.5},
		{name: "exponent", input: "avg<1e3", agg: agg(metrics.AggAvg), op: metrics.OpLess, value: 1000},
		{name: "leading dot", input: "rate<.5", agg: agg(metrics.AggRate), op: metrics.OpLess, value: 0.5},
		{name: "p100", input: "p(100)<=7", agg: pct(100), op: metrics.OpLessEq, value: 7},
		{name: "p0", input: "p(0)>0", agg: pct(0), op: metrics.OpGreater, value: 0},
		{name: "aggregation as value", input: "p(100)<=p", wantErr: "at column 9: expected a number after the operator"},

		{name: "missing paren", input: "p(99<250", wantErr: "at column 5: expected ')'"},
		{name: "missing open paren", input: "p99<250", wantErr: "at column 2: expected '(' after 'p'"},
		{name: "unknown aggregation", input: "average<3", wantErr: `at column 1: unknown aggregation "average"`},
		{name: "no aggregation", input: "<3", wantErr: "at column 1: expected an aggregation"},
		{name: "empty", input: "", wantErr: "at column 1: expected an aggregation (count, rate, value, min, max, avg, med, passes, fails or p(N)), got the end of the expression"},
		{name: "no operator", input: "avg 3", wantErr: "at column 5: expected an operator"},
		{name: "single equal", input: "avg=3", wantErr: "at column 4: expected an operator"},
		{name: "no value", input: "avg<", wantErr: "at column 5: expected a number after the operator, got the end of the expression"},
		{name: "bad value", input: "avg<abc", wantErr: "at column 5: expected a number after the operator"},
		{name: "trailing garbage", input: "avg<3ms", wantErr: `at column 6: unexpected "ms" after the threshold value`},
		{name: "percentile out of range", input: "p(101)<3", wantErr: "at column 3: percentile 101 out of range"},
		{name: "negative percentile", input: "p(-1)<3", wantErr: "at column 3: percentile -1 out of range"},
		{name: "percentile not a number", input: "p(x)<3", wantErr: "at column 3: expected a percentile"},
		{name: "bad exponent", input: "avg<1e", wantErr: "at column 7: expected the digits of an exponent"},
		{name: "overflow", input: "avg<1e999", wantErr: "at column 5: number 1e999 out of range"},
		{name: "two operators", input: "avg<<3", wantErr: "at column 5: expected a number after the operator"},
		{name: "upper case", input: "AVG<3", wantErr: `at column 1: unknown aggregation "AVG"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := metrics.ParseThreshold(tt.input)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseThreshold(%q) error = %v; want %q", tt.input, err, tt.wantErr)
				}
				var se *metrics.SyntaxError
				if !asSyntax(err, &se) {
					t.Fatalf("ParseThreshold(%q) error %T is not a *SyntaxError", tt.input, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseThreshold(%q) error = %v", tt.input, err)
			}
			if got.Aggregation != tt.agg || got.Operator != tt.op || got.Value != tt.value || got.Source != tt.input {
				t.Fatalf("ParseThreshold(%q) = %+v; want %v %v %v", tt.input, got, tt.agg, tt.op, tt.value)
			}
		})
	}
}

func asSyntax(err error, target **metrics.SyntaxError) bool {
	se, ok := err.(*metrics.SyntaxError)
	*target = se
	return ok
}

func TestThresholdPasses(t *testing.T) {
	tests := []struct {
		expr     string
		observed float64
		want     bool
	}{
		{"p(99)<250", 249.9, true}, {"p(99)<250", 250, false},
		{"p(99)<=250", 250, true}, {"avg>1", 1, false}, {"avg>=1", 1, true},
		{"count==0", 0, true}, {"count==0", 1, false}, {"count!=0", 1, true}, {"count!==0", 0, false},
	}
	for _, tt := range tests {
		th, err := metrics.ParseThreshold(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.Passes(tt.observed); got != tt.want {
			t.Errorf("%q.Passes(%v) = %v; want %v", tt.expr, tt.observed, got, tt.want)
		}
	}
}

func TestThresholdStringRoundTrip(t *testing.T) {
	for _, in := range []string{"p(99.9) < 1000", "count===0", "rate!==0.5", "avg >= -2e-3", "med<1"} {
		th, err := metrics.ParseThreshold(in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := metrics.ParseThreshold(th.String())
		if err != nil {
			t.Fatalf("ParseThreshold(%q) error = %v", th.String(), err)
		}
		if again.Aggregation != th.Aggregation || again.Operator != th.Operator || again.Value != th.Value {
			t.Errorf("round trip of %q via %q = %+v; want %+v", in, th.String(), again, th)
		}
	}
}

// FuzzParseThreshold checks that no input panics the parser and that whatever parses prints
// back to an expression that parses to the same threshold.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{
		"p(99)<250", "p(99.9)<1000", "avg<100", "rate<0.01", "count==0", "count===0", "value!==1",
		"med>=1e3", " p ( 95 ) <= 200 ", "p(99<250", "p(", "", "<", "avg<-.5", "fails>1E+2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := metrics.ParseThreshold(s)
		if err != nil {
			return
		}
		again, err := metrics.ParseThreshold(th.String())
		if err != nil {
			t.Fatalf("ParseThreshold(%q) ok but its String %q fails: %v", s, th.String(), err)
		}
		if again.Aggregation != th.Aggregation || again.Operator != th.Operator || again.Value != th.Value {
			t.Fatalf("ParseThreshold(%q) = %+v; reparsed %q = %+v", s, th, th.String(), again)
		}
	})
}

func BenchmarkParseThreshold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := metrics.ParseThreshold("p(99.9) <= 1000"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseMetricKey(t *testing.T) {
	tests := []struct {
		in       string
		wantName string
		wantTags string
		wantErr  string
	}{
		{in: "iterations", wantName: "iterations"},
		{in: " iterations ", wantName: "iterations"},
		{in: "cti_request_duration{msg:SET_AGENT_STATE_REQ}", wantName: "cti_request_duration", wantTags: "{msg:SET_AGENT_STATE_REQ}"},
		{in: "x{ b : 2 , a:1 }", wantName: "x", wantTags: "{a:1,b:2}"},
		{in: `x{check:"a, b}"}`, wantName: "x", wantTags: "{check:a, b}}"},
		{in: "x{}", wantName: "x"},
		{in: "x{a:}", wantName: "x", wantTags: "{a:}"},
		{in: "x{a}", wantErr: "at column 4: expected ':'"},
		{in: "x{a:1", wantErr: "at column 6: expected ',' or '}'"},
		{in: "x{:1}", wantErr: "at column 3: expected a tag name"},
		{in: "x{a:1}y", wantErr: `at column 7: unexpected "y" after '}'`},
		{in: `x{a:"1}`, wantErr: "at column 5: unterminated quoted value"},
		{in: "1x", wantErr: `at column 1: invalid metric name "1x"`},
		{in: "{a:1}", wantErr: `invalid metric name ""`},
	}
	for _, tt := range tests {
		name, tags, err := metrics.ParseMetricKey(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMetricKey(%q) error = %v; want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || name != tt.wantName || tags.String() != tt.wantTags {
			t.Errorf("ParseMetricKey(%q) = %q, %q, %v; want %q, %q", tt.in, name, tags.String(), err, tt.wantName, tt.wantTags)
		}
	}
}

func TestThresholdSetErrors(t *testing.T) {
	_, err := metrics.NewThresholdSet(map[string][]metrics.ThresholdSpec{
		"x":    {{Source: "p(99<250"}, {Source: "avg<1"}},
		"y{a}": {{Source: "avg<1"}},
	})
	if err == nil {
		t.Fatal("NewThresholdSet: no error")
	}
	for _, want := range []string{
		`threshold "p(99<250" of metric "x": at column 5: expected ')'`,
		`threshold metric "y{a}": at column 4: expected ':'`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("NewThresholdSet error = %q; want it to contain %q", err, want)
		}
	}
}

func TestThresholdSetValidate(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.Counter("c")
	reg.Trend("t")
	reg.Rate("r")
	reg.Gauge("g")
	tests := []struct {
		key, expr string
		wantErr   string
	}{
		{"c", "count==0", ""}, {"c", "rate<3", ""},
		{"c", "p(95)<200", `threshold "p(95)<200" of metric "c": p(95) is not available for counter metrics (use count, rate)`},
		{"t", "p(95)<200", ""}, {"t", "med<1", ""}, {"t", "count>1", ""},
		{"t", "rate<1", "rate is not available for trend metrics"},
		{"r", "rate<0.01", ""}, {"r", "passes>1", ""}, {"r", "avg<1", "avg is not available for rate metrics"},
		{"g", "value<3", ""}, {"g", "max<3", ""}, {"g", "count<3", "count is not available for gauge metrics"},
		{"nope{a:b}", "count<3", `threshold metric "nope{a:b}": no metric called "nope"`},
	}
	for _, tt := range tests {
		set, err := metrics.NewThresholdSet(map[string][]metrics.ThresholdSpec{tt.key: {{Source: tt.expr}}})
		if err != nil {
			t.Fatal(err)
		}
		err = set.Validate(reg)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Validate(%s: %s) = %v; want %q", tt.key, tt.expr, err, tt.wantErr)
		}
	}
}
