package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// DefaultServerPort is the CTI Server's usual port (side A; side B often listens on 43027).
const DefaultServerPort = 42027

// Options tune a [Reader].
type Options struct {
	// ServerPorts are the CTI Server's TCP ports; a segment to or from one of them belongs to a CTI
	// connection. Empty means [DefaultServerPort].
	ServerPorts []uint16
	// Version decodes the connections whose OPEN_REQ is not in the capture; 0 means
	// [cti.DefaultVersion]. A UCCX version also marks the connections that do open in the capture
	// as Unified CCX (their OPEN_REQ's VersionNumber alone cannot tell UCCE 14 from UCCX 14).
	Version cti.Version
	// MaxMessageSize bounds a frame, header included; 0 means [cti.DefaultMaxMessageSize]. A
	// larger length is taken as lost framing, not allocated.
	MaxMessageSize int
	// MaxOutOfOrder bounds the bytes held per direction while a missing segment is awaited; past
	// it the missing bytes are given up for lost. 0 means 1 MiB.
	MaxOutOfOrder int
	// OnNotice, if set, hears about every irregularity as it is found: bytes skipped to find a
	// frame header, bytes missing from the capture, a frame cut short.
	OnNotice func(Notice)
}

// Dir is the direction of a frame.
type Dir uint8

// Directions.
const (
	ToServer Dir = iota + 1 // client → server: requests
	ToClient                // server → client: confirmations and events
)

func (d Dir) String() string {
	if d == ToServer {
		return "client→server"
	}
	return "server→client"
}

// Conn is one TCP connection to the CTI Server found in the capture.
type Conn struct {
	ID     int            // from 1, in the order of the connections' first packets
	Client netip.AddrPort // the client's address
	Server netip.AddrPort
	// Version decodes the connection's frames: its OPEN_REQ's VersionNumber (Opened), else
	// Options.Version.
	Version cti.Version
	Opened  bool // the OPEN_REQ is in the capture
	// SawStart is true when the capture holds the client's SYN: the stream is read from its
	// first byte, not resynchronised.
	SawStart      bool
	First, Last   time.Time // first and last packet
	Frames        [2]int    // frames to the server, to the client
	Skipped       int       // bytes skipped to find a frame header (capture started mid-stream, after a loss)
	Missing       int       // bytes never captured (sequence gaps)
	Retransmitted int       // segments whose bytes had been seen already

	half [2]halfStream // to server, to client
}

// Frame is one CTI frame taken off a connection.
type Frame struct {
	Conn    *Conn
	Dir     Dir
	Packet  int       // number of the packet that completed the frame, from 1 (Wireshark's "No.")
	Time    time.Time // that packet's timestamp
	Type    cti.MsgType
	Body    []byte      // the frame without its header; owned by the Frame
	Version cti.Version // the connection's version when the frame arrived
}

// Decode decodes the frame's body with its connection's version.
func (f Frame) Decode() (cti.Message, error) { return cti.Decode(f.Type, f.Body, f.Version) }

// Bytes is the whole frame, header included, as it was on the wire.
func (f Frame) Bytes() []byte { return cti.AppendFrame(nil, f.Type, f.Body) }

// NoticeKind says what went wrong in a stream.
type NoticeKind uint8

// Notice kinds.
const (
	NoticeSkipped   NoticeKind = iota + 1 // bytes skipped before the next plausible frame header
	NoticeMissing                         // bytes the capture does not hold (a sequence gap)
	NoticeDropped                         // bytes of a frame that a gap made undecodable
	NoticeTruncated                       // the capture ended inside a frame
	NoticeBadHeader                       // a frame header claimed more than the maximum frame size
)

// Notice is one irregularity in a connection's byte stream.
type Notice struct {
	Kind   NoticeKind
	Conn   *Conn
	Dir    Dir
	Packet int
	Bytes  int
	Detail string
}

func (n Notice) String() string {
	where := fmt.Sprintf("packet %d, %s %s", n.Packet, n.Conn.Client, n.Dir)
	switch n.Kind {
	case NoticeSkipped:
		return fmt.Sprintf("%s: skipped %d bytes to the next frame header (%s)", where, n.Bytes, n.Detail)
	case NoticeMissing:
		return fmt.Sprintf("%s: %d bytes are missing from the capture", where, n.Bytes)
	case NoticeDropped:
		return fmt.Sprintf("%s: dropped %d bytes of %s", where, n.Bytes, n.Detail)
	case NoticeTruncated:
		s := fmt.Sprintf("%s: the capture ends inside a frame (%d bytes", where, n.Bytes)
		if n.Detail != "" {
			s += " " + n.Detail
		}
		return s + ")"
	case NoticeBadHeader:
		return fmt.Sprintf("%s: a %s header claims more than the maximum frame size: looking for the next frame", where, n.Detail)
	}
	return where
}

