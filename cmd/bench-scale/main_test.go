package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
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
