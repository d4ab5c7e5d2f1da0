package agent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/agent"
	"github.com/ctiload/ctiload/cti/sim"
)

// A desk reads its agent's statistics and its skill group's after a call: the counts follow
// what happened (times depend on the wall clock here; the simulator's tests check them exactly).
func TestDeskStatistics(t *testing.T) {
	srv := startSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, d := openDesk(t, ctx, srv, 0)
	reply[*cti.SetAgentStateConf](t, "login")(d.Login(ctx, agent.StateOptions{}))
	reply[*cti.SetAgentStateConf](t, "ready")(d.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{}))
	if _, err := srv.OfferCall(sim.CallOptions{TalkTime: -1}); err != nil {
		t.Fatal(err)
	}
	call, _ := agent.CallOf(waitEvent[*cti.CallDeliveredEvent](t, ctx, s, nil))
	reply[*cti.AnswerCallConf](t, "answer")(d.Answer(ctx, call))
	reply[*cti.ClearConnectionConf](t, "release")(d.Release(ctx, call))
	waitEvent(t, ctx, s, func(e *cti.AgentStateEvent) bool { return e.AgentState == cti.AgentStateAvailable })

	st := reply[*cti.QueryAgentStatisticsConf](t, "agent statistics")(d.QueryStatistics(ctx))
	if st.HandledCallsSession != 1 || st.HandledCallsToday != 1 || st.AgentID != "5000" || st.AgentInstrument != "1000" {
		t.Errorf("QUERY_AGENT_STATISTICS_CONF: handled %d/%d, agent %q at %q; want 1/1, 5000 at 1000",
			st.HandledCallsSession, st.HandledCallsToday, st.AgentID, st.AgentInstrument)
	}
	g := reply[*cti.QuerySkillGroupStatisticsConf](t, "skill group statistics")(d.QuerySkillGroupStatistics(ctx, 1))
	if g.SkillGroupNumber != 1 || g.AgentsLoggedOn != 1 || g.AgentsAvail != 1 || g.HandledCallsToday != 1 || g.CallsQToday != 1 {
		t.Errorf("QUERY_SKILL_GROUP_STATISTICS_CONF group %d: logged on %d, avail %d, handled %d, queued %d; want 1, 1, 1, 1, 1",
			g.SkillGroupNumber, g.AgentsLoggedOn, g.AgentsAvail, g.HandledCallsToday, g.CallsQToday)
	}
	if _, err := d.QuerySkillGroupStatistics(ctx, 99); err == nil {
		t.Error("an unknown skill group: no error")
	}
}

// What a desk puts in the statistics requests, and that a Unified CCX desk sends none.
func TestStatisticsRequestFields(t *testing.T) {
	rec := &recorder{v: cti.V24}
	d := agent.New(rec, agent.Identity{ID: "5000", Extension: "1000", PeripheralID: 5000})
	ctx := context.Background()
	_, _ = d.QueryStatistics(ctx)
	_, _ = d.QuerySkillGroupStatistics(ctx, 7)
	q := rec.sent[0].(*cti.QueryAgentStatisticsReq)
	if q.PeripheralID != 5000 || q.AgentID != "5000" || q.AgentInstrument != "1000" {
		t.Errorf("QUERY_AGENT_STATISTICS_REQ %+v", q)
	}
	g := rec.sent[1].(*cti.QuerySkillGroupStatisticsReq)
	if g.PeripheralID != 5000 || g.SkillGroupNumber != 7 || g.SkillGroupID != agent.NullSkillGroup {
		t.Errorf("QUERY_SKILL_GROUP_STATISTICS_REQ %+v", g)
	}
	if _, err := d.QuerySkillGroupStatistics(ctx, agent.NullSkillGroup); !errors.Is(err, agent.ErrInvalidArgument) {
		t.Errorf("NULL_SKILL_GROUP: %v, want ErrInvalidArgument", err)
	}

	uccx, err := cti.ParseVersion("uccx:12")
	if err != nil {
		t.Fatal(err)
	}
	rec = &recorder{v: uccx}
	d = agent.New(rec, agent.Identity{ID: "5000", Extension: "1000", PeripheralID: 1})
	_, errA := d.QueryStatistics(ctx)
	_, errG := d.QuerySkillGroupStatistics(ctx, 7)
	if !errors.Is(errA, agent.ErrInvalidArgument) || !errors.Is(errG, agent.ErrInvalidArgument) || len(rec.sent) != 0 {
		t.Errorf("UCCX: errors %v / %v, %d requests sent; want ErrInvalidArgument and none", errA, errG, len(rec.sent))
	}
	_, _ = d.QueryQueueStatistics(ctx)
	if q, ok := rec.sent[0].(*cti.QueryAgentQueueStatisticsReq); !ok || q.LongAgentID != "5000" {
		t.Errorf("UCCX QUERY_AGENT_QUEUE_STATISTICS_REQ %+v", rec.sent[0])
	}
	rec = &recorder{v: cti.V24}
	d = agent.New(rec, agent.Identity{ID: "5000", Extension: "1000", PeripheralID: 5000})
	if _, err := d.QueryQueueStatistics(ctx); !errors.Is(err, agent.ErrInvalidArgument) || len(rec.sent) != 0 {
		t.Errorf("UCCE QueryQueueStatistics: %v, %d sent; want ErrInvalidArgument and none", err, len(rec.sent))
	}
}
