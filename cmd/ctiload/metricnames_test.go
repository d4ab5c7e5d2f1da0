package main

import (
	"testing"

	"github.com/ctiload/ctiload/jsapi"
	"github.com/ctiload/ctiload/reports"
)

// TestReportsKnowTheScriptMetrics: reports may import only the engine (the dependency rule), so
// it keeps its own copy of the ctiload/cti metric names; this test, in the one package that sees
// both, fails the moment the copies drift and a summary section would silently go empty.
func TestReportsKnowTheScriptMetrics(t *testing.T) {
	pairs := []struct{ reports, jsapi string }{
		{reports.MetricRequestDuration, jsapi.MetricRequestDuration},
		{reports.MetricRequestDurationFromSchedule, jsapi.MetricRequestDurationFromSchedule},
		{reports.MetricRequests, jsapi.MetricRequests},
		{reports.MetricFailures, jsapi.MetricFailures},
		{reports.MetricEventWaitDuration, jsapi.MetricEventWaitDuration},
		{reports.MetricSessionOpenDuration, jsapi.MetricSessionOpenDuration},
		{reports.MetricSessions, jsapi.MetricSessions},
		{reports.MetricSessionsLost, jsapi.MetricSessionsLost},
		{reports.MetricDecodeErrors, jsapi.MetricDecodeErrors},
		{reports.MetricEventsDropped, jsapi.MetricEventsDropped},
		{reports.MetricHeartbeatRTT, jsapi.MetricHeartbeatRTT},
		{reports.MetricReconnects, jsapi.MetricReconnects},
		{reports.MetricReconnectDuration, jsapi.MetricReconnectDuration},
		{reports.MetricMessagesSent, jsapi.MetricMessagesSent},
		{reports.MetricMessagesReceived, jsapi.MetricMessagesReceived},
		{reports.MetricBytesSent, jsapi.MetricBytesSent},
		{reports.MetricBytesReceived, jsapi.MetricBytesReceived},
		{reports.MetricOpenBackoffDuration, jsapi.MetricOpenBackoffDuration},
		{reports.MetricRateLimitWaitDuration, jsapi.MetricRateLimitWaitDuration},
	}
	for _, p := range pairs {
		if p.reports != p.jsapi {
			t.Errorf("reports knows the metric as %q; the script layer records %q", p.reports, p.jsapi)
		}
	}
}
