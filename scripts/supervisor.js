// supervisor.js — a supervisor watches an agent's phone and barges into its calls. Three desktops
// work together, in teams of three (full size: 10 teams, 20 calls each):
//
//   customers    a desktop dials its team's number (the customer's call: it waits in the team's
//                queue until the agent is READY), and waits for its end
//   agents       answer, talk; when the supervisor has joined and left again, end the call
//   supervisors  monitor their agent's phone (MONITOR_START_REQ), and for each call answered
//                there (SNAPSHOT_DEVICE_REQ, or the monitor's events), barge in
//                (SUPERVISE_CALL_REQ SUPERVISOR_BARGE_IN), listen, and leave (SUPERVISOR_CLEAR)
//
// The CTI flow (docs/simulator.md, "Re-sync and monitors" and "Supervisors"):
//   supervisor: MONITOR_START_REQ (MonitoredDeviceID = the agent's extension) → MONITOR_START_CONF
//     (MonitorID); every call event at the agent's phone then reaches the supervisor with it
//   agent answers → the supervisor sees CALL_ESTABLISHED_EVENT (MonitorID) for the agent's
//     connection → SUPERVISE_CALL_REQ BARGE_IN on that connection → SUPERVISE_CALL_CONF, and
//     CALL_CONFERENCED_EVENT (EventCause CEC_SUPERVISOR_BARGE_IN) to everyone in the call
//   SUPERVISE_CALL_REQ CLEAR → CALL_CONNECTION_CLEARED_EVENT (Releasing = the supervisor's phone)
//   the agent releases: the customer's END_CALL_EVENT
// Teams (docs/simulator.md, "Teams and supervisor help"): each supervisor leads its agent's team
// (options.simulator.team), so its login brings AGENT_TEAM_CONFIG_EVENT listing the agent; on its
// last call the agent asks for help (SUPERVISOR_ASSIST_REQ): a consultation call rings the
// supervisor's phone, and the agent drops it again and takes the customer back.
//
//   ctiload run scripts/supervisor.js
//   ctiload run -e SCALE=0.1 scripts/supervisor.js
//
// Against a lab CTI Server the supervisors must be configured as their team's supervisors, and
// their desktops need the SUPERVISOR and PERIPHERAL_MONITOR services (the CTI Server's client
// profile): give an AGENTS_CSV whose rows are, in order, TEAMS agents, TEAMS customer phones and
// TEAMS supervisors, and TEAM_DN, the number of team 0's queue (team i dials TEAM_DN + i), each
// queue routing to its team's agent only — as options.simulator.skillGroup sets up below.
import { check, sleep } from 'ctiload';
import { Counter, Trend } from 'ctiload/metrics';
import { agent, connect, login, logout, scaled, SCALE } from './lib/agent.js';

const TEAMS = scaled(10);
const CALLS = scaled(20, 2); // per team
const T = Math.max(SCALE, 0.05); // human times shrink with SCALE, down to 5 %
const TALK_S = 4 * T; // the agent with the customer, before and after the supervisor
const LISTEN_S = 2 * T; // the supervisor in the call
const WAIT = '30s'; // bound of every wait for the other side of the team
const TEAM_DN = Number(__ENV.TEAM_DN || 8100); // team i's queue: TEAM_DN + i

// VU IDs go to scenarios in name order (agents, customers, supervisors), TEAMS each: __VU - 1
// is a row of agents.csv, and a team's desktops are TEAMS rows apart.
const ROLES = ['agent', 'customer', 'supervisor'];
const roleOf = (vu) => ROLES[Math.floor((vu - 1) / TEAMS)];
const teamOf = (vu) => (vu - 1) % TEAMS;
const row = (role, team) => agent(ROLES.indexOf(role) * TEAMS + team);

const SUPERVISOR_SERVICES = 'CTI_SERVICE_CLIENT_EVENTS|CTI_SERVICE_CLIENT_CONTROL|CTI_SERVICE_SUPERVISOR|CTI_SERVICE_PERIPHERAL_MONITOR';
// The classic call events and AGENT_TEAM_CONFIG_EVENT.
const SUPERVISOR_CALL_MASK = 0xFFFF | 0x800000;

