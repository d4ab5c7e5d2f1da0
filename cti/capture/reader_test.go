package capture

import (
	"errors"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/cti"
	"github.com/google/gopacket/layers"
)

// conversation is a short agent-desktop exchange: the client's stream and the server's.
func conversation(t testing.TB) (toServer, toClient []byte, reqs, replies [][]byte) {
	t.Helper()
	v := cti.V24
	toServer, reqs = encodeFrames(t, v,
		&cti.OpenReq{InvokeID: 1, VersionNumber: 24, IdleTimeout: 20, PeripheralID: 5000, ClientID: "desk", ClientPassword: []byte("s3cret"), AgentID: "5001", AgentInstrument: "1001"},
		&cti.SetAgentStateReq{InvokeID: 2, PeripheralID: 5000, AgentState: cti.AgentStateLogin, AgentInstrument: "1001", AgentID: "5001", AgentPassword: "hunter2"},
		&cti.SetAgentStateReq{InvokeID: 3, PeripheralID: 5000, AgentState: cti.AgentStateAvailable, AgentInstrument: "1001", AgentID: "5001"},
		&cti.HeartbeatReq{InvokeID: 4},
		&cti.SetAgentStateReq{InvokeID: 5, PeripheralID: 5000, AgentState: cti.AgentStateNotReady, EventReasonCode: 7, AgentInstrument: "1001", AgentID: "5001"},
		&cti.HeartbeatReq{InvokeID: 6},
	)
	toClient, replies = encodeFrames(t, v,
		&cti.OpenConf{InvokeID: 1, ServicesGranted: 0x10, PeripheralOnline: true, PeripheralType: 1},
		&cti.SetAgentStateConf{InvokeID: 2},
		&cti.AgentStateEvent{PeripheralID: 5000, AgentState: cti.AgentStateNotReady, AgentInstrument: "1001", AgentID: "5001"},
		&cti.SetAgentStateConf{InvokeID: 3},
		&cti.HeartbeatConf{InvokeID: 4},
		&cti.FailureConf{InvokeID: 5, Status: cti.ECTIInvalidAgentData, Text: "nope"},
	)
	return
}

// boundaries returns the offsets where each frame of a stream starts.
func boundaries(frames [][]byte) []int {
	var out []int
	off := 0
	for _, f := range frames {
		out = append(out, off)
		off += len(f)
	}
	return out
}

// interleave alternates the segments of both directions, client first.
func interleave(a, b []seg) []seg {
	var out []seg
	for i := 0; i < len(a) || i < len(b); i++ {
		if i < len(a) {
			out = append(out, a[i])
		}
		if i < len(b) {
			out = append(out, b[i])
		}
	}
	return out
}

