// An agent session without peripheralId: fine on the built-in simulator (ctiload gives its
// peripheral), an abort before dialling against --target.
import cti from 'ctiload/cti';

export const options = { vus: 1, iterations: 1 };

export default function () {
  cti.connect('', { agentId: '5001', extension: '1001', heartbeat: 0 }).close();
}
