// handleSummary in every way the tests need: MODE=stdout keeps the text summary (k6's jslib
// import path, served by ctiload/summary), MODE=file writes only OUT_FILE, MODE=throw fails.
// LONG=1 runs for 30 s, for the Ctrl-C test.
import { check, sleep } from 'ctiload';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';

export const options = {
  scenarios: {
    main: __ENV.LONG
      ? { executor: 'constant-vus', vus: 2, duration: '30s', gracefulStop: '1s' }
      : { executor: 'per-vu-iterations', vus: 2, iterations: 3 },
  },
};

export default function () {
  check(1, { 'is one': (x) => x === 1 });
  console.log(`iteration ${__ITER} done`);
  if (__ENV.LONG) sleep(0.05);
}

export function handleSummary(data) {
  if (__ENV.MODE === 'throw') {
    throw new Error('summary broke');
  }
  const iterations = data.metrics.find((m) => m.key === 'iterations');
  const out = {};
  out[__ENV.OUT_FILE] = JSON.stringify({ format: data.format, iterations: iterations.values.count, interrupted: !!data.interrupted });
  if (__ENV.MODE === 'stdout') {
    out.stdout = 'CUSTOM SUMMARY\n' + textSummary(data, { indent: '> ', enableColors: false });
  }
  return out;
}
