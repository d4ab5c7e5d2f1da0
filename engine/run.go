package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// Run is one load test run. Create it with New, start it with Run; the other methods may be
// called from any goroutine, before, during or after Run.
type Run struct {
	cfg        Config
	reg        *metrics.Registry
	builtins   metrics.Builtins
	agg        *metrics.Aggregator
	thresholds *metrics.ThresholdSet
	part       *executor.Partition
	scenarios  []*executor.Scenario // sorted by name
	byName     map[string]*executor.Scenario
	log        *slog.Logger

	started  atomic.Bool
	stopOnce sync.Once
	stopCh   chan struct{}
	stopped  atomic.Bool

	mu        sync.Mutex
	cancel    context.CancelCauseFunc // Run's context, for aborts
	abortErr  error                   // the first abort's cause
	startTime time.Time               // when the scenarios started
}

// errThresholdAbort is the cause of a run aborted by a threshold.
var errThresholdAbort = errors.New("aborted by a threshold")

// New validates cfg and prepares a run whose VUs factory makes. Every problem of the
// configuration is reported at once in an *InvalidOptionsError. Thresholds are checked against
// the metric types later, in Run, once the VUs' init code has declared custom metrics.
func New(cfg Config, factory executor.VUFactory) (*Run, error) {
	v, err := validate(cfg, factory)
	if err != nil {
		return nil, err
	}
	r := &Run{cfg: cfg, reg: cfg.Registry, thresholds: v.thresholds, part: v.part,
		byName: map[string]*executor.Scenario{}, stopCh: make(chan struct{}), log: cfg.Logger}
	if r.reg == nil {
		r.reg = metrics.NewRegistry()
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.builtins, err = metrics.RegisterBuiltins(r.reg); err != nil {
		return nil, invalid(err)
	}
	r.agg, err = metrics.NewAggregator(r.reg, metrics.AggregatorOptions{
		BreakdownTags:      v.breakdown,
		MaxBreakdownValues: cfg.MaxBreakdownValues,
		TrendStats:         cfg.TrendStats,
		MaxTimeSeries:      cfg.MaxTimeSeries,
		SampleHook:         cfg.SampleHook,
		OnAbort: func(tr metrics.ThresholdResult) {
			r.log.Error("threshold failed, aborting the run", "metric", tr.Metric, "threshold", tr.Source, "observed", tr.Observed)
			r.abort(errThresholdAbort)
		},
	})
	if err != nil {
		return nil, invalid(err)
	}
	if err := r.newScenarios(factory, v.names); err != nil {
		return nil, invalid(err)
	}
	return r, nil
}

// validConfig is what validate derives from a valid Config.
type validConfig struct {
	names      []string // the scenarios, in name order
	part       *executor.Partition
	thresholds *metrics.ThresholdSet
	breakdown  []string
}

// validate checks cfg and reports every problem at once.
func validate(cfg Config, factory executor.VUFactory) (validConfig, error) {
	var errs []error
	if factory == nil {
		errs = append(errs, errors.New("no VU factory"))
	}
	if len(cfg.Scenarios) == 0 {
		errs = append(errs, errors.New("no scenario to run"))
	}
	v := validConfig{names: sortedKeys(cfg.Scenarios)}
	for _, name := range v.names {
		sc := cfg.Scenarios[name]
		if sc == nil {
			errs = append(errs, scenarioErr(name, errors.New("no configuration")))
			continue
		}
		b := sc.Base()
		if b.Name == "" {
			b.Name = name
		}
		if b.Name != name {
			errs = append(errs, scenarioErr(name, fmt.Errorf("configuration is named %q", b.Name)))
		}
		for _, e := range sc.Validate() {
			errs = append(errs, scenarioErr(name, e))
		}
	}
	seg, segErr := executor.ParseSegment(cfg.Segment)
	seq, seqErr := executor.ParseSequence(cfg.SegmentSequence)
	errs = append(errs, segErr, seqErr)
	if segErr == nil && seqErr == nil {
		var err error
		if v.part, err = executor.NewPartition(seg, seq); err != nil {
			errs = append(errs, err)
		}
	}
	specs := map[string][]metrics.ThresholdSpec{}
	for key, list := range cfg.Thresholds {
		for _, t := range list {
			specs[key] = append(specs[key], metrics.ThresholdSpec{Source: t.Threshold, AbortOnFail: t.AbortOnFail,
				DelayAbortEval: time.Duration(t.DelayAbortEval)})
		}
	}
	var err error
	v.thresholds, err = metrics.NewThresholdSet(specs)
	errs = append(errs, err)
	v.breakdown = cfg.BreakdownTags
	if v.breakdown == nil {
		v.breakdown = DefaultBreakdownTags
	}
	for _, k := range v.breakdown {
		if k == "" {
			errs = append(errs, errors.New("breakdown tags: empty tag key"))
		}
	}
	if cfg.TrendStats != nil {
		if _, err := metrics.ParseTrendStats(cfg.TrendStats); err != nil {
			errs = append(errs, fmt.Errorf("summaryTrendStats: %w", err))
		}
	}
	return v, invalid(errs...)
}

// newScenarios makes the run's scenarios in name order. VU IDs: each scenario owns as many IDs
// as its most VUs in the whole test, so that IDs are unique across scenarios and segments; VUs
// added beyond the plan take IDs after all of those.
func (r *Run) newScenarios(factory executor.VUFactory, names []string) error {
	firstID := uint64(1)
	var planned uint64
	for _, name := range names {
		_, most := r.cfg.Scenarios[name].VUsFor(executor.FullPartition())
		planned += uint64(most)
	}
	var extra atomic.Uint64
	extra.Store(1 + planned)
	for _, name := range names {
		sc, err := executor.NewScenario(r.cfg.Scenarios[name], executor.ScenarioOptions{
			Partition: r.part,
			Factory:   factory,
			NewBuffer: r.agg.NewBuffer,
			Metrics:   r.builtins,
			FirstVUID: firstID,
			ExtraVUID: func() uint64 { return extra.Add(1) - 1 },
			Env:       r.cfg.Env,
			Tags:      r.cfg.Tags,
			Logger:    r.log,
			Abort:     func(err error) { r.abort(&ScriptAbortedError{Err: err}) },
		})
		if err != nil {
			return err
		}
		_, most := r.cfg.Scenarios[name].VUsFor(executor.FullPartition())
		firstID += uint64(most)
		r.scenarios = append(r.scenarios, sc)
		r.byName[name] = sc
	}
	return nil
}

// Registry returns the run's metrics registry.
func (r *Run) Registry() *metrics.Registry { return r.reg }

// NewSampleBuffer returns a sample buffer connected to the run's metrics, for a goroutine of
// the caller. Samples flushed before Run starts wait in the aggregator's queue (and block when
// it is full); samples flushed after Run returns are discarded.
func (r *Run) NewSampleBuffer() *metrics.SampleBuffer { return r.agg.NewBuffer() }

// Stop asks for a graceful stop: no iteration starts any more, running iterations get their
// scenario's gracefulStop, scenarios not started yet never start; Run then returns a result
// with ExitInterrupted. It reports whether this call was the one that stopped the run.
func (r *Run) Stop() bool {
	stopped := false
	r.stopOnce.Do(func() {
		r.stopped.Store(true)
		close(r.stopCh)
		stopped = true
	})
	return stopped
}

// abort hard-stops the run; the first cause wins.
func (r *Run) abort(cause error) {
	r.mu.Lock()
	if r.abortErr == nil {
		r.abortErr = cause
	}
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel(cause)
	}
}

