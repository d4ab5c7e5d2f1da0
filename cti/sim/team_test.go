package sim_test

import (
	"testing"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// teamCfg: team 7 "Billing", supervisor 5009 (extension 1009), agents 5000 and 5001; agent 5002
// is in no team; team 8 has no supervisor and agent 5003.
func teamCfg() sim.Config {
	cfg := callCfg()
	cfg.Teams = []sim.Team{
		{ID: 7, Name: "Billing", Supervisor: "5009", Agents: []string{"5000", "5001"}},
		{ID: 8, Agents: []string{"5003"}},
	}
	return cfg
}

// openSupervisor opens the supervisor's desktop: agent services plus CTI_SERVICE_SUPERVISOR, and
// the call mask with AGENT_TEAM_CONFIG_MASK when teamMask.
func openSupervisor(t *testing.T, srv *sim.Server, v cti.Version, teamMask bool) *client {
	t.Helper()
	return openSupervisorWith(t, srv, v, func(r *cti.OpenReq) {
		if !teamMask {
			r.CallMsgMask &^= cti.AgentTeamConfigMask
		}
	})
}

// openSupervisorWith opens the supervisor's desktop at extension 1009 with CTI_SERVICE_SUPERVISOR
// and AGENT_TEAM_CONFIG_MASK, after edit, and reads OPEN_CONF.
func openSupervisorWith(t *testing.T, srv *sim.Server, v cti.Version, edit func(*cti.OpenReq)) *client {
	t.Helper()
	c := connect(t, srv, v)
	c.name = "supervisor 1009"
	req := openReq("supervisor", agentSvc|cti.CTIServiceSupervisor)
	req.VersionNumber = v.Number()
	req.AgentExtension, req.AgentInstrument = "1009", "1009"
	req.CallMsgMask |= cti.AgentTeamConfigMask
	edit(req)
	c.send(req)
	c.expect(cti.MsgOpenConf)
	return c
}

// supervisorLoggedIn has agent 5000 log in and make itself ready, then the supervisor 5009 log
// in on a desktop that asks for its team: it returns that desktop and its AGENT_TEAM_CONFIG_EVENT.
func supervisorLoggedIn(t *testing.T, srv *sim.Server, v cti.Version) (*client, *cti.AgentTeamConfigEvent) {
	t.Helper()
	a, _ := openAgent(t, srv, v, "desk", "1000", "")
	a.loginReady("5000")
	sup := openSupervisor(t, srv, v, true)
	sup.setState(cti.AgentStateLogin, 0, "5009")
	ms := sup.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent, cti.MsgAgentTeamConfigEvent)
	return sup, ms[2].(*cti.AgentTeamConfigEvent)
}

// TestTeamConfigOnSupervisorLogin follows docs/simulator.md "Teams": the supervisor's login is
// followed by AGENT_TEAM_CONFIG_EVENT with the supervisor first, then the members and their
// states — only for a session with CTI_SERVICE_SUPERVISOR that asks for AGENT_TEAM_CONFIG_MASK.
func TestTeamConfigOnSupervisorLogin(t *testing.T) {
	for _, v := range []cti.Version{cti.V14, cti.V24} {
		t.Run(v.String(), func(t *testing.T) {
			sup, ev := supervisorLoggedIn(t, newSim(t, teamCfg()), v)
			checkTeam(t, ev, cti.AgentStateNotReady, cti.AgentStateAvailable, cti.AgentStateLogout)
			sup.expectQuiet()
		})
	}
	t.Run("without the mask", func(t *testing.T) {
		srv := newSim(t, teamCfg())
		sup := openSupervisor(t, srv, cti.V24, false)
		sup.setState(cti.AgentStateLogin, 0, "5009")
		sup.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent)
		sup.expectQuiet()
	})
}

