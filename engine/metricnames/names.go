// Package metricnames is the one home of the names of ctiload's built-in metrics: those the
// engine records itself and those the CTI layer (jsapi's ctiload/cti module) records. The
// recorders register metrics under these names and the readers (reports, the progress line,
// the outputs) look them up by the same constants, so a renamed metric cannot leave a summary
// section silently empty.
//
// It holds names only. The engine's own code reads the engine names and never the CTI ones
// (the engine knows no protocol); the CTI names live under engine/ because this is the one
// package that both jsapi (cmd → jsapi → engine) and reports (reports → engine) may import.
// Their meaning, tags and units are documented here, once.
//
// Trends are in milliseconds.
package metricnames

import "slices"

// The engine's metrics (engine/metrics.RegisterBuiltins registers them) and the VU layer's
// (jsapi's runner registers them for every script, as k6's VU layer does).
const (
	// Iterations counts completed iterations (also those that returned an error).
	Iterations = "iterations"
	// IterationDuration is the trend of completed iterations' durations.
	IterationDuration = "iteration_duration"
	// IterationStartLateness is the trend of how late each arrival-rate iteration started
	// against its schedule (start − due time), the scheduler's own coordinated omission.
	IterationStartLateness = "iteration_start_lateness"
	// DroppedIterations counts arrival-rate iterations that found no free VU or would have
	// started later than the scenario's maxStartLateness.
	DroppedIterations = "dropped_iterations"
	// InterruptedIterations counts iterations cut short by a stop, a ramp-down or an abort.
	InterruptedIterations = "interrupted_iterations"
	// FailedIterations counts completed iterations that returned an error (a script
	// exception): `failed_iterations: ['count==0']` makes them fail the run.
	FailedIterations = "failed_iterations"
	// VUs is the gauge of active VUs, sampled every second.
	VUs = "vus"
	// VUsMax is the gauge of initialised VUs, sampled every second.
	VUsMax = "vus_max"
	// Checks is the rate of passed checks, tagged check=<name> by the VU layer.
	Checks = "checks"
	// GroupDuration is the trend of group() durations, tagged group=::outer::inner by the
	// VU layer (k6's group_duration): `'group_duration{group:::login}': ['p(95)<500']`.
	GroupDuration = "group_duration"
)

// The metrics of the ctiload/cti module (jsapi registers them).
const (
	// CTIRequestDuration is the trend of request → reply latency, tags msg (request name)
	// and status ("ok" or the failure's code name).
	CTIRequestDuration = "cti_request_duration"
	// CTIRequestDurationFromSchedule is the coordinated-omission twin of
	// cti_request_duration: the same latency plus how late the iteration started compared with
	// its schedule (arrival-rate executors; for the iteration's first request, the time from
	// the intended start to the reply). It equals cti_request_duration for VU-based executors.
	// When the system under test stalls, arrival-rate iterations start late, and only this
	// metric charges that wait to the requests that suffered it.
	CTIRequestDurationFromSchedule = "cti_request_duration_from_schedule"
	// CTIRequests counts requests, tags msg and status.
	CTIRequests = "cti_requests"
	// CTIFailures counts failed requests, tags code (E_CTI_…, CF_…, E_TIMEOUT…), msg and
	// phase (init, setup, vuSetup, iteration, vuTeardown or teardown: where the script was).
	CTIFailures = "cti_failures"
	// CTIEventWaitDuration is the trend of waitFor durations, tags msg (event name) and
	// status ("ok" or "timeout").
	CTIEventWaitDuration = "cti_event_wait_duration"
	// CTISessionOpenDuration is the trend of cti.connect durations (TCP + OPEN_REQ/CONF).
	CTISessionOpenDuration = "cti_session_open_duration"
	// CTISessions counts cti.connect calls, tag result ("opened" or "failed") and, when
	// failed, code.
	CTISessions = "cti_sessions"
	// CTISessionsLost counts connections of open sessions that ended without close(), tag
	// cause (server_closed, read_error, write_error, heartbeat_missed, idle_timeout,
	// server_offline, decode_error), whether or not a fail-over followed.
	CTISessionsLost = "cti_sessions_lost"
	// CTIDecodeErrors counts malformed frames from the server, tags msg (the frame's type)
	// and reason (the E_CTI_* status a server would answer, or frame_too_large). They are never
	// handed to waitFor.
	CTIDecodeErrors = "cti_decode_errors"
	// CTIEventsDropped counts events dropped from a session's full backlog (the script did
	// not read them with waitFor or drainEvents in time), tag mode (agent or bridge).
	CTIEventsDropped = "cti_events_dropped"
	// CTIHeartbeatRTT is the trend of heartbeat round-trip times.
	CTIHeartbeatRTT = "cti_heartbeat_rtt"
	// CTIReconnects counts fail-overs and reconnections, tag result ("ok" or "failed").
	CTIReconnects = "cti_reconnects"
	// CTIReconnectDuration is the trend of outage durations (loss to new OPEN_CONF).
	CTIReconnectDuration = "cti_reconnect_duration"
	// CTIMessagesSent … CTIBytesReceived count frames and bytes (headers included).
	CTIMessagesSent     = "cti_messages_sent"
	CTIMessagesReceived = "cti_messages_received"
	CTIBytesSent        = "cti_bytes_sent"
	CTIBytesReceived    = "cti_bytes_received"
	// CTIOpenBackoffDuration is the trend of the waits a VU made before opening a session
	// again after failed opens (options.cti.openBackoff).
	CTIOpenBackoffDuration = "cti_open_backoff_duration"
	// CTIRateLimitWaitDuration is the trend of the waits for a token of the run-wide rate
	// caps, tag kind ("request": --max-request-rate, "open": --max-open-rate). Only waits are
	// recorded: a request that found a token at once adds no sample.
	CTIRateLimitWaitDuration = "cti_rate_limit_wait_duration"
)

// Engine lists the engine's metrics, VU the VU layer's, CTI the ctiload/cti module's: together
// every built-in metric; a report shows every other metric as a custom one. Each constant above
// is in exactly one of them (TestEveryNameIsListed).
var (
	Engine = []string{Iterations, IterationDuration, IterationStartLateness, DroppedIterations,
		InterruptedIterations, FailedIterations, VUs, VUsMax, Checks}
	VU  = []string{GroupDuration}
	CTI = []string{CTIRequestDuration, CTIRequestDurationFromSchedule, CTIRequests, CTIFailures,
		CTIEventWaitDuration, CTISessionOpenDuration, CTISessions, CTISessionsLost, CTIDecodeErrors,
		CTIEventsDropped, CTIHeartbeatRTT, CTIReconnects,
		CTIReconnectDuration, CTIMessagesSent, CTIMessagesReceived, CTIBytesSent, CTIBytesReceived,
		CTIOpenBackoffDuration, CTIRateLimitWaitDuration}
)

// IsBuiltin reports whether name is one of ctiload's built-in metrics.
func IsBuiltin(name string) bool {
	return slices.Contains(Engine, name) || slices.Contains(VU, name) || slices.Contains(CTI, name)
}
