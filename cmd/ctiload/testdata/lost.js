// One agent whose connection the simulator drops at its 3rd request (run with
// --sim-drop-after 3): the drop fails one request, the session is lost, and the request made
// afterwards is E_NOT_SENT (no request to the server).
import cti from 'ctiload/cti';

export const options = {
  scenarios: { one: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '20s' } },
  simulator: { agents: 5 },
};

export default function () {
  const agent = cti.connect('', { agentId: '5001', extension: '1001', heartbeat: 0 });
  agent.login({ password: 'secret-pw-1234' }); // request 2
  agent.queryState();                          // request 3: dropped
  agent.queryState();                          // on the lost session: not sent
  agent.close();
}
