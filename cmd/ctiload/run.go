package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/jsapi"
	"github.com/ctiload/ctiload/reports"
	"github.com/ctiload/ctiload/reports/promrw"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// targetCheckTimeout bounds the reachability check of --target before a run.
const targetCheckTimeout = 5 * time.Second

// runFlags are run's command line besides the options.
type runFlags struct {
	opts            optionFlags
	out             outputFlags
	quiet           bool
	noColor         bool
	noSummary       bool
	summaryMode     string // --summary-mode: compact or full
	logFormat       string
	verbose         bool
	skipTargetCheck bool
	control         string // --control ADDR: the runtime control API
	noSetup         bool
	noTeardown      bool
	paused          bool   // --paused: wait for POST /v1/resume before starting
	dashboard       string // --dashboard[=ADDR]: the live dashboard
	dashboardLinger time.Duration
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run SCRIPT",
		Short: "Run a scenario script as virtual CTI clients and print a summary and a verdict",
		Long: `run loads a JavaScript (or TypeScript) scenario and runs it as many virtual CTI clients (VUs)
against a CTI Server, or, without --target, against the built-in simulator started on a free
loopback port. It shows the progress live, then prints the end-of-test summary (thresholds,
latency per request type, failure codes, sessions, checks) and exits with the verdict:

  0    passed                       104  invalid options, script path or target
  99   a threshold failed           105  interrupted (SIGINT/SIGTERM)
  107  the script failed to load, initialise, set up or tear down
  108  the run was aborted: abort() in the script, opens that keep failing
       (options.cti.abortOnOpenFailures), or no peripheralId against --target

A run without thresholds passes (k6's rule), but the verdict line and the JUnit name the failed
iterations and the sessions that never opened, and a warning before the verdict says when no
threshold judges them (failed_iterations, cti_sessions or cti_failures).

Options come from, lowest to highest: defaults, a --config JSON file (-c), the script's
"export const options", CTILOAD_* environment variables (CTILOAD_VUS, CTILOAD_DURATION,
CTILOAD_ITERATIONS, CTILOAD_STAGES, CTILOAD_TARGET, CTILOAD_SEED, CTILOAD_SIM_AGENTS, … one per flag), flags.
The shortcuts --vus, --duration, --iterations and --stage replace the script's scenarios.

The first Ctrl-C (or SIGTERM) stops the run gracefully and still prints and writes every report;
a second one interrupts running iterations at once; a third exits without reports.

Control API: --control 127.0.0.1:6565 serves GET /v1/scenarios (progress and targets),
POST /v1/scenarios/NAME {"target": N} (VUs, or iterations per timeUnit for arrival-rate
executors), POST /v1/stop (graceful stop) and POST /v1/resume (start a run begun with --paused)
on a loopback address. Every request needs the run's
token: set CTILOAD_CONTROL_TOKEN, or ctiload makes one up and prints it once, on the terminal
only. POSTs must be JSON; requests whose Host or Origin is not the loopback address are refused,
so a web page open on the same machine cannot steer the test:

  curl -H "Authorization: Bearer $CTILOAD_CONTROL_TOKEN" -H 'Content-Type: application/json' \
       -d '{"target": 50}' http://127.0.0.1:6565/v1/scenarios/agents

Dashboard: --dashboard (or --dashboard=127.0.0.1:PORT) serves the HTML report's page live while
the test runs, updated every second: latency percentiles, requests and failures per second,
failures by code, VUs and sessions, p95 per request type, event waits, checks and thresholds
with their state now; hover for values, drag to zoom, click a legend entry to hide a series.
Open the URL ctiload prints (it carries the run's token once, as for the control API; the page
needs no network). When the run ends the page shows the final report and stays until Ctrl-C,
or for --dashboard-linger.`,
		Example: `  ctiload run scripts/smoke.js
  ctiload run --vus 50 --duration 2m script.js
  ctiload run --stage 30s:100 --stage 2m:100 --stage 20s:0 --sim-agents 200 --sim-call-rate 10/s script.js
  ctiload run --target cti-a.lab:42027,cti-b.lab:42027 -e AGENT_PASSWORD=… script.js
  ctiload run --out json=samples.json.gz --out csv=samples.csv --summary-export summary.json --junit junit.xml --html report.html script.js
  ctiload run --out prometheus-rw=http://prometheus:9090/api/v1/write script.js   # live in Grafana: deploy/grafana
  ctiload run --execution-segment 0:1/2 --summary-export part1.json script.js   # then: ctiload merge
  ctiload run --dashboard --duration 10m script.js   # then open the printed http://127.0.0.1:5665/?token=… URL`,
		Args: exactArgs(1, "a script: ctiload run SCRIPT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, args[0])
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	main := pflag.NewFlagSet("run", pflag.ContinueOnError)
	f.opts.register(main)
	main.StringArrayVarP(&f.out.outs, "out", "o", nil, "stream every sample to `KIND=WHERE`: json=FILE (k6's JSON output), ndjson=FILE (compact NDJSON), csv=FILE (k6's CSV) — .gz compresses — or prometheus-rw[=URL] (Prometheus remote write, configured by CTILOAD_PROMETHEUS_RW_*); see docs/outputs.md; repeatable")
	main.StringVar(&f.out.summaryExport, "summary-export", "", "write the summary as JSON, with the HdrHistograms, to `FILE` (for ctiload report and merge)")
	main.StringVar(&f.out.junit, "junit", "", "write JUnit XML to `FILE`: a test case per threshold and per check")
	main.StringVar(&f.out.html, "html", "", "write the HTML report to `FILE` (one self-contained file)")
	main.StringVar(&f.out.trace, "trace", "", "write every CTI frame in and out, decoded, to `FILE` (NDJSON; passwords redacted; .gz compresses)")
	main.BoolVarP(&f.quiet, "quiet", "q", false, "no banner and no live progress")
	main.BoolVar(&f.noColor, "no-color", false, "no colors (also with NO_COLOR set, or when not on a terminal)")
	main.BoolVar(&f.noSummary, "no-summary", false, "do not print the end-of-test summary (files are still written)")
	main.StringVar(&f.summaryMode, "summary-mode", "compact", summaryModeUsage)
	main.StringVar(&f.logFormat, "log-format", "text", "`FORMAT` of log lines on standard error: text or json")
	main.BoolVarP(&f.verbose, "verbose", "v", false, "log debug messages too")
	main.BoolVar(&f.skipTargetCheck, "skip-target-check", false, "do not check that --target accepts connections before the run")
	main.StringVar(&f.control, "control", "", "serve the runtime control API on `ADDR` (loopback only, e.g. 127.0.0.1:6565; see \"Control API\" above)")
	main.BoolVar(&f.noSetup, "no-setup", false, "do not run the script's setup() (iterations and teardown get undefined data)")
	main.BoolVar(&f.noTeardown, "no-teardown", false, "do not run the script's teardown()")
	main.BoolVar(&f.paused, "paused", false, "start paused: wait for POST /v1/resume on the control API before the test starts (needs --control)")
	main.StringVar(&f.dashboard, "dashboard", "", "serve the live dashboard in a browser on `ADDR` (loopback only; --dashboard alone: "+defaultDashboardAddr+"; see \"Dashboard\" above)")
	main.Lookup("dashboard").NoOptDefVal = defaultDashboardAddr
	main.DurationVar(&f.dashboardLinger, "dashboard-linger", 0, "after the run, keep the dashboard up this long (`DURATION`; 0: until Ctrl-C on a terminal, not at all otherwise)")
	cmd.Flags().AddFlagSet(main)
	cmd.Flags().SortFlags = false
	cmd.SetUsageFunc(func(c *cobra.Command) error { return runUsage(c, main) })
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		fmt.Fprintln(c.OutOrStdout(), c.Long)
		fmt.Fprintln(c.OutOrStdout())
		runUsage(c, main)
	})
	return cmd
}

