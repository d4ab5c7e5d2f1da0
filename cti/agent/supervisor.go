package agent

import (
	"context"
	"fmt"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// A supervisor's desktop is an agent desktop (its own agent, extension and phone) opened with
// CTI_SERVICE_SUPERVISOR and, to watch its team, CTI_SERVICE_PERIPHERAL_MONITOR. It watches an
// agent's phone with a device monitor ([Desk.MonitorDevice]: the phone's call and agent state
// events reach the desk with the monitor's MonitorID), re-reads what a phone has with
// [Desk.SnapshotDevice], and joins an agent's call with [Desk.Supervise].

// Supervise sends SUPERVISE_CALL_REQ for the agent's connection c (from a call event of the
// agent's phone, e.g. one a device monitor delivered): SUPERVISOR_BARGE_IN joins this desk's
// phone to the call, SUPERVISOR_INTERCEPT joins it and takes the agent off, SUPERVISOR_CLEAR
// takes this desk's phone off again; SUPERVISOR_MONITOR and SUPERVISOR_WHISPER ask for silent
// monitoring and whisper. The supervisor's phone is the desk's instrument.
func (d *Desk) Supervise(ctx context.Context, c Call, action cti.SupervisoryAction) (client.Reply, error) {
	return d.conn.Do(ctx, &cti.SuperviseCallReq{PeripheralID: d.peripheral(c), AgentConnectionCallID: c.ID,
		SupervisorConnectionCallID: NoCallID, AgentConnectionDeviceIDType: c.DeviceIDType,
		SupervisorConnectionDeviceIDType: cti.ConnectionIDNone, SupervisoryAction: action,
		AgentConnectionDeviceID: c.DeviceID, SupervisorInstrument: d.id.Instrument})
}

// MonitorDevice sends MONITOR_START_REQ for a device (an agent's extension): its call events
// that calls selects and its agent's state changes that states selects then reach this session,
// each with the monitor's ID in MonitorID. The ID is MONITOR_START_CONF's MonitorID.
func (d *Desk) MonitorDevice(ctx context.Context, device string, calls cti.CallEventMask, states cti.AgentStateMask) (uint32, client.Reply, error) {
	if device == "" {
		return 0, client.Reply{}, fmt.Errorf("%w: monitor: no device to monitor", ErrInvalidArgument)
	}
	return monitorID(d.conn.Do(ctx, &cti.MonitorStartReq{PeripheralID: d.id.PeripheralID, CallMsgMask: calls, AgentStateMask: states,
		ConnectionDeviceIDType: cti.ConnectionIDNone, MonitoredDeviceType: cti.DevIDDeviceIdentifier, MonitoredDeviceID: device}))
}

// MonitorCall sends MONITOR_START_REQ for the call of connection c: its events that calls
// selects reach this session with the monitor's ID, until the call ends.
func (d *Desk) MonitorCall(ctx context.Context, c Call, calls cti.CallEventMask) (uint32, client.Reply, error) {
	return monitorID(d.conn.Do(ctx, &cti.MonitorStartReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID, CallMsgMask: calls,
		ConnectionDeviceIDType: c.DeviceIDType, MonitoredDeviceType: cti.DevIDNone, ConnectionDeviceID: c.DeviceID}))
}

func monitorID(reply client.Reply, err error) (uint32, client.Reply, error) {
	if conf, ok := reply.Msg.(*cti.MonitorStartConf); ok && err == nil {
		return conf.MonitorID, reply, nil
	}
	return 0, reply, err
}

// StopMonitor sends MONITOR_STOP_REQ for a monitor this session started.
func (d *Desk) StopMonitor(ctx context.Context, id uint32) (client.Reply, error) {
	return d.conn.Do(ctx, &cti.MonitorStopReq{MonitorID: id})
}

// SnapshotDevice sends SNAPSHOT_DEVICE_REQ for a device ("" means the desk's instrument); the
// reply is a *cti.SnapshotDeviceConf listing the calls at the device and their states.
func (d *Desk) SnapshotDevice(ctx context.Context, device string) (client.Reply, error) {
	if device == "" {
		device = d.id.Instrument
	}
	return d.conn.Do(ctx, &cti.SnapshotDeviceReq{PeripheralID: d.id.PeripheralID, SnapshotDeviceType: cti.DevIDDeviceIdentifier, AgentInstrument: device})
}

// SupervisorAssist sends SUPERVISOR_ASSIST_REQ: the agent asks its team's supervisor for help and
// the CTI Server calls the supervisor — from the agent's connection c (a consultation; the call
// is held) or, with c nil, on a new call. The reply is a *cti.SupervisorAssistConf naming the new
// call (ConnectionCallID) and the agent's connection; a team without a supervisor fails
// E_CTI_TEAM_NOT_FOUND / E_CTI_SUPERVISOR_NOT_FOUND.
func (d *Desk) SupervisorAssist(ctx context.Context, c *Call) (client.Reply, error) {
	pid, id, typ, dev := d.helpFrom(c)
	return d.conn.Do(ctx, &cti.SupervisorAssistReq{PeripheralID: pid, ConnectionCallID: id, ConnectionDeviceIDType: typ,
		ConnectionDeviceID: dev, AgentInstrument: d.id.Instrument})
}

// EmergencyCall sends EMERGENCY_CALL_REQ: as [Desk.SupervisorAssist], for an emergency (the reply
// is a *cti.EmergencyCallConf).
func (d *Desk) EmergencyCall(ctx context.Context, c *Call) (client.Reply, error) {
	pid, id, typ, dev := d.helpFrom(c)
	return d.conn.Do(ctx, &cti.EmergencyCallReq{PeripheralID: pid, ConnectionCallID: id, ConnectionDeviceIDType: typ,
		ConnectionDeviceID: dev, AgentInstrument: d.id.Instrument})
}

// helpFrom is the connection an assist or emergency request names: c's, or no call.
func (d *Desk) helpFrom(c *Call) (peripheral, callID uint32, typ cti.ConnectionIDType, device string) {
	if c == nil {
		return d.id.PeripheralID, NoCallID, cti.ConnectionIDNone, ""
	}
	return d.peripheral(*c), c.ID, c.DeviceIDType, c.DeviceID
}
