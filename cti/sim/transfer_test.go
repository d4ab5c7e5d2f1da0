package sim_test

import (
	"testing"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// twoAgents opens a monitor and agents A (1000/5000) and B (1001/5001), both ready, and gives A
// an answered inbound call.
func twoAgents(t *testing.T, cfg sim.Config) (srv *sim.Server, mon, a, b *client, c1 uint32) {
	t.Helper()
	srv = newSim(t, cfg)
	mon = openAll(t, srv, cti.V24)
	a, _ = openAgent(t, srv, cti.V24, "deskA", "1000", "")
	a.name = "A"
	b, _ = openAgent(t, srv, cti.V24, "deskB", "1001", "")
	b.name = "B"
	a.loginReady("5000")
	c1, _ = srv.OfferCall(sim.CallOptions{ANI: "5550100"})
	a.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	a.send(&cti.AnswerCallReq{PeripheralID: a.pid, ConnectionCallID: c1, ConnectionDeviceID: "1000"})
	a.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
	a.agentState(cti.AgentStateTalking)
	b.loginReady("5001")
	mon.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent,
		cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent,
		cti.MsgAgentStateEvent, cti.MsgAgentStateEvent)
	return srv, mon, a, b, c1
}

// consult has A consult B (1001) and B answer; it returns the consultation call ID.
func consult(t *testing.T, a, b *client, c1 uint32) uint32 {
	t.Helper()
	inv := a.send(&cti.ConsultationCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c1, ActiveConnectionDeviceIDType: cti.ConnectionIDDynamic,
		ActiveConnectionDeviceID: "1000", DialedNumber: "1001", ConsultType: cti.ConsultTypeTransfer})
	ms := a.expect(cti.MsgConsultationCallConf, cti.MsgCallHeldEvent, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent,
		cti.MsgCallOriginatedEvent, cti.MsgCallDeliveredEvent)
	conf := ms[0].(*cti.ConsultationCallConf)
	check(t, "CONSULTATION_CALL_CONF InvokeID", conf.InvokeID, inv)
	c2 := conf.NewConnectionCallID
	check(t, "NewConnectionDeviceID", conf.NewConnectionDeviceID, "1000")
	check(t, "held call", ms[1].(*cti.CallHeldEvent).ConnectionCallID, c1)
	bc := ms[2].(*cti.BeginCallEvent)
	check(t, "consult CallType", bc.CallType, cti.CallTypeConsult)
	check(t, "consult ANI carried", bc.ANI, "5550100")
	or := ms[4].(*cti.CallOriginatedEvent)
	check(t, "ORIGINATED called", or.CalledDeviceID, "1001")
	check(t, "ORIGINATED calling", or.CallingDeviceID, "1000")
	dl := ms[5].(*cti.CallDeliveredEvent)
	check(t, "DELIVERED at", dl.AlertingDeviceID, "1001")
	check(t, "DELIVERED call", dl.ConnectionCallID, c2)

	b.agentState(cti.AgentStateReserved)
	ms = b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	check(t, "B BEGIN_CALL call", ms[0].(*cti.BeginCallEvent).ConnectionCallID, c2)
	check(t, "B DELIVERED calling", ms[1].(*cti.CallDeliveredEvent).CallingDeviceID, "1000")

	b.send(&cti.AnswerCallReq{PeripheralID: b.pid, ConnectionCallID: c2, ConnectionDeviceID: "1001"})
	b.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
	b.agentState(cti.AgentStateTalking)
	es := a.expect(cti.MsgCallEstablishedEvent)[0].(*cti.CallEstablishedEvent)
	check(t, "A sees B answer", es.AnsweringDeviceID, "1001")
	return c2
}

