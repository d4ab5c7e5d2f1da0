package client

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// Heartbeats (§10): the client sends HEARTBEAT_REQ when it has sent nothing for an interval,
// and declares the link failed after MaxMissedHeartbeats unanswered in a row, or when the server
// has been silent for the whole IdleTimeout (which also covers a client busy sending requests
// that nobody answers, so that it never needs a heartbeat). A heartbeat counts as missed only if
// nothing at all arrived during its interval: a server that is busy answering our requests is
// alive, and its HEARTBEAT_CONF is merely queued behind them — under load, counting those as
// misses would make the load tool kill healthy sessions.
//
// There is no heartbeat goroutine: one time.AfterFunc timer per session re-arms itself for the
// next instant something may be due, so an idle session costs a timer, not a stack. The timers
// of all the sessions of a process fire on a common grid (armHeartbeat): thousands of idle
// sessions then wake the process a few dozen times a second, each time for a batch of
// heartbeats, instead of once per heartbeat.
//
// Heartbeats are not in the pending-request map: the last few are kept in a small ring, which
// is enough to recognise their HEARTBEAT_CONF or FAILURE_CONF.
type heartbeats struct {
	ring   [MaxMissedHeartbeats + 1]hbEntry
	next   int // ring index of the next heartbeat
	missed int // unanswered in a row
}

type hbEntry struct {
	id     uint32
	queued time.Time // when the tick decided to send it: misses count from here
	sent   time.Time // just before its bytes were written
	recv   time.Time // when its answer was read
}

func (h *heartbeats) push(id uint32, now time.Time) {
	h.ring[h.next] = hbEntry{id: id, queued: now}
	h.next = (h.next + 1) % len(h.ring)
}

func (h *heartbeats) newest() *hbEntry {
	return &h.ring[(h.next+len(h.ring)-1)%len(h.ring)]
}

func (h *heartbeats) find(id uint32) *hbEntry {
	for i := range h.ring {
		if h.ring[i].id == id && id != 0 {
			return &h.ring[i]
		}
	}
	return nil
}

// outstanding reports whether the newest heartbeat waits for its answer.
func (e *hbEntry) outstanding() bool { return e.id != 0 && e.recv.IsZero() }

func (s *Session) heartbeatTick() {
	iv := s.cfg.heartbeat
	now := time.Now()
	s.mu.Lock()
	if s.state == stateClosing || s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	l := s.cur
	if l == nil || l.cause != nil { // reconnecting, or the reader has not yet seen the break
		s.armHeartbeat(now, iv)
		s.mu.Unlock()
		return
	}
	elapsed := now.Sub(s.epoch)
	sinceRecv := elapsed - time.Duration(s.lastRecv.Load())
	sinceSend := elapsed - time.Duration(s.lastSend.Load())
	var cause *SessionError
	send := false
	// due is when the heartbeat about to be sent was scheduled: an interval after the last
	// frame written, or, re-probing an unanswered one, an interval after that one. How late the
	// timer and the write run against it is the session's own lateness, not the server's.
	due := s.epoch.Add(time.Duration(s.lastSend.Load()) + iv)
	newest := s.hb.newest()
	switch idle := s.cfg.clientIdle(); {
	case idle > 0 && sinceRecv >= idle:
		cause = &SessionError{Op: "idle", Addr: l.addr, Status: cti.ECTITimeout,
			Err: fmt.Errorf("%w: nothing received for %v", ErrIdleTimeout, sinceRecv.Round(time.Millisecond))}
	case newest.outstanding() && now.Sub(newest.queued) >= iv && time.Duration(s.lastRecv.Load()) > newest.queued.Sub(s.epoch):
		// Unanswered, but the server has sent something since: it is alive and answers in order,
		// the heartbeat's answer queued behind replies to our other requests. Not a miss.
		s.hb.missed = 0
		send = sinceSend >= iv
	case newest.outstanding():
		if now.Sub(newest.queued) >= iv {
			s.hb.missed++
			s.n.hbMissed.Add(1)
			if s.hb.missed >= MaxMissedHeartbeats {
				cause = &SessionError{Op: "heartbeat", Addr: l.addr, Status: cti.ECTITimeout,
					Err: fmt.Errorf("%w: %d in a row, %v apart", ErrHeartbeatTimeout, s.hb.missed, iv)}
			} else {
				send = true // probe again at once: the link is suspect
				due = newest.queued.Add(iv)
			}
		}
	case sinceSend >= iv:
		send = true
	}
	var id uint32
	if cause == nil && send {
		id = s.newInvokeIDLocked()
		s.hb.push(id, now)
	}
	s.mu.Unlock()

	if cause != nil {
		// §10: the client closes with E_CTI_TIMEOUT when the server did not answer in time.
		s.breakLink(l, cause)
	} else if send {
		sent, _, ioErr := s.writeMsg(l, &cti.HeartbeatReq{InvokeID: id}, now.Add(iv), now.Add(max(iv, minWriteTime)))
		if ioErr != nil {
			s.breakLink(l, &SessionError{Op: "write", Addr: l.addr, Err: fmt.Errorf("%w: %w", ErrConnectionLost, ioErr)})
		} else {
			s.n.hbSent.Add(1)
			s.n.noteHeartbeatLate(sent.Sub(due))
			var rtt time.Duration
			measured := false
			s.mu.Lock()
			if e := s.hb.find(id); e != nil {
				e.sent = sent
				if !e.recv.IsZero() { // answered before we got here (loopback is fast)
					rtt, measured = e.recv.Sub(sent), true
				}
			}
			s.mu.Unlock()
			if measured {
				s.noteRTT(rtt)
			}
		}
	}
	s.rearmHeartbeat(l)
}