// TestTeamConfigWhenSupervisorSessionOpens follows docs/simulator.md "Teams": a session that opens
// for a supervisor already logged in — a desktop reconnecting after a fail-over or a restart — gets
// AGENT_TEAM_CONFIG_EVENT right after OPEN_CONF, with the states of now; the same rules as at the
// login decide which sessions get it.
func TestTeamConfigWhenSupervisorSessionOpens(t *testing.T) {
	for _, v := range []cti.Version{cti.V14, cti.V24} {
		t.Run(v.String(), func(t *testing.T) {
			srv := newSim(t, teamCfg())
			first, _ := supervisorLoggedIn(t, srv, v)
			first.conn.Close() // the desktop goes away; the supervisor stays logged in

			sup := openSupervisorWith(t, srv, v, func(r *cti.OpenReq) {})
			ev := sup.expect(cti.MsgAgentTeamConfigEvent)[0].(*cti.AgentTeamConfigEvent)
			checkTeam(t, ev, cti.AgentStateNotReady, cti.AgentStateAvailable, cti.AgentStateLogout)
			sup.expectQuiet()

			// Opened by agent ID alone: the same.
			byID := openSupervisorWith(t, srv, v, func(r *cti.OpenReq) {
				r.ClientID, r.AgentExtension, r.AgentInstrument, r.AgentID = "console", "", "", "5009"
			})
			byID.expect(cti.MsgAgentTeamConfigEvent)
			byID.expectQuiet()

			// Without CTI_SERVICE_SUPERVISOR, without AGENT_TEAM_CONFIG_MASK (each replacing the
			// supervisor's session), or for an agent who supervises no team: OPEN_CONF alone.
			for name, edit := range map[string]func(*cti.OpenReq){
				"no supervisor service": func(r *cti.OpenReq) { r.ServicesRequested &^= cti.CTIServiceSupervisor },
				"no team mask":          func(r *cti.OpenReq) { r.CallMsgMask &^= cti.AgentTeamConfigMask },
				"a member": func(r *cti.OpenReq) {
					r.ClientID, r.AgentExtension, r.AgentInstrument, r.AgentID = "member", "", "", "5000"
				},
			} {
				c := openSupervisorWith(t, srv, v, edit)
				c.name = name
				c.expectQuiet()
			}
		})
	}
}

// TestTeamConfigAfterFailover: a supervisor logged in on side A of a duplex pair reconnects to
// side B after A fails; a v24 supervisor desktop already on B as a standby session is promoted.
// Both learn the team, with the states side A left.
func TestTeamConfigAfterFailover(t *testing.T) {
	d := newDuplex(t, teamCfg())
	a, b := d.A, d.B
	onA, _ := supervisorLoggedIn(t, a, cti.V24)
	standby := openSupervisorWith(t, b, cti.V24, func(r *cti.OpenReq) {
		r.ClientID = "standby console"
		r.ServicesRequested |= cti.CTIServiceActiveStandby
		r.AgentExtension, r.AgentInstrument, r.AgentID = "", "", "5009"
	})
	standby.expectQuiet() // a standby session is told nothing yet

	d.FailA()
	onA.expectClosed()
	ev := standby.expect(cti.MsgStandbyActiveEventMsg, cti.MsgAgentTeamConfigEvent)[1].(*cti.AgentTeamConfigEvent)
	checkTeam(t, ev, cti.AgentStateNotReady, cti.AgentStateAvailable, cti.AgentStateLogout)
	standby.expectQuiet()

	again := openSupervisorWith(t, b, cti.V20, func(r *cti.OpenReq) {})
	ev = again.expect(cti.MsgAgentTeamConfigEvent)[0].(*cti.AgentTeamConfigEvent)
	checkTeam(t, ev, cti.AgentStateNotReady, cti.AgentStateAvailable, cti.AgentStateLogout)
	again.expectQuiet()
}

// checkTeam checks team 7's AGENT_TEAM_CONFIG_EVENT: the supervisor 5009, then 5000 and 5001, in
// the states given.
func checkTeam(t *testing.T, ev *cti.AgentTeamConfigEvent, sup, a5000, a5001 cti.AgentState) {
	t.Helper()
	check(t, "team", []any{ev.PeripheralID, ev.TeamID, ev.AgentTeamName, ev.ConfigOperation, ev.NumberOfAgents},
		[]any{uint32(sim.DefaultPeripheralID), uint32(7), "Billing", cti.ConfigOperationAddAgent, uint16(3)})
	var got [][]any
	for _, m := range ev.TeamAgents {
		got = append(got, []any{m.ATCAgentID, m.AgentFlags, m.ATCAgentState})
	}
	check(t, "members", got, [][]any{
		{"5009", cti.AgentFlagPrimarySupervisor | cti.AgentFlagSupervisor, sup},
		{"5000", cti.AgentFlags(0), a5000},
		{"5001", cti.AgentFlags(0), a5001},
	})
}

