package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/reports/promrw/promtest"
)

// promSummary is what the Prometheus tests read of a summary export.
type promSummary struct {
	Run struct {
		Outputs []struct {
			Output    string   `json:"output"`
			Delivered string   `json:"delivered"`
			Problems  []string `json:"problems"`
		} `json:"outputs"`
	} `json:"run"`
	Summary struct {
		Requests []struct {
			Name     string `json:"name"`
			Count    int64  `json:"count"`
			Failures int64  `json:"failures"`
		} `json:"requests"`
		Failures []struct {
			Code  string `json:"code"`
			Count int64  `json:"count"`
		} `json:"failures"`
		Checks []struct {
			Name   string `json:"name"`
			Passes int64  `json:"passes"`
			Fails  int64  `json:"fails"`
		} `json:"checks"`
		Execution struct {
			Iterations int64 `json:"iterations"`
			Dropped    int64 `json:"dropped"`
		} `json:"execution"`
		Sessions struct {
			Opened int64 `json:"opened"`
		} `json:"sessions"`
	} `json:"summary"`
}

func readPromSummary(t *testing.T, path string) promSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s promSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// promEnv is the environment of a run that pushes often, so a short run makes many points.
func promEnv(testid string, extra ...string) []string {
	return append([]string{"CTILOAD_PROMETHEUS_RW_TESTID=" + testid, "CTILOAD_PROMETHEUS_RW_PUSH_INTERVAL=200ms"}, extra...)
}

// TestPrometheusRemoteWrite runs a scenario that pushes to a real Prometheus (and writes NDJSON
// too: outputs combine), then checks that what Prometheus stores equals the run's own summary
// (iterations, dropped iterations, requests per msg, failures per code, checks per check and
// result), and that every query of every panel of the Grafana dashboard finds data. Twice:
// with native histograms, and against a Prometheus without them, where trends fall back to
// quantile gauges (that run is the first half of an execution segment split, to see the
// segment label).
func TestPrometheusRemoteWrite(t *testing.T) {
	t.Run("native", func(t *testing.T) { testPrometheusRemoteWrite(t, true, "") })
	t.Run("quantiles", func(t *testing.T) { testPrometheusRemoteWrite(t, false, "0:1/2") })
}

func testPrometheusRemoteWrite(t *testing.T, native bool, segment string) {
	prom := promtest.Start(t, native)
	dir := t.TempDir()
	export, samples := filepath.Join(dir, "summary.json"), filepath.Join(dir, "samples.ndjson")
	testid := fmt.Sprintf("cli-%d", time.Now().UnixNano())
	args := []string{"run", "--no-color", "--out", "prometheus-rw=" + prom.URL, "--out", "ndjson=" + samples,
		"--summary-export", export, "--sim-fail-rate", "SET_AGENT_STATE_REQ=25%:CF_INVALID_AGENT_WORK_MODE"}
	if segment != "" {
		args = append(args, "--execution-segment", segment)
	}
	r := runCLI(t, promEnv(testid), append(args, "prometheus.js")...)
	r.want(t, 0)
	s := readPromSummary(t, export)
	if len(s.Run.Outputs) != 2 || len(s.Run.Outputs[0].Problems) != 0 {
		t.Fatalf("outputs %+v: want prometheus-rw then json, without problems\nstderr:\n%s", s.Run.Outputs, r.stderr)
	}
	contains(t, "summary", r.stdout, "OUTPUTS", "prometheus-rw="+prom.URL+"/api/v1/write", "testid "+testid)
	if len(readNDJSON(t, samples)) < 10 {
		t.Errorf("the NDJSON output next to prometheus-rw holds almost nothing")
	}
	ex := s.Summary.Execution
	if ex.Dropped == 0 || len(s.Summary.Failures) == 0 {
		t.Fatalf("the scenario should drop iterations and meet failures: %+v, %+v", ex, s.Summary.Failures)
	}

	sel := `{testid="` + testid + `"}`
	// byLabel queries expr and returns its series by the value of label.
	byLabel := func(expr string, labels ...string) map[string]float64 {
		t.Helper()
		res, err := prom.WaitFor(expr, 30*time.Second, func(res []promtest.Series) bool { return len(res) > 0 })
		if err != nil {
			t.Fatalf("%v\nprometheus log:\n%s", err, prom.Log())
		}
		out := map[string]float64{}
		for _, se := range res {
			var key []string
			for _, l := range labels {
				key = append(key, se.Metric[l])
			}
			out[strings.Join(key, "/")] = se.Float()
		}
		return out
	}
	equal := func(what string, got map[string]float64, want map[string]int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: Prometheus has %v, the summary %v", what, got, want)
		}
		for k, w := range want {
			if g, ok := got[k]; !ok || math.Abs(g-float64(w)) > 1e-9 {
				t.Errorf("%s %q: Prometheus has %v, the summary %d", what, k, g, w)
			}
		}
	}
	equal("iterations", byLabel(`sum(ctiload_iterations_total`+sel+`)`), map[string]int64{"": ex.Iterations})
	equal("dropped iterations", byLabel(`sum(ctiload_dropped_iterations_total`+sel+`)`), map[string]int64{"": ex.Dropped})
	reqs, fails, checks := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, row := range s.Summary.Requests {
		reqs[row.Name] = row.Count
	}
	for _, row := range s.Summary.Failures {
		fails[row.Code] = row.Count
	}
	for _, c := range s.Summary.Checks {
		checks[c.Name+"/pass"], checks[c.Name+"/fail"] = c.Passes, c.Fails
	}
	equal("requests", byLabel(`sum by (msg) (ctiload_cti_requests_total`+sel+`)`, "msg"), reqs)
	equal("failures", byLabel(`sum by (code) (ctiload_cti_failures_total`+sel+`)`, "code"), fails)
	equal("checks", byLabel(`sum by (check, result) (ctiload_checks_total`+sel+`)`, "check", "result"), checks)
	// The latency histogram counts every request, so p95 comes from the same population.
	var total int64
	for _, n := range reqs {
		total += n
	}
	if native {
		equal("request latency count", byLabel(`sum(histogram_count(ctiload_cti_request_duration_seconds`+sel+`))`), map[string]int64{"": total})
	} else {
		equal("request latency count", byLabel(`sum(ctiload_cti_request_duration_seconds_count`+sel+`)`), map[string]int64{"": total})
		contains(t, "summary", r.stdout, "trends as quantile gauges (the receiver refused native histograms)")
	}
	wantSegment := segment
	if wantSegment == "" {
		wantSegment = "0:1"
	}
	equal("segments", byLabel(`count by (segment) (ctiload_iterations_total`+sel+`)`, "segment"), map[string]int64{wantSegment: int64(len(byLabel(`ctiload_iterations_total`+sel, "scenario")))})

	checkDashboard(t, prom, testid)
}

