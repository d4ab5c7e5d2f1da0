package reports

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

// NDJSONFormat is ctiload's compact sample stream (--out ndjson=FILE): one line describing the
// run's metrics,
//
//	{"metrics":[{"name":"checks","type":"rate","contains":"default"},…]}
//
// then one self-contained line per sample, its metric's type included:
//
//	{"metric":"cti_request_duration","type":"trend","time":"2025-03-14T09:26:53.123456Z","value":1.234,"tags":{"msg":"SET_AGENT_STATE_REQ","scenario":"agents","status":"ok"}}
//
// Shorter than k6's JSON (K6JSONFormat) and easy to filter with jq line by line. reg, if not
// nil, is the run's registry, for the first line.
func NDJSONFormat(reg *metrics.Registry) SampleFormat {
	return &ndjsonFormat{reg: reg}
}

type ndjsonFormat struct {
	reg  *metrics.Registry
	tags tagJSONCache
}

func (*ndjsonFormat) Kind() string { return "ndjson" }

type metricDesc struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Contains string `json:"contains"`
}

func (f *ndjsonFormat) AppendHeader(b []byte) []byte {
	h := struct {
		Metrics []metricDesc `json:"metrics"`
	}{Metrics: []metricDesc{}}
	if f.reg != nil {
		for _, m := range f.reg.All() {
			h.Metrics = append(h.Metrics, metricDesc{Name: m.Name, Type: m.Type.String(), Contains: m.Contains.String()})
		}
	}
	j, _ := json.Marshal(h)
	b = append(b, j...)
	return append(b, '\n')
}

func (f *ndjsonFormat) AppendBatch(b []byte, batch []metrics.Sample) []byte {
	for i := range batch {
		s := &batch[i]
		if s.Metric == nil {
			continue
		}
		b = append(b, `{"metric":`...)
		b = strconv.AppendQuote(b, s.Metric.Name)
		b = append(b, `,"type":"`...)
		b = append(b, s.Metric.Type.String()...)
		b = append(b, `","time":"`...)
		b = s.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","value":`...)
		b = appendJSONNumber(b, s.Value)
		b = append(b, `,"tags":`...)
		b = append(b, f.tags.get(s.Tags)...)
		b = append(b, '}', '\n')
	}
	return b
}

// appendJSONNumber appends v in JSON; NaN and infinities, which JSON lacks, as null.
func appendJSONNumber(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// tagJSONCache holds the JSON of the tag sets seen last: a run has few distinct sets, and each
// sample would otherwise marshal its own.
type tagJSONCache struct {
	m map[string][]byte // tag set key → its JSON
}

// maxTagJSONCache bounds the cache (and csvFormat's of row tails); a script that puts unbounded values in tags empties it
// now and then rather than growing it for ever.
const maxTagJSONCache = 4096

func (c *tagJSONCache) get(t metrics.Tags) []byte {
	key := t.Key()
	if j, ok := c.m[key]; ok {
		return j
	}
	j, err := json.Marshal(t)
	if err != nil {
		j = []byte("{}")
	}
	if c.m == nil || len(c.m) >= maxTagJSONCache {
		c.m = map[string][]byte{}
	}
	c.m[key] = j
	return j
}
