package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Defaults of AggregatorOptions.
const (
	DefaultMaxBreakdownValues = 1000
	DefaultMaxTimeSeries      = 250
	DefaultTimeSeriesWindow   = 5 * time.Second
	DefaultEvalInterval       = time.Second
)

// AggregatorOptions configures an Aggregator. The zero value is usable.
type AggregatorOptions struct {
	// BreakdownTags are the tag keys by which every metric is broken down: one sub-metric per
	// value seen (see the package comment). None when empty.
	BreakdownTags []string
	// MaxBreakdownValues caps the values kept per metric and breakdown key (default
	// DefaultMaxBreakdownValues); samples with further values still count in the metric and
	// in Aggregator.BreakdownOverflow.
	MaxBreakdownValues int
	// TrendStats are the summary keys of trends (default DefaultTrendStats). Thresholds add the
	// percentiles they need to their own sub-metric.
	TrendStats []string
	// MaxTimeSeries caps the number of series that keep a per-second history (default
	// DefaultMaxTimeSeries); series are given one in order of creation: top-level metrics
	// and declared sub-metrics first in practice, then breakdowns as their values appear.
	MaxTimeSeries int
	// TimeSeriesWindow is how long a second's trend percentiles stay open for samples that
	// arrive late (a VU flushes at the end of its iteration); default DefaultTimeSeriesWindow.
	TimeSeriesWindow time.Duration
	// BatchSize, QueueSize and FlushInterval tune the sample buffers (defaults
	// DefaultBatchSize, DefaultQueueSize, DefaultFlushInterval).
	BatchSize     int
	QueueSize     int
	FlushInterval time.Duration
	// EvalInterval is the period of threshold evaluation during the run (default
	// DefaultEvalInterval).
	EvalInterval time.Duration
	// SampleHook, if set, sees every batch after the sinks, one batch at a time under the
	// aggregator's mutex, in the order they were aggregated, from the aggregator's goroutine or
	// from a flushing VU's: an output such as an NDJSON stream. It must not keep the slice, must
	// not call the Aggregator, and should be fast, as the whole pipeline waits for it.
	SampleHook func([]Sample)
	// OnAbort is called once, from the aggregator goroutine, when a threshold with AbortOnFail
	// fails at an evaluation at least DelayAbortEval after SetStart.
	OnAbort func(ThresholdResult)
}

// Aggregator receives the samples of every SampleBuffer it made and aggregates them into sinks,
// sub-metrics, breakdowns and time series. Its methods are safe for concurrent use.
type Aggregator struct {
	reg        *Registry
	opts       AggregatorOptions
	trendStats []Aggregation
	pipe       *pipe

	mu          sync.Mutex // held per batch, per tick and by readers
	states      []*metricState
	start       time.Time // zero until SetStart
	tsBase      int64
	finalBefore int64
	tsCount     int
	overflow    int64
	thresholds  *ThresholdSet
	abortedBy   *Threshold
	histPool    []*hdr.Histogram
	routes      map[routeKey]*route
	closed      bool       // the aggregator stopped: Flush discards
	direct      [][]Sample // tryDirect's list of batches, reused

	startOnce sync.Once
	stopOnce  sync.Once
	stopCh    chan struct{}
	exited    chan struct{}
	running   atomic.Bool
}

type metricState struct {
	// last is the route of the metric's last sample: a metric's samples mostly come with one
	// tag set (a scenario's), so this spares hashing the route key per sample.
	last struct {
		tags  *tagSet
		route *route
	}
	top      *series
	subs     []*series // declared, sorted by key
	bk       map[bkKey]*series
	bkValues map[string]int
}

type bkKey struct{ key, value string }

// series is one sink, with its history.
type series struct {
	metric   *Metric
	tags     Tags
	key      string
	sink     Sink
	ts       *timeSeries
	declared bool // a top-level metric or a declared sub-metric
	judged   bool // a threshold reads it: summarised even without samples
}

