package sim_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// readTimeout bounds every wait for a message; quiet is how long "nothing more comes" is watched.
const (
	readTimeout = 3 * time.Second
	quiet       = 50 * time.Millisecond
)

const (
	allCalls  cti.CallEventMask  = 0x0FFFFFFF
	allAgents cti.AgentStateMask = 0x3FFF
	agentSvc                     = cti.CTIServiceClientEvents | cti.CTIServiceClientControl | cti.CTIServiceCallDataUpdate
)

// newSim starts a simulator on 127.0.0.1:0 for one test.
func newSim(t testing.TB, cfg sim.Config) *sim.Server {
	t.Helper()
	srv := newPipeSim(t, cfg)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	return srv
}

// newPipeSim starts a simulator that listens nowhere: its clients are connected over net.Pipe
// (connect). Inside a synctest bubble every timer of the simulator (ring-no-answer, idle
// timeout, generator, faults) then runs on the bubble's clock, which advances only when every
// goroutine waits: a timer test checks exact instants and cannot be upset by a busy CPU. (TCP
// I/O does not count as waiting in a bubble, which is why these tests use pipes.)
func newPipeSim(t testing.TB, cfg sim.Config) *sim.Server {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	srv, err := sim.New(cfg)
	if err != nil {
		t.Fatalf("sim.New: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// newDuplex starts a duplex pair (side A active, B standby) on two loopback ports for one test.
func newDuplex(t testing.TB, cfg sim.Config) *sim.Duplex {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	d, err := sim.NewDuplex(cfg)
	if err != nil {
		t.Fatalf("sim.NewDuplex: %v", err)
	}
	if err := d.Listen("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		d.Close()
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// connect opens a client connection to srv: over TCP when srv listens, else over net.Pipe.
// A pipe has no buffer: a client must read each answer before it sends the next request.
func connect(t testing.TB, srv *sim.Server, v cti.Version) *client {
	t.Helper()
	if addr := srv.Addr(); addr != "" {
		return dial(t, addr, v)
	}
	conn, server := net.Pipe()
	srv.ServeConn(server)
	t.Cleanup(func() { conn.Close() })
	return newClient(t, conn, v)
}

// client is a raw CTI client: the codec over a TCP connection, read synchronously.
type client struct {
	t      testing.TB
	name   string
	conn   net.Conn
	fw     *cti.FrameWriter
	fr     *cti.FrameReader
	v      cti.Version
	invoke uint32
	pid    uint32
}

func dial(t testing.TB, addr string, v cti.Version) *client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, readTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return newClient(t, conn, v)
}

func newClient(t testing.TB, conn net.Conn, v cti.Version) *client {
	return &client{t: t, conn: conn, fw: cti.NewFrameWriter(conn, 0), fr: cti.NewFrameReader(conn, 0), v: v, pid: sim.DefaultPeripheralID}
}

// send writes a message, numbering requests; it returns the InvokeID used.
func (c *client) send(m cti.Message) uint32 {
	c.t.Helper()
	if inv, ok := m.(cti.Invoker); ok {
		c.invoke++
		inv.SetInvokeID(c.invoke)
	}
	if _, err := c.fw.WriteMessage(m, c.v); err != nil {
		c.t.Fatalf("%s: write %s: %v", c.name, m.MessageType(), err)
	}
	return c.invoke
}

// next reads one message.
func (c *client) next() (cti.Message, error) {
	c.conn.SetReadDeadline(time.Now().Add(readTimeout))
	return c.fr.ReadMessage(c.v)
}

// expect reads len(types) messages and checks their types, in order.
func (c *client) expect(types ...cti.MsgType) []cti.Message {
	c.t.Helper()
	out := make([]cti.Message, 0, len(types))
	for i, want := range types {
		m, err := c.next()
		if err != nil {
			c.t.Fatalf("%s: message %d: want %s, read error: %v (got so far: %s)", c.name, i, want, err, names(out))
		}
		if m.MessageType() != want {
			c.t.Fatalf("%s: message %d = %s %s; want %s (got so far: %s)", c.name, i, m.MessageType(), brief(m), want, names(out))
		}
		out = append(out, m)
	}
	return out
}

// expectQuiet checks that nothing arrives for a short while.
func (c *client) expectQuiet() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(quiet))
	m, err := c.fr.ReadMessage(c.v)
	if err == nil {
		c.t.Fatalf("%s: unexpected %s %s", c.name, m.MessageType(), brief(m))
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		c.t.Fatalf("%s: read: %v", c.name, err)
	}
	// The reader saw a timeout between frames: it can be used again.
	c.fr = cti.NewFrameReader(c.conn, 0)
}

// expectClosed checks that the server closes the connection.
func (c *client) expectClosed() {
	c.t.Helper()
	for {
		m, err := c.next()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				c.t.Fatalf("%s: connection still open", c.name)
			}
			return
		}
		_ = m
	}
}

