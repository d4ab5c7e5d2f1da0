package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReportBaseline: two runs of the same seed compare as equal; a run the simulator made
// slower (--sim-latency) is marked worse, in the text and the HTML comparison, and
// --fail-if-worse turns that into exit code 99.
func TestReportBaseline(t *testing.T) {
	dir := t.TempDir()
	a, b, slow := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "slow.json")
	runCLI(t, nil, "run", "-q", "--no-summary", "--seed", "7", "--summary-export", a, "pass.js").want(t, 0)
	runCLI(t, nil, "run", "-q", "--no-summary", "--seed", "7", "--summary-export", b, "pass.js").want(t, 0)
	runCLI(t, nil, "run", "-q", "--no-summary", "--seed", "7", "--sim-latency", "SET_AGENT_STATE_REQ=200ms",
		"--summary-export", slow, "pass.js").want(t, 0)

	// A busy CI machine can delay a few requests by tens of milliseconds (a p99 of 40 requests
	// is nearly their maximum): worse here means twice as slow and 50 ms slower, which the
	// added 200 ms is many times over.
	tol := []string{"--tolerance", "100%", "--tolerance-min", "50ms"}
	same := runCLI(t, nil, append([]string{"report", "--no-summary", "--baseline", a, "--fail-if-worse", b}, tol...)...)
	same.want(t, 0)
	contains(t, "stdout", same.stdout, "COMPARED WITH "+a, "SET_AGENT_STATE_REQ", "no statistic worse than the baseline")
	if strings.Contains(same.stdout, "▲") {
		t.Errorf("two runs of the same seed compare as worse:\n%s", same.stdout)
	}

	html := filepath.Join(dir, "compare.html")
	worse := runCLI(t, nil, append([]string{"report", "--no-summary", "--baseline", a, "--html", html, "--fail-if-worse", slow}, tol...)...)
	worse.want(t, 99)
	var line string
	for _, l := range strings.Split(worse.stdout, "\n") {
		if strings.Contains(l, "SET_AGENT_STATE_REQ") {
			line = l
		}
	}
	if strings.Count(line, "▲") < 2 {
		t.Errorf("SET_AGENT_STATE_REQ, 200 ms slower, is not marked worse in p50 and p95: %q\n%s", line, worse.stdout)
	}
	contains(t, "stderr", worse.stderr, "worse than the baseline")
	page := readText(t, html)
	if !strings.Contains(page, `id="comparison"`) || strings.Count(page, `class="worse"`) < 2 {
		t.Errorf("the HTML comparison does not mark the slower request type")
	}
	// Without --fail-if-worse the comparison informs and the exit code stays 0.
	runCLI(t, nil, "report", "--no-summary", "--baseline", a, slow).want(t, 0)
	bad := runCLI(t, nil, "report", "--baseline", a, "--tolerance", "ten", slow)
	bad.want(t, exitInvalidOptions)
	contains(t, "stderr", bad.stderr, `--tolerance: invalid value "ten"`)
}
