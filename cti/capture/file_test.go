package capture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"
)

// The captures in this file are laid out byte by byte, for what gopacket's writers never
// write: big-endian pcap, microsecond records, pcapng timestamp resolutions and offsets,
// several interfaces of different link types, simple packet blocks, blocks the reader skips.

// endian is a byte order that can also append.
type endian interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// pcapFile lays out a pcap file: magic, version 2.4, snap length, link type, then the records.
func pcapFile(order endian, magic uint32, link uint32, records ...[]byte) []byte {
	h := make([]byte, 24)
	order.PutUint32(h[0:4], magic)
	order.PutUint16(h[4:6], 2)
	order.PutUint16(h[6:8], 4)
	order.PutUint32(h[16:20], 65535)
	order.PutUint32(h[20:24], link)
	for _, r := range records {
		h = append(h, r...)
	}
	return h
}

func pcapRecord(order endian, sec, frac uint32, data []byte) []byte {
	r := make([]byte, 16, 16+len(data))
	order.PutUint32(r[0:4], sec)
	order.PutUint32(r[4:8], frac)
	order.PutUint32(r[8:12], uint32(len(data)))
	order.PutUint32(r[12:16], uint32(len(data)))
	return append(r, data...)
}

// ngBlock lays out a pcapng block: type, length, body padded to 4 bytes, length again.
func ngBlock(order endian, typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	b := make([]byte, 8, 12+len(body))
	order.PutUint32(b[0:4], typ)
	order.PutUint32(b[4:8], uint32(12+len(body)))
	b = append(b, body...)
	return order.AppendUint32(b, uint32(12+len(body)))
}

func ngSHB(order endian) []byte {
	body := order.AppendUint32(nil, 0x1a2b3c4d)
	body = order.AppendUint16(body, 1)
	body = order.AppendUint16(body, 0)
	body = order.AppendUint64(body, ^uint64(0)) // section length unknown
	return ngBlock(order, ngSectionHeader, body)
}

// ngIDB describes an interface; opts are option code, value pairs.
func ngIDB(order endian, link uint16, opts ...any) []byte {
	body := order.AppendUint16(nil, link)
	body = order.AppendUint16(body, 0)
	body = order.AppendUint32(body, 65535)
	for i := 0; i+1 < len(opts); i += 2 {
		v := opts[i+1].([]byte)
		body = order.AppendUint16(body, uint16(opts[i].(int)))
		body = order.AppendUint16(body, uint16(len(v)))
		body = append(body, v...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	if len(opts) > 0 {
		body = append(body, 0, 0, 0, 0) // opt_endofopt
	}
	return ngBlock(order, ngInterfaceDescription, body)
}

func ngEPB(order endian, iface uint32, ts uint64, data []byte) []byte {
	body := order.AppendUint32(nil, iface)
	body = order.AppendUint32(body, uint32(ts>>32))
	body = order.AppendUint32(body, uint32(ts))
	body = order.AppendUint32(body, uint32(len(data)))
	body = order.AppendUint32(body, uint32(len(data)))
	return ngBlock(order, ngEnhancedPacket, append(body, data...))
}

type readPkt struct {
	data []byte
	ts   time.Time
	link linkType
}

func readPackets(t *testing.T, file []byte) ([]readPkt, error) {
	t.Helper()
	src, _, err := openSource(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("openSource: %v", err)
	}
	var out []readPkt
	for {
		data, ts, link, err := src.readPacket()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, readPkt{bytes.Clone(data), ts, link})
	}
}

func TestPcapByteOrdersAndPrecisions(t *testing.T) {
	pkt := []byte{1, 2, 3, 4, 5}
	for _, tc := range []struct {
		name  string
		order endian
		magic uint32
		frac  uint32
		want  time.Time
	}{
		{"little-endian µs", binary.LittleEndian, pcapMicro, 250_000, time.Unix(1_700_000_000, 250_000_000)},
		{"big-endian µs", binary.BigEndian, pcapMicro, 250_000, time.Unix(1_700_000_000, 250_000_000)},
		{"little-endian ns", binary.LittleEndian, pcapNano, 250_000_001, time.Unix(1_700_000_000, 250_000_001)},
		{"big-endian ns", binary.BigEndian, pcapNano, 250_000_001, time.Unix(1_700_000_000, 250_000_001)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The link-type field's upper bits carry the FCS length, not the link type.
			file := pcapFile(tc.order, tc.magic, 1|0x04000000, pcapRecord(tc.order, 1_700_000_000, tc.frac, pkt))
			got, err := readPackets(t, file)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !bytes.Equal(got[0].data, pkt) || !got[0].ts.Equal(tc.want) || got[0].link != linkEthernet {
				t.Fatalf("got %+v, want %x at %v on Ethernet", got, pkt, tc.want)
			}
		})
	}
}