// runUsage prints the flags in two groups: the run's, and the built-in simulator's.
func runUsage(c *cobra.Command, all *pflag.FlagSet) error {
	w := c.OutOrStdout()
	runFS, simFS := pflag.NewFlagSet("", pflag.ContinueOnError), pflag.NewFlagSet("", pflag.ContinueOnError)
	all.VisitAll(func(f *pflag.Flag) {
		if strings.HasPrefix(f.Name, "sim-") {
			simFS.AddFlag(f)
		} else {
			runFS.AddFlag(f)
		}
	})
	runFS.SortFlags, simFS.SortFlags = false, false
	fmt.Fprintf(w, "Usage:\n  %s\n\nExamples:\n%s\n\nFlags:\n%s\nBuilt-in simulator (used when there is no --target; also options.simulator in the script):\n%s",
		c.UseLine(), c.Example, runFS.FlagUsages(), simFS.FlagUsages())
	return nil
}

// exactArgs is cobra.ExactArgs with a message saying what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			if len(args) < n {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("missing %s", what)}
			}
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("too many arguments %q: want %s", args[n:], what)}
		}
		return nil
	}
}

// newLogger makes the run's logger: text or JSON lines on w.
func newLogger(w io.Writer, format string, verbose bool) (*slog.Logger, error) {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	o := &slog.HandlerOptions{Level: level}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("--log-format: invalid value %q: want text or json", format)
}

