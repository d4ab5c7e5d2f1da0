package sim_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// drain reads every message until nothing comes for a while and hands each to f. Inside a
// synctest bubble "a while" passes only once the simulator has nothing more to send.
func (c *client) drain(f func(cti.Message)) {
	c.t.Helper()
	for {
		c.conn.SetReadDeadline(time.Now().Add(quiet))
		m, err := c.fr.ReadMessage(c.v)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			c.fr = cti.NewFrameReader(c.conn, 0)
			return
		}
		if err != nil {
			c.t.Fatalf("%s: read: %v", c.name, err)
		}
		f(m)
	}
}

// routingModel follows a bridge session's events and checks the routing rules: a call queued
// for a skill group is delivered only to a member of that group, and to the member that has
// been AVAILABLE the longest; no call waits while a member of its group is AVAILABLE.
type routingModel struct {
	t        *testing.T
	members  map[uint32][]string // group → agent IDs
	extAgent map[string]string
	avail    []string          // AVAILABLE agents, longest available first
	queued   map[uint32]uint32 // call → group, while queued
	dequeued map[uint32]uint32 // call → group it just left
	reserved string            // the agent made RESERVED just now …
	before   []string          // … and the available list before that
	delivers int
}

func (m *routingModel) event(msg cti.Message) {
	t := m.t
	switch ev := msg.(type) {
	case *cti.AgentStateEvent:
		id := ev.AgentID
		i := slices.Index(m.avail, id)
		if ev.AgentState == cti.AgentStateReserved {
			m.reserved, m.before = id, slices.Clone(m.avail)
		}
		if ev.AgentState == cti.AgentStateAvailable && i < 0 {
			m.avail = append(m.avail, id)
		} else if ev.AgentState != cti.AgentStateAvailable && i >= 0 {
			m.avail = slices.Delete(m.avail, i, i+1)
		}
	case *cti.CallQueuedEvent:
		m.queued[ev.ConnectionCallID] = ev.SkillGroups[0].SkillGroupNumber
	case *cti.CallDequeuedEvent:
		g := ev.SkillGroups[0].SkillGroupNumber
		if m.queued[ev.ConnectionCallID] != g {
			t.Errorf("call %d dequeued from group %d; it was queued for %d", ev.ConnectionCallID, g, m.queued[ev.ConnectionCallID])
		}
		delete(m.queued, ev.ConnectionCallID)
		m.dequeued[ev.ConnectionCallID] = g
	case *cti.CallDeliveredEvent:
		g, ok := m.dequeued[ev.ConnectionCallID]
		if !ok {
			return
		}
		delete(m.dequeued, ev.ConnectionCallID)
		m.delivers++
		agent := m.extAgent[ev.AlertingDeviceID]
		if ev.SkillGroupNumber != g {
			t.Errorf("call %d: CALL_DELIVERED_EVENT SkillGroupNumber %d; it waited in group %d", ev.ConnectionCallID, ev.SkillGroupNumber, g)
		}
		if !slices.Contains(m.members[g], agent) {
			t.Errorf("call %d of group %d delivered to agent %s, not a member (%v)", ev.ConnectionCallID, g, agent, m.members[g])
		}
		if agent != m.reserved {
			t.Errorf("call %d delivered to %s; the agent made RESERVED was %s", ev.ConnectionCallID, agent, m.reserved)
		}
		for _, a := range m.before {
			if slices.Contains(m.members[g], a) {
				if a != agent {
					t.Errorf("call %d of group %d went to %s; %s had been available longer (available: %v)", ev.ConnectionCallID, g, agent, a, m.before)
				}
				break
			}
		}
	}
}

// settled checks, once the simulator is quiet, that no queued call has an available member.
func (m *routingModel) settled() {
	for call, g := range m.queued {
		for _, a := range m.avail {
			if slices.Contains(m.members[g], a) {
				m.t.Errorf("call %d waits in group %d while member %s is AVAILABLE", call, g, a)
			}
		}
	}
}

// TestSkillGroupRoutingProperty: random memberships, arrivals and agent moves; the model above
// checks every delivery the bridge session sees.
func TestSkillGroupRoutingProperty(t *testing.T) {
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { routingProperty(t, seed) })
		})
	}
}

