package cti

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// Hand-checked frames for the 1-byte floating-field versions (UCCE < 20, UCCX 10–17) and the v24
// OPEN_CONF; each byte group is commented with the field of docs/protocol/layouts.md it encodes.
func TestHandCheckedFramesByVersion(t *testing.T) {
	tests := []struct {
		name  string
		v     Version
		msg   Message
		frame string
	}{
		{
			name: "OPEN_REQ v14, agent mode, empty password",
			v:    V14,
			msg: &OpenReq{InvokeID: 1, VersionNumber: 14, IdleTimeout: 0xffffffff, PeripheralID: 5000,
				ServicesRequested: CTIServiceClientEvents | CTIServiceClientControl, CallMsgMask: 1, AgentStateMask: 0x3ff,
				ClientID: "ctl", AgentExtension: "1001", AgentID: "5001", AgentInstrument: "1001"},
			frame: "00000049 00000003" + // MessageLength 73, OPEN_REQ
				"00000001 0000000e ffffffff 00001388" + // InvokeID, VersionNumber 14, IdleTimeout none, PeripheralID 5000
				"00000005 00000001 000003ff 00000000" + // Services CLIENT_EVENTS|CLIENT_CONTROL, CallMsgMask, AgentStateMask, ConfigMsgMask
				"00000000 00000000 00000000" + // Reserved1..3
				"01 04 63746c00" + // ClientID[1] "ctl" (1-byte tag, 1-byte length, NUL counted)
				"02 00" + // ClientPassword[2] required, empty
				"04 05 3130303100" + // AgentExtension[4] "1001"
				"05 05 3530303100" + // AgentID[5] "5001"
				"06 05 3130303100", // AgentInstrument[6] "1001"
		},
		{
			name: "OPEN_CONF v14: 26-byte fixed part, no DepartmentID",
			v:    V14,
			msg: &OpenConf{InvokeID: 1, ServicesGranted: CTIServiceClientEvents | CTIServiceClientControl,
				ICMCentralControllerTime: 0x5f5e1000, PeripheralOnline: true, PeripheralType: PeripheralEnterpriseAgent,
				AgentState: AgentStateNotReady, DepartmentID: 7, AgentExtension: "1001"},
			frame: "00000021 00000004" + // MessageLength 33, OPEN_CONF
				"00000001 00000005 00000000 00000000" + // InvokeID, ServicesGranted, MonitorID, PGStatus
				"5f5e1000 0001 0011 0002" + // ICMCentralControllerTime, PeripheralOnline TRUE, ENTERPRISE_AGENT, NOT_READY
				"04 05 3130303100", // AgentExtension[4]; DepartmentID (v20+) is not sent
		},
		{
			name: "OPEN_CONF v24: 32-byte fixed part with DepartmentID and SessionType",
			v:    V24,
			msg: &OpenConf{InvokeID: 1, ServicesGranted: CTIServiceClientEvents, PeripheralOnline: true,
				PeripheralType: PeripheralEnterpriseAgent, AgentState: AgentStateAvailable, DepartmentID: 7, SessionType: 1},
			frame: "00000020 00000004" + // MessageLength 32
				"00000001 00000001 00000000 00000000" + // InvokeID, ServicesGranted CLIENT_EVENTS, MonitorID, PGStatus
				"00000000 0001 0011 0003" + // time, online, ENTERPRISE_AGENT, AVAILABLE
				"00000007 0001", // DepartmentID 7, SessionType 1 (active)
		},
		{
			name: "CALL_DEQUEUED_EVENT v24 (reconstructed 34-byte layout)",
			v:    V24,
			msg: &CallDequeuedEvent{PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, ConnectionDeviceIDType: ConnectionIDDynamic,
				ConnectionCallID: 7, ServiceNumber: 1, ServiceID: 2, QueueDeviceType: DevIDQueue, NumQueued: 3, LocalConnectionState: LCSNull,
				EventCause: CECNone, ConnectionDeviceID: "8000", QueueDeviceID: "Q1",
				SkillGroups: []SkillGroup{{SkillGroupNumber: 10, SkillGroupID: 501}}},
			frame: "00000048 00000056" + // MessageLength 72, CALL_DEQUEUED_EVENT (86)
				"00000000 00001388 0011 0001 00000007" + // MonitorID, PeripheralID 5000, ENTERPRISE_AGENT, dynamic, ConnectionCallID 7
				"00000001 00000002 004d 0003 0001" + // ServiceNumber, ServiceID, QueueDeviceType DEVID_QUEUE, NumQueued 3, NumSkillGroups 1 (filled from the group)
				"0000 ffff" + // LCS_NULL, CEC_NONE
				"0019 0005 3830303000" + // ConnectionDeviceID[25] "8000"
				"002d 0003 513100" + // QueueDeviceID[45] "Q1"
				"003e 0004 0000000a 003f 0004 000001f5 0040 0002 0000", // SkillGroupNumber[62] 10, SkillGroupID[63] 501, SkillGroupPriority[64] 0
		},
		{
			name:  "CALL_CLEARED_EVENT UCCX v14: 1-byte tags",
			v:     UCCX | V14,
			msg:   &CallClearedEvent{PeripheralID: 1, PeripheralType: PeripheralACMICRS, ConnectionDeviceIDType: ConnectionIDStatic, ConnectionCallID: 42, LocalConnectionState: LCSNull, EventCause: CECNone, ConnectionDeviceID: "1001"},
			frame: "0000001b 0000000d" + "00000000 00000001 0015 0000 0000002a 0000 ffff" + "19 05 3130303100",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := hexFrame(t, tt.frame)
			got, err := tt.msg.Encode(nil, tt.v)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Encode(%s) =\n%x\nwant\n%x", tt.v, got, want)
			}
			back := New(tt.msg.MessageType())
			if err := back.Decode(want[HeaderSize:], tt.v); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			again, _ := back.Encode(nil, tt.v)
			if !bytes.Equal(again, want) {
				t.Fatalf("re-encode after decode =\n%x\nwant\n%x", again, want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		v      Version
		typ    MsgType
		body   string
		status Status
		offset int
	}{
		{"fixed part short", V20, MsgOpenConf, "00000001 00000005", ECTIBadMessageFormat, 16},
		{"float header cut (v20)", V20, MsgHeartbeatReq, "00000001 0001", ECTIBadMessageFormat, 12},
		{"float overruns message", V20, MsgFailureConf, "00000001 00000019 0007 0010 414200", ECTIBadMessageFormat, 16},
		{"string without NUL", V20, MsgFailureConf, "00000001 00000019 0007 0002 4142", ECTIBadMessageFormat, 20},
		{"field above its maximum", V14, MsgOpenReq, "00000001 0000000e ffffffff 00001388 00000005 00000001 000003ff 00000000 00000000 00000000 00000000" +
			"04 11 3132333435363738393031323334353600", ECTIInvalidFieldLength, 54},
		{"integer field with wrong length", V20, MsgOpenConf, "00000001 00000005 00000000 00000000 00000000 0001 0011 0003 00000007 00e4 0001 05", ECTIInvalidFieldLength, 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.typ, hexFrame(t, tt.body), tt.v)
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("Decode = %v; want *ProtocolError", err)
			}
			if pe.Status() != tt.status || pe.Offset != tt.offset {
				t.Fatalf("Decode error = %v (status %s, offset %d); want status %s at offset %d", err, pe.Status(), pe.Offset, tt.status, tt.offset)
			}
		})
	}
}

