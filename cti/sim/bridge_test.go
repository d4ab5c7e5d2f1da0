package sim_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// autoDesk logs every agent in from a bridge session with control, then answers every call
// delivered to an agent (but one in four, which rings out) and makes every NOT_READY agent ready again, until the connection
// closes. It runs in its own goroutine and never calls t.Fatal.
func autoDesk(t *testing.T, srv *sim.Server, agents int, rng *rand.Rand) {
	ctl := openAll(t, srv, cti.V24)
	ctl.name = "control"
	// A pipe has no buffer: requests go through their own goroutine so that reading never
	// waits on a write the server cannot take while it writes to us.
	out := make(chan cti.Message, 1024)
	go func() {
		for m := range out {
			if _, err := ctl.fw.WriteMessage(m, ctl.v); err != nil {
				return
			}
		}
	}()
	invoke := uint32(0)
	send := func(m cti.Message) {
		invoke++
		m.(cti.Invoker).SetInvokeID(invoke)
		out <- m
	}
	for i := range agents {
		ext := fmt.Sprint(sim.DefaultFirstExtension + i)
		send(&cti.SetAgentStateReq{PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateLogin,
			AgentID: fmt.Sprint(sim.DefaultFirstAgentID + i), AgentInstrument: ext})
	}
	go func() {
		defer close(out)
		for {
			m, err := ctl.fr.ReadMessage(ctl.v)
			if err != nil {
				return
			}
			switch ev := m.(type) {
			case *cti.CallDeliveredEvent:
				if ev.AlertingDeviceType == cti.DevIDAgentDevice && rng.IntN(4) > 0 { // one in four rings out (RONA)
					send(&cti.AnswerCallReq{PeripheralID: sim.DefaultPeripheralID, ConnectionCallID: ev.ConnectionCallID,
						ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: ev.AlertingDeviceID})
				}
			case *cti.AgentStateEvent:
				if ev.AgentState == cti.AgentStateNotReady {
					send(&cti.SetAgentStateReq{PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateAvailable, AgentID: ev.AgentID})
				}
			}
		}
	}()
}

// callIDOf is the call a call event is about (0 for other messages).
func callIDOf(m cti.Message) uint32 {
	if m.MessageType() == cti.MsgCallTransferredEvent || m.MessageType() == cti.MsgCallConferencedEvent {
		return 0 // keyed on Primary/Secondary; not produced here
	}
	v := reflect.ValueOf(m).Elem()
	if f := v.FieldByName("ConnectionCallID"); f.IsValid() && f.Kind() == reflect.Uint32 {
		return uint32(f.Uint())
	}
	return 0
}

// TestBridgeOpenedMidCallGetsBeginCallFirst: a bridge session opened at a random instant, while
// calls arrive, ring, are answered, re-queued and hung up, gets BEGIN_CALL_EVENT for every call
// before any other event of that call, and nothing of a call after its END_CALL_EVENT — in every
// UCCE protocol version (the seeds take turns).
func TestBridgeOpenedMidCallGetsBeginCallFirst(t *testing.T) {
	versions := []cti.Version{cti.V13, cti.V14, cti.V15, cti.V20, cti.V24, cti.V25}
	for seed := range uint64(8) {
		v := versions[seed%uint64(len(versions))]
		t.Run(fmt.Sprintf("seed%d/v%d", seed, v.Number()), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { bridgeMidCall(t, seed, v) })
		})
	}
}

func bridgeMidCall(t *testing.T, seed uint64, v cti.Version) {
	rng := rand.New(rand.NewPCG(seed, 7))
	srv := newPipeSim(t, sim.Config{
		Seed:   int64(seed) + 1,
		Agents: sim.AgentsConfig{Count: 3, RingNoAnswer: 150 * time.Millisecond},
		Calls:  sim.CallsConfig{Rate: 10, Poisson: true, TalkTime: sim.Uniform(100*time.Millisecond, 900*time.Millisecond), QueueTimeout: 2 * time.Second},
	})
	autoDesk(t, srv, 3, rand.New(rand.NewPCG(seed, 8)))
	time.Sleep(time.Duration(rng.Int64N(int64(3 * time.Second))))
	synctest.Wait()
	active := srv.Counters().Calls.Active
	obs := openAll(t, srv, v)
	obs.name = "observer"
	time.Sleep(time.Second + time.Duration(rng.Int64N(int64(time.Second))))
	srv.SetCallRate(0)
	time.Sleep(5 * time.Second) // every call ends: talk ≤ 0.9 s, queue ≤ 2 s
	synctest.Wait()

	begun := map[uint32]bool{}
	ended := map[uint32]bool{}
	var events, begins int
	for {
		obs.conn.SetReadDeadline(time.Now().Add(quiet))
		m, err := obs.fr.ReadMessage(obs.v)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatalf("observer: %v", err)
		}
		id := callIDOf(m)
		if id == 0 {
			continue
		}
		events++
		switch m.MessageType() {
		case cti.MsgBeginCallEvent:
			if begun[id] {
				t.Errorf("call %d: a second BEGIN_CALL_EVENT", id)
			}
			begun[id] = true
			begins++
		case cti.MsgEndCallEvent:
			if !begun[id] {
				t.Errorf("call %d: END_CALL_EVENT before BEGIN_CALL_EVENT", id)
			}
			ended[id] = true
		default:
			if !begun[id] {
				t.Errorf("call %d: %s before BEGIN_CALL_EVENT", id, m.MessageType())
			}
			if ended[id] {
				t.Errorf("call %d: %s after END_CALL_EVENT", id, m.MessageType())
			}
		}
	}
	if events == 0 {
		t.Fatal("the observer saw no call event: nothing was tested")
	}
	if len(ended) != len(begun) {
		t.Errorf("%d calls begun, %d ended", len(begun), len(ended))
	}
	t.Logf("%d calls in progress at the open, %d calls seen, %d call events", active, begins, events)
}

// TestStandbyBridgePromotedGetsCallsInProgress: a v24 bridge session waiting on the standby side
// of a duplex pair is told, once its side becomes active, what an open on an active side tells:
// SYSTEM_EVENT and a BEGIN_CALL_EVENT for the call that began while it was standby.
func TestStandbyBridgePromotedGetsCallsInProgress(t *testing.T) {
	d := newDuplex(t, sim.Config{Seed: 1})
	desk, _ := openAgent(t, d.A, cti.V24, "desk", "1000", "")
	desk.loginReady("5000")
	bridge := connect(t, d.B, cti.V24)
	bridge.name = "standby bridge"
	req := openReq("recorder", cti.CTIServiceAllEvents|cti.CTIServiceActiveStandby)
	req.PeripheralID = 0xFFFFFFFF
	bridge.send(req)
	check(t, "SessionType", bridge.expect(cti.MsgOpenConf)[0].(*cti.OpenConf).SessionType, cti.SessionTypeStandby)

	id, err := d.OfferCall(sim.CallOptions{ANI: "5550100"})
	if err != nil {
		t.Fatal(err)
	}
	desk.agentState(cti.AgentStateReserved)
	desk.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	bridge.expectQuiet()

	d.Failover()
	ms := bridge.expect(cti.MsgStandbyActiveEventMsg, cti.MsgSystemEvent, cti.MsgBeginCallEvent)
	bc := ms[2].(*cti.BeginCallEvent)
	check(t, "BEGIN_CALL_EVENT", []any{bc.ConnectionCallID, bc.CallType, bc.ANI}, []any{id, cti.CallTypeACDIn, "5550100"})
	bridge.expectQuiet()
}
