package capture

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// linkTypeLinuxSLL2 is LINKTYPE_LINUX_SLL2 (276), what tcpdump -i any writes since libpcap
// 1.10. gopacket v1.1.19 predates it and keeps link types in a byte, so it reaches us as
// 276 mod 256 = 20, a number no other link type uses.
const linkTypeLinuxSLL2 layers.LinkType = 276 & 0xff

// tcpSegment is the part of a captured packet the reassembler needs.
type tcpSegment struct {
	src, dst netip.AddrPort
	seq      uint32
	syn, ack bool
	fin, rst bool
	payload  []byte
}

// packetDecoder peels the link, IP and TCP headers off a packet with reused gopacket layers.
type packetDecoder struct {
	eth  layers.Ethernet
	vlan layers.Dot1Q
	sll  layers.LinuxSLL
	ip4  layers.IPv4
	ip6  layers.IPv6
	tcp  layers.TCP
}

// errNotTCP marks a packet that carries no TCP segment (ARP, UDP, ICMP, a fragment…): skipped
// without complaint.
type errNotTCP struct{ what string }

func (e errNotTCP) Error() string { return "not TCP: " + e.what }

func (d *packetDecoder) decode(data []byte, link layers.LinkType) (tcpSegment, error) {
	var (
		ethType layers.EthernetType
		rest    []byte
	)
	df := gopacket.NilDecodeFeedback
	switch link {
	case layers.LinkTypeEthernet:
		if err := d.eth.DecodeFromBytes(data, df); err != nil {
			return tcpSegment{}, err
		}
		ethType, rest = d.eth.EthernetType, d.eth.Payload
		for ethType == layers.EthernetTypeDot1Q || ethType == layers.EthernetTypeQinQ {
			if err := d.vlan.DecodeFromBytes(rest, df); err != nil {
				return tcpSegment{}, err
			}
			ethType, rest = d.vlan.Type, d.vlan.Payload
		}
	case layers.LinkTypeLinuxSLL:
		if err := d.sll.DecodeFromBytes(data, df); err != nil {
			return tcpSegment{}, err
		}
		ethType, rest = d.sll.EthernetType, d.sll.Payload
	case linkTypeLinuxSLL2:
		if len(data) < 20 {
			return tcpSegment{}, fmt.Errorf("Linux cooked (SLL2) header: %d of 20 bytes", len(data))
		}
		ethType, rest = layers.EthernetType(binary.BigEndian.Uint16(data[0:2])), data[20:]
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if len(data) < 4 {
			return tcpSegment{}, fmt.Errorf("loopback header: %d of 4 bytes", len(data))
		}
		ethType, rest = ipVersion(data[4:]), data[4:]
	case layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6, 12, 14:
		ethType, rest = ipVersion(data), data
	default:
		return tcpSegment{}, fmt.Errorf("link type %s (%d) is not supported: capture on Ethernet, loopback or the 'any' interface", link, int(link))
	}
	var (
		src, dst netip.Addr
		payload  []byte
	)
	switch ethType {
	case layers.EthernetTypeIPv4:
		if err := d.ip4.DecodeFromBytes(rest, df); err != nil {
			return tcpSegment{}, err
		}
		if d.ip4.Protocol != layers.IPProtocolTCP {
			return tcpSegment{}, errNotTCP{d.ip4.Protocol.String()}
		}
		if d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0 {
			return tcpSegment{}, errNotTCP{"IPv4 fragment"}
		}
		src, _ = netip.AddrFromSlice(d.ip4.SrcIP.To4())
		dst, _ = netip.AddrFromSlice(d.ip4.DstIP.To4())
		payload = d.ip4.Payload
	case layers.EthernetTypeIPv6:
		if err := d.ip6.DecodeFromBytes(rest, df); err != nil {
			return tcpSegment{}, err
		}
		if d.ip6.NextHeader != layers.IPProtocolTCP {
			return tcpSegment{}, errNotTCP{d.ip6.NextHeader.String()}
		}
		src, _ = netip.AddrFromSlice(d.ip6.SrcIP)
		dst, _ = netip.AddrFromSlice(d.ip6.DstIP)
		payload = d.ip6.Payload
	default:
		return tcpSegment{}, errNotTCP{ethType.String()}
	}
	if err := d.tcp.DecodeFromBytes(payload, df); err != nil {
		return tcpSegment{}, err
	}
	t := &d.tcp
	return tcpSegment{
		src: netip.AddrPortFrom(src, uint16(t.SrcPort)), dst: netip.AddrPortFrom(dst, uint16(t.DstPort)),
		seq: t.Seq, syn: t.SYN, ack: t.ACK, fin: t.FIN, rst: t.RST, payload: t.Payload,
	}, nil
}

// ipVersion reads the IP version nibble of a raw IP packet.
func ipVersion(p []byte) layers.EthernetType {
	if len(p) == 0 {
		return 0
	}
	switch p[0] >> 4 {
	case 4:
		return layers.EthernetTypeIPv4
	case 6:
		return layers.EthernetTypeIPv6
	}
	return 0
}
