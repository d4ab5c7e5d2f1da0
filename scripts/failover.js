// failover.js — side A goes away in the middle of the day. 50 agents take calls for 2 minutes;
// 40 s in, the CTI Server's side A stops being active and every desktop must move to side B,
// find its agent still logged in, and carry on. This is the test to run before go-live on a
// duplex PG pair, with someone at the PG console.
//
// What a desktop lives through (cti.connect with failover: true):
//   side A sends FAILURE_EVENT (E_CTI_CTI_SERVER_OFFLINE) and closes the session, or simply
//   vanishes (a crash: no word, the connection resets) → the session connects to side B (side A
//   again if B refuses, with backoff) and sends OPEN_REQ again → OPEN_CONF from B. The time from
//   the loss to the new OPEN_CONF is cti_reconnect_duration; each attempt's outcome counts in
//   cti_reconnects{result:ok|failed}. Requests made meanwhile wait for the new link; a request
//   that was on the wire when the link broke fails and is retried once by this script.
//   Then the desktop re-reads its agent's state (QUERY_AGENT_STATE_REQ): after a fail-over the
//   agent must still be logged in — the PG keeps agent state, the CTI Server only relays it.
//
//   ctiload run scripts/failover.js                    # side A switches to standby at 40 s
//   ctiload run -e FAIL=crash scripts/failover.js      # side A crashes at 40 s
//   ctiload run --target cti-a.lab:42027,cti-b.lab:42027 -e AGENT_PASSWORD=… \
//               -e AGENTS_CSV=lab-agents.csv scripts/failover.js
//               # a lab duplex pair: fail side A over by hand during the run (e.g. stop the CTI
//               # Server service on side A at about 40 s)
import { check, sleep, randomBetween } from 'ctiload';
import { agent, connect, login, logout, stopTakingCalls, scaled, SCALE, REASON_END_OF_SHIFT } from './lib/agent.js';

const AGENT_COUNT = scaled(50);
const DURATION_S = Math.max(8, 120 * SCALE);
const FAIL_AT_S = Math.max(2, 40 * SCALE);
const CRASH = (__ENV.FAIL || 'switch') === 'crash';
const T = Math.max(SCALE, 0.02); // human times, down to 2 %
const TALK_MIN_S = 5 * T;
const TALK_MAX_S = 15 * T;
const AHT_S = T + (TALK_MIN_S + TALK_MAX_S) / 2;

export const options = {
  scenarios: {
    agents: { executor: 'constant-vus', vus: AGENT_COUNT, duration: `${DURATION_S}s`, gracefulStop: '30s' },
  },
  thresholds: {
    // Every lost link came back: no session gave up.
    'cti_reconnects{result:failed}': ['count==0'],
    // Loss → OPEN_CONF on the other side. Desktops retry at once, then back off from 250 ms.
    cti_reconnect_duration: ['p(95)<5000', 'max<15000'],
    // Every desktop failed over exactly once and found its agent logged in (checks below).
    checks: ['rate==1'],
    // A request on the wire at the instant of the loss fails; at most one per desktop.
    cti_failures: [`count<=${AGENT_COUNT}`],
  },
  simulator: {
    agents: Math.max(100, AGENT_COUNT),
    agentPassword: __ENV.AGENT_PASSWORD || '',
    callRate: `${((0.5 * AGENT_COUNT) / AHT_S).toFixed(4)}/s`, // agents about half busy
    // A duplex pair: side A active, side B standby; the run's target becomes "A,B".
    duplex: true,
    // Switch side A to standby (its sessions get FAILURE_EVENT and are closed), or crash it.
    [CRASH ? 'failAAfter' : 'failoverAfter']: `${FAIL_AT_S}s`,
  },
};

let desk;
let reconnectsSeen = 0;
let shiftOver = false;

// setup: the end of the day. Agents take their last call early enough to end it by then.
export function setup() {
  return { lastCallBy: Date.now() + (DURATION_S - TALK_MAX_S - 2 * T) * 1000, endAt: Date.now() + DURATION_S * 1000 };
}

export function vuSetup() {
  // failover: on a lost link, try the other side (then this one again), the first attempt at
  // once, then backing off from 250 ms up to 5 s, at most 10 attempts per outage.
  desk = connect(agent(__VU - 1), { failover: { maxAttempts: 10, backoff: '250ms', maxBackoff: '5s' } });
  if (!login(desk)) {
    desk.close();
    sleep(1);
    throw new Error(`agent ${agent(__VU - 1).agentId} could not log in`);
  }
}

