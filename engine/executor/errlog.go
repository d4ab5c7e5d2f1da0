package executor

import (
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// errorLog rate-limits the "iteration failed" log lines of a scenario: a run of 10,000 VUs whose
// iterations all fail against a broken server would otherwise bury the live view under one line
// per iteration. The first errorBurst lines pass, then one per errorInterval (a token bucket of
// golang.org/x/time/rate, the project's one rate limiter); the lines held back are counted and
// the count is logged with the next line that passes (and at the end of the scenario). Every
// failed iteration is still counted in the metrics either way.
type errorLog struct {
	log        *slog.Logger
	limit      *rate.Limiter
	mu         sync.Mutex
	suppressed int64
}

const (
	errorBurst    = 10
	errorInterval = time.Second
)

func newErrorLog(l *slog.Logger) *errorLog {
	return &errorLog{log: l, limit: rate.NewLimiter(rate.Every(errorInterval), errorBurst)}
}

// Warn logs msg with args unless the limit is reached. now is explicit so that tests drive the
// bucket with instants of their own.
func (e *errorLog) Warn(now time.Time, msg string, args ...any) {
	e.mu.Lock()
	if !e.limit.AllowN(now, 1) {
		e.suppressed++
		e.mu.Unlock()
		return
	}
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
