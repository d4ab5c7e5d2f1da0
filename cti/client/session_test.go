package client_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// The tests run a scripted CTI server on 127.0.0.1, built on the same codec. Each connection runs
// serve: the script (a func) sees every message first and may answer it itself; what it leaves
// gets the default answers of a well-behaved server (OPEN_CONF, HEARTBEAT_CONF, CLOSE_CONF,
// SET_AGENT_STATE_CONF followed by AGENT_STATE_EVENT).

const testWait = 5 * time.Second // bound on anything a test waits for

// tb is the part of testing.TB the server uses, so that the runnable example can start one too.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

type ctiServer struct {
	t     tb
	quiet atomic.Bool // do not keep a log of received messages (benchmarks)
	ln    net.Listener
	v     cti.Version
	serve func(*serverConn)
	conns chan *serverConn // every accepted connection, for scripts that push events
	wg    sync.WaitGroup

	mu   sync.Mutex
	all  []*serverConn
	log  []cti.Message // every message received, in order, all connections
	done bool
}

type serverConn struct {
	srv  *ctiServer
	nc   net.Conn
	fr   *cti.FrameReader
	wmu  sync.Mutex
	open *cti.OpenReq
}

// script answers m itself (true) or leaves it to the default answers (false).
type script func(c *serverConn, m cti.Message) bool

func startServer(t tb, v cti.Version, sc script) *ctiServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startServerOn(t, ln, v, sc)
}

func startServerOn(t tb, ln net.Listener, v cti.Version, sc script) *ctiServer {
	s := &ctiServer{t: t, ln: ln, v: v, conns: make(chan *serverConn, 64)}
	s.serve = func(c *serverConn) { c.serveScript(sc) }
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.stop)
	return s
}

func (s *ctiServer) addr() string { return s.ln.Addr().String() }

func (s *ctiServer) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &serverConn{srv: s, nc: nc, fr: cti.NewFrameReader(nc, 0)}
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.all = append(s.all, c)
		s.mu.Unlock()
		select {
		case s.conns <- c:
		default:
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer nc.Close()
			s.serve(c)
		}()
	}
}

func (s *ctiServer) stop() {
	s.mu.Lock()
	s.done = true
	all := s.all
	s.mu.Unlock()
	s.ln.Close()
	for _, c := range all {
		c.nc.Close()
	}
	s.wg.Wait()
}

// dropAll closes every connection, as a crashing server would.
func (s *ctiServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.all {
		c.nc.Close()
	}
}

func (s *ctiServer) nextConn(t testing.TB) *serverConn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(testWait):
		t.Fatal("no connection accepted")
		return nil
	}
}

func (s *ctiServer) received() []cti.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]cti.Message(nil), s.log...)
}

