package promrw

import (
	"math"
	"slices"
)

// Trends are kept as sparse exponential histograms, the bucket layout of Prometheus's native
// histograms: at schema s, bucket i holds the values v with 2^((i-1)/2^s) < |v| <= 2^(i/2^s),
// so each bucket is 2^(2^-s) times wider than the one before (schema 5: 2.2 %, quantiles
// within 1.1 %). Values whose magnitude is at most zeroThreshold go to the zero bucket. One
// layout serves both ways of shipping a trend: the buckets themselves (a native histogram,
// downscaled to nativeSchema) or quantiles computed from them (quantile gauges).
const (
	// keepSchema is the resolution kept while recording.
	keepSchema = 5
	// nativeSchema is the resolution shipped as a native histogram: Prometheus's own default
	// (client_golang's bucket factor 1.1), some 130 buckets for latencies from 1 µs to 100 s.
	nativeSchema = 3
	// maxBucketSpan bounds the buckets of one side of a histogram: past it, the histogram
	// halves its resolution (as Prometheus's client does), so memory stays bounded for any
	// spread of values.
	maxBucketSpan = 2048
	// zeroThreshold is Prometheus's default width of the zero bucket.
	zeroThreshold = 0x1p-128
)

// histogram is one trend series' distribution. Not safe for concurrent use.
type histogram struct {
	schema   int32
	count    uint64
	sum      float64
	zero     uint64
	pos, neg buckets
	min, max float64 // of the values since the last reset
}

// buckets are the counts of consecutive bucket indexes first, first+1, … (dense: latencies
// cluster, and a slice index beats a map on the hot path).
type buckets struct {
	first  int32
	counts []uint64
}

func (h *histogram) observe(v float64) {
	if h.count == 0 || v < h.min {
		h.min = v
	}
	if h.count == 0 || v > h.max {
		h.max = v
	}
	h.count++
	h.sum += v
	a := math.Abs(v)
	switch {
	case a <= zeroThreshold || math.IsNaN(v):
		h.zero++
		return
	case math.IsInf(v, 0):
		a = math.MaxFloat64
	}
	side := &h.pos
	if v < 0 {
		side = &h.neg
	}
	for !side.add(bucketIndex(a, h.schema)) {
		h.downscale()
	}
}

