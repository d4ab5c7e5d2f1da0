// Package sim is a Cisco CTI Server simulator: the default target of ctiload and the server its
// CI tests run against. It speaks the protocol through the same codec as the client (package
// cti), imitates a Unified CCE CTI Server (protocol versions 13–15 with 1-byte floating fields and
// 20–25 with 2-byte ones) or a Unified CCX one (10–18), and is strict where a real server is, so
// that a scenario that works against it works against a real server.
//
// What it simulates:
//
//   - Sessions (session.go, open.go): OPEN_REQ validated field by field with the server's
//     E_CTI_* codes, agent mode (CLIENT_EVENTS on one device or agent) and bridge mode
//     (ALL_EVENTS), duplicate opens (E_CTI_NEW_SESSION_OPENED / E_CTI_DEVICE_IN_USE),
//     heartbeats, the idle timeout, CLOSE_REQ, FAILURE_CONF for malformed and unexpected
//     requests, and the CallMsgMask / AgentStateMask filters.
//   - Agents (agent.go): a configured population and the agent state machine, with its
//     transition table in agent's doc comment.
//   - Calls (call.go, callctl.go, generator.go): inbound calls at a rate or on demand, queued
//     per skill group and routed to the group's longest-available member (skillgroup.go), ring-no-answer, talk time, and the call-control
//     requests; the event sequences of every flow are in call's doc comment.
//   - Re-sync and monitors (monitor.go): SNAPSHOT_DEVICE_REQ from the live state, and the
//     peripheral monitor service (MONITOR_START_REQ / MONITOR_STOP_REQ on a device or a call,
//     events copied to the monitoring session with their MonitorID).
//   - Supervisors (supervise.go): SUPERVISE_CALL_REQ barge-in, intercept and clear.
//   - Teams (team.go): AGENT_TEAM_CONFIG_EVENT to a supervisor's sessions at its login and when
//     one opens (or is promoted from standby) while it is logged in; SUPERVISOR_ASSIST_REQ and
//     EMERGENCY_CALL_REQ call the team's supervisor; USER_MESSAGE_REQ by Distribution (requests.go).
//   - Statistics (statistics.go): QUERY_AGENT_STATISTICS_REQ and QUERY_SKILL_GROUP_STATISTICS_REQ
//     answered from counters kept on the simulator's clock (Session/Today, To5/ToHalf/Today).
//   - UCCX configuration (uccxconfig.go): CONFIG_REQUEST_KEY_EVENT, CONFIG_REQUEST_EVENT (the
//     initial upload of CSQs, agents and devices) and TEAM_CONFIG_REQ on Unified CCX sessions.
//   - Faults (faults.go): latency distributions, failure rates, dropped connections, refused
//     opens, slow reading, a standby side, the peripheral going offline — each one counted.
//   - Logs (server.go, connlog.go): one line per session open, and one per refused open or
//     closed connection with the reason and the remote address, rate-limited with a count of
//     the lines held back.
//
// A server serves every connection with one goroutine that reads, serves and answers its
// requests; shared state sits behind one lock held briefly; events for other connections are
// queued on their output buffers and written without that lock; timers are time.AfterFunc. One
// simulator holds tens of thousands of sessions.
//
// Use:
//
//	srv, err := sim.New(sim.Config{Agents: sim.AgentsConfig{Count: 500}, Calls: sim.CallsConfig{Rate: 5}})
//	if err != nil { … }
//	if err := srv.Listen("127.0.0.1:0"); err != nil { … }
//	defer srv.Close()
//	// dial srv.Addr() with any CTI client
package sim
