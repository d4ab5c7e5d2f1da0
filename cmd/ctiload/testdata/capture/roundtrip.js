// roundtrip.js — the scenario the capture tests record with tcpdump (capture_test.go) and make
// the fixtures of this folder with (README.md): three agents on one simulator.
//   caller (5000, ext 1000): READY before logging in (refused: CF_INVALID_OBJECT_STATE), login,
//     QUERY_AGENT_STATE_REQ (the test's simulator fails it on purpose: E_CTI_TIMEOUT), then a
//     call to the front-line agent, which ends when the specialist hangs up.
//   front (5001, ext 1001): answers, consults the specialist, transfers the call to them.
//   specialist (5002, ext 1002): answers the consultation, takes the call over, hangs up.
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';

const one = (exec, startTime) => ({ executor: 'per-vu-iterations', vus: 1, iterations: 1, exec, startTime, maxDuration: '30s' });

export const options = {
  scenarios: { caller: one('caller', '0.3s'), front: one('front', '0s'), specialist: one('specialist', '0s') },
  thresholds: { checks: ['rate==1'], failed_iterations: ['count==0'] },
};

const ok = (what) => ({ [what]: (r) => r.ok });
const came = (what) => ({ [what]: (e) => e !== null });

function desk(agentId, extension) {
  const s = cti.connect('', { agentId, extension, peripheralId: 5000 });
  check(s.login({ password: __ENV.AGENT_PASSWORD }), ok(`${agentId} logged in`));
  return s;
}

export function caller() {
  const s = cti.connect('', { agentId: '5000', extension: '1000', peripheralId: 5000 });
  check(s.setState('READY'), { 'READY before login refused': (r) => !r.ok && r.codeName === 'CF_INVALID_OBJECT_STATE' });
  check(s.login({ password: __ENV.AGENT_PASSWORD }), ok('caller logged in'));
  check(s.queryState(), { 'query fails as injected': (r) => !r.ok && r.codeName === 'E_CTI_TIMEOUT' });
  const r = s.makeCall('1001');
  check(r, ok('call placed'));
  check(s.waitFor('END_CALL_EVENT', { timeout: '20s' }), came('call ended'));
  s.logout({ reasonCode: 1 });
  s.close();
}

export function front() {
  const s = desk('5001', '1001');
  check(s.setState('READY'), ok('front ready'));
  const call = s.waitFor('CALL_DELIVERED_EVENT', { timeout: '20s' });
  if (!check(call, came('front rings'))) {
    return;
  }
  check(s.answer(call), ok('front answers'));
  check(s.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '10s' }), came('front talks'));
  const consult = s.consult(call, '1002');
  check(consult, ok('consultation placed'));
  check(s.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === consult.call.ConnectionCallID }), came('specialist answered'));
  check(s.transfer(call), ok('transferred'));
  check(s.waitFor('END_CALL_EVENT', { timeout: '10s' }), came('front out of the call'));
  check(s.setState('NOT_READY', { reasonCode: 1 }), ok('front not ready'));
  s.logout({ reasonCode: 1 });
  s.close();
}

export function specialist() {
  const s = desk('5002', '1002');
  check(s.setState('READY'), ok('specialist ready'));
  const offered = s.waitFor('CALL_DELIVERED_EVENT', { timeout: '20s' });
  if (!check(offered, came('specialist rings'))) {
    return;
  }
  check(s.answer(offered), ok('specialist answers'));
  const joined = s.waitFor('CALL_TRANSFERRED_EVENT', { timeout: '10s' });
  if (!check(joined, came('specialist has the caller'))) {
    return;
  }
  sleep(0.2);
  check(s.release({ ConnectionCallID: joined.PrimaryCallID, ConnectionDeviceIDType: 'CONNECTION_ID_DYNAMIC', ConnectionDeviceID: '1002' }), ok('specialist hangs up'));
  check(s.waitFor('END_CALL_EVENT', { timeout: '10s' }), came('specialist out of the call'));
  check(s.setState('NOT_READY', { reasonCode: 1 }), ok('specialist not ready'));
  s.logout({ reasonCode: 1 });
  s.close();
}