func TestNamedDataLimit(t *testing.T) {
	// docs/protocol/framing.md, named variables: all named variables and arrays of one message: at most 2000 bytes.
	m := &CallDeliveredEvent{}
	for i := 0; i < 12; i++ {
		m.NamedVariables = append(m.NamedVariables, NamedVariable{Name: "user.var" + string(rune('a'+i)), Value: string(bytes.Repeat([]byte{'x'}, 200))})
	}
	frame, err := m.Encode(nil, V20)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(MsgCallDeliveredEvent, frame[HeaderSize:], V20)
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Status() != ECTITooMuchData {
		t.Fatalf("Decode = %v; want E_CTI_TOO_MUCH_DATA", err)
	}
}

func TestEncodeRefusesWhatDoesNotFit(t *testing.T) {
	long := string(bytes.Repeat([]byte{'9'}, 16)) // AgentExtension max is 16 including the NUL
	dst := []byte("prefix")
	out, err := (&OpenReq{ClientID: "c", AgentExtension: long}).Encode(dst, V20)
	var ee *EncodeError
	if !errors.As(err, &ee) || ee.Field != "AgentExtension" {
		t.Fatalf("Encode = %v; want *EncodeError for AgentExtension", err)
	}
	if string(out) != "prefix" {
		t.Fatalf("Encode left %q in dst; want it unchanged", out)
	}
	if _, err := (&OpenConf{Unknown: []Field{{Tag: 300, Data: []byte{1}}}}).Encode(nil, V14); err == nil {
		t.Fatal("tag 300 with 1-byte tags encoded without error")
	}
}

func TestVersionWidthAndParse(t *testing.T) {
	tests := []struct {
		in   string
		v    Version
		wide bool
	}{
		{"14", V14, false}, {"15", V15, false}, {"20", V20, true}, {"ucce:24", V24, true}, {"25", V25, true},
		{"uccx:14", UCCX | V14, false}, {"ccx17", UCCX | 17, false}, {"UCCX18", UCCX | 18, true},
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.in)
		if err != nil || v != tt.v || v.WideFields() != tt.wide {
			t.Errorf("ParseVersion(%q) = %v (wide %v), %v; want %v (wide %v)", tt.in, v, v.WideFields(), err, tt.v, tt.wide)
		}
	}
	for _, bad := range []string{"", "x", "0", "-3"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) succeeded; want an error", bad)
		}
	}
}

