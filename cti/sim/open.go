package sim

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// Mask bits a client may set (docs/protocol/enums.md); any other bit is "unused" and rejected.
const (
	validServices = cti.CTIServiceClientEvents | cti.CTIServiceCallDataUpdate | cti.CTIServiceClientControl |
		cti.CTIServiceConnectionMonitor | cti.CTIServiceAllEvents | cti.CTIServicePeripheralMonitor |
		cti.CTIServiceClientMonitor | cti.CTIServiceSupervisor | cti.CTIServiceServer | cti.CTIServiceAgentReporting |
		cti.CTIServiceAllTaskEvents | cti.CTIServiceTaskMonitor | cti.CTIAgentStateControlOnly |
		cti.CTIServiceDeviceStateControl | cti.CTIServiceConfigEvents | cti.CTIServiceUpdateEvents |
		cti.CTIServiceIgnoreDuplicateAgentEvents | cti.CTIServiceIgnoreConf | cti.CTIServiceACDLineOnly |
		cti.CTIServiceDebug // CTI_SERVICE_ACTIVE_STANDBY is added for v24+
	// grantable are the services the simulator implements; others are valid but not granted
	// ("ServicesGranted may be fewer than requested").
	grantable = cti.CTIServiceClientEvents | cti.CTIServiceCallDataUpdate | cti.CTIServiceClientControl |
		cti.CTIServiceConnectionMonitor | cti.CTIServiceAllEvents | cti.CTIServicePeripheralMonitor | cti.CTIServiceSupervisor | cti.CTIAgentStateControlOnly |
		cti.CTIServiceIgnoreDuplicateAgentEvents | cti.CTIServiceACDLineOnly | cti.CTIServiceActiveStandby |
		cti.CTIServiceDebug
	validCallMaskPre25 cti.CallEventMask  = 0x0FFFFFFF // 0x10000000 and up came with v25
	validAgentMask     cti.AgentStateMask = 0x3FFF
	validConfigMask    cti.ConfigMask     = 0x3F // 0x100 (terminal) came with v25
	noIdleTimeout                         = 0xFFFFFFFF
)

// handleOpen validates OPEN_REQ the way a CTI Server does (docs/protocol/layouts.md OPEN_REQ, docs/protocol/session.md) and
// answers OPEN_CONF or FAILURE_CONF. After a rejection the connection stays open: the client is
// expected to reset it.
func (s *session) handleOpen(f cti.Frame) {
	c, cfg := s.c, &s.c.cfg
	body := f.Body
	invoke := invokeIDOf(body)
	// reject answers FAILURE_CONF and logs the refusal; how, when given, prefixes the status.
	reject := func(st cti.Status, how string) {
		s.fail(invoke, st)
		s.srv.side.rejected.Add(1)
		s.refusedOpen(st, how)
	}
	// The fixed part does not depend on the version, and VersionNumber sits at offset 4 of it.
	if len(body) < 8 {
		reject(cti.ECTIBadMessageFormat, "")
		return
	}
	n := binary.BigEndian.Uint32(body[4:])
	if !cfg.acceptsVersion(n) {
		reject(cti.ECTIInvalidVersion, fmt.Sprintf("protocol version %d not served:", n))
		return
	}
	v := cfg.version(n)
	req, st := decodeOpenReq(body, v)
	if st != cti.ECTINoError {
		reject(st, "")
		return
	}
	if fs := c.faults.Load(); fs.RefuseOpenRate > 0 && s.random().Float64() < fs.RefuseOpenRate {
		c.stats.fault(FaultRefuseOpen)
		reject(fs.RefuseOpenStatus, "injected refusal:")
		return
	}
	if st := validateOpenReq(req, v, cfg); st != cti.ECTINoError {
		reject(st, "")
		return
	}

	standby := s.srv.isStandby()
	asStandby := standby && !c.uccx && n >= 24 && req.ServicesRequested&cti.CTIServiceActiveStandby != 0
	if standby && !asStandby {
		// §10: a standby side answers E_CTI_SERVER_NOT_MASTER (UCCX, and UCCE clients below v24
		// or without CTI_SERVICE_ACTIVE_STANDBY).
		c.stats.fault(FaultStandby)
		reject(cti.ECTIServerNotMaster, "standby side:")
		return
	}

	mode, agentID, st, how := s.openMode(req)
	if st != cti.ECTINoError {
		reject(st, how)
		return
	}
	var dev *device
	var ag *agent
	if mode == modeAgent {
		var st cti.Status
		dev, ag, st = c.lookupAgentData(req.AgentExtension, req.AgentInstrument, agentID)
		if st != cti.ECTINoError {
			reject(st, "")
			return
		}
	}
	s.applyOpen(req, v, mode)

	var t tx
	c.begin(&t, s)
	defer t.end()
	if c.closed {
		return
	}
	if asStandby {
		s.standby.Store(true)
		s.dev, s.agent = dev, ag
	} else if st := c.bind(&t, s, dev, ag); st != cti.ECTINoError {
		s.clientID, s.services, s.callMask, s.agentMask, s.mode, s.idle = "", 0, 0, 0, modeNone, 0
		reject(st, "")
		return
	}
	s.open = true
	s.opened = time.Now()
	c.sessions[s] = struct{}{}
	s.registered = true
	t.send(s, c.openConf(s, invoke, t.now))
	if !s.standby.Load() && s.mode == modeAll {
		// §10: an ALL_EVENTS client gets one SYSTEM_EVENT per peripheral after OPEN_CONF.
		t.send(s, c.systemEvent(t.now))
		c.beginCallsInProgress(&t, s)
	}
	if !s.standby.Load() {
		c.sendTeamConfig(&t, s, s.servedAgent())
	}
	s.srv.side.opened.Add(1)
	s.srv.side.active.Add(1)
	s.srv.logOpen(s)
}

