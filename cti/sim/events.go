package sim

import (
	"slices"

	"github.com/ctiload/ctiload/cti"
)

// This file builds the call events. Field values follow docs/protocol/layouts.md, and docs/protocol/uccx.md for what
// UCCX puts in the UCCE-shaped fields.

const (
	dyn       = cti.ConnectionIDDynamic
	noneLine  = 0xFFFF
	noneID    = 0xFFFFFFFF
	uccxLine  = cti.LineType(3) // §6.1: UCCX business call
	uccxAppID = 1               // §6.1: ServiceNumber carries the UCCX application ID
)

func (c *center) line(cl *call) (uint16, cti.LineType) {
	if c.uccx {
		return noneLine, uccxLine
	}
	switch cl.typ {
	case cti.CallTypeACDIn, cti.CallTypeTransferIn:
		return 0, cti.LineTypeInboundACD
	case cti.CallTypeAgentOut:
		return 0, cti.LineTypeOutbound
	}
	return 0, cti.LineTypeInside
}

// skill is SkillGroupNumber, SkillGroupID, SkillGroupPriority of a call.
func (c *center) skill(cl *call) (uint32, uint32, uint16) {
	if !cl.isACD() {
		return 0, 0, 0
	}
	if c.uccx {
		return cl.sg, noneID, 0
	}
	return cl.sg, cl.sg, 0
}

// service is ServiceNumber, ServiceID.
func (c *center) service() (uint32, uint32) {
	if c.uccx {
		return uccxAppID, noneID
	}
	return 0, 0
}

// called gives the Called and LastRedirect devices of a connection's call leg.
func (c *center) called(cl *call, cn *conn) (called string, calledType cti.DeviceIDType, redirect string, redirectType cti.DeviceIDType) {
	if cn != nil && cn.routed {
		return cn.id, cn.devType(), c.queueDevice(cl.grp), cti.DevIDRoutePoint
	}
	if cl.called != "" {
		return cl.called, cl.calledType, "", cti.DevIDNone
	}
	if cn != nil {
		return cn.id, cn.devType(), "", cti.DevIDNone
	}
	return "", cti.DevIDNone, "", cti.DevIDNone
}

func (c *center) beginCall(cl *call, connDev string) *cti.BeginCallEvent {
	m := &cti.BeginCallEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		CallType:               cl.typ,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		ConnectionDeviceID:     connDev,
	}
	m.SetCallContext(&cl.data)
	m.Present.Add(cti.TagConnectionDeviceID)
	return m
}

func (c *center) endCall(cl *call, connDev string) *cti.EndCallEvent {
	m := &cti.EndCallEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		ConnectionDeviceID:     connDev,
	}
	m.Present.Add(25)
	return m
}

func (c *center) queuedEvent(cl *call) *cti.CallQueuedEvent {
	sn, sid := c.service()
	num, id := c.queueSkill(cl)
	route := c.queueDevice(cl.grp)
	m := &cti.CallQueuedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		ServiceNumber:          sn,
		ServiceID:              sid,
		QueueDeviceType:        cti.DevIDQueue,
		CallingDeviceType:      cl.callingType,
		CalledDeviceType:       cti.DevIDRoutePoint,
		LastRedirectDeviceType: cti.DevIDNone,
		NumQueued:              uint16(min(len(cl.grp.queue), 0xFFFF)),
		NumSkillGroups:         1,
		LocalConnectionState:   cti.LCSQueued,
		EventCause:             cti.CECNone,
		ConnectionDeviceID:     route,
		QueueDeviceID:          route,
		CallingDeviceID:        cl.calling,
		CalledDeviceID:         route,
		SkillGroups:            []cti.SkillGroup{{SkillGroupNumber: num, SkillGroupID: id}},
	}
	return m
}

// queueDevice is the device a group's calls wait on: Calls.RouteDevice for the group of
// Calls.DialedNumber, the group's own dialed number for the others.
func (c *center) queueDevice(g *skillGroup) string {
	if g == nil || g.dialed == c.cfg.Calls.DialedNumber {
		return c.cfg.Calls.RouteDevice
	}
	return g.dialed
}

// queueSkill is SkillGroupNumber and SkillGroupID of the group a call waits in (for any call
// type: a desktop's call to a group's number queues too).
func (c *center) queueSkill(cl *call) (uint32, uint32) {
	if c.uccx {
		return cl.grp.num, noneID
	}
	return cl.grp.num, cl.grp.num
}

// dequeuedEvent is CALL_DEQUEUED_EVENT: the call left its group's queue (NumQueued is what
// remains there).
func (c *center) dequeuedEvent(cl *call, cause cti.EventCause) *cti.CallDequeuedEvent {
	sn, sid := c.service()
	num, id := c.queueSkill(cl)
	route := c.queueDevice(cl.grp)
	return &cti.CallDequeuedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		ServiceNumber:          sn,
		ServiceID:              sid,
		QueueDeviceType:        cti.DevIDQueue,
		NumQueued:              uint16(min(len(cl.grp.queue), 0xFFFF)),
		NumSkillGroups:         1,
		LocalConnectionState:   cti.LCSNull,
		EventCause:             cause,
		ConnectionDeviceID:     route,
		QueueDeviceID:          route,
		SkillGroups:            []cti.SkillGroup{{SkillGroupNumber: num, SkillGroupID: id}},
	}
}

