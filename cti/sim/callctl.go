package sim

import (
	"slices"

	"github.com/ctiload/ctiload/cti"
)

// failure is how a request is refused: CONTROL_FAILURE_CONF (cf) or FAILURE_CONF (st).
type failure struct {
	control bool
	cf      cti.ControlFailure
	st      cti.Status
}

func cfErr(cf cti.ControlFailure) *failure { return &failure{control: true, cf: cf} }
func stErr(st cti.Status) *failure         { return &failure{st: st} }

func (f *failure) send(s *session, invoke uint32) {
	if f.control {
		s.controlFail(invoke, f.cf)
	} else {
		s.fail(invoke, f.st)
	}
}

// ownDevice is the device an agent-mode session speaks for.
func (s *session) ownDevice() *device {
	if s.dev != nil {
		return s.dev
	}
	if s.agent != nil {
		return s.agent.dev
	}
	return nil
}

// partyOf reports whether the session's device is in the call.
func (s *session) partyOf(cl *call) bool {
	d := s.ownDevice()
	if d == nil {
		return false
	}
	for _, cn := range cl.conns {
		if cn.dev == d {
			return true
		}
	}
	return false
}

// findConn resolves the connection a call-control request names: the call ID, and the device by
// ConnectionDeviceID, else AgentInstrument, else the session's own device.
func (c *center) findConn(s *session, callID uint32, ids ...string) (*call, *conn, *failure) {
	cl := c.calls[callID]
	if cl == nil || cl.ended {
		return nil, nil, cfErr(cti.CFInvalidCSTACallIdentifier)
	}
	if s.mode != modeAll && !s.partyOf(cl) {
		return nil, nil, cfErr(cti.CFPrivilegeViolationOnSpecifiedDevice)
	}
	id := ""
	for _, x := range ids {
		if x != "" {
			id = x
			break
		}
	}
	if id == "" {
		if d := s.ownDevice(); d != nil {
			id = d.ext
		}
	}
	if id == "" {
		return nil, nil, stErr(cti.ECTIRequiredDataMissing)
	}
	cn := cl.connOf(id)
	if cn == nil {
		return nil, nil, cfErr(cti.CFInvalidCSTAConnectionIdentifier)
	}
	return cl, cn, nil
}

// reqDevice resolves the device a request acts for (first non-empty id, else the session's).
func (c *center) reqDevice(s *session, ids ...string) (*device, *failure) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		d := c.devices[id]
		if d == nil {
			return nil, cfErr(cti.CFInvalidCSTADeviceIdentifier)
		}
		if s.mode != modeAll && d != s.ownDevice() {
			return nil, cfErr(cti.CFPrivilegeViolationOnSpecifiedDevice)
		}
		return d, nil
	}
	if d := s.ownDevice(); d != nil {
		return d, nil
	}
	return nil, stErr(cti.ECTIRequiredDataMissing)
}

func (c *center) answerCall(t *tx, s *session, req *cti.AnswerCallReq) {
	var cn *conn
	if req.ConnectionCallID == noneID {
		// §6 ANSWER_CALL_REQ: 0xFFFFFFFF when the alerting call's ID is not known.
		d, f := c.reqDevice(s, req.ConnectionDeviceID, req.AgentInstrument)
		if f != nil {
			f.send(s, req.InvokeID)
			return
		}
		for _, x := range d.conns {
			if x.lcs == cti.LCSAlerting {
				cn = x
				break
			}
		}
		if cn == nil {
			s.controlFail(req.InvokeID, cti.CFNoCallToAnswer)
			return
		}
	} else {
		var f *failure
		_, cn, f = c.findConn(s, req.ConnectionCallID, req.ConnectionDeviceID, req.AgentInstrument)
		if f != nil {
			f.send(s, req.InvokeID)
			return
		}
	}
	if cn.lcs != cti.LCSAlerting || cn.dev == nil {
		s.controlFail(req.InvokeID, cti.CFNoCallToAnswer)
		return
	}
	t.send(s, &cti.AnswerCallConf{InvokeID: req.InvokeID})
	c.connect(t, cn.call, cn)
}

