package agent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/agent"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
)

// A supervisor's desk against the simulator: it monitors an agent's phone, learns the agent's
// call from the monitored events, snapshots the phone, barges in and leaves.
func TestSupervisorMonitorSnapshotBargeIn(t *testing.T) {
	srv := startSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sa, a := openDesk(t, ctx, srv, 0)
	id := agent.Identity{ID: "5009", Extension: "1009", Instrument: "1009"}
	ss, err := client.Dial(ctx, srv.Addr(), client.WithHeartbeat(0),
		client.WithAgent(client.Agent{ID: id.ID, Extension: id.Extension, Instrument: id.Instrument, PeripheralID: sim.DefaultPeripheralID}),
		client.WithServices(client.DefaultAgentServices|cti.CTIServiceSupervisor|cti.CTIServicePeripheralMonitor))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ss.Close(context.Background()) })
	sup := agent.New(ss, id)

	reply[*cti.SetAgentStateConf](t, "agent login")(a.Login(ctx, agent.StateOptions{}))
	reply[*cti.SetAgentStateConf](t, "agent ready")(a.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{}))
	reply[*cti.SetAgentStateConf](t, "supervisor login")(sup.Login(ctx, agent.StateOptions{}))
	mon, r, err := sup.MonitorDevice(ctx, "1000", cti.CallEstablishedMask|cti.CallConferencedMask, cti.AgentTalkingMask)
	if conf := reply[*cti.MonitorStartConf](t, "monitor")(r, err); mon == 0 || mon != conf.MonitorID {
		t.Fatalf("MonitorDevice returned %d, MONITOR_START_CONF MonitorID %d", mon, conf.MonitorID)
	}
	if _, _, err := sup.MonitorDevice(ctx, "", 0, 0); err == nil {
		t.Error("MonitorDevice without a device: no error")
	}

	if _, err := srv.OfferCall(sim.CallOptions{ANI: "5551234"}); err != nil {
		t.Fatal(err)
	}
	delivered := waitEvent[*cti.CallDeliveredEvent](t, ctx, sa, nil)
	call, _ := agent.CallOf(delivered)
	reply[*cti.AnswerCallConf](t, "answer")(a.Answer(ctx, call))

	// The supervisor sees the answer through its monitor, and takes the agent's call from it.
	est := waitEvent(t, ctx, ss, func(e *cti.CallEstablishedEvent) bool { return e.MonitorID == mon })
	talking := waitEvent(t, ctx, ss, func(e *cti.AgentStateEvent) bool { return e.MonitorID == mon })
	if talking.AgentState != cti.AgentStateTalking || talking.AgentID != "5000" {
		t.Errorf("monitored AGENT_STATE_EVENT %v of %q", talking.AgentState, talking.AgentID)
	}
	agentCall, _ := agent.CallOf(est)
	if !agentCall.Same(call) {
		t.Fatalf("monitored call %+v, the agent's %+v", agentCall, call)
	}
	snap := reply[*cti.SnapshotDeviceConf](t, "snapshot device")(sup.SnapshotDevice(ctx, "1000"))
	if snap.NumCalls != 1 || snap.DeviceCalls[0].CallConnectionCallID != call.ID || snap.DeviceCalls[0].CallDeviceConnectionState != cti.LCSConnect {
		t.Errorf("SNAPSHOT_DEVICE_CONF %+v", snap)
	}
	own := reply[*cti.SnapshotDeviceConf](t, "own snapshot")(sup.SnapshotDevice(ctx, ""))
	if own.NumCalls != 0 {
		t.Errorf("the supervisor's own phone has %d calls before the barge-in", own.NumCalls)
	}

	sc := reply[*cti.SuperviseCallConf](t, "barge in")(sup.Supervise(ctx, agentCall, cti.SupervisorBargeIn))
	if sc.ConnectionCallID != call.ID || sc.ConnectionDeviceID != "1000" {
		t.Errorf("SUPERVISE_CALL_CONF %+v", sc)
	}
	conf := waitEvent(t, ctx, sa, func(e *cti.CallConferencedEvent) bool { return true })
	if conf.EventCause != cti.CECSupervisorBargeIn || conf.AddedPartyDeviceID != "1009" || conf.NumParties != 3 {
		t.Errorf("agent's CALL_CONFERENCED_EVENT: cause %v, added %q, %d parties", conf.EventCause, conf.AddedPartyDeviceID, conf.NumParties)
	}
	reply[*cti.SuperviseCallConf](t, "clear")(sup.Supervise(ctx, agentCall, cti.SupervisorClear))
	waitEvent(t, ctx, sa, func(e *cti.CallConnectionClearedEvent) bool { return e.ReleasingDeviceID == "1009" })
	reply[*cti.MonitorStopConf](t, "stop monitor")(sup.StopMonitor(ctx, mon))
	if _, err := sup.StopMonitor(ctx, mon); err == nil {
		t.Error("second MONITOR_STOP_REQ of the same monitor: no error")
	}
}

