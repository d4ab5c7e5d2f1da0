package jsapi_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/jsapi"
)

// newSim starts an in-process simulator on 127.0.0.1.
func newSim(t testing.TB, cfg sim.Config) *sim.Server {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	srv, err := sim.New(cfg)
	if err != nil {
		t.Fatalf("sim.New: %v", err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func withSim(srv *sim.Server) envOption {
	return func(_ *jsapi.LoadOptions, rc *jsapi.RunnerConfig) {
		rc.Target = srv.Addr()
		rc.PeripheralID = sim.DefaultPeripheralID
	}
}

// runScript loads script.js, runs one iteration of exec on VU 1 and returns the VU.
func runScript(t *testing.T, srv *sim.Server, src, exec string) (*testVU, error) {
	t.Helper()
	e := newEnv(t, "script.js", map[string]string{"script.js": src}, withSim(srv))
	vu := e.newVU(1)
	ctx := ctxTimeout(t, 20*time.Second)
	err := vu.run(ctx, exec)
	if cerr := vu.close(ctx); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		t.Logf("log:\n%s", e.log.String())
	}
	return vu, err
}

// prelude defines helpers the test scripts share.
const prelude = `
import cti from 'ctiload/cti';
import { check, fail } from 'ctiload';
function must(r, what) {
  if (!r || !r.ok) fail(what + ': ' + JSON.stringify(r));
  return r;
}
function agent(n) {
  return cti.connect('sim', { agentId: String(5000 + n), extension: String(1000 + n), heartbeat: 0 });
}
`

func TestAgentHelpersHappyAndFailurePaths(t *testing.T) {
	srv := newSim(t, sim.Config{})
	vu, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0);
  // Failure path: READY before login is refused by the server with a control failure.
  let r = a.setState('READY');
  if (r.ok || !r.codeName.startsWith('CF_') || typeof r.code !== 'number') fail('READY before login: ' + JSON.stringify(r));
  must(a.login({ password: 'x' }), 'login');
  must(a.setState('READY'), 'ready');
  r = must(a.queryState(), 'queryState');
  if (r.message.AgentState !== 'AGENT_STATE_AVAILABLE' || r.message.name !== 'QUERY_AGENT_STATE_CONF') fail('state ' + JSON.stringify(r.message));

  // A second agent calls the queue number: the call goes to the available agent.
  const c = agent(2);
  must(c.login(), 'login c');
  must(c.setState('NOT_READY', { reasonCode: 3 }), 'not ready c');
  r = must(c.makeCall('8000'), 'makeCall');
  if (!r.call || typeof r.call.ConnectionCallID !== 'number') fail('makeCall result has no call: ' + JSON.stringify(r));

  const call = a.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' });
  if (!call || call.name !== 'CALL_DELIVERED_EVENT' || call.type !== 9 || typeof call.receivedAt !== 'number') fail('delivered ' + JSON.stringify(call));
  if (call.LocalConnectionState !== 'LCS_ALERTING' || typeof call.ConnectionCallID !== 'number') fail('event fields ' + JSON.stringify(call));
  check(a.answer(call), { answered: (r) => r.ok });
  if (!a.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '5s', where: (e) => e.ConnectionCallID === call.ConnectionCallID })) fail('no established');
  must(a.hold(call), 'hold');
  must(a.retrieve(call), 'retrieve');
  must(a.setCallData(call, { callVariables: { 1: 'one', 10: 'ten' }, namedVariables: { 'user.account': '42' }, wrapup: 'done' }), 'setCallData');
  must(a.setCallData(call, { callVariables: ['a', 'b'] }), 'setCallData array');
  r = must(a.snapshot(call), 'snapshot');
  if (r.message.CallVariable1 !== 'a' || r.message.CallVariable10 !== 'ten') fail('snapshot data ' + JSON.stringify(r.message));
  must(a.sendDTMF(call, '123#'), 'dtmf');
  must(a.request('QUERY_AGENT_STATE_REQ', { PeripheralID: 5000, AgentInstrument: '1000' }), 'request by name');
  must(a.clear(call), 'clear');
  // Failure path of a call helper: the call is gone.
  r = a.hold(call);
  if (r.ok || !r.codeName) fail('hold after clear: ' + JSON.stringify(r));

  // waitFor times out with null.
  if (a.waitFor('CALL_DELIVERED_EVENT', { timeout: '50ms' }) !== null) fail('expected null');
  must(a.setState('NOT_READY', { reasonCode: 1 }), 'not ready');
  must(a.logout({ reasonCode: 1 }), 'logout');
  a.close();
  if (!a.closed) fail('closed should be true');
  r = a.queryState();
  if (r.ok || r.codeName !== 'E_NOT_SENT') fail('after close: ' + JSON.stringify(r));
  c.close();
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
	// Metrics with the right tags.
	if s := find(vu.all, "cti_request_duration", "msg", "SET_AGENT_STATE_REQ", "status", "ok", "scenario", "test"); len(s) < 3 {
		t.Errorf("cti_request_duration{SET_AGENT_STATE_REQ,ok}: %d samples", len(s))
	}
	if s := find(vu.all, "cti_request_duration_from_schedule", "msg", "ANSWER_CALL_REQ"); len(s) != 1 {
		t.Errorf("cti_request_duration_from_schedule{ANSWER_CALL_REQ}: %d samples", len(s))
	}
	fails := find(vu.all, "cti_failures", "msg", "SET_AGENT_STATE_REQ")
	if len(fails) != 1 {
		t.Fatalf("cti_failures{SET_AGENT_STATE_REQ} = %v", fails)
	}
	code, _ := fails[0].Tags.Get("code")
	if !strings.HasPrefix(code, "CF_") {
		t.Errorf("cti_failures code = %q; want a CF_ name", code)
	}
	if s := find(vu.all, "cti_requests", "msg", "SET_AGENT_STATE_REQ", "status", code); len(s) != 1 {
		t.Errorf("cti_requests{status:%s} = %v", code, s)
	}
	// The queryState after close() was never written: a failure, not a request.
	if s := find(vu.all, "cti_failures", "msg", "QUERY_AGENT_STATE_REQ", "code", "E_NOT_SENT"); len(s) != 1 {
		t.Errorf("cti_failures{E_NOT_SENT} = %v; want 1", s)
	}
	if s := find(vu.all, "cti_requests", "status", "E_NOT_SENT"); len(s) != 0 {
		t.Errorf("cti_requests counted a request that was never sent: %v", s)
	}
	if s := find(vu.all, "cti_sessions", "result", "opened"); len(s) != 2 {
		t.Errorf("cti_sessions{opened} = %d samples; want 2", len(s))
	}
	if s := find(vu.all, "cti_session_open_duration"); len(s) != 2 {
		t.Errorf("cti_session_open_duration = %d samples", len(s))
	}
	if s := find(vu.all, "cti_event_wait_duration", "msg", "CALL_DELIVERED_EVENT", "status", "timeout"); len(s) != 1 {
		t.Errorf("cti_event_wait_duration{timeout} = %d samples", len(s))
	}
	if s := find(vu.all, "cti_event_wait_duration", "msg", "CALL_DELIVERED_EVENT", "status", "ok"); len(s) != 1 {
		t.Errorf("cti_event_wait_duration{ok} = %d samples", len(s))
	}
	if s := find(vu.all, "checks", "check", "answered"); len(s) != 1 || s[0].Value != 1 {
		t.Errorf("checks{answered} = %v", s)
	}
	var sent, bytes float64
	for _, s := range find(vu.all, "cti_messages_sent") {
		sent += s.Value
	}
	for _, s := range find(vu.all, "cti_bytes_received") {
		bytes += s.Value
	}
	if sent < 20 || bytes < 200 {
		t.Errorf("cti_messages_sent = %v, cti_bytes_received = %v; want the session's traffic", sent, bytes)
	}
}

