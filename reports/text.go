package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/metricnames"
)

// TextOptions tune the end-of-test summary.
type TextOptions struct {
	// Color adds ANSI colors (for a terminal).
	Color bool
	// Mode is SummaryCompact (also "") or SummaryFull.
	Mode SummaryMode
}

// SummaryMode says how much the text summary shows, as k6's --summary-mode: compact, the
// default, shows the run as a whole; full adds a section per scenario and per group with
// its requests, event waits, iterations, group durations and checks.
type SummaryMode string

// The summary modes.
const (
	SummaryCompact SummaryMode = "compact"
	SummaryFull    SummaryMode = "full"
)

// SummaryModes are the modes' names, for messages.
var SummaryModes = []string{string(SummaryCompact), string(SummaryFull)}

// NewTextReporter returns the end-of-test summary a person reads in a terminal: the run's
// header, thresholds, a latency table per request type, event waits, failure codes, sessions,
// checks, execution, traffic and custom metrics, and the verdict.
func NewTextReporter(s *Summary, o TextOptions) Reporter {
	return func(w io.Writer) error {
		t := &textWriter{s: s, color: o.Color, mode: o.Mode}
		t.all()
		_, err := io.WriteString(w, t.b.String())
		return err
	}
}

type textWriter struct {
	s     *Summary
	color bool
	mode  SummaryMode
	b     strings.Builder
}

func (t *textWriter) p(st style, s string) string { return paint(t.color, st, s) }

func (t *textWriter) section(title, note string) {
	t.b.WriteString("\n  " + t.p(bold, title))
	if note != "" {
		t.b.WriteString("  " + t.p(dim, note))
	}
	t.b.WriteString("\n")
}

func (t *textWriter) table(tb *table) { _ = tb.render(&t.b, t.color) }

func (t *textWriter) all() {
	t.header()
	t.thresholds()
	t.requests()
	t.events()
	t.failures()
	t.sessions()
	t.checks()
	t.groups()
	t.execution()
	if t.mode == SummaryFull {
		t.breakdowns("SCENARIO", t.s.ByScenario)
		t.breakdowns("GROUP", t.s.ByGroup)
	}
	t.traffic()
	t.other()
	t.outputs()
	t.notes()
	t.verdict()
}

func (t *textWriter) header() {
	s := t.s
	run := s.Run
	tb := newTable("  ", column{right: true}, column{})
	label := func(l string) cell { return cs(l, dim) }
	if run.Script != "" {
		tb.add(label("script"), c(run.Script))
	}
	tb.add(label("target"), c(run.TargetText()))
	for i, sc := range run.Scenarios {
		l := ""
		if i == 0 {
			l = "scenarios"
		}
		text := fmt.Sprintf("%s: %s, %s", sc.Name, sc.Executor, sc.Shape)
		if sc.Exec != "" {
			text += ", exec " + sc.Exec
		}
		tb.add(label(l), c(text))
	}
	res := s.Result
	d := fmt.Sprintf("%s", FormatDuration(float64(time.Duration(res.Duration))/float64(time.Millisecond)))
	if !res.StartTime.IsZero() {
		d += ", started " + res.StartTime.UTC().Format("2006-01-02 15:04:05 MST")
	}
	tb.add(label("duration"), c(d))
	if res.Segment != "" && run.Parts == 0 {
		tb.add(label("segment"), c(res.Segment))
	}
	if run.Parts > 0 {
		tb.add(label("merged"), c(fmt.Sprintf("%d summaries", run.Parts)))
	}
	if run.Seed != 0 {
		tb.add(label("seed"), c(fmt.Sprint(run.Seed)))
	}
	t.b.WriteString("\n")
	t.table(tb)
}

func (t *textWriter) thresholds() {
	if len(t.s.Thresholds) == 0 {
		return
	}
	t.section("THRESHOLDS", "")
	tb := newTable("    ", column{}, column{}, column{}, column{})
	for _, th := range t.s.Thresholds {
		mark, st := "✓", green
		switch {
		case th.NoData:
			mark, st = "-", yellow
		case !th.Passed:
			mark, st = "✗", red
		}
		obs := th.ObservedText
		if th.Aborted {
			obs += "  (aborted the run)"
		}
		tb.add(cs(mark, st), c(th.Metric), c(th.Source), cs(obs, st))
	}
	t.table(tb)
}

// latencyTable makes a table of rows with the summary's latency columns.
func (t *textWriter) latencyTable(first, failures string, withRate bool) *table {
	cols := []column{{title: first}, {title: "count", right: true}}
	if failures != "" {
		cols = append(cols, column{title: failures, right: true})
	}
	if withRate {
		cols = append(cols, column{title: "rate", right: true})
	}
	for _, k := range t.s.Stats {
		cols = append(cols, column{title: StatLabel(k), right: true})
	}
	return newTable("    ", cols...)
}

