package sim

import (
	"reflect"
	"slices"

	"github.com/ctiload/ctiload/cti"
)

// This file serves the peripheral monitor service (MONITOR_START_REQ / MONITOR_STOP_REQ) and the
// device snapshot a desktop or a supervisor console sends to re-synchronise (SNAPSHOT_DEVICE_REQ).
//
// A session granted CTI_SERVICE_PERIPHERAL_MONITOR creates monitors on an agent device
// (MonitoredDeviceID = the extension) or on a call (ConnectionCallID and a ConnectionDeviceID of
// the call). A monitor has its own CallMsgMask and AgentStateMask; every call event of the device
// or the call, and every AGENT_STATE_EVENT of the agent at a monitored device, reaches the
// session once per monitor, with MonitorID = the monitor's ID (the events an agent-mode or
// all-events session gets carry MonitorID 0). A call monitor ends with its call, after its
// END_CALL_EVENT; a device monitor lasts until MONITOR_STOP_REQ or the session's end.

// monitor is one peripheral monitor. Guarded by the center's lock.
type monitor struct {
	id        uint32
	s         *session
	dev       *device // a device monitor, or
	call      *call   // a call monitor
	callMask  cti.CallEventMask
	agentMask cti.AgentStateMask
}

// watchServices let a session look at other agents' phones (SNAPSHOT_DEVICE_REQ).
const watchServices = cti.CTIServicePeripheralMonitor | cti.CTIServiceSupervisor

// validMonitorCallMask is every CallMsgMask bit the protocol defines (up to v25).
const validMonitorCallMask = cti.CallEventMask(0x3FFFFFFF)

func (c *center) monitorStart(t *tx, s *session, req *cti.MonitorStartReq) {
	if req.CallMsgMask&^validMonitorCallMask != 0 {
		s.fail(req.InvokeID, cti.ECTIInvalidCallMsgMask)
		return
	}
	m := &monitor{s: s, callMask: req.CallMsgMask, agentMask: req.AgentStateMask}
	byCall := req.ConnectionCallID != 0 || req.ConnectionDeviceID != ""
	byDevice := req.MonitoredDeviceID != ""
	switch {
	case byCall == byDevice:
		// Both a call and a device, or neither: the request names no single object.
		s.fail(req.InvokeID, cti.ECTIMutuallyExclusDeviceidTypes)
		return
	case byDevice:
		d := c.devices[req.MonitoredDeviceID]
		if d == nil {
			s.fail(req.InvokeID, cti.ECTIInvalidDevice)
			return
		}
		m.dev = d
	default:
		cl := c.calls[req.ConnectionCallID]
		if cl == nil || cl.ended || (req.ConnectionDeviceID != "" && !slices.ContainsFunc(cl.conns, func(cn *conn) bool { return cn.id == req.ConnectionDeviceID })) {
			s.fail(req.InvokeID, cti.ECTIInvalidCallid)
			return
		}
		m.call = cl
	}
	for _, x := range s.monitors {
		if x.dev == m.dev && x.call == m.call {
			s.fail(req.InvokeID, cti.ECTIMonitorAlreadyExists)
			return
		}
	}
	c.lastMonitorID++
	m.id = c.lastMonitorID
	s.monitors = append(s.monitors, m)
	if m.dev != nil {
		m.dev.monitors = append(m.dev.monitors, m)
	} else {
		m.call.monitors = append(m.call.monitors, m)
	}
	t.send(s, &cti.MonitorStartConf{InvokeID: req.InvokeID, MonitorID: m.id})
}

func (c *center) monitorStop(t *tx, s *session, req *cti.MonitorStopReq) {
	i := slices.IndexFunc(s.monitors, func(m *monitor) bool { return m.id == req.MonitorID })
	if i < 0 {
		s.fail(req.InvokeID, cti.ECTIInvalidMonitorid)
		return
	}
	c.dropMonitor(s.monitors[i])
	t.send(s, &cti.MonitorStopConf{InvokeID: req.InvokeID})
}

