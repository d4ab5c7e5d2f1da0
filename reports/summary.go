package reports

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
)

// Reporter writes one report of a Summary to w. NewTextReporter, NewJSONReporter,
// NewJUnitReporter and NewHTMLReporter make them.
type Reporter func(w io.Writer) error

// BreakdownTags are the tag keys a run should break its metrics down by for the summary to have
// every table: the engine's defaults plus "result" (sessions opened or failed, reconnections),
// "kind" (rate-cap waits for requests or opens), "cause" (lost sessions), "reason" (malformed
// frames) and "mode" (events dropped by session kind). Pass them as engine.Config.BreakdownTags.
func BreakdownTags() []string {
	return append(slices.Clone(engine.DefaultBreakdownTags), "result", "kind", "cause", "reason", "mode")
}

// DefaultLatencyColumns are the latency columns of the summary tables (REQUESTS, EVENT WAITS,
// …) unless SummaryOptions.TrendStats chooses others. They are not the keys a trend's summary
// carries (metrics.DefaultTrendStats): a column the summary lacks is computed from the histogram.
var DefaultLatencyColumns = []string{"min", "p(50)", "p(90)", "p(95)", "p(99)", "p(99.9)", "max"}

// RunInfo describes a run for the reports' headers: what ran, against what.
type RunInfo struct {
	Script    string         `json:"script,omitempty"`
	Target    string         `json:"target,omitempty"`    // the address(es) the VUs connected to
	Simulator *SimulatorInfo `json:"simulator,omitempty"` // set when the target was the built-in simulator
	Scenarios []ScenarioInfo `json:"scenarios,omitempty"`
	Seed      int64          `json:"seed,omitempty"` // replays the run's random choices
	Version   string         `json:"version,omitempty"`
	// Parts is the number of summaries merged into this one (ctiload merge); 0 for a single run.
	Parts int `json:"parts,omitempty"`
	// Outputs say what each --out stream delivered, and what it could not.
	Outputs []OutputStatus `json:"outputs,omitempty"`
}

// SimulatorInfo describes the built-in simulator a run used.
type SimulatorInfo struct {
	Addrs    []string `json:"addrs"` // side A, and side B of a duplex pair
	Product  string   `json:"product"`
	Agents   int      `json:"agents"`
	CallRate float64  `json:"call_rate,omitempty"` // inbound calls per second
	Faults   string   `json:"faults,omitempty"`    // the injected faults, as flags give them
	// Counters are what the simulator did, as `ctiload sim --json` prints them (sessions, requests,
	// failures sent by code, faults injected, calls by outcome, skill groups), taken when the run
	// ends: a test compares them with what the client counted.
	Counters json.RawMessage `json:"counters,omitempty"`
}

// TargetText is how the header names the target: "built-in simulator 127.0.0.1:40123" or the
// address.
func (r RunInfo) TargetText() string {
	if r.Simulator != nil {
		s := "built-in simulator " + strings.Join(r.Simulator.Addrs, ",")
		if len(r.Simulator.Addrs) == 0 {
			s = "built-in simulator of each process"
		}
		var extra []string
		if r.Simulator.Product != "" {
			extra = append(extra, r.Simulator.Product)
		}
		if r.Simulator.Agents > 0 {
			extra = append(extra, fmt.Sprintf("%d agents", r.Simulator.Agents))
		}
		if r.Simulator.CallRate > 0 {
			extra = append(extra, FormatNumber(r.Simulator.CallRate)+" calls/s")
		}
		if r.Simulator.Faults != "" {
			extra = append(extra, "faults: "+r.Simulator.Faults)
		}
		if len(extra) > 0 {
			s += " (" + strings.Join(extra, ", ") + ")"
		}
		return s
	}
	if r.Target == "" {
		return "-"
	}
	return r.Target
}

// Input is what a Summary is made of: the engine's result, the run's description and the tag
// pair counts a Tally collected. It is also the content of a summary export (see Export).
type Input struct {
	Result *engine.Result
	Run    RunInfo
	Pairs  []PairCount
}

// SummaryOptions tune NewSummary.
type SummaryOptions struct {
	// TrendStats are the latency columns (summary keys: min, max, avg, med, p(N)); nil means
	// DefaultLatencyColumns.
	TrendStats []string
}

