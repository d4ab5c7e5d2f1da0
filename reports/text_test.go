package reports_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := lines(string(got)), lines(string(want))
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got %q\nwant %q\n(run go test -update if the change is intended)\nwhole output:\n%s", name, i+1, g, w, got)
			}
		}
	}
}

func summaryOf(t *testing.T, in reports.Input, o reports.SummaryOptions) *reports.Summary {
	t.Helper()
	s, err := reports.NewSummary(in, o)
	if err != nil {
		t.Fatalf("NewSummary: %v", err)
	}
	return s
}

func TestTextSummaryGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		color bool
	}{{"summary.golden", false}, {"summary-color.golden", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := summaryOf(t, synthInput(), reports.SummaryOptions{})
			var buf bytes.Buffer
			if err := reports.NewTextReporter(s, reports.TextOptions{Color: tc.color})(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, buf.Bytes())
		})
	}
}

// TestTextSummaryInterruptedGolden is a run stopped early with no CTI traffic at all: only the
// sections with data, and the interruption as the verdict.
func TestTextSummaryInterruptedGolden(t *testing.T) {
	b := newSynth()
	b.counter("iterations", nil, 3)
	b.trend("iteration_duration", nil, []float64{1000.5, 1001.2, 999.8})
	b.gauge("vus", 0, 0, 2)
	b.gauge("vus_max", 2, 2, 2)
	res := b.res
	res.Duration = engine.Duration(2500 * time.Millisecond)
	res.Scenarios = []engine.ScenarioResult{{Name: "default", Executor: "constant-vus", Iterations: 3, Interrupted: 2, VUsMax: 2}}
	res.Interrupted, res.ErrorCode, res.Error = true, 105, "run interrupted (graceful stop)"
	s := summaryOf(t, reports.Input{Result: res, Run: reports.RunInfo{Script: "s.js", Target: "10.1.2.3:42027"}}, reports.SummaryOptions{TrendStats: []string{"avg", "med", "p(95)", "max"}})
	var buf bytes.Buffer
	if err := reports.NewTextReporter(s, reports.TextOptions{})(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary-interrupted.golden", buf.Bytes())
}
