// agents.js — the example cluster scenario: AGENTS agent desktops open their sessions, log in
// and go READY over LOGIN_RAMP (a morning's logins, compressed), then all stay, heartbeating
// every HEARTBEAT, for DURATION: the go-live question "does the CTI Server hold every desktop of
// the contact center at once?". Split over the pods of the
// Job, each pod runs its share of the desktops; the merged report is the whole center's.
//
// Environment (the kustomization's ctiload-settings, or ctiload run -e KEY=VALUE):
//   AGENTS          agent desktops (default 1000); agent IDs 5000… and extensions 1000…
//   AGENT_PASSWORD  their login password (default: none, as the simulator accepts)
//   PERIPHERAL_ID   the agents' peripheral (default 5000, the simulator's)
//   LOGIN_RAMP      how long the logins take, 0 to AGENTS desktops, in s, m or h (default 2m)
//   DURATION        how long all the desktops then stay, in s, m or h (default 5m)
//   HEARTBEAT       heartbeat interval (default 5s, the protocol's minimum on a real server)
import { check, sleep } from 'ctiload';
import cti from 'ctiload/cti';
import { Counter, Trend } from 'ctiload/metrics';

const AGENTS = Number(__ENV.AGENTS || 1000);
const DURATION = __ENV.DURATION || '5m';
const LOGIN_RAMP = __ENV.LOGIN_RAMP || '2m';
const HEARTBEAT = __ENV.HEARTBEAT || '5s';

function millis(name, d) {
  const ms = { s: 1e3, m: 60e3, h: 3600e3 }[d.slice(-1)] * Number(d.slice(0, -1));
  if (!(ms >= 0)) {
    throw new Error(`${name} must be a duration such as 90s, 5m or 1h, got ${JSON.stringify(d)}`);
  }
  return ms;
}
const RUN_MS = millis('LOGIN_RAMP', LOGIN_RAMP) + millis('DURATION', DURATION);

const heartbeatsMissed = new Counter('heartbeats_missed');
const disconnects = new Counter('disconnects');
// From the start of the test to this agent being READY: its max is the time the whole center
// took to log in (LOGIN_RAMP at least).
const readyAfter = new Trend('agent_ready_after', true);

export const options = {
  scenarios: {
    agents: {
      executor: 'ramping-vus', startVUs: 0, gracefulStop: '30s', gracefulRampDown: '30s',
      stages: [{ duration: LOGIN_RAMP, target: AGENTS }, { duration: DURATION, target: AGENTS }],
    },
  },
  thresholds: {
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    heartbeats_missed: ['count==0'],
    disconnects: ['count==0'],
    cti_heartbeat_rtt: ['p(99)<250'],
    cti_session_open_duration: ['p(95)<3000'],
  },
  simulator: { agents: Math.max(100, AGENTS) },
};

let desk;
let endAt;

// setup's time is the start when the run has no common start (--start-at), which every pod of
// a split test has.
export function setup() {
  return { t0: Date.now() };
}

// vuSetup opens the desktop's session and logs the agent in, once per VU, when the ramp brings
// the VU in: __VU is unique across the pods of a split test, so every agent logs in once.
export function vuSetup(data) {
  const start = __ENV.CTILOAD_START_AT ? Date.parse(__ENV.CTILOAD_START_AT) : data.t0;
  const i = __VU - 1;
  desk = cti.connect('', { agentId: String(5000 + i), extension: String(1000 + i),
    peripheralId: Number(__ENV.PERIPHERAL_ID || 5000), heartbeat: HEARTBEAT });
  const ok = check(desk.login({ password: __ENV.AGENT_PASSWORD }), { 'login accepted': (x) => x.ok }) &&
    check(desk.setState('READY'), { 'ready accepted': (x) => x.ok });
  if (ok) {
    readyAfter.add(Date.now() - start);
  }
  endAt = start + RUN_MS;
}

// Each iteration idles for a turn of a minute at most, or what is left of the run (a wait the
// end of the run cut short would look like a lost session): a FAILURE_EVENT or SYSTEM_EVENT is
// the server saying something is wrong; a wait that fails is a lost session, counted once: the
// desktop then stays down (a test of whether sessions hold, not of how they come back).
export default function () {
  const turnMs = Math.min(60000, endAt - Date.now());
  if (turnMs <= 0 || desk === null) {
    sleep(Math.max(0.1, Math.min(5, turnMs / 1000))); // the run ends now, or this desktop is down
    return;
  }
  try {
    desk.waitFor(['FAILURE_EVENT', 'SYSTEM_EVENT'], { timeout: `${turnMs}ms` });
  } catch (e) {
    disconnects.add(1);
    heartbeatsMissed.add(desk.stats().heartbeatsMissed);
    console.warn(`agent ${5000 + __VU - 1}: session lost: ${e}`);
    desk.close();
    desk = null;
  }
}

export function vuTeardown() {
  if (desk) {
    heartbeatsMissed.add(desk.stats().heartbeatsMissed);
    desk.close();
  }
}