// Summary is a finished run digested for people: every table of the end-of-test summary,
// computed once by NewSummary. Reporters only format it.
type Summary struct {
	Run    RunInfo        `json:"-"`
	Result *engine.Result `json:"-"`
	Pairs  []PairCount    `json:"-"`

	Verdict Verdict `json:"verdict"`
	// Stats are the keys of the latency columns, in order.
	Stats      []string       `json:"stats"`
	Thresholds []ThresholdRow `json:"thresholds,omitempty"`
	// Requests has one row per request type (msg) of cti_request_duration, by name;
	// RequestTotal sums them.
	Requests     []LatencyRow `json:"requests,omitempty"`
	RequestTotal *LatencyRow  `json:"request_total,omitempty"`
	// FromSchedule is cti_request_duration_from_schedule when it differs from
	// cti_request_duration: requests charged with the time their iteration started late.
	FromSchedule *LatencyRow  `json:"from_schedule,omitempty"`
	Events       []LatencyRow `json:"events,omitempty"` // cti_event_wait_duration by msg; Failures are timeouts
	Failures     []FailureRow `json:"failures,omitempty"`
	FailureTotal int64        `json:"failure_total"`
	Sessions     Sessions     `json:"sessions"`
	Checks       []CheckRow   `json:"checks,omitempty"`
	// Groups are the script's group() names with their checks and, when the run measured
	// it, their duration.
	Groups []GroupRow `json:"groups,omitempty"`
	// ByScenario and ByGroup are the run seen one scenario and one group at a time: the
	// --summary-mode=full sections.
	ByScenario []Breakdown `json:"by_scenario,omitempty"`
	ByGroup    []Breakdown `json:"by_group,omitempty"`
	Execution  Execution   `json:"execution"`
	Traffic    Traffic     `json:"traffic"`
	Other      []MetricRow `json:"other,omitempty"` // custom metrics
	// Notes are warnings about the data: lost samples, breakdowns cut short.
	Notes []string `json:"notes,omitempty"`

	stats []metrics.Aggregation
}

// Verdict is the outcome of the run.
type Verdict struct {
	ExitCode int    `json:"exit_code"`
	Status   string `json:"status"` // passed, thresholds failed, interrupted, script error, …
	Message  string `json:"message,omitempty"`
	// FailedIterations and SessionsNotOpened are named on the verdict line whatever the
	// thresholds say: a run whose iterations all throw, or whose sessions never open, passes
	// when no threshold judges it (k6's rule), and must not look like a good run.
	FailedIterations  int64 `json:"failed_iterations,omitempty"`
	SessionsNotOpened int64 `json:"sessions_not_opened,omitempty"`
	// Warnings say which of those no threshold covers, with the threshold that would.
	Warnings []string `json:"warnings,omitempty"`
}

// Counts is the verdict's "N of M iterations failed · K sessions never opened", or "".
func (v Verdict) Counts() string {
	var parts []string
	if v.FailedIterations > 0 {
		parts = append(parts, plural(v.FailedIterations, "failed iteration"))
	}
	if v.SessionsNotOpened > 0 {
		parts = append(parts, plural(v.SessionsNotOpened, "session")+" never opened")
	}
	return strings.Join(parts, " · ")
}

// Passed reports whether the run passed.
func (v Verdict) Passed() bool { return v.ExitCode == engine.ExitOK }

// ThresholdRow is one threshold with its observed value rendered in the metric's unit.
type ThresholdRow struct {
	metrics.ThresholdResult
	ObservedText string `json:"observed_text"`
}

// LatencyRow is one distribution: a request type, an event, a session phase. Values are in
// milliseconds, keyed by the Summary's Stats (plus avg, always).
type LatencyRow struct {
	Name string `json:"name"`
	// Count is the number of values; Failures the failed ones (failed requests, event
	// timeouts), -1 when unknown.
	Count    int64              `json:"count"`
	Failures int64              `json:"failures"`
	Rate     float64            `json:"rate"` // Count per second of the run
	Values   map[string]float64 `json:"values"`
	// Histogram is the encoded HdrHistogram (see metrics.TrendSink.Encode), for plots.
	Histogram string `json:"-"`
}

// FailureRow is one failure code of cti_failures.
type FailureRow struct {
	Code  string  `json:"code"`
	Count int64   `json:"count"`
	Share float64 `json:"share"` // of all failures, 0…1
	// Requests are the request types that failed with the code, by lifecycle phase, most
	// first; empty when the run did not count failures by code and request together.
	Requests []FailedRequest `json:"requests,omitempty"`
}

// FailedRequest is how often one request type failed with a code in one lifecycle phase.
type FailedRequest struct {
	Name string `json:"name"`
	// Phase is where the script was: init, setup, vuSetup, iteration, vuTeardown or teardown
	// ("" in reports of runs that did not record it).
	Phase string `json:"phase,omitempty"`
	Count int64  `json:"count"`
}

// String renders "LOGOUT_REQ 3", or "LOGOUT_REQ 1 during vuTeardown" outside iterations.
func (f FailedRequest) String() string {
	if f.Phase == "" || f.Phase == "iteration" {
		return fmt.Sprintf("%s %d", f.Name, f.Count)
	}
	return fmt.Sprintf("%s %d during %s", f.Name, f.Count, f.Phase)
}

