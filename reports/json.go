package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ctiload/ctiload/engine"
)

// ExportFormat names the format of a summary export; a reader accepts any "ctiload-summary/1…".
const ExportFormat = "ctiload-summary/1"

// Export is the JSON document of --summary-export: the engine's Result (its fields at the top
// level, trends with their encoded HdrHistograms), the run's description, the tag pair counts
// and, for readers, the summary's tables. ctiload report and ctiload merge read it back.
type Export struct {
	Format string  `json:"format"`
	Run    RunInfo `json:"run"`
	*engine.Result
	Pairs []PairCount `json:"pairs,omitempty"`
	// Summary is written for people and tools that want the tables; readers recompute it.
	Summary *Summary `json:"summary,omitempty"`
}

// NewJSONReporter returns the summary export of s: an indented JSON Export.
func NewJSONReporter(s *Summary) Reporter {
	return func(w io.Writer) error {
		e := Export{Format: ExportFormat, Run: s.Run, Result: s.Result, Pairs: s.Pairs, Summary: s}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&e); err != nil {
			return fmt.Errorf("writing the JSON summary: %w", err)
		}
		return nil
	}
}

// ReadExport reads a summary export (or a bare engine Result) back into the Input it was made of,
// its thresholds judged again on its metrics (engine.Result.JudgeThresholds).
func ReadExport(r io.Reader) (Input, error) {
	e := Export{Result: &engine.Result{}}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&e); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Input{}, fmt.Errorf("not a JSON summary: %v at byte %d", err, se.Offset)
		}
		if err == io.EOF {
			return Input{}, errors.New("not a JSON summary: the file is empty")
		}
		return Input{}, fmt.Errorf("not a ctiload JSON summary: %w", err)
	}
	if e.Format != "" && !strings.HasPrefix(e.Format, "ctiload-summary/1") {
		return Input{}, fmt.Errorf("summary format %q is not one this ctiload reads (%s)", e.Format, ExportFormat)
	}
	if e.Format == "" && e.Result.Metrics == nil && e.Result.Scenarios == nil {
		return Input{}, errors.New("not a ctiload JSON summary: no metrics and no scenarios (write one with ctiload run --summary-export)")
	}
	// The verdicts follow from the metrics beside them, judged by the run's own evaluator.
	if err := e.Result.JudgeThresholds(); err != nil {
		return Input{}, fmt.Errorf("the summary's thresholds: %w", err)
	}
	return Input{Result: e.Result, Run: e.Run, Pairs: e.Pairs}, nil
}

// MergeInputs combines the summaries of segments of one test (ctiload merge): the results
// through engine.MergeResults (exact percentiles from the histograms), pair counts added up, the
// run descriptions joined.
func MergeInputs(a, b Input) (Input, error) {
	res, err := engine.MergeResults(a.Result, b.Result)
	if err != nil {
		return Input{}, err
	}
	return Input{Result: res, Run: mergeRun(a.Run, b.Run), Pairs: MergePairs(a.Pairs, b.Pairs)}, nil
}

func mergeRun(a, b RunInfo) RunInfo {
	out := a
	out.Parts = max(a.Parts, 1) + max(b.Parts, 1)
	// Each process's outputs (one prometheus-rw per pod): who lost pushes stays visible.
	out.Outputs = append(append([]OutputStatus(nil), a.Outputs...), b.Outputs...)
	if out.Script == "" {
		out.Script = b.Script
	} else if b.Script != "" && b.Script != a.Script {
		out.Script = a.Script + ", " + b.Script
	}
	if out.Target == "" {
		out.Target = b.Target
	} else if b.Target != "" && b.Target != a.Target {
		out.Target = a.Target + " + " + b.Target
	}
	if a.Simulator != nil || b.Simulator != nil {
		// Each process ran its own simulator: describe one, without addresses.
		sim := a.Simulator
		if sim == nil {
			sim = b.Simulator
		}
		c := *sim
		c.Addrs = nil
		out.Simulator = &c
	}
	if a.Seed != b.Seed {
		out.Seed = 0
	}
	seen := map[string]bool{}
	out.Scenarios = nil
	for _, sc := range append(slices.Clone(a.Scenarios), b.Scenarios...) {
		if !seen[sc.Name] {
			seen[sc.Name] = true
			out.Scenarios = append(out.Scenarios, sc)
		}
	}
	return out
}
