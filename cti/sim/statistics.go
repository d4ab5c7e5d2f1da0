package sim

import (
	"time"

	"github.com/ctiload/ctiload/cti"
)

// Statistics: QUERY_AGENT_STATISTICS_REQ and QUERY_SKILL_GROUP_STATISTICS_REQ are answered from
// counters the simulator keeps as agents and calls move (docs/simulator.md, "Statistics").
//
// Time in a state is accumulated when the state ends (setState → noteState) and, for the state
// an agent is in now, added at the query, so both follow the injected clock (Config.Now). A
// completed call is counted, as the reference says, once its after-call work ends: removeConn
// leaves a finished record on the agent, and the agent's next state outside wrap-up (or the end
// of wrap-up) books it with the wrap-up time as its after-call time. Every interval is clipped to
// its own start, so a state or a wait that began before the interval contributes only its part
// inside it.

// callTally counts one kind of completed call.
type callTally struct {
	n, held                uint32 // calls; calls placed on hold at least once
	talk, after, heldTotal time.Duration
}

func (ct *callTally) add(r *finishedCall, after time.Duration) {
	ct.n++
	ct.talk += r.talk
	ct.after += after
	if r.held {
		ct.held++
		ct.heldTotal += r.heldTime
	}
}

// statBlock is the counters of one interval: an agent's session or day, a skill group's five
// minutes, half hour or day.
type statBlock struct {
	start                     time.Time
	avail, notReady, loggedOn time.Duration
	handled, out, internal    callTally // inbound ACD, made to an outside number, made to an agent or queue
	received                  callTally // internal calls received (not ACD)
	bargeIn, intercept        uint32
	queued                    uint32 // calls that entered the group's queue
	queueTime, longestQueue   time.Duration
}

// roll starts the block anew when its interval has changed.
func (b *statBlock) roll(start time.Time) {
	if !b.start.Equal(start) {
		*b = statBlock{start: start}
	}
}

// clip is the part of [since, now] inside the block's interval.
func (b *statBlock) clip(since, now time.Time) time.Duration {
	if since.Before(b.start) {
		since = b.start
	}
	if d := now.Sub(since); d > 0 {
		return d
	}
	return 0
}

// addState books time spent in agent state st from since to now.
func (b *statBlock) addState(st cti.AgentState, since, now time.Time) {
	if st == cti.AgentStateLogout {
		return
	}
	d := b.clip(since, now)
	b.loggedOn += d
	switch st {
	case cti.AgentStateAvailable:
		b.avail += d
	case cti.AgentStateNotReady:
		b.notReady += d
	}
}

func (b *statBlock) addCall(r *finishedCall, after time.Duration) {
	switch r.kind {
	case callHandled:
		b.handled.add(r, after)
	case callOut:
		b.out.add(r, after)
	case callInternal:
		b.internal.add(r, after)
	case callReceived:
		b.received.add(r, after)
	case callBargeIn:
		b.bargeIn++
	case callIntercept:
		b.intercept++
	}
}

// callKind classifies an agent's completed connection for the statistics.
type callKind uint8

const (
	callHandled   callKind = iota // an inbound ACD call, or a call through a queue, the agent answered
	callOut                       // the agent called an outside number
	callInternal                  // the agent called another agent or a queue (consultations included)
	callReceived                  // the agent answered another agent's (non-ACD) call
	callBargeIn                   // the agent, as a supervisor, barged in
	callIntercept                 // the agent, as a supervisor, intercepted
)

// finishedCall is an agent's connection that has ended, waiting for the end of after-call work.
type finishedCall struct {
	kind           callKind
	grp            *skillGroup // the ACD call's group
	talk, heldTime time.Duration
	held           bool
	ended          time.Time
}

// connStats is what a connection at an agent phone records for the statistics.
type connStats struct {
	connectedAt time.Time // first connected; zero if it never was
	heldAt      time.Time // on hold since; zero when not held
	held        bool
	heldTime    time.Duration
	supervise   cti.EventCause // CEC_SUPERVISOR_BARGE_IN / _INTERCEPT for a supervisor's connection
}

func isWork(st cti.AgentState) bool {
	return st == cti.AgentStateWorkReady || st == cti.AgentStateWorkNotReady
}

// Interval starts: the clock's own time zone decides midnight.
func dayStart(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}

