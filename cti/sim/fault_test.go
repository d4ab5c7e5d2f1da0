package sim_test

import (
	"encoding/binary"
	"fmt"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// TestFaultLatency runs on the bubble's clock, so "no latency" is exactly none.
func TestFaultLatency(t *testing.T) { synctest.Test(t, testFaultLatency) }

func testFaultLatency(t *testing.T) {
	srv := newPipeSim(t, sim.Config{Faults: sim.Faults{Latency: map[cti.MsgType]sim.Dist{
		cti.MsgHeartbeatReq: sim.Uniform(40*time.Millisecond, 60*time.Millisecond),
	}}})
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	for i := 0; i < 3; i++ {
		start := time.Now()
		c.send(&cti.HeartbeatReq{})
		c.expect(cti.MsgHeartbeatConf)
		if d := time.Since(start); d < 40*time.Millisecond || d > 60*time.Millisecond {
			t.Errorf("heartbeat %d answered after %v; want 40ms to 60ms", i, d)
		}
	}
	start := time.Now()
	c.send(&cti.QueryAgentStateReq{PeripheralID: c.pid})
	c.expect(cti.MsgQueryAgentStateConf)
	if d := time.Since(start); d != 0 {
		t.Errorf("query (no latency configured) took %v", d)
	}
	check(t, "latency faults", srv.Counters().Faults[sim.FaultLatency], 3)
}

// TestFaultFailRate checks injected failures, that the server's count matches what the client
// saw, and that a seed reproduces the draws.
func TestFaultFailRate(t *testing.T) {
	run := func(seed int64) (srv *sim.Server, pattern []bool) {
		srv = newSim(t, sim.Config{Seed: seed})
		c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
		c.setState(cti.AgentStateLogin, 0, "5000")
		c.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent)
		if err := srv.SetFaults(sim.Faults{Fail: map[cti.MsgType]sim.FailRule{
			cti.MsgSetAgentStateReq:   {Rate: 1, Control: true, ControlCode: cti.CFGenericOperation},
			cti.MsgQueryAgentStateReq: {Rate: 0.5, Status: cti.ECTITimeout},
		}}); err != nil {
			t.Fatal(err)
		}
		inv := c.setState(cti.AgentStateAvailable, 0, "")
		c.controlFailure(inv, cti.CFGenericOperation)
		for i := 0; i < 200; i++ {
			inv := c.send(&cti.QueryAgentStateReq{PeripheralID: c.pid})
			m, err := c.next()
			if err != nil {
				t.Fatal(err)
			}
			switch m := m.(type) {
			case *cti.FailureConf:
				check(t, "status", m.Status, cti.ECTITimeout)
				check(t, "invoke", m.InvokeID, inv)
				pattern = append(pattern, true)
			case *cti.QueryAgentStateConf:
				pattern = append(pattern, false)
			default:
				t.Fatalf("unexpected %s", m.MessageType())
			}
		}
		return srv, pattern
	}
	srv, pattern := run(42)
	failed := 0
	for _, f := range pattern {
		if f {
			failed++
		}
	}
	if failed < len(pattern)/4 || failed > 3*len(pattern)/4 {
		t.Errorf("%d of %d failed; want about half", failed, len(pattern))
	}
	got := srv.Counters()
	check(t, "fail faults", got.Faults[sim.FaultFail], failed+1)
	check(t, "E_CTI_TIMEOUT failures", got.Failures["E_CTI_TIMEOUT"], failed)
	check(t, "CF_GENERIC_OPERATION failures", got.Failures["CF_GENERIC_OPERATION"], 1)
	// By request type too: what a client counts as cti_failures{msg, code}.
	check(t, "failures by request", got.FailuresByRequest, map[string]map[string]int64{
		"QUERY_AGENT_STATE_REQ": {"E_CTI_TIMEOUT": int64(failed)},
		"SET_AGENT_STATE_REQ":   {"CF_GENERIC_OPERATION": 1},
	})

	_, again := run(42)
	check(t, "failures with the same seed", again, pattern)
	_, other := run(43)
	if fmt.Sprint(other) == fmt.Sprint(pattern) {
		t.Error("seed 43 drew the same failures as seed 42")
	}
}