// runSession is one ctiload run, phase by phase: prepare (options, outputs, target), execute,
// report.
type runSession struct {
	f        *runFlags
	stdout   io.Writer
	stderr   io.Writer
	view     *progress
	logger   *slog.Logger
	plan     *plan
	info     reports.RunInfo
	sim      *embeddedSim
	target   string
	periph   uint32
	reg      *metrics.Registry
	hooks    *sampleHooks
	trace    *traceFile
	outs     []outputSpec    // --out values
	prom     []promrw.Config // the prometheus-rw outputs' configurations, checked
	dash     *dashboard
	stopDash func()
	runner   *jsapi.Runner
}

func (f *runFlags) run(cmd *cobra.Command, path string) error {
	s := &runSession{f: f, stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr()}
	// CTILOAD_* variables first: they may set the log format, --quiet or --no-color.
	if err := f.opts.applyEnv(os.Getenv); err != nil {
		return &exitError{code: exitInvalidOptions, err: flattenErrors([]error{err})}
	}
	s.view = newProgress(s.stderr, isTerminal(s.stderr), useColor(s.stderr, f.noColor), f.quiet)
	var err error
	if s.logger, err = newLogger(s.view.logWriter(), f.logFormat, f.verbose); err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	defer s.close()
	if err := s.prepare(path); err != nil {
		return err
	}
	if err := s.startTarget(); err != nil {
		return err
	}
	if err := s.openStreams(); err != nil {
		return err
	}
	res, runErr, err := s.execute(cmd.Context())
	if err != nil {
		return err
	}
	return s.report(res, runErr)
}

// prepare loads the script and resolves the options; every problem found before anything
// starts is reported at once.
func (s *runSession) prepare(path string) error {
	f := s.f
	env, err := f.opts.buildEnv(os.Environ())
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	script, err := loadScript(path, env, s.logger, f.opts.allowOutside)
	if err != nil {
		return err
	}
	s.plan = &plan{scriptPath: path, script: script, env: env}
	if err := f.opts.resolve(s.plan, os.Getenv); err != nil {
		return err
	}
	var errs []error
	if s.outs, err = f.out.outputSpecs(); err != nil {
		errs = append(errs, err)
	}
	for _, o := range s.outs {
		switch o.kind {
		case "prometheus-rw":
			cfg, err := prometheusConfig(o, s.plan.config.Segment)
			errs = append(errs, err)
			s.prom = append(s.prom, cfg)
		case "csv":
			_, err := sampleFormat(o, os.Getenv, nil, nil)
			errs = append(errs, err)
		}
	}
	for _, c := range []struct{ flag, path string }{{"--summary-export", f.out.summaryExport}, {"--junit", f.out.junit}, {"--html", f.out.html}} {
		errs = append(errs, checkWritable(c.flag, c.path))
	}
	if _, err := parseSummaryMode(f.summaryMode); err != nil {
		errs = append(errs, err)
	}
	if f.paused && f.control == "" {
		errs = append(errs, errors.New("--paused: the run would wait for ever: add --control ADDR, then resume it with POST /v1/resume"))
	}
	if err := errors.Join(errs...); err != nil {
		return &exitError{code: exitInvalidOptions, err: flattenErrors([]error{err})}
	}
	for _, w := range s.plan.warnings {
		s.logger.Warn(w)
	}
	s.info = reports.RunInfo{Script: path, Seed: s.plan.seed, Version: versionString(),
		Scenarios: reports.DescribeScenarios(s.plan.config.Scenarios)}
	return nil
}

