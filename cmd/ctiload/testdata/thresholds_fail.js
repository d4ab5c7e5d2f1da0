// The simulator refuses half of the state changes: cti_failures count==0 fails (exit 99), and
// the failure-code table names the code and the request.
import { check } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: {
    agents: { executor: 'per-vu-iterations', vus: 2, iterations: 10, maxDuration: '20s' },
  },
  thresholds: {
    'cti_failures': ['count==0'],
    'cti_request_duration': ['p(99)<5000'],
  },
  simulator: { agents: 5, failRate: { SET_AGENT_STATE_REQ: '50%:CF_INVALID_AGENT_WORK_MODE' } },
};

export default function () {
  const agent = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: 0 });
  check(agent.setState('READY'), { 'ready': (r) => r.ok });
  agent.close();
}
