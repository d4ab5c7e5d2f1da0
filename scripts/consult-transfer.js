// consult-transfer.js — warm transfer to a specialist, and its conference variant. Three kinds of
// desktops work together, in groups of three (full size: 10 groups for 2 minutes):
//
//   customers    a desktop dials its front-line agent's extension (the customer's call)
//   frontline    answers, talks, consults its specialist's extension (the customer is put on
//                hold), speaks to the specialist, then completes the TRANSFER (or CONFERENCE)
//   specialists  stay READY, answer the consultation, take the customer over, talk, release
//
// The CTI flow the front-line agent drives (see docs/simulator.md for every event):
//   CALL_DELIVERED_EVENT C1 → ANSWER_CALL_REQ → CALL_ESTABLISHED_EVENT C1
//   CONSULTATION_CALL_REQ (C1, the specialist's extension) → CONSULTATION_CALL_CONF (C2),
//     CALL_HELD_EVENT C1, CALL_DELIVERED_EVENT C2 … the specialist answers: CALL_ESTABLISHED_EVENT C2
//   TRANSFER_CALL_REQ (active C2, held C1) → CALL_TRANSFERRED_EVENT: the customer and the
//     specialist are on C1, the front-line agent is out of both calls
//   or CONFERENCE_CALL_REQ → CALL_CONFERENCED_EVENT: all three on C1; the front-line agent then
//     leaves with CLEAR_CONNECTION_REQ and the specialist stays with the customer.
//
//   ctiload run scripts/consult-transfer.js                      # warm transfers
//   ctiload run -e MODE=conference scripts/consult-transfer.js   # consult, conference, leave
//
// Why the customers dial extensions: the simulator has one queue, which offers calls to every
// READY agent, specialists included, and a consultation needs a READY specialist. Dialling
// front-line extensions keeps customers away from the specialists. Against a lab CTI Server whose
// routing sends customers to the front-line skill group only, run your call generator and
// -e CUSTOMERS=0: the customers scenario is left out and the front line waits for whatever call
// the queue offers.
import { check, sleep, randomBetween } from 'ctiload';
import { Counter, Trend } from 'ctiload/metrics';
import { agent, connect, login, logout, scaled, SCALE } from './lib/agent.js';

const MODE = (__ENV.MODE || 'transfer').toLowerCase();
if (MODE !== 'transfer' && MODE !== 'conference') {
  throw new Error(`MODE must be transfer or conference, got ${JSON.stringify(__ENV.MODE)}`);
}
const GROUPS = scaled(10);
const WITH_CUSTOMERS = __ENV.CUSTOMERS !== '0';
const DURATION_S = Math.max(8, 120 * SCALE);
const T = Math.max(SCALE, 0.05); // human times (talk, ring) shrink with SCALE, down to 5 %
const TALK_S = 4 * T; // front line with the customer, before the consultation
const CONSULT_TALK_S = 2 * T; // front line briefing the specialist
const SPECIALIST_TALK_S = 6 * T; // specialist with the customer
const RING_S = 1 * T;
// A whole customer call, with a margin: customers place no call that could not end in time.
const CALL_S = 2 * RING_S + TALK_S + 2 * CONSULT_TALK_S + SPECIALIST_TALK_S + 2;
const CUSTOMER_START_S = 2; // agents log in and go ready first

// VU IDs go to scenarios in name order (customers, frontline, specialists), GROUPS each, so
// __VU - 1 is a row of agents.csv and a desktop's partner is GROUPS rows further on.
const ROLE_OFFSET = WITH_CUSTOMERS ? GROUPS : 0; // first row of the front line
const frontlineRow = (i) => agent(ROLE_OFFSET + i);
const specialistRow = (i) => agent(ROLE_OFFSET + GROUPS + i);

// Consultation request sent → the specialist answered (CALL_ESTABLISHED_EVENT on C2).
const consultToAnswer = new Trend('consult_to_answer', true);
const completed = new Counter('completed_' + MODE + 's');

