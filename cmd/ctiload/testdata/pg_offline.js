// options.simulator.pgOfflineAfter takes the peripheral offline 300 ms into the run for 400 ms:
// a bridge session sees SYSTEM_EVENT PERIPHERAL_OFFLINE, then PERIPHERAL_ONLINE.
import { check } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: { bridge: { executor: 'shared-iterations', vus: 1, iterations: 1, maxDuration: '20s' } },
  thresholds: { checks: ['rate==1'] },
  simulator: { agents: 4, pgOfflineAfter: '300ms', pgOfflineFor: '400ms' },
};

export default function () {
  const s = cti.connect('', { mode: 'bridge', heartbeat: 0 });
  s.waitFor('SYSTEM_EVENT', { timeout: '5s' }); // the one every bridge session gets at open (online)
  const off = s.waitFor('SYSTEM_EVENT', { timeout: '10s', where: (e) => e.SystemEventID === 'SYS_PERIPHERAL_OFFLINE' });
  check(off, { 'peripheral offline': (e) => e !== null && e.PGStatus !== 0 });
  const on = s.waitFor('SYSTEM_EVENT', { timeout: '10s', where: (e) => e.SystemEventID === 'SYS_PERIPHERAL_ONLINE' });
  check(on, { 'peripheral back online': (e) => e !== null });
  s.close();
}
