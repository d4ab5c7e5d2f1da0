package main

import (
	"fmt"
	"os"
	"slices"

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
	s, err := reports.NewSummary(in, reports.SummaryOptions{TrendStats: stats})
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	for _, o := range []struct {
		flag, path string
		rep        reports.Reporter
	}{
		{"--html", r.html, reports.NewHTMLReporter(s, reports.HTMLOptions{})},
		{"--junit", r.junit, reports.NewJUnitReporter(s)},
	} {
		if o.path == "" {
			continue
		}
		if err := reports.WriteFile(o.path, o.rep); err != nil {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s: cannot write %q: %v", o.flag, o.path, unwrapPathError(err))}
		}
	}
	if !r.noSummary {
		out := cmd.OutOrStdout()
		return reports.NewTextReporter(s, reports.TextOptions{Color: useColor(out, r.noColor), Mode: mode})(out)
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
The percentiles come from the histograms the summary carries, so nothing is lost.`,
		Example: `  ctiload report summary.json
  ctiload report summary.json --html report.html --junit junit.xml --no-summary`,
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
	return cmd
}