func TestFaultDrop(t *testing.T) {
	srv := newSim(t, sim.Config{})
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	other, _ := openAgent(t, srv, cti.V24, "other", "1001", "")
	srv.SetFaults(sim.Faults{DropRate: 1})
	c.send(&cti.HeartbeatReq{})
	c.expectClosed()
	check(t, "drop faults", srv.Counters().Faults[sim.FaultDrop], 1)

	// After N requests.
	srv.SetFaults(sim.Faults{DropAfter: 3})
	d, _ := openAgent(t, srv, cti.V24, "desk", "1002", "") // request 1
	d.send(&cti.HeartbeatReq{})                            // 2
	d.expect(cti.MsgHeartbeatConf)
	d.send(&cti.HeartbeatReq{}) // 3: dropped
	d.expectClosed()
	check(t, "drop faults", srv.Counters().Faults[sim.FaultDrop], 2)
	check(t, "drops by request", srv.Counters().Drops, map[string]int64{"HEARTBEAT_REQ": 2})
	srv.SetFaults(sim.Faults{})
	other.send(&cti.HeartbeatReq{})
	other.expect(cti.MsgHeartbeatConf)
}

func TestFaultRefuseOpen(t *testing.T) {
	srv := newSim(t, sim.Config{Faults: sim.Faults{RefuseOpenRate: 1, RefuseOpenStatus: cti.ECTICTIServerOffline}})
	c := connect(t, srv, cti.V24)
	req := openReq("desk", agentSvc)
	req.AgentExtension = "1000"
	inv := c.send(req)
	c.failure(inv, cti.ECTICTIServerOffline)
	n := srv.Counters()
	check(t, "refuse faults", n.Faults[sim.FaultRefuseOpen], 1)
	check(t, "rejected", n.SessionsRejected, 1)
	srv.SetFaults(sim.Faults{})
	c.send(req)
	c.expect(cti.MsgOpenConf)
}

// TestFaultSlowRead runs on the bubble's clock: the first answer takes no time, the next one
// exactly the pause.
func TestFaultSlowRead(t *testing.T) { synctest.Test(t, testFaultSlowRead) }

func testFaultSlowRead(t *testing.T) {
	srv := newPipeSim(t, sim.Config{})
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	srv.SetFaults(sim.Faults{SlowReadRate: 1, SlowRead: sim.Fixed(80 * time.Millisecond)})
	start := time.Now()
	c.send(&cti.HeartbeatReq{})
	c.expect(cti.MsgHeartbeatConf) // answered at once…
	if d := time.Since(start); d != 0 {
		t.Errorf("first heartbeat took %v", d)
	}
	srv.SetFaults(sim.Faults{})
	c.send(&cti.HeartbeatReq{})
	c.expect(cti.MsgHeartbeatConf) // …but the next one waits for the pause
	if d := time.Since(start); d != 80*time.Millisecond {
		t.Errorf("second heartbeat after %v; want the 80ms pause", d)
	}
	check(t, "slow read faults", srv.Counters().Faults[sim.FaultSlowRead], 1)
}

// TestFaultPGOffline runs on the bubble's clock: everything the test does while the peripheral
// is offline happens within the 150 ms, however slow the machine.
func TestFaultPGOffline(t *testing.T) { synctest.Test(t, testFaultPGOffline) }

func testFaultPGOffline(t *testing.T) {
	srv := newPipeSim(t, sim.Config{})
	mon := openAll(t, srv, cti.V24)
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	srv.SetPGOffline(150 * time.Millisecond)
	for _, cl := range []*client{mon, c} {
		se := cl.expect(cti.MsgSystemEvent)[0].(*cti.SystemEvent)
		check(t, "SystemEventID", se.SystemEventID, cti.SysPeripheralOffline)
		check(t, "PGStatus", se.PGStatus, cti.PGSPeripheralOffline)
	}
	inv := c.setState(cti.AgentStateLogin, 0, "5000")
	c.failure(inv, cti.ECTICTIServerOffline)
	c.send(&cti.HeartbeatReq{}) // the CTI Server itself is up
	c.expect(cti.MsgHeartbeatConf)
	d := connect(t, srv, cti.V24)
	req := openReq("late", agentSvc)
	req.AgentExtension = "1001"
	d.send(req)
	conf := d.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	check(t, "PeripheralOnline", conf.PeripheralOnline, false)
	check(t, "PGStatus", conf.PGStatus, cti.PGSPeripheralOffline)
	for _, cl := range []*client{mon, c, d} {
		se := cl.expect(cti.MsgSystemEvent)[0].(*cti.SystemEvent)
		check(t, "SystemEventID", se.SystemEventID, cti.SysPeripheralOnline)
		check(t, "PGStatus", se.PGStatus, cti.PGStatus(0))
	}
	c.setState(cti.AgentStateLogin, 0, "5000")
	c.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent)
	check(t, "pg offline faults", srv.Counters().Faults[sim.FaultPGOffline], 1)
}

