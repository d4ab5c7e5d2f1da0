package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

// TestRowAboveTheHardFileLimitIsSkipped: a row that needs more open files than the hard limit
// allows is not started but named in the table with the reason, and the soft limit is raised to
// the hard one for the rows that run.
func TestRowAboveTheHardFileLimitIsSkipped(t *testing.T) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Skipf("no file limit to read here: %v", err)
	}
	if l.Max > 1<<30 {
		t.Skipf("the hard limit of open files (%d) is too large for a row above it", l.Max)
	}
	script := filepath.Join(t.TempDir(), "idle-agents.js")
	if err := os.WriteFile(script, []byte("export default function () {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := int(l.Max) // needs n + filesOverhead files: more than the hard limit
	var out strings.Builder
	// The test binary stands in for ctiload: a skipped row never starts it.
	err := run(context.Background(), options{ctiload: os.Args[0], script: script, rows: []int{n}, loginRate: 500}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := "skipped: the hard limit of open files (" + strconv.FormatUint(l.Max, 10) + ") is below the " + strconv.Itoa(n+filesOverhead)
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	var after syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &after); err != nil || after.Cur != after.Max {
		t.Errorf("soft limit %d after run; want the hard limit %d (%v)", after.Cur, after.Max, err)
	}
}

// TestRowFromSummary reads the summary export of a real 40-agent row (testdata/summary-40.json:
// go run ./cmd/bench-scale -rows 40 -hold 2s -heartbeat 1s -login-rate 200 -out DIR), then the
// same summary as a run that left agents out would have written it: an agent whose iteration
// the executor dropped, or whose login failed, is a failure of the row even though no request
// failed and no session was lost.
func TestRowFromSummary(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "summary-40.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := reports.ReadExport(f)
	if err != nil {
		t.Fatal(err)
	}
	// set returns the summary's metrics with the counts of some changed (a metric absent from
	// the summary is added as a counter).
	set := func(counts map[string]map[string]float64) []metrics.Summary {
		var out []metrics.Summary
		seen := map[string]bool{}
		for _, m := range in.Result.Metrics {
			if c, ok := counts[m.Key]; ok {
				m.Values = maps.Clone(m.Values)
				maps.Copy(m.Values, c)
				seen[m.Key] = true
			}
			out = append(out, m)
		}
		for k, c := range counts {
			if !seen[k] {
				out = append(out, metrics.Summary{Name: k, Key: k, Type: metrics.Counter, Values: c})
			}
		}
		return out
	}
	for _, tc := range []struct {
		name         string
		agents       int
		metrics      []metrics.Summary
		wantFailures float64
		wantNote     string // "" for none
	}{
		{name: "every agent READY", agents: 40, metrics: in.Result.Metrics},
		{
			name:   "iterations dropped",
			agents: 40,
			metrics: set(map[string]map[string]float64{
				"dropped_iterations": {"count": 3},
				"bench_logged_in_at": {"count": 37},
			}),
			wantFailures: 3,
			wantNote:     "failures: 3 agents never READY (3 never started: dropped_iterations)",
		},
		{
			// The summary of a 40-agent run read as a 45-agent row: 5 agents with no
			// trace at all (no drop recorded) are still missing.
			name: "agents missing without a drop", agents: 45, metrics: in.Result.Metrics,
			wantFailures: 5, wantNote: "failures: 5 agents never READY",
		},
		{
			name:   "login rejected",
			agents: 40,
			metrics: set(map[string]map[string]float64{
				"bench_logged_in_at": {"count": 39},
				"checks":             {"fails": 1},
				"cti_failures":       {"count": 1},
			}),
			wantFailures: 3,
			wantNote:     "failures: 1 agents never READY, 1 failed requests and opens, 1 failed checks",
		},
		{
			name:         "session lost in the hold",
			agents:       40,
			metrics:      set(map[string]map[string]float64{"bench_sessions_lost": {"count": 2}}),
			wantFailures: 2,
			wantNote:     "failures: 2 sessions lost",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := row{agents: tc.agents}
			r.fill(tc.metrics)
			if r.failures != tc.wantFailures || r.note != tc.wantNote || r.failed != (tc.wantNote != "") {
				t.Errorf("failures %v, note %q, failed %v; want %v, %q, %v", r.failures, r.note, r.failed, tc.wantFailures, tc.wantNote, tc.wantNote != "")
			}
			// The figures of the real run, whatever the failures.
			if r.hbSent != 120 || r.hbMissed != 0 || r.loginAll != 196 || r.openP99 <= 0 || r.hbP99 <= 0 || r.hbLoginP99 <= 0 ||
				r.loginReqP99 < 0.3 || r.loginReqP99 > 0.645 { // the fixture's 80 login requests: p95 0.32 ms, max 0.645 ms
				t.Errorf("figures of the run: sent %v missed %v log in all %v open p99 %v login req p99 %v hb p99 %v/%v", r.hbSent, r.hbMissed, r.loginAll, r.openP99, r.loginReqP99, r.hbLoginP99, r.hbP99)
			}
			var out strings.Builder
			printTable(&out, []row{{agents: tc.agents, clientRSS: 1, simRSS: 1, failures: r.failures, note: r.note}})
			if want := fmt.Sprintf("%.0f\n", tc.wantFailures); !strings.Contains(out.String(), want) {
				t.Errorf("table's failures column is not %v:\n%s", tc.wantFailures, out.String())
			}
			if tc.wantNote != "" && !strings.Contains(out.String(), "[1] "+strconv.Itoa(tc.agents)+" agents: "+tc.wantNote) {
				t.Errorf("table lacks the note %q:\n%s", tc.wantNote, out.String())
			}
		})
	}
}

// TestFailedRowFailsTheBench: a row that could not be measured is named in the table and makes
// run return an error (bench-scale exits 1), so a script or CI step cannot take it for a pass.
func TestFailedRowFailsTheBench(t *testing.T) {
	script := filepath.Join(t.TempDir(), "idle-agents.js")
	if err := os.WriteFile(script, []byte("export default function () {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A "ctiload" that exits at once: its simulator never says where it listens.
	fake := filepath.Join(t.TempDir(), "ctiload")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err := run(context.Background(), options{ctiload: fake, script: script, rows: []int{10}, loginRate: 250}, &out)
	if err == nil || !strings.Contains(err.Error(), "rows that failed (see their notes): 10 agents") {
		t.Errorf("run: %v; want the failed row named\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "[1] 10 agents: the simulator exited before listening") {
		t.Errorf("table lacks the row's note:\n%s", out.String())
	}
}
