package reports_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

func TestCSVFormatLines(t *testing.T) {
	reg := metrics.NewRegistry()
	dur := reg.Trend("cti_request_duration")
	checks := reg.Rate("checks")
	at := time.Date(2025, 3, 14, 9, 26, 53, 123456789, time.UTC)
	batch := []metrics.Sample{
		{Metric: dur, Tags: metrics.NewTags("msg", "SET_AGENT_STATE_REQ", "scenario", "agents", "status", "ok"), Time: at, Value: 1.234},
		{Metric: checks, Tags: metrics.NewTags("check", "state is \"ready\", at once", "group", "::login", "scenario", "agents"), Time: at, Value: 1},
		{Metric: dur, Tags: metrics.NewTags("code", "E_CTI_INVALID_AGENT_STATE", "msg", "SET_AGENT_STATE_REQ", "phase", "request", "status", "failed"), Time: at, Value: 20},
	}
	for _, tc := range []struct {
		timeFormat, stamp string
	}{
		{"", "1741944413"},
		{"unix_milli", "1741944413123"},
		{"unix_micro", "1741944413123456"},
		{"unix_nano", "1741944413123456789"},
		{"rfc3339", "2025-03-14T09:26:53Z"},
		{"rfc3339_nano", "2025-03-14T09:26:53.123456789Z"},
	} {
		t.Run("time="+tc.timeFormat, func(t *testing.T) {
			f, err := reports.CSVFormat(tc.timeFormat)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			sw := reports.NewSampleWriter(&out, f)
			sw.AddSamples(batch)
			if err := sw.Close(); err != nil {
				t.Fatal(err)
			}
			ts := tc.stamp
			want := "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata\n" +
				"cti_request_duration," + ts + ",1.234000,,,,,,,,,agents,,ok,,,,msg=SET_AGENT_STATE_REQ,\n" +
				"checks," + ts + ",1.000000,\"state is \"\"ready\"\", at once\",,,,::login,,,,agents,,,,,,,\n" +
				"cti_request_duration," + ts + ",20.000000,,,,,,,,,,,failed,,,,code=E_CTI_INVALID_AGENT_STATE&msg=SET_AGENT_STATE_REQ&phase=request,\n"
			if out.String() != want {
				t.Errorf("CSV:\n%s\nwant:\n%s", out.String(), want)
			}
			rows, err := csv.NewReader(&out).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 4 || rows[2][3] != `state is "ready", at once` || rows[2][7] != "::login" {
				t.Errorf("parsed rows %q", rows)
			}
		})
	}
}

func TestCSVFormatRejectsUnknownTimeFormat(t *testing.T) {
	_, err := reports.CSVFormat("unix_seconds")
	if err == nil || !strings.Contains(err.Error(), "unix, unix_milli, unix_micro, unix_nano, rfc3339, rfc3339_nano") {
		t.Errorf("error %v; want the formats listed", err)
	}
}

// A gzip-compressed CSV file holds the header even when no sample came.
func TestCSVFileGzipHeaderOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "samples.csv.gz")
	f, _ := reports.CSVFormat("")
	sw, err := reports.CreateSampleFile(path, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	gz, err := gzip.NewReader(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || !slices.Equal(rows[0], reports.CSVColumns) {
		t.Errorf("rows %q; want the header alone", rows)
	}
	if st := sw.Status(); st.Output != "csv="+path {
		t.Errorf("status names %q", st.Output)
	}
}
