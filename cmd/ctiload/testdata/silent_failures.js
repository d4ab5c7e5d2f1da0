// A run that goes badly without a threshold to say so: every iteration throws after a refused
// open (wrong peripheral ID). JUDGE=1 adds thresholds that cover both, which silences the
// warnings (and fails the run, as it should).
import cti from 'ctiload/cti';

export const options = {
  scenarios: { main: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } },
  thresholds: __ENV.JUDGE ? { failed_iterations: ['count<1'], 'cti_sessions{result:failed}': ['count<1'] } : {},
};

export default function () {
  const agent = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), peripheralId: 4999, heartbeat: 0 });
  agent.close();
  throw new Error('the desk is broken');
}
