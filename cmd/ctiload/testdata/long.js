// Runs for 30 seconds unless stopped: for the interrupt tests. Each iteration opens a session,
// changes state and sleeps a little; a stop interrupts it within its 1 s gracefulStop.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: {
    agents: { executor: 'constant-vus', vus: 3, duration: '30s', gracefulStop: __ENV.GRACEFUL_STOP || '1s' },
  },
  thresholds: { 'checks': ['rate>0.9'] },
};

export default function () {
  const agent = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: 0 });
  check(agent.login({ password: 'pw' }), { 'logged in': (r) => r.ok });
  check(agent.setState('READY'), { 'ready': (r) => r.ok });
  agent.logout({ reasonCode: 1 });
  agent.close();
  // The tests wait for this line instead of guessing how long iterations take.
  console.log(`iteration ${__ITER} sleeping`);
  sleep(Number(__ENV.ITERATION_SLEEP || '0.05'));
}