// retry sends a request once more if it failed because the link broke under it (by the time it
// is retried, the session is reconnecting, and the request waits for the new link). A retried
// call-control request may find its work done: the first one reached side A before the link
// broke, only its answer was lost. That is a success (doneCodes).
function retry(send, doneCodes = []) {
  const r = send();
  if (r.ok || !/CONNECTION|SESSION|TIMEOUT/.test(r.codeName)) {
    return r;
  }
  const again = send();
  if (!again.ok && doneCodes.includes(again.codeName)) {
    return { ok: true, codeName: 'ok', retriedAfter: r.codeName };
  }
  return again;
}

export default function (data) {
  if (shiftOver) {
    sleep(Math.max(0.05, (data.endAt - Date.now()) / 1000 + 0.05));
    return;
  }
  // Wait for a call in slices of at most 1 s, so that a fail-over is noticed soon between calls.
  let call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: `${Math.max(1, Math.min(1000, data.lastCallBy - Date.now()))}ms` });
  if (call === null && failedOver()) {
    call = resync();
  }
  const last = Date.now() >= data.lastCallBy;
  if (call === null && last) {
    call = stopTakingCalls(desk); // the end of the day; maybe one call rang at that instant
    shiftOver = true;
  }
  if (call !== null) {
    handle(call, last);
  }
  if (failedOver()) {
    const late = resync();
    if (late !== null) {
      handle(late, last);
    }
  }
}

// failedOver reports whether the session moved to the other side since the last look.
function failedOver() {
  const n = desk.stats().reconnects;
  const moved = n > reconnectsSeen;
  reconnectsSeen = n;
  return moved;
}

// resync re-reads the agent's state from the new side, as a desktop must after a fail-over, and
// returns a call that rang while the desktop was between the sides (or null). Its
// CALL_DELIVERED_EVENT may have gone down with the old link; then the desktop answers "the
// alerting call" (ConnectionCallID 0xFFFFFFFF) and learns the call from CALL_ESTABLISHED_EVENT.
function resync() {
  const st = retry(() => desk.queryState());
  check(st, { 'agent still logged in after fail-over': (r) => r.ok && r.message.AgentState !== 'AGENT_STATE_LOGOUT' });
  if (!st.ok || st.message.AgentState !== 'AGENT_STATE_RESERVED') {
    return null;
  }
  // A delivery over the new link came before the reply to QUERY_AGENT_STATE_REQ: it is here.
  const delivered = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: '100ms' });
  if (delivered !== null) {
    return delivered;
  }
  // Anything else waiting in the session is about calls that are over: drop it, so that the
  // next CALL_ESTABLISHED_EVENT is this call's.
  desk.drainEvents();
  const ext = agent(__VU - 1).extension;
  check(desk.answer({ ConnectionCallID: 0xFFFFFFFF, ConnectionDeviceIDType: 'CONNECTION_ID_DYNAMIC', ConnectionDeviceID: ext }),
    { 'ringing call answered after fail-over': (r) => r.ok });
  const up = desk.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '5s' });
  check(up, { 'ringing call established after fail-over': (e) => e !== null });
  sleep(randomBetween(TALK_MIN_S, TALK_MAX_S));
  if (up !== null) {
    check(retry(() => desk.release(up), ['CF_INVALID_CSTA_CALL_IDENTIFIER']), { 'release accepted': (r) => r.ok });
  }
  return null;
}

// handle answers a call, talks and releases it. The last call of the day asks for NOT_READY
// while it is up: the request is pending and taken when the call ends, so no new call is offered.
function handle(call, last) {
  sleep(T);
  check(retry(() => desk.answer(call), ['CF_NO_CALL_TO_ANSWER']), { 'answer accepted': (r) => r.ok });
  if (last && !shiftOver) {
    check(retry(() => desk.setState('NOT_READY', { reasonCode: REASON_END_OF_SHIFT })), { 'not ready after this call': (r) => r.ok });
    shiftOver = true;
  }
  sleep(randomBetween(TALK_MIN_S, TALK_MAX_S));
  check(retry(() => desk.release(call), ['CF_INVALID_CSTA_CALL_IDENTIFIER']), { 'release accepted': (r) => r.ok });
  // END_CALL_EVENT (not checked: at a fail-over it may go down with the old link).
  desk.waitFor('END_CALL_EVENT', { timeout: '2s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
}

export function vuTeardown() {
  // The fail-over happened, once, for this desktop.
  check(desk.stats(), { 'session failed over once': (s) => s.reconnects === 1 });
  logout(desk);
}
