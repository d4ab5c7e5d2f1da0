package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/jsapi"
	"github.com/ctiload/ctiload/reports"
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
	logFormat       string
	verbose         bool
	skipTargetCheck bool
	control         string // --control ADDR: the runtime control API
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

Options come from, lowest to highest: defaults, the script's "export const options",
CTILOAD_* environment variables (CTILOAD_VUS, CTILOAD_DURATION, CTILOAD_ITERATIONS,
CTILOAD_STAGES, CTILOAD_TARGET, CTILOAD_SEED, CTILOAD_SIM_AGENTS, … one per flag), flags.
The shortcuts --vus, --duration, --iterations and --stage replace the script's scenarios.

The first Ctrl-C (or SIGTERM) stops the run gracefully and still prints and writes every report;
a second one interrupts running iterations at once; a third exits without reports.

Control API: --control 127.0.0.1:6565 serves GET /v1/scenarios (progress and targets),
POST /v1/scenarios/NAME {"target": N} (VUs, or iterations per timeUnit for arrival-rate
executors) and POST /v1/stop (graceful stop) on a loopback address. Every request needs the run's
token: set CTILOAD_CONTROL_TOKEN, or ctiload makes one up and prints it once, on the terminal
only. POSTs must be JSON; requests whose Host or Origin is not the loopback address are refused,
so a web page open on the same machine cannot steer the test:

  curl -H "Authorization: Bearer $CTILOAD_CONTROL_TOKEN" -H 'Content-Type: application/json' \
       -d '{"target": 50}' http://127.0.0.1:6565/v1/scenarios/agents`,
		Example: `  ctiload run scripts/smoke.js
  ctiload run --vus 50 --duration 2m script.js
  ctiload run --stage 30s:100 --stage 2m:100 --stage 20s:0 --sim-agents 200 --sim-call-rate 10/s script.js
  ctiload run --target cti-a.lab:42027,cti-b.lab:42027 -e AGENT_PASSWORD=… script.js
  ctiload run --out json=samples.ndjson.gz --summary-export summary.json --junit junit.xml --html report.html script.js
  ctiload run --execution-segment 0:1/2 --summary-export part1.json script.js   # then: ctiload merge`,
		Args: exactArgs(1, "a script: ctiload run SCRIPT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, args[0])
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	main := pflag.NewFlagSet("run", pflag.ContinueOnError)
	f.opts.register(main)
	main.StringArrayVarP(&f.out.outs, "out", "o", nil, "stream every sample to `json=FILE` (NDJSON; .gz compresses)")
	main.StringVar(&f.out.summaryExport, "summary-export", "", "write the summary as JSON, with the HdrHistograms, to `FILE` (for ctiload report and merge)")
	main.StringVar(&f.out.junit, "junit", "", "write JUnit XML to `FILE`: a test case per threshold and per check")
	main.StringVar(&f.out.html, "html", "", "write the HTML report to `FILE` (one self-contained file)")
	main.StringVar(&f.out.trace, "trace", "", "write every CTI frame in and out, decoded, to `FILE` (NDJSON; passwords redacted; .gz compresses)")
	main.BoolVarP(&f.quiet, "quiet", "q", false, "no banner and no live progress")
	main.BoolVar(&f.noColor, "no-color", false, "no colors (also with NO_COLOR set, or when not on a terminal)")
	main.BoolVar(&f.noSummary, "no-summary", false, "do not print the end-of-test summary (files are still written)")
	main.StringVar(&f.logFormat, "log-format", "text", "`FORMAT` of log lines on standard error: text or json")
	main.BoolVarP(&f.verbose, "verbose", "v", false, "log debug messages too")
	main.BoolVar(&f.skipTargetCheck, "skip-target-check", false, "do not check that --target accepts connections before the run")
	main.StringVar(&f.control, "control", "", "serve the runtime control API on `ADDR` (loopback only, e.g. 127.0.0.1:6565; see \"Control API\" above)")
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
	f       *runFlags
	stdout  io.Writer
	stderr  io.Writer
	view    *progress
	logger  *slog.Logger
	plan    *plan
	info    reports.RunInfo
	sim     *embeddedSim
	target  string
	periph  uint32
	reg     *metrics.Registry
	hooks   *sampleHooks
	trace   *traceFile
	samples []string // --out json= files
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
	if s.samples, err = f.out.sampleFiles(); err != nil {
		errs = append(errs, err)
	}
	for _, c := range []struct{ flag, path string }{{"--summary-export", f.out.summaryExport}, {"--junit", f.out.junit}, {"--html", f.out.html}} {
		errs = append(errs, checkWritable(c.flag, c.path))
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
	for _, file := range s.samples {
		sw, err := reports.CreateSampleFile(file, s.reg)
		if err != nil {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--out json=%s: %v", file, unwrapPathError(err))}
		}
		s.hooks.writers = append(s.hooks.writers, sw)
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
	rc := jsapi.RunnerConfig{Target: s.target, PeripheralID: s.periph, Registry: s.reg, Seed: s.plan.seed, Logger: s.logger,
		Safety: &s.plan.safety, RequirePeripheralID: s.sim == nil}
	if s.trace != nil {
		rc.Observer = s.trace
	}
	runner, err := s.plan.script.NewRunner(rc)
	if err != nil {
		return nil, nil, &exitError{code: exitScriptError, err: err}
	}
	cfg := s.plan.config
	cfg.Registry = s.reg
	cfg.Setup, cfg.Teardown = runner.SetupHook, runner.TeardownHook
	cfg.Logger = s.logger
	cfg.SampleHook = s.hooks.hook
	cfg.Env = s.plan.env
	cfg.BreakdownTags = reports.BreakdownTags()
	run, err := engine.New(cfg, runner)
	if err != nil {
		return nil, nil, &exitError{code: engine.ExitCode(err), err: flattenErrors([]error{err})}
	}
	if !s.f.quiet {
		s.banner()
	}
	if s.f.control != "" {
		token, fromEnv := os.Getenv(controlTokenEnv), true
		if token == "" {
			token, fromEnv = newControlToken(), false
		}
		stopControl, bound, err := startControl(s.f.control, token, run, s.view.printf)
		if err != nil {
			return nil, nil, &exitError{code: exitInvalidOptions, err: err}
		}
		defer stopControl()
		// The one place a generated token is shown: the terminal, never a report or a log file.
		if fromEnv {
			s.view.printf("control API on http://%s/v1/scenarios (token from %s)", bound, controlTokenEnv)
		} else {
			s.view.printf("control API on http://%s/v1/scenarios: curl -H 'Authorization: Bearer %s' http://%s/v1/scenarios", bound, token, bound)
		}
	}
	ctx, hardStop := context.WithCancel(parent)
	defer hardStop()
	stopSignals, interrupted := watchSignals(run, hardStop, s.view.printf, func() {
		s.hooks.close() // whole lines only; the stream ends here
		os.Exit(exitInterrupted)
	})
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

// report closes the streams, writes the summary files and prints the summary, and returns the
// verdict as the exit code.
func (s *runSession) report(res *engine.Result, runErr error) error {
	f := s.f
	outErrs := s.closeStreams()
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
	if !f.noSummary {
		if err := reports.NewTextReporter(sum, reports.TextOptions{Color: useColor(s.stdout, f.noColor)})(s.stdout); err != nil {
			outErrs = append(outErrs, err)
		}
	}
	code := res.ExitCode()
	for _, e := range outErrs {
		fmt.Fprintf(s.stderr, "ctiload: %v\n", e)
	}
	if len(outErrs) > 0 && code == exitOK {
		code = exitEngineError // the run passed, but a report the user asked for is missing
	}
	if code == exitOK {
		return nil
	}
	return &exitError{code: code, err: verdictError(sum, runErr)}
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

// close releases whatever the session still holds, however it ended.
func (s *runSession) close() {
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
