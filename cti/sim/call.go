package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// call is one call and its connections (parties). The event sequences below are what an
// agent-mode session of a party receives, in order (A the agent, ext its extension); an
// all-events session receives the same events for every call, plus BEGIN_CALL_EVENT when a call
// is created and one END_CALL_EVENT when it ends. Every call event carries ConnectionCallID (the
// call ID), ConnectionDeviceIDType CONNECTION_ID_DYNAMIC and ConnectionDeviceID (the extension
// of an agent's connection, the number of an outside party), PeripheralID and PeripheralType; a
// client receives only the event types its CallMsgMask and AgentStateMask ask for.
//
// Inbound ACD call (generator or Server.OfferCall). The call arrives: all-events get
// BEGIN_CALL_EVENT (CallType ACD_IN, ANI, DNIS, DialedNumber, CallVariable1–10, NamedVariable)
// and CALL_QUEUED_EVENT (LCS_QUEUED, QueueDeviceID = Calls.RouteDevice, or the skill group's own
// number). It goes to the longest-available member of its skill group (skillgroup.go); leaving
// the queue is CALL_DEQUEUED_EVENT (bridge sessions and the call's parties), then:
//
//	AGENT_STATE_EVENT RESERVED
//	BEGIN_CALL_EVENT        call data
//	CALL_DELIVERED_EVENT    LCS_ALERTING; Alerting/Called = ext (DEVID_AGENT_DEVICE), Calling = ANI
//	                        (DEVID_EXTERNAL), LastRedirect = RouteDevice (DEVID_ROUTE_POINT), call data
//
// ANSWER_CALL_REQ (ConnectionCallID, or 0xFFFFFFFF for "the alerting call"):
//
//	ANSWER_CALL_CONF, CALL_ESTABLISHED_EVENT (LCS_CONNECT, Answering = ext), AGENT_STATE_EVENT TALKING
//
// HOLD_CALL_REQ / RETRIEVE_CALL_REQ:
//
//	HOLD_CALL_CONF, CALL_HELD_EVENT (LCS_HOLD, Holding = ext), AGENT_STATE_EVENT HOLD
//	RETRIEVE_CALL_CONF, CALL_RETRIEVED_EVENT (LCS_CONNECT), AGENT_STATE_EVENT TALKING
//
// The call ends (CLEAR_CONNECTION_REQ, CLEAR_CALL_REQ, or the caller hanging up after
// Calls.TalkTime); the releasing party's connection is cleared first, and a call left with one
// party or none is cleared:
//
//	CLEAR_CONNECTION_CONF | CLEAR_CALL_CONF (the requester only)
//	CALL_CONNECTION_CLEARED_EVENT  LCS_NULL, Releasing = the party that left (ext, or ANI when the caller hangs up)
//	CALL_CLEARED_EVENT             LCS_NULL
//	END_CALL_EVENT
//	AGENT_STATE_EVENT              AVAILABLE, NOT_READY or WORK_READY/WORK_NOT_READY (see agent)
//
// Ring no answer (Agents.RingNoAnswer): CALL_CONNECTION_CLEARED_EVENT (EventCause
// CEC_CALL_NOT_ANSWERED), END_CALL_EVENT, AGENT_STATE_EVENT NOT_READY (Agents.RONAReasonCode); the
// all-events sessions then see CALL_QUEUED_EVENT and the call goes to the next agent. A caller
// waiting longer than Calls.QueueTimeout abandons (CALL_CONNECTION_CLEARED, CALL_CLEARED,
// END_CALL to all-events).
//
// Consultation (CONSULTATION_CALL_REQ on the connected call C1, DialedNumber D). D is an agent
// extension whose agent is AVAILABLE, an outside number (Calls.OutsidePrefix), or
// Calls.DialedNumber (queued for the next available agent); anything else is
// CONTROL_FAILURE_CONF CF_INVALID_CALLED_DEVICE and nothing changes. The consulting agent A gets:
//
//	CONSULTATION_CALL_CONF        NewConnectionCallID = C2
//	CALL_HELD_EVENT               C1, LCS_HOLD
//	BEGIN_CALL_EVENT              C2, CallType CONSULT, C1's call data
//	CALL_SERVICE_INITIATED_EVENT  C2, LCS_INITIATE
//	CALL_ORIGINATED_EVENT         C2, Calling = ext, Called = D
//	CALL_DELIVERED_EVENT          C2, the consulted connection alerting (to A and B)
//
// and the consulted agent B: AGENT_STATE_EVENT RESERVED, BEGIN_CALL_EVENT C2, CALL_DELIVERED_EVENT
// C2. B answers: ANSWER_CALL_CONF (B), CALL_ESTABLISHED_EVENT C2 (A and B), AGENT_STATE_EVENT
// TALKING (B). An outside party answers at once (CALL_DELIVERED then CALL_ESTABLISHED).
// RECONNECT_CALL_REQ ends the consultation (C2's connection cleared, C1 retrieved);
// ALTERNATE_CALL_REQ swaps the two.
//
// Transfer. TRANSFER_CALL_REQ (Active C2, Held C1) joins C1's and C2's other parties on C1:
//
//	TRANSFER_CALL_CONF              NewConnectionCallID = C1, parties (A only)
//	CALL_TRANSFERRED_EVENT          Primary C1, Secondary C2, Transferring = A, Transferred = B, parties (all)
//	CALL_DATA_UPDATE_EVENT          ConnectionCallID C2 → NewConnectionCallID C1, C1's call data (B only)
//	CALL_CONNECTION_CLEARED_EVENT   C1, Releasing = A (all); END_CALL_EVENT C1 (A)
//	END_CALL_EVENT                  C2 (B)
//	CALL_CONNECTION_CLEARED_EVENT   C2, Releasing = A; CALL_CLEARED_EVENT C2; END_CALL_EVENT C2 (A)
//	AGENT_STATE_EVENT               A's after-call state
//
// Single-step (blind) transfer: HeldConnectionCallID 0xFFFFFFFF and a DialedNumber. A gets
// TRANSFER_CALL_CONF; the target is reached as for a consultation (B: RESERVED, BEGIN_CALL C1,
// CALL_DELIVERED C1; an outside party connects; Calls.DialedNumber queues C1 again); then
// CALL_TRANSFERRED_EVENT (Primary = Secondary = C1) and CALL_CONNECTION_CLEARED_EVENT (Releasing =
// A) go to every party, END_CALL_EVENT C1 and the after-call AGENT_STATE_EVENT to A.
//
// Conference. CONFERENCE_CALL_REQ (Held C1, Active C2, the consulted party connected) joins
// everyone on C1:
//
//	CONFERENCE_CALL_CONF      NewConnectionCallID = C1, parties (A only)
//	CALL_CONFERENCED_EVENT    Primary C1, Secondary C2, Controller = A, AddedParty = B, NumParties and
//	                          parties (all, LCS_CONNECT)
//	CALL_DATA_UPDATE_EVENT    C2 → C1 (B only)
//	then C2 ends as after a transfer (endConsultLeg): CALL_CONNECTION_CLEARED_EVENT C2 (A),
//	END_CALL_EVENT C2 (B), CALL_CLEARED_EVENT C2 and END_CALL_EVENT C2 (A), cause CEC_NONE
//
// A party leaving a conference of three or more: CALL_CONNECTION_CLEARED_EVENT (all),
// END_CALL_EVENT (the party), the others stay connected.
//
// MAKE_CALL_REQ (AgentInstrument, DialedNumber as for a consultation; the agent must have no
// active call): MAKE_CALL_CONF (NewConnectionCallID), BEGIN_CALL_EVENT (CallType AGENT_INSIDE, or
// AGENT_OUT to an outside number), CALL_SERVICE_INITIATED_EVENT, CALL_ORIGINATED_EVENT,
// AGENT_STATE_EVENT TALKING, then the callee as above.
//
// SET_CALL_DATA_REQ: SET_CALL_DATA_CONF, CALL_DATA_UPDATE_EVENT (all parties, whole call data).
// SNAPSHOT_CALL_REQ: SNAPSHOT_CALL_CONF (call data, one CallDevice per connection with its
// LocalConnectionState). SEND_DTMF_SIGNAL_REQ: SEND_DTMF_SIGNAL_CONF (connected calls only).
//
// Control failures (CONTROL_FAILURE_CONF): unknown call ID CF_INVALID_CSTA_CALL_IDENTIFIER; the
// device is not a party CF_INVALID_CSTA_CONNECTION_IDENTIFIER (CF_PRIVILEGE_VIOLATION_ON_SPECIFIED_DEVICE
// for an agent-mode session acting on a call it is not in); nothing alerting CF_NO_CALL_TO_ANSWER;
// not connected CF_NO_ACTIVE_CALL; not held CF_NO_HELD_CALL; nothing to transfer or conference to
// CF_NO_CALL_TO_COMPLETE; bad destination CF_INVALID_CALLED_DEVICE; more than 16 parties
// CF_CONFERENCE_MEMBER_LIMIT_EXCEEDED; a request for a call while another is active
// CF_GENERIC_STATE_INCOMPATIBILITY.
type call struct {
	id    uint32
	typ   cti.CallType
	data  cti.CallContext // the call data: BEGIN_CALL_EVENT, CALL_DELIVERED_EVENT, CALL_DATA_UPDATE_EVENT, SNAPSHOT_CALL_CONF
	conns []*conn
	sg    uint32      // SkillGroupNumber of an ACD call
	grp   *skillGroup // the group whose queue it waits in (or last waited in), nil if none

	calling     string // calling device and its type, for the Calling* fields
	callingType cti.DeviceIDType
	called      string // the number dialled by a desktop (consultation, make call)
	calledType  cti.DeviceIDType

	lastParty  string // the device ID of the last connection removed: a call cleared with no party left still names one
	queued     bool
	queuedAt   time.Time
	answered   bool
	caller     *conn // the outside caller of an inbound call, who hangs up after talk
	talk       time.Duration
	talkTimer  *time.Timer
	queueTimer *time.Timer
	ended      bool
	monitors   []*monitor // call monitors (MONITOR_START_REQ on this call)
}