// groupBlocks are a skill group's intervals, rolled to now.
func (g *skillGroup) blocks(now time.Time) [3]*statBlock {
	g.to5.roll(now.Truncate(5 * time.Minute))
	g.toHalf.roll(now.Truncate(30 * time.Minute))
	g.today.roll(dayStart(now))
	return [3]*statBlock{&g.to5, &g.toHalf, &g.today}
}

// noteState books the state an agent leaves (called by setState before the change).
func (c *center) noteState(a *agent, st cti.AgentState, now time.Time) {
	old := a.state
	a.today.roll(dayStart(now))
	a.sessStats.addState(old, a.since, now)
	a.today.addState(old, a.since, now)
	for _, m := range a.memb {
		for _, b := range m.g.blocks(now) {
			b.addState(old, a.since, now)
		}
	}
	if old == cti.AgentStateLogout && st != cti.AgentStateLogout {
		a.sessStats = statBlock{start: now} // a session starts at login
	}
	if isWork(old) || (!isWork(st) && !inCallState(st)) {
		c.bookCalls(a, isWork(old), now)
	}
}

// bookCalls counts an agent's finished calls; afterWork says the agent is leaving wrap-up, whose
// time since each call ended is that call's after-call time.
func (c *center) bookCalls(a *agent, afterWork bool, now time.Time) {
	for i := range a.finished {
		r := &a.finished[i]
		var after time.Duration
		if afterWork {
			after = now.Sub(r.ended)
		}
		a.sessStats.addCall(r, after)
		a.today.addCall(r, after)
		if r.grp != nil {
			for _, b := range r.grp.blocks(now) {
				b.addCall(r, after)
			}
		}
	}
	a.finished = a.finished[:0]
}

// connEnded leaves an agent's ended connection for bookCalls.
func (c *center) connEnded(cn *conn, now time.Time) {
	if cn.dev == nil || cn.dev.agent == nil || cn.st.connectedAt.IsZero() {
		return // an outside party, or a phone that never answered
	}
	a, cl := cn.dev.agent, cn.call
	if !cn.st.heldAt.IsZero() {
		cn.st.heldTime += now.Sub(cn.st.heldAt)
	}
	r := finishedCall{talk: now.Sub(cn.st.connectedAt), held: cn.st.held, heldTime: cn.st.heldTime, ended: now}
	switch {
	case cn.st.supervise == cti.CECSupervisorBargeIn:
		r.kind = callBargeIn
	case cn.st.supervise == cti.CECSupervisorIntercept:
		r.kind = callIntercept
	case cl.callingType == cti.DevIDAgentDevice && cl.calling == cn.id:
		r.kind = callInternal
		if cl.calledType == cti.DevIDExternal {
			r.kind = callOut
		}
	case cl.isACD() || cn.routed: // an inbound call, or any call the agent got through a queue
		r.kind, r.grp = callHandled, cl.grp
	default:
		r.kind = callReceived
	}
	a.finished = append(a.finished, r)
}

// connConnected marks the first time a connection at an agent phone is connected.
func connConnected(cn *conn, now time.Time) {
	if cn.dev != nil && cn.st.connectedAt.IsZero() {
		cn.st.connectedAt = now
	}
}

func connHeld(cn *conn, now time.Time) {
	cn.st.held, cn.st.heldAt = true, now
}

func connRetrieved(cn *conn, now time.Time) {
	if !cn.st.heldAt.IsZero() {
		cn.st.heldTime += now.Sub(cn.st.heldAt)
		cn.st.heldAt = time.Time{}
	}
}

// queueEntered and queueLeft count a group's queued calls and their waits.
func (g *skillGroup) queueEntered(now time.Time) {
	for _, b := range g.blocks(now) {
		b.queued++
	}
}

func (g *skillGroup) queueLeft(queuedAt, now time.Time) {
	for _, b := range g.blocks(now) {
		w := b.clip(queuedAt, now)
		b.queueTime += w
		b.longestQueue = max(b.longestQueue, w)
	}
}

func secs(d time.Duration) uint32 { return uint32(d / time.Second) }

// agentPeriod points at the call counters of one period (Session or Today) of
// QUERY_AGENT_STATISTICS_CONF, in the message's order.
type agentPeriod struct {
	handled, handledTalk, handledAfter, handledTime, incomingHeld, incomingHeldTime *uint32
	out, outTalk, outTime, outHeld, outHeldTime                                     *uint32
	internal, internalTime, received, receivedTime, internalHeld, internalHeldTime  *uint32
	bargeIn, intercept                                                              *uint32
}

