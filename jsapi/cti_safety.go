package jsapi

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// The guards that keep a run from flooding a CTI Server, whatever the script does. They live on
// the connect and request paths every session goes through (DESIGN.md: safety is part of the
// session layer, not of scripts):
//
//   - a VU whose session open failed waits before its next open, exponentially longer after
//     each failure in a row, with jitter (OpenBackoff);
//   - the run aborts when the last AbortOnOpenFailures opens of the whole run all failed;
//   - run-wide token buckets cap requests and opens per second (MaxRequestRate, MaxOpenRate).
//
// Every wait is a metric of its own (cti_open_backoff_duration, cti_rate_limit_wait_duration),
// never part of cti_request_duration or cti_session_open_duration.

// Safety configures the guards: options.cti of the script, --max-request-rate and
// --max-open-rate. The zero value is not the default: start from DefaultSafety.
type Safety struct {
	// OpenBackoff is the wait of a VU before it opens again after failed opens.
	OpenBackoff Backoff
	// AbortOnOpenFailures aborts the run (exit 108) when this many session opens in a row,
	// counted over every VU, failed with none succeeding in between. 0 turns the rule off.
	AbortOnOpenFailures int
	// MaxRequestRate and MaxOpenRate cap, per second and for the whole process, the requests
	// scripts send (session methods) and the sessions they open. 0 means no cap.
	MaxRequestRate, MaxOpenRate float64
}

// Backoff is an exponential back-off with jitter: after the n-th failure in a row the wait is
// Initial·Factor^(n-1), capped at Max, of which a random part up to half is taken off (so that
// VUs refused together do not come back together).
type Backoff struct {
	Initial, Max time.Duration
	Factor       float64
}

// DefaultSafety is what a run gets unless options.cti or the flags say otherwise: one VU
// refused on every open reaches about 10 s between opens after 7 failures, and a run where the
// last 10 opens all failed stops.
var DefaultSafety = Safety{
	OpenBackoff:         Backoff{Initial: 100 * time.Millisecond, Max: 10 * time.Second, Factor: 2},
	AbortOnOpenFailures: 10,
}

// Validate reports the first setting out of range, naming its options.cti key.
func (s Safety) Validate() error {
	b := s.OpenBackoff
	switch {
	case b.Initial <= 0:
		return fmt.Errorf("openBackoff.initial: want a positive duration, got %s", b.Initial)
	case b.Max < b.Initial:
		return fmt.Errorf("openBackoff.max: want at least openBackoff.initial (%s), got %s", b.Initial, b.Max)
	case b.Factor < 1 || math.IsNaN(b.Factor) || math.IsInf(b.Factor, 0):
		return fmt.Errorf("openBackoff.factor: want a number >= 1, got %v", b.Factor)
	case s.AbortOnOpenFailures < 0:
		return fmt.Errorf("abortOnOpenFailures: want a count >= 0 (0 turns the rule off), got %d", s.AbortOnOpenFailures)
	case s.MaxRequestRate < 0 || math.IsNaN(s.MaxRequestRate):
		return fmt.Errorf("maxRequestRate: want a rate >= 0 such as 200/s, got %v", s.MaxRequestRate)
	case s.MaxOpenRate < 0 || math.IsNaN(s.MaxOpenRate):
		return fmt.Errorf("maxOpenRate: want a rate >= 0 such as 20/s, got %v", s.MaxOpenRate)
	}
	return nil
}

// Wait is the nominal wait after failures failed opens in a row (before jitter): 0 for none.
func (b Backoff) Wait(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	d := float64(b.Initial) * math.Pow(b.Factor, float64(failures-1))
	if d >= float64(b.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		return b.Max
	}
	return time.Duration(d)
}

// Jittered is Wait(failures) less a random part of up to half of it; u is uniform in [0, 1).
func (b Backoff) Jittered(failures int, u float64) time.Duration {
	d := b.Wait(failures)
	return d - time.Duration(u*float64(d/2))
}

// newLimiter is a run-wide token bucket of perSecond tokens a second (nil for no cap). The
// bucket holds a tenth of a second's worth (at least one token): a cap of 200/s lets 20 requests
// go at once, never 200.
func newLimiter(perSecond float64) *rate.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond/10)))
}

// waitToken takes a token of l, waiting for it if the bucket is empty; it returns how long it
// waited. A cancelled ctx ends the wait at once and gives the token back.
func waitToken(ctx context.Context, l *rate.Limiter) (time.Duration, error) {
	if l == nil {
		return 0, nil
	}
	r := l.Reserve()
	d := r.Delay()
	if d <= 0 {
		return 0, nil
	}
	return d, sleepCtx(ctx, d, r.Cancel)
}

// sleepCtx waits d or until ctx ends (then it calls undo, if any, and returns ctx's error).
func sleepCtx(ctx context.Context, d time.Duration, undo func()) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		if undo != nil {
			undo()
		}
		return ctx.Err()
	}
}

