package sim_test

import (
	"testing"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// openSession opens a session without an agent (a supervisor console, a re-syncing bridge) with
// the given services and masks; all-events sessions take their SYSTEM_EVENT.
func openSession(t testing.TB, srv *sim.Server, v cti.Version, name string, svc cti.ServiceMask, calls cti.CallEventMask, agents cti.AgentStateMask) (*client, *cti.OpenConf) {
	t.Helper()
	c := connect(t, srv, v)
	c.name = name
	req := openReq(name, svc)
	req.VersionNumber = v.Number()
	req.PeripheralID = 0xFFFFFFFF
	req.CallMsgMask, req.AgentStateMask = calls, agents
	c.send(req)
	conf := c.expect(cti.MsgOpenConf)[0].(*cti.OpenConf)
	if svc&cti.CTIServiceAllEvents != 0 {
		c.expect(cti.MsgSystemEvent)
	}
	return c, conf
}

// monitorIDs reads messages of the given types and returns their MonitorIDs.
func (c *client) monitorIDs(types ...cti.MsgType) []uint32 {
	c.t.Helper()
	var ids []uint32
	for _, m := range c.expect(types...) {
		fv := m.Fields(c.v)
		id := ^uint32(0)
		for _, f := range fv {
			if f.Name == "MonitorID" {
				id = uint32(f.Value.(uint32))
			}
		}
		ids = append(ids, id)
	}
	return ids
}

// TestSnapshotDevice: SNAPSHOT_DEVICE_CONF lists the calls at a device with the device's
// connection state; an agent session sees its own device only; a bridge session also sees a
// skill group's queue device.
func TestSnapshotDevice(t *testing.T) {
	for _, v := range []cti.Version{cti.V14, cti.V24} {
		t.Run(v.String(), func(t *testing.T) {
			srv := newSim(t, callCfg())
			bridge, _ := openSession(t, srv, v, "resync", cti.CTIServiceAllEvents|cti.CTIServiceClientControl, 0, 0)

			// A call waiting in queue (nobody is ready): on the queue device, LCS_QUEUED.
			id, err := srv.OfferCall(sim.CallOptions{ANI: "5551234"})
			if err != nil {
				t.Fatal(err)
			}
			inv := bridge.send(&cti.SnapshotDeviceReq{PeripheralID: sim.DefaultPeripheralID, SnapshotDeviceType: cti.DevIDRoutePoint, AgentInstrument: "8000"})
			sd := bridge.expect(cti.MsgSnapshotDeviceConf)[0].(*cti.SnapshotDeviceConf)
			check(t, "queue snapshot InvokeID", sd.InvokeID, inv)
			check(t, "queue snapshot", sd.DeviceCalls, []cti.DeviceCall{{CallConnectionCallID: id, CallConnectionDeviceIDType: cti.ConnectionIDDynamic,
				CallConnectionDeviceID: "8000", CallDeviceConnectionState: cti.LCSQueued, Present: sd.DeviceCalls[0].Present}})
			check(t, "queue snapshot NumCalls", sd.NumCalls, 1)

			// The agent takes it, answers and holds it.
			c, _ := openAgent(t, srv, v, "desk", "1000", "")
			c.loginReady("5000")
			c.agentState(cti.AgentStateReserved)
			c.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
			c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
			c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
			c.agentState(cti.AgentStateTalking)
			c.send(&cti.HoldCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
			c.expect(cti.MsgHoldCallConf, cti.MsgCallHeldEvent)
			c.agentState(cti.AgentStateHold)

			inv = c.send(&cti.SnapshotDeviceReq{PeripheralID: c.pid, AgentInstrument: "1000"})
			sd = c.expect(cti.MsgSnapshotDeviceConf)[0].(*cti.SnapshotDeviceConf)
			check(t, "agent snapshot InvokeID", sd.InvokeID, inv)
			check(t, "agent snapshot NumCalls", sd.NumCalls, 1)
			check(t, "agent snapshot call", []any{sd.DeviceCalls[0].CallConnectionCallID, sd.DeviceCalls[0].CallConnectionDeviceIDType,
				sd.DeviceCalls[0].CallConnectionDeviceID, sd.DeviceCalls[0].CallDeviceConnectionState},
				[]any{id, cti.ConnectionIDDynamic, "1000", cti.LCSHold})

			// The queue is empty now; another agent's device is not the agent's to look at; an
			// idle device has no call; an unknown one is refused.
			bridge.send(&cti.SnapshotDeviceReq{PeripheralID: sim.DefaultPeripheralID, AgentInstrument: "8000"})
			check(t, "empty queue NumCalls", bridge.expect(cti.MsgSnapshotDeviceConf)[0].(*cti.SnapshotDeviceConf).NumCalls, 0)
			inv = c.send(&cti.SnapshotDeviceReq{PeripheralID: c.pid, AgentInstrument: "1001"})
			c.controlFailure(inv, cti.CFPrivilegeViolationOnSpecifiedDevice)
			inv = c.send(&cti.SnapshotDeviceReq{PeripheralID: c.pid, AgentInstrument: "8000"})
			c.controlFailure(inv, cti.CFPrivilegeViolationOnSpecifiedDevice)
			bridge.send(&cti.SnapshotDeviceReq{PeripheralID: sim.DefaultPeripheralID, AgentInstrument: "1001"})
			check(t, "idle device NumCalls", bridge.expect(cti.MsgSnapshotDeviceConf)[0].(*cti.SnapshotDeviceConf).NumCalls, 0)
			inv = bridge.send(&cti.SnapshotDeviceReq{PeripheralID: sim.DefaultPeripheralID, AgentInstrument: "4711"})
			bridge.controlFailure(inv, cti.CFInvalidCSTADeviceIdentifier)
			// The bridge asked for no events: it got only its answers.
			bridge.expectQuiet()
		})
	}
}

// TestMonitorDeviceAndCall: a supervisor console (CTI_SERVICE_PERIPHERAL_MONITOR) monitors an
// agent device and one call; each monitor's events carry its MonitorID and follow its masks; a
// call monitor ends with the call; MONITOR_STOP_REQ ends a device monitor.
func TestMonitorDeviceAndCall(t *testing.T) {
	for _, v := range []cti.Version{cti.V15, cti.V24} {
		t.Run(v.String(), func(t *testing.T) {
			srv := newSim(t, callCfg())
			sup, conf := openSession(t, srv, v, "supervisor", cti.CTIServicePeripheralMonitor, 0, 0)
			check(t, "PERIPHERAL_MONITOR granted", conf.ServicesGranted&cti.CTIServicePeripheralMonitor != 0, true)
			c, _ := openAgent(t, srv, v, "desk", "1000", "")
			c.loginReady("5000")

			// The requests an agent session may not send, and the malformed ones.
			inv := c.send(&cti.MonitorStartReq{PeripheralID: c.pid, ConnectionDeviceIDType: cti.ConnectionIDNone, MonitoredDeviceType: cti.DevIDDeviceIdentifier, MonitoredDeviceID: "1000"})
			c.failure(inv, cti.ECTIFunctionNotAvailable)
			inv = sup.send(&cti.MonitorStartReq{PeripheralID: c.pid, ConnectionDeviceIDType: cti.ConnectionIDNone, MonitoredDeviceType: cti.DevIDDeviceIdentifier, MonitoredDeviceID: "4711"})
			sup.failure(inv, cti.ECTIInvalidDevice)
			inv = sup.send(&cti.MonitorStartReq{PeripheralID: c.pid, ConnectionDeviceIDType: cti.ConnectionIDNone, MonitoredDeviceType: cti.DevIDNone})
			sup.failure(inv, cti.ECTIMutuallyExclusDeviceidTypes)
			inv = sup.send(&cti.MonitorStartReq{PeripheralID: c.pid, ConnectionCallID: 999, ConnectionDeviceIDType: cti.ConnectionIDDynamic, MonitoredDeviceType: cti.DevIDNone, ConnectionDeviceID: "1000"})
			sup.failure(inv, cti.ECTIInvalidCallid)

			// A device monitor with every event.
			inv = sup.send(&cti.MonitorStartReq{PeripheralID: c.pid, CallMsgMask: allCalls &^ rtpMask, AgentStateMask: allAgents,
				ConnectionDeviceIDType: cti.ConnectionIDNone, MonitoredDeviceType: cti.DevIDDeviceIdentifier, MonitoredDeviceID: "1000"})
			ms := sup.expect(cti.MsgMonitorStartConf)[0].(*cti.MonitorStartConf)
			check(t, "MONITOR_START_CONF InvokeID", ms.InvokeID, inv)
			devMon := ms.MonitorID
			inv = sup.send(&cti.MonitorStartReq{PeripheralID: c.pid, ConnectionDeviceIDType: cti.ConnectionIDNone, MonitoredDeviceType: cti.DevIDDeviceIdentifier, MonitoredDeviceID: "1000"})
			sup.failure(inv, cti.ECTIMonitorAlreadyExists)

			id, err := srv.OfferCall(sim.CallOptions{ANI: "5551234"})
			if err != nil {
				t.Fatal(err)
			}
			c.agentState(cti.AgentStateReserved)
			c.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
			check(t, "device monitor: offer", sup.monitorIDs(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent),
				[]uint32{devMon, devMon, devMon})

			// A call monitor that wants the call's end only.
			sup.send(&cti.MonitorStartReq{PeripheralID: c.pid, ConnectionCallID: id, CallMsgMask: cti.CallClearedMask | cti.EndCallMask | cti.CallEstablishedMask,
				ConnectionDeviceIDType: cti.ConnectionIDDynamic, MonitoredDeviceType: cti.DevIDNone, ConnectionDeviceID: "1000"})
			callMon := sup.expect(cti.MsgMonitorStartConf)[0].(*cti.MonitorStartConf).MonitorID
			if callMon == devMon {
				t.Fatalf("call monitor ID %d = device monitor ID", callMon)
			}

			c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
			c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
			c.agentState(cti.AgentStateTalking)
			check(t, "answer", sup.monitorIDs(cti.MsgCallEstablishedEvent, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent),
				[]uint32{callMon, devMon, devMon})

			// A supervisor (PERIPHERAL_MONITOR) may snapshot the agents' phones.
			sup.send(&cti.SnapshotDeviceReq{PeripheralID: c.pid, AgentInstrument: "1000"})
			sd := sup.expect(cti.MsgSnapshotDeviceConf)[0].(*cti.SnapshotDeviceConf)
			check(t, "supervisor's snapshot", []any{sd.NumCalls, sd.DeviceCalls[0].CallConnectionCallID, sd.DeviceCalls[0].CallDeviceConnectionState},
				[]any{1, id, cti.LCSConnect})

			// The device monitor stops; the call monitor sees the end of the call, then ends.
			inv = sup.send(&cti.MonitorStopReq{MonitorID: devMon})
			check(t, "MONITOR_STOP_CONF InvokeID", sup.expect(cti.MsgMonitorStopConf)[0].(*cti.MonitorStopConf).InvokeID, inv)
			c.send(&cti.ClearConnectionReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
			c.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgAgentStateEvent)
			check(t, "clear", sup.monitorIDs(cti.MsgCallClearedEvent, cti.MsgEndCallEvent), []uint32{callMon, callMon})
			inv = sup.send(&cti.MonitorStopReq{MonitorID: callMon})
			sup.failure(inv, cti.ECTIInvalidMonitorid)

			// Nothing more reaches the supervisor: the agent's next state change is unmonitored.
			c.setState(cti.AgentStateNotReady, 0, "")
			c.expect(cti.MsgSetAgentStateConf)
			c.agentState(cti.AgentStateNotReady)
			sup.expectQuiet()
		})
	}
}