func (b *statBlock) fillAgent(p agentPeriod) {
	h, o, in, rc := &b.handled, &b.out, &b.internal, &b.received
	*p.handled, *p.handledTalk, *p.handledAfter, *p.handledTime = h.n, secs(h.talk), secs(h.after), secs(h.talk+h.after)
	*p.incomingHeld, *p.incomingHeldTime = h.held, secs(h.heldTotal)
	*p.out, *p.outTalk, *p.outTime, *p.outHeld, *p.outHeldTime = o.n, secs(o.talk), secs(o.talk+o.after), o.held, secs(o.heldTotal)
	*p.internal, *p.internalTime, *p.received, *p.receivedTime = in.n, secs(in.talk), rc.n, secs(rc.talk)
	*p.internalHeld, *p.internalHeldTime = in.held+rc.held, secs(in.heldTotal+rc.heldTotal)
	*p.bargeIn, *p.intercept = b.bargeIn, b.intercept
}

// groupInterval points at the counters of one interval (To5, ToHalf, Today) of
// QUERY_SKILL_GROUP_STATISTICS_CONF that the simulator keeps.
type groupInterval struct {
	avail, loggedOn, notReady                                                       *uint32
	handled, handledTalk, handledAfter, handledTime, incomingHeld, incomingHeldTime *uint32
	queued, queueTime, longestQueue                                                 *uint32
}

func (b *statBlock) fillGroup(p groupInterval) {
	h := &b.handled
	*p.avail, *p.loggedOn, *p.notReady = secs(b.avail), secs(b.loggedOn), secs(b.notReady)
	*p.handled, *p.handledTalk, *p.handledAfter, *p.handledTime = h.n, secs(h.talk), secs(h.after), secs(h.talk+h.after)
	*p.incomingHeld, *p.incomingHeldTime = h.held, secs(h.heldTotal)
	*p.queued, *p.queueTime, *p.longestQueue = b.queued, secs(b.queueTime), secs(b.longestQueue)
}

// queryAgentStatistics serves QUERY_AGENT_STATISTICS_REQ: the agent named (AgentID, then
// AgentExtension or AgentInstrument), else the session's own.
func (c *center) queryAgentStatistics(t *tx, s *session, req *cti.QueryAgentStatisticsReq) {
	var a *agent
	switch {
	case req.AgentID != "":
		a = c.agents[req.AgentID]
	case req.AgentExtension != "" || req.AgentInstrument != "":
		ext := req.AgentExtension
		if ext == "" {
			ext = req.AgentInstrument
		}
		if d := c.devices[ext]; d != nil {
			a = d.agent
		}
	case s.dev != nil:
		a = s.dev.agent
	case s.agent != nil:
		a = s.agent
	default:
		s.fail(req.InvokeID, cti.ECTIRequiredDataMissing)
		return
	}
	if a == nil {
		s.fail(req.InvokeID, cti.ECTIInvalidAgentData)
		return
	}
	if s.mode == modeAgent && !s.owns(a) {
		s.fail(req.InvokeID, cti.ECTIInconsistentAgentData)
		return
	}
	t.send(s, c.agentStatistics(a, req.InvokeID, t.now))
}

