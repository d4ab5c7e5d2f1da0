package sim_test

import (
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

func TestAgentLoginReadyNotReadyLogout(t *testing.T) {
	srv := newSim(t, sim.Config{Agents: sim.AgentsConfig{
		Password: "pw", ReasonCodes: []uint16{10, 20}, ReasonCodeRequired: true, SkillGroups: []uint32{7, 8},
	}})
	mon := openAll(t, srv, cti.V24)
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	c.name = "desk"

	// Not logged in: state changes are refused.
	inv := c.setState(cti.AgentStateAvailable, 0, "")
	c.controlFailure(inv, cti.CFInvalidObjectState)

	// Login failures.
	inv = c.setState(cti.AgentStateLogin, 0, "4242")
	c.controlFailure(inv, cti.CFInvalidAgentIDSpecified)
	inv = c.send(&cti.SetAgentStateReq{PeripheralID: c.pid, AgentState: cti.AgentStateLogin, AgentID: "5000", AgentPassword: "bad"})
	c.controlFailure(inv, cti.CFInvalidPasswordSpecified)
	inv = c.send(&cti.SetAgentStateReq{PeripheralID: c.pid, AgentState: cti.AgentStateLogin, AgentID: "5000", AgentPassword: "pw", AgentInstrument: "1001"})
	c.controlFailure(inv, cti.CFInvalidLogonDeviceSpecified)

	// Login: CONF, then NOT_READY to the desk and the monitor.
	inv = c.setState(cti.AgentStateLogin, 0, "5000")
	conf := c.expect(cti.MsgSetAgentStateConf)[0].(*cti.SetAgentStateConf)
	check(t, "CONF InvokeID", conf.InvokeID, inv)
	ev := c.agentState(cti.AgentStateNotReady)
	check(t, "AgentID", ev.AgentID, "5000")
	check(t, "AgentExtension", ev.AgentExtension, "1000")
	check(t, "AgentInstrument", ev.AgentInstrument, "1000")
	check(t, "PeripheralID", ev.PeripheralID, sim.DefaultPeripheralID)
	check(t, "PeripheralType", ev.PeripheralType, cti.PeripheralEnterpriseAgent)
	check(t, "NumFltSkillGroups", ev.NumFltSkillGroups, 2)
	if len(ev.SkillGroups) != 2 || ev.SkillGroups[1].SkillGroupNumber != 8 || ev.SkillGroups[1].SkillGroupState != cti.AgentStateNotReady {
		t.Errorf("SkillGroups = %+v", ev.SkillGroups)
	}
	mon.agentState(cti.AgentStateNotReady)

	// Logged in already (here or elsewhere).
	inv = c.setState(cti.AgentStateLogin, 0, "5000")
	c.controlFailure(inv, cti.CFSpecifiedAgentAlreadySignedOn)
	c2, _ := openAgent(t, srv, cti.V24, "desk2", "1001", "")
	c2.name = "desk2"
	inv = c2.setState(cti.AgentStateLogin, 0, "5000")
	c2.controlFailure(inv, cti.CFSpecifiedAgentAlreadySignedOn)

	// Ready, then not ready with reason codes.
	c.setState(cti.AgentStateAvailable, 0, "")
	c.expect(cti.MsgSetAgentStateConf)
	ev = c.agentState(cti.AgentStateAvailable)
	check(t, "AgentAvailabilityStatus", ev.AgentAvailabilityStatus, cti.AvailabilityICMAvailable)
	mon.agentState(cti.AgentStateAvailable)

	inv = c.setState(cti.AgentStateNotReady, 0, "")
	c.controlFailure(inv, cti.CFReasonCodeRequired)
	inv = c.setState(cti.AgentStateNotReady, 99, "")
	c.controlFailure(inv, cti.CFInvalidAgentReasonCode)
	inv = c.setState(cti.AgentStateWorkReady, 0, "")
	c.controlFailure(inv, cti.CFGenericStateIncompatibility)
	inv = c.setState(cti.AgentStateTalking, 0, "")
	c.controlFailure(inv, cti.CFInvalidAgentWorkMode)
	// Logout only from NOT_READY.
	inv = c.setState(cti.AgentStateLogout, 10, "")
	c.controlFailure(inv, cti.CFGenericStateIncompatibility)

	c.setState(cti.AgentStateNotReady, 10, "")
	c.expect(cti.MsgSetAgentStateConf)
	ev = c.agentState(cti.AgentStateNotReady)
	check(t, "EventReasonCode", ev.EventReasonCode, 10)
	mon.agentState(cti.AgentStateNotReady)

	// Query.
	inv = c.send(&cti.QueryAgentStateReq{PeripheralID: c.pid})
	q := c.expect(cti.MsgQueryAgentStateConf)[0].(*cti.QueryAgentStateConf)
	check(t, "query InvokeID", q.InvokeID, inv)
	check(t, "query AgentState", q.AgentState, cti.AgentStateNotReady)
	check(t, "query AgentID", q.AgentID, "5000")
	check(t, "query NumSkillGroups", q.NumSkillGroups, 2)
	inv = mon.send(&cti.QueryAgentStateReq{PeripheralID: c.pid, AgentID: "5000"})
	q = mon.expect(cti.MsgQueryAgentStateConf)[0].(*cti.QueryAgentStateConf)
	check(t, "monitor query AgentExtension", q.AgentExtension, "1000")
	inv = mon.send(&cti.QueryAgentStateReq{PeripheralID: c.pid, AgentID: "77"})
	mon.failure(inv, cti.ECTIInvalidAgentData)

	// Logout with a reason code.
	inv = c.setState(cti.AgentStateLogout, 0, "")
	c.controlFailure(inv, cti.CFReasonCodeRequired)
	c.setState(cti.AgentStateLogout, 20, "")
	c.expect(cti.MsgSetAgentStateConf)
	ev = c.agentState(cti.AgentStateLogout)
	check(t, "logout EventReasonCode", ev.EventReasonCode, 20)
	mon.agentState(cti.AgentStateLogout)

	// The device is free again: the agent can log in on another one.
	c2.setState(cti.AgentStateLogin, 0, "5000")
	c2.expect(cti.MsgSetAgentStateConf)
	c2.agentState(cti.AgentStateNotReady)
	c.expectQuiet()
	check(t, "agents logged in", srv.Counters().Agents.LoggedIn, 1)
}

func TestAgentStateV14Layout(t *testing.T) {
	srv := newSim(t, sim.Config{})
	c, _ := openAgent(t, srv, cti.V14, "desk", "1000", "5000")
	c.loginReady("5000")
	inv := c.send(&cti.QueryAgentStateReq{PeripheralID: c.pid})
	q := c.expect(cti.MsgQueryAgentStateConf)[0].(*cti.QueryAgentStateConf)
	check(t, "InvokeID", q.InvokeID, inv)
	check(t, "AgentState", q.AgentState, cti.AgentStateAvailable)
}

func TestAgentOpenByID(t *testing.T) {
	srv := newSim(t, sim.Config{})
	c := connect(t, srv, cti.V24)
	req := openReq("desk", agentSvc)
	req.AgentID = "5003"
	c.send(req)
	conf := c.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	check(t, "AgentState", conf.AgentState, cti.AgentStateLogout)
	// Logging in needs an instrument when the session names no device.
	inv := c.setState(cti.AgentStateLogin, 0, "")
	c.failure(inv, cti.ECTIRequiredDataMissing)
	c.send(&cti.SetAgentStateReq{PeripheralID: c.pid, AgentState: cti.AgentStateLogin, AgentInstrument: "1003"})
	c.expect(cti.MsgSetAgentStateConf)
	ev := c.agentState(cti.AgentStateNotReady)
	check(t, "AgentInstrument", ev.AgentInstrument, "1003")
	// A second agent-mode session for the same agent ID from another client.
	c2 := connect(t, srv, cti.V24)
	req = openReq("other", agentSvc)
	req.AgentID = "5003"
	inv = c2.send(req)
	c2.failure(inv, cti.ECTIDeviceInUse)
	// By extension with the agent logged in elsewhere: inconsistent.
	req = openReq("other", agentSvc)
	req.AgentID, req.AgentExtension = "5003", "1004"
	inv = c2.send(req)
	c2.failure(inv, cti.ECTIInconsistentAgentData)
}

func TestWrapUpAndPendingState(t *testing.T) {
	srv := newSim(t, sim.Config{Agents: sim.AgentsConfig{WrapUpRequired: true}})
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	c.loginReady("5000")
	id, _ := srv.OfferCall(sim.CallOptions{})
	c.agentState(cti.AgentStateReserved)
	c.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
	c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
	c.agentState(cti.AgentStateTalking)

	// NOT_READY during the call is pending: the state stays, NextAgentState says what comes.
	c.setState(cti.AgentStateNotReady, 5, "")
	c.expect(cti.MsgSetAgentStateConf)
	ev := c.agentState(cti.AgentStateTalking)
	check(t, "NextAgentState", ev.NextAgentState, cti.AgentStateNotReady)
	if !ev.Present.Has(123) {
		t.Error("NextAgentState not sent")
	}
	inv := c.setState(cti.AgentStateLogout, 5, "")
	c.controlFailure(inv, cti.CFGenericStateIncompatibility)

	c.send(&cti.ClearConnectionReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
	c.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	ev = c.agentState(cti.AgentStateWorkNotReady)
	check(t, "wrap-up reason", ev.EventReasonCode, 5)

	// From wrap-up: READY.
	c.setState(cti.AgentStateAvailable, 0, "")
	c.expect(cti.MsgSetAgentStateConf)
	c.agentState(cti.AgentStateAvailable)
}

func TestWrapUpTimeAndAfterCallNotReady(t *testing.T) {
	srv := newSim(t, sim.Config{Agents: sim.AgentsConfig{WrapUpRequired: true, WrapUpTime: 30 * time.Millisecond}})
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	c.loginReady("5000")
	id, _ := srv.OfferCall(sim.CallOptions{})
	c.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)
	c.send(&cti.ClearCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c.expect(cti.MsgClearCallConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	c.agentState(cti.AgentStateWorkReady)
	c.agentState(cti.AgentStateAvailable) // after WrapUpTime

	srv2 := newSim(t, sim.Config{Agents: sim.AgentsConfig{AfterCallNotReady: true}})
	c2, _ := openAgent(t, srv2, cti.V24, "desk", "1000", "")
	c2.loginReady("5000")
	id, _ = srv2.OfferCall(sim.CallOptions{})
	c2.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	c2.send(&cti.AnswerCallReq{PeripheralID: c2.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c2.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)
	c2.send(&cti.ClearConnectionReq{PeripheralID: c2.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c2.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	c2.agentState(cti.AgentStateNotReady)
}

func TestLogoutOnClose(t *testing.T) {
	srv := newSim(t, sim.Config{Agents: sim.AgentsConfig{LogoutOnClose: true}})
	mon := openAll(t, srv, cti.V24)
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	c.loginReady("5000")
	mon.agentState(cti.AgentStateNotReady)
	mon.agentState(cti.AgentStateAvailable)
	c.conn.Close()
	mon.agentState(cti.AgentStateLogout)
}
