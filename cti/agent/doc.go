// Package agent is the agent-desktop API of the CTI protocol: what an agent's desktop asks of a
// CTI Server — log in, change state with a reason code, answer, hold and retrieve, consult,
// transfer, conference, clear or release, set call data, send DTMF, make a call, send a user
// message, take a snapshot, read its statistics; and what a supervisor's desktop asks — monitor a team member's phone,
// barge in, intercept — as typed Go, built on the typed messages of package cti and sent
// through a [client.Session] (or anything with its Do, see [Conn]). A typo in a field is a compile
// error, not a request the server refuses.
//
//	s, _ := client.Dial(ctx, "ctia:42027", client.WithAgent(client.Agent{ID: "5000", Extension: "1000", PeripheralID: 5000}))
//	desk := agent.New(s, agent.Identity{ID: "5000", Extension: "1000", PeripheralID: 5000})
//	desk.Login(ctx, agent.StateOptions{Password: "…"})
//	desk.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{})
//	ev, _ := s.WaitEvent(ctx, client.MatchType(cti.MsgCallDeliveredEvent))
//	call, _ := agent.CallOf(ev.Msg)
//	desk.Answer(ctx, call)
//
// The desk knows what a desktop must get right and the wire does not say:
//
//   - the agent ID goes in LongAgentID (tag 194) on Unified CCX and in AgentID (tag 5) on Unified
//     CCE ([Desk.SetState], [Desk.QueryState]);
//   - a single-step transfer or conference names no held call: HeldConnectionCallID 0xFFFFFFFF
//     ([NoCallID]) and HeldConnectionDeviceIDType CONNECTION_ID_NONE;
//   - a consultation ([Desk.Consult]) is remembered, so that [Desk.Transfer] and
//     [Desk.Conference] complete it with the consult leg active and the original call held; a
//     clear or release of either leg, or a completion, forgets it;
//   - requests about a call go to the call's peripheral when the event named one, else to the
//     agent's, and carry the agent's instrument.
//
// # Where things are
//
//   - [Desk], [Identity], [Conn], agent state (login, states, logout, query, [ParseState]): desk.go
//   - [Call], [CallOf], call control and the consultation bookkeeping: call.go
//   - [CallData] (call variables, ECC variables, wrap-up) on consult, make call and set call data:
//     calldata.go
//   - a supervisor's desk: device and call monitors, device snapshots, barge-in, intercept:
//     supervisor.go
//   - agent and skill-group statistics (Unified CCE): statistics.go
//
// The JavaScript API (jsapi, session.login() …) is a binding over this package: it converts
// arguments, records metrics and turns errors into results.
package agent