// Everyone works until the same instant (setup's endAt): customers stop placing calls a call's
// length before it, agents wait for calls until it. gracefulStop lets a call in progress end.
const scenarios = {
  frontline: { executor: 'constant-vus', vus: GROUPS, duration: `${DURATION_S}s`, exec: 'frontline', gracefulStop: '30s' },
  specialists: { executor: 'constant-vus', vus: GROUPS, duration: `${DURATION_S}s`, exec: 'specialist', gracefulStop: '30s' },
};
if (WITH_CUSTOMERS) {
  scenarios.customers = {
    executor: 'constant-vus', vus: GROUPS, exec: 'customer', gracefulStop: '30s',
    startTime: `${CUSTOMER_START_S}s`, duration: `${DURATION_S - CUSTOMER_START_S}s`,
  };
}

export const options = {
  scenarios,
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    // The consultation and its completion, as the CTI Server answers them.
    'cti_request_duration{msg:CONSULTATION_CALL_REQ}': ['p(95)<500'],
    [MODE === 'transfer' ? 'cti_request_duration{msg:TRANSFER_CALL_REQ}' : 'cti_request_duration{msg:CONFERENCE_CALL_REQ}']: ['p(95)<500'],
    // Ring at the specialist's desk and the answer: the ring time plus the CTI round trips.
    consult_to_answer: [`p(95)<${Math.round(RING_S * 1000) + 1000}`],
  },
  simulator: { agents: Math.max(100, 3 * GROUPS), agentPassword: __ENV.AGENT_PASSWORD || '' },
};

let desk;

// setup runs once, before every scenario: the end of the working period, the same for all.
export function setup() {
  return { endAt: Date.now() + DURATION_S * 1000 };
}

// untilEnd is the time left before endAt, as a waitFor timeout (at least 50 ms).
function untilEnd(data) {
  return `${Math.max(50, data.endAt - Date.now())}ms`;
}

// Front line and specialists log in once per VU and stay READY.
export function vuSetup() {
  desk = connect(agent(__VU - 1));
  if (!login(desk)) {
    desk.close();
    sleep(1);
    throw new Error(`agent ${agent(__VU - 1).agentId} could not log in`);
  }
}

export function vuTeardown() {
  logout(desk);
}

// A customer: one call to its front-line agent per iteration, until the specialist ends it.
export function customer(data) {
  if (Date.now() + CALL_S * 1000 > data.endAt) {
    sleep(Math.max(0.05, (data.endAt - Date.now()) / 1000)); // too late for another call
    return;
  }
  if (!desk) {
    desk = connect(agent(__VU - 1));
    if (!login(desk, { ready: false })) { // NOT_READY: a phone, not an agent taking calls
      desk.close();
      desk = null;
      sleep(1);
      return;
    }
  }
  const i = __VU - 1; // this customer's group
  const r = desk.makeCall(frontlineRow(i).extension, { callVariables: ['account 1000' + i] });
  if (!check(r, { 'customer call placed': (x) => x.ok })) {
    sleep(1);
    return;
  }
  const end = desk.waitFor('END_CALL_EVENT', { timeout: '60s', where: (e) => e.ConnectionCallID === r.call.ConnectionCallID });
  check(end, { 'customer call ended by the specialist': (e) => e !== null });
  sleep(randomBetween(0.5, 1) * T * 4); // the next customer
}

