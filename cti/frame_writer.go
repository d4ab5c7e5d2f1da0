package cti

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// FrameWriter is the one way frames reach a stream: the client session, the simulator and the
// tests all write through it. Messages are encoded straight into a pending buffer (Append), and
// Flush writes everything pending with one Write.
//
// It is safe for concurrent use and coalesces writes the way a database group-commits: a
// goroutine that finds no write in progress writes at once on its own goroutine (no added
// latency when the connection is idle); frames appended while that write is in the kernel are
// written together by the same goroutine as soon as it returns, so under load many frames cost
// one syscall. Frames never interleave: each is appended whole under the lock.
//
// Errors are remembered: after a failed or short write every later Append, and every Flush
// with frames left unwritten, returns the same error (a stream with half a frame on it cannot
// be resynchronised). An idle writer holds no buffer;
// buffers are shared through a pool.
type FrameWriter struct {
	w       io.Writer
	maxSize int

	// limit, when positive, refuses an Append that would leave more than limit bytes pending
	// (a peer that does not read must not make its writer grow without bound).
	limit int
	// onQueue, when set, sees every frame as it is queued, under the lock: in wire order.
	onQueue func(frame []byte)

	mu       sync.Mutex
	flushed  sync.Cond // broadcast on mu when a batch has been written or the writer stops
	out      *writeBuf // pending frames; nil when there are none
	spare    *writeBuf // the previous batch's buffer, reused for the next one
	flushing bool      // a goroutine is writing
	queued   uint64    // bytes appended since the start
	written  uint64    // bytes written since the start
	err      error     // sticky
	sealed   bool      // no more appends; what is pending is still written
}

// writeBuf is a pooled output buffer.
type writeBuf struct{ b []byte }

// writeBufs hold the buffers of writers with frames pending; an idle writer gives its back.
var writeBufs = sync.Pool{New: func() any { return &writeBuf{b: make([]byte, 0, 512)} }}

// maxPooledBuf is the largest buffer returned to the pool: one burst must not pin memory.
const maxPooledBuf = 16 << 10

// ErrWriterClosed is returned by Append once the writer is sealed or aborted.
var ErrWriterClosed = errors.New("cti: frame writer closed")

// BufferFullError is returned by Append when the frame would leave more bytes pending than the
// writer's limit: the peer is not reading.
type BufferFullError struct {
	Pending, Limit int
}

func (e *BufferFullError) Error() string {
	return fmt.Sprintf("cti: %d bytes waiting to be written, more than the limit of %d", e.Pending, e.Limit)
}

// NewFrameWriter returns a writer that refuses frames larger than maxMessageSize bytes, header
// included (0 means [DefaultMaxMessageSize]).
func NewFrameWriter(w io.Writer, maxMessageSize int) *FrameWriter {
	if maxMessageSize <= HeaderSize {
		maxMessageSize = DefaultMaxMessageSize
	}
	fw := &FrameWriter{w: w, maxSize: maxMessageSize}
	fw.flushed.L = &fw.mu
	return fw
}

// SetLimit makes Append refuse frames once more than n bytes are pending (0: no limit). Call it
// before the writer is shared.
func (fw *FrameWriter) SetLimit(n int) { fw.limit = n }

// OnQueue sets a function that sees every frame (header included) as it is queued, in the
// order the frames will be written; it runs under the writer's lock and must not keep the
// slice. Call it before the writer is shared. Tracing uses it.
func (fw *FrameWriter) OnQueue(f func(frame []byte)) { fw.onQueue = f }

// WriteMessage encodes m for version v and writes it (with anything else pending) before
// returning. It returns the frame's size.
func (fw *FrameWriter) WriteMessage(m Message, v Version) (int, error) {
	n, err := fw.Append(m, v)
	if err != nil {
		return 0, err
	}
	return n, fw.Flush()
}

// WriteFrame writes an already encoded frame (header included) as it is, without the size
// check. It is how a test or a fault injector sends deliberately broken frames.
func (fw *FrameWriter) WriteFrame(frame []byte) (int, error) {
	if err := fw.AppendFrame(frame); err != nil {
		return 0, err
	}
	return len(frame), fw.Flush()
}

// Append encodes m for version v onto the pending frames and returns the frame's size. On an
// error nothing is queued: an encoding error or an oversize frame leaves the writer usable.
func (fw *FrameWriter) Append(m Message, v Version) (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if err := fw.closedLocked(); err != nil {
		return 0, err
	}
	if fw.out == nil {
		fw.out = fw.takeBuf()
	}
	start := len(fw.out.b)
	b, err := m.Encode(fw.out.b, v)
	if err != nil {
		fw.releaseIfEmpty()
		return 0, err
	}
	n := len(b) - start
	if n > fw.maxSize {
		fw.releaseIfEmpty()
		return 0, &EncodeError{Type: m.MessageType(), Field: "MessageLength", Msg: fmt.Sprintf("frame of %d bytes exceeds the maximum message size %d", n, fw.maxSize)}
	}
	if fw.limit > 0 && len(b) > fw.limit {
		fw.releaseIfEmpty()
		return 0, &BufferFullError{Pending: len(b), Limit: fw.limit}
	}
	fw.out.b = b
	fw.queued += uint64(n)
	if fw.onQueue != nil {
		fw.onQueue(b[start:])
	}
	return n, nil
}

