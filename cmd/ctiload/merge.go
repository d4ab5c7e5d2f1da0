package main

import (
	"errors"
	"fmt"

	"github.com/ctiload/ctiload/reports"
	"github.com/spf13/cobra"
)

func newMergeCmd() *cobra.Command {
	var (
		r   reportFlags
		out string
	)
	cmd := &cobra.Command{
		Use:   "merge SUMMARY.json SUMMARY.json…",
		Short: "Combine the summaries of execution segments into the summary of the whole test",
		Long: `merge combines the summaries that the processes of one test wrote (each ran an
--execution-segment and --summary-export) into one summary, as if one process had run the whole
test: counts add up, percentiles are exact (merged from the HdrHistograms), thresholds are judged
again on the merged values.

The exit code is the merged test's verdict, as "ctiload run" would give it: 0 when it passed,
99 when a threshold fails on the merged values (even if it held in every segment), 105 when a
segment was interrupted, and so on.

With -o, the merged summary goes to that file and the text summary to standard output; without
it, the merged summary (JSON) goes to standard output.`,
		Example: `  ctiload merge part1.json part2.json part3.json -o total.json
  ctiload merge seg-*.json > total.json
  ctiload merge a.json b.json -o total.json --html report.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return &exitError{code: exitInvalidOptions, err: errors.New("give at least two summaries: ctiload merge a.json b.json [-o total.json]")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var total reports.Input
			segments := map[string]string{}
			for i, path := range args {
				in, err := readSummary(path)
				if err != nil {
					return err
				}
				if seg := in.Result.Segment; seg != "" {
					if prev, dup := segments[seg]; dup {
						return &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s and %s both ran segment %s: merging them would count it twice", prev, path, seg)}
					}
					segments[seg] = path
				}
				if i == 0 {
					total = in
					continue
				}
				if total, err = reports.MergeInputs(total, in); err != nil {
					return &exitError{code: exitInvalidOptions, err: fmt.Errorf("merging %s: %v", path, err)}
				}
			}
			s, err := reports.NewSummary(total, reports.SummaryOptions{})
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			if out == "" || out == "-" {
				if err := reports.NewJSONReporter(s)(cmd.OutOrStdout()); err != nil {
					return err
				}
				r.noSummary = true // standard output holds the JSON
			} else if err := reports.WriteFile(out, reports.NewJSONReporter(s)); err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("-o: cannot write %q: %v", out, unwrapPathError(err))}
			}
			if err := r.write(cmd, total); err != nil {
				return err
			}
			if code := total.Result.ExitCode(); code != exitOK {
				return &exitError{code: code, err: verdictError(s, nil)}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the merged summary to `FILE` (default: standard output)")
	r.register(cmd)
	return cmd
}
