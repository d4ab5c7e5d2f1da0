package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti/sim"
)

// The example scenarios in scripts/ are what users copy: TestScenarios runs every one of them
// (found by glob, so a new scenario is covered the day it lands) against the built-in simulator,
// shrunk with SCALE, and fails when one stops passing. Each run is a separate ctiload process
// with its own simulator on a free loopback port, so the runs go in parallel.

// scenarioScale shrinks every scenario to a run of about ten seconds at most: the scenarios keep
// sensible minimums (one VU, a few seconds), and a 30-minute soak becomes 9 s.
const scenarioScale = "0.005"

// scenarioTimeout kills a run that hangs; a healthy one ends well before.
const scenarioTimeout = 90 * time.Second

// scenarioVariants are further runs of a scenario with other switches (each file runs once
// without any in any case).
var scenarioVariants = map[string][][]string{
	"consult-transfer.js": {{"MODE=conference"}},
	"failover.js":         {{"FAIL=crash"}},
}

// scenarioSummary is what the test reads from --summary-export.
type scenarioSummary struct {
	Summary struct {
		Verdict struct {
			ExitCode int    `json:"exit_code"`
			Status   string `json:"status"`
		} `json:"verdict"`
		Execution struct {
			Iterations  int64 `json:"iterations"`
			Failed      int64 `json:"failed"`
			Interrupted int64 `json:"interrupted"`
		} `json:"execution"`
		Checks []struct {
			Name   string `json:"name"`
			Passes int64  `json:"passes"`
			Fails  int64  `json:"fails"`
		} `json:"checks"`
	} `json:"summary"`
	Run struct {
		Seed int64 `json:"seed"`
	} `json:"run"`
}

func TestScenarios(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "scripts"))
	if err != nil {
		t.Fatal(err)
	}
	var scripts []string
	for _, pattern := range []string{"*.js", "*.ts"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		scripts = append(scripts, m...)
	}
	if len(scripts) == 0 {
		t.Fatalf("no scenario in %s", root)
	}
	// The TypeScript example of types/ runs as a scenario too: it is how the declarations are
	// shown to match what ctiload runs.
	tsExample, err := filepath.Abs(filepath.Join("..", "..", "types", "example.ts"))
	if err != nil {
		t.Fatal(err)
	}
	scripts = append(scripts, tsExample)
	for _, path := range scripts {
		base := filepath.Base(path)
		runs := append([][]string{nil}, scenarioVariants[base]...)
		for _, env := range runs {
			name := strings.TrimSuffix(base, filepath.Ext(base))
			if len(env) > 0 {
				name += "/" + strings.Join(env, ",")
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runScenario(t, path, env)
			})
		}
	}
}

// TestScenarioAtTenThousandAgents runs the smoke scenario against a simulator of 10,000 agents,
// whose extensions (1000…10999) take 8000, so its callers dial 800000: the example scripts read
// the number from cti.simulator instead of assuming 8000, and their calls still reach the queue.
func TestScenarioAtTenThousandAgents(t *testing.T) {
	t.Parallel()
	path, err := filepath.Abs(filepath.Join("..", "..", "scripts", "smoke.js"))
	if err != nil {
		t.Fatal(err)
	}
	runScenarioArgs(t, path, []string{"-e", "SCALE=" + scenarioScale, "--sim-agents", "10000"})
}

// runScenario runs one scenario with SCALE and env, and checks its verdict and its summary.
func runScenario(t *testing.T, path string, env []string) {
	args := []string{"-e", "SCALE=" + scenarioScale}
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	runScenarioArgs(t, path, args)
}

// runScenarioArgs runs ctiload run with extra flags on path and checks the exit code and the
// exported summary.
func runScenarioArgs(t *testing.T, path string, extra []string) []byte {
	export := filepath.Join(t.TempDir(), "summary.json")
	args := []string{"run", "--quiet", "--no-color", "--include-system-env-vars=false", "--summary-export", export}
	args = append(append(args, extra...), path)
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ctiloadBin, args...)
	cmd.Env = cleanEnv()
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	code := 0
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("still running after %v: killed\nstdout:\n%s\nstderr:\n%s", scenarioTimeout, stdout.String(), stderr.String())
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("ctiload %v: %v", args, err)
	}
	if code != 0 {
		t.Fatalf("exit code %d; want 0 (ctiload %s)\nstdout:\n%s\nstderr:\n%s", code, strings.Join(args, " "), stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(export)
	if err != nil {
		t.Fatalf("summary export: %v\nstderr:\n%s", err, stderr.String())
	}
	var s scenarioSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("summary export does not parse: %v", err)
	}
	ex := s.Summary.Execution
	if ex.Iterations == 0 {
		t.Errorf("no iteration ran (seed %d)\nstdout:\n%s", s.Run.Seed, stdout.String())
	}
	// An iteration that throws does not change the exit code by itself: a scenario whose
	// iterations fail would pass on its thresholds alone. Example scenarios never throw.
	if ex.Failed != 0 {
		t.Errorf("%d of %d iterations failed (seed %d)\nstdout:\n%s\nstderr:\n%s", ex.Failed, ex.Iterations, s.Run.Seed, stdout.String(), stderr.String())
	}
	// Every scenario checks what it does: a run without a single check proves little.
	var checks int64
	for _, c := range s.Summary.Checks {
		checks += c.Passes + c.Fails
	}
	if checks == 0 {
		t.Errorf("no check ran (seed %d)\nstdout:\n%s", s.Run.Seed, stdout.String())
	}
	t.Logf("%s: %d iterations, %d checks, %v", filepath.Base(path), ex.Iterations, checks, took.Round(100*time.Millisecond))
	return b
}

