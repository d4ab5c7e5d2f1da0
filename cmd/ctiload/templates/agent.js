// A starter ctiload scenario (ctiload new --flow agent): agent desktops that log in, go ready,
// answer the calls the queue offers them, release and log out.
//
//   ctiload run SCRIPT                      # against the built-in simulator, which offers calls
//   ctiload run --target cti-a.lab:42027 -e PERIPHERAL_ID=5000 -e AGENT_PASSWORD=… SCRIPT
//
// The script API: docs/script-api.md; the declarations for your editor: ctiload types DIR.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';

export const options = {
  scenarios: {
    // Five desktops, each looping on the default function for 30 seconds.
    agents: { executor: 'constant-vus', vus: 5, duration: '30s', gracefulStop: '15s' },
  },
  thresholds: {
    checks: ['rate>0.99'], // logins, answers and releases that worked
    failed_iterations: ['count<1'], // no iteration may end in an exception
    cti_failures: ['count<1'], // no request may fail (CF_…, E_CTI_… codes, timeouts)
    cti_request_duration: ['p(95)<500'], // the server's replies, in ms
  },
  // Only without --target: the built-in simulator's agents and the calls it offers.
  simulator: { agents: 50, callRate: '2/s' },
};

// The agent of each VU: agent IDs 5001, 5002, … on extensions 1001, 1002, … (change them to
// your lab's, or read them from a CSV with SharedArray, see ctiload/data).
function desktopOptions() {
  const o = { agentId: String(5000 + __VU), extension: String(1000 + __VU) };
  if (__ENV.PERIPHERAL_ID) {
    o.peripheralId = Number(__ENV.PERIPHERAL_ID); // a real server needs its peripheral
  }
  return o;
}

export default function () {
  const desk = cti.connect('', desktopOptions());
  if (!check(desk.login({ password: __ENV.AGENT_PASSWORD || '' }), { 'logged in': (r) => r.ok })) {
    desk.close();
    return;
  }
  check(desk.setState('READY'), { 'ready': (r) => r.ok });
  // The phone rings: CALL_DELIVERED_EVENT (null if no call came within the timeout).
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: '10s' });
  if (call) {
    check(desk.answer(call), { 'answered': (r) => r.ok });
    // NOT_READY asked during the call is pending: the agent takes it when the call ends, so the
    // queue offers no new call before the logout.
    desk.setState('NOT_READY', { reasonCode: 1 });
    sleep(1); // talk time
    check(desk.release(call), { 'released': (r) => r.ok });
    desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  } else {
    desk.setState('NOT_READY', { reasonCode: 1 });
  }
  desk.logout({ reasonCode: 1 });
  desk.close();
}
