// options.simulator.duplex starts side A and side B; the default target is "A,B". Side A fails
// over to B after half a second; the sessions move (failover: true) and the run passes.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: { agents: { executor: 'constant-vus', vus: 2, duration: '1500ms', gracefulStop: '2s' } },
  thresholds: { 'checks': ['rate>0.8'] },
  simulator: { duplex: true, failoverAfter: '500ms', agents: 4 },
};

let agent;

export default function () {
  if (!agent) {
    agent = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: 0, failover: true });
    agent.login({ password: 'pw' });
  }
  check(agent.setState('READY'), { 'ready': (r) => r.ok });
  check(agent.setState('NOT_READY', { reasonCode: 4 }), { 'not ready': (r) => r.ok });
  sleep(0.05);
}
