package executor

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

// RatePiece is one stretch of a piecewise-linear arrival rate: over Duration the rate goes
// linearly from From to To iterations per second.
type RatePiece struct {
	Duration time.Duration
	From, To float64
}

// Schedule turns a piecewise-linear arrival rate into iteration due times, with pure
// functions: given the same pieces, iteration i is always due at the same offset from the
// scenario's start, however long the run and whatever happened before, so a late timer never
// shifts the iterations after it.
//
// With N(t) the number of iterations due by offset t (the integral of the rate from 0 to t),
// iteration i (from 0) is due at the first instant N passes i: Due(i) = inf{t : N(t) > i}.
// At a constant rate r that is i/r: the first iteration starts at once, and a schedule lasting
// d runs ⌈r·d⌉ iterations, the integral rounded up. A stretch of zero rate starts nothing.
type Schedule struct {
	pieces []RatePiece
	starts []time.Duration // offset of each piece
	cum    []float64       // N at the start of each piece; len(pieces)+1 entries
}

// NewSchedule returns the schedule of the pieces, back to back from offset 0. Negative rates
// count as 0.
func NewSchedule(pieces ...RatePiece) *Schedule {
	s := &Schedule{
		pieces: make([]RatePiece, len(pieces)),
		starts: make([]time.Duration, len(pieces)),
		cum:    make([]float64, len(pieces)+1),
	}
	var at time.Duration
	for i, p := range pieces {
		p.From, p.To = max(p.From, 0), max(p.To, 0)
		p.Duration = max(p.Duration, 0)
		s.pieces[i] = p
		s.starts[i] = at
		s.cum[i+1] = s.cum[i] + (p.From+p.To)/2*p.Duration.Seconds()
		at += p.Duration
	}
	return s
}

// Duration returns the schedule's length.
func (s *Schedule) Duration() time.Duration {
	if len(s.pieces) == 0 {
		return 0
	}
	n := len(s.pieces) - 1
	return s.starts[n] + s.pieces[n].Duration
}

// Total returns N at the end of the schedule: the iterations it runs are ⌈Total⌉.
func (s *Schedule) Total() float64 { return s.cum[len(s.cum)-1] }

// piece returns the index of the piece holding offset t, or -1 past the end.
func (s *Schedule) piece(t time.Duration) int {
	k := sort.Search(len(s.pieces), func(k int) bool { return s.starts[k]+s.pieces[k].Duration > t })
	if k == len(s.pieces) {
		return -1
	}
	return k
}

// Rate returns the rate, in iterations per second, at offset t (0 past the end).
func (s *Schedule) Rate(t time.Duration) float64 {
	k := s.piece(max(t, 0))
	if k < 0 {
		return 0
	}
	p := s.pieces[k]
	return p.From + (p.To-p.From)*float64(t-s.starts[k])/float64(p.Duration)
}

// Count returns N(t), the number of iterations due by offset t, as a real number.
func (s *Schedule) Count(t time.Duration) float64 {
	if t <= 0 {
		return 0
	}
	k := s.piece(t)
	if k < 0 {
		return s.Total()
	}
	p := s.pieces[k]
	tau := (t - s.starts[k]).Seconds()
	d := p.Duration.Seconds()
	return s.cum[k] + p.From*tau + (p.To-p.From)*tau*tau/(2*d)
}

// Due returns the offset at which iteration i is due, and false if the schedule ends first.
func (s *Schedule) Due(i int64) (time.Duration, bool) {
	x := float64(i)
	if i < 0 || !(s.Total() > x) {
		return 0, false
	}
	// The piece where N passes x: N is flat on zero-rate pieces, which are never chosen.
	k := sort.Search(len(s.pieces), func(k int) bool { return s.cum[k+1] > x })
	p := s.pieces[k]
	c := x - s.cum[k] // iterations to go within the piece
	var tau float64   // seconds into the piece
	if c > 0 {
		// Solve From·τ + (To−From)/(2d)·τ² = c for the smallest τ ≥ 0, in the form that
		// stays accurate when the quadratic term vanishes (constant rate) or dominates.
		a := (p.To - p.From) / (2 * p.Duration.Seconds())
		tau = 2 * c / (p.From + math.Sqrt(p.From*p.From+4*a*c))
	}
	off := s.starts[k] + time.Duration(math.Round(math.Min(tau, p.Duration.Seconds())*1e9))
	if off >= s.Duration() {
		return 0, false // rounding at the very end
	}
	return off, true
}