func TestConsultTransferAndConference(t *testing.T) {
	for _, tc := range []struct{ name, complete, event string }{
		{"transfer", "transfer", "CALL_TRANSFERRED_EVENT"},
		{"conference", "conference", "CALL_CONFERENCED_EVENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSim(t, sim.Config{})
			_, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0), b = agent(1), caller = agent(2);
  must(a.login(), 'login a'); must(a.setState('READY'), 'ready a');
  must(caller.login(), 'login caller'); must(caller.makeCall('8000'), 'call in');
  const call = a.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' });
  must(a.answer(call), 'answer');
  must(b.login(), 'login b'); must(b.setState('READY'), 'ready b');
  const r = must(a.consult(call, '1001'), 'consult');
  if (!r.call || r.call.ConnectionCallID === call.ConnectionCallID) fail('consult leg ' + JSON.stringify(r));
  const offered = b.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' });
  if (!offered || offered.ConnectionCallID !== r.call.ConnectionCallID) fail('consult offered ' + JSON.stringify(offered));
  must(b.answer(offered), 'b answers');
  must(a.`+tc.complete+`(call), '`+tc.complete+`');
  const done = b.waitFor('`+tc.event+`', { timeout: '5s' });
  if (!done) fail('no `+tc.event+`');
  // The consultation is complete: a second completion without a number is refused clearly.
  try { a.`+tc.complete+`(call); fail('expected an error'); } catch (e) {
    if (String(e).indexOf('no consultation in progress') < 0) throw e;
  }
  a.close(); b.close(); caller.close();
}
`, "")
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSingleStepTransfer(t *testing.T) {
	srv := newSim(t, sim.Config{})
	_, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0), b = agent(1), caller = agent(2);
  must(a.login(), 'login a'); must(a.setState('READY'), 'ready a');
  must(caller.login(), 'login caller'); must(caller.makeCall('8000'), 'call in');
  const call = a.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' });
  must(a.answer(call), 'answer');
  must(b.login(), 'login b'); must(b.setState('READY'), 'ready b');
  must(a.transfer(call, '1001'), 'single-step transfer');
  if (!b.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' })) fail('b not offered');
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
}

func TestThrowOption(t *testing.T) {
	srv := newSim(t, sim.Config{})
	_, err := runScript(t, srv, prelude+`
export default function () {
  const a = cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: 0, throw: true });
  try { a.setState('READY'); fail('expected a throw'); } catch (e) {
    if (!e.codeName || !e.codeName.startsWith('CF_') || String(e).indexOf('session.setState') < 0) throw e;
  }
  try { a.waitFor('CALL_DELIVERED_EVENT', { timeout: '20ms' }); fail('expected a timeout throw'); } catch (e) {
    if (String(e).indexOf('waitFor(CALL_DELIVERED_EVENT)') < 0) throw e;
  }
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
}