// SetTarget changes, while the run goes on, the target of scenario: its VU count (constant-vus,
// ramping-vus) or its rate in iterations per timeUnit (arrival-rate executors), for the whole
// test; a segment applies its share. Other executors return an error wrapping
// executor.ErrTargetUnsupported.
func (r *Run) SetTarget(scenario string, v float64) error {
	sc, ok := r.byName[scenario]
	if !ok {
		return fmt.Errorf("no scenario %q (have %s)", scenario, strings.Join(sortedKeys(r.byName), ", "))
	}
	return sc.SetTarget(v)
}

// Progress returns a snapshot of every scenario, in name order.
func (r *Run) Progress() []executor.Progress {
	out := make([]executor.Progress, len(r.scenarios))
	for i, sc := range r.scenarios {
		out[i] = sc.Progress()
	}
	return out
}

// ActiveVUs returns how many VUs of this process are running an iteration or waiting for one.
func (r *Run) ActiveVUs() int64 {
	var n int64
	for _, sc := range r.scenarios {
		n += sc.ActiveVUs()
	}
	return n
}

// Snapshot returns the current aggregate of a metric or sub-metric, by selector ("iterations",
// "cti_request_duration{msg:SET_AGENT_STATE_REQ}"): Values has the summary keys (count, p(95),
// …). Sub-metrics exist if declared by a threshold or seen through a breakdown tag.
func (r *Run) Snapshot(key string) (metrics.Summary, bool) {
	name, tags, err := metrics.ParseMetricKey(key)
	if err != nil {
		return metrics.Summary{}, false
	}
	return r.agg.Snapshot(name, tags)
}

