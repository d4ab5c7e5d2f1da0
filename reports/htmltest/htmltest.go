// Package htmltest renders HTML reports in headless Chromium for tests: the DOM after the page
// loaded and a screenshot, so that a test can check that a report's charts are really drawn.
// Require skips a test on a machine without Chromium, except under CI.
package htmltest

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
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

func run(t testing.TB, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	profile := t.TempDir()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\nstderr:\n%s", bin, args, err, errb.String())
	}
	return out.Bytes()
}

// DumpDOM loads the HTML file at path and returns the DOM once the page has loaded.
func DumpDOM(t testing.TB, bin, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(run(t, bin, "--dump-dom", "file://"+abs))
}

// Screenshot loads the HTML file at path in a window of w×h pixels, writes a PNG to png and
// returns the decoded image.
func Screenshot(t testing.TB, bin, path, pngPath string, w, h int) image.Image {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	run(t, bin, "--screenshot="+pngPath, "--window-size="+itoa(w)+","+itoa(h), "file://"+abs)
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	return img
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

// Stats describes a screenshot's pixels.
type Stats struct {
	Pixels int
	Colors int // distinct colors
	// Near counts the pixels within a small distance of each color asked for.
	Near map[[3]uint8]int
}

// PixelStats counts distinct colors and the pixels near each of colors.
func PixelStats(img image.Image, colors ...[3]uint8) Stats {
	st := Stats{Near: map[[3]uint8]int{}}
	seen := map[[3]uint8]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			px := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
			st.Pixels++
			if len(seen) < 100000 {
				seen[px] = true
			}
			for _, c := range colors {
				if near(px, c) {
					st.Near[c]++
				}
			}
		}
	}
	st.Colors = len(seen)
	return st
}

func near(a, b [3]uint8) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a[0], b[0])+d(a[1], b[1])+d(a[2], b[2]) < 40
}
