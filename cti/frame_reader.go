package cti

import (
	"encoding/binary"
	"errors"
	"io"
)

// HeaderSize is the size of the MHDR: UINT MessageLength, UINT MessageType.
const HeaderSize = 8

// DefaultMaxMessageSize is the largest frame, header included, that a UCCE CTI Server sends or
// accepts (docs/protocol/framing.md, quick facts: 12500 bytes including the header, v24 "Message Types").
const DefaultMaxMessageSize = 12500

// Frame is one undecoded message. Body aliases the [FrameReader]'s buffer and is valid only until
// the next ReadFrame.
type Frame struct {
	Type   MsgType
	Body   []byte // fixed part and floating part, without the header
	Offset int64  // stream offset of the frame's first header byte
}

// FrameReader takes frames off a byte stream with one reused, bounded buffer.
type FrameReader struct {
	r       io.Reader
	hdr     [HeaderSize]byte
	buf     []byte
	maxBody uint32
	off     int64
	broken  error
}

// NewFrameReader returns a reader that rejects frames larger than maxMessageSize bytes, header
// included (0 means [DefaultMaxMessageSize]).
func NewFrameReader(r io.Reader, maxMessageSize int) *FrameReader {
	fr := &FrameReader{r: r}
	fr.SetMaxMessageSize(maxMessageSize)
	return fr
}

// SetMaxMessageSize changes the largest accepted frame, header included (0 means the default).
func (fr *FrameReader) SetMaxMessageSize(n int) {
	if n <= HeaderSize {
		n = DefaultMaxMessageSize
	}
	fr.maxBody = uint32(n - HeaderSize)
}

// Offset is the number of bytes consumed so far.
func (fr *FrameReader) Offset() int64 { return fr.off }

// ReadFrame reads the next frame. It returns io.EOF only at a frame boundary; a stream that ends
// inside a frame gives io.ErrUnexpectedEOF. After a [*FrameTooLargeError] the stream position is
// unknown and every later call returns the same error.
func (fr *FrameReader) ReadFrame() (Frame, error) {
	if fr.broken != nil {
		return Frame{}, fr.broken
	}
	start := fr.off
	n, err := readFull(fr.r, fr.hdr[:])
	fr.off += int64(n)
	if err != nil {
		if errors.Is(err, io.EOF) && n == 0 {
			return Frame{}, io.EOF
		}
		// A read deadline that expires before a frame starts loses nothing: the caller may poll
		// with deadlines. Inside a frame the position is lost and the error sticks.
		if n == 0 && isTimeout(err) {
			return Frame{}, err
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = &TruncatedFrameError{Offset: start, Got: n, Want: HeaderSize, Header: true}
		}
		fr.broken = err
		return Frame{}, err
	}
	length := binary.BigEndian.Uint32(fr.hdr[0:4])
	typ := MsgType(binary.BigEndian.Uint32(fr.hdr[4:8]))
	// docs/protocol/framing.md, framing: check MessageLength against the maximum before allocating.
	if length > fr.maxBody {
		fr.broken = &FrameTooLargeError{Type: typ, Length: length, Max: fr.maxBody}
		return Frame{}, fr.broken
	}
	if cap(fr.buf) > shrinkAbove && int(length) <= smallFrame {
		// One large frame (a big CALL_DATA_UPDATE) must not pin its buffer in every idle session.
		fr.buf = nil
	}
	if cap(fr.buf) < int(length) {
		// Grow in steps so that a stream of growing frames does not reallocate every time.
		c := 2 * cap(fr.buf)
		if c < int(length) {
			c = int(length)
		}
		if c > int(fr.maxBody) {
			c = int(fr.maxBody)
		}
		fr.buf = make([]byte, c)
	}
	body := fr.buf[:length]
	n, err = readFull(fr.r, body)
	fr.off += int64(n)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = &TruncatedFrameError{Offset: start, Type: typ, Got: n, Want: int(length)}
		}
		fr.broken = err
		return Frame{}, err
	}
	return Frame{Type: typ, Body: body, Offset: start}, nil
}

// readFull is io.ReadFull without its two intermediate calls: the reader goroutine of an idle
// connection sits blocked under it, and every frame between it and the read keeps that
// goroutine's stack from shrinking back to its minimum.
func readFull(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			if n == len(p) {
				return n, nil
			}
			if n > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	return n, nil
}

const (
	shrinkAbove = 4096 // a buffer grown past this is dropped on the next small frame
	smallFrame  = 512
)

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// ReadMessage reads the next frame and decodes it for protocol version v.
func (fr *FrameReader) ReadMessage(v Version) (Message, error) {
	f, err := fr.ReadFrame()
	if err != nil {
		return nil, err
	}
	return Decode(f.Type, f.Body, v)
}
