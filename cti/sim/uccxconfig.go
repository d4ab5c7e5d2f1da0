package sim

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/ctiload/ctiload/cti"
)

// The configuration messages of a Unified CCX session (docs/simulator.md, "UCCX configuration"):
// CONFIG_REQUEST_KEY_EVENT → CONFIG_KEY_EVENT; CONFIG_REQUEST_EVENT → CONFIG_BEGIN_EVENT, one
// CONFIG_CSQ_EVENT per skill group, one CONFIG_AGENT_EVENT per agent, one CONFIG_DEVICE_EVENT per
// route point and agent phone, CONFIG_END_EVENT; TEAM_CONFIG_REQ → TEAM_CONFIG_CONF. The layouts
// are the CCX pages' (cti/catalog/messages.txt, 230–244); UCCE's versions of these IDs were not
// captured, so a UCCE session is refused them.
//
// Each CONFIG_*_EVENT carries one record: the catalog splits a record into consecutive groups,
// and only with one record per message is the encoder's order the CCX wire order.

// uccxConfigMask is what the simulator can upload: CSQs (its skill groups), agents and devices.
// It has no applications (UCCX scripts) and no terminals.
const uccxConfigMask = cti.ConfigSkillGroupMask | cti.ConfigAgentMask | cti.ConfigDeviceMask

// configRecordType is RecordType of every uploaded record: the CCX pages list 1 (change) and
// 2 (delete) only.
const configRecordType = cti.RecordChange

// configKeys are the configuration keys of the simulator's data: 8-byte integers (CCX
// config_key_event) derived from the data, so that a client that stored a key from another
// configuration sees a different one. Zero ("upload needed") is never used.
type configKeys struct{ service, csq, agent, device []byte }

func (c *center) configKeys() configKeys {
	key := func(parts ...string) []byte {
		h := fnv.New64a()
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		k := h.Sum64()
		if k == 0 {
			k = 1
		}
		return binary.BigEndian.AppendUint64(nil, k)
	}
	var groups, agents, devices []string
	for _, g := range c.groups {
		groups = append(groups, fmt.Sprint(g.num, c.cfg.Agents.WrapUpRequired))
		devices = append(devices, g.dialed)
	}
	for _, a := range c.agentList {
		agents = append(agents, fmt.Sprint(a.id, a.sgs))
		devices = append(devices, c.agentExtension(a))
	}
	return configKeys{service: key("applications: none"), csq: key(groups...), agent: key(agents...), device: key(devices...)}
}

// agentExtension is the extension configured for an agent (FirstExtension + its index).
func (c *center) agentExtension(a *agent) string {
	return strconv.Itoa(c.cfg.Agents.FirstExtension + a.idx)
}

// configRequestKey serves CONFIG_REQUEST_KEY_EVENT.
func (c *center) configRequestKey(t *tx, s *session) {
	if !s.has(cti.CTIServiceConfigEvents) {
		t.send(s, &cti.ConfigKeyEvent{Status: cti.ConfigServiceProvider})
		return
	}
	k := c.configKeys()
	t.send(s, &cti.ConfigKeyEvent{Status: cti.ConfigSuccess, ServiceConfigKey: k.service, SkillGroupConfigKey: k.csq,
		AgentConfigKey: k.agent, DeviceConfigKey: k.device})
}

