package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// sessMode is what a session watches.
type sessMode uint8

const (
	modeNone  sessMode = iota // no events (a control-only or monitoring client)
	modeAgent                 // CLIENT_EVENTS: one device or agent
	modeAll                   // ALL_EVENTS: everything ("bridge mode")
)

// session is one client connection. Its reader goroutine (serve) reads, decodes and handles the
// requests one at a time and flushes the answers when no complete request is left in the read
// buffer. Events caused by other connections or timers are appended to the frame writer (which
// coalesces everything queued during a write into the next one) and written by whichever
// goroutine finds the writer idle (kick), so a client that does not read never blocks anyone but
// itself, and at most MaxOutput bytes wait for it.
type session struct {
	srv  *Server
	c    *center
	conn net.Conn
	seq  uint64
	br   *cti.IdleReader // holds a pooled buffer only while a burst of requests lasts
	fr   *cti.FrameReader
	rng  *rand.Rand // fault draws, created on first use

	// Set by the reader goroutine before the session is registered, read-only afterwards.
	open      bool
	v         cti.Version
	clientID  string
	services  cti.ServiceMask
	callMask  cti.CallEventMask
	agentMask cti.AgentStateMask
	mode      sessMode
	idle      time.Duration // 0: no idle timeout
	requests  int
	opened    time.Time
	deadline  bool // a read deadline is set

	// standby is written under the center's lock and read without it on every request.
	standby atomic.Bool
	// serving is the type of the request being handled: failures are counted by it.
	serving atomic.Uint32
	// Guarded by the center's lock.
	dev        *device // agent mode by extension or instrument
	agent      *agent  // agent mode by agent ID only
	registered bool
	monitors   []*monitor // peripheral monitors this session created

	fw *cti.FrameWriter // the output: sealed when closing, aborted when dead

	wmu      sync.Mutex // guards the four below
	closing  bool       // close the connection once the output is written
	dead     bool       // the connection is closed
	replaced bool
	why      string // why the connection ends: the first reason given wins

	refused cti.Status // the last OPEN_REQ refusal of a session that never opened

	// Tracing (Config.Observer): set before the first frame, traceV by the reader goroutine
	// before the session is open.
	traceLabel, traceAddr string
	traceV                cti.Version
}

func newSession(srv *Server, conn net.Conn) *session {
	s := &session{srv: srv, c: srv.c, conn: conn, seq: srv.c.seq.Add(1)}
	if srv.c.cfg.Observer != nil {
		s.traceLabel, s.traceAddr = "sim"+strconv.FormatUint(s.seq, 10), conn.RemoteAddr().String()
	}
	s.br = cti.NewIdleReader(conn)
	s.fr = cti.NewFrameReader(s.br, 0)
	// The server's frames are its own: no size cap beyond the protocol's length field.
	s.fw = cti.NewFrameWriter(conn, math.MaxInt32)
	s.fw.SetLimit(srv.c.cfg.MaxOutput)
	if o := srv.c.cfg.Observer; o != nil {
		s.fw.OnQueue(func(frame []byte) {
			t := cti.MsgType(binary.BigEndian.Uint32(frame[4:cti.HeaderSize]))
			s.trace(o, client.TraceIn, t, frame[cti.HeaderSize:])
		})
	}
	return s
}

// trace hands one frame to the observer. The version is the session's, or, before the session
// is open, the one its OPEN_REQ asked for.
func (s *session) trace(o client.Observer, dir client.TraceDir, t cti.MsgType, body []byte) {
	v, label := s.v, s.traceLabel
	if v == 0 {
		v = s.traceV
	}
	if s.open {
		label = s.traceLabel + "-" + s.clientID
	}
	o.Frame(client.TraceFrame{Time: time.Now(), Dir: dir, Label: label, Addr: s.traceAddr, Version: v,
		Msg: client.TraceCopy(t, body, v), Size: cti.HeaderSize + len(body)})
}

func (s *session) random() *rand.Rand {
	if s.rng == nil {
		s.rng = rand.New(rand.NewPCG(uint64(s.c.cfg.Seed), s.seq))
	}
	return s.rng
}