func (s *series) add(a *Aggregator, sec int64, v float64) {
	s.sink.Add(v)
	if s.ts != nil {
		s.ts.add(a, sec, v)
	}
}

// NewAggregator returns an aggregator of the metrics of reg. Start it before the first Flush.
func NewAggregator(reg *Registry, o AggregatorOptions) (*Aggregator, error) {
	if o.MaxBreakdownValues <= 0 {
		o.MaxBreakdownValues = DefaultMaxBreakdownValues
	}
	if o.MaxTimeSeries <= 0 {
		o.MaxTimeSeries = DefaultMaxTimeSeries
	}
	if o.TimeSeriesWindow <= 0 {
		o.TimeSeriesWindow = DefaultTimeSeriesWindow
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.EvalInterval <= 0 {
		o.EvalInterval = DefaultEvalInterval
	}
	stats := defaultTrendStats
	if o.TrendStats != nil {
		var err error
		if stats, err = ParseTrendStats(o.TrendStats); err != nil {
			return nil, err
		}
	}
	now := time.Now().Unix()
	a := &Aggregator{
		reg:         reg,
		opts:        o,
		trendStats:  stats,
		pipe:        newPipe(runtime.GOMAXPROCS(0), o.QueueSize, o.BatchSize, o.FlushInterval),
		tsBase:      now,
		finalBefore: now,
		routes:      make(map[routeKey]*route),
		stopCh:      make(chan struct{}),
		exited:      make(chan struct{}),
	}
	a.pipe.agg = a
	return a, nil
}

// NewBuffer returns a buffer connected to the aggregator, for one goroutine.
func (a *Aggregator) NewBuffer() *SampleBuffer {
	return &SampleBuffer{p: a.pipe, sh: a.pipe.shard()}
}

// Start starts the aggregator's goroutine. Stop must be called to end it.
func (a *Aggregator) Start() {
	a.startOnce.Do(func() {
		a.running.Store(true)
		go a.loop()
	})
}

// SetStart sets the run's time origin: per-second rates and threshold delays count from it,
// and periodic threshold evaluation begins.
func (a *Aggregator) SetStart(t time.Time) {
	a.mu.Lock()
	a.start = t
	a.mu.Unlock()
}

// Stop reads what is left in the queue, stops the goroutine and finalizes the time series.
// Samples flushed afterwards are discarded and counted by Lost. Stop is idempotent.
func (a *Aggregator) Stop() {
	a.stopOnce.Do(func() {
		close(a.stopCh)
		if a.running.Load() {
			<-a.exited
			return
		}
		a.pipe.stop()
		a.finish()
	})
}

// Lost returns the number of samples flushed after Stop.
func (a *Aggregator) Lost() int64 { return a.pipe.lost.Load() }

// BreakdownOverflow returns the number of samples not broken down because their metric and
// tag key already had MaxBreakdownValues values.
func (a *Aggregator) BreakdownOverflow() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.overflow
}

func (a *Aggregator) loop() {
	defer close(a.exited)
	tick := time.NewTicker(a.opts.EvalInterval)
	defer tick.Stop()
	var batches [][]Sample
	for {
		select {
		case <-a.pipe.wake:
			batches = a.consume(batches)
		case now := <-tick.C:
			a.tick(now)
		case <-a.stopCh:
			a.mu.Lock()
			a.closed = true // later flushes go to the queue, which discards them once stopped
			a.mu.Unlock()
			batches = a.consume(batches)
			// Producers blocked on a full queue now see the stop; read whatever raced in before.
			a.pipe.stop()
			a.consume(batches)
			a.finish()
			return
		}
	}
}

// consume aggregates every batch waiting in the pipe, under one hold of a.mu, and recycles them.
// buf is reused from call to call.
func (a *Aggregator) consume(buf [][]Sample) [][]Sample {
	a.mu.Lock()
	batches := a.pipe.take(buf[:0])
	a.aggregate(batches)
	a.mu.Unlock()
	return a.recycle(batches)
}