// PacketError is a capture file that cannot be read past a packet: what was decoded before it
// stands.
type PacketError struct {
	Packet int // the packet that could not be read, from 1
	Err    error
}

func (e *PacketError) Error() string {
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("packet %d: the capture file is truncated", e.Packet)
	}
	return fmt.Sprintf("packet %d: %v", e.Packet, e.Err)
}

func (e *PacketError) Unwrap() error { return e.Err }

type connKey struct{ client, server netip.AddrPort }

// maxConns bounds the connections tracked at once; a capture with more (a port scan, a fuzzer)
// has its oldest finished ones forgotten first.
const maxConns = 1 << 16

// Reader reads the CTI frames of every connection of a capture, in capture order.
type Reader struct {
	src     packetSource
	format  Format
	o       Options
	ports   map[uint16]bool
	conns   map[connKey]*Conn
	order   []*Conn
	packet  int
	pktTime time.Time
	curConn *Conn
	queue   []Frame
	probe   cti.NoCopyDecoder // plausible's trial decodes, whose results are thrown away
	err     error             // sticky: the error ending the capture
	ended   bool
	// NotTCP counts packets that are not TCP segments to or from a server port.
	NotTCP int
	// Undecodable counts packets whose headers could not be decoded.
	Undecodable int
}

// NewReader reads a pcap or pcapng file's header.
func NewReader(r io.Reader, o Options) (*Reader, error) {
	src, f, err := openSource(r)
	if err != nil {
		return nil, err
	}
	if o.Version == 0 {
		o.Version = cti.DefaultVersion
	}
	if o.MaxMessageSize <= cti.HeaderSize {
		o.MaxMessageSize = cti.DefaultMaxMessageSize
	}
	if o.MaxOutOfOrder <= 0 {
		o.MaxOutOfOrder = 1 << 20
	}
	rd := &Reader{src: src, format: f, o: o, ports: map[uint16]bool{}, conns: map[connKey]*Conn{}}
	for _, p := range o.ServerPorts {
		rd.ports[p] = true
	}
	if len(rd.ports) == 0 {
		rd.ports[DefaultServerPort] = true
	}
	return rd, nil
}

// Format is the capture's file format.
func (r *Reader) Format() Format { return r.format }

// Conns lists the connections seen so far, in order of their first packet.
func (r *Reader) Conns() []*Conn { return r.order }

// Packets is the number of packets read so far.
func (r *Reader) Packets() int { return r.packet }

// Next returns the next frame. At the end of the capture it returns io.EOF; a capture file that
// is corrupt or cut short returns a [*PacketError] once every frame completed before the bad
// packet has been returned.
func (r *Reader) Next() (Frame, error) {
	for len(r.queue) == 0 {
		if r.ended {
			return Frame{}, r.err
		}
		r.readPacket()
	}
	f := r.queue[0]
	r.queue[0] = Frame{}
	r.queue = r.queue[1:]
	return f, nil
}

// readPacket reads one packet and feeds its segment to its connection; at the end of the file
// (or at a bad packet) every stream is flushed.
func (r *Reader) readPacket() {
	data, ts, link, err := r.src.readPacket()
	if err != nil {
		r.ended = true
		if err == io.EOF {
			r.err = io.EOF
		} else {
			r.err = &PacketError{Packet: r.packet + 1, Err: err}
		}
		for _, c := range r.order {
			r.curConn = c
			c.half[0].end(r)
			c.half[1].end(r)
		}
		return
	}
	r.packet++
	r.pktTime = ts
	seg, err := decodePacket(data, link)
	if err != nil {
		var nt errNotTCP
		if errors.As(err, &nt) {
			r.NotTCP++
		} else {
			r.Undecodable++
		}
		return
	}
	var (
		key connKey
		dir Dir
	)
	switch {
	case r.ports[seg.dst.Port()]:
		key, dir = connKey{seg.src, seg.dst}, ToServer
	case r.ports[seg.src.Port()]:
		key, dir = connKey{seg.dst, seg.src}, ToClient
	default:
		r.NotTCP++
		return
	}
	c := r.conns[key]
	if c != nil && dir == ToServer && seg.syn && !seg.ack && c.half[0].started && seqDiff(seg.seq+1, c.half[0].next) != 0 {
		// The same ports again: a new connection. The old one's leftovers are flushed first.
		r.curConn = c
		c.half[0].end(r)
		c.half[1].end(r)
		delete(r.conns, key)
		c = nil
	}
	if c == nil {
		if len(r.conns) >= maxConns {
			r.forgetOne()
		}
		c = &Conn{ID: len(r.order) + 1, Client: key.client, Server: key.server, Version: r.o.Version, First: ts}
		c.half[0].toServer = true
		r.conns[key] = c
		r.order = append(r.order, c)
	}
	c.Last = ts
	r.curConn = c
	h := &c.half[dir-1]
	if seg.syn {
		h.syn(seg.seq)
		if dir == ToServer {
			c.SawStart = true
		}
		seg.seq++ // a SYN's data (rare) follows the SYN's own sequence number
	}
	h.data(r, seg.seq, seg.payload, r.packet)
	c.Retransmitted = c.half[0].retransmitted + c.half[1].retransmitted
	if seg.fin || seg.rst {
		h.finished = true
	}
}