// configRequest serves CONFIG_REQUEST_EVENT: the initial upload of what the mask asks for.
func (c *center) configRequest(t *tx, s *session, req *cti.ConfigRequestEvent) {
	switch {
	case !s.has(cti.CTIServiceConfigEvents):
		t.send(s, &cti.ConfigEndEvent{Status: cti.ConfigEndNoServiceProvider})
		return
	case req.CustomerID != 0: // "reserved[131] … set to 0"
		t.send(s, &cti.ConfigEndEvent{Status: cti.ConfigEndUnknownCustomer})
		return
	}
	mask := req.ConfigMsgMask & uccxConfigMask
	if mask == 0 {
		t.send(s, &cti.ConfigEndEvent{Status: cti.ConfigEndEmpty})
		return
	}
	k := c.configKeys()
	begin := &cti.ConfigBeginEvent{ConfigType: cti.ConfigTypeInitial, ConfigMsgMask: mask}
	if mask&cti.ConfigSkillGroupMask != 0 {
		begin.SkillGroupConfigKey = k.csq
	}
	if mask&cti.ConfigAgentMask != 0 {
		begin.AgentConfigKey = k.agent
	}
	if mask&cti.ConfigDeviceMask != 0 {
		begin.DeviceConfigKey = k.device
	}
	t.send(s, begin)
	if mask&cti.ConfigSkillGroupMask != 0 {
		for _, g := range c.groups {
			t.send(s, c.csqRecord(g))
		}
	}
	if mask&cti.ConfigAgentMask != 0 {
		for _, a := range c.agentList {
			t.send(s, c.agentRecord(a, s.v))
		}
	}
	if mask&cti.ConfigDeviceMask != 0 {
		for _, g := range c.groups {
			t.send(s, deviceRecord(cti.DeviceTypeRoutePoint, g.num, g.dialed, "queues for CSQ "+strconv.FormatUint(uint64(g.num), 10)))
		}
		for _, a := range c.agentList {
			ext := c.agentExtension(a)
			t.send(s, deviceRecord(cti.DeviceTypeAgentID, 0, ext, "agent "+a.id))
		}
	}
	t.send(s, &cti.ConfigEndEvent{Status: cti.ConfigEndSuccess})
}

// csqRecord is a skill group as a CSQ: CSQID = its number, AutoWork = wrap-up after its calls.
func (c *center) csqRecord(g *skillGroup) *cti.ConfigSkillGroupEvent {
	var autoWork uint32
	if c.cfg.Agents.WrapUpRequired {
		autoWork = 1
	}
	name := "CSQ " + strconv.FormatUint(uint64(g.num), 10)
	return &cti.ConfigSkillGroupEvent{NumRecords: 1,
		SkillGroupRecords:     []cti.SkillGroupRecord{{RecordType: configRecordType, PeripheralNumber: g.num, CfgAgentSkillTargetID: autoWork}},
		SkillGroupRecordTails: []cti.SkillGroupRecordTail{{PeripheralName: name}}}
}

// agentRecord is an agent with its CSQs; from protocol version 17 the record ends with the
// agent's state (agentState[247], a USHORT). MRD_ID[246], which the CCX page puts after it, is
// left out: its size was not captured.
func (c *center) agentRecord(a *agent, v cti.Version) *cti.ConfigAgentEvent {
	ev := &cti.ConfigAgentEvent{NumRecords: 1,
		AgentRecords: []cti.AgentRecord{{RecordType: configRecordType, AgentType: uccxAgentTypeAgent, LoginID: a.id,
			LastName: a.id, FirstName: "Agent"}},
		AgentRecordParts: []cti.AgentRecordPart{{Extension: c.agentExtension(a), NumSkills: uint16(len(a.sgs))}}}
	for _, n := range a.sgs {
		ev.AgentCSQs = append(ev.AgentCSQs, cti.AgentCSQ{SkillGroupNumber: n})
	}
	if v.Number() >= 17 {
		// Present bit 0 alone: agentState without MRD_ID.
		ev.AgentRecordTails = []cti.AgentRecordTail{{MediaClassID: binary.BigEndian.AppendUint16(nil, uint16(a.state)), Present: 1}}
	}
	return ev
}

// uccxAgentTypeAgent is AgentType 1 ("agent") in a CCX agent record; 2 is a supervisor. (The
// UCCE numbering of the same tag, AgentType in enums.txt, is 0/1.)
const uccxAgentTypeAgent cti.AgentType = 1

func deviceRecord(typ cti.DeviceType, number uint32, dialed, description string) *cti.ConfigDeviceEvent {
	return &cti.ConfigDeviceEvent{NumRecords: 1,
		DeviceRecords:     []cti.DeviceRecord{{RecordType: configRecordType, PeripheralNumber: number, DeviceType: typ, DialedNumber: dialed}},
		DeviceRecordTails: []cti.DeviceRecordTail{{Description: description}}}
}

// teamConfig serves TEAM_CONFIG_REQ. The simulator has no agent teams: the initial upload is
// empty, and TEAM_CONFIG_CONF (success) says updates would follow.
func (c *center) teamConfig(t *tx, s *session, req *cti.TeamConfigReq) {
	t.send(s, &cti.TeamConfigConf{InvokeID: req.InvokeID, Status: cti.TeamConfigStatusSuccess})
}
