package cti

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"testing/iotest"
)

// chunkReader returns its chunks one Read each, then io.EOF; a nil chunk is a timeout.
type chunkReader struct {
	chunks [][]byte
	reads  int
}

var errTimeout = os.ErrDeadlineExceeded

func (c *chunkReader) Read(p []byte) (int, error) {
	c.reads++
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	ch := c.chunks[0]
	if ch == nil {
		c.chunks = c.chunks[1:]
		return 0, errTimeout
	}
	n := copy(p, ch)
	if n == len(ch) {
		c.chunks = c.chunks[1:]
	} else {
		c.chunks[0] = ch[n:]
	}
	return n, nil
}

func frames(sizes ...int) []byte {
	var b []byte
	for i, n := range sizes {
		b = AppendFrame(b, MsgType(i+1), bytes.Repeat([]byte{byte(i + 1)}, n))
	}
	return b
}

// Frames come out whole and in order however the stream is cut.
func TestIdleReaderFramesAnyChunking(t *testing.T) {
	stream := frames(4, 0, 300, 12, 5000, 100, 4, 2000)
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"halves":   iotest.HalfReader,
		"data+err": iotest.DataErrReader,
	} {
		t.Run(name, func(t *testing.T) {
			fr := NewFrameReader(NewIdleReader(wrap(bytes.NewReader(stream))), 0)
			var got []byte
			for {
				f, err := fr.ReadFrame()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = AppendFrame(got, f.Type, f.Body)
			}
			if !bytes.Equal(got, stream) {
				t.Fatalf("frames differ from the stream (%d vs %d bytes)", len(got), len(stream))
			}
		})
	}
}

// An idle connection holds no pooled buffer: one is taken only after a read that filled the
// small buffer (a burst) and given back once a read comes back short and is consumed.
func TestIdleReaderHoldsPooledBufferOnlyDuringBurst(t *testing.T) {
	burst := frames(240, 240, 240, 240, 240, 240) // 1,488 bytes
	src := &chunkReader{chunks: [][]byte{burst, frames(4)}}
	ir := NewIdleReader(src)
	fr := NewFrameReader(ir, 0)
	// Frame 1 and the next header fill the small buffer: the rest of the burst is read into a
	// pooled buffer, given back when the burst's last frame is consumed.
	want := []bool{false, true, true, true, true, false}
	for i, w := range want {
		if _, err := fr.ReadFrame(); err != nil {
			t.Fatal(err)
		}
		if ir.Bursting() != w {
			t.Errorf("after frame %d: Bursting = %v; want %v", i+1, ir.Bursting(), w)
		}
	}
	// The heartbeat answer comes alone: the small buffer, nothing pooled.
	if f, err := fr.ReadFrame(); err != nil || len(f.Body) != 4 || ir.Bursting() {
		t.Fatalf("frame %v, %v, Bursting %v", f, err, ir.Bursting())
	}
	// 1,488 bytes: 256 into the small buffer, then 1,232 into the pooled one, then the short read.
	if src.reads != 3 {
		t.Errorf("%d reads; want 3", src.reads)
	}
}

// A large body with nothing buffered is read straight into the frame's buffer.
func TestIdleReaderLargeBodyDirect(t *testing.T) {
	stream := frames(1000)
	src := &chunkReader{chunks: [][]byte{stream[:100], stream[100:]}}
	fr := NewFrameReader(NewIdleReader(src), 0)
	if f, err := fr.ReadFrame(); err != nil || len(f.Body) != 1000 {
		t.Fatalf("frame of %d bytes, %v", len(f.Body), err)
	}
	if src.reads != 2 {
		t.Errorf("%d reads; want 2", src.reads)
	}
}

// A timeout is returned once, after the bytes before it, and reading then goes on.
func TestIdleReaderTimeoutThenResume(t *testing.T) {
	src := &chunkReader{chunks: [][]byte{frames(4), nil, frames(8)}}
	fr := NewFrameReader(NewIdleReader(src), 0)
	if f, err := fr.ReadFrame(); err != nil || len(f.Body) != 4 {
		t.Fatalf("first frame: %d bytes, %v", len(f.Body), err)
	}
	if _, err := fr.ReadFrame(); !errors.Is(err, errTimeout) {
		t.Fatalf("second read: %v; want the timeout", err)
	}
	if f, err := fr.ReadFrame(); err != nil || len(f.Body) != 8 {
		t.Fatalf("after the timeout: %d bytes, %v", len(f.Body), err)
	}
	if _, err := fr.ReadFrame(); err != io.EOF {
		t.Fatalf("at the end: %v; want EOF", err)
	}
}