// NameCount is a name with a count.
type NameCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Sessions are the CTI sessions the VUs opened.
type Sessions struct {
	Opened       int64       `json:"opened"`
	Failed       int64       `json:"failed"`
	FailedByCode []NameCount `json:"failed_by_code,omitempty"`
	// Lost are connections of open sessions that ended without close() (cti_sessions_lost),
	// by cause: server_closed, heartbeat_missed…
	Lost        int64       `json:"lost"`
	LostByCause []NameCount `json:"lost_by_cause,omitempty"`
	// EventsDropped are events lost from full backlogs (cti_events_dropped), by session
	// mode (agent, bridge): a script that stopped reading its events.
	EventsDropped []NameCount `json:"events_dropped,omitempty"`
	// DecodeErrors are malformed frames from the server (cti_decode_errors), by message type
	// and reason, most first.
	DecodeErrors     []DecodeErrorRow `json:"decode_errors,omitempty"`
	Reconnects       int64            `json:"reconnects"`
	ReconnectsFailed int64            `json:"reconnects_failed"`
	Open             *LatencyRow      `json:"open,omitempty"`      // cti_session_open_duration
	Heartbeat        *LatencyRow      `json:"heartbeat,omitempty"` // cti_heartbeat_rtt
	Reconnect        *LatencyRow      `json:"reconnect,omitempty"` // cti_reconnect_duration
	// The safety waits: the VUs' back-off after failed opens, and waits for a token of the
	// run-wide rate caps (--max-open-rate, --max-request-rate).
	OpenBackoff     *LatencyRow `json:"open_backoff,omitempty"`      // cti_open_backoff_duration
	OpenRateWait    *LatencyRow `json:"open_rate_wait,omitempty"`    // cti_rate_limit_wait_duration{kind:open}
	RequestRateWait *LatencyRow `json:"request_rate_wait,omitempty"` // cti_rate_limit_wait_duration{kind:request}
}

