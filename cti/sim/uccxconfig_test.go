package sim_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// uccxConfigSim is a UCCX simulator with two agents in CSQ 12 (reached by 8012) and wrap-up.
func uccxConfigSim(t *testing.T) *sim.Server {
	return newSim(t, sim.Config{Product: sim.UCCX,
		Agents:      sim.AgentsConfig{Count: 2, WrapUpRequired: true},
		SkillGroups: []sim.SkillGroup{{Number: 12, DialedNumber: "8012"}}})
}

// openUCCXBridge opens a UCCX bridge session asking for services (no events: the upload is all
// it reads).
func openUCCXBridge(t *testing.T, srv *sim.Server, v cti.Version, svc cti.ServiceMask) *client {
	c := connect(t, srv, v)
	c.name, c.pid = "uccx bridge", 1
	req := openReq("", svc)
	req.VersionNumber, req.PeripheralID, req.IdleTimeout = v.Number(), 0xFFFFFFFF, 60
	req.CallMsgMask, req.AgentStateMask = 0, 0
	c.send(req)
	conf := c.expect(cti.MsgOpenConf, cti.MsgSystemEvent)[0].(*cti.OpenConf)
	check(t, "CONFIG_EVENTS granted", conf.ServicesGranted&cti.CTIServiceConfigEvents == cti.CTIServiceConfigEvents, svc&cti.CTIServiceConfigEvents != 0)
	return c
}

// TestUCCXConfigUpload: the key request, then the initial upload of CSQs, agents and devices,
// one record per message, framed by CONFIG_BEGIN_EVENT and CONFIG_END_EVENT.
func TestUCCXConfigUpload(t *testing.T) {
	srv := uccxConfigSim(t)
	c := openUCCXBridge(t, srv, cti.UCCX|14, cti.CTIServiceAllEvents|cti.CTIServiceConfigEvents)

	c.send(&cti.ConfigRequestKeyEvent{})
	keys := c.expect(cti.MsgConfigKeyEvent)[0].(*cti.ConfigKeyEvent)
	check(t, "CONFIG_KEY_EVENT Status", keys.Status, cti.ConfigSuccess)
	for name, k := range map[string][]byte{"application": keys.ServiceConfigKey, "CSQ": keys.SkillGroupConfigKey, "agent": keys.AgentConfigKey, "device": keys.DeviceConfigKey} {
		if len(k) != 8 || binary.BigEndian.Uint64(k) == 0 {
			t.Errorf("%s key %x: want 8 bytes, not all zero (zero means 'upload needed')", name, k)
		}
	}

	req := &cti.ConfigRequestEvent{ConfigMsgMask: cti.ConfigServiceMask | cti.ConfigSkillGroupMask | cti.ConfigAgentMask | cti.ConfigDeviceMask}
	c.send(req)
	msgs := c.expect(cti.MsgConfigBeginEvent, cti.MsgConfigSkillGroupEvent, cti.MsgConfigAgentEvent, cti.MsgConfigAgentEvent,
		cti.MsgConfigDeviceEvent, cti.MsgConfigDeviceEvent, cti.MsgConfigDeviceEvent, cti.MsgConfigEndEvent)
	begin := msgs[0].(*cti.ConfigBeginEvent)
	check(t, "BEGIN type, mask (no applications)", []any{begin.ConfigType, begin.ConfigMsgMask},
		[]any{cti.ConfigTypeInitial, cti.ConfigSkillGroupMask | cti.ConfigAgentMask | cti.ConfigDeviceMask})
	check(t, "BEGIN keys = CONFIG_KEY_EVENT's", [][]byte{begin.ServiceConfigKey, begin.SkillGroupConfigKey, begin.AgentConfigKey, begin.DeviceConfigKey},
		[][]byte{nil, keys.SkillGroupConfigKey, keys.AgentConfigKey, keys.DeviceConfigKey})
	csq := msgs[1].(*cti.ConfigSkillGroupEvent)
	check(t, "CSQ: records, CSQID, AutoWork, name", []any{csq.NumRecords, csq.SkillGroupRecords[0].PeripheralNumber,
		csq.SkillGroupRecords[0].CfgAgentSkillTargetID, csq.SkillGroupRecordTails[0].PeripheralName}, []any{1, 12, 1, "CSQ 12"})
	for i, m := range msgs[2:4] {
		ag := m.(*cti.ConfigAgentEvent)
		check(t, "agent LoginID, extension, CSQs", []any{ag.AgentRecords[0].LoginID, ag.AgentRecordParts[0].Extension, ag.AgentRecordParts[0].NumSkills,
			len(ag.AgentCSQs), ag.AgentCSQs[0].SkillGroupNumber}, []any{[]string{"5000", "5001"}[i], []string{"1000", "1001"}[i], 1, 1, 12})
		check(t, "v14: no agentState tail", len(ag.AgentRecordTails), 0)
	}
	rp := msgs[4].(*cti.ConfigDeviceEvent).DeviceRecords[0]
	check(t, "route point", []any{rp.DeviceType, rp.DialedNumber, rp.PeripheralNumber}, []any{cti.DeviceTypeRoutePoint, "8012", 12})
	ph := msgs[6].(*cti.ConfigDeviceEvent).DeviceRecords[0]
	check(t, "agent phone", []any{ph.DeviceType, ph.DialedNumber}, []any{cti.DeviceTypeAgentID, "1001"})
	check(t, "END", msgs[7].(*cti.ConfigEndEvent).Status, cti.ConfigEndSuccess)

	// Only applications: the simulator has none.
	c.send(&cti.ConfigRequestEvent{ConfigMsgMask: cti.ConfigServiceMask})
	check(t, "applications only", c.expect(cti.MsgConfigEndEvent)[0].(*cti.ConfigEndEvent).Status, cti.ConfigEndEmpty)
	// reserved[131] must be 0.
	c.send(&cti.ConfigRequestEvent{ConfigMsgMask: cti.ConfigAgentMask, CustomerID: 7})
	check(t, "CustomerID 7", c.expect(cti.MsgConfigEndEvent)[0].(*cti.ConfigEndEvent).Status, cti.ConfigEndUnknownCustomer)

	inv := c.send(&cti.TeamConfigReq{ConfigParam: cti.TeamConfigParamInitialConfiguration})
	tc := c.expect(cti.MsgTeamConfigConf)[0].(*cti.TeamConfigConf)
	check(t, "TEAM_CONFIG_CONF (no teams)", []any{tc.InvokeID, tc.Status}, []any{inv, cti.TeamConfigStatusSuccess})
	c.expectQuiet()
}

