package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// Format is a capture file format.
type Format int

// Capture file formats.
const (
	FormatUnknown Format = iota
	FormatPcap           // libpcap (tcpdump -w), micro- or nanosecond timestamps, either byte order
	FormatPcapNG         // pcapng (Wireshark's default, dumpcap)
)

func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNG:
		return "pcapng"
	}
	return "unknown"
}

// Sniff tells a capture file from its first bytes (at least 4): pcap in either byte order and
// timestamp precision, pcapng, or neither. A gzip-compressed pcap is not recognised here.
func Sniff(head []byte) Format {
	if len(head) < 4 {
		return FormatUnknown
	}
	switch binary.LittleEndian.Uint32(head) {
	case pcapMicro, pcapMicroSwapped, pcapNano, pcapNanoSwapped:
		return FormatPcap
	case ngSectionHeader:
		return FormatPcapNG
	}
	return FormatUnknown
}

// The pcap magic numbers as a little-endian read sees them: the writer's byte order and the
// timestamps' precision.
const (
	pcapMicro        = 0xa1b2c3d4
	pcapMicroSwapped = 0xd4c3b2a1
	pcapNano         = 0xa1b23c4d
	pcapNanoSwapped  = 0x4d3cb2a1
)

// maxPacket bounds one captured packet: tcpdump's default snap length. A larger length in a
// packet record is corruption (or a hostile file) and is refused before anything is allocated.
const maxPacket = 262144

// maxBlock bounds one pcapng block: a packet plus generous room for options.
const maxBlock = maxPacket + 65536

// packetSource reads a capture's packets one at a time; data is valid until the next call.
type packetSource interface {
	readPacket() (data []byte, ts time.Time, link linkType, err error)
}

// openSource reads the file header and returns a packet source for the file's format.
func openSource(r io.Reader) (packetSource, Format, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	head, err := br.Peek(4)
	if err != nil {
		return nil, FormatUnknown, fmt.Errorf("not a capture file: %d bytes", len(head))
	}
	switch Sniff(head) {
	case FormatPcap:
		s, err := newPcapSource(br)
		if err != nil {
			return nil, FormatPcap, fmt.Errorf("pcap file header: %w", err)
		}
		return s, FormatPcap, nil
	case FormatPcapNG:
		s, err := newNgSource(br)
		if err != nil {
			return nil, FormatPcapNG, fmt.Errorf("pcapng section header: %w", err)
		}
		return s, FormatPcapNG, nil
	}
	return nil, FormatUnknown, fmt.Errorf("not a pcap or pcapng file (starts with %x)", head)
}

// readFull reads len(p) bytes: io.EOF if there were none left (the end of the capture),
// io.ErrUnexpectedEOF if the file ends inside them (a truncated capture).
func readFull(r io.Reader, p []byte) error {
	_, err := io.ReadFull(r, p)
	return err
}

// pcapSource reads libpcap files: a 24-byte file header, then a 16-byte record header before
// each packet.
type pcapSource struct {
	r       *bufio.Reader
	order   binary.ByteOrder
	nanos   bool // the record's second fraction is in nanoseconds, not microseconds
	snaplen uint32
	link    linkType
	hdr     [16]byte
	buf     []byte
}

