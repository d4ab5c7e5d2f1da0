package metrics

import (
	"testing"
	"time"
)

// BenchmarkSampleBufferAddOnly measures Add alone: the batches go to a consumer that recycles
// them at once, so neither aggregation nor back-pressure is in the figure (see
// BenchmarkSampleBufferAdd and BenchmarkAggregatorPath for those).
func BenchmarkSampleBufferAddOnly(b *testing.B) {
	p := &pipe{ch: make(chan []Sample, DefaultQueueSize), free: make(chan []Sample, 2*DefaultQueueSize),
		done: make(chan struct{}), batch: DefaultBatchSize, maxAge: time.Hour}
	go func() {
		for s := range p.ch {
			select {
			case p.free <- s[:0]:
			default:
			}
		}
	}()
	defer close(p.ch)
	m := NewRegistry().Trend("req")
	tags := NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
	buf := &SampleBuffer{p: p}
	now := time.Now()
	for range 10 * DefaultBatchSize {
		buf.AddAt(m, now, 1, tags)
	}
	b.Run("AddAt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.AddAt(m, now, 12.5, tags)
		}
	})
	b.Run("Add", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Add(m, 12.5, tags)
		}
	})
}
