package capture

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// linkType is a LINKTYPE_ number: what a capture file says is under each packet's IP header.
type linkType uint32

// The link types the reader decodes.
const (
	linkNull      linkType = 0   // BSD loopback, host byte order family
	linkEthernet  linkType = 1   // Ethernet, 802.1Q and QinQ tags
	linkRawBSD    linkType = 12  // raw IP, as some BSDs number it
	linkRawBSD14  linkType = 14  // raw IP, as OpenBSD numbers it
	linkRaw       linkType = 101 // raw IP
	linkLoop      linkType = 108 // OpenBSD loopback, network byte order family
	linkLinuxSLL  linkType = 113 // Linux cooked v1 (tcpdump -i any before libpcap 1.10)
	linkIPv4      linkType = 228
	linkIPv6      linkType = 229
	linkLinuxSLL2 linkType = 276 // Linux cooked v2 (tcpdump -i any since libpcap 1.10)
)

// EtherTypes and the IP protocol number the decoder looks for.
const (
	etherIPv4  = 0x0800
	etherIPv6  = 0x86dd
	etherDot1Q = 0x8100
	etherQinQ  = 0x88a8
	ipProtoTCP = 6
)

// tcpSegment is the part of a captured packet the reassembler needs.
type tcpSegment struct {
	src, dst netip.AddrPort
	seq      uint32
	syn, ack bool
	fin, rst bool
	payload  []byte
}

// errNotTCP marks a packet that carries no TCP segment (ARP, UDP, ICMP, a fragment…): skipped
// without complaint.
type errNotTCP struct{ what string }

func (e errNotTCP) Error() string { return "not TCP: " + e.what }

// decodePacket peels the link, IP and TCP headers off a packet. Only the fields the reassembler
// needs are read; the payload is a slice of the packet, never a copy.
func decodePacket(data []byte, link linkType) (tcpSegment, error) {
	var (
		ethType uint16
		rest    []byte
	)
	switch link {
	case linkEthernet:
		if len(data) < 14 {
			return tcpSegment{}, fmt.Errorf("Ethernet header: %d of 14 bytes", len(data))
		}
		ethType, rest = binary.BigEndian.Uint16(data[12:14]), data[14:]
		for ethType == etherDot1Q || ethType == etherQinQ {
			if len(rest) < 4 {
				return tcpSegment{}, fmt.Errorf("802.1Q tag: %d of 4 bytes", len(rest))
			}
			ethType, rest = binary.BigEndian.Uint16(rest[2:4]), rest[4:]
		}
	case linkLinuxSLL:
		if len(data) < 16 {
			return tcpSegment{}, fmt.Errorf("Linux cooked header: %d of 16 bytes", len(data))
		}
		ethType, rest = binary.BigEndian.Uint16(data[14:16]), data[16:]
	case linkLinuxSLL2:
		if len(data) < 20 {
			return tcpSegment{}, fmt.Errorf("Linux cooked (SLL2) header: %d of 20 bytes", len(data))
		}
		ethType, rest = binary.BigEndian.Uint16(data[0:2]), data[20:]
	case linkNull, linkLoop:
		if len(data) < 4 {
			return tcpSegment{}, fmt.Errorf("loopback header: %d of 4 bytes", len(data))
		}
		ethType, rest = ipVersion(data[4:]), data[4:]
	case linkRaw, linkIPv4, linkIPv6, linkRawBSD, linkRawBSD14:
		ethType, rest = ipVersion(data), data
	default:
		return tcpSegment{}, fmt.Errorf("link type %d is not supported: capture on Ethernet, loopback or the 'any' interface", link)
	}
	var (
		src, dst netip.Addr
		payload  []byte
	)
	switch ethType {
	case etherIPv4:
		if len(rest) < 20 {
			return tcpSegment{}, fmt.Errorf("IPv4 header: %d of 20 bytes", len(rest))
		}
		hlen, total := int(rest[0]&0x0f)*4, int(binary.BigEndian.Uint16(rest[2:4]))
		if total == 0 {
			total = len(rest) // TCP segmentation offload: the NIC fills the length in later
		}
		if hlen < 20 || hlen > total || hlen > len(rest) {
			return tcpSegment{}, fmt.Errorf("IPv4 header length %d (total length %d, %d bytes captured)", hlen, total, len(rest))
		}
		if proto := rest[9]; proto != ipProtoTCP {
			return tcpSegment{}, errNotTCP{fmt.Sprintf("IP protocol %d", proto)}
		}
		if frag := binary.BigEndian.Uint16(rest[6:8]); frag&0x3fff != 0 { // more fragments, or an offset
			return tcpSegment{}, errNotTCP{"IPv4 fragment"}
		}
		src, dst = netip.AddrFrom4([4]byte(rest[12:16])), netip.AddrFrom4([4]byte(rest[16:20]))
		payload = rest[hlen:min(total, len(rest))] // the Ethernet padding of short frames is not payload
	case etherIPv6:
		if len(rest) < 40 {
			return tcpSegment{}, fmt.Errorf("IPv6 header: %d of 40 bytes", len(rest))
		}
		if next := rest[6]; next != ipProtoTCP {
			return tcpSegment{}, errNotTCP{fmt.Sprintf("IPv6 next header %d", next)}
		}
		n := int(binary.BigEndian.Uint16(rest[4:6]))
		if n == 0 {
			return tcpSegment{}, fmt.Errorf("IPv6 payload length 0 without a jumbogram option")
		}
		src, dst = netip.AddrFrom16([16]byte(rest[8:24])), netip.AddrFrom16([16]byte(rest[24:40]))
		payload = rest[40:min(40+n, len(rest))]
	default:
		return tcpSegment{}, errNotTCP{fmt.Sprintf("EtherType %#04x", ethType)}
	}
	if len(payload) < 20 {
		return tcpSegment{}, fmt.Errorf("TCP header: %d of 20 bytes", len(payload))
	}
	off := int(payload[12]>>4) * 4
	if off < 20 || off > len(payload) {
		return tcpSegment{}, fmt.Errorf("TCP data offset %d (%d bytes captured)", off, len(payload))
	}
	flags := payload[13]
	return tcpSegment{
		src:     netip.AddrPortFrom(src, binary.BigEndian.Uint16(payload[0:2])),
		dst:     netip.AddrPortFrom(dst, binary.BigEndian.Uint16(payload[2:4])),
		seq:     binary.BigEndian.Uint32(payload[4:8]),
		fin:     flags&0x01 != 0,
		syn:     flags&0x02 != 0,
		rst:     flags&0x04 != 0,
		ack:     flags&0x10 != 0,
		payload: payload[off:],
	}, nil
}

// ipVersion reads the IP version nibble of a raw IP packet, as the EtherType it stands for.
func ipVersion(p []byte) uint16 {
	if len(p) == 0 {
		return 0
	}
	switch p[0] >> 4 {
	case 4:
		return etherIPv4
	case 6:
		return etherIPv6
	}
	return 0
}
