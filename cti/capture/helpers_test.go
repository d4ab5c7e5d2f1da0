package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// A hand-built capture: each test lays out TCP segments of a conversation (with the
// pathologies it is about) and writes them with gopacket's pcap or pcapng writer.

var (
	clientIP4 = net.IPv4(10, 1, 2, 3)
	serverIP4 = net.IPv4(10, 9, 8, 7)
	clientIP6 = net.ParseIP("2001:db8::3")
	serverIP6 = net.ParseIP("2001:db8::7")
)

const (
	clientPort = 51000
	serverPort = DefaultServerPort
	clientISN  = 1000
	serverISN  = 4294967000 // wraps around 2³² within the test conversations
)

// seg is one TCP segment of the test conversation. off is the offset of its first payload byte
// in its direction's stream.
type seg struct {
	toServer bool
	off      int
	data     []byte
	syn, fin bool
}

type captureSpec struct {
	ng    bool
	link  layers.LinkType
	ipv6  bool
	port  uint16 // server port; 0: serverPort
	segs  []seg
	start time.Time
}

// encodeFrames encodes messages for version v and returns the stream and each frame's bytes.
func encodeFrames(t testing.TB, v cti.Version, msgs ...cti.Message) ([]byte, [][]byte) {
	t.Helper()
	var stream []byte
	var frames [][]byte
	for _, m := range msgs {
		b, err := m.Encode(nil, v)
		if err != nil {
			t.Fatalf("encode %T: %v", m, err)
		}
		stream = append(stream, b...)
		frames = append(frames, b)
	}
	return stream, frames
}

// split cuts a stream into segments at the given offsets.
func split(toServer bool, stream []byte, cuts ...int) []seg {
	var out []seg
	prev := 0
	for _, c := range append(cuts, len(stream)) {
		if c > prev {
			out = append(out, seg{toServer: toServer, off: prev, data: stream[prev:c]})
		}
		prev = c
	}
	return out
}

func handshake() []seg {
	return []seg{{toServer: true, syn: true}, {toServer: false, syn: true}}
}

