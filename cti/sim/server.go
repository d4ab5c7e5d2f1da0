package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// ErrServerClosed is returned by Serve and Listen after Close or Shutdown.
var ErrServerClosed = errors.New("sim: server closed")

// Server is one listening side of a simulated CTI Server. Create it with New (a stand-alone
// server) or NewDuplex (two sides sharing one peripheral).
type Server struct {
	c     *center
	owns  bool // closing this server closes the center
	name  string
	side  sideStats
	stdby atomic.Bool

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	addr      string
	conns     map[*session]struct{}
	closed    bool
	wg        sync.WaitGroup
}

// New validates cfg and returns a server; it listens once Listen or Serve is called. The call
// generator starts with the server (Config.Calls.Rate).
func New(cfg Config) (*Server, error) {
	norm, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	c := newCenter(norm)
	s := newServer(c, norm.Side, norm.Standby)
	s.owns = true
	c.gen.start()
	return s, nil
}

func newServer(c *center, name string, standby bool) *Server {
	s := &Server{c: c, name: name, listeners: map[net.Listener]struct{}{}, conns: map[*session]struct{}{}}
	s.stdby.Store(standby)
	return s
}

// Listen binds addr ("127.0.0.1:0" when empty) and serves it in the background; Addr gives the
// bound address.
func (s *Server) Listen(addr string) error {
	if addr == "" {
		addr = DefaultListenAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim: listen %s: %w", addr, err)
	}
	if err := s.track(l); err != nil {
		l.Close()
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.serve(l)
	}()
	return nil
}

// Serve accepts connections on l until the server is closed; it returns ErrServerClosed then, or
// the accept error that stopped it.
func (s *Server) Serve(l net.Listener) error {
	if err := s.track(l); err != nil {
		return err
	}
	return s.serve(l)
}

func (s *Server) track(l net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	if s.addr == "" {
		s.addr = l.Addr().String()
	}
	return nil
}

func (s *Server) serve(l net.Listener) error {
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	var delay time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if isTemporary(err) {
				// Out of descriptors or another transient error: back off as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return fmt.Errorf("sim: accept: %w", err)
		}
		delay = 0
		s.ServeConn(conn)
	}
}

// isTemporary reports a transient accept error; EMFILE and ENFILE are (syscall.Errno says so).
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// ServeConn serves one already connected client (for example one end of net.Pipe) in the
// background. The connection is closed with the server.
func (s *Server) ServeConn(conn net.Conn) {
	sess := newSession(s, conn)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.c.conns.write("cti connection refused", "side", s.name, "remote", remoteOf(conn), "reason", "server stopping")
		conn.Close()
		return
	}
	s.conns[sess] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	s.c.stats.connections.Add(1)
	go func() {
		defer s.wg.Done()
		sess.serve()
	}()
}

func (s *Server) forget(sess *session) {
	s.mu.Lock()
	delete(s.conns, sess)
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Addr is the address of the first listener ("" before Listen or Serve).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Config is the server's configuration with every default filled in (the dialed number, the
// versions, the peripheral ID…): what a host tells its users the simulator answers to.
func (s *Server) Config() Config { return s.c.cfg }

// Close stops listening, closes every connection at once and stops the generator and timers.
func (s *Server) Close() error {
	s.stop()
	s.wg.Wait()
	s.finalReport()
	return nil
}

// Shutdown stops listening, tells every open session that the server goes offline (FAILURE_EVENT
// E_CTI_CTI_SERVER_OFFLINE, §10), then waits for the connections to end until ctx is done, when it
// closes the rest.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	sessions := s.sessionsLocked()
	s.mu.Unlock()
	for _, sess := range sessions {
		sess.failEvent(cti.ECTICTIServerOffline)
		sess.closeAfterFlush("server shutting down")
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.stop()
	s.wg.Wait()
	s.finalReport()
	return err
}

func (s *Server) stop() {
	s.mu.Lock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	sessions := s.sessionsLocked()
	s.mu.Unlock()
	for _, sess := range sessions {
		sess.kill("server stopping")
	}
	if s.owns {
		s.c.close()
	}
}

func (s *Server) finalReport() {
	if s.c.cfg.Logger == nil || !s.owns {
		return
	}
	s.c.conns.flush()
	b, _ := json.Marshal(s.Counters())
	s.c.cfg.Logger.Info("cti sim stopped", "side", s.name, "counters", string(b))
}

// Counters returns a snapshot of the counters. A Duplex's sides share the peripheral counters;
// the session counters are this side's.
func (s *Server) Counters() Counters {
	c := s.c.counters()
	c.SessionsOpened = s.side.opened.Load()
	c.SessionsClosed = s.side.closed.Load()
	c.SessionsRejected = s.side.rejected.Load()
	c.SessionsActive = s.side.active.Load()
	return c
}

func (c *center) counters() Counters {
	out := c.stats.snapshot()
	c.mu.Lock()
	out.Calls.Queued = int64(c.queuedCalls())
	out.Calls.Active = int64(len(c.calls))
	out.Agents.LoggedIn = c.loggedIn
	out.Agents.Available = int64(c.nAvail)
	out.SkillGroups = c.skillGroupCounters()
	out.Agents.Talking = c.talking
	c.mu.Unlock()
	return out
}

// SetFaults replaces the injected faults from now on.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.c.faults.Store(newFaultState(f))
	return nil
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return s.c.faults.Load().Faults }

