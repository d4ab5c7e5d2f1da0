// Package capture reads the CTI frames out of packet captures (tcpdump's pcap, Wireshark's
// pcapng): every frame of every TCP connection to a CTI Server port, in capture order, with the
// packet that completed it, its time, its direction and its connection — the same frames the
// codec in package cti decodes.
//
// Where things are:
//   - file.go: reading pcap and pcapng, with every length a file claims bounded before anything
//     is allocated and every pcapng block parsed whole, inside its bounds;
//   - packet.go: Ethernet (and VLAN), Linux cooked v1 and v2 (tcpdump -i any), BSD loopback and
//     raw IP link layers, IPv4 and IPv6, TCP: only the fields the reassembler needs;
//   - stream.go: reassembly per direction — out-of-order and retransmitted segments, frames
//     split across segments or sharing one, gaps, and finding frame boundaries again in a stream
//     the capture joins mid-way;
//   - reader.go: the [Reader], connections, notices, the protocol version from each OPEN_REQ.
//
// The readers and header decoders are the package's own rather than gopacket's: linking
// gopacket's layers package into the binary costs every ctiload process, whatever its command,
// 6 MiB of resident tables its init fills (docs/performance.md, "Where a VU's memory goes").
// The tests still build their captures with gopacket's writers.
//
// Memory is bounded whatever a file claims: a packet by 256 KiB, a frame by the protocol's
// maximum, out-of-order data by [Options].MaxOutOfOrder per direction, and the connections
// tracked at once.
package capture
