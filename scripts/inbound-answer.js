// inbound-answer.js — a steady inbound day. 100 agents answer calls from the queue for 10 minutes:
// the phone rings, the agent answers after a second, talks, writes the outcome into the call data,
// releases, wraps up and goes ready again. The offered load keeps the agents about 85 % busy,
// the occupancy a well-staffed contact center runs at.
//
// Offered load, worked out (Erlang's "traffic intensity" = arrival rate × mean handle time):
//   mean handle time (AHT) = ring 1 s + talk 30 s (mean) + wrap-up 5 s (mean) = 36 s
//   occupancy = rate × AHT / agents   ⇒   rate = 0.85 × agents / AHT = 0.85 × 100 / 36 ≈ 2.36 calls/s
// The simulator's call generator offers exactly that (options.simulator.callRate below, Poisson
// arrivals); against a lab CTI Server your call generator must offer it to the agents' skill group.
// The script measures the occupancy each agent actually had, and a threshold checks it.
//
//   ctiload run scripts/inbound-answer.js
//   ctiload run -e SCALE=0.1 scripts/inbound-answer.js   # 10 agents, 1 minute, same occupancy
//   ctiload run --target cti-a.lab:42027 -e AGENT_PASSWORD=… -e AGENTS_CSV=lab-agents.csv scripts/inbound-answer.js
//
// SCALE shrinks the agent count and the run, and the ring, talk and wrap-up times with them, so
// the call rate (agents / AHT) and the occupancy stay the same.
import { check, sleep, randomBetween } from 'ctiload';
import { Counter, Trend } from 'ctiload/metrics';
import { agent, connect, login, logout, scaled, SCALE, REASON_END_OF_SHIFT } from './lib/agent.js';

const AGENT_COUNT = scaled(100, 5); // at least 5: with fewer, one long call skews the occupancy
// Human times shrink with SCALE too, but not below 2 % (a 0.7 s handle time): shorter, and the
// protocol's own milliseconds would count in the handle time.
const T = Math.max(SCALE, 0.02);
const RING_S = 1 * T; // the agent answers after one ring
const TALK_MIN_S = 10 * T; // talk time: 10 s plus an exponential part of mean 20 s → mean 30 s
const TALK_EXP_MEAN_S = 20 * T;
const WRAP_MIN_S = 3 * T; // wrap-up: uniform 3…7 s → mean 5 s
const WRAP_MAX_S = 7 * T;
const AHT_S = RING_S + TALK_MIN_S + TALK_EXP_MEAN_S + (WRAP_MIN_S + WRAP_MAX_S) / 2;
const OCCUPANCY = 0.85;
const CALL_RATE = (OCCUPANCY * AGENT_COUNT) / AHT_S; // calls per second
const DURATION_S = Math.max(10, 600 * SCALE);
// How far the measured occupancy may stray from the plan. It is a mean over the calls handled,
// so it spreads like 1/√calls: the handle time's coefficient of variation is about 0.56 (the
// exponential 20 s of a 36 s mean), so one standard error is 0.56 × 0.85 / √calls. The bounds
// allow five of them, and never less than 0.15 below / 0.10 above the plan: at full scale
// (≈1,400 calls) that is 0.70…0.95; a shrunk run (SCALE=0.005, ≈60 calls, as the test suite
// runs it) only proves the agents were busy at all, not how busy.
const EXPECTED_CALLS = CALL_RATE * DURATION_S;
const OCCUPANCY_SPREAD = (5 * 0.56 * OCCUPANCY) / Math.sqrt(EXPECTED_CALLS);
const OCCUPANCY_MIN = OCCUPANCY - Math.max(0.15, OCCUPANCY_SPREAD);
const OCCUPANCY_MAX = Math.min(0.99, OCCUPANCY + Math.max(0.1, OCCUPANCY_SPREAD));

// Wrap-up outcomes, written to CallWrapupData (UCCE's wrap-up reason) and CallVariable5.
const OUTCOMES = ['resolved', 'callback', 'escalated', 'sale', 'no-action'];

const occupancy = new Trend('occupancy'); // per agent: busy / (busy + idle), 0…1
const handled = new Counter('calls_handled');

