// heartbeat-soak.js — a long quiet hour. 1,000 agent desktops open their sessions and stay idle for
// 30 minutes, heartbeating every 5 s (the protocol's minimum interval: the most heartbeats a
// server has to answer). Nothing else happens; what is measured is what a soak shows and a short
// test does not:
//
//   - the heartbeat round trip (HEARTBEAT_REQ → HEARTBEAT_CONF, cti_heartbeat_rtt) over time:
//     a server whose RTT creeps up under a constant load is leaking or queueing somewhere;
//   - disconnects: a session the server closed (IdleTimeout missed, restart, E_CTI_…) or whose
//     heartbeats went unanswered three times in a row (the client declares the link dead).
//
// Each desktop waits for a FAILURE_EVENT or SYSTEM_EVENT (server and PG status changes) in turns
// of one minute: the wait costs nothing on the wire, returns the event if the server sends one,
// and fails at once if the session dies — which the script counts as a disconnect, then reopens
// the session as a desktop would. A wait that times out is the quiet minute we hope for (the
// summary lists those waits as timeouts; they are not failures).
//
//   ctiload run scripts/heartbeat-soak.js                        # 1,000 sessions, 30 minutes
//   ctiload run -e SCALE=0.05 scripts/heartbeat-soak.js          # 50 sessions, 90 s
//   ctiload run -e SCALE=0.05 --sim-drop-rate 0.002 scripts/heartbeat-soak.js   # see it catch drops
//   ctiload run --target cti-a.lab:42027 -e AGENTS_CSV=lab-agents.csv scripts/heartbeat-soak.js
//
// SCALE shortens the run and the heartbeat interval alike, so that each session sends as many
// heartbeats in a short run as in the full one (only the simulator accepts intervals below 5 s).
import { check, sleep } from 'ctiload';
import { Counter } from 'ctiload/metrics';
import { agent, connect, scaled, SCALE } from './lib/agent.js';

const SESSIONS = scaled(1000);
const DURATION_S = Math.max(5, 1800 * SCALE);
const HEARTBEAT_S = Math.max(0.02, 5 * SCALE);
const TURN_S = 12 * HEARTBEAT_S; // one wait = 12 heartbeats (1 minute at full size)

const disconnects = new Counter('disconnects');
const serverEvents = new Counter('server_events'); // tag event: FAILURE_EVENT or SYSTEM_EVENT

export const options = {
  scenarios: {
    idle: {
      executor: 'constant-vus',
      vus: SESSIONS,
      duration: `${DURATION_S}s`,
      // Waits end by themselves at the end of the run (setup's endAt), so nothing is cut short.
      gracefulStop: '10s',
    },
  },
  thresholds: {
    // Heartbeat round trips: on a LAN a healthy CTI Server answers in a few milliseconds.
    cti_heartbeat_rtt: ['p(95)<100', 'p(99)<250', 'max<2000'],
    // Not one session lost…
    disconnects: ['count==0'],
    // …and exactly one open per desktop: a reopened session would count twice.
    'cti_sessions{result:opened}': [`count==${SESSIONS}`],
    cti_failures: ['count==0'],
    checks: ['rate==1'],
  },
  simulator: { agents: Math.max(100, SESSIONS) },
};

let desk;

// open: an agent-mode session on the agent's device, not logged in (a desktop before login).
// IdleTimeout is 4 heartbeats (at least 20 s): the server closes a session that stays silent
// longer than that.
function open() {
  return connect(agent(__VU - 1), { heartbeat: `${HEARTBEAT_S}s` });
}

// setup runs once before the desktops start: the end of the soak, the same for all.
export function setup() {
  return { endAt: Date.now() + DURATION_S * 1000 };
}

export function vuSetup() {
  desk = open();
}

export default function (data) {
  // One turn, or what is left of the run: the last wait ends with the run instead of being cut
  // short (a wait interrupted by the end of the run would throw like a lost session).
  const turnMs = Math.max(1, Math.min(TURN_S * 1000, data.endAt - Date.now()));
  let ev;
  try {
    ev = desk.waitFor(['FAILURE_EVENT', 'SYSTEM_EVENT'], { timeout: `${turnMs}ms` });
  } catch (e) {
    // The session ended under us: the server closed it or the link failed.
    disconnects.add(1);
    console.warn(`session of agent ${agent(__VU - 1).agentId} lost: ${e}`);
    desk.close();
    sleep(HEARTBEAT_S); // as a desktop, wait a moment before reopening
    desk = open();
    return;
  }
  if (ev !== null) {
    serverEvents.add(1, { event: ev.name });
  }
  // A heartbeat was answered in this turn (the session records every round trip as
  // cti_heartbeat_rtt; this is the last one).
  check(desk.stats(), { 'heartbeats answered': (s) => s.heartbeatRttMs > 0 });
}

export function vuTeardown() {
  desk.close();
}