func (c *center) holdCall(t *tx, s *session, req *cti.HoldCallReq) {
	cl, cn, f := c.findConn(s, req.ConnectionCallID, req.ConnectionDeviceID, req.AgentInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	if cn.lcs != cti.LCSConnect || cn.dev == nil {
		s.controlFail(req.InvokeID, cti.CFNoActiveCall)
		return
	}
	t.send(s, &cti.HoldCallConf{InvokeID: req.InvokeID})
	c.hold(t, cl, cn)
}

func (c *center) hold(t *tx, cl *call, cn *conn) {
	cn.lcs = cti.LCSHold
	connHeld(cn, t.now)
	t.toCall(cl, cti.CallHeldMask, c.heldEvent(cl, cn))
	c.rtp(t, cn, false)
	c.refreshAgent(t, cn.dev.agent)
}

func (c *center) retrieveCall(t *tx, s *session, req *cti.RetrieveCallReq) {
	cl, cn, f := c.findConn(s, req.HeldConnectionCallID, req.HeldConnectionDeviceID, req.AgentInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	if cn.lcs != cti.LCSHold {
		s.controlFail(req.InvokeID, cti.CFNoHeldCall)
		return
	}
	if activeConn(cn.dev, nil) != nil {
		s.controlFail(req.InvokeID, cti.CFGenericStateIncompatibility)
		return
	}
	t.send(s, &cti.RetrieveCallConf{InvokeID: req.InvokeID})
	c.retrieve(t, cl, cn)
}

func (c *center) retrieve(t *tx, cl *call, cn *conn) {
	cn.lcs = cti.LCSConnect
	connRetrieved(cn, t.now)
	t.toCall(cl, cti.CallRetrievedMask, c.retrievedEvent(cl, cn))
	c.rtp(t, cn, true)
	c.refreshAgent(t, cn.dev.agent)
}

// activeConn is a device's connection that is connected, originating or alerting, other than skip.
func activeConn(d *device, skip *conn) *conn {
	if d == nil {
		return nil
	}
	for _, cn := range d.conns {
		if cn != skip && (cn.lcs == cti.LCSConnect || cn.lcs == cti.LCSInitiate) {
			return cn
		}
	}
	return nil
}

func heldConn(d *device) *conn {
	for _, cn := range d.conns {
		if cn.lcs == cti.LCSHold {
			return cn
		}
	}
	return nil
}

func (c *center) clearConnection(t *tx, s *session, req *cti.ClearConnectionReq) {
	_, cn, f := c.findConn(s, req.ConnectionCallID, req.ConnectionDeviceID, req.AgentInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	t.send(s, &cti.ClearConnectionConf{InvokeID: req.InvokeID})
	c.releaseConn(t, cn, cti.CECNone)
}

func (c *center) clearCallReq(t *tx, s *session, req *cti.ClearCallReq) {
	cl, cn, f := c.findConn(s, req.ConnectionCallID, req.ConnectionDeviceID, req.AgentInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	t.send(s, &cti.ClearCallConf{InvokeID: req.InvokeID})
	// The requester's connection goes first, then the call for everyone else.
	d := cn.dev
	t.toCall(cl, cti.CallConnectionClearedMask, c.connClearedEvent(cl, cn, cti.CECNone))
	c.removeConn(t, cn)
	c.clearCall(t, cl, cti.CECNone, d)
	if d != nil {
		c.refreshAgent(t, d.agent)
	}
}

// activeLegTo checks the two things a consultation and a single-step transfer both need: the
// agent's own connected leg of the call, and a dialled number that leads somewhere. Otherwise it
// answers the request's failure itself and returns ok false.
func (c *center) activeLegTo(s *session, invokeID, callID uint32, devID, instrument, dialed string) (cl *call, leg *conn, kind destKind, td *device, ok bool) {
	cl, leg, f := c.findConn(s, callID, devID, instrument)
	if f != nil {
		f.send(s, invokeID)
		return nil, nil, 0, nil, false
	}
	if leg.dev == nil || leg.lcs != cti.LCSConnect {
		s.controlFail(invokeID, cti.CFNoActiveCall)
		return nil, nil, 0, nil, false
	}
	kind, td = c.destination(dialed, leg.dev)
	if kind == destInvalid {
		s.controlFail(invokeID, cti.CFInvalidCalledDevice)
		return nil, nil, 0, nil, false
	}
	return cl, leg, kind, td, true
}

func (c *center) consultationCall(t *tx, s *session, req *cti.ConsultationCallReq) {
	cl1, a1, kind, td, ok := c.activeLegTo(s, req.InvokeID, req.ActiveConnectionCallID, req.ActiveConnectionDeviceID, req.AgentInstrument, req.DialedNumber)
	if !ok {
		return
	}
	cl2 := c.newCall(t, cti.CallTypeConsult)
	cl2.data = cl1.data
	cl2.data.NamedVariables = slices.Clone(cl1.data.NamedVariables)
	cl2.data.RouterCallKeyDay, cl2.data.RouterCallKeyCallID = cl1.data.RouterCallKeyDay, cl2.id
	cl2.data.DialedNumber = req.DialedNumber
	applyVars(&cl2.data, req.Present, &req.CallVariable1, &req.CallVariable2, &req.CallVariable3, &req.CallVariable4,
		&req.CallVariable5, &req.CallVariable6, &req.CallVariable7, &req.CallVariable8, &req.CallVariable9, &req.CallVariable10)
	if req.NamedVariables != nil {
		cl2.data.NamedVariables = mergeNamed(cl2.data.NamedVariables, req.NamedVariables)
	}
	if req.Present.Has(9) {
		cl2.data.UserToUserInfo = req.UserToUserInfo
	}
	c.originate(t, s, cl2, a1.dev, req.DialedNumber, kind, func(newConn *conn) {
		t.send(s, &cti.ConsultationCallConf{InvokeID: req.InvokeID, NewConnectionCallID: cl2.id,
			NewConnectionDeviceIDType: dyn, LineHandle: c.lineHandle(), LineType: c.confLineType(), NewConnectionDeviceID: newConn.id})
		c.hold(t, cl1, a1)
	}, kindType(kind), td)
	c.stats.calls.consults.Add(1)
}

// originate places a desktop's call: CONF (via conf, which may also hold the first call), then
// BEGIN_CALL_EVENT, CALL_SERVICE_INITIATED_EVENT, CALL_ORIGINATED_EVENT and the destination.
func (c *center) originate(t *tx, s *session, cl *call, from *device, number string, kind destKind, conf func(*conn), calledType cti.DeviceIDType, td *device) {
	cl.calling, cl.callingType = from.ext, cti.DevIDAgentDevice
	cl.called, cl.calledType = number, calledType
	if cl.data.ANI == "" {
		cl.data.ANI = from.ext
	}
	cn := c.addConn(cl, from, from.ext, cti.LCSInitiate)
	conf(cn)
	cause := cti.CECNone
	if cl.typ == cti.CallTypeConsult {
		cause = cti.CECConsult
	}
	t.toAllEvents(cti.BeginCallMask, c.beginCall(cl, from.ext))
	t.toDevice(from, cti.BeginCallMask, c.beginCall(cl, from.ext))
	t.toCall(cl, cti.CallServiceInitiatedMask, c.serviceInitiatedEvent(cl, cn, cause))
	t.toCall(cl, cti.CallOriginatedMask, c.originatedEvent(cl, cn, cause))
	c.refreshAgent(t, from.agent)
	c.reach(t, cl, kind, td, number)
}

func kindType(k destKind) cti.DeviceIDType {
	switch k {
	case destAgent:
		return cti.DevIDAgentDevice
	case destQueue:
		return cti.DevIDRoutePoint
	}
	return cti.DevIDExternal
}

func (c *center) lineHandle() uint16 {
	if c.uccx {
		return noneLine
	}
	return 0
}

func (c *center) confLineType() cti.LineType {
	if c.uccx {
		return uccxLine
	}
	return cti.LineTypeInside
}

// applyVars copies the CallVariable fields present in a request.
func applyVars(d *cti.CallContext, present cti.TagSet, vs ...*string) {
	dst := callVars(d)
	for i, v := range vs {
		if present.Has(uint16(13+i)) || *v != "" {
			*dst[i] = *v
		}
	}
}

func (c *center) makeCall(t *tx, s *session, req *cti.MakeCallReq) {
	d, f := c.reqDevice(s, req.AgentInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	if d.agent == nil {
		s.controlFail(req.InvokeID, cti.CFInvalidObjectState)
		return
	}
	if activeConn(d, nil) != nil || slices.ContainsFunc(d.conns, func(cn *conn) bool { return cn.lcs == cti.LCSAlerting }) {
		s.controlFail(req.InvokeID, cti.CFGenericStateIncompatibility)
		return
	}
	kind, td := c.destination(req.DialedNumber, d)
	if kind == destInvalid {
		s.controlFail(req.InvokeID, cti.CFInvalidCalledDevice)
		return
	}
	typ := cti.CallTypeAgentInside
	if kind == destOutside {
		typ = cti.CallTypeAgentOut
	}
	cl := c.newCall(t, typ)
	cl.data.DialedNumber, cl.data.DNIS = req.DialedNumber, req.DialedNumber
	applyVars(&cl.data, req.Present, &req.CallVariable1, &req.CallVariable2, &req.CallVariable3, &req.CallVariable4,
		&req.CallVariable5, &req.CallVariable6, &req.CallVariable7, &req.CallVariable8, &req.CallVariable9, &req.CallVariable10)
	cl.data.NamedVariables = slices.Clone(req.NamedVariables)
	cl.data.UserToUserInfo = req.UserToUserInfo
	cl.data.CallWrapupData = req.CallWrapupData
	c.originate(t, s, cl, d, req.DialedNumber, kind, func(cn *conn) {
		t.send(s, &cti.MakeCallConf{InvokeID: req.InvokeID, NewConnectionCallID: cl.id, NewConnectionDeviceIDType: dyn,
			LineHandle: c.lineHandle(), LineType: c.confLineType(), NewConnectionDeviceID: cn.id})
	}, kindType(kind), td)
	c.stats.calls.madeCalls.Add(1)
}

// consultPair finds the two legs a transfer or conference completes: the agent's held original
// call (cl1, a1) and its active consult call (cl2, a2) on the same device, the active leg in one
// of the states activeOK. Otherwise it answers the request's CONTROL_FAILURE_CONF itself and
// returns ok false.
func (c *center) consultPair(s *session, invokeID, activeID uint32, activeDev string, heldID uint32, heldDev, instrument string,
	activeOK ...cti.LocalConnectionState) (cl1 *call, a1 *conn, cl2 *call, a2 *conn, ok bool) {
	cl2, a2, f := c.findConn(s, activeID, activeDev, instrument)
	if f == nil && a2.dev == nil {
		f = cfErr(cti.CFInvalidCSTAConnectionIdentifier)
	}
	if f == nil {
		cl1, a1, f = c.findConn(s, heldID, heldDev, a2.id)
	}
	if f != nil {
		f.send(s, invokeID)
		return nil, nil, nil, nil, false
	}
	switch {
	case cl1 == cl2 || a1.dev != a2.dev:
		s.controlFail(invokeID, cti.CFInvalidCSTAConnectionIdentifier)
	case a1.lcs != cti.LCSHold:
		s.controlFail(invokeID, cti.CFNoHeldCall)
	case !slices.Contains(activeOK, a2.lcs):
		s.controlFail(invokeID, cti.CFNoActiveCall)
	default:
		return cl1, a1, cl2, a2, true
	}
	return nil, nil, nil, nil, false
}

func (c *center) transferCall(t *tx, s *session, req *cti.TransferCallReq) {
	if req.HeldConnectionCallID == noneID || req.HeldConnectionDeviceIDType == cti.ConnectionIDNone {
		c.singleStepTransfer(t, s, req)
		return
	}
	// A transfer may complete while the consulted party still rings (LCS_INITIATE on the
	// consulting side): that is a "blind" transfer of the consult call.
	cl1, a1, cl2, a2, ok := c.consultPair(s, req.InvokeID, req.ActiveConnectionCallID, req.ActiveConnectionDeviceID,
		req.HeldConnectionCallID, req.HeldConnectionDeviceID, req.AgentInstrument, cti.LCSConnect, cti.LCSInitiate)
	if !ok {
		return
	}
	others := slices.DeleteFunc(slices.Clone(cl2.conns), func(x *conn) bool { return x == a2 })
	if len(others) == 0 {
		s.controlFail(req.InvokeID, cti.CFNoCallToComplete)
		return
	}
	if len(cl1.conns)+len(others)-1 > cti.MaxParties {
		s.controlFail(req.InvokeID, cti.CFConferenceMemberLimitExceeded)
		return
	}
	from := a1.dev
	// Move the consulted parties onto the held call.
	for _, o := range others {
		cl2.conns = slices.DeleteFunc(cl2.conns, func(x *conn) bool { return x == o })
		o.call = cl1
		cl1.conns = append(cl1.conns, o)
		if o.dev != nil && o.dev.agent != nil && cl1.isACD() {
			o.dev.agent.acd = true
		}
	}
	to := others[0]
	t.send(s, &cti.TransferCallConf{InvokeID: req.InvokeID, NewConnectionCallID: cl1.id, NewConnectionDeviceIDType: dyn,
		NumParties: uint16(len(parties(cl1))), LineHandle: c.lineHandle(), LineType: c.confLineType(),
		NewConnectionDeviceID: to.id, Parties: parties(cl1)})
	t.toCall(cl1, cti.CallTransferredMask, c.transferredEvent(cl1, cl2, a1, to), from)
	for _, o := range others {
		if o.dev != nil {
			t.toDevice(o.dev, cti.CallDataUpdateMask, c.dataUpdate(cl1, cl2.id, o.id, &cl1.data))
		}
	}
	// The transferring agent leaves both calls.
	c.releaseConn(t, a1, cti.CECTransfer)
	c.endConsultLeg(t, cl2, a2, others, cti.CECTransfer)
	c.stats.calls.transfers.Add(1)
	c.refreshAgent(t, from.agent)
	for _, o := range others {
		if o.dev != nil {
			c.refreshAgent(t, o.dev.agent)
		}
	}
}

// endConsultLeg ends the consultation call after a transfer or a conference moved its other
// parties to the primary call: CALL_CONNECTION_CLEARED_EVENT for the controller's leg (to it and
// the bridge sessions), END_CALL_EVENT to the parties that moved, then CALL_CLEARED_EVENT and
// END_CALL_EVENT as for any call that ends.
func (c *center) endConsultLeg(t *tx, cl2 *call, leg *conn, moved []*conn, cause cti.EventCause) {
	t.toCall(cl2, cti.CallConnectionClearedMask, c.connClearedEvent(cl2, leg, cause))
	from := leg.dev
	c.removeConn(t, leg)
	for _, o := range moved {
		if o.dev != nil {
			t.toDevice(o.dev, cti.EndCallMask, c.endCall(cl2, o.id))
		}
	}
	c.clearCall(t, cl2, cause, from)
}

func (c *center) singleStepTransfer(t *tx, s *session, req *cti.TransferCallReq) {
	cl, a1, kind, td, ok := c.activeLegTo(s, req.InvokeID, req.ActiveConnectionCallID, req.ActiveConnectionDeviceID, req.AgentInstrument, req.DialedNumber)
	if !ok {
		return
	}
	t.send(s, &cti.TransferCallConf{InvokeID: req.InvokeID, NewConnectionCallID: cl.id, NewConnectionDeviceIDType: dyn,
		LineHandle: c.lineHandle(), LineType: c.confLineType(), NewConnectionDeviceID: req.DialedNumber})
	from := a1.dev
	// The transferring agent leaves first so that the call does not look over when it goes
	// back to the queue; the destination is reached before the events say the transfer happened.
	c.removeConn(t, a1)
	var to *conn
	switch kind {
	case destQueue:
		c.enqueue(t, cl, c.groupFor(req.DialedNumber), false)
	default:
		c.reach(t, cl, kind, td, req.DialedNumber)
		to = cl.connOf(req.DialedNumber)
	}
	// a1 is back in the call only for the events' recipients and parties.
	t.toCall(cl, cti.CallTransferredMask, c.transferredEvent(cl, cl, a1, to), from)
	t.toCall(cl, cti.CallConnectionClearedMask, c.connClearedEvent(cl, a1, cti.CECTransfer), from)
	t.toDevice(from, cti.EndCallMask, c.endCall(cl, from.ext))
	c.stats.calls.transfers.Add(1)
	c.refreshAgent(t, from.agent)
	if c.callIsOver(cl) {
		c.clearCall(t, cl, cti.CECNone)
	}
}

func (c *center) conferenceCall(t *tx, s *session, req *cti.ConferenceCallReq) {
	cl1, a1, cl2, a2, ok := c.consultPair(s, req.InvokeID, req.ActiveConnectionCallID, req.ActiveConnectionDeviceID,
		req.HeldConnectionCallID, req.HeldConnectionDeviceID, req.AgentInstrument, cti.LCSConnect)
	if !ok {
		return
	}
	others := slices.DeleteFunc(slices.Clone(cl2.conns), func(x *conn) bool { return x == a2 })
	if len(others) == 0 || slices.ContainsFunc(others, func(o *conn) bool { return o.lcs != cti.LCSConnect }) {
		s.controlFail(req.InvokeID, cti.CFNoCallToComplete)
		return
	}
	if len(cl1.conns)+len(others) > cti.MaxParties {
		s.controlFail(req.InvokeID, cti.CFConferenceMemberLimitExceeded)
		return
	}
	for _, o := range others {
		cl2.conns = slices.DeleteFunc(cl2.conns, func(x *conn) bool { return x == o })
		o.call = cl1
		cl1.conns = append(cl1.conns, o)
	}
	a1.lcs = cti.LCSConnect
	connRetrieved(a1, t.now)
	ps := parties(cl1)
	t.send(s, &cti.ConferenceCallConf{InvokeID: req.InvokeID, NewConnectionCallID: cl1.id, NewConnectionDeviceIDType: dyn,
		NumParties: uint16(len(ps)), LineHandle: c.lineHandle(), LineType: c.confLineType(), NewConnectionDeviceID: a1.id, Parties: ps})
	t.toCall(cl1, cti.CallConferencedMask, c.conferencedEvent(cl1, cl2, a1, others[0]))
	for _, o := range others {
		if o.dev != nil {
			t.toDevice(o.dev, cti.CallDataUpdateMask, c.dataUpdate(cl1, cl2.id, o.id, &cl1.data))
		}
	}
	// C2 ends as it does after a transfer: the controller's leg is cleared, then the call, and
	// everyone who was in it gets END_CALL_EVENT.
	c.endConsultLeg(t, cl2, a2, others, cti.CECNone)
	c.stats.calls.conferences.Add(1)
	c.refreshAgent(t, a1.dev.agent)
	for _, o := range others {
		if o.dev != nil {
			c.refreshAgent(t, o.dev.agent)
		}
	}
}

func (c *center) alternateCall(t *tx, s *session, req *cti.AlternateCallReq) {
	cla, ca, f := c.findConn(s, req.ActiveConnectionCallID, req.ActiveConnectionDeviceID, req.AgentInstrument)
	var clo *call
	var co *conn
	if f == nil {
		clo, co, f = c.findConn(s, req.OtherConnectionCallID, req.OtherConnectionDeviceID, ca.id)
	}
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	if ca.lcs != cti.LCSConnect || ca.dev == nil {
		s.controlFail(req.InvokeID, cti.CFNoActiveCall)
		return
	}
	if co.lcs != cti.LCSHold || co.dev != ca.dev {
		s.controlFail(req.InvokeID, cti.CFNoHeldCall)
		return
	}
	t.send(s, &cti.AlternateCallConf{InvokeID: req.InvokeID})
	c.hold(t, cla, ca)
	c.retrieve(t, clo, co)
}

func (c *center) reconnectCall(t *tx, s *session, req *cti.ReconnectCallReq) {
	_, ca, f := c.findConn(s, req.ActiveConnectionCallID, req.ActiveConnectionDeviceID, req.AgentInstrument)
	var clh *call
	var ch *conn
	if f == nil {
		clh, ch, f = c.findConn(s, req.HeldConnectionCallID, req.HeldConnectionDeviceID, ca.id)
	}
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	if ch.lcs != cti.LCSHold || ch.dev == nil || ch.dev != ca.dev {
		s.controlFail(req.InvokeID, cti.CFNoHeldCall)
		return
	}
	t.send(s, &cti.ReconnectCallConf{InvokeID: req.InvokeID})
	// Connected again before the release, so that the agent does not pass through HOLD.
	ch.lcs = cti.LCSConnect
	connRetrieved(ch, t.now)
	c.releaseConn(t, ca, cti.CECNone)
	if !ch.released {
		t.toCall(clh, cti.CallRetrievedMask, c.retrievedEvent(clh, ch))
	}
}

func (c *center) setCallData(t *tx, s *session, req *cti.SetCallDataReq) {
	cl := c.calls[req.ConnectionCallID]
	if cl == nil || cl.ended {
		s.fail(req.InvokeID, cti.ECTIInvalidCallid)
		return
	}
	if s.mode != modeAll && !s.partyOf(cl) {
		s.fail(req.InvokeID, cti.ECTINotCallParty)
		return
	}
	// §4.3: the counts in the fixed part must match the floating fields.
	if int(req.NumNamedVariables) != len(req.NamedVariables) {
		s.fail(req.InvokeID, cti.ECTIInvalidNumNamedVariables)
		return
	}
	if int(req.NumNamedArrays) != len(req.NamedArrays) {
		s.fail(req.InvokeID, cti.ECTIInvalidNumNamedArrays)
		return
	}
	delta := c.updateCallData(&cl.data, req)
	t.send(s, &cti.SetCallDataConf{InvokeID: req.InvokeID})
	connDev := ""
	if od := s.ownDevice(); od != nil {
		connDev = od.ext
	} else if len(cl.conns) > 0 {
		connDev = cl.conns[0].id
	}
	t.toCall(cl, cti.CallDataUpdateMask, c.dataUpdate(cl, cl.id, connDev, &delta))
}

// updateCallData applies SET_CALL_DATA_REQ's fields to a call's data and returns what changed:
// CALL_DATA_UPDATE_EVENT carries only the items that changed, each marked present so that one
// set to empty is sent too.
func (c *center) updateCallData(d *cti.CallContext, req *cti.SetCallDataReq) cti.CallContext {
	var delta cti.CallContext
	p := req.Present
	set := func(tag uint16, dst, deltaDst *string, v string) {
		if p.Has(tag) && *dst != v {
			*dst, *deltaDst = v, v
			delta.Present.Add(tag)
		}
	}
	set(8, &d.ANI, &delta.ANI, req.ANI)
	set(10, &d.DNIS, &delta.DNIS, req.DNIS)
	set(11, &d.DialedNumber, &delta.DialedNumber, req.DialedNumber)
	set(12, &d.CallerEnteredDigits, &delta.CallerEnteredDigits, req.CallerEnteredDigits)
	set(46, &d.CallWrapupData, &delta.CallWrapupData, req.CallWrapupData)
	set(95, &d.CustomerPhoneNumber, &delta.CustomerPhoneNumber, req.CustomerPhoneNumber)
	set(96, &d.CustomerAccountNumber, &delta.CustomerAccountNumber, req.CustomerAccountNumber)
	if p.Has(9) && string(d.UserToUserInfo) != string(req.UserToUserInfo) {
		d.UserToUserInfo, delta.UserToUserInfo = req.UserToUserInfo, req.UserToUserInfo
		delta.Present.Add(9)
	}
	vs := [10]string{req.CallVariable1, req.CallVariable2, req.CallVariable3, req.CallVariable4, req.CallVariable5,
		req.CallVariable6, req.CallVariable7, req.CallVariable8, req.CallVariable9, req.CallVariable10}
	dv, deltaVars := callVars(d), callVars(&delta)
	for i, v := range vs {
		set(uint16(13+i), dv[i], deltaVars[i], v)
	}
	for _, nv := range req.NamedVariables {
		i := slices.IndexFunc(d.NamedVariables, func(x cti.NamedVariable) bool { return x.Name == nv.Name })
		if i >= 0 && d.NamedVariables[i].Value == nv.Value {
			continue
		}
		d.NamedVariables = mergeNamed(d.NamedVariables, []cti.NamedVariable{nv})
		delta.NamedVariables = append(delta.NamedVariables, nv)
	}
	return delta
}

func (c *center) snapshotCall(t *tx, s *session, req *cti.SnapshotCallReq) {
	cl := c.calls[req.ConnectionCallID]
	if cl == nil || cl.ended {
		s.controlFail(req.InvokeID, cti.CFInvalidCSTACallIdentifier)
		return
	}
	if s.mode != modeAll && !s.partyOf(cl) {
		s.controlFail(req.InvokeID, cti.CFPrivilegeViolationOnSpecifiedDevice)
		return
	}
	t.send(s, c.snapshot(req.InvokeID, cl))
}

func (c *center) sendDTMF(t *tx, s *session, req *cti.SendDTMFSignalReq) {
	_, cn, f := c.findConn(s, req.ConnectionCallID, req.ConnectionDeviceID, req.AgentInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	if cn.lcs != cti.LCSConnect {
		s.controlFail(req.InvokeID, cti.CFNoActiveCall)
		return
	}
	t.send(s, &cti.SendDTMFSignalConf{InvokeID: req.InvokeID})
}
