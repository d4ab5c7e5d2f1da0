package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

func TestRunNoThresholdsSetupTeardown(t *testing.T) {
	r := runCLI(t, nil, "run", "-q", "flags.js")
	r.want(t, 99)
	contains(t, "stderr", r.stderr, "SETUP RAN", `TEARDOWN RAN {\"from\":\"setup\"}`)

	r = runCLI(t, nil, "run", "-q", "--no-thresholds", "--no-setup", "flags.js")
	r.want(t, 0)
	contains(t, "stderr", r.stderr, "TEARDOWN RAN undefined")
	if regexp.MustCompile(`SETUP RAN`).MatchString(r.stderr) {
		t.Errorf("setup ran with --no-setup:\n%s", r.stderr)
	}

	r = runCLI(t, nil, "run", "-q", "--no-thresholds", "--no-teardown", "flags.js")
	r.want(t, 0)
	contains(t, "stderr", r.stderr, "SETUP RAN")
	if regexp.MustCompile(`TEARDOWN RAN`).MatchString(r.stderr) {
		t.Errorf("teardown ran with --no-teardown:\n%s", r.stderr)
	}
}

// TestRunTagsAndConfigFile: --tag puts run tags on every sample; --config gives options under
// the script's (its scenarios lose to the script's, its tags stay); a typo in the file is named.
func TestRunTagsAndConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf, samples, sum := filepath.Join(dir, "conf.json"), filepath.Join(dir, "s.ndjson"), filepath.Join(dir, "sum.json")
	os.WriteFile(conf, []byte(`{"tags": {"team": "blue", "env": "from-file"},
		"scenarios": {"other": {"executor": "per-vu-iterations", "vus": 1, "iterations": 7}}}`), 0o644)
	r := runCLI(t, nil, "run", "-q", "--no-thresholds", "-c", conf, "--tag", "env=staging", "-t", "build=42",
		"--out", "ndjson="+samples, "--summary-export", sum, "flags.js")
	r.want(t, 0)
	if n := readSummaryJSON(t, sum).value("iterations", "count"); n != 2 {
		t.Errorf("%v iterations; want the script's 2 (its scenarios win over the file's)", n)
	}
	lines := readNDJSON(t, samples)
	seen := 0
	for _, l := range lines {
		tags, _ := l["tags"].(map[string]any)
		if tags == nil || l["metric"] != "checks" {
			continue
		}
		seen++
		if tags["env"] != "staging" || tags["build"] != "42" || tags["team"] != "blue" {
			t.Errorf("sample tags %v; want env=staging (flag over file), build=42, team=blue", tags)
		}
	}
	if seen != 2 {
		t.Errorf("%d checks samples; want 2", seen)
	}

	os.WriteFile(conf, []byte(`{"tresholds": {}}`), 0o644)
	r = runCLI(t, nil, "run", "-q", "--config", conf, "flags.js")
	r.want(t, 104)
	contains(t, "stderr", r.stderr, `unknown option "tresholds" (did you mean "thresholds"?)`)
	r = runCLI(t, nil, "run", "-q", "--config", filepath.Join(dir, "missing.json"), "flags.js")
	r.want(t, 104)
	contains(t, "stderr", r.stderr, "--config: cannot read")
}

func TestRunUnknownFlagSuggests(t *testing.T) {
	r := runCLI(t, nil, "run", "--vu", "3", "flags.js")
	r.want(t, 104)
	contains(t, "stderr", r.stderr, "unknown flag: --vu: did you mean --vus?")
	r = runCLI(t, nil, "run", "--no-treshold", "flags.js")
	r.want(t, 104)
	contains(t, "stderr", r.stderr, "did you mean --no-thresholds?")
}

// TestRunPausedResumes: --paused waits for POST /v1/resume; then the test runs to its end.
func TestRunPausedResumes(t *testing.T) {
	r := runCLI(t, nil, "run", "--paused", "flags.js")
	r.want(t, 104)
	contains(t, "stderr", r.stderr, "--paused: the run would wait for ever: add --control")

	sum := filepath.Join(t.TempDir(), "sum.json")
	cmd, stdout, stderr := startCLIEnv(t, []string{controlTokenEnv + "=tok-" + t.Name()}, "run", "--no-thresholds", "--paused",
		"--control", "127.0.0.1:0", "--summary-export", sum, "flags.js")
	stderr.waitFor(t, "paused: the test starts on POST /v1/resume", 30*time.Second)
	m := regexp.MustCompile(`control API on http://(\S+)/v1/scenarios`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no control address in:\n%s", stderr.String())
	}
	req, _ := http.NewRequest("POST", "http://"+m[1]+"/v1/resume", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer tok-"+t.Name())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("resume = %d; want 200", resp.StatusCode)
	}
	if code := waitExit(t, cmd, stderr, 60*time.Second); code != 0 {
		t.Fatalf("exit %d after resume\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if n := readSummaryJSON(t, sum).value("iterations", "count"); n != 2 {
		t.Errorf("%v iterations after resume; want 2", n)
	}
}
