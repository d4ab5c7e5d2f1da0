// empty-iteration.js — the engine's own ceiling: VUS VUs (default 100) run an empty function for
// DURATION (default 10s). There is no CTI in it: what is measured is scheduling, the iteration's
// bookkeeping and its samples (iterations, iteration_duration) on their way to the aggregator.
// The script uses nothing k6 lacks, so the two tools can be compared on one machine:
//
//   ctiload run -e VUS=100 -e DURATION=10s scripts/bench/empty-iteration.js
//   k6 run      -e VUS=100 -e DURATION=10s scripts/bench/empty-iteration.js
//
// Compare the "iterations" rates; run each a few times, alternating, on a quiet machine.
export const options = {
  scenarios: {
    empty: { executor: 'constant-vus', vus: Number(__ENV.VUS || 100), duration: __ENV.DURATION || '10s' },
  },
};

export default function () {}
