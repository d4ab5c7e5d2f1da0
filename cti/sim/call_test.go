package sim_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

func callCfg() sim.Config {
	return sim.Config{
		Agents: sim.AgentsConfig{Count: 10, SkillGroups: []uint32{3}},
		Calls: sim.CallsConfig{
			CallVariables:  [10]string{"cv1", "", "cv3"},
			NamedVariables: []cti.NamedVariable{{Name: "user.lang", Value: "en"}},
		},
	}
}

func TestInboundAnswerHoldRetrieveClear(t *testing.T) {
	for _, v := range []cti.Version{cti.V14, cti.V24} {
		t.Run(v.String(), func(t *testing.T) {
			srv := newSim(t, callCfg())
			mon := openAll(t, srv, v)
			c, _ := openAgent(t, srv, v, "desk", "1000", "")
			c.loginReady("5000")
			mon.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent)

			id, err := srv.OfferCall(sim.CallOptions{ANI: "5551234", DNIS: "8000"})
			if err != nil {
				t.Fatal(err)
			}
			// The monitor sees the call arrive and queue, then the routing.
			ms := mon.expect(cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent)
			bc := ms[0].(*cti.BeginCallEvent)
			check(t, "monitor BEGIN_CALL CallType", bc.CallType, cti.CallTypeACDIn)
			check(t, "monitor BEGIN_CALL ConnectionCallID", bc.ConnectionCallID, id)
			q := ms[1].(*cti.CallQueuedEvent)
			check(t, "CALL_QUEUED LCS", q.LocalConnectionState, cti.LCSQueued)
			check(t, "CALL_QUEUED skill group", q.SkillGroups[0].SkillGroupNumber, 3)

			// The agent: RESERVED, BEGIN_CALL, CALL_DELIVERED (alerting).
			c.agentState(cti.AgentStateReserved)
			ms = c.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
			bc = ms[0].(*cti.BeginCallEvent)
			check(t, "BEGIN_CALL ANI", bc.ANI, "5551234")
			check(t, "BEGIN_CALL DNIS", bc.DNIS, "8000")
			check(t, "BEGIN_CALL CallVariable1", bc.CallVariable1, "cv1")
			check(t, "BEGIN_CALL CallVariable3", bc.CallVariable3, "cv3")
			check(t, "BEGIN_CALL NamedVariables", bc.NamedVariables, []cti.NamedVariable{{Name: "user.lang", Value: "en"}})
			check(t, "BEGIN_CALL ConnectionDeviceID", bc.ConnectionDeviceID, "1000")
			dl := ms[1].(*cti.CallDeliveredEvent)
			check(t, "DELIVERED call ID", dl.ConnectionCallID, id)
			check(t, "DELIVERED ConnectionDeviceIDType", dl.ConnectionDeviceIDType, cti.ConnectionIDDynamic)
			check(t, "DELIVERED ConnectionDeviceID", dl.ConnectionDeviceID, "1000")
			check(t, "DELIVERED LCS", dl.LocalConnectionState, cti.LCSAlerting)
			check(t, "DELIVERED AlertingDeviceType", dl.AlertingDeviceType, cti.DevIDAgentDevice)
			check(t, "DELIVERED CallingDeviceID", dl.CallingDeviceID, "5551234")
			check(t, "DELIVERED CallingDeviceType", dl.CallingDeviceType, cti.DevIDExternal)
			check(t, "DELIVERED LastRedirectDeviceType", dl.LastRedirectDeviceType, cti.DevIDRoutePoint)
			check(t, "DELIVERED LineType", dl.LineType, cti.LineTypeInboundACD)
			check(t, "DELIVERED SkillGroupNumber", dl.SkillGroupNumber, 3)
			check(t, "DELIVERED EventCause", dl.EventCause, cti.CECNone)
			check(t, "DELIVERED ANI", dl.ANI, "5551234")

			// Answer.
			c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
			ms = c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
			es := ms[1].(*cti.CallEstablishedEvent)
			check(t, "ESTABLISHED LCS", es.LocalConnectionState, cti.LCSConnect)
			check(t, "ESTABLISHED AnsweringDeviceID", es.AnsweringDeviceID, "1000")
			c.agentState(cti.AgentStateTalking)
			mon.expect(cti.MsgCallEstablishedEvent)
			mon.agentState(cti.AgentStateTalking)

			// Hold and retrieve.
			c.send(&cti.HoldCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
			ms = c.expect(cti.MsgHoldCallConf, cti.MsgCallHeldEvent)
			check(t, "HELD LCS", ms[1].(*cti.CallHeldEvent).LocalConnectionState, cti.LCSHold)
			check(t, "HELD HoldingDeviceID", ms[1].(*cti.CallHeldEvent).HoldingDeviceID, "1000")
			c.agentState(cti.AgentStateHold)
			inv := c.send(&cti.HoldCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
			c.controlFailure(inv, cti.CFNoActiveCall)
			c.send(&cti.RetrieveCallReq{PeripheralID: c.pid, HeldConnectionCallID: id, HeldConnectionDeviceID: "1000"})
			ms = c.expect(cti.MsgRetrieveCallConf, cti.MsgCallRetrievedEvent)
			check(t, "RETRIEVED LCS", ms[1].(*cti.CallRetrievedEvent).LocalConnectionState, cti.LCSConnect)
			c.agentState(cti.AgentStateTalking)
			mon.expect(cti.MsgCallHeldEvent, cti.MsgAgentStateEvent, cti.MsgCallRetrievedEvent, cti.MsgAgentStateEvent)

			// Snapshot.
			inv = c.send(&cti.SnapshotCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
			sn := c.expect(cti.MsgSnapshotCallConf)[0].(*cti.SnapshotCallConf)
			check(t, "SNAPSHOT InvokeID", sn.InvokeID, inv)
			check(t, "SNAPSHOT CallType", sn.CallType, cti.CallTypeACDIn)
			check(t, "SNAPSHOT NumCallDevices", sn.NumCallDevices, 2)
			if len(sn.CallDevices) == 2 {
				check(t, "SNAPSHOT caller", sn.CallDevices[0].CallDeviceID, "5551234")
				check(t, "SNAPSHOT caller type", sn.CallDevices[0].CallDeviceIDType, cti.DevIDExternal)
				check(t, "SNAPSHOT agent state", sn.CallDevices[1].CallDeviceConnectionState, cti.LCSConnect)
			}

			// DTMF.
			inv = c.send(&cti.SendDTMFSignalReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000", DTMFString: "123#"})
			d := c.expect(cti.MsgSendDTMFSignalConf)[0].(*cti.SendDTMFSignalConf)
			check(t, "DTMF InvokeID", d.InvokeID, inv)

			// Clear the agent's connection: the call ends.
			c.send(&cti.ClearConnectionReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
			ms = c.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
			cc := ms[1].(*cti.CallConnectionClearedEvent)
			check(t, "CONN_CLEARED releasing", cc.ReleasingDeviceID, "1000")
			check(t, "CONN_CLEARED LCS", cc.LocalConnectionState, cti.LCSNull)
			check(t, "END_CALL call ID", ms[3].(*cti.EndCallEvent).ConnectionCallID, id)
			c.agentState(cti.AgentStateAvailable)
			mon.expect(cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgAgentStateEvent)

			// The call is gone.
			inv = c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
			c.controlFailure(inv, cti.CFInvalidCSTACallIdentifier)
			c.expectQuiet()
			mon.expectQuiet()
			n := srv.Counters()
			check(t, "offered", n.Calls.Offered, 1)
			check(t, "answered", n.Calls.Answered, 1)
			check(t, "cleared", n.Calls.Cleared, 1)
			check(t, "active", n.Calls.Active, 0)
		})
	}
}

func TestAnswerUnknownCallID(t *testing.T) {
	srv := newSim(t, callCfg())
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	inv := c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: 0xFFFFFFFF, ConnectionDeviceIDType: cti.ConnectionIDNone, AgentInstrument: "1000"})
	c.controlFailure(inv, cti.CFNoCallToAnswer)
	c.loginReady("5000")
	id, _ := srv.OfferCall(sim.CallOptions{})
	c.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	// 0xFFFFFFFF: "the alerting call".
	c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: 0xFFFFFFFF, ConnectionDeviceIDType: cti.ConnectionIDNone, AgentInstrument: "1000"})
	es := c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)[1].(*cti.CallEstablishedEvent)
	check(t, "call ID", es.ConnectionCallID, id)
	// Another desk may not touch this call.
	c2, _ := openAgent(t, srv, cti.V24, "desk2", "1001", "")
	inv = c2.send(&cti.ClearCallReq{PeripheralID: c2.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c2.controlFailure(inv, cti.CFPrivilegeViolationOnSpecifiedDevice)
}

func TestCallerHangUp(t *testing.T) {
	cfg := callCfg()
	cfg.Calls.TalkTime = sim.Fixed(40 * time.Millisecond)
	srv := newSim(t, cfg)
	mon := openAll(t, srv, cti.V24)
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	c.loginReady("5000")
	id, _ := srv.OfferCall(sim.CallOptions{ANI: "5550000"})
	c.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)
	// The caller hangs up after the talk time.
	ms := c.expect(cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	cc := ms[0].(*cti.CallConnectionClearedEvent)
	check(t, "releasing", cc.ReleasingDeviceID, "5550000")
	check(t, "releasing type", cc.ReleasingDeviceType, cti.DevIDExternal)
	c.agentState(cti.AgentStateAvailable)
	mon.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent,
		cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent,
		cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgAgentStateEvent)
	check(t, "hung up", srv.Counters().Calls.HungUp, 1)
}

