package cti

import "testing"

// Agent state messages (docs/protocol/layouts.md, "Agent state"). AGENT_STATE_EVENT v20 is in the
// golden vectors; its 58-byte v14 shape is here.
var agentLayoutCases = []layoutCase{
	{
		name: "AGENT_STATE_EVENT v14: 58-byte fixed part, no DepartmentID",
		v:    V14,
		msg: &AgentStateEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, SkillGroupState: AgentStateAvailable,
			SkillGroupNumber: 10, SkillGroupID: 501, AgentState: AgentStateAvailable, MRDID: 1, AgentMode: AgentModeRoutable,
			MaxTaskLimit: 1, ICMAgentID: 5001, AgentAvailabilityStatus: AvailabilityICMAvailable, DepartmentID: 7,
			AgentID: "5001", AgentExtension: "1001"},
		frame: `
			00000048 0000001e // MessageLength 72, MessageType AGENT_STATE_EVENT (30)
			00000000          // MonitorID UINT
			00001388          // PeripheralID UINT = 5000
			00000000          // SessionID UINT (0 = none)
			0011              // PeripheralType USHORT = ENTERPRISE_AGENT (17)
			0003              // SkillGroupState USHORT = AGENT_STATE_AVAILABLE
			00000000          // StateDuration UINT
			0000000a          // SkillGroupNumber UINT = 10
			000001f5          // SkillGroupID UINT = 501
			0000              // SkillGroupPriority USHORT
			0003              // AgentState USHORT = AGENT_STATE_AVAILABLE
			0000              // EventReasonCode USHORT
			00000001          // MRDID INT
			00000000          // NumTasks UINT
			0001              // AgentMode USHORT = ROUTABLE
			00000001          // MaxTaskLimit UINT
			00001389          // ICMAgentID INT = 5001
			00000001          // AgentAvailabilityStatus UINT = ICM_AVAILABLE
			0000              // NumFltSkillGroups USHORT; DepartmentID (v20+) is not on the wire
			05 05 3530303100  // AgentID[5] STRING "5001"
			04 05 3130303100  // AgentExtension[4] STRING "1001"`,
	},
	{
		name: "QUERY_AGENT_STATE_REQ v20",
		v:    V20,
		msg:  &QueryAgentStateReq{InvokeID: 1, PeripheralID: 5000, MRDID: 1, ICMAgentID: 5001, AgentInstrument: "1001"},
		frame: `
			00000019 00000024    // MessageLength 25, MessageType QUERY_AGENT_STATE_REQ (36)
			00000001             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			00000001             // MRDID INT
			00001389             // ICMAgentID INT = 5001
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"`,
	},
	{
		name: "QUERY_AGENT_STATE_CONF v15: 30-byte fixed part",
		v:    V15,
		msg: &QueryAgentStateConf{InvokeID: 2, AgentState: AgentStateAvailable, NumSkillGroups: 1, MRDID: 1, AgentMode: AgentModeRoutable,
			MaxTaskLimit: 1, ICMAgentID: 5001, AgentAvailabilityStatus: AvailabilityICMAvailable, AgentID: "5001",
			SkillGroups: []QueryAgentStateConfSkillGroup{{SkillGroupNumber: 10, SkillGroupID: 501, SkillGroupState: AgentStateAvailable}}},
		frame: `
			00000039 00000025 // MessageLength 57, MessageType QUERY_AGENT_STATE_CONF (37)
			00000002          // InvokeID UINT
			0003              // AgentState USHORT = AGENT_STATE_AVAILABLE
			0001              // NumSkillGroups USHORT
			00000001          // MRDID INT
			00000000          // NumTasks UINT
			0001              // AgentMode USHORT = ROUTABLE
			00000001          // MaxTaskLimit UINT
			00001389          // ICMAgentID INT = 5001
			00000001          // AgentAvailabilityStatus UINT = ICM_AVAILABLE
			05 05 3530303100  // AgentID[5] STRING "5001"
			3e 04 0000000a    // SkillGroupNumber[62] UINT = 10   } skill group 1
			3f 04 000001f5    // SkillGroupID[63] UINT = 501      }
			40 02 0000        // SkillGroupPriority[64] USHORT    }
			41 02 0003        // SkillGroupState[65] USHORT = AVAILABLE }`,
	},
	{
		name: "QUERY_AGENT_STATE_CONF v20: 34-byte fixed part with DepartmentID",
		v:    V20,
		msg: &QueryAgentStateConf{InvokeID: 2, AgentState: AgentStateAvailable, NumSkillGroups: 1, MRDID: 1, AgentMode: AgentModeRoutable,
			MaxTaskLimit: 1, ICMAgentID: 5001, AgentAvailabilityStatus: AvailabilityICMAvailable, DepartmentID: 7, AgentID: "5001",
			SkillGroups:        []QueryAgentStateConfSkillGroup{{SkillGroupNumber: 10, SkillGroupID: 501, SkillGroupState: AgentStateAvailable}},
			InternalAgentState: AgentStateAvailable},
		frame: `
			0000004d 00000025    // MessageLength 77, MessageType QUERY_AGENT_STATE_CONF (37)
			00000002             // InvokeID UINT
			0003                 // AgentState USHORT = AGENT_STATE_AVAILABLE
			0001                 // NumSkillGroups USHORT
			00000001             // MRDID INT
			00000000             // NumTasks UINT
			0001                 // AgentMode USHORT = ROUTABLE
			00000001             // MaxTaskLimit UINT
			00001389             // ICMAgentID INT = 5001
			00000001             // AgentAvailabilityStatus UINT = ICM_AVAILABLE
			00000007             // DepartmentID INT = 7 (v20 and later)
			0005 0005 3530303100 // AgentID[5] STRING "5001"
			003e 0004 0000000a   // SkillGroupNumber[62] UINT = 10
			003f 0004 000001f5   // SkillGroupID[63] UINT = 501
			0040 0002 0000       // SkillGroupPriority[64] USHORT
			0041 0002 0003       // SkillGroupState[65] USHORT = AVAILABLE
			00ff 0002 0003       // InternalAgentState[255] USHORT = AVAILABLE`,
	},
	{
		name: "SET_AGENT_STATE_REQ v20: 21-byte fixed part, no padding",
		v:    V20,
		msg: &SetAgentStateReq{InvokeID: 3, PeripheralID: 5000, AgentState: AgentStateLogin, NumSkillGroups: 1, ForcedFlag: ForcedFlagTrue,
			AgentInstrument: "1001", AgentID: "5001", AgentPassword: "pw", SSOEnabled: SSOEnabledEnabled,
			SkillGroups: []SetAgentStateReqSkillGroup{{SkillGroupNumber: 10, SkillGroupPriority: 1}}},
		frame: `
			00000042 00000026    // MessageLength 66, MessageType SET_AGENT_STATE_REQ (38)
			00000003             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0000                 // AgentState USHORT = AGENT_STATE_LOGIN
			0000                 // AgentWorkMode USHORT = UNSPECIFIED
			0001                 // NumSkillGroups USHORT
			0000                 // EventReasonCode USHORT
			01                   // ForcedFlag UCHAR = TRUE (one byte: the fixed part is 21 bytes)
			00000000             // AgentServiceReq UINT
			0006 0005 3130303100 // AgentInstrument[6] STRING "1001"
			0005 0005 3530303100 // AgentID[5] STRING "5001"
			0031 0003 707700     // AgentPassword[49] STRING "pw"
			0101 0002 0001       // SSOEnabled[257] USHORT = ENABLED
			003e 0004 0000000a   // SkillGroupNumber[62] UINT = 10   } skill group 1
			0040 0002 0001       // SkillGroupPriority[64] USHORT = 1 }`,
	},
	{
		name: "SET_AGENT_STATE_REQ UCCX v14: AgentID[194], agent authentication only",
		v:    UCCX | V14,
		msg: &SetAgentStateReq{InvokeID: 3, PeripheralID: 1, AgentState: AgentStateLogin, ForcedFlag: ForcedFlagAgentAuthenticationOnly,
			AgentServiceReq: AgentServiceOutboundSupport, AgentInstrument: "1001", LongAgentID: "5001", AgentPassword: "pw"},
		frame: `
			00000028 00000026 // MessageLength 40, MessageType SET_AGENT_STATE_REQ (38)
			00000003          // InvokeID UINT
			00000001          // PeripheralID UINT (UCCX: reserved, 1)
			0000              // AgentState USHORT = AGENT_STATE_LOGIN
			0000              // AgentWorkMode USHORT (UCCX: reserved, 0)
			0000              // NumSkillGroups USHORT (UCCX: reserved, 0)
			0000              // EventReasonCode USHORT
			02                // ForcedFlag UCHAR = agent authentication only (UCCX v12+)
			00000001          // AgentServiceReq UINT (UCCX AgentCapacity) = outbound
			06 05 3130303100  // AgentInstrument[6] STRING "1001"
			c2 05 3530303100  // AgentID[194] STRING "5001" (UCCX's AgentID tag)
			31 03 707700      // AgentPassword[49] STRING "pw"`,
	},
	{
		name: "SET_AGENT_STATE_CONF v20",
		v:    V20,
		msg:  &SetAgentStateConf{InvokeID: 3},
		frame: `
			00000004 00000027 // MessageLength 4, MessageType SET_AGENT_STATE_CONF (39)
			00000003          // InvokeID UINT`,
	},
	{
		name: "AGENT_PRE_CALL_EVENT v14 (GED struct, 30 bytes)",
		v:    V14,
		msg: &AgentPreCallEvent{NumNamedVariables: 1, ServiceNumber: 100, ServiceID: 200, SkillGroupNumber: 10, SkillGroupID: 501, MRDID: 1,
			AgentInstrument: "1001", RouterCallKeyDay: 148000, RouterCallKeyCallID: 77, ANI: "555", CallVariable1: "x",
			NamedVariables: []NamedVariable{{Name: "V", Value: "1"}}},
		frame: `
			00000041 00000069 // MessageLength 65, MessageType AGENT_PRE_CALL_EVENT (105)
			00000000          // MonitorID UINT
			0001              // NumNamedVariables USHORT
			0000              // NumNamedArrays USHORT
			00000064          // ServiceNumber UINT = 100
			000000c8          // ServiceID UINT = 200
			0000000a          // SkillGroupNumber UINT = 10
			000001f5          // SkillGroupID UINT = 501
			0000              // SkillGroupPriority USHORT
			00000001          // MRDID UINT
			06 05 3130303100  // AgentInstrument[6] STRING "1001"
			48 04 00024220    // RouterCallKeyDay[72] UINT = 148000
			49 04 0000004d    // RouterCallKeyCallID[73] UINT = 77
			08 04 35353500    // ANI[8] STRING "555"
			0d 02 7800        // CallVariable1[13] STRING "x"
			52 04 5600 3100   // NamedVariable[82] NAMEDVAR "V" = "1"`,
	},
	{
		name: "AGENT_TEAM_CONFIG_EVENT v15: 12-byte fixed part, a supervisor and an agent (uccertweb vector's shape)",
		v:    V15,
		msg: &AgentTeamConfigEvent{PeripheralID: 5000, TeamID: 7, NumberOfAgents: 2, ConfigOperation: ConfigOperationAddAgent,
			DepartmentID: 9, AgentTeamName: "T7", TeamAgents: []TeamAgent{
				{ATCAgentID: "5000", AgentFlags: AgentFlagPrimarySupervisor | AgentFlagSupervisor, ATCAgentState: AgentStateAvailable, ATCStateDuration: 12},
				{ATCAgentID: "5001", ATCAgentState: AgentStateNotReady},
			}},
		frame: `
			0000003b 00000080 // MessageLength 59, MessageType AGENT_TEAM_CONFIG_EVENT (128)
			00001388          // PeripheralID UINT = 5000
			00000007          // TeamID UINT = 7
			0002              // NumberOfAgents USHORT = 2 (the members that follow)
			0001              // ConfigOperation USHORT = ADD_AGENT; DepartmentID (v20+) is not on the wire
			f3 03 543700      // AgentTeamName[243] STRING "T7"
			56 05 3530303000  // ATCAgentID[86] STRING "5000"
			57 02 0005        // AgentFlags[87] USHORT = PRIMARY_SUPERVISOR|SUPERVISOR
			58 02 0003        // ATCAgentState[88] USHORT = AVAILABLE
			59 04 0000000c    // ATCStateDuration[89] UINT = 12 s
			56 05 3530303100  // ATCAgentID[86] STRING "5001"
			57 02 0000        // AgentFlags[87] USHORT = 0 (an agent)
			58 02 0002        // ATCAgentState[88] USHORT = NOT_READY
			59 04 00000000    // ATCStateDuration[89] UINT = 0`,
	},
	{
		name: "AGENT_TEAM_CONFIG_EVENT v20: DepartmentID, 2-byte floating headers",
		v:    V20,
		msg: &AgentTeamConfigEvent{PeripheralID: 5000, TeamID: 7, NumberOfAgents: 1, ConfigOperation: ConfigOperationAddAgent,
			DepartmentID: 3, AgentTeamName: "T7", TeamAgents: []TeamAgent{
				{ATCAgentID: "5000", AgentFlags: AgentFlagPrimarySupervisor | AgentFlagSupervisor, ATCAgentState: AgentStateAvailable, ATCStateDuration: 12},
			}},
		frame: `
			00000034 00000080     // MessageLength 52, MessageType AGENT_TEAM_CONFIG_EVENT (128)
			00001388              // PeripheralID UINT = 5000
			00000007              // TeamID UINT = 7
			0001                  // NumberOfAgents USHORT = 1
			0001                  // ConfigOperation USHORT = ADD_AGENT
			00000003              // DepartmentID INT = 3 (v20+)
			00f3 0003 543700      // AgentTeamName[243] STRING "T7"
			0056 0005 3530303000  // ATCAgentID[86] STRING "5000"
			0057 0002 0005        // AgentFlags[87] USHORT = PRIMARY_SUPERVISOR|SUPERVISOR
			0058 0002 0003        // ATCAgentState[88] USHORT = AVAILABLE
			0059 0004 0000000c    // ATCStateDuration[89] UINT = 12 s`,
	},
}

func TestAgentLayouts(t *testing.T) { runLayoutCases(t, agentLayoutCases) }
