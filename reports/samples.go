package reports

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

// SampleWriter writes every sample of a run as NDJSON (the --out json= stream), one object per
// line:
//
//	{"metric":"cti_request_duration","type":"trend","time":"2025-03-14T09:26:53.123456Z","value":1.234,"tags":{"msg":"SET_AGENT_STATE_REQ","scenario":"agents","status":"ok"}}
//
// preceded by one line describing the metrics ({"metrics":[{"name":…,"type":…,"contains":…}]}).
// Give Write to the engine as (part of) Config.SampleHook. Each batch reaches the underlying
// writer in one Write of whole lines, so the stream never holds half a line, even if the
// process dies; Close flushes and closes it. A SampleWriter is safe for concurrent use.
type SampleWriter struct {
	mu       sync.Mutex
	w        io.Writer
	closers  []io.Closer
	reg      *metrics.Registry
	header   bool
	buf      []byte
	tagJSON  map[string][]byte // tag set key → its JSON
	err      error
	written  int64
	closed   bool
	maxCache int
}

// NewSampleWriter returns a SampleWriter on w. reg, if not nil, is the run's registry, for the
// header line.
func NewSampleWriter(w io.Writer, reg *metrics.Registry) *SampleWriter {
	return &SampleWriter{w: w, reg: reg, tagJSON: map[string][]byte{}, maxCache: 4096}
}

// CreateSampleFile creates path for a SampleWriter, gzip-compressed when the name ends in
// ".gz".
func CreateSampleFile(path string, reg *metrics.Registry) (*SampleWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".gz") {
		gz := gzip.NewWriter(f)
		sw := NewSampleWriter(gz, reg)
		sw.closers = []io.Closer{gz, f}
		return sw, nil
	}
	sw := NewSampleWriter(f, reg)
	sw.closers = []io.Closer{f}
	return sw, nil
}

// Write writes a batch of samples. After an error, later batches are dropped; Close reports it.
func (sw *SampleWriter) Write(batch []metrics.Sample) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.err != nil || sw.closed {
		return
	}
	b := sw.buf[:0]
	if !sw.header {
		b = sw.appendHeader(b)
		sw.header = true
	}
	for i := range batch {
		b = sw.appendSample(b, &batch[i])
	}
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

type metricDesc struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Contains string `json:"contains"`
}

func (sw *SampleWriter) appendHeader(b []byte) []byte {
	h := struct {
		Metrics []metricDesc `json:"metrics"`
	}{Metrics: []metricDesc{}}
	if sw.reg != nil {
		for _, m := range sw.reg.All() {
			h.Metrics = append(h.Metrics, metricDesc{Name: m.Name, Type: m.Type.String(), Contains: m.Contains.String()})
		}
	}
	j, _ := json.Marshal(h)
	b = append(b, j...)
	return append(b, '\n')
}

func (sw *SampleWriter) appendSample(b []byte, s *metrics.Sample) []byte {
	if s.Metric == nil {
		return b
	}
	b = append(b, `{"metric":`...)
	b = strconv.AppendQuote(b, s.Metric.Name)
	b = append(b, `,"type":"`...)
	b = append(b, s.Metric.Type.String()...)
	b = append(b, `","time":"`...)
	b = s.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","value":`...)
	v := s.Value
	if math.IsNaN(v) || math.IsInf(v, 0) {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	b = append(b, `,"tags":`...)
	key := s.Tags.Key()
	tj, ok := sw.tagJSON[key]
	if !ok {
		var err error
		if tj, err = json.Marshal(s.Tags); err != nil {
			tj = []byte("{}")
		}
		if len(sw.tagJSON) >= sw.maxCache {
			clear(sw.tagJSON)
		}
		sw.tagJSON[key] = tj
	}
	b = append(b, tj...)
	return append(b, '}', '\n')
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
		if _, err := sw.w.Write(sw.appendHeader(nil)); err != nil {
			sw.err = err
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