// waitReceived waits until the server has received a message that pred accepts.
func (s *ctiServer) waitReceived(t testing.TB, pred func(cti.Message) bool) cti.Message {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for time.Now().Before(deadline) {
		for _, m := range s.received() {
			if pred(m) {
				return m
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("server did not receive the expected message")
	return nil
}

func (c *serverConn) read() (cti.Message, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(testWait))
	return c.fr.ReadMessage(c.srv.v)
}

func (c *serverConn) send(m cti.Message) error {
	b, err := m.Encode(nil, c.srv.v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err = c.nc.Write(b)
	return err
}

func (c *serverConn) serveScript(sc script) {
	for {
		m, err := c.read()
		if err != nil {
			return
		}
		if r, ok := m.(*cti.OpenReq); ok {
			c.open = r
		}
		if !c.srv.quiet.Load() {
			c.srv.mu.Lock()
			c.srv.log = append(c.srv.log, m)
			c.srv.mu.Unlock()
		}
		if sc != nil && sc(c, m) {
			continue
		}
		if !c.defaultReply(m) {
			return
		}
	}
}

func okOpenConf(r *cti.OpenReq) *cti.OpenConf {
	return &cti.OpenConf{
		InvokeID:         r.InvokeID,
		ServicesGranted:  r.ServicesRequested,
		MonitorID:        42,
		PeripheralOnline: true,
		AgentState:       cti.AgentStateNotReady,
		DepartmentID:     7,
		SessionType:      cti.SessionTypeActive,
		AgentExtension:   r.AgentExtension,
		AgentID:          r.AgentID,
		NumPeripherals:   1,
		Peripherals:      []cti.Peripheral{{FltPeripheralID: 5000, MultilineAgentControl: 1}},
	}
}

// defaultReply answers like a healthy server; false ends the connection.
func (c *serverConn) defaultReply(m cti.Message) bool {
	switch r := m.(type) {
	case *cti.OpenReq:
		_ = c.send(okOpenConf(r))
	case *cti.HeartbeatReq:
		_ = c.send(&cti.HeartbeatConf{InvokeID: r.InvokeID})
	case *cti.CloseReq:
		_ = c.send(&cti.CloseConf{InvokeID: r.InvokeID})
		return false
	case *cti.SetAgentStateReq:
		_ = c.send(&cti.SetAgentStateConf{InvokeID: r.InvokeID})
		_ = c.send(agentStateEvent(r.AgentState, c.open.AgentExtension))
	case cti.Invoker:
		_ = c.send(&cti.FailureConf{InvokeID: r.GetInvokeID(), Status: cti.ECTIInvalidMessageType})
	}
	return true
}

func agentStateEvent(st cti.AgentState, ext string) *cti.AgentStateEvent {
	return &cti.AgentStateEvent{PeripheralID: 5000, AgentState: st, AgentExtension: ext, AgentID: "agent1"}
}

func callDelivered(callID uint32, ext string) *cti.CallDeliveredEvent {
	return &cti.CallDeliveredEvent{PeripheralID: 5000, ConnectionCallID: callID, AlertingDeviceID: ext}
}

var testAgent = client.Agent{ID: "agent1", Extension: "1001", Instrument: "1001", PeripheralID: 5000}

// baseOpts are quick settings for tests: small timeouts, heartbeats off unless a test wants them.
func baseOpts(extra ...client.Option) []client.Option {
	return append([]client.Option{
		client.WithAgent(testAgent),
		client.WithClient("ctiload-test", "pw"),
		client.WithHeartbeat(0),
		client.WithRequestTimeout(2 * time.Second),
		client.WithOpenTimeout(2 * time.Second),
		client.WithConnectTimeout(2 * time.Second),
		client.WithCloseTimeout(time.Second),
	}, extra...)
}

func dialT(t testing.TB, target string, opts ...client.Option) *client.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	s, err := client.Dial(ctx, target, opts...)
	if err != nil {
		t.Fatalf("Dial(%s) = %v", target, err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond for up to testWait.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func waitDone(t testing.TB, s *client.Session) error {
	t.Helper()
	select {
	case <-s.Done():
		return s.Err()
	case <-time.After(testWait):
		t.Fatal("session did not end")
		return nil
	}
}

func TestDialOpen(t *testing.T) {
	tests := []struct {
		name  string
		v     cti.Version
		opts  []client.Option
		check func(t *testing.T, req *cti.OpenReq, res client.OpenResult)
	}{
		{
			name: "agent mode v24",
			v:    cti.V24,
			opts: baseOpts(client.WithHeartbeat(5 * time.Second)),
			check: func(t *testing.T, req *cti.OpenReq, res client.OpenResult) {
				if req.VersionNumber != 24 || req.IdleTimeout != 20 || req.PeripheralID != 5000 {
					t.Errorf("OPEN_REQ version/idle/peripheral = %d/%d/%d; want 24/20/5000", req.VersionNumber, req.IdleTimeout, req.PeripheralID)
				}
				if req.ServicesRequested != cti.CTIServiceClientEvents|cti.CTIServiceClientControl {
					t.Errorf("ServicesRequested = %v", req.ServicesRequested)
				}
				if req.AgentID != "agent1" || req.LongAgentID != "" || req.AgentExtension != "1001" || req.AgentInstrument != "1001" {
					t.Errorf("agent fields = %q/%q/%q/%q", req.AgentID, req.LongAgentID, req.AgentExtension, req.AgentInstrument)
				}
				if req.ClientID != "ctiload-test" || string(req.ClientPassword) != "pw" {
					t.Errorf("client = %q/%q", req.ClientID, req.ClientPassword)
				}
				if req.CallMsgMask != client.DefaultCallEventMask || req.AgentStateMask != client.DefaultAgentStateMask {
					t.Errorf("masks = %v/%v", req.CallMsgMask, req.AgentStateMask)
				}
				if res.MonitorID != 42 || res.DepartmentID != 7 || res.SessionType != cti.SessionTypeActive || !res.PeripheralOnline ||
					res.AgentState != cti.AgentStateNotReady || res.ServicesGranted != req.ServicesRequested {
					t.Errorf("OpenResult = %+v", res.OpenConf)
				}
				if len(res.Peripherals) != 1 || res.Peripherals[0].FltPeripheralID != 5000 {
					t.Errorf("Peripherals = %+v", res.Peripherals)
				}
				if res.Duration() <= 0 || res.Sent.After(res.Received) {
					t.Errorf("open timing %v → %v", res.Sent, res.Received)
				}
			},
		},
		{
			name: "uccx sends the agent ID as LongAgentID",
			v:    cti.UCCX | 14,
			opts: baseOpts(client.WithVersion(cti.UCCX | 14)),
			check: func(t *testing.T, req *cti.OpenReq, res client.OpenResult) {
				if req.LongAgentID != "agent1" || req.AgentID != "" || req.Present.Has(cti.TagAgentID) {
					t.Errorf("AgentID/LongAgentID = %q/%q; want tag 194 only", req.AgentID, req.LongAgentID)
				}
				if req.VersionNumber != 14 {
					t.Errorf("VersionNumber = %d", req.VersionNumber)
				}
			},
		},
		{
			name: "bridge mode",
			v:    cti.V20,
			opts: []client.Option{client.WithVersion(cti.V20), client.WithBridgeMode(), client.WithHeartbeat(0),
				client.WithEventMasks(cti.CallDeliveredMask, cti.AgentAvailableMask, cti.ConfigAgentMask)},
			check: func(t *testing.T, req *cti.OpenReq, res client.OpenResult) {
				if req.ServicesRequested != cti.CTIServiceAllEvents || req.PeripheralID != client.NullPeripheralID {
					t.Errorf("services/peripheral = %v/%#x", req.ServicesRequested, req.PeripheralID)
				}
				if req.AgentID != "" || req.AgentExtension != "" || req.AgentInstrument != "" {
					t.Errorf("bridge mode sent agent fields: %+v", req)
				}
				if req.CallMsgMask != cti.CallDeliveredMask || req.AgentStateMask != cti.AgentAvailableMask || req.ConfigMsgMask != cti.ConfigAgentMask {
					t.Errorf("masks = %v %v %v", req.CallMsgMask, req.AgentStateMask, req.ConfigMsgMask)
				}
			},
		},
		{
			name: "heartbeats off and empty password",
			v:    cti.V24,
			opts: baseOpts(client.WithClient("c", "")),
			check: func(t *testing.T, req *cti.OpenReq, res client.OpenResult) {
				if req.IdleTimeout != client.NoIdleTimeout {
					t.Errorf("IdleTimeout = %#x; want 0xFFFFFFFF", req.IdleTimeout)
				}
				if !req.Present.Has(cti.TagClientPassword) || len(req.ClientPassword) != 0 {
					t.Errorf("ClientPassword present=%v %q; want present and empty", req.Present.Has(cti.TagClientPassword), req.ClientPassword)
				}
			},
		},
		{
			name: "idle timeout is 4 heartbeats",
			v:    cti.V24,
			opts: baseOpts(client.WithHeartbeat(30 * time.Second)),
			check: func(t *testing.T, req *cti.OpenReq, res client.OpenResult) {
				if req.IdleTimeout != 120 {
					t.Errorf("IdleTimeout = %d; want 120", req.IdleTimeout)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.v, nil)
			s := dialT(t, srv.addr(), tt.opts...)
			req := srv.waitReceived(t, client.MatchType(cti.MsgOpenReq)).(*cti.OpenReq)
			tt.check(t, req, s.Opened())
			if s.Version() != tt.v || s.Addr() != srv.addr() {
				t.Errorf("Version, Addr = %v, %s", s.Version(), s.Addr())
			}
		})
	}
}

// validatingServer rejects OPEN_REQ as a real server would (§10).
func validatingServer(c *serverConn, m cti.Message) bool {
	r, ok := m.(*cti.OpenReq)
	if !ok {
		return false
	}
	var st cti.Status
	switch {
	case r.VersionNumber < 13 || r.VersionNumber > 25:
		st = cti.ECTIInvalidVersion
	case string(r.ClientPassword) != "pw":
		st = cti.ECTIInvalidPassword
	case r.AgentExtension == "busy":
		st = cti.ECTIDeviceInUse
	case r.IdleTimeout < 20:
		st = cti.ECTIInvalidTimeout
	default:
		return false
	}
	_ = c.send(&cti.FailureConf{InvokeID: r.InvokeID, Status: st})
	return true
}

func TestDialOpenFailures(t *testing.T) {
	tests := []struct {
		name string
		opts []client.Option
		want cti.Status
		code string
	}{
		{"invalid version", baseOpts(client.WithVersion(99)), cti.ECTIInvalidVersion, "E_CTI_INVALID_VERSION"},
		{"invalid password", baseOpts(client.WithClient("x", "wrong")), cti.ECTIInvalidPassword, "E_CTI_INVALID_PASSWORD"},
		{"device in use", baseOpts(client.WithAgent(client.Agent{Extension: "busy", PeripheralID: 5000})), cti.ECTIDeviceInUse, "E_CTI_DEVICE_IN_USE"},
		{"idle timeout too small", baseOpts(client.WithIdleTimeout(10 * time.Second)), cti.ECTIInvalidTimeout, "E_CTI_INVALID_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, cti.V24, validatingServer)
			s, err := client.Dial(ctxT(t), srv.addr(), tt.opts...)
			if err == nil {
				s.Close(context.Background())
				t.Fatal("Dial succeeded; want a FAILURE_CONF")
			}
			var fe *client.FailureError
			if !errors.As(err, &fe) || fe.Status != tt.want || fe.CodeName() != tt.code || fe.Request != cti.MsgOpenReq {
				t.Fatalf("Dial error = %v; want *FailureError %s", err, tt.code)
			}
			var se *client.SessionError
			if !errors.As(err, &se) || se.Op != "open" || se.Status != tt.want || se.Addr != srv.addr() {
				t.Errorf("Dial error = %#v; want *SessionError{Op: open, Status: %v}", se, tt.want)
			}
			if code, ok := client.ErrorCode(err); code != tt.code || !ok {
				t.Errorf("ErrorCode = %q, %v; want %q", code, ok, tt.code)
			}
			if !strings.Contains(err.Error(), tt.code) {
				t.Errorf("error text %q does not name %s", err, tt.code)
			}
		})
	}
}

func TestDialInvalidConfigSendsNothing(t *testing.T) {
	tests := []struct {
		name   string
		target string
		opts   []client.Option
	}{
		{"bridge mode with agent fields", "127.0.0.1:1", []client.Option{client.WithBridgeMode(), client.WithAgent(testAgent)}},
		{"no mode", "127.0.0.1:1", nil},
		{"empty agent", "127.0.0.1:1", []client.Option{client.WithAgent(client.Agent{PeripheralID: 1})}},
		{"negative backlog", "127.0.0.1:1", baseOpts(client.WithEventBacklog(-1))},
		{"zero request timeout", "127.0.0.1:1", baseOpts(client.WithRequestTimeout(0))},
		{"bad target", "nohostport", baseOpts()},
		{"empty target", " , ", baseOpts()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialed := false
			opts := append(tt.opts, client.WithDialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
				dialed = true
				return nil, errors.New("must not dial")
			}))
			_, err := client.Dial(context.Background(), tt.target, opts...)
			if !errors.Is(err, client.ErrInvalidConfig) {
				t.Fatalf("Dial = %v; want ErrInvalidConfig", err)
			}
			if dialed {
				t.Error("Dial connected although the configuration is invalid")
			}
			if code, _ := client.ErrorCode(err); code != "E_CONFIG" {
				t.Errorf("ErrorCode = %s", code)
			}
		})
	}
}

func TestHeartbeat(t *testing.T) {
	srv := startServer(t, cti.V24, nil)
	var rtts atomic.Int32
	s := dialT(t, srv.addr(), baseOpts(client.WithHeartbeat(50*time.Millisecond),
		client.WithHeartbeatHandler(func(rtt time.Duration) {
			if rtt > 0 {
				rtts.Add(1)
			}
		}))...)
	eventually(t, "3 heartbeats", func() bool { return s.Stats().HeartbeatsSent >= 3 && rtts.Load() >= 3 })
	st := s.Stats()
	if st.HeartbeatsMissed != 0 || st.LastHeartbeatRTT <= 0 {
		t.Errorf("Stats = %+v; want no misses and an RTT", st)
	}
	if s.Err() != nil {
		t.Errorf("Err = %v", s.Err())
	}
	// Traffic within the interval replaces heartbeats: a heartbeat goes out only after a whole
	// interval without any other frame. (Checked on the trace rather than by count, so that a
	// scheduling hiccup on a loaded machine, which does leave such a gap, cannot fail the test.)
	const iv = 100 * time.Millisecond
	var mu sync.Mutex
	var outs []client.TraceFrame
	s2 := dialT(t, srv.addr(), baseOpts(client.WithHeartbeat(iv), client.WithObserver(client.ObserverFunc(func(f client.TraceFrame) {
		if f.Dir == client.TraceOut {
			mu.Lock()
			outs = append(outs, f)
			mu.Unlock()
		}
	})))...)
	stop := time.Now().Add(4 * iv)
	for time.Now().Before(stop) {
		if _, err := s2.Do(ctxT(t), &cti.SetAgentStateReq{AgentState: cti.AgentStateAvailable}); err != nil {
			t.Fatal(err)
		}
		s2.DrainEvents()
		time.Sleep(iv / 10)
	}
	mu.Lock()
	defer mu.Unlock()
	hbs := 0
	for i := 1; i < len(outs); i++ {
		if outs[i].Msg.MessageType() != cti.MsgHeartbeatReq {
			continue
		}
		hbs++
		if gap := outs[i].Time.Sub(outs[i-1].Time); gap < iv-iv/20 {
			t.Errorf("heartbeat %v after the previous frame; want none within %v of other traffic", gap, iv)
		}
	}
	if requests := len(outs) - hbs - 1; hbs > requests/10 {
		t.Errorf("%d heartbeats among %d requests", hbs, requests)
	}
}

func TestHeartbeatFailures(t *testing.T) {
	tests := []struct {
		name   string
		answer func(c *serverConn, r *cti.HeartbeatReq) // nil: never answer
		want   error
		code   string
		close  cti.Status // CLOSE_REQ status the client announces
	}{
		{"three misses", nil, client.ErrHeartbeatTimeout, "E_HEARTBEAT_TIMEOUT", cti.ECTITimeout},
		{"failure conf means offline", func(c *serverConn, r *cti.HeartbeatReq) {
			_ = c.send(&cti.FailureConf{InvokeID: r.InvokeID, Status: cti.ECTICTIServerOffline})
		}, client.ErrServerOffline, "E_CTI_CTI_SERVER_OFFLINE", cti.ECTICTIServerOffline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
				r, ok := m.(*cti.HeartbeatReq)
				if ok && tt.answer != nil {
					tt.answer(c, r)
				}
				return ok
			})
			s := dialT(t, srv.addr(), baseOpts(client.WithHeartbeat(15*time.Millisecond))...)
			start := time.Now()
			err := waitDone(t, s)
			var se *client.SessionError
			if !errors.Is(err, tt.want) || !errors.As(err, &se) {
				t.Fatalf("Err = %v; want %v in a *SessionError", err, tt.want)
			}
			if code, _ := client.ErrorCode(err); code != tt.code {
				t.Errorf("ErrorCode = %s; want %s", code, tt.code)
			}
			if tt.answer == nil {
				if n := s.Stats().HeartbeatsMissed; n < client.MaxMissedHeartbeats {
					t.Errorf("HeartbeatsMissed = %d", n)
				}
				if d := time.Since(start); d < 3*15*time.Millisecond {
					t.Errorf("declared dead after %v; want ≥ 3 intervals", d)
				}
			}
			cr := srv.waitReceived(t, client.MatchType(cti.MsgCloseReq)).(*cti.CloseReq)
			if cr.Status != tt.close {
				t.Errorf("CLOSE_REQ status = %v; want %v", cr.Status, tt.close)
			}
			if _, err := s.Do(ctxT(t), &cti.SetAgentStateReq{}); !errors.Is(err, tt.want) {
				t.Errorf("Do after the end = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestDo(t *testing.T) {
	tests := []struct {
		name    string
		opts    []client.Option
		ctx     func() (context.Context, context.CancelFunc)
		answer  func(c *serverConn, r *cti.SetAgentStateReq)
		check   func(t *testing.T, r client.Reply, err error)
		wantErr error
		code    string
	}{
		{
			name: "conf",
			answer: func(c *serverConn, r *cti.SetAgentStateReq) {
				_ = c.send(&cti.SetAgentStateConf{InvokeID: r.InvokeID})
			},
			check: func(t *testing.T, r client.Reply, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := r.Msg.(*cti.SetAgentStateConf); !ok {
					t.Errorf("reply = %T", r.Msg)
				}
				if r.RTT() <= 0 || r.Sent.After(r.Received) {
					t.Errorf("timing %v → %v", r.Sent, r.Received)
				}
			},
		},
		{
			name: "failure conf",
			answer: func(c *serverConn, r *cti.SetAgentStateReq) {
				_ = c.send(&cti.FailureConf{InvokeID: r.InvokeID, Status: cti.ECTIInvalidPassword, Text: "bad"})
			},
			check: func(t *testing.T, r client.Reply, err error) {
				var fe *client.FailureError
				if !errors.As(err, &fe) || fe.Status != cti.ECTIInvalidPassword || fe.Request != cti.MsgSetAgentStateReq || fe.Text != "bad" {
					t.Fatalf("err = %v", err)
				}
				if _, ok := r.Msg.(*cti.FailureConf); !ok || r.RTT() <= 0 {
					t.Errorf("reply = %T with RTT %v; want the FAILURE_CONF and its timing", r.Msg, r.RTT())
				}
			},
			code: "E_CTI_INVALID_PASSWORD",
		},
		{
			name: "control failure conf",
			answer: func(c *serverConn, r *cti.SetAgentStateReq) {
				_ = c.send(&cti.ControlFailureConf{InvokeID: r.InvokeID, FailureCode: cti.CFInvalidAgentWorkMode, PeripheralErrorCode: 1234})
			},
			check: func(t *testing.T, r client.Reply, err error) {
				var cf *client.ControlFailureError
				if !errors.As(err, &cf) || cf.Code != cti.CFInvalidAgentWorkMode || cf.PeripheralErrorCode != 1234 || cf.InvokeID == 0 {
					t.Fatalf("err = %v", err)
				}
				if !strings.Contains(err.Error(), "CF_INVALID_AGENT_WORK_MODE") || !strings.Contains(err.Error(), "1234") {
					t.Errorf("error text = %q", err)
				}
			},
			code: "CF_INVALID_AGENT_WORK_MODE",
		},
		{
			name:    "reply timeout",
			opts:    []client.Option{client.WithRequestTimeout(30 * time.Millisecond)},
			answer:  func(c *serverConn, r *cti.SetAgentStateReq) {},
			wantErr: client.ErrRequestTimeout,
			code:    "E_TIMEOUT",
		},
		{
			name: "context deadline shortens the timeout",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 30*time.Millisecond)
			},
			answer:  func(c *serverConn, r *cti.SetAgentStateReq) {},
			wantErr: client.ErrRequestTimeout,
			code:    "E_TIMEOUT",
		},
		{
			name: "cancelled",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(20*time.Millisecond, cancel)
				return ctx, cancel
			},
			answer:  func(c *serverConn, r *cti.SetAgentStateReq) {},
			wantErr: context.Canceled,
			code:    "E_CANCELED",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
				r, ok := m.(*cti.SetAgentStateReq)
				if ok {
					tt.answer(c, r)
				}
				return ok
			})
			s := dialT(t, srv.addr(), baseOpts(tt.opts...)...)
			ctx, cancel := context.WithTimeout(context.Background(), testWait)
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			req := &cti.SetAgentStateReq{PeripheralID: 5000, AgentState: cti.AgentStateAvailable}
			start := time.Now()
			r, err := s.Do(ctx, req)
			if req.InvokeID == 0 {
				t.Error("Do did not assign an InvokeID")
			}
			if tt.check != nil {
				tt.check(t, r, err)
			}
			if tt.wantErr != nil {
				var re *client.RequestError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &re) || re.InvokeID != req.InvokeID {
					t.Fatalf("Do = %v; want %v in a *RequestError", err, tt.wantErr)
				}
				if d := time.Since(start); d > time.Second {
					t.Errorf("Do returned after %v", d)
				}
			}
			if tt.code != "" {
				if code, ok := client.ErrorCode(err); code != tt.code || !ok {
					t.Errorf("ErrorCode = %s; want %s", code, tt.code)
				}
			}
			if s.Err() != nil {
				t.Errorf("a request error ended the session: %v", s.Err())
			}
		})
	}
}

