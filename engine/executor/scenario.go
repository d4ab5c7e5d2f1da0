package executor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
)

// ScenarioOptions is what the engine gives a scenario to run with.
type ScenarioOptions struct {
	// Partition is the execution segment's share of the test; nil means the whole test.
	Partition *Partition
	// Factory creates the scenario's VUs.
	Factory VUFactory
	// NewBuffer returns a sample buffer for one goroutine (a VU, the scheduler).
	NewBuffer func() *metrics.SampleBuffer
	// Metrics are the engine's builtin metrics.
	Metrics metrics.Builtins
	// FirstVUID is the ID of VU number 0 of this scenario in the whole test: VU i gets
	// FirstVUID + i. The engine gives each scenario a range as large as its maximum VUs.
	FirstVUID uint64
	// ExtraVUID returns IDs for VUs added beyond the plan by SetTarget; nil counts up from
	// FirstVUID + the planned maximum.
	ExtraVUID func() uint64
	// Env is the run's environment, under the scenario's own env.
	Env map[string]string
	// Tags are the run's tags, under the scenario's own tags and its scenario tag.
	Tags map[string]string
	// Logger receives iteration errors and warnings; nil discards them.
	Logger *slog.Logger
	// Abort is called when an iteration returns an *AbortError; it should hard-stop the run.
	Abort func(error)
}

// State is the phase of a scenario.
type State int32

// Scenario states, in order.
const (
	Waiting  State = iota // before its start time
	Running               // starting iterations
	Stopping              // no new iterations; running ones finish or are interrupted
	Done
)

var stateNames = [...]string{Waiting: "waiting", Running: "running", Stopping: "stopping", Done: "done"}

// String returns the state's name ("waiting", "running", "stopping", "done").
func (s State) String() string {
	if s < Waiting || s > Done {
		return fmt.Sprintf("State(%d)", int32(s))
	}
	return stateNames[s]
}

// MarshalText writes the state's name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Scenario is one scenario of a run: its configuration, its VUs and its executor, with the
// machinery executors share (VU pool, iteration bookkeeping, stop contexts, progress).
type Scenario struct {
	cfg  Config
	base *BaseConfig
	opts ScenarioOptions
	part *Partition
	exec Executor
	pool *pool

	tags   metrics.Tags
	tagMap map[string]string
	env    map[string]string
	log    *slog.Logger
	errLog *errorLog

	stop <-chan struct{} // graceful stop; set by Run before the executor runs
	// start is startedAt as a time, for Iteration.ScenarioStart: set by Run before the executor
	// starts any VU goroutine, read-only afterwards.
	start time.Time

	state     atomic.Int32
	startedAt atomic.Int64 // Unix ns; 0 before
	endedAt   atomic.Int64
	dropped   atomic.Int64 // written by the arrival-rate scheduler only

	// iterSeq hands out local iteration numbers for VU-based executors: the one counter every
	// VU of such a scenario writes, so it has a cache line to itself rather than making the
	// fields above (read per iteration) bounce between cores with it. The iteration counts are
	// per VU (vuHandle.counts) for the same reason.
	_       [64]byte
	iterSeq atomic.Int64
	_       [56]byte
}

// NewScenario prepares a scenario for cfg, which must be valid.
func NewScenario(cfg Config, o ScenarioOptions) (*Scenario, error) {
	if o.Partition == nil {
		o.Partition = FullPartition()
	}
	if o.Factory == nil {
		return nil, errors.New("executor.NewScenario: nil VU factory")
	}
	if o.NewBuffer == nil {
		o.NewBuffer = func() *metrics.SampleBuffer { return nil }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	base := cfg.Base()
	s := &Scenario{cfg: cfg, base: base, opts: o, part: o.Partition}
	s.log = o.Logger.With("scenario", base.Name)
	s.errLog = newErrorLog(s.log)
	tagMap := maps.Clone(o.Tags)
	if tagMap == nil {
		tagMap = map[string]string{}
	}
	maps.Copy(tagMap, base.Tags)
	tagMap["scenario"] = base.Name
	s.tagMap = tagMap
	s.tags = metrics.TagsFromMap(tagMap)
	s.env = maps.Clone(o.Env)
	if s.env == nil {
		s.env = map[string]string{}
	}
	maps.Copy(s.env, base.Env)
	_, planned := cfg.VUsFor(FullPartition())
	_, limit := cfg.VUsFor(s.part)
	extra := o.ExtraVUID
	if extra == nil {
		var next atomic.Uint64
		next.Store(o.FirstVUID + uint64(planned))
		extra = func() uint64 { return next.Add(1) - 1 }
	}
	s.pool = &pool{s: s, planned: limit, limit: limit, extraID: extra}
	exec, err := cfg.NewExecutor(s)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", base.Name, err)
	}
	s.exec = exec
	return s, nil
}

