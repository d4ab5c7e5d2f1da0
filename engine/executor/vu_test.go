package executor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// TestRecordLatency checks the coordinated-omission pair: the latency from the send, and the
// same shifted by how late the iteration started.
func TestRecordLatency(t *testing.T) {
	reg := metrics.NewRegistry()
	raw, corrected := reg.Trend("req"), reg.Trend("req_from_schedule")
	t0 := time.Unix(1000, 0)
	var buf metrics.SampleBuffer
	tests := []struct {
		name          string
		scheduled     time.Time
		start         time.Time
		sent, end     time.Duration // from start
		wantRaw, want float64       // ms
	}{
		{"on time", t0, t0, 0, 30 * time.Millisecond, 30, 30},
		{"first request of a late iteration", t0, t0.Add(200 * time.Millisecond), 0, 30 * time.Millisecond, 30, 230},
		{"later request of a late iteration", t0, t0.Add(200 * time.Millisecond), 500 * time.Millisecond, 510 * time.Millisecond, 10, 210},
	}
	for _, tt := range tests {
		it := &executor.Iteration{Scheduled: tt.scheduled, Start: tt.start, Samples: &buf}
		it.RecordLatency(raw, corrected, tt.start.Add(tt.sent), tt.start.Add(tt.end), metrics.NewTags("msg", "X"))
		s := buf.Drain()
		if len(s) != 2 || s[0].Metric != raw || s[0].Value != tt.wantRaw || s[1].Metric != corrected || s[1].Value != tt.want {
			t.Errorf("%s: recorded %+v; want %v on req and %v on req_from_schedule", tt.name, s, tt.wantRaw, tt.want)
		}
		if !s[0].Time.Equal(tt.start.Add(tt.end)) {
			t.Errorf("%s: sample time %v; want the response's", tt.name, s[0].Time)
		}
	}
	it := &executor.Iteration{Samples: &buf}
	it.RecordLatency(nil, nil, t0, t0, metrics.Tags{}) // nil metrics: nothing, no panic
	if len(buf.Drain()) != 0 {
		t.Error("RecordLatency with nil metrics recorded something")
	}
}

func TestAbortError(t *testing.T) {
	err := fmt.Errorf("in iteration: %w", &executor.AbortError{Reason: "stop"})
	if !executor.IsAbort(err) || executor.IsAbort(errors.New("x")) {
		t.Error("IsAbort does not see through wrapping, or sees an abort everywhere")
	}
	if got := (&executor.AbortError{}).Error(); got != "test aborted" {
		t.Errorf("Error() = %q", got)
	}
}

func TestFactoryPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		factory := executor.VUFactoryFunc(func(context.Context, uint64, *metrics.SampleBuffer) (executor.VU, error) {
			panic("init exploded")
		})
		h := newHarness(t, mustConfig(t, "c", `{"executor":"constant-vus","vus":1,"duration":"1s"}`), newRecorder(fixed(0)),
			func(o *executor.ScenarioOptions) { o.Factory = factory })
		err := h.sc.Init(context.Background(), 1)
		var pe *executor.PanicError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "init exploded") {
			t.Errorf("Init = %v; want a *PanicError", err)
		}
		h.agg.Stop()
	})
}