func (c *center) deliveredEvent(cl *call, cn *conn, cause cti.EventCause) *cti.CallDeliveredEvent {
	lh, lt := c.line(cl)
	sn, sid := c.service()
	num, id, prio := c.skill(cl)
	called, calledT, redir, redirT := c.called(cl, cn)
	m := &cti.CallDeliveredEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		LineHandle:             lh,
		LineType:               lt,
		ServiceNumber:          sn,
		ServiceID:              sid,
		SkillGroupNumber:       num,
		SkillGroupID:           id,
		SkillGroupPriority:     prio,
		AlertingDeviceType:     cn.devType(),
		CallingDeviceType:      cl.callingType,
		CalledDeviceType:       calledT,
		LastRedirectDeviceType: redirT,
		LocalConnectionState:   cn.lcs,
		EventCause:             cause,
		ConnectionDeviceID:     cn.id,
		AlertingDeviceID:       cn.id,
		CallingDeviceID:        cl.calling,
		CalledDeviceID:         called,
		LastRedirectDeviceID:   redir,
	}
	m.SetCallContext(&cl.data)
	return m
}

func (c *center) establishedEvent(cl *call, cn *conn) *cti.CallEstablishedEvent {
	lh, lt := c.line(cl)
	sn, sid := c.service()
	num, id, prio := c.skill(cl)
	called, calledT, redir, redirT := c.called(cl, cn)
	return &cti.CallEstablishedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		LineHandle:             lh,
		LineType:               lt,
		ServiceNumber:          sn,
		ServiceID:              sid,
		SkillGroupNumber:       num,
		SkillGroupID:           id,
		SkillGroupPriority:     prio,
		AnsweringDeviceType:    cn.devType(),
		CallingDeviceType:      cl.callingType,
		CalledDeviceType:       calledT,
		LastRedirectDeviceType: redirT,
		LocalConnectionState:   cti.LCSConnect,
		EventCause:             cti.CECNone,
		ConnectionDeviceID:     cn.id,
		AnsweringDeviceID:      cn.id,
		CallingDeviceID:        cl.calling,
		CalledDeviceID:         called,
		LastRedirectDeviceID:   redir,
	}
}

func (c *center) heldEvent(cl *call, cn *conn) *cti.CallHeldEvent {
	return &cti.CallHeldEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		HoldingDeviceType:      cn.devType(),
		LocalConnectionState:   cti.LCSHold,
		EventCause:             cti.CECNone,
		ConnectionDeviceID:     cn.id,
		HoldingDeviceID:        cn.id,
	}
}

func (c *center) retrievedEvent(cl *call, cn *conn) *cti.CallRetrievedEvent {
	return &cti.CallRetrievedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		RetrievingDeviceType:   cn.devType(),
		LocalConnectionState:   cti.LCSConnect,
		EventCause:             cti.CECNone,
		ConnectionDeviceID:     cn.id,
		RetrievingDeviceID:     cn.id,
	}
}

func (c *center) connClearedEvent(cl *call, cn *conn, cause cti.EventCause) *cti.CallConnectionClearedEvent {
	return &cti.CallConnectionClearedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		ReleasingDeviceType:    cn.devType(),
		LocalConnectionState:   cti.LCSNull,
		EventCause:             cause,
		ConnectionDeviceID:     cn.id,
		ReleasingDeviceID:      cn.id,
	}
}

func (c *center) clearedEvent(cl *call, connDev string, cause cti.EventCause) *cti.CallClearedEvent {
	m := &cti.CallClearedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		LocalConnectionState:   cti.LCSNull,
		EventCause:             cause,
		ConnectionDeviceID:     connDev,
	}
	m.Present.Add(25)
	return m
}

func (c *center) serviceInitiatedEvent(cl *call, cn *conn, cause cti.EventCause) *cti.CallServiceInitiatedEvent {
	lh, lt := c.line(cl)
	sn, sid := c.service()
	return &cti.CallServiceInitiatedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		LineHandle:             lh,
		LineType:               lt,
		ServiceNumber:          sn,
		ServiceID:              sid,
		CallingDeviceType:      cn.devType(),
		LocalConnectionState:   cti.LCSInitiate,
		EventCause:             cause,
		ConnectionDeviceID:     cn.id,
		CallingDeviceID:        cn.id,
	}
}

func (c *center) originatedEvent(cl *call, cn *conn, cause cti.EventCause) *cti.CallOriginatedEvent {
	lh, lt := c.line(cl)
	sn, sid := c.service()
	return &cti.CallOriginatedEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		ConnectionDeviceIDType: dyn,
		ConnectionCallID:       cl.id,
		LineHandle:             lh,
		LineType:               lt,
		ServiceNumber:          sn,
		ServiceID:              sid,
		CallingDeviceType:      cn.devType(),
		CalledDeviceType:       cl.calledType,
		LocalConnectionState:   cti.LCSInitiate,
		EventCause:             cause,
		ConnectionDeviceID:     cn.id,
		CallingDeviceID:        cn.id,
		CalledDeviceID:         cl.called,
	}
}

