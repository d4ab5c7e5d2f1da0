package promrw

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestBucketIndex: bucket i holds (2^((i-1)/2^s), 2^(i/2^s)]; powers of two sit exactly on
// upper bounds, at every schema.
func TestBucketIndex(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		schema int32
		want   int32
	}{
		{1, 0, 0}, {2, 0, 1}, {3, 0, 2}, {4, 0, 2}, {0.5, 0, -1}, {0.3, 0, -1},
		{1, 3, 0}, {2, 3, 8}, {1.0905, 3, 1}, {1.0906, 3, 2}, // 2^(1/8) = 1.090508
		{1, 5, 0}, {0.001, 5, -318}, {4, -1, 1}, {5, -1, 2}, {16, -1, 2}, {17, -1, 3},
	} {
		if got := bucketIndex(tc.v, tc.schema); got != tc.want {
			t.Errorf("bucketIndex(%v, %d) = %d, want %d", tc.v, tc.schema, got, tc.want)
		}
	}
}

// TestNativeEncoding: the spans and deltas of a small histogram, worked by hand, in
// Prometheus's encoding (first span offset absolute, later ones the gap; counts as deltas).
func TestNativeEncoding(t *testing.T) {
	h := histogram{schema: 0}
	for _, v := range []float64{0, 1, 1, 2, 3, 4, 20, 30, -1} {
		h.observe(v)
	}
	// schema 0 buckets: 1 → 0 (×2), 2 → 1, 3 and 4 → 2 (×2), 20 and 30 → 5 (×2); -1 → neg 0.
	got := h.native(1234)
	want := nativeHistogram{
		Count: 9, Sum: 60, Schema: 0, ZeroThreshold: zeroThreshold,
		ZeroCount:      1,
		PositiveSpans:  []bucketSpan{{Offset: 0, Length: 3}, {Offset: 2, Length: 1}},
		PositiveDeltas: []int64{2, -1, 1, 0},
		NegativeSpans:  []bucketSpan{{Offset: 0, Length: 1}},
		NegativeDeltas: []int64{1},
		Timestamp:      1234,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("native histogram\n got %+v\nwant %+v", got, want)
	}
}

// TestDownscaleToNative: schema 5 buckets merge into schema 3 ones by Prometheus's rule, and
// every count survives.
func TestDownscaleToNative(t *testing.T) {
	h5 := histogram{schema: keepSchema}
	h3 := histogram{schema: nativeSchema}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		v := math.Exp(r.NormFloat64()*2) / 1000
		h5.observe(v)
		h3.observe(v)
	}
	a, b := h5.native(0), h3.native(0)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("schema 5 downscaled differs from schema 3 recorded:\n%+v\n%+v", a, b)
	}
}

// TestQuantileAccuracy: quantiles from schema 5 buckets are within 1.1 % of the exact ones;
// min and max are exact.
func TestQuantileAccuracy(t *testing.T) {
	h := histogram{schema: keepSchema}
	r := rand.New(rand.NewPCG(3, 4))
	var vals []float64
	for range 20000 {
		v := 0.0005 + r.ExpFloat64()*0.01
		vals = append(vals, v)
		h.observe(v)
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
		exact := vals[int(math.Ceil(q*float64(len(vals))))-1]
		if got := h.quantile(q); math.Abs(got-exact)/exact > 0.011 {
			t.Errorf("p%v = %v, exact %v", q*100, got, exact)
		}
	}
	if h.quantile(1) != vals[len(vals)-1] || h.quantile(0) != vals[0] {
		t.Errorf("max %v min %v, want %v %v", h.quantile(1), h.quantile(0), vals[len(vals)-1], vals[0])
	}
}

// TestHistogramBounded: values spread over the whole float range lower the resolution instead
// of growing the buckets past maxBucketSpan.
func TestHistogramBounded(t *testing.T) {
	h := histogram{schema: keepSchema}
	for e := -300; e <= 300; e += 3 {
		h.observe(math.Pow(10, float64(e)))
	}
	if len(h.pos.counts) > maxBucketSpan || h.schema >= keepSchema {
		t.Errorf("schema %d, %d buckets", h.schema, len(h.pos.counts))
	}
	if h.count != 201 {
		t.Errorf("count %d", h.count)
	}
	var sum uint64
	for _, c := range h.pos.counts {
		sum += c
	}
	// 10^-300 … 10^-39 are below the zero threshold (2^-128): 88 of them.
	if sum != 113 || h.zero != 88 {
		t.Errorf("buckets hold %d values and the zero bucket %d, want 113 and 88", sum, h.zero)
	}
}

// TestSince: the quantile gauges of an interval come from the cumulative histogram less its
// copy at the last push, also when the resolution dropped in between.
func TestSince(t *testing.T) {
	h, prev := histogram{schema: keepSchema}, histogram{}
	for v := 1.0; v <= 100; v++ {
		h.observe(v / 1000) // 1…100 ms
	}
	h.copyTo(&prev)
	fresh := histogram{schema: keepSchema}
	for v := 1.0; v <= 1000; v++ {
		h.observe(v) // 1…1000 s
		fresh.observe(v)
	}
	h.observe(1e-300) // zero bucket…
	h.observe(1e300)  // …and a spread that lowers the resolution
	fresh.observe(1e-300)
	fresh.observe(1e300)
	if h.schema >= keepSchema {
		t.Fatalf("schema %d: the test wants a downscale", h.schema)
	}
	d := h.since(&prev, 1e-300, 1e300)
	if d.count != fresh.count || d.zero != 1 || math.Abs(d.sum-fresh.sum) > 1e290 {
		t.Errorf("since: count %d zero %d sum %v; want %d 1 %v", d.count, d.zero, d.sum, fresh.count, fresh.sum)
	}
	if p50 := d.quantile(0.5); math.Abs(p50-500)/500 > 0.5 {
		t.Errorf("p50 of the interval = %v, want about 500 (the first interval's 1–100 ms left out)", p50)
	}
}
