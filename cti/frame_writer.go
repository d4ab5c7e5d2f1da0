package cti

import (
	"encoding/binary"
	"fmt"
	"io"
)

// FrameWriter writes messages to a stream, one Write per frame, through a reused buffer.
// It is not safe for concurrent use: a session serialises its writes.
type FrameWriter struct {
	w       io.Writer
	buf     []byte
	maxSize int
}

// NewFrameWriter returns a writer that refuses frames larger than maxMessageSize bytes, header
// included (0 means [DefaultMaxMessageSize]).
func NewFrameWriter(w io.Writer, maxMessageSize int) *FrameWriter {
	if maxMessageSize <= HeaderSize {
		maxMessageSize = DefaultMaxMessageSize
	}
	return &FrameWriter{w: w, maxSize: maxMessageSize, buf: make([]byte, 0, 512)}
}

// WriteMessage encodes m for version v and writes the frame. It returns the frame's size.
func (fw *FrameWriter) WriteMessage(m Message, v Version) (int, error) {
	b, err := m.Encode(fw.buf[:0], v)
	if err != nil {
		return 0, err
	}
	fw.buf = b[:0]
	return fw.write(b, m.MessageType())
}

// WriteFrame writes an already encoded frame (header included) as it is. It is how a test or a
// fault injector sends deliberately broken frames.
func (fw *FrameWriter) WriteFrame(frame []byte) (int, error) {
	n, err := fw.w.Write(frame)
	if err == nil && n < len(frame) {
		err = io.ErrShortWrite
	}
	return n, err
}

func (fw *FrameWriter) write(b []byte, t MsgType) (int, error) {
	if len(b) > fw.maxSize {
		return 0, &EncodeError{Type: t, Field: "MessageLength", Msg: fmt.Sprintf("frame of %d bytes exceeds the maximum message size %d", len(b), fw.maxSize)}
	}
	n, err := fw.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return n, err
}

// AppendFrame appends a frame with the given type and body (header computed) to dst.
func AppendFrame(dst []byte, t MsgType, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	dst = binary.BigEndian.AppendUint32(dst, uint32(t))
	return append(dst, body...)
}
