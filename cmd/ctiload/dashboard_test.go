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

// TestDashboardLive runs a short test against the built-in simulator with --dashboard and
// watches it in headless Chromium: the page's charts have a legend entry per series, its
// figures change between two reads while the run goes on, it ends on the final report, and it
// made no request outside its own origin. The server keeps the control API's rules: no token,
// a foreign Host or a foreign Origin is refused.
func TestDashboardLive(t *testing.T) {
	bin := htmltest.Require(t)
	cmd, _, stderr := startCLI(t, "run", "long.js", "--vus", "3", "--duration", "8s",
		"--dashboard=127.0.0.1:0", "--dashboard-linger", "2m")
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

	b.WaitFor(`document.body.dataset.done === "true"`, 90*time.Second)
	final := read()
	if strings.Contains(final, "RUNNING") {
		t.Errorf("after the run the page shows %q, want the final verdict", final)
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
	// Ctrl-C during the linger ends it; the exit code stays the run's verdict, as the page shows it.
	switch code := waitExit(t, cmd, stderr, 30*time.Second); {
	case code == 0 && strings.Contains(final, "PASSED"), code == 99 && strings.Contains(final, "thresholds failed"):
	default:
		t.Errorf("exit code %d after Ctrl-C during the linger, page verdict %q\n%s", code, final, stderr.String())
	}
	if n := strings.Count(stderr.String(), token); n != 1 {
		t.Errorf("stderr shows the token %d times; want once", n)
	}
}