// WithRate returns the schedule that follows s until offset at, then runs at a constant rate
// (iterations per second) until s's end. N is continuous at at, so iterations keep their
// numbers: the ones not started yet are rescheduled at the new rate.
func (s *Schedule) WithRate(at time.Duration, rate float64) *Schedule {
	end := s.Duration()
	if at >= end {
		return s
	}
	var pieces []RatePiece
	if at > 0 {
		k := s.piece(at)
		pieces = append(pieces, s.pieces[:k]...)
		if cut := at - s.starts[k]; cut > 0 {
			pieces = append(pieces, RatePiece{Duration: cut, From: s.pieces[k].From, To: s.Rate(at)})
		}
	}
	pieces = append(pieces, RatePiece{Duration: end - max(at, 0), From: rate, To: rate})
	return NewSchedule(pieces...)
}

// startAction is what the scheduler does with an iteration when it looks at the clock.
type startAction int

const (
	waitToStart   startAction = iota // not due yet: wait until its due time, then look again
	startNow                         // due, and late by no more than the limit: start it
	dropLate                         // due longer ago than the limit: drop it
	scheduleEnded                    // the schedule ends before it is due
)

// decide returns what to do with iteration i at offset now from the schedule's start, and the
// iteration's due offset. An iteration starts late when the scheduler could not keep up (a
// stalled process, a starved CPU); maxLate > 0 bounds how late: beyond it the iteration is
// dropped, as one that found no free VU is, rather than started in a burst that the schedule
// never asked for. maxLate 0 starts every iteration however late, as vegeta's pacer does, so
// that the count stays right.
func (s *Schedule) decide(i int64, now, maxLate time.Duration) (startAction, time.Duration) {
	due, ok := s.Due(i)
	switch {
	case !ok:
		return scheduleEnded, 0
	case now < due:
		return waitToStart, due
	case maxLate > 0 && now-due > maxLate:
		return dropLate, due
	}
	return startNow, due
}

// arrivalRunner runs a Schedule: the shared engine of the two arrival-rate executors.
type arrivalRunner struct {
	s        *Scenario
	timeUnit time.Duration
	maxLate  time.Duration // maxStartLateness; 0: no limit

	mu    sync.Mutex
	sched *Schedule
	start time.Time     // zero until run
	wake  chan struct{} // a new schedule to follow

	// stall, if set, runs before the scheduler looks at the clock for iteration i: a test's
	// stand-in for the scheduler goroutine losing its CPU (export_test.go).
	stall func(i int64)
}

func newArrivalRunner(s *Scenario, sched *Schedule, timeUnit, maxLate time.Duration) *arrivalRunner {
	return &arrivalRunner{s: s, sched: sched, timeUnit: timeUnit, maxLate: maxLate, wake: make(chan struct{}, 1)}
}

func (r *arrivalRunner) schedule() *Schedule {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sched
}

// run starts the segment's iterations at their due times. An iteration that finds no idle VU
// is dropped (counted, never queued) and one more VU is initialised in the background, up to
// the pool's maximum.
//
// The end of the duration stops the schedule, not a scheduler that fell behind it: iterations
// due before the end that the scheduler had not reached yet (a stalled process, a starved CPU,
// a long collection) still start, late, as they would have earlier in the run, and their
// lateness is recorded; only a stop (graceful or hard) or the end of gracefulStop ends the
// catching up. Dropping them at the end instead lost the last agents of a login ramp whenever
// the scheduler was behind when the ramp ended (342 of 19,000 in `make bench-scale`).
func (r *arrivalRunner) run(ctx context.Context) error {
	// The duration's own end (regCtx) is the schedule's: Schedule.Due stops the loop there.
	_, iterCtx, done := r.s.stopContexts(ctx, r.schedule().Duration())
	defer done()
	schedCtx, cancelSched := r.s.untilStopped(iterCtx)
	defer cancelSched()
	start := time.Now()
	r.mu.Lock()
	r.start = start
	r.mu.Unlock()

	grow, stopGrowing := r.startGrowing(schedCtx)
	buf := r.s.opts.NewBuffer()
	timer := newDueTimer()
	defer timer.stop()
	var wg sync.WaitGroup
	var m int64
	var prevDue time.Duration
	for ; ; m++ {
		i := r.s.part.Index(m)
		if r.stall != nil {
			r.stall(i)
		}
		due, act := r.waitDue(schedCtx, timer, start, i, prevDue)
		if act == scheduleEnded {
			break
		}
		prevDue = due
		if act == dropLate {
			r.drop(buf)
			continue
		}
		h := r.s.pool.tryGet()
		if h == nil {
			r.drop(buf)
			select {
			case grow <- struct{}{}:
			default:
			}
			continue
		}
		scheduled := start.Add(due)
		wg.Go(func() {
			r.s.runIteration(iterCtx, h, scheduled, time.Time{}, i)
			r.s.pool.put(h)
		})
	}
	// gracefulStop ran out while the scheduler was still catching up: the iterations still due
	// were not run for lack of time, and count as dropped. After a stop they were merely not
	// needed.
	if ctx.Err() == nil && !r.s.stopRequested() {
		sched := r.schedule()
		for ; ; m++ {
			if _, ok := sched.Due(r.s.part.Index(m)); !ok {
				break
			}
			r.drop(buf)
		}
	}
	buf.Flush()
	stopGrowing()
	wg.Wait()
	return nil
}

