// Every open is refused: the peripheral ID is not the simulator's (E_CTI_INVALID_PERIPHERAL_ID),
// the mistake of the README's first --target example. The run must back off and abort (108).
import cti from 'ctiload/cti';

export const options = {
  vus: 3,
  duration: '60s',
};

export default function () {
  const agent = cti.connect('', { agentId: String(5000 + __VU), extension: String(1000 + __VU), peripheralId: 4999, heartbeat: 0 });
  agent.close();
}
