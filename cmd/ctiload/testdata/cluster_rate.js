// The test split over "pods" by the cluster tests: an arrival-rate scenario and a
// per-VU-iterations one, every iteration the same requests, so that a split run and a single
// run make exactly the same counts. The iterations threshold passes in every segment and fails
// on the whole test: the merge must judge it again.
import cti from 'ctiload/cti';
import { check } from 'ctiload';

export const options = {
  scenarios: {
    calls: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '3s', preAllocatedVUs: 20, maxVUs: 60 },
    desks: { executor: 'per-vu-iterations', vus: 6, iterations: 2, exec: 'desk', maxDuration: '30s' },
  },
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    iterations: ['count<=100'],
  },
};

function session() {
  const i = __VU - 1;
  const s = cti.connect('', { agentId: String(5000 + i), extension: String(1000 + i), peripheralId: 5000, heartbeat: false });
  check(s.login({}), { 'login accepted': (r) => r.ok });
  check(s.setState('READY'), { 'ready accepted': (r) => r.ok });
  return s;
}

function leave(s) {
  check(s.setState('NOT_READY'), { 'not ready accepted': (r) => r.ok });
  check(s.logout({}), { 'logout accepted': (r) => r.ok });
  s.close();
}

export default function () {
  leave(session());
}

export function desk() {
  const s = session();
  check(s.setState('READY'), { 'ready again accepted': (r) => r.ok });
  leave(s);
}