func TestCTIArgumentErrors(t *testing.T) {
	srv := newSim(t, sim.Config{})
	tests := []struct {
		name, body, want string
	}{
		{"bad mode", `cti.connect('sim', { mode: 'agnet', agentId: '1' });`, `cti.connect: option "mode": want "agent" or "bridge", got "agnet"`},
		{"unknown option", `cti.connect('sim', { agentID: '1' });`, `cti.connect: unknown option "agentID": did you mean "agentId"? (known options: agentId, clientId,`},
		{"misspelt option", `cti.connect('sim', { agentId: '1', hearbeat: 0 });`, `cti.connect: unknown option "hearbeat": did you mean "heartbeat"?`},
		{"unknown option, nothing near", `cti.connect('sim', { agentId: '1', colour: 'red' });`, `cti.connect: unknown option "colour" (known options: agentId,`},
		{"every mistake at once, in the options' order", `cti.connect('sim', { agentId: {}, peripheralId: -1, mode: 'x', timeout: 0, tags: 3, throw: 'yes', tiemout: 1 });`,
			`cti.connect: unknown option "tiemout": did you mean "timeout"? (known options: agentId, clientId, connectTimeout, extension, failover, heartbeat, idleTimeout, instrument, label, masks, mode, openTimeout, password, peripheralId, services, tags, throw, timeout, tls, version)` +
				"\n" + `cti.connect: option "agentId": want a string, got object {}` +
				"\n" + `cti.connect: option "peripheralId": want a number, got -1` +
				"\n" + `cti.connect: option "mode": want "agent" or "bridge", got "x"` +
				"\n" + `cti.connect: option "timeout": want a positive duration, got 0` +
				"\n" + `cti.connect: option "tags": want an object of strings, got 3` +
				"\n" + `cti.connect: option "throw": want true or false, got "yes"`},
		{"bad heartbeat", `cti.connect('sim', { agentId: '1', heartbeat: 'often' });`, `option "heartbeat": want a duration`},
		{"bad mask", `cti.connect('sim', { agentId: '1', masks: { call: 'NOPE' } });`, `option "masks": call: unknown mask "NOPE"`},
		{"bad version", `cti.connect('sim', { agentId: '1', version: 'x' });`, `option "version"`},
		{"unknown state", `agent(0).setState('REDY');`, `session.setState: unknown state "REDY" (want READY, NOT_READY, WORK_READY, WORK_NOT_READY, LOGOUT)`},
		{"unknown message", `agent(0).request('QUERY_AGENT_STAT_REQ', {});`, `session.request: unknown CTI message "QUERY_AGENT_STAT_REQ" (did you mean QUERY_AGENT_STATE_REQ`},
		{"not a request", `agent(0).request('CALL_DELIVERED_EVENT', {});`, `session.request: CALL_DELIVERED_EVENT is not a request`},
		{"request without a layout", `agent(0).request('CHANGE_MONITOR_MASK_REQ', {});`, `session.request: CHANGE_MONITOR_MASK_REQ is a catalogued request, but its layout is not known to ctiload`},
		{"bad field", `agent(0).request('QUERY_AGENT_STATE_REQ', { PeripheralID: 'abc' });`, `QUERY_AGENT_STATE_REQ.PeripheralID`},
		{"unknown event", `agent(0).waitFor('CALL_DELIVER_EVENT');`, `session.waitFor: unknown CTI message "CALL_DELIVER_EVENT" (did you mean CALL_DELIVERED_EVENT`},
		{"not a call", `agent(0).answer({ foo: 1 });`, `session.answer: argument 1: want a call`},
		{"connect in init", ``, ``},
	}
	for _, tt := range tests {
		if tt.body == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			_, err := runScript(t, srv, prelude+"export default function () {\n  "+tt.body+"\n}\n", "")
			var se *jsapi.ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v; want a *ScriptError", err)
			}
			if !strings.Contains(se.Message, tt.want) {
				t.Errorf("Message = %q; want it to contain %q", se.Message, tt.want)
			}
			if se.Line != 12 {
				t.Errorf("Line = %d; want 12 (%s)", se.Line, se.Error())
			}
		})
	}
	t.Run("connect in init", func(t *testing.T) {
		se := loadErr(t, "s.js", map[string]string{"s.js": "import cti from 'ctiload/cti';\ncti.connect('sim', {agentId: '1'});\n"})
		if !strings.Contains(se.Message, "cti.connect() is not allowed in init code") {
			t.Errorf("Message = %q", se.Message)
		}
	})
}