export const options = {
  scenarios: {
    agents: {
      executor: 'constant-vus',
      vus: AGENT_COUNT,
      duration: `${DURATION_S}s`,
      // A call in progress when the time is up may finish (talk is long-tailed); one that needs
      // longer is interrupted, which is not a failure.
      gracefulStop: `${Math.ceil(10 * AHT_S) + 5}s`,
    },
  },
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    // The agents were as busy as planned: too low means calls did not come (a routing problem,
    // a slow server), too high means calls queued up (the agents could not keep up).
    occupancy: [`avg>${OCCUPANCY_MIN.toFixed(2)}`, `avg<${OCCUPANCY_MAX.toFixed(2)}`],
    // Answer → the call is up, as the agent sees it.
    'cti_request_duration{msg:ANSWER_CALL_REQ}': ['p(95)<300'],
    'cti_event_wait_duration{msg:CALL_ESTABLISHED_EVENT}': ['p(95)<500'],
    cti_request_duration: ['p(99)<1000'],
  },
  simulator: {
    agents: Math.max(100, AGENT_COUNT),
    agentPassword: __ENV.AGENT_PASSWORD || '',
    callRate: `${CALL_RATE.toFixed(4)}/s`,
    poisson: false,
    // After an ACD call the agent goes to WORK_READY and ends wrap-up itself (UCCE's "wrap-up
    // required" desk setting).
    wrapUp: true,
  },
};

let desk;
let busyMs = 0;
let idleMs = 0;
let shiftOver = false;

// setup runs once before the agents start: the end of the shift, the same for every agent.
export function setup() {
  return { endAt: Date.now() + DURATION_S * 1000 };
}

// Once per VU: the desktop opens, logs in and goes ready; it stays logged in for the whole run.
export function vuSetup() {
  desk = connect(agent(__VU - 1));
  if (!login(desk)) {
    desk.close();
    sleep(1); // the next iteration tries again
    throw new Error(`agent ${agent(__VU - 1).agentId} could not log in`);
  }
}

// One iteration is one call: wait, answer, talk, release, wrap up, ready.
export default function (data) {
  if (shiftOver) {
    // NOT_READY since the last call: nothing to do until the scenario ends.
    sleep(Math.max(0.1, (data.endAt - Date.now()) / 1000 + 0.1));
    return;
  }
  const waitStart = Date.now();
  // 85 % occupancy leaves each agent idle about 15 % of the time: a few seconds between calls.
  // Ten handle times without a call means the calls stopped coming.
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: `${Math.max(2, 10 * AHT_S)}s` });
  const delivered = Date.now();
  idleMs += delivered - waitStart;
  if (!check(call, { 'call offered': (c) => c !== null })) {
    return;
  }
  // BEGIN_CALL_EVENT came just before the ring: the call's type and data (ANI, DNIS, variables).
  const begin = desk.waitFor('BEGIN_CALL_EVENT', { timeout: '5s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  check(begin, {
    'inbound ACD call': (b) => b !== null && b.CallType === 'ACD_IN',
    'caller number (ANI) present': (b) => b !== null && typeof b.ANI === 'string' && b.ANI.length > 0,
  });

  sleep(RING_S);
  check(desk.answer(call), { 'answer accepted': (r) => r.ok });
  const up = desk.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  check(up, { 'call established': (e) => e !== null });

  // Talk: a floor plus an exponential tail, the usual shape of talk times.
  sleep(TALK_MIN_S + exponential(TALK_EXP_MEAN_S));
  const outcome = OUTCOMES[randomBetween(0, OUTCOMES.length - 1)];
  check(desk.setCallData(call, { callVariables: { 5: outcome }, wrapup: outcome }), { 'call data set': (r) => r.ok });
  check(desk.release(call), { 'release accepted': (r) => r.ok });
  desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });

  // Wrap-up: the server put the agent in WORK_READY when the ACD call ended.
  const wrap = desk.waitFor('AGENT_STATE_EVENT', { timeout: '10s', where: (e) => e.AgentState === 'AGENT_STATE_WORK_READY' });
  check(wrap, { 'in wrap-up (WORK_READY)': (e) => e !== null });
  sleep(randomBetween(WRAP_MIN_S, WRAP_MAX_S));
  busyMs += Date.now() - delivered;
  handled.add(1);
  if (Date.now() + AHT_S * 1000 < data.endAt) {
    check(desk.setState('READY'), { 'ready after wrap-up': (r) => r.ok });
    return;
  }
  // The last call of the shift: end wrap-up in NOT_READY, as an agent does before logging out,
  // so that the queue offers no call the run would leave ringing.
  check(desk.setState('NOT_READY', { reasonCode: REASON_END_OF_SHIFT }), { 'not ready at end of shift': (r) => r.ok });
  shiftOver = true;
}

// Once per VU at the end: the agent's occupancy, then NOT_READY with a reason and logout.
export function vuTeardown() {
  if (busyMs + idleMs > 0) {
    occupancy.add(busyMs / (busyMs + idleMs));
  }
  logout(desk);
}

// exponential(mean) draws from an exponential distribution (the VU's seeded Math.random).
function exponential(mean) {
  return -mean * Math.log(1 - Math.random());
}