// openMode is the session's mode from OPEN_REQ (§10, §8.1): bridge (ALL_EVENTS, without agent
// data), agent (CLIENT_EVENTS, with agent data on the simulated peripheral), or none (control
// without events is bound to the device too). A refusal comes with its status and, when it
// helps the log, how it was refused.
func (s *session) openMode(req *cti.OpenReq) (mode sessMode, agentID string, st cti.Status, how string) {
	c := s.c
	agentID = req.AgentID
	if agentID == "" {
		agentID = req.LongAgentID
	}
	hasAgent := req.AgentExtension != "" || agentID != "" || req.AgentInstrument != ""
	switch {
	case req.ServicesRequested&cti.CTIServiceAllEvents != 0:
		if hasAgent {
			return modeNone, agentID, cti.ECTIInconsistentAgentData, ""
		}
		return modeAll, agentID, cti.ECTINoError, ""
	case req.ServicesRequested&cti.CTIServiceClientEvents != 0:
		if !hasAgent {
			return modeNone, agentID, cti.ECTIRequiredDataMissing, "CLIENT_EVENTS without an agent extension, instrument or ID:"
		}
		if !c.uccx && req.PeripheralID != c.pid {
			return modeNone, agentID, cti.ECTIInvalidPeripheralID, fmt.Sprintf("peripheral ID %d is not the simulated %d:", req.PeripheralID, c.pid)
		}
		return modeAgent, agentID, cti.ECTINoError, ""
	case hasAgent:
		return modeAgent, agentID, cti.ECTINoError, "" // control without events: bound to the device, masks cleared below
	}
	return modeNone, agentID, cti.ECTINoError, ""
}

// applyOpen sets what OPEN_REQ asked for and the server grants: the version, the services it
// implements, the event masks (only for a client that asked for events), the idle timeout.
func (s *session) applyOpen(req *cti.OpenReq, v cti.Version, mode sessMode) {
	c := s.c
	s.v = v
	s.clientID = req.ClientID
	s.services = req.ServicesRequested & grantable
	if c.uccx {
		s.services |= req.ServicesRequested & cti.CTIServiceConfigEvents // UCCX configuration (uccxconfig.go)
	}
	if !(!c.uccx && v.Number() >= 24) {
		s.services &^= cti.CTIServiceActiveStandby
	}
	s.mode = mode
	if mode == modeAll || (mode == modeAgent && req.ServicesRequested&cti.CTIServiceClientEvents != 0) {
		s.callMask = req.CallMsgMask
		s.agentMask = req.AgentStateMask
	}
	if req.IdleTimeout != noIdleTimeout {
		s.idle = time.Duration(req.IdleTimeout) * c.cfg.IdleTimeoutUnit
	}
}

