package promrw

import (
	"strings"

	"github.com/ctiload/ctiload/engine/metrics"
)

// The one place where engine metric names become Prometheus names.
//
//	counter  cti_requests          → ctiload_cti_requests_total
//	gauge    vus                   → ctiload_vus
//	rate     checks                → ctiload_checks_total{result="pass"|"fail"}
//	trend    cti_request_duration  → ctiload_cti_request_duration_seconds   (time trends, in seconds)
//	trend    my_queue_depth        → ctiload_my_queue_depth                 (other trends, as recorded)
//
// A trend is a native histogram under its name, or, shipped as quantiles, a summary-style family:
// name{quantile="0.95"} per configured statistic (max is quantile="1"), name_count and name_sum.
const (
	// Prefix starts every metric name ctiload ships.
	Prefix = "ctiload_"
	// ResultLabel is the label that splits a rate's samples: pass (non-zero) or fail (zero),
	// as the summary counts checks.
	ResultLabel = "result"
	// TestIDLabel and SegmentLabel are added to every series: the run's testid and its
	// execution segment, so one query sums the pods of a cluster run and a label tells them
	// apart.
	TestIDLabel  = "testid"
	SegmentLabel = "segment"
	// QuantileLabel carries the statistic of a trend shipped as quantile gauges.
	QuantileLabel = "quantile"
)

// MetricName returns the name m's samples are shipped under (see the table above); a trend's
// quantile gauges use it with a quantile label, its count and sum add _count and _sum.
func MetricName(m *metrics.Metric) string {
	switch m.Type {
	case metrics.Counter, metrics.Rate:
		return Prefix + m.Name + "_total"
	case metrics.Trend:
		if m.Contains == metrics.Time {
			return Prefix + m.Name + "_seconds"
		}
	}
	return Prefix + m.Name
}

// scale converts a sample's value to the shipped unit: milliseconds to seconds for time trends.
func scale(m *metrics.Metric) float64 {
	if m.Type == metrics.Trend && m.Contains == metrics.Time {
		return 1e-3
	}
	return 1
}

// LabelName turns a tag key into a valid Prometheus label name: characters other than
// letters, digits and '_' become '_', a leading digit gets a '_' before it, and the names
// Prometheus reserves (__…) and those ctiload sets itself get a "tag_" prefix.
func LabelName(key string) string {
	ok := key != ""
	for i := 0; i < len(key) && ok; i++ {
		ok = isLabelChar(key[i], i == 0)
	}
	name := key
	if !ok {
		var b strings.Builder
		if key == "" || (key[0] >= '0' && key[0] <= '9') {
			b.WriteByte('_')
		}
		for i := 0; i < len(key); i++ {
			if isLabelChar(key[i], false) {
				b.WriteByte(key[i])
			} else {
				b.WriteByte('_')
			}
		}
		name = b.String()
	}
	switch {
	case strings.HasPrefix(name, "__"), name == TestIDLabel, name == SegmentLabel, name == QuantileLabel, name == "le":
		return "tag_" + name
	}
	return name
}

func isLabelChar(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}