func TestReaderPathologies(t *testing.T) {
	up, down, reqs, replies := conversation(t)
	ub, db := boundaries(reqs), boundaries(replies)
	// A frame split over three segments: the login request (frame 1) in three pieces.
	login := len(reqs[1])
	splitLogin := split(true, up, ub[1], ub[1]+5, ub[1]+login/2, ub[2])
	// Five frames in one segment: replies 1–5 in one piece.
	fiveInOne := split(false, down, db[1])
	if n := len(fiveInOne); n != 2 {
		t.Fatalf("setup: %d segments", n)
	}
	each := func(toServer bool, stream []byte, frames [][]byte) []seg {
		return split(toServer, stream, boundaries(frames)[1:]...)
	}
	swap := func(s []seg, i, j int) []seg {
		c := append([]seg(nil), s...)
		c[i], c[j] = c[j], c[i]
		return c
	}
	tests := []struct {
		name          string
		segs          []seg
		wantUp        [][]byte
		wantDown      [][]byte
		wantNotice    NoticeKind
		wantRetrans   bool
		wantNoNotices bool
	}{
		{
			name:   "in order, one frame per segment",
			segs:   append(handshake(), interleave(each(true, up, reqs), each(false, down, replies))...),
			wantUp: reqs, wantDown: replies, wantNoNotices: true,
		},
		{
			name:   "one frame split over 3 segments",
			segs:   append(handshake(), interleave(splitLogin, each(false, down, replies))...),
			wantUp: reqs, wantDown: replies, wantNoNotices: true,
		},
		{
			name:   "5 frames in one segment",
			segs:   append(handshake(), interleave(each(true, up, reqs), fiveInOne)...),
			wantUp: reqs, wantDown: replies, wantNoNotices: true,
		},
		{
			name:   "segments out of order",
			segs:   append(handshake(), interleave(swap(swap(splitLogin, 1, 3), 2, 4), swap(each(false, down, replies), 0, 2))...),
			wantUp: reqs, wantDown: replies, wantNoNotices: true,
		},
		{
			name: "segments retransmitted, whole and overlapping",
			segs: append(handshake(), func() []seg {
				s := interleave(splitLogin, each(false, down, replies))
				// The second piece of the login again, then a segment that repeats the end of the
				// login and carries the next frame's first bytes.
				s = append(s[:4], append([]seg{s[2], {toServer: true, off: ub[2] - 3, data: up[ub[2]-3 : ub[2]+2]}}, s[4:]...)...)
				return append(s, s[1], s[5])
			}()...),
			wantUp: reqs, wantDown: replies, wantNoNotices: true, wantRetrans: true,
		},
		{
			name:       "capture starts mid-frame",
			segs:       interleave(split(true, up, ub[1]+7, ub[2], ub[3]), each(false, down, replies))[1:],
			wantUp:     reqs[2:],
			wantDown:   replies,
			wantNotice: NoticeSkipped,
		},
		{
			name:       "a segment never captured",
			segs:       append(handshake(), removeSeg(interleave(each(true, up, reqs), each(false, down, replies)), 2)...),
			wantUp:     append([][]byte{reqs[0]}, reqs[2:]...),
			wantDown:   replies,
			wantNotice: NoticeMissing,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := readAll(t, buildCapture(t, captureSpec{segs: tc.segs}), Options{})
			if res.err != nil {
				t.Fatalf("read: %v", res.err)
			}
			sameFrames(t, "client→server", framesIn(res.frames, ToServer), tc.wantUp)
			sameFrames(t, "server→client", framesIn(res.frames, ToClient), tc.wantDown)
			if tc.wantNoNotices && len(res.notices) > 0 {
				t.Errorf("notices: %v", res.notices)
			}
			if tc.wantNotice != 0 && !hasNotice(res.notices, tc.wantNotice) {
				t.Errorf("no notice of kind %d in %v", tc.wantNotice, res.notices)
			}
			if len(res.conns) != 1 {
				t.Fatalf("%d connections, want 1", len(res.conns))
			}
			c := res.conns[0]
			if c.Client.String() != "10.1.2.3:51000" || c.Server.Port() != serverPort {
				t.Errorf("connection %v → %v", c.Client, c.Server)
			}
			if tc.wantRetrans && c.Retransmitted == 0 {
				t.Errorf("retransmissions not counted")
			}
			if got := c.Version; got != cti.V24 {
				t.Errorf("version %v, want v24 from the OPEN_REQ", got)
			}
		})
	}
}

func removeSeg(s []seg, i int) []seg { return append(append([]seg(nil), s[:i]...), s[i+1:]...) }

func hasNotice(ns []Notice, k NoticeKind) bool {
	for _, n := range ns {
		if n.Kind == k {
			return true
		}
	}
	return false
}

func TestReaderMidStreamSaysHowManyBytesItSkipped(t *testing.T) {
	up, _, reqs, _ := conversation(t)
	ub := boundaries(reqs)
	segs := split(true, up, ub[1]+7, ub[2])
	res := readAll(t, buildCapture(t, captureSpec{segs: segs[1:]}), Options{Version: cti.V24})
	sameFrames(t, "client→server", framesIn(res.frames, ToServer), reqs[2:])
	if len(res.notices) != 1 || res.notices[0].Kind != NoticeSkipped {
		t.Fatalf("notices %v", res.notices)
	}
	n := res.notices[0]
	if want := ub[2] - (ub[1] + 7); n.Bytes != want {
		t.Errorf("skipped %d bytes, want %d", n.Bytes, want)
	}
	if s := n.String(); !strings.Contains(s, "skipped 38 bytes") && !strings.Contains(s, "capture starts inside the stream") {
		t.Errorf("notice reads %q", s)
	}
	if res.conns[0].Opened || res.conns[0].Version != cti.V24 {
		t.Errorf("a connection without its OPEN_REQ uses Options.Version: %+v", res.conns[0])
	}
}