// agentStatistics builds QUERY_AGENT_STATISTICS_CONF: the booked counters plus the state the
// agent is in now.
func (c *center) agentStatistics(a *agent, invoke uint32, now time.Time) *cti.QueryAgentStatisticsConf {
	a.today.roll(dayStart(now))
	sess, today := a.sessStats, a.today
	if a.state != cti.AgentStateLogout {
		sess.addState(a.state, a.since, now)
		today.addState(a.state, a.since, now)
	}
	m := &cti.QueryAgentStatisticsConf{InvokeID: invoke, PeripheralID: c.pid}
	m.AvailTimeSession, m.LoggedOnTimeSession, m.NotReadyTimeSession = secs(sess.avail), secs(sess.loggedOn), secs(sess.notReady)
	// The simulator's agents are ICM-available exactly when AVAILABLE, and routable while logged on.
	m.ICMAvailableTimeSession, m.RoutableTimeSession = secs(sess.avail), secs(sess.loggedOn)
	m.AvailTimeToday, m.LoggedOnTimeToday, m.NotReadyTimeToday = secs(today.avail), secs(today.loggedOn), secs(today.notReady)
	m.ICMAvailableTimeToday, m.RoutableTimeToday = secs(today.avail), secs(today.loggedOn)

	sess.fillAgent(agentPeriod{&m.HandledCallsSession, &m.HandledCallsTalkTimeSession, &m.HandledCallsAfterCallTimeSession,
		&m.HandledCallsTimeSession, &m.IncomingCallsHeldSession, &m.IncomingCallsHeldTimeSession,
		&m.AgentOutCallsSession, &m.AgentOutCallsTalkTimeSession, &m.AgentOutCallsTimeSession, &m.AgentOutCallsHeldSession,
		&m.AgentOutCallsHeldTimeSession, &m.InternalCallsSession, &m.InternalCallsTimeSession, &m.InternalCallsRcvdSession,
		&m.InternalCallsRcvdTimeSession, &m.InternalCallsHeldSession, &m.InternalCallsHeldTimeSession,
		&m.BargeInCallsSession, &m.InterceptCallsSession})
	today.fillAgent(agentPeriod{&m.HandledCallsToday, &m.HandledCallsTalkTimeToday, &m.HandledCallsAfterCallTimeToday,
		&m.HandledCallsTimeToday, &m.IncomingCallsHeldToday, &m.IncomingCallsHeldTimeToday,
		&m.AgentOutCallsToday, &m.AgentOutCallsTalkTimeToday, &m.AgentOutCallsTimeToday, &m.AgentOutCallsHeldToday,
		&m.AgentOutCallsHeldTimeToday, &m.InternalCallsToday, &m.InternalCallsTimeToday, &m.InternalCallsRcvdToday,
		&m.InternalCallsRcvdTimeToday, &m.InternalCallsHeldToday, &m.InternalCallsHeldTimeToday,
		&m.BargeInCallsToday, &m.InterceptCallsToday})

	m.AgentID = a.id // UCCE only: UCCX has no QUERY_AGENT_STATISTICS
	if a.dev != nil {
		m.AgentExtension, m.AgentInstrument = a.dev.ext, a.dev.ext
	}
	return m
}

// queryAgentQueueStatistics serves Unified CCX's QUERY_AGENT_QUEUE_STATISTICS_REQ: the calls
// waiting now in the queues of the agent's CSQs, and the wait of the oldest, in seconds. (A UCCE
// session never gets here: the type is not in its catalog.)
func (c *center) queryAgentQueueStatistics(t *tx, s *session, req *cti.QueryAgentQueueStatisticsReq) {
	a := c.agents[req.LongAgentID]
	switch {
	case a == nil:
		s.fail(req.InvokeID, cti.ECTIInvalidAgentData)
		return
	case s.mode == modeAgent && !s.owns(a):
		s.fail(req.InvokeID, cti.ECTIInconsistentAgentData)
		return
	}
	m := &cti.QueryAgentQueueStatisticsConf{InvokeID: req.InvokeID, LongAgentID: a.id}
	var oldest time.Duration
	for _, mb := range a.memb {
		for _, cl := range mb.g.queue {
			m.CallsInQueue++
			oldest = max(oldest, t.now.Sub(cl.queuedAt))
		}
	}
	m.OldestCallInQueue = secs(oldest)
	t.send(s, m)
}

// nullSkillGroup is NULL_SKILL_GROUP: "not given".
const nullSkillGroup = 0xFFFFFFFF

// querySkillGroupStatistics serves QUERY_SKILL_GROUP_STATISTICS_REQ for a group named by
// SkillGroupNumber or, when that is NULL_SKILL_GROUP, by SkillGroupID (the same number here).
func (c *center) querySkillGroupStatistics(t *tx, s *session, req *cti.QuerySkillGroupStatisticsReq) {
	num := req.SkillGroupNumber
	if num == nullSkillGroup {
		num = req.SkillGroupID
	}
	g := c.groupByNum[num]
	if g == nil {
		s.fail(req.InvokeID, cti.ECTIInvalidSkillGroup)
		return
	}
	t.send(s, c.skillGroupStatistics(g, req.InvokeID, t.now))
}