// guard is the Runner's share of the safety rules: the token buckets and the run-wide streak
// of failed opens.
type guard struct {
	cfg            Safety
	requests, open *rate.Limiter
	failStreak     atomic.Int64 // opens failed in a row, over every VU
	mu             sync.Mutex
	streakCodes    map[string]int64 // failure codes of the current streak
}

func newGuard(cfg Safety) *guard {
	return &guard{cfg: cfg, requests: newLimiter(cfg.MaxRequestRate), open: newLimiter(cfg.MaxOpenRate)}
}

// openFailed counts a failed open and reports whether the run must abort; then it also returns
// the streak's most frequent failure code.
func (g *guard) openFailed(code string) (abort bool, streak int64, topCode string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.failStreak.Add(1)
	if g.streakCodes == nil {
		g.streakCodes = map[string]int64{}
	}
	g.streakCodes[code]++
	if g.cfg.AbortOnOpenFailures == 0 || n < int64(g.cfg.AbortOnOpenFailures) {
		return false, n, ""
	}
	var best int64
	for c, k := range g.streakCodes {
		if k > best || (k == best && c < topCode) {
			best, topCode = k, c
		}
	}
	return true, n, topCode
}

// openSucceeded ends the streak of failed opens.
func (g *guard) openSucceeded() {
	if g.failStreak.Load() == 0 {
		return
	}
	g.mu.Lock()
	g.failStreak.Store(0)
	clear(g.streakCodes)
	g.mu.Unlock()
}

// vuBackoff is one VU's state of the open back-off.
type vuBackoff struct {
	failures int       // opens of this VU failed in a row
	lastFail time.Time // when the last one failed
	rnd      *rand.Rand
}

// due is how long the VU must still wait at now before its next open.
func (b *vuBackoff) due(cfg Backoff, now time.Time) time.Duration {
	if b.failures == 0 {
		return 0
	}
	wait := cfg.Jittered(b.failures, b.rnd.Float64())
	return max(0, wait-now.Sub(b.lastFail))
}

// openWait holds the VU before an open: the back-off after its failed opens, then a token of
// the run's open cap. Each wait is recorded as its own metric; a cancelled iteration ends it.
func (v *vu) openWait(js *jsSession) {
	if v.r == nil || v.r.guard == nil {
		return
	}
	g, m := v.r.guard, v.r.ctiMetrics()
	if v.backoff.rnd == nil {
		// Jitter has a generator of its own: Math.random's sequence stays the script's.
		v.backoff.rnd = rand.New(rand.NewPCG(uint64(v.r.cfg.Seed), uint64(v.id)^0xB0FF))
	}
	if d := v.backoff.due(g.cfg.OpenBackoff, time.Now()); d > 0 {
		if err := sleepCtx(v.ctx, d, nil); err != nil {
			v.throw(err)
		}
		if m != nil {
			v.currentSamples().AddAt(m.openBackoff, time.Now(), ms(d), v.tags("", "", "", "", js.tags))
		}
	}
	v.rateWait(g.open, "open", js)
}

// rateWait takes a token of the run-wide bucket l (nil: no cap), recording the wait as
// cti_rate_limit_wait_duration{kind}.
func (v *vu) rateWait(l *rate.Limiter, kind string, js *jsSession) {
	if l == nil {
		return
	}
	d, err := waitToken(v.ctx, l)
	if err != nil {
		v.throw(err)
	}
	if m := v.r.ctiMetrics(); m != nil && d > 0 {
		v.currentSamples().AddAt(m.rateLimitWait, time.Now(), ms(d), v.tags("kind", kind, "", "", js.tags))
	}
}

// openFailed counts a failed open for the VU's back-off and the run's abort rule; when the rule
// fires it aborts the run, naming the failure and the option that changes the rule.
func (v *vu) openFailed(target, code string, at time.Time) {
	v.backoff.failures++
	v.backoff.lastFail = at
	if v.r == nil || v.r.guard == nil {
		return
	}
	abort, n, top := v.r.guard.openFailed(code)
	if !abort {
		return
	}
	hint := "fix the cause"
	if top == "E_CTI_INVALID_PERIPHERAL_ID" {
		hint = "give cti.connect the agents' peripheralId (the PG's peripheral ID)"
	}
	v.abortRun(fmt.Sprintf(
		"the last %d session opens all failed (%s) against %s: the target refuses sessions, and ctiload stops rather than keep retrying; "+
			"%s, or raise options.cti.abortOnOpenFailures (0 turns this rule off for a deliberate failure test)",
		n, top, target, hint))
}

// openSucceeded resets the VU's back-off and the run's streak of failed opens.
func (v *vu) openSucceeded() {
	v.backoff.failures = 0
	if v.r != nil && v.r.guard != nil {
		v.r.guard.openSucceeded()
	}
}
