package metrics

import (
	"slices"
	"testing"
)

// TestFlushAggregatesInPlace: a flush whose aggregator's mutex is free aggregates the batch
// before it returns, after the batches queued while the mutex was held, so that the sample hook
// and the gauge see one buffer's batches in order; a flush that finds the mutex held queues its
// batch for the aggregator's goroutine instead of waiting.
func TestFlushAggregatesInPlace(t *testing.T) {
	reg := NewRegistry()
	g := reg.Gauge("g")
	var seen []float64
	a, err := NewAggregator(reg, AggregatorOptions{SampleHook: func(b []Sample) {
		for _, s := range b {
			seen = append(seen, s.Value)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Running, but without its goroutine: only flushes aggregate.
	a.running.Store(true)
	buf := a.NewBuffer()

	a.mu.Lock() // a reader holds the mutex
	buf.Add(g, 1, Tags{})
	buf.Flush()
	if len(buf.sh.pending) != 1 {
		t.Fatal("a flush with the mutex held left no batch queued")
	}
	a.mu.Unlock()
	if len(seen) != 0 {
		t.Fatalf("hook saw %v while the mutex was held; want nothing yet", seen)
	}

	buf.Add(g, 2, Tags{})
	buf.Flush() // the mutex is free: aggregates the queued batch, then this one
	if !slices.Equal(seen, []float64{1, 2}) {
		t.Fatalf("hook saw %v; want [1 2] (the queued batch first)", seen)
	}
	sum, ok := a.Snapshot("g", Tags{})
	if !ok || sum.Values["value"] != 2 {
		t.Fatalf("gauge after the direct flush = %v (ok %v); want value 2", sum.Values, ok)
	}
	for i := range a.pipe.shards {
		if n := len(a.pipe.shards[i].pending); n != 0 {
			t.Fatalf("shard %d still holds %d batches", i, n)
		}
	}

	// Once the aggregator stopped, a flush aggregates nothing and counts the samples as lost.
	a.running.Store(false)
	a.Stop()
	buf.Add(g, 3, Tags{})
	buf.Flush()
	if a.Lost() != 1 || len(seen) != 2 {
		t.Fatalf("after Stop: lost %d, hook saw %v; want 1 lost and nothing more seen", a.Lost(), seen)
	}
}
