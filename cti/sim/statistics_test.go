package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// until reads messages until one of type want arrives (the call-flow sequences are checked by
// the call tests; these tests check the counters).
func (c *client) until(want cti.MsgType) cti.Message {
	c.t.Helper()
	for range 50 {
		m, err := c.next()
		if err != nil {
			c.t.Fatalf("%s: waiting for %s: %v", c.name, want, err)
		}
		if m.MessageType() == want {
			return m
		}
	}
	c.t.Fatalf("%s: no %s in 50 messages", c.name, want)
	return nil
}

// openQuery opens a bridge session that asks for no events, as a wallboard polling statistics
// does: over a pipe, a session that does not read would hold the simulator up.
func openQuery(t testing.TB, srv *sim.Server, v cti.Version) *client {
	t.Helper()
	c := connect(t, srv, v)
	c.name = "wallboard"
	req := openReq("wallboard", cti.CTIServiceAllEvents)
	req.VersionNumber, req.PeripheralID = v.Number(), 0xFFFFFFFF
	req.CallMsgMask, req.AgentStateMask = 0, 0
	c.send(req)
	c.expect(cti.MsgOpenConf, cti.MsgSystemEvent)
	return c
}

func (c *client) agentStatistics(req *cti.QueryAgentStatisticsReq) *cti.QueryAgentStatisticsConf {
	c.t.Helper()
	req.PeripheralID = c.pid
	inv := c.send(req)
	m := c.until(cti.MsgQueryAgentStatisticsConf).(*cti.QueryAgentStatisticsConf)
	check(c.t, "QUERY_AGENT_STATISTICS_CONF InvokeID", m.InvokeID, inv)
	return m
}

func (c *client) skillGroupStatistics(num uint32) *cti.QuerySkillGroupStatisticsConf {
	c.t.Helper()
	inv := c.send(&cti.QuerySkillGroupStatisticsReq{PeripheralID: c.pid, SkillGroupNumber: num, SkillGroupID: 0xFFFFFFFF})
	m := c.until(cti.MsgQuerySkillGroupStatisticsConf).(*cti.QuerySkillGroupStatisticsConf)
	check(c.t, "QUERY_SKILL_GROUP_STATISTICS_CONF InvokeID", m.InvokeID, inv)
	return m
}

