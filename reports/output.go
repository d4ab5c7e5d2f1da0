package reports

import (
	"github.com/ctiload/ctiload/engine/metrics"
)

// Output streams a run's samples somewhere while the run goes on: the files of --out json=,
// ndjson= and csv= (SampleWriter), Prometheus remote write (package reports/promrw), … Every
// --out value makes one Output; the run hands each of them every batch of samples and closes
// them at its end.
//
// The contract, which keeps any output from stalling or slowing the run:
//   - AddSamples is called from the engine's aggregator goroutine, with batches in the order
//     they were recorded, never concurrently with itself. The whole sample pipeline waits for
//     it, so it must return quickly: no network round trip, no unbounded wait. An output that
//     ships over the network queues (boundedly) and ships from its own goroutine.
//   - AddSamples must not keep the slice; it may keep a sample's Metric and Tags (immutable).
//   - Close is called once, after the last batch (also on Ctrl-C). It flushes what is left,
//     within a bound of its own, and reports a failure to deliver as its error only when what
//     the user asked for is missing (a file that could not be written); a receiver that lost
//     some pushes is news for OutputStatus, not an error of the run.
//   - Status may be called after Close, for the summary.
type Output interface {
	AddSamples(batch []metrics.Sample)
	Close() error
	Status() OutputStatus
}

var _ Output = (*SampleWriter)(nil)

// OutputStatus is what an output says about itself in the end-of-test summary and the
// JSON export, credentials left out:
//
//	json=samples.json: 1,204,332 samples
//	prometheus-rw=http://127.0.0.1:9090/api/v1/write: 24 pushes, 9,120 series; testid=…
//	  3 pushes failed (connection refused), 1,240 series not delivered
type OutputStatus struct {
	// Output names the output as the user asked for it, without secrets: "json=run.json".
	Output string `json:"output"`
	// Delivered says what reached its destination: "24 pushes, 9,120 series".
	Delivered string `json:"delivered"`
	// Problems say what did not, and why; empty when everything arrived.
	Problems []string `json:"problems,omitempty"`
}

// Outputs fans the engine's sample batches out to several outputs: give AddSamples to the
// engine as Config.SampleHook.
type Outputs []Output

// AddSamples hands the batch to every output, in order.
func (o Outputs) AddSamples(batch []metrics.Sample) {
	for _, out := range o {
		out.AddSamples(batch)
	}
}

// Close closes every output and returns their errors.
func (o Outputs) Close() []error {
	var errs []error
	for _, out := range o {
		if err := out.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Status returns the status of every output, in order.
func (o Outputs) Status() []OutputStatus {
	st := make([]OutputStatus, 0, len(o))
	for _, out := range o {
		st = append(st, out.Status())
	}
	return st
}
