package sim

import (
	"log/slog"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// Connection log lines: a refused open or a closed connection each get one line naming the
// reason and the remote address, so a user whose client cannot stay connected reads why in the
// simulator's log. A client that reconnects in a tight loop must not flood that log: lines beyond
// connLogBurst, then connLogRate per second, are counted, and the count is reported on the next
// line written ("suppressed") and when the server stops.
const (
	connLogRate  = 20
	connLogBurst = 50
)

type connLog struct {
	log        *slog.Logger // nil: no log
	lim        *rate.Limiter
	suppressed atomic.Int64
}

func newConnLog(l *slog.Logger) *connLog {
	return &connLog{log: l, lim: rate.NewLimiter(connLogRate, connLogBurst)}
}

// write logs one line unless the rate is exceeded, when it only counts it.
func (cl *connLog) write(msg string, args ...any) {
	if cl.log == nil {
		return
	}
	if !cl.lim.Allow() {
		cl.suppressed.Add(1)
		return
	}
	if n := cl.suppressed.Swap(0); n > 0 {
		args = append(args, "suppressed", n)
	}
	cl.log.Info(msg, args...)
}

// flush reports the lines suppressed since the last one written.
func (cl *connLog) flush() {
	if cl.log == nil {
		return
	}
	if n := cl.suppressed.Swap(0); n > 0 {
		cl.log.Info("cti connection log lines suppressed", "suppressed", n)
	}
}
