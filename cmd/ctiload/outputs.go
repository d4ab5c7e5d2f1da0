package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

// outputFlags are the files a run writes.
type outputFlags struct {
	outs          []string // --out json=FILE
	summaryExport string
	junit         string
	html          string
	trace         string
}

// sampleOutputs parses --out values; ctiload has one kind, json=FILE (NDJSON, .gz compressed).
func (o *outputFlags) sampleFiles() ([]string, error) {
	var files []string
	var errs []error
	for _, out := range o.outs {
		kind, file, ok := strings.Cut(out, "=")
		switch {
		case !ok && (out == "json" || out == "ndjson"):
			errs = append(errs, fmt.Errorf("--out: invalid value %q: name the file, e.g. json=samples.ndjson or json=samples.ndjson.gz", out))
		case !ok || file == "":
			errs = append(errs, fmt.Errorf("--out: invalid value %q: want json=FILE", out))
		case kind != "json" && kind != "ndjson":
			errs = append(errs, fmt.Errorf("--out: unknown output %q: ctiload writes json=FILE (one sample per line, .gz to compress)", kind))
		default:
			files = append(files, file)
		}
	}
	return files, errors.Join(errs...)
}

// checkWritable makes sure a report can be written at path at the end of the run, so that a
// long test does not fail at its last step: the folder exists and accepts a file.
func checkWritable(flag, path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s: %q is a directory; give a file name", flag, path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".ctiload-check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write %q: %v", flag, path, unwrapPathError(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// traceFile is the --trace output: every CTI frame in and out as NDJSON, decoded, with its
// time, VU and session; cti's TraceWriter renders the frame (passwords redacted there).
type traceFile struct {
	mu     sync.Mutex
	inner  cti.Observer
	line   bytes.Buffer // the inner writer's output for one frame
	w      *bufio.Writer
	closer []io.Closer
	closed bool
	err    error
	frames int64
}

func createTrace(path string) (*traceFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	t := &traceFile{}
	var w io.Writer = f
	t.closer = []io.Closer{f}
	if strings.HasSuffix(path, ".gz") {
		gz := gzip.NewWriter(f)
		w = gz
		t.closer = []io.Closer{gz, f}
	}
	t.w = bufio.NewWriterSize(w, 256<<10)
	t.inner = cti.TraceWriter(&t.line)
	return t, nil
}

// Frame implements cti.Observer. The session label the script layer gives is "vu<N>-<agent>"
// unless the script names it: the VU number is taken from there.
func (t *traceFile) Frame(f cti.TraceFrame) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.err != nil {
		return
	}
	t.line.Reset()
	t.inner.Frame(f) // one whole line, under our lock
	b := t.line.Bytes()
	if len(b) < 2 || b[0] != '{' {
		return
	}
	if vu, ok := vuOfLabel(f.Label); ok {
		t.w.WriteString(`{"vu":`)
		t.w.WriteString(strconv.FormatUint(vu, 10))
		t.w.WriteByte(',')
		t.w.Write(b[1:])
	} else {
		t.w.Write(b)
	}
	t.frames++
}

// vuOfLabel reads N from a "vuN" or "vuN-…" session label.
func vuOfLabel(label string) (uint64, bool) {
	rest, ok := strings.CutPrefix(label, "vu")
	if !ok {
		return 0, false
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		rest = rest[:i]
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	return n, err == nil
}

// Close flushes and closes the file; frames arriving later are dropped.
func (t *traceFile) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.err
	}
	t.closed = true
	errs := []error{t.w.Flush()}
	for _, c := range t.closer {
		errs = append(errs, c.Close())
	}
	if err := errors.Join(errs...); err != nil {
		t.err = err
	}
	return t.err
}

// sampleHooks fans the engine's sample batches out to the tally and the NDJSON streams.
type sampleHooks struct {
	tally   *reports.Tally
	writers []*reports.SampleWriter
}

func (h *sampleHooks) hook(batch []metrics.Sample) {
	h.tally.Add(batch)
	for _, w := range h.writers {
		w.Write(batch)
	}
}

// close closes the sample streams and returns their errors (a stream closes once; closing it
// again returns the same error).
func (h *sampleHooks) close() []error {
	var errs []error
	for _, w := range h.writers {
		if err := w.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
