package promrw

import (
	"encoding/binary"
	"math"
)

// The remote-write messages ctiload sends (Prometheus' prompb: remote.proto's WriteRequest,
// types.proto's TimeSeries, Label, Sample, Histogram and BucketSpan), only the fields it fills,
// and their protobuf encoding, field by field in the order prompb's generated code writes them.
//
// They are the package's own rather than prompb's because linking prompb links gogo protobuf and
// the protobuf runtime, whose package inits (descriptor registration) run in every ctiload
// process, whatever its command: ≈1.5 MiB of resident code pages before the first VU
// (docs/performance.md, "Where a VU's memory goes"). TestWireMatchesPrompb checks the encoding
// against prompb's byte for byte, and the output's tests decode what is sent with prompb.

// writeRequest is a remote-write request: prompb.WriteRequest.
type writeRequest struct {
	Timeseries []timeSeries // 1
}

// timeSeries is one series' labels and points: prompb.TimeSeries.
type timeSeries struct {
	Labels     []labelPair       // 1
	Samples    []floatSample     // 2
	Histograms []nativeHistogram // 4
}

// labelPair is prompb.Label.
type labelPair struct {
	Name  string // 1
	Value string // 2
}

// floatSample is prompb.Sample.
type floatSample struct {
	Value     float64 // 1
	Timestamp int64   // 2, milliseconds
}

// nativeHistogram is an integer native histogram: prompb.Histogram with the count_int and
// zero_count_int variants of its oneofs.
type nativeHistogram struct {
	Count          uint64       // 1 (count_int)
	Sum            float64      // 3
	Schema         int32        // 4
	ZeroThreshold  float64      // 5
	ZeroCount      uint64       // 6 (zero_count_int)
	NegativeSpans  []bucketSpan // 8
	NegativeDeltas []int64      // 9, each bucket's count as the difference from the previous
	PositiveSpans  []bucketSpan // 11
	PositiveDeltas []int64      // 12
	Timestamp      int64        // 15, milliseconds
}

// bucketSpan is prompb.BucketSpan: a run of consecutive buckets.
type bucketSpan struct {
	Offset int32  // 1, the gap from the previous span (the first span: its first index)
	Length uint32 // 2
}

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
)

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

// appendMessage appends field as an embedded message whose body body appends.
func appendMessage(b []byte, field int, body func([]byte) []byte) []byte {
	b = appendTag(b, field, wireBytes)
	start := len(b)
	b = body(b)
	n := len(b) - start
	// The body's length goes before it: append the varint, then rotate it into place.
	var lb [binary.MaxVarintLen64]byte
	l := binary.PutUvarint(lb[:], uint64(n))
	b = append(b, lb[:l]...)
	copy(b[start+l:], b[start:start+n])
	copy(b[start:], lb[:l])
	return b
}

func appendString(b []byte, field int, s string) []byte {
	if s == "" {
		return b
	}
	b = appendTag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendDouble(b []byte, field int, v float64) []byte {
	if v == 0 {
		return b
	}
	b = appendTag(b, field, wireFixed64)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// appendVarint appends an int64, uint64 or enum field (negative numbers as their two's
// complement, in ten bytes).
func appendVarint(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = appendTag(b, field, wireVarint)
	return binary.AppendUvarint(b, v)
}

// zigzag is the sint32/sint64 encoding: small magnitudes of either sign in few bytes.
func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// appendPackedSint64 appends a packed repeated sint64 field.
func appendPackedSint64(b []byte, field int, vs []int64) []byte {
	if len(vs) == 0 {
		return b
	}
	return appendMessage(b, field, func(b []byte) []byte {
		for _, v := range vs {
			b = binary.AppendUvarint(b, zigzag(v))
		}
		return b
	})
}

// Marshal encodes the request as prompb.WriteRequest's Marshal does.
func (r *writeRequest) Marshal() []byte {
	var b []byte
	for i := range r.Timeseries {
		b = appendMessage(b, 1, r.Timeseries[i].append)
	}
	return b
}

func (ts *timeSeries) append(b []byte) []byte {
	for _, l := range ts.Labels {
		b = appendMessage(b, 1, func(b []byte) []byte {
			return appendString(appendString(b, 1, l.Name), 2, l.Value)
		})
	}
	for _, s := range ts.Samples {
		b = appendMessage(b, 2, func(b []byte) []byte {
			return appendVarint(appendDouble(b, 1, s.Value), 2, uint64(s.Timestamp))
		})
	}
	for i := range ts.Histograms {
		b = appendMessage(b, 4, ts.Histograms[i].append)
	}
	return b
}

func (h *nativeHistogram) append(b []byte) []byte {
	// The oneofs' variants are written even when zero: being set is their presence.
	b = binary.AppendUvarint(appendTag(b, 1, wireVarint), h.Count)
	b = appendDouble(b, 3, h.Sum)
	b = appendVarint(b, 4, zigzag(int64(h.Schema)))
	b = appendDouble(b, 5, h.ZeroThreshold)
	b = binary.AppendUvarint(appendTag(b, 6, wireVarint), h.ZeroCount)
	for _, s := range h.NegativeSpans {
		b = appendMessage(b, 8, s.append)
	}
	b = appendPackedSint64(b, 9, h.NegativeDeltas)
	for _, s := range h.PositiveSpans {
		b = appendMessage(b, 11, s.append)
	}
	b = appendPackedSint64(b, 12, h.PositiveDeltas)
	return appendVarint(b, 15, uint64(h.Timestamp))
}

func (s bucketSpan) append(b []byte) []byte {
	return appendVarint(appendVarint(b, 1, zigzag(int64(s.Offset))), 2, uint64(s.Length))
}
