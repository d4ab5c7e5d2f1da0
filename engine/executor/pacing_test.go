package executor_test

import (
	"math"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

func TestScheduleDue(t *testing.T) {
	const s = time.Second
	constant := executor.NewSchedule(executor.RatePiece{Duration: 10 * s, From: 5, To: 5})
	ramp := executor.NewSchedule(executor.RatePiece{Duration: 10 * s, From: 0, To: 10}) // N(t) = t²/2
	pauseThenGo := executor.NewSchedule(
		executor.RatePiece{Duration: 2 * s, From: 0, To: 0},
		executor.RatePiece{Duration: 2 * s, From: 4, To: 4},
	)
	down := executor.NewSchedule(executor.RatePiece{Duration: 4 * s, From: 4, To: 0}) // N(t) = 4t − t²/2, 8 in all
	jump := executor.NewSchedule(
		executor.RatePiece{Duration: s, From: 2, To: 2},
		executor.RatePiece{Duration: 0, From: 2, To: 100},
		executor.RatePiece{Duration: s, From: 100, To: 100},
	)
	tests := []struct {
		name  string
		sched *executor.Schedule
		i     int64
		want  time.Duration
		ok    bool
	}{
		{"constant first", constant, 0, 0, true},
		{"constant second", constant, 1, 200 * time.Millisecond, true},
		{"constant last", constant, 49, 9800 * time.Millisecond, true},
		{"constant past the end", constant, 50, 0, false},
		{"constant negative", constant, -1, 0, false},
		{"ramp first", ramp, 0, 0, true},
		{"ramp i=2 at t=2", ramp, 2, 2 * s, true},
		{"ramp i=8 at t=4", ramp, 8, 4 * s, true},
		{"ramp i=18 at t=6", ramp, 18, 6 * s, true},
		{"ramp last", ramp, 49, time.Duration(math.Round(math.Sqrt(98) * 1e9)), true},
		{"ramp past the end", ramp, 50, 0, false},
		{"pause: first at the end of the pause", pauseThenGo, 0, 2 * s, true},
		{"pause: second", pauseThenGo, 1, 2250 * time.Millisecond, true},
		{"pause: last", pauseThenGo, 7, 3750 * time.Millisecond, true},
		{"pause: past the end", pauseThenGo, 8, 0, false},
		{"down: i=6 at t=2", down, 6, 2 * s, true},
		{"down: last", down, 7, time.Duration(math.Round((4 - math.Sqrt(2)) * 1e9)), true},
		{"down: past the end", down, 8, 0, false},
		{"jump: before", jump, 1, 500 * time.Millisecond, true},
		{"jump: after", jump, 2, s, true},
		{"jump: after+1", jump, 3, s + 10*time.Millisecond, true},
	}
	for _, tt := range tests {
		got, ok := tt.sched.Due(tt.i)
		if ok != tt.ok || (ok && absDur(got-tt.want) > time.Nanosecond) {
			t.Errorf("%s: Due(%d) = %v, %v; want %v, %v", tt.name, tt.i, got, ok, tt.want, tt.ok)
		}
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TestScheduleCountMatchesIntegral checks that the iterations due within any prefix of a
// schedule are the integral of its rate rounded up, and that due times increase.
func TestScheduleCountMatchesIntegral(t *testing.T) {
	s := executor.NewSchedule(
		executor.RatePiece{Duration: 7 * time.Second, From: 0, To: 33},
		executor.RatePiece{Duration: 3 * time.Second, From: 33, To: 33},
		executor.RatePiece{Duration: 5 * time.Second, From: 33, To: 1.5},
		executor.RatePiece{Duration: 2 * time.Second, From: 0, To: 0},
		executor.RatePiece{Duration: 4 * time.Second, From: 7, To: 9},
	)
	var due []time.Duration
	for i := int64(0); ; i++ {
		d, ok := s.Due(i)
		if !ok {
			break
		}
		if len(due) > 0 && d < due[len(due)-1] {
			t.Fatalf("Due(%d) = %v < Due(%d) = %v", i, d, i-1, due[len(due)-1])
		}
		due = append(due, d)
	}
	if want := int(math.Ceil(s.Total())); len(due) != want {
		t.Errorf("schedule runs %d iterations; want ⌈%v⌉ = %d", len(due), s.Total(), want)
	}
	for at := time.Duration(0); at <= s.Duration(); at += 250 * time.Millisecond {
		n := 0
		for _, d := range due {
			if d < at {
				n++
			}
		}
		if want := int(math.Ceil(s.Count(at) - 1e-9)); n != want {
			t.Errorf("iterations due before %v = %d; want ⌈N(%v)⌉ = ⌈%v⌉", at, n, at, s.Count(at))
		}
	}
}

// TestScheduleNoDrift checks that a long schedule keeps exact spacing: iteration i of a
// constant 5000/s schedule is due at exactly i × 200 µs, even after an hour.
func TestScheduleNoDrift(t *testing.T) {
	s := executor.NewSchedule(executor.RatePiece{Duration: 2 * time.Hour, From: 5000, To: 5000})
	for _, i := range []int64{1, 1000, 17_999_999, 35_999_999} {
		got, ok := s.Due(i)
		if want := time.Duration(i) * 200 * time.Microsecond; !ok || got != want {
			t.Errorf("Due(%d) = %v, %v; want %v", i, got, ok, want)
		}
	}
}

func TestScheduleWithRate(t *testing.T) {
	s := executor.NewSchedule(executor.RatePiece{Duration: 10 * time.Second, From: 0, To: 10})
	w := s.WithRate(4*time.Second, 2)
	if w.Duration() != s.Duration() {
		t.Errorf("WithRate changed the duration: %v; want %v", w.Duration(), s.Duration())
	}
	if got, want := w.Count(4*time.Second), s.Count(4*time.Second); math.Abs(got-want) > 1e-9 {
		t.Errorf("N(4s) after WithRate = %v; want %v (continuous)", got, want)
	}
	if got, want := w.Total(), 8.0+2*6; math.Abs(got-want) > 1e-9 {
		t.Errorf("Total after WithRate = %v; want %v", got, want)
	}
	if r := w.Rate(5 * time.Second); r != 2 {
		t.Errorf("Rate(5s) = %v; want 2", r)
	}
	if r := w.Rate(2 * time.Second); r != 2 {
		t.Errorf("Rate(2s) = %v; want 2 (unchanged before the change)", r)
	}
	if w0 := s.WithRate(0, 3); w0.Total() != 30 {
		t.Errorf("WithRate(0, 3).Total() = %v; want 30", w0.Total())
	}
}