// Name returns the scenario's name.
func (s *Scenario) Name() string { return s.base.Name }

// Config returns the scenario's configuration.
func (s *Scenario) Config() Config { return s.cfg }

// Partition returns the scenario's share of the test.
func (s *Scenario) Partition() *Partition { return s.part }

// Executor returns the scenario's executor.
func (s *Scenario) Executor() Executor { return s.exec }

// Init initialises the VUs the scenario needs before it starts, concurrency at a time.
func (s *Scenario) Init(ctx context.Context, concurrency int) error {
	initial, _ := s.cfg.VUsFor(s.part)
	return s.pool.init(ctx, initial, concurrency)
}

// Run waits for the scenario's start time (counted from t0, the run's start), then runs its
// executor. Closing stop asks for a graceful stop: a scenario that has not started yet never
// starts. Cancelling ctx is a hard stop.
func (s *Scenario) Run(ctx context.Context, t0 time.Time, stop <-chan struct{}) error {
	s.stop = stop
	defer func() {
		s.errLog.Flush()
		s.endedAt.Store(time.Now().UnixNano())
		s.state.Store(int32(Done))
	}()
	if d := time.Until(t0.Add(time.Duration(s.base.StartTime))); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-stop:
			t.Stop()
			return nil
		case <-ctx.Done():
			t.Stop()
			return nil
		}
	}
	select {
	case <-stop:
		return nil
	default:
	}
	if ctx.Err() != nil {
		return nil
	}
	s.start = time.Now()
	s.startedAt.Store(s.start.UnixNano())
	s.state.Store(int32(Running))
	if err := s.exec.Run(ctx); err != nil {
		return fmt.Errorf("scenario %q: %w", s.base.Name, err)
	}
	return nil
}

// SetTarget changes the target of a running (or waiting) scenario; see Targeter.
func (s *Scenario) SetTarget(v float64) error {
	t, ok := s.exec.(Targeter)
	if !ok {
		return fmt.Errorf("scenario %q: executor %q: %w (only constant-vus, ramping-vus, constant-arrival-rate and ramping-arrival-rate have one)",
			s.base.Name, s.base.Type, ErrTargetUnsupported)
	}
	if err := t.SetTarget(v); err != nil {
		return fmt.Errorf("scenario %q: %w", s.base.Name, err)
	}
	return nil
}

// Close closes every VU that implements VUCloser, and returns their errors joined. Call it
// once, after Run returned.
func (s *Scenario) Close(ctx context.Context) error {
	s.pool.mu.Lock()
	all := slices.Clone(s.pool.all)
	s.pool.mu.Unlock()
	var errs []error
	for _, h := range all {
		c, ok := h.vu.(VUCloser)
		if !ok {
			continue
		}
		err := func() (err error) {
			defer recoverInto(&err)
			return c.Close(ctx)
		}()
		h.buf.Flush()
		if err != nil {
			errs = append(errs, fmt.Errorf("scenario %q: closing VU %d: %w", s.base.Name, h.id, err))
		}
	}
	return errors.Join(errs...)
}

// Counts are a scenario's iteration counts.
type Counts struct {
	Iterations  int64 // iterations that ran to their end (with or without an error)
	Failed      int64 // of which returned an error
	Interrupted int64 // iterations cut short by a stop, a ramp-down or an abort
	Dropped     int64 // arrival-rate iterations that found no free VU
}

// Counts returns the scenario's counts so far: the sum of its VUs' counts, exact once Run
// returned.
func (s *Scenario) Counts() Counts {
	c := Counts{Dropped: s.dropped.Load()}
	s.pool.mu.Lock()
	for _, h := range s.pool.all {
		c.Iterations += h.counts.iterations.Load()
		c.Failed += h.counts.failed.Load()
		c.Interrupted += h.counts.interrupted.Load()
	}
	s.pool.mu.Unlock()
	return c
}