// TestRONARequeue runs on the bubble's clock: the 40 ms ring-no-answer timer fires for A, who
// does not answer, and never for B, who answers at once, however slow the machine.
func TestRONARequeue(t *testing.T) { synctest.Test(t, testRONARequeue) }

func testRONARequeue(t *testing.T) {
	cfg := callCfg()
	cfg.Agents.RingNoAnswer = 40 * time.Millisecond
	srv := newPipeSim(t, cfg)
	mon := openAll(t, srv, cti.V24)
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	a.name = "A"
	b, _ := openAgent(t, srv, cti.V24, "deskB", "1001", "")
	b.name = "B"
	a.loginReady("5000") // A is ready first: longest available
	b.loginReady("5001")
	mon.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgAgentStateEvent)

	id, _ := srv.OfferCall(sim.CallOptions{})
	a.agentState(cti.AgentStateReserved)
	a.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	// A does not answer: the call is taken back, A goes NOT_READY with the RONA reason code.
	cc := a.expect(cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent)[0].(*cti.CallConnectionClearedEvent)
	check(t, "RONA EventCause", cc.EventCause, cti.CECCallNotAnswered)
	ev := a.agentState(cti.AgentStateNotReady)
	check(t, "RONA reason", ev.EventReasonCode, sim.DefaultRONAReasonCode)
	// B gets it.
	b.agentState(cti.AgentStateReserved)
	dl := b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)[1].(*cti.CallDeliveredEvent)
	check(t, "re-offered call", dl.ConnectionCallID, id)
	mon.expect(cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent,
		cti.MsgCallConnectionClearedEvent, cti.MsgAgentStateEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent)
	b.send(&cti.AnswerCallReq{PeripheralID: b.pid, ConnectionCallID: id, ConnectionDeviceID: "1001"})
	b.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)
	n := srv.Counters()
	check(t, "requeued", n.Calls.Requeued, 1)
	check(t, "delivered", n.Calls.Delivered, 2)
}

