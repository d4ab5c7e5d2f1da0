package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
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
	f := &csvFormat{timeFormat: timeFormat}
	f.w = csv.NewWriter(&f.buf)
	return f, nil
}

type csvFormat struct {
	timeFormat string
	buf        bytes.Buffer // what w wrote, taken by take
	w          *csv.Writer  // quotes the fields that need it
	tails      map[string][]byte
}

func (*csvFormat) Kind() string { return "csv" }

func (f *csvFormat) AppendHeader(b []byte) []byte {
	_ = f.w.Write(CSVColumns) // into a bytes.Buffer: cannot fail
	return f.take(b)
}

// AppendBatch writes the metric's name, the time and the value as they are (a metric name is
// letters, digits and '_'; neither a number nor a timestamp holds a comma or a quote), then
// the row's tail, the tag columns, quoted where needed: the same for every sample of a tag set,
// so made once per set.
func (f *csvFormat) AppendBatch(b []byte, batch []metrics.Sample) []byte {
	for i := range batch {
		s := &batch[i]
		if s.Metric == nil {
			continue
		}
		b = append(b, s.Metric.Name...)
		b = append(b, ',')
		b = f.appendTimestamp(b, s.Time)
		b = append(b, ',')
		b = strconv.AppendFloat(b, s.Value, 'f', 6, 64)
		b = append(b, ',')
		b = append(b, f.tail(s.Tags)...)
	}
	return b
}

// tail returns the tag columns, extra_tags and metadata of a row with tags, and the newline.
func (f *csvFormat) tail(tags metrics.Tags) []byte {
	key := tags.Key()
	if t, ok := f.tails[key]; ok {
		return t
	}
	row := make([]string, len(CSVColumns)-3)
	var extra []string
	for j := 0; j < tags.Len(); j++ {
		tg := tags.At(j)
		if k := slices.Index(csvTagColumns, tg.Key); k >= 0 {
			row[k] = tg.Value
			continue
		}
		extra = append(extra, tg.Key+"="+tg.Value) // sorted by key, as tags are
	}
	row[len(row)-2] = strings.Join(extra, "&")
	_ = f.w.Write(row)
	t := f.take(nil)
	if f.tails == nil || len(f.tails) >= maxTagJSONCache {
		f.tails = map[string][]byte{} // unbounded tag values: start over rather than grow
	}
	f.tails[key] = t
	return t
}

// take appends what the csv.Writer wrote since the last call.
func (f *csvFormat) take(b []byte) []byte {
	f.w.Flush()
	b = append(b, f.buf.Bytes()...)
	f.buf.Reset()
	return b
}

func (f *csvFormat) appendTimestamp(b []byte, t time.Time) []byte {
	switch f.timeFormat {
	case "unix_milli":
		return strconv.AppendInt(b, t.UnixMilli(), 10)
	case "unix_micro":
		return strconv.AppendInt(b, t.UnixMicro(), 10)
	case "unix_nano":
		return strconv.AppendInt(b, t.UnixNano(), 10)
	case "rfc3339":
		return t.UTC().AppendFormat(b, time.RFC3339)
	case "rfc3339_nano":
		return t.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	return strconv.AppendInt(b, t.Unix(), 10)
}