// handleCall answers the call offered to c, holds it for hold, talks talk in all, hangs up and
// spends wrap in WORK_READY before becoming READY again.
func (c *client) handleCall(id uint32, ring, talk, hold, wrap time.Duration) {
	c.t.Helper()
	c.until(cti.MsgCallDeliveredEvent)
	time.Sleep(ring)
	c.send(&cti.AnswerCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c.until(cti.MsgCallEstablishedEvent)
	c.agentState(cti.AgentStateTalking)
	if hold > 0 {
		time.Sleep((talk - hold) / 2)
		c.send(&cti.HoldCallReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
		c.until(cti.MsgCallHeldEvent)
		c.agentState(cti.AgentStateHold)
		time.Sleep(hold)
		c.send(&cti.RetrieveCallReq{PeripheralID: c.pid, HeldConnectionCallID: id, HeldConnectionDeviceID: "1000"})
		c.until(cti.MsgCallRetrievedEvent)
		c.agentState(cti.AgentStateTalking)
		time.Sleep(talk - hold - (talk-hold)/2)
	} else {
		time.Sleep(talk)
	}
	c.send(&cti.ClearConnectionReq{PeripheralID: c.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	c.until(cti.MsgEndCallEvent)
	c.agentState(cti.AgentStateWorkReady)
	time.Sleep(wrap)
	c.setState(cti.AgentStateAvailable, 0, "")
	c.expect(cti.MsgSetAgentStateConf)
	c.agentState(cti.AgentStateAvailable)
}

// TestAgentStatistics runs on the bubble's clock (which starts at midnight): an agent who
// handled two calls reports 2, with the exact talk, hold and wrap-up seconds; the state times
// include the state it is in at the query.
func TestAgentStatistics(t *testing.T) { synctest.Test(t, testAgentStatistics) }

func testAgentStatistics(t *testing.T) {
	cfg := callCfg()
	cfg.Agents.WrapUpRequired = true
	srv := newPipeSim(t, cfg)
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	a.setState(cti.AgentStateLogin, 0, "5000")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateNotReady)
	time.Sleep(5 * time.Second) // NOT_READY 5 s
	a.setState(cti.AgentStateAvailable, 0, "")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateAvailable)
	time.Sleep(10 * time.Second) // AVAILABLE 10 s

	zero := a.agentStatistics(&cti.QueryAgentStatisticsReq{})
	check(t, "before any call: handled, logged on, available, not ready",
		[]uint32{zero.HandledCallsSession, zero.LoggedOnTimeSession, zero.AvailTimeSession, zero.NotReadyTimeSession}, []uint32{0, 15, 10, 5})
	check(t, "identity", []string{zero.AgentID, zero.AgentExtension, zero.AgentInstrument}, []string{"5000", "1000", "1000"})

	// Call 1: rings 2 s, talks 30 s of which 4 s on hold, wrap-up 7 s.
	id1, _ := srv.OfferCall(sim.CallOptions{TalkTime: -1})
	a.handleCall(id1, 2*time.Second, 30*time.Second, 4*time.Second, 7*time.Second)
	// Call 2: answered at once, talks 10 s, wrap-up 3 s.
	id2, _ := srv.OfferCall(sim.CallOptions{TalkTime: -1})
	a.handleCall(id2, 0, 10*time.Second, 0, 3*time.Second)
	time.Sleep(20 * time.Second) // AVAILABLE again, 20 s so far at the query

	st := a.agentStatistics(&cti.QueryAgentStatisticsReq{})
	check(t, "HandledCallsSession", st.HandledCallsSession, 2)
	check(t, "HandledCallsToday", st.HandledCallsToday, 2)
	check(t, "HandledCallsTalkTimeSession (30 + 10, hold included)", st.HandledCallsTalkTimeSession, 40)
	check(t, "HandledCallsAfterCallTimeSession (7 + 3)", st.HandledCallsAfterCallTimeSession, 10)
	check(t, "HandledCallsTimeSession", st.HandledCallsTimeSession, 50)
	check(t, "IncomingCallsHeld, HeldTime", []uint32{st.IncomingCallsHeldSession, st.IncomingCallsHeldTimeSession}, []uint32{1, 4})
	// 5 NOT_READY + 10 AVAILABLE + 2 RESERVED + 30 + 7 + 10 + 3 + 20 AVAILABLE = 87 logged on.
	check(t, "LoggedOnTimeSession", st.LoggedOnTimeSession, 87)
	check(t, "AvailTimeSession (10 + 20, the current state included)", st.AvailTimeSession, 30)
	check(t, "NotReadyTimeSession", st.NotReadyTimeSession, 5)
	check(t, "ICMAvailable / Routable follow Avail / LoggedOn", []uint32{st.ICMAvailableTimeSession, st.RoutableTimeSession}, []uint32{30, 87})
	check(t, "Today = Session on the first day", []uint32{st.LoggedOnTimeToday, st.AvailTimeToday, st.HandledCallsTalkTimeToday}, []uint32{87, 30, 40})
	check(t, "calls the simulator has none of", []uint32{st.AgentOutCallsSession, st.AutoOutCallsSession, st.PreviewCallsSession,
		st.ReservationCallsSession, st.MonitorCallsSession, st.WhisperCallsSession, st.EmergencyCallsSession}, []uint32{0, 0, 0, 0, 0, 0, 0})

	// A bridge session names the agent; an agent session may not ask about another agent.
	mon := openQuery(t, srv, cti.V24)
	byID := mon.agentStatistics(&cti.QueryAgentStatisticsReq{AgentID: "5000"})
	check(t, "bridge: the same counters", byID.HandledCallsSession, 2)
	b, _ := openAgent(t, srv, cti.V24, "deskB", "1001", "")
	inv := b.send(&cti.QueryAgentStatisticsReq{PeripheralID: b.pid, AgentID: "5000"})
	b.failure(inv, cti.ECTIInconsistentAgentData)
	inv = mon.send(&cti.QueryAgentStatisticsReq{PeripheralID: mon.pid, AgentID: "9999"})
	mon.failure(inv, cti.ECTIInvalidAgentData)
	inv = mon.send(&cti.QueryAgentStatisticsReq{PeripheralID: mon.pid})
	mon.failure(inv, cti.ECTIRequiredDataMissing)

	// A new session starts at the next login; Today keeps the day.
	a.setState(cti.AgentStateNotReady, 0, "")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateNotReady)
	a.setState(cti.AgentStateLogout, 0, "")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateLogout)
	time.Sleep(time.Minute) // logged out: counts nowhere
	a.setState(cti.AgentStateLogin, 0, "5000")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateNotReady)
	time.Sleep(4 * time.Second)
	st = a.agentStatistics(&cti.QueryAgentStatisticsReq{})
	check(t, "new session: handled, logged on, not ready", []uint32{st.HandledCallsSession, st.LoggedOnTimeSession, st.NotReadyTimeSession}, []uint32{0, 4, 4})
	check(t, "today: handled, logged on", []uint32{st.HandledCallsToday, st.LoggedOnTimeToday}, []uint32{2, 91})
}

