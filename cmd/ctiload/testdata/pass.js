// A short agent scenario against the built-in simulator: every VU logs its agent in, toggles
// READY / NOT_READY, and logs out. Thresholds that hold.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: {
    agents: { executor: 'per-vu-iterations', vus: 4, iterations: 5, maxDuration: '20s' },
  },
  thresholds: {
    'cti_request_duration{msg:SET_AGENT_STATE_REQ}': ['p(99)<1000'],
    'cti_failures': ['count==0'],
    'checks': ['rate==1'],
  },
  simulator: { agents: 20 },
};

export default function () {
  const agent = cti.connect('', {
    agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: 0,
  });
  check(agent.login({ password: __ENV.AGENT_PASSWORD || 'secret-pw-1234' }), { 'logged in': (r) => r.ok });
  check(agent.setState('READY'), { 'ready': (r) => r.ok });
  check(agent.setState('NOT_READY', { reasonCode: 7 }), { 'not ready': (r) => r.ok });
  agent.logout({ reasonCode: 7 });
  agent.close();
  sleep(0.05);
}