// serve runs the connection until it ends.
func (s *session) serve() {
	defer s.finish()
	if tc, ok := s.conn.(*net.TCPConn); ok {
		// docs/protocol/session.md: TCP_NODELAY is recommended (linger 0 too, but a reset would
		// discard a CLOSE_CONF the client has not read yet: kill sets it for abortive closes).
		tc.SetNoDelay(true)
	}
	for {
		if !s.frameBuffered() {
			s.flushOwn()
			if s.isDone() {
				s.drain()
				return
			}
			s.setReadDeadline()
		}
		f, err := s.fr.ReadFrame()
		if err != nil {
			s.readError(err)
			return
		}
		s.handleFrame(f)
		if s.isDone() {
			s.drain()
			return
		}
	}
}

// frameBuffered reports whether a whole frame waits in the read buffer, so that answers can be
// batched into one write.
func (s *session) frameBuffered() bool {
	b := s.br.Pending()
	if len(b) < cti.HeaderSize {
		return false
	}
	return uint64(len(b)) >= uint64(cti.HeaderSize)+uint64(binary.BigEndian.Uint32(b))
}

func (s *session) setReadDeadline() {
	var d time.Duration
	switch {
	case !s.open:
		d = s.c.cfg.OpenTimeout
	case s.idle > 0:
		d = s.idle
	}
	if d > 0 {
		s.conn.SetReadDeadline(time.Now().Add(d))
		s.deadline = true
	} else if s.deadline {
		s.conn.SetReadDeadline(time.Time{})
		s.deadline = false
	}
}

func (s *session) readError(err error) {
	var tooLarge *cti.FrameTooLargeError
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		if s.open {
			// §10: the server resets the connection when nothing arrives for IdleTimeout.
			s.c.stats.idleTimeouts.Add(1)
			s.setWhy(fmt.Sprintf("idle timeout: nothing received for %v", s.idle))
		} else {
			s.setWhy(fmt.Sprintf("no OPEN_REQ within the open timeout (%v)", s.c.cfg.OpenTimeout))
		}
	case errors.As(err, &tooLarge):
		// The stream cannot be resynchronised after an impossible length: say so and close.
		s.c.stats.request(tooLarge.Type)
		s.fail(0, tooLarge.Status())
		s.drain()
		s.setWhy("bad frame: " + err.Error())
	case errors.Is(err, io.EOF):
		s.setWhy("closed by the client")
	default:
		s.setWhy("read error: " + err.Error())
	}
}

// setWhy records why the connection ends unless a reason is already known.
func (s *session) setWhy(why string) {
	s.wmu.Lock()
	s.because(why)
	s.wmu.Unlock()
}

func (s *session) isDone() bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.dead || s.closing
}

// finish unregisters the session and closes the connection; it runs once, on the reader goroutine.
func (s *session) finish() {
	s.wmu.Lock()
	s.dead = true
	s.wmu.Unlock()
	s.fw.Abort(nil)
	s.conn.Close()
	if s.open {
		s.c.unregister(s)
		s.srv.side.closed.Add(1)
		s.srv.side.active.Add(-1)
	}
	s.srv.logClose(s)
	s.srv.forget(s)
}

// handleFrame serves one request.
func (s *session) handleFrame(f cti.Frame) {
	t := f.Type
	if o := s.c.cfg.Observer; o != nil {
		if !s.open && t == cti.MsgOpenReq && len(f.Body) >= 8 {
			s.traceV = s.c.cfg.version(binary.BigEndian.Uint32(f.Body[4:]))
		}
		s.trace(o, client.TraceOut, t, f.Body)
	}
	s.requests++
	s.serving.Store(uint32(t))
	s.c.stats.request(t)
	invoke := invokeIDOf(f.Body)

	// Message type first: a type the server does not take is answered whatever the session state.
	if st := s.checkType(t); st != cti.ECTINoError {
		s.fail(invoke, st)
		return
	}
	if fs := s.c.faults.Load(); fs.any {
		consumed, pause := s.injectFaults(fs, t, invoke)
		if pause > 0 {
			// Served now; reading stops after it, as if the server were busy.
			defer func() {
				s.flushOwn()
				time.Sleep(pause)
			}()
		}
		if consumed {
			return
		}
	}
	if !s.open {
		if t != cti.MsgOpenReq {
			s.fail(invoke, cti.ECTISessionNotOpen)
			s.refusedOpen(cti.ECTISessionNotOpen, "first message is "+t.String()+", not OPEN_REQ")
			return
		}
		s.handleOpen(f)
		return
	}
	if t == cti.MsgOpenReq {
		s.fail(invoke, cti.ECTISessionAlreadyOpen)
		return
	}
	if s.isStandby() && t != cti.MsgHeartbeatReq && t != cti.MsgCloseReq {
		// §10: a standby server takes only OPEN_REQ, HEARTBEAT_REQ and CLOSE_REQ.
		s.c.stats.fault(FaultStandby)
		s.fail(invoke, cti.ECTIServerNotMaster)
		return
	}
	m := cti.New(t)
	if err := m.Decode(f.Body, s.v); err != nil {
		s.fail(invoke, statusOf(err))
		return
	}
	if len(cti.MissingRequired(m)) > 0 {
		s.fail(invoke, cti.ECTIRequiredDataMissing)
		return
	}
	if len(unknownFields(m)) > 0 {
		s.fail(invoke, cti.ECTIInvalidTagForMsgType)
		return
	}
	s.dispatch(m, invoke)
}

