// Package capture reads the CTI frames out of packet captures (tcpdump's pcap, Wireshark's
// pcapng): every frame of every TCP connection to a CTI Server port, in capture order, with the
// packet that completed it, its time, its direction and its connection — the same frames the
// codec in package cti decodes.
//
// Where things are:
//   - file.go: recognising pcap and pcapng (gopacket's pure-Go pcapgo readers), with every length
//     a file claims bounded before anything is allocated;
//   - packet.go: Ethernet (and VLAN), Linux cooked v1 and v2 (tcpdump -i any), BSD loopback and
//     raw IP link layers, IPv4 and IPv6, TCP (gopacket's layers);
//   - stream.go: reassembly per direction — out-of-order and retransmitted segments, frames
//     split across segments or sharing one, gaps, and finding frame boundaries again in a stream
//     the capture joins mid-way;
//   - reader.go: the [Reader], connections, notices, the protocol version from each OPEN_REQ.
//
// Memory is bounded whatever a file claims: a packet by 256 KiB, a frame by the protocol's
// maximum, out-of-order data by [Options].MaxOutOfOrder per direction, and the connections
// tracked at once.
package capture