func TestSetFieldByName(t *testing.T) {
	m, err := NewByName("SET_AGENT_STATE_REQ")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"AgentState": "AGENT_STATE_AVAILABLE", "EventReasonCode": float64(12), "AgentInstrument": "1001", "PeripheralID": "5000"} {
		if err := m.SetField(k, v); err != nil {
			t.Fatalf("SetField(%s, %v): %v", k, v, err)
		}
	}
	want := &SetAgentStateReq{PeripheralID: 5000, AgentState: AgentStateAvailable, EventReasonCode: 12, AgentInstrument: "1001"}
	want.Present.Add(TagAgentInstrument)
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("SetField result = %+v; want %+v", m, want)
	}
	if err := m.SetField("AgentState", "NOT_A_STATE"); err == nil {
		t.Fatal("SetField(AgentState, NOT_A_STATE) succeeded")
	}
	if err := m.SetField("NoSuchField", 1); err == nil {
		t.Fatal("SetField(NoSuchField) succeeded")
	}
	if _, err := NewByName("NO_SUCH_MESSAGE"); err == nil {
		t.Fatal("NewByName(NO_SUCH_MESSAGE) succeeded")
	}
}

func TestEnumNames(t *testing.T) {
	if s := ECTIAgentNotLoggedOn.String(); s != "E_CTI_AGENT_NOT_LOGGED_ON" {
		t.Errorf("Status(%d).String() = %q", uint32(ECTIAgentNotLoggedOn), s)
	}
	if s := Status(9999).String(); s != "Status(9999)" {
		t.Errorf("Status(9999).String() = %q; want Status(9999)", s)
	}
	if s := (CTIServiceClientEvents | CTIServiceClientControl | 0x4000).String(); s != "CTI_SERVICE_CLIENT_EVENTS|CTI_SERVICE_CLIENT_CONTROL|0x4000" {
		t.Errorf("ServiceMask.String() = %q", s)
	}
	if m, ok := ParseServiceMask("CTI_SERVICE_ALL_EVENTS|0x4"); !ok || m != CTIServiceAllEvents|CTIServiceClientControl {
		t.Errorf("ParseServiceMask = %v, %v", m, ok)
	}
	if s := CFInvalidAgentWorkMode.String(); s != "CF_INVALID_AGENT_WORK_MODE" {
		t.Errorf("ControlFailure.String() = %q", s)
	}
}

// The older UCCE numbering (GED, protocol v14) gives TEAM_CONFIG_REQ/EVENT/CONF the IDs 236–238 and
// names 240 and 247 differently (docs/protocol/layouts.md, "MessageType by version").
func TestMessageTypeByVersion(t *testing.T) {
	tests := []struct {
		typ      MsgType
		v        Version
		wire     MsgType
		wireName string
	}{
		{MsgTeamConfigReq, V14, 236, "TEAM_CONFIG_REQ"},
		{MsgTeamConfigEvent, V13, 237, "TEAM_CONFIG_EVENT"},
		{MsgTeamConfigConf, V14, 238, "TEAM_CONFIG_CONF"},
		{MsgTeamConfigReq, V15, 242, "TEAM_CONFIG_REQ"},
		{MsgTeamConfigReq, V24, 242, "TEAM_CONFIG_REQ"},
		{MsgTeamConfigReq, UCCX | V14, 242, "TEAM_CONFIG_REQ"}, // UCCX numbers them 242–244 throughout
		{MsgConfigSkillGroupEvent, V24, 236, "CONFIG_SKILL_GROUP_EVENT"},
		{MsgConfigAgentEvent, UCCX | V14, 237, "CONFIG_AGENT_EVENT"},
		{MsgHeartbeatReq, V14, 5, "HEARTBEAT_REQ"},
	}
	for _, tt := range tests {
		if got := tt.typ.Wire(tt.v); got != tt.wire {
			t.Errorf("%s.Wire(%s) = %d; want %d", tt.typ, tt.v, got, tt.wire)
		}
		if got := FromWire(tt.wire, tt.v); got != tt.typ {
			t.Errorf("FromWire(%d, %s) = %s; want %s", tt.wire, tt.v, got, tt.typ)
		}
		if got := tt.wire.NameIn(tt.v); got != tt.wireName {
			t.Errorf("MsgType(%d).NameIn(%s) = %q; want %q", tt.wire, tt.v, got, tt.wireName)
		}
	}
	for _, tt := range []struct {
		wire MsgType
		v    Version
		want string
	}{
		{240, V14, "CALL_ATTRIBUTE_CHANGE_EVENT"},
		{240, UCCX | V14, "QUERY_AGENT_QUEUE_STATISTICS_CONF"},
		{247, V14, "CALL_TERMINATION_EVENT"},
	} {
		if got := tt.wire.NameIn(tt.v); got != tt.want {
			t.Errorf("MsgType(%d).NameIn(%s) = %q; want %q", tt.wire, tt.v, got, tt.want)
		}
	}
	// A v14 frame with MessageType 236 decodes as TEAM_CONFIG_REQ, not as CONFIG_SKILL_GROUP_EVENT.
	m, err := Decode(236, []byte{0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, V14)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := m.(*TeamConfigReq); !ok || r.InvokeID != 1 || r.ConfigParam != TeamConfigParamInitialConfiguration {
		t.Errorf("Decode(236, …, v14) = %#v; want TEAM_CONFIG_REQ InvokeID 1, INITIAL_CONFIGURATION", m)
	}
}