// TestSupervisorAssistAndEmergency follows docs/simulator.md "Teams": an assist during a call is
// a consultation call to the team's supervisor (the agent's call held), an emergency call without
// a call is a new call of CallType EMERGENCY; the refusals come first.
func TestSupervisorAssistAndEmergency(t *testing.T) {
	v := cti.V24
	srv := newSim(t, teamCfg())
	a, _ := openAgent(t, srv, v, "desk", "1000", "")
	a.loginReady("5000")
	lone, _ := openAgent(t, srv, v, "lone", "1002", "")
	lone.loginReady("5002")
	orphan, _ := openAgent(t, srv, v, "orphan", "1003", "")
	orphan.loginReady("5003")
	sup := openSupervisor(t, srv, v, false)

	assist := func(c *client, callID uint32, dev string) uint32 {
		return c.send(&cti.SupervisorAssistReq{PeripheralID: c.pid, ConnectionCallID: callID, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: dev})
	}
	lone.failure(assist(lone, 0xFFFFFFFF, ""), cti.ECTITeamNotFound)
	orphan.failure(assist(orphan, 0xFFFFFFFF, ""), cti.ECTISupervisorNotFound)
	a.failure(assist(a, 0xFFFFFFFF, ""), cti.ECTISupervisorNotFound) // the supervisor is logged out
	sup.setState(cti.AgentStateLogin, 0, "5009")
	sup.expect(cti.MsgSetAgentStateConf)
	sup.agentState(cti.AgentStateNotReady)
	a.controlFailure(assist(a, 0xFFFFFFFF, ""), cti.CFInvalidCalledDevice) // NOT_READY
	sup.setState(cti.AgentStateAvailable, 0, "")
	sup.expect(cti.MsgSetAgentStateConf)
	sup.agentState(cti.AgentStateAvailable)

	// An assist during a call: the consultation sequence, with SUPERVISOR_ASSIST_CONF.
	c1, err := srv.OfferCall(sim.CallOptions{ANI: "5550100", DialedNumber: "8000"})
	if err != nil {
		t.Fatal(err)
	}
	a.agentState(cti.AgentStateReserved)
	a.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	a.send(&cti.AnswerCallReq{PeripheralID: a.pid, ConnectionCallID: c1, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: "1000"})
	a.expect(cti.MsgAnswerCallConf, cti.MsgCallEstablishedEvent)
	a.agentState(cti.AgentStateTalking)
	inv := assist(a, c1, "1000")
	ms := a.expect(cti.MsgSupervisorAssistConf, cti.MsgCallHeldEvent, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent,
		cti.MsgCallOriginatedEvent, cti.MsgCallDeliveredEvent)
	conf := ms[0].(*cti.SupervisorAssistConf)
	c2 := conf.ConnectionCallID
	check(t, "SUPERVISOR_ASSIST_CONF", []any{conf.InvokeID, conf.ConnectionDeviceID}, []any{inv, "1000"})
	check(t, "held", ms[1].(*cti.CallHeldEvent).ConnectionCallID, c1)
	check(t, "consult", []any{ms[2].(*cti.BeginCallEvent).ConnectionCallID, ms[2].(*cti.BeginCallEvent).CallType, ms[2].(*cti.BeginCallEvent).ANI}, []any{c2, cti.CallTypeConsult, "5550100"})
	check(t, "called", ms[4].(*cti.CallOriginatedEvent).CalledDeviceID, "1009")
	sms := sup.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	check(t, "supervisor reserved", sms[0].(*cti.AgentStateEvent).AgentState, cti.AgentStateReserved)
	check(t, "supervisor rings", []any{sms[1].(*cti.BeginCallEvent).ConnectionCallID, sms[2].(*cti.CallDeliveredEvent).ConnectionDeviceID}, []any{c2, "1009"})
	a.expectQuiet()
	sup.expectQuiet()

	// An emergency call without a call: a new call to the supervisor, CallType EMERGENCY; the
	// supervisor is busy now, so first the refusal.
	b, _ := openAgent(t, srv, v, "deskB", "1001", "")
	b.loginReady("5001")
	emergency := func() uint32 {
		return b.send(&cti.EmergencyCallReq{PeripheralID: b.pid, ConnectionCallID: 0xFFFFFFFF, ConnectionDeviceIDType: cti.ConnectionIDNone})
	}
	b.controlFailure(emergency(), cti.CFInvalidCalledDevice)
	a.send(&cti.ReconnectCallReq{PeripheralID: a.pid, ActiveConnectionCallID: c2, HeldConnectionCallID: c1, ActiveConnectionDeviceID: "1000", HeldConnectionDeviceID: "1000"})
	a.expect(cti.MsgReconnectCallConf, cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent, cti.MsgCallRetrievedEvent)
	sup.expect(cti.MsgCallConnectionClearedEvent, cti.MsgCallClearedEvent, cti.MsgEndCallEvent)
	sup.agentState(cti.AgentStateAvailable)

	inv = emergency()
	ms = b.expect(cti.MsgEmergencyCallConf, cti.MsgBeginCallEvent, cti.MsgCallServiceInitiatedEvent, cti.MsgCallOriginatedEvent)
	ec := ms[0].(*cti.EmergencyCallConf)
	check(t, "EMERGENCY_CALL_CONF", []any{ec.InvokeID, ec.ConnectionDeviceID}, []any{inv, "1001"})
	check(t, "emergency call", []any{ms[1].(*cti.BeginCallEvent).ConnectionCallID, ms[1].(*cti.BeginCallEvent).CallType}, []any{ec.ConnectionCallID, cti.CallTypeEmergency})
	check(t, "called", ms[3].(*cti.CallOriginatedEvent).CalledDeviceID, "1009")
	b.agentState(cti.AgentStateTalking)
	b.expect(cti.MsgCallDeliveredEvent)
	sms = sup.expect(cti.MsgAgentStateEvent, cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)
	check(t, "supervisor rings", []any{sms[1].(*cti.BeginCallEvent).CallType, sms[2].(*cti.CallDeliveredEvent).ConnectionDeviceID}, []any{cti.CallTypeEmergency, "1009"})
	b.expectQuiet()
	sup.expectQuiet()
}

