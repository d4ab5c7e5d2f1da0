package cti

import (
	"io"
	"sync"
)

// IdleReader buffers reads from a connection that is idle most of the time, as most CTI
// connections are: an agent desktop reads a heartbeat answer every few seconds. A bufio.Reader
// would hold its buffer for the life of the connection, and ten thousand idle sessions would
// hold ten thousand buffers while blocked in Read. IdleReader reads into a small array of its
// own (big enough for a header and a typical event in one read), reads a large body straight
// into the caller's slice, and takes a pooled buffer only while a burst lasts: after a read
// that filled its buffer (the kernel had more waiting), until a read that did not. So a burst
// still costs one read per buffer, and a connection blocked in Read holds no pooled buffer.
//
// Like bufio.Reader, it returns the bytes it has before an error, and returns an error once:
// after a read deadline expires, the next Read reads again.
type IdleReader struct {
	r          io.Reader
	small      [idleReadSize]byte
	big        *readBuf // from readBufs while a burst lasts; nil otherwise
	buf        []byte   // small[:] or big.b
	rpos, wpos int      // unread bytes are buf[rpos:wpos]
	full       bool     // the last read filled buf: more is probably waiting
	err        error
}

const (
	// idleReadSize holds a header and a typical event (AGENT_STATE_EVENT, a small call event)
	// in one read.
	idleReadSize = 256
	// burstReadSize is the pooled buffer of a burst.
	burstReadSize = 4096
)

type readBuf struct{ b []byte }

var readBufs = sync.Pool{New: func() any { return &readBuf{b: make([]byte, burstReadSize)} }}

// NewIdleReader returns an IdleReader reading from r.
func NewIdleReader(r io.Reader) *IdleReader {
	ir := &IdleReader{r: r}
	ir.buf = ir.small[:]
	return ir
}

// Read reads up to len(p) bytes.
func (ir *IdleReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if ir.rpos == ir.wpos {
		if ir.err != nil {
			return 0, ir.readErr()
		}
		if len(p) >= len(ir.small) && !ir.full {
			// A large read with nothing buffered and no burst under way: straight into p.
			n, err := ir.r.Read(p)
			if n < 0 {
				panic("cti: IdleReader: reader returned a negative count")
			}
			return n, err
		}
		ir.fill()
		if ir.rpos == ir.wpos {
			return 0, ir.readErr()
		}
	}
	n := copy(p, ir.buf[ir.rpos:ir.wpos])
	ir.rpos += n
	if ir.rpos == ir.wpos {
		ir.drained()
	}
	return n, nil
}

// Pending returns the bytes buffered and not yet read, without reading: valid until the next
// Read.
func (ir *IdleReader) Pending() []byte { return ir.buf[ir.rpos:ir.wpos] }

// Bursting reports whether a pooled buffer is held (a burst is under way).
func (ir *IdleReader) Bursting() bool { return ir.big != nil }

// fill reads once into an empty buffer: the pooled one if the last read filled its buffer.
func (ir *IdleReader) fill() {
	ir.rpos, ir.wpos = 0, 0
	if ir.full && ir.big == nil {
		ir.big = readBufs.Get().(*readBuf)
		ir.buf = ir.big.b
	}
	for range 100 {
		n, err := ir.r.Read(ir.buf)
		if n < 0 {
			panic("cti: IdleReader: reader returned a negative count")
		}
		ir.wpos = n
		ir.full = n == len(ir.buf)
		if err != nil {
			ir.err = err
		}
		if n > 0 || err != nil {
			if n == 0 {
				ir.drained()
			}
			return
		}
	}
	ir.err = io.ErrNoProgress
	ir.drained()
}

// drained runs when the buffer is empty: the pooled buffer goes back unless a burst goes on.
func (ir *IdleReader) drained() {
	ir.rpos, ir.wpos = 0, 0
	if ir.big != nil && !ir.full {
		readBufs.Put(ir.big)
		ir.big = nil
		ir.buf = ir.small[:]
	}
}

func (ir *IdleReader) readErr() error {
	err := ir.err
	ir.err = nil
	ir.full = false
	ir.drained()
	return err
}