// parties lists a call's connections for the Parties groups (at most 16, §1), leaving out
// the ones given (a transferring party that is leaving).
func parties(cl *call, leaving ...*conn) []cti.Party {
	ps := make([]cti.Party, 0, len(cl.conns))
	for _, cn := range cl.conns {
		if len(ps) == cti.MaxParties {
			break
		}
		if slices.Contains(leaving, cn) {
			continue
		}
		// ConnectedPartyDeviceIDType is the party's device type: the v20 golden vector carries
		// DEVID_EXTERNAL (75) there, and the reference library types it as a device type.
		ps = append(ps, cti.Party{ConnectedPartyCallID: cl.id, ConnectedPartyDeviceIDType: cn.devType(), ConnectedPartyDeviceID: cn.id})
	}
	return ps
}

func (c *center) transferredEvent(primary, secondary *call, from, to *conn) *cti.CallTransferredEvent {
	lh, lt := c.line(primary)
	num, id, prio := c.skill(primary)
	ps := parties(primary, from) // NumParties counts who stays: the transferring party leaves
	m := &cti.CallTransferredEvent{
		PeripheralID:           c.pid,
		PeripheralType:         c.ptype,
		PrimaryDeviceIDType:    dyn,
		PrimaryCallID:          primary.id,
		LineHandle:             lh,
		LineType:               lt,
		SkillGroupNumber:       num,
		SkillGroupID:           id,
		SkillGroupPriority:     prio,
		NumParties:             uint16(len(ps)),
		SecondaryDeviceIDType:  dyn,
		SecondaryCallID:        secondary.id,
		TransferringDeviceType: from.devType(),
		TransferredDeviceType:  cti.DevIDNone,
		LocalConnectionState:   cti.LCSConnect,
		EventCause:             cti.CECTransfer,
		PrimaryDeviceID:        from.id,
		SecondaryDeviceID:      from.id,
		TransferringDeviceID:   from.id,
		Parties:                ps,
	}
	if to != nil {
		m.TransferredDeviceType, m.TransferredDeviceID = to.devType(), to.id
	}
	return m
}

func (c *center) conferencedEvent(primary, secondary *call, controller, added *conn) *cti.CallConferencedEvent {
	lh, lt := c.line(primary)
	num, id, prio := c.skill(primary)
	ps := parties(primary)
	return &cti.CallConferencedEvent{
		PeripheralID:          c.pid,
		PeripheralType:        c.ptype,
		PrimaryDeviceIDType:   dyn,
		PrimaryCallID:         primary.id,
		LineHandle:            lh,
		LineType:              lt,
		SkillGroupNumber:      num,
		SkillGroupID:          id,
		SkillGroupPriority:    prio,
		NumParties:            uint16(len(ps)),
		SecondaryDeviceIDType: dyn,
		SecondaryCallID:       secondary.id,
		ControllerDeviceType:  controller.devType(),
		AddedPartyDeviceType:  added.devType(),
		LocalConnectionState:  cti.LCSConnect,
		EventCause:            cti.CECNone,
		PrimaryDeviceID:       controller.id,
		SecondaryDeviceID:     controller.id,
		ControllerDeviceID:    controller.id,
		AddedPartyDeviceID:    added.id,
		Parties:               ps,
	}
}

// dataUpdate is CALL_DATA_UPDATE_EVENT carrying data: the whole call data when a transfer or
// conference moved a party to another call (oldID is the call it left), or only what
// SET_CALL_DATA_REQ changed.
func (c *center) dataUpdate(cl *call, oldID uint32, connDev string, data *cti.CallContext) *cti.CallDataUpdateEvent {
	m := &cti.CallDataUpdateEvent{
		PeripheralID:              c.pid,
		PeripheralType:            c.ptype,
		CallType:                  cl.typ,
		ConnectionDeviceIDType:    dyn,
		ConnectionCallID:          oldID,
		NewConnectionDeviceIDType: dyn,
		NewConnectionCallID:       cl.id,
		ConnectionDeviceID:        connDev,
		NewConnectionDeviceID:     connDev,
	}
	m.Present.Add(cti.TagConnectionDeviceID)
	m.SetCallContext(data)
	return m
}

func (c *center) snapshot(invoke uint32, cl *call) *cti.SnapshotCallConf {
	m := &cti.SnapshotCallConf{
		InvokeID: invoke,
		CallType: cl.typ,
	}
	m.SetCallContext(&cl.data)
	for _, cn := range cl.conns {
		if len(m.CallDevices) == cti.MaxParties {
			break
		}
		m.CallDevices = append(m.CallDevices, cti.CallDevice{
			CallConnectionCallID:       cl.id,
			CallConnectionDeviceIDType: dyn,
			CallConnectionDeviceID:     cn.id,
			CallDeviceIDType:           cn.devType(),
			CallDeviceID:               cn.id,
			CallDeviceConnectionState:  cn.lcs,
		})
	}
	m.NumCallDevices = uint16(len(m.CallDevices))
	return m
}