// rearmHeartbeat schedules the next tick for the first instant something may be due.
func (s *Session) rearmHeartbeat(l *link) {
	iv := s.cfg.heartbeat
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stateClosing || s.state == stateClosed {
		return
	}
	next := iv
	now := time.Now()
	if s.cur == l && l.cause == nil {
		if e := s.hb.newest(); e.outstanding() {
			next = e.queued.Add(iv).Sub(now)
		} else {
			next = iv - (now.Sub(s.epoch) - time.Duration(s.lastSend.Load()))
		}
		if next < time.Millisecond {
			next = time.Millisecond
		}
	}
	s.armHeartbeat(now, next)
}

// heartbeatGrid is the spacing of the instants heartbeat timers fire on: at most this much (and
// at most a hundredth of the interval) is added to a heartbeat's wait so that the timers of
// every session falling due within one slot fire together. On a machine where waking a thread
// costs tens of microseconds (a virtual machine: the wake, the context switch and the poll go
// through the hypervisor), one wake-up per heartbeat, for the timer and again for its answer,
// cost more than the heartbeat itself; a slot's heartbeats go out in one burst and their answers
// come back in one.
const heartbeatGrid = 50 * time.Millisecond

// armHeartbeat sets the heartbeat timer to fire d after now, or a little later: see gridDelay.
// s.mu is held, or the session is not shared yet.
func (s *Session) armHeartbeat(now time.Time, d time.Duration) {
	s.hbTimer.Reset(gridDelay(now, d, s.cfg.heartbeat))
}

// gridDelay lengthens a wait of d from now so that it ends on the first instant of the common
// grid at or after now+d: multiples of the slot (heartbeatGrid, at most a hundredth of the
// interval iv) since the Unix epoch, the same for every session of every process.
func gridDelay(now time.Time, d, iv time.Duration) time.Duration {
	slot := min(heartbeatGrid, iv/100)
	if slot > 0 {
		if r := (now.UnixNano() + int64(d)) % int64(slot); r > 0 {
			d += slot - time.Duration(r)
		}
	}
	return d
}

// noteHeartbeatLate keeps the largest lateness of a HEARTBEAT_REQ against its schedule.
func (n *counters) noteHeartbeatLate(late time.Duration) {
	for {
		cur := n.hbLateMax.Load()
		if int64(late) <= cur || n.hbLateMax.CompareAndSwap(cur, int64(late)) {
			return
		}
	}
}

func (s *Session) noteRTT(rtt time.Duration) {
	s.n.lastRTT.Store(int64(rtt))
	if h := s.cfg.onHeartbeat; h != nil {
		h(rtt)
	}
}

func randFloat() float64 { return rand.Float64() }
