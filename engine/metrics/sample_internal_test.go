package metrics

import (
	"testing"
	"time"
)

// BenchmarkSampleBufferAddOnly measures Add alone: the batches go to a consumer that recycles
// them at once, so neither aggregation nor back-pressure is in the figure (see
// BenchmarkSampleBufferAdd and BenchmarkAggregatorPath for those).
func BenchmarkSampleBufferAddOnly(b *testing.B) {
	p := newPipe(1, DefaultQueueSize, DefaultBatchSize, time.Hour)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		var batches [][]Sample
		for {
			select {
			case <-p.wake:
				batches = p.take(batches[:0])
				p.recycle(batches)
			case <-stop:
				return
			}
		}
	}()
	m := NewRegistry().Trend("req")
	tags := NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
	buf := &SampleBuffer{p: p, sh: p.shard()}
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
