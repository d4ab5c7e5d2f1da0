// bare-vu.js — what a VU costs with nothing in it: VUS VUs (default 1,000) each sleep one second
// per iteration for DURATION (default 30s). Compare the peak RSS of the two tools (for example
// with /usr/bin/time -v, "Maximum resident set size"):
//
//   /usr/bin/time -v ctiload run -e VUS=1000 scripts/bench/bare-vu.js
//   /usr/bin/time -v k6 run      -e VUS=1000 scripts/bench/bare-vu.js
//
// The import is k6's module name, which ctiload also answers to.
import { sleep } from 'k6';

export const options = {
  scenarios: {
    bare: { executor: 'constant-vus', vus: Number(__ENV.VUS || 1000), duration: __ENV.DURATION || '30s' },
  },
};

export default function () {
  sleep(1);
}