func buildCapture(t testing.TB, spec captureSpec) []byte {
	t.Helper()
	if spec.port == 0 {
		spec.port = serverPort
	}
	if spec.start.IsZero() {
		spec.start = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	}
	if spec.ng {
		return buildNg(t, spec)
	}
	var buf bytes.Buffer
	w := pcapgo.NewWriterNanos(&buf)
	if err := w.WriteFileHeader(65535, linkOr(spec.link)); err != nil {
		t.Fatal(err)
	}
	write := w.WritePacket
	for i, s := range spec.segs {
		data := packetBytes(t, spec, s)
		ci := gopacket.CaptureInfo{Timestamp: spec.start.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(data), Length: len(data)}
		if err := write(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	file := buf.Bytes()
	if spec.link == testLinkSLL2 {
		binary.LittleEndian.PutUint32(file[20:24], uint32(linkLinuxSLL2)) // pcapgo writes little-endian
	}
	return file
}

// buildNg is buildCapture for pcapng (whose writer buffers until Flush).
func buildNg(t testing.TB, spec captureSpec) []byte {
	t.Helper()
	spec.ng = true
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, linkOr(spec.link))
	if err != nil {
		t.Fatal(err)
	}
	if spec.port == 0 {
		spec.port = serverPort
	}
	start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for i, s := range spec.segs {
		data := packetBytes(t, spec, s)
		ci := gopacket.CaptureInfo{Timestamp: start.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(data), Length: len(data), InterfaceIndex: 0}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testLinkSLL2 stands for LINKTYPE_LINUX_SLL2 (276) in a captureSpec: gopacket keeps link types
// in a byte, so buildCapture writes 276 into the file header itself.
const testLinkSLL2 layers.LinkType = 276 & 0xff

func linkOr(l layers.LinkType) layers.LinkType {
	if l == 0 {
		return layers.LinkTypeEthernet
	}
	return l
}

func packetBytes(t testing.TB, spec captureSpec, s seg) []byte {
	t.Helper()
	tcp := &layers.TCP{SrcPort: clientPort, DstPort: layers.TCPPort(spec.port), Window: 65535, ACK: !s.syn || !s.toServer, SYN: s.syn, FIN: s.fin, PSH: len(s.data) > 0}
	seqBase := uint32(clientISN)
	ackBase := uint32(serverISN)
	if !s.toServer {
		tcp.SrcPort, tcp.DstPort = tcp.DstPort, tcp.SrcPort
		seqBase, ackBase = ackBase, seqBase
	}
	if s.syn {
		tcp.Seq = seqBase
	} else {
		tcp.Seq = seqBase + 1 + uint32(s.off)
		tcp.Ack = ackBase + 1
	}
	var ipLayer gopacket.NetworkLayer
	var ethType layers.EthernetType
	src, dst := clientIP4, serverIP4
	if spec.ipv6 {
		src, dst = clientIP6, serverIP6
	}
	if !s.toServer {
		src, dst = dst, src
	}
	if spec.ipv6 {
		ipLayer = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP, SrcIP: src, DstIP: dst}
		ethType = layers.EthernetTypeIPv6
	} else {
		ipLayer = &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src.To4(), DstIP: dst.To4()}
		ethType = layers.EthernetTypeIPv4
	}
	if err := tcp.SetNetworkLayerForChecksum(ipLayer); err != nil {
		t.Fatal(err)
	}
	ls := []gopacket.SerializableLayer{ipLayer.(gopacket.SerializableLayer), tcp, gopacket.Payload(s.data)}
	var prefix []byte
	switch linkOr(spec.link) {
	case layers.LinkTypeEthernet:
		ls = append([]gopacket.SerializableLayer{&layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: ethType}}, ls...)
	case layers.LinkTypeLinuxSLL:
		prefix = make([]byte, 16)
		binary.BigEndian.PutUint16(prefix[0:2], 0) // sent to us
		binary.BigEndian.PutUint16(prefix[2:4], 1) // ARPHRD_ETHER
		binary.BigEndian.PutUint16(prefix[4:6], 6)
		binary.BigEndian.PutUint16(prefix[14:16], uint16(ethType))
	case testLinkSLL2:
		prefix = make([]byte, 20)
		binary.BigEndian.PutUint16(prefix[0:2], uint16(ethType))
		binary.BigEndian.PutUint32(prefix[4:8], 1) // interface index
		binary.BigEndian.PutUint16(prefix[8:10], 1)
	case layers.LinkTypeLoop:
		prefix = []byte{0, 0, 0, 2} // AF_INET, network order
		if spec.ipv6 {
			prefix = []byte{0, 0, 0, 24}
		}
	case layers.LinkTypeRaw:
	default:
		t.Fatalf("test capture: link type %v", spec.link)
	}
	b := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(b, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return append(prefix, b.Bytes()...)
}

type readResult struct {
	frames  []Frame
	notices []Notice
	err     error
	conns   []*Conn
}

func readAll(t testing.TB, file []byte, o Options) readResult {
	t.Helper()
	var res readResult
	o.OnNotice = func(n Notice) { res.notices = append(res.notices, n) }
	r, err := NewReader(bytes.NewReader(file), o)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	for {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			res.err = err
			break
		}
		res.frames = append(res.frames, f)
	}
	res.conns = r.Conns()
	return res
}

// framesIn returns the bytes of the frames read in one direction.
func framesIn(fs []Frame, d Dir) [][]byte {
	var out [][]byte
	for _, f := range fs {
		if f.Dir == d {
			out = append(out, f.Bytes())
		}
	}
	return out
}

func sameFrames(t *testing.T, what string, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d frames, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("%s: frame %d\n got % x\nwant % x", what, i, got[i], want[i])
		}
	}
}