func routingProperty(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	const nAgents = 6
	groups := []uint32{11, 12, 13}
	model := &routingModel{t: t, members: map[uint32][]string{}, extAgent: map[string]string{},
		queued: map[uint32]uint32{}, dequeued: map[uint32]uint32{}}
	cfg := sim.Config{Agents: sim.AgentsConfig{Count: nAgents}}
	for i, g := range groups {
		sg := sim.SkillGroup{Number: g}
		if i > 0 {
			sg.DialedNumber = strconv.Itoa(8000 + int(g))
		}
		for a := range nAgents {
			if rng.IntN(2) == 0 {
				sg.Agents = append(sg.Agents, strconv.Itoa(sim.DefaultFirstAgentID+a))
			}
		}
		if len(sg.Agents) == 0 {
			sg.Agents = []string{strconv.Itoa(sim.DefaultFirstAgentID + rng.IntN(nAgents))}
		}
		model.members[g] = sg.Agents
		cfg.SkillGroups = append(cfg.SkillGroups, sg)
	}
	for a := range nAgents {
		model.extAgent[strconv.Itoa(sim.DefaultFirstExtension+a)] = strconv.Itoa(sim.DefaultFirstAgentID + a)
	}
	srv := newPipeSim(t, cfg)
	bridge := openAll(t, srv, cti.V24)
	state := map[string]cti.AgentState{} // agent → its state, as the bridge saw it
	ringing := map[string]uint32{}       // agent → a call alerting at it
	talking := map[string]uint32{}       // agent → its connected call
	track := func(m cti.Message) {
		model.event(m)
		switch ev := m.(type) {
		case *cti.AgentStateEvent:
			state[ev.AgentID] = ev.AgentState
		case *cti.CallDeliveredEvent:
			if a := model.extAgent[ev.AlertingDeviceID]; a != "" {
				ringing[a] = ev.ConnectionCallID
			}
		}
	}
	act := func(m cti.Message) {
		bridge.send(m)
		synctest.Wait()
		bridge.drain(track)
		model.settled()
	}
	for step := 0; step < 60; step++ {
		id := strconv.Itoa(sim.DefaultFirstAgentID + rng.IntN(nAgents))
		ext := strconv.Itoa(sim.DefaultFirstExtension + (mustAtoi(id) - sim.DefaultFirstAgentID))
		switch r := rng.IntN(10); {
		case r < 4:
			g := groups[rng.IntN(len(groups))]
			if _, err := srv.OfferCall(sim.CallOptions{SkillGroup: g, TalkTime: -1}); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
			bridge.drain(track)
			model.settled()
		case state[id] == 0 || state[id] == cti.AgentStateLogout:
			act(&cti.SetAgentStateReq{PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateLogin, AgentID: id, AgentInstrument: ext})
		case state[id] == cti.AgentStateNotReady:
			act(&cti.SetAgentStateReq{PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateAvailable, AgentID: id})
		case state[id] == cti.AgentStateAvailable:
			act(&cti.SetAgentStateReq{PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateNotReady, AgentID: id})
		case state[id] == cti.AgentStateReserved:
			call := ringing[id]
			delete(ringing, id)
			talking[id] = call
			act(&cti.AnswerCallReq{PeripheralID: sim.DefaultPeripheralID, ConnectionCallID: call, ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: ext})
		case state[id] == cti.AgentStateTalking:
			act(&cti.ClearCallReq{PeripheralID: sim.DefaultPeripheralID, ConnectionCallID: talking[id], ConnectionDeviceIDType: cti.ConnectionIDDynamic, ConnectionDeviceID: ext})
			delete(talking, id)
		}
	}
	if model.delivers == 0 {
		t.Fatalf("no call was routed in 60 steps: the property was not exercised")
	}
	n := srv.Counters()
	var delivered int64
	for _, g := range n.SkillGroups {
		delivered += g.Delivered
	}
	check(t, "deliveries counted per skill group", delivered, model.delivers)
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// TestSkillGroupQueue follows docs/simulator.md "Skill groups": a call to group 2's number waits
// although an agent of group 1 is AVAILABLE, and goes to group 2's agent when it becomes ready.
func TestSkillGroupQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newPipeSim(t, sim.Config{
			Agents: sim.AgentsConfig{Count: 2},
			SkillGroups: []sim.SkillGroup{
				{Number: 1, Agents: []string{"5000"}},
				{Number: 2, DialedNumber: "8002", Agents: []string{"5001"}},
			},
		})
		mon := openAll(t, srv, cti.V24)
		a, _ := openAgent(t, srv, cti.V24, "deskA", "1000", "")
		a.loginReady("5000")
		b, _ := openAgent(t, srv, cti.V24, "deskB", "1001", "")
		b.setState(cti.AgentStateLogin, 0, "5001")
		b.expect(cti.MsgSetAgentStateConf)
		ev := b.agentState(cti.AgentStateNotReady)
		check(t, "B's skill groups", ev.SkillGroups[0].SkillGroupNumber, 2)
		mon.expect(cti.MsgAgentStateEvent, cti.MsgAgentStateEvent, cti.MsgAgentStateEvent)

		id, err := srv.OfferCall(sim.CallOptions{DialedNumber: "8002", TalkTime: -1})
		if err != nil {
			t.Fatal(err)
		}
		ms := mon.expect(cti.MsgBeginCallEvent, cti.MsgCallQueuedEvent)
		check(t, "BEGIN_CALL DialedNumber", ms[0].(*cti.BeginCallEvent).DialedNumber, "8002")
		q := ms[1].(*cti.CallQueuedEvent)
		check(t, "queued for", q.SkillGroups, []cti.SkillGroup{{SkillGroupNumber: 2, SkillGroupID: 2, Present: 7}})
		check(t, "queue device", q.QueueDeviceID, "8002")
		check(t, "NumQueued", q.NumQueued, 1)
		synctest.Wait()
		mon.expectQuiet()
		a.expectQuiet() // A, of group 1, is AVAILABLE and gets nothing

		b.setState(cti.AgentStateAvailable, 0, "")
		b.expect(cti.MsgSetAgentStateConf)
		b.agentState(cti.AgentStateAvailable)
		b.agentState(cti.AgentStateReserved)
		dl := b.expect(cti.MsgBeginCallEvent, cti.MsgCallDeliveredEvent)[1].(*cti.CallDeliveredEvent)
		check(t, "delivered call", dl.ConnectionCallID, id)
		check(t, "delivered SkillGroupNumber", dl.SkillGroupNumber, 2)
		check(t, "LastRedirect", dl.LastRedirectDeviceID, "8002")
		ms = mon.expect(cti.MsgAgentStateEvent, cti.MsgCallDequeuedEvent, cti.MsgAgentStateEvent, cti.MsgCallDeliveredEvent)
		dq := ms[1].(*cti.CallDequeuedEvent)
		check(t, "dequeued from", dq.SkillGroups, []cti.SkillGroup{{SkillGroupNumber: 2, SkillGroupID: 2, Present: 7}})
		check(t, "dequeued cause", dq.EventCause, cti.CECNone)
		check(t, "left in queue", dq.NumQueued, 0)
		sg := srv.Counters().SkillGroups
		check(t, "group 2", sg["2"], sim.SkillGroupCounters{Queued: 1, Delivered: 1})
		check(t, "group 1", sg["1"], sim.SkillGroupCounters{Available: 1})
	})
}

