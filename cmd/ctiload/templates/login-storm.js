// A starter ctiload scenario (ctiload new --flow login-storm): the shift starts and agents log
// in at a rising rate — what a CTI Server goes through at 8 o'clock. Each iteration opens a
// session, logs an agent in and out and closes it.
//
//   ctiload run SCRIPT                      # against the built-in simulator
//   ctiload run --target cti-a.lab:42027 -e PERIPHERAL_ID=5000 -e AGENT_PASSWORD=… SCRIPT
//
// The script API: docs/script-api.md.
import { check } from 'ctiload';
import cti from 'ctiload/cti';
import exec from 'ctiload/execution';

const AGENTS = 100; // the agent IDs 5000 … 5099 are used in turn

export const options = {
  scenarios: {
    logins: {
      executor: 'ramping-arrival-rate',
      startRate: 1, timeUnit: '1s', preAllocatedVUs: 10, maxVUs: 50,
      stages: [{ duration: '10s', target: 20 }, { duration: '10s', target: 20 }],
    },
  },
  thresholds: {
    cti_session_open_duration: ['p(95)<1000'], // OPEN_REQ → OPEN_CONF, in ms
    'cti_request_duration{msg:AGENT_LOGIN}': ['p(95)<1000'],
    checks: ['rate>0.99'],
    dropped_iterations: ['count<1'], // the rate was kept: enough VUs
  },
  simulator: { agents: AGENTS },
};

export default function () {
  const n = exec.scenario.iterationInTest % AGENTS;
  const o = { agentId: String(5000 + n), extension: String(1000 + n), heartbeat: 0 };
  if (__ENV.PERIPHERAL_ID) {
    o.peripheralId = Number(__ENV.PERIPHERAL_ID);
  }
  const desk = cti.connect('', o);
  check(desk.login({ password: __ENV.AGENT_PASSWORD || '' }), { 'logged in': (r) => r.ok });
  desk.logout({ reasonCode: 1 });
  desk.close();
}