// TestSkillGroupStatistics: member states, the queue now, and the interval counters, which
// start again at their boundary (five minutes, half hour) while Today keeps counting.
func TestSkillGroupStatistics(t *testing.T) { synctest.Test(t, testSkillGroupStatistics) }

func testSkillGroupStatistics(t *testing.T) {
	cfg := callCfg()
	cfg.Agents.WrapUpRequired = true
	cfg.Agents.SkillGroups = nil
	cfg.SkillGroups = []sim.SkillGroup{{Number: 3, DialedNumber: "8003", Agents: []string{"5000", "5001"}},
		{Number: 4, DialedNumber: "8004", Agents: []string{"5002"}}}
	srv := newPipeSim(t, cfg)
	mon := openQuery(t, srv, cti.V24)
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	a.loginReady("5000")
	b, _ := openAgent(t, srv, cti.V24, "deskB", "1001", "")
	b.setState(cti.AgentStateLogin, 0, "5001")
	b.expect(cti.MsgSetAgentStateConf)
	b.agentState(cti.AgentStateNotReady)
	time.Sleep(10 * time.Second)

	// A takes a call of group 3 and talks; a second call waits 12 s in group 3's queue.
	id1, _ := srv.OfferCall(sim.CallOptions{SkillGroup: 3, TalkTime: -1})
	a.until(cti.MsgCallDeliveredEvent)
	a.send(&cti.AnswerCallReq{PeripheralID: a.pid, ConnectionCallID: id1, ConnectionDeviceID: "1000"})
	a.until(cti.MsgCallEstablishedEvent)
	a.agentState(cti.AgentStateTalking)
	srv.OfferCall(sim.CallOptions{SkillGroup: 3, TalkTime: -1})
	time.Sleep(12 * time.Second)

	g := mon.skillGroupStatistics(3)
	check(t, "group", []uint32{g.SkillGroupNumber, g.SkillGroupID, g.PeripheralID}, []uint32{3, 3, sim.DefaultPeripheralID})
	check(t, "logged on, not ready, ready, talking in, avail", []uint32{g.AgentsLoggedOn, g.AgentsNotReady, g.AgentsReady, g.AgentsTalkingIn, g.AgentsAvail},
		[]uint32{2, 1, 1, 1, 0})
	check(t, "queue now: calls, longest, total", []uint32{g.CallsQNow, g.LongestCallQNow, g.CallsQTimeNow, g.RouterCallsQNow, g.LongestRouterCallQNow},
		[]uint32{1, 12, 12, 1, 12})
	check(t, "queued today (both calls), longest wait so far (the first left at once)", []uint32{g.CallsQToday, g.LongestCallQToday}, []uint32{2, 0})
	other := mon.skillGroupStatistics(4)
	check(t, "group 4: nobody logged on", []uint32{other.AgentsLoggedOn, other.CallsQNow}, []uint32{0, 0})
	inv := mon.send(&cti.QuerySkillGroupStatisticsReq{PeripheralID: mon.pid, SkillGroupNumber: 99, SkillGroupID: 0xFFFFFFFF})
	mon.failure(inv, cti.ECTIInvalidSkillGroup)

	// A hangs up after 12 s of talk and wraps up 6 s; the waiting call then goes to A.
	a.send(&cti.ClearConnectionReq{PeripheralID: a.pid, ConnectionCallID: id1, ConnectionDeviceID: "1000"})
	a.until(cti.MsgEndCallEvent)
	a.agentState(cti.AgentStateWorkReady)
	time.Sleep(6 * time.Second)
	a.setState(cti.AgentStateAvailable, 0, "")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateAvailable)
	a.until(cti.MsgCallDeliveredEvent) // the waiting call, after 18 s in queue
	g = mon.skillGroupStatistics(3)
	check(t, "handled to5/half/today", []uint32{g.HandledCallsTo5, g.HandledCallsToHalf, g.HandledCallsToday}, []uint32{1, 1, 1})
	check(t, "talk, after-call, handle time today", []uint32{g.HandledCallsTalkTimeToday, g.HandledCallsAfterCallTimeToday, g.HandledCallsTimeToday},
		[]uint32{12, 6, 18})
	check(t, "queue today: calls, total wait, longest", []uint32{g.CallsQToday, g.CallsQTimeToday, g.LongestCallQToday}, []uint32{2, 18, 18})
	check(t, "reserved now", g.AgentsReserved, 1)
	// 10 + 12 + 6 s for each of A and B: logged-on time today.
	check(t, "LoggedOnTimeToday", g.LoggedOnTimeToday, 56)
	check(t, "NotReadyTimeToday (B)", g.NotReadyTimeToday, 28)

	// Past the five-minute boundary (the bubble starts at midnight): To5 starts again.
	time.Sleep(5 * time.Minute)
	g = mon.skillGroupStatistics(3)
	check(t, "after 5 min: handled to5, toHalf, today", []uint32{g.HandledCallsTo5, g.HandledCallsToHalf, g.HandledCallsToday}, []uint32{0, 1, 1})
	check(t, "after 5 min: queued to5, today", []uint32{g.CallsQ5, g.CallsQToday}, []uint32{0, 2})
	if g.LoggedOnTimeTo5 > 300*2 || g.LoggedOnTimeTo5 < g.LoggedOnTimeToday-(300*2+56) {
		t.Errorf("LoggedOnTimeTo5 %d: both agents' time since the boundary only (today %d)", g.LoggedOnTimeTo5, g.LoggedOnTimeToday)
	}
	_ = b
}