// conn is one party of a call.
type conn struct {
	call     *call
	dev      *device // nil for an outside party
	id       string  // extension or outside number
	lcs      cti.LocalConnectionState
	routed   bool // reached through the queue: LastRedirect is the route device
	rona     *time.Timer
	ronaGen  uint64
	released bool
	rtp      bool // RTP_STARTED_EVENT sent, RTP_STOPPED_EVENT not yet
	st       connStats
}

func (cn *conn) devType() cti.DeviceIDType {
	if cn.dev != nil {
		return cti.DevIDAgentDevice
	}
	return cti.DevIDExternal
}

func (cl *call) stopTimers() {
	if cl.talkTimer != nil {
		cl.talkTimer.Stop()
	}
	if cl.queueTimer != nil {
		cl.queueTimer.Stop()
	}
	for _, cn := range cl.conns {
		if cn.rona != nil {
			cn.rona.Stop()
		}
	}
}

func (cl *call) connOf(id string) *conn {
	for _, cn := range cl.conns {
		if cn.id == id {
			return cn
		}
	}
	return nil
}

func (cl *call) isACD() bool { return cl.typ == cti.CallTypeACDIn || cl.typ == cti.CallTypeTransferIn }

// CallOptions describe one inbound call for Server.OfferCall; empty fields take the generator's
// values (Config.Calls).
type CallOptions struct {
	ANI, DNIS, DialedNumber string
	CallerEnteredDigits     string
	CallVariables           [10]string // an empty string leaves that variable at its configured value
	NamedVariables          []cti.NamedVariable
	// TalkTime overrides Calls.TalkTime for this call; negative: the caller never hangs up.
	TalkTime time.Duration
	// SkillGroup queues the call for this skill group. Zero: the group of DialedNumber; with
	// neither, a generated call picks a group at random.
	SkillGroup uint32
}

