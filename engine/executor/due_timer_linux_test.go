package executor

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestPreciseTimerFires: the timerfd wakes its channel once per arming, a re-arming replaces
// the previous one together with an expiry not yet received, and close ends the reader.
func TestPreciseTimerFires(t *testing.T) {
	p := newPreciseTimer()
	if p == nil {
		t.Skip("this kernel gives no timerfd")
	}
	defer p.close()
	for range 3 {
		p.reset(100 * time.Microsecond)
		select {
		case <-p.c():
		case <-time.After(10 * time.Second):
			t.Fatal("armed for 100µs, the timerfd did not fire in 10s")
		}
	}
	// An expiry that nobody received is dropped by the next reset.
	p.reset(1)
	for len(p.ch) == 0 {
		time.Sleep(time.Millisecond) // waits for an event (the expiry forwarded), not a window
	}
	p.reset(time.Hour)
	select {
	case <-p.c():
		t.Fatal("received an expiry of the previous arming after reset(1h)")
	case <-time.After(50 * time.Millisecond):
	}
}

// TestDueTimerInSynctestBubble: inside a testing/synctest bubble the precise timer, which follows
// the real clock, is left out, so that the bubble's fake time advances; the Go timer alone fires.
func TestDueTimerInSynctestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dt := newDueTimer()
		defer dt.stop()
		if dt.precise != nil {
			t.Fatal("a precise timer inside a synctest bubble: its fake time would never advance")
		}
		if dt.preciseC() != nil {
			t.Fatal("preciseC() of a missing precise timer must be nil (never fires)")
		}
		if lead := dt.spinLead(time.Second); lead != 0 {
			t.Fatalf("spin lead %v inside a synctest bubble; want 0 (spinning on a fake clock never ends)", lead)
		}
		start := time.Now()
		dt.reset(3 * time.Second)
		<-dt.timer.C
		if got := time.Since(start); got != 3*time.Second {
			t.Fatalf("the Go timer fired after %v of fake time; want exactly 3s", got)
		}
	})
}

// TestSpinLead: the scheduler spins at most maxSpinLead before a due time, and at most an
// eighth of the interval between due times, so that spinning never costs more than an eighth of
// a core.
func TestSpinLead(t *testing.T) {
	const us = time.Microsecond
	for _, tc := range []struct{ interval, want time.Duration }{
		{time.Minute, 200 * us},      // slow schedules: the bound
		{1600 * us, 200 * us},        // 625/s: exactly the bound
		{time.Millisecond, 125 * us}, // 1,000/s
		{200 * us, 25 * us},          // 5,000/s
		{7, 0},                       // faster than the clock's step: no spin
		{0, 0},                       // iterations due together
		{-time.Millisecond, 0},       // a schedule changed under the scheduler
	} {
		if got := spinLead(tc.interval); got != tc.want {
			t.Errorf("spinLead(%v) = %v; want %v", tc.interval, got, tc.want)
		}
	}
	if p := newPreciseTimer(); p != nil {
		p.close()
		dt := &dueTimer{precise: p}
		if got := dt.spinLead(time.Millisecond); got != 125*us {
			t.Errorf("dueTimer.spinLead(1ms) with a precise timer = %v; want 125µs", got)
		}
	}
}