func TestStandbySide(t *testing.T) {
	srv := newSim(t, sim.Config{Standby: true})
	// v24 with CTI_SERVICE_ACTIVE_STANDBY: a standby session.
	c := connect(t, srv, cti.V24)
	req := openReq("desk", agentSvc|cti.CTIServiceActiveStandby)
	req.AgentExtension = "1000"
	c.send(req)
	conf := c.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	check(t, "SessionType", conf.SessionType, cti.SessionTypeStandby)
	c.send(&cti.HeartbeatReq{})
	c.expect(cti.MsgHeartbeatConf)
	inv := c.send(&cti.QueryAgentStateReq{PeripheralID: c.pid})
	c.failure(inv, cti.ECTIServerNotMaster)
	// v20: refused.
	c2 := connect(t, srv, cti.V20)
	req2 := openReq("desk2", agentSvc)
	req2.VersionNumber, req2.AgentExtension = 20, "1001"
	inv = c2.send(req2)
	c2.failure(inv, cti.ECTIServerNotMaster)

	// The side becomes active: the standby session is promoted.
	srv.SetStandby(false)
	c.expect(cti.MsgStandbyActiveEventMsg)
	c.send(&cti.QueryAgentStateReq{PeripheralID: c.pid})
	c.expect(cti.MsgQueryAgentStateConf)
	c2.send(req2)
	c2.expect(cti.MsgOpenConf)

	// And standby again: active sessions are told and closed.
	srv.SetStandby(true)
	ev := c.expect(cti.MsgFailureEvent)[0].(*cti.FailureEvent)
	check(t, "FAILURE_EVENT", ev.Status, cti.ECTICTIServerOffline)
	c.expectClosed()
	c2.expect(cti.MsgFailureEvent)
	c2.expectClosed()
	if n := srv.Counters().Faults[sim.FaultStandby]; n != 2 {
		t.Errorf("standby faults = %d; want 2", n)
	}
}

func TestDuplexFailover(t *testing.T) {
	d := newDuplex(t, sim.Config{Seed: 1})
	addrA, addrB := d.Addrs()

	// B refuses while A is active.
	b := dial(t, addrB, cti.V20)
	req := openReq("desk", agentSvc)
	req.VersionNumber, req.AgentExtension = 20, "1000"
	inv := b.send(req)
	b.failure(inv, cti.ECTIServerNotMaster)

	a := dial(t, addrA, cti.V20)
	a.send(req)
	a.expect(cti.MsgOpenConf)
	a.loginReady("5000")

	d.FailA()
	a.expectClosed()
	// The agent kept its state across the failover.
	b.send(req)
	conf := b.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	check(t, "AgentState on side B", conf.AgentState, cti.AgentStateAvailable)
	id, _ := d.OfferCall(sim.CallOptions{})
	b.agentState(cti.AgentStateReserved)
	dl := b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)[1].(*cti.CallDeliveredEvent)
	check(t, "call", dl.ConnectionCallID, id)
	n := d.Counters()
	check(t, "opened", n.SessionsOpened, 2)
	check(t, "rejected", n.SessionsRejected, 1)
}

