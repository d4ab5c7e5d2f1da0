package sim

import (
	"reflect"
	"sync"

	"github.com/ctiload/ctiload/cti"
)

// dispatch serves a decoded request of an open session. Before the handler runs:
// the service the request needs must have been granted (E_CTI_FUNCTION_NOT_AVAILABLE), the
// PeripheralID must be the simulated one (UCCE, E_CTI_INVALID_PERIPHERAL_ID), and the peripheral
// must be online (E_CTI_CTI_SERVER_OFFLINE).
func (s *session) dispatch(m cti.Message, invoke uint32) {
	c := s.c
	switch req := m.(type) {
	case *cti.HeartbeatReq:
		s.enqueue(&cti.HeartbeatConf{InvokeID: req.InvokeID})
		return
	case *cti.CloseReq:
		s.enqueue(&cti.CloseConf{InvokeID: req.InvokeID})
		s.closeAfterFlush("CLOSE_REQ from the client")
		return
	case *cti.ClientEventReportReq:
		s.enqueue(&cti.ClientEventReportConf{InvokeID: req.InvokeID})
		return
	case *cti.UserMessageReq:
		c.userMessage(s, req)
		return
	}

	need := neededService(m)
	if isUCCXConfig(m) && !c.uccx {
		need = 0 // the UCCE layouts of these IDs were not captured (uccxconfig.go)
	}
	if need == 0 {
		c.stats.unsupportedReq(m.MessageType())
		s.fail(invoke, cti.ECTIFunctionNotAvailable)
		return
	}
	if need != anyService && !s.has(need) {
		s.fail(invoke, cti.ECTIFunctionNotAvailable)
		return
	}
	if pid, ok := uintField(m, "PeripheralID"); ok && !c.uccx && pid != c.pid {
		s.fail(invoke, cti.ECTIInvalidPeripheralID)
		return
	}

	var t tx
	c.begin(&t, s)
	defer t.end()
	if c.closed {
		return
	}
	if c.pgOffline {
		s.fail(invoke, cti.ECTICTIServerOffline)
		return
	}
	switch req := m.(type) {
	case *cti.QueryAgentStateReq:
		c.queryAgentState(&t, s, req)
	case *cti.SetAgentStateReq:
		c.setAgentState(&t, s, req)
	case *cti.AnswerCallReq:
		c.answerCall(&t, s, req)
	case *cti.HoldCallReq:
		c.holdCall(&t, s, req)
	case *cti.RetrieveCallReq:
		c.retrieveCall(&t, s, req)
	case *cti.ClearCallReq:
		c.clearCallReq(&t, s, req)
	case *cti.ClearConnectionReq:
		c.clearConnection(&t, s, req)
	case *cti.ConsultationCallReq:
		c.consultationCall(&t, s, req)
	case *cti.TransferCallReq:
		c.transferCall(&t, s, req)
	case *cti.ConferenceCallReq:
		c.conferenceCall(&t, s, req)
	case *cti.MakeCallReq:
		c.makeCall(&t, s, req)
	case *cti.AlternateCallReq:
		c.alternateCall(&t, s, req)
	case *cti.ReconnectCallReq:
		c.reconnectCall(&t, s, req)
	case *cti.SetCallDataReq:
		c.setCallData(&t, s, req)
	case *cti.SnapshotCallReq:
		c.snapshotCall(&t, s, req)
	case *cti.SendDTMFSignalReq:
		c.sendDTMF(&t, s, req)
	case *cti.ReleaseCallReq:
		t.send(s, &cti.ReleaseCallConf{InvokeID: req.InvokeID})
	case *cti.QueryDeviceInfoReq:
		c.queryDeviceInfo(&t, s, req)
	case *cti.SnapshotDeviceReq:
		c.snapshotDevice(&t, s, req)
	case *cti.MonitorStartReq:
		c.monitorStart(&t, s, req)
	case *cti.MonitorStopReq:
		c.monitorStop(&t, s, req)
	case *cti.SuperviseCallReq:
		c.superviseCall(&t, s, req)
	case *cti.QueryAgentStatisticsReq:
		c.queryAgentStatistics(&t, s, req)
	case *cti.QuerySkillGroupStatisticsReq:
		c.querySkillGroupStatistics(&t, s, req)
	case *cti.ConfigRequestKeyEvent:
		c.configRequestKey(&t, s)
	case *cti.ConfigRequestEvent:
		c.configRequest(&t, s, req)
	case *cti.TeamConfigReq:
		c.teamConfig(&t, s, req)
	case *cti.QueryAgentQueueStatisticsReq:
		c.queryAgentQueueStatistics(&t, s, req)
	case *cti.SupervisorAssistReq:
		c.assist(&t, s, req.InvokeID, req.ConnectionCallID, req.ConnectionDeviceID, req.AgentExtension, req.AgentID, req.AgentInstrument, false)
	case *cti.EmergencyCallReq:
		c.assist(&t, s, req.InvokeID, req.ConnectionCallID, req.ConnectionDeviceID, req.AgentExtension, req.AgentID, req.AgentInstrument, true)
	}
}

