package cti

import "testing"

// Session management, failure and miscellaneous messages (docs/protocol/layouts.md, "Session
// management", "Failure messages", "Miscellaneous"; graceful shutdown of v24+).
var sessionLayoutCases = []layoutCase{
	{
		name: "HEARTBEAT_CONF v20",
		v:    V20,
		msg:  &HeartbeatConf{InvokeID: 0x0102},
		frame: `
			00000004 00000006 // MessageLength 4, MessageType HEARTBEAT_CONF (6)
			00000102          // InvokeID UINT`,
	},
	{
		name: "CLOSE_CONF v14",
		v:    V14,
		msg:  &CloseConf{InvokeID: 7},
		frame: `
			00000004 00000008 // MessageLength 4, MessageType CLOSE_CONF (8)
			00000007          // InvokeID UINT`,
	},
	{
		name: "FAILURE_CONF UCCX v14 with Text[7]",
		v:    UCCX | V14,
		msg:  &FailureConf{InvokeID: 1, Status: ECTIServerNotMaster, Text: "standby"},
		frame: `
			00000012 00000001  // MessageLength 18, MessageType FAILURE_CONF (1)
			00000001           // InvokeID UINT
			0000005c           // Status UINT = E_CTI_SERVER_NOT_MASTER (92)
			07 08 7374616e64627900 // Text[7] STRING "standby" (UCCX only; 1-byte tag and length)`,
	},
	{
		name: "CLIENT_EVENT_REPORT_CONF v20",
		v:    V20,
		msg:  &ClientEventReportConf{InvokeID: 0xa0b0c0d0},
		frame: `
			00000004 00000021 // MessageLength 4, MessageType CLIENT_EVENT_REPORT_CONF (33)
			a0b0c0d0          // InvokeID UINT`,
	},
	{
		name: "USER_MESSAGE_REQ v15 (seed 003, Table 5-68)",
		v:    V15,
		msg:  &UserMessageReq{InvokeID: 9, PeripheralID: 5000, Distribution: 1, ClientID: "ctl", Text: "hi"},
		frame: `
			00000015 0000006b // MessageLength 21, MessageType USER_MESSAGE_REQ (107)
			00000009          // InvokeID UINT
			00001388          // PeripheralID UINT = 5000
			0001              // Distribution USHORT
			01 04 63746c00    // ClientID[1] STRING "ctl"
			07 03 686900      // Text[7] STRING "hi"`,
	},
	{
		name: "USER_MESSAGE_REQ v20",
		v:    V20,
		msg:  &UserMessageReq{InvokeID: 9, PeripheralID: 5000, AgentID: "5001", CTIOSCILClientID: "abc"},
		frame: `
			0000001b 0000006b      // MessageLength 27, MessageType USER_MESSAGE_REQ (107)
			00000009               // InvokeID UINT
			00001388               // PeripheralID UINT = 5000
			0000                   // Distribution USHORT
			0005 0005 3530303100   // AgentID[5] STRING "5001" (2-byte tag, 2-byte length)
			00d9 0004 61626300     // CTIOSCILClientID[217] STRING "abc"`,
	},
	{
		name: "USER_MESSAGE_EVENT v15 (uccertweb's layout)",
		v:    V15,
		msg:  &UserMessageEvent{ICMCentralControllerTime: 0x01020304, Distribution: DistributeToTeam, ClientID: "ctl", Text: "hi"},
		frame: `
			00000011 0000006d // MessageLength 17, MessageType USER_MESSAGE_EVENT (109)
			01020304          // ICMCentralControllerTime TIME
			0002              // Distribution USHORT = DISTRIBUTE_TO_TEAM
			01 04 63746c00    // ClientID[1] STRING "ctl" (the sender)
			07 03 686900      // Text[7] STRING "hi"`,
	},
	{
		name: "USER_MESSAGE_EVENT v20",
		v:    V20,
		msg:  &UserMessageEvent{ICMCentralControllerTime: 0x01020304, Distribution: DistributeToAllClients, ClientID: "ctl", Text: "hi"},
		frame: `
			00000015 0000006d   // MessageLength 21, MessageType USER_MESSAGE_EVENT (109)
			01020304            // ICMCentralControllerTime TIME
			0003                // Distribution USHORT = DISTRIBUTE_TO_ALL_CLIENTS
			0001 0004 63746c00  // ClientID[1] STRING "ctl"
			0007 0003 686900    // Text[7] STRING "hi"`,
	},
	{
		name: "USER_MESSAGE_CONF v15",
		v:    V15,
		msg:  &UserMessageConf{InvokeID: 9},
		frame: `
			00000004 0000006c // MessageLength 4, MessageType USER_MESSAGE_CONF (108)
			00000009          // InvokeID UINT`,
	},
	{
		name: "ACTIVE_MAINTENANCE_REQ_MSG v24 (4 bytes as captured)",
		v:    V24,
		msg:  &ActiveMaintenanceReqMsg{InvokeID: 0x11},
		frame: `
			00000004 00000116 // MessageLength 4, MessageType ACTIVE_MAINTENANCE_REQ_MSG (278)
			00000011          // InvokeID UINT`,
	},
	{
		name: "ACTIVE_MAINTENANCE_RESP_MSG v24 (6 bytes as captured)",
		v:    V24,
		msg:  &ActiveMaintenanceRespMsg{InvokeID: 0x11, MaintenanceModeAccepted: true},
		frame: `
			00000006 00000117 // MessageLength 6, MessageType ACTIVE_MAINTENANCE_RESP_MSG (279)
			00000011          // InvokeID UINT
			0001              // MaintenanceModeAccepted BOOL = TRUE`,
	},
	{
		name: "ACTIVE_MAINTENANCE_EVENT_MSG v25 (2 bytes as captured)",
		v:    V25,
		msg:  &ActiveMaintenanceEventMsg{Continue: true},
		frame: `
			00000002 00000118 // MessageLength 2, MessageType ACTIVE_MAINTENANCE_EVENT_MSG (280)
			0001              // Continue BOOL = TRUE (continue the maintenance)`,
	},
	{
		name: "MONITOR_START_REQ v15: a device monitor (1-byte floating header)",
		v:    V15,
		msg: &MonitorStartReq{InvokeID: 21, PeripheralID: 5000, CallMsgMask: CallDeliveredMask | CallEstablishedMask,
			AgentStateMask: AgentAvailableMask, ConnectionDeviceIDType: ConnectionIDNone, MonitoredDeviceType: DevIDDeviceIdentifier,
			MonitoredDeviceID: "1001"},
		frame: `
			0000001f 0000005d // MessageLength 31, MessageType MONITOR_START_REQ (93)
			00000015          // InvokeID UINT = 21
			00001388          // PeripheralID UINT = 5000
			00000000          // ConnectionCallID UINT = 0 (a device monitor)
			00000005          // CallMsgMask UINT = CALL_DELIVERED_MASK | CALL_ESTABLISHED_MASK
			00000008          // AgentStateMask UINT = AGENT_AVAILABLE_MASK
			ffff              // ConnectionDeviceIDType USHORT = CONNECTION_ID_NONE
			0000              // MonitoredDeviceType USHORT = DEVID_DEVICE_IDENTIFIER
			4c 05 3130303100  // MonitoredDeviceID[76] STRING "1001"`,
	},
	{
		name: "MONITOR_START_REQ v20: a call monitor",
		v:    V20,
		msg: &MonitorStartReq{InvokeID: 22, PeripheralID: 5000, ConnectionCallID: 42, CallMsgMask: CallClearedMask,
			ConnectionDeviceIDType: ConnectionIDDynamic, MonitoredDeviceType: DevIDNone, ConnectionDeviceID: "1001"},
		frame: `
			00000021 0000005d    // MessageLength 33, MessageType MONITOR_START_REQ (93)
			00000016             // InvokeID UINT = 22
			00001388             // PeripheralID UINT = 5000
			0000002a             // ConnectionCallID UINT = 42
			00000020             // CallMsgMask UINT = CALL_CLEARED_MASK
			00000000             // AgentStateMask UINT
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			ffff                 // MonitoredDeviceType USHORT = DEVID_NONE
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"`,
	},
	{
		name:  "MONITOR_START_CONF v20",
		v:     V20,
		msg:   &MonitorStartConf{InvokeID: 22, MonitorID: 3},
		frame: `00000008 0000005e 00000016 00000003 // header (MONITOR_START_CONF 94); InvokeID 22; MonitorID 3`,
	},
	{
		name:  "MONITOR_STOP_REQ v20",
		v:     V20,
		msg:   &MonitorStopReq{InvokeID: 23, MonitorID: 3},
		frame: `00000008 0000005f 00000017 00000003 // header (MONITOR_STOP_REQ 95); InvokeID 23; MonitorID 3`,
	},
	{
		name:  "MONITOR_STOP_CONF v20",
		v:     V20,
		msg:   &MonitorStopConf{InvokeID: 23},
		frame: `00000004 00000060 00000017 // header (MONITOR_STOP_CONF 96); InvokeID 23`,
	},
}

func TestSessionLayouts(t *testing.T) { runLayoutCases(t, sessionLayoutCases) }