// failure reads a FAILURE_CONF and checks its status and InvokeID.
func (c *client) failure(invoke uint32, want cti.Status) {
	c.t.Helper()
	m := c.expect(cti.MsgFailureConf)[0].(*cti.FailureConf)
	if m.Status != want || m.InvokeID != invoke {
		c.t.Fatalf("%s: FAILURE_CONF = %s (invoke %d); want %s (invoke %d)", c.name, m.Status, m.InvokeID, want, invoke)
	}
}

// controlFailure reads a CONTROL_FAILURE_CONF and checks its code.
func (c *client) controlFailure(invoke uint32, want cti.ControlFailure) {
	c.t.Helper()
	m := c.expect(cti.MsgControlFailureConf)[0].(*cti.ControlFailureConf)
	if m.FailureCode != want || m.InvokeID != invoke {
		c.t.Fatalf("%s: CONTROL_FAILURE_CONF = %s (invoke %d); want %s (invoke %d)", c.name, m.FailureCode, m.InvokeID, want, invoke)
	}
}

func names(ms []cti.Message) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.MessageType().String())
	}
	return b.String()
}

func brief(m cti.Message) string {
	switch x := m.(type) {
	case *cti.FailureConf:
		return x.Status.String()
	case *cti.ControlFailureConf:
		return x.FailureCode.String()
	case *cti.AgentStateEvent:
		return x.AgentState.String()
	case *cti.FailureEvent:
		return x.Status.String()
	}
	return ""
}

// openReq is an OPEN_REQ with sensible fields.
func openReq(clientID string, svc cti.ServiceMask) *cti.OpenReq {
	return &cti.OpenReq{
		VersionNumber:     24,
		IdleTimeout:       0xFFFFFFFF,
		PeripheralID:      sim.DefaultPeripheralID,
		ServicesRequested: svc,
		CallMsgMask:       allCalls,
		AgentStateMask:    allAgents,
		ClientID:          clientID,
	}
}

// openAgent opens an agent-mode session on an extension (and agent ID if given).
func openAgent(t testing.TB, srv *sim.Server, v cti.Version, clientID, ext, agentID string) (*client, *cti.OpenConf) {
	t.Helper()
	c := connect(t, srv, v)
	c.name = "agent " + ext
	req := openReq(clientID, agentSvc)
	req.VersionNumber = v.Number()
	req.AgentExtension, req.AgentInstrument, req.AgentID = ext, ext, agentID
	c.send(req)
	conf := c.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	return c, conf
}

// openAll opens an all-events (bridge) session and takes its SYSTEM_EVENT.
func openAll(t testing.TB, srv *sim.Server, v cti.Version) *client {
	t.Helper()
	c := connect(t, srv, v)
	c.name = "all-events"
	req := openReq("monitor", cti.CTIServiceAllEvents|cti.CTIServiceClientControl|cti.CTIServiceCallDataUpdate)
	req.VersionNumber = v.Number()
	req.PeripheralID = 0xFFFFFFFF
	req.CallMsgMask &^= rtpMask // the call-flow tests leave media out; openRecorder asks for it
	c.send(req)
	c.expect(cti.MsgOpenConf, cti.MsgSystemEvent)
	return c
}

const rtpMask = cti.RTPStartedMask | cti.RTPStoppedMask

// openRecorder opens a bridge session that asks for call events only, RTP included, as a
// call recorder does.
func openRecorder(t testing.TB, srv *sim.Server, v cti.Version) *client {
	t.Helper()
	c := connect(t, srv, v)
	c.name = "recorder"
	req := openReq("recorder", cti.CTIServiceAllEvents)
	req.VersionNumber = v.Number()
	req.PeripheralID = 0xFFFFFFFF
	req.AgentStateMask = 0
	c.send(req)
	c.expect(cti.MsgOpenConf, cti.MsgSystemEvent)
	return c
}

// agentState reads an AGENT_STATE_EVENT and checks the state.
func (c *client) agentState(want cti.AgentState) *cti.AgentStateEvent {
	c.t.Helper()
	ev := c.expect(cti.MsgAgentStateEvent)[0].(*cti.AgentStateEvent)
	if ev.AgentState != want {
		c.t.Fatalf("%s: AGENT_STATE_EVENT %s; want %s", c.name, ev.AgentState, want)
	}
	return ev
}

// setState sends SET_AGENT_STATE_REQ and returns its InvokeID.
func (c *client) setState(st cti.AgentState, reason uint16, agentID string) uint32 {
	return c.send(&cti.SetAgentStateReq{PeripheralID: c.pid, AgentState: st, EventReasonCode: reason, AgentID: agentID, AgentPassword: "pw"})
}

// login logs an agent in on the session's device and makes it ready.
func (c *client) loginReady(agentID string) {
	c.t.Helper()
	c.setState(cti.AgentStateLogin, 0, agentID)
	c.expect(cti.MsgSetAgentStateConf)
	c.agentState(cti.AgentStateNotReady)
	c.setState(cti.AgentStateAvailable, 0, "")
	c.expect(cti.MsgSetAgentStateConf)
	c.agentState(cti.AgentStateAvailable)
}

func check(t testing.TB, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v; want %v", what, got, want)
	}
}

// waitFor polls cond until it holds or a timeout passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(readTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
