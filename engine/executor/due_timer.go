package executor

import "time"

// dueTimer wakes an arrival-rate scheduler at an iteration's due time.
//
// A Go timer alone starts iterations up to a millisecond late whenever the process is idle
// between them, which is most of the time at the rates a CTI test runs: with nothing runnable,
// the runtime sleeps in epoll_wait, whose timeout is in whole milliseconds, so a wake-up due in
// 0.3 ms comes after 1 ms, and one due in 1.7 ms after 1 ms (early: no start) and then 1 ms more.
// That, not the hand-over to a VU, was most of iteration_start_lateness (p99 2–5 ms). So the
// timer is doubled, where the system has one, by a precise timer that the runtime's poller
// watches like a socket (Linux: a timerfd, nanosecond resolution): whichever fires first wakes
// the scheduler. The Go timer still matters when every P is busy: the runtime then looks at its
// timers at each goroutine switch but at the poller only when it runs out of work.
//
// A spurious or stale wake-up is harmless: the scheduler looks at the clock again and waits
// once more if the iteration is not due.
type dueTimer struct {
	timer   *time.Timer
	precise *preciseTimer // nil where there is none (see newPreciseTimer)
}

func newDueTimer() *dueTimer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &dueTimer{timer: t, precise: newPreciseTimer()}
}

// reset arms both timers to fire after d.
func (t *dueTimer) reset(d time.Duration) {
	t.timer.Reset(d)
	t.precise.reset(d)
}

// preciseC returns the precise timer's channel: nil, which never fires, without one.
func (t *dueTimer) preciseC() <-chan struct{} { return t.precise.c() }

// stop releases the timers.
func (t *dueTimer) stop() {
	t.timer.Stop()
	t.precise.close()
}

// fakeClockEnd: testing/synctest's bubbles start their fake clock at 2000-01-01 UTC, which no
// real clock reads any more. A precise timer follows the real clock, which the bubble's time
// does not: waiting on it would keep the bubble's goroutines from ever being durably blocked,
// so its fake time would never advance. Inside a bubble the Go timer alone is used.
var fakeClockEnd = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

func inFakeClock() bool { return time.Now().Before(fakeClockEnd) }
