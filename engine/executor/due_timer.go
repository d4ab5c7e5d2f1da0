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
//
// Even the precise timer wakes the scheduler some tens of microseconds after its instant (the
// kernel's wake-up of a thread, the runtime's poller, the reader goroutine, then the scheduler
// goroutine), and more when the thread waits for a CPU. So, with a precise timer, the scheduler
// arms it spinLead before the due time and spends the rest watching the clock, running: at the
// due instant it is already on a CPU. The lead is bounded (see spinLead), and so is the CPU it
// costs. Inside a synctest bubble there is no lead: spinning on a fake clock would never end.
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

// spinLead returns how long before a due time the scheduler stops sleeping and watches the
// clock, for an iteration due interval after the previous one: 0 without a precise timer.
func (t *dueTimer) spinLead(interval time.Duration) time.Duration {
	if t.precise == nil {
		return 0
	}
	return spinLead(interval)
}

// spinLead is at most maxSpinLead and at most 1/spinShare of the interval between due times, so
// that spinning costs at most 1/spinShare of one core whatever the rate (about 12 % of a core at
// 1,000 iterations/s and above, 2 % at 100/s).
func spinLead(interval time.Duration) time.Duration {
	return min(maxSpinLead, max(interval, 0)/spinShare)
}

const (
	maxSpinLead = 200 * time.Microsecond
	spinShare   = 8
)

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