// checkType validates a client's message type (docs/protocol/framing.md, protocol versions): unknown or server-only types
// are E_CTI_INVALID_MESSAGE_TYPE; a type the product or the session's version does not have is
// E_CTI_INVALID_MSG_TYPE_FOR_VERSION.
func (s *session) checkType(t cti.MsgType) cti.Status {
	info, ok := cti.Info(t)
	if !ok || info.Direction == cti.ServerToClient {
		return cti.ECTIInvalidMessageType
	}
	if s.c.uccx {
		if !inUCCXCatalog(t) {
			return cti.ECTIInvalidMsgTypeForVersion
		}
		return cti.ECTINoError
	}
	if info.CCXOnly {
		return cti.ECTIInvalidMsgTypeForVersion
	}
	if s.open && t >= 277 && t <= 282 && s.v.Number() < 24 {
		return cti.ECTIInvalidMsgTypeForVersion // the graceful-shutdown messages came with v24
	}
	return cti.ECTINoError
}

// inUCCXCatalog lists the client→server types of the UCCX catalog (docs/protocol/uccx.md).
func inUCCXCatalog(t cti.MsgType) bool {
	switch {
	case t >= 1 && t <= 21, t >= 23 && t <= 27, t == 30, t == 31, t >= 35 && t <= 51,
		t >= 54 && t <= 57, t >= 60 && t <= 65, t == 78, t == 79, t >= 82 && t <= 86,
		t == 91, t == 92, t >= 116 && t <= 120, t == 124, t == 125, t == 139, t == 140,
		t >= 223 && t <= 226, t >= 230 && t <= 240, t >= 242 && t <= 244, t == 276:
		return true
	}
	return false
}

// injectFaults draws the configured faults for one request. It reports whether the request was
// consumed (dropped or failed) and how long to stop reading after it.
func (s *session) injectFaults(fs *faultState, t cti.MsgType, invoke uint32) (bool, time.Duration) {
	st := s.c.stats
	if fs.DropAfter > 0 && s.requests >= fs.DropAfter {
		st.drop(t)
		s.kill(fmt.Sprintf("injected drop (after %d requests)", s.requests))
		return true, 0
	}
	r := s.random()
	if fs.DropRate > 0 && r.Float64() < fs.DropRate {
		st.drop(t)
		s.kill("injected drop (drop rate)")
		return true, 0
	}
	if d := fs.latencyFor(t); d != nil {
		if w := d.Sample(r); w > 0 {
			st.fault(FaultLatency)
			time.Sleep(w)
		}
	}
	var pause time.Duration
	if fs.SlowReadRate > 0 && r.Float64() < fs.SlowReadRate {
		st.fault(FaultSlowRead)
		pause = fs.SlowRead.Sample(r)
	}
	if rule := fs.fail[t]; rule != nil && t != cti.MsgCloseReq && r.Float64() < rule.Rate {
		st.fault(FaultFail)
		if rule.Control {
			s.controlFail(invoke, rule.ControlCode)
		} else {
			s.fail(invoke, rule.Status)
		}
		if t == cti.MsgOpenReq {
			s.srv.side.rejected.Add(1)
			if rule.Control {
				s.logRefused("injected failure " + rule.ControlCode.String())
			} else {
				s.refusedOpen(rule.Status, "injected failure:")
			}
		}
		return true, pause
	}
	return false, pause
}

func (s *session) isStandby() bool { return s.standby.Load() }

