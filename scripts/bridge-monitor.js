// bridge-monitor.js — what a recorder, a wallboard or a CRM connector sees. One bridge-mode
// session (CTI_SERVICE_ALL_EVENTS: every call and agent event of the peripheral, UCCX's "bridge
// mode") counts every event by name while 20 agents take inbound calls for 5 minutes.
//
// All-events clients are the CTI Server's most expensive clients: each agent event is sent once
// to the agent's desktop and once more to every all-events session. This scenario shows what one
// such client receives (the server_events counter, one row per message name in the summary), and
// checks that it keeps up: a monitor that reads too slowly loses events (its backlog overflows)
// or is dropped by the server as a slow consumer.
//
//   ctiload run scripts/bridge-monitor.js
//   ctiload run -e SCALE=0.1 scripts/bridge-monitor.js
//   ctiload run --target cti-a.lab:42027 -e AGENTS_CSV=lab-agents.csv scripts/bridge-monitor.js
//
// On a real server, run one bridge session per test, never against a production PG (see
// docs/testing-a-real-cti-server.md): it receives the events of every agent of the peripheral,
// not only those of the test agents.
import { check, sleep, randomBetween } from 'ctiload';
import cti from 'ctiload/cti';
import { Counter } from 'ctiload/metrics';
import { agent, connect, login, logout, stopTakingCalls, scaled, SCALE, REASON_END_OF_SHIFT } from './lib/agent.js';

const AGENT_COUNT = scaled(20);
const DURATION_S = Math.max(6, 300 * SCALE);
const T = Math.max(SCALE, 0.02); // human times, down to 2 %
const TALK_MIN_S = 10 * T;
const TALK_MAX_S = 20 * T;
const AHT_S = T + (TALK_MIN_S + TALK_MAX_S) / 2; // one ring, then the mean talk time
const CALL_RATE = (0.7 * AGENT_COUNT) / AHT_S; // the agents about 70 % busy (rate × AHT / agents)
const POLL_S = 0.1; // how often the monitor reads what arrived

const events = new Counter('server_events'); // tag event: the message name
const lost = new Counter('monitor_events_lost');

export const options = {
  scenarios: {
    // VU IDs go to scenarios in name order: agents are VUs 1…AGENT_COUNT (rows 0…), the monitor
    // is the next VU and uses no agent row.
    agents: { executor: 'constant-vus', vus: AGENT_COUNT, duration: `${DURATION_S}s`, exec: 'agentDesktop', gracefulStop: '30s' },
    monitor: { executor: 'constant-vus', vus: 1, duration: `${DURATION_S}s`, exec: 'monitor', gracefulStop: '5s' },
  },
  thresholds: {
    // The monitor lost nothing: every event it was sent, it read.
    monitor_events_lost: ['count==0'],
    // It saw the calls: one BEGIN_CALL_EVENT per call, the agents' states.
    'server_events{event:BEGIN_CALL_EVENT}': ['count>0'],
    'server_events{event:AGENT_STATE_EVENT}': ['count>0'],
    checks: ['rate==1'],
    cti_failures: ['count==0'],
    'cti_request_duration{msg:ANSWER_CALL_REQ}': ['p(95)<300'],
  },
  simulator: {
    agents: Math.max(100, AGENT_COUNT),
    agentPassword: __ENV.AGENT_PASSWORD || '',
    callRate: `${CALL_RATE.toFixed(4)}/s`,
  },
};

// setup: the end of the working period. Agents take their last call early enough to end it by then.
export function setup() {
  return { lastCallBy: Date.now() + (DURATION_S - TALK_MAX_S - 2 * T) * 1000, endAt: Date.now() + DURATION_S * 1000 };
}

// ---- the monitor ---------------------------------------------------------------------------

let monitorSession;
const seen = {}; // events read, by name
let droppedSoFar = 0;

function readEvents() {
  for (const ev of monitorSession.drainEvents()) {
    events.add(1, { event: ev.name });
    seen[ev.name] = (seen[ev.name] || 0) + 1;
  }
}

export function monitor() {
  if (!monitorSession) {
    // Bridge mode: no agent, no device; CTI_SERVICE_ALL_EVENTS with the default masks (the
    // sixteen classic call events and the agent states). Narrow them with `masks` on a busy PG.
    monitorSession = cti.connect('', { mode: 'bridge', label: 'monitor' });
  }
  // Read everything that arrived since the last turn, oldest first. The session keeps up to
  // 1,024 unread events; beyond that it drops the oldest and counts them.
  readEvents();
  const dropped = monitorSession.stats().eventsDropped;
  if (dropped > droppedSoFar) {
    lost.add(dropped - droppedSoFar);
    droppedSoFar = dropped;
  }
  sleep(POLL_S);
}

// vuTeardown runs when the run is over: one last read, then a check of what the monitor saw.
export function vuTeardown() {
  if (monitorSession) {
    readEvents();
    check(seen, {
      'monitor saw calls begin and end': (s) => (s.BEGIN_CALL_EVENT || 0) > 0 && (s.END_CALL_EVENT || 0) > 0,
      'monitor saw calls delivered and answered': (s) => (s.CALL_DELIVERED_EVENT || 0) > 0 && (s.CALL_ESTABLISHED_EVENT || 0) > 0,
    });
    monitorSession.close();
    return;
  }
  if (desk) {
    logout(desk);
  }
}

// ---- the agents ----------------------------------------------------------------------------

let desk;
let shiftOver = false;

export function agentDesktop(data) {
  if (!desk) {
    desk = connect(agent(__VU - 1));
    if (!login(desk)) {
      desk.close();
      desk = null;
      sleep(1);
      return;
    }
  }
  if (shiftOver) {
    sleep(Math.max(0.05, (data.endAt - Date.now()) / 1000 + 0.05));
    return;
  }
  let call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: `${Math.max(1, data.lastCallBy - Date.now())}ms` });
  const last = Date.now() >= data.lastCallBy;
  if (call === null) {
    // The end of the shift: NOT_READY; a call offered in that instant still has to be taken.
    call = stopTakingCalls(desk);
    shiftOver = true;
    if (call === null) {
      return;
    }
  }
  sleep(T);
  check(desk.answer(call), { 'answer accepted': (r) => r.ok });
  if (last && !shiftOver) {
    // The last call: NOT_READY now is pending, taken when the call ends (no new call offered).
    check(desk.setState('NOT_READY', { reasonCode: REASON_END_OF_SHIFT }), { 'not ready after this call': (r) => r.ok });
    shiftOver = true;
  }
  sleep(randomBetween(TALK_MIN_S, TALK_MAX_S));
  check(desk.release(call), { 'release accepted': (r) => r.ok });
  desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
}
