package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

// VU is one virtual user, created by a VUFactory. Its methods are called from one goroutine at a
// time.
type VU interface {
	// RunIteration runs one iteration; ctx is cancelled when the iteration must be interrupted
	// (graceful stop or ramp-down expired, hard stop, abort). A returned error fails that
	// iteration, which is counted and logged, and the run goes on, unless the error is, or
	// wraps, an *AbortError. A VU should return promptly once ctx is done: the run waits for it.
	//
	// it is valid only during the call: the engine reuses it for the VU's next iteration.
	RunIteration(ctx context.Context, it *Iteration) error
}

// VUFactory creates VUs: the init phase of one VU (k6's init context). NewVU may be called from
// several goroutines at once. samples is the VU's buffer for samples recorded during init;
// it is also Iteration.Samples of every iteration of this VU.
type VUFactory interface {
	NewVU(ctx context.Context, id uint64, samples *metrics.SampleBuffer) (VU, error)
}

// VUFactoryFunc adapts a function to a VUFactory.
type VUFactoryFunc func(ctx context.Context, id uint64, samples *metrics.SampleBuffer) (VU, error)

// NewVU calls f.
func (f VUFactoryFunc) NewVU(ctx context.Context, id uint64, samples *metrics.SampleBuffer) (VU, error) {
	return f(ctx, id, samples)
}

// VUFunc adapts a function to a VU.
type VUFunc func(ctx context.Context, it *Iteration) error

// RunIteration calls f.
func (f VUFunc) RunIteration(ctx context.Context, it *Iteration) error { return f(ctx, it) }

// VUCloser is implemented by VUs that hold resources or run per-VU teardown code. The engine
// calls Close once per VU after the run's last iteration ended.
type VUCloser interface {
	Close(ctx context.Context) error
}

// Iteration describes one iteration to the VU that runs it.
type Iteration struct {
	Scenario string // scenario name
	Exec     string // function to run
	VUID     uint64 // the VU's ID, unique in the test (see Partition)
	VUIter   uint64 // the VU's iteration count, from 0
	// ScenarioIter numbers the scenario's iterations from 0, unique across the segments of a
	// test. For shared-iterations, per-vu-iterations and the arrival-rate executors it is the
	// iteration's index in the unsegmented test; for constant-vus and ramping-vus, which have no
	// global order, this process's n-th iteration gets index n of its Partition (so a full run
	// counts 0, 1, 2, … and segments interleave without overlap).
	ScenarioIter uint64
	// ScenarioStart is when the scenario started (after its startTime offset).
	ScenarioStart time.Time
	// Scheduled is when the iteration was meant to start: its due time for arrival-rate
	// executors, the actual start otherwise. Start − Scheduled is how late it started.
	Scheduled time.Time
	Start     time.Time
	Env       map[string]string // run env overlaid with the scenario's env; do not modify
	Tags      map[string]string // scenario tags, with scenario=<name>; do not modify
	// TagSet is Tags as an immutable set, for recording samples: extend it with With and
	// cache the result, rather than building a set per sample.
	TagSet  metrics.Tags
	Samples *metrics.SampleBuffer // where the VU records samples during this iteration
}

// Lateness returns how late the iteration started compared with its schedule (0 for VU-based
// executors).
func (it *Iteration) Lateness() time.Duration { return it.Start.Sub(it.Scheduled) }

// RecordLatency records one request's latency twice, the coordinated-omission pair:
//
//   - on m: end − sent, the latency the client saw;
//   - on corrected: end − sent + it.Lateness(), the latency measured from when the request
//     would have been sent had the iteration started on schedule. For the iteration's first
//     request (sent ≈ Start) that is end − Scheduled.
//
// When a server stalls, an arrival-rate executor starts iterations late (or drops them); the
// first number hides that wait, the second charges it to the requests that suffered it. Either
// metric may be nil. Values are in milliseconds.
func (it *Iteration) RecordLatency(m, corrected *metrics.Metric, sent, end time.Time, tags metrics.Tags) {
	d := end.Sub(sent)
	if m != nil {
		it.Samples.AddAt(m, end, ms(d), tags)
	}
	if corrected != nil {
		it.Samples.AddAt(corrected, end, ms(d+it.Lateness()), tags)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// AbortError stops the whole run at once when RunIteration returns it (or an error wrapping
// it), as k6's test.abort() does. The run ends with ExitScriptAborted.
type AbortError struct {
	Reason string
}

// Error implements error.
func (e *AbortError) Error() string {
	if e.Reason == "" {
		return "test aborted"
	}
	return "test aborted: " + e.Reason
}

// IsAbort reports whether err is or wraps an *AbortError.
func IsAbort(err error) bool {
	var ae *AbortError
	return errors.As(err, &ae)
}

// PanicError is the error of an iteration, init or close whose VU code panicked.
type PanicError struct {
	Value any
	Stack []byte
}

// Error implements error.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v\n%s", e.Value, e.Stack) }