// DecodeErrorRow counts the malformed frames of one message type and reason.
type DecodeErrorRow struct {
	Msg    string `json:"msg"`
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// Rows are the latency rows of the sessions table that have samples, in the order reports show
// them: open, heartbeat, reconnection, then the safety waits.
func (s Sessions) Rows() []*LatencyRow {
	var out []*LatencyRow
	for _, r := range []*LatencyRow{s.Open, s.Heartbeat, s.Reconnect, s.OpenBackoff, s.OpenRateWait, s.RequestRateWait} {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// Any reports whether the run opened or tried to open a session.
func (s Sessions) Any() bool {
	return s.Opened+s.Failed+s.Reconnects+s.ReconnectsFailed+s.Lost > 0 || s.Open != nil || s.Heartbeat != nil ||
		s.RequestRateWait != nil || len(s.EventsDropped) > 0 || len(s.DecodeErrors) > 0
}

// CheckRow is one check() name.
type CheckRow struct {
	// Group is the group path the check ran in ("::outer::inner"), "" outside groups.
	Group  string `json:"group,omitempty"`
	Name   string `json:"name"`
	Passes int64  `json:"passes"`
	Fails  int64  `json:"fails"`
}

// GroupRow is one group(): the checks made inside it and its duration (group_duration).
type GroupRow struct {
	Name     string      `json:"name"`
	Passes   int64       `json:"passes"`
	Fails    int64       `json:"fails"`
	Duration *LatencyRow `json:"duration,omitempty"`
}

// Breakdown is the run seen through one value of a tag: one scenario's or one group's
// requests, event waits, iterations, group durations and checks, from the engine's breakdown
// of each metric by that tag.
type Breakdown struct {
	Tag   string `json:"tag"`   // "scenario" or "group"
	Value string `json:"value"` // the scenario's name, the group's path (::outer::inner)
	// Rows are the distributions that have samples with the value, named "requests" (with
	// its failures), "event waits", "iterations" (with the scenario's failed iterations) and
	// "group duration".
	Rows         []LatencyRow `json:"rows,omitempty"`
	ChecksPassed int64        `json:"checks_passed"`
	ChecksFailed int64        `json:"checks_failed"`
}

// Execution is the iterations and VUs of the run.
type Execution struct {
	Iterations        int64       `json:"iterations"`
	Failed            int64       `json:"failed"`
	Interrupted       int64       `json:"interrupted"`
	Dropped           int64       `json:"dropped"`
	IterationRate     float64     `json:"iteration_rate"`
	IterationDuration *LatencyRow `json:"iteration_duration,omitempty"`
	// StartLateness is how late arrival-rate iterations started against their schedule: the
	// load generator's own shortfall (nil without arrival-rate scenarios).
	StartLateness *LatencyRow             `json:"iteration_start_lateness,omitempty"`
	VUs           int64                   `json:"vus"`     // most active VUs seen
	VUsMax        int64                   `json:"vus_max"` // VUs initialised
	Scenarios     []engine.ScenarioResult `json:"-"`       // the Result's
	Duration      executor.Duration       `json:"duration"`
}

// Traffic is the CTI messages and bytes sent and received.
type Traffic struct {
	MessagesSent     float64 `json:"messages_sent"`
	MessagesReceived float64 `json:"messages_received"`
	BytesSent        float64 `json:"bytes_sent"`
	BytesReceived    float64 `json:"bytes_received"`
}

// Any reports whether any message went either way.
func (t Traffic) Any() bool { return t.MessagesSent+t.MessagesReceived+t.BytesSent+t.BytesReceived > 0 }

// MetricRow is a metric without a section of its own: a custom metric or one of its
// sub-metrics, with its summary values.
type MetricRow struct {
	Key      string             `json:"key"`
	Type     metrics.MetricType `json:"type"`
	Contains metrics.ValueType  `json:"contains"`
	Values   map[string]float64 `json:"values"`
	Sub      bool               `json:"sub,omitempty"` // a sub-metric, shown under its metric
	// Latency is a trend's distribution with the summary's columns.
	Latency *LatencyRow `json:"latency,omitempty"`
}

// NewSummary digests a run's result. It fails only on a result that cannot be read: a trend
// histogram that does not decode.
func NewSummary(in Input, opts SummaryOptions) (*Summary, error) {
	res := in.Result
	if res == nil {
		return nil, errors.New("reports: no result to summarise")
	}
	statKeys := opts.TrendStats
	if statKeys == nil {
		statKeys = DefaultLatencyColumns
	}
	var aggs []metrics.Aggregation
	var keys []string
	for _, k := range statKeys {
		a, err := metrics.ParseAggregation(k)
		if err != nil || !metrics.SupportsAggregation(metrics.Trend, a) {
			return nil, fmt.Errorf("reports: trend stat %q: want min, max, avg, med or p(N)", k)
		}
		if a.Method == metrics.AggCount {
			continue // counts have a column of their own
		}
		aggs = append(aggs, a)
		keys = append(keys, a.String())
	}
	s := &Summary{Run: in.Run, Result: res, Pairs: in.Pairs, Stats: keys, stats: aggs}
	b := &builder{s: s, res: res, dur: time.Duration(res.Duration)}
	b.verdict()
	b.thresholds()
	b.requests()
	b.events()
	b.failures()
	b.sessions()
	b.checks()
	b.groups()
	b.s.ByScenario = b.breakdown("scenario")
	b.s.ByGroup = b.breakdown("group")
	b.execution()
	b.traffic()
	b.other()
	b.notes()
	b.verdictCounts()
	if b.err != nil {
		return nil, b.err
	}
	return s, nil
}

type builder struct {
	s   *Summary
	res *engine.Result
	dur time.Duration
	err error
}

func (b *builder) metric(key string) (metrics.Summary, bool) { return b.res.Metric(key) }

func (b *builder) count(key string) float64 {
	if m, ok := b.metric(key); ok {
		return m.Values["count"]
	}
	return 0
}

func (b *builder) rate(n float64) float64 {
	if b.dur <= 0 {
		return 0
	}
	return n / b.dur.Seconds()
}

// latency builds the row of a trend summary.
func (b *builder) latency(name string, m metrics.Summary) *LatencyRow {
	sink, err := metrics.SinkFromSummary(metrics.Trend, m.Values, m.Histogram)
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("reports: metric %s: %w", m.Key, err)
		}
		return nil
	}
	t := sink.(*metrics.TrendSink)
	row := &LatencyRow{Name: name, Count: t.Count(), Failures: -1, Values: map[string]float64{},
		Histogram: m.Histogram}
	row.Rate = b.rate(float64(row.Count))
	lo, _ := t.Value(metrics.Aggregation{Method: metrics.AggMin}, b.dur)
	hi, _ := t.Value(metrics.Aggregation{Method: metrics.AggMax}, b.dur)
	for _, a := range append(slices.Clone(b.s.stats), metrics.Aggregation{Method: metrics.AggAvg}) {
		v, ok := t.Value(a, b.dur)
		if !ok {
			continue // an empty trend: the tables show "-"
		}
		if a.Method == metrics.AggPercentile || a.Method == metrics.AggMed {
			// A percentile is read at the histogram's precision (0.1 %): keep it within the
			// exact extremes so that a table never shows p99 above max.
			v = math.Min(math.Max(v, lo), hi)
		}
		row.Values[a.String()] = v
	}
	return row
}

func (b *builder) verdict() {
	res := b.res
	v := Verdict{ExitCode: res.ExitCode()}
	failed := res.FailedThresholds()
	switch v.ExitCode {
	case engine.ExitOK:
		v.Status = "passed"
		switch n := len(res.Thresholds); n {
		case 0:
			v.Message = "no thresholds to judge"
		case 1:
			v.Message = "the threshold passed"
		default:
			v.Message = fmt.Sprintf("all %d thresholds passed", n)
		}
	case engine.ExitThresholdsFailed:
		v.Status = "thresholds failed"
		v.Message = fmt.Sprintf("%d of %d thresholds failed", len(failed), len(res.Thresholds))
		if len(res.Thresholds) == 1 {
			v.Message = "the threshold failed"
		}
		if res.AbortedByThreshold {
			v.Message += "; a threshold aborted the run"
		}
	case engine.ExitInterrupted:
		if missing := res.MissingSegments; len(missing) > 0 && res.ErrorCode == 0 {
			v.Status = "incomplete"
			v.Message = fmt.Sprintf("no summary of segment %s: the figures cover the other segments only", strings.Join(missing, ", "))
			break
		}
		v.Status = "interrupted"
		v.Message = "stopped before its end (graceful stop)"
		if strings.Contains(res.Error, "hard") {
			v.Message = "stopped before its end (hard stop: running iterations were cut short)"
		}
	case engine.ExitScriptError:
		v.Status = "script error"
		v.Message = res.Error
	case engine.ExitScriptAborted:
		v.Status = "aborted by the script"
		v.Message = res.Error
	case engine.ExitInvalidOptions:
		v.Status = "invalid options"
		v.Message = res.Error
	default:
		v.Status = "error"
		v.Message = res.Error
	}
	if v.ExitCode != engine.ExitThresholdsFailed && v.ExitCode != engine.ExitOK && len(failed) > 0 {
		v.Message = strings.TrimPrefix(v.Message+fmt.Sprintf("; %d of %d thresholds failed", len(failed), len(res.Thresholds)), "; ")
	}
	b.s.Verdict = v
}

func (b *builder) thresholds() {
	for _, t := range b.res.Thresholds {
		row := ThresholdRow{ThresholdResult: t, ObservedText: "no data"}
		if !t.NoData {
			row.ObservedText = b.formatObserved(t)
		}
		b.s.Thresholds = append(b.s.Thresholds, row)
	}
}

// formatObserved renders a threshold's observed value in the unit of its metric and aggregation.
func (b *builder) formatObserved(t metrics.ThresholdResult) string {
	th, err := metrics.ParseThreshold(t.Source)
	if err != nil {
		return FormatNumber(t.Observed)
	}
	name, _, _ := strings.Cut(t.Metric, "{")
	m, ok := b.metric(t.Metric)
	if !ok {
		m, ok = b.metric(name)
	}
	return formatAggregate(th.Aggregation, m.Type, m.Contains, ok, t.Observed)
}

func formatAggregate(a metrics.Aggregation, typ metrics.MetricType, contains metrics.ValueType, known bool, v float64) string {
	switch a.Method {
	case metrics.AggCount, metrics.AggPasses, metrics.AggFails:
		return FormatCount(v)
	case metrics.AggRate:
		if known && typ == metrics.Counter {
			return FormatRate(v)
		}
		return FormatPercent(v)
	}
	return formatValue(contains, v)
}

func formatValue(contains metrics.ValueType, v float64) string {
	switch contains {
	case metrics.Time:
		return FormatDuration(v)
	case metrics.Data:
		return FormatBytes(v)
	}
	return FormatNumber(v)
}

func (b *builder) requests() {
	byMsg := b.res.Breakdown(metricnames.CTIRequestDuration, "msg")
	failures := b.res.Breakdown(metricnames.CTIFailures, "msg")
	requests := b.res.Breakdown(metricnames.CTIRequests, "msg")
	// The failed column counts requests sent that failed (cti_requests by msg and status), so
	// that it never exceeds the count: a request that was never sent (E_NOT_SENT) is in the
	// failures table only. Without those pairs, cti_failures by msg stands in.
	sentFailed := map[string]int64{}
	var sentFailedAll int64
	havePairs := false
	for _, p := range b.s.Pairs {
		if p.Metric == metricnames.CTIRequests {
			havePairs = true
			if p.Tags["status"] != "ok" {
				sentFailed[p.Tags["msg"]] += int64(p.Count)
				sentFailedAll += int64(p.Count)
			}
		}
	}
	for _, name := range sortedKeys(byMsg) {
		row := b.latency(name, byMsg[name])
		if row == nil {
			continue
		}
		row.Failures = int64(failures[name].Values["count"])
		if havePairs {
			row.Failures = sentFailed[name]
		}
		if r, ok := requests[name]; ok {
			row.Rate = b.rate(r.Values["count"])
		}
		b.s.Requests = append(b.s.Requests, *row)
	}
	if m, ok := b.metric(metricnames.CTIRequestDuration); ok {
		if row := b.latency("all requests", m); row != nil {
			row.Failures = int64(b.count(metricnames.CTIFailures))
			if havePairs {
				row.Failures = sentFailedAll
			}
			b.s.RequestTotal = row
			if fs, ok := b.metric(metricnames.CTIRequestDurationFromSchedule); ok && b.arrivalRate() {
				if f := b.latency("from schedule", fs); f != nil && differs(f, row) {
					f.Failures = row.Failures
					b.s.FromSchedule = f
				}
			}
		}
	}
}

// arrivalRate reports whether a scenario ran an arrival-rate executor: the only ones whose
// iterations can start late, which cti_request_duration_from_schedule measures.
func (b *builder) arrivalRate() bool {
	for _, sc := range b.res.Scenarios {
		if strings.Contains(sc.Executor, "arrival-rate") {
			return true
		}
	}
	return len(b.res.Scenarios) == 0
}

// differs reports whether two distributions differ by more than 1 % at a column.
func differs(a, b *LatencyRow) bool {
	for k, v := range a.Values {
		w := b.Values[k]
		if math.Abs(v-w) > 0.01*math.Max(math.Abs(v), math.Abs(w)) {
			return true
		}
	}
	return false
}

func (b *builder) events() {
	byMsg := b.res.Breakdown(metricnames.CTIEventWaitDuration, "msg")
	timeouts := map[string]int64{}
	known := false
	for _, p := range b.s.Pairs {
		if p.Metric == metricnames.CTIEventWaitDuration && p.Tags["status"] != "" {
			known = true
			if p.Tags["status"] == "timeout" {
				timeouts[p.Tags["msg"]] += int64(p.Count)
			}
		}
	}
	for _, name := range sortedKeys(byMsg) {
		row := b.latency(name, byMsg[name])
		if row == nil {
			continue
		}
		if known {
			row.Failures = timeouts[name]
		}
		b.s.Events = append(b.s.Events, *row)
	}
}

func (b *builder) failures() {
	byCode := b.res.Breakdown(metricnames.CTIFailures, "code")
	total := b.count(metricnames.CTIFailures)
	type msgPhase struct{ msg, phase string }
	reqs := map[string]map[msgPhase]float64{}
	for _, p := range b.s.Pairs {
		if p.Metric != metricnames.CTIFailures {
			continue
		}
		code := p.Tags["code"]
		if reqs[code] == nil {
			reqs[code] = map[msgPhase]float64{}
		}
		reqs[code][msgPhase{p.Tags["msg"], p.Tags["phase"]}] += p.Count
	}
	var rows []FailureRow
	for code, m := range byCode {
		n := m.Values["count"]
		if n == 0 {
			continue
		}
		row := FailureRow{Code: code, Count: int64(n)}
		if total > 0 {
			row.Share = n / total
		}
		for k, c := range reqs[code] {
			if k.msg == "" {
				k.msg = "(none)"
			}
			row.Requests = append(row.Requests, FailedRequest{Name: k.msg, Phase: k.phase, Count: int64(c)})
		}
		slices.SortFunc(row.Requests, func(x, y FailedRequest) int {
			if c := cmp.Compare(y.Count, x.Count); c != 0 {
				return c
			}
			return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Phase, y.Phase))
		})
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(x, y FailureRow) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Code, y.Code)
	})
	b.s.Failures = rows
	b.s.FailureTotal = int64(total)
}

