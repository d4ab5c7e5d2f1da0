package sim

import (
	"strconv"

	"github.com/ctiload/ctiload/cti"
)

// rtp starts or stops the media of an agent phone's connection: RTP_STARTED_EVENT or
// RTP_STOPPED_EVENT twice, for the input and the output stream (seed 001: the phone listening
// and the phone sending), to the bridge sessions (recorders; a desktop has no use for them). Media starts when a
// connection is established or retrieved and stops when it is held or leaves the call, as the
// reference describes; an outside party has no phone to report. The addresses are made up: a
// phone 10.10.x.y per extension and one gateway.
func (c *center) rtp(t *tx, cn *conn, start bool) {
	if cn.dev == nil || cn.rtp == start || (!start && !cn.rtp) {
		return
	}
	cn.rtp = start
	ext, _ := strconv.Atoi(cn.dev.ext)
	phone := "10.10." + strconv.Itoa(ext/256%256) + "." + strconv.Itoa(ext%256)
	port := uint32(16384 + 2*(ext%8192))
	var agentID, longID string
	var agentExt string
	if a := cn.dev.agent; a != nil {
		c.setAgentIDField(&agentID, &longID, a.id)
		agentExt = cn.dev.ext
	}
	for _, dir := range []cti.RTPDirection{cti.RTPDirectionInput, cti.RTPDirectionOutput} {
		var m cti.Message
		bit := cti.RTPStartedMask
		if start {
			m = &cti.RTPStartedEvent{
				PeripheralID: c.pid, ClientPort: port, Direction: dir,
				BitRate: 64000, PacketSize: 20, // G.711, 20 ms packets; the codec enumeration is not captured (RTPType, PayloadType 0)
				ConnectionDeviceIDType: dyn, ConnectionCallID: cn.call.id, ConnectionDeviceID: cn.id,
				ClientAddress: phone, AgentID: agentID, LongAgentID: longID, AgentExtension: agentExt, AgentInstrument: cn.dev.ext,
				SendingAddress: rtpGateway, SendingPort: rtpGatewayPort,
			}
		} else {
			bit = cti.RTPStoppedMask
			m = &cti.RTPStoppedEvent{
				PeripheralID: c.pid, ClientPort: port, Direction: dir,
				ConnectionDeviceIDType: dyn, ConnectionCallID: cn.call.id, ConnectionDeviceID: cn.id,
				ClientAddress: phone, AgentID: agentID, LongAgentID: longID, AgentExtension: agentExt, AgentInstrument: cn.dev.ext,
				SendingAddress: rtpGateway, SendingPort: rtpGatewayPort,
			}
		}
		t.toAllEvents(bit, m)
	}
}

const (
	rtpGateway     = "10.20.0.1"
	rtpGatewayPort = 24576
)
