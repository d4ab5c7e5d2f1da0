// Package htmltest drives headless Chromium for tests of the HTML report and the live dashboard
// (cdp.go: the DevTools protocol over a websocket, standard library only): a test loads a page,
// reads its DOM after the scripts ran (charts.go: every chart and its legend), lists the
// requests the page made and saves screenshots. Require skips a test on a machine without
// Chromium, except under CI.
package htmltest

import (
	"os"
	"testing"
)

// candidates are the browser binaries tried, in order, after $CHROMIUM.
var candidates = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"}

// Find returns the path of a Chromium binary, or "".
func Find() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Require returns the browser, or skips the test when there is none, except under CI (the CI
// environment variable set), where a missing browser fails the test: CI installs it.
func Require(t testing.TB) string {
	t.Helper()
	p := Find()
	if p == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found (looked at $CHROMIUM and /usr/bin/chromium…) and CI is set: the CI image must install it")
		}
		t.Skip("chromium not installed: skipping the browser rendering test (set CI=1 to make this a failure)")
	}
	return p
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
