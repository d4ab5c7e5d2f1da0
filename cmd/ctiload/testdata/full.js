// Agents take inbound calls from the simulator's generator for about three seconds: login in
// vuSetup, then READY, wait for a call, answer it, let the caller hang up, NOT_READY. Every
// table of the summary has rows: requests, event waits, sessions, checks, a custom metric.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';
import { Trend } from 'ctiload/metrics';

const answerToClear = new Trend('answer_to_clear', true);

export const options = {
  scenarios: {
    agents: { executor: 'constant-vus', vus: 4, duration: '3s', gracefulStop: '2s' },
  },
  thresholds: {
    'cti_request_duration': ['p(95)<2000'],
    'cti_request_duration{msg:ANSWER_CALL_REQ}': ['max<2000'],
    'checks': ['rate>0.5'],
  },
  simulator: { agents: 10, callRate: '20/s', talkTime: '30ms', agentPassword: __ENV.AGENT_PASSWORD },
};

let agent;

export function vuSetup() {
  agent = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: 0 });
  check(agent.login({ password: __ENV.AGENT_PASSWORD }), { 'logged in': (r) => r.ok });
}

export default function () {
  check(agent.setState('READY'), { 'ready': (r) => r.ok });
  const call = agent.waitFor('CALL_DELIVERED_EVENT', { timeout: '1s' });
  if (call) {
    const t0 = Date.now();
    check(agent.answer(call), { 'answered': (r) => r.ok });
    agent.waitFor('CALL_CLEARED_EVENT', { timeout: '1s' });
    answerToClear.add(Date.now() - t0);
  }
  agent.setState('NOT_READY', { reasonCode: 2 });
  sleep(0.02);
}

export function vuTeardown() {
  agent.logout({ reasonCode: 2 });
  agent.close();
}