func TestFailedIterationClosesItsSessions(t *testing.T) {
	srv := newSim(t, sim.Config{})
	e := newEnv(t, "script.js", map[string]string{"script.js": prelude + `
let kept;
export function vuSetup() { kept = agent(1); }
export default function () {
  agent(0);
  if (kept.closed) fail('vuSetup session closed');
  throw new Error('boom');
}
`}, withSim(srv))
	vu := e.newVU(1)
	ctx := ctxTimeout(t, 10*time.Second)
	for i := 0; i < 3; i++ {
		if err := vu.run(ctx, ""); err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("iteration %d: %v", i, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Counters().SessionsActive != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Counters().SessionsActive; n != 1 {
		t.Errorf("sessions open after 3 failed iterations = %d; want 1 (the vuSetup one)", n)
	}
	if err := vu.close(ctx); err != nil {
		t.Fatal(err)
	}
	for srv.Counters().SessionsActive != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Counters().SessionsActive; n != 0 {
		t.Errorf("sessions open after Close = %d; want 0", n)
	}
}

func TestSimTargetMissing(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": prelude + "export default function () { agent(0); }\n"})
	vu := e.newVU(1)
	err := vu.run(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "built-in simulator, but this run has none") {
		t.Errorf("err = %v", err)
	}
}

func TestWaitForWhereKeepsRefusedEvents(t *testing.T) {
	srv := newSim(t, sim.Config{})
	_, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0);
  must(a.login(), 'login');
  must(a.setState('NOT_READY', { reasonCode: 2 }), 'nr');
  must(a.setState('READY'), 'ready');
  // Two AGENT_STATE_EVENTs arrived (NOT_READY then AVAILABLE; LOGIN before them). Ask for the
  // AVAILABLE one first: the others are kept, in order, for the next waits.
  const avail = a.waitFor('AGENT_STATE_EVENT', { timeout: '2s', where: (e) => e.AgentState === 'AGENT_STATE_AVAILABLE' });
  if (!avail) fail('no AVAILABLE event');
  const first = a.waitFor('AGENT_STATE_EVENT', { timeout: '2s' });
  if (!first || first.AgentState === 'AGENT_STATE_AVAILABLE') fail('refused events were lost: ' + JSON.stringify(first));
  const keys = Object.keys(first);
  if (keys[0] !== 'name' || keys.indexOf('AgentState') < 0) fail('keys ' + keys);
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
}

func TestHeartbeatRTTRecorded(t *testing.T) {
	srv := newSim(t, sim.Config{})
	vu, err := runScript(t, srv, prelude+`
import { sleep } from 'ctiload';
export default function () {
  // 15 intervals for 2 samples, and a 300 ms stall before 3 misses end the session: wide
  // enough for busy cores.
  const a = cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: '100ms', idleTimeout: '20s' });
  sleep(1.5);
  a.queryState();
  a.close();
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := find(vu.all, "cti_heartbeat_rtt"); len(s) < 2 {
		t.Errorf("cti_heartbeat_rtt samples = %d; want several", len(s))
	}
}

func TestBlockingCallInterrupted(t *testing.T) {
	srv := newSim(t, sim.Config{})
	e := newEnv(t, "script.js", map[string]string{"script.js": prelude + `
export default function () { agent(0).waitFor('CALL_DELIVERED_EVENT', { timeout: '30s' }); }
`}, withSim(srv))
	vu := e.newVU(1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := vu.run(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waitFor returned %v after the context ended", d)
	}
	if s := find(vu.all, "cti_failures"); len(s) != 0 {
		t.Errorf("an interruption is not a CTI failure: %v", s)
	}
}

// TestSessionLabelKeepsTheVU: traces are read per VU, so a script's own label is appended to the
// VU number instead of replacing it.
func TestSessionLabelKeepsTheVU(t *testing.T) {
	srv := newSim(t, sim.Config{})
	var mu sync.Mutex
	labels := map[string]bool{}
	obs := client.ObserverFunc(func(f client.TraceFrame) {
		mu.Lock()
		labels[f.Label] = true
		mu.Unlock()
	})
	e := newEnv(t, "script.js", map[string]string{"script.js": prelude + `
export default function () {
  cti.connect('sim', { agentId: '5003', extension: '1003', heartbeat: 0, label: 'supervisor' }).close();
  cti.connect('sim', { agentId: '5004', extension: '1004', heartbeat: 0 }).close();
}`}, withSim(srv), func(_ *jsapi.LoadOptions, rc *jsapi.RunnerConfig) { rc.Observer = obs })
	vu := e.newVU(3)
	ctx := ctxTimeout(t, 10*time.Second)
	if err := vu.run(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !labels["vu3-supervisor"] || !labels["vu3-5004"] {
		t.Fatalf("trace labels = %v; want vu3-supervisor and vu3-5004", labels)
	}
}

// TestConnectOpenTimeout: a server that accepts TCP but never answers OPEN_REQ fails the open
// after the script's openTimeout, not the library's 30 s.
func TestConnectOpenTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent: reads nothing, answers nothing
		}
	}()
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  const t0 = Date.now();
  try { cti.connect('` + l.Addr().String() + `', { agentId: '5000', extension: '1000', heartbeat: 0, openTimeout: '300ms' }); }
  catch (e) { if (Date.now() - t0 > 5000) throw new Error('open took ' + (Date.now() - t0) + ' ms'); return; }
  throw new Error('connect to a silent server succeeded');
}`})
	vu := e.newVU(1)
	if err := vu.run(ctxTimeout(t, 20*time.Second), "default"); err != nil {
		t.Fatal(err)
	}
}

