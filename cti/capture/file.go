package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
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
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		return FormatPcap
	case 0x0a0d0d0a:
		return FormatPcapNG
	}
	return FormatUnknown
}

// maxPacket bounds one captured packet: tcpdump's default snap length. A larger length in a
// packet record is corruption (or a hostile file) and is refused before anything is allocated.
const maxPacket = 262144

// maxBlock bounds one pcapng block: a packet plus generous room for options.
const maxBlock = maxPacket + 65536

// packetSource is what pcapgo's two readers have in common.
type packetSource interface {
	readPacket() (data []byte, ts time.Time, caplen, length int, link layers.LinkType, err error)
}

type pcapSource struct{ r *pcapgo.Reader }

func (s pcapSource) readPacket() ([]byte, time.Time, int, int, layers.LinkType, error) {
	data, ci, err := s.r.ZeroCopyReadPacketData()
	return data, ci.Timestamp, ci.CaptureLength, ci.Length, s.r.LinkType(), err
}

type ngSource struct{ r *pcapgo.NgReader }

func (s ngSource) readPacket() (data []byte, ts time.Time, caplen, length int, link layers.LinkType, err error) {
	// pcapgo's pcapng reader trusts some fields it should check (an interface's timestamp
	// resolution, an option's length) and panics on them; such a file is malformed, not a crash.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed pcapng block: %v", p)
		}
	}()
	data, ci, err := s.r.ZeroCopyReadPacketData()
	link = s.r.LinkType()
	if err == nil && len(ci.AncillaryData) > 0 {
		if l, ok := ci.AncillaryData[0].(layers.LinkType); ok {
			link = l
		}
	}
	return data, ci.Timestamp, ci.CaptureLength, ci.Length, link, err
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
		pr, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, FormatPcap, fmt.Errorf("pcap file header: %w", err)
		}
		if s := pr.Snaplen(); s == 0 || s > maxPacket {
			pr.SetSnaplen(maxPacket)
		}
		return pcapSource{pr}, FormatPcap, nil
	case FormatPcapNG:
		nr, err := newNgReader(br)
		if err != nil {
			return nil, FormatPcapNG, fmt.Errorf("pcapng section header: %w", err)
		}
		return ngSource{nr}, FormatPcapNG, nil
	}
	return nil, FormatUnknown, fmt.Errorf("not a pcap or pcapng file (starts with %x)", head)
}

// ngBlocks passes a pcapng stream through block by block, refusing a block longer than maxBlock
// or a packet block whose captured length exceeds its block: pcapgo allocates a packet's
// captured length before reading it, so without this a 20-byte file could ask for 4 GiB.
type ngBlocks struct {
	r         *bufio.Reader
	order     binary.ByteOrder
	block     []byte
	off       int
	err       error
	blockSeen int
}

var errBlockTooLarge = errors.New("pcapng block larger than any packet a capture holds")

func (b *ngBlocks) Read(p []byte) (int, error) {
	for b.off >= len(b.block) {
		if b.err != nil {
			return 0, b.err
		}
		b.err = b.fill()
		if b.err != nil && len(b.block) == 0 {
			return 0, b.err
		}
	}
	n := copy(p, b.block[b.off:])
	b.off += n
	return n, nil
}

