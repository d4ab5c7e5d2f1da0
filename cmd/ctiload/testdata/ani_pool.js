// options.simulator.ani shapes the embedded simulator's callers: the delivered call carries it.
import cti from 'ctiload/cti';
export const options = {
  iterations: 1,
  thresholds: { failed_iterations: ['count==0'] },
  simulator: { agents: 2, callRate: '20/s', ani: ['4085550199'] },
};
export default function () {
  const a = cti.connect('', { agentId: '5000', extension: '1000', heartbeat: 0 });
  if (!a.login({ password: 'x' }).ok || !a.setState('READY').ok) throw new Error('login failed');
  const call = a.waitFor('CALL_DELIVERED_EVENT', { timeout: '10s' });
  if (!call || call.ANI !== '4085550199') throw new Error('ANI = ' + (call && call.ANI));
  a.close();
}
