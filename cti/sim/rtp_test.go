package sim_test

import (
	"testing"
	"testing/synctest"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// TestRTPAroundTalking follows docs/simulator.md "Media (RTP)": a recorder (bridge session)
// sees the media of the agent's phone start when the call is answered and retrieved and stop
// when it is held and cleared, one event per direction; the desktop gets none.
func TestRTPAroundTalking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newPipeSim(t, sim.Config{})
		rec := openRecorder(t, srv, cti.V24)
		a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
		a.loginReady("5000")
		id, _ := srv.OfferCall(sim.CallOptions{ANI: "5550100", TalkTime: -1})
		a.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
		rec.expect(cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgCallDeliveredEvent)

		rtp := func(started bool) {
			t.Helper()
			typ := cti.MsgRTPStoppedEvent
			if started {
				typ = cti.MsgRTPStartedEvent
			}
			ms := rec.expect(typ, typ)
			for i, want := range []cti.RTPDirection{cti.RTPDirectionInput, cti.RTPDirectionOutput} {
				if started {
					ev := ms[i].(*cti.RTPStartedEvent)
					check(t, "RTP_STARTED call, device, direction, agent", []any{ev.ConnectionCallID, ev.ConnectionDeviceID, ev.Direction, ev.AgentID, ev.AgentInstrument},
						[]any{id, "1000", want, "5000", "1000"})
					check(t, "RTP_STARTED addresses", []any{ev.ClientAddress, ev.ClientPort, ev.SendingAddress, ev.BitRate}, []any{"10.10.3.232", 16384 + 2*1000, "10.20.0.1", 64000})
				} else {
					ev := ms[i].(*cti.RTPStoppedEvent)
					check(t, "RTP_STOPPED call, device, direction", []any{ev.ConnectionCallID, ev.ConnectionDeviceID, ev.Direction}, []any{id, "1000", want})
				}
			}
		}
		a.send(&cti.AnswerCallReq{PeripheralID: a.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
		a.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent, cti.MsgAgentStateEvent)
		rec.expect(cti.MsgCallEstablishedEvent)
		rtp(true)
		a.send(&cti.HoldCallReq{PeripheralID: a.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
		a.expect(cti.MsgHoldCallConf, cti.MsgCallHeldEvent, cti.MsgAgentStateEvent)
		rec.expect(cti.MsgCallHeldEvent)
		rtp(false)
		a.send(&cti.RetrieveCallReq{PeripheralID: a.pid, HeldConnectionCallID: id, HeldConnectionDeviceID: "1000"})
		a.expect(cti.MsgRetrieveCallConf, cti.MsgCallRetrievedEvent, cti.MsgAgentStateEvent)
		rec.expect(cti.MsgCallRetrievedEvent)
		rtp(true)
		a.send(&cti.ClearConnectionReq{PeripheralID: a.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
		a.expect(cti.MsgClearConnectionConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgAgentStateEvent)
		rec.expect(cti.MsgCallConnectionClearedEvent)
		rtp(false)
		rec.expect(cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
		synctest.Wait()
		rec.expectQuiet()
		a.expectQuiet()
	})
}