// TimeSeries returns the per-second history of the metrics so far, for a live view (see
// metrics.Aggregator.TimeSeries); the Result has the final one.
func (r *Run) TimeSeries() []metrics.Series { return r.agg.TimeSeries() }

// Partial returns the result so far, for a live view (the dashboard): the metrics with their
// histograms, the thresholds judged now, the scenarios' counts and the per-second history. It
// reads the aggregator under its lock, like Snapshot, and costs an encoding of every trend: call
// it about once a second, not per sample.
func (r *Run) Partial() *Result {
	r.mu.Lock()
	start := r.startTime
	r.mu.Unlock()
	var elapsed time.Duration
	if !start.IsZero() {
		elapsed = time.Since(start)
	}
	res := &Result{StartTime: start, Duration: executor.Duration(elapsed), Segment: r.segmentString(),
		TimeSeries: r.agg.TimeSeries(), LostSamples: r.agg.Lost(), BreakdownOverflow: r.agg.BreakdownOverflow()}
	res.Metrics, _ = r.agg.Summaries(elapsed) // an encoding failure shows in the final result
	res.Thresholds = r.agg.Thresholds(elapsed)
	res.Scenarios = r.scenarioResults()
	return res
}

// Elapsed returns the time since the scenarios started, 0 before.
func (r *Run) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.startTime.IsZero() {
		return 0
	}
	return time.Since(r.startTime)
}

// Run runs the test (see the package comment for its phases) and returns its result, which is
// non-nil whenever the run got past New, with the error that matches Result.ExitCode: nil,
// *ThresholdsError, *InterruptedError, *ScriptError, *ScriptAbortedError or
// *InvalidOptionsError. Cancelling ctx is a hard stop: running iterations are interrupted; a
// result still comes out. Run may be called once.
func (r *Run) Run(ctx context.Context) (*Result, error) {
	if !r.started.CompareAndSwap(false, true) {
		return nil, errors.New("engine: Run called twice")
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.mu.Lock()
	r.cancel = cancel
	abortedEarly := r.abortErr
	r.mu.Unlock()
	if abortedEarly != nil {
		cancel(abortedEarly)
	}
	r.agg.Start()
	ph := &phases{r: r, ctx: ctx, runCtx: runCtx, initStart: time.Now()}
	ph.run()
	return r.finish(ph)
}

// phases carries Run's state from phase to phase.
type phases struct {
	r         *Run
	ctx       context.Context // the caller's
	runCtx    context.Context // cancelled on hard stop and aborts
	initStart time.Time
	start     time.Time
	end       time.Time
	failed    error // the failure that ends the run early (init, thresholds, setup)
	scriptErr error // teardown, close
	abandoned bool  // VUs did not return after a hard stop
}

func (ph *phases) run() {
	r := ph.r
	// Whatever ends the run, the VUs initialised so far release what they hold.
	defer ph.closeVUs()
	if err := ph.initVUs(); err != nil {
		ph.failed = err
		return
	}
	if err := r.thresholds.Validate(r.reg); err != nil {
		ph.failed = invalid(err)
		return
	}
	if err := r.agg.SetThresholds(r.thresholds); err != nil {
		ph.failed = invalid(err)
		return
	}
	if r.cfg.Setup != nil {
		if err := ph.hook("setup", ph.runCtx, r.cfg.Setup); err != nil {
			ph.failed = err
			return
		}
	}
	ph.waitForStart()
	ph.runScenarios()
	if r.cfg.Teardown != nil && ph.ctx.Err() == nil && !ph.abandoned {
		// Teardown runs after a graceful stop and after aborts, not after a hard stop.
		if err := ph.hook("teardown", ph.ctx, r.cfg.Teardown); err != nil {
			ph.scriptErr = err
		}
	}
}

// waitForStart waits for Config.StartAt, the start every segment of a test shares; a stop or
// an abort ends the wait.
func (ph *phases) waitForStart() {
	r := ph.r
	if r.cfg.StartAt.IsZero() {
		return
	}
	d := time.Until(r.cfg.StartAt)
	if d <= 0 {
		if d < -lateStartWarning {
			r.log.Warn("the start time had passed when this process was ready: it starts late, apart from the other segments",
				"start_at", r.cfg.StartAt.UTC().Format(time.RFC3339Nano), "late", d.Abs().Round(time.Millisecond).String())
		}
		return
	}
	r.log.Info("waiting for the common start", "start_at", r.cfg.StartAt.UTC().Format(time.RFC3339Nano), "in", d.Round(time.Millisecond).String())
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ph.runCtx.Done():
	case <-r.stopCh:
	}
}

