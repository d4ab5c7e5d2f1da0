// arrival-rate.js — how precisely the engine starts iterations on schedule: a constant-arrival-rate
// scenario starts RATE empty iterations a second (default 1,000) for DURATION (default 20s, so
// 20,000 iterations). What it measures is iteration_start_lateness, how late each iteration
// started against its due time (scheduler wake-up, hand-over to a VU), with nothing else running:
//
//   ctiload run -e RATE=1000 -e DURATION=20s scripts/bench/arrival-rate.js
//
// The summary shows its p(99) and max; dropped_iterations must stay 0 (the thresholds fail the run
// otherwise, so a machine too busy to keep the schedule says so). k6 runs the script too (without
// the lateness metric, which is ctiload's).
export const options = {
  scenarios: {
    paced: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 1000),
      timeUnit: '1s',
      duration: __ENV.DURATION || '20s',
      preAllocatedVUs: Number(__ENV.VUS || 50),
      maxVUs: Number(__ENV.VUS || 50) * 4,
    },
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'p(99.9)', 'max'],
  thresholds: {
    dropped_iterations: ['count==0'],
  },
};

export default function () {}
