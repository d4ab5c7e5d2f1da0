package agent_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/agent"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
)

// startSim runs the simulator on a loopback port for one test.
func startSim(t testing.TB) *sim.Server {
	t.Helper()
	srv, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// openDesk opens the session of the simulator's agent n (ID 5000+n, extension 1000+n) and its desk.
func openDesk(t testing.TB, ctx context.Context, srv *sim.Server, n int) (*client.Session, *agent.Desk) {
	t.Helper()
	id := agent.Identity{ID: strconv.Itoa(5000 + n), Extension: strconv.Itoa(1000 + n)}
	s, err := client.Dial(ctx, srv.Addr(), client.WithHeartbeat(0),
		client.WithAgent(client.Agent{ID: id.ID, Extension: id.Extension, Instrument: id.Extension, PeripheralID: sim.DefaultPeripheralID}),
		client.WithServices(client.DefaultAgentServices|cti.CTIServiceCallDataUpdate)) // SET_CALL_DATA_REQ needs CALL_DATA_UPDATE
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, agent.New(s, id)
}

func must[T any](t *testing.T, what string, v T, err error) T {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// reply asserts the reply's type.
func reply[T cti.Message](t *testing.T, what string) func(client.Reply, error) T {
	return func(r client.Reply, err error) T {
		t.Helper()
		must(t, what, r, err)
		m, ok := r.Msg.(T)
		if !ok {
			t.Fatalf("%s: reply %T, want %T", what, r.Msg, *new(T))
		}
		return m
	}
}

func waitEvent[T cti.Message](t *testing.T, ctx context.Context, s *client.Session, match func(T) bool) T {
	t.Helper()
	ev, err := s.WaitEvent(ctx, func(m cti.Message) bool {
		x, ok := m.(T)
		return ok && (match == nil || match(x))
	})
	if err != nil {
		t.Fatalf("waiting for %T: %v", *new(T), err)
	}
	return ev.Msg.(T)
}

// A desk's whole day against the simulator: login, ready, an inbound call answered, a
// consultation with a second agent, the transfer that completes it.
func TestDeskLoginAnswerConsultTransfer(t *testing.T) {
	srv := startSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sa, a := openDesk(t, ctx, srv, 0)
	sb, b := openDesk(t, ctx, srv, 1)
	_, caller := openDesk(t, ctx, srv, 2)

	if got := a.Identity().PeripheralID; got != sim.DefaultPeripheralID {
		t.Errorf("PeripheralID from OPEN_CONF = %d, want %d", got, sim.DefaultPeripheralID)
	}
	// READY before login: the server refuses with a control failure, typed.
	_, err := a.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{})
	var cf *client.ControlFailureError
	if !errors.As(err, &cf) {
		t.Fatalf("READY before login: %v, want a *client.ControlFailureError", err)
	}
	reply[*cti.SetAgentStateConf](t, "login")(a.Login(ctx, agent.StateOptions{Password: "x"}))
	ready, _ := agent.ParseState("ready")
	reply[*cti.SetAgentStateConf](t, "ready")(a.SetState(ctx, ready, agent.StateOptions{ReasonCode: 0}))
	waitEvent(t, ctx, sa, func(e *cti.AgentStateEvent) bool { return e.AgentState == cti.AgentStateAvailable })
	q := reply[*cti.QueryAgentStateConf](t, "query")(a.QueryState(ctx))
	if q.AgentState != cti.AgentStateAvailable {
		t.Errorf("QUERY_AGENT_STATE_CONF AgentState = %v, want AVAILABLE", q.AgentState)
	}

	reply[*cti.SetAgentStateConf](t, "caller login")(caller.Login(ctx, agent.StateOptions{}))
	out, r, err := caller.MakeCall(ctx, "8000", agent.CallData{Variables: map[int]string{1: "account 42"}})
	reply[*cti.MakeCallConf](t, "make call")(r, err)
	if out.ID == 0 {
		t.Errorf("MakeCall returned no connection: %+v", out)
	}

	delivered := waitEvent[*cti.CallDeliveredEvent](t, ctx, sa, nil)
	call, ok := agent.CallOf(delivered)
	if !ok || call.ID != delivered.ConnectionCallID || call.DeviceID != delivered.ConnectionDeviceID {
		t.Fatalf("CallOf(CALL_DELIVERED_EVENT) = %+v, %v", call, ok)
	}
	reply[*cti.AnswerCallConf](t, "answer")(a.Answer(ctx, call))
	waitEvent(t, ctx, sa, func(e *cti.CallEstablishedEvent) bool { return e.ConnectionCallID == call.ID })
	reply[*cti.SetCallDataConf](t, "set call data")(a.SetCallData(ctx, call, agent.CallData{Variables: map[int]string{10: "ten"}}))
	snap := reply[*cti.SnapshotCallConf](t, "snapshot")(a.Snapshot(ctx, call))
	if snap.CallVariable1 != "account 42" || snap.CallVariable10 != "ten" {
		t.Errorf("snapshot CallVariable1, 10 = %q, %q", snap.CallVariable1, snap.CallVariable10)
	}

	reply[*cti.SetAgentStateConf](t, "b login")(b.Login(ctx, agent.StateOptions{}))
	reply[*cti.SetAgentStateConf](t, "b ready")(b.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{}))
	leg, r, err := a.Consult(ctx, call, "1001", cti.ConsultTypeTransfer, agent.CallData{})
	conf := reply[*cti.ConsultationCallConf](t, "consult")(r, err)
	if leg.ID != conf.NewConnectionCallID || leg.ID == call.ID {
		t.Errorf("consult leg %+v, CONSULTATION_CALL_CONF NewConnectionCallID %d, original call %d", leg, conf.NewConnectionCallID, call.ID)
	}
	if cons, ok := a.Consultation(); !ok || !cons.Held.Same(call) || !cons.Active.Same(leg) {
		t.Errorf("Consultation() = %+v, %v; want held %+v, active %+v", cons, ok, call, leg)
	}
	offered := waitEvent[*cti.CallDeliveredEvent](t, ctx, sb, nil)
	if offered.ConnectionCallID != leg.ID {
		t.Errorf("b offered call %d, consult leg is %d", offered.ConnectionCallID, leg.ID)
	}
	bcall, _ := agent.CallOf(offered)
	reply[*cti.AnswerCallConf](t, "b answers")(b.Answer(ctx, bcall))

	reply[*cti.TransferCallConf](t, "transfer")(a.Transfer(ctx, call, ""))
	waitEvent[*cti.CallTransferredEvent](t, ctx, sb, nil)
	if _, ok := a.Consultation(); ok {
		t.Error("the consultation is still in progress after the transfer")
	}
	if _, err := a.Transfer(ctx, call, ""); !errors.Is(err, agent.ErrNoConsultation) {
		t.Errorf("second completion: %v, want ErrNoConsultation", err)
	}
}

