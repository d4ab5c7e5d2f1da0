package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// Team is an agent team of the simulated peripheral: a supervisor and the agents it looks after.
// A supervisor's session learns its team from AGENT_TEAM_CONFIG_EVENT; an agent's
// SUPERVISOR_ASSIST_REQ and EMERGENCY_CALL_REQ call the team's supervisor; USER_MESSAGE_REQ with
// DISTRIBUTE_TO_SUPERVISOR or DISTRIBUTE_TO_TEAM reaches it.
type Team struct {
	// ID is the TeamID.
	ID uint32
	// Name is AgentTeamName (default "Team <ID>").
	Name string
	// Supervisor is the agent ID of the team's (primary) supervisor; empty: the team has none.
	Supervisor string
	// Agents are the IDs of the members (the supervisor need not be one).
	Agents []string
}

// team is a team at run time. Guarded by center.mu.
type team struct {
	cfg     Team
	sup     *agent
	members []*agent
}

// ParseTeam parses a team given as ID[=NAME]:SUPERVISOR[:AGENTS], the syntax of --team:
// "7=Billing:5000:5001-5009" is team 7, named Billing, supervised by agent 5000, with agents
// 5001…5009. Without AGENTS the members come from elsewhere (the agents CSV's team column).
func ParseTeam(s string) (Team, error) {
	var t Team
	parts := strings.SplitN(s, ":", 3)
	head, name, _ := strings.Cut(parts[0], "=")
	n, err := strconv.ParseUint(strings.TrimSpace(head), 10, 32)
	if err != nil || n == 0 || len(parts) < 2 {
		return t, fmt.Errorf("%q: want ID[=NAME]:SUPERVISOR[:AGENTS] with a team ID above 0, e.g. 7=Billing:5000:5001-5009", s)
	}
	t.ID, t.Name, t.Supervisor = uint32(n), strings.TrimSpace(name), strings.TrimSpace(parts[1])
	if len(parts) == 3 {
		if t.Agents, err = ParseAgentIDs(parts[2]); err != nil {
			return t, fmt.Errorf("%q: %w", s, err)
		}
	}
	return t, nil
}

// normalizeTeams checks the teams: IDs unique, every agent and supervisor one of the agents, an
// agent in one team at most.
func (c *Config) normalizeTeams() []error {
	var errs []error
	first, last := c.Agents.FirstID, c.Agents.FirstID+c.Agents.Count-1
	known := func(id string) bool {
		n, err := strconv.Atoi(id)
		return err == nil && n >= first && n <= last
	}
	seen := map[uint32]bool{}
	teamOf := map[string]uint32{}
	for i := range c.Teams {
		tm := &c.Teams[i]
		tm.Agents = append([]string(nil), tm.Agents...)
		if tm.ID == 0 || tm.ID == noneID {
			errs = append(errs, fmt.Errorf("sim: team ID %d is reserved (--team)", tm.ID))
		}
		if seen[tm.ID] {
			errs = append(errs, fmt.Errorf("sim: team %d is given twice (--team)", tm.ID))
		}
		seen[tm.ID] = true
		if tm.Name == "" {
			tm.Name = fmt.Sprintf("Team %d", tm.ID)
		}
		if tm.Supervisor != "" && !known(tm.Supervisor) {
			errs = append(errs, fmt.Errorf("sim: team %d's supervisor %q is not one of the agents %d…%d (--first-agent-id, --agents)", tm.ID, tm.Supervisor, first, last))
		}
		for _, id := range tm.Agents {
			if !known(id) {
				errs = append(errs, fmt.Errorf("sim: team %d lists agent %q, which is not one of the agents %d…%d (--first-agent-id, --agents)", tm.ID, id, first, last))
				continue
			}
			if other, dup := teamOf[id]; dup && other != tm.ID {
				errs = append(errs, fmt.Errorf("sim: agent %s is in teams %d and %d (--team): an agent has one team", id, other, tm.ID))
			}
			teamOf[id] = tm.ID
		}
	}
	return errs
}

// buildTeams ties agents to their teams.
func (c *center) buildTeams() {
	for _, tc := range c.cfg.Teams {
		tm := &team{cfg: tc, sup: c.agents[tc.Supervisor]}
		if tm.sup != nil {
			tm.sup.supervises = append(tm.sup.supervises, tm)
		}
		for _, id := range tc.Agents {
			if a := c.agents[id]; a != nil {
				a.team = tm
				tm.members = append(tm.members, a)
			}
		}
	}
}

// sendTeamConfig sends a supervisor's session one AGENT_TEAM_CONFIG_EVENT per team the agent
// supervises (ConfigOperation ADD_AGENT, the supervisor first with PRIMARY_SUPERVISOR|SUPERVISOR,
// then the members with their states), if the session has CTI_SERVICE_SUPERVISOR and asks for
// AGENT_TEAM_CONFIG_MASK. It is sent at the supervisor's login to its sessions, and to a session
// that opens (or, on a standby side, becomes active) for a supervisor already logged in: a
// supervisor desktop that reconnects after a fail-over learns its team as at its login.
func (c *center) sendTeamConfig(t *tx, s *session, a *agent) {
	if s == nil || a == nil || !s.has(cti.CTIServiceSupervisor) || s.callMask&cti.AgentTeamConfigMask == 0 {
		return
	}
	for _, tm := range a.supervises {
		t.send(s, c.teamConfigEvent(tm))
	}
}

