// options.simulator.maintenanceAfter: a planned side switch 300 ms into the run of a duplex
// pair. A v24 bridge session on side A is warned (ACTIVE_MAINTENANCE_EVENT_MSG, Continue TRUE),
// and 300 ms later side A goes standby: FAILURE_EVENT, then the session ends.
import { check } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: { bridge: { executor: 'shared-iterations', vus: 1, iterations: 1, maxDuration: '20s' } },
  thresholds: { checks: ['rate==1'] },
  simulator: { agents: 4, duplex: true, maintenanceAfter: '300ms', maintenanceNotice: '300ms' },
};

export default function () {
  const s = cti.connect('', { mode: 'bridge', heartbeat: 0, version: 24 });
  const warned = s.waitFor('ACTIVE_MAINTENANCE_EVENT_MSG', { timeout: '10s' });
  check(warned, { 'maintenance announced': (e) => e !== null && e.Continue === true });
  let ended = false;
  try {
    s.waitFor('CALL_DELIVERED_EVENT', { timeout: '10s' }); // none comes: the switch ends the session
  } catch (e) {
    ended = true;
  }
  check(ended, { 'side A ended the session at the switch': (x) => x });
}
