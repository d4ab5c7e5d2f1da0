package executor

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// preciseTimer is a Linux timerfd read through the runtime's poller: when it expires, epoll
// wakes the runtime at once, with the kernel's high-resolution timers' precision, instead of
// at the next whole millisecond. A nil *preciseTimer is valid and never fires.
type preciseTimer struct {
	fd   int
	f    *os.File
	ch   chan struct{} // one pending expiry at most
	done chan struct{} // closed when the reader has ended
}

// newPreciseTimer returns a timerfd-backed timer, or nil if the kernel refuses one or the
// caller runs in a testing/synctest bubble (see fakeClockEnd).
func newPreciseTimer() *preciseTimer {
	if inFakeClock() {
		return nil
	}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	// A non-blocking descriptor makes os.NewFile register it with the runtime's poller, so a
	// Read parks the goroutine instead of a thread.
	p := &preciseTimer{fd: fd, f: os.NewFile(uintptr(fd), "timerfd"), ch: make(chan struct{}, 1), done: make(chan struct{})}
	go p.read()
	return p
}

// read forwards each expiry to ch until the file is closed.
func (p *preciseTimer) read() {
	defer close(p.done)
	var n [8]byte // the number of expirations since the last read
	for {
		if _, err := p.f.Read(n[:]); err != nil {
			return
		}
		select {
		case p.ch <- struct{}{}:
		default: // one pending wake-up is enough
		}
	}
}

// reset arms the timer to expire once, d from now (at once if d ≤ 0), replacing any arming,
// and drops an expiry not yet received.
func (p *preciseTimer) reset(d time.Duration) {
	if p == nil {
		return
	}
	select {
	case <-p.ch:
	default:
	}
	// An all-zero it_value disarms a timerfd: the shortest arming is 1 ns.
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(max(d, 1)))}
	// It cannot fail on a valid descriptor; if it did, the Go timer would still fire.
	_ = unix.TimerfdSettime(p.fd, 0, &spec, nil)
}

func (p *preciseTimer) c() <-chan struct{} {
	if p == nil {
		return nil
	}
	return p.ch
}

// close closes the descriptor and waits for the reader to end.
func (p *preciseTimer) close() {
	if p == nil {
		return
	}
	p.f.Close()
	<-p.done
}