// startTarget starts the built-in simulator, or checks that --target accepts connections.
func (s *runSession) startTarget() error {
	s.target = s.plan.target
	if s.plan.sim != nil {
		var err error
		if s.sim, err = s.plan.sim.start(); err != nil {
			return err
		}
		s.target, s.periph = s.sim.target(), s.sim.peripheralID()
		s.info.Simulator = s.sim.info()
	} else if !s.f.skipTargetCheck {
		if err := checkTarget(s.target); err != nil {
			return &exitError{code: exitInvalidOptions, err: err}
		}
	}
	s.info.Target = s.target
	return nil
}

// openStreams creates the files that fill up during the run: samples and the protocol trace.
func (s *runSession) openStreams() error {
	s.reg = metrics.NewRegistry()
	s.hooks = &sampleHooks{tally: reports.NewTally()}
	prom := s.prom
	for _, o := range s.outs {
		switch o.kind {
		case "json", "ndjson", "csv":
			format, err := sampleFormat(o, os.Getenv, s.reg, s.plan.config.Thresholds)
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			sw, err := reports.CreateSampleFile(o.arg, format)
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--out %s=%s: %v", o.kind, o.arg, unwrapPathError(err))}
			}
			s.hooks.outputs = append(s.hooks.outputs, sw)
		case "prometheus-rw":
			out, err := promrw.New(prom[0], s.logger)
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			prom = prom[1:]
			s.hooks.outputs = append(s.hooks.outputs, out)
		}
	}
	if path := s.f.out.trace; path != "" {
		var err error
		if s.trace, err = createTrace(path); err != nil {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--trace: cannot write %q: %v", path, unwrapPathError(err))}
		}
	}
	return nil
}

// execute runs the test under the signal handler and the live view. err is a failure to start;
// otherwise the run's result and error come back.
func (s *runSession) execute(parent context.Context) (res *engine.Result, runErr, err error) {
	run, err := s.newRun()
	if err != nil {
		return nil, nil, err
	}
	if !s.f.quiet {
		s.banner()
	}
	var ctl controllable = run
	var gate *pauseGate
	if s.f.paused {
		gate = newPauseGate(run)
		ctl = gate
	}
	stopControl, err := s.startServers(run, ctl)
	if err != nil {
		return nil, nil, err
	}
	defer stopControl()
	ctx, hardStop := context.WithCancel(parent)
	defer hardStop()
	stopSignals, interrupted := watchSignals(ctl, hardStop, s.view.printf, func() {
		s.hooks.closeFiles() // whole lines only; the stream ends here
		os.Exit(exitInterrupted)
	})
	if gate != nil {
		s.view.printf("paused: the test starts on POST /v1/resume (or stops on Ctrl-C or POST /v1/stop)")
		select {
		case <-gate.resumed:
		case <-ctx.Done():
		}
	}
	runDone := make(chan struct{})
	if s.sim != nil {
		s.sim.watch(run.Elapsed, runDone)
	}
	s.view.start(run)
	res, runErr = run.Run(ctx)
	close(runDone)
	s.view.finish()
	stopSignals()
	if res == nil {
		return nil, nil, &exitError{code: engine.ExitCode(runErr), err: runErr}
	}
	if interrupted() && res.ErrorCode == 0 {
		// A signal came while the run was ending by itself: it was interrupted all the same.
		res.Interrupted, res.ErrorCode, res.Error = true, exitInterrupted, (&engine.InterruptedError{}).Error()
	}
	return res, runErr, nil
}

