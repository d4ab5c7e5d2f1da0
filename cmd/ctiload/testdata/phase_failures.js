// A failing request in an iteration and another in vuTeardown: the failure table tells them
// apart by the phase tag (for TestRunFailurePhase).
import cti from 'ctiload/cti';

export const options = {
  scenarios: { agents: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } },
};

function agent() {
  return cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: 0 });
}

export function setup() {
  const a = agent();
  a.setState('NOT_READY'); // not logged in: refused
  a.close();
}

export default function () {
  const a = agent();
  a.setState('READY'); // not logged in: refused
  a.close();
}

export function vuTeardown() {
  const a = agent();
  a.setState('READY'); // not logged in: refused
  a.setState('NOT_READY');
  a.close();
}
