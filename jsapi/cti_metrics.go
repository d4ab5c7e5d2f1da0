package jsapi

import (
	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
)

type ctiMetrics struct {
	reqDuration, reqFromSchedule, requests, failures         *metrics.Metric
	eventWait, sessionOpen, sessions                         *metrics.Metric
	sessionsLost, decodeErrors, eventsDropped                *metrics.Metric
	heartbeatRTT, reconnects, reconnectDuration              *metrics.Metric
	messagesSent, messagesReceived, bytesSent, bytesReceived *metrics.Metric
	openBackoff, rateLimitWait                               *metrics.Metric
}

func registerCTIMetrics(r *metrics.Registry) (*ctiMetrics, error) {
	m := &ctiMetrics{}
	var err error
	reg := func(dst **metrics.Metric, name string, t metrics.MetricType, vt metrics.ValueType) {
		if err != nil {
			return
		}
		*dst, err = r.NewMetric(name, t, vt)
	}
	reg(&m.reqDuration, metricnames.CTIRequestDuration, metrics.Trend, metrics.Time)
	reg(&m.reqFromSchedule, metricnames.CTIRequestDurationFromSchedule, metrics.Trend, metrics.Time)
	reg(&m.requests, metricnames.CTIRequests, metrics.Counter, metrics.Default)
	reg(&m.failures, metricnames.CTIFailures, metrics.Counter, metrics.Default)
	reg(&m.eventWait, metricnames.CTIEventWaitDuration, metrics.Trend, metrics.Time)
	reg(&m.sessionOpen, metricnames.CTISessionOpenDuration, metrics.Trend, metrics.Time)
	reg(&m.sessions, metricnames.CTISessions, metrics.Counter, metrics.Default)
	reg(&m.sessionsLost, metricnames.CTISessionsLost, metrics.Counter, metrics.Default)
	reg(&m.decodeErrors, metricnames.CTIDecodeErrors, metrics.Counter, metrics.Default)
	reg(&m.eventsDropped, metricnames.CTIEventsDropped, metrics.Counter, metrics.Default)
	reg(&m.heartbeatRTT, metricnames.CTIHeartbeatRTT, metrics.Trend, metrics.Time)
	reg(&m.reconnects, metricnames.CTIReconnects, metrics.Counter, metrics.Default)
	reg(&m.reconnectDuration, metricnames.CTIReconnectDuration, metrics.Trend, metrics.Time)
	reg(&m.messagesSent, metricnames.CTIMessagesSent, metrics.Counter, metrics.Default)
	reg(&m.messagesReceived, metricnames.CTIMessagesReceived, metrics.Counter, metrics.Default)
	reg(&m.bytesSent, metricnames.CTIBytesSent, metrics.Counter, metrics.Data)
	reg(&m.bytesReceived, metricnames.CTIBytesReceived, metrics.Counter, metrics.Data)
	reg(&m.openBackoff, metricnames.CTIOpenBackoffDuration, metrics.Trend, metrics.Time)
	reg(&m.rateLimitWait, metricnames.CTIRateLimitWaitDuration, metrics.Trend, metrics.Time)
	if err != nil {
		return nil, err
	}
	return m, nil
}