func TestConsultTransfer(t *testing.T) {
	srv, mon, a, b, c1 := twoAgents(t, callCfg())
	c2 := consult(t, a, b, c1)
	mon.expect(cti.MsgCallHeldEvent, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent, cti.MsgCallOriginatedEvent,
		cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)

	inv := a.send(&cti.TransferCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c2, HeldConnectionCallID: c1,
		ActiveConnectionDeviceIDType: cti.ConnectionIDDynamic, HeldConnectionDeviceIDType: cti.ConnectionIDDynamic,
		ActiveConnectionDeviceID: "1000", HeldConnectionDeviceID: "1000"})
	ms := a.expect(cti.MsgTransferCallConf, cti.MsgCallTransferredEvent,
		cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent, // C1
		cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent) // C2
	conf := ms[0].(*cti.TransferCallConf)
	check(t, "CONF InvokeID", conf.InvokeID, inv)
	check(t, "CONF NewConnectionCallID", conf.NewConnectionCallID, c1)
	tr := ms[1].(*cti.CallTransferredEvent)
	check(t, "PrimaryCallID", tr.PrimaryCallID, c1)
	check(t, "SecondaryCallID", tr.SecondaryCallID, c2)
	check(t, "TransferringDeviceID", tr.TransferringDeviceID, "1000")
	check(t, "TransferredDeviceID", tr.TransferredDeviceID, "1001")
	// NumParties counts who stays on C1: the caller and B; A, the transferring party, leaves.
	check(t, "NumParties", tr.NumParties, 2)
	check(t, "parties", partyIDs(tr.Parties), []string{"5550100", "1001"})
	check(t, "EventCause", tr.EventCause, cti.CECTransfer)
	checkConsultLegCleared(t, ms[4:], c2, cti.CECTransfer)
	check(t, "A cleared on C1", ms[2].(*cti.CallConnectionClearedEvent).ConnectionCallID, c1)
	check(t, "A END_CALL C1", ms[3].(*cti.EndCallEvent).ConnectionCallID, c1)
	check(t, "A cleared on C2", ms[4].(*cti.CallConnectionClearedEvent).ConnectionCallID, c2)
	a.agentState(cti.AgentStateAvailable)

	ms = b.expect(cti.MsgCallTransferredEvent, cti.MsgCallDataUpdateEvent, cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent)
	up := ms[1].(*cti.CallDataUpdateEvent)
	check(t, "B moved from", up.ConnectionCallID, c2)
	check(t, "B moved to", up.NewConnectionCallID, c1)
	check(t, "B data", up.ANI, "5550100")
	check(t, "B END_CALL C2", ms[3].(*cti.EndCallEvent).ConnectionCallID, c2)
	b.expectQuiet() // B stays TALKING on C1

	// B now owns C1 and ends it.
	b.send(&cti.ClearConnectionReq{PeripheralID: b.pid, ConnectionCallID: c1, ConnectionDeviceID: "1001"})
	b.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	b.agentState(cti.AgentStateAvailable)
	a.expectQuiet()
	ms = mon.expect(cti.MsgCallTransferredEvent, cti.MsgCallConnectionClearedEvent, cti.MsgCallConnectionClearedEvent,
		cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgAgentStateEvent,
		cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgAgentStateEvent)
	checkConsultLegCleared(t, ms[2:5], c2, cti.CECTransfer)
	n := srv.Counters()
	check(t, "transfers", n.Calls.Transfers, 1)
	check(t, "consults", n.Calls.Consults, 1)
	check(t, "active calls", n.Calls.Active, 0)
}

func TestConsultFailures(t *testing.T) {
	_, _, a, b, c1 := twoAgents(t, callCfg())
	// B not ready: not a valid destination; nothing changes.
	b.setState(cti.AgentStateNotReady, 0, "")
	b.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent)
	for _, n := range []string{"1001", "1000", "4242", ""} {
		inv := a.send(&cti.ConsultationCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c1, ActiveConnectionDeviceID: "1000", DialedNumber: n})
		a.controlFailure(inv, cti.CFInvalidCalledDevice)
	}
	// Transfer without a consultation.
	inv := a.send(&cti.TransferCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c1, HeldConnectionCallID: 4242, ActiveConnectionDeviceID: "1000"})
	a.controlFailure(inv, cti.CFInvalidCSTACallIdentifier)
	a.expectQuiet()
}

