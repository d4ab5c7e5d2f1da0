package jsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/dop251/goja"
)

// RunnerConfig configures a [Runner].
type RunnerConfig struct {
	// Target is the address cti.connect uses for an empty target or 'sim': the run's built-in
	// simulator (or the --target of the command line). Empty means such scripts fail with a
	// clear error.
	Target string
	// Simulator describes the run's built-in simulator to scripts (cti.simulator); nil when the
	// run has a --target.
	Simulator *SimulatorInfo
	// PeripheralID is the peripheral of sessions whose script gives no peripheralId (the host
	// sets the built-in simulator's). 0 leaves it to the script; a UCCE server refuses an agent
	// session without the right one (E_CTI_INVALID_PERIPHERAL_ID).
	PeripheralID uint32
	// Registry is the run's metric registry: the cti_* metrics and the script's custom metrics
	// are registered in it. Nil records nothing (tests of script logic).
	Registry *metrics.Registry
	// SetupSamples receives the samples recorded by setup() and teardown() (VUs record into the
	// buffers the engine gives them). Nil discards them.
	SetupSamples *metrics.SampleBuffer
	// Seed seeds every VU's random generator (Math.random, randomBetween, uuid), combined with
	// the VU number, so that a run can be replayed.
	Seed int64
	// Observer, if set, sees every CTI frame of every session (the --trace protocol trace).
	Observer client.Observer
	// Logger overrides LoadOptions.Logger for console output of this run.
	Logger *slog.Logger
	// Safety sets the open back-off, the abort rule on failed opens and the run-wide rate caps
	// (options.cti, --max-request-rate, --max-open-rate). Nil means DefaultSafety.
	Safety *Safety
	// RequirePeripheralID makes an agent-mode cti.connect without a peripheral ID fail before
	// dialling: set it when the target is a real CTI Server (--target), which refuses such a
	// session with E_CTI_INVALID_PERIPHERAL_ID.
	RequirePeripheralID bool
	// TextSummary renders the text summary for the script's textSummary (ctiload/summary); nil
	// makes textSummary throw.
	TextSummary TextSummaryFunc
}

// Runner instantiates a [Script] for a run: it is the engine's VU factory, and it runs the
// script's setup and teardown.
//
// Lifecycle: the engine calls NewVU for each VU (the script's init code runs in a fresh runtime);
// the host calls Setup once (its JSON result goes to every iteration and to teardown); the
// engine runs iterations, calling the VU's vuSetup export before its first one; the engine
// closes each VU (vuTeardown, then the VU's open sessions are closed); the host calls Teardown.
type Runner struct {
	s      *Script
	cfg    RunnerConfig
	logger *slog.Logger
	m      *ctiMetrics
	checks *metrics.Metric
	groups *metrics.Metric // group_duration
	guard  *guard
	setup  atomic.Pointer[json.RawMessage]
	exec   executionSlot
	// malformedSeen holds the kinds (message type and reason) of malformed frames already
	// logged: a server that sends thousands says so once per kind, the counts say how many.
	malformedSeen sync.Map
}

var (
	_ executor.VUFactory = (*Runner)(nil)
	_ executor.VU        = (*vu)(nil)
	_ executor.VUCloser  = (*vu)(nil)
)

