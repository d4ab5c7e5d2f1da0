// skill-groups.js — two populations behind two numbers: front-line agents (skill group 1, dialled
// on 8001) and specialists (skill group 2, on 8002). Calls arrive on both numbers; each must reach
// an agent of the group it was dialled for, however idle the other group is. Every agent checks
// that each call it is offered is one of its group's (CALL_DELIVERED_EVENT SkillGroupNumber, and
// the DialedNumber of BEGIN_CALL_EVENT), and each group must have handled calls.
//
//   ctiload run scripts/skill-groups.js
//   ctiload run -e SCALE=0.1 scripts/skill-groups.js
//   ctiload run --target cti-a.lab:42027 -e FRONT_DN=… -e SPECIALIST_DN=… -e AGENTS_CSV=lab-agents.csv scripts/skill-groups.js
//
// Against a lab CTI Server the groups, their members and numbers are the lab's configuration:
// give its numbers (FRONT_DN, SPECIALIST_DN, FRONT_SG, SPECIALIST_SG) and its agents, the first
// FRONT_SHARE of them front-line. The built-in simulator is configured from the same values
// (options.simulator.skillGroup below).
import { check, sleep } from 'ctiload';
import { Counter } from 'ctiload/metrics';
import { agent, connect, login, logout, scaled, stopTakingCalls, SCALE } from './lib/agent.js';

const AGENT_COUNT = scaled(20, 4);
const FRONT_COUNT = Math.max(2, Math.round(AGENT_COUNT * 0.7)); // 70 % front line, the rest specialists
const GROUPS = {
  front: { number: Number(__ENV.FRONT_SG || 1), dialed: __ENV.FRONT_DN || '8001' },
  specialist: { number: Number(__ENV.SPECIALIST_SG || 2), dialed: __ENV.SPECIALIST_DN || '8002' },
};
const T = Math.max(SCALE, 0.05);
const TALK_S = 8 * T;
const DURATION_S = Math.max(8, 300 * SCALE);
// About half the agents busy: the simulator spreads generated calls evenly over the two numbers,
// so the specialists (fewer) are the busier group.
const CALL_RATE = (0.5 * AGENT_COUNT) / (TALK_S + 0.5);

const handled = new Counter('calls_handled');

function groupOf(vu) {
  return vu <= FRONT_COUNT ? GROUPS.front : GROUPS.specialist;
}

function agentIds(from, to) {
  const ids = [];
  for (let i = from; i < to; i++) {
    ids.push(agent(i).agentId);
  }
  return ids.join(',');
}

export const options = {
  scenarios: {
    agents: { executor: 'constant-vus', vus: AGENT_COUNT, duration: `${DURATION_S}s`, gracefulStop: `${Math.ceil(4 * TALK_S) + 5}s` },
  },
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    // Both groups were reached: a number that routes nowhere leaves its counter at 0.
    [`calls_handled{group:${GROUPS.front.number}}`]: ['count>0'],
    [`calls_handled{group:${GROUPS.specialist.number}}`]: ['count>0'],
  },
  simulator: {
    agents: Math.max(100, AGENT_COUNT),
    callRate: `${CALL_RATE.toFixed(4)}/s`,
    skillGroup: [
      `${GROUPS.front.number}=${GROUPS.front.dialed}:${agentIds(0, FRONT_COUNT)}`,
      `${GROUPS.specialist.number}=${GROUPS.specialist.dialed}:${agentIds(FRONT_COUNT, AGENT_COUNT)}`,
    ],
  },
};

let desk;
let group;

export function setup() {
  return { endAt: Date.now() + DURATION_S * 1000 };
}

export function vuSetup() {
  group = groupOf(__VU);
  desk = connect(agent(__VU - 1));
  if (!login(desk)) {
    desk.close();
    sleep(1);
    throw new Error(`agent ${agent(__VU - 1).agentId} could not log in`);
  }
}

// One iteration is one call of the agent's group: offered, answered, talked, released.
export default function (data) {
  if (Date.now() > data.endAt) {
    sleep(0.2);
    return;
  }
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: `${Math.max(2, 20 * TALK_S)}s` });
  if (call === null) {
    return; // a quiet spell; the thresholds say whether the group was reached at all
  }
  const begin = desk.waitFor('BEGIN_CALL_EVENT', { timeout: '5s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  check(call, { "offered a call of the agent's own skill group": (c) => c.SkillGroupNumber === group.number });
  check(begin, { "the call was dialled on the group's number": (b) => b !== null && b.DialedNumber === group.dialed });
  check(desk.answer(call), { 'answer accepted': (r) => r.ok });
  sleep(TALK_S);
  check(desk.release(call), { 'release accepted': (r) => r.ok });
  desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  handled.add(1, { group: String(group.number) });
}

export function vuTeardown() {
  const late = stopTakingCalls(desk);
  if (late !== null) {
    // A call offered in the last instant: take it and end it, so that the agent can log out.
    desk.answer(late);
    desk.release(late);
  }
  logout(desk);
}