func TestPcapRefusesWhatItShouldNotAllocate(t *testing.T) {
	le := binary.LittleEndian
	rec := pcapRecord(le, 1, 0, []byte{1, 2, 3})
	le.PutUint32(rec[8:12], maxPacket+1) // captured length beyond any snap length
	if _, err := readPackets(t, pcapFile(le, pcapMicro, 1, rec)); err == nil {
		t.Error("a record claiming more than the snap length was read")
	}
	rec = pcapRecord(le, 1, 0, []byte{1, 2, 3})
	le.PutUint32(rec[12:16], 2) // captured more than the packet's length
	if _, err := readPackets(t, pcapFile(le, pcapMicro, 1, rec)); err == nil {
		t.Error("a record capturing more than its packet was read")
	}
	full := pcapFile(le, pcapMicro, 1, pcapRecord(le, 1, 0, []byte{1, 2, 3}))
	for _, cut := range []int{len(full) - 1, len(full) - 4, 24 + 8} {
		if _, err := readPackets(t, full[:cut]); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("cut at %d of %d: error %v, want %v", cut, len(full), err, io.ErrUnexpectedEOF)
		}
	}
}

func TestPcapNGInterfacesAndTimestamps(t *testing.T) {
	for _, order := range []endian{binary.LittleEndian, binary.BigEndian} {
		t.Run(order.String(), func(t *testing.T) {
			a, b, c := []byte{0xa}, []byte{0xb, 0xb}, []byte{0xc, 0xc, 0xc}
			offset := order.AppendUint64(nil, 1_000)
			file := bytes.Join([][]byte{
				ngSHB(order),
				ngIDB(order, 1), // 0: Ethernet, microseconds
				ngIDB(order, uint16(linkLinuxSLL2), 9, []byte{9}),               // 1: nanoseconds
				ngIDB(order, uint16(linkRaw), 9, []byte{0x80 | 10}, 14, offset), // 2: 1/1024 s, +1,000 s
				ngBlock(order, 5, make([]byte, 12)),                             // interface statistics: skipped
				ngBlock(order, 0x0bad, []byte{1, 2, 3}),                         // a block type the reader does not know
				ngEPB(order, 0, 1_500_000, a),
				ngEPB(order, 1, 2_000_000_007, b),
				ngEPB(order, 2, 3*1024+512, c),
				ngBlock(order, ngSimplePacket, append(order.AppendUint32(nil, 1), a...)),
			}, nil)
			got, err := readPackets(t, file)
			if err != nil {
				t.Fatal(err)
			}
			want := []readPkt{
				{a, time.Unix(1, 500_000_000), linkEthernet},
				{b, time.Unix(2, 7), linkLinuxSLL2},
				{c, time.Unix(1_003, 500_000_000), linkRaw},
				{a, time.Time{}, linkEthernet}, // a simple packet block: no timestamp, interface 0
			}
			if len(got) != len(want) {
				t.Fatalf("%d packets, want %d: %+v", len(got), len(want), got)
			}
			for i := range want {
				if !bytes.Equal(got[i].data, want[i].data) || !got[i].ts.Equal(want[i].ts) || got[i].link != want[i].link {
					t.Errorf("packet %d: got %x at %v on %d, want %x at %v on %d", i, got[i].data, got[i].ts, got[i].link, want[i].data, want[i].ts, want[i].link)
				}
			}
		})
	}
}

