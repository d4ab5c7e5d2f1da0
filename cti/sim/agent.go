package sim

import (
	"slices"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// agent is one agent of the population and its state machine.
//
// SET_AGENT_STATE_REQ is served by this table (rows: the agent's state, columns: AgentState
// asked for). "→ X" means SET_AGENT_STATE_CONF, then AGENT_STATE_EVENT X to the agent's session
// and the all-events sessions; "pending" means SET_AGENT_STATE_CONF and an AGENT_STATE_EVENT that
// keeps the state and carries NextAgentState[123]: the state is taken when the call ends. Every
// other cell is a CONTROL_FAILURE_CONF and changes nothing.
//
//	state \ asked      LOGIN                  READY(AVAILABLE)  NOT_READY         WORK_READY / WORK_NOT_READY  LOGOUT
//	LOGOUT             → NOT_READY (a)        INVALID_OBJECT_STATE (all other columns)
//	NOT_READY          ALREADY_SIGNED_ON      → AVAILABLE       → NOT_READY (b)   STATE_INCOMPATIBILITY        → LOGOUT (b)
//	AVAILABLE          ALREADY_SIGNED_ON      CONF only         → NOT_READY (b)   STATE_INCOMPATIBILITY        STATE_INCOMPATIBILITY (c)
//	RESERVED/TALKING/
//	HOLD               ALREADY_SIGNED_ON      pending           pending (b)       pending                      STATE_INCOMPATIBILITY
//	WORK_READY/
//	WORK_NOT_READY     ALREADY_SIGNED_ON      → AVAILABLE       → NOT_READY (b)   → that work state            STATE_INCOMPATIBILITY (c)
//
//	(a) LOGIN checks, in order: AgentID known (CF_INVALID_AGENT_ID_SPECIFIED), instrument known
//	    (CF_INVALID_LOGON_DEVICE_SPECIFIED), AgentPassword (CF_INVALID_PASSWORD_SPECIFIED), agent
//	    not logged in anywhere (CF_SPECIFIED_AGENT_ALREADY_SIGNED_ON), device free
//	    (CF_SPECIFIED_EXTENSION_ALREADY_IN_USE). ForcedFlag 2 only authenticates: CONF, no change.
//	(b) with Agents.ReasonCodeRequired a zero EventReasonCode is CF_REASON_CODE_REQUIRED; with
//	    Agents.ReasonCodes a code not listed is CF_INVALID_AGENT_REASON_CODE.
//	(c) an agent logs out from NOT_READY, as UCCE desktops require.
//	Other AgentState values (TALKING, HOLD, RESERVED, BUSY_OTHER, task states…) are
//	CF_INVALID_AGENT_WORK_MODE.
//
// Calls move the agent without requests (refreshAgent derives the state from the device's
// connections): an offered call makes an AVAILABLE agent RESERVED, an answered or originated
// call TALKING, all calls held HOLD. When the last call ends the agent takes, in this order: the
// pending state (WORK_NOT_READY instead of NOT_READY, WORK_READY instead of READY when wrap-up
// applies); WORK_READY when Agents.WrapUpRequired and the calls included an ACD call; NOT_READY
// with its old reason if the calls began from NOT_READY (an outbound call); NOT_READY with
// Agents.AfterCallNotReady; else AVAILABLE. Ring-no-answer makes it NOT_READY with
// Agents.RONAReasonCode. Wrap-up ends by itself after Agents.WrapUpTime (WORK_READY → AVAILABLE,
// WORK_NOT_READY → NOT_READY) when that is set.
type agent struct {
	id    string
	idx   int
	sgs   []uint32
	state cti.AgentState
	// reason is EventReasonCode of the state (NOT_READY, LOGOUT), 0 otherwise.
	reason uint16
	since  time.Time
	dev    *device  // logged in at, nil when logged out
	sess   *session // a session bound by agent ID only

	pending       cti.AgentState // asked for during a call, noState if none
	pendingReason uint16
	before        cti.AgentState // state when the current calls began
	beforeReason  uint16
	acd           bool // the current calls included an ACD call: wrap-up applies
	gen           uint64
	wrapTimer     *time.Timer

	memb    []*member // one per skill group, in sgs order
	inAvail bool      // in its groups' available lists

	sessStats, today statBlock      // statistics since login and since midnight (statistics.go)
	finished         []finishedCall // calls whose after-call work has not ended
	team             *team          // the team it is a member of, nil if none
	supervises       []*team        // the teams it is the supervisor of
}

// noState marks "no pending state".
const noState cti.AgentState = 0xFFFF

func inCallState(s cti.AgentState) bool {
	return s == cti.AgentStateReserved || s == cti.AgentStateTalking || s == cti.AgentStateHold
}

// setState moves an agent and tells its sessions and the all-events sessions.
func (c *center) setState(t *tx, a *agent, st cti.AgentState, reason uint16) {
	old := a.state
	if old == cti.AgentStateLogout && st != cti.AgentStateLogout {
		c.loggedIn++
	} else if old != cti.AgentStateLogout && st == cti.AgentStateLogout {
		c.loggedIn--
	}
	if old == cti.AgentStateTalking {
		c.talking--
	}
	if st == cti.AgentStateTalking {
		c.talking++
	}
	c.noteState(a, st, t.now)
	a.state, a.reason, a.since = st, reason, t.now
	a.gen++
	if a.wrapTimer != nil {
		a.wrapTimer.Stop()
		a.wrapTimer = nil
	}
	c.setAvailable(a, st == cti.AgentStateAvailable)
	if st == cti.AgentStateAvailable {
		t.route = true
	}
	t.toAgent(a, st, c.agentEvent(a, t.now))
	if (st == cti.AgentStateWorkReady || st == cti.AgentStateWorkNotReady) && c.cfg.Agents.WrapUpTime > 0 {
		gen := a.gen
		a.wrapTimer = time.AfterFunc(c.cfg.Agents.WrapUpTime, c.timerFunc(func(t *tx) {
			if a.gen != gen {
				return
			}
			a.wrapTimer = nil
			if a.state == cti.AgentStateWorkReady {
				c.setState(t, a, cti.AgentStateAvailable, 0)
			} else if a.state == cti.AgentStateWorkNotReady {
				c.setState(t, a, cti.AgentStateNotReady, a.reason)
			}
		}))
	}
}

// agentEvent builds AGENT_STATE_EVENT for an agent (§6 AGENT_STATE_EVENT, §6.1 for UCCX).
func (c *center) agentEvent(a *agent, now time.Time) *cti.AgentStateEvent {
	ev := &cti.AgentStateEvent{
		PeripheralID:            c.pid,
		PeripheralType:          c.ptype,
		SkillGroupState:         a.state,
		StateDuration:           uint32(now.Sub(a.since) / time.Second),
		AgentState:              a.state,
		EventReasonCode:         a.reason,
		MRDID:                   1,
		AgentMode:               cti.AgentModeRoutable,
		MaxTaskLimit:            1,
		ICMAgentID:              int32(100000 + a.idx),
		AgentAvailabilityStatus: cti.AvailabilityNotAvailable,
		NumFltSkillGroups:       uint16(len(a.sgs)),
	}
	if len(a.sgs) > 0 {
		ev.SkillGroupNumber, ev.SkillGroupID = a.sgs[0], a.sgs[0]
	}
	if a.state == cti.AgentStateAvailable {
		ev.AgentAvailabilityStatus = cti.AvailabilityICMAvailable
	}
	if inCallState(a.state) {
		ev.NumTasks = 1
	}
	sgID := func(n uint32) uint32 { return n }
	if c.uccx {
		// §6.1: UCCX fills these with constants.
		ev.SkillGroupState, ev.SkillGroupID, ev.SkillGroupPriority = 0, 0xFFFFFFFF, 0
		ev.MRDID, ev.NumTasks, ev.AgentMode, ev.MaxTaskLimit, ev.ICMAgentID = 1, 0, cti.AgentModeNotRoutable, 0, 0
		ev.AgentAvailabilityStatus = cti.AvailabilityICMAvailable
		sgID = func(uint32) uint32 { return 0xFFFFFFFF }
	}
	if a.dev != nil {
		ev.AgentExtension, ev.AgentInstrument = a.dev.ext, a.dev.ext
	}
	c.setAgentIDField(&ev.AgentID, &ev.LongAgentID, a.id)
	if a.pending != noState {
		ev.NextAgentState = a.pending
		ev.Present.Add(123)
	}
	ev.SkillGroups = make([]cti.AgentStateEventSkillGroup, len(a.sgs))
	for i, n := range a.sgs {
		ev.SkillGroups[i] = cti.AgentStateEventSkillGroup{SkillGroupNumber: n, SkillGroupID: sgID(n), SkillGroupState: a.state}
	}
	return ev
}

// setAgentState serves SET_AGENT_STATE_REQ by the table in agent's doc comment.
func (c *center) setAgentState(t *tx, s *session, req *cti.SetAgentStateReq) {
	invoke := req.InvokeID
	cfail := func(cf cti.ControlFailure) { s.controlFail(invoke, cf) }
	agentID := req.AgentID
	if agentID == "" {
		agentID = req.LongAgentID
	}
	if req.AgentState == cti.AgentStateLogin {
		c.login(t, s, req, agentID)
		return
	}

	// Which agent: the one named, else the one on the instrument named, else the session's.
	var a *agent
	switch {
	case agentID != "":
		if a = c.agents[agentID]; a == nil {
			cfail(cti.CFInvalidAgentIDSpecified)
			return
		}
	case req.AgentInstrument != "":
		d := c.devices[req.AgentInstrument]
		if d == nil {
			cfail(cti.CFInvalidCSTADeviceIdentifier)
			return
		}
		a = d.agent
	case s.dev != nil:
		a = s.dev.agent
	case s.agent != nil:
		a = s.agent
	default:
		s.fail(invoke, cti.ECTIRequiredDataMissing)
		return
	}
	if s.mode == modeAgent && a != nil && !s.owns(a) {
		s.fail(invoke, cti.ECTIInconsistentAgentData)
		return
	}
	if a == nil || a.dev == nil {
		cfail(cti.CFInvalidObjectState) // not logged in
		return
	}

	want, reason := req.AgentState, req.EventReasonCode
	switch want {
	case cti.AgentStateAvailable, cti.AgentStateNotReady, cti.AgentStateWorkReady, cti.AgentStateWorkNotReady, cti.AgentStateLogout:
	default:
		cfail(cti.CFInvalidAgentWorkMode)
		return
	}
	if want == cti.AgentStateNotReady || want == cti.AgentStateLogout {
		if cf := c.checkReason(reason); cf != 0 {
			cfail(cf)
			return
		}
	} else {
		reason = 0
	}
	cur := a.state
	switch {
	case inCallState(cur):
		if want == cti.AgentStateLogout {
			cfail(cti.CFGenericStateIncompatibility)
			return
		}
		a.pending, a.pendingReason = want, reason
		t.send(s, &cti.SetAgentStateConf{InvokeID: invoke})
		t.toAgent(a, cur, c.agentEvent(a, t.now))
		return
	case want == cti.AgentStateLogout:
		if cur != cti.AgentStateNotReady {
			cfail(cti.CFGenericStateIncompatibility)
			return
		}
		t.send(s, &cti.SetAgentStateConf{InvokeID: invoke})
		c.logout(t, a, reason)
		return
	case want == cti.AgentStateWorkReady || want == cti.AgentStateWorkNotReady:
		if cur != cti.AgentStateWorkReady && cur != cti.AgentStateWorkNotReady {
			cfail(cti.CFGenericStateIncompatibility)
			return
		}
	case want == cti.AgentStateAvailable && cur == cti.AgentStateAvailable:
		t.send(s, &cti.SetAgentStateConf{InvokeID: invoke})
		return
	}
	t.send(s, &cti.SetAgentStateConf{InvokeID: invoke})
	c.setState(t, a, want, reason)
}

// owns reports whether an agent-mode session may act for agent a.
func (s *session) owns(a *agent) bool {
	if s.agent != nil {
		return s.agent == a
	}
	return s.dev != nil && (a.dev == s.dev || a.dev == nil)
}

func (c *center) checkReason(code uint16) cti.ControlFailure {
	ac := &c.cfg.Agents
	if code == 0 {
		if ac.ReasonCodeRequired {
			return cti.CFReasonCodeRequired
		}
		return 0
	}
	if len(ac.ReasonCodes) > 0 && !slices.Contains(ac.ReasonCodes, code) {
		return cti.CFInvalidAgentReasonCode
	}
	return 0
}

func (c *center) login(t *tx, s *session, req *cti.SetAgentStateReq, agentID string) {
	invoke := req.InvokeID
	cfail := func(cf cti.ControlFailure) { s.controlFail(invoke, cf) }
	if agentID == "" {
		switch {
		case s.agent != nil:
			agentID = s.agent.id
		default:
			s.fail(invoke, cti.ECTIRequiredDataMissing)
			return
		}
	}
	a := c.agents[agentID]
	if a == nil {
		cfail(cti.CFInvalidAgentIDSpecified)
		return
	}
	if s.agent != nil && s.agent != a {
		s.fail(invoke, cti.ECTIInconsistentAgentData)
		return
	}
	var d *device
	switch {
	case req.AgentInstrument != "":
		if d = c.devices[req.AgentInstrument]; d == nil {
			cfail(cti.CFInvalidLogonDeviceSpecified)
			return
		}
		if s.mode == modeAgent && s.dev != nil && d != s.dev {
			cfail(cti.CFInvalidLogonDeviceSpecified)
			return
		}
	case s.dev != nil:
		d = s.dev
	default:
		s.fail(invoke, cti.ECTIRequiredDataMissing)
		return
	}
	if pw := c.cfg.Agents.Password; pw != "" && req.AgentPassword != pw {
		cfail(cti.CFInvalidPasswordSpecified)
		return
	}
	if a.dev != nil {
		cfail(cti.CFSpecifiedAgentAlreadySignedOn)
		return
	}
	if d.agent != nil {
		cfail(cti.CFSpecifiedExtensionAlreadyInUse)
		return
	}
	t.send(s, &cti.SetAgentStateConf{InvokeID: invoke})
	if req.ForcedFlag == cti.ForcedFlagAgentAuthenticationOnly {
		return
	}
	a.dev, d.agent = d, a
	a.pending, a.acd = noState, false
	c.setState(t, a, cti.AgentStateNotReady, 0)
	for _, x := range sessionsOf(a) {
		c.sendTeamConfig(t, x, a)
	}
}

func (c *center) logout(t *tx, a *agent, reason uint16) {
	a.pending = noState
	c.setState(t, a, cti.AgentStateLogout, reason) // told while still tied to the device
	if a.dev != nil {
		a.dev.agent = nil
		a.dev = nil
	}
}

// forceLogout clears an agent's calls and logs it out (LogoutOnClose).
func (c *center) forceLogout(t *tx, a *agent) {
	if d := a.dev; d != nil {
		for len(d.conns) > 0 {
			c.releaseConn(t, d.conns[0], cti.CECNone)
		}
	}
	if a.dev != nil {
		c.logout(t, a, 0)
	}
}

// refreshAgent derives an agent's state from its device's connections after a call changed.
func (c *center) refreshAgent(t *tx, a *agent) {
	if a == nil || a.dev == nil {
		return
	}
	var alerting, active, held int
	for _, cn := range a.dev.conns {
		switch cn.lcs {
		case cti.LCSAlerting:
			alerting++
		case cti.LCSConnect, cti.LCSInitiate:
			active++
		case cti.LCSHold:
			held++
		}
	}
	var want cti.AgentState
	switch {
	case active > 0:
		want = cti.AgentStateTalking
	case held > 0:
		want = cti.AgentStateHold
	case alerting > 0:
		want = cti.AgentStateReserved
	default:
		if inCallState(a.state) {
			c.afterCall(t, a)
		}
		return
	}
	if want == a.state {
		return
	}
	if !inCallState(a.state) {
		a.before, a.beforeReason = a.state, a.reason
	}
	c.setState(t, a, want, 0)
}

// afterCall picks the state an agent takes when its last call ends (see agent's doc comment).
func (c *center) afterCall(t *tx, a *agent) {
	pending, preason := a.pending, a.pendingReason
	a.pending = noState
	wrap := c.cfg.Agents.WrapUpRequired && a.acd
	a.acd = false
	switch {
	case pending == cti.AgentStateNotReady && wrap, pending == cti.AgentStateWorkNotReady:
		c.setState(t, a, cti.AgentStateWorkNotReady, preason)
	case pending == cti.AgentStateWorkReady, pending == cti.AgentStateAvailable && wrap:
		c.setState(t, a, cti.AgentStateWorkReady, 0)
	case pending == cti.AgentStateNotReady:
		c.setState(t, a, cti.AgentStateNotReady, preason)
	case pending == cti.AgentStateAvailable:
		c.setState(t, a, cti.AgentStateAvailable, 0)
	case wrap:
		c.setState(t, a, cti.AgentStateWorkReady, 0)
	case a.before == cti.AgentStateNotReady:
		c.setState(t, a, cti.AgentStateNotReady, a.beforeReason)
	case c.cfg.Agents.AfterCallNotReady:
		c.setState(t, a, cti.AgentStateNotReady, 0)
	default:
		c.setState(t, a, cti.AgentStateAvailable, 0)
	}
}

// queryAgentState serves QUERY_AGENT_STATE_REQ: the agent named by AgentID, AgentExtension or
// AgentInstrument, else the session's.
func (c *center) queryAgentState(t *tx, s *session, req *cti.QueryAgentStateReq) {
	agentID := req.AgentID
	if agentID == "" {
		agentID = req.LongAgentID
	}
	var a *agent
	var d *device
	switch {
	case agentID != "":
		a = c.agents[agentID]
	case req.AgentExtension != "" || req.AgentInstrument != "":
		ext := req.AgentExtension
		if ext == "" {
			ext = req.AgentInstrument
		}
		if d = c.devices[ext]; d != nil {
			a = d.agent
		}
	case s.dev != nil:
		d, a = s.dev, s.dev.agent
	case s.agent != nil:
		a = s.agent
	default:
		s.fail(req.InvokeID, cti.ECTIRequiredDataMissing)
		return
	}
	if a == nil && d == nil {
		s.fail(req.InvokeID, cti.ECTIInvalidAgentData)
		return
	}
	m := &cti.QueryAgentStateConf{
		InvokeID:                req.InvokeID,
		AgentState:              cti.AgentStateLogout,
		MRDID:                   1,
		AgentMode:               cti.AgentModeRoutable,
		MaxTaskLimit:            1,
		AgentAvailabilityStatus: cti.AvailabilityNotAvailable,
	}
	if d != nil {
		m.AgentExtension, m.AgentInstrument = d.ext, d.ext
	}
	if a != nil {
		c.setAgentIDField(&m.AgentID, &m.LongAgentID, a.id)
		m.AgentState = a.state
		m.ICMAgentID = int32(100000 + a.idx)
		if a.dev != nil {
			m.AgentExtension, m.AgentInstrument = a.dev.ext, a.dev.ext
			m.NumSkillGroups = uint16(len(a.sgs))
			m.SkillGroups = make([]cti.QueryAgentStateConfSkillGroup, len(a.sgs))
			for i, n := range a.sgs {
				id := n
				if c.uccx {
					id = 0xFFFFFFFF
				}
				m.SkillGroups[i] = cti.QueryAgentStateConfSkillGroup{SkillGroupNumber: n, SkillGroupID: id, SkillGroupState: a.state}
			}
		}
		if a.state == cti.AgentStateAvailable {
			m.AgentAvailabilityStatus = cti.AvailabilityICMAvailable
		}
		if inCallState(a.state) {
			m.NumTasks = 1
		}
	}
	if c.uccx {
		// §6.1: MRDID 1, NumTasks 0, AgentMode 0, MaxTaskLimit 0, ICMAgentID 0, availability 1.
		m.NumTasks, m.AgentMode, m.MaxTaskLimit, m.ICMAgentID = 0, cti.AgentModeNotRoutable, 0, 0
		m.AgentAvailabilityStatus = cti.AvailabilityICMAvailable
	}
	t.send(s, m)
}
