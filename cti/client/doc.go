// Package client is the CTI Server client connection: it dials a CTI Server (one side or both
// sides of a duplex pair), opens a session with OPEN_REQ/OPEN_CONF, keeps it alive with
// heartbeats, matches replies to requests by InvokeID, hands unsolicited messages to event waits,
// moves to the other side when a link is lost, and traces every frame. It holds the I/O policy;
// the messages, their encoding and the catalog are package [cti] (the codec), as pgconn sits on
// pgproto3. The agent-desktop vocabulary (login, answer, consult, transfer…) is package
// cti/agent, built on it.
//
//	s, err := client.Dial(ctx, "ctia:42027,ctib:43027",
//		client.WithAgent(client.Agent{ID: "1001", Extension: "5001", PeripheralID: 5000}))
//	reply, err := s.Do(ctx, &cti.SetAgentStateReq{…})
//	ev, err := s.WaitEvent(ctx, client.MatchType(cti.MsgAgentStateEvent))
//
// # Where things are
//
//   - Dial, Do, the reader goroutine, reply routing by InvokeID, fail-over and Close: session.go
//   - options ([Option], With…) and the session defaults (Default…): options.go
//   - events, the backlog, waits and matchers (WaitEvent, MatchType, MatchFields): events.go
//   - heartbeats and the idle timeout (§10): heartbeat.go
//   - errors ([*SessionError], [*RequestError], [*FailureError], [*ControlFailureError]) and
//     their stable metric names ([ErrorCode]): errors.go
//   - lost links and malformed frames, by cause: loss.go
//   - the protocol trace ([Observer], [TraceWriter], NDJSON with passwords redacted): trace.go
//   - TLS from PEM files ([TLSFiles]): tls.go
//
// The rules the session follows (heartbeat interval, IdleTimeout, close, fail-over) are in
// docs/protocol/session.md. The tests run a scripted server on loopback (session_test.go);
// cti/sim is the full simulator.
package client