// skillGroupStatistics builds QUERY_SKILL_GROUP_STATISTICS_CONF from the members' states, the
// queue and the group's interval counters.
func (c *center) skillGroupStatistics(g *skillGroup, invoke uint32, now time.Time) *cti.QuerySkillGroupStatisticsConf {
	m := &cti.QuerySkillGroupStatisticsConf{InvokeID: invoke, PeripheralID: c.pid, SkillGroupNumber: g.num, SkillGroupID: g.num}
	bl := g.blocks(now)
	to5, half, today := *bl[0], *bl[1], *bl[2]
	for _, a := range c.agentList {
		if a.state == cti.AgentStateLogout || !a.inGroup(g) {
			continue
		}
		to5.addState(a.state, a.since, now)
		half.addState(a.state, a.since, now)
		today.addState(a.state, a.since, now)
		m.AgentsLoggedOn++
		switch a.state {
		case cti.AgentStateAvailable:
			m.AgentsAvail++
		case cti.AgentStateNotReady:
			m.AgentsNotReady++
		case cti.AgentStateWorkReady:
			m.AgentsWorkReady++
		case cti.AgentStateWorkNotReady:
			m.AgentsWorkNotReady++
		case cti.AgentStateReserved:
			m.AgentsReserved++
		case cti.AgentStateHold:
			m.AgentsHold++
		case cti.AgentStateTalking:
			c.countTalking(m, a, g)
		}
	}
	m.AgentsReady = m.AgentsLoggedOn - m.AgentsNotReady
	m.AgentsICMAvailable = m.AgentsAvail
	var waitTotal, longest time.Duration
	for _, cl := range g.queue {
		w := now.Sub(cl.queuedAt)
		waitTotal += w
		longest = max(longest, w)
	}
	// One queue per group: the router's queue of a Unified CCE, reported in both places.
	m.RouterCallsQNow, m.LongestRouterCallQNow = uint32(len(g.queue)), secs(longest)
	m.CallsQNow, m.CallsQTimeNow, m.LongestCallQNow = uint32(len(g.queue)), secs(waitTotal), secs(longest)

	to5.fillGroup(groupInterval{&m.AvailTimeTo5, &m.LoggedOnTimeTo5, &m.NotReadyTimeTo5, &m.HandledCallsTo5,
		&m.HandledCallsTalkTimeTo5, &m.HandledCallsAfterCallTimeTo5, &m.HandledCallsTimeTo5, &m.IncomingCallsHeldTo5,
		&m.IncomingCallsHeldTimeTo5, &m.CallsQ5, &m.CallsQTime5, &m.LongestCallQ5})
	half.fillGroup(groupInterval{&m.AvailTimeToHalf, &m.LoggedOnTimeToHalf, &m.NotReadyTimeToHalf, &m.HandledCallsToHalf,
		&m.HandledCallsTalkTimeToHalf, &m.HandledCallsAfterCallTimeToHalf, &m.HandledCallsTimeToHalf, &m.IncomingCallsHeldToHalf,
		&m.IncomingCallsHeldTimeToHalf, &m.CallsQHalf, &m.CallsQTimeHalf, &m.LongestCallQHalf})
	today.fillGroup(groupInterval{&m.AvailTimeToday, &m.LoggedOnTimeToday, &m.NotReadyTimeToday, &m.HandledCallsToday,
		&m.HandledCallsTalkTimeToday, &m.HandledCallsAfterCallTimeToday, &m.HandledCallsTimeToday, &m.IncomingCallsHeldToday,
		&m.IncomingCallsHeldTimeToday, &m.CallsQToday, &m.CallsQTimeToday, &m.LongestCallQToday})
	return m
}

// countTalking sorts a talking member by its active call: an ACD call of this group (in), of
// another group (busy other), a call to an outside number (out), anything else (other).
func (c *center) countTalking(m *cti.QuerySkillGroupStatisticsConf, a *agent, g *skillGroup) {
	cn := activeConn(a.dev, nil)
	switch {
	case cn == nil:
		m.AgentsTalkingOther++
	case (cn.call.isACD() || cn.routed) && cn.call.grp != nil && cn.call.grp != g:
		m.AgentsBusyOther++
	case cn.call.isACD() || cn.routed:
		m.AgentsTalkingIn++
	case cn.call.typ == cti.CallTypeAgentOut || cn.call.calledType == cti.DevIDExternal:
		m.AgentsTalkingOut++
	default:
		m.AgentsTalkingOther++
	}
}

func (a *agent) inGroup(g *skillGroup) bool {
	for _, m := range a.memb {
		if m.g == g {
			return true
		}
	}
	return false
}