// forgetOne drops the oldest connection (finished ones first) from the table; its frames were
// returned already.
func (r *Reader) forgetOne() {
	var victim *Conn
	var vkey connKey
	for k, c := range r.conns {
		if victim == nil || (c.half[0].finished && !victim.half[0].finished) || c.Last.Before(victim.Last) {
			victim, vkey = c, k
		}
	}
	if victim != nil {
		r.curConn = victim
		victim.half[0].end(r)
		victim.half[1].end(r)
		delete(r.conns, vkey)
	}
}

// The framer interface, for the half streams.

func (r *Reader) conn(h *halfStream) (*Conn, Dir) {
	if h.toServer {
		return r.curConn, ToServer
	}
	return r.curConn, ToClient
}

func (r *Reader) frame(h *halfStream, t cti.MsgType, body []byte) {
	c, dir := r.conn(h)
	if dir == ToServer && t == cti.MsgOpenReq && len(body) >= 8 {
		c.Version, c.Opened = r.versionOf(binary.BigEndian.Uint32(body[4:8])), true
	}
	c.Frames[dir-1]++
	r.queue = append(r.queue, Frame{
		Conn: c, Dir: dir, Packet: r.packet, Time: r.pktTime, Type: t,
		Body: append([]byte(nil), body...), Version: c.Version,
	})
}

// versionOf turns an OPEN_REQ's VersionNumber into a Version: numbers only Unified CCX uses
// (10–12, 16–19) are UCCX, and so is every number when the options say the server is UCCX.
func (r *Reader) versionOf(n uint32) cti.Version {
	v := cti.Version(n)
	if r.o.Version.IsUCCX() || (n >= 10 && n <= 12) || (n >= 16 && n <= 19) {
		v |= cti.UCCX
	}
	return v
}

func (r *Reader) notice(h *halfStream, kind NoticeKind, n int, detail string) {
	c, dir := r.conn(h)
	if kind == NoticeSkipped && detail == "" {
		detail = "after a gap"
		if !c.SawStart && c.Frames[dir-1] == 0 {
			detail = "the capture starts inside the stream"
		}
	}
	switch kind {
	case NoticeSkipped, NoticeDropped, NoticeTruncated:
		c.Skipped += n
	case NoticeMissing:
		c.Missing += n
	}
	if r.o.OnNotice != nil {
		r.o.OnNotice(Notice{Kind: kind, Conn: c, Dir: dir, Packet: r.packet, Bytes: n, Detail: detail})
	}
}

// plausible judges a candidate frame header when the frame boundary is unknown: a catalogued
// type sent in this direction, long enough for its fixed part, and — when the whole frame is at
// hand — a body that decodes.
func (r *Reader) plausible(h *halfStream, t cti.MsgType, length uint32, body []byte) bool {
	info, ok := cti.Info(t)
	if !ok {
		return false
	}
	want := cti.ServerToClient
	if h.toServer {
		want = cti.ClientToServer
	}
	if info.Direction != want && info.Direction != cti.BothDirections {
		return false
	}
	v := r.curConn.Version
	if n, ok := cti.FixedSize(t, v); ok && int(length) < n {
		return false
	}
	if body != nil && info.HasLayout {
		if _, err := r.probe.Decode(t, body, v); err != nil {
			return false
		}
	}
	return true
}

func (r *Reader) maxBody() uint32 { return uint32(r.o.MaxMessageSize - cti.HeaderSize) }
func (r *Reader) maxPending() int { return r.o.MaxOutOfOrder }

func itoa(n int) string { return strconv.Itoa(n) }
