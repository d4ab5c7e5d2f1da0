package metrics

import (
	"sync/atomic"
	"time"
)

// Sample is one recorded value.
type Sample struct {
	Metric *Metric
	Tags   Tags
	Time   time.Time
	Value  float64
}

// Defaults of the sample path.
const (
	// DefaultBatchSize is how many samples a SampleBuffer holds before it flushes by itself.
	DefaultBatchSize = 256
	// DefaultFlushInterval is the age of its oldest sample at which a SampleBuffer flushes on
	// the next Add, so that a VU in a long iteration still feeds the live view and time series.
	DefaultFlushInterval = time.Second
	// DefaultQueueSize is how many batches may wait for the aggregator before Flush blocks.
	DefaultQueueSize = 64
	// initialBatchCap is the capacity a fresh batch starts with; batches grow to the batch size
	// by append and are recycled with their capacity, so steady-state recording allocates
	// nothing while idle VUs hold only small slices.
	initialBatchCap = 16
)

// pipe connects the buffers of one aggregator to it.
type pipe struct {
	ch       chan []Sample // full batches, to the aggregator
	free     chan []Sample // emptied batches, back to the buffers
	done     chan struct{} // closed when the aggregator stopped reading
	batch    int           // flush threshold in samples
	maxAge   time.Duration // flush threshold in age of the oldest sample
	lost     atomic.Int64  // samples flushed after done
	flushing atomic.Int64  // batches flushed, for tests and stats
}

// SampleBuffer collects the samples of one producer (a VU, or the engine's scheduler) and hands
// them in batches to the aggregator.
//
// A SampleBuffer is not safe for concurrent use: each goroutine that records gets its own, which
// is what makes Add lock-free. The zero value is an unconnected buffer that keeps every sample
// until Drain, for tests of code that records samples. A nil *SampleBuffer discards samples.
type SampleBuffer struct {
	p *pipe
	s []Sample
}

// Add records value for m at the current time. It allocates nothing once the buffer's batch has
// grown (batches are recycled), and it may block in Flush when the aggregator is behind.
func (b *SampleBuffer) Add(m *Metric, value float64, tags Tags) {
	if b == nil {
		return
	}
	b.AddAt(m, time.Now(), value, tags)
}

// AddAt records value for m at time t.
func (b *SampleBuffer) AddAt(m *Metric, t time.Time, value float64, tags Tags) {
	if b == nil {
		return
	}
	if b.s == nil && b.p != nil {
		select {
		case b.s = <-b.p.free:
		default:
			b.s = make([]Sample, 0, initialBatchCap)
		}
	}
	b.s = append(b.s, Sample{Metric: m, Tags: tags, Time: t, Value: value})
	if b.p != nil && (len(b.s) >= b.p.batch || t.Sub(b.s[0].Time) >= b.p.maxAge) {
		b.Flush()
	}
}

// Len returns the number of samples waiting in the buffer.
func (b *SampleBuffer) Len() int {
	if b == nil {
		return 0
	}
	return len(b.s)
}

// Flush hands the buffered samples to the aggregator. It blocks while the aggregator's queue is
// full (back-pressure) and returns at once if the aggregator has stopped, discarding the samples.
// On an unconnected buffer it does nothing.
func (b *SampleBuffer) Flush() {
	if b == nil || b.p == nil || len(b.s) == 0 {
		return
	}
	// Look at done first: a select with both ready picks at random, and a batch sent to a
	// stopped aggregator would sit in its queue uncounted.
	select {
	case <-b.p.done:
		b.p.lost.Add(int64(len(b.s)))
		b.s = nil
		return
	default:
	}
	select {
	case b.p.ch <- b.s:
	case <-b.p.done:
		b.p.lost.Add(int64(len(b.s)))
	}
	b.s = nil
}

// Drain returns the samples of an unconnected buffer and empties it. On a connected buffer it
// returns nil: its samples belong to the aggregator.
func (b *SampleBuffer) Drain() []Sample {
	if b == nil || b.p != nil {
		return nil
	}
	s := b.s
	b.s = nil
	return s
}
