package cti

import (
	"errors"
	"fmt"
	"io"
)

// ErrFrameTooLarge is matched (errors.Is) by a [*FrameTooLargeError].
var ErrFrameTooLarge = errors.New("cti: frame too large")

// FrameTooLargeError is returned when a header announces more bytes than the configured maximum.
// It is detected on the header, before any buffer is allocated; the stream cannot be resynchronised.
type FrameTooLargeError struct {
	Type   MsgType
	Length uint32 // MessageLength from the header (bytes after the header)
	Max    uint32 // the largest MessageLength accepted
}

func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("cti: frame too large: %s announces %d bytes after the header, maximum is %d", e.Type, e.Length, e.Max)
}

// Is makes errors.Is(err, ErrFrameTooLarge) true.
func (e *FrameTooLargeError) Is(target error) bool { return target == ErrFrameTooLarge }

// Status is the E_CTI_* code a CTI Server answers for this error.
func (e *FrameTooLargeError) Status() Status { return ECTIBadMessageFormat }

// TruncatedFrameError is returned when a stream ends inside a frame. It matches
// errors.Is(err, io.ErrUnexpectedEOF).
type TruncatedFrameError struct {
	Offset int64   // stream offset of the frame's first header byte
	Type   MsgType // 0 when the header itself was cut
	Header bool    // the header was cut
	Got    int     // bytes of the header (or body) that arrived
	Want   int     // bytes it needed
}

func (e *TruncatedFrameError) Error() string {
	if e.Header {
		return fmt.Sprintf("cti: truncated frame at offset %d: header cut after %d of %d bytes", e.Offset, e.Got, e.Want)
	}
	return fmt.Sprintf("cti: truncated %s at offset %d: header announces %d bytes after it, stream ends after %d", e.Type, e.Offset, e.Want, e.Got)
}

// Is makes errors.Is(err, io.ErrUnexpectedEOF) true.
func (e *TruncatedFrameError) Is(target error) bool { return target == io.ErrUnexpectedEOF }

// ProtocolError describes a malformed message: where it is, what is wrong, and which E_CTI_* status
// a real server would answer for it.
type ProtocolError struct {
	Offset int     // byte offset counted from the first header byte of the frame
	Type   MsgType // message type of the frame
	Tag    uint16  // floating-field tag involved, 0 if none
	Code   Status  // E_CTI_BAD_MESSAGE_FORMAT, E_CTI_INVALID_FIELD_LENGTH, …
	Msg    string
}

func (e *ProtocolError) Error() string {
	if e.Tag != 0 {
		return fmt.Sprintf("cti: %s: offset %d: tag %d (%s): %s", e.Type, e.Offset, e.Tag, TagName(e.Tag), e.Msg)
	}
	return fmt.Sprintf("cti: %s: offset %d: %s", e.Type, e.Offset, e.Msg)
}

// Status is the E_CTI_* code a CTI Server answers for this error.
func (e *ProtocolError) Status() Status { return e.Code }

// EncodeError is returned by Encode when a value does not fit the wire (a string longer than its
// field's maximum, too many group elements for a count field).
type EncodeError struct {
	Type  MsgType
	Field string
	Msg   string
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("cti: encode %s: %s: %s", e.Type, e.Field, e.Msg)
}