func (c *center) newCall(t *tx, typ cti.CallType) *call {
	c.lastCallID++
	if c.lastCallID == 0 || c.lastCallID == 0xFFFFFFFF {
		c.lastCallID = 1
	}
	cl := &call{id: c.lastCallID, typ: typ, sg: c.groups[0].num}
	days := uint32(t.now.Unix() / 86400)
	cl.data.RouterCallKeyDay, cl.data.RouterCallKeyCallID = days, cl.id
	c.calls[cl.id] = cl
	return cl
}

func (c *center) addConn(cl *call, d *device, id string, lcs cti.LocalConnectionState) *conn {
	cn := &conn{call: cl, dev: d, id: id, lcs: lcs}
	cl.conns = append(cl.conns, cn)
	if d != nil {
		d.conns = append(d.conns, cn)
	}
	return cn
}

func (c *center) removeConn(t *tx, cn *conn) {
	c.connEnded(cn, t.now)
	c.rtp(t, cn, false)
	cn.released = true
	cn.call.lastParty = cn.id
	if cn.rona != nil {
		cn.rona.Stop()
		cn.rona = nil
	}
	cl := cn.call
	cl.conns = slices.DeleteFunc(cl.conns, func(x *conn) bool { return x == cn })
	if cn.dev != nil {
		cn.dev.conns = slices.DeleteFunc(cn.dev.conns, func(x *conn) bool { return x == cn })
	}
	if cl.caller == cn {
		cl.caller = nil
		if cl.talkTimer != nil {
			cl.talkTimer.Stop()
			cl.talkTimer = nil
		}
	}
}

