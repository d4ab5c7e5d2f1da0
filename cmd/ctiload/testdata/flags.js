// For the run flags: a check that always fails under a checks threshold (--no-thresholds),
// setup and teardown that say they ran (--no-setup, --no-teardown), two iterations.
import { check } from 'ctiload';

export const options = {
  scenarios: { main: { executor: 'per-vu-iterations', vus: 1, iterations: 2 } },
  thresholds: { checks: ['rate>0.99'] },
};

export function setup() {
  console.log('SETUP RAN');
  return { from: 'setup' };
}

export function teardown(data) {
  console.log('TEARDOWN RAN ' + JSON.stringify(data));
}

export default function () {
  check(false, { 'always fails': (x) => x });
}