// TestLateReplyCounted: a reply that comes after its request timed out is counted as late, not
// taken for an event. The server replies only once Do has returned with the timeout, so the
// order holds however slow the machine.
func TestLateReplyCounted(t *testing.T) {
	type pending struct {
		c  *serverConn
		id uint32
	}
	got := make(chan pending, 1)
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		r, ok := m.(*cti.SetAgentStateReq)
		if ok {
			got <- pending{c, r.InvokeID}
		}
		return ok
	})
	s := dialT(t, srv.addr(), baseOpts(client.WithRequestTimeout(20*time.Millisecond))...)
	if _, err := s.Do(ctxT(t), &cti.SetAgentStateReq{}); !errors.Is(err, client.ErrRequestTimeout) {
		t.Fatalf("Do = %v; want a timeout", err)
	}
	p := <-got
	if err := p.c.send(&cti.SetAgentStateConf{InvokeID: p.id}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "late reply counted", func() bool { return s.Stats().LateReplies == 1 })
	if st := s.Stats(); st.RequestTimeouts != 1 || st.Events != 0 {
		t.Errorf("Stats = %+v; want 1 timeout and the late reply not taken for an event", st)
	}
}

func TestDoServerDrop(t *testing.T) {
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		if _, ok := m.(*cti.SetAgentStateReq); ok {
			c.nc.Close()
			return true
		}
		return false
	})
	s := dialT(t, srv.addr(), baseOpts()...)
	waitErr := make(chan error, 1)
	go func() {
		_, err := s.WaitEvent(ctxT(t), client.MatchType(cti.MsgCallDeliveredEvent))
		waitErr <- err
	}()
	_, err := s.Do(ctxT(t), &cti.SetAgentStateReq{})
	if !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("Do = %v; want ErrConnectionLost", err)
	}
	if code, _ := client.ErrorCode(err); code != "E_CONNECTION_LOST" {
		t.Errorf("ErrorCode = %s", code)
	}
	if err := waitDone(t, s); !errors.Is(err, client.ErrConnectionLost) {
		t.Errorf("Err = %v", err)
	}
	select {
	case err := <-waitErr:
		if !errors.Is(err, client.ErrConnectionLost) {
			t.Errorf("WaitEvent = %v; want ErrConnectionLost", err)
		}
	case <-time.After(testWait):
		t.Fatal("WaitEvent still waiting after the drop")
	}
	if _, err := s.Do(ctxT(t), &cti.SetAgentStateReq{}); !errors.Is(err, client.ErrConnectionLost) {
		t.Errorf("Do after drop = %v", err)
	}
}

