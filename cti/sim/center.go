package sim

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// center is the simulated peripheral: agents, devices, calls, the queue and the sessions that
// watch them. One center may serve two listening sides (a Duplex). Everything below mu is guarded
// by it; a request takes it once, briefly, and every message it causes is queued on the
// sessions' output buffers before it is released, so that each client sees events in the order
// the state changed.
type center struct {
	cfg   Config
	uccx  bool
	ptype cti.PeripheralType
	pid   uint32
	now   func() time.Time
	stats *stats
	conns *connLog // refused and closed connections, rate-limited

	faults atomic.Pointer[faultState]
	seq    atomic.Uint64 // session numbers, for logs and per-session random streams

	mu            sync.Mutex
	rng           *rand.Rand
	closed        bool
	agents        map[string]*agent
	agentList     []*agent
	devices       map[string]*device
	calls         map[uint32]*call
	lastCallID    uint32
	lastMonitorID uint32
	groups        []*skillGroup          // skill groups in configuration order
	groupByNum    map[uint32]*skillGroup // by SkillGroupNumber
	// groupByDialed maps the numbers that queue a call to their group (Calls.DialedNumber and
	// Calls.RouteDevice included).
	groupByDialed map[string]*skillGroup
	nAvail        int // AVAILABLE agents
	sessions      map[*session]struct{}
	allEvents     []*session
	pgOffline     bool
	pgTimer       *time.Timer
	gen           *generator

	loggedIn, talking int64 // gauges, under mu
}

func newCenter(cfg Config) *center {
	c := &center{
		cfg:      cfg,
		uccx:     cfg.Product == UCCX,
		pid:      cfg.PeripheralID,
		now:      cfg.Now,
		stats:    newStats(),
		conns:    newConnLog(cfg.Logger),
		rng:      rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15)),
		agents:   make(map[string]*agent, cfg.Agents.Count),
		devices:  make(map[string]*device, cfg.Agents.Count),
		calls:    make(map[uint32]*call),
		sessions: make(map[*session]struct{}),
	}
	c.ptype = cti.PeripheralEnterpriseAgent
	if c.uccx {
		c.ptype = cti.PeripheralACMICRS
	}
	c.faults.Store(newFaultState(cfg.Faults))
	a := cfg.Agents
	c.agentList = make([]*agent, a.Count)
	for i := 0; i < a.Count; i++ {
		ag := &agent{
			id:      strconv.Itoa(a.FirstID + i),
			idx:     i,
			state:   cti.AgentStateLogout,
			since:   cfg.Now(),
			pending: noState,
		}
		c.agents[ag.id] = ag
		c.agentList[i] = ag
		d := &device{ext: strconv.Itoa(a.FirstExtension + i)}
		c.devices[d.ext] = d
	}
	c.buildSkillGroups()
	c.buildTeams()
	c.gen = newGenerator(c, cfg.Calls.Rate, cfg.Calls.Poisson)
	return c
}

// device is an agent phone: an extension (its instrument has the same number).
type device struct {
	ext      string
	agent    *agent     // logged in here, or nil
	sess     *session   // the agent-mode session bound to this device, or nil
	conns    []*conn    // connections of calls at this device
	monitors []*monitor // peripheral monitors of this device
}

// tx is one critical section on the center. Messages queued through it land on the sessions'
// output buffers at once; end releases the lock and then starts the flushes, so that no socket
// write ever happens under the center's lock.
type tx struct {
	c      *center
	owner  *session // the session whose reader goroutine runs this; it flushes by itself
	dirty  []*session
	dbuf   [8]*session
	rbuf   [8]*session
	enc    []byte
	route  bool // an agent became available or a call was queued: try to route before unlocking
	now    time.Time
	closed bool
}

func (c *center) begin(t *tx, owner *session) {
	c.mu.Lock()
	t.c, t.owner, t.dirty, t.now = c, owner, t.dbuf[:0], c.now()
}