// What a supervisor's desk puts in SUPERVISE_CALL_REQ and MONITOR_START_REQ.
func TestSupervisorRequestFields(t *testing.T) {
	rec := &recorder{v: cti.V24}
	d := agent.New(rec, agent.Identity{ID: "5009", Extension: "1009", Instrument: "1009", PeripheralID: 5000})
	ctx := context.Background()
	c := agent.Call{ID: 7, DeviceIDType: cti.ConnectionIDDynamic, DeviceID: "1000"}
	_, _ = d.Supervise(ctx, c, cti.SupervisorIntercept)
	_, _, _ = d.MonitorCall(ctx, c, cti.CallClearedMask)
	_, _, _ = d.MonitorDevice(ctx, "1000", cti.CallDeliveredMask, cti.AgentAvailableMask)
	sc := rec.sent[0].(*cti.SuperviseCallReq)
	if sc.AgentConnectionCallID != 7 || sc.AgentConnectionDeviceID != "1000" || sc.SupervisorConnectionCallID != agent.NoCallID ||
		sc.SupervisorConnectionDeviceIDType != cti.ConnectionIDNone || sc.SupervisoryAction != cti.SupervisorIntercept ||
		sc.SupervisorInstrument != "1009" || sc.PeripheralID != 5000 {
		t.Errorf("SUPERVISE_CALL_REQ %+v", sc)
	}
	mc := rec.sent[1].(*cti.MonitorStartReq)
	if mc.ConnectionCallID != 7 || mc.ConnectionDeviceID != "1000" || mc.MonitoredDeviceType != cti.DevIDNone || mc.MonitoredDeviceID != "" || mc.CallMsgMask != cti.CallClearedMask {
		t.Errorf("MONITOR_START_REQ for a call %+v", mc)
	}
	md := rec.sent[2].(*cti.MonitorStartReq)
	if md.ConnectionCallID != 0 || md.ConnectionDeviceIDType != cti.ConnectionIDNone || md.MonitoredDeviceType != cti.DevIDDeviceIdentifier ||
		md.MonitoredDeviceID != "1000" || md.AgentStateMask != cti.AgentAvailableMask {
		t.Errorf("MONITOR_START_REQ for a device %+v", md)
	}
}

// An agent's desk asks its team's supervisor for help: without a call (a new call, or an
// emergency call) and from its customer's call (a consultation); refused while the supervisor
// is logged out.
func TestSupervisorAssistAndEmergencyCall(t *testing.T) {
	srv, err := sim.New(sim.Config{Seed: 1, Teams: []sim.Team{{ID: 7, Supervisor: "5009", Agents: []string{"5000", "5001"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sa, a := openDesk(t, ctx, srv, 0)
	_, b := openDesk(t, ctx, srv, 1)
	ss, sup := openDesk(t, ctx, srv, 9)
	reply[*cti.SetAgentStateConf](t, "agent login")(a.Login(ctx, agent.StateOptions{}))
	reply[*cti.SetAgentStateConf](t, "agent B login")(b.Login(ctx, agent.StateOptions{}))
	reply[*cti.SetAgentStateConf](t, "agent ready (the longest available, so the customer's call reaches it)")(a.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{}))

	var fe *client.FailureError
	if _, err := a.SupervisorAssist(ctx, nil); !errors.As(err, &fe) || fe.Status != cti.ECTISupervisorNotFound {
		t.Fatalf("assist with the supervisor logged out: %v, want E_CTI_SUPERVISOR_NOT_FOUND", err)
	}
	reply[*cti.SetAgentStateConf](t, "supervisor login")(sup.Login(ctx, agent.StateOptions{}))
	reply[*cti.SetAgentStateConf](t, "supervisor ready")(sup.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{}))

	ec := reply[*cti.EmergencyCallConf](t, "emergency call")(b.EmergencyCall(ctx, nil))
	if ec.ConnectionDeviceID != "1001" {
		t.Errorf("EMERGENCY_CALL_CONF ConnectionDeviceID %q, want the agent's 1001", ec.ConnectionDeviceID)
	}
	rings := waitEvent(t, ctx, ss, func(e *cti.BeginCallEvent) bool { return e.ConnectionCallID == ec.ConnectionCallID })
	if rings.CallType != cti.CallTypeEmergency {
		t.Errorf("the supervisor's call has CallType %v, want EMERGENCY", rings.CallType)
	}
	reply[*cti.ClearCallConf](t, "end the emergency call")(b.Clear(ctx, agent.Call{ID: ec.ConnectionCallID, DeviceIDType: cti.ConnectionIDDynamic, DeviceID: "1001"}))
	waitEvent(t, ctx, ss, func(e *cti.AgentStateEvent) bool { return e.AgentState == cti.AgentStateAvailable })

	if _, err := srv.OfferCall(sim.CallOptions{ANI: "5551234"}); err != nil {
		t.Fatal(err)
	}
	call, _ := agent.CallOf(waitEvent[*cti.CallDeliveredEvent](t, ctx, sa, nil))
	reply[*cti.AnswerCallConf](t, "answer")(a.Answer(ctx, call))
	conf := reply[*cti.SupervisorAssistConf](t, "assist")(a.SupervisorAssist(ctx, &call))
	held := waitEvent[*cti.CallHeldEvent](t, ctx, sa, nil)
	if held.ConnectionCallID != call.ID || conf.ConnectionCallID == call.ID {
		t.Errorf("held call %d, assist call %d; the customer's is %d", held.ConnectionCallID, conf.ConnectionCallID, call.ID)
	}
	waitEvent(t, ctx, ss, func(e *cti.CallDeliveredEvent) bool { return e.ConnectionCallID == conf.ConnectionCallID })
}
