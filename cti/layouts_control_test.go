package cti

import "testing"

// Call control requests and their confirmations (docs/protocol/layouts.md, "Call control").
// Order trap: in the call-control requests the connection is CallID UINT then DeviceIDType USHORT;
// BAD_CALL_REQ goes back to type-then-ID. Where a layout carries several plain USHORT/BOOL fields
// in a row (CallPlacementType … PostRoute) the cases give them distinct values, so two swapped
// fields show up as a mismatch.
var controlLayoutCases = []layoutCase{
	{
		name: "ALTERNATE_CALL_REQ v20",
		v:    V20,
		msg: &AlternateCallReq{InvokeID: 1, PeripheralID: 5000, ActiveConnectionCallID: 42, OtherConnectionCallID: 43,
			ActiveConnectionDeviceIDType: ConnectionIDDynamic, OtherConnectionDeviceIDType: ConnectionIDStatic,
			ActiveConnectionDeviceID: "1001", OtherConnectionDeviceID: "1002", AgentInstrument: "1001"},
		frame: `
			0000002f 00000028    // MessageLength 47, MessageType ALTERNATE_CALL_REQ (40)
			00000001             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ActiveConnectionCallID UINT = 42
			0000002b             // OtherConnectionCallID UINT = 43
			0001                 // ActiveConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000                 // OtherConnectionDeviceIDType USHORT = CONNECTION_ID_STATIC
			0032 0005 3130303100 // ActiveConnectionDeviceID[50] STRING "1001"
			0034 0005 3130303200 // OtherConnectionDeviceID[52] STRING "1002"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name:  "ALTERNATE_CALL_CONF v20",
		v:     V20,
		msg:   &AlternateCallConf{InvokeID: 1},
		frame: `00000004 00000029 00000001 // header (ALTERNATE_CALL_CONF 41); InvokeID UINT`,
	},
	{
		name: "ANSWER_CALL_REQ v20: alerting call not known (0xFFFFFFFF, CONNECTION_ID_NONE)",
		v:    V20,
		msg:  &AnswerCallReq{InvokeID: 2, PeripheralID: 5000, ConnectionCallID: 0xffffffff, ConnectionDeviceIDType: ConnectionIDNone, AgentInstrument: "1001"},
		frame: `
			00000017 0000002a    // MessageLength 23, MessageType ANSWER_CALL_REQ (42)
			00000002             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			ffffffff             // ConnectionCallID UINT = not known
			ffff                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_NONE
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name: "ANSWER_CALL_REQ UCCX v14",
		v:    UCCX | V14,
		msg:  &AnswerCallReq{InvokeID: 2, PeripheralID: 1, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDStatic, ConnectionDeviceID: "1001"},
		frame: `
			00000015 0000002a // MessageLength 21, MessageType ANSWER_CALL_REQ (42)
			00000002          // InvokeID UINT
			00000001          // PeripheralID UINT (UCCX: reserved, 1)
			0000002a          // ConnectionCallID UINT = 42
			0000              // ConnectionDeviceIDType USHORT = CONNECTION_ID_STATIC
			19 05 3130303100  // ConnectionDeviceID[25] STRING "1001"`,
	},
	{
		name:  "ANSWER_CALL_CONF v20",
		v:     V20,
		msg:   &AnswerCallConf{InvokeID: 2},
		frame: `00000004 0000002b 00000002 // header (ANSWER_CALL_CONF 43); InvokeID UINT`,
	},
	{
		name: "CLEAR_CALL_REQ v20",
		v:    V20,
		msg: &ClearCallReq{InvokeID: 3, PeripheralID: 5000, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionDeviceID: "1001", AgentInstrument: "1001"},
		frame: `
			00000020 0000002c    // MessageLength 32, MessageType CLEAR_CALL_REQ (44)
			00000003             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ConnectionCallID UINT = 42
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name:  "CLEAR_CALL_CONF v20",
		v:     V20,
		msg:   &ClearCallConf{InvokeID: 3},
		frame: `00000004 0000002d 00000003 // header (CLEAR_CALL_CONF 45); InvokeID UINT`,
	},
	{
		name: "CLEAR_CONNECTION_REQ v20",
		v:    V20,
		msg: &ClearConnectionReq{InvokeID: 4, PeripheralID: 5000, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic,
			RequestingDeviceIDType: ConnectionIDStatic, ConnectionDeviceID: "1001", AgentInstrument: "1001", RequestingDeviceID: "1001"},
		frame: `
			0000002b 0000002e    // MessageLength 43, MessageType CLEAR_CONNECTION_REQ (46)
			00000004             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ConnectionCallID UINT = 42
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000                 // RequestingDeviceIDType USHORT
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"
			00db 0005 3130303100 // RequestingDeviceID[219] STRING "1001"`,
	},
	{
		name:  "CLEAR_CONNECTION_CONF v20",
		v:     V20,
		msg:   &ClearConnectionConf{InvokeID: 4},
		frame: `00000004 0000002f 00000004 // header (CLEAR_CONNECTION_CONF 47); InvokeID UINT`,
	},
	{
		name: "CONFERENCE_CALL_REQ v20: 40-byte fixed part, Held before Active",
		v:    V20,
		msg: &ConferenceCallReq{InvokeID: 5, PeripheralID: 5000, HeldConnectionCallID: 42, ActiveConnectionCallID: 43,
			HeldConnectionDeviceIDType: ConnectionIDDynamic, ActiveConnectionDeviceIDType: ConnectionIDStatic,
			CallPlacementType: 1, CallMannerType: 2, AlertRings: 3, CallOption: 4, FacilityType: 5, AnsweringMachine: 6, Priority: true,
			ActiveConnectionDeviceID: "1002", HeldConnectionDeviceID: "1001", AgentInstrument: "1001"},
		frame: `
			00000043 00000030    // MessageLength 67, MessageType CONFERENCE_CALL_REQ (48)
			00000005             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // HeldConnectionCallID UINT = 42
			0000002b             // ActiveConnectionCallID UINT = 43
			0001                 // HeldConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000                 // ActiveConnectionDeviceIDType USHORT = CONNECTION_ID_STATIC
			0001                 // CallPlacementType USHORT
			0002                 // CallMannerType USHORT
			0003                 // AlertRings USHORT
			0004                 // CallOption USHORT
			0005                 // FacilityType USHORT
			0006                 // AnsweringMachine USHORT
			0001                 // Priority BOOL = TRUE
			0000                 // PostRoute BOOL = FALSE
			0000                 // NumNamedVariables USHORT
			0000                 // NumNamedArrays USHORT
			0032 0005 3130303200 // ActiveConnectionDeviceID[50] STRING "1002"
			0035 0005 3130303100 // HeldConnectionDeviceID[53] STRING "1001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name: "CONFERENCE_CALL_CONF v20: two connected parties",
		v:    V20,
		msg: &ConferenceCallConf{InvokeID: 5, NewConnectionCallID: 44, NewConnectionDeviceIDType: ConnectionIDDynamic, NumParties: 2,
			LineHandle: 0xffff, LineType: LineTypeInboundACD, NewConnectionDeviceID: "1001",
			Parties: []Party{
				{ConnectedPartyCallID: 42, ConnectedPartyDeviceIDType: DevIDAgentDevice, ConnectedPartyDeviceID: "1001"},
				{ConnectedPartyCallID: 43, ConnectedPartyDeviceIDType: DevIDExternal, ConnectedPartyDeviceID: "8000"}}},
		frame: `
			00000047 00000031    // MessageLength 71, MessageType CONFERENCE_CALL_CONF (49)
			00000005             // InvokeID UINT
			0000002c             // NewConnectionCallID UINT = 44
			0001                 // NewConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0002                 // NumParties USHORT = 2
			ffff                 // LineHandle USHORT = unknown
			0000                 // LineType USHORT = INBOUND_ACD
			002f 0005 3130303100 // NewConnectionDeviceID[47] STRING "1001"
			0027 0004 0000002a   // ConnectedPartyCallID[39] UINT = 42             } party 1
			0028 0002 004c       // ConnectedPartyDeviceIDType[40] = DEVID_AGENT_DEVICE }
			0029 0005 3130303100 // ConnectedPartyDeviceID[41] STRING "1001"        }
			0027 0004 0000002b   // ConnectedPartyCallID[39] UINT = 43             } party 2
			0028 0002 004b       // ConnectedPartyDeviceIDType[40] = DEVID_EXTERNAL }
			0029 0005 3830303000 // ConnectedPartyDeviceID[41] STRING "8000"        }`,
	},
	{
		name: "CONSULTATION_CALL_REQ v20: 36-byte fixed part",
		v:    V20,
		msg: &ConsultationCallReq{InvokeID: 6, PeripheralID: 5000, ActiveConnectionCallID: 42, ActiveConnectionDeviceIDType: ConnectionIDDynamic,
			CallPlacementType: 1, CallMannerType: 2, ConsultType: ConsultTypeTransfer, AlertRings: 3, CallOption: 4, FacilityType: 5,
			AnsweringMachine: 6, Priority: true, ActiveConnectionDeviceID: "1001", DialedNumber: "8000", CallVariable1: "x"},
		frame: `
			0000003c 00000032    // MessageLength 60, MessageType CONSULTATION_CALL_REQ (50)
			00000006             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ActiveConnectionCallID UINT = 42
			0001                 // ActiveConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0001                 // CallPlacementType USHORT
			0002                 // CallMannerType USHORT
			0001                 // ConsultType USHORT = TRANSFER
			0003                 // AlertRings USHORT
			0004                 // CallOption USHORT
			0005                 // FacilityType USHORT
			0006                 // AnsweringMachine USHORT
			0001                 // Priority BOOL = TRUE
			0000                 // PostRoute BOOL = FALSE
			0000                 // NumNamedVariables USHORT
			0000                 // NumNamedArrays USHORT
			0032 0005 3130303100 // ActiveConnectionDeviceID[50] STRING "1001" (required)
			000b 0005 3830303000 // DialedNumber[11] STRING "8000" (required)
			000d 0002 7800       // CallVariable1[13] STRING "x"`,
	},
	{
		name: "CONSULT_CALL_REQ UCCX v14: reserved fields 0, conference consult",
		v:    UCCX | V14,
		msg: &ConsultationCallReq{InvokeID: 6, PeripheralID: 1, ActiveConnectionCallID: 42, ActiveConnectionDeviceIDType: ConnectionIDStatic,
			ConsultType: ConsultTypeConference, ActiveConnectionDeviceID: "1001", DialedNumber: "8000"},
		frame: `
			00000032 00000032 // MessageLength 50, MessageType CONSULT_CALL_REQ (50)
			00000006          // InvokeID UINT
			00000001          // PeripheralID UINT (UCCX: reserved, 1)
			0000002a          // ActiveConnectionCallID UINT = 42
			0000              // ActiveConnectionDeviceIDType USHORT = CONNECTION_ID_STATIC
			0000 0000         // CallPlacementType, CallMannerType USHORT (UCCX: reserved, 0)
			0002              // ConsultType USHORT = CONFERENCE
			0000 0000 0000 0000 // AlertRings, CallOption, FacilityType, AnsweringMachine USHORT (reserved)
			0000 0000         // Priority, PostRoute BOOL (reserved)
			0000 0000         // NumNamedVariables, NumNamedArrays USHORT
			32 05 3130303100  // ActiveConnectionDeviceID[50] STRING "1001"
			0b 05 3830303000  // DialedNumber[11] STRING "8000"`,
	},
	{
		name: "CONSULTATION_CALL_CONF v20",
		v:    V20,
		msg: &ConsultationCallConf{InvokeID: 6, NewConnectionCallID: 43, NewConnectionDeviceIDType: ConnectionIDDynamic, LineHandle: 0xffff,
			LineType: LineTypeUnknown, NewConnectionDeviceID: "1001"},
		frame: `
			00000017 00000033    // MessageLength 23, MessageType CONSULTATION_CALL_CONF (51)
			00000006             // InvokeID UINT
			0000002b             // NewConnectionCallID UINT = 43
			0001                 // NewConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			ffff                 // LineHandle USHORT = unknown
			0003                 // LineType USHORT = UNKNOWN (UCCX always 3)
			002f 0005 3130303100 // NewConnectionDeviceID[47] STRING "1001"`,
	},
	{
		name: "DEFLECT_CALL_REQ v20",
		v:    V20,
		msg: &DeflectCallReq{InvokeID: 7, PeripheralID: 5000, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic,
			CalledDeviceType: DevIDExternal, ConnectionDeviceID: "1001", CalledDeviceID: "8000", AgentInstrument: "1001"},
		frame: `
			0000002b 00000034    // MessageLength 43, MessageType DEFLECT_CALL_REQ (52)
			00000007             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ConnectionCallID UINT = 42
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			004b                 // CalledDeviceType USHORT = DEVID_EXTERNAL
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			001c 0005 3830303000 // CalledDeviceID[28] STRING "8000"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name:  "DEFLECT_CALL_CONF v20",
		v:     V20,
		msg:   &DeflectCallConf{InvokeID: 7},
		frame: `00000004 00000035 00000007 // header (DEFLECT_CALL_CONF 53); InvokeID UINT`,
	},
	{
		name: "HOLD_CALL_REQ v20",
		v:    V20,
		msg: &HoldCallReq{InvokeID: 8, PeripheralID: 5000, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic, Reservation: true,
			ConnectionDeviceID: "1001", AgentInstrument: "1001"},
		frame: `
			00000022 00000036    // MessageLength 34, MessageType HOLD_CALL_REQ (54)
			00000008             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ConnectionCallID UINT = 42
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0001                 // Reservation BOOL = TRUE
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name:  "HOLD_CALL_CONF v14",
		v:     V14,
		msg:   &HoldCallConf{InvokeID: 8},
		frame: `00000004 00000037 00000008 // header (HOLD_CALL_CONF 55); InvokeID UINT`,
	},
	{
		name: "MAKE_CALL_REQ v20: 32-byte fixed part ending in SkillGroupNumber",
		v:    V20,
		msg: &MakeCallReq{InvokeID: 9, PeripheralID: 5000, CallPlacementType: 1, CallMannerType: 2, AlertRings: 3, CallOption: 4, FacilityType: 5,
			AnsweringMachine: 6, Priority: true, NumNamedVariables: 1, SkillGroupNumber: 10, AgentInstrument: "1001", DialedNumber: "8000",
			NamedVariables: []NamedVariable{{Name: "V", Value: "1"}}, AccountCode: "42"},
		frame: `
			00000041 00000038    // MessageLength 65, MessageType MAKE_CALL_REQ (56)
			00000009             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0001                 // CallPlacementType USHORT
			0002                 // CallMannerType USHORT
			0003                 // AlertRings USHORT
			0004                 // CallOption USHORT
			0005                 // FacilityType USHORT
			0006                 // AnsweringMachine USHORT
			0001                 // Priority BOOL = TRUE
			0000                 // PostRoute BOOL = FALSE
			0001                 // NumNamedVariables USHORT
			0000                 // NumNamedArrays USHORT
			0000000a             // SkillGroupNumber UINT = 10
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001" (required)
			000b 0005 3830303000 // DialedNumber[11] STRING "8000" (required)
			0052 0004 5600 3100  // NamedVariable[82] NAMEDVAR "V" = "1"
			004e 0003 343200     // AccountCode[78] STRING "42"`,
	},
	{
		name: "MAKE_CALL_CONF UCCX v14",
		v:    UCCX | V14,
		msg: &MakeCallConf{InvokeID: 9, NewConnectionCallID: 42, NewConnectionDeviceIDType: ConnectionIDDynamic, LineHandle: 0xffff,
			LineType: LineTypeUnknown, NewConnectionDeviceID: "1001"},
		frame: `
			00000015 00000039 // MessageLength 21, MessageType MAKE_CALL_CONF (57)
			00000009          // InvokeID UINT
			0000002a          // NewConnectionCallID UINT = 42
			0001              // NewConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			ffff              // LineHandle USHORT (UCCX: always 0xFFFF)
			0003              // LineType USHORT (UCCX: 3)
			2f 05 3130303100  // NewConnectionDeviceID[47] STRING "1001"`,
	},
	{
		name: "RECONNECT_CALL_REQ v20",
		v:    V20,
		msg: &ReconnectCallReq{InvokeID: 10, PeripheralID: 5000, ActiveConnectionCallID: 43, HeldConnectionCallID: 42,
			ActiveConnectionDeviceIDType: ConnectionIDDynamic, HeldConnectionDeviceIDType: ConnectionIDStatic,
			ActiveConnectionDeviceID: "1002", HeldConnectionDeviceID: "1001", AgentInstrument: "1001"},
		frame: `
			0000002f 0000003c    // MessageLength 47, MessageType RECONNECT_CALL_REQ (60)
			0000000a             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002b             // ActiveConnectionCallID UINT = 43
			0000002a             // HeldConnectionCallID UINT = 42
			0001                 // ActiveConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000                 // HeldConnectionDeviceIDType USHORT = CONNECTION_ID_STATIC
			0032 0005 3130303200 // ActiveConnectionDeviceID[50] STRING "1002"
			0035 0005 3130303100 // HeldConnectionDeviceID[53] STRING "1001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name:  "RECONNECT_CALL_CONF v20",
		v:     V20,
		msg:   &ReconnectCallConf{InvokeID: 10},
		frame: `00000004 0000003d 0000000a // header (RECONNECT_CALL_CONF 61); InvokeID UINT`,
	},
	{
		name: "RETRIEVE_CALL_REQ v20",
		v:    V20,
		msg: &RetrieveCallReq{InvokeID: 11, PeripheralID: 5000, HeldConnectionCallID: 42, HeldConnectionDeviceIDType: ConnectionIDDynamic,
			HeldConnectionDeviceID: "1001", AgentInstrument: "1001"},
		frame: `
			00000020 0000003e    // MessageLength 32, MessageType RETRIEVE_CALL_REQ (62)
			0000000b             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // HeldConnectionCallID UINT = 42
			0001                 // HeldConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0035 0005 3130303100 // HeldConnectionDeviceID[53] STRING "1001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name:  "RETRIEVE_CALL_CONF v20",
		v:     V20,
		msg:   &RetrieveCallConf{InvokeID: 11},
		frame: `00000004 0000003f 0000000b // header (RETRIEVE_CALL_CONF 63); InvokeID UINT`,
	},
	{
		name: "TRANSFER_CALL_REQ v20: single-step, 40-byte fixed part",
		v:    V20,
		msg: &TransferCallReq{InvokeID: 12, PeripheralID: 5000, ActiveConnectionCallID: 42, HeldConnectionCallID: 0xffffffff,
			ActiveConnectionDeviceIDType: ConnectionIDDynamic, HeldConnectionDeviceIDType: ConnectionIDNone,
			CallPlacementType: 1, CallMannerType: 2, AlertRings: 3, CallOption: 4, FacilityType: 5, AnsweringMachine: 6, PostRoute: true,
			ActiveConnectionDeviceID: "1001", AgentInstrument: "1001", DialedNumber: "8000"},
		frame: `
			00000043 00000040    // MessageLength 67, MessageType TRANSFER_CALL_REQ (64)
			0000000c             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ActiveConnectionCallID UINT = 42
			ffffffff             // HeldConnectionCallID UINT = none (single-step transfer)
			0001                 // ActiveConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			ffff                 // HeldConnectionDeviceIDType USHORT = CONNECTION_ID_NONE
			0001                 // CallPlacementType USHORT
			0002                 // CallMannerType USHORT
			0003                 // AlertRings USHORT
			0004                 // CallOption USHORT
			0005                 // FacilityType USHORT
			0006                 // AnsweringMachine USHORT
			0000                 // Priority BOOL = FALSE
			0001                 // PostRoute BOOL = TRUE
			0000                 // NumNamedVariables USHORT
			0000                 // NumNamedArrays USHORT
			0032 0005 3130303100 // ActiveConnectionDeviceID[50] STRING "1001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"
			000b 0005 3830303000 // DialedNumber[11] STRING "8000" (the single-step target)`,
	},
	{
		name: "TRANSFER_CALL_REQ UCCX v14: consultative, reserved fields 0",
		v:    UCCX | V14,
		msg: &TransferCallReq{InvokeID: 12, PeripheralID: 1, ActiveConnectionCallID: 43, HeldConnectionCallID: 42,
			ActiveConnectionDeviceIDType: ConnectionIDDynamic, HeldConnectionDeviceIDType: ConnectionIDDynamic,
			ActiveConnectionDeviceID: "1002", HeldConnectionDeviceID: "1001"},
		frame: `
			00000036 00000040 // MessageLength 54, MessageType TRANSFER_CALL_REQ (64)
			0000000c          // InvokeID UINT
			00000001          // PeripheralID UINT (UCCX: reserved, 1)
			0000002b          // ActiveConnectionCallID UINT (UCCX ActiveCallID) = 43
			0000002a          // HeldConnectionCallID UINT (UCCX HeldCallID) = 42
			0001              // ActiveConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0001              // HeldConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0000 0000 0000    // CallPlacementType, CallMannerType, AlertRings USHORT (reserved, 0)
			0000 0000 0000    // CallOption, FacilityType, AnsweringMachine USHORT (reserved, 0)
			0000 0000         // Priority, PostRoute BOOL (reserved, 0)
			0000 0000         // NumNamedVariables, NumNamedArrays USHORT
			32 05 3130303200  // ActiveConnectionDeviceID[50] STRING "1002"
			35 05 3130303100  // HeldConnectionDeviceID[53] STRING "1001"`,
	},
	{
		name: "TRANSFER_CALL_CONF v14: one connected party",
		v:    V14,
		msg: &TransferCallConf{InvokeID: 12, NewConnectionCallID: 43, NewConnectionDeviceIDType: ConnectionIDDynamic, NumParties: 1,
			LineHandle: 0xffff, LineType: LineTypeUnknown, NewConnectionDeviceID: "1001",
			Parties: []Party{{ConnectedPartyCallID: 43, ConnectedPartyDeviceIDType: DevIDExternal, ConnectedPartyDeviceID: "8000"}}},
		frame: `
			00000028 00000041 // MessageLength 40, MessageType TRANSFER_CALL_CONF (65)
			0000000c          // InvokeID UINT
			0000002b          // NewConnectionCallID UINT = 43
			0001              // NewConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0001              // NumParties USHORT = 1
			ffff              // LineHandle USHORT = unknown
			0003              // LineType USHORT = UNKNOWN
			2f 05 3130303100  // NewConnectionDeviceID[47] STRING "1001"
			27 04 0000002b    // ConnectedPartyCallID[39] UINT = 43        } party 1
			28 02 004b        // ConnectedPartyDeviceIDType[40] USHORT      }
			29 05 3830303000  // ConnectedPartyDeviceID[41] STRING "8000"   }`,
	},
	{
		name: "QUERY_DEVICE_INFO_REQ v20",
		v:    V20,
		msg:  &QueryDeviceInfoReq{InvokeID: 13, PeripheralID: 5000, AgentInstrument: "1001"},
		frame: `
			00000013 0000004e    // MessageLength 19, MessageType QUERY_DEVICE_INFO_REQ (78)
			0000000d             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000                 // Reserved USHORT
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name: "QUERY_DEVICE_INFO_CONF v20: 40 bytes as listed",
		v:    V20,
		msg: &QueryDeviceInfoConf{InvokeID: 13, PeripheralType: PeripheralEnterpriseAgent, TypeOfDevice: 1, ClassOfDevice: DeviceClassVoice,
			NumLines: 1, MaxActiveCalls: 2, MaxHeldCalls: 1, MaxDevicesInConference: 6, MakeCallSetup: AgentLoginMask,
			TransferConferenceSetup: ConfSetupConsultAny, CallEventsSupported: CallDeliveredMask, CallControlSupported: ControlQueryAgentState,
			OtherFeaturesSupported: 0x1, Lines: []Line{{LineHandle: 1, LineType: LineTypeInside}}},
		frame: `
			00000034 0000004f // MessageLength 52, MessageType QUERY_DEVICE_INFO_CONF (79)
			0000000d          // InvokeID UINT
			0011              // PeripheralType USHORT = ENTERPRISE_AGENT
			0001              // TypeOfDevice USHORT
			0080              // ClassOfDevice USHORT = VOICE
			0001              // NumLines USHORT
			0000              // Reserved USHORT
			0002              // MaxActiveCalls USHORT
			0001              // MaxHeldCalls USHORT
			0006              // MaxDevicesInConference USHORT
			00000001          // MakeCallSetup UINT
			00000002          // TransferConferenceSetup UINT = CONF_SETUP_CONSULT_ANY
			00000001          // CallEventsSupported UINT = CALL_DELIVERED_MASK
			00000001          // CallControlSupported UINT = CONTROL_QUERY_AGENT_STATE
			00000001          // OtherFeaturesSupported UINT
			0046 0002 0001    // LineHandle[70] USHORT = 1     } line 1
			0047 0002 0002    // LineType[71] USHORT = INSIDE  }`,
	},
	{
		name: "SNAPSHOT_CALL_REQ v20",
		v:    V20,
		msg:  &SnapshotCallReq{InvokeID: 14, PeripheralID: 5000, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic, ConnectionDeviceID: "1001"},
		frame: `
			00000017 00000052    // MessageLength 23, MessageType SNAPSHOT_CALL_REQ (82)
			0000000e             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ConnectionCallID UINT = 42
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"`,
	},
	{
		name: "SNAPSHOT_CALL_CONF v20: one call device",
		v:    V20,
		msg: &SnapshotCallConf{InvokeID: 14, CallType: CallTypeACDIn, NumCallDevices: 1, ANI: "555",
			CallDevices: []CallDevice{{CallConnectionCallID: 42, CallConnectionDeviceIDType: ConnectionIDDynamic, CallConnectionDeviceID: "1001",
				CallDeviceIDType: DevIDAgentDevice, CallDeviceID: "1001", CallDeviceConnectionState: LCSConnect}}},
		frame: `
			00000044 00000053    // MessageLength 68, MessageType SNAPSHOT_CALL_CONF (83)
			0000000e             // InvokeID UINT
			0001                 // CallType USHORT = ACD_IN
			0000                 // NumCTIClients USHORT
			0001                 // NumCallDevices USHORT
			0000                 // NumNamedVariables USHORT
			0000                 // NumNamedArrays USHORT
			0000                 // CalledPartyDisposition USHORT
			0008 0004 35353500   // ANI[8] STRING "555"
			0038 0004 0000002a   // CallConnectionCallID[56] UINT = 42               } device 1
			0039 0002 0001       // CallConnectionDeviceIDType[57] = DYNAMIC         }
			003a 0005 3130303100 // CallConnectionDeviceID[58] STRING "1001"         }
			003b 0002 004c       // CallDeviceIDType[59] = DEVID_AGENT_DEVICE        }
			003c 0005 3130303100 // CallDeviceID[60] STRING "1001"                   }
			003d 0002 0003       // CallDeviceConnectionState[61] = LCS_CONNECT      }`,
	},
	{
		name: "SNAPSHOT_DEVICE_REQ v20",
		v:    V20,
		msg:  &SnapshotDeviceReq{InvokeID: 17, PeripheralID: 5000, SnapshotDeviceType: DevIDDeviceIdentifier, AgentInstrument: "1001"},
		frame: `
			00000013 00000054    // MessageLength 19, MessageType SNAPSHOT_DEVICE_REQ (84)
			00000011             // InvokeID UINT = 17
			00001388             // PeripheralID UINT = 5000
			0000                 // SnapshotDeviceType USHORT = DEVID_DEVICE_IDENTIFIER
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name: "SNAPSHOT_DEVICE_CONF v20: a held call and a connected one",
		v:    V20,
		msg: &SnapshotDeviceConf{InvokeID: 17, NumCalls: 2, DeviceCalls: []DeviceCall{
			{CallConnectionCallID: 42, CallConnectionDeviceIDType: ConnectionIDDynamic, CallConnectionDeviceID: "1001", CallDeviceConnectionState: LCSHold},
			{CallConnectionCallID: 43, CallConnectionDeviceIDType: ConnectionIDDynamic, CallConnectionDeviceID: "1001", CallDeviceConnectionState: LCSConnect}}},
		frame: `
			00000040 00000055    // MessageLength 64, MessageType SNAPSHOT_DEVICE_CONF (85)
			00000011             // InvokeID UINT = 17
			0002                 // NumCalls USHORT
			0038 0004 0000002a   // CallConnectionCallID[56] UINT = 42          } call 1
			0039 0002 0001       // CallConnectionDeviceIDType[57] = DYNAMIC    }
			003a 0005 3130303100 // CallConnectionDeviceID[58] STRING "1001"    }
			003d 0002 0004       // CallDeviceConnectionState[61] = LCS_HOLD    }
			0038 0004 0000002b   // CallConnectionCallID[56] UINT = 43          } call 2
			0039 0002 0001       // CallConnectionDeviceIDType[57] = DYNAMIC    }
			003a 0005 3130303100 // CallConnectionDeviceID[58] STRING "1001"    }
			003d 0002 0003       // CallDeviceConnectionState[61] = LCS_CONNECT }`,
	},
	{
		name:  "SNAPSHOT_DEVICE_CONF v20: no call",
		v:     V20,
		msg:   &SnapshotDeviceConf{InvokeID: 18},
		frame: `00000006 00000055 00000012 0000 // header (SNAPSHOT_DEVICE_CONF 85); InvokeID 18; NumCalls 0`,
	},
	{
		name: "SUPERVISE_CALL_REQ v20: barge into the agent's call 42",
		v:    V20,
		msg: &SuperviseCallReq{InvokeID: 24, PeripheralID: 5000, AgentConnectionCallID: 42, SupervisorConnectionCallID: 0xffffffff,
			AgentConnectionDeviceIDType: ConnectionIDDynamic, SupervisorConnectionDeviceIDType: ConnectionIDNone,
			SupervisoryAction: SupervisorBargeIn, AgentConnectionDeviceID: "1001", SupervisorInstrument: "1009"},
		frame: `
			00000028 0000007c    // MessageLength 40, MessageType SUPERVISE_CALL_REQ (124)
			00000018             // InvokeID UINT = 24
			00001388             // PeripheralID UINT = 5000
			0000002a             // AgentConnectionCallID UINT = 42
			ffffffff             // SupervisorConnectionCallID UINT = no supervisor call
			0001                 // AgentConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			ffff                 // SupervisorConnectionDeviceIDType USHORT = CONNECTION_ID_NONE
			0003                 // SupervisoryAction USHORT = SUPERVISOR_BARGE_IN
			005a 0005 3130303100 // AgentConnectionDeviceID[90] STRING "1001"
			0055 0005 3130303900 // SupervisorInstrument[85] STRING "1009"`,
	},
	{
		name: "SUPERVISE_CALL_REQ v15: intercept the agent's active call (1-byte floating header)",
		v:    V15,
		msg: &SuperviseCallReq{InvokeID: 25, PeripheralID: 5000, AgentConnectionCallID: 0xffffffff, SupervisorConnectionCallID: 0xffffffff,
			AgentConnectionDeviceIDType: ConnectionIDNone, SupervisorConnectionDeviceIDType: ConnectionIDNone,
			SupervisoryAction: SupervisorIntercept, AgentID: "5001"},
		frame: `
			0000001d 0000007c // MessageLength 29, MessageType SUPERVISE_CALL_REQ (124)
			00000019          // InvokeID UINT = 25
			00001388          // PeripheralID UINT = 5000
			ffffffff          // AgentConnectionCallID UINT = the agent's active call
			ffffffff          // SupervisorConnectionCallID UINT = no supervisor call
			ffff              // AgentConnectionDeviceIDType USHORT = CONNECTION_ID_NONE
			ffff              // SupervisorConnectionDeviceIDType USHORT = CONNECTION_ID_NONE
			0004              // SupervisoryAction USHORT = SUPERVISOR_INTERCEPT
			05 05 3530303100  // AgentID[5] STRING "5001"`,
	},
	{
		name: "SUPERVISE_CALL_CONF v20",
		v:    V20,
		msg:  &SuperviseCallConf{InvokeID: 24, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic, ConnectionDeviceID: "1001"},
		frame: `
			00000013 0000007d    // MessageLength 19, MessageType SUPERVISE_CALL_CONF (125)
			00000018             // InvokeID UINT = 24
			0000002a             // ConnectionCallID UINT = 42
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"`,
	},
	{
		name: "SEND_DTMF_SIGNAL_REQ v25",
		v:    V25,
		msg: &SendDTMFSignalReq{InvokeID: 15, PeripheralID: 5000, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic,
			ToneDuration: 100, PauseDuration: 50, ConnectionDeviceID: "1001", DTMFString: "12#", AgentInstrument: "1001"},
		frame: `
			0000002e 0000005b    // MessageLength 46, MessageType SEND_DTMF_SIGNAL_REQ (91)
			0000000f             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000002a             // ConnectionCallID UINT = 42
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0064                 // ToneDuration USHORT = 100 ms
			00000032             // PauseDuration UINT = 50 ms (UINT per the v25 table)
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0043 0004 31322300   // DTMFString[67] STRING "12#"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name:  "SEND_DTMF_SIGNAL_CONF v25",
		v:     V25,
		msg:   &SendDTMFSignalConf{InvokeID: 15},
		frame: `00000004 0000005c 0000000f // header (SEND_DTMF_SIGNAL_CONF 92); InvokeID UINT`,
	},
	{
		name: "SUPERVISOR_ASSIST_REQ v20: no call",
		v:    V20,
		msg: &SupervisorAssistReq{InvokeID: 16, PeripheralID: 5000, ConnectionCallID: 0xffffffff, ConnectionDeviceIDType: ConnectionIDNone,
			AgentID: "5001", AgentInstrument: "1001"},
		frame: `
			00000020 00000076    // MessageLength 32, MessageType SUPERVISOR_ASSIST_REQ (118)
			00000010             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			ffffffff             // ConnectionCallID UINT = no call
			ffff                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_NONE
			0005 0005 3530303100 // AgentID[5] STRING "5001"
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name: "SUPERVISOR_ASSIST_CONF v20",
		v:    V20,
		msg: &SupervisorAssistConf{InvokeID: 16, ConnectionCallID: 44, ConnectionDeviceIDType: ConnectionIDDynamic, LineHandle: 0xffff,
			LineType: LineTypeSupervisor, ConnectionDeviceID: "1001"},
		frame: `
			00000017 00000077    // MessageLength 23, MessageType SUPERVISOR_ASSIST_CONF (119)
			00000010             // InvokeID UINT
			0000002c             // ConnectionCallID UINT = 44
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			ffff                 // LineHandle USHORT = unknown
			0004                 // LineType USHORT = SUPERVISOR
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"`,
	},
	{
		name: "EMERGENCY_CALL_REQ v14",
		v:    V14,
		msg: &EmergencyCallReq{InvokeID: 17, PeripheralID: 5000, ConnectionCallID: 42, ConnectionDeviceIDType: ConnectionIDDynamic,
			ConnectionDeviceID: "1001", AgentExtension: "1001"},
		frame: `
			0000001c 00000079 // MessageLength 28, MessageType EMERGENCY_CALL_REQ (121)
			00000011          // InvokeID UINT
			00001388          // PeripheralID UINT = 5000
			0000002a          // ConnectionCallID UINT = 42
			0001              // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			19 05 3130303100  // ConnectionDeviceID[25] STRING "1001"
			04 05 3130303100  // AgentExtension[4] STRING "1001"`,
	},
	{
		name: "EMERGENCY_CALL_CONF v20",
		v:    V20,
		msg: &EmergencyCallConf{InvokeID: 17, ConnectionCallID: 45, ConnectionDeviceIDType: ConnectionIDDynamic, LineHandle: 2,
			LineType: LineTypeSupervisor, ConnectionDeviceID: "1001"},
		frame: `
			00000017 0000007a    // MessageLength 23, MessageType EMERGENCY_CALL_CONF (122)
			00000011             // InvokeID UINT
			0000002d             // ConnectionCallID UINT = 45
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC
			0002                 // LineHandle USHORT = 2
			0004                 // LineType USHORT = SUPERVISOR
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"`,
	},
	{
		name: "BAD_CALL_REQ v20: DeviceIDType before CallID",
		v:    V20,
		msg: &BadCallReq{InvokeID: 18, PeripheralID: 5000, ConnectionDeviceIDType: ConnectionIDDynamic, ConnectionCallID: 42,
			ConnectionDeviceID: "1001", AgentID: "5001"},
		frame: `
			00000020 0000008b    // MessageLength 32, MessageType BAD_CALL_REQ (139)
			00000012             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0001                 // ConnectionDeviceIDType USHORT = CONNECTION_ID_DYNAMIC (type first here)
			0000002a             // ConnectionCallID UINT = 42
			0019 0005 3130303100 // ConnectionDeviceID[25] STRING "1001"
			0005 0005 3530303100 // AgentID[5] STRING "5001"`,
	},
	{
		name:  "BAD_CALL_CONF v20",
		v:     V20,
		msg:   &BadCallConf{InvokeID: 18},
		frame: `00000004 0000008c 00000012 // header (BAD_CALL_CONF 140); InvokeID UINT`,
	},
}

func TestControlLayouts(t *testing.T) { runLayoutCases(t, controlLayoutCases) }