func (t *tx) end() {
	if t.route && !t.c.closed {
		t.c.routeQueued(t)
	}
	t.c.mu.Unlock()
	for _, s := range t.dirty {
		s.kick()
	}
}

// send queues m for one session.
func (t *tx) send(s *session, m cti.Message) {
	if s == nil {
		return
	}
	s.enqueue(m)
	t.touch(s)
}

func (t *tx) touch(s *session) {
	if s == t.owner {
		return
	}
	for _, d := range t.dirty {
		if d == s {
			return
		}
	}
	t.dirty = append(t.dirty, s)
}

// fanout queues m for every session in recips (already filtered), encoding it once per protocol
// version.
func (t *tx) fanout(m cti.Message, recips []*session) {
	var done [4]cti.Version
	var bufs [4][]byte
	n := 0
	for _, s := range recips {
		i := 0
		for i < n && done[i] != s.v {
			i++
		}
		if i == n {
			start := len(t.enc)
			b, err := m.Encode(t.enc, s.v)
			if err != nil {
				continue // a field that does not fit this version: this client cannot get the event
			}
			t.enc = b
			if n < len(done) {
				done[n], bufs[n] = s.v, b[start:]
				n++
			} else {
				s.enqueueFrame(b[start:], m.MessageType())
				t.touch(s)
				continue
			}
		}
		s.enqueueFrame(bufs[i], m.MessageType())
		t.touch(s)
	}
	t.enc = t.enc[:0]
}

// toCall sends a call event to the all-events sessions and the sessions of the call's parties
// (plus extra, a device that is just leaving the call), as their CallMsgMask allows.
func (t *tx) toCall(cl *call, bit cti.CallEventMask, m cti.Message, extra ...*device) {
	r := t.rbuf[:0]
	for _, s := range t.c.allEvents {
		if s.callMask&bit != 0 {
			r = append(r, s)
		}
	}
	add := func(s *session) {
		if s == nil || s.callMask&bit == 0 {
			return
		}
		for _, x := range r {
			if x == s {
				return
			}
		}
		r = append(r, s)
	}
	for _, cn := range cl.conns {
		if cn.dev != nil {
			add(cn.dev.sess)
			if cn.dev.agent != nil {
				add(cn.dev.agent.sess)
			}
		}
	}
	for _, d := range extra {
		if d != nil {
			add(d.sess)
			if d.agent != nil {
				add(d.agent.sess)
			}
		}
	}
	t.fanout(m, r)
	t.toCallMonitors(cl.monitors, bit, m)
	for _, cn := range cl.conns {
		if cn.dev != nil {
			t.toCallMonitors(cn.dev.monitors, bit, m)
		}
	}
	for _, d := range extra {
		if d != nil && !slices.ContainsFunc(cl.conns, func(cn *conn) bool { return cn.dev == d }) {
			t.toCallMonitors(d.monitors, bit, m)
		}
	}
}

// toDevice sends a call event only to the sessions of one device (BEGIN_CALL / END_CALL for a
// party joining or leaving a call that goes on).
func (t *tx) toDevice(d *device, bit cti.CallEventMask, m cti.Message) {
	if d == nil {
		return
	}
	r := t.rbuf[:0]
	if d.sess != nil && d.sess.callMask&bit != 0 {
		r = append(r, d.sess)
	}
	if d.agent != nil && d.agent.sess != nil && d.agent.sess != d.sess && d.agent.sess.callMask&bit != 0 {
		r = append(r, d.agent.sess)
	}
	t.fanout(m, r)
	t.toCallMonitors(d.monitors, bit, m)
}

// toAllEvents sends a call event to the all-events sessions only.
func (t *tx) toAllEvents(bit cti.CallEventMask, m cti.Message) {
	r := t.rbuf[:0]
	for _, s := range t.c.allEvents {
		if s.callMask&bit != 0 {
			r = append(r, s)
		}
	}
	t.fanout(m, r)
}