// TestTenThousandAgentsDefaults: 10,000 agents from extension 1000 cover 8000, so the default
// dialed number moves past the last extension instead of refusing to start.
func TestTenThousandAgentsDefaults(t *testing.T) {
	srv := newPipeSim(t, sim.Config{Agents: sim.AgentsConfig{Count: 10000}})
	if _, err := srv.OfferCall(sim.CallOptions{DialedNumber: "800000"}); err != nil {
		t.Errorf("the default dialed number of 10,000 agents is not 800000: %v", err)
	}
	_, err := sim.New(sim.Config{Agents: sim.AgentsConfig{Count: 10000}, Calls: sim.CallsConfig{DialedNumber: "8000"}})
	want := "sim: the dialed number (--dialed-number) 8000 is also the extension of agent 12000 (extensions 1000…10999 from --first-extension 1000 and --agents 10000): change --dialed-number, --first-extension or --agents"
	if err == nil || err.Error() != want {
		t.Errorf("New with 8000 among the extensions = %v; want %q", err, want)
	}
}

func TestSkillGroupConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  sim.Config
		want string
	}{
		{"unknown member", sim.Config{SkillGroups: []sim.SkillGroup{{Number: 1, Agents: []string{"7000"}}}},
			`skill group 1 lists agent "7000", which is not one of the agents 5000…5099 (--first-agent-id, --agents)`},
		{"dialed twice", sim.Config{SkillGroups: []sim.SkillGroup{{Number: 1, DialedNumber: "8001"}, {Number: 2, DialedNumber: "8001"}}},
			"skill groups 1 and 2 both have dialed number 8001"},
		{"number twice", sim.Config{SkillGroups: []sim.SkillGroup{{Number: 1}, {Number: 1, DialedNumber: "8001"}}},
			"skill group 1 is given twice"},
		{"both ways", sim.Config{Agents: sim.AgentsConfig{SkillGroups: []uint32{3}}, SkillGroups: []sim.SkillGroup{{Number: 1}}},
			"exclude each other"},
		{"group number is an extension", sim.Config{SkillGroups: []sim.SkillGroup{{Number: 1}, {Number: 2, DialedNumber: "1050"}}},
			"skill group 2's dialed number (--skill-group) 1050 is also the extension of agent 5050"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sim.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v; want an error with %q", err, tt.want)
			}
		})
	}
}

func TestParseSkillGroup(t *testing.T) {
	g, err := sim.ParseSkillGroup("2=8002:5000-5002,5080")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "group", g, sim.SkillGroup{Number: 2, DialedNumber: "8002", Agents: []string{"5000", "5001", "5002", "5080"}})
	g, _ = sim.ParseSkillGroup("7")
	check(t, "bare number", g, sim.SkillGroup{Number: 7})
	for _, bad := range []string{"", "0", "x=1", "2:", "2:5010-5000", "2:abc"} {
		if _, err := sim.ParseSkillGroup(bad); err == nil {
			t.Errorf("ParseSkillGroup(%q) = nil error", bad)
		}
	}
}
