// login-storm.js — shift start. 2,000 agents open their desktops, log in and go ready over 60 s,
// all stay ready together for 10 s, then log out. This is the heaviest minute a CTI Server lives
// each morning: thousands of OPEN_REQs (each a new TCP session and a device registration on the
// PG) and SET_AGENT_STATE_REQs in a short window.
//
// The logins arrive at a rate, not as fast as the server answers (ramping-arrival-rate): the rate
// rises from 0 to 50 logins/s over 20 s, stays at 50/s for 20 s and falls to 0 over the last 20 s
// — 500 + 1,000 + 500 = 2,000 logins. Because the arrivals do not wait for the server, a slow
// server shows up as growing latency and, when every VU is busy, as dropped iterations.
//
//   ctiload run scripts/login-storm.js                   # simulator with 2,000 agents
//   ctiload run -e SCALE=0.1 scripts/login-storm.js      # 200 agents over 6 s
//   ctiload run --target cti-a.lab:42027 -e AGENT_PASSWORD=… -e AGENTS_CSV=lab-agents.csv \
//               -e SCALE=0.05 scripts/login-storm.js     # a lab: start small, raise SCALE run by run
import { sleep } from 'ctiload';
import { Trend } from 'ctiload/metrics';
import { agent, connect, login, logout, scaled, SCALE } from './lib/agent.js';

// An even number of agents: each of the three stages brings half of them per stage length.
const AGENT_COUNT = 2 * scaled(1000);
const STAGE_S = Math.max(1, 20 * SCALE); // length of each of the three stages, in seconds
const HOLD_S = Math.max(1, 10 * SCALE); // everyone ready together before the logouts

// Connect → READY confirmed: what an agent waits for at the start of the shift.
const loginToReady = new Trend('login_to_ready', true);

export const options = {
  scenarios: {
    storm: {
      executor: 'ramping-arrival-rate',
      // Rates count logins per stage length: 0 → AGENT_COUNT/2 per stage over the first stage,
      // then steady, then back to 0: the area under the ramp is exactly AGENT_COUNT logins.
      timeUnit: `${STAGE_S}s`,
      startRate: 0,
      stages: [
        { duration: `${STAGE_S}s`, target: AGENT_COUNT / 2 },
        { duration: `${STAGE_S}s`, target: AGENT_COUNT / 2 },
        { duration: `${STAGE_S}s`, target: 0 },
      ],
      // One VU per agent: an iteration holds its desktop until the logouts, so every login needs
      // a VU of its own, and VU n is row n-1 of agents.csv. VUs are created before the start
      // so that the storm measures the server, not the creation of JavaScript runtimes.
      preAllocatedVUs: AGENT_COUNT,
      maxVUs: AGENT_COUNT,
      // Time for the hold and the logout after the last login.
      gracefulStop: `${Math.ceil(HOLD_S) + 30}s`,
    },
  },
  thresholds: {
    // Every login arrived on time: an arrival that found no free VU is a dropped iteration.
    dropped_iterations: ['count==0'],
    // Every desktop opened: the count must be exactly the number of agents (no failed opens).
    'cti_sessions{result:opened}': [`count==${AGENT_COUNT}`],
    cti_failures: ['count==0'],
    checks: ['rate==1'],
    // OPEN_REQ → OPEN_CONF under the storm. Cisco asks clients to allow 30 s and more for a
    // server busy with many opens; a lab that needs more than a second at p95 is struggling.
    cti_session_open_duration: ['p(95)<1000', 'p(99)<3000'],
    // LOGIN and READY requests (SET_AGENT_STATE_REQ) under the storm.
    'cti_request_duration{msg:SET_AGENT_STATE_REQ}': ['p(95)<500', 'p(99)<1000'],
    // The agent's view: desktop start to READY.
    login_to_ready: ['p(95)<2000'],
  },
  // Simulator only: a population covering every row this scenario uses (agents.csv has 2,000).
  simulator: { agents: 2000, agentPassword: __ENV.AGENT_PASSWORD || '' },
};

// setup runs once before the storm: the instant every desktop logs out, the same for all.
export function setup() {
  return { logoutAt: Date.now() + (3 * STAGE_S + HOLD_S) * 1000 };
}

export default function (data) {
  const start = Date.now();
  // Desktops heartbeat every 30 s, as agent desktops usually do (5 s is the protocol's minimum
  // and would add 400 heartbeats/s at 2,000 sessions).
  const desk = connect(agent(__VU - 1), { heartbeat: '30s' });
  if (!login(desk)) {
    desk.close();
    return;
  }
  loginToReady.add(Date.now() - start);
  // Ready and idle until the shift "starts" for everyone; then the logout wave.
  sleep(Math.max(0, (data.logoutAt - Date.now()) / 1000));
  logout(desk);
}
