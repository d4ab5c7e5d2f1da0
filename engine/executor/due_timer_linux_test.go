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
		start := time.Now()
		dt.reset(3 * time.Second)
		<-dt.timer.C
		if got := time.Since(start); got != 3*time.Second {
			t.Fatalf("the Go timer fired after %v of fake time; want exactly 3s", got)
		}
	})
}