// SetStandby makes this side standby or active. Going standby ends every active session
// (FAILURE_EVENT E_CTI_CTI_SERVER_OFFLINE, then the connection closes), as a side that loses
// mastership does; later opens are answered as a standby side answers them. Going active
// promotes the v24+ standby sessions (STANDBY_ACTIVE_EVENT_MSG, whose layout is not captured, is
// sent with an empty body), then tells them what an open on an active side tells: a bridge its
// SYSTEM_EVENT and the calls in progress, a supervisor its teams.
func (s *Server) SetStandby(standby bool) {
	if s.stdby.Swap(standby) == standby {
		return
	}
	sessions := s.sessionList()
	c := s.c
	var t tx
	c.begin(&t, nil)
	defer t.end()
	for _, sess := range sessions {
		if !sess.registered {
			continue
		}
		if standby {
			if sess.standby.Load() {
				continue
			}
			c.unbind(sess)
			sess.failEvent(cti.ECTICTIServerOffline)
			sess.closeAfterFlush("side " + s.name + " went standby")
			continue
		}
		if !sess.standby.Load() {
			continue
		}
		dev, ag := sess.dev, sess.agent
		sess.dev, sess.agent = nil, nil
		sess.standby.Store(false)
		if st := c.bind(&t, sess, dev, ag); st != cti.ECTINoError {
			sess.failEvent(st)
			sess.closeAfterFlush("promotion to active failed: " + st.String())
			continue
		}
		t.send(sess, &cti.RawMessage{Type: cti.MsgStandbyActiveEventMsg})
		if sess.mode == modeAll {
			t.send(sess, c.systemEvent(t.now))
			c.beginCallsInProgress(&t, sess) // as at an open: the calls it was not told of began
		}
		c.sendTeamConfig(&t, sess, sess.servedAgent())
	}
}

func (s *Server) isStandby() bool { return s.stdby.Load() }

// sessionList is a snapshot of this side's connections.
func (s *Server) sessionList() []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionsLocked()
}

// sessionsLocked is sessionList with s.mu held.
func (s *Server) sessionsLocked() []*session {
	sessions := make([]*session, 0, len(s.conns))
	for sess := range s.conns {
		sessions = append(sessions, sess)
	}
	return sessions
}

// announceMaintenance sends ACTIVE_MAINTENANCE_EVENT_MSG (Continue TRUE) to this side's open,
// active UCCE sessions of v24 and later (see Duplex.Maintenance).
func (s *Server) announceMaintenance() {
	sessions := s.sessionList()
	c := s.c
	var t tx
	c.begin(&t, nil)
	defer t.end()
	for _, sess := range sessions {
		if sess.registered && !sess.standby.Load() && !c.uccx && sess.v.Number() >= 24 {
			t.send(sess, &cti.ActiveMaintenanceEventMsg{Continue: true})
		}
	}
}

// SetPGOffline takes the peripheral offline for d: every session gets SYSTEM_EVENT
// SYS_PERIPHERAL_OFFLINE (PGStatus PGS_PERIPHERAL_OFFLINE), requests other than heartbeats are
// answered E_CTI_CTI_SERVER_OFFLINE, no call is offered; after d, SYS_PERIPHERAL_ONLINE follows.
// d < 0 keeps it offline until SetPGOffline(0), which brings it back at once.
func (s *Server) SetPGOffline(d time.Duration) { s.c.setPGOffline(d) }

// SetCallRate changes the inbound call rate (calls per second; 0 stops the generator). Once it
// returns, no call arrives at the old rate.
func (s *Server) SetCallRate(r float64) { s.c.gen.setRate(r) }

// OfferCall queues one inbound call now and returns its call ID; it is delivered to the
// longest-available agent as soon as there is one.
func (s *Server) OfferCall(opts CallOptions) (uint32, error) { return s.c.offerCall(opts) }

func (s *Server) logOpen(sess *session) {
	l := s.c.cfg.Logger
	if l == nil {
		return
	}
	args := []any{"side", s.name, "session", sess.seq, "remote", sess.conn.RemoteAddr().String(),
		"client", sess.clientID, "version", sess.v.String(), "services", sess.services.String()}
	if sess.dev != nil {
		args = append(args, "extension", sess.dev.ext)
	}
	if sess.agent != nil {
		args = append(args, "agent", sess.agent.id)
	}
	if sess.standby.Load() {
		args = append(args, "standby", true)
	}
	l.Info("cti session opened", args...)
}

// logClose writes why a connection ended: "cti session closed" for an opened session,
// "cti connection closed" for one that never opened (with its last refusal, if any).
func (s *Server) logClose(sess *session) {
	sess.wmu.Lock()
	why := sess.why
	sess.wmu.Unlock()
	if why == "" {
		why = "closed"
	}
	if !sess.open {
		args := []any{"side", s.name, "session", sess.seq, "remote", remoteOf(sess.conn), "reason", why, "requests", sess.requests}
		if sess.refused != cti.ECTINoError {
			args = append(args, "open_refused", sess.refused.String())
		}
		s.c.conns.write("cti connection closed", args...)
		return
	}
	s.c.conns.write("cti session closed", "side", s.name, "session", sess.seq, "remote", remoteOf(sess.conn),
		"client", sess.clientID, "reason", why, "requests", sess.requests,
		"duration", time.Since(sess.opened).Round(time.Millisecond).String(), "replaced", sess.replaced)
}

// refusedOpen logs an OPEN_REQ answered FAILURE_CONF (the connection stays open: the client is
// expected to close it).
func (s *session) refusedOpen(st cti.Status, how string) {
	s.refused = st
	why := st.String()
	if how != "" {
		why = how + " " + why
	}
	s.logRefused(why)
}

func (s *session) logRefused(why string) {
	s.c.conns.write("cti open refused", "side", s.srv.name, "session", s.seq, "remote", remoteOf(s.conn), "reason", why)
}

func remoteOf(conn net.Conn) string {
	if a := conn.RemoteAddr(); a != nil {
		return a.String()
	}
	return "?"
}