func (t *textWriter) latencyCells(r *LatencyRow, failures, withRate bool) []cell {
	cells := []cell{c(r.Name), c(FormatCount(float64(r.Count)))}
	if failures {
		switch {
		case r.Failures < 0:
			cells = append(cells, c("-"))
		case r.Failures > 0:
			cells = append(cells, cs(FormatCount(float64(r.Failures)), red))
		default:
			cells = append(cells, c("0"))
		}
	}
	if withRate {
		cells = append(cells, c(FormatRate(r.Rate)))
	}
	for _, k := range t.s.Stats {
		if v, ok := r.Values[k]; ok {
			cells = append(cells, c(FormatDuration(v)))
		} else {
			cells = append(cells, c("-"))
		}
	}
	return cells
}

func (t *textWriter) requests() {
	s := t.s
	if len(s.Requests) == 0 && s.RequestTotal == nil {
		return
	}
	t.section("REQUESTS", metricnames.CTIRequestDuration+" by msg")
	tb := t.latencyTable("request", "failed", true)
	for i := range s.Requests {
		tb.add(t.latencyCells(&s.Requests[i], true, true)...)
	}
	if s.RequestTotal != nil && len(s.Requests) != 1 {
		tb.rule()
		cells := t.latencyCells(s.RequestTotal, true, true)
		cells[0].st = bold
		tb.add(cells...)
	}
	if s.FromSchedule != nil {
		cells := t.latencyCells(s.FromSchedule, false, true)
		cells = append(cells[:2:2], append([]cell{c("")}, cells[2:]...)...)
		cells[0].st = dim
		tb.add(cells...)
	}
	t.table(tb)
}

func (t *textWriter) events() {
	s := t.s
	if len(s.Events) == 0 {
		return
	}
	t.section("EVENT WAITS", metricnames.CTIEventWaitDuration+" by msg")
	tb := t.latencyTable("event", "timeouts", false)
	for i := range s.Events {
		tb.add(t.latencyCells(&s.Events[i], true, false)...)
	}
	t.table(tb)
}

func (t *textWriter) failures() {
	s := t.s
	if len(s.Failures) == 0 {
		return
	}
	t.section("FAILURES", fmt.Sprintf("%s by code: %s in all", metricnames.CTIFailures, FormatCount(float64(s.FailureTotal))))
	tb := newTable("    ", column{title: "code"}, column{title: "count", right: true},
		column{title: "share", right: true}, column{title: "requests"})
	for _, f := range s.Failures {
		tb.add(cs(f.Code, red), c(FormatCount(float64(f.Count))), c(FormatPercent(f.Share)), c(failedRequests(f.Requests)))
	}
	t.table(tb)
}

// failedRequests renders "SET_AGENT_STATE_REQ 3, LOGOUT_REQ 1 during vuTeardown".
func failedRequests(list []FailedRequest) string {
	if len(list) == 0 {
		return "-"
	}
	parts := make([]string, len(list))
	for i, f := range list {
		parts[i] = f.String()
	}
	return strings.Join(parts, ", ")
}

// nameCounts renders "SET_AGENT_STATE_REQ 3, ANSWER_CALL_REQ 1".
func nameCounts(list []NameCount) string {
	if len(list) == 0 {
		return "-"
	}
	parts := make([]string, len(list))
	for i, nc := range list {
		parts[i] = fmt.Sprintf("%s %d", nc.Name, nc.Count)
	}
	return strings.Join(parts, ", ")
}

func (t *textWriter) sessions() {
	ss := t.s.Sessions
	if !ss.Any() {
		return
	}
	t.section("SESSIONS", "")
	failed := fmt.Sprint(ss.Failed)
	if ss.Failed > 0 {
		failed = t.p(red, failed)
		if len(ss.FailedByCode) > 0 {
			failed += " (" + nameCounts(ss.FailedByCode) + ")"
		}
	}
	line := fmt.Sprintf("    opened %d · failed %s · reconnected %d", ss.Opened, failed, ss.Reconnects)
	if ss.ReconnectsFailed > 0 {
		line += fmt.Sprintf(" · reconnections failed %s", t.p(red, fmt.Sprint(ss.ReconnectsFailed)))
	}
	if ss.Lost > 0 {
		line += fmt.Sprintf(" · lost %s (%s)", t.p(red, fmt.Sprint(ss.Lost)), nameCounts(ss.LostByCause))
	} else {
		line += " · lost 0"
	}
	t.b.WriteString(line + "\n")
	if len(ss.EventsDropped) > 0 {
		var n int64
		for _, nc := range ss.EventsDropped {
			n += nc.Count
		}
		t.b.WriteString("    " + t.p(yellow, fmt.Sprintf("⚠ %s events dropped from full backlogs (%s): a script stopped reading its events (waitFor, drainEvents)",
			FormatCount(float64(n)), nameCounts(ss.EventsDropped))) + "\n")
	}
	if len(ss.DecodeErrors) > 0 {
		var n int64
		parts := make([]string, len(ss.DecodeErrors))
		for i, d := range ss.DecodeErrors {
			n += d.Count
			parts[i] = strings.TrimSpace(d.Msg+" "+d.Reason) + " " + fmt.Sprint(d.Count)
		}
		t.b.WriteString("    " + t.p(red, fmt.Sprintf("✗ %s malformed frames from the server, not delivered to the script (%s)",
			FormatCount(float64(n)), strings.Join(parts, ", "))) + "\n")
	}
	if rows := ss.Rows(); len(rows) > 0 {
		tb := t.latencyTable("", "", false)
		for _, r := range rows {
			tb.add(t.latencyCells(r, false, false)...)
		}
		t.table(tb)
	}
}

