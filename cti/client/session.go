package client

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// A Session is one CTI client: an agent desktop (agent mode) or a monitor (bridge mode) connected
// to a CTI Server, opened with OPEN_REQ/OPEN_CONF.
//
// Concurrency: one reader goroutine per session owns the connection's [cti.FrameReader] and routes
// every frame: replies to the request waiting for their InvokeID (a map entry and a channel, no
// goroutine per request), unsolicited messages to the event backlog, handler and waits.
// Writes are serialised, one frame per Write. Heartbeats run on a [time.AfterFunc] timer, on a
// grid common to all sessions (heartbeat.go). All methods are safe for concurrent use; an idle
// session costs a few KiB of heap plus the reader's stack (see BenchmarkIdleSessionMemory).
//
// Lifecycle:
//
//	state         entered when                         leaves to
//	open          Dial succeeded, or a reconnect did  reconnecting (link lost, fail-over on),
//	                                                   closing (Close), closed (link lost)
//	reconnecting  the link was lost, fail-over on      open, closed (gave up), closing (Close)
//	closing       Close began                          closed
//	closed        the session ended: Done is closed, Err says why
//
// Requests in flight when a link is lost fail (the caller retries); requests made while
// reconnecting wait for the new link within their own timeout. Waits for events and the backlog
// survive a reconnection.
type Session struct {
	cfg   *config
	addrs []string
	label string
	epoch time.Time // base of lastSend/lastRecv; carries the monotonic clock

	ctx    context.Context // cancelled when Close begins or the session ends: stops reconnecting
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	state   sessionState
	cur     *link         // nil while reconnecting and after the end
	addr    string        // the side of cur, or the last one
	ready   chan struct{} // closed when a reconnection installs a link
	pending map[uint32]*call
	nextID  uint32
	opened  OpenResult
	err     error
	hb      heartbeats
	hbTimer *time.Timer
	spare   spares // see newCallLocked

	ev eventState

	closeOnce sync.Once
	closeErr  error

	lastSend atomic.Int64 // time since epoch of the last frame written
	lastRecv atomic.Int64 // time since epoch of the last frame read
	n        counters
}

type sessionState uint8

const (
	stateOpen sessionState = iota
	stateReconnecting
	stateClosing
	stateClosed
)

// link is one TCP (or TLS) connection of a session.
type link struct {
	nc    net.Conn
	addr  string
	index int // in Session.addrs
	fr    *cti.FrameReader
	fw    *cti.FrameWriter // coalesces the frames of concurrent writers into one Write
	cause *SessionError    // why it ended; guarded by Session.mu
	// lost: taken out of service (see lose); again: the reader must reconnect after it. Both
	// guarded by Session.mu.
	lost, again bool
}

// call is a request waiting for its reply.
type call struct {
	req  cti.MsgType
	id   uint32
	addr string
	done chan struct{} // receives one value once msg/recv/err are set (capacity 1: never blocks)
	msg  cti.Message
	recv time.Time
	err  error
}

// A session keeps the call and the timer of its last finished request for the next one: a
// tight loop of requests otherwise allocates both (and the call's channel) for every round
// trip. They are kept per session, not in a global pool, because a session's channels and
// timers belong to its goroutines (a testing/synctest bubble refuses foreign ones). A call goes
// back only once its completion was received, or once forget proved that none will come, so a
// recycled call never sees a late one; since Go 1.23 a stopped timer delivers nothing stale.
type spares struct {
	call  *call
	timer *time.Timer
}

func (s *Session) newCallLocked(t cti.MsgType, id uint32, addr string) *call {
	c := s.spare.call
	if c == nil {
		c = &call{done: make(chan struct{}, 1)}
	}
	s.spare.call = nil
	c.req, c.id, c.addr = t, id, addr
	return c
}

func (s *Session) newRequestTimer(d time.Duration) *time.Timer {
	s.mu.Lock()
	t := s.spare.timer
	s.spare.timer = nil
	s.mu.Unlock()
	if t == nil {
		return time.NewTimer(d)
	}
	t.Reset(d)
	return t
}

// recycle keeps a finished request's call (nil: none to keep) and timer for the next request.
func (s *Session) recycle(c *call, t *time.Timer) {
	t.Stop()
	if c != nil {
		*c = call{done: c.done}
	}
	s.mu.Lock()
	if c != nil && s.spare.call == nil {
		s.spare.call = c
	}
	if s.spare.timer == nil {
		s.spare.timer = t
	}
	s.mu.Unlock()
}

type counters struct {
	msgsSent, msgsRecv, bytesSent, bytesRecv atomic.Uint64
	events, lateReplies, decodeErrors        atomic.Uint64
	timeouts, reconnects, connectAttempts    atomic.Uint64
	hbSent, hbMissed, linksLost              atomic.Uint64
	lastRTT, hbLateMax                       atomic.Int64
}