// TestSessionLostByTheServer: after the server drops the connection, session.closed is true
// and waitFor throws with a codeName, like a failed request with throw:true.
func TestSessionLostByTheServer(t *testing.T) {
	srv := newSim(t, sim.Config{Faults: sim.Faults{DropAfter: 3}})
	_, err := runScript(t, srv, prelude+`
import { sleep as pause } from 'ctiload';
export default function () {
  const a = agent(0);
  must(a.login({ password: 'x' }), 'login');
  const r = a.queryState(); // the connection is dropped here
  if (r.ok) fail('queryState succeeded on a dropped connection');
  for (let i = 0; i < 100 && !a.closed; i++) pause(0.01);
  if (!a.closed) fail('session.closed is false after the server dropped the connection');
  try {
    a.waitFor('CALL_DELIVERED_EVENT', { timeout: '2s' });
    fail('waitFor on a lost session returned');
  } catch (e) {
    if (e.codeName !== 'E_CONNECTION_LOST') fail('waitFor exception codeName = ' + e.codeName + ': ' + e.message);
  }
}`, "default")
	if err != nil {
		t.Fatal(err)
	}
}

// TestSessionMethodsSharedPerVU: the session methods are made per VU, on use, and behave as
// methods of an ordinary prototype: the same function for every session of the VU (from a
// method's second read on: TestSessionMethodKeptFromSecondRead), listed by for…in and `in`,
// shadowed by an assignment on one session only, and refusing a receiver that is not a session.
func TestSessionMethodsSharedPerVU(t *testing.T) {
	srv := newSim(t, sim.Config{})
	_, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0), b = agent(1);
  void a.login, a.queryState; // first reads: not kept
  if (typeof a.login !== 'function' || a.login !== b.login || a.queryState !== b.queryState) fail('methods differ between sessions');
  if (!('waitFor' in a) || ('nosuchMethod' in a) || a.nosuchMethod !== undefined) fail('in / lookup of a missing method');
  const keys = [];
  for (const k in a) keys.push(k);
  for (const m of ['login', 'setState', 'waitFor', 'request', 'close', 'stats', 'closed']) {
    if (!keys.includes(m)) fail('for…in lacks ' + m + ': ' + keys.join(','));
  }
  must(a.queryState(), 'queryState');
  a.stats = 'shadowed';
  if (a.stats !== 'shadowed' || typeof b.stats !== 'function') fail('assignment did not shadow on one session only');
  let threw = '';
  try { b.queryState.call({}); } catch (e) { threw = String(e); }
  if (!threw.includes('TypeError') || !threw.includes('call it on a session object')) fail('foreign receiver: ' + threw);
  a.close(); b.close();
  if (!a.closed || a.queryState().codeName !== 'E_NOT_SENT') fail('closed session');
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
}

