package jsapi_test

import (
	"testing"

	"github.com/ctiload/ctiload/cti/sim"
)

// A script reads its agent's and a skill group's statistics after handling a call, and gets clear
// errors for bad arguments.
func TestStatisticsHelpers(t *testing.T) {
	srv := newSim(t, sim.Config{})
	vu, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0);
  must(a.login(), 'login');
  must(a.setState('READY'), 'ready');
  const caller = agent(2);
  must(caller.login(), 'login caller');
  must(caller.makeCall('8000'), 'makeCall');
  const call = a.waitFor('CALL_DELIVERED_EVENT', { timeout: '5s' });
  must(a.answer(call), 'answer');
  must(a.release(call), 'release');
  a.waitFor('AGENT_STATE_EVENT', { timeout: '5s', where: (e) => e.AgentState === 'AGENT_STATE_AVAILABLE' });

  const st = must(a.queryAgentStatistics(), 'queryAgentStatistics').message;
  // Agent 2 dialled the dialed number: an ACD call of group 1, handled by agent 0.
  if (st.HandledCallsSession !== 1 || st.HandledCallsToday !== 1 || st.AgentID !== '5000') fail('agent statistics ' + JSON.stringify(st));
  const g = must(a.querySkillGroupStatistics(1), 'querySkillGroupStatistics').message;
  // Both agents are members of group 1 (the default); the caller went back to NOT_READY.
  if (g.SkillGroupNumber !== 1 || g.AgentsLoggedOn !== 2 || g.AgentsAvail !== 1 || g.AgentsNotReady !== 1 || g.HandledCallsToday !== 1 || g.CallsQToday !== 1) fail('skill group statistics ' + JSON.stringify(g));
  const r = a.querySkillGroupStatistics(99);
  if (r.ok || r.codeName !== 'E_CTI_INVALID_SKILL_GROUP') fail('unknown group: ' + JSON.stringify(r));

  for (const [what, f, want] of [
    ['no group', () => a.querySkillGroupStatistics(), 'argument 1: want a skill group number'],
    ['NULL_SKILL_GROUP', () => a.querySkillGroupStatistics(4294967295), 'argument 1: want a skill group number'],
    ['a name', () => a.querySkillGroupStatistics('sales'), 'argument 1: want a skill group number'],
  ]) {
    let msg = '';
    try { f(); } catch (e) { msg = String(e); }
    if (!msg.includes(want)) fail(what + ': ' + msg);
  }
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := find(vu.all, "cti_request_duration", "msg", "QUERY_AGENT_STATISTICS_REQ", "status", "ok"); len(s) != 1 {
		t.Errorf("cti_request_duration{QUERY_AGENT_STATISTICS_REQ,ok}: %d samples, want 1", len(s))
	}
}

// On Unified CCX a script reads the agent's queue statistics; the UCCE statistics methods throw
// there with a reason (and queryQueueStatistics on UCCE: cti/agent's TestStatisticsRequestFields).
func TestQueueStatisticsUCCX(t *testing.T) {
	srv := newSim(t, sim.Config{Product: sim.UCCX, Agents: sim.AgentsConfig{SkillGroups: []uint32{12}}})
	_, err := runScript(t, srv, prelude+`
export default function () {
  const a = cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: 0, version: 'uccx:14', peripheralId: 1, idleTimeout: '60s' });
  const q = must(a.queryQueueStatistics(), 'queryQueueStatistics').message;
  if (q.CallsInQueue !== 0 || q.LongAgentID !== '5000') fail('queue statistics ' + JSON.stringify(q));
  let msg = '';
  try { a.queryAgentStatistics(); } catch (e) { msg = String(e); }
  if (!msg.includes('Unified CCX')) fail('queryAgentStatistics on UCCX: ' + msg);
}
`, "")
	if err != nil {
		t.Fatal(err)
	}
}