// TestStatisticsRefusedOnUCCX: Unified CCX has its own statistics queries; 112 and 114 are not
// in its catalog.
func TestStatisticsRefusedOnUCCX(t *testing.T) {
	cfg := callCfg()
	cfg.Product = sim.UCCX
	srv := newSim(t, cfg)
	c := connect(t, srv, cti.UCCX|14)
	c.name = "uccx"
	req := openReq("desk", agentSvc)
	req.VersionNumber, req.IdleTimeout, req.PeripheralID = 14, 60, 1
	req.AgentExtension, req.AgentInstrument = "1000", "1000"
	c.send(req)
	c.expect(cti.MsgOpenConf)
	c.pid = 1
	inv := c.send(&cti.QueryAgentStatisticsReq{PeripheralID: 1})
	c.failure(inv, cti.ECTIInvalidMsgTypeForVersion)
	inv = c.send(&cti.QuerySkillGroupStatisticsReq{PeripheralID: 1, SkillGroupNumber: 3})
	c.failure(inv, cti.ECTIInvalidMsgTypeForVersion)
}

// TestAgentStatisticsStateTimesProperty: over random sequences of READY / NOT_READY with random
// dwell times (on the bubble's clock), the state times the simulator reports are exactly the
// time spent in each state, they add up to the logged-on time, and Today equals Session on the
// first day.
func TestAgentStatisticsStateTimesProperty(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { agentStateTimes(t, seed) })
		})
	}
}