// tryDirect aggregates batch in the calling goroutine, a flushing VU, if the aggregator's mutex
// is free: with every batch of every shard waiting before it, so that each buffer's batches are
// aggregated in order. It reports false, leaving batch to the caller, when the mutex is held or
// the aggregator is not running; the caller then queues it for the aggregator's goroutine.
//
// Aggregating where the batch was filled spreads the work over the cores the VUs run on, and
// reads the batch from that core's cache: handed to the one aggregator goroutine, the batches
// were read from the other core, and that goroutine (about a third of an empty iteration's
// CPU) had to be woken and scheduled for every hand-over. The work stays serial (a.mu), but a
// VU that finds it busy does not wait.
func (a *Aggregator) tryDirect(batch []Sample) bool {
	if !a.running.Load() || !a.mu.TryLock() {
		return false
	}
	if a.closed {
		a.mu.Unlock()
		return false // the queue path counts it as lost
	}
	batches := append(a.pipe.take(a.direct[:0]), batch)
	a.aggregate(batches)
	a.direct = a.recycle(batches)
	a.mu.Unlock()
	return true
}

// aggregate processes batches and shows them to the sample hook. a.mu is held, so the hook sees
// the batches in the order they were aggregated, one at a time.
func (a *Aggregator) aggregate(batches [][]Sample) {
	for _, b := range batches {
		for i := range b {
			a.process(&b[i])
		}
	}
	if a.opts.SampleHook != nil {
		for _, b := range batches {
			a.opts.SampleHook(b)
		}
	}
}

// recycle empties batches, gives them back to the pipe and returns the emptied list.
func (a *Aggregator) recycle(batches [][]Sample) [][]Sample {
	if len(batches) == 0 {
		return batches
	}
	for i, b := range batches {
		clear(b) // drop references to tag sets and metrics until the slice is reused
		batches[i] = b[:0]
	}
	a.pipe.recycle(batches)
	clear(batches)
	return batches[:0]
}

// process adds one sample to every series it belongs to. a.mu is held.
func (a *Aggregator) process(s *Sample) {
	if s.Metric == nil {
		return
	}
	ms := a.state(s.Metric)
	sec := s.Time.Unix()
	ms.top.add(a, sec, s.Value)
	if s.Tags.Len() == 0 {
		return
	}
	r := ms.last.route
	if r == nil || ms.last.tags != s.Tags.s {
		k := routeKey{metric: s.Metric.id, tags: s.Tags.s}
		var ok bool
		if r, ok = a.routes[k]; !ok {
			r = a.route(s.Metric, ms, s.Tags)
			if len(a.routes) >= maxRoutes {
				clear(a.routes) // tag sets built per sample: do not keep them all alive
			}
			a.routes[k] = r
		}
		ms.last.tags, ms.last.route = s.Tags.s, r
	}
	for _, se := range r.series {
		se.add(a, sec, s.Value)
	}
	a.overflow += r.overflow
}

// maxRoutes bounds the route cache. Recording code builds its tag sets once and reuses them
// (a scenario's, a message type's), so a few hundred routes serve a whole run.
const maxRoutes = 4096

// routeKey identifies the samples that go to the same series: one metric, one tag set (by
// identity: Tags are immutable and shared).
type routeKey struct {
	metric int
	tags   *tagSet
}

// route is the sub-metrics and breakdowns a metric's samples with one tag set go to, worked out
// once: matching declared sub-metrics and looking every breakdown key up per sample was most
// of the aggregator's time, and the aggregator is the one goroutine every VU's samples go
// through.
type route struct {
	series   []*series
	overflow int64 // breakdown values over MaxBreakdownValues: counted per sample
}

