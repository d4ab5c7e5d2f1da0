package capture

import (
	"encoding/binary"
	"sort"

	"github.com/ctiload/ctiload/cti"
)

// halfStream reassembles one direction of a TCP connection into CTI frames.
//
// gopacket's tcpassembly/reassembly are built for long-running sniffers: they hide the packet
// that completed a stream chunk, flush on timers and know nothing of the payload. Here every
// frame must name the packet that completed it, a gap must be accounted byte for byte, and
// after a gap (or a capture that starts mid-stream) framing must be found again on the next
// plausible CTI header. A small reassembler per direction does all three with two bounded
// buffers: the contiguous bytes not yet framed (at most one frame) and the out-of-order
// segments waiting for a missing one (at most maxPending bytes).
type halfStream struct {
	toServer   bool
	started    bool   // the first segment (or the SYN) fixed the sequence numbers
	next       uint32 // sequence number of the next byte expected
	synced     bool   // buf starts at a frame boundary
	buf        []byte // contiguous stream bytes not yet framed
	pending    []segment
	pendingLen int
	finished   bool // FIN or RST seen
	skipping   int  // bytes skipped so far while looking for a frame header
	// retransmitted counts segments whose bytes had all been seen already.
	retransmitted int
}

type segment struct {
	seq    uint32
	data   []byte
	packet int
}

// seqDiff is a − b in sequence space (RFC 793 arithmetic: numbers wrap at 2³²).
func seqDiff(a, b uint32) int64 { return int64(int32(a - b)) }

// framer turns reassembled bytes into frames; it is the part of the Reader a halfStream reports to.
type framer interface {
	frame(h *halfStream, t cti.MsgType, body []byte)
	notice(h *halfStream, kind NoticeKind, n int, detail string)
	plausible(h *halfStream, t cti.MsgType, length uint32, body []byte) bool
	maxBody() uint32
	maxPending() int
}

// syn starts the stream at a SYN: the first data byte is seq+1 and a frame boundary.
func (h *halfStream) syn(seq uint32) {
	if h.started {
		return
	}
	h.started, h.next, h.synced = true, seq+1, true
}

// data adds one segment's payload.
func (h *halfStream) data(f framer, seq uint32, payload []byte, packet int) {
	if len(payload) == 0 {
		return
	}
	if !h.started {
		// The capture began after the handshake: the stream starts here, framing unknown.
		h.started, h.next, h.synced = true, seq, false
	}
	d := seqDiff(seq, h.next)
	switch {
	case d+int64(len(payload)) <= 0:
		h.retransmitted++
		return
	case d < 0:
		payload = payload[-d:] // a retransmission that also carries new bytes
		h.retransmitted++
		fallthrough
	case d == 0:
		h.append(f, payload)
		h.drainPending(f)
	default:
		h.hold(f, seq, payload, packet)
	}
}

// hold keeps an out-of-order segment until the bytes before it come; when too much waits, the
// missing bytes are given up for lost.
func (h *halfStream) hold(f framer, seq uint32, payload []byte, packet int) {
	for i := range h.pending {
		if h.pending[i].seq == seq {
			if len(payload) > len(h.pending[i].data) {
				h.pendingLen += len(payload) - len(h.pending[i].data)
				h.pending[i].data = append([]byte(nil), payload...)
			} else {
				h.retransmitted++
			}
			return
		}
	}
	h.pending = append(h.pending, segment{seq: seq, data: append([]byte(nil), payload...), packet: packet})
	h.pendingLen += len(payload)
	sort.Slice(h.pending, func(i, j int) bool { return seqDiff(h.pending[i].seq, h.pending[j].seq) < 0 })
	for h.pendingLen > f.maxPending() && len(h.pending) > 0 {
		h.skipGap(f)
	}
}

// skipGap declares the bytes before the first pending segment lost and goes on from it.
func (h *halfStream) skipGap(f framer) {
	if len(h.pending) == 0 {
		return
	}
	gap := seqDiff(h.pending[0].seq, h.next)
	if gap > 0 {
		lostInFrame := len(h.buf)
		f.notice(h, NoticeMissing, int(gap), "")
		if lostInFrame > 0 {
			f.notice(h, NoticeDropped, lostInFrame, "the frame the missing bytes belonged to")
		}
		h.buf = h.buf[:0]
		h.synced = false
		h.next = h.pending[0].seq
	}
	h.drainPending(f)
}

