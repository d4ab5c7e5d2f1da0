// Package metrics is the metrics half of ctiload's load engine: metric types, tag sets, the
// per-VU sample buffers, the sinks that aggregate samples, per-second time series and the
// threshold language.
//
// # Data flow and ownership
//
// A VU records samples into its own [SampleBuffer]: a plain slice that only that VU's goroutine
// touches, so recording takes no lock and, once buffers are recycled, allocates nothing. A buffer
// hands its samples as one batch to the aggregator when it holds [DefaultBatchSize] samples,
// when its oldest sample is older than [DefaultFlushInterval], or when the engine flushes it: at
// the end of an iteration whose buffer holds a sample older than a few tens of milliseconds
// ([SampleBuffer.FlushOlder]), and when the VU goes idle. A flushing buffer aggregates its batch
// itself when the [Aggregator]'s mutex is free (after every batch queued before it, so a
// buffer's batches keep their order): the work is done on the core that filled the batch, by
// whichever VU flushes. When the mutex is held, the batch goes to a sharded hand-over, one shard
// per CPU (sample.go): the flush appends it to its shard's list under that shard's mutex and
// wakes the aggregator's goroutine only if the list was empty; that goroutine takes every
// waiting batch of every shard at once. Sinks are written only under the aggregator's mutex,
// taken once per batch list (not per sample) so that readers such as [Aggregator.Snapshot] see
// a consistent state; a sample is routed by its metric and tag set through a cache of the
// series it feeds (aggregator.go).
//
// Back-pressure: when the aggregator falls behind and a shard holds [DefaultQueueSize] batches,
// Flush blocks the VU until there is room. Nothing is buffered without bound and no sample is
// dropped while the aggregator runs; samples flushed after it stopped are counted by
// [Aggregator.Lost] and discarded.
//
// # Units
//
// Trend values are milliseconds as float64 (k6's convention). Trend sinks keep the exact count,
// sum, min and max, and an HdrHistogram of the values in whole microseconds (3 significant
// digits, 1 µs to 2^40 µs ≈ 12.7 days) for percentiles, so a trend's memory is bounded whatever
// the run length. Histograms encode to the standard V2 compressed format and merge exactly.
//
// # Sub-metrics and breakdowns
//
// A sub-metric is a metric restricted to samples whose tags contain a given tag set, written
// name{key:value,...}. Sub-metrics exist in two ways: declared ones ([Aggregator.Declare], and
// every threshold key with tags), and breakdowns: for each tag key the caller names in
// [AggregatorOptions.BreakdownTags], the aggregator keeps one sub-metric per (metric, key, value)
// it sees, created on demand, at most [AggregatorOptions.MaxBreakdownValues] values per metric
// and key. A breakdown is what a report needs to list, for example, every msg value of
// cti_request_duration without declaring them.
//
// # Thresholds
//
// A threshold is judged in one place, thresholds.go: [ThresholdSet.Evaluate] and the verdicts
// iterator under it. The [Aggregator] iterates the verdicts on its live sinks every
// [AggregatorOptions.EvalInterval] (for abortOnFail) and at the end of the run
// ([Aggregator.Thresholds]); [JudgeSummaries] calls Evaluate on summaries rebuilt into sinks,
// which is how ctiload merge judges merged results and ctiload report a saved summary
// (engine.Result.JudgeThresholds). No other package compares a value with a threshold. The
// expression language is in thresholds_parser.go; the built-in metrics' names are in package
// engine/metricnames.
//
// # Time series
//
// Every top-level metric, declared sub-metric and breakdown sub-metric gets one point per second
// (count, sum, min, max, last value and, for trends, p50/p95/p99), up to
// [AggregatorOptions.MaxTimeSeries] series. A point costs about 72 bytes, so a series costs
// 72 B × seconds of run.
package metrics