// TestSessionStatsHeartbeats: stats() counts the heartbeats sent and those the server did not
// answer within one interval, what a soak or bench-scale reports as missed heartbeats.
func TestSessionStatsHeartbeats(t *testing.T) {
	typ, slow, err := sim.ParseLatency("HEARTBEAT_REQ=600ms")
	if err != nil {
		t.Fatal(err)
	}
	srv := newSim(t, sim.Config{Faults: sim.Faults{Latency: map[cti.MsgType]sim.Dist{typ: slow}}})
	_, err = runScript(t, srv, prelude+`
import { sleep } from 'ctiload';
export default function () {
  const a = cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: '50ms' });
  let st = a.stats();
  for (let i = 0; i < 200 && st.heartbeatsMissed === 0; i++) { sleep(0.05); st = a.stats(); }
  if (st.heartbeatsSent < 1 || st.heartbeatsMissed < 1) fail('stats: ' + JSON.stringify(st));
  a.close();
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
}

// TestSimulatorInfo: cti.simulator is the run's built-in simulator as the host describes it —
// null in the runtime that reads the options (the simulator is not started yet) and in a run
// with a --target — so scripts read the dialed number instead of assuming 8000.
func TestSimulatorInfo(t *testing.T) {
	script := map[string]string{"script.js": `
import cti from 'ctiload/cti';
import { simulator } from 'ctiload/cti';
const s = cti.simulator;
const fields = s && [s.product, s.target, s.agents, s.firstAgentId, s.firstExtension, s.dialedNumber, s.peripheralId].join(' ');
console.log(__VU + ' ' + fields + ' ' + (JSON.stringify(simulator) === JSON.stringify(s)));
export default function () {}
`}
	info := &jsapi.SimulatorInfo{Product: "UCCE", Target: "127.0.0.1:42027", Agents: 10000, FirstAgentID: 5000,
		FirstExtension: 1000, DialedNumber: "80000", PeripheralID: 5000}
	withSim := func(_ *jsapi.LoadOptions, rc *jsapi.RunnerConfig) { rc.Simulator = info }

	e := newEnv(t, "script.js", script, withSim)
	e.newVU(1)
	want := []string{
		"0 null true", // the options pass: no simulator yet
		"1 UCCE 127.0.0.1:42027 10000 5000 1000 80000 5000 true",
	}
	if got := e.log.messages(); !slices.Equal(got, want) {
		t.Errorf("with a simulator, the init code logged\n%q\nwant\n%q", got, want)
	}

	e = newEnv(t, "script.js", script, withTarget("127.0.0.1:42027"))
	e.newVU(1)
	if got, want := e.log.messages(), []string{"0 null true", "1 null true"}; !slices.Equal(got, want) {
		t.Errorf("against a --target, the init code logged %q, want %q", got, want)
	}
}

// TestSessionMethodKeptFromSecondRead pins keepFromSecondRead on session methods: a method read
// once is made for that read, one read again is kept and is then the same function on every
// read, and both work.
func TestSessionMethodKeptFromSecondRead(t *testing.T) {
	srv := newSim(t, sim.Config{})
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  const desk = cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: 0 });
  const first = desk.stats, second = desk.stats, third = desk.stats;
  if (first === second) throw new Error('the first read was kept');
  if (second !== third) throw new Error('the second read was not kept');
  if (!first.call(desk) || !third.call(desk)) throw new Error('stats() returned nothing');
  desk.close();
}
`}, withSim(srv))
	vu := e.newVU(1)
	if err := vu.run(ctxTimeout(t, 10*time.Second), ""); err != nil {
		t.Fatal(err)
	}
}