func TestPcapNGRefusesMalformedBlocks(t *testing.T) {
	le := binary.LittleEndian
	shb, idb := ngSHB(le), ngIDB(le, 1)
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"packet on an undescribed interface", bytes.Join([][]byte{shb, idb, ngEPB(le, 1, 0, []byte{1})}, nil)},
		{"captured length beyond its block", func() []byte {
			epb := ngEPB(le, 0, 0, []byte{1, 2, 3, 4})
			le.PutUint32(epb[20:24], 64)
			return bytes.Join([][]byte{shb, idb, epb}, nil)
		}()},
		{"block longer than any packet", func() []byte {
			epb := ngEPB(le, 0, 0, []byte{1})
			le.PutUint32(epb[4:8], maxBlock+4)
			return bytes.Join([][]byte{shb, idb, epb}, nil)
		}()},
		{"option crossing its block", bytes.Join([][]byte{shb, func() []byte {
			b := ngIDB(le, 1, 2, []byte("eth0"))
			le.PutUint16(b[18:20], 200)
			return b
		}()}, nil)},
		{"timestamp resolution out of range", bytes.Join([][]byte{shb, ngIDB(le, 1, 9, []byte{30})}, nil)},
		{"simple packet before any interface", bytes.Join([][]byte{shb, ngBlock(le, ngSimplePacket, []byte{1, 0, 0, 0, 9})}, nil)},
		{"packet cut by the end of the file", bytes.Join([][]byte{shb, idb, ngEPB(le, 0, 0, []byte{1, 2, 3})}, nil)[:len(shb)+len(idb)+20]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := readPackets(t, tc.file); err == nil {
				t.Fatalf("no error; packets %+v", got)
			}
		})
	}
	if _, err := newNgSource(bufio.NewReader(bytes.NewReader(ngIDB(le, 1)))); err == nil {
		t.Error("a pcapng file that does not start with a section header was opened")
	}
}

func TestDecodePacketHeaders(t *testing.T) {
	tcp := func(payload ...byte) []byte {
		h := make([]byte, 24) // with one 4-byte option
		binary.BigEndian.PutUint16(h[0:2], 51000)
		binary.BigEndian.PutUint16(h[2:4], 42027)
		binary.BigEndian.PutUint32(h[4:8], 77)
		h[12], h[13] = 6<<4, 0x18 // data offset 6, PSH|ACK
		return append(h, payload...)
	}
	ip4 := func(l4 []byte, total int, opts int) []byte {
		h := make([]byte, 20+opts)
		h[0] = 0x40 | byte(5+opts/4)
		binary.BigEndian.PutUint16(h[2:4], uint16(total))
		h[9] = ipProtoTCP
		copy(h[12:16], []byte{10, 1, 2, 3})
		copy(h[16:20], []byte{10, 9, 8, 7})
		return append(h, l4...)
	}
	eth := func(types ...uint16) []byte {
		h := make([]byte, 12)
		for _, ty := range types {
			h = binary.BigEndian.AppendUint16(h, ty)
		}
		return h
	}
	seg := tcp('h', 'i')
	for _, tc := range []struct {
		name string
		link linkType
		pkt  []byte
	}{
		{"Ethernet", linkEthernet, append(eth(etherIPv4), ip4(seg, 20+len(seg), 0)...)},
		{"IPv4 options", linkRaw, ip4(seg, 28+len(seg), 8)},
		{"two VLAN tags", linkEthernet, append(eth(etherQinQ, 7, etherDot1Q, 8, etherIPv4), ip4(seg, 20+len(seg), 0)...)},
		{"Ethernet padding after the IP packet", linkEthernet, append(append(eth(etherIPv4), ip4(seg, 20+len(seg), 0)...), 0, 0, 0, 0)},
		{"IPv4 length 0 (segmentation offload)", linkIPv4, ip4(seg, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := decodePacket(tc.pkt, tc.link)
			if err != nil {
				t.Fatal(err)
			}
			if s.src.String() != "10.1.2.3:51000" || s.dst.String() != "10.9.8.7:42027" || s.seq != 77 || !s.ack || s.syn || s.fin || s.rst || string(s.payload) != "hi" {
				t.Fatalf("got %+v", s)
			}
		})
	}
	udp := ip4(seg, 20+len(seg), 0)
	udp[9] = 17
	frag := ip4(seg, 20+len(seg), 0)
	frag[6] = 0x20 // more fragments
	for _, tc := range []struct {
		name   string
		link   linkType
		pkt    []byte
		notTCP bool
	}{
		{"UDP", linkRaw, udp, true},
		{"IPv4 fragment", linkRaw, frag, true},
		{"ARP", linkEthernet, append(eth(0x0806), make([]byte, 28)...), true},
		{"short Ethernet header", linkEthernet, eth(), false},
		{"TCP data offset beyond the packet", linkRaw, ip4(tcp()[:22], 42, 0), false},
		{"unsupported link type", 147, ip4(seg, 20+len(seg), 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodePacket(tc.pkt, tc.link)
			var nt errNotTCP
			if err == nil || errors.As(err, &nt) != tc.notTCP {
				t.Fatalf("error %v, want not-TCP=%v", err, tc.notTCP)
			}
		})
	}
}
