package cti

import "testing"

// Call events and call data (docs/protocol/layouts.md, "Call events", "Call data"). The events with
// a golden v20 vector (DELIVERED, ESTABLISHED, HELD, CLEARED, ORIGINATED, CONFERENCED, QUEUED,
// TRANSLATION_ROUTE, BEGIN_CALL, END_CALL, CALL_DATA_UPDATE) are checked in vectors_test.go.
//
// Most events start with the 16-byte common prefix: MonitorID UINT, PeripheralID UINT,
// PeripheralType USHORT, ConnectionDeviceIDType USHORT, ConnectionCallID UINT.
var callEventLayoutCases = []layoutCase{
	{
		name: "CALL_RETRIEVED_EVENT v20",
		v:    V20,
		msg: &CallRetrievedEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionCallID: 42, RetrievingDeviceType: DevIDAgentDevice, LocalConnectionState: LCSConnect, EventCause: CECNewCall,
			ConnectionDeviceID: "1001", RetrievingDeviceID: "1001"},
		frame: `
			00000028 0000000c    // MessageLength 40, MessageType CALL_RETRIEVED_EVENT (12)
			00000000             // MonitorID UINT
			00001388             // PeripheralID UINT = 5000
			0011                 // PeripheralType USHORT = ENTERPRISE_AGENT
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a             // ConnectionCallID UINT = 42
			004c                 // RetrievingDeviceType USHORT = DEVID_AGENT_DEVICE
			0003                 // LocalConnectionState USHORT = LCS_CONNECT
			0016                 // EventCause USHORT = CEC_NEW_CALL
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0020 0005 3130303100 // RetrievingDeviceID[32] STRING "1001"`,
	},
	{
		name: "CALL_CONNECTION_CLEARED_EVENT UCCX v14",
		v:    UCCX | V14,
		msg: &CallConnectionClearedEvent{PeripheralID: 1, PeripheralType: PeripheralACMICRS, ConnectionDeviceIDType: ConnectionIDStatic,
			ConnectionCallID: 42, ReleasingDeviceType: DevIDExternal, LocalConnectionState: LCSNull, EventCause: CECNone,
			ConnectionDeviceID: "1001", ReleasingDeviceID: "8000"},
		frame: `
			00000024 0000000e // MessageLength 36, MessageType CALL_CONNECTION_CLEARED_EVENT (14)
			00000000          // MonitorID UINT (UCCX: 0)
			00000001          // PeripheralID UINT (UCCX: 1)
			0015              // PeripheralType USHORT = ACMI_CRS (UCCX)
			0000              // ConnectionDeviceIDType USHORT = CONNECTION_ID_STATIC
			0000002a          // ConnectionCallID UINT = 42
			004b              // ReleasingDeviceType USHORT = DEVID_EXTERNAL
			0000              // LocalConnectionState USHORT = LCS_NULL
			ffff              // EventCause USHORT = CEC_NONE
			19 05 3130303100  // ConnectionDeviceID[25] STRING "1001" (1-byte tag and length)
			21 05 3830303000  // ReleasingDeviceID[33] STRING "8000"`,
	},
	{
		name: "CALL_FAILED_EVENT v20",
		v:    V20,
		msg: &CallFailedEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionCallID: 42, FailingDeviceType: DevIDExternal, CalledDeviceType: DevIDRoutePoint, LocalConnectionState: LCSFail,
			EventCause: CECBusy, ConnectionDeviceID: "1001", FailingDeviceID: "8000", CalledDeviceID: "8000"},
		frame: `
			00000033 00000010    // MessageLength 51, MessageType CALL_FAILED_EVENT (16)
			00000000             // MonitorID UINT
			00001388             // PeripheralID UINT = 5000
			0011                 // PeripheralType USHORT = ENTERPRISE_AGENT
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a             // ConnectionCallID UINT = 42
			004b                 // FailingDeviceType USHORT = DEVID_EXTERNAL
			004a                 // CalledDeviceType USHORT = DEVID_ROUTE_POINT
			0006                 // LocalConnectionState USHORT = LCS_FAIL
			0003                 // EventCause USHORT = CEC_BUSY
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0022 0005 3830303000 // FailingDeviceID[34] STRING "8000"
			001c 0005 3830303000 // CalledDeviceID[28] STRING "8000"`,
	},
	{
		name: "CALL_TRANSFERRED_EVENT v20: 46-byte fixed part, one connected party",
		v:    V20,
		msg: &CallTransferredEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, PrimaryDeviceIDType: ConnectionIDDynamic,
			PrimaryCallID: 42, LineType: LineTypeInside, SkillGroupNumber: 10, SkillGroupID: 501, NumParties: 1,
			SecondaryDeviceIDType: ConnectionIDDynamic, SecondaryCallID: 43, TransferringDeviceType: DevIDAgentDevice,
			TransferredDeviceType: DevIDExternal, LocalConnectionState: LCSConnect, EventCause: CECTransfer,
			PrimaryDeviceID: "1001", SecondaryDeviceID: "1002", TransferringDeviceID: "1001", TransferredDeviceID: "8000",
			Parties: []Party{{ConnectedPartyCallID: 43, ConnectedPartyDeviceIDType: DevIDExternal, ConnectedPartyDeviceID: "8000"}}},
		frame: `
			00000069 00000012    // MessageLength 105, MessageType CALL_TRANSFERRED_EVENT (18)
			00000000             // MonitorID UINT
			00001388             // PeripheralID UINT = 5000
			0011                 // PeripheralType USHORT = ENTERPRISE_AGENT
			0001                 // PrimaryDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a             // PrimaryCallID UINT = 42
			0000                 // LineHandle USHORT
			0002                 // LineType USHORT = INSIDE
			0000000a             // SkillGroupNumber UINT = 10
			000001f5             // SkillGroupID UINT = 501
			0000                 // SkillGroupPriority USHORT
			0001                 // NumParties USHORT
			0001                 // SecondaryDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002b             // SecondaryCallID UINT = 43
			004c                 // TransferringDeviceType USHORT = DEVID_AGENT_DEVICE
			004b                 // TransferredDeviceType USHORT = DEVID_EXTERNAL
			0003                 // LocalConnectionState USHORT = LCS_CONNECT
			0020                 // EventCause USHORT = CEC_TRANSFER
			0023 0005 3130303100 // PrimaryDeviceID[35] STRING "1001"
			0024 0005 3130303200 // SecondaryDeviceID[36] STRING "1002"
			002a 0005 3130303100 // TransferringDeviceID[42] STRING "1001"
			002b 0005 3830303000 // TransferredDeviceID[43] STRING "8000"
			0027 0004 0000002b   // ConnectedPartyCallID[39] UINT = 43       } party 1,
			0028 0002 004b       // ConnectedPartyDeviceIDType[40] USHORT     } in this order
			0029 0005 3830303000 // ConnectedPartyDeviceID[41] STRING "8000"  }`,
	},
	{
		name: "CALL_DIVERTED_EVENT v20: 32-byte fixed part",
		v:    V20,
		msg: &CallDivertedEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionCallID: 42, ServiceNumber: 100, ServiceID: 200, DivertingDeviceType: DevIDRoutePoint, CalledDeviceType: DevIDAgentDevice,
			LocalConnectionState: LCSNull, EventCause: CECRedirected, ConnectionDeviceID: "7000", DivertingDeviceID: "7000", CalledDeviceID: "1001"},
		frame: `
			0000003b 00000013    // MessageLength 59, MessageType CALL_DIVERTED_EVENT (19)
			00000000             // MonitorID UINT
			00001388             // PeripheralID UINT = 5000
			0011                 // PeripheralType USHORT = ENTERPRISE_AGENT
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a             // ConnectionCallID UINT = 42
			00000064             // ServiceNumber UINT = 100
			000000c8             // ServiceID UINT = 200
			004a                 // DivertingDeviceType USHORT = DEVID_ROUTE_POINT
			004c                 // CalledDeviceType USHORT = DEVID_AGENT_DEVICE
			0000                 // LocalConnectionState USHORT = LCS_NULL
			001c                 // EventCause USHORT = CEC_REDIRECTED
			0019 0005 3730303000 // ConnectionDeviceID[25] STRING "7000"
			002c 0005 3730303000 // DivertingDeviceID[44] STRING "7000"
			001c 0005 3130303100 // CalledDeviceID[28] STRING "1001"`,
	},
	{
		name: "CALL_SERVICE_INITIATED_EVENT v20: 44-byte fixed part",
		v:    V20,
		msg: &CallServiceInitiatedEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionCallID: 42, LineHandle: 1, LineType: LineTypeOutbound, ServiceNumber: 100, ServiceID: 200, SkillGroupNumber: 10,
			SkillGroupID: 501, CallingDeviceType: DevIDAgentDevice, LocalConnectionState: LCSInitiate, EventCause: CECNewCall,
			ConnectionDeviceID: "1001", CallingDeviceID: "1001"},
		frame: `
			0000003e 00000014    // MessageLength 62, MessageType CALL_SERVICE_INITIATED_EVENT (20)
			00000000             // MonitorID UINT
			00001388             // PeripheralID UINT = 5000
			0011                 // PeripheralType USHORT = ENTERPRISE_AGENT
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a             // ConnectionCallID UINT = 42
			0001                 // LineHandle USHORT = 1
			0007                 // LineType USHORT = OUTBOUND
			00000064             // ServiceNumber UINT = 100
			000000c8             // ServiceID UINT = 200
			0000000a             // SkillGroupNumber UINT = 10
			000001f5             // SkillGroupID UINT = 501
			0000                 // SkillGroupPriority USHORT
			004c                 // CallingDeviceType USHORT = DEVID_AGENT_DEVICE
			0001                 // LocalConnectionState USHORT = LCS_INITIATE
			0016                 // EventCause USHORT = CEC_NEW_CALL
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			001b 0005 3130303100 // CallingDeviceID[27] STRING "1001"`,
	},
	{
		name: "CALL_REACHED_NETWORK_EVENT v20: 28-byte fixed part",
		v:    V20,
		msg: &CallReachedNetworkEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionCallID: 42, LineHandle: 1, LineType: LineTypeOutbound, TrunkUsedDeviceType: DevIDTrunkIdentifier,
			CalledDeviceType: DevIDExternal, LocalConnectionState: LCSConnect, EventCause: CECNewCall, ConnectionDeviceID: "1001",
			TrunkUsedDeviceID: "T1", CalledDeviceID: "8000", TrunkNumber: 5, TrunkGroupNumber: 2},
		frame: `
			00000045 00000022    // MessageLength 69, MessageType CALL_REACHED_NETWORK_EVENT (34)
			00000000             // MonitorID UINT
			00001388             // PeripheralID UINT = 5000
			0011                 // PeripheralType USHORT = ENTERPRISE_AGENT
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a             // ConnectionCallID UINT = 42
			0001                 // LineHandle USHORT = 1
			0007                 // LineType USHORT = OUTBOUND
			0046                 // TrunkUsedDeviceType USHORT = DEVID_TRUNK_IDENTIFIER
			004b                 // CalledDeviceType USHORT = DEVID_EXTERNAL
			0003                 // LocalConnectionState USHORT = LCS_CONNECT
			0016                 // EventCause USHORT = CEC_NEW_CALL
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0030 0003 543100     // TrunkUsedDeviceID[48] STRING "T1"
			001c 0005 3830303000 // CalledDeviceID[28] STRING "8000"
			0079 0004 00000005   // TrunkNumber[121] UINT = 5
			007a 0004 00000002   // TrunkGroupNumber[122] UINT = 2`,
	},
	{
		name: "RTP_STARTED_EVENT v14 (GED struct, 34 bytes)",
		v:    V14,
		msg: &RTPStartedEvent{PeripheralID: 5000, ClientPort: 20000, Direction: RTPDirectionInput, RTPType: 4, BitRate: 64000, PacketSize: 20,
			ConnectionDeviceIDType: ConnectionIDDynamic, ConnectionCallID: 42, ConnectionDeviceID: "1001", ClientAddress: "10.0.0.1",
			SendingAddress: "10.0.0.2", SendingPort: 20002},
		frame: `
			00000045 00000074      // MessageLength 69, MessageType RTP_STARTED_EVENT (116)
			00000000               // MonitorID UINT
			00001388               // PeripheralID UINT = 5000
			00004e20               // ClientPort UINT = 20000
			0000                   // Direction USHORT = INPUT (towards the agent)
			0004                   // RTPType USHORT = 4
			0000fa00               // BitRate UINT = 64000
			0000                   // EchoCancellation USHORT
			00000014               // PacketSize UINT = 20
			0000                   // PayloadType USHORT
			0001                   // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a               // ConnectionCallID UINT = 42
			19 05 3130303100       // ConnectionDeviceID[25] STRING "1001"
			51 09 31302e302e302e3100 // ClientAddress[81] STRING "10.0.0.1"
			7d 09 31302e302e302e3200 // SendingAddress[125] STRING "10.0.0.2"
			7e 04 00004e22         // SendingPort[126] UINT = 20002`,
	},
	{
		name: "RTP_STOPPED_EVENT v20",
		v:    V20,
		msg: &RTPStoppedEvent{PeripheralID: 5000, ClientPort: 20000, Direction: RTPDirectionOutput, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionCallID: 42, ConnectionDeviceID: "1001", AgentID: "5001"},
		frame: `
			00000026 00000075    // MessageLength 38, MessageType RTP_STOPPED_EVENT (117)
			00000000             // MonitorID UINT
			00001388             // PeripheralID UINT = 5000
			00004e20             // ClientPort UINT = 20000
			0001                 // Direction USHORT = OUTPUT
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000002a             // ConnectionCallID UINT = 42
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0005 0005 3530303100 // AgentID[5] STRING "5001"`,
	},
	{
		name: "SET_CALL_DATA_CONF v20",
		v:    V20,
		msg:  &SetCallDataConf{InvokeID: 0x1b},
		frame: `
			00000004 0000001b // MessageLength 4, MessageType SET_CALL_DATA_CONF (27)
			0000001b          // InvokeID UINT`,
	},
	{
		name: "RELEASE_CALL_CONF v14",
		v:    V14,
		msg:  &ReleaseCallConf{InvokeID: 0x1d},
		frame: `
			00000004 0000001d // MessageLength 4, MessageType RELEASE_CALL_CONF (29)
			0000001d          // InvokeID UINT`,
	},
}

func TestCallEventLayouts(t *testing.T) { runLayoutCases(t, callEventLayoutCases) }