// ---- inbound calls, queue and routing ----

func (c *center) offerCall(o CallOptions) (uint32, error) {
	var t tx
	c.begin(&t, nil)
	defer t.end()
	if c.closed {
		return 0, ErrServerClosed
	}
	if o.SkillGroup != 0 && c.groupByNum[o.SkillGroup] == nil {
		return 0, fmt.Errorf("sim: OfferCall: no skill group %d", o.SkillGroup)
	}
	if o.DialedNumber != "" && o.SkillGroup == 0 && c.groupFor(o.DialedNumber) == nil {
		return 0, fmt.Errorf("sim: OfferCall: dialed number %s queues for no skill group", o.DialedNumber)
	}
	return c.offer(&t, o).id, nil
}

// offer creates an inbound call and queues it.
func (c *center) offer(t *tx, o CallOptions) *call {
	k := &c.cfg.Calls
	cl := c.newCall(t, cti.CallTypeACDIn)
	d := &cl.data
	d.ANI = o.ANI
	if d.ANI == "" {
		if len(k.ANIs) > 0 {
			d.ANI = k.ANIs[c.rng.IntN(len(k.ANIs))]
		} else {
			d.ANI = strconv.FormatUint(2_000_000_000+c.rng.Uint64N(7_000_000_000), 10)
		}
	}
	g := c.groupByNum[o.SkillGroup]
	if g == nil && o.DialedNumber != "" {
		g = c.groupFor(o.DialedNumber)
	}
	if g == nil {
		g = c.groups[0]
		if len(c.groups) > 1 {
			g = c.groups[c.rng.IntN(len(c.groups))]
		}
	}
	d.DialedNumber = o.DialedNumber
	if d.DialedNumber == "" {
		d.DialedNumber = g.dialed
	}
	d.DNIS = o.DNIS
	if d.DNIS == "" && len(k.DNISes) > 0 {
		d.DNIS = k.DNISes[c.rng.IntN(len(k.DNISes))]
	} else if d.DNIS == "" {
		d.DNIS = d.DialedNumber
	}
	d.CallerEnteredDigits = o.CallerEnteredDigits
	for i, p := range callVars(d) {
		*p = k.CallVariables[i]
		if v := o.CallVariables[i]; v != "" {
			*p = v
		}
	}
	d.NamedVariables = slices.Clone(k.NamedVariables)
	if o.NamedVariables != nil {
		d.NamedVariables = mergeNamed(d.NamedVariables, o.NamedVariables)
	}
	switch {
	case o.TalkTime > 0:
		cl.talk = o.TalkTime
	case o.TalkTime == 0 && !k.TalkTime.IsZero():
		cl.talk = max(k.TalkTime.Sample(c.rng), time.Millisecond)
	}
	cl.calling, cl.callingType = d.ANI, cti.DevIDExternal
	cl.caller = c.addConn(cl, nil, d.ANI, cti.LCSConnect)
	c.stats.calls.offered.Add(1)
	t.toAllEvents(cti.BeginCallMask, c.beginCall(cl, d.ANI))
	c.enqueue(t, cl, g, false)
	return cl
}