func TestQueueTimeoutAbandon(t *testing.T) {
	cfg := callCfg()
	cfg.Calls.QueueTimeout = 30 * time.Millisecond
	srv := newSim(t, cfg)
	mon := openAll(t, srv, cti.V24)
	srv.OfferCall(sim.CallOptions{})
	ms := mon.expect(cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	// docs/simulator.md "Skill groups", row 3: the caller left, so CEC_CALL_CANCELLED.
	dq := ms[2].(*cti.CallDequeuedEvent)
	check(t, "CALL_DEQUEUED_EVENT", []any{dq.SkillGroups[0].SkillGroupNumber, dq.NumQueued, dq.EventCause}, []any{3, 0, cti.CECCallCancelled})
	check(t, "abandoned", srv.Counters().Calls.Abandoned, 1)
}

func TestSetCallData(t *testing.T) {
	srv := newSim(t, callCfg())
	mon := openAll(t, srv, cti.V24)
	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	c.loginReady("5000")
	id, _ := srv.OfferCall(sim.CallOptions{})
	c.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	mon.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent)

	req := &cti.SetCallDataReq{PeripheralID: c.pid, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionCallID: id, ConnectionDeviceID: "1000",
		CallVariable2: "new2", CallWrapupData: "wrap", NumNamedVariables: 1,
		NamedVariables: []cti.NamedVariable{{Name: "user.lang", Value: "fr"}}}
	inv := c.send(req)
	conf := c.expect(cti.MsgSetCallDataConf)[0].(*cti.SetCallDataConf)
	check(t, "CONF InvokeID", conf.InvokeID, inv)
	up := c.expect(cti.MsgCallDataUpdateEvent)[0].(*cti.CallDataUpdateEvent)
	// Only what changed travels (docs/simulator.md): CallVariable1 is not resent, but kept.
	check(t, "CallVariable1 not resent", []any{up.CallVariable1, up.Present.Has(cti.TagCallVariable1)}, []any{"", false})
	check(t, "ANI not resent", up.ANI, "")
	check(t, "CallVariable2", up.CallVariable2, "new2")
	check(t, "CallWrapupData", up.CallWrapupData, "wrap")
	check(t, "NamedVariables", up.NamedVariables, []cti.NamedVariable{{Name: "user.lang", Value: "fr"}})
	check(t, "ConnectionCallID", up.ConnectionCallID, id)
	mon.expect(cti.MsgCallDataUpdateEvent)
	c.send(&cti.SnapshotCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
	sn := c.expect(cti.MsgSnapshotCallConf)[0].(*cti.SnapshotCallConf)
	check(t, "snapshot keeps CallVariable1, has CallVariable2", []string{sn.CallVariable1, sn.CallVariable2}, []string{"cv1", "new2"})
	// The same data again changes nothing: an update with no call data.
	c.send(req)
	c.expect(cti.MsgSetCallDataConf)
	up = c.expect(cti.MsgCallDataUpdateEvent)[0].(*cti.CallDataUpdateEvent)
	check(t, "nothing changed", []any{up.CallVariable2, up.CallWrapupData, len(up.NamedVariables)}, []any{"", "", 0})
	mon.expect(cti.MsgCallDataUpdateEvent)

	// Counts that do not match the named variables.
	req.NumNamedVariables = 3
	inv = c.send(req)
	c.failure(inv, cti.ECTIInvalidNumNamedVariables)
	// An unknown call.
	req.NumNamedVariables, req.ConnectionCallID = 1, 999999
	inv = c.send(req)
	c.failure(inv, cti.ECTIInvalidCallid)
}