func newPcapSource(r *bufio.Reader) (*pcapSource, error) {
	var h [24]byte
	if err := readFull(r, h[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	s := &pcapSource{r: r}
	switch binary.LittleEndian.Uint32(h[0:4]) {
	case pcapMicro:
		s.order = binary.LittleEndian
	case pcapNano:
		s.order, s.nanos = binary.LittleEndian, true
	case pcapMicroSwapped:
		s.order = binary.BigEndian
	case pcapNanoSwapped:
		s.order, s.nanos = binary.BigEndian, true
	}
	if major := s.order.Uint16(h[4:6]); major != 2 {
		return nil, fmt.Errorf("unknown pcap major version %d", major)
	}
	s.snaplen = s.order.Uint32(h[16:20])
	if s.snaplen == 0 || s.snaplen > maxPacket {
		s.snaplen = maxPacket // a claim larger than any packet we accept is lowered to it
	}
	// The upper bits of the link-type field carry the FCS length, not the link type.
	s.link = linkType(s.order.Uint32(h[20:24]) & 0xffff)
	return s, nil
}

func (s *pcapSource) readPacket() ([]byte, time.Time, linkType, error) {
	if err := readFull(s.r, s.hdr[:]); err != nil {
		return nil, time.Time{}, 0, err
	}
	sec, frac := s.order.Uint32(s.hdr[0:4]), s.order.Uint32(s.hdr[4:8])
	caplen, length := s.order.Uint32(s.hdr[8:12]), s.order.Uint32(s.hdr[12:16])
	if caplen > s.snaplen {
		return nil, time.Time{}, 0, fmt.Errorf("capture length exceeds snap length: %d > %d", caplen, s.snaplen)
	}
	if caplen > length {
		return nil, time.Time{}, 0, fmt.Errorf("capture length exceeds original packet length: %d > %d", caplen, length)
	}
	if cap(s.buf) < int(caplen) {
		s.buf = make([]byte, s.snaplen)
	}
	data := s.buf[:caplen]
	if err := readFull(s.r, data); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, time.Time{}, 0, err
	}
	nsec := int64(frac)
	if !s.nanos {
		nsec *= 1000
	}
	return data, time.Unix(int64(sec), nsec).UTC(), s.link, nil
}

// pcapng block types.
const (
	ngSectionHeader        = 0x0a0d0d0a // reads the same in either byte order
	ngInterfaceDescription = 1
	ngObsoletePacket       = 2
	ngSimplePacket         = 3
	ngEnhancedPacket       = 6
)

// ngSource reads pcapng files block by block. Each block is read whole, its length bounded by
// maxBlock before anything is allocated, and parsed in memory with every offset checked
// against the block, so a hostile file can neither make it allocate by its claims nor read
// outside what it holds.
type ngSource struct {
	r      *bufio.Reader
	order  binary.ByteOrder
	ifaces []ngInterface // of the current section
	block  []byte
	blocks int
}

// ngInterface is what an Interface Description Block says about the packets captured on it.
type ngInterface struct {
	link      linkType
	snaplen   uint32
	perSecond uint64 // timestamp units per second (if_tsresol; microseconds by default)
	offset    int64  // seconds added to every timestamp (if_tsoffset)
}

func newNgSource(r *bufio.Reader) (*ngSource, error) {
	s := &ngSource{r: r}
	typ, err := s.next()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if typ != ngSectionHeader {
		return nil, fmt.Errorf("first block is of type %#x, not a section header", typ)
	}
	if err := s.section(); err != nil {
		return nil, err
	}
	return s, nil
}

// next reads the next whole block into s.block and returns its type.
func (s *ngSource) next() (uint32, error) {
	hdr, err := s.r.Peek(12)
	if len(hdr) == 0 && err == io.EOF {
		return 0, io.EOF
	}
	if len(hdr) < 8 {
		return 0, io.ErrUnexpectedEOF
	}
	s.blocks++
	typ := binary.LittleEndian.Uint32(hdr[0:4])
	if typ == ngSectionHeader {
		if len(hdr) < 12 {
			return 0, io.ErrUnexpectedEOF
		}
		switch binary.LittleEndian.Uint32(hdr[8:12]) {
		case 0x1a2b3c4d:
			s.order = binary.LittleEndian
		case 0x4d3c2b1a:
			s.order = binary.BigEndian
		default:
			return 0, fmt.Errorf("block %d: wrong byte-order magic in the section header", s.blocks)
		}
	} else if s.order == nil {
		return 0, fmt.Errorf("block %d: not a section header, and no section has begun", s.blocks)
	} else {
		typ = s.order.Uint32(hdr[0:4])
	}
	length := s.order.Uint32(hdr[4:8])
	if length > maxBlock {
		return 0, fmt.Errorf("block %d: pcapng block larger than any packet a capture holds (%d bytes)", s.blocks, length)
	}
	if length < 12 || length%4 != 0 {
		return 0, fmt.Errorf("block %d: malformed pcapng block length %d", s.blocks, length)
	}
	if cap(s.block) < int(length) {
		s.block = make([]byte, length)
	}
	s.block = s.block[:length]
	if err := readFull(s.r, s.block); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, fmt.Errorf("block %d: %w", s.blocks, err)
	}
	return typ, nil
}

// section starts a new section from the Section Header Block in s.block.
func (s *ngSource) section() error {
	if len(s.block) < 28 {
		return fmt.Errorf("block %d: section header block too short", s.blocks)
	}
	if major := s.order.Uint16(s.block[12:14]); major != 1 {
		return fmt.Errorf("block %d: unknown pcapng major version %d", s.blocks, major)
	}
	s.ifaces = s.ifaces[:0]
	return nil
}