func TestIdleTimeout(t *testing.T) {
	// The server swallows every request and sends nothing; the client keeps sending, so it never
	// needs a heartbeat. Only the idle timeout notices the silence.
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		_, ok := m.(*cti.SetAgentStateReq)
		return ok
	})
	s := dialT(t, srv.addr(), baseOpts(client.WithHeartbeat(400*time.Millisecond), client.WithIdleTimeout(time.Second),
		client.WithRequestTimeout(5*time.Millisecond))...)
	start := time.Now()
	for s.Err() == nil && time.Since(start) < testWait {
		_, _ = s.Do(context.Background(), &cti.SetAgentStateReq{})
	}
	err := waitDone(t, s)
	if !errors.Is(err, client.ErrIdleTimeout) {
		t.Fatalf("Err = %v; want ErrIdleTimeout", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("declared idle after %v; want about 1 s", d)
	}
	if code, _ := client.ErrorCode(err); code != "E_IDLE_TIMEOUT" {
		t.Errorf("ErrorCode = %s", code)
	}
}

func TestMalformedReply(t *testing.T) {
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		r, ok := m.(*cti.SetAgentStateReq)
		if ok {
			// InvokeID, then a floating field whose length runs past the end of the message.
			body := []byte{byte(r.InvokeID >> 24), byte(r.InvokeID >> 16), byte(r.InvokeID >> 8), byte(r.InvokeID), 0, 7, 0, 200, 'x'}
			c.wmu.Lock()
			_, _ = c.nc.Write(cti.AppendFrame(nil, cti.MsgSetAgentStateConf, body))
			c.wmu.Unlock()
		}
		return ok
	})
	s := dialT(t, srv.addr(), baseOpts()...)
	start := time.Now()
	r, err := s.Do(ctxT(t), &cti.SetAgentStateReq{})
	var pe *cti.ProtocolError
	if !errors.As(err, &pe) || time.Since(start) > time.Second {
		t.Fatalf("Do = %v after %v; want the *ProtocolError at once", err, time.Since(start))
	}
	if raw, ok := r.Msg.(*cti.RawMessage); !ok || raw.Type != cti.MsgSetAgentStateConf {
		t.Errorf("reply = %#v; want the raw frame", r.Msg)
	}
	if code, _ := client.ErrorCode(err); code != "E_PROTOCOL" {
		t.Errorf("ErrorCode = %s", code)
	}
	if st := s.Stats(); st.DecodeErrors != 1 || s.Err() != nil {
		t.Errorf("DecodeErrors = %d, Err = %v; want 1 and a live session", st.DecodeErrors, s.Err())
	}
}

func TestOutOfOrderReplies(t *testing.T) {
	const n = 8
	var mu sync.Mutex
	var held []*cti.SetAgentStateReq
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		r, ok := m.(*cti.SetAgentStateReq)
		if !ok {
			return false
		}
		mu.Lock()
		held = append(held, r)
		if len(held) == n { // answer all, newest first, with a CONF or a FAILURE_CONF by peripheral
			for i := n - 1; i >= 0; i-- {
				h := held[i]
				if h.PeripheralID%2 == 0 {
					_ = c.send(&cti.SetAgentStateConf{InvokeID: h.InvokeID})
				} else {
					_ = c.send(&cti.FailureConf{InvokeID: h.InvokeID, Status: cti.Status(h.PeripheralID)})
				}
			}
		}
		mu.Unlock()
		return true
	})
	s := dialT(t, srv.addr(), baseOpts()...)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(p uint32) {
			defer wg.Done()
			req := &cti.SetAgentStateReq{PeripheralID: p}
			r, err := s.Do(ctxT(t), req)
			if p%2 == 0 {
				if err != nil || r.Msg.(cti.Invoker).GetInvokeID() != req.InvokeID {
					errs <- fmt.Errorf("peripheral %d: reply %v, %v", p, r.Msg, err)
				}
				return
			}
			var fe *client.FailureError
			if !errors.As(err, &fe) || fe.Status != cti.Status(p) || fe.InvokeID != req.InvokeID {
				errs <- fmt.Errorf("peripheral %d: got %v; want FAILURE_CONF status %d", p, err, p)
			}
		}(uint32(i + 1))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := startServer(t, cti.V24, nil)
	var handled atomic.Int64
	s := dialT(t, srv.addr(), baseOpts(client.WithHeartbeat(50*time.Millisecond),
		client.WithEventHandler(func(client.Event) { handled.Add(1) }))...)
	const workers, each = 16, 25
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Do(ctxT(t), &cti.SetAgentStateReq{AgentState: cti.AgentStateAvailable}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.WaitEvent(ctxT(t), client.MatchType(cti.MsgAgentStateEvent)); err != nil {
					t.Error(err)
					return
				}
				_ = s.Stats()
			}
		}()
	}
	wg.Wait()
	st := s.Stats()
	if st.Events != workers*each || handled.Load() != workers*each || st.EventsPending != 0 || st.EventsDropped != 0 {
		t.Errorf("Stats = %+v, handler saw %d; want %d events, all claimed", st, handled.Load(), workers*each)
	}
	if st.MessagesSent < workers*each+1 || st.BytesSent == 0 || st.MessagesReceived < 2*workers*each+1 || st.BytesReceived == 0 {
		t.Errorf("message counters = %+v", st)
	}
}

