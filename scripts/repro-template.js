// repro-template.js — the shape of a customer-issue reproduction. One agent, one call, every
// message in the order the customer's desktop sent it, with the customer's timings, and an
// assertion on every field that matters in every event the server sends back. Run once:
//
//   ctiload run --trace repro.ndjson scripts/repro-template.js
//   ctiload run --target cti-a.lab:42027 -e AGENT_PASSWORD=… -e AGENTS_CSV=lab-agents.csv \
//               -e DIALED_NUMBER=7001 --trace repro.ndjson scripts/repro-template.js
//
// Keep the trace (--trace): every frame in and out, decoded, one JSON line each, passwords
// redacted — `ctiload decode` reads raw captures the same way. It is what a Cisco TAC engineer
// asks for, and diffing the trace of the customer's server against the lab's shows where they part.
//
// To adapt: replace the steps below with the customer's sequence (their desktop log or a packet
// capture gives the messages and the gaps between them), keep one expectEvent per event you
// care about, and name each check after what the customer reported. The verdict (exit code 0 or
// 99) then says whether the issue reproduces; the CHECKS table says at which step.
//
// The sequence here: login → NOT_READY with a reason code (sent as a raw SET_AGENT_STATE_REQ, the
// way to replay a message field by field) → READY → a call with call variables arrives (ANI, DNIS,
// CallVariable1/3 checked) → answer → established → hold → retrieve → clear → END_CALL_EVENT →
// the agent is AVAILABLE again → NOT_READY → logout.
import { check, sleep } from 'ctiload';
import { agent, connect, login, DIALED_NUMBER } from './lib/agent.js';

const NOT_READY_REASON = 7; // the reason code the customer's agents use
const ACCOUNT = 'ACC-0042'; // call data the customer's routing script attaches
const TIER = 'gold';

export const options = {
  scenarios: {
    repro: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '2m' },
  },
  thresholds: {
    checks: ['rate==1'], // every assertion held
    cti_failures: ['count==0'], // every request was accepted
    failed_iterations: ['count==0'], // the sequence ran to its end without an exception
    'cti_event_wait_duration{status:timeout}': ['count==0'], // every expected event came
  },
  simulator: { agents: 10, agentPassword: __ENV.AGENT_PASSWORD || '' },
};

// expectEvent waits for the next event called name (events of other names stay queued for
// later steps) and checks each expected field; a function as expected value is a predicate.
// Each check is named "step: FIELD", so the summary points at the step and field that differ.
function expectEvent(session, step, name, expected = {}, timeout = '10s') {
  const ev = session.waitFor(name, { timeout });
  const checks = { [`${step}: ${name} arrived`]: (e) => e !== null };
  for (const [field, want] of Object.entries(expected)) {
    checks[`${step}: ${field}`] = (e) => e !== null && (typeof want === 'function' ? want(e[field]) : e[field] === want);
  }
  if (!check(ev, checks) && ev !== null) {
    // The event as it came, for the report: every field by its protocol name.
    console.warn(`${step}: ${JSON.stringify(ev)}`);
  }
  return ev;
}

function accepted(step, r) {
  if (!check(r, { [`${step}: accepted`]: (x) => x.ok })) {
    console.warn(`${step}: ${r.codeName} ${r.error || ''}`);
  }
  return r;
}

