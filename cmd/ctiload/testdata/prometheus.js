// Pushed to a real Prometheus by TestPrometheusRemoteWrite: agents that log in, go ready,
// heartbeat for a moment and go not ready (checks on each step; the test injects failures),
// and an arrival-rate scenario with one VU for twenty arrivals a second, most of them dropped.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: {
    agents: { executor: 'per-vu-iterations', vus: 4, iterations: 6, maxDuration: '30s', exec: 'agent' },
    arrivals: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 1, exec: 'busy' },
  },
  simulator: { agents: 20 },
};

export function agent() {
  const a = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: '40ms' });
  check(a.login({ password: 'secret-pw-1234' }), { 'logged in': (r) => r.ok });
  check(a.setState('READY'), { 'ready': (r) => r.ok });
  sleep(0.1);
  check(a.setState('NOT_READY', { reasonCode: 7 }), { 'not ready': (r) => r.ok });
  a.logout({ reasonCode: 7 });
  a.close();
}

export function busy() {
  sleep(0.3);
}