// recorder is a Conn that keeps the requests and answers nothing: it shows what a desk sends.
type recorder struct {
	v    cti.Version
	sent []cti.Invoker
}

func (r *recorder) Do(_ context.Context, req cti.Invoker) (client.Reply, error) {
	r.sent = append(r.sent, req)
	return client.Reply{}, nil
}

func (r *recorder) Version() cti.Version { return r.v }

func TestAgentIDByProduct(t *testing.T) {
	uccx, err := cti.ParseVersion("uccx:12")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v               cti.Version
		agentID, longID string
	}{
		{cti.V24, "5000", ""},
		{uccx, "", "5000"},
	} {
		rec := &recorder{v: tc.v}
		d := agent.New(rec, agent.Identity{ID: "5000", Extension: "1000", PeripheralID: 1})
		ctx := context.Background()
		_, _ = d.Login(ctx, agent.StateOptions{})
		_, _ = d.QueryState(ctx)
		st := rec.sent[0].(*cti.SetAgentStateReq)
		qs := rec.sent[1].(*cti.QueryAgentStateReq)
		if st.AgentID != tc.agentID || st.LongAgentID != tc.longID || qs.AgentID != tc.agentID || qs.LongAgentID != tc.longID {
			t.Errorf("%v: SET_AGENT_STATE_REQ AgentID/LongAgentID %q/%q, QUERY %q/%q; want %q/%q", tc.v,
				st.AgentID, st.LongAgentID, qs.AgentID, qs.LongAgentID, tc.agentID, tc.longID)
		}
		if st.AgentInstrument != "1000" {
			t.Errorf("%v: AgentInstrument %q, want the extension", tc.v, st.AgentInstrument)
		}
	}
}