// route works out where samples of m with tags go, creating breakdowns. a.mu is held.
func (a *Aggregator) route(m *Metric, ms *metricState, tags Tags) *route {
	r := &route{}
	for _, sub := range ms.subs {
		if tags.Contains(sub.tags) {
			r.series = append(r.series, sub)
		}
	}
	for _, k := range a.opts.BreakdownTags {
		v, ok := tags.Get(k)
		if !ok {
			continue
		}
		se, ok := ms.bk[bkKey{k, v}]
		if !ok {
			if se = a.newBreakdown(m, ms, k, v); se == nil {
				r.overflow++
				continue
			}
		}
		if !se.declared { // a declared sub-metric is in the list already
			r.series = append(r.series, se)
		}
	}
	return r
}

// state returns the state of m, creating it. a.mu is held.
func (a *Aggregator) state(m *Metric) *metricState {
	if m.id < len(a.states) && a.states[m.id] != nil {
		return a.states[m.id]
	}
	if m.id >= len(a.states) {
		a.states = append(a.states, make([]*metricState, m.id+1-len(a.states))...)
	}
	ms := &metricState{top: a.newSeries(m, Tags{}, true)}
	a.states[m.id] = ms
	return ms
}

func (a *Aggregator) newSeries(m *Metric, tags Tags, declared bool) *series {
	s := &series{metric: m, tags: tags, key: MetricKey(m.Name, tags), declared: declared}
	if m.Type == Trend {
		s.sink = NewTrendSink(a.trendStats)
	} else {
		s.sink = NewSink(m.Type)
	}
	if a.tsCount < a.opts.MaxTimeSeries {
		a.tsCount++
		s.ts = &timeSeries{typ: m.Type, base: a.tsBase}
	}
	return s
}

func (a *Aggregator) newBreakdown(m *Metric, ms *metricState, k, v string) *series {
	if ms.bkValues[k] >= a.opts.MaxBreakdownValues {
		return nil
	}
	if ms.bk == nil {
		ms.bk = make(map[bkKey]*series)
		ms.bkValues = make(map[string]int)
	}
	ms.bkValues[k]++
	tags := NewTags(k, v)
	// A declared sub-metric with exactly this tag is the same series: share it.
	for _, sub := range ms.subs {
		if sub.tags.Equal(tags) {
			ms.bk[bkKey{k, v}] = sub
			return sub
		}
	}
	se := a.newSeries(m, tags, false)
	ms.bk[bkKey{k, v}] = se
	return se
}

// Declare makes the sub-metric name{tags} a first-class series: it gets its own sink and
// history and appears in summaries even without samples. Only samples processed after the call
// count in it, so declare sub-metrics before the run. Declaring a top-level metric (no tags) or
// an existing sub-metric is a no-op.
func (a *Aggregator) Declare(name string, tags Tags) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.declare(name, tags)
	return err
}

func (a *Aggregator) declare(name string, tags Tags) (*series, error) {
	m := a.reg.Get(name)
	if m == nil {
		return nil, fmt.Errorf("no metric called %q", name)
	}
	ms := a.state(m)
	if tags.Len() == 0 {
		return ms.top, nil
	}
	for _, sub := range ms.subs {
		if sub.tags.Equal(tags) {
			return sub, nil
		}
	}
	var se *series
	if tags.Len() == 1 {
		tg := tags.At(0)
		if bk, ok := ms.bk[bkKey{tg.Key, tg.Value}]; ok {
			se = bk // promote the breakdown, which keeps its history
		}
	}
	if se == nil {
		se = a.newSeries(m, tags, true)
	}
	se.declared = true
	ms.subs = append(ms.subs, se)
	slices.SortFunc(ms.subs, func(x, y *series) int { return strings.Compare(x.key, y.key) })
	clear(a.routes) // samples with these tags go to one more series
	for _, st := range a.states {
		if st != nil {
			st.last.route = nil
		}
	}

	return se, nil
}