// dropMonitor forgets a monitor everywhere it is listed.
func (c *center) dropMonitor(m *monitor) {
	m.s.monitors = slices.DeleteFunc(m.s.monitors, func(x *monitor) bool { return x == m })
	if m.dev != nil {
		m.dev.monitors = slices.DeleteFunc(m.dev.monitors, func(x *monitor) bool { return x == m })
	}
	if m.call != nil {
		m.call.monitors = slices.DeleteFunc(m.call.monitors, func(x *monitor) bool { return x == m })
	}
}

// dropSessionMonitors ends every monitor of a closing session.
func (c *center) dropSessionMonitors(s *session) {
	for len(s.monitors) > 0 {
		c.dropMonitor(s.monitors[0])
	}
}

// toCallMonitors sends a call event to the monitors in ms whose CallMsgMask has bit, each copy
// carrying its MonitorID.
func (t *tx) toCallMonitors(ms []*monitor, bit cti.CallEventMask, m cti.Message) {
	for _, x := range ms {
		if x.callMask&bit != 0 {
			t.sendMonitored(x, m)
		}
	}
}

// toAgentMonitors sends an AGENT_STATE_EVENT to the monitors of the agent's device.
func (t *tx) toAgentMonitors(a *agent, state cti.AgentState, m cti.Message) {
	if a.dev == nil {
		return
	}
	bit := agentStateBit(state)
	for _, x := range a.dev.monitors {
		if x.agentMask&bit != 0 {
			t.sendMonitored(x, m)
		}
	}
}

// sendMonitored queues m for a monitor's session with MonitorID set to the monitor's ID (every
// call event and AGENT_STATE_EVENT starts with MonitorID), then puts the shared message back.
func (t *tx) sendMonitored(x *monitor, m cti.Message) {
	f := monitorIDField(m)
	if !f.IsValid() {
		return
	}
	old := f.Uint()
	f.SetUint(uint64(x.id))
	t.send(x.s, m)
	f.SetUint(old)
}

// monitorIDField is the MonitorID field of a decoded message, or the zero Value.
func monitorIDField(m cti.Message) reflect.Value {
	rv := reflect.ValueOf(m)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	f := rv.Elem().FieldByName("MonitorID")
	if !f.IsValid() || f.Kind() != reflect.Uint32 {
		return reflect.Value{}
	}
	return f
}

// snapshotDevice serves SNAPSHOT_DEVICE_REQ: the calls at an agent device, each with the
// device's connection and its state. An agent-mode session may look at its own device only,
// unless it watches others (watchServices: a supervisor); an all-events session at any, and at a
// skill group's queue device (the calls waiting there, LCS_QUEUED).
func (c *center) snapshotDevice(t *tx, s *session, req *cti.SnapshotDeviceReq) {
	conf := &cti.SnapshotDeviceConf{InvokeID: req.InvokeID}
	add := func(id uint32, dev string, lcs cti.LocalConnectionState) {
		if len(conf.DeviceCalls) < cti.MaxParties {
			conf.DeviceCalls = append(conf.DeviceCalls, cti.DeviceCall{
				CallConnectionCallID: id, CallConnectionDeviceIDType: dyn, CallConnectionDeviceID: dev, CallDeviceConnectionState: lcs,
			})
		}
	}
	if g := c.groupByDialed[req.AgentInstrument]; g != nil && c.devices[req.AgentInstrument] == nil {
		if s.mode != modeAll {
			s.controlFail(req.InvokeID, cti.CFPrivilegeViolationOnSpecifiedDevice)
			return
		}
		q := c.queueDevice(g)
		for _, cl := range g.queue {
			add(cl.id, q, cti.LCSQueued)
		}
	} else {
		d, f := c.reqDevice(s, req.AgentInstrument)
		if f != nil && f.control && f.cf == cti.CFPrivilegeViolationOnSpecifiedDevice && s.has(watchServices) {
			d, f = c.devices[req.AgentInstrument], nil // a supervisor may look at its agents' phones
		}
		if f != nil {
			f.send(s, req.InvokeID)
			return
		}
		for _, cn := range d.conns {
			add(cn.call.id, cn.id, cn.lcs)
		}
	}
	conf.NumCalls = uint16(len(conf.DeviceCalls))
	t.send(s, conf)
}
