package reports_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

func TestSampleStream(t *testing.T) {
	for _, name := range []string{"samples.ndjson", "samples.ndjson.gz"} {
		t.Run(name, func(t *testing.T) {
			reg := metrics.NewRegistry()
			reqs := reg.Counter("cti_requests")
			dur := reg.Trend("cti_request_duration")
			path := filepath.Join(t.TempDir(), name)
			sw, err := reports.CreateSampleFile(path, reports.NDJSONFormat(reg))
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
			tags := metrics.NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
			for i := 0; i < 3; i++ {
				sw.AddSamples([]metrics.Sample{{Metric: reqs, Tags: tags, Time: at, Value: 1}, {Metric: dur, Tags: tags, Time: at, Value: 1.5}})
			}
			if err := sw.Close(); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var r io.Reader = f
			if filepath.Ext(name) == ".gz" {
				gz, err := gzip.NewReader(f)
				if err != nil {
					t.Fatal(err)
				}
				r = gz
			}
			sc := bufio.NewScanner(r)
			var n, sum int
			var first map[string]any
			for sc.Scan() {
				var line map[string]any
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				if n == 0 {
					first = line
				} else if line["metric"] == "cti_requests" {
					sum += int(line["value"].(float64))
					if line["time"] != "2025-01-02T03:04:05.000006Z" || line["type"] != "counter" || line["tags"].(map[string]any)["msg"] != "SET_AGENT_STATE_REQ" {
						t.Errorf("sample line %s", sc.Text())
					}
				}
				n++
			}
			if _, ok := first["metrics"]; !ok {
				t.Errorf("first line %v; want the metrics description", first)
			}
			if n != 7 || sum != 3 {
				t.Errorf("%d lines, cti_requests sum %d; want 7 lines and 3", n, sum)
			}
		})
	}
}