// TestREADMEExample runs the scenario README.md shows (its first ```js block), shortened by the
// --vus/--duration shortcuts: the example a newcomer copies first must run and pass.
func TestREADMEExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```js\n")
	src, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```js block")
	}
	path := filepath.Join(t.TempDir(), "example.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// Three agents for 4 s; the calls still come from the script's options.simulator.
	runScenarioArgs(t, path, []string{"--vus", "3", "--duration", "4s"})

	// The same example against a stand-alone server (--target, not the built-in simulator) whose
	// peripheral is not the simulator's default: it runs because it names peripheralId.
	srv, err := sim.New(sim.Config{Seed: 7, PeripheralID: 5100, Agents: sim.AgentsConfig{Count: 20},
		Calls: sim.CallsConfig{Rate: 2, TalkTime: sim.Fixed(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	runScenarioArgs(t, path, []string{"--vus", "3", "--duration", "4s", "--target", srv.Addr(), "-e", "PERIPHERAL_ID=5100"})
	if c := srv.Counters(); c.SessionsRejected != 0 || c.SessionsOpened < 3 {
		t.Errorf("against --target: %d sessions opened, %d refused", c.SessionsOpened, c.SessionsRejected)
	}
}

// TestBenchScripts runs the scripts of scripts/bench/ small: idle-agents.js is what `make
// bench-scale` runs, empty-iteration.js and bare-vu.js are the ones k6 runs unchanged, and
// round-trips.js gives the round-trip figures of docs/performance.md, so a change that broke
// them would only show in a benchmark nobody runs in CI. (arrival-rate.js is left out: at its
// 1,000/s with two VUs the first iterations find no free VU while the pool grows, and its
// dropped_iterations threshold fails the run.)
func TestBenchScripts(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "scripts", "bench")
	t.Run("idle-agents", func(t *testing.T) {
		t.Parallel()
		b := runScenarioArgs(t, filepath.Join(dir, "idle-agents.js"), []string{"-e", "AGENTS=3", "-e", "HOLD=1s", "-e", "HEARTBEAT=0.2s"})
		// An agent never started or never READY fails the run's own verdict, not only
		// bench-scale's table: the script guards both, and a run where every agent logged in
		// passes them.
		var s struct {
			Thresholds []struct {
				Metric, Source string
				Passed         bool
			}
		}
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"dropped_iterations count==0", "checks rate==1"} {
			found := false
			for _, th := range s.Thresholds {
				if th.Metric+" "+th.Source == want {
					found = true
					if !th.Passed {
						t.Errorf("threshold %s failed on a run where every agent logged in", want)
					}
				}
			}
			if !found {
				t.Errorf("idle-agents.js lacks the threshold %s: %+v", want, s.Thresholds)
			}
		}
	})
	for _, name := range []string{"empty-iteration.js", "bare-vu.js", "round-trips.js"} {
		t.Run(strings.TrimSuffix(name, ".js"), func(t *testing.T) {
			t.Parallel()
			export := filepath.Join(t.TempDir(), "summary.json")
			cmd := exec.Command(ctiloadBin, "run", "--quiet", "--no-summary", "--include-system-env-vars=false",
				"--summary-export", export, "-e", "VUS=2", "-e", "DURATION=1s", filepath.Join(dir, name))
			cmd.Env = cleanEnv()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ctiload run %s: %v\n%s", name, err, out)
			}
			b, err := os.ReadFile(export)
			if err != nil {
				t.Fatal(err)
			}
			var s scenarioSummary
			if err := json.Unmarshal(b, &s); err != nil || s.Summary.Execution.Iterations == 0 || s.Summary.Execution.Failed != 0 {
				t.Errorf("summary: %+v (%v); want iterations, none failed", s.Summary.Execution, err)
			}
		})
	}
}
