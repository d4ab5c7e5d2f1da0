package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctiload/ctiload/cti"
)

// SkillGroup is one skill group of the simulated peripheral: its members and the number that
// queues calls for it. A call waits in its group's queue and goes to the group's
// longest-available member; an agent of several groups is offered the call that has waited
// longest in any of them.
type SkillGroup struct {
	// Number is the SkillGroupNumber (and, on UCCE, the SkillGroupID) of the group.
	Number uint32
	// DialedNumber queues a call for this group: an inbound call (Server.OfferCall, the
	// generator) or a desktop dialling it. Calls.DialedNumber reaches the first group too, unless
	// another group claims it. A group without a number of its own is reached only by its share
	// of generated calls (or, for the first, through Calls.DialedNumber).
	DialedNumber string
	// Agents are the IDs of the members; empty means every agent.
	Agents []string
}

// skillGroup is a skill group at run time: its queue, its available members longest-available
// first, and its counters. Guarded by center.mu.
type skillGroup struct {
	num    uint32
	dialed string // the number that queues for it (never empty after normalize)
	queue  []*call
	avail  availList
	stats  SkillGroupCounters

	to5, toHalf, today statBlock // statistics intervals (statistics.go)
}

// member is an agent's place in one group's available list.
type member struct {
	g          *skillGroup
	a          *agent
	prev, next *member
	in         bool
}

// availList is the AVAILABLE members of a group, longest available first: a member joins at the
// tail when its agent becomes available, so the head is the one to route to (O(1) both ways).
type availList struct {
	head, tail *member
	n          int
}

func (l *availList) push(m *member) {
	if m.in {
		return
	}
	m.in = true
	m.prev, m.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = m
	} else {
		l.head = m
	}
	l.tail = m
	l.n++
}

func (l *availList) remove(m *member) {
	if !m.in {
		return
	}
	if m.prev != nil {
		m.prev.next = m.next
	} else {
		l.head = m.next
	}
	if m.next != nil {
		m.next.prev = m.prev
	} else {
		l.tail = m.prev
	}
	m.prev, m.next, m.in = nil, nil, false
	l.n--
}

// SkillGroupCounters are one skill group's calls, in Counters.SkillGroups.
type SkillGroupCounters struct {
	Queued    int64 `json:"queued"`    // calls that entered the group's queue (re-queues included)
	Delivered int64 `json:"delivered"` // calls offered to a member
	Abandoned int64 `json:"abandoned"` // callers that left the group's queue
	Waiting   int64 `json:"waiting"`   // in the queue now
	Available int64 `json:"available"` // members AVAILABLE now
}

// normalizeSkillGroups fills Config.SkillGroups: from Agents.SkillGroups when none is given
// (every agent in every group, the first reached through Calls.DialedNumber), and checks that
// numbers, dialed numbers and members make sense.
func (c *Config) normalizeSkillGroups() []error {
	a, k := &c.Agents, &c.Calls
	var errs []error
	if len(c.SkillGroups) == 0 {
		sgs := a.SkillGroups
		if len(sgs) == 0 {
			sgs = []uint32{1}
		}
		for i, n := range sgs {
			g := SkillGroup{Number: n}
			if i == 0 {
				g.DialedNumber = k.DialedNumber
			}
			c.SkillGroups = append(c.SkillGroups, g)
		}
	} else {
		c.SkillGroups = slices.Clone(c.SkillGroups)
		if len(a.SkillGroups) > 0 {
			errs = append(errs, fmt.Errorf("sim: every agent's skill groups (Agents.SkillGroups %v, --skill-groups) and the skill groups with members (SkillGroups, --skill-group) exclude each other: set one", a.SkillGroups))
		}
	}
	first, last := a.FirstID, a.FirstID+a.Count-1
	seenNum := map[uint32]bool{}
	seenDialed := map[string]uint32{}
	for i := range c.SkillGroups {
		g := &c.SkillGroups[i]
		g.Agents = slices.Clone(g.Agents)
		if g.Number == 0 || g.Number == noneID {
			errs = append(errs, fmt.Errorf("sim: skill group number %d is reserved (--skill-group)", g.Number))
		}
		if seenNum[g.Number] {
			errs = append(errs, fmt.Errorf("sim: skill group %d is given twice (--skill-group)", g.Number))
		}
		seenNum[g.Number] = true
		if g.DialedNumber != "" {
			if other, dup := seenDialed[g.DialedNumber]; dup {
				errs = append(errs, fmt.Errorf("sim: skill groups %d and %d both have dialed number %s (--skill-group)", other, g.Number, g.DialedNumber))
			}
			seenDialed[g.DialedNumber] = g.Number
		}
		for _, id := range g.Agents {
			n, err := strconv.Atoi(id)
			if err != nil || n < first || n > last {
				errs = append(errs, fmt.Errorf("sim: skill group %d lists agent %q, which is not one of the agents %d…%d (--first-agent-id, --agents)", g.Number, id, first, last))
			}
		}
	}
	return errs
}