func sortNameCounts(list []NameCount) {
	slices.SortFunc(list, func(x, y NameCount) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
}

func (b *builder) sessions() {
	s := &b.s.Sessions
	res := b.res.Breakdown(metricnames.CTISessions, "result")
	s.Opened = int64(res["opened"].Values["count"])
	s.Failed = int64(res["failed"].Values["count"])
	if len(res) == 0 {
		// Without the result breakdown, every session counted is taken as opened.
		s.Opened = int64(b.count(metricnames.CTISessions))
	}
	for code, m := range b.res.Breakdown(metricnames.CTISessions, "code") {
		if n := int64(m.Values["count"]); n > 0 {
			s.FailedByCode = append(s.FailedByCode, NameCount{Name: code, Count: n})
		}
	}
	sortNameCounts(s.FailedByCode)
	s.Lost = int64(b.count(metricnames.CTISessionsLost))
	s.LostByCause = b.nameCounts(metricnames.CTISessionsLost, "cause")
	s.EventsDropped = b.nameCounts(metricnames.CTIEventsDropped, "mode")
	b.decodeErrors()
	rec := b.res.Breakdown(metricnames.CTIReconnects, "result")
	s.Reconnects = int64(rec["ok"].Values["count"])
	s.ReconnectsFailed = int64(rec["failed"].Values["count"])
	if len(rec) == 0 {
		s.Reconnects = int64(b.count(metricnames.CTIReconnects))
	}
	row := func(metric, name string) *LatencyRow {
		if m, ok := b.metric(metric); ok && m.Values["count"] > 0 {
			return b.latency(name, m)
		}
		return nil
	}
	s.Open = row(metricnames.CTISessionOpenDuration, "open (TCP + OPEN_REQ)")
	s.Heartbeat = row(metricnames.CTIHeartbeatRTT, "heartbeat round trip")
	s.Reconnect = row(metricnames.CTIReconnectDuration, "reconnection outage")
	s.OpenBackoff = row(metricnames.CTIOpenBackoffDuration, "back-off before reopening")
	s.OpenRateWait = row(metricnames.CTIRateLimitWaitDuration+"{kind:open}", "wait for --max-open-rate")
	s.RequestRateWait = row(metricnames.CTIRateLimitWaitDuration+"{kind:request}", "wait for --max-request-rate")
}

// nameCounts is a counter's breakdown by one tag, most first, zeros left out.
func (b *builder) nameCounts(metric, tag string) []NameCount {
	var out []NameCount
	for v, m := range b.res.Breakdown(metric, tag) {
		if n := int64(m.Values["count"]); n > 0 {
			out = append(out, NameCount{Name: v, Count: n})
		}
	}
	sortNameCounts(out)
	return out
}

// decodeErrors fills Sessions.DecodeErrors from the msg × reason pairs, or from the msg
// breakdown alone when the run did not count pairs.
func (b *builder) decodeErrors() {
	s := &b.s.Sessions
	pairs := map[[2]string]int64{}
	for _, p := range b.s.Pairs {
		if p.Metric == metricnames.CTIDecodeErrors && p.Count > 0 {
			pairs[[2]string{p.Tags["msg"], p.Tags["reason"]}] += int64(p.Count)
		}
	}
	if len(pairs) == 0 {
		for _, nc := range b.nameCounts(metricnames.CTIDecodeErrors, "msg") {
			pairs[[2]string{nc.Name, ""}] = nc.Count
		}
	}
	for k, n := range pairs {
		s.DecodeErrors = append(s.DecodeErrors, DecodeErrorRow{Msg: k[0], Reason: k[1], Count: n})
	}
	slices.SortFunc(s.DecodeErrors, func(x, y DecodeErrorRow) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Msg+" "+x.Reason, y.Msg+" "+y.Reason)
	})
}