// TestUserMessageDistribution follows docs/simulator.md "Teams": DISTRIBUTE_TO_SUPERVISOR reaches
// the sender's supervisor, DISTRIBUTE_TO_TEAM the supervisor and every member, ALL every session;
// a sender without a team and an unknown Distribution are refused.
func TestUserMessageDistribution(t *testing.T) {
	v := cti.V24
	srv := newSim(t, teamCfg())
	a, _ := openAgent(t, srv, v, "deskA", "1000", "5000")
	b, _ := openAgent(t, srv, v, "deskB", "1001", "5001")
	lone, _ := openAgent(t, srv, v, "lone", "1002", "5002")
	sup, _ := openAgent(t, srv, v, "supervisor", "1009", "5009")
	for i, c := range []*client{a, b, lone, sup} {
		c.loginReady([]string{"5000", "5001", "5002", "5009"}[i])
	}
	msg := func(c *client, d cti.Distribution) uint32 {
		return c.send(&cti.UserMessageReq{PeripheralID: c.pid, Distribution: d, Text: "help"})
	}
	got := func(c *client, d cti.Distribution) {
		t.Helper()
		ev := c.expect(cti.MsgUserMessageEvent)[0].(*cti.UserMessageEvent)
		check(t, c.name+" USER_MESSAGE_EVENT", []any{ev.Distribution, ev.ClientID, ev.Text}, []any{d, "deskA", "help"})
	}
	msg(a, cti.DistributeToSupervisor)
	a.expect(cti.MsgUserMessageConf)
	got(sup, cti.DistributeToSupervisor)
	msg(a, cti.DistributeToTeam)
	a.expect(cti.MsgUserMessageConf)
	got(a, cti.DistributeToTeam)
	got(b, cti.DistributeToTeam)
	got(sup, cti.DistributeToTeam)
	lone.expectQuiet()
	msg(a, cti.DistributeToAllClients)
	a.expect(cti.MsgUserMessageConf)
	for _, c := range []*client{a, b, lone, sup} {
		got(c, cti.DistributeToAllClients)
	}
	lone.failure(msg(lone, cti.DistributeToTeam), cti.ECTITeamNotFound)
	a.failure(msg(a, cti.Distribution(9)), cti.ECTIInvalidDistributionType)
	for _, c := range []*client{a, b, lone, sup} {
		c.expectQuiet()
	}
}
