package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine"
)

// CSVColumns are the columns of k6's CSV output, which CSVFormat writes in this order: the
// metric, the time and the value, then k6's default system tags (a CTI sample fills check,
// group, scenario and status; a script's own tags of these names land there too), then every
// other tag as k=v pairs joined by & (extra_tags: msg=SET_AGENT_STATE_REQ&phase=request), then
// k6's metadata, which ctiload samples do not carry.
var CSVColumns = []string{"metric_name", "timestamp", "metric_value",
	"check", "error", "error_code", "expected_response", "group", "method", "name", "proto",
	"scenario", "service", "status", "subproto", "tls_version", "url",
	"extra_tags", "metadata"}

// csvTagColumns are the tags with a column of their own: CSVColumns between metric_value and
// extra_tags.
var csvTagColumns = CSVColumns[3 : len(CSVColumns)-2]

// CSVTimeFormats are the timestamp formats of CSVFormat, k6's names: seconds since the epoch
// (unix, k6's default), milli-, micro- or nanoseconds, or RFC 3339 in UTC, to the second or
// to the nanosecond.
var CSVTimeFormats = []string{"unix", "unix_milli", "unix_micro", "unix_nano", "rfc3339", "rfc3339_nano"}

// CSVFormat is k6's CSV output (--out csv=FILE): a header row of CSVColumns, then one row per
// sample, values with six decimals as k6 writes them:
//
//	metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata
//	cti_request_duration,1741944413,1.234000,,,,,,,,,agents,,ok,,,,msg=SET_AGENT_STATE_REQ,
//
// timeFormat is one of CSVTimeFormats ("" for unix).
func CSVFormat(timeFormat string) (SampleFormat, error) {
	if timeFormat == "" {
		timeFormat = "unix"
	}
	if !slices.Contains(CSVTimeFormats, timeFormat) {
		return nil, fmt.Errorf("CSV time format %q: want one of %s", timeFormat, strings.Join(CSVTimeFormats, ", "))
	}
	f := &csvFormat{timeFormat: timeFormat, row: make([]string, len(CSVColumns))}
	f.w = csv.NewWriter(&f.buf)
	return f, nil
}

type csvFormat struct {
	timeFormat string
	buf        bytes.Buffer // what w wrote, taken by AppendBatch
	w          *csv.Writer  // quotes the fields that need it
	row        []string
	extra      []byte
}

func (*csvFormat) Kind() string { return "csv" }

func (f *csvFormat) AppendHeader(b []byte) []byte {
	_ = f.w.Write(CSVColumns) // into a bytes.Buffer: cannot fail
	return f.take(b)
}

func (f *csvFormat) AppendBatch(b []byte, batch []engine.Sample) []byte {
	for i := range batch {
		s := &batch[i]
		if s.Metric == nil {
			continue
		}
		row := f.row
		clear(row)
		row[0] = s.Metric.Name
		row[1] = f.timestamp(s.Time)
		row[2] = strconv.FormatFloat(s.Value, 'f', 6, 64)
		extra := f.extra[:0]
		for j := 0; j < s.Tags.Len(); j++ {
			tg := s.Tags.At(j)
			if k := slices.Index(csvTagColumns, tg.Key); k >= 0 {
				row[3+k] = tg.Value
				continue
			}
			if len(extra) > 0 {
				extra = append(extra, '&')
			}
			extra = append(extra, tg.Key...)
			extra = append(extra, '=')
			extra = append(extra, tg.Value...)
		}
		row[len(row)-2] = string(extra)
		f.extra = extra
		_ = f.w.Write(row)
	}
	return f.take(b)
}

// take appends what the csv.Writer wrote since the last call.
func (f *csvFormat) take(b []byte) []byte {
	f.w.Flush()
	b = append(b, f.buf.Bytes()...)
	f.buf.Reset()
	return b
}

func (f *csvFormat) timestamp(t time.Time) string {
	switch f.timeFormat {
	case "unix_milli":
		return strconv.FormatInt(t.UnixMilli(), 10)
	case "unix_micro":
		return strconv.FormatInt(t.UnixMicro(), 10)
	case "unix_nano":
		return strconv.FormatInt(t.UnixNano(), 10)
	case "rfc3339":
		return t.UTC().Format(time.RFC3339)
	case "rfc3339_nano":
		return t.UTC().Format(time.RFC3339Nano)
	}
	return strconv.FormatInt(t.Unix(), 10)
}
