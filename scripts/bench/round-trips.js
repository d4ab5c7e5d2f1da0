// round-trips.js — request round trips a second: VUS VUs (default 10), each with its own agent
// session against --target, send one cheap request and wait for its confirmation in a tight loop
// for DURATION (default 10s). QUERY_AGENT_STATE_REQ/CONF by default (REQUEST=heartbeat: the
// session's HEARTBEAT_REQ/CONF through session.request). The figure is the rate of
// cti_requests in the summary ("cti_requests ... N/s"); the client's p99 is the request
// latency's. Run it against `ctiload sim` in its own process, so the two share the machine as
// they would in a lab:
//
//   ctiload sim --quiet --agents 100 &
//   ctiload run --target 127.0.0.1:42027 -e VUS=100 -e DURATION=10s scripts/bench/round-trips.js
//
// scripts/bench/round-trips.sh does this, times both processes with /usr/bin/time and adds the
// round trips per CPU-second of both (see docs/performance.md, "Request round trips").
//
// Agents are FIRST_AGENT+VU-1 (default 5000) on extensions FIRST_EXTENSION+VU-1 (default 1000),
// peripheral PERIPHERAL_ID (default 5000): the simulator's defaults. It logs nobody in, but do
// not point it at a production server: it is a load test at full speed.
import { check } from 'ctiload';
import cti from 'ctiload/cti';

const VUS = Number(__ENV.VUS || 10);
const REQUEST = (__ENV.REQUEST || 'query').toLowerCase();
const FIRST_AGENT = Number(__ENV.FIRST_AGENT || 5000);
const FIRST_EXTENSION = Number(__ENV.FIRST_EXTENSION || 1000);
const PERIPHERAL_ID = Number(__ENV.PERIPHERAL_ID || 5000);
if (REQUEST !== 'query' && REQUEST !== 'heartbeat') {
  throw new Error(`REQUEST: want query or heartbeat, got ${JSON.stringify(__ENV.REQUEST)}`);
}

export const options = {
  scenarios: {
    roundTrips: { executor: 'constant-vus', vus: VUS, duration: __ENV.DURATION || '10s' },
  },
  thresholds: {
    // Every round trip answered: a failure here means the figure is not a round-trip rate.
    cti_failures: ['count==0'],
  },
};

let desk;

// One session per VU, opened before its first iteration and closed by the run at the end.
export function vuSetup() {
  desk = cti.connect('', {
    agentId: String(FIRST_AGENT + __VU - 1),
    extension: String(FIRST_EXTENSION + __VU - 1),
    peripheralId: PERIPHERAL_ID,
    heartbeat: 0,
  });
}

// One round trip per iteration.
export default function () {
  const r = REQUEST === 'query' ? desk.queryState() : desk.request('HEARTBEAT_REQ', {});
  if (!r.ok) check(r, { 'confirmed': (x) => x.ok });
}
