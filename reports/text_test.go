package reports_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

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
