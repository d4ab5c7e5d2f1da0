package reports_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
	"github.com/ctiload/ctiload/reports/k6test"
)

func TestK6JSONFormatLines(t *testing.T) {
	reg := metrics.NewRegistry()
	dur := reg.Trend("cti_request_duration")
	vus := reg.Gauge("vus")
	var out bytes.Buffer
	sw := reports.NewSampleWriter(&out, reports.K6JSONFormat(map[string][]string{
		"cti_request_duration":                              {"p(95)<200", "max<1000"},
		"cti_request_duration{ status : ok, msg:CLOSE_REQ}": {"avg<5"},
		"iterations": {"count>0"},
	}))
	at := time.Date(2025, 3, 14, 9, 26, 53, 123456789, time.FixedZone("CET", 3600))
	tags := metrics.NewTags("status", "ok", "msg", "SET_AGENT_STATE_REQ", "scenario", "agents")
	sw.AddSamples([]metrics.Sample{{Metric: vus, Time: at, Value: 5}, {Metric: dur, Tags: tags, Time: at, Value: 1.234}})
	sw.AddSamples([]metrics.Sample{{Metric: dur, Tags: tags, Time: at.Add(time.Second), Value: 0.5}})
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"type":"Metric","data":{"name":"vus","type":"gauge","contains":"default","thresholds":[],"submetrics":null},"metric":"vus"}`,
		`{"type":"Point","data":{"time":"2025-03-14T08:26:53.123456789Z","value":5,"tags":{}},"metric":"vus"}`,
		`{"type":"Metric","data":{"name":"cti_request_duration","type":"trend","contains":"time","thresholds":["p(95)<200","max<1000"],"submetrics":[{"name":"cti_request_duration{msg:CLOSE_REQ,status:ok}","suffix":"msg:CLOSE_REQ,status:ok","tags":{"msg":"CLOSE_REQ","status":"ok"}}]},"metric":"cti_request_duration"}`,
		`{"type":"Point","data":{"time":"2025-03-14T08:26:53.123456789Z","value":1.234,"tags":{"msg":"SET_AGENT_STATE_REQ","scenario":"agents","status":"ok"}},"metric":"cti_request_duration"}`,
		`{"type":"Point","data":{"time":"2025-03-14T08:26:54.123456789Z","value":0.5,"tags":{"msg":"SET_AGENT_STATE_REQ","scenario":"agents","status":"ok"}},"metric":"cti_request_duration"}`,
	}
	if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("k6 JSON:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	st, err := k6test.Read(&out)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Metrics["cti_request_duration"]; m.Type != "trend" || m.Contains != "time" || len(m.Submetrics) != 1 || m.Submetrics[0].Tags["msg"] != "CLOSE_REQ" {
		t.Errorf("metric declaration %+v", m)
	}
	if p := st.Points["cti_request_duration"]; len(p) != 2 || !p[0].Time.Equal(at) || p[1].Value != 0.5 || p[0].Tags["scenario"] != "agents" {
		t.Errorf("points %+v", p)
	}
	if got := sw.Status(); got.Output != "json" || got.Delivered != "3 samples" {
		t.Errorf("status %+v", got)
	}
}

// An empty run leaves an empty k6 JSON file: k6 writes nothing before a metric's first sample.
func TestK6JSONFormatEmpty(t *testing.T) {
	var out bytes.Buffer
	sw := reports.NewSampleWriter(&out, reports.K6JSONFormat(nil))
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("empty stream wrote %q", out.String())
	}
}

// BenchmarkSampleFormats: the cost of a sample in each file format, on the aggregator's
// goroutine (the whole sample pipeline waits for it).
func BenchmarkSampleFormats(b *testing.B) {
	reg := metrics.NewRegistry()
	dur := reg.Trend("cti_request_duration")
	tags := metrics.NewTags("status", "ok", "msg", "SET_AGENT_STATE_REQ", "scenario", "agents")
	batch := make([]metrics.Sample, 256)
	for i := range batch {
		batch[i] = metrics.Sample{Metric: dur, Tags: tags, Time: time.Unix(1741944413, int64(i)), Value: float64(i) / 7}
	}
	for _, kind := range []string{"json", "ndjson", "csv"} {
		b.Run(kind, func(b *testing.B) {
			var f reports.SampleFormat
			switch kind {
			case "json":
				f = reports.K6JSONFormat(nil)
			case "ndjson":
				f = reports.NDJSONFormat(reg)
			default:
				f, _ = reports.CSVFormat("")
			}
			sw := reports.NewSampleWriter(io.Discard, f)
			b.ReportAllocs()
			for b.Loop() {
				sw.AddSamples(batch)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/sample")
		})
	}
}