// Progress is a snapshot of a scenario, for a live view.
type Progress struct {
	Scenario string
	Executor string
	State    State
	Elapsed  time.Duration // since the scenario started (0 while waiting)
	Duration time.Duration // regular duration (see Config.Duration)
	// TotalIterations is the number of iterations the scenario runs in this segment, for
	// shared-iterations and per-vu-iterations; 0 otherwise.
	TotalIterations int64
	VUs             int64 // VUs running an iteration or looping
	VUsMax          int64 // VUs initialised
	Counts
	IterationsPerSecond float64 // completed iterations per second of Elapsed
	// Target is the current target of targetable executors (VUs, or iterations per timeUnit
	// for arrival-rate executors), for the whole test; 0 for others.
	Target float64
}

// iterationTotaler is implemented by configs with a fixed number of iterations.
type iterationTotaler interface {
	TotalIterations(p *Partition) int64
}

// Progress returns a snapshot of the scenario.
func (s *Scenario) Progress() Progress {
	p := Progress{
		Scenario: s.base.Name,
		Executor: s.base.Type,
		State:    State(s.state.Load()),
		Duration: s.cfg.RegularDuration(),
		VUs:      s.pool.active.Load(),
		VUsMax:   s.pool.initialised.Load(),
		Counts:   s.Counts(),
	}
	if st := s.startedAt.Load(); st != 0 {
		end := time.Now()
		if e := s.endedAt.Load(); e != 0 {
			end = time.Unix(0, e)
		}
		p.Elapsed = end.Sub(time.Unix(0, st))
		if p.Elapsed > 0 {
			p.IterationsPerSecond = float64(p.Iterations) / p.Elapsed.Seconds()
		}
	}
	if t, ok := s.cfg.(iterationTotaler); ok {
		p.TotalIterations = t.TotalIterations(s.part)
	}
	if t, ok := s.exec.(Targeter); ok {
		p.Target = t.Target()
	}
	return p
}

// ActiveVUs returns the number of VUs running an iteration or looping.
func (s *Scenario) ActiveVUs() int64 { return s.pool.active.Load() }

// InitialisedVUs returns the number of VUs initialised.
func (s *Scenario) InitialisedVUs() int64 { return s.pool.initialised.Load() }

// stopContexts returns k6's two nested contexts for a run of regular duration regular
// (0: none): regCtx ends when the duration is over or a graceful stop is requested, after which
// no iteration must start (test it with over); iterCtx, for iterations, ends gracefulStop
// later, or at once on a hard stop (parent cancelled). Call done when every iteration ended.
func (s *Scenario) stopContexts(parent context.Context, regular time.Duration) (regCtx, iterCtx context.Context, done func()) {
	iterCtx, cancelIter := context.WithCancel(parent)
	var cancelReg context.CancelFunc
	if regular > 0 {
		regCtx, cancelReg = context.WithDeadline(iterCtx, time.Now().Add(regular))
	} else {
		regCtx, cancelReg = context.WithCancel(iterCtx)
	}
	grace := time.Duration(s.base.GracefulStop)
	finished := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-s.stop:
		case <-regCtx.Done():
		case <-finished:
		}
		cancelReg()
		s.state.CompareAndSwap(int32(Running), int32(Stopping))
		g := time.NewTimer(grace)
		defer g.Stop()
		select {
		case <-g.C:
			cancelIter()
		case <-iterCtx.Done():
		case <-finished:
		}
	})
	return regCtx, iterCtx, func() {
		close(finished)
		wg.Wait()
		cancelReg()
		cancelIter()
	}
}