func TestEvents(t *testing.T) {
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		if r, ok := m.(*cti.OpenReq); ok {
			_ = c.send(okOpenConf(r))
			// Events that arrive before anybody waits.
			_ = c.send(agentStateEvent(cti.AgentStateNotReady, "1001"))
			_ = c.send(callDelivered(1, "1002"))
			_ = c.send(callDelivered(2, "1001"))
			_ = c.send(agentStateEvent(cti.AgentStateAvailable, "1001"))
			return true
		}
		return false
	})
	var mu sync.Mutex
	var seen []cti.MsgType
	s := dialT(t, srv.addr(), baseOpts(client.WithEventHandler(func(ev client.Event) {
		mu.Lock()
		seen = append(seen, ev.Msg.MessageType())
		mu.Unlock()
	}))...)
	c := srv.nextConn(t)
	eventually(t, "4 events", func() bool { return s.Stats().EventsPending == 4 })

	available := func(m cti.Message) bool {
		e, ok := m.(*cti.AgentStateEvent)
		return ok && e.AgentState == cti.AgentStateAvailable
	}
	ev, err := s.WaitEvent(ctxT(t), available)
	if err != nil || ev.Msg.(*cti.AgentStateEvent).AgentState != cti.AgentStateAvailable || ev.Received.IsZero() {
		t.Fatalf("WaitEvent(AVAILABLE) = %+v, %v", ev, err)
	}
	// A field predicate through the generic view: the call on my extension, not the other one.
	onMine := client.MatchFields(s.Version(), cti.MsgCallDeliveredEvent, map[string]any{"AlertingDeviceID": "1001"})
	ev, err = s.WaitEvent(ctxT(t), onMine)
	if err != nil || ev.Msg.(*cti.CallDeliveredEvent).ConnectionCallID != 2 {
		t.Fatalf("WaitEvent(delivered on 1001) = %+v, %v", ev, err)
	}

	// An event that arrives during the wait.
	got := make(chan client.Event, 1)
	go func() {
		ev, err := s.WaitEvent(ctxT(t), client.MatchFields(s.Version(), cti.MsgAgentStateEvent, map[string]any{"AgentState": "AGENT_STATE_TALKING"}))
		if err != nil {
			t.Error(err)
		}
		got <- ev
	}()
	time.Sleep(20 * time.Millisecond) // let the wait start
	_ = c.send(agentStateEvent(cti.AgentStateTalking, "1001"))
	select {
	case ev := <-got:
		if e, ok := ev.Msg.(*cti.AgentStateEvent); !ok || e.AgentState != cti.AgentStateTalking {
			t.Errorf("live wait got %+v", ev.Msg)
		}
	case <-time.After(testWait):
		t.Fatal("live wait got nothing")
	}

	// Non-matching events stayed, in order.
	left := s.DrainEvents()
	if len(left) != 2 || left[0].Msg.(*cti.AgentStateEvent).AgentState != cti.AgentStateNotReady ||
		left[1].Msg.(*cti.CallDeliveredEvent).ConnectionCallID != 1 {
		t.Errorf("DrainEvents = %v", left)
	}
	if s.DrainEvents() != nil {
		t.Error("second drain not empty")
	}

	// Nothing matches: the wait times out.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = s.WaitEvent(ctx, client.MatchType(cti.MsgEndCallEvent))
	if !errors.Is(err, client.ErrEventTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitEvent with nothing to match = %v", err)
	}
	if code, _ := client.ErrorCode(err); code != "E_EVENT_TIMEOUT" {
		t.Errorf("ErrorCode = %s", code)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []cti.MsgType{cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent, cti.MsgCallDeliveredEvent, cti.MsgAgentStateEvent, cti.MsgAgentStateEvent}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("handler saw %v; want %v", seen, want)
	}
}

func TestEventBacklog(t *testing.T) {
	tests := []struct {
		name          string
		backlog       int
		wantKept      []uint32
		wantDropped   uint64
		wantUnclaimed uint64
	}{
		{"overflow drops the oldest", 4, []uint32{7, 8, 9, 10}, 6, 0},
		{"large enough", 16, []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 0},
		{"disabled", 0, nil, 0, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
				if r, ok := m.(*cti.OpenReq); ok {
					_ = c.send(okOpenConf(r))
					for i := uint32(1); i <= 10; i++ {
						_ = c.send(callDelivered(i, "1001"))
					}
					return true
				}
				return false
			})
			s := dialT(t, srv.addr(), baseOpts(client.WithEventBacklog(tt.backlog))...)
			eventually(t, "10 events", func() bool { return s.Stats().Events == 10 })
			st := s.Stats()
			if st.EventsDropped != tt.wantDropped || st.EventsUnclaimed != tt.wantUnclaimed {
				t.Errorf("dropped, unclaimed = %d, %d; want %d, %d", st.EventsDropped, st.EventsUnclaimed, tt.wantDropped, tt.wantUnclaimed)
			}
			var kept []uint32
			for _, ev := range s.DrainEvents() {
				kept = append(kept, ev.Msg.(*cti.CallDeliveredEvent).ConnectionCallID)
			}
			if fmt.Sprint(kept) != fmt.Sprint(tt.wantKept) {
				t.Errorf("kept %v; want %v", kept, tt.wantKept)
			}
		})
	}
}

func TestFailureEventServerOffline(t *testing.T) {
	srv := startServer(t, cti.V24, nil)
	s := dialT(t, srv.addr(), baseOpts()...)
	c := srv.nextConn(t)
	_ = c.send(&cti.FailureEvent{Status: cti.ECTICTIServerOffline})
	err := waitDone(t, s)
	if !errors.Is(err, client.ErrServerOffline) {
		t.Fatalf("Err = %v; want ErrServerOffline", err)
	}
	// The event itself is still there for the owner.
	ev, werr := s.WaitEvent(ctxT(t), client.MatchType(cti.MsgFailureEvent))
	if werr != nil || ev.Msg.(*cti.FailureEvent).Status != cti.ECTICTIServerOffline {
		t.Errorf("WaitEvent after the end = %v, %v", ev, werr)
	}
	if _, werr := s.WaitEvent(ctxT(t), nil); !errors.Is(werr, client.ErrServerOffline) {
		t.Errorf("WaitEvent on an ended session = %v", werr)
	}
	if cr := srv.waitReceived(t, client.MatchType(cti.MsgCloseReq)).(*cti.CloseReq); cr.Status != cti.ECTICTIServerOffline {
		t.Errorf("CLOSE_REQ status = %v", cr.Status)
	}
}