func (t *textWriter) checks() {
	if len(t.s.Checks) == 0 {
		return
	}
	var passes, total int64
	for _, ch := range t.s.Checks {
		passes += ch.Passes
		total += ch.Passes + ch.Fails
	}
	t.section("CHECKS", fmt.Sprintf("%d of %d passed", passes, total))
	tb := newTable("    ", column{}, column{title: "check"}, column{title: "passes", right: true},
		column{title: "fails", right: true}, column{title: "rate", right: true})
	group := ""
	for _, ch := range t.s.Checks {
		if ch.Group != group {
			// k6's nesting: a group's checks under its name, indented by depth.
			group = ch.Group
			path := strings.Split(strings.TrimPrefix(group, "::"), "::")
			tb.add(c(""), cs(strings.Repeat("  ", len(path)-1)+"█ "+path[len(path)-1], bold), c(""), c(""), c(""))
		}
		name := ch.Name
		if ch.Group != "" {
			name = strings.Repeat("  ", strings.Count(ch.Group, "::")) + name
		}
		mark, st := "✓", green
		if ch.Fails > 0 {
			mark, st = "✗", red
		}
		rate := 0.0
		if n := ch.Passes + ch.Fails; n > 0 {
			rate = float64(ch.Passes) / float64(n)
		}
		fails := c("0")
		if ch.Fails > 0 {
			fails = cs(fmt.Sprint(ch.Fails), red)
		}
		tb.add(cs(mark, st), c(name), c(fmt.Sprint(ch.Passes)), fails, c(FormatPercent(rate)))
	}
	t.table(tb)
}

// groups shows group_duration by group; the groups' checks are nested in CHECKS.
func (t *textWriter) groups() {
	var rows []*LatencyRow
	for i := range t.s.Groups {
		if d := t.s.Groups[i].Duration; d != nil {
			rows = append(rows, d)
		}
	}
	if len(rows) == 0 {
		return
	}
	t.section("GROUPS", metricnames.GroupDuration+" by group")
	tb := t.latencyTable("group", "", false)
	for _, r := range rows {
		tb.add(t.latencyCells(r, false, false)...)
	}
	t.table(tb)
}

func (t *textWriter) execution() {
	e := t.s.Execution
	t.section("EXECUTION", "")
	it := fmt.Sprintf("%d (%s)", e.Iterations, FormatRate(e.IterationRate))
	var extra []string
	if e.Failed > 0 {
		extra = append(extra, t.p(red, fmt.Sprintf("%d failed", e.Failed)))
	}
	if e.Interrupted > 0 {
		extra = append(extra, t.p(yellow, fmt.Sprintf("%d interrupted", e.Interrupted)))
	}
	if e.Dropped > 0 {
		extra = append(extra, t.p(yellow, fmt.Sprintf("%d dropped", e.Dropped)))
	}
	if len(extra) > 0 {
		it += ", " + strings.Join(extra, ", ")
	}
	kv := newTable("    ", column{}, column{})
	kv.add(cs("iterations", dim), c(it))
	kv.add(cs("vus", dim), c(fmt.Sprintf("%d active at most, %d initialised", e.VUs, e.VUsMax)))
	t.table(kv)
	if e.IterationDuration != nil || e.StartLateness != nil {
		tb := t.latencyTable("", "", false)
		for _, row := range []*LatencyRow{e.IterationDuration, e.StartLateness} {
			if row != nil {
				tb.add(t.latencyCells(row, false, false)...)
			}
		}
		t.table(tb)
	}
	if len(e.Scenarios) > 1 {
		tb := newTable("    ", column{title: "scenario"}, column{title: "executor"}, column{title: "iterations", right: true},
			column{title: "failed", right: true}, column{title: "interrupted", right: true}, column{title: "dropped", right: true},
			column{title: "VUs", right: true})
		for _, sc := range e.Scenarios {
			tb.add(c(sc.Name), c(sc.Executor), c(fmt.Sprint(sc.Iterations)), c(fmt.Sprint(sc.Failed)),
				c(fmt.Sprint(sc.Interrupted)), c(fmt.Sprint(sc.Dropped)), c(fmt.Sprint(sc.VUsMax)))
		}
		t.table(tb)
	}
}

