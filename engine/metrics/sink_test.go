package metrics_test

import (
	"encoding/base64"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

func agg(t *testing.T, s string) metrics.Aggregation {
	t.Helper()
	a, err := metrics.ParseAggregation(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSinks(t *testing.T) {
	tests := []struct {
		name    string
		typ     metrics.MetricType
		values  []float64
		elapsed time.Duration
		want    map[string]float64
	}{
		{"counter", metrics.Counter, []float64{1, 2, 3}, 2 * time.Second, map[string]float64{"count": 6, "rate": 3}},
		{"counter no time", metrics.Counter, []float64{1}, 0, map[string]float64{"count": 1, "rate": 0}},
		{"gauge", metrics.Gauge, []float64{3, 1, 7, 4}, 0, map[string]float64{"value": 4, "min": 1, "max": 7}},
		{"rate", metrics.Rate, []float64{1, 0, 1, 1}, 0, map[string]float64{"rate": 0.75, "count": 4, "passes": 3, "fails": 1}},
		{"trend", metrics.Trend, []float64{1, 2, 3, 4}, 0, map[string]float64{
			"count": 4, "avg": 2.5, "min": 1, "max": 4, "med": 2, "p(90)": 4, "p(95)": 4, "p(99)": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := metrics.NewSink(tt.typ)
			if !s.IsEmpty() {
				t.Fatal("new sink not empty")
			}
			for _, v := range tt.values {
				s.Add(v)
			}
			got := s.Format(tt.elapsed)
			if len(got) != len(tt.want) {
				t.Errorf("Format = %v; want %v", got, tt.want)
			}
			for k, w := range tt.want {
				// Trend percentiles are the top of their histogram bucket: within 0.1 %.
				if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-9+w*0.001 {
					t.Errorf("Format[%q] = %v; want %v", k, g, w)
				}
				// Every Format key is a threshold aggregation that Value agrees with.
				if v, ok := s.Value(agg(t, k), tt.elapsed); !ok || v != got[k] {
					t.Errorf("Value(%s) = %v, %v; want %v", k, v, ok, got[k])
				}
			}
		})
	}
}

func TestEmptySinkNoData(t *testing.T) {
	tests := []struct {
		typ    metrics.MetricType
		agg    string
		wantOK bool
	}{
		{metrics.Counter, "count", true}, {metrics.Counter, "rate", true},
		{metrics.Rate, "rate", false}, {metrics.Rate, "count", true},
		{metrics.Gauge, "value", false}, {metrics.Trend, "p(99)", false}, {metrics.Trend, "count", true},
	}
	for _, tt := range tests {
		if _, ok := metrics.NewSink(tt.typ).Value(agg(t, tt.agg), time.Second); ok != tt.wantOK {
			t.Errorf("empty %s Value(%s) ok = %v; want %v", tt.typ, tt.agg, ok, tt.wantOK)
		}
	}
}

func TestTrendPrecision(t *testing.T) {
	s := metrics.NewTrendSink(nil)
	for i := 1; i <= 100000; i++ {
		s.Add(float64(i) / 100) // 0.01 ms to 1000 ms
	}
	for _, p := range []float64{50, 90, 99, 99.9} {
		exact := p * 10 // the p-th percentile of 1..100000 hundredths of a ms
		if got := s.Percentile(p); math.Abs(got-exact)/exact > 0.001+1e-9 {
			t.Errorf("Percentile(%v) = %v; want %v within 0.1%%", p, got, exact)
		}
	}
	if v, _ := s.Value(agg(t, "min"), 0); v != 0.01 {
		t.Errorf("min = %v; want exactly 0.01", v)
	}
}

// TestTrendMergeEqualsUnion checks that merging two trends, directly or through their
// encoding, gives the trend of the union of their values.
func TestTrendMergeEqualsUnion(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a, b, union := metrics.NewTrendSink(nil), metrics.NewTrendSink(nil), metrics.NewTrendSink(nil)
	for i := range 50000 {
		v := math.Exp(r.NormFloat64() + 3)
		union.Add(v)
		if i%3 == 0 {
			a.Add(v)
		} else {
			b.Add(v)
		}
	}
	encA, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	decA, err := metrics.DecodeTrend(encA)
	if err != nil {
		t.Fatal(err)
	}
	encB, _ := b.Encode()
	viaSummary, err := metrics.SinkFromSummary(metrics.Trend, b.Format(0), encB)
	if err != nil {
		t.Fatal(err)
	}
	if err := decA.Merge(viaSummary); err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	encU, _ := union.Encode()
	for _, merged := range []*metrics.TrendSink{a, decA} {
		encM, _ := merged.Encode()
		if encM != encU {
			t.Error("encoding of the merged trend differs from the union's")
		}
		for _, p := range []float64{0, 50, 90, 99, 99.9, 100} {
			if g, w := merged.Percentile(p), union.Percentile(p); g != w {
				t.Errorf("merged Percentile(%v) = %v; want %v", p, g, w)
			}
		}
		if merged.Count() != union.Count() {
			t.Errorf("merged count = %d; want %d", merged.Count(), union.Count())
		}
	}
	// The direct merge also keeps exact min, max and avg.
	for _, k := range []string{"min", "max", "avg"} {
		g, _ := a.Value(agg(t, k), 0)
		w, _ := union.Value(agg(t, k), 0)
		if math.Abs(g-w) > 1e-9*math.Abs(w) {
			t.Errorf("merged %s = %v; want %v", k, g, w)
		}
	}
}

func TestDecodeTrendErrors(t *testing.T) {
	for _, in := range []string{"!!!", "AAAA", ""} {
		if _, err := metrics.DecodeTrend(in); err == nil {
			t.Errorf("DecodeTrend(%q): no error", in)
		}
	}
}

func TestSinkMergeTypes(t *testing.T) {
	for _, typ := range []metrics.MetricType{metrics.Counter, metrics.Gauge, metrics.Rate, metrics.Trend} {
		other := metrics.Counter
		if typ == metrics.Counter {
			other = metrics.Rate
		}
		if err := metrics.NewSink(typ).Merge(metrics.NewSink(other)); err == nil {
			t.Errorf("merging a %s into a %s: no error", other, typ)
		}
	}
}

// BenchmarkTrendMemory records 10 million latencies and reports the sink's size: it is bounded
// by the histogram's populated buckets, not by the number of values.
func BenchmarkTrendMemory(b *testing.B) {
	n := 10_000_000
	if testing.Short() {
		n = 1_000_000
	}
	r := rand.New(rand.NewPCG(3, 4))
	vals := make([]float64, 1<<16)
	for i := range vals {
		vals[i] = math.Exp(r.NormFloat64()*1.5 + 3) // lognormal around 20 ms, long tail
	}
	var s *metrics.TrendSink
	for b.Loop() {
		s = metrics.NewTrendSink(nil)
		for i := range n {
			s.Add(vals[i&(1<<16-1)])
		}
	}
	b.ReportMetric(float64(s.MemorySize()), "bytes/trend")
	b.ReportMetric(float64(n), "samples")
}

func BenchmarkTrendAdd(b *testing.B) {
	s := metrics.NewTrendSink(nil)
	r := rand.New(rand.NewPCG(3, 4))
	vals := make([]float64, 1<<16)
	for i := range vals {
		vals[i] = math.Exp(r.NormFloat64()*1.5 + 3)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Add(vals[i&(1<<16-1)])
		i++
	}
}

// TestTrendEncodingIsStandard checks that an encoded trend is the standard V2 compressed
// encoding: the reference decoder reads it, with the same counts and percentiles, whether the
// trend was sparse or dense when encoded.
func TestTrendEncodingIsStandard(t *testing.T) {
	for _, n := range []int{10, 100000} { // few buckets (sparse) and many (dense)
		s := metrics.NewTrendSink(nil)
		r := rand.New(rand.NewPCG(5, 6))
		for range n {
			s.Add(math.Exp(r.NormFloat64()*2 + 2))
		}
		enc, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			t.Fatal(err)
		}
		h, err := hdr.Decode(raw)
		if err != nil {
			t.Fatalf("hdrhistogram.Decode: %v", err)
		}
		if h.TotalCount() != int64(n) || h.SignificantFigures() != 3 {
			t.Errorf("n=%d: decoded count %d, %d digits", n, h.TotalCount(), h.SignificantFigures())
		}
		for _, p := range []float64{50, 99, 99.9} {
			if got, want := float64(h.ValueAtQuantile(p))/1000, s.Percentile(p); got != want {
				t.Errorf("n=%d: reference p(%v) = %v; sink says %v", n, p, got, want)
			}
		}
		again, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
		if err != nil {
			t.Fatal(err)
		}
		if base64.StdEncoding.EncodeToString(again) != enc {
			t.Errorf("n=%d: the reference encoder writes other bytes", n)
		}
	}
}
