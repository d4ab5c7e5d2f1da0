package sim_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

func TestGeneratorRate(t *testing.T) {
	for _, poisson := range []bool{false, true} {
		name := "fixed"
		if poisson {
			name = "poisson"
		}
		// The bubble's clock makes the 250 ms window exact: a fixed rate offers 50 calls
		// (give or take the one on each edge), and the Poisson count depends on the seed only.
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newPipeSim(t, sim.Config{Calls: sim.CallsConfig{Rate: 200, Poisson: poisson, ANIs: []string{"111", "222"}}})
				mon := openAll(t, srv, cti.V24)
				time.Sleep(250 * time.Millisecond)
				srv.SetCallRate(0)
				n := srv.Counters().Calls.Offered
				if n < 20 || n > 90 || !poisson && (n < 49 || n > 51) {
					t.Errorf("offered %d calls in 250ms at 200/s", n)
				}
				// Every call is queued (nobody is ready) with an ANI from the pool.
				for i := int64(0); i < min(n, 10); i++ {
					bc := mon.expect(cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent)[0].(*cti.BeginCallEvent)
					if bc.ANI != "111" && bc.ANI != "222" {
						t.Errorf("ANI %q not from the pool", bc.ANI)
					}
				}
				time.Sleep(30 * time.Millisecond)
				if m := srv.Counters().Calls.Offered; m != n {
					t.Errorf("offered %d calls after the rate was set to 0; had %d", m, n)
				}
				check(t, "queued", srv.Counters().Calls.Queued, n)
			})
		})
	}
}

// TestGeneratedCallsRouted: generated calls reach ready agents, who take them in turn (longest
// available first), and the callers hang up after the talk time.
func TestGeneratedCallsRouted(t *testing.T) {
	srv := newSim(t, sim.Config{Agents: sim.AgentsConfig{Count: 3}, Calls: sim.CallsConfig{TalkTime: sim.Fixed(20 * time.Millisecond)}})
	var desks []*client
	for i, ext := range []string{"1000", "1001", "1002"} {
		c, _ := openAgent(t, srv, cti.V24, "desk"+ext, ext, "")
		c.loginReady([]string{"5000", "5001", "5002"}[i])
		desks = append(desks, c)
	}
	for i := 0; i < 3; i++ {
		srv.OfferCall(sim.CallOptions{})
	}
	for i, c := range desks {
		c.agentState(cti.AgentStateReserved)
		dl := c.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)[1].(*cti.CallDeliveredEvent)
		c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: dl.ConnectionCallID, ConnectionDeviceID: dl.ConnectionDeviceID})
		c.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
		c.agentState(cti.AgentStateTalking)
		c.expect(cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
		c.agentState(cti.AgentStateAvailable)
		_ = i
	}
	check(t, "hung up", srv.Counters().Calls.HungUp, 3)
}

func TestConsultToQueue(t *testing.T) {
	_, _, a, b, c1 := twoAgents(t, callCfg())
	a.send(&cti.ConsultationCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c1, ActiveConnectionDeviceID: "1000", DialedNumber: sim.DefaultDialedNumber})
	ms := a.expect(cti.MsgConsultationCallConf, cti.MsgCallHeldEvent, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent,
		cti.MsgCallOriginatedEvent, cti.MsgCallQueuedEvent, cti.MsgCallDequeuedEvent, cti.MsgCallDeliveredEvent)
	c2 := ms[0].(*cti.ConsultationCallConf).NewConnectionCallID
	check(t, "delivered to B", ms[7].(*cti.CallDeliveredEvent).AlertingDeviceID, "1001")
	b.agentState(cti.AgentStateReserved)
	dl := b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)[1].(*cti.CallDeliveredEvent)
	check(t, "consult call", dl.ConnectionCallID, c2)
	check(t, "B sees the caller's data", dl.ANI, "5550100")
}
