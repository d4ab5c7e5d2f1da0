package engine

import (
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// The VU contract, defined in package executor.
type (
	// VU is one virtual user; see executor.VU.
	VU = executor.VU
	// VUFactory creates VUs; see executor.VUFactory.
	VUFactory = executor.VUFactory
	// VUFactoryFunc adapts a function to a VUFactory.
	VUFactoryFunc = executor.VUFactoryFunc
	// VUFunc adapts a function to a VU.
	VUFunc = executor.VUFunc
	// VUCloser is implemented by VUs with per-VU teardown; see executor.VUCloser.
	VUCloser = executor.VUCloser
	// Iteration describes one iteration to its VU; see executor.Iteration.
	Iteration = executor.Iteration
	// AbortError, returned by a VU, aborts the whole run with ExitScriptAborted.
	AbortError = executor.AbortError
	// PanicError is the error of VU code that panicked.
	PanicError = executor.PanicError
)

// Scenario configuration, defined in package executor.
type (
	// ScenarioConfig is the configuration of one scenario, of any executor type.
	ScenarioConfig = executor.Config
	// BaseConfig holds the settings every executor shares.
	BaseConfig = executor.BaseConfig
	// Duration reads from JSON as "30s" or a number of milliseconds.
	Duration = executor.Duration
	// Stage is one step of a ramping executor.
	Stage = executor.Stage
	// ScenarioProgress is a live snapshot of one scenario.
	ScenarioProgress = executor.Progress
)

// Metrics, defined in package metrics.
type (
	// Registry holds a run's metrics by name.
	Registry = metrics.Registry
	// Metric is one named metric.
	Metric = metrics.Metric
	// MetricType is counter, gauge, rate or trend.
	MetricType = metrics.MetricType
	// Tags is an immutable tag set.
	Tags = metrics.Tags
	// Tag is one key/value pair.
	Tag = metrics.Tag
	// Sample is one recorded value.
	Sample = metrics.Sample
	// SampleBuffer collects one goroutine's samples.
	SampleBuffer = metrics.SampleBuffer
	// MetricSummary is the aggregate of a metric or sub-metric.
	MetricSummary = metrics.Summary
	// ThresholdResult is the verdict of one threshold.
	ThresholdResult = metrics.ThresholdResult
	// Series is the per-second history of a metric or sub-metric.
	Series = metrics.Series
	// Point is one second of a Series.
	Point = metrics.Point
)

// Metric types.
const (
	Counter = metrics.Counter
	Gauge   = metrics.Gauge
	Rate    = metrics.Rate
	Trend   = metrics.Trend
)

// NewTags returns the tag set of key/value pairs; see metrics.NewTags.
func NewTags(kv ...string) Tags { return metrics.NewTags(kv...) }

// TagsFromMap returns the tag set of a map.
func TagsFromMap(m map[string]string) Tags { return metrics.TagsFromMap(m) }

// ParseScenario reads the JSON configuration of one scenario (strict: unknown keys fail) and
// validates it.
func ParseScenario(name string, data []byte) (ScenarioConfig, error) {
	cfg, err := executor.ParseConfig(name, data)
	if err != nil {
		return nil, &InvalidOptionsError{Errs: []error{scenarioErr(name, err)}}
	}
	if errs := cfg.Validate(); len(errs) > 0 {
		for i, e := range errs {
			errs[i] = scenarioErr(name, e)
		}
		return nil, &InvalidOptionsError{Errs: errs}
	}
	return cfg, nil
}

// NewRegistry returns an empty metrics registry, for Config.Registry: a VU factory that declares
// custom metrics needs it before New.
func NewRegistry() *Registry { return metrics.NewRegistry() }