// A single-step transfer names no held call: the 0xFFFFFFFF / CONNECTION_ID_NONE sentinels.
func TestSingleStepSentinels(t *testing.T) {
	rec := &recorder{v: cti.V24}
	d := agent.New(rec, agent.Identity{ID: "5000", Extension: "1000", PeripheralID: 5000})
	c := agent.Call{ID: 7, DeviceIDType: cti.ConnectionIDDynamic, DeviceID: "1000", PeripheralID: 5001}
	ctx := context.Background()
	if _, err := d.Transfer(ctx, c, ""); !errors.Is(err, agent.ErrNoConsultation) || len(rec.sent) != 0 {
		t.Fatalf("transfer without consultation nor number: %v, %d sent", err, len(rec.sent))
	}
	_, _ = d.Transfer(ctx, c, "6001")
	_, _ = d.Conference(ctx, c, "6002")
	tr := rec.sent[0].(*cti.TransferCallReq)
	if tr.HeldConnectionCallID != 0xFFFFFFFF || tr.HeldConnectionDeviceIDType != 0xFFFF || tr.ActiveConnectionCallID != 7 ||
		tr.DialedNumber != "6001" || tr.PeripheralID != 5001 {
		t.Errorf("TRANSFER_CALL_REQ %+v", tr)
	}
	cf := rec.sent[1].(*cti.ConferenceCallReq)
	if cf.HeldConnectionCallID != agent.NoCallID || cf.HeldConnectionDeviceIDType != cti.ConnectionIDNone || cf.DialedNumber != "6002" {
		t.Errorf("CONFERENCE_CALL_REQ %+v", cf)
	}
}

// Call data: a listed variable is sent even when empty (it clears the variable), a wrap-up only
// when given or cleared; a variable number outside 1…10 is refused before anything is sent.
func TestCallDataPresence(t *testing.T) {
	rec := &recorder{v: cti.V24}
	d := agent.New(rec, agent.Identity{ID: "5000", Extension: "1000", PeripheralID: 5000})
	ctx := context.Background()
	c := agent.Call{ID: 7, DeviceIDType: cti.ConnectionIDDynamic}
	_, _ = d.SetCallData(ctx, c, agent.CallData{Variables: map[int]string{1: "", 3: "x"}, ClearWrapup: true})
	_, _ = d.SetCallData(ctx, c, agent.CallData{Variables: map[int]string{2: "y"}})
	first, second := rec.sent[0].(*cti.SetCallDataReq), rec.sent[1].(*cti.SetCallDataReq)
	for _, tc := range []struct {
		m    *cti.SetCallDataReq
		tag  uint16
		want bool
	}{
		{first, cti.TagCallVariable1, true}, {first, cti.TagCallVariable3, true}, {first, cti.TagCallVariable2, false},
		{first, cti.TagCallWrapupData, true}, {second, cti.TagCallWrapupData, false}, {second, cti.TagCallVariable2, true},
	} {
		if got := tc.m.Present.Has(tc.tag); got != tc.want {
			t.Errorf("InvokeID %d: tag %s present = %v, want %v", tc.m.InvokeID, cti.TagName(tc.tag), got, tc.want)
		}
	}
	if first.CallVariable3 != "x" || second.CallVariable2 != "y" {
		t.Errorf("CallVariable3 %q, CallVariable2 %q", first.CallVariable3, second.CallVariable2)
	}
	if _, err := d.SetCallData(ctx, c, agent.CallData{Variables: map[int]string{11: "z"}}); !errors.Is(err, agent.ErrInvalidArgument) || len(rec.sent) != 2 {
		t.Errorf("CallVariable11: %v, %d sent", err, len(rec.sent))
	}
}

func TestParseState(t *testing.T) {
	for in, want := range map[string]cti.AgentState{
		"ready": cti.AgentStateAvailable, " NOT_READY ": cti.AgentStateNotReady, "work_ready": cti.AgentStateWorkReady,
		"AGENT_STATE_TALKING": cti.AgentStateTalking, "LOGOUT": cti.AgentStateLogout,
	} {
		if got, ok := agent.ParseState(in); !ok || got != want {
			t.Errorf("ParseState(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := agent.ParseState("SLEEPING"); ok {
		t.Error("ParseState(SLEEPING) ok")
	}
}