// SessionStats are a session's counters since Dial (metrics cti_messages_sent and friends).
type SessionStats struct {
	MessagesSent, MessagesReceived uint64        // frames written and read
	BytesSent, BytesReceived       uint64        // headers included
	Events                         uint64        // unsolicited messages received
	EventsDropped                  uint64        // oldest events dropped from a full backlog
	EventsUnclaimed                uint64        // events discarded with the backlog disabled
	EventsPending                  int           // events in the backlog now
	LateReplies                    uint64        // replies matching no waiting request (after a timeout)
	RequestTimeouts                uint64        // requests that got no reply in time
	DecodeErrors                   uint64        // frames that did not decode (never delivered as events)
	LinksLost                      uint64        // connections that ended without Close (see WithLinkLossHandler)
	HeartbeatsSent                 uint64        // HEARTBEAT_REQs written
	HeartbeatsMissed               uint64        // intervals a heartbeat went unanswered in silence
	LastHeartbeatRTT               time.Duration // round trip of the last answered heartbeat
	HeartbeatLateMax               time.Duration // the most a HEARTBEAT_REQ was written behind its schedule (an interval after the last frame sent), the wait for the heartbeat grid (at most 50 ms) included
	Reconnects                     uint64        // successful reconnections after a lost link
	ConnectAttempts                uint64        // TCP connection attempts, Dial's included
}

// OpenResult is the OPEN_CONF that opened the current connection, with its timing.
type OpenResult struct {
	cti.OpenConf           // ServicesGranted, MonitorID, PGStatus, PeripheralOnline, AgentState, DepartmentID, SessionType, Peripherals…
	Addr         string    // the side that answered
	Sent         time.Time // just before OPEN_REQ was written
	Received     time.Time // when OPEN_CONF was read
}

// Duration is the time from OPEN_REQ to OPEN_CONF.
func (r OpenResult) Duration() time.Duration { return r.Received.Sub(r.Sent) }

// ReconnectInfo reports a fail-over: during Dial when the first side did not open, or after a
// lost link. It feeds reconnection metrics.
type ReconnectInfo struct {
	Label    string        // the session's label
	From     string        // the side that failed
	To       string        // the side now open; "" when the session gave up
	Initial  bool          // during Dial
	Attempts int           // connection attempts, the successful one included
	Outage   time.Duration // from the loss (or the start of Dial) to the new OPEN_CONF or to giving up
	Cause    error         // why the previous link ended (nil during Dial)
	Err      error         // nil on success, else why the session gave up
}

var sessionSeq atomic.Uint64

// minWriteTime is the least time a frame's write gets from the socket, whatever the request's
// deadline. A healthy connection writes a frame at once; one that cannot for this long is stuck.
const minWriteTime = 2 * time.Second

// laterOf returns the later of two instants.
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// courtesyCloseWait bounds the CLOSE_REQ sent when the session itself breaks a link.
const courtesyCloseWait = 250 * time.Millisecond

// aLongTimeAgo is a deadline in the past, to unblock a read when a context ends.
var aLongTimeAgo = time.Unix(1, 0)

