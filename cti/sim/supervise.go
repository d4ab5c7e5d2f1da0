package sim

import "github.com/ctiload/ctiload/cti"

// superviseCall serves SUPERVISE_CALL_REQ: a supervisor's phone barges into an agent's call
// (joins it as a conference party), intercepts it (joins, and the agent leaves), or leaves it
// again (SUPERVISOR_CLEAR). The supervisor is an agent logged in at its own phone: the session's
// device, or SupervisorInstrument (required for a bridge session). Any logged-in agent may
// supervise: the simulator has no team configuration. The agent's call is AgentConnectionCallID
// with AgentConnectionDeviceID, or, with AgentConnectionCallID 0xFFFFFFFF, the active call of the
// agent named by AgentExtension, AgentInstrument or AgentID.
//
//	SUPERVISE_CALL_CONF            the agent's connection (supervisor)
//	BEGIN_CALL_EVENT               the call, its data (supervisor)
//	CALL_CONFERENCED_EVENT         Primary = Secondary = the call, Controller = AddedParty = the
//	                               supervisor, parties, EventCause CEC_SUPERVISOR_BARGE_IN or
//	                               CEC_SUPERVISOR_INTERCEPT (every party, bridge)
//	AGENT_STATE_EVENT TALKING      (supervisor)
//	intercept only: the agent's connection is cleared as by CLEAR_CONNECTION_REQ, EventCause
//	CEC_SUPERVISOR_INTERCEPT: CALL_CONNECTION_CLEARED_EVENT (every party, bridge), END_CALL_EVENT
//	and the after-call AGENT_STATE_EVENT (agent)
//
// SUPERVISOR_CLEAR takes the supervisor's connection off the call (CEC_SUPERVISOR_CLEAR), the
// same way. Silent monitoring and whisper need media the simulator does not have:
// E_CTI_FUNCTION_NOT_AVAILABLE.
func (c *center) superviseCall(t *tx, s *session, req *cti.SuperviseCallReq) {
	sup, f := c.supervisorDevice(s, req.SupervisorInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	switch req.SupervisoryAction {
	case cti.SupervisorBargeIn, cti.SupervisorIntercept, cti.SupervisorClear:
	case cti.SupervisorMonitor, cti.SupervisorWhisper:
		s.fail(req.InvokeID, cti.ECTIFunctionNotAvailable)
		return
	default:
		s.fail(req.InvokeID, cti.ECTIInvalidSupervisoryAction)
		return
	}
	cl, agentConn, f := c.supervisedConn(req)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	conf := &cti.SuperviseCallConf{InvokeID: req.InvokeID, ConnectionCallID: cl.id, ConnectionDeviceIDType: dyn, ConnectionDeviceID: agentConn.id}
	own := cl.connOf(sup.ext)
	if req.SupervisoryAction == cti.SupervisorClear {
		if own == nil || own == agentConn {
			s.controlFail(req.InvokeID, cti.CFInvalidCSTAConnectionIdentifier)
			return
		}
		t.send(s, conf)
		c.releaseConn(t, own, cti.CECSupervisorClear)
		return
	}
	switch {
	case own != nil:
		s.controlFail(req.InvokeID, cti.CFInvalidObjectState) // already in the call
		return
	case agentConn.lcs != cti.LCSConnect:
		s.controlFail(req.InvokeID, cti.CFNoActiveCall)
		return
	case activeConn(sup, nil) != nil:
		s.controlFail(req.InvokeID, cti.CFGenericStateIncompatibility)
		return
	case len(cl.conns) >= cti.MaxParties:
		s.controlFail(req.InvokeID, cti.CFConferenceMemberLimitExceeded)
		return
	}
	cause := cti.CECSupervisorBargeIn
	if req.SupervisoryAction == cti.SupervisorIntercept {
		cause = cti.CECSupervisorIntercept
	}
	t.send(s, conf)
	cn := c.addConn(cl, sup, sup.ext, cti.LCSConnect)
	cn.st.supervise = cause
	connConnected(cn, t.now)
	t.toDevice(sup, cti.BeginCallMask, c.beginCall(cl, sup.ext))
	ev := c.conferencedEvent(cl, cl, cn, cn)
	ev.EventCause = cause
	t.toCall(cl, cti.CallConferencedMask, ev)
	c.rtp(t, cn, true)
	c.refreshAgent(t, sup.agent)
	c.stats.calls.supervised.Add(1)
	if cause == cti.CECSupervisorIntercept {
		c.releaseConn(t, agentConn, cause)
	}
}

// supervisorDevice is the phone of the supervisor a SUPERVISE_CALL_REQ is for.
func (c *center) supervisorDevice(s *session, instrument string) (*device, *failure) {
	d := s.ownDevice()
	if instrument != "" {
		d = c.devices[instrument]
		if d == nil {
			return nil, cfErr(cti.CFInvalidCSTADeviceIdentifier)
		}
		if s.mode != modeAll && d != s.ownDevice() {
			return nil, cfErr(cti.CFPrivilegeViolationOnSpecifiedDevice)
		}
	}
	if d == nil {
		return nil, stErr(cti.ECTIRequiredDataMissing) // a bridge session must name SupervisorInstrument
	}
	if d.agent == nil {
		return nil, cfErr(cti.CFInvalidObjectState) // nobody is logged in at the supervisor's phone
	}
	return d, nil
}

// supervisedConn finds the agent's call and connection a SUPERVISE_CALL_REQ names.
func (c *center) supervisedConn(req *cti.SuperviseCallReq) (*call, *conn, *failure) {
	if req.AgentConnectionCallID != noneID {
		cl := c.calls[req.AgentConnectionCallID]
		if cl == nil || cl.ended {
			return nil, nil, cfErr(cti.CFInvalidCSTACallIdentifier)
		}
		cn := cl.connOf(req.AgentConnectionDeviceID)
		if cn == nil || cn.dev == nil {
			return nil, nil, cfErr(cti.CFInvalidCSTAConnectionIdentifier)
		}
		return cl, cn, nil
	}
	var d *device
	switch {
	case req.AgentExtension != "":
		d = c.devices[req.AgentExtension]
	case req.AgentInstrument != "":
		d = c.devices[req.AgentInstrument]
	case req.AgentID != "":
		if a := c.agents[req.AgentID]; a != nil {
			d = a.dev
		} else {
			return nil, nil, cfErr(cti.CFInvalidAgentIDSpecified)
		}
	default:
		return nil, nil, stErr(cti.ECTIRequiredDataMissing)
	}
	if d == nil {
		return nil, nil, cfErr(cti.CFInvalidCSTADeviceIdentifier)
	}
	cn := activeConn(d, nil)
	if cn == nil {
		return nil, nil, cfErr(cti.CFNoActiveCall)
	}
	return cn.call, cn, nil
}