// decodeOpenReq decodes OPEN_REQ with the floating-field width of version v, or, if that does not
// parse, with the other width: a client's first message is read before anything is agreed.
func decodeOpenReq(body []byte, v cti.Version) (*cti.OpenReq, cti.Status) {
	var req cti.OpenReq
	err := req.Decode(body, v)
	if err == nil && len(req.Missing()) == 0 {
		return &req, cti.ECTINoError
	}
	alt := cti.V14
	if !v.WideFields() {
		alt = cti.V20
	}
	if v.IsUCCX() {
		alt = cti.UCCX | 14
		if !v.WideFields() {
			alt = cti.UCCX | 18
		}
	}
	var other cti.OpenReq
	if other.Decode(body, alt) == nil && len(other.Missing()) == 0 && len(other.Unknown) == 0 {
		return &other, cti.ECTINoError
	}
	if err != nil {
		return nil, statusOf(err)
	}
	return &req, cti.ECTINoError // the missing fields are reported by validateOpenReq
}

// validateOpenReq applies the field rules of OPEN_REQ, in the order a server meets them.
func validateOpenReq(req *cti.OpenReq, v cti.Version, cfg *Config) cti.Status {
	if len(req.Missing()) > 0 {
		// §4.2: ClientID and ClientPassword must be present, even when empty.
		return cti.ECTIRequiredDataMissing
	}
	if len(req.Unknown) > 0 {
		return cti.ECTIInvalidTagForMsgType
	}
	if req.Reserved1 != 0 || req.Reserved2 != 0 || req.Reserved3 != 0 {
		return cti.ECTIInvalidReservedField
	}
	services := validServices
	if !v.IsUCCX() && v.Number() >= 24 {
		services |= cti.CTIServiceActiveStandby
	}
	if req.ServicesRequested&^services != 0 {
		return cti.ECTIInvalidServiceMask
	}
	if (v.IsUCCX() || v.Number() < 25) && req.CallMsgMask&^validCallMaskPre25 != 0 {
		return cti.ECTIInvalidCallMsgMask
	}
	if req.AgentStateMask&^validAgentMask != 0 {
		return cti.ECTIInvalidAgentStateMask
	}
	configMask := validConfigMask
	if !v.IsUCCX() && v.Number() >= 25 {
		configMask |= cti.ConfigTerminalMask
	}
	if req.ConfigMsgMask&^configMask != 0 {
		return cti.ECTIInvalidConfigMsgMask
	}
	// §10: IdleTimeout below 20 s is refused; UCCX also wants it below 120 s. 0xFFFFFFFF means
	// the client sends no heartbeats.
	if req.IdleTimeout != noIdleTimeout {
		if req.IdleTimeout < minIdleTimeoutSeconds || (v.IsUCCX() && req.IdleTimeout >= maxUCCXIdleTimeoutValue) {
			return cti.ECTIInvalidTimeout
		}
	}
	// UCCX ignores ClientID and ClientPassword (§4.2).
	if cfg.ClientPassword != "" && !v.IsUCCX() && strings.TrimRight(string(req.ClientPassword), "\x00") != cfg.ClientPassword {
		return cti.ECTIInvalidPassword
	}
	return cti.ECTINoError
}

// lookupAgentData resolves OPEN_REQ's agent fields: extension and instrument name a device (the
// same one), the agent ID an agent.
func (c *center) lookupAgentData(ext, inst, agentID string) (*device, *agent, cti.Status) {
	var dev *device
	if ext != "" {
		if dev = c.devices[ext]; dev == nil {
			return nil, nil, cti.ECTIInvalidAgentData
		}
	}
	if inst != "" {
		d := c.devices[inst]
		if d == nil {
			return nil, nil, cti.ECTIInvalidAgentData
		}
		if dev != nil && d != dev {
			return nil, nil, cti.ECTIInconsistentAgentData
		}
		dev = d
	}
	var ag *agent
	if agentID != "" {
		if ag = c.agents[agentID]; ag == nil {
			return nil, nil, cti.ECTIInvalidAgentData
		}
	}
	return dev, ag, cti.ECTINoError
}

// bind ties an agent-mode session to its device (or to its agent when only the agent ID was
// given) and registers all-events sessions. §10: the same device opened again by the same
// ClientID ends the older session with E_CTI_NEW_SESSION_OPENED; by another client it is
// E_CTI_DEVICE_IN_USE.
func (c *center) bind(t *tx, s *session, dev *device, ag *agent) cti.Status {
	switch s.mode {
	case modeAll:
		c.allEvents = append(c.allEvents, s)
		return cti.ECTINoError
	case modeAgent:
	default:
		return cti.ECTINoError
	}
	if ag != nil && dev != nil && ag.dev != nil && ag.dev != dev {
		return cti.ECTIInconsistentAgentData // the agent is logged in on another device
	}
	if ag != nil && dev != nil && dev.agent != nil && dev.agent != ag {
		return cti.ECTIInconsistentAgentData // another agent is logged in on this device
	}
	var old *session
	if dev != nil {
		old = dev.sess
	} else {
		old = ag.sess
	}
	if old != nil && old != s {
		if old.clientID != s.clientID {
			return cti.ECTIDeviceInUse
		}
		c.unbind(old)
		old.replaced = true
		c.stats.replaced.Add(1)
		old.failEvent(cti.ECTINewSessionOpened)
		old.closeAfterFlush("replaced by a new session of the same client on the same device or agent")
	}
	if dev != nil {
		dev.sess = s
	} else {
		ag.sess = s
	}
	s.dev, s.agent = dev, ag
	return cti.ECTINoError
}