// SUPERVISE_CALL_REQ BARGE_IN sent → confirmed (the supervisor's phone is in the call).
const bargeInTime = new Trend('barge_in_time', true);
const bargeIns = new Counter('barge_ins');

const team = (exec) => ({ executor: 'per-vu-iterations', vus: TEAMS, iterations: CALLS, maxDuration: `${Math.ceil(CALLS * 40)}s`, exec });

export const options = {
  scenarios: { agents: team('agentDesk'), customers: team('customer'), supervisors: team('supervisor') },
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    'cti_request_duration{msg:SUPERVISE_CALL_REQ}': ['p(95)<500'],
    'cti_request_duration{msg:MONITOR_START_REQ}': ['p(95)<500'],
    barge_ins: [`count==${TEAMS * CALLS}`],
  },
  simulator: {
    agents: Math.max(100, 3 * TEAMS), agentPassword: __ENV.AGENT_PASSWORD || '',
    // One skill group per team, with the team's agent as its only member, behind the team's number.
    skillGroup: Array.from({ length: TEAMS }, (_, i) => `${i + 1}=${TEAM_DN + i}:${row('agent', i).agentId}`),
    // Team i+1: its supervisor and its agent.
    team: Array.from({ length: TEAMS }, (_, i) => `${i + 1}=Team ${i + 1}:${row('supervisor', i).agentId}:${row('agent', i).agentId}`),
  },
};

let desk;
let monitorId;

// Each VU logs in once: agents READY, customers NOT_READY (a phone, not an agent taking calls),
// supervisors READY (they are in no skill group, so no customer call reaches them; READY lets the
// agent's assist call ring) with their team's configuration and a monitor on their agent's phone.
export function vuSetup() {
  const role = roleOf(__VU);
  const me = row(role, teamOf(__VU));
  desk = connect(me, role === 'supervisor' ? { services: SUPERVISOR_SERVICES, masks: { call: SUPERVISOR_CALL_MASK } } : {});
  if (!login(desk, { ready: role !== 'customer' })) {
    desk.close();
    sleep(1);
    throw new Error(`${role} ${me.agentId} could not log in`);
  }
  if (role === 'supervisor') {
    const agentId = row('agent', teamOf(__VU)).agentId;
    const tc = desk.waitFor('AGENT_TEAM_CONFIG_EVENT', { timeout: WAIT });
    check(tc, { 'team configuration lists the agent': (e) => e !== null && (e.TeamAgents || []).some((m) => m.ATCAgentID === agentId) });
    const m = desk.monitor(row('agent', teamOf(__VU)).extension);
    if (!check(m, { 'monitor started': (r) => r.ok && r.monitorId > 0 })) {
      throw new Error(`supervisor ${me.agentId}: MONITOR_START_REQ refused: ${m.codeName}`);
    }
    monitorId = m.monitorId;
  }
}

export function vuTeardown() {
  if (monitorId) {
    desk.stopMonitor(monitorId);
  }
  logout(desk);
}

// A customer: one call to its team's queue per iteration, until the agent ends it. The call waits
// in the queue while the agent is not READY (at the start, while it logs in).
export function customer() {
  const r = desk.makeCall(String(TEAM_DN + teamOf(__VU)));
  if (!check(r, { 'customer call placed': (x) => x.ok })) {
    sleep(1);
    return;
  }
  const end = desk.waitFor('END_CALL_EVENT', { timeout: WAIT, where: (e) => e.ConnectionCallID === r.call.ConnectionCallID });
  check(end, { 'customer call ended by the agent': (e) => e !== null });
}