// isUCCXConfig reports the configuration requests served on Unified CCX sessions only.
func isUCCXConfig(m cti.Message) bool {
	switch m.(type) {
	case *cti.ConfigRequestKeyEvent, *cti.ConfigRequestEvent, *cti.TeamConfigReq:
		return true
	}
	return false
}

// anyService marks requests every open session may send.
const anyService cti.ServiceMask = 1 << 30

// neededService is the service a request needs (0: the simulator does not serve it).
func neededService(m cti.Message) cti.ServiceMask {
	switch m.(type) {
	case *cti.QueryAgentStateReq, *cti.SnapshotCallReq, *cti.QueryDeviceInfoReq, *cti.SnapshotDeviceReq,
		*cti.QueryAgentStatisticsReq, *cti.QuerySkillGroupStatisticsReq, *cti.QueryAgentQueueStatisticsReq:
		return anyService
	case *cti.ConfigRequestKeyEvent, *cti.ConfigRequestEvent, *cti.TeamConfigReq:
		return anyService // without CTI_SERVICE_CONFIG_EVENTS the answer says so (uccxconfig.go)
	case *cti.MonitorStartReq, *cti.MonitorStopReq:
		return cti.CTIServicePeripheralMonitor
	case *cti.SuperviseCallReq:
		return cti.CTIServiceClientControl | cti.CTIServiceSupervisor
	case *cti.SupervisorAssistReq, *cti.EmergencyCallReq:
		return cti.CTIServiceClientControl
	case *cti.SetAgentStateReq:
		return cti.CTIServiceClientControl | cti.CTIAgentStateControlOnly
	case *cti.AnswerCallReq, *cti.HoldCallReq, *cti.RetrieveCallReq, *cti.ClearCallReq, *cti.ClearConnectionReq,
		*cti.ConsultationCallReq, *cti.TransferCallReq, *cti.ConferenceCallReq, *cti.MakeCallReq,
		*cti.AlternateCallReq, *cti.ReconnectCallReq, *cti.SendDTMFSignalReq:
		return cti.CTIServiceClientControl
	case *cti.SetCallDataReq, *cti.ReleaseCallReq:
		return cti.CTIServiceCallDataUpdate
	}
	return 0
}

// uintField reads a fixed UINT field of a decoded message by name (cached per type).
func uintField(m cti.Message, name string) (uint32, bool) {
	rv := reflect.ValueOf(m)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return 0, false
	}
	rt := rv.Elem().Type()
	key := fieldKey{rt, name}
	idx, ok := fieldIndex.Load(key)
	if !ok {
		i := -1
		if f, found := rt.FieldByName(name); found && f.Type.Kind() == reflect.Uint32 && len(f.Index) == 1 {
			i = f.Index[0]
		}
		idx, _ = fieldIndex.LoadOrStore(key, i)
	}
	if i := idx.(int); i >= 0 {
		return uint32(rv.Elem().Field(i).Uint()), true
	}
	return 0, false
}

type fieldKey struct {
	t    reflect.Type
	name string
}

var fieldIndex sync.Map // fieldKey → int