// newRun makes the script's runner and the engine's run from the plan and the run flags.
func (s *runSession) newRun() (*engine.Run, error) {
	rc := jsapi.RunnerConfig{Target: s.target, PeripheralID: s.periph, Registry: s.reg, Seed: s.plan.seed, Logger: s.logger,
		Safety: &s.plan.safety, RequirePeripheralID: s.sim == nil, TextSummary: s.textSummary}
	if s.sim != nil {
		rc.Simulator = s.sim.scriptInfo()
	}
	if s.trace != nil {
		rc.Observer = s.trace
	}
	runner, err := s.plan.script.NewRunner(rc)
	if err != nil {
		return nil, &exitError{code: exitScriptError, err: err}
	}
	s.runner = runner
	cfg := s.plan.config
	cfg.Registry = s.reg
	cfg.Setup, cfg.Teardown = runner.SetupHook, runner.TeardownHook
	if s.f.noSetup {
		cfg.Setup = nil
	}
	if s.f.noTeardown {
		cfg.Teardown = nil
	}
	cfg.Logger = s.logger
	cfg.SampleHook = s.hooks.hook
	cfg.Env = s.plan.env
	cfg.StartAt = s.plan.startAt
	cfg.BreakdownTags = reports.BreakdownTags()
	run, err := engine.New(cfg, runner)
	if err != nil {
		return nil, &exitError{code: engine.ExitCode(err), err: flattenErrors([]error{err})}
	}
	runner.SetExecution(run)
	return run, nil
}

// startServers starts the live dashboard and the control API when asked for, both behind one
// bearer token (CTILOAD_CONTROL_TOKEN, or one made up for this run and shown on the terminal
// only). stopControl stops the control API; the dashboard stays up until close, so that it
// can show the final report.
func (s *runSession) startServers(run *engine.Run, ctl controllable) (stopControl func(), err error) {
	token, fromEnv := os.Getenv(controlTokenEnv), true
	if token == "" {
		token, fromEnv = newControlToken(), false
	}
	if s.f.dashboard != "" {
		s.dash = newDashboard(run, s.info, reports.SummaryOptions{TrendStats: s.plan.trendStats}, s.hooks.tally.Pairs)
		stop, bound, err := startDashboard(s.f.dashboard, token, s.dash, s.view.printf)
		if err != nil {
			return nil, &exitError{code: exitInvalidOptions, err: err}
		}
		s.stopDash = stop
		// As for the control API: a generated token is shown on the terminal only.
		if fromEnv {
			s.view.printf("dashboard on http://%s/?token=$%s", bound, controlTokenEnv)
		} else {
			s.view.printf("dashboard on http://%s/?token=%s", bound, token)
		}
	}
	if s.f.control == "" {
		return func() {}, nil
	}
	stop, bound, err := startControl(s.f.control, token, ctl, s.view.printf)
	if err != nil {
		return nil, &exitError{code: exitInvalidOptions, err: err}
	}
	// The one place a generated token is shown: the terminal, never a report or a log file.
	if fromEnv {
		s.view.printf("control API on http://%s/v1/scenarios (token from %s)", bound, controlTokenEnv)
	} else {
		s.view.printf("control API on http://%s/v1/scenarios: curl -H 'Authorization: Bearer %s' http://%s/v1/scenarios", bound, token, bound)
	}
	return stop, nil
}

