package cti

import "testing"

// Configuration and team messages (docs/protocol/layouts.md, 230–244, 276). The fixed parts of
// 230–234 and 237 are settled by the UCCX pages and JV's UCCE v15 classes; the record members are
// the UCCX pages' (UCCX reuses UCCE tag numbers for its own fields: the comments give the UCCX
// name after the catalog's). A record's members all go on the wire, so each case carries one
// full record.
var configLayoutCases = []layoutCase{
	{
		name: "CONFIG_REQUEST_KEY_EVENT v15 (JV: PeripheralID)",
		v:    V15,
		msg:  &ConfigRequestKeyEvent{PeripheralID: 5000},
		frame: `
			00000004 000000e6 // MessageLength 4, MessageType CONFIG_REQUEST_KEY_EVENT (230)
			00001388          // PeripheralID UINT = 5000 (UCCX: reserved, 0)`,
	},
	{
		name: "CONFIG_KEY_EVENT v20: four 8-byte keys",
		v:    V20,
		msg: &ConfigKeyEvent{Status: ConfigSuccess, ServiceConfigKey: []byte{0, 0, 0, 0, 0, 0, 0, 1}, SkillGroupConfigKey: []byte{0, 0, 0, 0, 0, 0, 0, 2},
			AgentConfigKey: []byte{0, 0, 0, 0, 0, 0, 0, 3}, DeviceConfigKey: []byte{0, 0, 0, 0, 0, 0, 0, 4}},
		frame: `
			00000034 000000e7            // MessageLength 52, MessageType CONFIG_KEY_EVENT (231)
			00000000                     // Status UINT = CONFIG_SUCCESS
			00b1 0008 0000000000000001   // ServiceConfigKey[177] UNSPEC 8 (UCCX ApplicationConfigKey)
			00b2 0008 0000000000000002   // SkillGroupConfigKey[178] UNSPEC 8 (UCCX CSQConfigKey)
			00b3 0008 0000000000000003   // AgentConfigKey[179] UNSPEC 8
			00b4 0008 0000000000000004   // DeviceConfigKey[180] UNSPEC 8`,
	},
	{
		name: "CONFIG_REQUEST_EVENT UCCX v14: required reserved[131]",
		v:    UCCX | V14,
		msg: func() Message {
			m := &ConfigRequestEvent{ConfigMsgMask: ConfigServiceMask | ConfigAgentMask}
			m.Present.Add(TagCustomerID) // a zero value that is on the wire
			return m
		}(),
		frame: `
			0000000e 000000e8 // MessageLength 14, MessageType CONFIG_REQUEST_EVENT (232)
			00000005          // ConfigMsgMask UINT = CONFIG_SERVICE_MASK|CONFIG_AGENT_MASK
			00000000          // PeripheralID UINT (UCCX: reserved, 0)
			83 04 00000000    // CustomerID[131] UINT = 0 (UCCX reserved[131], required even when 0)`,
	},
	{
		name: "CONFIG_BEGIN_EVENT v15: 6-byte fixed part",
		v:    V15,
		msg: &ConfigBeginEvent{ConfigType: ConfigTypeInitial, ConfigMsgMask: ConfigAgentMask,
			ServiceConfigKey: []byte{0, 0, 0, 0, 0, 0, 0, 1}, AgentConfigKey: []byte{0, 0, 0, 0, 0, 0, 0, 2}},
		frame: `
			0000001a 000000e9       // MessageLength 26, MessageType CONFIG_BEGIN_EVENT (233)
			0001                    // ConfigType USHORT = INITIAL
			00000004                // ConfigMsgMask UINT = CONFIG_AGENT_MASK
			b1 08 0000000000000001  // ServiceConfigKey[177] UNSPEC 8
			b3 08 0000000000000002  // AgentConfigKey[179] UNSPEC 8`,
	},
	{
		name: "CONFIG_END_EVENT UCCX v14 with Text[7]",
		v:    UCCX | V14,
		msg:  &ConfigEndEvent{Status: ConfigEndSuccess, Text: "done"},
		frame: `
			0000000b 000000ea // MessageLength 11, MessageType CONFIG_END_EVENT (234)
			00000000          // Status UINT = SUCCESS
			07 05 646f6e6500  // Text[7] STRING "done"`,
	},
	{
		name: "CONFIG_APPLICATION_EVENT UCCX v14: one application record",
		v:    UCCX | V14,
		msg: &ConfigServiceEvent{NumRecords: 1,
			ServiceRecords:     []ServiceRecord{{RecordType: RecordAdd, FltPeripheralID: 1, PeripheralNumber: 7, MaxQueued: 10, PeripheralName: "App"}},
			ServiceRecordTails: []ServiceRecordTail{{Description: "d"}}},
		frame: `
			00000046 000000eb // MessageLength 70, MessageType CONFIG_SERVICE_EVENT / UCCX CONFIG_APPLICATION_EVENT (235)
			0001              // NumRecords USHORT
			b7 02 0000        // RecordType[183] USHORT = ADD
			d0 04 00000001    // FltPeripheralID[208] UINT (UCCX reserved, v11)
			b8 04 00000007    // PeripheralNumber[184] UINT (UCCX ApplicationID) = 7
			d5 04 00000000    // OldPeripheralNumber[213] UINT (UCCX reserved, v11)
			81 04 0000000a    // MaxQueued[129] UINT = 10
			ad 01 00          // Extension[173] STRING "" (UCCX reserved)
			84 04 00000000    // ServiceSkillTargetID[132] UINT (UCCX PreviousApplicationID)
			85 04 41707000    // PeripheralName[133] STRING "App" (UCCX ApplicationName)
			86 02 6400        // Description[134] STRING "d"
			ae 04 00000000    // ServiceLevelThreshold[174] UINT (UCCX reserved)
			af 04 00000000    // ServiceLevelType[175] UINT (UCCX reserved)
			b0 01 00          // ConfigParam[176] STRING "" (UCCX reserved)
			d8 04 00000000    // MRDomainID[216] UINT (UCCX reserved, v11)`,
	},
	{
		name: "CONFIG_CSQ_EVENT UCCX v14: one CSQ record",
		v:    UCCX | V14,
		msg: &ConfigSkillGroupEvent{NumRecords: 1,
			SkillGroupRecords:     []SkillGroupRecord{{RecordType: RecordAdd, FltPeripheralID: 1, PeripheralNumber: 3, CfgAgentSkillTargetID: 1}},
			SkillGroupRecordTails: []SkillGroupRecordTail{{PeripheralName: "CSQ", Description: "d"}}},
		frame: `
			0000003e 000000ec // MessageLength 62, MessageType CONFIG_SKILL_GROUP_EVENT / UCCX CONFIG_CSQ_EVENT (236)
			0001              // NumRecords USHORT
			b7 02 0000        // RecordType[183] USHORT = ADD
			d0 04 00000001    // FltPeripheralID[208] UINT (UCCX reserved, v11)
			b8 04 00000003    // PeripheralNumber[184] UINT (UCCX CSQID) = 3
			d5 04 00000000    // OldPeripheralNumber[213] UINT (UCCX reserved, v11)
			40 02 0000        // SkillGroupPriority[64] USHORT (UCCX reserved)
			c0 04 00000000    // SkillGroupSkillTargetID[192] UINT (UCCX reserved)
			b9 04 00000001    // CfgAgentSkillTargetID[185] (UCCX AutoWork, a 4-byte BOOL) = TRUE
			ad 01 00          // Extension[173] STRING "" (UCCX reserved)
			85 04 43535100    // PeripheralName[133] STRING "CSQ" (UCCX CSQName)
			86 02 6400        // Description[134] STRING "d"
			d8 04 00000000    // MRDomainID[216] UINT = 0 (voice)
			b0 01 00          // ConfigParam[176] STRING "" (UCCX reserved)`,
	},
	{
		name: "CONFIG_AGENT_EVENT UCCX v14: one agent with one CSQ",
		v:    UCCX | V14,
		msg: &ConfigAgentEvent{NumRecords: 1,
			AgentRecords:     []AgentRecord{{RecordType: RecordAdd, FltPeripheralID: 1, AgentType: AgentTypeAgent, LoginID: "agent1", LastName: "Doe", FirstName: "Jo"}},
			AgentRecordParts: []AgentRecordPart{{Extension: "1001", NumSkills: 1}},
			AgentCSQs:        []AgentCSQ{{SkillGroupNumber: 3}},
			AgentRecordTails: []AgentRecordTail{{MediaClassID: []byte{0, 3}, MRDID: []byte{0, 0, 0, 1}}}},
		frame: `
			00000052 000000ed    // MessageLength 82, MessageType CONFIG_AGENT_EVENT (237)
			0001                 // NumRecords USHORT
			b7 02 0000           // RecordType[183] USHORT = ADD
			d0 04 00000001       // FltPeripheralID[208] UINT (UCCX reserved, v11)
			bd 02 0000           // AgentType[189] USHORT
			be 07 6167656e743100 // LoginID[190] STRING "agent1"
			d6 01 00             // OldLoginID[214] STRING "" (UCCX reserved, v11)
			cf 01 00             // LoginName[207] STRING "" (UCCX reserved, v11)
			8a 04 446f6500       // LastName[138] STRING "Doe"
			89 03 4a6f00         // FirstName[137] STRING "Jo"
			ad 05 3130303100     // Extension[173] STRING "1001"
			86 01 00             // Description[134] STRING ""
			8d 04 00000000       // AgentSkillTargetID[141] UINT (UCCX reserved)
			bf 02 0001           // NumSkills[191] USHORT (UCCX NumCSQ) = 1
			3e 04 00000003       // SkillGroupNumber[62] UINT (UCCX CSQID) = 3  } CSQ pair 1
			40 02 0000           // SkillGroupPriority[64] USHORT (UCCX reserved) }
			f7 02 0003           // MediaClassID[247] (UCCX agentState, a USHORT) = AVAILABLE
			f6 04 00000001       // MRDID[246] (UCCX MRD_ID, v17+) = 1`,
	},
	{
		name: "CONFIG_DEVICE_EVENT UCCX v14: one route point",
		v:    UCCX | V14,
		msg: &ConfigDeviceEvent{NumRecords: 1,
			DeviceRecords:     []DeviceRecord{{RecordType: RecordAdd, FltPeripheralID: 1, DeviceType: DeviceTypeRoutePoint, ServiceID: 7, DialedNumber: "7000"}},
			DeviceRecordTails: []DeviceRecordTail{{Description: "RP"}}},
		frame: `
			00000034 000000ee // MessageLength 52, MessageType CONFIG_DEVICE_EVENT (238)
			0001              // NumRecords USHORT
			b7 02 0000        // RecordType[183] USHORT = ADD
			d0 04 00000001    // FltPeripheralID[208] UINT (UCCX reserved, v11)
			b8 04 00000000    // PeripheralNumber[184] UINT (UCCX DeviceField0)
			c3 02 0005        // DeviceType[195] USHORT = ROUTE_POINT
			81 04 00000000    // MaxQueued[129] UINT
			c1 04 00000007    // ServiceID[193] UINT (UCCX DeviceField1: the application) = 7
			0b 05 3730303000  // DialedNumber[11] STRING "7000" (UCCX DeviceField2)
			0a 01 00          // DNIS[10] STRING "" (UCCX reserved)
			ad 01 00          // Extension[173] STRING "" (UCCX DeviceField4)
			86 03 525000      // Description[134] STRING "RP"`,
	},
	{
		name: "TEAM_CONFIG_REQ UCCX v14: 14-byte fixed part",
		v:    UCCX | V14,
		msg:  &TeamConfigReq{InvokeID: 1, ConfigParam: TeamConfigParamInitialConfiguration},
		frame: `
			0000000e 000000f2 // MessageLength 14, MessageType TEAM_CONFIG_REQ (242)
			00000001          // InvokeID UINT
			0001              // ConfigParam USHORT = INITIAL_CONFIGURATION
			00000000 00000000 // reserved UNSPEC 8 (Reserved1, Reserved2 UINT), 0`,
	},
	{
		name: "TEAM_CONFIG_REQ UCCE v14: older numbering, MessageType 236",
		v:    V14,
		msg:  &TeamConfigReq{InvokeID: 2, ConfigParam: TeamConfigParamUpdatesOnly},
		frame: `
			0000000e 000000ec // MessageLength 14, MessageType 236 = TEAM_CONFIG_REQ in UCCE v14 (GED numbering)
			00000002          // InvokeID UINT
			0002              // ConfigParam USHORT = UPDATES_ONLY
			00000000 00000000 // reserved UNSPEC 8 (Reserved1, Reserved2 UINT), 0`,
	},
	{
		name: "TEAM_CONFIG_EVENT UCCE v14: MessageType 237",
		v:    V14,
		msg:  &TeamConfigEvent{TeamID: 5, NumRecords: 0, Operation: TeamConfigRemoveTeam, TeamName: []byte("T1\x00")},
		frame: `
			00000015 000000ed // MessageLength 21, MessageType 237 = TEAM_CONFIG_EVENT in UCCE v14
			00000005          // TeamID UINT = 5
			0000              // NumRecords USHORT
			0002              // Operation USHORT = REMOVE_TEAM
			00000000 00000000 // reserved UNSPEC 8 (Reserved1, Reserved2 UINT), 0
			cc 03 543100      // TeamName[204] "T1"`,
	},
	{
		name: "TEAM_CONFIG_CONF UCCE v14: MessageType 238",
		v:    V14,
		msg:  &TeamConfigConf{InvokeID: 2, Status: TeamConfigStatusInternalError},
		frame: `
			00000008 000000ee // MessageLength 8, MessageType 238 = TEAM_CONFIG_CONF in UCCE v14
			00000002          // InvokeID UINT
			00000001          // Status UINT = INTERNAL_ERROR`,
	},
	{
		name: "TEAM_CONFIG_EVENT UCCX v14: team name first, one member",
		v:    UCCX | V14,
		msg: &TeamConfigEvent{TeamID: 5, NumRecords: 1, Operation: TeamConfigAddTeam, TeamName: []byte("T1\x00"),
			TeamMembers: []TeamMember{{LongAgentID: "5001", RecordType: RecordAdd, MemberType: []byte{0, 1}}}},
		frame: `
			00000028 000000f3 // MessageLength 40, MessageType TEAM_CONFIG_EVENT (243)
			00000005          // TeamID UINT = 5
			0001              // NumRecords USHORT
			0001              // Operation USHORT = ADD_TEAM
			00000000 00000000 // reserved UNSPEC 8 (Reserved1, Reserved2 UINT), 0
			cc 03 543100      // TeamName[204] "T1" (STRING per CCX, UNSPEC in the tag table: the NUL is data)
			c2 05 3530303100  // AgentID[194] STRING "5001"          } member 1
			57 02 0000        // AgentFlags[87] USHORT              }
			b7 02 0000        // RecordType[183] USHORT = ADD        }
			cd 02 0001        // MemberType[205] = 1 agent/supervisor }`,
	},
	{
		name: "TEAM_CONFIG_CONF UCCX v14",
		v:    UCCX | V14,
		msg:  &TeamConfigConf{InvokeID: 1, Status: TeamConfigStatusSuccess},
		frame: `
			00000008 000000f4 // MessageLength 8, MessageType TEAM_CONFIG_CONF (244)
			00000001          // InvokeID UINT
			00000000          // Status UINT = SUCCESS`,
	},
	{
		name: "CONFIG_TERMINAL_EVENT UCCX v18: 2-byte tags, one terminal",
		v:    UCCX | 18,
		msg: &ConfigTerminalEvent{NumRecords: 1,
			TerminalRecords:     []TerminalRecord{{RecordType: RecordAdd, TerminalType: 1, TerminalDeviceName: "SEP1", TerminalTypeName: "7975", NumInstruments: 1}},
			TerminalInstruments: []TerminalInstrument{{AgentInstrument: "1001"}}},
		frame: `
			0000002f 00000114    // MessageLength 47, MessageType CONFIG_TERMINAL_EVENT (276)
			0001                 // NumRecords USHORT
			00b7 0002 0000       // RecordType[183] USHORT = ADD
			012e 0002 0001       // TerminalType[302] USHORT = 1
			012f 0005 5345503100 // TerminalDeviceName[303] STRING "SEP1"
			0130 0005 3739373500 // TerminalTypeName[304] STRING "7975"
			0131 0002 0001       // NumInstruments[305] USHORT = 1
			0006 0005 3130303100 // Instrument[6] STRING "1001"`,
	},
}

func TestConfigLayouts(t *testing.T) { runLayoutCases(t, configLayoutCases) }
