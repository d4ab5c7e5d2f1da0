package sim_test

import (
	"encoding/binary"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

func TestOpenAgentMode(t *testing.T) {
	for _, v := range []cti.Version{cti.V14, cti.V20, cti.V24} {
		t.Run(v.String(), func(t *testing.T) {
			srv := newSim(t, sim.Config{Agents: sim.AgentsConfig{Count: 3}})
			c, conf := openAgent(t, srv, v, "desk1", "1001", "5001")
			check(t, "ServicesGranted", conf.ServicesGranted, agentSvc)
			check(t, "PeripheralType", conf.PeripheralType, cti.PeripheralEnterpriseAgent)
			check(t, "PeripheralOnline", conf.PeripheralOnline, true)
			check(t, "PGStatus", conf.PGStatus, cti.PGStatus(0))
			check(t, "AgentState", conf.AgentState, cti.AgentStateLogout)
			check(t, "AgentExtension", conf.AgentExtension, "1001")
			check(t, "AgentInstrument", conf.AgentInstrument, "1001")
			check(t, "AgentID", conf.AgentID, "5001")
			check(t, "NumPeripherals", conf.NumPeripherals, 1)
			if len(conf.Peripherals) != 1 || conf.Peripherals[0].FltPeripheralID != sim.DefaultPeripheralID {
				t.Errorf("Peripherals = %+v; want one with ID %d", conf.Peripherals, sim.DefaultPeripheralID)
			}
			if v.Number() >= 24 {
				check(t, "SessionType", conf.SessionType, cti.SessionTypeActive)
			}
			// Heartbeat, then close.
			inv := c.send(&cti.HeartbeatReq{})
			hb := c.expect(cti.MsgHeartbeatConf)[0].(*cti.HeartbeatConf)
			check(t, "HEARTBEAT_CONF InvokeID", hb.InvokeID, inv)
			inv = c.send(&cti.CloseReq{Status: cti.ECTINoError})
			cc := c.expect(cti.MsgCloseConf)[0].(*cti.CloseConf)
			check(t, "CLOSE_CONF InvokeID", cc.InvokeID, inv)
			c.expectClosed()
			waitFor(t, "session closed", func() bool { return srv.Counters().SessionsClosed == 1 })
			n := srv.Counters()
			check(t, "opened", n.SessionsOpened, 1)
			check(t, "HEARTBEAT_REQ", n.Requests["HEARTBEAT_REQ"], 1)
		})
	}
}

func TestOpenAllEventsSystemEvent(t *testing.T) {
	srv := newSim(t, sim.Config{})
	c := connect(t, srv, cti.V24)
	req := openReq("bridge", cti.CTIServiceAllEvents)
	req.PeripheralID = 0xFFFFFFFF
	c.send(req)
	ms := c.expect(cti.MsgOpenConf, cti.MsgSystemEvent)
	se := ms[1].(*cti.SystemEvent)
	check(t, "SystemEventID", se.SystemEventID, cti.SysPeripheralOnline)
	check(t, "SystemEventArg1", se.SystemEventArg1, sim.DefaultPeripheralID)
	check(t, "PGStatus", se.PGStatus, cti.PGStatus(0))
	c.expectQuiet()
}

// TestOpenFailures checks each OPEN_REQ rejection and its status code.
func TestOpenFailures(t *testing.T) {
	tests := []struct {
		name string
		cfg  sim.Config
		edit func(*cti.OpenReq)
		raw  func(*cti.OpenReq, cti.Version) []byte // a hand-made frame instead
		want cti.Status
	}{
		{name: "version", edit: func(r *cti.OpenReq) { r.VersionNumber = 17 }, want: cti.ECTIInvalidVersion},
		{name: "version for UCCX", cfg: sim.Config{Product: sim.UCCX}, edit: func(r *cti.OpenReq) { r.VersionNumber = 24 }, want: cti.ECTIInvalidVersion},
		{name: "idle timeout below 20", edit: func(r *cti.OpenReq) { r.IdleTimeout = 19 }, want: cti.ECTIInvalidTimeout},
		{name: "UCCX idle timeout 120", cfg: sim.Config{Product: sim.UCCX}, edit: func(r *cti.OpenReq) { r.VersionNumber = 14; r.IdleTimeout = 120 }, want: cti.ECTIInvalidTimeout},
		{name: "reserved", edit: func(r *cti.OpenReq) { r.Reserved2 = 1 }, want: cti.ECTIInvalidReservedField},
		{name: "service mask", edit: func(r *cti.OpenReq) { r.ServicesRequested |= 0x200 }, want: cti.ECTIInvalidServiceMask},
		{name: "active standby before v24", edit: func(r *cti.OpenReq) { r.VersionNumber = 20; r.ServicesRequested |= cti.CTIServiceActiveStandby }, want: cti.ECTIInvalidServiceMask},
		{name: "call mask", edit: func(r *cti.OpenReq) { r.CallMsgMask = 0x80000000 }, want: cti.ECTIInvalidCallMsgMask},
		{name: "agent state mask", edit: func(r *cti.OpenReq) { r.AgentStateMask = 0x4000 }, want: cti.ECTIInvalidAgentStateMask},
		{name: "config mask", edit: func(r *cti.OpenReq) { r.ConfigMsgMask = 0x40 }, want: cti.ECTIInvalidConfigMsgMask},
		{name: "password", cfg: sim.Config{ClientPassword: "secret"}, edit: func(r *cti.OpenReq) { r.ClientPassword = []byte("wrong") }, want: cti.ECTIInvalidPassword},
		{name: "missing ClientID", raw: func(r *cti.OpenReq, v cti.Version) []byte {
			// Only ClientPassword: ClientID is required.
			body := fixedOpen(r)
			body = append(body, 0, 2, 0, 0)
			return cti.AppendFrame(nil, cti.MsgOpenReq, body)
		}, want: cti.ECTIRequiredDataMissing},
		{name: "missing ClientPassword", raw: func(r *cti.OpenReq, v cti.Version) []byte {
			body := fixedOpen(r)
			body = append(body, 0, 1, 0, 2, 'x', 0)
			return cti.AppendFrame(nil, cti.MsgOpenReq, body)
		}, want: cti.ECTIRequiredDataMissing},
		{name: "unknown tag", edit: func(r *cti.OpenReq) { r.Unknown = []cti.Field{{Tag: 150, Data: []byte{0, 0, 0, 1}}} }, want: cti.ECTIInvalidTagForMsgType},
		{name: "agent fields in bridge mode", edit: func(r *cti.OpenReq) {
			r.ServicesRequested, r.AgentExtension = cti.CTIServiceAllEvents, "1001"
		}, want: cti.ECTIInconsistentAgentData},
		{name: "client events without agent", edit: func(r *cti.OpenReq) {}, want: cti.ECTIRequiredDataMissing},
		{name: "unknown extension", edit: func(r *cti.OpenReq) { r.AgentExtension = "4242" }, want: cti.ECTIInvalidAgentData},
		{name: "unknown agent", edit: func(r *cti.OpenReq) { r.AgentID = "4242" }, want: cti.ECTIInvalidAgentData},
		{name: "extension and instrument differ", edit: func(r *cti.OpenReq) { r.AgentExtension, r.AgentInstrument = "1001", "1002" }, want: cti.ECTIInconsistentAgentData},
		{name: "peripheral", edit: func(r *cti.OpenReq) { r.AgentExtension, r.PeripheralID = "1001", 1 }, want: cti.ECTIInvalidPeripheralID},
		{name: "truncated fixed part", raw: func(r *cti.OpenReq, v cti.Version) []byte {
			return cti.AppendFrame(nil, cti.MsgOpenReq, fixedOpen(r)[:20])
		}, want: cti.ECTIBadMessageFormat},
		{name: "field overruns message", raw: func(r *cti.OpenReq, v cti.Version) []byte {
			body := append(fixedOpen(r), 0, 1, 0, 40, 'x')
			return cti.AppendFrame(nil, cti.MsgOpenReq, body)
		}, want: cti.ECTIBadMessageFormat},
		{name: "field too long", raw: func(r *cti.OpenReq, v cti.Version) []byte {
			body := fixedOpen(r)
			body = append(body, 0, 1, 0, 70)
			body = append(body, make([]byte, 69)...)
			body = append(body, 0)
			body = append(body, 0, 2, 0, 0)
			return cti.AppendFrame(nil, cti.MsgOpenReq, body)
		}, want: cti.ECTIInvalidFieldLength},
		{name: "standby", cfg: sim.Config{Standby: true}, edit: func(r *cti.OpenReq) { r.AgentExtension = "1001" }, want: cti.ECTIServerNotMaster},
		{name: "UCCX standby", cfg: sim.Config{Product: sim.UCCX, Standby: true}, edit: func(r *cti.OpenReq) {
			r.VersionNumber, r.AgentExtension = 14, "1001"
		}, want: cti.ECTIServerNotMaster},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSim(t, tt.cfg)
			c := connect(t, srv, cti.V24)
			req := openReq("desk", agentSvc)
			if tt.edit != nil {
				tt.edit(req)
			}
			c.v = cti.Version(req.VersionNumber)
			if tt.cfg.Product == sim.UCCX {
				c.v |= cti.UCCX
			}
			req.InvokeID = 77
			if tt.raw != nil {
				if _, err := c.fw.WriteFrame(tt.raw(req, c.v)); err != nil {
					t.Fatal(err)
				}
			} else if _, err := c.fw.WriteMessage(req, c.v); err != nil {
				t.Fatal(err)
			}
			c.failure(77, tt.want)
			// The connection stays usable: a good OPEN_REQ after the rejection is served.
			if tt.want == cti.ECTIServerNotMaster {
				return
			}
			good := openReq("desk", agentSvc)
			good.AgentExtension = "1001"
			c.v = cti.V24
			if tt.cfg.Product == sim.UCCX {
				good.PeripheralID, good.VersionNumber, c.v = 1, 14, cti.UCCX|14
			}
			c.send(good)
			if tt.cfg.ClientPassword != "" {
				c.failure(c.invoke, cti.ECTIInvalidPassword)
				return
			}
			c.expect(cti.MsgOpenConf)
			n := srv.Counters()
			check(t, "rejected", n.SessionsRejected, 1)
			check(t, "failures["+tt.want.String()+"]", n.Failures[tt.want.String()], 1)
		})
	}
}