func (c *center) teamConfigEvent(tm *team) *cti.AgentTeamConfigEvent {
	now := c.now()
	entry := func(a *agent, flags cti.AgentFlags) cti.TeamAgent {
		var dur uint32
		if !a.since.IsZero() {
			dur = uint32(now.Sub(a.since) / time.Second)
		}
		return cti.TeamAgent{ATCAgentID: a.id, AgentFlags: flags, ATCAgentState: a.state, ATCStateDuration: dur}
	}
	ev := &cti.AgentTeamConfigEvent{PeripheralID: c.pid, TeamID: tm.cfg.ID, ConfigOperation: cti.ConfigOperationAddAgent,
		AgentTeamName: tm.cfg.Name}
	ev.TeamAgents = append(ev.TeamAgents, entry(tm.sup, cti.AgentFlagPrimarySupervisor|cti.AgentFlagSupervisor))
	for _, m := range tm.members {
		if m != tm.sup {
			ev.TeamAgents = append(ev.TeamAgents, entry(m, 0))
		}
	}
	ev.NumberOfAgents = uint16(len(ev.TeamAgents))
	return ev
}

// servedAgent is the logged-in agent whose events the session receives (the converse of
// sessionsOf): the agent at its device, or the agent it was opened for; nil if none is logged in.
func (s *session) servedAgent() *agent {
	if s.dev != nil {
		return s.dev.agent
	}
	if s.agent != nil && s.agent.dev != nil && s.agent.sess == s {
		return s.agent
	}
	return nil
}

// sessionsOf are the sessions an agent's events go to: the one at its device and the one bound
// to its ID.
func sessionsOf(a *agent) []*session {
	var out []*session
	if a.dev != nil && a.dev.sess != nil {
		out = append(out, a.dev.sess)
	}
	if a.sess != nil && (a.dev == nil || a.sess != a.dev.sess) {
		out = append(out, a.sess)
	}
	return out
}

// assist serves SUPERVISOR_ASSIST_REQ and EMERGENCY_CALL_REQ: the simulator calls the agent's team
// supervisor. The reference gives no event sequence for either (SUPERVISOR_ASSIST_EVENT is
// internal, EMERGENCY_CALL_EVENT's receivers are not described), so the call is the one a desktop
// would place: with ConnectionCallID naming the agent's connected call, a consultation call to
// the supervisor's extension (the agent's call is held); with ConnectionCallID 0xFFFFFFFF (no
// call), a new call (CallType AGENT_INSIDE, EMERGENCY for an emergency call). The confirmation
// (SUPERVISOR_ASSIST_CONF, EMERGENCY_CALL_CONF) names the new call and the agent's connection.
//
// Refusals: no agent to speak for E_CTI_REQUIRED_DATA_MISSING; the agent in no team
// E_CTI_TEAM_NOT_FOUND; the team without a supervisor, or the supervisor logged out,
// E_CTI_SUPERVISOR_NOT_FOUND; the supervisor not AVAILABLE CF_INVALID_CALLED_DEVICE (as a
// consultation to a busy agent); then the consultation's or new call's own failures.
func (c *center) assist(t *tx, s *session, invoke, callID uint32, devID, ext, agentID, instrument string, emergency bool) {
	var dev *device
	if ext != "" {
		dev = c.devices[ext]
	} else if instrument != "" {
		dev = c.devices[instrument]
	}
	a, tm, st := c.teamOfSender(s, agentID, dev)
	if st != 0 {
		s.fail(invoke, st)
		return
	}
	if tm.sup.dev == nil {
		s.fail(invoke, cti.ECTISupervisorNotFound)
		return
	}
	supExt := tm.sup.dev.ext
	conf := func(cl *call, cn *conn) cti.Message {
		if emergency {
			return &cti.EmergencyCallConf{InvokeID: invoke, ConnectionCallID: cl.id, ConnectionDeviceIDType: dyn,
				LineHandle: c.lineHandle(), LineType: c.confLineType(), ConnectionDeviceID: cn.id}
		}
		return &cti.SupervisorAssistConf{InvokeID: invoke, ConnectionCallID: cl.id, ConnectionDeviceIDType: dyn,
			LineHandle: c.lineHandle(), LineType: c.confLineType(), ConnectionDeviceID: cn.id}
	}
	if callID != noneID {
		cl1, a1, kind, td, ok := c.activeLegTo(s, invoke, callID, devID, instrument, supExt)
		if !ok {
			return
		}
		cl2 := c.newCall(t, cti.CallTypeConsult)
		cl2.data = cl1.data
		cl2.data.NamedVariables = slices.Clone(cl1.data.NamedVariables)
		cl2.data.RouterCallKeyDay, cl2.data.RouterCallKeyCallID = cl1.data.RouterCallKeyDay, cl2.id
		cl2.data.DialedNumber = supExt
		c.originate(t, s, cl2, a1.dev, supExt, kind, func(cn *conn) {
			t.send(s, conf(cl2, cn))
			c.hold(t, cl1, a1)
		}, kindType(kind), td)
		c.stats.calls.consults.Add(1)
		return
	}
	d := a.dev
	if d == nil {
		s.controlFail(invoke, cti.CFInvalidObjectState)
		return
	}
	if activeConn(d, nil) != nil || slices.ContainsFunc(d.conns, func(cn *conn) bool { return cn.lcs == cti.LCSAlerting }) {
		s.controlFail(invoke, cti.CFGenericStateIncompatibility)
		return
	}
	kind, td := c.destination(supExt, d)
	if kind == destInvalid {
		s.controlFail(invoke, cti.CFInvalidCalledDevice)
		return
	}
	typ := cti.CallTypeAgentInside
	if emergency {
		typ = cti.CallTypeEmergency
	}
	cl := c.newCall(t, typ)
	cl.data.DialedNumber, cl.data.DNIS = supExt, supExt
	c.originate(t, s, cl, d, supExt, kind, func(cn *conn) { t.send(s, conf(cl, cn)) }, kindType(kind), td)
	c.stats.calls.madeCalls.Add(1)
}
