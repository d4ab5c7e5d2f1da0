package sim

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/ctiload/ctiload/cti"
)

// maxMsgType bounds the message types counted in arrays; larger types are counted as "other".
const maxMsgType = 512

// Counters is a snapshot of what a simulator did, for tests and reports. It marshals to JSON with
// message types, status codes and fault kinds by name.
type Counters struct {
	SessionsOpened   int64 `json:"sessions_opened"`   // OPEN_CONF sent
	SessionsClosed   int64 `json:"sessions_closed"`   // opened sessions that ended, any way
	SessionsRejected int64 `json:"sessions_rejected"` // OPEN_REQ answered FAILURE_CONF
	SessionsActive   int64 `json:"sessions_active"`   // open now
	Connections      int64 `json:"connections"`       // TCP connections accepted
	IdleTimeouts     int64 `json:"idle_timeouts"`     // connections closed because nothing came for IdleTimeout
	SlowConsumers    int64 `json:"slow_consumers"`    // connections closed because the client did not read
	Replaced         int64 `json:"replaced"`          // sessions ended by E_CTI_NEW_SESSION_OPENED

	Requests map[string]int64 `json:"requests"` // client messages received, by type
	Failures map[string]int64 `json:"failures"` // FAILURE_CONF, FAILURE_EVENT and CONTROL_FAILURE_CONF sent, by code
	Events   map[string]int64 `json:"events"`   // messages sent, by type (confirmations included)
	Faults   map[string]int64 `json:"faults"`   // injected faults, by kind
	// FailuresByRequest are the failure confirmations (FAILURE_CONF, CONTROL_FAILURE_CONF)
	// sent, by request type, then code: what a client counts as cti_failures{msg, code}.
	FailuresByRequest map[string]map[string]int64 `json:"failures_by_request,omitempty"`
	// Drops are the connections dropped by the drop fault, by the type of the request that
	// triggered the drop (which the server received and never answered).
	Drops       map[string]int64 `json:"drops,omitempty"`
	Unsupported map[string]int64 `json:"unsupported,omitempty"` // valid requests the simulator does not implement

	Calls  CallCounters  `json:"calls"`
	Agents AgentCounters `json:"agents"`
	// SkillGroups are the calls of each skill group, by SkillGroupNumber.
	SkillGroups map[string]SkillGroupCounters `json:"skill_groups,omitempty"`
}

// CallCounters counts calls.
type CallCounters struct {
	Offered     int64 `json:"offered"`     // inbound calls created (generator and OfferCall)
	Delivered   int64 `json:"delivered"`   // offers to an agent (CALL_DELIVERED), re-offers included
	Answered    int64 `json:"answered"`    // agent answers
	Abandoned   int64 `json:"abandoned"`   // callers that left before an answer (queue timeout)
	Requeued    int64 `json:"requeued"`    // calls taken back by ring-no-answer and queued again
	HungUp      int64 `json:"hung_up"`     // calls ended by the caller after the talk time
	Cleared     int64 `json:"cleared"`     // calls ended (CALL_CLEARED), any way
	Consults    int64 `json:"consults"`    // consultation calls placed
	Transfers   int64 `json:"transfers"`   // transfers completed (consultative and single step)
	Conferences int64 `json:"conferences"` // conferences completed
	MadeCalls   int64 `json:"made_calls"`  // MAKE_CALL_REQ calls placed
	Queued      int64 `json:"queued"`      // waiting in queue now
	Active      int64 `json:"active"`      // existing now
}

// AgentCounters is the agent population now.
type AgentCounters struct {
	LoggedIn  int64 `json:"logged_in"`
	Available int64 `json:"available"`
	Talking   int64 `json:"talking"`
}

// stats are the live counters; everything is atomic so that hot paths never lock.
type stats struct {
	connections, idleTimeouts, slowConsumers, replaced atomic.Int64

	requests [maxMsgType]atomic.Int64
	events   [maxMsgType]atomic.Int64
	status   [128]atomic.Int64
	control  [1024]atomic.Int64

	mu          sync.Mutex // guards the maps below (rare paths only)
	other       map[string]int64
	faults      map[string]int64
	unsupported map[string]int64
	byRequest   map[string]map[string]int64
	drops       map[string]int64

	calls struct {
		offered, delivered, answered, abandoned, requeued, hungUp, cleared atomic.Int64
		consults, transfers, conferences, madeCalls                        atomic.Int64
	}
}

// sideStats are the session counters of one listening side.
type sideStats struct {
	opened, closed, rejected, active atomic.Int64
}