// drainPending appends the pending segments that now continue the stream.
func (h *halfStream) drainPending(f framer) {
	for len(h.pending) > 0 {
		s := h.pending[0]
		d := seqDiff(s.seq, h.next)
		if d > 0 {
			return
		}
		h.pending = h.pending[1:]
		h.pendingLen -= len(s.data)
		if d+int64(len(s.data)) <= 0 {
			h.retransmitted++
			continue
		}
		h.append(f, s.data[-d:])
	}
}

func (h *halfStream) append(f framer, p []byte) {
	h.next += uint32(len(p))
	h.buf = append(h.buf, p...)
	h.frames(f)
}

// frames takes every complete frame off buf, finding the frame boundary first when it is not
// known.
func (h *halfStream) frames(f framer) {
	off := 0
	defer func() {
		// Keep the unframed tail at the front of buf, in place: buf never holds more than one
		// frame plus one segment.
		n := copy(h.buf, h.buf[off:])
		h.buf = h.buf[:n]
	}()
	for {
		if !h.synced {
			skip, ok := h.resync(f, h.buf[off:])
			h.skipping += skip
			off += skip
			if !ok {
				return
			}
			h.synced = true
			h.reportSkipped(f)
		}
		rest := h.buf[off:]
		if len(rest) < cti.HeaderSize {
			return
		}
		length := binary.BigEndian.Uint32(rest[0:4])
		t := cti.MsgType(binary.BigEndian.Uint32(rest[4:8]))
		if length > f.maxBody() {
			// Not a header after all (or a frame no server sends): framing is lost.
			h.synced = false
			f.notice(h, NoticeBadHeader, 0, t.String())
			off++
			continue
		}
		if len(rest) < cti.HeaderSize+int(length) {
			return
		}
		f.frame(h, t, rest[cti.HeaderSize:cti.HeaderSize+int(length)])
		off += cti.HeaderSize + int(length)
	}
}

// resync looks for the first plausible frame header in p. It returns how many bytes precede it
// and whether one was found; without one it skips all but the last bytes, which may be the start
// of a header.
func (h *halfStream) resync(f framer, p []byte) (int, bool) {
	for i := 0; i+cti.HeaderSize <= len(p); i++ {
		length := binary.BigEndian.Uint32(p[i : i+4])
		if length > f.maxBody() {
			continue
		}
		t := cti.MsgType(binary.BigEndian.Uint32(p[i+4 : i+8]))
		end := i + cti.HeaderSize + int(length)
		var body []byte
		if end <= len(p) {
			body = p[i+cti.HeaderSize : end]
		}
		if f.plausible(h, t, length, body) {
			return i, true
		}
	}
	if len(p) < cti.HeaderSize {
		return 0, false
	}
	return len(p) - (cti.HeaderSize - 1), false
}

// reportSkipped reports the bytes skipped to find a frame header, once, when the search ends.
func (h *halfStream) reportSkipped(f framer) {
	if h.skipping > 0 {
		f.notice(h, NoticeSkipped, h.skipping, "")
		h.skipping = 0
	}
}

// end flushes the stream at the end of the capture (or at FIN): waiting segments are taken as
// they are, and a frame cut short is reported.
func (h *halfStream) end(f framer) {
	for len(h.pending) > 0 {
		h.skipGap(f)
	}
	if !h.synced {
		h.skipping += len(h.buf)
		h.buf = h.buf[:0]
	}
	h.reportSkipped(f)
	if len(h.buf) > 0 {
		want := 0
		if h.synced && len(h.buf) >= cti.HeaderSize {
			want = cti.HeaderSize + int(binary.BigEndian.Uint32(h.buf[0:4]))
		}
		detail := ""
		if want > 0 {
			detail = "of a " + itoa(want) + "-byte " + cti.MsgType(binary.BigEndian.Uint32(h.buf[4:8])).String()
		}
		f.notice(h, NoticeTruncated, len(h.buf), detail)
		h.buf = h.buf[:0]
	}
}