// untilStopped returns a context that ends with parent or when a graceful stop is asked for,
// but not at the end of the regular duration: an arrival-rate scheduler catching up on the
// iterations due before the end runs under it.
func (s *Scenario) untilStopped(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// stopRequested reports whether a graceful stop was asked for.
func (s *Scenario) stopRequested() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// over reports whether regCtx is done or its deadline has passed. The deadline test matters
// when an iteration ends at the very instant the duration does: the context's timer may not
// have fired yet, and no iteration may start at the deadline.
func over(regCtx context.Context) bool { return overAt(regCtx, time.Now()) }

// overAt is over with the time already read: a VU loop passes the end of its previous
// iteration, which is also "now" for the next, saving a clock read per iteration (a third of
// an empty iteration's clock reads, which cost a third of its CPU on a VM's kvm-clock).
func overAt(regCtx context.Context, now time.Time) bool {
	if regCtx.Err() != nil {
		return true
	}
	dl, ok := regCtx.Deadline()
	return ok && !now.Before(dl)
}

// vuHandle is an initialised VU and what the engine keeps with it.
type vuHandle struct {
	id     uint64
	vu     VU
	buf    *metrics.SampleBuffer
	iters  uint64
	it     Iteration // reused for every iteration of this VU
	counts vuCounts
}

// vuCounts are one VU's iteration counts, written only by the goroutine that runs it and summed
// by Scenario.Counts. Scenario-wide atomics written by every VU after every iteration kept their
// cache line moving between cores: on two cores an empty iteration cost more CPU than on one.
type vuCounts struct {
	iterations  atomic.Int64
	failed      atomic.Int64
	interrupted atomic.Int64
	_           [64 - 3*8]byte // the next handle's fields start on another cache line
}

// runIteration runs one iteration of h and does its bookkeeping. scheduled is the intended
// start of an arrival-rate iteration, whose lateness it records (zero: a VU-based iteration,
// due now); scenarioIter < 0 takes the next local number. now, if not zero, is the current
// time, which a VU loop has already read: the end of its previous iteration. It returns the
// iteration's end.
func (s *Scenario) runIteration(ctx context.Context, h *vuHandle, scheduled, now time.Time, scenarioIter int64) time.Time {
	start := now
	if start.IsZero() {
		start = metrics.Now()
	}
	if scheduled.IsZero() {
		scheduled = start
	} else {
		h.buf.AddAt(s.opts.Metrics.IterationStartLateness, start, ms(start.Sub(scheduled)), s.tags)
	}
	if scenarioIter < 0 {
		scenarioIter = s.part.Index(s.iterSeq.Add(1) - 1)
	}
	h.it = Iteration{
		Scenario:      s.base.Name,
		Exec:          s.base.Exec,
		VUID:          h.id,
		VUIter:        h.iters,
		ScenarioIter:  uint64(scenarioIter),
		ScenarioStart: s.start,
		Scheduled:     scheduled,
		Start:         start,
		Env:           s.env,
		Tags:          s.tagMap,
		TagSet:        s.tags,
		Samples:       h.buf,
	}
	h.iters++
	err := func() (err error) {
		defer recoverInto(&err)
		return h.vu.RunIteration(ctx, &h.it)
	}()
	end := metrics.Now()
	m := s.opts.Metrics
	switch {
	case err != nil && ctx.Err() != nil:
		h.counts.interrupted.Add(1)
		h.buf.AddAt(m.InterruptedIterations, end, 1, s.tags)
	default:
		if err != nil {
			h.counts.failed.Add(1)
			h.buf.AddAt(m.FailedIterations, end, 1, s.tags)
			if IsAbort(err) {
				s.log.Error("iteration aborted the test", "vu", h.id, "iteration", h.it.VUIter, "error", err)
				if s.opts.Abort != nil {
					s.opts.Abort(err)
				}
			} else {
				s.errLog.Warn(end, "iteration failed", "vu", h.id, "iteration", h.it.VUIter, "error", err)
			}
		}
		h.counts.iterations.Add(1)
		h.buf.AddAt(m.Iterations, end, 1, s.tags)
		h.buf.AddAt(m.IterationDuration, end, ms(end.Sub(start)), s.tags)
	}
	h.buf.FlushOlder(end, iterationFlushAge)
	return end
}

// iterationFlushAge is the age of its oldest sample at which a VU's buffer is handed to the
// aggregator at the end of an iteration. Flushing after every iteration made the hand-over the
// bottleneck of short iterations (two shard locks and an aggregator wake per iteration: empty
// iterations did not grow with cores); batching them for 50 ms keeps the live view and the
// per-second series current, and a VU flushes outright when it goes idle (pool.put).
const iterationFlushAge = 50 * time.Millisecond

// recoverInto turns a panic into *err, so that a panicking VU fails its iteration instead of
// crashing the run.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = &PanicError{Value: r, Stack: debug.Stack()}
	}
}

