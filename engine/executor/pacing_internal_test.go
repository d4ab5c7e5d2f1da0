package executor

import (
	"testing"
	"time"
)

// TestScheduleDecide checks, at exact instants, when the scheduler waits for an iteration,
// starts it, drops it for starting too late, or finds the schedule over.
func TestScheduleDecide(t *testing.T) {
	const ms = time.Millisecond
	tenPerSecond := NewSchedule(RatePiece{Duration: time.Second, From: 10, To: 10}) // due at i·100ms
	tests := []struct {
		name    string
		i       int64
		now     time.Duration
		maxLate time.Duration
		wantAct startAction
		wantDue time.Duration
	}{
		{"before its due time", 3, 250 * ms, 50 * ms, waitToStart, 300 * ms},
		{"one nanosecond early", 3, 300*ms - 1, 50 * ms, waitToStart, 300 * ms},
		{"at its due time", 3, 300 * ms, 50 * ms, startNow, 300 * ms},
		{"late within the limit", 3, 349 * ms, 50 * ms, startNow, 300 * ms},
		{"late by exactly the limit", 3, 350 * ms, 50 * ms, startNow, 300 * ms},
		{"one nanosecond beyond the limit", 3, 350*ms + 1, 50 * ms, dropLate, 300 * ms},
		{"no limit: started however late", 3, 900 * ms, 0, startNow, 300 * ms},
		{"the first iteration, at once", 0, 0, 50 * ms, startNow, 0},
		{"past the schedule's end", 10, 0, 50 * ms, scheduleEnded, 0},
		{"past the end, however late", 10, 5 * time.Second, 0, scheduleEnded, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			act, due := tenPerSecond.decide(tt.i, tt.now, tt.maxLate)
			if act != tt.wantAct || due != tt.wantDue {
				t.Errorf("decide(%d, %v, %v) = %v, %v; want %v, %v", tt.i, tt.now, tt.maxLate, act, due, tt.wantAct, tt.wantDue)
			}
		})
	}
}