// userMessage serves USER_MESSAGE_REQ by its Distribution (values from uccertweb, S):
// DISTRIBUTE_TO_CLIENT to the sessions of ClientID (without one: of the agent or device named,
// else every active session, as before the values were known); DISTRIBUTE_TO_SUPERVISOR to the
// sessions of the sending agent's team supervisor; DISTRIBUTE_TO_TEAM to those of every member of
// its team and the supervisor; DISTRIBUTE_TO_ALL_CLIENTS to every active session. The sending
// agent is the session's, or the one AgentID, AgentExtension or AgentInstrument names. Each
// recipient gets USER_MESSAGE_EVENT with the sender's ClientID and the text.
func (c *center) userMessage(s *session, req *cti.UserMessageReq) {
	var t tx
	c.begin(&t, s)
	defer t.end()
	var dev *device
	if req.AgentExtension != "" {
		dev = c.devices[req.AgentExtension]
	} else if req.AgentInstrument != "" {
		dev = c.devices[req.AgentInstrument]
	}
	var to []*session
	active := func(x *session) bool { return !x.standby.Load() }
	switch req.Distribution {
	case cti.DistributeToClient:
		for x := range c.sessions {
			if !active(x) {
				continue
			}
			switch {
			case req.ClientID != "":
				if x.clientID != req.ClientID {
					continue
				}
			case req.AgentID != "":
				a := c.agents[req.AgentID]
				if a == nil || (x.agent != a && (a.dev == nil || x.dev != a.dev)) {
					continue
				}
			case dev != nil:
				if x.dev != dev {
					continue
				}
			}
			to = append(to, x)
		}
	case cti.DistributeToSupervisor, cti.DistributeToTeam:
		_, tm, st := c.teamOfSender(s, req.AgentID, dev)
		if st != 0 {
			s.fail(req.InvokeID, st)
			return
		}
		if req.Distribution == cti.DistributeToSupervisor {
			to = sessionsOf(tm.sup)
			break
		}
		if tm.sup != nil {
			to = sessionsOf(tm.sup)
		}
		for _, m := range tm.members {
			if m != tm.sup {
				to = append(to, sessionsOf(m)...)
			}
		}
	case cti.DistributeToAllClients:
		for x := range c.sessions {
			if active(x) {
				to = append(to, x)
			}
		}
	default:
		s.fail(req.InvokeID, cti.ECTIInvalidDistributionType)
		return
	}
	t.send(s, &cti.UserMessageConf{InvokeID: req.InvokeID})
	now := uint32(c.now().Unix())
	for _, x := range to {
		t.send(x, &cti.UserMessageEvent{ICMCentralControllerTime: now, Distribution: req.Distribution, ClientID: s.clientID, Text: req.Text})
	}
}

// teamOfSender is the team of the agent a request speaks for (the session's, or the one agentID
// or dev names): E_CTI_REQUIRED_DATA_MISSING without an agent, E_CTI_TEAM_NOT_FOUND when it has
// no team, E_CTI_SUPERVISOR_NOT_FOUND when the team has no supervisor.
func (c *center) teamOfSender(s *session, agentID string, dev *device) (*agent, *team, cti.Status) {
	a := s.agent
	if a == nil && s.dev != nil {
		a = s.dev.agent
	}
	if agentID != "" {
		a = c.agents[agentID]
	} else if dev != nil {
		a = dev.agent
	}
	switch {
	case a == nil:
		return nil, nil, cti.ECTIRequiredDataMissing
	case a.team == nil:
		return a, nil, cti.ECTITeamNotFound
	case a.team.sup == nil:
		return a, nil, cti.ECTISupervisorNotFound
	}
	return a, a.team, 0
}

func (c *center) queryDeviceInfo(t *tx, s *session, req *cti.QueryDeviceInfoReq) {
	d, f := c.reqDevice(s, req.AgentInstrument)
	if f != nil {
		f.send(s, req.InvokeID)
		return
	}
	_ = d
	t.send(s, &cti.QueryDeviceInfoConf{
		InvokeID:               req.InvokeID,
		PeripheralType:         c.ptype,
		ClassOfDevice:          cti.DeviceClassVoice,
		NumLines:               1,
		MaxActiveCalls:         1,
		MaxHeldCalls:           1,
		MaxDevicesInConference: cti.MaxParties,
		MakeCallSetup:          cti.AgentNotReadyMask | cti.AgentAvailableMask | cti.AgentWorkNotReadyMask | cti.AgentWorkReadyMask,
		TransferConferenceSetup: cti.ConfSetupConsultSpecific | cti.ConfSetupConnHeld | cti.TransSetupAnySingleCall |
			cti.ConfSetupSingleACDCall | cti.TransSetupSingleACDCall,
		CallEventsSupported: cti.CallDeliveredMask | cti.CallQueuedMask | cti.CallEstablishedMask | cti.CallHeldMask |
			cti.CallRetrievedMask | cti.CallClearedMask | cti.CallConnectionClearedMask | cti.CallOriginatedMask |
			cti.CallConferencedMask | cti.CallTransferredMask | cti.CallServiceInitiatedMask | cti.BeginCallMask |
			cti.EndCallMask | cti.CallDataUpdateMask | cti.CallDequeuedMask | cti.RTPStartedMask | cti.RTPStoppedMask,
		CallControlSupported: cti.ControlQueryAgentState | cti.ControlSetAgentState | cti.ControlAlternateCall |
			cti.ControlAnswerCall | cti.ControlClearCall | cti.ControlClearConnection | cti.ControlConferenceCall |
			cti.ControlConsultationCall | cti.ControlHoldCall | cti.ControlMakeCall | cti.ControlReconnectCall |
			cti.ControlRetrieveCall | cti.ControlTransferCall | cti.ControlQueryDeviceInfo | cti.ControlSnapshotCall |
			cti.ControlSendDTMFSignal,
		Lines: []cti.Line{{LineHandle: 0, LineType: cti.LineTypeInboundACD}},
	})
}
