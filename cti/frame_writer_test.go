package cti

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
)

// gatedWriter records every Write; the first Write blocks until gate is closed, after telling
// entered, so a test can queue frames while a write is "in the kernel".
type gatedWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	writes  [][]byte
	entered chan struct{}
	gate    chan struct{}
	first   bool
	fail    error // returned by every Write once set
	short   bool  // the next Write writes one byte less than asked
}

func newGatedWriter() *gatedWriter {
	return &gatedWriter{entered: make(chan struct{}), gate: make(chan struct{}), first: true}
}

func (w *gatedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	first := w.first
	w.first = false
	w.mu.Unlock()
	if first && w.gate != nil {
		close(w.entered)
		<-w.gate
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail != nil {
		return 0, w.fail
	}
	n := len(p)
	if w.short {
		w.short = false
		n--
	}
	w.writes = append(w.writes, append([]byte(nil), p[:n]...))
	w.buf.Write(p[:n])
	return n, nil
}

// TestFrameWriterCoalescesConcurrentWriters: while one goroutine's write is in progress, frames
// from 50 others queue up and go out together in the next Write, each intact, none interleaved.
func TestFrameWriterCoalescesConcurrentWriters(t *testing.T) {
	w := newGatedWriter()
	fw := NewFrameWriter(w, 0)
	leaderDone := make(chan error)
	go func() {
		_, err := fw.WriteMessage(&HeartbeatReq{InvokeID: 0}, V24)
		leaderDone <- err
	}()
	<-w.entered // the leader is inside Write, holding no lock

	const writers = 50
	var queued, flushed sync.WaitGroup
	errs := make(chan error, writers)
	for i := 1; i <= writers; i++ {
		queued.Add(1)
		flushed.Add(1)
		go func() {
			defer flushed.Done()
			// A long text makes every frame big enough that an interleaving would show.
			m := &FailureConf{InvokeID: uint32(i), Status: ECTIBadMessageFormat, Text: string(bytes.Repeat([]byte{byte('a' + i%26)}, 100+i))}
			_, err := fw.Append(m, V24)
			queued.Done()
			if err == nil {
				err = fw.Flush()
			}
			errs <- err
		}()
	}
	queued.Wait()
	if got, want := fw.Buffered(), 0; got == want {
		t.Fatalf("Buffered() = 0 while the first write is held; want the queued frames")
	}
	close(w.gate)
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}
	flushed.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(w.writes) != 2 {
		t.Fatalf("%d writes; want 2 (the leader's frame, then the %d queued meanwhile in one)", len(w.writes), writers)
	}
	// Every frame decodes whole and carries its own text: nothing was cut or interleaved.
	fr := NewFrameReader(bytes.NewReader(w.buf.Bytes()), 0)
	seen := map[uint32]bool{}
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(f.Type, f.Body, V24)
		if err != nil {
			t.Fatal(err)
		}
		switch m := m.(type) {
		case *HeartbeatReq:
			seen[0] = true
		case *FailureConf:
			want := string(bytes.Repeat([]byte{byte('a' + int(m.InvokeID)%26)}, 100+int(m.InvokeID)))
			if m.Text != want {
				t.Fatalf("frame %d: text %q; want %q", m.InvokeID, m.Text, want)
			}
			seen[m.InvokeID] = true
		default:
			t.Fatalf("unexpected %T", m)
		}
	}
	if len(seen) != writers+1 {
		t.Fatalf("%d distinct frames read; want %d", len(seen), writers+1)
	}
}

// TestFrameWriterIdleFlushIsImmediate: with no write in progress, Flush writes on the caller's
// goroutine before it returns — nothing waits for a timer or another goroutine.
func TestFrameWriterIdleFlushIsImmediate(t *testing.T) {
	w := &gatedWriter{}
	fw := NewFrameWriter(w, 0)
	for i := range 3 {
		if _, err := fw.Append(&HeartbeatReq{InvokeID: uint32(i)}, V24); err != nil {
			t.Fatal(err)
		}
		if fw.Buffered() != 12 {
			t.Fatalf("Buffered() = %d; want 12", fw.Buffered())
		}
		if err := fw.Flush(); err != nil {
			t.Fatal(err)
		}
		if len(w.writes) != i+1 || fw.Buffered() != 0 {
			t.Fatalf("after Flush %d: %d writes, %d buffered; want %d writes, 0 buffered", i, len(w.writes), fw.Buffered(), i+1)
		}
	}
	// Flush with nothing queued writes nothing.
	if err := fw.Flush(); err != nil || len(w.writes) != 3 {
		t.Fatalf("empty Flush: err %v, %d writes; want nil, 3", err, len(w.writes))
	}
	// Hand-annotated: HEARTBEAT_REQ (type 5), body = InvokeID 2.
	want := []byte{
		0x00, 0x00, 0x00, 0x04, // MessageLength 4
		0x00, 0x00, 0x00, 0x05, // MessageType HEARTBEAT_REQ
		0x00, 0x00, 0x00, 0x02, // InvokeID 2
	}
	if !bytes.Equal(w.writes[2], want) {
		t.Fatalf("third write % x; want % x", w.writes[2], want)
	}
}