// TestUCCXConfigWithoutService: without CTI_SERVICE_CONFIG_EVENTS the answers say so, as the CCX
// pages describe, instead of a FAILURE_CONF.
func TestUCCXConfigWithoutService(t *testing.T) {
	srv := uccxConfigSim(t)
	c := openUCCXBridge(t, srv, cti.UCCX|14, cti.CTIServiceAllEvents)
	c.send(&cti.ConfigRequestKeyEvent{})
	k := c.expect(cti.MsgConfigKeyEvent)[0].(*cti.ConfigKeyEvent)
	check(t, "CONFIG_KEY_EVENT without service", []any{k.Status, len(k.AgentConfigKey)}, []any{cti.ConfigServiceProvider, 0})
	c.send(&cti.ConfigRequestEvent{ConfigMsgMask: cti.ConfigAgentMask})
	check(t, "CONFIG_END_EVENT without service", c.expect(cti.MsgConfigEndEvent)[0].(*cti.ConfigEndEvent).Status, cti.ConfigEndNoServiceProvider)
}

// TestUCCEConfigRefused: the UCCE layouts of 230–244 were not captured; a UCCE session is refused
// them, and not granted CTI_SERVICE_CONFIG_EVENTS.
func TestUCCEConfigRefused(t *testing.T) {
	srv := newSim(t, sim.Config{})
	c := connect(t, srv, cti.V24)
	req := openReq("bridge", cti.CTIServiceAllEvents|cti.CTIServiceConfigEvents)
	req.PeripheralID, req.CallMsgMask, req.AgentStateMask = 0xFFFFFFFF, 0, 0
	c.send(req)
	conf := c.expect(cti.MsgOpenConf, cti.MsgSystemEvent)[0].(*cti.OpenConf)
	check(t, "CONFIG_EVENTS granted on UCCE", conf.ServicesGranted&cti.CTIServiceConfigEvents, 0)
	inv := c.send(&cti.TeamConfigReq{ConfigParam: cti.TeamConfigParamInitialConfiguration})
	c.failure(inv, cti.ECTIFunctionNotAvailable)
	c.send(&cti.ConfigRequestKeyEvent{})
	c.failure(0, cti.ECTIFunctionNotAvailable)
}

// TestUCCXConfigAgentRecordBytes checks one CONFIG_AGENT_EVENT as the simulator sends it, byte by
// byte, against the CCX config_agent_event field order (protocol version 17: agentState ends the
// record; 1-byte floating headers).
func TestUCCXConfigAgentRecordBytes(t *testing.T) {
	srv := newSim(t, sim.Config{Product: sim.UCCX, Agents: sim.AgentsConfig{Count: 1, SkillGroups: []uint32{12}}})
	c := openUCCXBridge(t, srv, cti.UCCX|17, cti.CTIServiceAllEvents|cti.CTIServiceConfigEvents)
	c.send(&cti.ConfigRequestEvent{ConfigMsgMask: cti.ConfigAgentMask})
	c.expect(cti.MsgConfigBeginEvent)
	f, err := c.fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	want := annotated(t, `
		0001             // NumRecords USHORT
		b7 02 0001       // RecordType[183] = 1 (change)
		d0 04 00000000   // reserved[208] UINT
		bd 02 0001       // AgentType[189] = 1 (agent)
		be 05 3530303000 // LoginID[190] "5000"
		d6 01 00         // reserved[214] (old login ID) ""
		cf 01 00         // reserved[207] (login name) ""
		8a 05 3530303000 // LastName[138] "5000"
		89 06 4167656e7400 // FirstName[137] "Agent"
		ad 05 3130303000 // Extension[173] "1000"
		86 01 00         // Description[134] ""
		8d 04 00000000   // reserved[141] UINT
		bf 02 0001       // NumCSQ[191] = 1
		3e 04 0000000c   // CSQID[62] = 12
		40 02 0000       // reserved[64] USHORT
		f7 02 0001       // agentState[247] = AGENT_STATE_LOGOUT (v17+)`)
	if cti.FromWire(f.Type, cti.UCCX|17) != cti.MsgConfigAgentEvent || !bytes.Equal(f.Body, want) {
		t.Errorf("CONFIG_AGENT_EVENT (type %d) body\n%x\nwant\n%x", f.Type, f.Body, want)
	}
	c.expect(cti.MsgConfigEndEvent)
}

// annotated decodes hex with whitespace and // comments.
func annotated(t *testing.T, s string) []byte {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "//")
		b.WriteString(strings.Join(strings.Fields(line), ""))
	}
	out, err := hex.DecodeString(b.String())
	if err != nil {
		t.Fatal(err)
	}
	return out
}