// unbind removes a session's bindings (not its registration).
func (c *center) unbind(s *session) {
	if s.dev != nil && s.dev.sess == s {
		s.dev.sess = nil
	}
	if s.agent != nil && s.agent.sess == s {
		s.agent.sess = nil
	}
	if s.mode == modeAll {
		for i, x := range c.allEvents {
			if x == s {
				c.allEvents = append(c.allEvents[:i], c.allEvents[i+1:]...)
				break
			}
		}
	}
}

// unregister forgets a closed session; with LogoutOnClose its agent is logged out.
func (c *center) unregister(s *session) {
	var t tx
	c.begin(&t, s)
	defer t.end()
	if !s.registered {
		return
	}
	s.registered = false
	delete(c.sessions, s)
	c.dropSessionMonitors(s)
	dev, ag := s.dev, s.agent
	bound := (dev != nil && dev.sess == s) || (ag != nil && ag.sess == s)
	c.unbind(s)
	if bound && !s.standby.Load() && c.cfg.Agents.LogoutOnClose && !c.closed {
		a := ag
		if dev != nil {
			a = dev.agent
		}
		if a != nil && a.dev != nil {
			c.forceLogout(&t, a)
		}
	}
}

// openConf builds OPEN_CONF for a session.
func (c *center) openConf(s *session, invoke uint32, now time.Time) *cti.OpenConf {
	m := &cti.OpenConf{
		InvokeID:                 invoke,
		ServicesGranted:          s.services,
		PGStatus:                 c.pgStatus(),
		ICMCentralControllerTime: uint32(now.Unix()),
		PeripheralOnline:         !c.pgOffline,
		PeripheralType:           c.ptype,
		AgentState:               cti.AgentStateUnknown,
		SessionType:              cti.SessionTypeActive,
		NumPeripherals:           1,
		Peripherals:              []cti.Peripheral{{FltPeripheralID: c.pid, MultilineAgentControl: cti.MultilineSingleLineOnly}},
	}
	if s.standby.Load() {
		m.SessionType = cti.SessionTypeStandby
	}
	if s.mode == modeAgent {
		a := s.agent
		if s.dev != nil {
			m.AgentExtension, m.AgentInstrument = s.dev.ext, s.dev.ext
			if s.dev.agent != nil {
				a = s.dev.agent
			}
		} else if a != nil && a.dev != nil {
			m.AgentExtension, m.AgentInstrument = a.dev.ext, a.dev.ext
		}
		m.AgentState = cti.AgentStateLogout
		if a != nil {
			c.setAgentIDField(&m.AgentID, &m.LongAgentID, a.id)
			m.AgentState = a.state
		}
	}
	return m
}

// setAgentIDField puts an agent ID in tag 5 (UCCE) or tag 194 (UCCX, where tag 5 is reserved).
func (c *center) setAgentIDField(short, long *string, id string) {
	if c.uccx {
		*long = id
	} else {
		*short = id
	}
}

// unknownFields returns a decoded message's Unknown floating fields (tags its layout does not
// list).
func unknownFields(m cti.Message) []cti.Field { return cti.UnknownFields(m) }

// beginCallsInProgress gives a bridge session that opens while calls are in progress a
// BEGIN_CALL_EVENT for each, oldest first, before any other event of those calls: a recorder
// keys everything on the call it was told began. Sent under the same lock as OPEN_CONF, so no
// event of these calls can come first.
func (c *center) beginCallsInProgress(t *tx, s *session) {
	if s.callMask&cti.BeginCallMask == 0 || len(c.calls) == 0 {
		return
	}
	ids := make([]uint32, 0, len(c.calls))
	for id := range c.calls {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		cl := c.calls[id]
		dev := cl.lastParty
		if len(cl.conns) > 0 {
			dev = cl.conns[0].id
		}
		t.send(s, c.beginCall(cl, dev))
	}
}