// breakdowns writes a section per scenario or group (--summary-mode=full).
func (t *textWriter) breakdowns(title string, list []Breakdown) {
	for _, bd := range list {
		note := ""
		if n := bd.ChecksPassed + bd.ChecksFailed; n > 0 {
			note = fmt.Sprintf("checks %d of %d passed", bd.ChecksPassed, n)
		}
		t.section(title+" "+bd.Value, note)
		if len(bd.Rows) == 0 {
			continue
		}
		tb := t.latencyTable("", "failed", true)
		for i := range bd.Rows {
			tb.add(t.latencyCells(&bd.Rows[i], true, true)...)
		}
		t.table(tb)
	}
}

func (t *textWriter) traffic() {
	tr := t.s.Traffic
	if !tr.Any() {
		return
	}
	secs := time.Duration(t.s.Execution.Duration).Seconds()
	per := func(v float64) float64 {
		if secs <= 0 {
			return 0
		}
		return v / secs
	}
	t.section("TRAFFIC", "")
	tb := newTable("    ", column{}, column{title: "sent", right: true}, column{title: "", right: true},
		column{title: "received", right: true}, column{title: "", right: true})
	tb.add(cs("messages", dim), c(FormatCount(tr.MessagesSent)), c(FormatRate(per(tr.MessagesSent))),
		c(FormatCount(tr.MessagesReceived)), c(FormatRate(per(tr.MessagesReceived))))
	tb.add(cs("bytes", dim), c(FormatBytes(tr.BytesSent)), c(FormatBytes(per(tr.BytesSent))+"/s"),
		c(FormatBytes(tr.BytesReceived)), c(FormatBytes(per(tr.BytesReceived))+"/s"))
	t.table(tb)
}

func (t *textWriter) other() {
	if len(t.s.Other) == 0 {
		return
	}
	t.section("OTHER METRICS", "")
	tb := newTable("    ", column{}, column{})
	for _, m := range t.s.Other {
		name := m.Key
		if m.Sub {
			name = "  " + name
		}
		tb.add(c(name), c(m.Describe(t.s.Stats)))
	}
	t.table(tb)
}

// outputs says what each --out stream delivered; a problem (pushes a receiver did not take)
// stands out.
func (t *textWriter) outputs() {
	if len(t.s.Run.Outputs) == 0 {
		return
	}
	t.section("OUTPUTS", "")
	for _, o := range t.s.Run.Outputs {
		t.b.WriteString("    " + o.Output + "\n      " + t.p(dim, o.Delivered) + "\n")
		for _, p := range o.Problems {
			t.b.WriteString("      " + t.p(yellow, p) + "\n")
		}
	}
}

func (t *textWriter) notes() {
	for _, n := range t.s.Notes {
		t.b.WriteString("\n  " + t.p(yellow, "note: "+n) + "\n")
	}
}

func (t *textWriter) verdict() {
	v := t.s.Verdict
	var head string
	switch {
	case v.Passed():
		head = t.p(boldGreen, "✓ PASSED")
	case v.Status == "interrupted":
		head = t.p(boldYellow, "■ INTERRUPTED")
	default:
		head = t.p(boldRed, "✗ "+strings.ToUpper(v.Status))
	}
	for _, w := range v.Warnings {
		t.b.WriteString("\n  " + t.p(yellow, "⚠ "+w))
	}
	line := "\n  " + head
	if v.Message != "" {
		line += "  " + v.Message
	}
	if c := v.Counts(); c != "" {
		line += " · " + t.p(yellow, c)
	}
	if !v.Passed() {
		line += t.p(dim, fmt.Sprintf(" (exit code %d)", v.ExitCode))
	}
	t.b.WriteString(line + "\n\n")
}

// TextOfExport renders the text summary of a summary export (the JSON of --summary-export,
// which is also what a script's handleSummary receives), each line prefixed with indent: the
// one implementation behind the script API's textSummary.
func TextOfExport(data []byte, so SummaryOptions, o TextOptions, indent string) (string, error) {
	in, err := ReadExport(strings.NewReader(string(data)))
	if err != nil {
		return "", err
	}
	s, err := NewSummary(in, so)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := NewTextReporter(s, o)(&b); err != nil {
		return "", err
	}
	if indent == "" {
		return b.String(), nil
	}
	lines := strings.SplitAfter(b.String(), "\n")
	for i, l := range lines {
		if l != "\n" && l != "" {
			lines[i] = indent + l
		}
	}
	return strings.Join(lines, ""), nil
}
