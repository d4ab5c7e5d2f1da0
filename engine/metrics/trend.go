package metrics

import (
	"encoding/base64"
	"fmt"
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry of every trend: whole microseconds, 3 significant digits.
const (
	// TrendLowestMicros is the smallest distinguishable value, 1 µs.
	TrendLowestMicros = 1
	// TrendHighestMicros is the largest trackable value, 2^40 µs (about 12.7 days); larger values
	// are recorded as this value in the histogram (min, max and avg stay exact).
	TrendHighestMicros = 1 << 40
	// TrendSignificantDigits is the histogram's precision: values are kept within 0.1 %.
	TrendSignificantDigits = 3
)

// DefaultTrendStats are the keys of a trend's summary (what its Format returns, and so the
// values a Result carries) unless the caller chooses others.
var DefaultTrendStats = []string{"count", "avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"}

// ParseTrendStats parses summary keys for trends, as k6's summaryTrendStats option gives them.
func ParseTrendStats(stats []string) ([]Aggregation, error) {
	out := make([]Aggregation, 0, len(stats))
	for _, s := range stats {
		a, err := ParseAggregation(s)
		if err != nil {
			return nil, fmt.Errorf("trend stat %q: %w", s, err)
		}
		if !SupportsAggregation(Trend, a) {
			return nil, fmt.Errorf("trend stat %q: not available for trends (use %s)", s, supportedList(Trend))
		}
		out = append(out, a)
	}
	return out, nil
}

// TrendSink keeps a distribution of values in milliseconds: the exact count, sum, min and max,
// and an HdrHistogram of the values in microseconds for percentiles. Its memory is bounded
// whatever the number of values: a sparse histogram while few buckets are populated (a few KB),
// then a dense one (about 256 KB), which records in constant time. Both encode to the same bytes.
//
// Trends record values of 0 or more; a negative value counts in count, sum, min and max but is
// recorded as 0 in the histogram. NaN values are ignored.
type TrendSink struct {
	// Stats are the keys Format returns; nil means DefaultTrendStats.
	Stats []Aggregation

	sparse          *hdr.PackedHistogram // until it holds more than packedLimit buckets
	dense           *hdr.Histogram       // afterwards
	count           int64
	sum, minV, maxV float64
}

// packedLimit is the number of populated buckets at which a trend turns dense: a sparse
// histogram's recording cost grows with its populated buckets (binary search, insertion), a
// dense one costs the same whatever it holds but has all its buckets allocated.
const packedLimit = 256

var defaultTrendStats = must(ParseTrendStats(DefaultTrendStats))

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// NewTrendSink returns an empty trend whose Format returns stats (nil: DefaultTrendStats).
func NewTrendSink(stats []Aggregation) *TrendSink {
	return &TrendSink{Stats: stats, sparse: newSparse()}
}

func newSparse() *hdr.PackedHistogram {
	return hdr.NewPacked(TrendLowestMicros, TrendHighestMicros, TrendSignificantDigits)
}

func newDense() *hdr.Histogram {
	return hdr.New(TrendLowestMicros, TrendHighestMicros, TrendSignificantDigits)
}

// record adds one value in microseconds to the histogram, which it cannot refuse: toMicros
// keeps values in range.
func (t *TrendSink) record(us int64) {
	if t.dense != nil {
		_ = t.dense.RecordValue(us)
		return
	}
	_ = t.sparse.RecordValue(us)
	t.densify()
}

// densify turns the histogram dense once it is worth it.
func (t *TrendSink) densify() {
	if t.sparse == nil || t.sparse.Populated() <= packedLimit {
		return
	}
	t.dense = newDense()
	t.sparse.MergeInto(t.dense)
	t.sparse = nil
}

// toMicros converts milliseconds to the histogram's unit, clamped to its range.
func toMicros(ms float64) int64 {
	us := math.Round(ms * 1000)
	switch {
	case !(us > 0): // negative, zero
		return 0
	case us >= TrendHighestMicros:
		return TrendHighestMicros
	}
	return int64(us)
}

// Add adds a value in milliseconds.
func (t *TrendSink) Add(v float64) {
	if math.IsNaN(v) {
		return
	}
	t.record(toMicros(v))
	if t.count == 0 || v < t.minV {
		t.minV = v
	}
	if t.count == 0 || v > t.maxV {
		t.maxV = v
	}
	t.sum += v
	t.count++
}

// IsEmpty reports whether no value was added.
func (t *TrendSink) IsEmpty() bool { return t.count == 0 }

// Count returns the number of values.
func (t *TrendSink) Count() int64 { return t.count }

// Percentile returns the p-th percentile in milliseconds (0 when empty), at the histogram's
// precision: the highest value equivalent to the exact percentile's bucket.
func (t *TrendSink) Percentile(p float64) float64 {
	if t.count == 0 {
		return 0
	}
	if t.dense != nil {
		return float64(t.dense.ValueAtPercentile(p)) / 1000
	}
	return float64(t.sparse.ValueAtPercentile(p)) / 1000
}

// Value returns count, avg, min, med, max or p(N); all but count have no data when empty.
func (t *TrendSink) Value(a Aggregation, _ time.Duration) (float64, bool) {
	if a.Method == AggCount {
		return float64(t.count), true
	}
	if t.count == 0 {
		return 0, false
	}
	switch a.Method {
	case AggAvg:
		return t.sum / float64(t.count), true
	case AggMin:
		return t.minV, true
	case AggMax:
		return t.maxV, true
	case AggMed:
		return t.Percentile(50), true
	case AggPercentile:
		return t.Percentile(a.Percentile), true
	}
	return 0, false
}

// Format returns the sink's Stats; on an empty trend every value is 0.
func (t *TrendSink) Format(elapsed time.Duration) map[string]float64 {
	stats := t.Stats
	if stats == nil {
		stats = defaultTrendStats
	}
	out := make(map[string]float64, len(stats))
	for _, a := range stats {
		v, _ := t.Value(a, elapsed)
		out[a.String()] = v
	}
	return out
}

// Merge adds o's values exactly: histograms of the same geometry merge bucket by bucket.
func (t *TrendSink) Merge(o Sink) error {
	ot, ok := o.(*TrendSink)
	if !ok {
		return fmt.Errorf("cannot merge a %T into a trend", o)
	}
	if ot.count == 0 {
		return nil
	}
	var dropped int64
	switch {
	case ot.dense != nil:
		if t.dense == nil {
			t.dense = newDense()
			t.sparse.MergeInto(t.dense)
			t.sparse = nil
		}
		dropped = t.dense.Merge(ot.dense)
	case t.dense != nil:
		dropped = ot.sparse.MergeInto(t.dense)
	default:
		dropped = t.sparse.Merge(ot.sparse)
		t.densify()
	}
	if dropped != 0 {
		return fmt.Errorf("merging trends: %d values out of range", dropped)
	}
	if t.count == 0 || ot.minV < t.minV {
		t.minV = ot.minV
	}
	if t.count == 0 || ot.maxV > t.maxV {
		t.maxV = ot.maxV
	}
	t.sum += ot.sum
	t.count += ot.count
	return nil
}

// Encode returns the histogram in the standard HdrHistogram V2 compressed encoding
// (hdrhistogram.V2CompressedEncodingCookieBase), base64 (standard alphabet). Any HdrHistogram
// implementation can decode it.
func (t *TrendSink) Encode() (string, error) {
	var b []byte
	var err error
	if t.dense != nil {
		b, err = t.dense.Encode(hdr.V2CompressedEncodingCookieBase)
	} else {
		b, err = t.sparse.Encode()
	}
	if err != nil {
		return "", fmt.Errorf("encoding trend histogram: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// MemorySize returns an estimate of the bytes the sink holds.
func (t *TrendSink) MemorySize() int {
	if t.dense != nil {
		return t.dense.ByteSize() + 64
	}
	return t.sparse.GetMemorySize() + 64
}

// DecodeTrend rebuilds a trend from an encoded histogram alone. Its count is exact; min, max
// and avg come from the histogram, so they are within its precision (0.1 %, 1 µs). Use
// SinkFromSummary to keep a summary's exact values.
func DecodeTrend(encoded string) (*TrendSink, error) {
	h, err := decodeHistogram(encoded)
	if err != nil {
		return nil, err
	}
	t := &TrendSink{sparse: h, count: h.TotalCount()}
	if t.count > 0 {
		t.minV = float64(h.Min()) / 1000
		t.maxV = float64(h.Max()) / 1000
		t.sum = h.Mean() / 1000 * float64(t.count)
	}
	t.densify()
	return t, nil
}

func decodeHistogram(encoded string) (*hdr.PackedHistogram, error) {
	b, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("decoding trend histogram: %w", err)
	}
	h, err := hdr.DecodePacked(b)
	if err != nil {
		return nil, fmt.Errorf("decoding trend histogram: %w", err)
	}
	if h.LowestTrackableValue() != TrendLowestMicros || h.HighestTrackableValue() != TrendHighestMicros ||
		h.SignificantFigures() != TrendSignificantDigits {
		return nil, fmt.Errorf("decoding trend histogram: geometry %d..%d µs with %d digits, want %d..%d with %d",
			h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures(),
			TrendLowestMicros, TrendHighestMicros, TrendSignificantDigits)
	}
	return h, nil
}

func trendFromSummary(values map[string]float64, histogram string) (*TrendSink, error) {
	var t *TrendSink
	if histogram != "" {
		var err error
		if t, err = DecodeTrend(histogram); err != nil {
			return nil, err
		}
	} else {
		t = NewTrendSink(nil)
	}
	// The summary's exact values win over the histogram's approximations; a summary made
	// with custom trend stats may lack some of them.
	if v, ok := values[tokCount]; ok {
		t.count = int64(v)
	}
	if v, ok := values[tokMin]; ok {
		t.minV = v
	}
	if v, ok := values[tokMax]; ok {
		t.maxV = v
	}
	if v, ok := values[tokAvg]; ok {
		t.sum = v * float64(t.count)
	}
	return t, nil
}