// enqueue puts a call in a skill group's queue (at the front when it comes back from
// ring-no-answer) and tells the all-events sessions and the call's parties.
func (c *center) enqueue(t *tx, cl *call, g *skillGroup, front bool) {
	cl.queued, cl.grp = true, g
	if cl.isACD() {
		cl.sg = g.num
	}
	if front {
		// Back at the head: it keeps the place its first arrival earned.
		g.queue = slices.Insert(g.queue, 0, cl)
	} else {
		cl.queuedAt = t.now
		g.queue = append(g.queue, cl)
		g.queueEntered(t.now)
	}
	g.stats.Queued++
	t.toCall(cl, cti.CallQueuedMask, c.queuedEvent(cl))
	if qt := c.cfg.Calls.QueueTimeout; qt > 0 && cl.caller != nil && cl.queueTimer == nil {
		cl.queueTimer = time.AfterFunc(qt, c.timerFunc(func(t *tx) {
			cl.queueTimer = nil
			if !cl.queued || cl.ended || cl.caller == nil {
				return
			}
			cl.grp.stats.Abandoned++
			c.dequeue(t, cl, cti.CECCallCancelled)
			c.stats.calls.abandoned.Add(1)
			c.releaseConn(t, cl.caller, cti.CECNone)
		}))
	}
	t.route = true
}

// dequeue takes a call out of its queue: CALL_DEQUEUED_EVENT (cause CEC_NONE when it goes to
// an agent, CEC_CALL_CANCELLED when the caller leaves) to the all-events sessions and the
// call's parties.
func (c *center) dequeue(t *tx, cl *call, cause cti.EventCause) {
	if !cl.queued {
		return
	}
	cl.queued = false
	g := cl.grp
	g.queue = slices.DeleteFunc(g.queue, func(x *call) bool { return x == cl })
	g.queueLeft(cl.queuedAt, t.now)
	t.toCall(cl, cti.CallDequeuedMask, c.dequeuedEvent(cl, cause))
}

// deliver makes a device's phone ring with a call: the agent is reserved, then BEGIN_CALL_EVENT
// and CALL_DELIVERED_EVENT.
func (c *center) deliver(t *tx, cl *call, d *device, routed bool) *conn {
	cn := c.addConn(cl, d, d.ext, cti.LCSAlerting)
	cn.routed = routed
	a := d.agent
	if a != nil && cl.isACD() {
		a.acd = true
	}
	c.refreshAgent(t, a)
	t.toDevice(d, cti.BeginCallMask, c.beginCall(cl, d.ext))
	t.toCall(cl, cti.CallDeliveredMask, c.deliveredEvent(cl, cn, cti.CECNone))
	c.stats.calls.delivered.Add(1)
	if rna := c.cfg.Agents.RingNoAnswer; rna > 0 && routed {
		cn.ronaGen++
		gen := cn.ronaGen
		cn.rona = time.AfterFunc(rna, c.timerFunc(func(t *tx) {
			if cn.released || cn.ronaGen != gen || cn.lcs != cti.LCSAlerting {
				return
			}
			cn.rona = nil
			c.ringNoAnswer(t, cn)
		}))
	}
	return cn
}