// report closes the streams, writes the summary files and prints the summary, and returns the
// verdict as the exit code.
func (s *runSession) report(res *engine.Result, runErr error) error {
	f := s.f
	outErrs := s.closeStreams()
	s.info.Outputs = s.hooks.outputs.Status()
	if s.sim != nil && s.info.Simulator != nil {
		s.info.Simulator.Counters = s.sim.countersJSON()
	}
	sum, err := reports.NewSummary(reports.Input{Result: res, Run: s.info, Pairs: s.hooks.tally.Pairs()},
		reports.SummaryOptions{TrendStats: s.plan.trendStats})
	if err != nil {
		return &exitError{code: exitEngineError, err: err}
	}
	for _, o := range []struct {
		flag, path string
		r          reports.Reporter
	}{
		{"--summary-export", f.out.summaryExport, reports.NewJSONReporter(sum)},
		{"--junit", f.out.junit, reports.NewJUnitReporter(sum)},
		{"--html", f.out.html, reports.NewHTMLReporter(sum, reports.HTMLOptions{})},
	} {
		if o.path == "" {
			continue
		}
		if err := reports.WriteFile(o.path, o.r); err != nil {
			outErrs = append(outErrs, fmt.Errorf("%s: %v", o.flag, unwrapPathError(err)))
		}
	}
	for _, w := range sum.Verdict.Warnings {
		s.logger.Warn(w) // before the verdict: a run that passes for want of a threshold
	}
	handled, hsErr := false, error(nil)
	if !f.noSummary && s.plan.script.HasHandleSummary() {
		var errs []error
		handled, errs, hsErr = s.handleSummary(sum)
		outErrs = append(outErrs, errs...)
	}
	if !f.noSummary && !handled {
		mode, _ := parseSummaryMode(f.summaryMode) // checked by prepare
		if err := reports.NewTextReporter(sum, reports.TextOptions{Color: useColor(s.stdout, f.noColor), Mode: mode})(s.stdout); err != nil {
			outErrs = append(outErrs, err)
		}
	}
	code := res.ExitCode()
	for _, e := range outErrs {
		fmt.Fprintf(s.stderr, "ctiload: %v\n", e)
	}
	if hsErr != nil {
		fmt.Fprintf(s.stderr, "ctiload: handleSummary failed, the default summary was printed instead: %v\n", hsErr)
		if code == exitOK {
			code = exitScriptError
		}
	}
	if s.dash != nil {
		s.dash.finish(sum)
		s.linger()
	}
	if len(outErrs) > 0 && code == exitOK {
		code = exitEngineError // the run passed, but a report the user asked for is missing
	}
	if code == exitOK {
		return nil
	}
	if hsErr != nil && code == exitScriptError && sum.Verdict.ExitCode == exitOK {
		return &exitError{code: code, err: errors.New("the run passed, but the script's handleSummary failed (above)")}
	}
	return &exitError{code: code, err: verdictError(sum, runErr)}
}

// handleSummaryTimeout bounds the script's handleSummary, as k6 does (it may loop forever).
const handleSummaryTimeout = 2 * time.Minute

// handleSummary calls the script's handleSummary with the summary export and writes what it
// returns: "stdout", "stderr" or a file path (relative to the working directory). handled says
// it ran and replaced the default text summary; errs are files it could not write; scriptErr
// is its exception (then the caller prints the default summary, so nothing is lost). It runs
// after a Ctrl-C too: its context is not the run's.
func (s *runSession) handleSummary(sum *reports.Summary) (handled bool, errs []error, scriptErr error) {
	var data bytes.Buffer
	if err := reports.NewJSONReporter(sum)(&data); err != nil {
		return false, []error{err}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), handleSummaryTimeout)
	defer cancel()
	outs, err := s.runner.HandleSummary(ctx, data.Bytes())
	if err != nil {
		return false, nil, err
	}
	for _, o := range outs {
		var err error
		switch o.Dest {
		case "stdout":
			_, err = s.stdout.Write(o.Content)
		case "stderr":
			_, err = s.stderr.Write(o.Content)
		default:
			err = os.WriteFile(o.Dest, o.Content, 0o644)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("handleSummary: %s: %v", o.Dest, unwrapPathError(err)))
		}
	}
	return true, errs, nil
}

