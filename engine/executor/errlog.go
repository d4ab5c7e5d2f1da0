package executor

import (
	"log/slog"
	"sync"
	"time"
)

// errorLog rate-limits the "iteration failed" log lines of a scenario: a run of 10,000 VUs whose
// iterations all fail against a broken server would otherwise bury the live view under one line
// per iteration. The first errorBurst lines pass, then one per errorInterval; the lines held back
// are counted and the count is logged with the next line that passes (and at the end of the
// scenario). Every failed iteration is still counted in the metrics either way.
type errorLog struct {
	log        *slog.Logger
	mu         sync.Mutex
	tokens     float64
	last       time.Time
	suppressed int64
}

const (
	errorBurst    = 10
	errorInterval = time.Second
)

func newErrorLog(l *slog.Logger) *errorLog { return &errorLog{log: l, tokens: errorBurst} }

// Warn logs msg with args unless the limit is reached.
func (e *errorLog) Warn(now time.Time, msg string, args ...any) {
	e.mu.Lock()
	if !e.last.IsZero() {
		e.tokens += float64(now.Sub(e.last)) / float64(errorInterval)
		if e.tokens > errorBurst {
			e.tokens = errorBurst
		}
	}
	e.last = now
	if e.tokens < 1 {
		e.suppressed++
		e.mu.Unlock()
		return
	}
	e.tokens--
	held := e.suppressed
	e.suppressed = 0
	e.mu.Unlock()
	if held > 0 {
		args = append(args, "not_logged_since_last", held)
	}
	e.log.Warn(msg, args...)
}

// Flush logs how many lines were held back since the last one that passed.
func (e *errorLog) Flush() {
	e.mu.Lock()
	held := e.suppressed
	e.suppressed = 0
	e.mu.Unlock()
	if held > 0 {
		e.log.Warn("more iterations failed than were logged (all are counted in the results)", "not_logged", held)
	}
}
