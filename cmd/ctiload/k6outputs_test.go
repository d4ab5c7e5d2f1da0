package main

import (
	"compress/gzip"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/reports/k6test"
)

// k6CSVHeader is the header of k6's CSV output with its default system tags (k6's docs and
// its output/csv: metric_name, timestamp, metric_value, the tags sorted, extra_tags, metadata).
var k6CSVHeader = []string{"metric_name", "timestamp", "metric_value", "check", "error", "error_code",
	"expected_response", "group", "method", "name", "proto", "scenario", "service", "status", "subproto",
	"tls_version", "url", "extra_tags", "metadata"}

// checkK6Outputs reads back the k6 JSON (gzip-compressed) and CSV outputs of a full.js run as
// tools written for k6 would, and checks that they hold exactly the samples the summary counts.
func checkK6Outputs(t *testing.T, s summaryJSON, jsonGz, csvPath string) {
	t.Helper()
	counted := []string{"cti_requests", "iterations", "cti_messages_sent", "cti_request_duration", "checks"}
	sumOf := func(metric string, values []float64) float64 {
		if metric == "cti_request_duration" || metric == "checks" {
			return float64(len(values)) // a trend's and a rate's count is their number of samples
		}
		var sum float64
		for _, v := range values {
			sum += v
		}
		return sum
	}
	since := time.Now().Add(-10 * time.Minute)

	t.Run("json", func(t *testing.T) {
		f, err := os.Open(jsonGz)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		st, err := k6test.Read(gz)
		if err != nil {
			t.Fatal(err)
		}
		m := st.Metrics["cti_request_duration"]
		if m.Type != "trend" || m.Contains != "time" || !slices.Equal(m.Thresholds, []string{"p(95)<2000"}) ||
			len(m.Submetrics) != 1 || m.Submetrics[0].Name != "cti_request_duration{msg:ANSWER_CALL_REQ}" ||
			m.Submetrics[0].Tags["msg"] != "ANSWER_CALL_REQ" {
			t.Errorf("cti_request_duration declared as %+v", m)
		}
		if c := st.Metrics["checks"]; c.Type != "rate" || !slices.Equal(c.Thresholds, []string{"rate>0.5"}) {
			t.Errorf("checks declared as %+v", c)
		}
		for _, name := range counted {
			var values []float64
			for _, p := range st.Points[name] {
				values = append(values, p.Value)
				if p.Time.Before(since) || p.Time.After(time.Now()) {
					t.Fatalf("%s point at %v: not during the run", name, p.Time)
				}
			}
			if got, want := sumOf(name, values), s.value(name, "count"); got != want || want <= 0 {
				t.Errorf("%s: the k6 JSON sums to %v; the summary counts %v", name, got, want)
			}
		}
		inScenario := 0
		for _, p := range st.Points["cti_requests"] {
			if p.Tags["msg"] == "" || p.Tags["status"] == "" {
				t.Fatalf("cti_requests point tags %v; want msg and status", p.Tags)
			}
			if p.Tags["scenario"] == "agents" {
				inScenario++ // the iterations' requests; vuSetup's login has no scenario
			}
		}
		if inScenario == 0 {
			t.Error("no cti_requests point tagged scenario=agents")
		}
	})

	t.Run("csv", func(t *testing.T) {
		f, err := os.Open(csvPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 || !slices.Equal(rows[0], k6CSVHeader) {
			t.Fatalf("header %q; want k6's %q", rows[0], k6CSVHeader)
		}
		col := func(name string) int { return slices.Index(k6CSVHeader, name) }
		values := map[string][]float64{}
		inScenario := 0
		for _, r := range rows[1:] {
			v, err := strconv.ParseFloat(r[col("metric_value")], 64)
			if err != nil {
				t.Fatalf("row %q: value: %v", r, err)
			}
			ts, err := strconv.ParseInt(r[col("timestamp")], 10, 64)
			if err != nil || ts < since.Unix() || ts > time.Now().Unix() {
				t.Fatalf("row %q: timestamp %q is not a Unix time during the run", r, r[col("timestamp")])
			}
			name := r[col("metric_name")]
			values[name] = append(values[name], v)
			if name == "cti_requests" {
				if r[col("status")] == "" || !strings.HasPrefix(r[col("extra_tags")], "msg=") {
					t.Fatalf("cti_requests row %q: want status in its column, msg in extra_tags", r)
				}
				if r[col("scenario")] == "agents" {
					inScenario++
				}
			}
			if name == "checks" && r[col("check")] == "" {
				t.Fatalf("checks row %q without its check", r)
			}
		}
		if inScenario == 0 {
			t.Error("no cti_requests row with scenario agents")
		}
		for _, name := range counted {
			if got, want := sumOf(name, values[name]), s.value(name, "count"); got != want || want <= 0 {
				t.Errorf("%s: the CSV sums to %v; the summary counts %v", name, got, want)
			}
		}
	})
}