// AppendFrame queues an already encoded frame (header included) as it is.
func (fw *FrameWriter) AppendFrame(frame []byte) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if err := fw.closedLocked(); err != nil {
		return err
	}
	if fw.out == nil {
		fw.out = fw.takeBuf()
	}
	if fw.limit > 0 && len(fw.out.b)+len(frame) > fw.limit {
		fw.releaseIfEmpty()
		return &BufferFullError{Pending: len(fw.out.b) + len(frame), Limit: fw.limit}
	}
	start := len(fw.out.b)
	fw.out.b = append(fw.out.b, frame...)
	fw.queued += uint64(len(frame))
	if fw.onQueue != nil {
		fw.onQueue(fw.out.b[start:])
	}
	return nil
}

// Flush returns once every frame queued before the call is written, or with the error that
// stopped the writer. If another goroutine is writing, Flush waits for it: that goroutine
// writes the frames queued meanwhile, this one included, in its next Write.
func (fw *FrameWriter) Flush() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	target := fw.queued
	for {
		if fw.written >= target {
			return nil
		}
		if fw.err != nil {
			return fw.err
		}
		if !fw.flushing {
			fw.writeLocked()
			continue
		}
		fw.flushed.Wait()
	}
}

// TryFlush writes what is pending on the calling goroutine unless another goroutine is already
// writing (which then writes it); it never waits for another writer. It returns the error that
// stopped the writer, if any.
func (fw *FrameWriter) TryFlush() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if !fw.flushing && fw.err == nil && fw.out != nil && len(fw.out.b) > 0 {
		fw.writeLocked()
	}
	return fw.err
}

// NeedsFlush reports whether frames are pending and nobody is writing them: a caller that
// cannot write on its own goroutine starts one (and calls TryFlush there) only then.
func (fw *FrameWriter) NeedsFlush() bool {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return !fw.flushing && fw.err == nil && fw.out != nil && len(fw.out.b) > 0
}

// Buffered returns the number of bytes queued and not yet handed to the stream.
func (fw *FrameWriter) Buffered() int {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.out == nil {
		return 0
	}
	return len(fw.out.b)
}

// Seal refuses further appends (ErrWriterClosed); what is pending is still written by Flush.
func (fw *FrameWriter) Seal() {
	fw.mu.Lock()
	fw.sealed = true
	fw.mu.Unlock()
}

// Abort discards what is pending and makes every later call return err (ErrWriterClosed if
// nil). A write in progress is not interrupted: close the stream for that.
func (fw *FrameWriter) Abort(err error) {
	if err == nil {
		err = ErrWriterClosed
	}
	fw.mu.Lock()
	if fw.err == nil {
		fw.err = err
	}
	fw.dropLocked()
	fw.flushed.Broadcast()
	fw.mu.Unlock()
}

// Err returns the error that stopped the writer, or nil.
func (fw *FrameWriter) Err() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.err
}

func (fw *FrameWriter) closedLocked() error {
	if fw.err != nil {
		return fw.err
	}
	if fw.sealed {
		return ErrWriterClosed
	}
	return nil
}

// writeLocked writes batches until nothing is pending; mu is held on entry and exit and
// released around each Write.
func (fw *FrameWriter) writeLocked() {
	fw.flushing = true
	for fw.err == nil && fw.out != nil && len(fw.out.b) > 0 {
		batch := fw.out
		fw.out, fw.spare = fw.spare, nil
		if fw.out != nil {
			fw.out.b = fw.out.b[:0]
		}
		fw.mu.Unlock()
		n, err := fw.w.Write(batch.b)
		if err == nil && n < len(batch.b) {
			err = io.ErrShortWrite
		}
		fw.mu.Lock()
		fw.written += uint64(n)
		if err != nil {
			if fw.err == nil {
				fw.err = err
			}
			fw.dropLocked()
			putBuf(batch)
		} else if fw.spare == nil && cap(batch.b) <= maxPooledBuf {
			fw.spare = batch
		} else {
			putBuf(batch)
		}
		fw.flushed.Broadcast()
	}
	fw.flushing = false
	// Idle: give the buffers back so that thousands of quiet connections hold none.
	fw.releaseIfEmpty()
	if fw.spare != nil {
		putBuf(fw.spare)
		fw.spare = nil
	}
	fw.flushed.Broadcast()
}

func (fw *FrameWriter) takeBuf() *writeBuf {
	if fw.spare != nil {
		b := fw.spare
		fw.spare = nil
		b.b = b.b[:0]
		return b
	}
	b := writeBufs.Get().(*writeBuf)
	b.b = b.b[:0]
	return b
}

func (fw *FrameWriter) releaseIfEmpty() {
	if fw.out != nil && len(fw.out.b) == 0 {
		putBuf(fw.out)
		fw.out = nil
	}
}

// dropLocked discards the pending frames (after an error nothing more can be written).
func (fw *FrameWriter) dropLocked() {
	if fw.out != nil {
		putBuf(fw.out)
		fw.out = nil
	}
}

func putBuf(b *writeBuf) {
	if cap(b.b) <= maxPooledBuf {
		writeBufs.Put(b)
	}
}

// AppendFrame appends a frame with the given type and body (header computed) to dst.
func AppendFrame(dst []byte, t MsgType, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	dst = binary.BigEndian.AppendUint32(dst, uint32(t))
	return append(dst, body...)
}