func TestClose(t *testing.T) {
	t.Run("pending requests fail", func(t *testing.T) {
		srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
			_, ok := m.(*cti.SetAgentStateReq) // never answered
			return ok
		})
		s := dialT(t, srv.addr(), baseOpts()...)
		errs := make(chan error, 3)
		for i := 0; i < 3; i++ {
			go func() {
				_, err := s.Do(ctxT(t), &cti.SetAgentStateReq{})
				errs <- err
			}()
		}
		srv.waitReceived(t, func(m cti.Message) bool {
			n := 0
			for _, x := range srv.received() {
				if x.MessageType() == cti.MsgSetAgentStateReq {
					n++
				}
			}
			return n == 3
		})
		waiter := make(chan error, 1)
		go func() {
			_, err := s.WaitEvent(context.Background(), client.MatchType(cti.MsgEndCallEvent))
			waiter <- err
		}()
		if err := s.Close(ctxT(t)); err != nil {
			t.Fatalf("Close = %v", err)
		}
		for i := 0; i < 3; i++ {
			if err := <-errs; !errors.Is(err, client.ErrSessionClosed) {
				t.Errorf("pending Do = %v; want ErrSessionClosed", err)
			}
		}
		if err := <-waiter; !errors.Is(err, client.ErrSessionClosed) {
			t.Errorf("WaitEvent = %v; want ErrSessionClosed", err)
		}
		if cr := srv.waitReceived(t, client.MatchType(cti.MsgCloseReq)).(*cti.CloseReq); cr.Status != cti.ECTINoError {
			t.Errorf("CLOSE_REQ status = %v", cr.Status)
		}
		if err := s.Close(ctxT(t)); err != nil {
			t.Errorf("second Close = %v", err)
		}
		_, err := s.Do(ctxT(t), &cti.SetAgentStateReq{})
		// Not written anywhere: its own code, the cause still matchable.
		if code, _ := client.ErrorCode(err); !errors.Is(err, client.ErrSessionClosed) || !errors.Is(err, client.ErrNotSent) || code != "E_NOT_SENT" {
			t.Errorf("Do after Close = %v (%s); want E_NOT_SENT wrapping ErrSessionClosed", err, code)
		}
		if !errors.Is(s.Err(), client.ErrSessionClosed) {
			t.Errorf("Err = %v", s.Err())
		}
	})
	t.Run("no CLOSE_CONF", func(t *testing.T) {
		srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
			_, ok := m.(*cti.CloseReq)
			return ok
		})
		s := dialT(t, srv.addr(), baseOpts(client.WithCloseTimeout(30*time.Millisecond))...)
		start := time.Now()
		err := s.Close(context.Background())
		if !errors.Is(err, client.ErrRequestTimeout) {
			t.Errorf("Close = %v; want a CLOSE_CONF timeout", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Close took %v", d)
		}
		select {
		case <-s.Done():
		default:
			t.Error("session not done after Close")
		}
		if err2 := s.Close(context.Background()); err2 != err {
			t.Errorf("second Close = %v; want the first result", err2)
		}
	})
}

// TestFailover covers the fail-over triggers: refusals of side A at Dial time and a drop after
// the session opened.
func TestFailover(t *testing.T) {
	policy := client.FailoverPolicy{InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxAttempts: 6}
	notMaster := func(c *serverConn, m cti.Message) bool {
		if r, ok := m.(*cti.OpenReq); ok {
			_ = c.send(&cti.FailureConf{InvokeID: r.InvokeID, Status: cti.ECTIServerNotMaster})
			return true
		}
		return false
	}
	standby := func(c *serverConn, m cti.Message) bool {
		if r, ok := m.(*cti.OpenReq); ok {
			conf := okOpenConf(r)
			conf.SessionType = cti.SessionTypeStandby
			_ = c.send(conf)
			return true
		}
		return false
	}
	closedPort := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	tests := []struct {
		name     string
		sideA    script
		refuse   bool // side A refuses TCP
		failover bool
	}{
		{"not master, with policy", notMaster, false, true},
		{"not master, plain target list", notMaster, false, false},
		{"standby session type", standby, false, true},
		{"connect refused", nil, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addrA string
			if tt.refuse {
				addrA = closedPort(t)
			} else {
				addrA = startServer(t, cti.V24, tt.sideA).addr()
			}
			b := startServer(t, cti.V24, nil)
			var infos []client.ReconnectInfo
			opts := baseOpts(client.WithReconnectHandler(func(i client.ReconnectInfo) { infos = append(infos, i) }))
			if tt.failover {
				opts = append(opts, client.WithFailover(policy))
			}
			s := dialT(t, addrA+","+b.addr(), opts...)
			if s.Addr() != b.addr() || s.Opened().Addr != b.addr() {
				t.Errorf("Addr = %s; want side B %s", s.Addr(), b.addr())
			}
			if len(infos) != 1 || !infos[0].Initial || infos[0].From != addrA || infos[0].To != b.addr() || infos[0].Attempts != 2 || infos[0].Err != nil {
				t.Errorf("ReconnectInfo = %+v", infos)
			}
			if _, err := s.Do(ctxT(t), &cti.SetAgentStateReq{}); err != nil {
				t.Errorf("Do on side B = %v", err)
			}
		})
	}

	t.Run("side A only says not master", func(t *testing.T) {
		a := startServer(t, cti.V24, notMaster)
		_, err := client.Dial(ctxT(t), a.addr(), baseOpts()...)
		var fe *client.FailureError
		if !errors.As(err, &fe) || fe.CodeName() != "E_CTI_SERVER_NOT_MASTER" {
			t.Errorf("Dial = %v; want E_CTI_SERVER_NOT_MASTER", err)
		}
	})

	t.Run("drop moves to side B", func(t *testing.T) {
		a := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
			_, ok := m.(*cti.SetAgentStateReq) // hold requests: they are in flight at the drop
			return ok
		})
		b := startServer(t, cti.V24, nil)
		infos := make(chan client.ReconnectInfo, 4)
		s := dialT(t, a.addr()+","+b.addr(), baseOpts(client.WithFailover(policy), client.WithHeartbeat(50*time.Millisecond),
			client.WithReconnectHandler(func(i client.ReconnectInfo) { infos <- i }))...)
		a.nextConn(t)
		inflight := make(chan error, 1)
		go func() {
			_, err := s.Do(ctxT(t), &cti.SetAgentStateReq{})
			inflight <- err
		}()
		waiter := make(chan client.Event, 1)
		go func() {
			ev, err := s.WaitEvent(ctxT(t), client.MatchType(cti.MsgCallDeliveredEvent))
			if err != nil {
				t.Error("waiter:", err)
			}
			waiter <- ev
		}()
		a.waitReceived(t, client.MatchType(cti.MsgSetAgentStateReq))
		a.dropAll()

		if err := <-inflight; !errors.Is(err, client.ErrConnectionLost) {
			t.Errorf("in-flight Do = %v; want ErrConnectionLost", err)
		}
		var info client.ReconnectInfo
		select {
		case info = <-infos:
		case <-time.After(testWait):
			t.Fatal("no reconnection reported")
		}
		if info.From != a.addr() || info.To != b.addr() || info.Initial || info.Err != nil ||
			!errors.Is(info.Cause, client.ErrConnectionLost) || info.Outage <= 0 || info.Attempts != 1 {
			t.Errorf("ReconnectInfo = %+v", info)
		}
		if s.Addr() != b.addr() || s.Stats().Reconnects != 1 || s.Err() != nil {
			t.Errorf("after fail-over: Addr %s, Stats %+v, Err %v", s.Addr(), s.Stats(), s.Err())
		}
		// Same identity on both sides.
		openA := a.waitReceived(t, client.MatchType(cti.MsgOpenReq)).(*cti.OpenReq)
		openB := b.waitReceived(t, client.MatchType(cti.MsgOpenReq)).(*cti.OpenReq)
		openA.InvokeID, openB.InvokeID = 0, 0
		if fmt.Sprint(cti.FieldMap(openA, cti.V24)) != fmt.Sprint(cti.FieldMap(openB, cti.V24)) {
			t.Errorf("OPEN_REQ differs after fail-over:\nA %v\nB %v", cti.FieldMap(openA, cti.V24), cti.FieldMap(openB, cti.V24))
		}
		// The wait survived the reconnection.
		_ = b.nextConn(t).send(callDelivered(9, "1001"))
		select {
		case ev := <-waiter:
			if ev.Msg == nil || ev.Msg.(*cti.CallDeliveredEvent).ConnectionCallID != 9 {
				t.Errorf("waiter got %+v", ev)
			}
		case <-time.After(testWait):
			t.Fatal("waiter lost across the reconnection")
		}
		if _, err := s.Do(ctxT(t), &cti.SetAgentStateReq{}); err != nil {
			t.Errorf("Do after fail-over = %v", err)
		}
		eventually(t, "heartbeats on side B", func() bool {
			for _, m := range b.received() {
				if m.MessageType() == cti.MsgHeartbeatReq {
					return true
				}
			}
			return false
		})
	})

	t.Run("drop without fail-over ends the session", func(t *testing.T) {
		a := startServer(t, cti.V24, nil)
		s := dialT(t, a.addr(), baseOpts()...)
		a.nextConn(t)
		a.dropAll()
		if err := waitDone(t, s); !errors.Is(err, client.ErrConnectionLost) {
			t.Errorf("Err = %v", err)
		}
	})

	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		a := startServer(t, cti.V24, nil)
		infos := make(chan client.ReconnectInfo, 4)
		p := client.FailoverPolicy{InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxAttempts: 3}
		s := dialT(t, a.addr(), baseOpts(client.WithFailover(p), client.WithReconnectHandler(func(i client.ReconnectInfo) { infos <- i }))...)
		a.nextConn(t)
		a.stop() // listener closed too: every attempt is refused
		err := waitDone(t, s)
		var se *client.SessionError
		if !errors.As(err, &se) || se.Op != "reconnect" || !errors.Is(err, client.ErrConnectionLost) {
			t.Errorf("Err = %v; want a reconnect SessionError caused by the lost connection", err)
		}
		info := <-infos
		if info.Err == nil || info.Attempts != 3 || info.To != "" {
			t.Errorf("ReconnectInfo = %+v", info)
		}
		if st := s.Stats(); st.ConnectAttempts != 4 {
			t.Errorf("ConnectAttempts = %d; want 1 + 3", st.ConnectAttempts)
		}
	})

	t.Run("requests wait for the reconnection", func(t *testing.T) {
		a := startServer(t, cti.V24, nil)
		b := startServer(t, cti.V24, nil)
		s := dialT(t, a.addr()+","+b.addr(), baseOpts(client.WithFailover(client.FailoverPolicy{InitialBackoff: 50 * time.Millisecond, MaxAttempts: 5}))...)
		a.nextConn(t)
		a.stop()
		b.stop() // both down: the session retries with backoff
		for i := 0; i < 2 && s.Stats().ConnectAttempts < 3; i++ {
			time.Sleep(20 * time.Millisecond)
		}
		// While reconnecting, a request waits within its own timeout.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := s.Do(ctx, &cti.SetAgentStateReq{})
		if !errors.Is(err, client.ErrRequestTimeout) && !errors.Is(err, client.ErrConnectionLost) {
			t.Errorf("Do while reconnecting = %v", err)
		}
		s.Close(context.Background())
		if err := waitDone(t, s); !errors.Is(err, client.ErrSessionClosed) {
			t.Errorf("Close while reconnecting: Err = %v", err)
		}
	})
}

