// Logs the execution context of every iteration as JSON (console.log), for the uniqueness test
// across segments. ABORT=1 aborts the test from iteration 2 of the scenario "fixed".
import exec from 'k6/execution';
import { sleep } from 'ctiload';

export const options = {
  scenarios: {
    fixed: { executor: 'per-vu-iterations', vus: 6, iterations: 4 },
    timed: { executor: 'constant-vus', vus: 6, duration: '600ms', gracefulStop: '2s' },
  },
};

export default function () {
  console.log(JSON.stringify({
    scenario: exec.scenario.name,
    iterationInTest: exec.scenario.iterationInTest,
    startTime: exec.scenario.startTime,
    vu: exec.vu.idInTest,
    iterationInScenario: exec.vu.iterationInScenario,
    vusActive: exec.instance.vusActive,
  }));
  if (__ENV.ABORT && exec.scenario.name === 'fixed' && exec.scenario.iterationInTest === 2) {
    exec.test.abort('enough');
  }
  if (exec.scenario.name === 'timed') sleep(0.05);
}
