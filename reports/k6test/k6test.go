// Package k6test reads k6's JSON output for tests, with types written from k6's documentation
// of the format (grafana.com/docs/k6/latest/results-output/real-time/json) rather than from
// ctiload's writer, so that a test of --out json=FILE checks what a tool written for k6 sees.
package k6test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Line is one line of k6's JSON output: "type" is Metric or Point, "metric" the metric's name,
// and "data" depends on the type.
type Line struct {
	Type   string          `json:"type"`
	Metric string          `json:"metric"`
	Data   json.RawMessage `json:"data"`
}

// MetricData is the data of a Metric line.
type MetricData struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`     // gauge, rate, counter or trend
	Contains   string      `json:"contains"` // default, time or data
	Thresholds []string    `json:"thresholds"`
	Submetrics []Submetric `json:"submetrics"`
}

// Submetric is a sub-metric a threshold selects.
type Submetric struct {
	Name   string            `json:"name"`
	Suffix string            `json:"suffix"`
	Tags   map[string]string `json:"tags"`
}

// PointData is the data of a Point line: a sample.
type PointData struct {
	Time  time.Time         `json:"time"`
	Value float64           `json:"value"`
	Tags  map[string]string `json:"tags"`
}

// Stream is a k6 JSON output read back.
type Stream struct {
	Metrics map[string]MetricData  // by name
	Points  map[string][]PointData // by metric, in file order
	Lines   int
}

// Read reads k6's JSON output strictly: every line a Metric or a Point with every field the
// documentation names, each metric declared once, before its first Point.
func Read(r io.Reader) (*Stream, error) {
	st := &Stream{Metrics: map[string]MetricData{}, Points: map[string][]PointData{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var errs []error
	for n := 1; sc.Scan(); n++ {
		st.Lines = n
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d does not parse: %v: %s", n, err, sc.Text())
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(l.Data, &fields); err != nil {
			return nil, fmt.Errorf("line %d: data is not an object: %s", n, sc.Text())
		}
		var want []string
		switch l.Type {
		case "Metric":
			want = []string{"name", "type", "contains", "thresholds", "submetrics"}
			var m MetricData
			if err := json.Unmarshal(l.Data, &m); err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			if _, dup := st.Metrics[l.Metric]; dup {
				errs = append(errs, fmt.Errorf("line %d declares %s a second time", n, l.Metric))
			}
			if m.Name != l.Metric || m.Thresholds == nil {
				errs = append(errs, fmt.Errorf("line %d: name %q under metric %q, thresholds %v (want an array)", n, m.Name, l.Metric, m.Thresholds))
			}
			st.Metrics[l.Metric] = m
		case "Point":
			want = []string{"time", "value", "tags"}
			var p PointData
			if err := json.Unmarshal(l.Data, &p); err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			if _, ok := st.Metrics[l.Metric]; !ok {
				errs = append(errs, fmt.Errorf("line %d: a point of %s before its Metric line", n, l.Metric))
			}
			st.Points[l.Metric] = append(st.Points[l.Metric], p)
		default:
			return nil, fmt.Errorf("line %d: type %q, want Metric or Point", n, l.Type)
		}
		for _, f := range want {
			if _, ok := fields[f]; !ok {
				errs = append(errs, fmt.Errorf("line %d: data lacks %q: %s", n, f, sc.Text()))
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return st, errors.Join(errs...)
}