// TestDuplexFailback follows docs/simulator.md "Duplex pair and fail-over" back: after a
// fail-over to B, Failback makes B standby (its sessions get FAILURE_EVENT
// E_CTI_CTI_SERVER_OFFLINE and are closed) and A active again: a v24 standby session waiting on A
// is promoted, A takes opens again, and the agent kept its state through both switches.
func TestDuplexFailback(t *testing.T) {
	d := newDuplex(t, sim.Config{Seed: 1})
	addrA, addrB := d.Addrs()
	req := openReq("desk", agentSvc)
	req.VersionNumber, req.AgentExtension = 20, "1000"

	a := dial(t, addrA, cti.V20)
	a.send(req)
	a.expect(cti.MsgOpenConf)
	a.loginReady("5000")
	d.Failover()
	a.expect(cti.MsgFailureEvent)
	a.expectClosed()
	b := dial(t, addrB, cti.V20)
	b.name = "desk on B"
	b.send(req)
	b.expect(cti.MsgOpenConf)
	b.setState(cti.AgentStateNotReady, 3, "")
	b.expect(cti.MsgSetAgentStateConf)
	b.agentState(cti.AgentStateNotReady)

	// A v24 desktop that asks for active/standby waits on A, now the standby side.
	w := dial(t, addrA, cti.V24)
	w.name = "standby desk on A"
	wreq := openReq("wallboard desk", agentSvc|cti.CTIServiceActiveStandby)
	wreq.AgentExtension = "1001"
	w.send(wreq)
	check(t, "SessionType on A after the fail-over", w.expect(cti.MsgOpenConf)[0].(*cti.OpenConf).SessionType, cti.SessionTypeStandby)

	d.Failback()
	ev := b.expect(cti.MsgFailureEvent)[0].(*cti.FailureEvent)
	check(t, "FAILURE_EVENT on B", ev.Status, cti.ECTICTIServerOffline)
	b.expectClosed()
	w.expect(cti.MsgStandbyActiveEventMsg)
	w.expectQuiet()

	// B refuses again; A serves, and the agent is as B left it.
	b2 := dial(t, addrB, cti.V20)
	b2.failure(b2.send(req), cti.ECTIServerNotMaster)
	a2 := dial(t, addrA, cti.V20)
	a2.send(req)
	conf := a2.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	check(t, "AgentState back on A", conf.AgentState, cti.AgentStateNotReady)
	check(t, "offline failures", d.Counters().Failures["E_CTI_CTI_SERVER_OFFLINE"], 2)
}

// TestMalformedFrames sends garbage, impossible lengths and truncated frames: each gets a
// FAILURE_CONF or a closed connection, the server does not crash, and other sessions go on.
func TestMalformedFrames(t *testing.T) {
	srv := newSim(t, sim.Config{})
	bystander, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")

	send := func(b []byte) *client {
		c := connect(t, srv, cti.V24)
		if _, err := c.conn.Write(b); err != nil {
			t.Fatal(err)
		}
		return c
	}
	// An impossible length (2^31): FAILURE_CONF E_CTI_BAD_MESSAGE_FORMAT, then the connection closes.
	hdr := binary.BigEndian.AppendUint32(nil, 1<<31)
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(cti.MsgOpenReq))
	c := send(hdr)
	c.failure(0, cti.ECTIBadMessageFormat)
	c.expectClosed()

	// Garbage that parses as a small frame of an unknown type.
	c = send([]byte{0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 9})
	c.failure(9, cti.ECTIInvalidMessageType)

	// A frame cut short, then the connection closed by the client.
	c = send([]byte{0, 0, 0, 44, 0, 0, 0, 3, 0, 0})
	c.conn.(*net.TCPConn).CloseWrite()
	c.expectClosed()

	// An OPEN_REQ whose floating part lies about a length.
	body := fixedOpen(&cti.OpenReq{InvokeID: 3, VersionNumber: 24, IdleTimeout: 0xFFFFFFFF})
	body = append(body, 0, 1, 0xff, 0xff, 'x')
	c = send(cti.AppendFrame(nil, cti.MsgOpenReq, body))
	c.failure(3, cti.ECTIBadMessageFormat)

	// Random bytes.
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i*131 + i/7)
	}
	c = send(junk)
	for {
		if _, err := c.next(); err != nil {
			break
		}
	}

	bystander.send(&cti.HeartbeatReq{})
	bystander.expect(cti.MsgHeartbeatConf)
}

