package main

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/reports"
	"github.com/spf13/cobra"
)

// mergePoll is how often merge --wait looks for the summaries still missing.
const mergePoll = 2 * time.Second

// mergeFlags are merge's command line besides the report outputs.
type mergeFlags struct {
	r            reportFlags
	out          string
	wait         time.Duration
	segmentCount int64
}

func newMergeCmd() *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "merge SUMMARY.json|PATTERN…",
		Short: "Combine the summaries of execution segments into the summary of the whole test",
		Long: `merge combines the summaries that the processes of one test wrote (each ran an
--execution-segment, or --segment-count with an index, and --summary-export) into one summary,
as if one process had run the whole test: counts add up, percentiles are exact (merged from the
HdrHistograms), thresholds are judged again on the merged values.

An argument may be a glob pattern ('/results/run1-segment-*.json'), expanded by merge itself:
the collector of a Kubernetes run has no shell. With --wait, merge waits until the summaries
found cover the whole test (every segment from 0 to 1), looking again every 2 seconds, for at
most that long: pods finish at different times.

A merge never passes silently with a part missing: a segment that no summary covers (its process
died, or never ran) is named in the summary, and the verdict is "incomplete", exit code 105.
A merged threshold that fails exits 99, as run does.

With -o, the merged summary goes to that file and the text summary to standard output; without
it, the merged summary (JSON) goes to standard output.`,
		Example: `  ctiload merge part1.json part2.json part3.json -o total.json
  ctiload merge 'seg-*.json' > total.json
  ctiload merge a.json b.json -o total.json --html report.html --junit junit.xml
  ctiload merge --wait 30m --segment-count 4 '/results/run1-segment-*.json' -o /results/run1-merged.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return &exitError{code: exitInvalidOptions, err: errors.New("give the summaries to merge: ctiload merge a.json b.json [-o total.json]")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return f.run(cmd, args) },
	}
	cmd.SetFlagErrorFunc(flagError)
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "write the merged summary to `FILE` (default: standard output)")
	cmd.Flags().DurationVar(&f.wait, "wait", 0, "wait up to `DURATION` for the summaries to cover the whole test (e.g. 30m), then merge what there is")
	cmd.Flags().Int64Var(&f.segmentCount, "segment-count", 0, "the test ran as `N` equal segments (run --segment-count): missing ones are named by index too")
	f.r.register(cmd)
	return cmd
}

func (f *mergeFlags) run(cmd *cobra.Command, args []string) error {
	if f.segmentCount < 0 || f.segmentCount > executor.MaxPeriod {
		return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--segment-count: invalid value %d: want 1 to %d", f.segmentCount, executor.MaxPeriod)}
	}
	parts, gaps, err := f.collect(args, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	total := parts[0].in
	for _, p := range parts[1:] {
		if total, err = reports.MergeInputs(total, p.in); err != nil {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("merging %s: %v", p.path, err)}
		}
	}
	for _, g := range gaps {
		total.Result.MissingSegments = append(total.Result.MissingSegments, describeGap(g, f.segmentCount))
	}
	s, err := reports.NewSummary(total, reports.SummaryOptions{})
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	r := f.r
	if f.out == "" || f.out == "-" {
		if err := reports.NewJSONReporter(s)(cmd.OutOrStdout()); err != nil {
			return err
		}
		r.noSummary = true // standard output holds the JSON
	} else if err := reports.WriteFile(f.out, reports.NewJSONReporter(s)); err != nil {
		return &exitError{code: exitInvalidOptions, err: fmt.Errorf("-o: cannot write %q: %v", f.out, unwrapPathError(err))}
	}
	if err := r.write(cmd, total); err != nil {
		return err
	}
	if code := total.Result.ExitCode(); code != exitOK {
		return &exitError{code: code, err: verdictError(s, nil)}
	}
	return nil
}

// summaryPart is one summary to merge, with the file it came from.
type summaryPart struct {
	path string
	in   reports.Input
	segs []executor.Segment // what it covers; nil for a whole test run without segments
}

// collect reads the summaries args name (files and glob patterns), waiting up to f.wait for
// them to cover the whole test, and returns them with the parts of the test none covers.
func (f *mergeFlags) collect(args []string, stderr io.Writer) ([]summaryPart, []executor.Segment, error) {
	deadline := time.Now().Add(f.wait)
	for announced := false; ; {
		parts, gaps, err := f.scan(args)
		if f.wait <= 0 {
			if err == nil && len(parts) == 0 {
				err = &exitError{code: exitInvalidOptions, err: fmt.Errorf("no summary matches %s", strings.Join(args, " "))}
			}
			return parts, gaps, err
		}
		complete := err == nil && len(parts) > 0 && len(gaps) == 0
		if complete || time.Now().After(deadline) {
			switch {
			case err != nil:
				return nil, nil, err
			case len(parts) == 0:
				return nil, nil, &exitError{code: exitInterrupted, err: fmt.Errorf("no summary matched %s within --wait %s: every segment is missing", strings.Join(args, " "), f.wait)}
			}
			return parts, gaps, nil
		}
		if !announced {
			fmt.Fprintf(stderr, "ctiload merge: waiting up to %s for the summaries of every segment (%d found)\n", f.wait, len(parts))
			announced = true
		}
		time.Sleep(min(mergePoll, time.Until(deadline)+time.Millisecond))
	}
}

// scan reads what args name now. A summary that does not parse is an error; so are two
// summaries of overlapping segments.
func (f *mergeFlags) scan(args []string) ([]summaryPart, []executor.Segment, error) {
	var paths []string
	outAbs, _ := filepath.Abs(f.out)
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			if f.wait > 0 {
				if _, err := os.Stat(a); errors.Is(err, os.ErrNotExist) {
					continue // not written yet
				}
			}
			paths = append(paths, a)
			continue
		}
		matches, err := filepath.Glob(a)
		if err != nil {
			return nil, nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("pattern %q: %v", a, err)}
		}
		for _, m := range matches {
			if abs, _ := filepath.Abs(m); f.out != "" && abs == outAbs {
				continue // the merged summary of an earlier merge
			}
			paths = append(paths, m)
		}
	}
	var parts []summaryPart
	seen := map[string]string{} // segment → the file that ran it
	var withSegs, without []string
	var sequence, seqFile string // the segment sequence of the first part, which all must share
	var all []executor.Segment
	for _, path := range paths {
		in, err := readSummary(path)
		if err != nil {
			return nil, nil, err
		}
		p := summaryPart{path: path, in: in}
		for _, s := range strings.Split(in.Result.Segment, "+") {
			if s == "" {
				continue
			}
			// A run's segment reads "1/4:1/2 of 0,1/4,1/2,3/4,1": the segment in its sequence.
			s, seq, _ := strings.Cut(s, " of ")
			if sequence == "" {
				sequence, seqFile = seq, path
			} else if seq != sequence {
				return nil, nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s split the test as %s, %s as %s: they are not parts of one split", seqFile, sequence, path, seq)}
			}
			if prev, dup := seen[s]; dup {
				return nil, nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s and %s both ran segment %s: merging them would count it twice", prev, path, s)}
			}
			seen[s] = path
			seg, err := executor.ParseSegment(s)
			if err != nil {
				return nil, nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s: %v", path, err)}
			}
			p.segs = append(p.segs, seg)
		}
		if p.segs == nil {
			without = append(without, path)
		} else {
			withSegs = append(withSegs, path)
			all = append(all, p.segs...)
		}
		parts = append(parts, p)
	}
	if len(withSegs) == 0 {
		return parts, nil, nil // whole runs (no segments): nothing to check coverage against
	}
	if len(without) > 0 {
		return nil, nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s ran no execution segment but %s did: they are not parts of one test", without[0], withSegs[0])}
	}
	gaps, err := executor.Gaps(all)
	if err != nil {
		return nil, nil, &exitError{code: exitInvalidOptions, err: err}
	}
	slices.SortFunc(parts, func(a, b summaryPart) int { return a.segs[0].Start.Cmp(b.segs[0].Start) })
	return parts, gaps, nil
}

// describeGap names a missing part of the test, with the indices it spans when the test ran
// as n equal segments: "1/4:1/2 (index 1 of 4)".
func describeGap(g executor.Segment, n int64) string {
	s := g.String()
	if n <= 0 {
		return s
	}
	idx := func(r *big.Rat) (int64, bool) {
		x := new(big.Rat).Mul(r, big.NewRat(n, 1))
		return x.Num().Int64(), x.IsInt()
	}
	first, ok1 := idx(g.Start)
	end, ok2 := idx(g.End)
	switch {
	case !ok1 || !ok2:
		return s
	case end-first == 1:
		return fmt.Sprintf("%s (index %d of %d)", s, first, n)
	}
	return fmt.Sprintf("%s (indices %d to %d of %d)", s, first, end-1, n)
}