func TestConsultReconnect(t *testing.T) {
	_, _, a, b, c1 := twoAgents(t, callCfg())
	c2 := consult(t, a, b, c1)
	a.send(&cti.ReconnectCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c2, HeldConnectionCallID: c1, ActiveConnectionDeviceID: "1000", HeldConnectionDeviceID: "1000"})
	ms := a.expect(cti.MsgReconnectCallConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgCallRetrievedEvent)
	check(t, "retrieved", ms[4].(*cti.CallRetrievedEvent).ConnectionCallID, c1)
	b.expect(cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	b.agentState(cti.AgentStateAvailable)
	a.expectQuiet() // A was TALKING throughout
}

func TestSingleStepTransfer(t *testing.T) {
	_, _, a, b, c1 := twoAgents(t, callCfg())
	inv := a.send(&cti.TransferCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c1, HeldConnectionCallID: 0xFFFFFFFF,
		ActiveConnectionDeviceIDType: cti.ConnectionIDDynamic, HeldConnectionDeviceIDType: cti.ConnectionIDNone,
		ActiveConnectionDeviceID: "1000", DialedNumber: "1001"})
	ms := a.expect(cti.MsgTransferCallConf, cti.MsgCallTransferredEvent, cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent)
	check(t, "CONF InvokeID", ms[0].(*cti.TransferCallConf).InvokeID, inv)
	tr := ms[1].(*cti.CallTransferredEvent)
	check(t, "Primary = Secondary", tr.SecondaryCallID, c1)
	check(t, "TransferredDeviceID", tr.TransferredDeviceID, "1001")
	a.agentState(cti.AgentStateAvailable)
	b.agentState(cti.AgentStateReserved)
	// B is a party already when A's connection is cleared.
	b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent, cti.MsgCallTransferredEvent, cti.MsgCallConnectionClearedEvent)
	b.send(&cti.AnswerCallReq{PeripheralID: b.pid, ConnectionCallID: c1, ConnectionDeviceID: "1001"})
	b.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
	b.agentState(cti.AgentStateTalking)
}

func TestBlindTransferToQueue(t *testing.T) {
	_, _, a, b, c1 := twoAgents(t, callCfg())
	a.send(&cti.TransferCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c1, HeldConnectionCallID: 0xFFFFFFFF,
		HeldConnectionDeviceIDType: cti.ConnectionIDNone, ActiveConnectionDeviceID: "1000", DialedNumber: sim.DefaultDialedNumber})
	a.expect(cti.MsgTransferCallConf)
	// The call queues and B (the only available agent) gets it, then A is released. A was
	// routed the call earlier and is not available until its release.
	b.agentState(cti.AgentStateReserved)
	b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	a.expect(cti.MsgCallTransferredEvent, cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent)
	a.agentState(cti.AgentStateAvailable)
}