// checkDashboard runs every query of every panel of deploy/grafana/ctiload.json against prom,
// with the dashboard's variables set to the run, and wants at least one series from each.
func checkDashboard(t *testing.T, prom *promtest.Server, testid string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "ctiload.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID        string `json:"uid"`
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Panels []dashPanel `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	vars := map[string]string{"testid": testid, "scenario": ".*", "__rate_interval": "1m", "__interval": "15s", "__range": "5m"}
	for _, v := range d.Templating.List {
		if _, ok := vars[v.Name]; !ok && v.Type != "datasource" {
			t.Errorf("dashboard variable %q: the test does not know what to set it to", v.Name)
		}
	}
	// The testid variable lists the run.
	ids, err := prom.LabelValues("testid", "ctiload_iterations_total")
	if err != nil || !strings.Contains(strings.Join(ids, " "), testid) {
		t.Errorf("testid values %v, %v: want %s", ids, err, testid)
	}
	varRE := regexp.MustCompile(`\$\{?(\w+)\}?`)
	queries := 0
	var walk func(ps []dashPanel)
	walk = func(ps []dashPanel) {
		for _, p := range ps {
			walk(p.Panels)
			for _, tg := range p.Targets {
				expr := varRE.ReplaceAllStringFunc(tg.Expr, func(m string) string {
					name := varRE.FindStringSubmatch(m)[1]
					v, ok := vars[name]
					if !ok {
						t.Errorf("panel %q: unknown variable %s", p.Title, m)
					}
					return v
				})
				queries++
				res, err := prom.Query(expr, time.Time{})
				switch {
				case err != nil:
					t.Errorf("panel %q query %s: %v", p.Title, tg.RefID, err)
				case len(res) == 0:
					t.Errorf("panel %q query %s finds no series: %s", p.Title, tg.RefID, expr)
				}
			}
		}
	}
	walk(d.Panels)
	if queries < 10 {
		t.Errorf("the dashboard has %d queries; want the panels the issue lists", queries)
	}
}

type dashPanel struct {
	Title   string      `json:"title"`
	Panels  []dashPanel `json:"panels"`
	Targets []struct {
		Expr  string `json:"expr"`
		RefID string `json:"refId"`
	} `json:"targets"`
}

// TestPrometheusStoppedMidRun: the receiver goes away while the test runs; the run goes on to
// its end, exits 0, and the summary counts the pushes that were lost, and why.
func TestPrometheusStoppedMidRun(t *testing.T) {
	prom := promtest.Start(t, true)
	dir := t.TempDir()
	export := filepath.Join(dir, "summary.json")
	testid := fmt.Sprintf("stop-%d", time.Now().UnixNano())
	cmd := exec.Command(ctiloadBin, "run", "--no-color", "--quiet", "--vus", "2", "--duration", "5s",
		"--out", "prometheus-rw="+prom.WriteURL(), "--summary-export", export, "pass.js")
	cmd.Dir = "testdata"
	cmd.Env = cleanEnv(promEnv(testid)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Once the first push has arrived, stop Prometheus: the run has seconds left.
	if _, err := prom.WaitFor(`ctiload_iterations_total{testid="`+testid+`"}`, time.Minute,
		func(r []promtest.Series) bool { return len(r) > 0 }); err != nil {
		cmd.Process.Kill()
		t.Fatalf("no push arrived: %v", err)
	}
	prom.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ctiload: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("still running 2 minutes later\nstderr:\n%s", stderr.String())
	}
	s := readPromSummary(t, export)
	if len(s.Run.Outputs) != 1 || len(s.Run.Outputs[0].Problems) == 0 ||
		!regexp.MustCompile(`^[1-9][0-9,]* push(es)? failed \(.*connection refused.*\), [0-9,]+ series points not delivered$`).MatchString(s.Run.Outputs[0].Problems[0]) {
		t.Fatalf("outputs %+v: want the lost pushes counted (connection refused)\nstderr:\n%s", s.Run.Outputs, stderr.String())
	}
	contains(t, "summary", stdout.String(), " failed (connection refused", "PASSED")
	contains(t, "log", stderr.String(), "prometheus-rw: a push to "+prom.WriteURL()+" failed")
}