export default function () {
  const me = agent(0);
  const callerRow = agent(1);
  const desk = connect(me, { heartbeat: '5s' });
  const caller = connect(callerRow, { heartbeat: '5s' });

  // 1. Login: the agent lands in NOT_READY, with no reason yet.
  if (!login(desk, { ready: false })) {
    return;
  }
  expectEvent(desk, '01 login', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_NOT_READY', AgentID: me.agentId });

  // 2. NOT_READY with the reason code, as the raw message the customer's desktop sent: every
  //    field by its protocol name (InvokeID is assigned by the session).
  const periph = Number(__ENV.PERIPHERAL_ID || me.peripheralId);
  accepted('02 not ready', desk.request('SET_AGENT_STATE_REQ', {
    PeripheralID: periph,
    AgentState: 'AGENT_STATE_NOT_READY',
    AgentWorkMode: 'UNSPECIFIED',
    EventReasonCode: NOT_READY_REASON,
    AgentInstrument: me.instrument,
    AgentID: me.agentId,
  }));
  expectEvent(desk, '02 not ready', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_NOT_READY', EventReasonCode: NOT_READY_REASON });
  sleep(0.5); // the customer's agent stayed NOT_READY for half a second

  // 3. READY.
  accepted('03 ready', desk.setState('READY'));
  expectEvent(desk, '03 ready', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_AVAILABLE' });

  // 4. A call with call data comes in (here a second desktop dials the queue; on a lab with a
  //    call generator, leave the caller out and let the generator place the customer's call).
  if (!login(caller, { ready: false })) {
    return;
  }
  accepted('04 caller dials', caller.makeCall(DIALED_NUMBER, { callVariables: { 1: ACCOUNT, 3: TIER } }));
  expectEvent(desk, '04 offered', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_RESERVED' });
  const call = expectEvent(desk, '04 delivered', 'CALL_DELIVERED_EVENT', {
    LocalConnectionState: 'LCS_ALERTING',
    AlertingDeviceID: me.extension,
    ANI: callerRow.extension,
    DNIS: DIALED_NUMBER,
    CallVariable1: ACCOUNT,
    CallVariable3: TIER,
    CallVariable2: (v) => v === undefined || v === '', // not set by the caller
  });
  if (call === null) {
    return;
  }
  const sameCall = { ConnectionCallID: (id) => id === call.ConnectionCallID };
  sleep(1.2); // rang for 1.2 s

  // 5. Answer: ANSWER_CALL_CONF, then CALL_ESTABLISHED_EVENT and TALKING.
  accepted('05 answer', desk.answer(call));
  expectEvent(desk, '05 established', 'CALL_ESTABLISHED_EVENT', Object.assign({ LocalConnectionState: 'LCS_CONNECT', AnsweringDeviceID: me.extension }, sameCall));
  expectEvent(desk, '05 talking', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_TALKING' });
  sleep(2);

  // 6. Hold, 3 s on hold, retrieve.
  accepted('06 hold', desk.hold(call));
  expectEvent(desk, '06 held', 'CALL_HELD_EVENT', Object.assign({ LocalConnectionState: 'LCS_HOLD', HoldingDeviceID: me.extension }, sameCall));
  expectEvent(desk, '06 hold state', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_HOLD' });
  sleep(3);
  accepted('07 retrieve', desk.retrieve(call));
  expectEvent(desk, '07 retrieved', 'CALL_RETRIEVED_EVENT', Object.assign({ LocalConnectionState: 'LCS_CONNECT' }, sameCall));
  expectEvent(desk, '07 talking', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_TALKING' });
  sleep(1);

  // 8. Clear the call for both parties: CALL_CLEARED_EVENT, END_CALL_EVENT, AVAILABLE again.
  accepted('08 clear', desk.clear(call));
  expectEvent(desk, '08 cleared', 'CALL_CLEARED_EVENT', Object.assign({ LocalConnectionState: 'LCS_NULL' }, sameCall));
  expectEvent(desk, '08 end call', 'END_CALL_EVENT', sameCall);
  expectEvent(desk, '08 available', 'AGENT_STATE_EVENT', { AgentState: 'AGENT_STATE_AVAILABLE' });

  // 9. The state as the server sees it, with another raw request by name.
  const q = accepted('09 query', desk.request('QUERY_AGENT_STATE_REQ', { PeripheralID: periph, AgentInstrument: me.instrument, AgentID: me.agentId }));
  check(q, { '09 query: AVAILABLE': (r) => r.ok && r.message.AgentState === 'AGENT_STATE_AVAILABLE' });

  // 10. Leave: NOT_READY, LOGOUT, close. Events nobody waited for are listed for the report.
  accepted('10 not ready', desk.setState('NOT_READY', { reasonCode: NOT_READY_REASON }));
  accepted('10 logout', desk.logout({ reasonCode: NOT_READY_REASON }));
  for (const ev of desk.drainEvents()) {
    console.log(`not asserted: ${ev.name}`);
  }
  accepted('10 caller not ready', caller.setState('NOT_READY', { reasonCode: NOT_READY_REASON }));
  accepted('10 caller logout', caller.logout({ reasonCode: NOT_READY_REASON }));
  desk.close();
  caller.close();
}
