package metrics

import (
	"runtime"
	"sync"
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
	// DefaultQueueSize is how many batches may wait for the aggregator, per shard of the sample
	// path (one shard per CPU), before Flush blocks.
	DefaultQueueSize = 64
	// initialBatchCap is the capacity a fresh batch starts with; batches grow to the batch size
	// by append and are recycled with their capacity, so steady-state recording allocates
	// nothing while idle VUs hold only small slices.
	initialBatchCap = 16
)

// pipe connects the buffers of one aggregator to it: one shard per CPU, each a mutex-guarded
// list of batches waiting for the aggregator and of emptied batches coming back.
//
// A flush appends to its shard's list under the shard's mutex and wakes the aggregator only when
// the list was empty; the aggregator takes every waiting batch of every shard at once. A channel
// per batch, as before, cost two selects, a channel lock and often a park and wake of the
// aggregator per iteration: three quarters of the CPU of an empty iteration, all of it on one
// lock, so that more cores did not mean more iterations.
type pipe struct {
	shards []pipeShard
	next   atomic.Uint32 // shard of the next buffer, round robin
	wake   chan struct{} // capacity 1: some shard went from no batch to one
	queue  int           // batches a shard may hold before Flush blocks
	batch  int           // flush threshold in samples
	maxAge time.Duration // flush threshold in age of the oldest sample
	lost   atomic.Int64  // samples flushed after the aggregator stopped
	// agg, when set, lets a flushing buffer aggregate its batch itself (Aggregator.tryDirect).
	agg *Aggregator
}

type pipeShard struct {
	mu      sync.Mutex
	space   sync.Cond  // broadcast when the aggregator took the pending batches, or stopped
	pending [][]Sample // full batches, to the aggregator
	free    [][]Sample // emptied batches, back to the buffers
	stopped bool
	_       [64]byte // keeps shards' mutexes on separate cache lines
}

func newPipe(shards, queue, batch int, maxAge time.Duration) *pipe {
	p := &pipe{shards: make([]pipeShard, max(shards, 1)), wake: make(chan struct{}, 1),
		queue: queue, batch: batch, maxAge: maxAge}
	for i := range p.shards {
		p.shards[i].space.L = &p.shards[i].mu
	}
	return p
}

func (p *pipe) shard() *pipeShard {
	return &p.shards[int(p.next.Add(1)-1)%len(p.shards)]
}

// take moves every pending batch of every shard to dst and returns it: the aggregator's side.
func (p *pipe) take(dst [][]Sample) [][]Sample {
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		if len(sh.pending) > 0 {
			dst = append(dst, sh.pending...)
			clear(sh.pending)
			sh.pending = sh.pending[:0]
			sh.space.Broadcast()
		}
		sh.mu.Unlock()
	}
	return dst
}

// recycle gives emptied batches back to the shards' free lists, up to twice the queue each.
func (p *pipe) recycle(batches [][]Sample) {
	for i := 0; len(batches) > 0 && i < len(p.shards); i++ {
		sh := &p.shards[i]
		sh.mu.Lock()
		n := min(len(batches), max(2*p.queue-len(sh.free), 0))
		sh.free = append(sh.free, batches[:n]...)
		sh.mu.Unlock()
		batches = batches[n:]
	}
}

// stop makes every later Flush discard its samples and releases the blocked ones.
func (p *pipe) stop() {
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		sh.stopped = true
		sh.space.Broadcast()
		sh.mu.Unlock()
	}
}

// SampleBuffer collects the samples of one producer (a VU, or the engine's scheduler) and hands
// them in batches to the aggregator.
//
// A SampleBuffer is not safe for concurrent use: each goroutine that records gets its own, which
// is what makes Add lock-free. The zero value is an unconnected buffer that keeps every sample
// until Drain, for tests of code that records samples. A nil *SampleBuffer discards samples.
type SampleBuffer struct {
	p  *pipe
	sh *pipeShard
	s  []Sample
}

// Add records value for m at the current time. It allocates nothing once the buffer's batch has
// grown (batches are recycled), and it may block in Flush when the aggregator is behind.
func (b *SampleBuffer) Add(m *Metric, value float64, tags Tags) {
	if b == nil {
		return
	}
	b.AddAt(m, Now(), value, tags)
}

// AddAt records value for m at time t.
func (b *SampleBuffer) AddAt(m *Metric, t time.Time, value float64, tags Tags) {
	if b == nil {
		return
	}
	if b.s == nil {
		b.s = b.freeBatch()
	}
	b.s = append(b.s, Sample{Metric: m, Tags: tags, Time: t, Value: value})
	if b.p != nil && (len(b.s) >= b.p.batch || t.Sub(b.s[0].Time) >= b.p.maxAge) {
		b.Flush()
	}
}

// freeBatch returns a recycled batch, or a small new one: an idle VU holds no batch at all.
func (b *SampleBuffer) freeBatch() []Sample {
	if sh := b.sh; sh != nil {
		sh.mu.Lock()
		if n := len(sh.free); n > 0 {
			s := sh.free[n-1]
			sh.free[n-1] = nil
			sh.free = sh.free[:n-1]
			sh.mu.Unlock()
			return s
		}
		sh.mu.Unlock()
	}
	return make([]Sample, 0, initialBatchCap)
}

// FlushOlder flushes the buffer if its oldest sample is at least age old at now: the engine's
// call at the end of an iteration. A VU running short iterations thus hands over one batch per
// age (or per [DefaultBatchSize] samples) instead of one per iteration, which kept every VU
// taking its shard's lock and waking the aggregator twice per iteration; a VU in longer
// iterations still flushes after each. The caller flushes outright when the VU goes idle.
func (b *SampleBuffer) FlushOlder(now time.Time, age time.Duration) {
	if b != nil && len(b.s) > 0 && now.Sub(b.s[0].Time) >= age {
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
	if a := b.p.agg; a != nil && a.tryDirect(b.s) {
		b.s = nil
		return
	}
	sh := b.sh
	sh.mu.Lock()
	for len(sh.pending) >= b.p.queue && !sh.stopped {
		sh.space.Wait()
	}
	if sh.stopped {
		sh.mu.Unlock()
		b.p.lost.Add(int64(len(b.s)))
		b.s = nil
		return
	}
	first := len(sh.pending) == 0
	sh.pending = append(sh.pending, b.s)
	sh.mu.Unlock()
	b.s = nil
	if first {
		select {
		case b.p.wake <- struct{}{}:
			// The aggregator is now runnable, queued behind every busy VU of this P, each of
			// which runs until it blocks or is preempted (10 ms): with batched flushes it
			// would run only once the queues are full and every VU blocked, leaving the other
			// cores idle. Yielding lets it run now.
			runtime.Gosched()
		default: // a wake-up is already on its way
		}
	}
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