// ringNoAnswer takes a call back from an agent who did not answer and queues it again (UCCE RONA).
func (c *center) ringNoAnswer(t *tx, cn *conn) {
	cl, d := cn.call, cn.dev
	t.toCall(cl, cti.CallConnectionClearedMask, c.connClearedEvent(cl, cn, cti.CECCallNotAnswered))
	c.removeConn(t, cn)
	t.toDevice(d, cti.EndCallMask, c.endCall(cl, d.ext))
	if a := d.agent; a != nil {
		a.pending, a.pendingReason, a.acd = cti.AgentStateNotReady, c.cfg.Agents.RONAReasonCode, false
		c.refreshAgent(t, a)
	}
	c.stats.calls.requeued.Add(1)
	if cl.caller != nil || len(cl.conns) > 0 {
		c.enqueue(t, cl, cl.grp, true)
	} else {
		c.clearCall(t, cl, cti.CECNone)
	}
}

// startTalk arms the caller's hang-up once an inbound call is answered.
func (c *center) startTalk(cl *call) {
	if cl.answered {
		return
	}
	cl.answered = true
	c.stats.calls.answered.Add(1)
	if cl.caller == nil || cl.talk <= 0 {
		return
	}
	cl.talkTimer = time.AfterFunc(cl.talk, c.timerFunc(func(t *tx) {
		cl.talkTimer = nil
		if cl.ended || cl.caller == nil {
			return
		}
		c.stats.calls.hungUp.Add(1)
		c.releaseConn(t, cl.caller, cti.CECNone)
	}))
}

// ---- parties leaving ----

// releaseConn takes one party off a call: CALL_CONNECTION_CLEARED_EVENT, then END_CALL_EVENT for
// it if the call goes on, or CALL_CLEARED_EVENT and END_CALL_EVENT for everyone if one party or
// none is left.
func (c *center) releaseConn(t *tx, cn *conn, cause cti.EventCause) {
	cl := cn.call
	if cn.released || cl.ended {
		return
	}
	d := cn.dev
	t.toCall(cl, cti.CallConnectionClearedMask, c.connClearedEvent(cl, cn, cause))
	c.removeConn(t, cn)
	if c.callIsOver(cl) {
		c.clearCall(t, cl, cti.CECNone, d)
	} else if d != nil {
		t.toDevice(d, cti.EndCallMask, c.endCall(cl, d.ext))
	}
	if d != nil {
		c.refreshAgent(t, d.agent)
	}
}

// callIsOver: a call needs two parties, unless it is still waiting in queue for its second.
func (c *center) callIsOver(cl *call) bool {
	if cl.queued {
		return len(cl.conns) == 0
	}
	return len(cl.conns) <= 1
}

// clearCall ends a call for every party: CALL_CLEARED_EVENT, then END_CALL_EVENT per party
// device (and extra, devices that just left) and one to the all-events sessions.
func (c *center) clearCall(t *tx, cl *call, cause cti.EventCause, extra ...*device) {
	if cl.ended {
		return
	}
	cl.ended = true
	c.dequeue(t, cl, cti.CECCallCancelled)
	cl.stopTimers()
	last := cl.lastParty
	if len(cl.conns) > 0 {
		last = cl.conns[0].id
	}
	t.toCall(cl, cti.CallClearedMask, c.clearedEvent(cl, last, cause), extra...)
	var devs []*device
	for _, cn := range cl.conns {
		if cn.dev != nil {
			devs = append(devs, cn.dev)
		}
	}
	for _, d := range extra {
		if d != nil && !slices.Contains(devs, d) {
			devs = append(devs, d)
		}
	}
	for _, cn := range slices.Clone(cl.conns) {
		c.removeConn(t, cn)
	}
	for _, d := range devs {
		t.toDevice(d, cti.EndCallMask, c.endCall(cl, d.ext))
	}
	t.toAllEvents(cti.EndCallMask, c.endCall(cl, last))
	t.toCallMonitors(cl.monitors, cti.EndCallMask, c.endCall(cl, last))
	for len(cl.monitors) > 0 {
		c.dropMonitor(cl.monitors[0]) // a call monitor ends with its call
	}
	delete(c.calls, cl.id)
	c.stats.calls.cleared.Add(1)
	for _, d := range devs {
		c.refreshAgent(t, d.agent)
	}
}