// invokeIDOf is the InvokeID of a request: the first UINT of its body.
func invokeIDOf(body []byte) uint32 {
	if len(body) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(body)
}

// statusOf maps a decode error to the status a CTI Server answers (docs/protocol/framing.md, framing).
func statusOf(err error) cti.Status {
	var pe *cti.ProtocolError
	if errors.As(err, &pe) {
		return pe.Status()
	}
	return cti.ECTIBadMessageFormat
}

// ---- output ----

// enqueue encodes m for the session's version onto its output.
func (s *session) enqueue(m cti.Message) {
	if _, err := s.fw.Append(m, s.v); err != nil {
		s.refusedOutput(err)
		return
	}
	s.c.stats.event(m.MessageType())
}

// enqueueFrame appends an encoded frame.
func (s *session) enqueueFrame(frame []byte, t cti.MsgType) {
	if err := s.fw.AppendFrame(frame); err != nil {
		s.refusedOutput(err)
		return
	}
	s.c.stats.event(t)
}

// refusedOutput handles a frame the writer did not take: a closing or dead session drops it, a
// client that lets MaxOutput bytes pile up is cut off.
func (s *session) refusedOutput(err error) {
	var full *cti.BufferFullError
	if errors.As(err, &full) {
		s.c.stats.slowConsumers.Add(1)
		s.kill(fmt.Sprintf("slow consumer: more than %d bytes waiting to be written", s.c.cfg.MaxOutput))
	}
}

// kick starts writing the output on a new goroutine unless a writer is already at it.
func (s *session) kick() {
	if s.fw.NeedsFlush() {
		go s.flushOwn()
	}
}

// flushOwn writes the output on the calling goroutine unless a writer is already at it.
func (s *session) flushOwn() {
	s.writeFailed(s.fw.TryFlush())
}

// drain writes what is queued before the session ends, waiting for a writer already at it; a
// client that does not read gets closeFlushTimeout.
func (s *session) drain() {
	s.conn.SetWriteDeadline(time.Now().Add(closeFlushTimeout))
	s.writeFailed(s.fw.Flush())
}

// writeFailed ends the session after a write error (not after the writer was closed on purpose).
func (s *session) writeFailed(err error) {
	if err != nil && !errors.Is(err, cti.ErrWriterClosed) {
		s.kill("write error: " + err.Error())
	}
}

// closeFlushTimeout bounds the last write to a closing session.
const closeFlushTimeout = 5 * time.Second

// closeAfterFlush ends the session once everything queued is written; why is logged.
func (s *session) closeAfterFlush(why string) {
	s.wmu.Lock()
	already := s.closing || s.dead
	s.closing = true
	s.because(why)
	s.wmu.Unlock()
	if already {
		return
	}
	s.fw.Seal()
	go func() {
		s.drain()
		s.conn.Close()
	}()
}

// kill resets the connection at once (fault drop, slow consumer, server shutdown); why is logged.
func (s *session) kill(why string) {
	s.wmu.Lock()
	s.dead = true
	s.because(why)
	s.wmu.Unlock()
	s.fw.Abort(nil)
	if tc, ok := s.conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	s.conn.Close()
}

// because records why the connection ends unless a reason is already known; wmu is held.
func (s *session) because(why string) {
	if s.why == "" {
		s.why = why
	}
}

// fail answers FAILURE_CONF.
func (s *session) fail(invoke uint32, st cti.Status) {
	s.c.stats.failure(st)
	s.c.stats.failureOf(cti.MsgType(s.serving.Load()), st.String())
	s.enqueue(&cti.FailureConf{InvokeID: invoke, Status: st})
}

// controlFail answers CONTROL_FAILURE_CONF.
func (s *session) controlFail(invoke uint32, cf cti.ControlFailure) {
	s.c.stats.controlFailure(cf)
	s.c.stats.failureOf(cti.MsgType(s.serving.Load()), cf.String())
	s.enqueue(&cti.ControlFailureConf{InvokeID: invoke, FailureCode: cf})
}

// failEvent sends FAILURE_EVENT.
func (s *session) failEvent(st cti.Status) {
	s.c.stats.failure(st)
	s.enqueue(&cti.FailureEvent{Status: st})
}

// has reports whether the session was granted one of the services in m.
func (s *session) has(m cti.ServiceMask) bool { return s.services&m != 0 }