// buildSkillGroups creates the run-time groups and every agent's memberships.
func (c *center) buildSkillGroups() {
	c.groupByNum = make(map[uint32]*skillGroup, len(c.cfg.SkillGroups))
	c.groupByDialed = make(map[string]*skillGroup, len(c.cfg.SkillGroups))
	for _, sc := range c.cfg.SkillGroups {
		g := &skillGroup{num: sc.Number, dialed: sc.DialedNumber}
		if g.dialed == "" {
			g.dialed = c.cfg.Calls.DialedNumber
		} else {
			c.groupByDialed[g.dialed] = g
		}
		c.groups = append(c.groups, g)
		c.groupByNum[g.num] = g
		if len(sc.Agents) == 0 {
			for _, a := range c.agentList {
				c.join(a, g)
			}
			continue
		}
		for _, id := range sc.Agents {
			if a := c.agents[id]; a != nil {
				c.join(a, g)
			}
		}
	}
	if _, ok := c.groupByDialed[c.cfg.Calls.DialedNumber]; !ok {
		c.groupByDialed[c.cfg.Calls.DialedNumber] = c.groups[0]
	}
}

func (c *center) join(a *agent, g *skillGroup) {
	for _, m := range a.memb {
		if m.g == g {
			return
		}
	}
	a.memb = append(a.memb, &member{g: g, a: a})
	a.sgs = append(a.sgs, g.num)
}

// groupFor is the skill group a dialled number queues for, or nil.
func (c *center) groupFor(number string) *skillGroup {
	if number == c.cfg.Calls.RouteDevice {
		number = c.cfg.Calls.DialedNumber
	}
	return c.groupByDialed[number]
}

// setAvailable puts an agent at the tail of every group's available list, or takes it out.
func (c *center) setAvailable(a *agent, avail bool) {
	if avail == a.inAvail {
		return
	}
	a.inAvail = avail
	for _, m := range a.memb {
		if avail {
			m.g.avail.push(m)
		} else {
			m.g.avail.remove(m)
		}
	}
	if avail {
		c.nAvail++
	} else {
		c.nAvail--
	}
}

// routeQueued gives queued calls to the longest-available members of their groups: of the calls
// at the head of a queue whose group has an available member, the one queued first goes next.
func (c *center) routeQueued(t *tx) {
	t.route = false
	for !c.pgOffline {
		var best *skillGroup
		for _, g := range c.groups {
			if len(g.queue) == 0 || g.avail.head == nil {
				continue
			}
			if best == nil || g.queue[0].queuedAt.Before(best.queue[0].queuedAt) {
				best = g
			}
		}
		if best == nil {
			return
		}
		cl := best.queue[0]
		a := best.avail.head.a
		c.dequeue(t, cl, cti.CECNone)
		if cl.queueTimer != nil {
			cl.queueTimer.Stop()
			cl.queueTimer = nil
		}
		best.stats.Delivered++
		c.deliver(t, cl, a.dev, true)
	}
}

// queuedCalls is the number of calls waiting in every queue.
func (c *center) queuedCalls() int {
	n := 0
	for _, g := range c.groups {
		n += len(g.queue)
	}
	return n
}

// skillGroupCounters snapshots every group's counters, by group number. Under c.mu.
func (c *center) skillGroupCounters() map[string]SkillGroupCounters {
	out := make(map[string]SkillGroupCounters, len(c.groups))
	for _, g := range c.groups {
		s := g.stats
		s.Waiting, s.Available = int64(len(g.queue)), int64(g.avail.n)
		out[strconv.FormatUint(uint64(g.num), 10)] = s
	}
	return out
}

// ParseSkillGroup parses a skill group given as NUMBER[=DIALED][:AGENTS], the syntax of
// --skill-group: "2=8002:5000-5049,5080" is group 2, reached by dialling 8002, with agents
// 5000…5049 and 5080 as members. Without AGENTS every agent is a member.
func ParseSkillGroup(s string) (SkillGroup, error) {
	var g SkillGroup
	head, members, hasMembers := strings.Cut(s, ":")
	num, dialed, _ := strings.Cut(head, "=")
	n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 32)
	if err != nil || n == 0 {
		return g, fmt.Errorf("%q: want NUMBER[=DIALED][:AGENTS] with a skill group number above 0, e.g. 2=8002:5000-5049", s)
	}
	g.Number, g.DialedNumber = uint32(n), strings.TrimSpace(dialed)
	if hasMembers {
		if g.Agents, err = ParseAgentIDs(members); err != nil {
			return g, fmt.Errorf("%q: %w", s, err)
		}
		if len(g.Agents) == 0 {
			return g, fmt.Errorf("%q: no agents after the colon (leave the colon out for every agent)", s)
		}
	}
	return g, nil
}

// ParseAgentIDs parses a list of agent IDs and ranges: "5000-5049,5080".
func ParseAgentIDs(s string) ([]string, error) {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a || b-a >= 1_000_000 {
			return nil, fmt.Errorf("agent IDs %q: want numbers and ranges such as 5000-5049,5080", part)
		}
		for id := a; id <= b; id++ {
			out = append(out, strconv.Itoa(id))
		}
	}
	return out, nil
}
