/// <reference path="./ctiload.d.ts" />
// A TypeScript scenario typed by ctiload.d.ts: three agents log in, go ready, take the calls the
// built-in simulator offers for a few seconds, and log out. Run it as any scenario:
//
//   ctiload run types/example.ts
//
// ctiload strips the types (esbuild) and runs the JavaScript; the declarations only serve the
// editor and `tsc --noEmit -p types` (types/README.md).
import { check, sleep, type Options } from 'ctiload';
import cti, { type CTIEvent, type Session } from 'ctiload/cti';
import { Trend } from 'ctiload/metrics';

const ringToAnswer = new Trend('ring_to_answer', true);

export const options: Options = {
  scenarios: {
    agents: { executor: 'constant-vus', vus: 3, duration: '4s', gracefulStop: '10s' },
  },
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    'cti_request_duration{msg:ANSWER_CALL_REQ}': ['p(95)<500'],
  },
  simulator: { agents: 10, callRate: '6/s', talkTime: '200ms', agentPassword: __ENV.AGENT_PASSWORD ?? '' },
};

let desk: Session | undefined;

export function vuSetup(): void {
  desk = cti.connect('', { agentId: String(4999 + __VU), extension: String(999 + __VU) });
  check(desk.login({ password: __ENV.AGENT_PASSWORD }), { 'login accepted': (r) => r.ok });
  check(desk.setState('READY'), { 'ready accepted': (r) => r.ok });
}

export default function (): void {
  const d = desk!;
  const call: CTIEvent | null = d.waitFor('CALL_DELIVERED_EVENT', { timeout: '2s' });
  if (call === null) {
    return;
  }
  sleep(0.05);
  const answered = d.answer(call);
  check(answered, { 'answer accepted': (r) => r.ok });
  ringToAnswer.add(Date.now() - call.receivedAt);
  // The caller hangs up after the simulator's talk time: the call ends by itself.
  const end = d.waitFor('END_CALL_EVENT', { timeout: '5s', where: (e) => e.ConnectionCallID === call.ConnectionCallID });
  check(end, { 'caller hung up': (e) => e !== null });
}

export function vuTeardown(): void {
  if (!desk) {
    return;
  }
  check(desk.setState('NOT_READY', { reasonCode: 1 }), { 'not ready accepted': (r) => r.ok });
  // A call the queue offered after the last iteration still rings (NOT_READY is pending until it
  // ends): answer it and let the caller hang up, or the LOGOUT would be refused.
  const late = desk.drainEvents().filter((e) => e.name === 'CALL_DELIVERED_EVENT').pop();
  if (late !== undefined) {
    desk.answer(late);
    desk.waitFor('END_CALL_EVENT', { timeout: '5s', where: (e) => e.ConnectionCallID === late.ConnectionCallID });
  }
  check(desk.logout({ reasonCode: 1 }), { 'logout accepted': (r) => r.ok });
  desk.close();
}
