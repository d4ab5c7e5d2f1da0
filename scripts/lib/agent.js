// Helpers the example scenarios share: who the test agents are, how a desktop connects, logs in
// and leaves, and how a scenario shrinks for a quick run. Each helper is a few lines of the public
// API (ctiload, ctiload/cti, ctiload/data); read them once, then the scenarios read top to bottom.
//
// Environment (ctiload run -e KEY=VALUE, or the process environment):
//   AGENTS_CSV      the agent list, relative to the scenario's folder (default agents.csv)
//   AGENT_PASSWORD  the agents' login password (never write a password into a script)
//   PERIPHERAL_ID   overrides the CSV's peripheralId column (your PG's peripheral)
//   DIALED_NUMBER   the number that queues a call for an agent (the built-in simulator's own:
//                   cti.simulator.dialedNumber, 8000 unless the extensions reach it)
//   CTI_CLIENT_ID, CTI_CLIENT_PASSWORD  OPEN_REQ ClientID / ClientPassword (default "ctiload", none)
//   SCALE           shrinks VU counts, rates, iterations and durations (default 1 = full size)
import { check } from 'ctiload';
import cti from 'ctiload/cti';
import { SharedArray, csv } from 'ctiload/data';

// The test identities: agentId,extension,instrument,peripheralId, one agent desktop per row. The
// file is read once per run and shared read-only by every VU. Against a real CTI Server, give
// your lab's test agents here (AGENTS_CSV=lab-agents.csv) so a script can never pick a real one.
export const AGENTS = new SharedArray('agents', () => csv(open(__ENV.AGENTS_CSV || 'agents.csv'), { header: true }));

// cti.simulator is null while the options are read and against --target.
export const DIALED_NUMBER = __ENV.DIALED_NUMBER || (cti.simulator && cti.simulator.dialedNumber) || '8000';

// SCALE multiplies every size of a scenario: `-e SCALE=0.05` runs a 5 % version (the end-to-end
// test runs each scenario this way); the default, 1, is the size the scenario's header states.
export const SCALE = Number(__ENV.SCALE || 1);
if (!(SCALE > 0)) {
  throw new Error(`SCALE must be a positive number, got ${JSON.stringify(__ENV.SCALE)}`);
}

// scaled(n) is n × SCALE rounded, and at least min (default 1): VU counts, rates, iterations.
export function scaled(n, min = 1) {
  return Math.max(min, Math.round(n * SCALE));
}

// agent(i) is row i of the agent list (0-based), with a clear error when the list is too short.
export function agent(i) {
  if (i < 0 || i >= AGENTS.length) {
    throw new Error(`agent ${i}: the agent list has ${AGENTS.length} rows (${__ENV.AGENTS_CSV || 'agents.csv'}); give more agents or a smaller SCALE`);
  }
  return AGENTS[i];
}

// connect opens an agent-mode session (an agent desktop) for row: OPEN_REQ with the agent's ID,
// extension, instrument and peripheral, CLIENT_EVENTS | CLIENT_CONTROL | CALL_DATA_UPDATE. The
// target is the run's: the built-in simulator, or --target. extra adds or overrides cti.connect
// options (heartbeat, failover, tags, …).
export function connect(row, extra = {}) {
  return cti.connect('', Object.assign({
    agentId: row.agentId,
    extension: row.extension,
    instrument: row.instrument || row.extension,
    peripheralId: Number(__ENV.PERIPHERAL_ID || row.peripheralId) || undefined,
    clientId: __ENV.CTI_CLIENT_ID || undefined,
    password: __ENV.CTI_CLIENT_PASSWORD || undefined,
  }, extra));
}

// login logs the agent in (it lands in NOT_READY, as on UCCE) and, unless ready is false, makes
// it READY (AVAILABLE) for calls. Each step is a check, so the summary says which one failed; it
// returns false as soon as one does.
export function login(session, { ready = true, skillGroups } = {}) {
  const r = session.login({ password: __ENV.AGENT_PASSWORD, skillGroups });
  if (!check(r, { 'login accepted': (x) => x.ok })) {
    console.warn(`login refused: ${r.codeName} ${r.error || ''}`);
    return false;
  }
  if (!ready) {
    return true;
  }
  return check(session.setState('READY'), { 'ready accepted': (x) => x.ok });
}

// Reason codes the scenarios use. On a real UCCE they must exist in your Not Ready / Logout reason
// code lists when the agents' desk settings require reason codes.
export const REASON_BREAK = 2;
export const REASON_END_OF_SHIFT = 1;

// stopTakingCalls ends an idle agent's shift: NOT_READY with the end-of-shift reason, so the queue
// offers no more calls. A call the queue offered in that same instant rings on (the NOT_READY is
// then pending until the call ends); its CALL_DELIVERED_EVENT came before the confirmation, so it
// is already in the session: stopTakingCalls returns it (or null) for the caller to handle.
// Before logging out, an agent must have no call, or the LOGOUT is refused.
export function stopTakingCalls(session) {
  check(session.setState('NOT_READY', { reasonCode: REASON_END_OF_SHIFT }), { 'not ready at end of shift': (x) => x.ok });
  const late = session.drainEvents().filter((e) => e.name === 'CALL_DELIVERED_EVENT');
  return late.length > 0 ? late[late.length - 1] : null;
}

// logout leaves the way a desktop does: NOT_READY with a reason (UCCE logs agents out from
// NOT_READY only), LOGOUT with a reason, then CLOSE_REQ. It is safe on a session already gone.
export function logout(session, reasonCode = REASON_END_OF_SHIFT) {
  if (!session || session.closed) {
    return;
  }
  const nr = session.setState('NOT_READY', { reasonCode: REASON_BREAK });
  const out = session.logout({ reasonCode });
  check(out, { 'logout accepted': (x) => x.ok });
  if (!out.ok) {
    console.warn(`logout refused: ${out.codeName} (NOT_READY before it: ${nr.codeName})`);
  }
  session.close();
}
