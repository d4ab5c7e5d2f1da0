// A starter ctiload scenario (ctiload new --flow bridge): one bridge-mode session (all events of
// the peripheral, like a recorder or a wallboard) counts the events it receives while a few
// agent desktops take calls.
//
//   ctiload run SCRIPT                      # against the built-in simulator
//
// On a real server, a bridge session receives the events of every agent of the peripheral: run
// one per test and never against a production PG. The script API: docs/script-api.md.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';
import exec from 'ctiload/execution';
import { Counter } from 'ctiload/metrics';

const events = new Counter('monitor_events'); // tag event: the message name
const RUN_MS = 20000;

export const options = {
  scenarios: {
    agents: { executor: 'constant-vus', vus: 3, duration: '20s', exec: 'agent', gracefulStop: '15s' },
    monitor: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'monitor', maxDuration: '40s' },
  },
  thresholds: {
    'monitor_events{event:AGENT_STATE_EVENT}': ['count>0'], // the monitor saw the agents
    checks: ['rate>0.99'],
    failed_iterations: ['count<1'],
  },
  simulator: { agents: 50, callRate: '2/s' },
};

// The desktops: log in, take one call if it comes, log out.
export function agent() {
  const desk = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU) });
  check(desk.login({ password: __ENV.AGENT_PASSWORD || '' }), { 'logged in': (r) => r.ok });
  desk.setState('READY');
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' });
  if (call) {
    check(desk.answer(call), { 'answered': (r) => r.ok });
    desk.setState('NOT_READY', { reasonCode: 1 }); // pending until the call ends: no new call
    sleep(0.5);
    desk.release(call);
    desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  } else {
    desk.setState('NOT_READY', { reasonCode: 1 });
  }
  desk.logout({ reasonCode: 1 });
  desk.close();
}

// The monitor: reads what arrived every 100 ms until the agents' time is over.
export function monitor() {
  const mon = cti.connect('', { mode: 'bridge', label: 'monitor' });
  while (exec.instance.currentTestRunDuration < RUN_MS) {
    for (const ev of mon.drainEvents()) {
      events.add(1, { event: ev.name });
    }
    sleep(0.1);
  }
  mon.close();
}