func agentStateTimes(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	srv := newPipeSim(t, callCfg())
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	a.setState(cti.AgentStateLogin, 0, "5000")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateNotReady)
	var avail, notReady time.Duration
	state := cti.AgentStateNotReady
	for range 1 + rng.IntN(12) {
		d := time.Duration(rng.IntN(600)) * time.Second
		time.Sleep(d)
		if state == cti.AgentStateAvailable {
			avail += d
		} else {
			notReady += d
		}
		next := cti.AgentStateAvailable
		if state == cti.AgentStateAvailable || rng.IntN(3) == 0 {
			next = cti.AgentStateNotReady // NOT_READY again (a new reason) is a change too
		}
		a.setState(next, uint16(rng.IntN(5)), "")
		a.expect(cti.MsgSetAgentStateConf)
		a.agentState(next)
		state = next
	}
	tail := time.Duration(rng.IntN(100)) * time.Second // the state at the query counts too
	time.Sleep(tail)
	if state == cti.AgentStateAvailable {
		avail += tail
	} else {
		notReady += tail
	}
	st := a.agentStatistics(&cti.QueryAgentStatisticsReq{})
	want := []uint32{uint32(avail / time.Second), uint32(notReady / time.Second), uint32((avail + notReady) / time.Second)}
	check(t, "Session avail, not ready, logged on", []uint32{st.AvailTimeSession, st.NotReadyTimeSession, st.LoggedOnTimeSession}, want)
	check(t, "Today avail, not ready, logged on", []uint32{st.AvailTimeToday, st.NotReadyTimeToday, st.LoggedOnTimeToday}, want)
	g := a.skillGroupStatistics(3)
	check(t, "group Today avail, not ready, logged on", []uint32{g.AvailTimeToday, g.NotReadyTimeToday, g.LoggedOnTimeToday}, want)
}

// TestAgentStatisticsMidnight: Today starts again at midnight (the clock's time zone) and counts
// only the part of the current state after it; Session keeps counting since login.
func TestAgentStatisticsMidnight(t *testing.T) { synctest.Test(t, testAgentStatisticsMidnight) }

func testAgentStatisticsMidnight(t *testing.T) {
	srv := newPipeSim(t, callCfg())
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	time.Sleep(24*time.Hour - 90*time.Second) // the bubble starts at midnight: 23:58:30
	a.loginReady("5000")
	time.Sleep(2 * time.Minute) // 00:00:30 the next day
	st := a.agentStatistics(&cti.QueryAgentStatisticsReq{})
	check(t, "Session logged on, avail", []uint32{st.LoggedOnTimeSession, st.AvailTimeSession}, []uint32{120, 120})
	check(t, "Today logged on, avail (since midnight)", []uint32{st.LoggedOnTimeToday, st.AvailTimeToday}, []uint32{30, 30})
}

// TestAgentStatisticsMadeCalls: a call to another agent counts as internal for the caller and
// internal received for the callee; a call to an outside number as AgentOut for the caller.
func TestAgentStatisticsMadeCalls(t *testing.T) { synctest.Test(t, testAgentStatisticsMadeCalls) }