// SetThresholds declares the sub-metrics of ts and evaluates ts from now on: every
// EvalInterval once SetStart was called, for AbortOnFail, and by Thresholds. ts must have been
// validated against the registry.
func (a *Aggregator) SetThresholds(ts *ThresholdSet) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for _, e := range ts.entries {
		se, err := a.declare(e.name, e.tags)
		if err != nil {
			errs = append(errs, fmt.Errorf("threshold metric %q: %w", e.key, err))
			continue
		}
		e.series = se
		se.judged = true
		// A threshold on a percentile the summary does not show still needs it in Format,
		// where reports look it up.
		if tr, ok := se.sink.(*TrendSink); ok {
			for _, th := range e.thresholds {
				if !slices.Contains(tr.Stats, th.Aggregation) {
					tr.Stats = append(slices.Clip(tr.Stats), th.Aggregation)
				}
			}
		}
	}
	a.thresholds = ts
	return errors.Join(errs...)
}

func (a *Aggregator) tick(now time.Time) {
	var abort *ThresholdResult
	a.mu.Lock()
	a.advance(now.Unix() - int64(a.opts.TimeSeriesWindow/time.Second))
	if !a.start.IsZero() && a.thresholds != nil && a.abortedBy == nil {
		elapsed := now.Sub(a.start)
		for th, r := range a.thresholds.verdicts(a.thresholdValue(elapsed)) {
			if th.AbortOnFail && elapsed >= th.DelayAbortEval && !r.Passed {
				r.Aborted = true
				a.abortedBy = th
				abort = &r
				break
			}
		}
	}
	a.mu.Unlock()
	if abort != nil && a.opts.OnAbort != nil {
		a.opts.OnAbort(*abort)
	}
}

// advance makes the seconds before sec final. a.mu is held.
func (a *Aggregator) advance(sec int64) {
	if sec <= a.finalBefore {
		return
	}
	a.finalBefore = sec
	for _, ms := range a.states {
		if ms == nil {
			continue
		}
		a.eachSeries(ms, func(s *series) {
			if s.ts != nil {
				s.ts.finalize(a, sec)
			}
		})
	}
}

func (a *Aggregator) finish() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advance(1<<62 - 1)
}

// eachSeries calls f for the top-level series, the declared sub-metrics and the breakdowns of
// ms, each once, in key order.
func (a *Aggregator) eachSeries(ms *metricState, f func(*series)) {
	f(ms.top)
	all := slices.Clone(ms.subs)
	for _, s := range ms.bk {
		if !s.declared {
			all = append(all, s)
		}
	}
	slices.SortFunc(all, func(x, y *series) int { return strings.Compare(x.key, y.key) })
	for _, s := range all {
		f(s)
	}
}

// Thresholds evaluates every threshold at elapsed time since the start. The threshold that
// aborted the run, if any, is marked Aborted.
func (a *Aggregator) Thresholds(elapsed time.Duration) []ThresholdResult {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.thresholds == nil {
		return nil
	}
	var out []ThresholdResult
	for th, r := range a.thresholds.verdicts(a.thresholdValue(elapsed)) {
		r.Aborted = th == a.abortedBy
		out = append(out, r)
	}
	return out
}

// thresholdValue reads the thresholds' values from the live sinks. a.mu is held.
func (a *Aggregator) thresholdValue(elapsed time.Duration) func(*thresholdEntry, Aggregation) (float64, bool) {
	return func(e *thresholdEntry, agg Aggregation) (float64, bool) {
		if e.series == nil {
			return 0, false
		}
		return e.series.sink.Value(agg, elapsed)
	}
}

// Summary is the aggregate of a metric or sub-metric.
type Summary struct {
	Name     string             `json:"name"`
	Key      string             `json:"key"` // "name" or "name{k:v}"
	Type     MetricType         `json:"type"`
	Contains ValueType          `json:"contains"`
	Tags     map[string]string  `json:"tags,omitempty"`
	Values   map[string]float64 `json:"values"` // Format keys: count, rate, avg, p(95), …
	// Histogram is a trend's HdrHistogram, V2 compressed and base64 encoded (see
	// TrendSink.Encode); empty for other types.
	Histogram string `json:"histogram,omitempty"`
	// Breakdown is true for a sub-metric that exists because of a breakdown tag, false for
	// top-level metrics and declared sub-metrics.
	Breakdown bool `json:"breakdown,omitempty"`
}