func TestUCCXBasics(t *testing.T) {
	srv := newSim(t, sim.Config{Product: sim.UCCX, Agents: sim.AgentsConfig{SkillGroups: []uint32{12}}})
	c := connect(t, srv, cti.UCCX|14)
	c.pid = 1
	req := openReq("", agentSvc)
	req.VersionNumber, req.PeripheralID, req.IdleTimeout = 14, 1, 60
	req.LongAgentID, req.AgentExtension = "5000", "1000"
	c.send(req)
	conf := c.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	check(t, "PeripheralType", conf.PeripheralType, cti.PeripheralACMICRS)
	check(t, "LongAgentID", conf.LongAgentID, "5000")
	check(t, "AgentID (tag 5 reserved)", conf.AgentID, "")
	c.send(&cti.SetAgentStateReq{PeripheralID: 1, AgentState: cti.AgentStateLogin, LongAgentID: "5000", AgentPassword: "x"})
	c.expect(cti.MsgSetAgentStateConf)
	ev := c.agentState(cti.AgentStateNotReady)
	check(t, "event PeripheralID", ev.PeripheralID, 1)
	check(t, "event PeripheralType", ev.PeripheralType, cti.PeripheralACMICRS)
	check(t, "event SkillGroupID", ev.SkillGroupID, uint32(0xFFFFFFFF))
	check(t, "event LongAgentID", ev.LongAgentID, "5000")
	c.send(&cti.SetAgentStateReq{PeripheralID: 1, AgentState: cti.AgentStateAvailable})
	c.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent)
	srv.OfferCall(sim.CallOptions{})
	ms := c.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	dl := ms[2].(*cti.CallDeliveredEvent)
	check(t, "LineHandle", dl.LineHandle, 0xFFFF)
	check(t, "LineType", dl.LineType, cti.LineType(3))
	check(t, "SkillGroupNumber (CSQ)", dl.SkillGroupNumber, 12)
	check(t, "SkillGroupID", dl.SkillGroupID, uint32(0xFFFFFFFF))
	// A UCCE-only request type.
	c.fw.WriteFrame(cti.AppendFrame(nil, cti.MsgDeflectCallReq, []byte{0, 0, 0, 50}))
	c.failure(50, cti.ECTIInvalidMsgTypeForVersion)
}

// TestDuplexMaintenance follows docs/simulator.md "Duplex pair and fail-over": a planned side
// switch warns side A's v24+ sessions with ACTIVE_MAINTENANCE_EVENT_MSG, then switches as a
// fail-over does; a v20 session gets no warning, a v24 standby session on B is promoted.
func TestDuplexMaintenance(t *testing.T) {
	d := newDuplex(t, sim.Config{Seed: 1})
	addrA, addrB := d.Addrs()

	open := func(addr string, v cti.Version, ext string, svc cti.ServiceMask) *client {
		c := dial(t, addr, v)
		c.name = fmt.Sprintf("%s v%d", ext, v.Number())
		req := openReq("desk"+ext, svc)
		req.VersionNumber, req.AgentExtension, req.AgentInstrument = v.Number(), ext, ext
		c.send(req)
		c.expect(cti.MsgOpenConf)
		return c
	}
	a24 := open(addrA, cti.V24, "1000", agentSvc|cti.CTIServiceActiveStandby)
	a20 := open(addrA, cti.V20, "1001", agentSvc)
	b24 := open(addrB, cti.V24, "1000", agentSvc|cti.CTIServiceActiveStandby) // standby session

	d.Maintenance(100 * time.Millisecond)
	d.Maintenance(time.Hour) // a second call while one is pending changes nothing
	m := a24.expect(cti.MsgActiveMaintenanceEventMsg, cti.MsgFailureEvent)
	check(t, "Continue", m[0].(*cti.ActiveMaintenanceEventMsg).Continue, true)
	check(t, "FAILURE_EVENT status", m[1].(*cti.FailureEvent).Status, cti.ECTICTIServerOffline)
	a24.expectClosed()
	check(t, "v20 FAILURE_EVENT status", a20.expect(cti.MsgFailureEvent)[0].(*cti.FailureEvent).Status, cti.ECTICTIServerOffline)
	a20.expectClosed()
	b24.expect(cti.MsgStandbyActiveEventMsg)
	b24.send(&cti.QueryAgentStateReq{PeripheralID: b24.pid, AgentInstrument: "1000"})
	b24.expect(cti.MsgQueryAgentStateConf)
	check(t, "maintenance faults", d.Counters().Faults[sim.FaultMaintenance], 1)
}
