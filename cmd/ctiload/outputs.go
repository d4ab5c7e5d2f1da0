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

	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
	"github.com/ctiload/ctiload/reports/promrw"
)

// outputFlags are the files a run writes and the streams it feeds.
type outputFlags struct {
	outs          []string // --out json=FILE, ndjson=FILE, csv=FILE, prometheus-rw[=URL]
	summaryExport string
	junit         string
	html          string
	trace         string
}

// outputSpec is one --out value: an output kind and its argument (a file, a URL).
type outputSpec struct {
	kind, arg string
}

// outputKinds are the kinds --out knows, for messages.
const outputKinds = "json=FILE (k6's JSON: a line per metric and per sample), ndjson=FILE (compact, one line per sample), " +
	"csv=FILE (k6's CSV; CTILOAD_CSV_TIME_FORMAT sets the timestamps) — .gz compresses any of them — " +
	"or prometheus-rw[=URL] (Prometheus remote write; CTILOAD_PROMETHEUS_RW_* configure it)"

// fileOutputs are the --out kinds that write a file of samples, with an example file name.
var fileOutputs = map[string]string{"json": "samples.json", "ndjson": "samples.ndjson", "csv": "samples.csv"}

// outputSpecs parses the --out values.
func (o *outputFlags) outputSpecs() ([]outputSpec, error) {
	var specs []outputSpec
	var errs []error
	for _, out := range o.outs {
		kind, arg, ok := strings.Cut(out, "=")
		example, isFile := fileOutputs[kind]
		switch {
		case kind == "prometheus-rw" || kind == "prometheus":
			specs = append(specs, outputSpec{kind: "prometheus-rw", arg: arg})
		case !isFile:
			hint := ""
			if s := suggest(kind, []string{"json", "ndjson", "csv", "prometheus-rw"}); s != "" {
				hint = fmt.Sprintf(" (did you mean %s?)", s)
			}
			errs = append(errs, fmt.Errorf("--out: unknown output %q%s: ctiload has %s", kind, hint, outputKinds))
		case !ok || arg == "":
			errs = append(errs, fmt.Errorf("--out: invalid value %q: name the file, e.g. %s=%s or %s=%s.gz", out, kind, example, kind, example))
		default:
			specs = append(specs, outputSpec{kind: kind, arg: arg})
		}
	}
	return specs, errors.Join(errs...)
}

// sampleFormat makes the format of a file output; a mistake in its configuration shows
// before the run starts.
func sampleFormat(spec outputSpec, getenv func(string) string, reg *metrics.Registry, thresholds map[string][]engine.ThresholdConfig) (reports.SampleFormat, error) {
	switch spec.kind {
	case "ndjson":
		return reports.NDJSONFormat(reg), nil
	case "csv":
		f, err := reports.CSVFormat(getenv("CTILOAD_CSV_TIME_FORMAT"))
		if err != nil {
			return nil, fmt.Errorf("--out csv=%s: CTILOAD_CSV_TIME_FORMAT: %w", spec.arg, err)
		}
		return f, nil
	}
	exprs := make(map[string][]string, len(thresholds))
	for sel, list := range thresholds {
		for _, t := range list {
			exprs[sel] = append(exprs[sel], t.Threshold)
		}
	}
	return reports.K6JSONFormat(exprs), nil
}

// prometheusConfig reads the configuration of a prometheus-rw output and checks it, so a
// mistake shows before the run starts.
func prometheusConfig(spec outputSpec, segment string) (promrw.Config, error) {
	cfg, err := promrw.ConfigFromEnv(os.Getenv, spec.arg)
	if segment != "" {
		cfg.Segment = segment
	}
	return cfg, err
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
	inner  client.Observer
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
	t.inner = client.TraceWriter(&t.line)
	return t, nil
}

// Frame implements client.Observer. The session label the script layer gives is "vu<N>-<agent>"
// unless the script names it: the VU number is taken from there.
func (t *traceFile) Frame(f client.TraceFrame) {
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

// sampleHooks fans the engine's sample batches out to the tally and the outputs.
type sampleHooks struct {
	tally   *reports.Tally
	outputs reports.Outputs
}

func (h *sampleHooks) hook(batch []metrics.Sample) {
	h.tally.Add(batch)
	h.outputs.AddSamples(batch)
}

// close closes the outputs and returns their errors (an output closes once; closing it again
// returns nothing new).
func (h *sampleHooks) close() []error {
	return h.outputs.Close()
}

// closeFiles closes the file outputs only, for the third Ctrl-C: the user wants out now, not
// after a last push to a receiver that may take its timeout.
func (h *sampleHooks) closeFiles() {
	for _, o := range h.outputs {
		if _, network := o.(*promrw.Output); !network {
			o.Close()
		}
	}
}
