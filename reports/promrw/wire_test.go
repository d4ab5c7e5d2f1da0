package promrw

import (
	"bytes"
	"math"
	"testing"

	"github.com/prometheus/prometheus/prompb"
)

// TestWireMatchesPrompb encodes requests with every field ctiload fills, zero and non-zero,
// negative and large, and compares the bytes with what prompb's generated code writes.
func TestWireMatchesPrompb(t *testing.T) {
	spans := []bucketSpan{{Offset: -3, Length: 2}, {Offset: 0, Length: 0}, {Offset: 70000, Length: 1 << 20}}
	deltas := []int64{0, 1, -1, 1 << 40, math.MinInt64}
	ours := []writeRequest{
		{},
		{Timeseries: []timeSeries{{}}},
		{Timeseries: []timeSeries{
			{Labels: []labelPair{{"__name__", "ctiload_iterations_total"}, {"", ""}, {"scenario", "agents é"}},
				Samples: []floatSample{{0, 0}, {1.5, 1700000000000}, {-2, -1}, {math.Inf(1), math.MaxInt64}, {math.NaN(), 1}}},
			{Labels: []labelPair{{"__name__", "ctiload_cti_latency_seconds"}},
				Histograms: []nativeHistogram{
					{},
					{Count: 9, Sum: 60, Schema: -4, ZeroThreshold: 1e-9, ZeroCount: 1, NegativeSpans: spans, NegativeDeltas: deltas,
						PositiveSpans: spans[:1], PositiveDeltas: deltas[:2], Timestamp: 1700000000123},
					{Count: math.MaxUint64, Schema: 8, PositiveSpans: spans, PositiveDeltas: deltas, Timestamp: -5},
				}},
		}},
	}
	for i, req := range ours {
		want, err := toPrompb(&req).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Marshal(); !bytes.Equal(got, want) {
			t.Errorf("request %d:\n got % x\nwant % x", i, got, want)
		}
	}
}

// toPrompb is the same request in prompb's types.
func toPrompb(r *writeRequest) *prompb.WriteRequest {
	out := &prompb.WriteRequest{}
	for _, ts := range r.Timeseries {
		var pts prompb.TimeSeries
		for _, l := range ts.Labels {
			pts.Labels = append(pts.Labels, prompb.Label{Name: l.Name, Value: l.Value})
		}
		for _, s := range ts.Samples {
			pts.Samples = append(pts.Samples, prompb.Sample{Value: s.Value, Timestamp: s.Timestamp})
		}
		for _, h := range ts.Histograms {
			ph := prompb.Histogram{
				Count: &prompb.Histogram_CountInt{CountInt: h.Count}, Sum: h.Sum, Schema: h.Schema,
				ZeroThreshold: h.ZeroThreshold, ZeroCount: &prompb.Histogram_ZeroCountInt{ZeroCountInt: h.ZeroCount},
				NegativeDeltas: h.NegativeDeltas, PositiveDeltas: h.PositiveDeltas, Timestamp: h.Timestamp,
			}
			for _, s := range h.NegativeSpans {
				ph.NegativeSpans = append(ph.NegativeSpans, prompb.BucketSpan{Offset: s.Offset, Length: s.Length})
			}
			for _, s := range h.PositiveSpans {
				ph.PositiveSpans = append(ph.PositiveSpans, prompb.BucketSpan{Offset: s.Offset, Length: s.Length})
			}
			pts.Histograms = append(pts.Histograms, ph)
		}
		out.Timeseries = append(out.Timeseries, pts)
	}
	return out
}
