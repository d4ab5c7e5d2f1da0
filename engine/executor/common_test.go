package executor_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
)

// mustConfig parses and validates a scenario's JSON configuration.
func mustConfig(t *testing.T, name, js string) executor.Config {
	t.Helper()
	cfg, err := executor.ParseConfig(name, []byte(js))
	if err != nil {
		t.Fatalf("ParseConfig(%s) error = %v", js, err)
	}
	if errs := cfg.Validate(); len(errs) > 0 {
		t.Fatalf("Validate(%s) = %v", js, errs)
	}
	return cfg
}

// recorder is a fake VU factory whose VUs log their iterations and take the time work says.
type recorder struct {
	mu      sync.Mutex
	its     []executor.Iteration
	created []uint64
	closed  []uint64
	ends    map[uint64]error // ScenarioIter → what RunIteration returned
	work    func(it *executor.Iteration) time.Duration
	fail    func(it *executor.Iteration) error // nil: succeed
}

func newRecorder(work func(it *executor.Iteration) time.Duration) *recorder {
	return &recorder{work: work, ends: map[uint64]error{}}
}

func fixed(d time.Duration) func(*executor.Iteration) time.Duration {
	return func(*executor.Iteration) time.Duration { return d }
}

type fakeVU struct {
	r  *recorder
	id uint64
}

func (r *recorder) NewVU(_ context.Context, id uint64, _ *metrics.SampleBuffer) (executor.VU, error) {
	r.mu.Lock()
	r.created = append(r.created, id)
	r.mu.Unlock()
	return &fakeVU{r: r, id: id}, nil
}

func (v *fakeVU) RunIteration(ctx context.Context, it *executor.Iteration) error {
	v.r.mu.Lock()
	v.r.its = append(v.r.its, *it)
	v.r.mu.Unlock()
	var err error
	if v.r.fail != nil {
		err = v.r.fail(it)
	}
	if err == nil {
		t := time.NewTimer(v.r.work(it))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			err = ctx.Err()
		}
	}
	v.r.mu.Lock()
	v.r.ends[it.ScenarioIter] = err
	v.r.mu.Unlock()
	return err
}

func (v *fakeVU) Close(context.Context) error {
	v.r.mu.Lock()
	v.r.closed = append(v.r.closed, v.id)
	v.r.mu.Unlock()
	return nil
}

func (r *recorder) iterations() []executor.Iteration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.its)
}

// harness runs one scenario with its own registry and aggregator.
type harness struct {
	t     *testing.T
	reg   *metrics.Registry
	agg   *metrics.Aggregator
	sc    *executor.Scenario
	rec   *recorder
	stop  chan struct{}
	abort []error

	mu      sync.Mutex
	samples []metrics.Sample // every sample the aggregator saw, for tests of tags and values
}

type harnessOption func(*executor.ScenarioOptions)

func withPartition(p *executor.Partition) harnessOption {
	return func(o *executor.ScenarioOptions) { o.Partition = p }
}

func newHarness(t *testing.T, cfg executor.Config, rec *recorder, opts ...harnessOption) *harness {
	t.Helper()
	reg := metrics.NewRegistry()
	b, err := metrics.RegisterBuiltins(reg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, reg: reg, rec: rec, stop: make(chan struct{})}
	agg, err := metrics.NewAggregator(reg, metrics.AggregatorOptions{SampleHook: func(batch []metrics.Sample) {
		h.mu.Lock()
		h.samples = append(h.samples, batch...)
		h.mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.agg = agg
	o := executor.ScenarioOptions{
		Factory:   rec,
		NewBuffer: agg.NewBuffer,
		Metrics:   b,
		FirstVUID: 1,
		Abort:     func(err error) { h.abort = append(h.abort, err) },
	}
	for _, opt := range opts {
		opt(&o)
	}
	sc, err := executor.NewScenario(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	h.sc = sc
	return h
}

// run initialises and runs the scenario, then stops the aggregator. during, if set, runs
// concurrently with the scenario, from its start.
func (h *harness) run(ctx context.Context, during func()) executor.Counts {
	h.t.Helper()
	h.agg.Start()
	if err := h.sc.Init(ctx, 4); err != nil {
		h.t.Fatal(err)
	}
	var wg sync.WaitGroup
	if during != nil {
		wg.Go(during)
	}
	if err := h.sc.Run(ctx, time.Now(), h.stop); err != nil {
		h.t.Fatal(err)
	}
	wg.Wait()
	if err := h.sc.Close(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.agg.Stop()
	return h.sc.Counts()
}

// metricCount returns the count of a counter or trend as the aggregator saw it.
func (h *harness) metricCount(name string) float64 {
	sums, err := h.agg.Summaries(time.Second)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, s := range sums {
		if s.Key == name {
			return s.Values["count"]
		}
	}
	return 0
}

// samplesOf returns the samples of the metric called name that the aggregator saw.
func (h *harness) samplesOf(name string) []metrics.Sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []metrics.Sample
	for _, s := range h.samples {
		if s.Metric.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// sleepUntil sleeps until offset d from t0.
func sleepUntil(t0 time.Time, d time.Duration) { time.Sleep(time.Until(t0.Add(d))) }

var errBoom = errors.New("boom")

type metricsBuffer = metrics.SampleBuffer

// captureLogger returns a logger that stores the error attribute of the last record in *dst.
func captureLogger(dst *error) *slog.Logger {
	return slog.New(&captureHandler{dst: dst})
}

type captureHandler struct {
	mu  sync.Mutex
	dst *error
}

func (h *captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *captureHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && a.Key == "error" {
			h.mu.Lock()
			*h.dst = err
			h.mu.Unlock()
		}
		return true
	})
	return nil
}
func (h *captureHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *captureHandler) WithGroup(string) slog.Handler      { return h }