// options calls f with each option of the block from offset off; it stops at opt_endofopt.
func (s *ngSource) options(off int, f func(code uint16, value []byte) error) error {
	end := len(s.block) - 4 // the trailing copy of the block length
	for off < end {
		if off+4 > end {
			return fmt.Errorf("block %d: option header crosses the end of its block", s.blocks)
		}
		code, n := s.order.Uint16(s.block[off:off+2]), int(s.order.Uint16(s.block[off+2:off+4]))
		if code == 0 {
			return nil
		}
		if off+4+n > end {
			return fmt.Errorf("block %d: option crosses the end of its block", s.blocks)
		}
		if err := f(code, s.block[off+4:off+4+n]); err != nil {
			return fmt.Errorf("block %d: %w", s.blocks, err)
		}
		off += 4 + (n+3)&^3
	}
	return nil
}

// iface adds the interface of the Interface Description Block in s.block.
func (s *ngSource) iface() error {
	if len(s.block) < 20 {
		return fmt.Errorf("block %d: interface description block too short", s.blocks)
	}
	in := ngInterface{
		link:      linkType(s.order.Uint16(s.block[8:10])),
		snaplen:   s.order.Uint32(s.block[12:16]),
		perSecond: 1e6,
	}
	if in.snaplen == 0 || in.snaplen > maxPacket {
		in.snaplen = maxPacket
	}
	err := s.options(16, func(code uint16, v []byte) error {
		switch code {
		case 9: // if_tsresol: a negative power of 10, or of 2 with the top bit set
			if len(v) < 1 {
				return errors.New("empty if_tsresol option")
			}
			exp, base := uint64(v[0]&0x7f), uint64(10)
			if v[0]&0x80 != 0 {
				base = 2
			}
			in.perSecond = 1
			for range exp {
				hi, lo := bits.Mul64(in.perSecond, base)
				if hi != 0 {
					return fmt.Errorf("timestamp resolution %#x out of range", v[0])
				}
				in.perSecond = lo
			}
		case 14: // if_tsoffset
			if len(v) < 8 {
				return errors.New("short if_tsoffset option")
			}
			in.offset = int64(s.order.Uint64(v))
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.ifaces = append(s.ifaces, in)
	return nil
}

// time converts a packet's timestamp in its interface's units.
func (in *ngInterface) time(ts uint64) time.Time {
	sec, frac := ts/in.perSecond, ts%in.perSecond
	// frac < perSecond, so frac·10⁹ / perSecond neither overflows nor divides by less.
	hi, lo := bits.Mul64(frac, 1e9)
	nsec, _ := bits.Div64(hi, lo, in.perSecond)
	return time.Unix(int64(sec)+in.offset, int64(nsec)).UTC()
}

func (s *ngSource) readPacket() ([]byte, time.Time, linkType, error) {
	for {
		typ, err := s.next()
		if err != nil {
			return nil, time.Time{}, 0, err
		}
		b := s.block
		switch typ {
		case ngSectionHeader:
			if err := s.section(); err != nil {
				return nil, time.Time{}, 0, err
			}
		case ngInterfaceDescription:
			if err := s.iface(); err != nil {
				return nil, time.Time{}, 0, err
			}
		case ngEnhancedPacket, ngObsoletePacket:
			if len(b) < 32 {
				return nil, time.Time{}, 0, fmt.Errorf("block %d: packet block too short", s.blocks)
			}
			id := s.order.Uint32(b[8:12])
			if typ == ngObsoletePacket {
				id = uint32(s.order.Uint16(b[8:10]))
			}
			if uint64(id) >= uint64(len(s.ifaces)) {
				return nil, time.Time{}, 0, fmt.Errorf("block %d: interface %d not described in its section (%d are)", s.blocks, id, len(s.ifaces))
			}
			in := &s.ifaces[id]
			caplen := s.order.Uint32(b[20:24])
			if caplen > uint32(len(b)-32) {
				return nil, time.Time{}, 0, fmt.Errorf("block %d: packet's captured length %d exceeds its block (%d bytes)", s.blocks, caplen, len(b))
			}
			ts := uint64(s.order.Uint32(b[12:16]))<<32 | uint64(s.order.Uint32(b[16:20]))
			return b[28 : 28+caplen], in.time(ts), in.link, nil
		case ngSimplePacket:
			if len(b) < 16 {
				return nil, time.Time{}, 0, fmt.Errorf("block %d: simple packet block too short", s.blocks)
			}
			if len(s.ifaces) == 0 {
				return nil, time.Time{}, 0, fmt.Errorf("block %d: a simple packet before any interface description", s.blocks)
			}
			// No captured length: the original one, cut to the interface's snap length and
			// to the block.
			n := min(s.order.Uint32(b[8:12]), s.ifaces[0].snaplen, uint32(len(b)-16))
			return b[12 : 12+n], time.Time{}, s.ifaces[0].link, nil
		}
		// Statistics, name resolution, custom blocks: nothing the reader needs.
	}
}