// checks are the check rows, by group then name when the pair counts say which group each
// check ran in (k6 nests them so), else by name alone (an export without them).
func (b *builder) checks() {
	for _, p := range b.s.Pairs {
		if p.Metric == metricnames.Checks && p.Tags["check"] != "" {
			b.s.Checks = append(b.s.Checks, CheckRow{Group: p.Tags["group"], Name: p.Tags["check"],
				Passes: int64(p.NonZero), Fails: int64(p.Count - p.NonZero)})
		}
	}
	if len(b.s.Checks) == 0 {
		for name, m := range b.res.Breakdown(metricnames.Checks, "check") {
			b.s.Checks = append(b.s.Checks, CheckRow{Name: name,
				Passes: int64(m.Values["passes"]), Fails: int64(m.Values["fails"])})
		}
	}
	slices.SortFunc(b.s.Checks, func(x, y CheckRow) int {
		if c := cmp.Compare(x.Group, y.Group); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
}

// breakdown makes a Breakdown per value of tag, in the order of the values.
func (b *builder) breakdown(tag string) []Breakdown {
	trends := []struct{ metric, row string }{
		{metricnames.CTIRequestDuration, "requests"},
		{metricnames.CTIEventWaitDuration, "event waits"},
		{metricnames.IterationDuration, "iterations"},
		{metricnames.GroupDuration, "group duration"},
	}
	byValue := map[string]*Breakdown{}
	get := func(v string) *Breakdown {
		if byValue[v] == nil {
			byValue[v] = &Breakdown{Tag: tag, Value: v}
		}
		return byValue[v]
	}
	failures := b.res.Breakdown(metricnames.CTIFailures, tag)
	for _, tr := range trends {
		if tr.metric == metricnames.GroupDuration && tag != "group" {
			continue // all groups' durations in one row say nothing
		}
		subs := b.res.Breakdown(tr.metric, tag)
		for _, v := range sortedKeys(subs) {
			if subs[v].Values["count"] == 0 {
				continue
			}
			row := b.latency(tr.row, subs[v])
			if row == nil {
				continue
			}
			switch {
			case tr.metric == metricnames.CTIRequestDuration:
				row.Failures = int64(failures[v].Values["count"])
			case tr.metric == metricnames.IterationDuration && tag == "scenario":
				if i := slices.IndexFunc(b.res.Scenarios, func(sc engine.ScenarioResult) bool { return sc.Name == v }); i >= 0 {
					row.Failures = b.res.Scenarios[i].Failed
				}
			}
			bd := get(v)
			bd.Rows = append(bd.Rows, *row)
		}
	}
	for v, m := range b.res.Breakdown(metricnames.Checks, tag) {
		bd := get(v)
		bd.ChecksPassed, bd.ChecksFailed = int64(m.Values["passes"]), int64(m.Values["fails"])
	}
	out := make([]Breakdown, 0, len(byValue))
	for _, v := range sortedKeys(byValue) {
		out = append(out, *byValue[v])
	}
	return out
}

func (b *builder) groups() {
	rows := map[string]*GroupRow{}
	row := func(name string) *GroupRow {
		if rows[name] == nil {
			rows[name] = &GroupRow{Name: name}
		}
		return rows[name]
	}
	for name, m := range b.res.Breakdown(metricnames.Checks, "group") {
		if name == "" {
			continue // checks outside any group
		}
		r := row(name)
		r.Passes, r.Fails = int64(m.Values["passes"]), int64(m.Values["fails"])
	}
	for name, m := range b.res.Breakdown(metricnames.GroupDuration, "group") {
		if name != "" && m.Values["count"] > 0 {
			row(name).Duration = b.latency(name, m)
		}
	}
	for _, name := range sortedKeys(rows) {
		b.s.Groups = append(b.s.Groups, *rows[name])
	}
}

func (b *builder) execution() {
	e := &b.s.Execution
	t := b.res.Totals()
	e.Iterations, e.Failed, e.Interrupted, e.Dropped = t.Iterations, t.Failed, t.Interrupted, t.Dropped
	e.Duration = executor.Duration(b.dur)
	if len(b.res.Scenarios) == 0 {
		// A result without scenario counts (another tool's): fall back on the metrics.
		e.Iterations = int64(b.count(metricnames.Iterations))
		e.Dropped = int64(b.count(metricnames.DroppedIterations))
		e.Interrupted = int64(b.count(metricnames.InterruptedIterations))
	}
	e.IterationRate = b.rate(float64(e.Iterations))
	if m, ok := b.metric(metricnames.IterationDuration); ok && m.Values["count"] > 0 {
		e.IterationDuration = b.latency("iteration duration", m)
	}
	if m, ok := b.metric(metricnames.IterationStartLateness); ok && m.Values["count"] > 0 {
		e.StartLateness = b.latency("start lateness", m)
	}
	if m, ok := b.metric(metricnames.VUs); ok {
		e.VUs = int64(m.Values["max"])
	}
	e.VUsMax = t.VUsMax
	if e.VUs == 0 && e.Iterations+e.Interrupted > 0 {
		// The vus gauge is sampled every second: a run shorter than that can miss its VUs.
		e.VUs = e.VUsMax
	}
	if m, ok := b.metric(metricnames.VUsMax); ok && int64(m.Values["max"]) > e.VUsMax {
		e.VUsMax = int64(m.Values["max"])
	}
	e.Scenarios = b.res.Scenarios
}

func (b *builder) traffic() {
	t := &b.s.Traffic
	t.MessagesSent = b.count(metricnames.CTIMessagesSent)
	t.MessagesReceived = b.count(metricnames.CTIMessagesReceived)
	t.BytesSent = b.count(metricnames.CTIBytesSent)
	t.BytesReceived = b.count(metricnames.CTIBytesReceived)
}

func (b *builder) other() {
	for _, m := range b.res.Metrics {
		if metricnames.IsBuiltin(m.Name) || m.Breakdown {
			continue
		}
		row := MetricRow{Key: m.Key, Type: m.Type, Contains: m.Contains, Values: m.Values, Sub: len(m.Tags) > 0}
		if m.Type == metrics.Trend && m.Values["count"] > 0 {
			row.Latency = b.latency(m.Key, m)
		}
		b.s.Other = append(b.s.Other, row)
	}
}

func (b *builder) notes() {
	if m := b.res.MissingSegments; len(m) > 0 {
		b.s.Notes = append(b.s.Notes, fmt.Sprintf("missing segment %s: its process wrote no summary (it died, or never ran); this is a partial result", strings.Join(m, ", ")))
	}
	if d := time.Duration(b.res.StartSpread); d > startSpreadNote {
		b.s.Notes = append(b.s.Notes, fmt.Sprintf("the segments started up to %s apart: a segment ready after its --start-at starts late (give a longer start delay), and without one each starts when ready", FormatDuration(float64(d)/float64(time.Millisecond))))
	}
	if n := b.res.LostSamples; n > 0 {
		b.s.Notes = append(b.s.Notes, fmt.Sprintf("%d samples were lost: VUs still recording after a hard stop", n))
	}
	if n := b.res.BreakdownOverflow; n > 0 {
		b.s.Notes = append(b.s.Notes, fmt.Sprintf("%d samples are missing from the per-tag tables: too many distinct tag values", n))
	}
}

// verdictCounts adds the failed iterations and the sessions that never opened to the verdict,
// and a warning for each that no threshold covers.
func (b *builder) verdictCounts() {
	v := &b.s.Verdict
	v.FailedIterations, v.SessionsNotOpened = b.s.Execution.Failed, b.s.Sessions.Failed
	judged := func(names ...string) bool {
		for _, t := range b.res.Thresholds {
			name, _, _ := strings.Cut(t.Metric, "{")
			if slices.Contains(names, name) {
				return true
			}
		}
		return false
	}
	if n := v.FailedIterations; n > 0 && !judged(metricnames.FailedIterations) {
		v.Warnings = append(v.Warnings, fmt.Sprintf("%s and no threshold judges them (thresholds: {%s: ['count<1']})",
			plural(n, "iteration")+" failed", metricnames.FailedIterations))
	}
	if n := v.SessionsNotOpened; n > 0 && !judged(metricnames.CTISessions, metricnames.CTIFailures) {
		v.Warnings = append(v.Warnings, fmt.Sprintf("%s and no threshold judges them (thresholds: {'%s{result:failed}': ['count<1']})",
			plural(n, "session")+" never opened", metricnames.CTISessions))
	}
}

// startSpreadNote is how far apart merged segments may start without a note: processes that
// share a --start-at start within milliseconds.
const startSpreadNote = time.Second

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// StatLabel is the column title of a summary key: "p(95)" reads "p95", "med" and "avg" stay.
func StatLabel(key string) string {
	if strings.HasPrefix(key, "p(") && strings.HasSuffix(key, ")") {
		return "p" + key[2:len(key)-1]
	}
	return key
}

// Describe renders a MetricRow's values the way k6's summary does, in the metric's unit.
func (m MetricRow) Describe(stats []string) string {
	v := m.Values
	switch m.Type {
	case metrics.Counter:
		count := formatValue(m.Contains, v["count"])
		if n := v["count"]; m.Contains == metrics.Default && n == math.Trunc(n) {
			count = FormatCount(n) // a count of things: 73, not 73.0
		}
		return fmt.Sprintf("%s  %s", count, FormatRate(v["rate"]))
	case metrics.Gauge:
		return fmt.Sprintf("%s  min=%s max=%s", formatValue(m.Contains, v["value"]),
			formatValue(m.Contains, v["min"]), formatValue(m.Contains, v["max"]))
	case metrics.Rate:
		return fmt.Sprintf("%s  %s ✓ %s ✗", FormatPercent(v["rate"]), FormatCount(v["passes"]), FormatCount(v["fails"]))
	}
	if m.Latency != nil {
		v = m.Latency.Values
	}
	var parts []string
	for _, k := range append([]string{"avg"}, stats...) {
		if x, ok := v[k]; ok {
			parts = append(parts, StatLabel(k)+"="+formatValue(m.Contains, x))
		}
	}
	return strings.Join(append(parts, "count="+FormatCount(m.Values["count"])), " ")
}