// TestFrameWriterErrorsAreSticky: a failed write is returned to the writer and to every later
// Append; a short write is io.ErrShortWrite; an encoding error leaves the writer usable.
func TestFrameWriterErrorsAreSticky(t *testing.T) {
	t.Run("write error", func(t *testing.T) {
		boom := errors.New("boom")
		w := &gatedWriter{fail: boom}
		fw := NewFrameWriter(w, 0)
		if _, err := fw.WriteMessage(&HeartbeatReq{}, V24); !errors.Is(err, boom) {
			t.Fatalf("WriteMessage = %v; want boom", err)
		}
		if _, err := fw.Append(&HeartbeatReq{}, V24); !errors.Is(err, boom) {
			t.Fatalf("Append after the error = %v; want boom", err)
		}
		if !errors.Is(fw.Err(), boom) {
			t.Fatalf("Err() = %v; want boom", fw.Err())
		}
	})
	t.Run("short write", func(t *testing.T) {
		w := &gatedWriter{short: true}
		fw := NewFrameWriter(w, 0)
		if _, err := fw.WriteMessage(&HeartbeatReq{}, V24); !errors.Is(err, io.ErrShortWrite) {
			t.Fatalf("WriteMessage = %v; want io.ErrShortWrite", err)
		}
		if _, err := fw.WriteMessage(&HeartbeatReq{}, V24); !errors.Is(err, io.ErrShortWrite) {
			t.Fatalf("second WriteMessage = %v; want io.ErrShortWrite (remembered)", err)
		}
		if len(w.writes) != 1 {
			t.Fatalf("%d writes; want 1: nothing more after a short write", len(w.writes))
		}
	})
	t.Run("encode error", func(t *testing.T) {
		w := &gatedWriter{}
		fw := NewFrameWriter(w, 20)
		_, err := fw.Append(&FailureConf{InvokeID: 1, Text: "longer than twenty bytes of frame"}, V24)
		var ee *EncodeError
		if !errors.As(err, &ee) {
			t.Fatalf("oversize Append = %v; want *EncodeError", err)
		}
		if fw.Buffered() != 0 {
			t.Fatalf("Buffered() = %d after a refused frame; want 0", fw.Buffered())
		}
		if _, err := fw.WriteMessage(&HeartbeatReq{InvokeID: 7}, V24); err != nil || w.buf.Len() != 12 {
			t.Fatalf("after the refusal: err %v, %d bytes written; want nil, 12", err, w.buf.Len())
		}
	})
	t.Run("limit", func(t *testing.T) {
		fw := NewFrameWriter(&gatedWriter{}, 0)
		fw.SetLimit(30)
		for i := range 2 {
			if _, err := fw.Append(&HeartbeatReq{InvokeID: uint32(i)}, V24); err != nil {
				t.Fatal(err)
			}
		}
		var full *BufferFullError
		if _, err := fw.Append(&HeartbeatReq{}, V24); !errors.As(err, &full) || full.Pending != 36 {
			t.Fatalf("third Append = %v; want *BufferFullError with 36 pending", err)
		}
	})
	t.Run("seal and abort", func(t *testing.T) {
		w := &gatedWriter{}
		fw := NewFrameWriter(w, 0)
		if _, err := fw.Append(&HeartbeatReq{}, V24); err != nil {
			t.Fatal(err)
		}
		fw.Seal()
		if _, err := fw.Append(&HeartbeatReq{}, V24); !errors.Is(err, ErrWriterClosed) {
			t.Fatalf("Append after Seal = %v; want ErrWriterClosed", err)
		}
		if err := fw.Flush(); err != nil || w.buf.Len() != 12 {
			t.Fatalf("Flush after Seal: err %v, %d bytes; want the pending frame written", err, w.buf.Len())
		}
		fw2 := NewFrameWriter(w, 0)
		_, _ = fw2.Append(&HeartbeatReq{}, V24)
		fw2.Abort(nil)
		if err := fw2.Flush(); !errors.Is(err, ErrWriterClosed) || w.buf.Len() != 12 {
			t.Fatalf("Flush after Abort: err %v, %d bytes; want ErrWriterClosed, nothing written", err, w.buf.Len())
		}
	})
}

// TestFrameWriterOnQueueInWireOrder: the OnQueue hook sees each frame exactly as written.
func TestFrameWriterOnQueueInWireOrder(t *testing.T) {
	w := &gatedWriter{}
	fw := NewFrameWriter(w, 0)
	var seen []byte
	fw.OnQueue(func(frame []byte) { seen = append(seen, frame...) })
	for i := range 4 {
		if _, err := fw.Append(&HeartbeatReq{InvokeID: uint32(i)}, V24); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.AppendFrame([]byte{0, 0, 0, 0, 0, 0, 0, 5}); err != nil {
		t.Fatal(err)
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(seen, w.buf.Bytes()) || len(w.writes) != 1 {
		t.Fatalf("hook saw % x; written % x in %d writes", seen, w.buf.Bytes(), len(w.writes))
	}
}
