// idle-agents.js — AGENTS agent desktops (default 1,000) open a session with --target, log in, go
// READY and hold for HOLD (default 60s), heartbeating every HEARTBEAT (default 5s, the protocol's
// minimum against a real server). It is the load `make bench-scale` runs against `ctiload sim` in
// its own process.
//
// Logins are paced by the executor, as a contact center's shift start would be: agent i starts
// at i / LOGIN_RATE seconds (default 250 a second; constant-arrival-rate, so a slow login does
// not delay the next one), and the time to log in N agents grows linearly with N. Each agent's
// shift has two phases, told apart by the group tag of every metric its session records:
//
//   ::login   from its start until the last agent's login was due, counted from its own start
//             (the ramp, plus one heartbeat interval to settle): the heartbeats of the agents
//             already logged in share the machine with the logins of the others
//   ::hold    the next HOLD: idle, heartbeating; every agent's hold covers the time when all
//             are logged in
//
// Agent i's phases begin and end at its own start plus a fixed offset: the phase changes and
// the logouts come at the login rate too, never all at once (10,000 waits ending in the same
// millisecond would be a burst of the script's making, and would show in the heartbeats).
//
// What it records besides the built-in metrics (cti_heartbeat_rtt{group:::hold} is the hold's
// heartbeat round trip):
//
//   bench_logged_in_at         (trend) per agent, time from the start until its READY was confirmed:
//                              its max is the time to log in everyone
//   bench_heartbeats_sent      (counter) HEARTBEAT_REQs sent, from each session's stats()
//   bench_heartbeats_missed    (counter) heartbeats not answered within one interval
//   bench_heartbeat_late_max   (trend) per agent, the most any of its HEARTBEAT_REQs was sent
//                              behind its schedule: its max is the latest heartbeat of the run
//   bench_sessions_lost        (counter) sessions that ended during the hold
//
//   ctiload sim --agents 1000 &
//   ctiload run --target 127.0.0.1:42027 -e AGENTS=1000 -e HOLD=60s scripts/bench/idle-agents.js
//
// Agents are FIRST_AGENT, FIRST_AGENT+1, … (default 5000) on extensions FIRST_EXTENSION, … (default
// 1000), on peripheral PERIPHERAL_ID (default 5000): the simulator's defaults. Do not point it at
// a production server: it logs agents in.
import { check, group } from 'ctiload';
import cti from 'ctiload/cti';
import exec from 'ctiload/execution';
import { Counter, Trend } from 'ctiload/metrics';

const AGENTS = Number(__ENV.AGENTS || 1000);
const HOLD = parseDuration(__ENV.HOLD || '60s');
const HEARTBEAT = __ENV.HEARTBEAT || '5s';
const LOGIN_RATE = Number(__ENV.LOGIN_RATE || 250);
const FIRST_AGENT = Number(__ENV.FIRST_AGENT || 5000);
const FIRST_EXTENSION = Number(__ENV.FIRST_EXTENSION || 1000);
const PERIPHERAL_ID = Number(__ENV.PERIPHERAL_ID || 5000);
if (!(LOGIN_RATE > 0)) throw new Error(`LOGIN_RATE: want agents a second, got ${JSON.stringify(__ENV.LOGIN_RATE)}`);

// The last login is due at RAMP; an agent's login phase lasts that plus one heartbeat interval.
const RAMP = Math.max(1, Math.ceil((AGENTS * 1000) / LOGIN_RATE));
const LOGIN_PHASE = RAMP + parseDuration(HEARTBEAT);

const loggedInAt = new Trend('bench_logged_in_at', true);
const heartbeatLateMax = new Trend('bench_heartbeat_late_max', true);
const heartbeatsSent = new Counter('bench_heartbeats_sent');
const heartbeatsMissed = new Counter('bench_heartbeats_missed');
const sessionsLost = new Counter('bench_sessions_lost');

