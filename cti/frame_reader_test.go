package cti

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func hexFrame(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hexDecodeSpaced(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFrameReaderRejectsOversizeBeforeAllocating(t *testing.T) {
	// MessageLength 0x80000000 (2^31): must fail on the header, not try to allocate 2 GiB.
	in := hexFrame(t, "80000000 00000005 01020304")
	fr := NewFrameReader(bytes.NewReader(in), 0)
	allocs := testing.AllocsPerRun(1, func() {
		fr = NewFrameReader(bytes.NewReader(in), 0)
		_, _ = fr.ReadFrame()
	})
	_, err := fr.ReadFrame()
	var tooLarge *FrameTooLargeError
	if !errors.As(err, &tooLarge) || !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("ReadFrame = %v; want *FrameTooLargeError", err)
	}
	if tooLarge.Length != 1<<31 || tooLarge.Max != DefaultMaxMessageSize-HeaderSize || tooLarge.Type != MsgHeartbeatReq {
		t.Fatalf("error = %+v; want length 2^31, max %d, HEARTBEAT_REQ", tooLarge, DefaultMaxMessageSize-HeaderSize)
	}
	if allocs > 4 {
		t.Fatalf("oversize frame cost %v allocations; the body must not be allocated", allocs)
	}
	// The stream cannot be resynchronised: the error sticks.
	if _, err2 := fr.ReadFrame(); !errors.Is(err2, ErrFrameTooLarge) {
		t.Fatalf("second ReadFrame = %v; want the same error", err2)
	}
}

func TestFrameReaderLimitIsASetting(t *testing.T) {
	body := make([]byte, 100)
	frame := AppendFrame(nil, MsgHeartbeatReq, body)
	if _, err := NewFrameReader(bytes.NewReader(frame), 100).ReadFrame(); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("100-byte limit: ReadFrame = %v; want ErrFrameTooLarge for a 108-byte frame", err)
	}
	if _, err := NewFrameReader(bytes.NewReader(frame), 108).ReadFrame(); err != nil {
		t.Fatalf("108-byte limit: ReadFrame = %v; want the frame", err)
	}
}

func TestFrameReaderTruncation(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty stream", "", io.EOF},
		{"header cut", "000000", io.ErrUnexpectedEOF},
		{"body cut", "00000004 00000005 0102", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFrameReader(bytes.NewReader(hexFrame(t, tt.in)), 0).ReadFrame()
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadFrame(%s) = %v; want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestFrameReaderByteByByteAndReuse(t *testing.T) {
	var stream []byte
	for i := 0; i < 3; i++ {
		stream, _ = (&HeartbeatReq{InvokeID: uint32(i + 1)}).Encode(stream, V20)
	}
	fr := NewFrameReader(iotest.OneByteReader(bytes.NewReader(stream)), 0)
	for i := 0; i < 3; i++ {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Type != MsgHeartbeatReq || f.Offset != int64(12*i) {
			t.Fatalf("frame %d = %s at %d; want HEARTBEAT_REQ at %d", i, f.Type, f.Offset, 12*i)
		}
		m, err := Decode(f.Type, f.Body, V20)
		if err != nil || m.(*HeartbeatReq).InvokeID != uint32(i+1) {
			t.Fatalf("frame %d decodes to %v, %v; want InvokeID %d", i, m, err, i+1)
		}
	}
	if _, err := fr.ReadFrame(); err != io.EOF {
		t.Fatalf("after the last frame: %v; want io.EOF", err)
	}
}

func TestFrameWriterOneWritePerFrame(t *testing.T) {
	var w countingWriter
	fw := NewFrameWriter(&w, 0)
	for i := 0; i < 5; i++ {
		if _, err := fw.WriteMessage(&HeartbeatReq{InvokeID: uint32(i)}, V20); err != nil {
			t.Fatal(err)
		}
	}
	if w.writes != 5 || w.Len() != 60 {
		t.Fatalf("writes = %d, bytes = %d; want 5 writes of 12 bytes", w.writes, w.Len())
	}
	small := NewFrameWriter(&w, 20)
	_, err := small.WriteMessage(&FailureConf{InvokeID: 1, Status: ECTIBadMessageFormat, Text: "this text makes the frame longer than twenty bytes"}, V20)
	var ee *EncodeError
	if !errors.As(err, &ee) {
		t.Fatalf("oversize WriteMessage = %v; want *EncodeError", err)
	}
}

type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// timeoutReader returns a timeout error once, then reads from r.
type timeoutReader struct {
	r       io.Reader
	timeout bool
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

func (t *timeoutReader) Read(p []byte) (int, error) {
	if t.timeout {
		t.timeout = false
		return 0, timeoutErr{}
	}
	return t.r.Read(p)
}

func TestFrameReaderTimeoutAtBoundaryIsNotFatal(t *testing.T) {
	frame, _ := (&HeartbeatReq{InvokeID: 3}).Encode(nil, V20)
	tr := &timeoutReader{r: bytes.NewReader(frame), timeout: true}
	fr := NewFrameReader(tr, 0)
	if _, err := fr.ReadFrame(); !isTimeout(err) {
		t.Fatalf("first ReadFrame = %v; want the timeout", err)
	}
	f, err := fr.ReadFrame()
	if err != nil || f.Type != MsgHeartbeatReq {
		t.Fatalf("ReadFrame after a timeout = %v, %v; want the HEARTBEAT_REQ", f.Type, err)
	}
}

func TestFrameReaderShrinksAfterALargeFrame(t *testing.T) {
	var stream []byte
	stream = AppendFrame(stream, MsgFailureConf, make([]byte, 10000))
	stream, _ = (&HeartbeatReq{InvokeID: 1}).Encode(stream, V20)
	fr := NewFrameReader(bytes.NewReader(stream), 0)
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if cap(fr.buf) > shrinkAbove {
		t.Fatalf("buffer capacity %d after a small frame; want it shrunk to at most %d", cap(fr.buf), shrinkAbove)
	}
}