// An agent: answers, talks with the customer and the supervisor, ends the call once the supervisor left.
export function agentDesk() {
  const me = row('agent', teamOf(__VU)).extension;
  const sup = row('supervisor', teamOf(__VU)).extension;
  const call = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: WAIT, where: (e) => e.AlertingDeviceID === me });
  if (!check(call, { 'customer call offered': (e) => e !== null })) {
    return;
  }
  check(desk.answer(call), { 'agent answer accepted': (r) => r.ok });
  const joined = desk.waitFor('CALL_CONFERENCED_EVENT', { timeout: WAIT, where: (e) => e.PrimaryCallID === call.ConnectionCallID });
  check(joined, { 'supervisor barged in': (e) => e !== null && e.EventCause === 'CEC_SUPERVISOR_BARGE_IN' && e.AddedPartyDeviceID === sup });
  const left = desk.waitFor('CALL_CONNECTION_CLEARED_EVENT', { timeout: WAIT, where: (e) => e.ConnectionCallID === call.ConnectionCallID && e.ReleasingDeviceID === sup });
  check(left, { 'supervisor left': (e) => e !== null && e.EventCause === 'CEC_SUPERVISOR_CLEAR' });
  if (__ITER === CALLS - 1) {
    askForHelp(call, me, sup);
  }
  sleep(TALK_S);
  check(desk.release(call), { 'agent release accepted': (r) => r.ok });
  desk.waitFor('END_CALL_EVENT', { timeout: WAIT, where: (e) => e.ConnectionCallID === call.ConnectionCallID });
}

// askForHelp: SUPERVISOR_ASSIST_REQ from the customer's call — a consultation call to the team's
// supervisor (the customer is held); once the supervisor's phone rings, the agent drops the
// consultation and takes the customer back.
function askForHelp(call, me, sup) {
  const r = desk.supervisorAssist(call);
  if (!check(r, { 'assist call placed': (x) => x.ok && x.message.ConnectionCallID > 0 })) {
    return;
  }
  const assist = r.message.ConnectionCallID;
  const rings = desk.waitFor('CALL_DELIVERED_EVENT', { timeout: WAIT, where: (e) => e.ConnectionCallID === assist });
  check(rings, { 'supervisor phone rings': (e) => e !== null && e.AlertingDeviceID === sup });
  check(desk.release({ ConnectionCallID: assist, ConnectionDeviceIDType: 'CONNECTION_ID_DYNAMIC', ConnectionDeviceID: me }), { 'assist call dropped': (x) => x.ok });
  check(desk.retrieve(call), { 'customer retrieved': (x) => x.ok });
}

// A supervisor: for each call answered at the agent's phone, barge in, listen, leave. The call is
// found by a re-sync first — SNAPSHOT_DEVICE_REQ of the agent's phone, as a desktop does after a
// fail-over: a call the agent answered before the monitor started (the agent may be quicker than
// this desk's login) is there and nowhere else — else by the monitor's CALL_ESTABLISHED_EVENT.
const supervised = new Set();

function answeredCall(agentExt) {
  const snap = desk.snapshotDevice(agentExt);
  check(snap, { 'agent phone snapshot': (r) => r.ok });
  for (const c of (snap.ok && snap.message.DeviceCalls) || []) {
    if (c.CallDeviceConnectionState === 'LCS_CONNECT' && !supervised.has(c.CallConnectionCallID)) {
      return { ConnectionCallID: c.CallConnectionCallID, ConnectionDeviceIDType: c.CallConnectionDeviceIDType, ConnectionDeviceID: c.CallConnectionDeviceID };
    }
  }
  return desk.waitFor('CALL_ESTABLISHED_EVENT', {
    timeout: WAIT,
    where: (e) => e.MonitorID === monitorId && e.ConnectionDeviceID === agentExt && !supervised.has(e.ConnectionCallID),
  });
}

export function supervisor() {
  const agentExt = row('agent', teamOf(__VU)).extension;
  const answered = answeredCall(agentExt);
  if (!check(answered, { 'agent call found': (c) => c !== null })) {
    return;
  }
  supervised.add(answered.ConnectionCallID);
  sleep(TALK_S);
  const started = Date.now();
  const r = desk.supervise(answered, 'BARGE_IN');
  if (!check(r, { 'barge-in accepted': (x) => x.ok && x.message.ConnectionDeviceID === agentExt })) {
    return;
  }
  bargeInTime.add(Date.now() - started);
  bargeIns.add(1);
  sleep(LISTEN_S);
  check(desk.supervise(answered, 'CLEAR'), { 'supervisor left the call': (x) => x.ok });
}