func (a *Aggregator) summary(s *series, elapsed time.Duration, withHist bool) (Summary, error) {
	out := Summary{
		Name: s.metric.Name, Key: s.key, Type: s.metric.Type, Contains: s.metric.Contains,
		Tags: s.tags.Map(), Values: s.sink.Format(elapsed), Breakdown: !s.declared,
	}
	if t, ok := s.sink.(*TrendSink); ok && withHist {
		h, err := t.Encode()
		if err != nil {
			return out, fmt.Errorf("metric %q: %w", s.key, err)
		}
		out.Histogram = h
	}
	return out, nil
}

// Summaries returns the aggregates of every series with samples, and of every declared
// sub-metric, sorted by metric name; a metric comes before its sub-metrics, which are sorted by
// key. elapsed is the time counters' rates are computed over.
func (a *Aggregator) Summaries(elapsed time.Duration) ([]Summary, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Summary
	var errs []error
	for _, m := range a.reg.All() {
		if m.id >= len(a.states) || a.states[m.id] == nil {
			continue
		}
		a.eachSeries(a.states[m.id], func(s *series) {
			if s.sink.IsEmpty() && !s.judged && (!s.declared || s.tags.Len() == 0) {
				return // nothing to say about an unused metric or breakdown
			}
			sum, err := a.summary(s, elapsed, true)
			if err != nil {
				errs = append(errs, err)
			}
			out = append(out, sum)
		})
	}
	return out, errors.Join(errs...)
}

// Snapshot returns the current aggregate of the series name{tags}: the top-level metric, a
// declared sub-metric or a breakdown. It does not create series. elapsed is the time since the
// start, as SetStart set it (0 before).
func (a *Aggregator) Snapshot(name string, tags Tags) (Summary, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.reg.Get(name)
	if m == nil || m.id >= len(a.states) || a.states[m.id] == nil {
		return Summary{}, false
	}
	ms := a.states[m.id]
	var se *series
	switch {
	case tags.Len() == 0:
		se = ms.top
	default:
		for _, sub := range ms.subs {
			if sub.tags.Equal(tags) {
				se = sub
			}
		}
		if se == nil && tags.Len() == 1 {
			tg := tags.At(0)
			se = ms.bk[bkKey{tg.Key, tg.Value}]
		}
	}
	if se == nil {
		return Summary{}, false
	}
	var elapsed time.Duration
	if !a.start.IsZero() {
		elapsed = time.Since(a.start)
	}
	sum, _ := a.summary(se, elapsed, false)
	return sum, true
}

// TimeSeries returns the per-second history of every series that has one, in the order of
// Summaries. During the run, the percentiles of the seconds still open for late samples (the
// last TimeSeriesWindow) are computed from what arrived so far; after Stop they are final.
func (a *Aggregator) TimeSeries() []Series {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Series
	for _, m := range a.reg.All() {
		if m.id >= len(a.states) || a.states[m.id] == nil {
			continue
		}
		a.eachSeries(a.states[m.id], func(s *series) {
			if s.ts == nil || len(s.ts.points) == 0 {
				return
			}
			pts := slices.Clone(s.ts.points)
			for sec, h := range s.ts.open {
				p := &pts[sec-s.ts.base]
				p.P50 = float64(h.ValueAtPercentile(50)) / 1000
				p.P95 = float64(h.ValueAtPercentile(95)) / 1000
				p.P99 = float64(h.ValueAtPercentile(99)) / 1000
			}
			out = append(out, Series{Metric: m.Name, Key: s.key, Type: m.Type, Tags: s.tags.Map(),
				Points: pts, Late: s.ts.late})
		})
	}
	slices.SortStableFunc(out, func(x, y Series) int { return cmp.Compare(x.Metric, y.Metric) })
	return out
}
