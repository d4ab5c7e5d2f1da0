// smoke.js — is the CTI path healthy? Five agent desktops log in, go ready, take one call each,
// answer, talk, wrap up (WORK_READY, call data, NOT_READY with a reason code) and log out. A sixth
// desktop plays the caller: it dials the queue number once per agent, so the calls come the same
// way against the simulator and against a lab CTI Server (where the dialed number is your
// routing script's, e.g. a CVP or route point DN). Full size: 5 agents, 5 calls, about 10 s.
//
//   ctiload run scripts/smoke.js                                    # the built-in simulator
//   ctiload run --target cti-a.lab:42027 -e AGENT_PASSWORD=… -e DIALED_NUMBER=7001 \
//               -e AGENTS_CSV=lab-agents.csv scripts/smoke.js         # a lab CTI Server
//
// It is what `make run` runs, and a good first CI job: the verdict (exit code 0 or 99) says
// whether every step worked and stayed fast.
import { check, sleep, randomBetween } from 'ctiload';
import { Trend } from 'ctiload/metrics';
import { agent, connect, login, logout, scaled, DIALED_NUMBER, REASON_BREAK } from './lib/agent.js';

const AGENT_COUNT = scaled(5);

// Delivered → cleared, as the agent lives it: ringing, talking, releasing.
const handleTime = new Trend('handle_time', true);

export const options = {
  scenarios: {
    // VU IDs are given per scenario in name order: agents are VUs 1…5, the caller VU 6, so
    // __VU - 1 is the row of agents.csv each desktop uses.
    agents: { executor: 'per-vu-iterations', vus: AGENT_COUNT, iterations: 1, maxDuration: '60s', exec: 'agentDesktop' },
    caller: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '60s', exec: 'caller' },
  },
  thresholds: {
    // Not one request may fail: any CF_… / E_CTI_… code or a timeout fails the run.
    cti_failures: ['count==0'],
    // No iteration may end in an exception (fail(), a script error): each is counted here.
    failed_iterations: ['count==0'],
    // Every check (login, ready, call delivered, answered, …) must pass.
    checks: ['rate==1'],
    // Every wait for an event must be satisfied: a call that never rang shows up here.
    'cti_event_wait_duration{status:timeout}': ['count==0'],
    // Latency of the CTI Server's replies. The simulator answers in about a millisecond; a
    // healthy lab CTI Server within a few hundred.
    cti_request_duration: ['p(95)<500', 'max<2000'],
    'cti_request_duration{msg:ANSWER_CALL_REQ}': ['p(95)<500'],
    // OPEN_REQ → OPEN_CONF.
    cti_session_open_duration: ['max<3000'],
  },
  // Used only without --target: the built-in simulator's agent population (options.simulator
  // keys are the run command's --sim-* flags in camelCase). An AGENT_PASSWORD given to the run
  // becomes the simulator's required agent password, so a wrong one fails here too.
  simulator: { agents: 100, agentPassword: __ENV.AGENT_PASSWORD || '' },
};

// One agent desktop, one call.
export function agentDesktop() {
  const desk = connect(agent(__VU - 1));
  if (!login(desk)) {
    return;
  }
  // READY: the queue may offer the next call. CALL_DELIVERED_EVENT is the phone ringing; the
  // caller dials one call per agent, so 30 s covers every call of the run being queued first.
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: '30s' });
  if (!check(call, {
    'call delivered': (c) => c !== null,
    'call is ringing (LCS_ALERTING)': (c) => c && c.LocalConnectionState === 'LCS_ALERTING',
    'dialed number is the queue': (c) => c && c.DialedNumber === DIALED_NUMBER,
  })) {
    logout(desk);
    return;
  }
  const delivered = Date.now();
  check(desk.answer(call), { 'answer accepted': (r) => r.ok });
  // ANSWER_CALL_CONF only says the request was taken; the call is up at CALL_ESTABLISHED_EVENT.
  const up = desk.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  check(up, { 'call established': (e) => e !== null });

  // Wrap-up after this call: asked during the call, the state is pending and taken when the call
  // ends (UCCE's WORK_READY: the agent finishes the paperwork, no new call is offered).
  check(desk.setState('WORK_READY'), { 'wrap-up requested': (r) => r.ok });
  sleep(randomBetween(1, 2)); // talk time
  check(desk.setCallData(call, { callVariables: { 1: 'smoke', 2: `vu${__VU}` }, wrapup: 'resolved' }), { 'call data set': (r) => r.ok });
  check(desk.release(call), { 'release accepted': (r) => r.ok });
  // The agent left; with the caller alone the call is over: CALL_CLEARED_EVENT, END_CALL_EVENT.
  const cleared = desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  check(cleared, { 'call ended': (e) => e !== null });
  handleTime.add(Date.now() - delivered);
  // The pending state is taken when the call ends: AGENT_STATE_EVENT WORK_READY. (Earlier state
  // events — NOT_READY at login, AVAILABLE, RESERVED, TALKING — wait in the session's backlog;
  // `where` picks the one this step is about.)
  const wrap = desk.waitFor('AGENT_STATE_EVENT', { timeout: '10s', where: (e) => e.AgentState === 'AGENT_STATE_WORK_READY' });
  check(wrap, { 'in wrap-up (WORK_READY)': (e) => e !== null });
  sleep(0.5); // wrap-up
  check(desk.setState('NOT_READY', { reasonCode: REASON_BREAK }), { 'not ready accepted': (r) => r.ok });
  logout(desk);
}

// The caller: a desktop of its own (the row after the agents') that dials the queue once per
// agent, one call at a time — a phone has one active call — and waits for the agent to end it.
export function caller() {
  const phone = connect(agent(AGENT_COUNT));
  if (!login(phone, { ready: false })) { // logged in but NOT_READY: the queue never offers it a call
    return;
  }
  for (let i = 0; i < AGENT_COUNT; i++) {
    const r = phone.makeCall(DIALED_NUMBER, { callVariables: ['smoke call ' + (i + 1)] });
    if (!check(r, { 'call placed': (x) => x.ok })) {
      break;
    }
    const ended = phone.waitFor('END_CALL_EVENT', { timeout: '45s', where: (e) => e.ConnectionCallID === r.call.ConnectionCallID });
    if (!check(ended, { 'agent ended the call': (e) => e !== null })) {
      break;
    }
  }
  logout(phone);
}