// ParseTarget splits a target such as "ctia:42027,ctib:43027" (side A, then side B of a duplex
// CTI Server) into its addresses.
func ParseTarget(target string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(target, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		host, port, err := net.SplitHostPort(p)
		if err != nil {
			return nil, fmt.Errorf("%w: target %q: %w", ErrInvalidConfig, target, err)
		}
		if host == "" || port == "" {
			return nil, fmt.Errorf("%w: target %q: %q needs host:port", ErrInvalidConfig, target, p)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty target", ErrInvalidConfig)
	}
	return out, nil
}

// Dial connects to target ("host:port", or "sideA:port,sideB:port"), sends OPEN_REQ and waits for
// OPEN_CONF. ctx bounds the whole of it, every attempt included. Without [WithFailover], each
// listed side is tried once, in order, moving on only for reasons another side may not share
// (connect or TLS failure, E_CTI_SERVER_NOT_MASTER, a standby OPEN_CONF, no OPEN_CONF in time);
// with it, attempts follow the policy. A FAILURE_CONF comes back as a [*FailureError] inside a
// [*SessionError]; inconsistent options as [ErrInvalidConfig], before anything is sent.
func Dial(ctx context.Context, target string, opts ...Option) (*Session, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	addrs, err := ParseTarget(target)
	if err != nil {
		return nil, err
	}
	s := newSession(cfg, addrs)
	begin := time.Now()
	l, res, attempts, err := s.connectLoop(ctx, 0)
	if err != nil {
		s.cancel()
		if attempts > 1 {
			err = fmt.Errorf("cti: %d attempts to open a session on %s failed, last: %w", attempts, target, err)
			s.reportReconnect(ReconnectInfo{From: addrs[0], Initial: true, Attempts: attempts, Outage: time.Since(begin), Err: err})
		}
		return nil, err
	}
	s.mu.Lock()
	s.install(l, res)
	if cfg.heartbeat > 0 {
		s.hbTimer = time.AfterFunc(gridDelay(time.Now(), cfg.heartbeat, cfg.heartbeat), s.heartbeatTick)
	}
	s.mu.Unlock()
	go s.run(l)
	if attempts > 1 {
		s.reportReconnect(ReconnectInfo{From: addrs[0], To: l.addr, Initial: true, Attempts: attempts, Outage: time.Since(begin)})
	}
	return s, nil
}

func newSession(cfg *config, addrs []string) *Session {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{
		cfg:    cfg,
		addrs:  addrs,
		label:  cfg.label,
		epoch:  time.Now(),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
		addr:   addrs[0],
	}
	s.ev.max = cfg.backlog
	if s.label == "" {
		if a := cfg.agent; a != nil {
			s.label = firstNonEmpty(a.ID, a.Extension, a.Instrument)
		} else {
			s.label = "s" + strconv.FormatUint(sessionSeq.Add(1), 10)
		}
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// install makes l the session's link. s.mu must be held.
func (s *Session) install(l *link, res OpenResult) {
	s.cur, s.addr, s.opened = l, l.addr, res
	s.state = stateOpen
	s.hb = heartbeats{}
	now := int64(time.Since(s.epoch))
	s.lastRecv.Store(now)
	s.lastSend.Store(now)
	if s.ready != nil {
		close(s.ready)
		s.ready = nil
	}
	if s.hbTimer != nil {
		s.armHeartbeat(time.Now(), s.cfg.heartbeat)
	}
}

func (s *Session) newInvokeIDLocked() uint32 {
	s.nextID++
	if s.nextID == 0 { // 2^32 requests later: skip 0, which reads as "none"
		s.nextID = 1
	}
	return s.nextID
}

// Opened returns the OPEN_CONF of the current (or last) connection and its timing.
func (s *Session) Opened() OpenResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// Version is the session's protocol version.
func (s *Session) Version() cti.Version { return s.cfg.version }

// Label names the session in traces ([WithLabel]).
func (s *Session) Label() string { return s.label }

// Addr is the side the session is connected to (the last one while reconnecting or after the end).
func (s *Session) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Done is closed when the session has ended; [Session.Err] then says why.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is nil while the session lives; after the end it is the [*SessionError] that ended it
// (wrapping [ErrSessionClosed] after Close).
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Stats returns the session's counters.
func (s *Session) Stats() SessionStats {
	s.ev.mu.Lock()
	pending, dropped, unclaimed := s.ev.q.n, s.ev.dropped, s.ev.unclaimed
	s.ev.mu.Unlock()
	return SessionStats{
		MessagesSent:     s.n.msgsSent.Load(),
		MessagesReceived: s.n.msgsRecv.Load(),
		BytesSent:        s.n.bytesSent.Load(),
		BytesReceived:    s.n.bytesRecv.Load(),
		Events:           s.n.events.Load(),
		EventsDropped:    dropped,
		EventsUnclaimed:  unclaimed,
		EventsPending:    pending,
		LateReplies:      s.n.lateReplies.Load(),
		RequestTimeouts:  s.n.timeouts.Load(),
		DecodeErrors:     s.n.decodeErrors.Load(),
		LinksLost:        s.n.linksLost.Load(),
		HeartbeatsSent:   s.n.hbSent.Load(),
		HeartbeatsMissed: s.n.hbMissed.Load(),
		LastHeartbeatRTT: time.Duration(s.n.lastRTT.Load()),
		HeartbeatLateMax: time.Duration(s.n.hbLateMax.Load()),
		Reconnects:       s.n.reconnects.Load(),
		ConnectAttempts:  s.n.connectAttempts.Load(),
	}
}

// Do sends req with a fresh InvokeID (set on req) and waits for the reply with that InvokeID.
//
// The wait ends at the earlier of the request timeout ([WithRequestTimeout]) and ctx's deadline,
// counted from the call; a reply that does not come by then is a [*RequestError] matching
// [ErrRequestTimeout] (a reply arriving later is dropped and counted in LateReplies). A
// FAILURE_CONF gives a [*FailureError], a CONTROL_FAILURE_CONF a [*ControlFailureError]; both come
// with the Reply, whose timings stay valid. A request cut off by the end of its link fails with a
// [*RequestError] wrapping the [*SessionError]. The reply's type is not checked against the
// request: the InvokeID decides.
//
// req must not be used by another goroutine during the call. OPEN_REQ and CLOSE_REQ belong to
// [Dial] and [Session.Close] and are refused.
func (s *Session) Do(ctx context.Context, req cti.Invoker) (Reply, error) {
	if req == nil {
		return Reply{}, fmt.Errorf("%w: nil request", ErrInvalidRequest)
	}
	switch t := req.MessageType(); t {
	case cti.MsgOpenReq, cti.MsgCloseReq:
		return Reply{}, &RequestError{Request: t, Addr: s.Addr(), Err: fmt.Errorf("%w: %s is sent by Dial/Close", ErrInvalidRequest, t)}
	}
	return s.do(ctx, req, false)
}

func (s *Session) do(ctx context.Context, req cti.Invoker, closing bool) (Reply, error) {
	t := req.MessageType()
	start := time.Now()
	deadline := start.Add(s.cfg.requestTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	timer := s.newRequestTimer(time.Until(deadline))
	var done *call // recycled with the timer when the request is over
	defer func() { s.recycle(done, timer) }()

	// Wait for a usable link: immediate while open, the new link while reconnecting.
	var l *link
	for l == nil {
		s.mu.Lock()
		switch s.state {
		case stateOpen:
			l = s.cur
			if l == nil { // not yet installed: cannot happen after Dial returned
				s.mu.Unlock()
				return Reply{}, &RequestError{Request: t, Err: fmt.Errorf("%w: %w", ErrNotSent, ErrConnectionLost)}
			}
		case stateClosing:
			if closing {
				l = s.cur
				break
			}
			s.mu.Unlock()
			return Reply{}, &RequestError{Request: t, Addr: s.Addr(), Err: fmt.Errorf("%w: %w", ErrNotSent, ErrSessionClosed)}
		case stateClosed:
			err := s.err
			addr := s.addr
			s.mu.Unlock()
			return Reply{}, &RequestError{Request: t, Addr: addr, Err: fmt.Errorf("%w: the session had ended: %w", ErrNotSent, err)}
		case stateReconnecting:
			ready, addr := s.ready, s.addr
			s.mu.Unlock()
			select {
			case <-ready:
				continue
			case <-s.done:
				continue
			case <-timer.C:
				s.n.timeouts.Add(1)
				return Reply{}, &RequestError{Request: t, Addr: addr, Err: fmt.Errorf("%w while reconnecting", timeoutError(time.Since(start), nil))}
			case <-ctx.Done():
				return Reply{}, &RequestError{Request: t, Addr: addr, Err: ctxError(ctx, start)}
			}
		}
		if l == nil {
			s.mu.Unlock()
			return Reply{}, &RequestError{Request: t, Addr: s.Addr(), Err: fmt.Errorf("%w: %w", ErrNotSent, ErrSessionClosed)}
		}
	}
	id := s.newInvokeIDLocked()
	req.SetInvokeID(id)
	c := s.newCallLocked(t, id, l.addr)
	if s.pending == nil {
		s.pending = make(map[uint32]*call)
	}
	s.pending[id] = c
	s.mu.Unlock()

	// The socket gets at least minWriteTime: a request deadline that runs out in the middle of
	// a write would cut a frame in two and cost the whole link, not just this request.
	sent, encErr, ioErr := s.writeMsg(l, req, deadline, laterOf(deadline, time.Now().Add(minWriteTime)))
	if encErr != nil || ioErr != nil {
		// Nothing (or not the whole frame) was written: the server has not seen this request.
		if s.forget(id) {
			done = c
		} // else the end of the link completes it: the collector takes it
		if encErr != nil { // the link is intact
			return Reply{}, &RequestError{Request: t, InvokeID: id, Addr: l.addr, Err: encErr}
		}
		// Report why the link ended: if the session broke it first (heartbeats, server offline),
		// that is the cause, not the "use of closed connection" our write ran into.
		s.breakLink(l, &SessionError{Op: "write", Addr: l.addr, Err: fmt.Errorf("%w: %w", ErrConnectionLost, ioErr)})
		s.mu.Lock()
		cause := l.cause
		s.mu.Unlock()
		return Reply{}, &RequestError{Request: t, InvokeID: id, Addr: l.addr, Err: fmt.Errorf("%w: %w", ErrNotSent, cause)}
	}

	select {
	case <-c.done:
	case <-timer.C:
		if s.forget(id) {
			done = c
			s.n.timeouts.Add(1)
			return Reply{Sent: sent}, &RequestError{Request: t, InvokeID: id, Addr: l.addr, Err: timeoutError(time.Since(start), nil)}
		}
		<-c.done // completed while we were giving up: the reply wins
	case <-ctx.Done():
		if s.forget(id) {
			done = c
			if ctx.Err() == context.DeadlineExceeded {
				s.n.timeouts.Add(1)
			}
			return Reply{Sent: sent}, &RequestError{Request: t, InvokeID: id, Addr: l.addr, Err: ctxError(ctx, start)}
		}
		<-c.done
	}
	done = c
	return Reply{Msg: c.msg, Sent: sent, Received: c.recv}, c.err
}

// ctxError is a context's end as a request error: a deadline is a request timeout.
func ctxError(ctx context.Context, start time.Time) error {
	if err := ctx.Err(); err == context.DeadlineExceeded {
		return timeoutError(time.Since(start), err)
	}
	return ctx.Err()
}

// forget removes a waiting request; false means the reader (or the end of the link) already
// took it and will complete it.
func (s *Session) forget(id uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pending[id]; ok {
		delete(s.pending, id)
		return true
	}
	return false
}

// writeMsg encodes m and writes it as one frame through the link's frame writer, which writes
// at once when the link is idle and, when another goroutine's write is in progress, sends this
// frame with the others queued meanwhile in the next Write (waiting for that write, bounded by
// its I/O deadline). slotDeadline is when the frame may no longer be queued; the socket gets
// until ioDeadline. encErr means nothing was written and the link is intact (an encoding error
// or the deadline already past); ioErr means the link is broken: a frame may be cut, and a TLS
// connection does not survive any write error.
func (s *Session) writeMsg(l *link, m cti.Message, slotDeadline, ioDeadline time.Time) (sent time.Time, encErr, ioErr error) {
	if !time.Now().Before(slotDeadline) {
		return time.Time{}, timeoutError(0, errors.New("deadline passed before the write")), nil
	}
	n, err := l.fw.Append(m, s.cfg.version)
	if err != nil {
		if werr := l.fw.Err(); werr != nil && errors.Is(err, werr) {
			return time.Time{}, nil, werr
		}
		return time.Time{}, err, nil
	}
	sent = time.Now()
	// Every caller gives the socket at least minWriteTime, so a later caller moving the deadline
	// of a write in progress never cuts it short of that.
	_ = l.nc.SetWriteDeadline(ioDeadline)
	if err := l.fw.Flush(); err != nil {
		return sent, nil, err
	}
	s.n.msgsSent.Add(1)
	s.n.bytesSent.Add(uint64(n))
	s.lastSend.Store(int64(sent.Sub(s.epoch)))
	return sent, nil, nil
}

// newLink wraps a connection: its frame reader, and its frame writer, which traces each frame
// as it is queued, before the write and so in wire order: once the bytes are out, the reply may
// be read (and traced) before the writing goroutine runs again. The trace holds a decoded copy,
// so that the observer never sees the caller's message nor its secrets.
func (s *Session) newLink(nc net.Conn, addr string, i int) *link {
	l := &link{nc: nc, addr: addr, index: i,
		fr: cti.NewFrameReader(cti.NewIdleReader(nc), s.cfg.maxMessageSize),
		fw: cti.NewFrameWriter(nc, s.cfg.maxMessageSize)}
	if o := s.cfg.observer; o != nil {
		v := s.cfg.version
		l.fw.OnQueue(func(frame []byte) {
			t := cti.MsgType(binary.BigEndian.Uint32(frame[4:cti.HeaderSize]))
			o.Frame(TraceFrame{Time: time.Now(), Dir: TraceOut, Label: s.label, Addr: addr, Version: v,
				Msg: TraceCopy(t, frame[cti.HeaderSize:], v), Size: len(frame)})
		})
	}
	return l
}

// run is the session's reader goroutine: it reads each link until it fails, then reconnects or
// ends the session.
func (s *Session) run(l *link) {
	for l != nil {
		var err error
		for {
			var f cti.Frame
			f, err = l.fr.ReadFrame()
			if err != nil {
				break
			}
			now := time.Now()
			m, derr := s.readMessage(l, f, now)
			s.dispatch(l, m, derr, now)
		}
		l = s.linkDown(l, err)
	}
}

// readMessage decodes a frame read at now, counts it and traces it. A body that does not decode
// becomes a *RawMessage, so that the trace shows what came; derr says why, and the frame is
// counted and reported as malformed.
func (s *Session) readMessage(l *link, f cti.Frame, now time.Time) (m cti.Message, derr error) {
	size := cti.HeaderSize + len(f.Body)
	s.n.msgsRecv.Add(1)
	s.n.bytesRecv.Add(uint64(size))
	s.lastRecv.Store(int64(now.Sub(s.epoch)))
	v := s.cfg.version
	m, derr = cti.Decode(f.Type, f.Body, v)
	if derr != nil {
		s.malformed(l, f.Type, derr)
		m = &cti.RawMessage{Type: f.Type, Body: append([]byte(nil), f.Body...)}
	}
	if o := s.cfg.observer; o != nil {
		tm := m
		if derr == nil && hasSecret(m) {
			tm = TraceCopy(f.Type, f.Body, v)
		}
		o.Frame(TraceFrame{Time: now, Dir: TraceIn, Label: s.label, Addr: l.addr, Version: v, Msg: tm, Size: size})
	}
	return m, derr
}

// dispatch routes a message: replies by InvokeID, everything else to the events. A malformed
// event goes nowhere: a wait must never take it for a valid one (it was counted and reported).
func (s *Session) dispatch(l *link, m cti.Message, derr error, now time.Time) {
	// Replies (…_CONF, FAILURE_CONF, CONTROL_FAILURE_CONF: the catalog's "reply" attribute) go to
	// their request; server-initiated messages that carry an InvokeID of their own
	// (ACTIVE_MAINTENANCE_REQ_MSG…) are events.
	if t := m.MessageType(); cti.IsReply(t) {
		switch x := m.(type) {
		case cti.Invoker:
			s.reply(l, m, x.GetInvokeID(), now, derr)
			return
		case *cti.RawMessage:
			// A confirmation that did not decode still names its request: fail that request
			// with the decode error instead of letting it time out.
			if len(x.Body) >= 4 {
				s.reply(l, m, binary.BigEndian.Uint32(x.Body), now, derr)
				return
			}
		}
	}
	if derr != nil {
		return
	}
	s.event(l, m, now)
}

func (s *Session) reply(l *link, m cti.Message, id uint32, now time.Time, derr error) {
	t := m.MessageType()
	s.mu.Lock()
	if c := s.pending[id]; c != nil {
		delete(s.pending, id)
		s.mu.Unlock()
		c.complete(m, now, derr)
		return
	}
	if t == cti.MsgHeartbeatConf || t == cti.MsgFailureConf {
		if e := s.hb.find(id); e != nil {
			s.hb.missed = 0
			var rtt time.Duration
			measured := false
			if e.recv.IsZero() {
				e.recv = now
				if !e.sent.IsZero() {
					rtt, measured = now.Sub(e.sent), true
				}
			}
			s.mu.Unlock()
			if fc, ok := m.(*cti.FailureConf); ok {
				// §10: a FAILURE_CONF in answer to HEARTBEAT_REQ means the server is offline.
				fe := &FailureError{Request: cti.MsgHeartbeatReq, InvokeID: id, Status: fc.Status, Text: fc.Text}
				s.breakLink(l, &SessionError{Op: "heartbeat", Addr: l.addr, Status: cti.ECTICTIServerOffline,
					Err: fmt.Errorf("%w: %w", ErrServerOffline, fe)})
				return
			}
			if measured {
				s.noteRTT(rtt)
			}
			return
		}
		if t == cti.MsgHeartbeatConf {
			s.hb.missed = 0 // an old heartbeat's answer still proves the server alive
		}
	}
	s.mu.Unlock()
	s.n.lateReplies.Add(1)
}

func (c *call) complete(m cti.Message, now time.Time, derr error) {
	c.msg, c.recv = m, now
	switch r := m.(type) {
	case *cti.FailureConf:
		c.err = &FailureError{Request: c.req, InvokeID: c.id, Status: r.Status, Text: r.Text}
	case *cti.ControlFailureConf:
		c.err = &ControlFailureError{Request: c.req, InvokeID: c.id, Code: r.FailureCode, PeripheralErrorCode: r.PeripheralErrorCode}
	default:
		if derr != nil {
			c.err = &RequestError{Request: c.req, InvokeID: c.id, Addr: c.addr, Err: derr}
		}
	}
	c.done <- struct{}{}
}

func failCalls(pend map[uint32]*call, err error) {
	for _, c := range pend {
		c.err = &RequestError{Request: c.req, InvokeID: c.id, Addr: c.addr, Err: err}
		c.done <- struct{}{}
	}
}

func (s *Session) event(l *link, m cti.Message, now time.Time) {
	s.n.events.Add(1)
	ev := Event{Msg: m, Received: now}
	if h := s.cfg.eventHandler; h != nil {
		h(ev)
	}
	s.ev.deliver(ev)
	if fe, ok := m.(*cti.FailureEvent); ok && fe.Status == cti.ECTICTIServerOffline {
		// §10: an unsolicited FAILURE_EVENT E_CTI_CTI_SERVER_OFFLINE tells the client to close.
		// The event itself stays in the backlog for the owner to see.
		s.breakLink(l, &SessionError{Op: "event", Addr: l.addr, Status: cti.ECTICTIServerOffline, Err: ErrServerOffline})
	}
}

// breakLink ends l on purpose: it is out of service at once (see lose). A cause with a status
// (E_CTI_TIMEOUT, E_CTI_CTI_SERVER_OFFLINE) is then announced with CLOSE_REQ (§10), best effort:
// the server may be gone. The reader then sees the closed connection and reconnects.
func (s *Session) breakLink(l *link, cause *SessionError) {
	if !s.lose(l, cause) {
		return
	}
	if cause.Status != cti.ECTINoError {
		s.courtesyClose(l, cause.Status)
	}
	_ = l.nc.Close()
}

// courtesyClose writes CLOSE_REQ(status) without waiting for CLOSE_CONF, giving up after
// courtesyCloseWait: a broken link must not stall its own teardown.
func (s *Session) courtesyClose(l *link, status cti.Status) {
	s.mu.Lock()
	id := s.newInvokeIDLocked()
	s.mu.Unlock()
	d := time.Now().Add(courtesyCloseWait)
	_, _, _ = s.writeMsg(l, &cti.CloseReq{InvokeID: id, Status: status}, d, d)
}

// linkDown is called by the reader when l has failed; it returns the next link to read, or nil
// when the session is over.
func (s *Session) linkDown(l *link, readErr error) *link {
	var tl *cti.FrameTooLargeError
	if errors.As(readErr, &tl) {
		s.malformed(l, tl.Type, readErr)
	}
	s.lose(l, &SessionError{Op: "read", Addr: l.addr, Err: fmt.Errorf("%w: %w", ErrConnectionLost, readErr)})
	_ = l.nc.Close()
	s.mu.Lock()
	again, cause := l.again, l.cause
	s.mu.Unlock()
	if again {
		return s.reconnect(l, cause)
	}
	return nil
}

// lose takes l out of service the moment its failure is known (a read or write failed, the
// session broke it), so that no request is written to a dead link and a session without
// fail-over reads as ended (Done closed) before the requests it cuts off fail: a script that
// sees a failure and then checks whether its session is closed gets the truth. With fail-over,
// the session turns to reconnecting and the reader reconnects. cause is kept only if l had none.
// It reports whether this call took l out of service (false: it already was).
func (s *Session) lose(l *link, cause *SessionError) bool {
	s.mu.Lock()
	if l.lost {
		s.mu.Unlock()
		return false
	}
	l.lost = true
	if l.cause == nil {
		l.cause = cause
	}
	cause = l.cause
	if s.cur != l {
		s.mu.Unlock()
		return true
	}
	switch s.state {
	case stateOpen:
		s.cur = nil // the caller closes the connection, after a courtesy CLOSE_REQ if any
		if s.cfg.failover != nil {
			s.state = stateReconnecting
			s.ready = make(chan struct{})
			l.again = true
			pend := s.pending
			s.pending = nil
			s.mu.Unlock()
			s.noteLoss(l, cause)
			failCalls(pend, cause)
			return true
		}
		s.mu.Unlock()
		s.noteLoss(l, cause)
		s.end(cause)
	case stateClosing:
		// The server closes after CLOSE_CONF: that is the end Close asked for. But a CLOSE_REQ
		// still waiting for its CLOSE_CONF was cut off: Close reports that (the server dropped
		// the connection rather than confirm).
		var cut map[uint32]*call
		for id, c := range s.pending {
			if c.req == cti.MsgCloseReq {
				if cut == nil {
					cut = make(map[uint32]*call, 1)
				}
				cut[id] = c
				delete(s.pending, id)
			}
		}
		s.mu.Unlock()
		failCalls(cut, cause)
		s.end(s.closedError())
	default:
		s.mu.Unlock()
	}
	return true
}

// noteLoss counts a lost link and reports it.
func (s *Session) noteLoss(l *link, cause *SessionError) {
	s.n.linksLost.Add(1)
	if h := s.cfg.onLinkLoss; h != nil {
		h(LinkLoss{Label: s.label, Addr: l.addr, Cause: LinkLossCause(cause), Err: cause})
	}
}

// reconnect runs the fail-over policy on the reader goroutine (no extra goroutine) and installs
// the new link.
func (s *Session) reconnect(from *link, cause *SessionError) *link {
	begin := time.Now()
	l, res, attempts, err := s.connectLoop(s.ctx, (from.index+1)%len(s.addrs))
	info := ReconnectInfo{From: from.addr, Attempts: attempts, Cause: cause}
	if err != nil {
		info.Outage, info.Err = time.Since(begin), err
		if s.ctx.Err() == nil { // not Close: the session gives up
			s.end(&SessionError{Op: "reconnect", Addr: from.addr, Status: cause.Status,
				Err: fmt.Errorf("%w; then %d reconnection attempts failed, last: %w", cause, attempts, err)})
		}
		s.reportReconnect(info)
		return nil
	}
	s.mu.Lock()
	if s.state != stateReconnecting { // Close won the race
		s.mu.Unlock()
		_ = l.nc.Close()
		return nil
	}
	s.install(l, res)
	s.mu.Unlock()
	s.n.reconnects.Add(1)
	info.To, info.Outage = l.addr, time.Since(begin)
	s.reportReconnect(info)
	return l
}

func (s *Session) reportReconnect(info ReconnectInfo) {
	if h := s.cfg.onReconnect; h != nil {
		info.Label = s.label
		h(info)
	}
}

// end finishes the session with err: the link is closed, waiting requests and waits fail.
func (s *Session) end(err error) {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	s.state = stateClosed
	s.err = err
	l := s.cur
	s.cur = nil
	pend := s.pending
	s.pending = nil
	if s.hbTimer != nil {
		s.hbTimer.Stop()
	}
	// Done first: whoever a failed call wakes up must already see the session as ended.
	close(s.done)
	s.mu.Unlock()
	s.cancel()
	if l != nil {
		_ = l.nc.Close()
	}
	failCalls(pend, err)
}

func (s *Session) closedError() error {
	return &SessionError{Op: "close", Addr: s.Addr(), Err: ErrSessionClosed}
}

// Close sends CLOSE_REQ(E_CTI_NO_ERROR), waits for CLOSE_CONF (at most [WithCloseTimeout], and
// within ctx), then closes the connection. Requests still waiting then fail with
// [ErrSessionClosed], as does every later call. Close is idempotent: later calls return the first
// one's result. The error reports only a CLOSE_REQ that went unanswered or could not be sent; the
// session is closed either way.
func (s *Session) Close(ctx context.Context) error {
	s.closeOnce.Do(func() { s.closeErr = s.close(ctx) })
	return s.closeErr
}

func (s *Session) close(ctx context.Context) error {
	s.mu.Lock()
	st := s.state
	if st == stateClosed {
		s.mu.Unlock()
		return nil
	}
	s.state = stateClosing
	l := s.cur
	s.mu.Unlock()
	s.cancel() // stops a reconnection in progress
	var err error
	if st == stateOpen && l != nil {
		cctx, cancel := context.WithTimeout(ctx, s.cfg.closeTimeout)
		_, err = s.do(cctx, &cti.CloseReq{Status: cti.ECTINoError}, true)
		cancel()
	}
	s.end(s.closedError())
	if err != nil && !errors.Is(err, ErrSessionClosed) {
		return err
	}
	return nil
}

// connectLoop makes attempts, starting with side start, until one opens or the policy gives up.
func (s *Session) connectLoop(ctx context.Context, start int) (*link, OpenResult, int, error) {
	var p FailoverPolicy
	retry := s.cfg.failover != nil
	if retry {
		p = s.cfg.failover.withDefaults()
	}
	begin := time.Now()
	var last error
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if !retry {
				if attempt > len(s.addrs) {
					return nil, OpenResult{}, attempt - 1, last
				}
			} else {
				if p.MaxAttempts > 0 && attempt > p.MaxAttempts {
					return nil, OpenResult{}, attempt - 1, last
				}
				wait := p.Backoff(attempt-1, randFloat())
				if p.MaxElapsed > 0 && time.Since(begin)+wait > p.MaxElapsed {
					return nil, OpenResult{}, attempt - 1, last
				}
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return nil, OpenResult{}, attempt - 1, fmt.Errorf("%w (last attempt: %w)", ctx.Err(), last)
				}
			}
		}
		i := (start + attempt - 1) % len(s.addrs)
		s.n.connectAttempts.Add(1)
		l, res, err := s.connect(ctx, i)
		if err == nil {
			return l, res, attempt, nil
		}
		last = err
		if ctx.Err() != nil || !retriable(err) {
			return nil, OpenResult{}, attempt, err
		}
	}
}

// retriable reports whether another attempt (on the other side) may succeed where this one failed.
func retriable(err error) bool {
	var fe *FailureError
	if errors.As(err, &fe) {
		// Configuration errors (password, version, device in use…) will not change on retry.
		return fe.Status == cti.ECTIServerNotMaster || fe.Status == cti.ECTICTIServerOffline
	}
	if errors.Is(err, ErrStandby) || errors.Is(err, ErrConnectionLost) || errors.Is(err, ErrRequestTimeout) {
		return true
	}
	var se *SessionError
	return errors.As(err, &se) && (se.Op == "dial" || se.Op == "tls")
}

// connect dials side i and opens the session on it.
func (s *Session) connect(ctx context.Context, i int) (*link, OpenResult, error) {
	addr := s.addrs[i]
	cctx, cancel := context.WithTimeout(ctx, s.cfg.connectTimeout)
	defer cancel()
	dial := s.cfg.dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	nc, err := dial(cctx, "tcp", addr)
	if err != nil {
		return nil, OpenResult{}, &SessionError{Op: "dial", Addr: addr, Err: err}
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		// §10 recommends TCP_NODELAY (Go's default, made explicit) and linger 0: a session's
		// close resets the connection, so thousands of sessions leave no TIME_WAIT behind.
		_ = tc.SetNoDelay(true)
		_ = tc.SetLinger(0)
	}
	if s.cfg.tls != nil {
		tc := s.cfg.tls.Clone()
		if tc.ServerName == "" {
			tc.ServerName, _, _ = net.SplitHostPort(addr)
		}
		tconn := tls.Client(nc, tc)
		if err := tconn.HandshakeContext(cctx); err != nil {
			_ = nc.Close()
			return nil, OpenResult{}, &SessionError{Op: "tls", Addr: addr, Err: err}
		}
		nc = tconn
	}
	l := s.newLink(nc, addr, i)
	res, err := s.open(ctx, l)
	if err != nil {
		_ = nc.Close()
		return nil, OpenResult{}, err
	}
	return l, res, nil
}

// open sends OPEN_REQ on a fresh link and reads until OPEN_CONF or FAILURE_CONF with its InvokeID.
// It runs before the link has a reader goroutine; anything else that arrives is dispatched as
// usual.
func (s *Session) open(ctx context.Context, l *link) (OpenResult, error) {
	req := s.cfg.openReq()
	s.mu.Lock()
	req.InvokeID = s.newInvokeIDLocked()
	s.mu.Unlock()
	deadline := time.Now().Add(s.cfg.openTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	// A blocked read does not watch ctx: turn its end into an expired deadline.
	stop := context.AfterFunc(ctx, func() { _ = l.nc.SetDeadline(aLongTimeAgo) })
	defer stop()
	_ = l.nc.SetReadDeadline(deadline)
	openErr := func(status cti.Status, err error) (OpenResult, error) {
		return OpenResult{}, &SessionError{Op: "open", Addr: l.addr, Status: status, Err: err}
	}
	sent, encErr, ioErr := s.writeMsg(l, req, deadline, deadline)
	if encErr != nil {
		return openErr(0, encErr)
	}
	if ioErr != nil {
		return openErr(0, fmt.Errorf("%w: %w", ErrConnectionLost, ioErr))
	}
	for {
		f, err := l.fr.ReadFrame()
		if err != nil {
			if ctx.Err() != nil {
				return openErr(0, ctx.Err())
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return openErr(0, &RequestError{Request: cti.MsgOpenReq, InvokeID: req.InvokeID, Addr: l.addr,
					Err: fmt.Errorf("no OPEN_CONF: %w", timeoutError(time.Since(sent), nil))})
			}
			return openErr(0, fmt.Errorf("%w before OPEN_CONF: %w", ErrConnectionLost, err))
		}
		now := time.Now()
		m, derr := s.readMessage(l, f, now)
		if derr != nil && (f.Type == cti.MsgOpenConf || f.Type == cti.MsgFailureConf && len(f.Body) >= 4 && binary.BigEndian.Uint32(f.Body) == req.InvokeID) {
			// The answer came but cannot be read: waiting longer would only end in a timeout.
			return openErr(0, &RequestError{Request: cti.MsgOpenReq, InvokeID: req.InvokeID, Addr: l.addr,
				Err: fmt.Errorf("malformed %s: %w", f.Type, derr)})
		}
		switch r := m.(type) {
		case *cti.OpenConf:
			if r.InvokeID != req.InvokeID {
				break
			}
			if !stop() && ctx.Err() != nil {
				return openErr(0, ctx.Err())
			}
			_ = l.nc.SetDeadline(time.Time{})
			if r.SessionType == cti.SessionTypeStandby {
				// v24+: a standby side accepts only OPEN, HEARTBEAT and CLOSE (§10); a desktop
				// needs the active side.
				s.courtesyClose(l, cti.ECTINoError)
				return openErr(0, ErrStandby)
			}
			return OpenResult{OpenConf: *r, Addr: l.addr, Sent: sent, Received: now}, nil
		case *cti.FailureConf:
			if r.InvokeID == req.InvokeID {
				return openErr(r.Status, &FailureError{Request: cti.MsgOpenReq, InvokeID: r.InvokeID, Status: r.Status, Text: r.Text})
			}
		}
		s.dispatch(l, m, derr, now)
	}
}