// drop counts one iteration that did not start.
func (r *arrivalRunner) drop(buf *metrics.SampleBuffer) {
	r.s.dropped.Add(1)
	buf.Add(r.s.opts.Metrics.DroppedIterations, 1, r.s.tags)
}

// waitDue waits until iteration i is due and says what to do with it: startNow, dropLate, or
// scheduleEnded (also when schedCtx, which ends at a stop, is done). A new schedule (setTarget)
// wakes the wait to recompute the due time. prevDue is the previous iteration's due time, which
// bounds how long before the due time the wait spins (dueTimer.spinLead).
func (r *arrivalRunner) waitDue(schedCtx context.Context, timer *dueTimer, start time.Time, i int64, prevDue time.Duration) (time.Duration, startAction) {
	for {
		act, due := r.schedule().decide(i, time.Since(start), r.maxLate)
		switch act {
		case scheduleEnded:
			return due, scheduleEnded
		case dropLate, startNow:
			if schedCtx.Err() != nil || r.s.stopRequested() {
				return due, scheduleEnded
			}
			return due, act
		}
		at := start.Add(due)
		lead := timer.spinLead(due - prevDue)
		wait := time.Until(at)
		if wait <= lead {
			// Due within the lead: watch the clock, running, until the due instant. A new
			// schedule or a stop waits for the end of the lead, a fraction of a millisecond.
			for time.Now().Before(at) {
			}
			continue
		}
		timer.reset(wait - lead)
		select {
		case <-timer.timer.C:
		case <-timer.preciseC():
		case <-r.wake: // the schedule changed: recompute this iteration's due time
		case <-schedCtx.Done():
			return due, scheduleEnded
		}
	}
}

// startGrowing starts the goroutine that initialises one more VU (up to the pool's maximum)
// for each signal on grow; stop ends it and waits for a VU being initialised.
func (r *arrivalRunner) startGrowing(schedCtx context.Context) (grow chan<- struct{}, stop func()) {
	growCtx, cancel := context.WithCancel(schedCtx)
	ch := make(chan struct{}, 1)
	var bg sync.WaitGroup
	bg.Go(func() {
		for range ch {
			m, ok := r.s.pool.reserve()
			if !ok {
				continue
			}
			h, err := r.s.pool.create(growCtx, m)
			if err != nil {
				if growCtx.Err() == nil {
					r.s.log.Error("cannot add a VU", "error", err)
				}
				continue
			}
			r.s.pool.addIdle(h)
		}
	})
	return ch, func() {
		cancel()
		close(ch)
		bg.Wait()
	}
}

// setTarget makes the rate v iterations per timeUnit from now on.
func (r *arrivalRunner) setTarget(v float64) error {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("invalid rate target %v: want a number of iterations per timeUnit, 0 or more", v)
	}
	r.mu.Lock()
	var at time.Duration
	if !r.start.IsZero() {
		at = time.Since(r.start)
	}
	r.sched = r.sched.WithRate(at, v/r.timeUnit.Seconds())
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

// target returns the current rate in iterations per timeUnit.
func (r *arrivalRunner) target() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var at time.Duration
	if !r.start.IsZero() {
		at = time.Since(r.start)
	}
	return r.sched.Rate(at) * r.timeUnit.Seconds()
}
