package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/reports/htmltest"
)

// TestDashboardLive runs a test against the built-in simulator with --dashboard and watches it
// in headless Chromium: the page's charts have a legend entry per series, its figures change
// between two reads while the run goes on, it ends on the final report once the control API
// stopped the run, and it made no request outside its own origin. The server keeps the control
// API's rules: no token, a foreign Host or a foreign Origin is refused. The run lasts until
// the test stops it, so a slow machine cannot make it end before the page looks.
func TestDashboardLive(t *testing.T) {
	bin := htmltest.Require(t)
	cmd, stdout, stderr := startCLI(t, "run", "long.js", "--vus", "2", "--duration", "5m", "--control", "127.0.0.1:0",
		"--dashboard=127.0.0.1:0", "--dashboard-linger", "5m")
	defer cmd.Process.Kill()
	stderr.waitFor(t, "dashboard on http://", 30*time.Second)
	m := regexp.MustCompile(`dashboard on (http://([^/\s]+)/)\?token=(\S+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no dashboard URL in:\n%s", stderr.String())
	}
	base, addr, token := m[1], m[2], m[3]

	get := func(path string, hdr map[string]string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		for k, v := range hdr {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		name string
		path string
		hdr  map[string]string
		want int
	}{
		{"no token", "", nil, http.StatusUnauthorized},
		{"wrong token", "?token=wrong", nil, http.StatusForbidden},
		{"rebound Host", "events", map[string]string{"Host": "evil.example:" + strings.Split(addr, ":")[1], "Authorization": "Bearer " + token}, http.StatusForbidden},
		{"foreign Origin", "events", map[string]string{"Origin": "http://evil.example", "Authorization": "Bearer " + token}, http.StatusForbidden},
	} {
		if got := get(c.path, c.hdr); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}

	b := htmltest.Start(t, bin, 1400, 1000)
	b.Navigate(base + "?token=" + token)
	b.WaitFor(`location.search === "" && document.body.dataset.updates >= 1 && document.body.dataset.charts > 0`, 60*time.Second)
	read := func() string {
		var s string
		b.Eval(`document.querySelector('[data-part="tiles"]').textContent.replace(/\s+/g, " ") + " | " +
			document.querySelector('[data-part="header"] #verdict').textContent`, &s)
		return s
	}
	first := read()
	if !strings.Contains(first, "RUNNING") {
		t.Errorf("the live page does not say the run is going on: %q", first)
	}
	b.WaitFor(`document.body.dataset.updates >= 3`, 60*time.Second)
	if second := read(); second == first {
		t.Errorf("the page did not change between two updates: %q", first)
	}
	htmltest.CheckLegends(t, htmltest.Charts(b))

	stderr.waitFor(t, "control API on http://", 30*time.Second)
	ctl := regexp.MustCompile(`control API on (http://\S+)/v1/scenarios`).FindStringSubmatch(stderr.String())
	req, _ := http.NewRequest("POST", ctl[1]+"/v1/stop", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token) // one token for both servers
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stopping the run through the control API: %v %v", resp, err)
	}
	resp.Body.Close()

	b.WaitFor(`document.body.dataset.done === "true"`, 90*time.Second)
	if final := read(); !strings.Contains(final, "INTERRUPTED") {
		t.Errorf("after the run the page shows %q, want the final verdict: interrupted", final)
	}
	charts := htmltest.Charts(b)
	htmltest.CheckLegends(t, charts)
	have := map[string]bool{}
	for _, c := range charts {
		have[c.ID] = true
	}
	for _, id := range []string{"latency", "throughput", "vus", "latency-by-msg", "checks"} {
		if !have[id] {
			t.Errorf("the final page lacks chart %q (have %v)", id, have)
		}
	}
	for _, u := range b.Requests() {
		if !strings.HasPrefix(u, base) {
			t.Errorf("the dashboard requested %s, outside its origin %s", u, base)
		}
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("the page's scripts threw: %v", errs)
	}
	b.ScreenshotTo(filepath.Join(htmltest.ArtifactDir(t), "dashboard.png"))

	stderr.waitFor(t, "the dashboard shows the final report for", 30*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	// Ctrl-C during the linger ends it; the exit code stays the run's verdict.
	if code := waitExit(t, cmd, stderr, 30*time.Second); code != exitInterrupted {
		t.Errorf("exit code %d after Ctrl-C during the linger; want the run's, %d\n%s", code, exitInterrupted, stderr.String())
	}
	if strings.Contains(stdout.String(), token) {
		t.Error("the summary carries the token")
	}
}
