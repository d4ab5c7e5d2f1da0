package sim_test

import (
	"testing"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// TestSuperviseBargeInClearIntercept follows docs/simulator.md "Supervisors": a supervisor
// (agent 5009 at 1009, NOT_READY) barges into agent 5000's call, leaves it, then intercepts it;
// each receiver's events are checked in order.
func TestSuperviseBargeInClearIntercept(t *testing.T) {
	for _, v := range []cti.Version{cti.V14, cti.V24} {
		t.Run(v.String(), func(t *testing.T) {
			srv := newSim(t, callCfg())
			bridge := openAll(t, srv, v)
			a, _ := openAgent(t, srv, v, "desk", "1000", "")
			a.loginReady("5000")
			sup, _ := openAgent(t, srv, v, "supervisor", "1009", "")
			sup.name = "supervisor 1009"
			sup.setState(cti.AgentStateLogin, 0, "5009")
			sup.expect(cti.MsgSetAgentStateConf)
			sup.agentState(cti.AgentStateNotReady)
			bridge.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgAgentStateEvent)

			id, err := srv.OfferCall(sim.CallOptions{ANI: "5551234"})
			if err != nil {
				t.Fatal(err)
			}
			a.agentState(cti.AgentStateReserved)
			a.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
			a.send(&cti.AnswerCallReq{PeripheralID: a.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
			a.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
			a.agentState(cti.AgentStateTalking)
			bridge.expect(cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgAgentStateEvent,
				cti.MsgCallDeliveredEvent, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)

			req := func(action cti.SupervisoryAction) *cti.SuperviseCallReq {
				return &cti.SuperviseCallReq{PeripheralID: sup.pid, AgentConnectionCallID: id, SupervisorConnectionCallID: 0xFFFFFFFF,
					AgentConnectionDeviceIDType: cti.ConnectionIDDynamic, SupervisorConnectionDeviceIDType: cti.ConnectionIDNone,
					SupervisoryAction: action, AgentConnectionDeviceID: "1000"}
			}
			// What the simulator cannot do, and what is wrong.
			inv := sup.send(req(cti.SupervisorMonitor))
			sup.failure(inv, cti.ECTIFunctionNotAvailable)
			inv = sup.send(req(cti.SupervisoryAction(9)))
			sup.failure(inv, cti.ECTIInvalidSupervisoryAction)
			inv = sup.send(req(cti.SupervisorClear))
			sup.controlFailure(inv, cti.CFInvalidCSTAConnectionIdentifier) // not in the call
			bad := req(cti.SupervisorBargeIn)
			bad.AgentConnectionCallID = id + 100
			inv = sup.send(bad)
			sup.controlFailure(inv, cti.CFInvalidCSTACallIdentifier)

			// Barge-in.
			inv = sup.send(req(cti.SupervisorBargeIn))
			ms := sup.expect(cti.MsgSuperviseCallConf, cti.MsgBeginCallEvent, cti.MsgCallConferencedEvent)
			sc := ms[0].(*cti.SuperviseCallConf)
			check(t, "SUPERVISE_CALL_CONF", []any{sc.InvokeID, sc.ConnectionCallID, sc.ConnectionDeviceID}, []any{inv, id, "1000"})
			check(t, "supervisor BEGIN_CALL", []any{ms[1].(*cti.BeginCallEvent).ConnectionCallID, ms[1].(*cti.BeginCallEvent).ConnectionDeviceID, ms[1].(*cti.BeginCallEvent).ANI},
				[]any{id, "1009", "5551234"})
			conferenced := func(m cti.Message, cause cti.EventCause) {
				t.Helper()
				ev := m.(*cti.CallConferencedEvent)
				var ps []string
				for _, p := range ev.Parties {
					ps = append(ps, p.ConnectedPartyDeviceID)
				}
				check(t, "CALL_CONFERENCED", []any{ev.PrimaryCallID, ev.SecondaryCallID, ev.ControllerDeviceID, ev.AddedPartyDeviceID, ev.EventCause, ev.NumParties, ps},
					[]any{id, id, "1009", "1009", cause, 3, []string{"5551234", "1000", "1009"}})
			}
			conferenced(ms[2], cti.CECSupervisorBargeIn)
			sup.agentState(cti.AgentStateTalking)
			conferenced(a.expect(cti.MsgCallConferencedEvent)[0], cti.CECSupervisorBargeIn)
			conferenced(bridge.expect(cti.MsgCallConferencedEvent)[0], cti.CECSupervisorBargeIn)
			bridge.agentState(cti.AgentStateTalking)
			inv = sup.send(req(cti.SupervisorBargeIn))
			sup.controlFailure(inv, cti.CFInvalidObjectState) // already in the call

			// The supervisor leaves.
			sup.send(req(cti.SupervisorClear))
			ms = sup.expect(cti.MsgSuperviseCallConf, cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent)
			cc := ms[1].(*cti.CallConnectionClearedEvent)
			check(t, "supervisor cleared", []any{cc.ConnectionDeviceID, cc.ReleasingDeviceID, cc.EventCause}, []any{"1009", "1009", cti.CECSupervisorClear})
			sup.agentState(cti.AgentStateNotReady)
			a.expect(cti.MsgCallConnectionClearedEvent)
			bridge.expect(cti.MsgCallConnectionClearedEvent)
			bridge.agentState(cti.AgentStateNotReady)

			// Intercept, naming the agent only: the agent leaves, the supervisor stays with the caller.
			icp := req(cti.SupervisorIntercept)
			icp.AgentConnectionCallID, icp.AgentConnectionDeviceIDType, icp.AgentConnectionDeviceID, icp.AgentID = 0xFFFFFFFF, cti.ConnectionIDNone, "", "5000"
			sup.send(icp)
			ms = sup.expect(cti.MsgSuperviseCallConf, cti.MsgBeginCallEvent, cti.MsgCallConferencedEvent)
			conferenced(ms[2], cti.CECSupervisorIntercept)
			sup.agentState(cti.AgentStateTalking)
			cc = sup.expect(cti.MsgCallConnectionClearedEvent)[0].(*cti.CallConnectionClearedEvent)
			check(t, "agent cleared by the intercept", []any{cc.ConnectionDeviceID, cc.ReleasingDeviceID, cc.EventCause}, []any{"1000", "1000", cti.CECSupervisorIntercept})
			ms = a.expect(cti.MsgCallConferencedEvent, cti.MsgCallConnectionClearedEvent, cti.MsgEndCallEvent)
			check(t, "agent END_CALL", ms[2].(*cti.EndCallEvent).ConnectionCallID, id)
			a.agentState(cti.AgentStateAvailable)
			bridge.expect(cti.MsgCallConferencedEvent)
			bridge.agentState(cti.AgentStateTalking)
			bridge.expect(cti.MsgCallConnectionClearedEvent)
			bridge.agentState(cti.AgentStateAvailable)

			// The supervisor ends the call.
			sup.send(&cti.ClearConnectionReq{PeripheralID: sup.pid, ConnectionCallID: id, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1009"})
			sup.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
			sup.agentState(cti.AgentStateNotReady)
			check(t, "supervised calls", srv.Counters().Calls.Supervised, 2)
			a.expectQuiet()
		})
	}
}
