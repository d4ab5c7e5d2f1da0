package executor

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestErrorLogLimitsAndCounts(t *testing.T) {
	var out bytes.Buffer
	l := newErrorLog(slog.New(slog.NewTextHandler(&out, nil)))
	now := time.Unix(1000, 0)
	for i := 0; i < 100; i++ { // a burst of 100 failures within one instant
		l.Warn(now, "iteration failed", "i", i)
	}
	if got := strings.Count(out.String(), "iteration failed"); got != errorBurst {
		t.Fatalf("a burst of 100 logged %d lines; want %d", got, errorBurst)
	}
	l.Warn(now.Add(errorInterval), "iteration failed", "i", 100)
	if !strings.Contains(out.String(), "not_logged_since_last=90") {
		t.Fatalf("the line after the pause does not report the 90 held back:\n%s", out.String())
	}
	for i := 0; i < 5; i++ {
		l.Warn(now.Add(errorInterval), "iteration failed", "i", i)
	}
	l.Flush()
	if !strings.Contains(out.String(), "not_logged=5") {
		t.Fatalf("Flush does not report the 5 held back:\n%s", out.String())
	}
}