func TestFailoverBackoff(t *testing.T) {
	p := client.FailoverPolicy{InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, Multiplier: 2, Jitter: 0.5}
	tests := []struct {
		n    int
		rnd  float64
		want time.Duration
	}{
		{0, 0.5, 0},
		{1, 0.5, 100 * time.Millisecond},
		{2, 0.5, 200 * time.Millisecond},
		{4, 0.5, 800 * time.Millisecond},
		{5, 0.5, time.Second}, // capped
		{1000, 0.5, time.Second},
		{1, 0, 50 * time.Millisecond},  // -50 %
		{1, 1, 150 * time.Millisecond}, // +50 %
	}
	for _, tt := range tests {
		if got := p.Backoff(tt.n, tt.rnd); got != tt.want {
			t.Errorf("Backoff(%d, %v) = %v; want %v", tt.n, tt.rnd, got, tt.want)
		}
	}
	if got := (client.FailoverPolicy{}).Backoff(1, 0.5); got != client.DefaultFailoverInitialBackoff {
		t.Errorf("zero policy Backoff(1) = %v; want the default %v", got, client.DefaultFailoverInitialBackoff)
	}
	if got := (client.FailoverPolicy{Jitter: -1}).Backoff(2, 0.99); got != 2*client.DefaultFailoverInitialBackoff {
		t.Errorf("no-jitter Backoff(2) = %v", got)
	}
}

// tlsFiles writes a test CA, a server certificate for 127.0.0.1 and "cti.test", and a client
// certificate, and returns the client's TLSFiles and the server's tls.Config.
func tlsFiles(t *testing.T) (client.TLSFiles, *tls.Config) {
	t.Helper()
	dir := t.TempDir()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ctiload test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, name string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
		k := newKey()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			DNSNames: []string{name}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	srvCert, srvKey := leaf(2, "cti.test", x509.ExtKeyUsageServerAuth)
	cliCert, cliKey := leaf(3, "agent-desktop", x509.ExtKeyUsageClientAuth)
	pair, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	serverCfg := &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
	files := client.TLSFiles{
		CAFile:   write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		CertFile: write("client.pem", cliCert),
		KeyFile:  write("client.key", cliKey),
	}
	return files, serverCfg
}

func TestTLS(t *testing.T) {
	files, serverCfg := tlsFiles(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverCfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServerOn(t, ln, cti.V24, nil)

	tests := []struct {
		name    string
		files   client.TLSFiles
		wantErr string // ErrorCode, "" for success
	}{
		{"IP address verified", files, ""},
		{"server name", client.TLSFiles{CAFile: files.CAFile, CertFile: files.CertFile, KeyFile: files.KeyFile, ServerName: "cti.test"}, ""},
		{"wrong server name", client.TLSFiles{CAFile: files.CAFile, CertFile: files.CertFile, KeyFile: files.KeyFile, ServerName: "other.test"}, "E_TLS"},
		{"unknown CA", client.TLSFiles{CertFile: files.CertFile, KeyFile: files.KeyFile}, "E_TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.files.Config()
			if err != nil {
				t.Fatal(err)
			}
			s, err := client.Dial(ctxT(t), srv.addr(), baseOpts(client.WithTLS(cfg), client.WithHeartbeat(50*time.Millisecond))...)
			if tt.wantErr != "" {
				if code, _ := client.ErrorCode(err); code != tt.wantErr {
					t.Fatalf("Dial = %v (%s); want %s", err, code, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial = %v", err)
			}
			defer s.Close(context.Background())
			if _, err := s.Do(ctxT(t), &cti.SetAgentStateReq{AgentState: cti.AgentStateAvailable}); err != nil {
				t.Errorf("Do over TLS = %v", err)
			}
			eventually(t, "heartbeats over TLS", func() bool { return s.Stats().LastHeartbeatRTT > 0 })
			if err := s.Close(ctxT(t)); err != nil {
				t.Errorf("Close = %v", err)
			}
		})
	}
	if _, err := (client.TLSFiles{CertFile: files.CertFile}).Config(); err == nil {
		t.Error("TLSFiles with a certificate and no key: no error")
	}
	if _, err := (client.TLSFiles{CAFile: files.CertFile + ".missing"}).Config(); err == nil {
		t.Error("TLSFiles with a missing CA file: no error")
	}
}

func TestTrace(t *testing.T) {
	const clientSecret, agentSecret = "s3cr3t-client-pw", "agent-pw-4711"
	for _, v := range []cti.Version{cti.V14, cti.V24, cti.UCCX | 14} {
		t.Run(v.String(), func(t *testing.T) {
			srv := startServer(t, v, nil)
			var buf syncBuffer
			var frames []client.TraceFrame
			var mu sync.Mutex
			collect := client.ObserverFunc(func(f client.TraceFrame) {
				mu.Lock()
				frames = append(frames, f)
				mu.Unlock()
			})
			tw := client.TraceWriter(&buf)
			both := client.ObserverFunc(func(f client.TraceFrame) { tw.Frame(f); collect(f) })
			s := dialT(t, srv.addr(), baseOpts(client.WithVersion(v), client.WithClient("ctiload", clientSecret),
				client.WithLabel("vu-7"), client.WithObserver(both))...)
			req := &cti.SetAgentStateReq{PeripheralID: 5000, AgentState: cti.AgentStateLogin, AgentPassword: agentSecret, AgentInstrument: "1001"}
			if _, err := s.Do(ctxT(t), req); err != nil {
				t.Fatal(err)
			}
			if req.AgentPassword != agentSecret {
				t.Error("tracing changed the caller's request")
			}
			if _, err := s.WaitEvent(ctxT(t), client.MatchType(cti.MsgAgentStateEvent)); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(ctxT(t)); err != nil {
				t.Fatal(err)
			}

			out := buf.String()
			for _, secret := range []string{clientSecret, agentSecret} {
				if strings.Contains(out, secret) || strings.Contains(out, hex.EncodeToString([]byte(secret))) {
					t.Errorf("trace contains the secret %q:\n%s", secret, out)
				}
			}
			var names []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				var rec struct {
					Time    time.Time      `json:"time"`
					Dir     string         `json:"dir"`
					Session string         `json:"session"`
					Version string         `json:"version"`
					Size    int            `json:"size"`
					Name    string         `json:"name"`
					Fields  map[string]any `json:"fields"`
				}
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("trace line %q: %v", line, err)
				}
				if rec.Session != "vu-7" || rec.Time.IsZero() || rec.Size < cti.HeaderSize || rec.Version != v.String() {
					t.Errorf("trace line %s", line)
				}
				names = append(names, rec.Dir+" "+rec.Name)
				switch rec.Name {
				case "OPEN_REQ":
					if rec.Fields["ClientPassword"] != client.Redacted || rec.Fields["AgentExtension"] != "1001" {
						t.Errorf("OPEN_REQ fields = %v", rec.Fields)
					}
				case "SET_AGENT_STATE_REQ":
					if rec.Fields["AgentPassword"] != client.Redacted || rec.Fields["AgentState"] != "AGENT_STATE_LOGIN" {
						t.Errorf("SET_AGENT_STATE_REQ fields = %v", rec.Fields)
					}
				}
			}
			want := []string{"out OPEN_REQ", "in OPEN_CONF", "out SET_AGENT_STATE_REQ", "in SET_AGENT_STATE_CONF",
				"in AGENT_STATE_EVENT", "out CLOSE_REQ", "in CLOSE_CONF"}
			if strings.Join(names, ",") != strings.Join(want, ",") {
				t.Errorf("trace = %v; want %v", names, want)
			}

			mu.Lock()
			defer mu.Unlock()
			for _, f := range frames {
				if r, ok := f.Msg.(*cti.OpenReq); ok && string(r.ClientPassword) != client.Redacted {
					t.Errorf("observer got OPEN_REQ password %q", r.ClientPassword)
				}
				if f.Dir != client.TraceOut {
					continue
				}
				// The traced size is the wire size for this version (1-byte floating tags below
				// v20): the server's copy, secrets and all, re-encodes to exactly that size.
				got := srv.waitReceived(t, client.MatchType(f.Msg.MessageType()))
				b, err := got.Encode(nil, v)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) != f.Size {
					t.Errorf("%s: traced size %d; on the wire %d", f.Msg.MessageType(), f.Size, len(b))
				}
			}
			if v == cti.V14 && v.WideFields() {
				t.Fatalf("test assumes v14 has 1-byte tags")
			}
		})
	}
}