// lateStartWarning is how late past Config.StartAt a process may start without a warning: the
// time VUs take to begin their first iteration anyway.
const lateStartWarning = 100 * time.Millisecond

func (ph *phases) initVUs() error {
	r := ph.r
	n := r.cfg.InitConcurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	for _, sc := range r.scenarios {
		if err := sc.Init(ph.runCtx, n); err != nil {
			if ph.runCtx.Err() != nil {
				return nil // stopped while initialising: the verdict says why
			}
			return &ScriptError{Phase: "init", Err: err}
		}
	}
	return nil
}

// hook runs Setup or Teardown with a buffer of its own, turning panics into errors.
func (ph *phases) hook(phase string, ctx context.Context, f func(context.Context, *metrics.SampleBuffer) error) error {
	buf := ph.r.agg.NewBuffer()
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &executor.PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return f(ctx, buf)
	}()
	buf.Flush()
	switch {
	case err == nil:
		return nil
	case executor.IsAbort(err):
		ph.r.abort(&ScriptAbortedError{Err: err})
		return &ScriptAbortedError{Err: err}
	}
	return &ScriptError{Phase: phase, Err: err}
}

func (ph *phases) runScenarios() {
	r := ph.r
	if ph.runCtx.Err() != nil {
		return
	}
	ph.start = time.Now()
	r.mu.Lock()
	r.startTime = ph.start
	r.mu.Unlock()
	r.agg.SetStart(ph.start)

	gaugesDone := make(chan struct{})
	var gauges sync.WaitGroup
	gauges.Go(func() { r.sampleVUs(gaugesDone) })

	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, sc := range r.scenarios {
		wg.Go(func() {
			if err := sc.Run(ph.runCtx, ph.start, r.stopCh); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-ph.runCtx.Done():
		timeout := r.cfg.HardStopTimeout
		if timeout <= 0 {
			timeout = DefaultHardStopTimeout
		}
		t := time.NewTimer(timeout)
		select {
		case <-all:
		case <-t.C:
			ph.abandoned = true
			r.log.Error("VUs did not return after the hard stop; producing the result without them", "waited", timeout)
		}
		t.Stop()
	}
	ph.end = time.Now()
	close(gaugesDone)
	gauges.Wait()
	if len(errs) > 0 {
		ph.scriptErr = errors.Join(ph.scriptErr, &ScriptError{Phase: "run", Err: errors.Join(errs...)})
	}
}

// sampleVUs records the vus and vus_max gauges once a second until done, and once more then.
// Each sample is the peak seen since the previous one, polled every vuPoll: a sample of the
// instant alone misses VUs that come and go between ticks, and a run shorter than a second
// would show no active VU at all.
func (r *Run) sampleVUs(done <-chan struct{}) {
	buf := r.agg.NewBuffer()
	var peakActive, peakInit int64
	poll := func() {
		var active, initialised int64
		for _, sc := range r.scenarios {
			active += sc.ActiveVUs()
			initialised += sc.InitialisedVUs()
		}
		peakActive = max(peakActive, active)
		peakInit = max(peakInit, initialised)
	}
	record := func() {
		buf.Add(r.builtins.VUs, float64(peakActive), metrics.Tags{})
		buf.Add(r.builtins.VUsMax, float64(peakInit), metrics.Tags{})
		buf.Flush()
		peakActive, peakInit = 0, 0
	}
	t := time.NewTicker(vuPoll)
	defer t.Stop()
	last := time.Now()
	poll()
	for {
		select {
		case now := <-t.C:
			poll()
			if now.Sub(last) >= time.Second {
				record()
				last = now
				poll() // the next second starts from the current count
			}
		case <-done:
			poll()
			record()
			return
		}
	}
}

// vuPoll is how often sampleVUs looks at the VU counts.
const vuPoll = 50 * time.Millisecond

func (ph *phases) closeVUs() {
	if ph.abandoned {
		return // a VU may still be running: closing it would break the one-goroutine rule
	}
	var errs []error
	for _, sc := range ph.r.scenarios {
		if err := sc.Close(ph.ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		ph.scriptErr = errors.Join(ph.scriptErr, &ScriptError{Phase: "close", Err: errors.Join(errs...)})
	}
}

// finish stops the metrics and builds the result and its error.
func (r *Run) finish(ph *phases) (*Result, error) {
	r.agg.Stop()
	if ph.start.IsZero() {
		ph.start, ph.end = ph.initStart, time.Now()
	}
	if ph.end.IsZero() {
		ph.end = time.Now()
	}
	dur := ph.end.Sub(ph.start)
	res := &Result{
		StartTime:         ph.start,
		Duration:          executor.Duration(dur),
		Segment:           r.segmentString(),
		TimeSeries:        r.agg.TimeSeries(),
		LostSamples:       r.agg.Lost(),
		BreakdownOverflow: r.agg.BreakdownOverflow(),
	}
	var verdictErr error
	res.Metrics, verdictErr = r.agg.Summaries(dur)
	res.Thresholds = r.agg.Thresholds(dur)
	res.Scenarios = r.scenarioResults()

	r.mu.Lock()
	abortErr := r.abortErr
	r.mu.Unlock()
	var err error
	switch {
	case ph.failed != nil && !errors.Is(ph.failed, context.Canceled):
		err = ph.failed
	case ph.scriptErr != nil:
		err = ph.scriptErr
	}
	var sa *ScriptAbortedError
	switch {
	case err != nil:
	case errors.As(abortErr, &sa):
		err = sa
	case errors.Is(abortErr, errThresholdAbort):
		res.AbortedByThreshold = true
	case ph.ctx.Err() != nil:
		res.Interrupted = true
		err = &InterruptedError{Hard: true}
	case r.stopped.Load():
		res.Interrupted = true
		err = &InterruptedError{}
	}
	if err == nil && verdictErr != nil {
		err = verdictErr // an encoding failure: the engine's own
	}
	if err != nil {
		res.Error = err.Error()
		res.ErrorCode = ExitCode(err)
		if ie := (*InterruptedError)(nil); errors.As(err, &ie) {
			res.Interrupted = true
		}
	}
	if err == nil {
		if failed := res.FailedThresholds(); len(failed) > 0 || res.AbortedByThreshold {
			err = &ThresholdsError{Failed: failed, Aborted: res.AbortedByThreshold}
		}
	}
	return res, err
}

// scenarioResults returns the iteration counts of every scenario so far.
func (r *Run) scenarioResults() []ScenarioResult {
	var out []ScenarioResult
	for _, sc := range r.scenarios {
		c := sc.Counts()
		out = append(out, ScenarioResult{
			Name: sc.Name(), Executor: sc.Config().Base().Type,
			Iterations: c.Iterations, Failed: c.Failed, Interrupted: c.Interrupted, Dropped: c.Dropped,
			VUsMax: sc.InitialisedVUs(),
		})
	}
	return out
}

func (r *Run) segmentString() string {
	if r.cfg.Segment == "" && r.cfg.SegmentSequence == "" {
		return ""
	}
	return r.part.String()
}

// ScenarioNames returns the scenarios' names, sorted.
func (r *Run) ScenarioNames() []string { return sortedKeys(r.byName) }
