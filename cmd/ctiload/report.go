package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/reports"
	"github.com/spf13/cobra"
)

// reportFlags are the outputs of ctiload report and ctiload merge.
type reportFlags struct {
	html, junit string
	noSummary   bool
	noColor     bool
	trendStats  string
	summaryMode string
	// ctiload report only: the comparison with a baseline run.
	baseline     string
	tolerance    string
	toleranceMin time.Duration
	failIfWorse  bool
}

const summaryModeUsage = "`MODE` of the text summary: compact (the run as a whole) or full (also a section per scenario and per group)"

// parseSummaryMode reads --summary-mode.
func parseSummaryMode(s string) (reports.SummaryMode, error) {
	if s == "" {
		return reports.SummaryCompact, nil
	}
	if slices.Contains(reports.SummaryModes, s) {
		return reports.SummaryMode(s), nil
	}
	hint := ""
	if m := suggest(s, reports.SummaryModes); m != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", m)
	}
	return "", fmt.Errorf("--summary-mode: invalid value %q%s: want compact or full", s, hint)
}

func (r *reportFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&r.html, "html", "", "write the HTML report to `FILE`")
	fl.StringVar(&r.junit, "junit", "", "write JUnit XML to `FILE`")
	fl.BoolVar(&r.noSummary, "no-summary", false, "do not print the text summary")
	fl.BoolVar(&r.noColor, "no-color", false, "no colors")
	fl.StringVar(&r.trendStats, "summary-trend-stats", "", "latency columns, e.g. avg,min,med,p(95),p(99),max")
	fl.StringVar(&r.summaryMode, "summary-mode", "compact", summaryModeUsage)
}

// registerBaseline adds the comparison flags of ctiload report.
func (r *reportFlags) registerBaseline(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&r.baseline, "baseline", "", "compare with the summary of an earlier run, `OLD.json`: p50/p95/p99 per request type with the change")
	fl.StringVar(&r.tolerance, "tolerance", "10%", "with --baseline: a statistic is worse when slower by more than this `SHARE` (10% or 0.1)…")
	fl.DurationVar(&r.toleranceMin, "tolerance-min", time.Millisecond, "…and by more than this `DURATION` (so that jitter on fast requests is not a regression)")
	fl.BoolVar(&r.failIfWorse, "fail-if-worse", false, "with --baseline: exit with 99 when a statistic is worse than the baseline")
}

// comparison reads the baseline and compares s with it; nil without --baseline.
func (r *reportFlags) comparison(s *reports.Summary, stats []string) (*reports.Comparison, error) {
	if r.baseline == "" {
		return nil, nil
	}
	tol, err := parseShare(r.tolerance)
	if err != nil {
		return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("--tolerance: %v", err)}
	}
	in, err := readSummary(r.baseline)
	if err != nil {
		return nil, err
	}
	base, err := reports.NewSummary(in, reports.SummaryOptions{TrendStats: withCompared(stats)})
	if err != nil {
		return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("--baseline %s: %v", r.baseline, err)}
	}
	return reports.Compare(base, s, r.baseline, reports.Tolerance{Relative: tol,
		Absolute: float64(r.toleranceMin) / float64(time.Millisecond)}), nil
}

// withCompared adds the compared percentiles to the latency columns (nil: the defaults have them).
func withCompared(stats []string) []string {
	if stats == nil {
		return nil
	}
	for _, st := range reports.ComparedStats {
		if !slices.Contains(stats, st) {
			stats = append(stats, st)
		}
	}
	return stats
}

// parseShare reads "10%" or "0.1".
func parseShare(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("invalid value %q: want a share such as 10%% or 0.1", s)
	}
	if pct {
		v /= 100
	}
	return v, nil
}

// write renders the summary of in: the text on standard output, the files asked for.
func (r *reportFlags) write(cmd *cobra.Command, in reports.Input) error {
	var stats []string
	if r.trendStats != "" {
		stats = splitList(r.trendStats)
	}
	mode, err := parseSummaryMode(r.summaryMode)
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	if r.baseline != "" {
		stats = withCompared(stats)
	}
	s, err := reports.NewSummary(in, reports.SummaryOptions{TrendStats: stats})
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	cmp, err := r.comparison(s, stats)
	if err != nil {
		return err
	}
	for _, o := range []struct {
		flag, path string
		rep        reports.Reporter
	}{
		{"--html", r.html, reports.NewHTMLReporter(s, reports.HTMLOptions{Comparison: cmp})},
		{"--junit", r.junit, reports.NewJUnitReporter(s)},
	} {
		if o.path == "" {
			continue
		}
		if err := reports.WriteFile(o.path, o.rep); err != nil {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s: cannot write %q: %v", o.flag, o.path, unwrapPathError(err))}
		}
	}
	out := cmd.OutOrStdout()
	if !r.noSummary {
		if err := reports.NewTextReporter(s, reports.TextOptions{Color: useColor(out, r.noColor), Mode: mode})(out); err != nil {
			return err
		}
	}
	if cmp != nil {
		if err := reports.NewComparisonTextReporter(cmp, reports.TextOptions{Color: useColor(out, r.noColor)})(out); err != nil {
			return err
		}
		if cmp.Worse > 0 && r.failIfWorse {
			return &exitError{code: exitThresholdsFailed, err: fmt.Errorf("%d statistic(s) worse than the baseline %s (tolerance %s)", cmp.Worse, r.baseline, cmp.ToleranceText())}
		}
	}
	return nil
}

// readSummary reads a summary export, with messages naming the file.
func readSummary(path string) (reports.Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return reports.Input{}, &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot read summary %q: %v", path, unwrapPathError(err))}
	}
	defer f.Close()
	in, err := reports.ReadExport(f)
	if err != nil {
		return reports.Input{}, &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s: %v", path, err)}
	}
	return in, nil
}

func newReportCmd() *cobra.Command {
	var r reportFlags
	cmd := &cobra.Command{
		Use:   "report SUMMARY.json",
		Short: "Render the summary, HTML report or JUnit XML of a saved run (--summary-export)",
		Long: `report reads a summary written by "ctiload run --summary-export" (or by "ctiload merge") and
renders it again: the text summary on standard output, and with --html and --junit those files.
The percentiles come from the histograms the summary carries, so nothing is lost.

With --baseline OLD.json it compares the run with an earlier one: p50, p95 and p99 of every
request type side by side with the change, marked ▲ where the run is slower than --tolerance
(10%) and --tolerance-min (1ms) both allow; printed after the summary and, with --html, at the
top of the report. --fail-if-worse makes that exit code 99, for a regression check in CI.`,
		Example: `  ctiload report summary.json
  ctiload report summary.json --html report.html --junit junit.xml --no-summary
  ctiload report --baseline last-release.json --html compare.html --fail-if-worse new.json`,
		Args: exactArgs(1, "a summary file: ctiload report SUMMARY.json"),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := readSummary(args[0])
			if err != nil {
				return err
			}
			return r.write(cmd, in)
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	r.register(cmd)
	r.registerBaseline(cmd)
	return cmd
}
