package reports

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/ctiload/ctiload/engine/metrics"
)

// SampleFormat encodes samples as the lines of one file format: k6's JSON (--out json=FILE),
// ctiload's compact NDJSON (--out ndjson=FILE) or k6's CSV (--out csv=FILE). A SampleWriter
// calls it under its lock, one batch at a time, so a format may keep state (the metrics it has
// described already) without locks of its own.
type SampleFormat interface {
	// Kind is the --out kind of the format: "json", "ndjson", "csv".
	Kind() string
	// AppendHeader appends what precedes the first sample (a header line), if anything. It is
	// called once, also for a stream that gets no sample.
	AppendHeader(b []byte) []byte
	// AppendBatch appends the whole lines of a batch of samples.
	AppendBatch(b []byte, batch []metrics.Sample) []byte
}

// SampleWriter streams every sample of a run to a file in a SampleFormat: the --out json=,
// ndjson= and csv= outputs. It is an Output. Each batch reaches the underlying writer in one
// Write of whole lines, so the stream never holds half a line, even if the process dies;
// Close flushes and closes it. A SampleWriter is safe for concurrent use.
type SampleWriter struct {
	mu      sync.Mutex
	w       io.Writer
	closers []io.Closer
	format  SampleFormat
	header  bool
	buf     []byte
	err     error
	written int64
	closed  bool
	name    string // for Status: "json=FILE"
}

// NewSampleWriter returns a SampleWriter of format on w.
func NewSampleWriter(w io.Writer, format SampleFormat) *SampleWriter {
	return &SampleWriter{w: w, format: format, name: format.Kind()}
}

// CreateSampleFile creates path for a SampleWriter of format, gzip-compressed when the name
// ends in ".gz".
func CreateSampleFile(path string, format SampleFormat) (*SampleWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	var sw *SampleWriter
	if strings.HasSuffix(path, ".gz") {
		gz := gzip.NewWriter(f)
		sw = NewSampleWriter(gz, format)
		sw.closers = []io.Closer{gz, f}
	} else {
		sw = NewSampleWriter(f, format)
		sw.closers = []io.Closer{f}
	}
	sw.name = format.Kind() + "=" + path
	return sw, nil
}

// AddSamples writes a batch of samples. After an error, later batches are dropped; Close
// reports it.
func (sw *SampleWriter) AddSamples(batch []metrics.Sample) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.err != nil || sw.closed {
		return
	}
	b := sw.buf[:0]
	if !sw.header {
		b = sw.format.AppendHeader(b)
		sw.header = true
	}
	b = sw.format.AppendBatch(b, batch)
	sw.buf = b
	if len(b) == 0 {
		return
	}
	if _, err := sw.w.Write(b); err != nil {
		sw.err = err
	}
	sw.written += int64(len(batch))
	if cap(sw.buf) > 1<<20 {
		sw.buf = nil // a huge batch once should not pin its memory
	}
}

// Samples returns the number of samples written so far.
func (sw *SampleWriter) Samples() int64 {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw.written
}

// Status says how many samples the stream holds.
func (sw *SampleWriter) Status() OutputStatus {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	st := OutputStatus{Output: sw.name, Delivered: FormatThousands(sw.written) + " samples"}
	if sw.err != nil {
		st.Problems = []string{"write failed: " + sw.err.Error()}
	}
	return st
}

// Close writes the header if no sample came, then flushes and closes what CreateSampleFile
// opened. It reports the first error of the stream.
func (sw *SampleWriter) Close() error {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.closed {
		return sw.err
	}
	sw.closed = true
	if !sw.header && sw.err == nil {
		if h := sw.format.AppendHeader(nil); len(h) > 0 {
			if _, err := sw.w.Write(h); err != nil {
				sw.err = err
			}
		}
		sw.header = true
	}
	var errs []error
	for _, c := range sw.closers {
		errs = append(errs, c.Close())
	}
	if err := errors.Join(errs...); err != nil && sw.err == nil {
		sw.err = err
	}
	if sw.err != nil {
		return fmt.Errorf("sample stream: %w", sw.err)
	}
	return nil
}
