// Package engine is ctiload's protocol-free load engine: scenarios and executors that run virtual
// users (VUs) at a controlled concurrency or arrival rate, the metrics pipeline (counters, gauges,
// rates and HdrHistogram trends with tags), thresholds and the run's verdict.
//
// It knows nothing of the CTI protocol or of JavaScript: a VU is an interface. A run is
//
//	run, err := engine.New(cfg, factory) // validates everything; errors exit with 104
//	res, err := run.Run(ctx)             // init VUs, setup, scenarios, teardown, verdict
//	os.Exit(res.ExitCode())              // 0, 99, 104, 105, 107 or 108, as k6
//
// with Run.Stop for a graceful stop (iterations get their gracefulStop) and the cancellation of
// ctx for a hard one; both still return a Result. Options.Resolve turns k6-style options (and
// the --vus/--duration/--iterations/--stage shortcuts) into a Config.
//
// The package tree runs one way, engine → executor and engine → metrics, and a caller imports
// each type from its home:
//
//   - package executor: the VU contract (VU, VUFactory, VUFunc, Iteration, AbortError) and the
//     scenario configurations (Config, Stage, Duration, Progress), one executor per file;
//   - package metrics: the registry and metric types, tag sets, sample buffers, summaries,
//     time series and thresholds (ThresholdResult, and the one evaluator that judges them);
//   - package metricnames: the names of the built-in metrics, the engine's and (names only,
//     for jsapi to record and reports to read) the CTI layer's;
//   - this package: the run (Config, New, Run, Options.Resolve), its Result, MergeResults and
//     the exit codes.
//
// A VU factory therefore reads
//
//	reg := metrics.NewRegistry() // Config.Registry: custom metrics are declared before New
//	factory := executor.VUFactoryFunc(func(ctx context.Context, id uint64, buf *metrics.SampleBuffer) (executor.VU, error) { … })
//
// # Phases of Run
//
//  1. VU initialisation: every scenario's pre-allocated VUs, InitConcurrency at a time.
//  2. Threshold validation against the metrics the VUs' init code declared.
//  3. Config.Setup, if set.
//  4. The scenarios, all started at the same instant, each after its startTime.
//  5. Config.Teardown, if set and the run was not hard-stopped.
//  6. VUCloser.Close on every VU.
//  7. The verdict: final threshold evaluation, the Result and its error.
//
// # Built-in metrics
//
// Their names are constants of package metricnames: iterations (counter), iteration_duration
// (trend), iteration_start_lateness (trend, arrival-rate iterations only), dropped_iterations,
// interrupted_iterations and failed_iterations (counters), vus and vus_max (gauges, sampled
// every second) and checks (rate; the VU layer records it with a check tag). Engine samples
// carry the scenario tag and the scenario's tags. Interrupted iterations are in
// interrupted_iterations only, not in iterations or iteration_duration.
package engine
