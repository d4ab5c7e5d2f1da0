// An exception in init code: the run cannot start (exit 107) and the message points here.
import cti from 'ctiload/cti';

export const options = { vus: 1, iterations: 1 };

const table = { agents: 3 };
if (table.agents < 5) {
  throw new Error('not enough agents for this scenario');
}

export default function () {
  cti.connect('', { agentId: '5001', extension: '1001' });
}