export const options = {
  scenarios: {
    // One iteration per agent, started at the login rate: it is the agent's whole shift.
    agents: {
      executor: 'constant-arrival-rate',
      rate: AGENTS,
      timeUnit: `${RAMP}ms`,
      duration: `${RAMP}ms`,
      preAllocatedVUs: AGENTS,
      maxVUs: AGENTS,
      gracefulStop: `${LOGIN_PHASE + HOLD + 30000}ms`,
    },
  },
  thresholds: {
    // Every agent starts: an iteration the executor could not start (no idle VU in time, or
    // past gracefulStop) is an agent that never logged in, and fails the run.
    dropped_iterations: ['count==0'],
    // Every login and READY accepted.
    checks: ['rate==1'],
    // The phases' own heartbeat figures in the summary export (bench-scale reads them).
    'cti_heartbeat_rtt{group:::login}': ['max>=0'],
    'cti_heartbeat_rtt{group:::hold}': ['max>=0'],
  },
};

export default function () {
  const i = exec.scenario.iterationInTest;
  const t0 = exec.scenario.startTime;
  const start = t0 + (i * 1000) / LOGIN_RATE; // when this agent's iteration was due
  let desk;
  let loggedIn = false;
  group('login', () => {
    desk = cti.connect('', {
      agentId: String(FIRST_AGENT + i),
      extension: String(FIRST_EXTENSION + i),
      peripheralId: PERIPHERAL_ID,
      heartbeat: HEARTBEAT,
    });
    const login = desk.login({ password: __ENV.AGENT_PASSWORD });
    if (!check(login, { 'login accepted': (r) => r.ok })) return;
    const ready = desk.setState('READY');
    if (!check(ready, { 'ready accepted': (r) => r.ok })) return;
    loggedInAt.add(Date.now() - t0);
    // Idle until every agent's login was due: these heartbeats belong to the login phase.
    loggedIn = holdUntil(desk, start + LOGIN_PHASE);
  });
  // The hold: one wait for a server event that should not come. It costs nothing on the wire but
  // the heartbeats, and throws at once if the session dies.
  if (loggedIn) group('hold', () => holdUntil(desk, start + LOGIN_PHASE + HOLD));
  const st = desk.stats();
  if (st) {
    heartbeatsSent.add(st.heartbeatsSent);
    heartbeatsMissed.add(st.heartbeatsMissed);
    heartbeatLateMax.add(st.heartbeatLateMaxMs);
  }
  desk.close();
}

// holdUntil waits, idle, until the instant; false if the session was lost meanwhile.
function holdUntil(desk, until) {
  const ms = until - Date.now();
  if (ms <= 0) return true;
  try {
    desk.waitFor(['FAILURE_EVENT', 'SYSTEM_EVENT'], { timeout: `${ms}ms` });
    return true;
  } catch (e) {
    sessionsLost.add(1);
    console.warn(`session of agent ${FIRST_AGENT + exec.scenario.iterationInTest} lost: ${e}`);
    return false;
  }
}

// parseDuration reads "90s", "2m", "500ms", Go's "1m30s" or a number of seconds, in ms. It scans
// the characters instead of using a regular expression: this runs in every VU's init code, and
// the first regular expression a goja runtime meets builds RegExp.prototype with all its
// methods, ≈ 14 KB per VU (docs/performance.md, "Where a VU's memory goes").
function parseDuration(s) {
  const str = String(s).trim();
  const bad = () => new Error(`want a duration such as 60s or 1m30s, got ${JSON.stringify(s)}`);
  if (str === '') throw bad();
  if (!isNaN(Number(str))) return Number(str) * 1000;
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  for (let i = 0; i < str.length; ) {
    let j = i;
    while (j < str.length && ((str[j] >= '0' && str[j] <= '9') || str[j] === '.')) j++;
    let k = j;
    while (k < str.length && str[k] >= 'a' && str[k] <= 'z') k++;
    const n = Number(str.slice(i, j));
    const u = unit[str.slice(j, k)];
    if (j === i || isNaN(n) || u === undefined) throw bad();
    total += n * u;
    i = k;
  }
  return total;
}