// toAgent sends an agent state event to the agent's sessions and the all-events sessions, as
// their AgentStateMask allows.
func (t *tx) toAgent(a *agent, state cti.AgentState, m cti.Message) {
	bit := agentStateBit(state)
	r := t.rbuf[:0]
	for _, s := range t.c.allEvents {
		if s.agentMask&bit != 0 {
			r = append(r, s)
		}
	}
	add := func(s *session) {
		if s == nil || s.agentMask&bit == 0 {
			return
		}
		for _, x := range r {
			if x == s {
				return
			}
		}
		r = append(r, s)
	}
	add(a.sess)
	if a.dev != nil {
		add(a.dev.sess)
	}
	t.fanout(m, r)
	t.toAgentMonitors(a, state, m)
}

// toAll sends m to every open, active session (SYSTEM_EVENT is not masked).
func (t *tx) toAll(m cti.Message) {
	r := make([]*session, 0, len(t.c.sessions))
	for s := range t.c.sessions {
		if !s.standby.Load() {
			r = append(r, s)
		}
	}
	t.fanout(m, r)
}

// agentStateBit is the AgentStateMask bit of a state (docs/protocol/enums.md, AgentStateMask): 1<<state, except that
// UNKNOWN (9) has no bit, so HOLD (10) and later use one bit lower.
func agentStateBit(s cti.AgentState) cti.AgentStateMask {
	switch {
	case s < 9:
		return 1 << s
	case s == 9:
		return 0
	case s < 15:
		return 1 << (s - 1)
	}
	return 0
}

// timerFunc wraps a timer callback: it runs under the center lock in its own transaction and does
// nothing once the center is closed.
func (c *center) timerFunc(f func(t *tx)) func() {
	return func() {
		var t tx
		c.begin(&t, nil)
		if !c.closed {
			f(&t)
		}
		t.end()
	}
}

// close stops the generator and every timer; sessions are closed by their servers.
func (c *center) close() {
	c.gen.stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	if c.pgTimer != nil {
		c.pgTimer.Stop()
	}
	for _, cl := range c.calls {
		cl.stopTimers()
	}
	for _, a := range c.agentList {
		if a.wrapTimer != nil {
			a.wrapTimer.Stop()
		}
	}
}

// setPGOffline takes the peripheral offline for d (d < 0: until set online again; d == 0: online
// now). Every active session gets a SYSTEM_EVENT each way.
func (c *center) setPGOffline(d time.Duration) {
	var t tx
	c.begin(&t, nil)
	defer t.end()
	if c.closed {
		return
	}
	if c.pgTimer != nil {
		c.pgTimer.Stop()
		c.pgTimer = nil
	}
	if d == 0 {
		c.setOnline(&t, true)
		return
	}
	if !c.pgOffline {
		c.stats.fault(FaultPGOffline)
	}
	c.setOnline(&t, false)
	if d > 0 {
		c.pgTimer = time.AfterFunc(d, c.timerFunc(func(t *tx) {
			c.pgTimer = nil
			c.setOnline(t, true)
		}))
	}
}

func (c *center) setOnline(t *tx, online bool) {
	if c.pgOffline == !online {
		return
	}
	c.pgOffline = !online
	t.toAll(c.systemEvent(t.now))
	if online {
		t.route = true
	}
}

func (c *center) pgStatus() cti.PGStatus {
	if c.pgOffline {
		return cti.PGSPeripheralOffline
	}
	return 0
}

func (c *center) systemEvent(now time.Time) *cti.SystemEvent {
	ev := &cti.SystemEvent{
		PGStatus:                 c.pgStatus(),
		ICMCentralControllerTime: uint32(now.Unix()),
		SystemEventID:            cti.SysPeripheralOnline,
		SystemEventArg1:          c.pid,
		EventDeviceType:          cti.DevIDNone,
	}
	if c.pgOffline {
		ev.SystemEventID = cti.SysPeripheralOffline
	}
	return ev
}