func TestConference(t *testing.T) {
	srv, mon, a, b, c1 := twoAgents(t, callCfg())
	c2 := consult(t, a, b, c1)
	inv := a.send(&cti.ConferenceCallReq{PeripheralID: a.pid, HeldConnectionCallID: c1, ActiveConnectionCallID: c2,
		HeldConnectionDeviceIDType: cti.ConnectionIDDynamic, ActiveConnectionDeviceIDType: cti.ConnectionIDDynamic,
		ActiveConnectionDeviceID: "1000", HeldConnectionDeviceID: "1000"})
	// C2 ends as after a transfer: A's leg cleared, the call cleared, END_CALL (docs/simulator.md).
	ms := a.expect(cti.MsgConferenceCallConf, cti.MsgCallConferencedEvent,
		cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	checkConsultLegCleared(t, ms[2:], c2, cti.CECNone)
	conf := ms[0].(*cti.ConferenceCallConf)
	check(t, "CONF InvokeID", conf.InvokeID, inv)
	check(t, "CONF NumParties", conf.NumParties, 3)
	ev := ms[1].(*cti.CallConferencedEvent)
	check(t, "PrimaryCallID", ev.PrimaryCallID, c1)
	check(t, "SecondaryCallID", ev.SecondaryCallID, c2)
	check(t, "Controller", ev.ControllerDeviceID, "1000")
	check(t, "AddedParty", ev.AddedPartyDeviceID, "1001")
	check(t, "NumParties", ev.NumParties, 3)
	if len(ev.Parties) == 3 {
		check(t, "party 0", ev.Parties[0].ConnectedPartyDeviceID, "5550100")
		check(t, "party 2", ev.Parties[2].ConnectedPartyDeviceID, "1001")
		check(t, "party call", ev.Parties[2].ConnectedPartyCallID, c1)
		// Tag 40 carries the party's device type (golden vector: DEVID_EXTERNAL for an outside party).
		check(t, "party 0 type", ev.Parties[0].ConnectedPartyDeviceIDType, cti.DevIDExternal)
		check(t, "party 2 type", ev.Parties[2].ConnectedPartyDeviceIDType, cti.DevIDAgentDevice)
	}
	ms = b.expect(cti.MsgCallConferencedEvent, cti.MsgCallDataUpdateEvent, cti.MsgEndCallEvent)
	check(t, "B moved to", ms[1].(*cti.CallDataUpdateEvent).NewConnectionCallID, c1)
	a.expectQuiet()
	b.expectQuiet()
	mon.expect(cti.MsgCallHeldEvent, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent, cti.MsgCallOriginatedEvent,
		cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)
	ms = mon.expect(cti.MsgCallConferencedEvent, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	checkConsultLegCleared(t, ms[1:], c2, cti.CECNone)
	mon.expectQuiet()

	// A leaves the conference: the caller and B stay.
	a.send(&cti.ClearConnectionReq{PeripheralID: a.pid, ConnectionCallID: c1, ConnectionDeviceID: "1000"})
	a.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent)
	a.agentState(cti.AgentStateAvailable)
	b.expect(cti.MsgCallConnectionClearedEvent)
	b.expectQuiet()
	inv = b.send(&cti.SnapshotCallReq{PeripheralID: b.pid, ConnectionCallID: c1})
	sn := b.expect(cti.MsgSnapshotCallConf)[0].(*cti.SnapshotCallConf)
	check(t, "devices left", sn.NumCallDevices, 2)
	check(t, "conferences", srv.Counters().Calls.Conferences, 1)
}

func TestMakeCall(t *testing.T) {
	srv := newSim(t, callCfg())
	mon := openAll(t, srv, cti.V24)
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	a.name = "A"
	b, _ := openAgent(t, srv, cti.V24, "deskB", "1001", "")
	b.name = "B"
	a.setState(cti.AgentStateLogin, 0, "5000")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateNotReady)
	b.loginReady("5001")

	inv := a.send(&cti.MakeCallReq{PeripheralID: a.pid, AgentInstrument: "1000", DialedNumber: "1001", CallVariable1: "x"})
	ms := a.expect(cti.MsgMakeCallConf, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent, cti.MsgCallOriginatedEvent,
		cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent)
	conf := ms[0].(*cti.MakeCallConf)
	check(t, "CONF InvokeID", conf.InvokeID, inv)
	id := conf.NewConnectionCallID
	check(t, "NewConnectionDeviceID", conf.NewConnectionDeviceID, "1000")
	check(t, "CallType", ms[1].(*cti.BeginCallEvent).CallType, cti.CallTypeAgentInside)
	check(t, "CallVariable1", ms[1].(*cti.BeginCallEvent).CallVariable1, "x")
	check(t, "ORIGINATED call", ms[3].(*cti.CallOriginatedEvent).ConnectionCallID, id)
	check(t, "A talking", ms[4].(*cti.AgentStateEvent).AgentState, cti.AgentStateTalking)
	check(t, "DELIVERED to", ms[5].(*cti.CallDeliveredEvent).AlertingDeviceID, "1001")
	b.agentState(cti.AgentStateReserved)
	b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	b.send(&cti.AnswerCallReq{PeripheralID: b.pid, ConnectionCallID: id, ConnectionDeviceID: "1001"})
	b.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
	b.agentState(cti.AgentStateTalking)
	a.expect(cti.MsgCallEstablishedEvent)

	// A second call while busy is refused.
	inv = a.send(&cti.MakeCallReq{PeripheralID: a.pid, AgentInstrument: "1000", DialedNumber: "91234"})
	a.controlFailure(inv, cti.CFGenericStateIncompatibility)

	// B hangs up: the call ends for both; A goes back to NOT_READY (where it started).
	b.send(&cti.ClearCallReq{PeripheralID: b.pid, ConnectionCallID: id, ConnectionDeviceID: "1001"})
	b.expect(cti.MsgClearCallConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	b.agentState(cti.AgentStateAvailable)
	a.expect(cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	a.agentState(cti.AgentStateNotReady)

	// An outside number answers at once.
	a.send(&cti.MakeCallReq{PeripheralID: a.pid, AgentInstrument: "1000", DialedNumber: "95551234"})
	ms = a.expect(cti.MsgMakeCallConf, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent, cti.MsgCallOriginatedEvent,
		cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent, cti.MsgCallEstablishedEvent)
	check(t, "outside CallType", ms[1].(*cti.BeginCallEvent).CallType, cti.CallTypeAgentOut)
	check(t, "outside answering type", ms[6].(*cti.CallEstablishedEvent).AnsweringDeviceType, cti.DevIDExternal)
	mon.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgAgentStateEvent)
	check(t, "made calls", srv.Counters().Calls.MadeCalls, 2)
}

func TestUserMessage(t *testing.T) {
	srv := newSim(t, sim.Config{})
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	b, _ := openAgent(t, srv, cti.V14, "deskB", "1001", "")
	inv := a.send(&cti.UserMessageReq{PeripheralID: a.pid, ClientID: "deskB", Text: "hello"})
	conf := a.expect(cti.MsgUserMessageConf)[0].(*cti.UserMessageConf)
	check(t, "CONF InvokeID", conf.InvokeID, inv)
	ev := b.expect(cti.MsgUserMessageEvent)[0].(*cti.UserMessageEvent)
	check(t, "USER_MESSAGE_EVENT", []any{ev.Distribution, ev.ClientID, ev.Text}, []any{cti.DistributeToClient, "deskA", "hello"})
	a.expectQuiet()
}

// checkConsultLegCleared checks the clean-up of a consultation call C2 after a transfer or a
// conference: CALL_CONNECTION_CLEARED_EVENT (Releasing = A), CALL_CLEARED_EVENT and END_CALL_EVENT,
// every one naming C2 and A's extension (never an empty ConnectionDeviceID), with the cause of
// the operation.
func checkConsultLegCleared(t *testing.T, ms []cti.Message, c2 uint32, cause cti.EventCause) {
	t.Helper()
	cc := ms[0].(*cti.CallConnectionClearedEvent)
	cl := ms[1].(*cti.CallClearedEvent)
	ec := ms[2].(*cti.EndCallEvent)
	check(t, "C2 leg cleared: call, device, releasing", []any{cc.ConnectionCallID, cc.ConnectionDeviceID, cc.ReleasingDeviceID}, []any{c2, "1000", "1000"})
	check(t, "C2 leg cleared: cause", cc.EventCause, cause)
	check(t, "CALL_CLEARED C2: call, device", []any{cl.ConnectionCallID, cl.ConnectionDeviceID}, []any{c2, "1000"})
	check(t, "CALL_CLEARED C2: cause", cl.EventCause, cause)
	check(t, "END_CALL C2: call, device", []any{ec.ConnectionCallID, ec.ConnectionDeviceID}, []any{c2, "1000"})
}

func partyIDs(ps []cti.Party) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ConnectedPartyDeviceID)
	}
	return out
}
