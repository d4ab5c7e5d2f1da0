// idle-agents.js — AGENTS agent desktops (default 1,000) open a session with --target, log in, go
// READY and hold for HOLD (default 60s), heartbeating every HEARTBEAT (default 5s, the protocol's
// minimum against a real server). It is the load `make bench-scale` runs against `ctiload sim` in
// its own process; what it records besides the built-in metrics:
//
//   bench_logged_in_at         (trend) per agent, time from the start until its READY was confirmed:
//                              its max is the time to log in everyone
//   bench_heartbeats_sent      (counter) HEARTBEAT_REQs sent, from each session's stats()
//   bench_heartbeats_missed    (counter) heartbeats not answered within one interval
//   bench_sessions_lost        (counter) sessions that ended during the hold
//
//   ctiload sim --agents 1000 &
//   ctiload run --target 127.0.0.1:42027 -e AGENTS=1000 -e HOLD=60s scripts/bench/idle-agents.js
//
// Agents are FIRST_AGENT, FIRST_AGENT+1, … (default 5000) on extensions FIRST_EXTENSION, … (default
// 1000), on peripheral PERIPHERAL_ID (default 5000): the simulator's defaults. Do not point it at
// a production server: it logs agents in.
import { check, fail } from 'ctiload';
import cti from 'ctiload/cti';
import { Counter, Trend } from 'ctiload/metrics';

const AGENTS = Number(__ENV.AGENTS || 1000);
const HOLD = __ENV.HOLD || '60s';
const HEARTBEAT = __ENV.HEARTBEAT || '5s';
const FIRST_AGENT = Number(__ENV.FIRST_AGENT || 5000);
const FIRST_EXTENSION = Number(__ENV.FIRST_EXTENSION || 1000);
const PERIPHERAL_ID = Number(__ENV.PERIPHERAL_ID || 5000);

const loggedInAt = new Trend('bench_logged_in_at', true);
const heartbeatsSent = new Counter('bench_heartbeats_sent');
const heartbeatsMissed = new Counter('bench_heartbeats_missed');
const sessionsLost = new Counter('bench_sessions_lost');

export const options = {
  scenarios: {
    // One iteration per agent: it holds the session until the end of the run.
    hold: { executor: 'per-vu-iterations', vus: AGENTS, iterations: 1, maxDuration: '1h', gracefulStop: '5s' },
  },
};

export function setup() {
  return { t0: Date.now() };
}

let desk;

export function vuSetup(data) {
  const i = __VU - 1;
  desk = cti.connect('', {
    agentId: String(FIRST_AGENT + i),
    extension: String(FIRST_EXTENSION + i),
    peripheralId: PERIPHERAL_ID,
    heartbeat: HEARTBEAT,
  });
  const login = desk.login({ password: __ENV.AGENT_PASSWORD });
  if (!check(login, { 'login accepted': (r) => r.ok })) fail(`login of agent ${FIRST_AGENT + i}: ${login.codeName}`);
  const ready = desk.setState('READY');
  if (!check(ready, { 'ready accepted': (r) => r.ok })) fail(`READY of agent ${FIRST_AGENT + i}: ${ready.codeName}`);
  loggedInAt.add(Date.now() - data.t0);
}

// The hold: one wait for a server event that should not come. It costs nothing on the wire but
// the heartbeats, and throws at once if the session dies.
export default function () {
  const ms = parseDuration(HOLD);
  try {
    desk.waitFor(['FAILURE_EVENT', 'SYSTEM_EVENT'], { timeout: `${ms}ms` });
  } catch (e) {
    sessionsLost.add(1);
    console.warn(`session of agent ${FIRST_AGENT + __VU - 1} lost: ${e}`);
  }
}

export function vuTeardown() {
  const st = desk.stats();
  if (st) {
    heartbeatsSent.add(st.heartbeatsSent);
    heartbeatsMissed.add(st.heartbeatsMissed);
  }
  desk.close();
}

// parseDuration reads "90s", "2m", "500ms", Go's "1m30s" or a number of seconds, in ms.
function parseDuration(s) {
  const str = String(s).trim();
  if (/^\d+(\.\d+)?$/.test(str)) return Number(str) * 1000;
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  const rest = str.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, n, u) => {
    total += Number(n) * unit[u];
    return '';
  });
  if (rest !== '' || str === '') throw new Error(`HOLD: want a duration such as 60s or 1m30s, got ${JSON.stringify(s)}`);
  return total;
}
