package jsapi

import (
	"github.com/ctiload/ctiload/engine/metrics"
)

// Built-in metrics of the ctiload/cti module. Trends are in milliseconds.
const (
	// MetricRequestDuration is the trend of request → reply latency, tags msg (request name)
	// and status ("ok" or the failure's code name).
	MetricRequestDuration = "cti_request_duration"
	// MetricRequestDurationFromSchedule is the coordinated-omission twin of
	// cti_request_duration: the same latency plus how late the iteration started compared with
	// its schedule (arrival-rate executors; for the iteration's first request, the time from
	// the intended start to the reply). It equals cti_request_duration for VU-based executors.
	// When the system under test stalls, arrival-rate iterations start late, and only this
	// metric charges that wait to the requests that suffered it.
	MetricRequestDurationFromSchedule = "cti_request_duration_from_schedule"
	// MetricRequests counts requests written to the server, tags msg and status. A request
	// that was never written (E_NOT_SENT: its session had ended) is no request to the server:
	// it is counted in cti_failures only, and has no cti_request_duration either, so that the
	// client's counts equal the server's.
	MetricRequests = "cti_requests"
	// MetricFailures counts failed requests, tags code (E_CTI_…, CF_…, E_TIMEOUT…, E_NOT_SENT),
	// msg and phase (init, setup, vuSetup, iteration, vuTeardown or teardown: where the script
	// was).
	MetricFailures = "cti_failures"
	// MetricEventWaitDuration is the trend of waitFor durations, tags msg (event name) and
	// status ("ok" or "timeout").
	MetricEventWaitDuration = "cti_event_wait_duration"
	// MetricSessionOpenDuration is the trend of cti.connect durations (TCP + OPEN_REQ/CONF).
	MetricSessionOpenDuration = "cti_session_open_duration"
	// MetricSessions counts cti.connect calls, tag result ("opened" or "failed") and, when
	// failed, code.
	MetricSessions = "cti_sessions"
	// MetricSessionsLost counts connections of open sessions that ended without close(), tag
	// cause (server_closed, read_error, write_error, heartbeat_missed, idle_timeout,
	// server_offline, decode_error), whether or not a fail-over followed.
	MetricSessionsLost = "cti_sessions_lost"
	// MetricDecodeErrors counts malformed frames from the server, tags msg (the frame's type)
	// and reason (the E_CTI_* status a server would answer, or frame_too_large). They are never
	// handed to waitFor.
	MetricDecodeErrors = "cti_decode_errors"
	// MetricEventsDropped counts events dropped from a session's full backlog (the script did
	// not read them with waitFor or drainEvents in time), tag mode (agent or bridge).
	MetricEventsDropped = "cti_events_dropped"
	// MetricHeartbeatRTT is the trend of heartbeat round-trip times.
	MetricHeartbeatRTT = "cti_heartbeat_rtt"
	// MetricReconnects counts fail-overs and reconnections, tag result ("ok" or "failed").
	MetricReconnects = "cti_reconnects"
	// MetricReconnectDuration is the trend of outage durations (loss to new OPEN_CONF).
	MetricReconnectDuration = "cti_reconnect_duration"
	// MetricMessagesSent … MetricBytesReceived count frames and bytes (headers included).
	MetricMessagesSent     = "cti_messages_sent"
	MetricMessagesReceived = "cti_messages_received"
	MetricBytesSent        = "cti_bytes_sent"
	MetricBytesReceived    = "cti_bytes_received"
	// MetricOpenBackoffDuration is the trend of the waits a VU made before opening a session
	// again after failed opens (options.cti.openBackoff).
	MetricOpenBackoffDuration = "cti_open_backoff_duration"
	// MetricRateLimitWaitDuration is the trend of the waits for a token of the run-wide rate
	// caps, tag kind ("request": --max-request-rate, "open": --max-open-rate). Only waits are
	// recorded: a request that found a token at once adds no sample.
	MetricRateLimitWaitDuration = "cti_rate_limit_wait_duration"
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
	reg(&m.reqDuration, MetricRequestDuration, metrics.Trend, metrics.Time)
	reg(&m.reqFromSchedule, MetricRequestDurationFromSchedule, metrics.Trend, metrics.Time)
	reg(&m.requests, MetricRequests, metrics.Counter, metrics.Default)
	reg(&m.failures, MetricFailures, metrics.Counter, metrics.Default)
	reg(&m.eventWait, MetricEventWaitDuration, metrics.Trend, metrics.Time)
	reg(&m.sessionOpen, MetricSessionOpenDuration, metrics.Trend, metrics.Time)
	reg(&m.sessions, MetricSessions, metrics.Counter, metrics.Default)
	reg(&m.sessionsLost, MetricSessionsLost, metrics.Counter, metrics.Default)
	reg(&m.decodeErrors, MetricDecodeErrors, metrics.Counter, metrics.Default)
	reg(&m.eventsDropped, MetricEventsDropped, metrics.Counter, metrics.Default)
	reg(&m.heartbeatRTT, MetricHeartbeatRTT, metrics.Trend, metrics.Time)
	reg(&m.reconnects, MetricReconnects, metrics.Counter, metrics.Default)
	reg(&m.reconnectDuration, MetricReconnectDuration, metrics.Trend, metrics.Time)
	reg(&m.messagesSent, MetricMessagesSent, metrics.Counter, metrics.Default)
	reg(&m.messagesReceived, MetricMessagesReceived, metrics.Counter, metrics.Default)
	reg(&m.bytesSent, MetricBytesSent, metrics.Counter, metrics.Data)
	reg(&m.bytesReceived, MetricBytesReceived, metrics.Counter, metrics.Data)
	reg(&m.openBackoff, MetricOpenBackoffDuration, metrics.Trend, metrics.Time)
	reg(&m.rateLimitWait, MetricRateLimitWaitDuration, metrics.Trend, metrics.Time)
	if err != nil {
		return nil, err
	}
	return m, nil
}