// A front-line agent: one customer per iteration, handed over to its specialist.
export function frontline(data) {
  const i = __VU - 1 - ROLE_OFFSET; // this agent's group
  const myExt = agent(__VU - 1).extension;
  // The ring at this agent's own phone (the desk also sees CALL_DELIVERED_EVENT for the
  // consultation it places: the specialist's phone ringing).
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: untilEnd(data), where: (e) => e.AlertingDeviceID === myExt });
  if (call === null) {
    return; // no customer until the end: an idle agent is not an error
  }
  sleep(RING_S);
  check(desk.answer(call), { 'frontline answer accepted': (r) => r.ok });
  check(desk.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID }),
    { 'customer connected': (e) => e !== null });
  sleep(TALK_S);

  // Consultation: the customer goes on hold (CALL_HELD_EVENT) and the specialist's phone rings.
  const started = Date.now();
  const consult = desk.consult(call, specialistRow(i).extension);
  if (!check(consult, { 'consultation accepted': (r) => r.ok })) {
    desk.release(call);
    return;
  }
  const answered = desk.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '20s', where: (e) => e.ConnectionCallID === consult.call.ConnectionCallID });
  if (!check(answered, { 'specialist answered the consultation': (e) => e !== null })) {
    desk.release(consult.call); // give up the consultation: the customer stays on hold, then goes
    desk.release(call);
    return;
  }
  consultToAnswer.add(Date.now() - started);
  sleep(CONSULT_TALK_S);

  if (MODE === 'transfer') {
    // TRANSFER_CALL_REQ joins the customer (held C1) and the specialist (active C2) on C1.
    check(desk.transfer(call), { 'transfer accepted': (r) => r.ok });
    const done = desk.waitFor('CALL_TRANSFERRED_EVENT', { timeout: '10s' });
    check(done, { 'call transferred to the specialist': (e) => e !== null && e.TransferredDeviceID === specialistRow(i).extension });
  } else {
    // CONFERENCE_CALL_REQ joins all three on C1; then the front line leaves the conference.
    check(desk.conference(call), { 'conference accepted': (r) => r.ok });
    const done = desk.waitFor('CALL_CONFERENCED_EVENT', { timeout: '10s' });
    check(done, { 'specialist added to the conference': (e) => e !== null && e.AddedPartyDeviceID === specialistRow(i).extension });
    sleep(CONSULT_TALK_S); // introductions, all three on the line
    check(desk.release(call), { 'frontline left the conference': (r) => r.ok });
  }
  // The front-line agent is out of the call: END_CALL_EVENT for C1.
  check(desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === call.ConnectionCallID }),
    { 'frontline out of the call': (e) => e !== null });
  completed.add(1);
  // READY for the next customer (from WORK_READY if the server put the agent in wrap-up).
  check(desk.setState('READY'), { 'frontline ready again': (r) => r.ok });
}

// A specialist: answers a consultation, takes the customer over, talks, releases.
export function specialist(data) {
  const myExt = agent(__VU - 1).extension;
  const offered = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: untilEnd(data), where: (e) => e.AlertingDeviceID === myExt });
  if (offered === null) {
    return; // no consultation until the end
  }
  sleep(RING_S);
  check(desk.answer(offered), { 'specialist answer accepted': (r) => r.ok });
  // The front line completes: the customer's call C1 is now the specialist's call.
  const joined = desk.waitFor(MODE === 'transfer' ? 'CALL_TRANSFERRED_EVENT' : 'CALL_CONFERENCED_EVENT', { timeout: '30s' });
  if (!check(joined, { 'specialist has the customer': (e) => e !== null })) {
    desk.release(offered);
    return;
  }
  if (MODE === 'conference') {
    // Wait for the front line to leave: its connection is cleared from C1.
    const left = desk.waitFor('CALL_CONNECTION_CLEARED_EVENT', { timeout: '30s', where: (e) => e.ConnectionCallID === joined.PrimaryCallID });
    check(left, { 'frontline left, specialist stays': (e) => e !== null && e.ReleasingDeviceID !== myExt });
  }
  sleep(SPECIALIST_TALK_S);
  // The specialist's connection on C1: the call ID from the event, the device is this desk.
  const c1 = { ConnectionCallID: joined.PrimaryCallID, ConnectionDeviceIDType: 'CONNECTION_ID_DYNAMIC', ConnectionDeviceID: myExt };
  check(desk.release(c1), { 'specialist release accepted': (r) => r.ok });
  desk.waitFor('END_CALL_EVENT', { timeout: '10s', where: (e) => e.ConnectionCallID === joined.PrimaryCallID });
  check(desk.setState('READY'), { 'specialist ready again': (r) => r.ok });
}