// ---- destinations ----

type destKind uint8

const (
	destInvalid destKind = iota
	destAgent            // an agent extension with an AVAILABLE agent
	destOutside          // an outside number: answers at once
	destQueue            // a skill group's dialed number: queued for its next available member
)

// destination classifies a dialled number.
func (c *center) destination(number string, from *device) (destKind, *device) {
	if number == "" {
		return destInvalid, nil
	}
	if c.groupFor(number) != nil {
		return destQueue, nil
	}
	if d := c.devices[number]; d != nil {
		if d == from || d.agent == nil || d.agent.state != cti.AgentStateAvailable {
			return destInvalid, nil
		}
		return destAgent, d
	}
	if strings.HasPrefix(number, c.cfg.Calls.OutsidePrefix) && len(number) > len(c.cfg.Calls.OutsidePrefix) {
		return destOutside, nil
	}
	return destInvalid, nil
}

// reach connects the destination of a new (consultation, made or transferred) call.
func (c *center) reach(t *tx, cl *call, kind destKind, d *device, number string) {
	switch kind {
	case destAgent:
		c.deliver(t, cl, d, false)
	case destOutside:
		cn := c.addConn(cl, nil, number, cti.LCSAlerting)
		t.toCall(cl, cti.CallDeliveredMask, c.deliveredEvent(cl, cn, cti.CECNone))
		c.connect(t, cl, cn)
	case destQueue:
		c.enqueue(t, cl, c.groupFor(number), false)
	}
}

// connect answers an alerting connection: CALL_ESTABLISHED_EVENT; an originating party of the
// call is connected too.
func (c *center) connect(t *tx, cl *call, cn *conn) {
	cn.lcs = cti.LCSConnect
	if cn.rona != nil {
		cn.rona.Stop()
		cn.rona = nil
	}
	for _, o := range cl.conns {
		if o.lcs == cti.LCSInitiate {
			o.lcs = cti.LCSConnect
		}
	}
	t.toCall(cl, cti.CallEstablishedMask, c.establishedEvent(cl, cn))
	for _, o := range cl.conns {
		if o.lcs == cti.LCSConnect {
			connConnected(o, t.now)
			c.rtp(t, o, true) // media flows between the connected parties
		}
	}
	if cl.caller != nil {
		c.startTalk(cl)
	} else if !cl.answered {
		cl.answered = true
	}
	for _, o := range cl.conns {
		if o.dev != nil {
			c.refreshAgent(t, o.dev.agent)
		}
	}
}

func mergeNamed(dst, src []cti.NamedVariable) []cti.NamedVariable {
	for _, nv := range src {
		i := slices.IndexFunc(dst, func(x cti.NamedVariable) bool { return x.Name == nv.Name })
		if i >= 0 {
			dst[i].Value = nv.Value
		} else {
			dst = append(dst, nv)
		}
	}
	return dst
}

// callVars points at CallVariable1…10 of a call context, for the code that treats them as a list.
func callVars(d *cti.CallContext) [10]*string {
	return [10]*string{&d.CallVariable1, &d.CallVariable2, &d.CallVariable3, &d.CallVariable4, &d.CallVariable5,
		&d.CallVariable6, &d.CallVariable7, &d.CallVariable8, &d.CallVariable9, &d.CallVariable10}
}
