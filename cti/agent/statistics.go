package agent

import (
	"context"
	"fmt"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// NullSkillGroup is NULL_SKILL_GROUP (0xFFFFFFFF): a skill-group field that is not given.
const NullSkillGroup uint32 = 0xFFFFFFFF

// QueryStatistics sends QUERY_AGENT_STATISTICS_REQ for the desk's agent; the reply is a
// *cti.QueryAgentStatisticsConf (84 counters, "Session" since login and "Today" since
// midnight). The request names the agent and its instrument, which a bridge or monitor session
// must and an agent session may. Unified CCX has no such message (its statistics queries are
// others): the desk refuses it there without sending anything.
func (d *Desk) QueryStatistics(ctx context.Context) (client.Reply, error) {
	if d.conn.Version().IsUCCX() {
		return client.Reply{}, fmt.Errorf("%w: QUERY_AGENT_STATISTICS_REQ is a Unified CCE message; Unified CCX (%s) does not define it", ErrInvalidArgument, d.conn.Version())
	}
	req := &cti.QueryAgentStatisticsReq{PeripheralID: d.id.PeripheralID, AgentID: d.id.ID, AgentInstrument: d.id.Instrument}
	return d.conn.Do(ctx, req)
}

// QuerySkillGroupStatistics sends QUERY_SKILL_GROUP_STATISTICS_REQ for a skill group by its
// SkillGroupNumber (SkillGroupID NULL_SKILL_GROUP); the reply is a
// *cti.QuerySkillGroupStatisticsConf. Unified CCE only, as [Desk.QueryStatistics].
func (d *Desk) QuerySkillGroupStatistics(ctx context.Context, number uint32) (client.Reply, error) {
	if d.conn.Version().IsUCCX() {
		return client.Reply{}, fmt.Errorf("%w: QUERY_SKILL_GROUP_STATISTICS_REQ is a Unified CCE message; Unified CCX (%s) does not define it", ErrInvalidArgument, d.conn.Version())
	}
	if number == NullSkillGroup {
		return client.Reply{}, fmt.Errorf("%w: skill group number %d is NULL_SKILL_GROUP", ErrInvalidArgument, number)
	}
	req := &cti.QuerySkillGroupStatisticsReq{PeripheralID: d.id.PeripheralID, SkillGroupNumber: number, SkillGroupID: NullSkillGroup}
	return d.conn.Do(ctx, req)
}

// QueryQueueStatistics sends Unified CCX's QUERY_AGENT_QUEUE_STATISTICS_REQ for the desk's agent:
// the reply is a *cti.QueryAgentQueueStatisticsConf (CallsInQueue and OldestCallInQueue over the
// agent's CSQs). Unified CCE has no such message: the desk refuses it there without sending it.
func (d *Desk) QueryQueueStatistics(ctx context.Context) (client.Reply, error) {
	if !d.conn.Version().IsUCCX() {
		return client.Reply{}, fmt.Errorf("%w: QUERY_AGENT_QUEUE_STATISTICS_REQ is a Unified CCX message; Unified CCE (%s) does not define it", ErrInvalidArgument, d.conn.Version())
	}
	return d.conn.Do(ctx, &cti.QueryAgentQueueStatisticsReq{LongAgentID: d.id.ID})
}