// fill reads the next whole block. A short final block is passed on as it is, for pcapgo to
// report as truncated.
func (b *ngBlocks) fill() error {
	b.block, b.off = b.block[:0], 0
	hdr, err := b.r.Peek(12)
	if len(hdr) < 8 {
		if len(hdr) > 0 {
			b.block = append(b.block, hdr...)
			_, _ = b.r.Discard(len(hdr))
			return io.ErrUnexpectedEOF
		}
		return err
	}
	typ := binary.LittleEndian.Uint32(hdr[0:4]) // 0x0A0D0D0A reads the same either way
	if typ == 0x0a0d0d0a && len(hdr) >= 12 {
		switch binary.LittleEndian.Uint32(hdr[8:12]) {
		case 0x1a2b3c4d:
			b.order = binary.LittleEndian
		case 0x4d3c2b1a:
			b.order = binary.BigEndian
		}
	}
	if b.order == nil {
		b.order = binary.LittleEndian // pcapgo refuses the section header itself
	}
	if typ != 0x0a0d0d0a {
		typ = b.order.Uint32(hdr[0:4])
	}
	length := b.order.Uint32(hdr[4:8])
	b.blockSeen++
	if length > maxBlock {
		return fmt.Errorf("block %d: %w (%d bytes)", b.blockSeen, errBlockTooLarge, length)
	}
	if length < 12 || length%4 != 0 {
		return fmt.Errorf("block %d: malformed pcapng block length %d", b.blockSeen, length)
	}
	if cap(b.block) < int(length) {
		b.block = make([]byte, 0, length)
	}
	b.block = b.block[:length]
	n, err := io.ReadFull(b.r, b.block)
	b.block = b.block[:n]
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		// The short block is passed on, for pcapgo to report as truncated, once the lengths
		// it would allocate by are checked.
		if (typ == 6 || typ == 2) && n >= 24 && b.order.Uint32(b.block[20:24]) > length-32 {
			b.block = b.block[:0]
		}
		if typ == 1 && n >= 16 && b.order.Uint32(b.block[12:16]) > maxPacket {
			b.order.PutUint32(b.block[12:16], maxPacket)
		}
		if typ == 3 && n >= 12 && b.order.Uint32(b.block[8:12]) > length-16 {
			b.order.PutUint32(b.block[8:12], length-16)
		}
		return err
	}
	if err := b.check(typ, length); err != nil {
		b.block = b.block[:0]
		return fmt.Errorf("block %d: %w", b.blockSeen, err)
	}
	return nil
}

// check validates a whole block so that pcapgo, which trusts what it reads, stays inside it:
// the fixed part long enough for its type, the lengths pcapgo allocates by bounded, and the
// options it walks (section header, interface description and statistics) inside the block.
func (b *ngBlocks) check(typ, length uint32) error {
	blk := b.block
	opts := 0 // where the options pcapgo walks start; 0 for blocks whose options it skips
	switch typ {
	case 0x0a0d0d0a: // Section Header Block
		if length < 28 {
			return errors.New("section header block too short")
		}
		opts = 24
	case 1: // Interface Description Block
		if length < 20 {
			return errors.New("interface description block too short")
		}
		// Its snap length sizes pcapgo's packet buffer: a claim larger than any packet we
		// accept is lowered to it.
		if b.order.Uint32(blk[12:16]) > maxPacket {
			b.order.PutUint32(blk[12:16], maxPacket)
		}
		opts = 16
	case 5: // Interface Statistics Block
		if length < 24 {
			return errors.New("interface statistics block too short")
		}
		opts = 20
	case 6, 2: // Enhanced Packet Block, obsolete Packet Block: captured length at 20
		if length < 32 {
			return errors.New("packet block too short")
		}
		if caplen := b.order.Uint32(blk[20:24]); caplen > length-32 {
			return fmt.Errorf("packet's captured length %d exceeds its block (%d bytes)", caplen, length)
		}
	case 3: // Simple Packet Block: pcapgo takes the original length as the captured one
		if length < 16 {
			return errors.New("simple packet block too short")
		}
		if b.order.Uint32(blk[8:12]) > length-16 {
			b.order.PutUint32(blk[8:12], length-16)
		}
	}
	if opts == 0 {
		return nil
	}
	end := int(length) - 4
	for off := opts; off < end; {
		if off+4 > end {
			return errors.New("option header crosses the end of its block")
		}
		code, n := b.order.Uint16(blk[off:off+2]), int(b.order.Uint16(blk[off+2:off+4]))
		if code == 0 {
			return nil // opt_endofopt
		}
		off += 4 + (n+3)&^3
		if off > end {
			return errors.New("option crosses the end of its block")
		}
	}
	return nil
}

func newNgReader(br *bufio.Reader) (nr *pcapgo.NgReader, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed pcapng block: %v", p)
		}
	}()
	return pcapgo.NewNgReader(&ngBlocks{r: br}, pcapgo.NgReaderOptions{WantMixedLinkType: true})
}