// textSummary is the script's textSummary (ctiload/summary): the text reporter on an export.
func (s *runSession) textSummary(data json.RawMessage, o jsapi.TextSummaryOptions) (string, error) {
	mode, _ := parseSummaryMode(s.f.summaryMode)
	return reports.TextOfExport(data, reports.SummaryOptions{TrendStats: s.plan.trendStats},
		reports.TextOptions{Color: o.EnableColors, Mode: mode}, o.Indent)
}

// closeStreams flushes and closes the sample streams and the trace, returning their errors.
func (s *runSession) closeStreams() []error {
	var errs []error
	if s.hooks != nil {
		errs = append(errs, s.hooks.close()...)
	}
	if s.trace != nil {
		if err := s.trace.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--trace: %v", err))
		}
	}
	return errs
}

// linger keeps the dashboard up after the run, every report written: for --dashboard-linger,
// or until Ctrl-C when that is 0 and a person watches the terminal.
func (s *runSession) linger() {
	d := s.f.dashboardLinger
	if d <= 0 && !isTerminal(s.stderr) {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
		fmt.Fprintf(s.stderr, "ctiload: the dashboard shows the final report for %v (Ctrl-C ends it sooner)\n", d)
	} else {
		fmt.Fprintln(s.stderr, "ctiload: the dashboard shows the final report; Ctrl-C to exit")
	}
	<-ctx.Done()
}

// close releases whatever the session still holds, however it ended.
func (s *runSession) close() {
	if s.stopDash != nil {
		s.stopDash()
	}
	s.closeStreams()
	if s.sim != nil {
		s.sim.close()
	}
}

// banner says what is about to run, on standard error.
func (s *runSession) banner() {
	s.view.printf("ctiload: running %s against %s, seed %d", s.info.Script, s.info.TargetText(), s.info.Seed)
	for _, sc := range s.info.Scenarios {
		s.view.printf("  %s: %s, %s", sc.Name, sc.Executor, sc.Shape)
	}
	for _, o := range s.hooks.outputs {
		if p, ok := o.(*promrw.Output); ok {
			s.view.printf("  output %s", p.Description())
		}
	}
}

// verdictError is the one line on standard error that says why the exit code is not 0.
func verdictError(s *reports.Summary, runErr error) error {
	switch s.Verdict.ExitCode {
	case exitThresholdsFailed:
		var failed []string
		for _, t := range s.Thresholds {
			if !t.Passed {
				failed = append(failed, fmt.Sprintf("%s %s (observed %s)", t.Metric, t.Source, t.ObservedText))
			}
		}
		if len(failed) == 1 {
			return fmt.Errorf("threshold failed: %s", failed[0])
		}
		return fmt.Errorf("%d thresholds failed: %s", len(failed), strings.Join(failed, "; "))
	case exitInterrupted:
		if s.Verdict.Status == "incomplete" {
			return fmt.Errorf("incomplete: %s", s.Verdict.Message)
		}
		return errors.New("interrupted: the run was stopped before its end (the summary and reports cover what ran)")
	case exitScriptError:
		return fmt.Errorf("script error: %s", s.Result.Error)
	case exitScriptAborted:
		return fmt.Errorf("the run was aborted: %s", s.Result.Error)
	}
	if runErr != nil {
		return runErr
	}
	return errors.New(s.Verdict.Status)
}

// checkTarget makes sure a CTI Server accepts connections at target (one side is enough: a
// fail-over test may start with side A down).
func checkTarget(target string) error {
	var errs []string
	for _, addr := range strings.Split(target, ",") {
		addr = strings.TrimSpace(addr)
		c, err := net.DialTimeout("tcp", addr, targetCheckTimeout)
		if err == nil {
			c.Close()
			return nil
		}
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		errs = append(errs, fmt.Sprintf("%s: %v", addr, err))
	}
	return fmt.Errorf("target %s is unreachable (%s): check the address and that the CTI Server listens, leave --target out to use the built-in simulator, or pass --skip-target-check",
		target, strings.Join(errs, "; "))
}