func newStats() *stats {
	return &stats{other: map[string]int64{}, faults: map[string]int64{}, unsupported: map[string]int64{},
		byRequest: map[string]map[string]int64{}, drops: map[string]int64{}}
}

// failureOf counts a failure confirmation by request type and code.
func (st *stats) failureOf(t cti.MsgType, code string) {
	st.mu.Lock()
	m := st.byRequest[t.String()]
	if m == nil {
		m = map[string]int64{}
		st.byRequest[t.String()] = m
	}
	m[code]++
	st.mu.Unlock()
}

// drop counts a drop fault, triggered by a request of type t.
func (st *stats) drop(t cti.MsgType) {
	st.mu.Lock()
	st.faults[FaultDrop]++
	st.drops[t.String()]++
	st.mu.Unlock()
}

func (st *stats) request(t cti.MsgType) {
	if t < maxMsgType {
		st.requests[t].Add(1)
		return
	}
	st.addOther("requests:" + t.String())
}

func (st *stats) event(t cti.MsgType) {
	if t < maxMsgType {
		st.events[t].Add(1)
		return
	}
	st.addOther("events:" + t.String())
}

func (st *stats) failure(code cti.Status) {
	if int(code) < len(st.status) {
		st.status[code].Add(1)
		return
	}
	st.addOther("failures:" + code.String())
}

func (st *stats) controlFailure(code cti.ControlFailure) {
	if int(code) < len(st.control) {
		st.control[code].Add(1)
		return
	}
	st.addOther("failures:" + code.String())
}

func (st *stats) fault(kind string) {
	st.mu.Lock()
	st.faults[kind]++
	st.mu.Unlock()
}

func (st *stats) unsupportedReq(t cti.MsgType) {
	st.mu.Lock()
	st.unsupported[t.String()]++
	st.mu.Unlock()
}

func (st *stats) addOther(key string) {
	st.mu.Lock()
	st.other[key]++
	st.mu.Unlock()
}

// snapshot fills everything but the session, call-gauge and agent counters.
func (st *stats) snapshot() Counters {
	c := Counters{
		Connections:   st.connections.Load(),
		IdleTimeouts:  st.idleTimeouts.Load(),
		SlowConsumers: st.slowConsumers.Load(),
		Replaced:      st.replaced.Load(),
		Requests:      map[string]int64{},
		Failures:      map[string]int64{},
		Events:        map[string]int64{},
		Faults:        map[string]int64{},
	}
	for i := range st.requests {
		if n := st.requests[i].Load(); n > 0 {
			c.Requests[cti.MsgType(i).String()] = n
		}
		if n := st.events[i].Load(); n > 0 {
			c.Events[cti.MsgType(i).String()] = n
		}
	}
	for i := range st.status {
		if n := st.status[i].Load(); n > 0 {
			c.Failures[cti.Status(i).String()] = n
		}
	}
	for i := range st.control {
		if n := st.control[i].Load(); n > 0 {
			c.Failures[cti.ControlFailure(i).String()] = n
		}
	}
	st.mu.Lock()
	for k, n := range st.faults {
		c.Faults[k] = n
	}
	if len(st.byRequest) > 0 {
		c.FailuresByRequest = map[string]map[string]int64{}
		for t, m := range st.byRequest {
			c.FailuresByRequest[t] = maps.Clone(m)
		}
	}
	if len(st.drops) > 0 {
		c.Drops = maps.Clone(st.drops)
	}
	if len(st.unsupported) > 0 {
		c.Unsupported = map[string]int64{}
		for k, n := range st.unsupported {
			c.Unsupported[k] = n
		}
	}
	for k, n := range st.other {
		kind, name, _ := cutColon(k)
		switch kind {
		case "requests":
			c.Requests[name] += n
		case "events":
			c.Events[name] += n
		case "failures":
			c.Failures[name] += n
		}
	}
	st.mu.Unlock()
	cc := &st.calls
	c.Calls = CallCounters{
		Offered: cc.offered.Load(), Delivered: cc.delivered.Load(), Answered: cc.answered.Load(),
		Abandoned: cc.abandoned.Load(), Requeued: cc.requeued.Load(), HungUp: cc.hungUp.Load(),
		Cleared: cc.cleared.Load(), Consults: cc.consults.Load(), Transfers: cc.transfers.Load(),
		Conferences: cc.conferences.Load(), MadeCalls: cc.madeCalls.Load(),
	}
	return c
}

func cutColon(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
