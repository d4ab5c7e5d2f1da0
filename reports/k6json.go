package reports

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

// K6JSONFormat is k6's JSON output (--out json=FILE), so that tools written for k6's JSON read
// ctiload's. One JSON object per line: before a metric's first sample, a line declaring it,
//
//	{"type":"Metric","data":{"name":"cti_request_duration","type":"trend","contains":"time","thresholds":["p(95)<200"],"submetrics":[{"name":"cti_request_duration{msg:SET_AGENT_STATE_REQ}","suffix":"msg:SET_AGENT_STATE_REQ","tags":{"msg":"SET_AGENT_STATE_REQ"}}]},"metric":"cti_request_duration"}
//
// then one line per sample (times in UTC, to the nanosecond; trends in milliseconds):
//
//	{"type":"Point","data":{"time":"2025-03-14T09:26:53.123456789Z","value":1.234,"tags":{"msg":"SET_AGENT_STATE_REQ","status":"ok"}},"metric":"cti_request_duration"}
//
// thresholds are the run's threshold expressions by metric selector ("metric" or
// "metric{tag:value}"), as the script wrote them: as in k6, a Metric line lists the thresholds
// on the metric itself under "thresholds", and each selector with tags as a sub-metric.
func K6JSONFormat(thresholds map[string][]string) SampleFormat {
	f := &k6JSONFormat{declared: map[*metrics.Metric]bool{}, byName: map[string]*k6MetricInfo{}}
	for sel, exprs := range thresholds {
		name, tags, err := metrics.ParseMetricKey(sel)
		if err != nil {
			continue // the run refuses it before it starts
		}
		info := f.byName[name]
		if info == nil {
			info = &k6MetricInfo{Thresholds: []string{}}
			f.byName[name] = info
		}
		if tags.Len() == 0 {
			info.Thresholds = append(info.Thresholds, exprs...)
			continue
		}
		key := metrics.MetricKey(name, tags)
		suffix := strings.TrimSuffix(strings.TrimPrefix(key[len(name):], "{"), "}")
		if !slices.ContainsFunc(info.Submetrics, func(s k6Submetric) bool { return s.Name == key }) {
			info.Submetrics = append(info.Submetrics, k6Submetric{Name: key, Suffix: suffix, Tags: tags})
		}
	}
	for _, info := range f.byName {
		slices.SortFunc(info.Submetrics, func(a, b k6Submetric) int { return strings.Compare(a.Name, b.Name) })
	}
	return f
}

type k6JSONFormat struct {
	declared map[*metrics.Metric]bool
	byName   map[string]*k6MetricInfo
	tags     tagJSONCache
}

// k6MetricInfo is what a Metric line says besides the metric's name and types.
type k6MetricInfo struct {
	Thresholds []string      // never nil: k6 writes [] for none
	Submetrics []k6Submetric // nil: k6 writes null for none
}

// k6Submetric is a sub-metric as k6's JSON output declares it.
type k6Submetric struct {
	Name   string       `json:"name"`   // "metric{tag:value}"
	Suffix string       `json:"suffix"` // "tag:value"
	Tags   metrics.Tags `json:"tags"`
}

func (*k6JSONFormat) Kind() string { return "json" }

// AppendHeader appends nothing: k6's JSON declares each metric before its first sample.
func (*k6JSONFormat) AppendHeader(b []byte) []byte { return b }

func (f *k6JSONFormat) AppendBatch(b []byte, batch []metrics.Sample) []byte {
	for i := range batch {
		s := &batch[i]
		if s.Metric == nil {
			continue
		}
		if !f.declared[s.Metric] {
			f.declared[s.Metric] = true
			b = f.appendMetric(b, s.Metric)
		}
		b = append(b, `{"type":"Point","data":{"time":"`...)
		b = s.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","value":`...)
		b = appendJSONNumber(b, s.Value)
		b = append(b, `,"tags":`...)
		b = append(b, f.tags.get(s.Tags)...)
		b = append(b, `},"metric":`...)
		b = strconv.AppendQuote(b, s.Metric.Name)
		b = append(b, '}', '\n')
	}
	return b
}

func (f *k6JSONFormat) appendMetric(b []byte, m *metrics.Metric) []byte {
	info := f.byName[m.Name]
	if info == nil {
		info = &k6MetricInfo{Thresholds: []string{}}
	}
	line := struct {
		Type string `json:"type"`
		Data struct {
			Name       string        `json:"name"`
			Type       string        `json:"type"`
			Contains   string        `json:"contains"`
			Thresholds []string      `json:"thresholds"`
			Submetrics []k6Submetric `json:"submetrics"`
		} `json:"data"`
		Metric string `json:"metric"`
	}{Type: "Metric", Metric: m.Name}
	line.Data.Name, line.Data.Type, line.Data.Contains = m.Name, m.Type.String(), m.Contains.String()
	line.Data.Thresholds, line.Data.Submetrics = info.Thresholds, info.Submetrics
	// Thresholds hold '<' and '>': written as they are, as k6 does, not as \u003c.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(line); err != nil {
		return b
	}
	return append(b, buf.Bytes()...) // Encode ends the line
}