// NewRunner prepares a run of the script: it registers the built-in metrics in cfg.Registry.
func (s *Script) NewRunner(cfg RunnerConfig) (*Runner, error) {
	r := &Runner{s: s, cfg: cfg, logger: cfg.Logger}
	safety := DefaultSafety
	if cfg.Safety != nil {
		safety = *cfg.Safety
	}
	if err := safety.Validate(); err != nil {
		return nil, fmt.Errorf("options.cti.%w", err)
	}
	r.guard = newGuard(safety)
	if r.logger == nil {
		r.logger = s.logger
	}
	if cfg.Registry != nil {
		var err error
		if r.m, err = registerCTIMetrics(cfg.Registry); err != nil {
			return nil, err
		}
		if r.checks, err = cfg.Registry.NewMetric(metricnames.Checks, metrics.Rate); err != nil {
			return nil, err
		}
		if r.groups, err = cfg.Registry.NewMetric(metricnames.GroupDuration, metrics.Trend, metrics.Time); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Runner) registry() *metrics.Registry {
	if r == nil {
		return nil
	}
	return r.cfg.Registry
}

func (r *Runner) groupMetric() *metrics.Metric {
	if r == nil {
		return nil
	}
	return r.groups
}

func (r *Runner) checksMetric() *metrics.Metric {
	if r == nil {
		return nil
	}
	return r.checks
}

// logMalformed logs the first malformed frame of each kind (type and reason), with its offset.
func (r *Runner) logMalformed(f client.MalformedFrame) {
	if r == nil || r.logger == nil {
		return
	}
	kind := f.Type.String() + " " + f.Reason
	if _, seen := r.malformedSeen.LoadOrStore(kind, true); seen {
		return
	}
	r.logger.Warn("malformed frame from the CTI server: not delivered to the script; later ones of this kind are only counted (cti_decode_errors)",
		slog.String("type", f.Type.String()), slog.String("reason", f.Reason), slog.Int("offset", f.Offset),
		slog.String("session", f.Label), slog.String("addr", f.Addr), slog.String("error", f.Err.Error()))
}

func (r *Runner) ctiMetrics() *ctiMetrics {
	if r == nil {
		return nil
	}
	return r.m
}

// NewVU implements the engine's VUFactory: a new runtime that has run the script's init code.
// An exception in init code is a *ScriptError (phase init): the host stops the run.
func (r *Runner) NewVU(ctx context.Context, id uint64, samples *metrics.SampleBuffer) (executor.VU, error) {
	v, err := newVU(ctx, r.s, r, int(id), samples)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// SetupData returns the JSON result of setup() (nil before Setup or without a setup export).
func (r *Runner) SetupData() json.RawMessage {
	if p := r.setup.Load(); p != nil {
		return *p
	}
	return nil
}

// SetSetupData gives the VUs setup data computed elsewhere (another process of a segmented run).
// It must be called before the first iteration.
func (r *Runner) SetSetupData(data json.RawMessage) { r.setup.Store(&data) }

// Setup runs the script's `export function setup()` once, in a runtime of its own (VU 0), and
// returns its result as JSON ("null" for undefined); every VU's iterations then get it, parsed in
// their own runtime. Without a setup export it returns nil. An exception is a *ScriptError
// (phase setup) and the run should stop with its exit code.
func (r *Runner) Setup(ctx context.Context) (json.RawMessage, error) {
	return r.setupWith(ctx, r.cfg.SetupSamples)
}

// SetupHook is Setup in the shape of the engine's Config.Setup: samples go to the engine's
// buffer and the result is kept for the VUs and TeardownHook.
func (r *Runner) SetupHook(ctx context.Context, samples *metrics.SampleBuffer) error {
	_, err := r.setupWith(ctx, samples)
	return err
}

// TeardownHook is Teardown in the shape of the engine's Config.Teardown, with the data of
// SetupHook.
func (r *Runner) TeardownHook(ctx context.Context, samples *metrics.SampleBuffer) error {
	return r.teardownWith(ctx, r.SetupData(), samples)
}

func (r *Runner) setupWith(ctx context.Context, samples *metrics.SampleBuffer) (json.RawMessage, error) {
	if !r.s.hasExport("setup") {
		return nil, nil
	}
	v, err := newVU(ctx, r.s, r, 0, samples)
	if err != nil {
		return nil, err
	}
	defer v.release(ctx)
	res, err := v.callExport(ctx, PhaseSetup, "setup")
	if err != nil {
		return nil, err
	}
	s, err := v.stringify(res)
	if err != nil {
		return nil, &ScriptError{File: r.s.display, Phase: PhaseSetup, Iteration: -1, Message: "setup() result is not JSON-serialisable: " + err.Error()}
	}
	data := json.RawMessage(s)
	r.SetSetupData(data)
	return data, nil
}

// Teardown runs `export function teardown(data)` once in a runtime of its own, with data (the
// JSON from Setup). Without a teardown export it does nothing.
func (r *Runner) Teardown(ctx context.Context, data json.RawMessage) error {
	return r.teardownWith(ctx, data, r.cfg.SetupSamples)
}

func (r *Runner) teardownWith(ctx context.Context, data json.RawMessage, samples *metrics.SampleBuffer) error {
	if !r.s.hasExport("teardown") {
		return nil
	}
	v, err := newVU(ctx, r.s, r, 0, samples)
	if err != nil {
		return err
	}
	defer v.release(ctx)
	arg := goja.Undefined()
	if len(data) > 0 {
		if arg, err = v.parseJSON(string(data)); err != nil {
			return fmt.Errorf("teardown: setup data: %w", err)
		}
	}
	_, err = v.callExport(ctx, PhaseTeardown, "teardown", arg)
	return err
}

// RunIteration implements the engine's VU: it runs the scenario's exec function (the default
// export unless the scenario names another) with the setup data. The VU's vuSetup export runs
// before its first iteration (and again before the next one if it failed). A thrown exception
// fails the iteration with a *ScriptError; a cancelled ctx interrupts the script at once.
func (v *vu) RunIteration(ctx context.Context, it *executor.Iteration) error {
	v.it = it
	v.iter = int64(it.VUIter)
	// The engine's env (run env under the scenario's) wins when the host gave the engine one.
	if len(it.Env) > 0 {
		v.env = it.Env
	} else {
		v.env = v.s.opts.Env
	}
	v.group = ""
	v.baseTags = it.TagSet
	v.gen++
	defer func() { v.it = nil }()
	if err := ctx.Err(); err != nil {
		return err
	}
	v.watch(ctx)

	data, err := v.setupValue()
	if err != nil {
		return err
	}
	if !v.vuSetupDone {
		if v.s.hasExport("vuSetup") {
			if err := v.setupRetryWait(ctx); err != nil {
				return err
			}
			if _, err := v.callExport(ctx, PhaseVUSetup, "vuSetup", data); err != nil {
				v.setupRetry.failures++
				v.setupRetry.lastFail = time.Now()
				v.closeSessions(context.WithoutCancel(ctx), v.gen)
				return err
			}
			v.setupRetry.failures = 0
		}
		v.vuSetupDone = true
		v.gen++ // sessions vuSetup opened belong to the VU, not to this iteration
	}
	exec := it.Exec
	if exec == "" {
		exec = "default"
	}
	if _, err := v.callExport(ctx, PhaseIteration, exec, data); err != nil {
		// Sessions the failed iteration opened are unreachable now: close them, or a script
		// failing in a loop would pile up connections.
		v.closeSessions(context.WithoutCancel(ctx), v.gen)
		return err
	}
	return nil
}

// setupRetryWait holds a VU whose vuSetup failed before it runs vuSetup again: the open
// back-off's schedule (options.cti.openBackoff), counted in vuSetup failures in a row. A vuSetup
// that opens a session and logs in can fail after a successful open (the agent is already
// logged in elsewhere, a wrong password), which the open back-off never sees: without this wait
// such a VU would reopen and log in again at once, iteration after iteration, against the
// server. A cancelled ctx ends the wait.
func (v *vu) setupRetryWait(ctx context.Context) error {
	if v.setupRetry.failures == 0 {
		return nil
	}
	cfg := DefaultSafety.OpenBackoff
	seed := int64(0)
	if v.r != nil {
		seed = v.r.cfg.Seed
		if v.r.guard != nil {
			cfg = v.r.guard.cfg.OpenBackoff
		}
	}
	if v.setupRetry.rnd == nil {
		v.setupRetry.rnd = rand.New(rand.NewPCG(uint64(seed), uint64(v.id)^0x5E7B))
	}
	d := v.setupRetry.due(cfg, time.Now())
	if d <= 0 {
		return nil
	}
	return sleepCtx(ctx, d, nil)
}

// Close implements the engine's VUCloser: it runs the vuTeardown export (if vuSetup ran) and
// closes the sessions the VU left open.
func (v *vu) Close(ctx context.Context) error {
	var err error
	v.watch(ctx)
	if v.vuSetupDone && v.s.hasExport("vuTeardown") {
		data, derr := v.setupValue()
		if derr != nil {
			data = goja.Undefined()
		}
		v.baseTags = metrics.Tags{}
		_, err = v.callExport(ctx, PhaseVUTeardown, "vuTeardown", data)
	}
	v.release(ctx)
	return err
}

// release closes the VU's sessions and stops watching contexts.
func (v *vu) release(ctx context.Context) {
	v.closeSessions(context.WithoutCancel(ctx), 0)
	v.unwatch()
	v.phase = phaseClosed
}

// closeSessions closes the sessions opened in generation gen (every session for 0).
func (v *vu) closeSessions(ctx context.Context, gen uint64) {
	kept := v.sessions[:0]
	for _, js := range v.sessions {
		if gen == 0 || js.gen == gen {
			_ = js.closeSession(ctx)
			continue
		}
		kept = append(kept, js)
	}
	clear(v.sessions[len(kept):])
	v.sessions = kept
}

// errJoin is errors.Join that keeps a single error as it is.
func errJoin(errs ...error) error {
	var out []error
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return errors.Join(out...)
}