// bucketIndex returns the index of a's bucket (a > 0) at schema s: the smallest i with
// a <= 2^(i/2^s). Frexp keeps powers of two exact, and a search in the schema's bounds within
// one power of two (as Prometheus's client does) spares the hot path a logarithm.
func bucketIndex(a float64, s int32) int32 {
	frac, exp := math.Frexp(a) // a = frac · 2^exp, frac in [0.5, 1)
	if s <= 0 {
		// Buckets of 2^(2^-s) powers of two: frac = 0.5 sits on the boundary below.
		if frac == 0.5 {
			exp--
		}
		return int32((exp + (1 << -s) - 1) >> -s)
	}
	b := fracBounds[s]
	lo, hi := 0, len(b) // the first j with b[j] >= frac
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if b[mid] < frac {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return int32((exp-1)<<s + lo)
}

// fracBounds[s][j] = 2^(j/2^s - 1): the bucket upper bounds in [0.5, 1) at schema s.
var fracBounds = func() (t [keepSchema + 1][]float64) {
	for s := 1; s <= keepSchema; s++ {
		per := 1 << s
		for j := range per {
			t[s] = append(t[s], math.Exp2(float64(j)/float64(per)-1))
		}
	}
	return t
}()

// add counts one value in bucket i; it returns false, changing nothing, when the span of the
// buckets would exceed maxBucketSpan.
func (b *buckets) add(i int32) bool {
	switch {
	case len(b.counts) == 0:
		b.first = i
		b.counts = append(b.counts[:0], 0)
	case i < b.first:
		grow := int(b.first - i)
		if len(b.counts)+grow > maxBucketSpan {
			return false
		}
		b.counts = append(make([]uint64, grow, grow+len(b.counts)), b.counts...)
		b.first = i
	case int(i-b.first) >= len(b.counts):
		n := int(i-b.first) + 1
		if n > maxBucketSpan {
			return false
		}
		for len(b.counts) < n {
			b.counts = append(b.counts, 0)
		}
	}
	b.counts[i-b.first]++
	return true
}

// downscale halves the histogram's resolution: buckets 2j-1 and 2j become bucket j.
func (h *histogram) downscale() {
	h.schema--
	h.pos = h.pos.downscaled(1)
	h.neg = h.neg.downscaled(1)
}

// downscaled returns the buckets at a schema lower by delta (Prometheus's rule:
// ((i-1) >> delta) + 1).
func (b buckets) downscaled(delta int32) buckets {
	if len(b.counts) == 0 || delta == 0 {
		return b
	}
	target := func(i int32) int32 { return ((i - 1) >> delta) + 1 }
	last := b.first + int32(len(b.counts)) - 1
	out := buckets{first: target(b.first), counts: make([]uint64, target(last)-target(b.first)+1)}
	for k, c := range b.counts {
		out.counts[target(b.first+int32(k))-out.first] += c
	}
	return out
}

// copyTo makes dst a copy of h, reusing dst's memory.
func (h *histogram) copyTo(dst *histogram) {
	pos, neg := dst.pos.counts, dst.neg.counts
	*dst = *h
	dst.pos.counts = append(pos[:0], h.pos.counts...)
	dst.neg.counts = append(neg[:0], h.neg.counts...)
}

// since returns the values h gained after it was copied to prev (h only grows, and may have
// lowered its resolution since), with the given min and max of those values.
func (h *histogram) since(prev *histogram, lo, hi float64) histogram {
	d := histogram{schema: h.schema, count: h.count - prev.count, sum: h.sum - prev.sum, zero: h.zero - prev.zero, min: lo, max: hi}
	delta := prev.schema - h.schema
	d.pos = h.pos.minus(prev.pos.downscaled(delta))
	d.neg = h.neg.minus(prev.neg.downscaled(delta))
	return d
}

// minus returns b's counts less o's, o's buckets lying within b's.
func (b buckets) minus(o buckets) buckets {
	out := buckets{first: b.first, counts: slices.Clone(b.counts)}
	for k, c := range o.counts {
		if i := int(o.first + int32(k) - b.first); i >= 0 && i < len(out.counts) {
			out.counts[i] -= c
		}
	}
	return out
}

// quantile estimates the q-quantile (0 <= q <= 1) as the geometric middle of the bucket that
// holds it, within the observed min and max: the exact value is within half a bucket's
// width of it. NaN when the histogram is empty.
func (h *histogram) quantile(q float64) float64 {
	if h.count == 0 {
		return math.NaN()
	}
	if q >= 1 {
		return h.max
	}
	if q <= 0 {
		return h.min
	}
	rank := uint64(math.Ceil(q * float64(h.count))) // the rank-th smallest value, 1-based
	if rank == 0 {
		rank = 1
	}
	var seen uint64
	est := math.NaN()
	// Negative values, from the most negative (highest index) up.
	for k := len(h.neg.counts) - 1; k >= 0 && math.IsNaN(est); k-- {
		if seen += h.neg.counts[k]; seen >= rank {
			est = -h.middle(h.neg.first + int32(k))
		}
	}
	if math.IsNaN(est) {
		if seen += h.zero; seen >= rank {
			est = 0
		}
	}
	for k := 0; k < len(h.pos.counts) && math.IsNaN(est); k++ {
		if seen += h.pos.counts[k]; seen >= rank {
			est = h.middle(h.pos.first + int32(k))
		}
	}
	if math.IsNaN(est) {
		est = h.max
	}
	return math.Min(math.Max(est, h.min), h.max)
}

// middle is the geometric middle of bucket i: 2^((i-0.5)/2^schema).
func (h *histogram) middle(i int32) float64 {
	return math.Exp2((float64(i) - 0.5) / math.Exp2(float64(h.schema)))
}

// native renders the histogram as a Prometheus native histogram at most at nativeSchema.
func (h *histogram) native(ts int64) nativeHistogram {
	schema := min(h.schema, nativeSchema)
	pos, neg := h.pos.downscaled(h.schema-schema), h.neg.downscaled(h.schema-schema)
	out := nativeHistogram{
		Count:         h.count,
		Sum:           h.sum,
		Schema:        schema,
		ZeroThreshold: zeroThreshold,
		ZeroCount:     h.zero,
		Timestamp:     ts,
	}
	out.PositiveSpans, out.PositiveDeltas = pos.spans()
	out.NegativeSpans, out.NegativeDeltas = neg.spans()
	return out
}

// spans encodes the non-empty buckets as Prometheus does: spans of consecutive buckets (the
// first span's offset is its first index, later ones the gap since the previous span) and
// each bucket's count as the difference from the previous bucket's.
func (b buckets) spans() ([]bucketSpan, []int64) {
	var spans []bucketSpan
	var deltas []int64
	var prev int64
	next := b.first // the index after the last span's end
	for k, c := range b.counts {
		if c == 0 {
			continue
		}
		i := b.first + int32(k)
		if n := len(spans); n > 0 && i == next {
			spans[n-1].Length++
		} else {
			off := i
			if n > 0 {
				off = i - next
			}
			spans = append(spans, bucketSpan{Offset: off, Length: 1})
		}
		next = i + 1
		deltas = append(deltas, int64(c)-prev)
		prev = int64(c)
	}
	return spans, deltas
}