// fixedOpen is the 44-byte fixed part of an OPEN_REQ.
func fixedOpen(r *cti.OpenReq) []byte {
	var b []byte
	for _, x := range []uint32{r.InvokeID, r.VersionNumber, r.IdleTimeout, r.PeripheralID, uint32(r.ServicesRequested),
		uint32(r.CallMsgMask), uint32(r.AgentStateMask), uint32(r.ConfigMsgMask), r.Reserved1, r.Reserved2, r.Reserved3} {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return b
}

// TestOpenNarrowFieldsWithWideVersion: OPEN_REQ is decoded with whichever floating-field width
// parses; the session then speaks its version's width.
func TestOpenOtherWidth(t *testing.T) {
	srv := newSim(t, sim.Config{})
	c := connect(t, srv, cti.V14)
	req := openReq("desk", agentSvc)
	req.VersionNumber = 24
	req.AgentExtension = "1000"
	c.send(req) // encoded with 1-byte fields, announces v24
	c.v = cti.V24
	conf := c.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	check(t, "AgentExtension", conf.AgentExtension, "1000")
}

func TestSessionRequestErrors(t *testing.T) {
	srv := newSim(t, sim.Config{})
	c := connect(t, srv, cti.V24)
	c.name = "desk"

	// Before OPEN: E_CTI_SESSION_NOT_OPEN.
	inv := c.send(&cti.HeartbeatReq{})
	c.failure(inv, cti.ECTISessionNotOpen)

	req := openReq("desk", cti.CTIServiceClientEvents) // no CLIENT_CONTROL
	req.AgentExtension = "1000"
	c.send(req)
	c.expect(cti.MsgOpenConf)

	inv = c.send(openReq("desk", agentSvc))
	c.failure(inv, cti.ECTISessionAlreadyOpen)

	// A type outside the catalog, and a server→client type.
	c.fw.WriteFrame(cti.AppendFrame(nil, 999, []byte{0, 0, 0, 5}))
	c.failure(5, cti.ECTIInvalidMessageType)
	c.fw.WriteFrame(cti.AppendFrame(nil, cti.MsgOpenConf, []byte{0, 0, 0, 6}))
	c.failure(6, cti.ECTIInvalidMessageType)
	// A UCCX-only type on a UCCE session.
	c.fw.WriteFrame(cti.AppendFrame(nil, 223, []byte{0, 0, 0, 7}))
	c.failure(7, cti.ECTIInvalidMsgTypeForVersion)

	// A service not granted.
	inv = c.setState(cti.AgentStateLogin, 0, "5000")
	c.failure(inv, cti.ECTIFunctionNotAvailable)

	// Malformed: a fixed part cut short.
	c.fw.WriteFrame(cti.AppendFrame(nil, cti.MsgQueryAgentStateReq, []byte{0, 0, 0, 8, 0, 0}))
	c.failure(8, cti.ECTIBadMessageFormat)

	// A required field missing (MAKE_CALL_REQ needs AgentInstrument and DialedNumber) comes
	// before the service check.
	body := make([]byte, 32)
	binary.BigEndian.PutUint32(body, 9)
	c.fw.WriteFrame(cti.AppendFrame(nil, cti.MsgMakeCallReq, body))
	c.failure(9, cti.ECTIRequiredDataMissing)

	// A tag the layout does not list.
	q := &cti.QueryAgentStateReq{PeripheralID: sim.DefaultPeripheralID, Unknown: []cti.Field{{Tag: 190, Data: []byte("x\x00")}}}
	inv = c.send(q)
	c.failure(inv, cti.ECTIInvalidTagForMsgType)

	// A wrong PeripheralID.
	inv = c.send(&cti.QueryAgentStateReq{PeripheralID: 1})
	c.failure(inv, cti.ECTIInvalidPeripheralID)

	// Still fine afterwards.
	inv = c.send(&cti.QueryAgentStateReq{PeripheralID: sim.DefaultPeripheralID})
	qc := c.expect(cti.MsgQueryAgentStateConf)[0].(*cti.QueryAgentStateConf)
	check(t, "QUERY_AGENT_STATE_CONF InvokeID", qc.InvokeID, inv)
	check(t, "AgentState", qc.AgentState, cti.AgentStateLogout)
	check(t, "AgentExtension", qc.AgentExtension, "1000")
}

func TestDuplicateOpen(t *testing.T) {
	srv := newSim(t, sim.Config{})
	old, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	old.name = "old"

	// Another client for the same teleset: E_CTI_DEVICE_IN_USE, the first session is untouched.
	other := connect(t, srv, cti.V24)
	req := openReq("intruder", agentSvc)
	req.AgentExtension = "1000"
	inv := other.send(req)
	other.failure(inv, cti.ECTIDeviceInUse)

	// The same client again: the old session gets E_CTI_NEW_SESSION_OPENED and is closed.
	again, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	ev := old.expect(cti.MsgFailureEvent)[0].(*cti.FailureEvent)
	check(t, "FAILURE_EVENT status", ev.Status, cti.ECTINewSessionOpened)
	old.expectClosed()

	again.send(&cti.HeartbeatReq{})
	again.expect(cti.MsgHeartbeatConf)
	waitFor(t, "replaced session closed", func() bool { return srv.Counters().SessionsClosed == 1 })
	n := srv.Counters()
	check(t, "replaced", n.Replaced, 1)
	check(t, "active", n.SessionsActive, 1)
}

// TestIdleTimeout runs on the bubble's clock: the 40 ms pauses and the 100 ms timeout are exact,
// whatever else the machine runs.
func TestIdleTimeout(t *testing.T) { synctest.Test(t, testIdleTimeout) }

func testIdleTimeout(t *testing.T) {
	srv := newPipeSim(t, sim.Config{IdleTimeoutUnit: 5 * time.Millisecond})
	c := connect(t, srv, cti.V24)
	req := openReq("desk", agentSvc)
	req.AgentExtension = "1000"
	req.IdleTimeout = 20 // 100 ms with this unit
	c.send(req)
	c.expect(cti.MsgOpenConf)
	// Heartbeats keep it open past the timeout…
	for i := 0; i < 4; i++ {
		time.Sleep(40 * time.Millisecond)
		c.send(&cti.HeartbeatReq{})
		c.expect(cti.MsgHeartbeatConf)
	}
	// …silence ends it.
	start := time.Now()
	c.expectClosed()
	if d := time.Since(start); d != 100*time.Millisecond {
		t.Errorf("closed after %v of silence; want 100ms", d)
	}
	waitFor(t, "idle timeout counted", func() bool { return srv.Counters().IdleTimeouts == 1 })

	// IdleTimeout 0xFFFFFFFF: no heartbeats needed.
	c2 := connect(t, srv, cti.V24)
	req = openReq("desk2", agentSvc)
	req.AgentExtension = "1001"
	c2.send(req)
	c2.expect(cti.MsgOpenConf)
	time.Sleep(150 * time.Millisecond)
	c2.send(&cti.HeartbeatReq{})
	c2.expect(cti.MsgHeartbeatConf)
}

func TestMasksHonoured(t *testing.T) {
	srv := newSim(t, sim.Config{})
	// A monitor that wants only AVAILABLE agent events and no call events.
	mon := connect(t, srv, cti.V24)
	mon.name = "monitor"
	req := openReq("mon", cti.CTIServiceAllEvents)
	req.PeripheralID, req.CallMsgMask, req.AgentStateMask = 0xFFFFFFFF, 0, cti.AgentAvailableMask
	mon.send(req)
	mon.expect(cti.MsgOpenConf, cti.MsgSystemEvent)

	// An agent desktop that wants CALL_DELIVERED only and no agent events.
	c := connect(t, srv, cti.V24)
	c.name = "desk"
	req = openReq("desk", agentSvc)
	req.AgentExtension, req.CallMsgMask, req.AgentStateMask = "1000", cti.CallDeliveredMask, 0
	c.send(req)
	c.expect(cti.MsgOpenConf)

	c.setState(cti.AgentStateLogin, 0, "5000")
	c.expect(cti.MsgSetAgentStateConf)
	c.setState(cti.AgentStateAvailable, 0, "")
	c.expect(cti.MsgSetAgentStateConf)
	mon.agentState(cti.AgentStateAvailable) // NOT_READY was filtered out
	if _, err := srv.OfferCall(sim.CallOptions{}); err != nil {
		t.Fatal(err)
	}
	c.expect(cti.MsgCallDeliveredEvent) // no RESERVED, no BEGIN_CALL
	c.expectQuiet()
	mon.expectQuiet()
}

// TestUnsupportedRequestsListed: the requests docs/simulator.md lists under "What it does not
// emulate" are answered FAILURE_CONF E_CTI_FUNCTION_NOT_AVAILABLE with their InvokeID, the session
// stays open, and the counters name each one under unsupported. Raw layouts go as a bare InvokeID.
func TestUnsupportedRequestsListed(t *testing.T) {
	srv := newSim(t, teamCfg())
	c := connect(t, srv, cti.V24)
	req := openReq("supervisor console", agentSvc|cti.CTIServiceSupervisor|cti.CTIServicePeripheralMonitor)
	req.AgentExtension, req.AgentInstrument = "1009", "1009"
	c.send(req)
	c.expect(cti.MsgOpenConf)
	raw := []cti.MsgType{cti.MsgChangeMonitorMaskReq, cti.MsgSessionMonitorStartReq, cti.MsgSessionMonitorStopReq,
		cti.MsgAgentTeamConfigReq, cti.MsgMonitorAgentTeamStartReq, cti.MsgMonitorAgentTeamStopReq, cti.MsgListAgentTeamReq,
		cti.MsgMakePredictiveCallReq}
	want := map[string]int64{}
	for i, typ := range raw {
		inv := uint32(100 + i)
		if _, err := c.fw.WriteFrame(cti.AppendFrame(nil, typ, binary.BigEndian.AppendUint32(nil, inv))); err != nil {
			t.Fatal(err)
		}
		c.failure(inv, cti.ECTIFunctionNotAvailable)
		want[typ.String()] = 1
	}
	inv := c.send(&cti.DeflectCallReq{PeripheralID: c.pid, ConnectionCallID: 1, ConnectionDeviceIDType: cti.ConnectionIDDynamic,
		ConnectionDeviceID: "1009", CalledDeviceID: "1001"})
	c.failure(inv, cti.ECTIFunctionNotAvailable)
	want[cti.MsgDeflectCallReq.String()] = 1
	c.send(&cti.HeartbeatReq{})
	c.expect(cti.MsgHeartbeatConf) // still open
	check(t, "unsupported", srv.Counters().Unsupported, want)
}
