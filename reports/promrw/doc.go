// Package promrw is the --out prometheus-rw output: a reports.Output that ships a run's metrics
// to a Prometheus remote-write receiver (protocol 1.0: prometheus/prompb's messages, encoded
// here, snappy from klauspost/compress) every push interval and once more at Close. User documentation:
// docs/outputs.md.
//
// Where things are:
//
//	config.go     Config, the CTILOAD_PROMETHEUS_RW_* variables (ConfigFromEnv), defaults, testid
//	names.go      the naming rule: engine metric → ctiload_… name, tag key → label name
//	output.go     Output: per-series state on the hot path (AddSamples), cardinality bounds,
//	              snapshots into write requests, the push loop, Status for the summary
//	histogram.go  trends as sparse exponential histograms: native histogram encoding, quantiles
//	sender.go     the bounded queue and its goroutine: retries, timeouts, failure accounting
//	wire.go       the remote-write messages and their protobuf encoding (prompb's, without prompb)
//	promtest/     a real Prometheus for tests
package promrw
