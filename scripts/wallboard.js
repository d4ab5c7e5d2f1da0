// wallboard.js — what the CTI Server itself counts while agents take calls: a wallboard polls a
// skill group's statistics (QUERY_SKILL_GROUP_STATISTICS_REQ) and records the queue as the server
// sees it, and every agent, before it leaves, compares the calls the server says it handled
// (QUERY_AGENT_STATISTICS_REQ, HandledCallsSession) with the calls it handled. Full size: 20 agents
// for 5 minutes, the wallboard polling every 2 s.
//
//   ctiload run scripts/wallboard.js
//   ctiload run -e SCALE=0.1 scripts/wallboard.js
//   ctiload run --target cti-a.lab:42027 -e SKILL_GROUP=… -e AGENTS_CSV=lab-agents.csv scripts/wallboard.js
//
// Unified CCE only (UCCX has other statistics messages). Against a lab CTI Server the agents must
// be the only members of SKILL_GROUP and receive its calls, and the server counts a call once its
// after-call work ends: an agent gives it a few seconds before comparing. The wallboard's session
// is the desktop of the row after the agents (it does not log in).
import { check, sleep } from 'ctiload';
import { Counter, Gauge, Trend } from 'ctiload/metrics';
import { agent, connect, login, logout, scaled, stopTakingCalls, SCALE } from './lib/agent.js';

const AGENT_COUNT = scaled(20, 3);
const SKILL_GROUP = Number(__ENV.SKILL_GROUP || 1);
const T = Math.max(SCALE, 0.05);
const TALK_S = 8 * T;
const DURATION_S = Math.max(8, 300 * SCALE);
const POLL_S = Math.max(0.5, 2 * T);
// More calls than agents can take at times: the queue is not always empty.
const CALL_RATE = (0.9 * AGENT_COUNT) / (TALK_S + 0.5);

// The server's view, one sample per poll.
const queued = new Trend('sg_calls_queued');
const longestWait = new Trend('sg_longest_wait_s');
const available = new Gauge('sg_agents_available');
const polls = new Counter('sg_polls');
const handled = new Counter('calls_handled');

export const options = {
  scenarios: {
    agents: { executor: 'constant-vus', vus: AGENT_COUNT, duration: `${DURATION_S}s`, gracefulStop: `${Math.ceil(4 * TALK_S) + 5}s` },
    wallboard: { executor: 'constant-vus', vus: 1, duration: `${DURATION_S}s`, exec: 'wallboard' },
  },
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    'cti_request_duration{msg:QUERY_SKILL_GROUP_STATISTICS_REQ}': ['p(95)<500'],
    sg_polls: ['count>0'],
    // No caller waited a minute in the queue (the server's own measure).
    sg_longest_wait_s: ['max<60'],
  },
  simulator: {
    agents: Math.max(100, AGENT_COUNT + 1),
    callRate: `${CALL_RATE.toFixed(4)}/s`,
    skillGroup: [`${SKILL_GROUP}=8000:${Array.from({ length: AGENT_COUNT }, (_, i) => agent(i).agentId).join(',')}`],
  },
};

let desk;
let mine = 0; // calls this agent handled

export function setup() {
  return { endAt: Date.now() + DURATION_S * 1000 };
}

export function vuSetup() {
  if (__VU > AGENT_COUNT) {
    desk = connect(agent(AGENT_COUNT)); // the wallboard
    return;
  }
  desk = connect(agent(__VU - 1));
  if (!login(desk)) {
    desk.close();
    sleep(1);
    throw new Error(`agent ${agent(__VU - 1).agentId} could not log in`);
  }
}

// An agent's iteration is one call: offered, answered, talked, released.
export default function (data) {
  if (Date.now() > data.endAt) {
    sleep(0.2);
    return;
  }
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: `${Math.max(2, 20 * TALK_S)}s` });
  if (call === null) {
    return;
  }
  check(desk.answer(call), { 'answer accepted': (r) => r.ok });
  sleep(TALK_S);
  check(desk.release(call), { 'release accepted': (r) => r.ok });
  desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  mine++;
  handled.add(1);
}

// The wallboard's iteration is one poll.
export function wallboard() {
  const r = desk.querySkillGroupStatistics(SKILL_GROUP);
  if (check(r, { 'skill group statistics answered': (x) => x.ok })) {
    const s = r.message;
    polls.add(1);
    queued.add(s.CallsQNow);
    longestWait.add(s.LongestCallQNow);
    available.add(s.AgentsAvail);
    check(s, {
      'no more agents logged on than the scenario has': (x) => x.AgentsLoggedOn <= AGENT_COUNT,
      'agents ready = logged on − not ready': (x) => x.AgentsReady === x.AgentsLoggedOn - x.AgentsNotReady,
    });
  }
  sleep(POLL_S);
}

export function vuTeardown() {
  if (__VU > AGENT_COUNT) {
    desk.close();
    return;
  }
  const late = stopTakingCalls(desk);
  if (late !== null) {
    desk.answer(late);
    desk.release(late);
    mine++;
  }
  // The server counts a call when its after-call work ends: allow it a few seconds.
  let counted = -1;
  for (let i = 0; i < 5 && counted !== mine; i++) {
    if (i > 0) {
      sleep(1);
    }
    const r = desk.queryAgentStatistics();
    counted = r.ok ? r.message.HandledCallsSession : -1;
  }
  check(counted, { 'the server counted the calls the agent handled': (n) => n === mine });
  logout(desk);
}
