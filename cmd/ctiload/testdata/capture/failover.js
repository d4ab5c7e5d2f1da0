// failover.js — one desktop on a duplex pair (TARGET "A,B", failover on): it logs in, goes
// READY, and asks for its state until the test (capture_test.go) has failed side A over and the
// session has moved to side B; then it checks the agent is still logged in there and leaves.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';

export const options = { thresholds: { checks: ['rate==1'] } };

export default function () {
  const s = cti.connect('', { agentId: '5000', extension: '1000', peripheralId: 5000, failover: true });
  check(s.login({ password: __ENV.AGENT_PASSWORD }), { 'logged in on A': (r) => r.ok });
  check(s.setState('READY'), { ready: (r) => r.ok });
  for (let i = 0; i < 200 && s.stats().reconnects === 0; i++) {
    sleep(0.05);
  }
  check(s.stats(), { 'moved to side B': (st) => st.reconnects === 1 });
  check(s.queryState(), { 'still logged in on B': (r) => r.ok && r.message.AgentState === 'AGENT_STATE_AVAILABLE' });
  s.setState('NOT_READY', { reasonCode: 1 });
  s.logout({ reasonCode: 1 });
  s.close();
}