// pool holds a scenario's initialised VUs.
//
// A VU is idle (in idle) or checked out by exactly one goroutine, which runs its iterations and
// puts it back. active counts the checked-out VUs: the vus metric.
type pool struct {
	s       *Scenario
	extraID func() uint64

	mu      sync.Mutex
	idle    []*vuHandle // a stack; initially sorted so that the lowest IDs come out first
	all     []*vuHandle
	planned int64 // VUs with an ID from the plan (FirstVUID + Partition.Index)
	limit   int64 // the most VUs the pool may hold; SetTarget may raise it
	next    int64 // local index of the next VU to create

	active      atomic.Int64
	initialised atomic.Int64
}

// reserve claims the local index of one more VU if the pool may grow.
func (p *pool) reserve() (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next >= p.limit {
		return 0, false
	}
	p.next++
	return p.next - 1, true
}

// raise lets the pool grow to n VUs.
func (p *pool) raise(n int64) {
	p.mu.Lock()
	if n > p.limit {
		p.limit = n
	}
	p.mu.Unlock()
}

// create initialises the VU of local index m; it does not add it to idle.
func (p *pool) create(ctx context.Context, m int64) (*vuHandle, error) {
	id := p.extraIDFor(m)
	buf := p.s.opts.NewBuffer()
	vu, err := func() (vu VU, err error) {
		defer recoverInto(&err)
		return p.s.opts.Factory.NewVU(ctx, id, buf)
	}()
	buf.Flush()
	if err != nil {
		return nil, fmt.Errorf("scenario %q: initialising VU %d: %w", p.s.base.Name, id, err)
	}
	if vu == nil {
		return nil, fmt.Errorf("scenario %q: initialising VU %d: the factory returned no VU", p.s.base.Name, id)
	}
	h := &vuHandle{id: id, vu: vu, buf: buf}
	p.mu.Lock()
	p.all = append(p.all, h)
	p.mu.Unlock()
	p.initialised.Add(1)
	return h, nil
}

func (p *pool) extraIDFor(m int64) uint64 {
	if m < p.planned {
		return p.s.opts.FirstVUID + uint64(p.s.part.Index(m))
	}
	return p.extraID()
}

// init creates n VUs, concurrency at a time, and makes them idle.
func (p *pool) init(ctx context.Context, n int64, concurrency int) error {
	if n <= 0 {
		return nil
	}
	if concurrency < 1 {
		concurrency = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	indices := make(chan int64)
	var (
		mu      sync.Mutex
		created []*vuHandle
		firstEr error
		wg      sync.WaitGroup
	)
	for range min(int64(concurrency), n) {
		wg.Go(func() {
			for m := range indices {
				h, err := p.create(ctx, m)
				mu.Lock()
				if err != nil {
					if firstEr == nil {
						firstEr = err
					}
					cancel()
				} else {
					created = append(created, h)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for range n {
		m, ok := p.reserve()
		if !ok {
			break
		}
		select {
		case indices <- m:
		case <-ctx.Done():
			break feed
		}
	}
	close(indices)
	wg.Wait()
	if firstEr == nil && ctx.Err() != nil {
		firstEr = fmt.Errorf("scenario %q: initialising VUs: %w", p.s.base.Name, context.Cause(ctx))
	}
	// Highest IDs at the bottom of the stack: the first VUs out are VU 1, 2, 3, …
	slices.SortFunc(created, func(a, b *vuHandle) int { return cmp.Compare(b.id, a.id) })
	p.mu.Lock()
	p.idle = append(p.idle, created...)
	p.mu.Unlock()
	return firstEr
}

// tryGet checks out an idle VU, or returns nil.
func (p *pool) tryGet() *vuHandle {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	h := p.idle[n-1]
	p.idle = p.idle[:n-1]
	p.active.Add(1)
	return h
}

// checkout marks a freshly created VU as checked out.
func (p *pool) checkout(h *vuHandle) *vuHandle {
	p.active.Add(1)
	return h
}

// put returns a checked-out VU, flushing the samples it still holds: an idle VU records
// nothing, so they would otherwise wait for its next iteration. Only the goroutine that checked
// h out calls put.
func (p *pool) put(h *vuHandle) {
	h.buf.Flush()
	p.mu.Lock()
	p.idle = append(p.idle, h)
	p.mu.Unlock()
	p.active.Add(-1)
}

// addIdle adds a freshly created VU to the idle VUs.
func (p *pool) addIdle(h *vuHandle) {
	p.mu.Lock()
	p.idle = append(p.idle, h)
	p.mu.Unlock()
}