func TestReaderLinkTypesAndIPv6(t *testing.T) {
	up, down, reqs, replies := conversation(t)
	segs := append(handshake(), interleave(split(true, up, boundaries(reqs)[1:]...), split(false, down, 40, 41, 100))...)
	for _, tc := range []struct {
		name string
		spec captureSpec
	}{
		{"pcap ethernet ipv4", captureSpec{}},
		{"pcap ethernet ipv6", captureSpec{ipv6: true}},
		{"pcapng ethernet ipv4", captureSpec{ng: true}},
		{"pcapng linux cooked ipv6", captureSpec{ng: true, link: layers.LinkTypeLinuxSLL, ipv6: true}},
		{"pcap linux cooked v2 (tcpdump -i any)", captureSpec{link: testLinkSLL2}},
		{"pcap BSD loopback", captureSpec{link: layers.LinkTypeLoop}},
		{"pcap raw IP, other port", captureSpec{link: layers.LinkTypeRaw, port: 43027}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.segs = segs
			o := Options{}
			if tc.spec.port != 0 {
				o.ServerPorts = []uint16{42027, tc.spec.port}
			}
			res := readAll(t, buildCapture(t, tc.spec), o)
			if res.err != nil {
				t.Fatal(res.err)
			}
			sameFrames(t, "client→server", framesIn(res.frames, ToServer), reqs)
			sameFrames(t, "server→client", framesIn(res.frames, ToClient), replies)
			if len(res.notices) != 0 {
				t.Errorf("notices %v", res.notices)
			}
		})
	}
}

func TestReaderTruncatedLastPacket(t *testing.T) {
	up, down, reqs, replies := conversation(t)
	segs := append(handshake(), interleave(split(true, up, boundaries(reqs)[1:]...), split(false, down, boundaries(replies)[1:]...))...)
	for _, ng := range []bool{false, true} {
		file := buildCapture(t, captureSpec{segs: segs, ng: ng})
		cut := file[:len(file)-10] // the last packet record loses its end
		res := readAll(t, cut, Options{})
		var pe *PacketError
		if !errors.As(res.err, &pe) {
			t.Fatalf("ng=%v: error %v, want a *PacketError", ng, res.err)
		}
		if pe.Packet != len(segs) {
			t.Errorf("ng=%v: error names packet %d, want %d (%v)", ng, pe.Packet, len(segs), pe)
		}
		if !strings.Contains(pe.Error(), "truncated") && !strings.Contains(pe.Error(), "EOF") {
			t.Errorf("ng=%v: error %q does not say the file is cut short", ng, pe)
		}
		// Everything before the last packet (the last reply) was decoded.
		sameFrames(t, "client→server", framesIn(res.frames, ToServer), reqs)
		sameFrames(t, "server→client", framesIn(res.frames, ToClient), replies[:len(replies)-1])
	}
}

func TestReaderFrameCutByTheEndOfTheCapture(t *testing.T) {
	up, _, reqs, _ := conversation(t)
	ub := boundaries(reqs)
	segs := append(handshake()[:1], split(true, up[:ub[2]+10], ub[1], ub[2])...)
	res := readAll(t, buildCapture(t, captureSpec{segs: segs}), Options{})
	if res.err != nil {
		t.Fatal(res.err)
	}
	sameFrames(t, "client→server", framesIn(res.frames, ToServer), reqs[:2])
	if !hasNotice(res.notices, NoticeTruncated) {
		t.Errorf("notices %v: want the cut frame reported", res.notices)
	}
}

func TestReaderRejectsNonCaptures(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("hello world"), {0xd4, 0xc3, 0xb2, 0xa1, 1}} {
		if _, err := NewReader(strings.NewReader(string(in)), Options{}); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