func testAgentStatisticsMadeCalls(t *testing.T) {
	srv := newPipeSim(t, callCfg())
	a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
	a.name = "A"
	b, _ := openAgent(t, srv, cti.V24, "deskB", "1001", "")
	b.name = "B"
	a.setState(cti.AgentStateLogin, 0, "5000")
	a.expect(cti.MsgSetAgentStateConf)
	a.agentState(cti.AgentStateNotReady)
	b.loginReady("5001")

	// A calls B; B answers; they talk 10 s; A hangs up.
	a.send(&cti.MakeCallReq{PeripheralID: a.pid, DialedNumber: "1001", AgentInstrument: "1000"})
	id := a.until(cti.MsgMakeCallConf).(*cti.MakeCallConf).NewConnectionCallID
	b.until(cti.MsgCallDeliveredEvent)
	b.send(&cti.AnswerCallReq{PeripheralID: b.pid, ConnectionCallID: id, ConnectionDeviceID: "1001"})
	b.until(cti.MsgCallEstablishedEvent)
	a.until(cti.MsgCallEstablishedEvent) // over a pipe, read before the next request
	time.Sleep(10 * time.Second)
	a.send(&cti.ClearConnectionReq{PeripheralID: a.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	a.until(cti.MsgEndCallEvent)
	a.agentState(cti.AgentStateNotReady)
	b.until(cti.MsgEndCallEvent)
	b.agentState(cti.AgentStateAvailable)

	// A calls an outside number (answered at once) for 25 s.
	a.send(&cti.MakeCallReq{PeripheralID: a.pid, DialedNumber: "95551234", AgentInstrument: "1000"})
	id = a.until(cti.MsgMakeCallConf).(*cti.MakeCallConf).NewConnectionCallID
	a.until(cti.MsgCallEstablishedEvent)
	time.Sleep(25 * time.Second)
	a.send(&cti.ClearConnectionReq{PeripheralID: a.pid, ConnectionCallID: id, ConnectionDeviceID: "1000"})
	a.until(cti.MsgEndCallEvent)
	a.agentState(cti.AgentStateNotReady)

	sa := a.agentStatistics(&cti.QueryAgentStatisticsReq{})
	check(t, "A internal calls, time; out calls, talk, time; handled", []uint32{sa.InternalCallsSession, sa.InternalCallsTimeSession,
		sa.AgentOutCallsSession, sa.AgentOutCallsTalkTimeSession, sa.AgentOutCallsTimeSession, sa.HandledCallsSession}, []uint32{1, 10, 1, 25, 25, 0})
	sb := b.agentStatistics(&cti.QueryAgentStatisticsReq{})
	check(t, "B internal received, time; handled", []uint32{sb.InternalCallsRcvdSession, sb.InternalCallsRcvdTimeSession, sb.HandledCallsSession}, []uint32{1, 10, 0})
}

// TestUCCXAgentQueueStatistics: QUERY_AGENT_QUEUE_STATISTICS_REQ on a UCCX session counts the
// calls waiting in the agent's CSQs and the oldest wait (bubble clock: exact seconds).
func TestUCCXAgentQueueStatistics(t *testing.T) { synctest.Test(t, testUCCXAgentQueueStatistics) }

func testUCCXAgentQueueStatistics(t *testing.T) {
	srv := newPipeSim(t, sim.Config{Product: sim.UCCX, Agents: sim.AgentsConfig{Count: 3},
		SkillGroups: []sim.SkillGroup{{Number: 12, DialedNumber: "8012", Agents: []string{"5000", "5001"}},
			{Number: 13, DialedNumber: "8013", Agents: []string{"5001"}}}})
	c := connect(t, srv, cti.UCCX|14)
	c.name, c.pid = "uccx bridge", 1
	req := openReq("", cti.CTIServiceAllEvents)
	req.VersionNumber, req.PeripheralID, req.IdleTimeout, req.CallMsgMask, req.AgentStateMask = 14, 0xFFFFFFFF, 60, 0, 0
	c.send(req)
	c.expect(cti.MsgOpenConf, cti.MsgSystemEvent)

	srv.OfferCall(sim.CallOptions{SkillGroup: 12, TalkTime: -1}) // nobody is logged in: both wait
	time.Sleep(40 * time.Second)
	srv.OfferCall(sim.CallOptions{SkillGroup: 13, TalkTime: -1})
	time.Sleep(5 * time.Second)
	query := func(agentID string) *cti.QueryAgentQueueStatisticsConf {
		inv := c.send(&cti.QueryAgentQueueStatisticsReq{LongAgentID: agentID})
		m := c.expect(cti.MsgQueryAgentQueueStatisticsConf)[0].(*cti.QueryAgentQueueStatisticsConf)
		check(t, "InvokeID, AgentID", []any{m.InvokeID, m.LongAgentID}, []any{inv, agentID})
		return m
	}
	a := query("5000")
	check(t, "5000 (CSQ 12): calls, oldest", []uint32{a.CallsInQueue, a.OldestCallInQueue}, []uint32{1, 45})
	b := query("5001")
	check(t, "5001 (CSQs 12, 13): calls, oldest", []uint32{b.CallsInQueue, b.OldestCallInQueue}, []uint32{2, 45})
	n := query("5002")
	check(t, "5002 (no CSQ with calls)", []uint32{n.CallsInQueue, n.OldestCallInQueue}, []uint32{0, 0})
	inv := c.send(&cti.QueryAgentQueueStatisticsReq{LongAgentID: "9999"})
	c.failure(inv, cti.ECTIInvalidAgentData)
}
