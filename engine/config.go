package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// DefaultBreakdownTags are the tag keys every metric is broken down by unless
// Config.BreakdownTags says otherwise: one sub-metric per value of each, for reports.
var DefaultBreakdownTags = []string{"scenario", "msg", "status", "code", "check", "group"}

// Defaults of Config.
const (
	// DefaultHardStopTimeout is how long Run waits for VUs to return after a hard stop before
	// it gives up on them and produces its result anyway.
	DefaultHardStopTimeout = 10 * time.Second
)

// Config is everything a run needs besides its VU factory.
type Config struct {
	// Scenarios by name; each config's Base().Name is set to its key.
	Scenarios map[string]executor.Config
	// Thresholds by metric selector ("metric" or "metric{tag:value}").
	Thresholds map[string][]ThresholdConfig
	// Segment is the execution segment this process runs ("1/4:2/4"; "" for the whole test)
	// and SegmentSequence the boundaries every process uses ("0,1/4,1/2,1"; optional for an
	// even split). See executor.Partition.
	Segment         string
	SegmentSequence string
	// StartAt, if set, is when the scenarios start: every process of a segmented test gets the
	// same instant, so that they run as one test. VUs are initialised and setup runs before
	// it; a process already past it starts at once and logs how late it is.
	StartAt time.Time
	// BreakdownTags are the tag keys by which every metric is broken down into sub-metrics;
	// nil means DefaultBreakdownTags, an empty slice none.
	BreakdownTags []string
	// TrendStats are the summary keys of trends; nil means metrics.DefaultTrendStats.
	TrendStats []string
	// MaxBreakdownValues and MaxTimeSeries bound the metrics' memory; 0 means the metrics
	// package's defaults.
	MaxBreakdownValues int
	MaxTimeSeries      int
	// Env is the environment every iteration sees, under each scenario's env.
	Env map[string]string
	// Tags are added to the engine's samples and to every Iteration's tags, under each
	// scenario's tags.
	Tags map[string]string
	// Setup and Teardown, if set, run once before the first and after the last scenario (JS
	// setup() and teardown()); their samples go to the buffer they get. An error fails the run
	// with ExitScriptError; an *executor.AbortError with ExitScriptAborted.
	Setup    func(ctx context.Context, samples *metrics.SampleBuffer) error
	Teardown func(ctx context.Context, samples *metrics.SampleBuffer) error
	// Registry is the metrics registry to use, so that the VU factory can declare custom
	// metrics before New; nil makes a new one. The built-in metrics are added to it.
	Registry *metrics.Registry
	// Logger receives iteration errors and warnings; nil discards them.
	Logger *slog.Logger
	// SampleHook sees every batch of samples, one at a time, in aggregation order (an NDJSON
	// output): see metrics.AggregatorOptions.SampleHook.
	SampleHook func([]metrics.Sample)
	// InitConcurrency is how many VUs are initialised at once; 0 means GOMAXPROCS.
	InitConcurrency int
	// HardStopTimeout bounds the wait for VUs after a hard stop; 0 means
	// DefaultHardStopTimeout.
	HardStopTimeout time.Duration
}
