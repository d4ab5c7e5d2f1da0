package jsapi_test

import (
	"testing"

	"github.com/ctiload/ctiload/cti/sim"
)

// A supervisor's script: monitor an agent's phone, take the agent's call from a monitored event,
// snapshot the phone, barge in, leave, stop the monitor; and the argument errors.
func TestSupervisorHelpers(t *testing.T) {
	srv := newSim(t, sim.Config{})
	vu, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0);
  must(a.login(), 'login a');
  must(a.setState('READY'), 'ready a');
  const sup = cti.connect('sim', { agentId: '5009', extension: '1009', heartbeat: 0,
    services: 'CTI_SERVICE_CLIENT_EVENTS|CTI_SERVICE_CLIENT_CONTROL|CTI_SERVICE_SUPERVISOR|CTI_SERVICE_PERIPHERAL_MONITOR' });
  must(sup.login(), 'login supervisor');
  const m = must(sup.monitor('1000', { call: 'CALL_ESTABLISHED_MASK|CALL_CONFERENCED_MASK', agentState: 'AGENT_TALKING_MASK' }), 'monitor');
  if (typeof m.monitorId !== 'number' || m.monitorId !== m.message.MonitorID) fail('monitorId ' + JSON.stringify(m));

  const c = agent(2);
  must(c.login(), 'login c');
  must(c.makeCall('8000'), 'makeCall');
  const call = a.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' });
  must(a.answer(call), 'answer');

  const seen = sup.waitFor('CALL_ESTABLISHED_EVENT', { timeout: '5s', where: (e) => e.MonitorID === m.monitorId });
  if (!seen || seen.ConnectionDeviceID !== '1000') fail('monitored CALL_ESTABLISHED ' + JSON.stringify(seen));
  const snap = must(sup.snapshotDevice('1000'), 'snapshotDevice');
  if (snap.message.NumCalls !== 1 || snap.message.DeviceCalls[0].CallDeviceConnectionState !== 'LCS_CONNECT') fail('snapshot ' + JSON.stringify(snap.message));
  if (must(sup.snapshotDevice(), 'own snapshot').message.NumCalls !== 0) fail('own phone has a call');

  let r = sup.supervise(seen, 'MONITOR');
  if (r.ok || r.codeName !== 'E_CTI_FUNCTION_NOT_AVAILABLE') fail('silent monitor: ' + JSON.stringify(r));
  must(sup.supervise(seen, 'BARGE_IN'), 'barge in');
  const conf = a.waitFor('CALL_CONFERENCED_EVENT', { timeout: '5s' });
  if (!conf || conf.EventCause !== 'CEC_SUPERVISOR_BARGE_IN' || conf.AddedPartyDeviceID !== '1009') fail('conferenced ' + JSON.stringify(conf));
  must(sup.supervise(seen, 'SUPERVISOR_CLEAR'), 'clear');
  must(sup.stopMonitor(m), 'stopMonitor');
  r = sup.stopMonitor(m.monitorId);
  if (r.ok || r.codeName !== 'E_CTI_INVALID_MONITORID') fail('second stop: ' + JSON.stringify(r));

  for (const [what, f, want] of [
    ['supervise without action', () => sup.supervise(seen), 'argument 2: want the action'],
    ['supervise bad action', () => sup.supervise(seen, 'LISTEN'), 'argument 2'],
    ['monitor nothing', () => sup.monitor(), 'want a device'],
    ['monitor bad option', () => sup.monitor('1000', { calls: 1 }), 'unknown option "calls"'],
    ['stopMonitor nothing', () => sup.stopMonitor(), 'want a monitor ID'],
  ]) {
    let msg = '';
    try { f(); } catch (e) { msg = String(e); }
    if (!msg.includes(want)) fail(what + ': ' + msg);
  }
  a.clear(call);
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := find(vu.all, "cti_request_duration", "msg", "SUPERVISE_CALL_REQ", "status", "ok"); len(s) != 2 {
		t.Errorf("cti_request_duration{SUPERVISE_CALL_REQ,ok}: %d samples, want 2", len(s))
	}
}