func TestTraceRegress(t *testing.T) {
	var buf bytes.Buffer
	tw := client.NewTraceWriter(&buf, client.TraceOptions{Regress: true})
	tw.Frame(client.TraceFrame{Time: time.Now(), Dir: client.TraceOut, Label: "a", Addr: "x:1", Version: cti.V14,
		Msg: &cti.HeartbeatReq{InvokeID: 3}, Size: 12})
	want := `{"dir":"out","session":"a","version":"UCCE v14","size":12,"type":5,"name":"HEARTBEAT_REQ","fields":{"InvokeID":3}}` + "\n"
	if buf.String() != want {
		t.Errorf("regress trace = %s; want %s", buf.String(), want)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		err  error
		want string
		ok   bool
	}{
		{nil, "", false},
		{errors.New("x"), "E_UNKNOWN", false},
		{&client.FailureError{Status: cti.ECTIInvalidPassword}, "E_CTI_INVALID_PASSWORD", true},
		{&client.FailureError{Status: 4000}, "E_CTI_STATUS_4000", true},
		{&client.ControlFailureError{Code: cti.CFInvalidAgentWorkMode}, "CF_INVALID_AGENT_WORK_MODE", true},
		{&client.ControlFailureError{Code: 999}, "CF_CODE_999", true},
		{&client.RequestError{Err: fmt.Errorf("%w after 1s", client.ErrRequestTimeout)}, "E_TIMEOUT", true},
		{&client.RequestError{Err: &client.SessionError{Op: "read", Err: client.ErrConnectionLost}}, "E_CONNECTION_LOST", true},
		{&client.RequestError{Err: &client.SessionError{Op: "heartbeat", Err: client.ErrHeartbeatTimeout}}, "E_HEARTBEAT_TIMEOUT", true},
		{&client.SessionError{Op: "close", Err: client.ErrSessionClosed}, "E_SESSION_CLOSED", true},
		{&client.SessionError{Op: "open", Err: &client.FailureError{Status: cti.ECTIServerNotMaster}}, "E_CTI_SERVER_NOT_MASTER", true},
		{&client.SessionError{Op: "open", Err: client.ErrStandby}, "E_STANDBY", true},
		{&client.SessionError{Op: "dial", Err: fmt.Errorf("dial: %w", context.DeadlineExceeded)}, "E_DIAL", true},
		{&client.SessionError{Op: "tls", Err: errors.New("bad certificate")}, "E_TLS", true},
		{&client.SessionError{Op: "idle", Err: client.ErrIdleTimeout}, "E_IDLE_TIMEOUT", true},
		{fmt.Errorf("wait: %w", context.Canceled), "E_CANCELED", true},
		{&cti.EncodeError{Type: cti.MsgOpenReq}, "E_ENCODE", true},
	}
	for _, tt := range tests {
		if got, ok := client.ErrorCode(tt.err); got != tt.want || ok != tt.ok {
			t.Errorf("ErrorCode(%v) = %q, %v; want %q, %v", tt.err, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"127.0.0.1:42027", []string{"127.0.0.1:42027"}, false},
		{"ctia:42027, ctib:43027", []string{"ctia:42027", "ctib:43027"}, false},
		{"[::1]:42027", []string{"[::1]:42027"}, false},
		{"ctia", nil, true},
		{":42027", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := client.ParseTarget(tt.in)
		if (err != nil) != tt.wantErr || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ParseTarget(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMatchers(t *testing.T) {
	ev := agentStateEvent(cti.AgentStateAvailable, "1001")
	tests := []struct {
		name  string
		match func(cti.Message) bool
		want  bool
	}{
		{"type", client.MatchType(cti.MsgAgentStateEvent), true},
		{"other type", client.MatchType(cti.MsgCallDeliveredEvent), false},
		{"enum by name", client.MatchFields(cti.V24, cti.MsgAgentStateEvent, map[string]any{"AgentState": "AGENT_STATE_AVAILABLE"}), true},
		{"enum by number", client.MatchFields(cti.V24, cti.MsgAgentStateEvent, map[string]any{"AgentState": 3}), true},
		{"enum by value", client.MatchFields(cti.V24, cti.MsgAgentStateEvent, map[string]any{"AgentState": cti.AgentStateAvailable}), true},
		{"number", client.MatchFields(cti.V24, cti.MsgAgentStateEvent, map[string]any{"PeripheralID": 5000, "AgentExtension": "1001"}), true},
		{"wrong value", client.MatchFields(cti.V24, cti.MsgAgentStateEvent, map[string]any{"AgentState": "AGENT_STATE_TALKING"}), false},
		{"absent field", client.MatchFields(cti.V24, cti.MsgAgentStateEvent, map[string]any{"AgentInstrument": "1001"}), false},
		{"all", client.MatchAll(client.MatchType(cti.MsgAgentStateEvent), func(m cti.Message) bool { return true }), true},
		{"all, one fails", client.MatchAll(client.MatchType(cti.MsgAgentStateEvent), client.MatchType(cti.MsgEndCallEvent)), false},
	}
	for _, tt := range tests {
		if got := tt.match(ev); got != tt.want {
			t.Errorf("%s: match = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestDoRefusesSessionMessages(t *testing.T) {
	srv := startServer(t, cti.V24, nil)
	s := dialT(t, srv.addr(), baseOpts()...)
	for _, req := range []cti.Invoker{&cti.OpenReq{}, &cti.CloseReq{}} {
		if _, err := s.Do(ctxT(t), req); !errors.Is(err, client.ErrInvalidRequest) {
			t.Errorf("Do(%s) = %v; want ErrInvalidRequest", req.MessageType(), err)
		}
	}
	if s.Err() != nil {
		t.Errorf("session ended: %v", s.Err())
	}
}
