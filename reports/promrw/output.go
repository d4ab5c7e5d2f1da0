package promrw

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

// Output ships a run's metrics to a Prometheus remote-write receiver: a reports.Output.
//
// AddSamples, on the engine's hot path, only folds samples into per-series state under a
// mutex (no allocation for a known series). Every push interval, a snapshot of every series
// (cumulative counters, last gauge values, histograms) becomes one write request, queued for
// the sender goroutine; a full queue drops its oldest request. As counters and histograms are
// cumulative, a lost request loses resolution, not totals: the next one carries them.
type Output struct {
	cfg    Config
	stats  []trendStat
	logger *slog.Logger
	sender *sender

	mu        sync.Mutex
	series    map[seriesKey]*series
	order     []*series
	tagValues map[string]map[string]struct{}
	refused   map[string]bool
	samples   int64
	dropped   int64 // samples of series over MaxSeries
	native    NativeMode
	closed    bool
	recent    []recentSeries // by metric index: the last series its samples went to
	lastPush  int64          // ms: a push's timestamp is later than the one before
	shownURL  string         // the URL without its query (which may hold a key)

	stopTick chan struct{}
	tickDone chan struct{}
}

var _ reports.Output = (*Output)(nil)

// recentSeries remembers the last few series of one metric: consecutive samples mostly share
// a tag set (one Tags value, whose key string compares by pointer), so most lookups skip
// hashing the key.
type recentSeries struct {
	next int
	e    [4]struct {
		tags string
		se   *series
	}
}

type seriesKey struct {
	m    *metrics.Metric
	tags string
}

// series is the state of one metric and tag set.
type series struct {
	m       *metrics.Metric
	name    string      // MetricName(m)
	labels  []labelPair // __name__, testid, segment and the tags, sorted
	scale   float64
	created int64 // ms, of the first sample

	value      float64 // counter total, gauge last value
	pass, fail float64 // rate
	cum        histogram
	// For quantile gauges: cum as it was at the last push (the interval's distribution is
	// the difference), and the interval's count, min and max.
	prev       histogram
	icount     uint64
	imin, imax float64
	sent       bool
}

// New starts an Output: its push loop runs until Close. logger gets warnings about refused
// tags and failing pushes (never a credential); nil discards them.
func New(cfg Config, logger *slog.Logger) (*Output, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	stats, err := parseTrendStats(cfg.TrendStats)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	client := cfg.HTTPClient
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = cfg.TLS
		tr.MaxIdleConnsPerHost = 2
		client = &http.Client{Transport: tr}
	}
	o := &Output{
		cfg: cfg, stats: stats, logger: logger,
		series: map[seriesKey]*series{}, tagValues: map[string]map[string]struct{}{}, refused: map[string]bool{},
		native:   cfg.Native,
		stopTick: make(chan struct{}), tickDone: make(chan struct{}),
	}
	o.shownURL = shownURL(cfg.URL)
	o.sender = newSender(cfg, client, logger, o.refusedNative, o.acceptedNative)
	go o.tickLoop()
	return o, nil
}

// TestID returns the testid label of the run's series.
func (o *Output) TestID() string { return o.cfg.TestID }

// Description names the output for the banner and the summary: the URL without credentials,
// the interval and the testid.
func (o *Output) Description() string {
	return fmt.Sprintf("prometheus-rw=%s (every %s, testid %s)", o.shownURL, o.cfg.PushInterval, o.cfg.TestID)
}

// AddSamples folds a batch into the series.
func (o *Output) AddSamples(batch []metrics.Sample) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.samples += int64(len(batch))
	for i := range batch {
		s := &batch[i]
		if s.Metric == nil {
			continue
		}
		se := o.lookup(s)
		if se == nil {
			o.dropped++
			continue
		}
		se.add(s)
	}
}

// lookup returns the series of a sample, making it if needed (nil past the series limit).
func (o *Output) lookup(s *metrics.Sample) *series {
	key := s.Tags.Key()
	i := s.Metric.Index()
	if i < len(o.recent) {
		r := &o.recent[i]
		for k := range r.e {
			if e := &r.e[k]; e.se != nil && e.tags == key && e.se.m == s.Metric {
				return e.se
			}
		}
	}
	se := o.series[seriesKey{s.Metric, key}]
	if se == nil {
		if se = o.newSeries(s); se == nil {
			return nil
		}
	}
	if i >= len(o.recent) {
		o.recent = append(o.recent, make([]recentSeries, i+1-len(o.recent))...)
	}
	r := &o.recent[i]
	r.e[r.next].tags, r.e[r.next].se = key, se
	r.next = (r.next + 1) % len(r.e)
	return se
}

// add folds one sample in.
func (se *series) add(s *metrics.Sample) {
	switch se.m.Type {
	case metrics.Counter:
		se.value += s.Value
	case metrics.Gauge:
		se.value = s.Value
	case metrics.Rate:
		if s.Value != 0 {
			se.pass++
		} else {
			se.fail++
		}
	case metrics.Trend:
		v := s.Value * se.scale
		se.cum.observe(v)
		if se.icount == 0 || v < se.imin {
			se.imin = v
		}
		if se.icount == 0 || v > se.imax {
			se.imax = v
		}
		se.icount++
	}
}

// newSeries makes the series of a sample of an unknown metric and tag set, after the
// cardinality checks: the values of a tag beyond MaxTagValues leave that tag out (it is
// refused, once, with an error naming it), and no series is made past MaxSeries (nil).
func (o *Output) newSeries(s *metrics.Sample) *series {
	tags := s.Tags
	var keep []string
	for i := 0; i < tags.Len(); i++ {
		t := tags.At(i)
		if o.allowTag(t.Key, t.Value) {
			keep = append(keep, t.Key, t.Value)
		}
	}
	key := seriesKey{s.Metric, tags.Key()}
	if len(keep) < 2*tags.Len() {
		stripped := metrics.NewTags(keep...)
		if se := o.series[seriesKey{s.Metric, stripped.Key()}]; se != nil {
			if len(o.series) < 2*o.cfg.MaxSeries {
				o.series[key] = se // remember the alias while memory allows
			}
			return se
		}
		tags = stripped
		key = seriesKey{s.Metric, stripped.Key()}
	}
	if len(o.order) >= o.cfg.MaxSeries {
		if o.dropped == 0 {
			o.logger.Error(fmt.Sprintf("prometheus-rw: the series limit (%d) is reached: samples of further series are not sent; raise CTILOAD_PROMETHEUS_RW_MAX_SERIES or record fewer tag combinations", o.cfg.MaxSeries))
		}
		return nil
	}
	se := &series{m: s.Metric, name: MetricName(s.Metric), scale: scale(s.Metric), created: s.Time.UnixMilli()}
	se.cum.schema = keepSchema
	se.labels = append(se.labels,
		labelPair{Name: "__name__", Value: se.name},
		labelPair{Name: TestIDLabel, Value: o.cfg.TestID},
		labelPair{Name: SegmentLabel, Value: o.cfg.Segment})
	for i := 0; i < tags.Len(); i++ {
		t := tags.At(i)
		if t.Value == "" {
			continue // Prometheus reads an empty label as no label
		}
		name := LabelName(t.Key)
		if name == ResultLabel && s.Metric.Type == metrics.Rate {
			name = "tag_" + name
		}
		se.labels = append(se.labels, labelPair{Name: name, Value: t.Value})
	}
	sortLabels(se.labels)
	o.series[key] = se
	o.order = append(o.order, se)
	return se
}

// allowTag records value for the tag key and says whether it may be a label: false once the
// key has MaxTagValues other values.
func (o *Output) allowTag(key, value string) bool {
	if o.refused[key] {
		_, ok := o.tagValues[key][value]
		return ok
	}
	vals := o.tagValues[key]
	if vals == nil {
		vals = map[string]struct{}{}
		o.tagValues[key] = vals
	}
	if _, ok := vals[value]; ok {
		return true
	}
	if len(vals) >= o.cfg.MaxTagValues {
		o.refused[key] = true
		o.logger.Error(fmt.Sprintf("prometheus-rw: tag %q has more than %d values (%q is one more): it looks unbounded, like a call ID or an ANI, and would flood Prometheus with series; it is refused, and left out of the labels of further series (its first %d values still label theirs). Keep such values out of tags, or raise CTILOAD_PROMETHEUS_RW_MAX_TAG_VALUES",
			key, o.cfg.MaxTagValues, value, o.cfg.MaxTagValues))
		return false
	}
	vals[value] = struct{}{}
	return true
}

func sortLabels(l []labelPair) {
	sort.Slice(l, func(i, j int) bool { return l[i].Name < l[j].Name })
}

// withLabel returns a copy of labels with __name__ set to name and, if k is not empty, k=v.
func withLabel(labels []labelPair, name, k, v string) []labelPair {
	out := make([]labelPair, len(labels), len(labels)+1)
	copy(out, labels)
	for i := range out {
		if out[i].Name == "__name__" {
			out[i].Value = name
		}
	}
	if k != "" {
		out = append(out, labelPair{Name: k, Value: v})
		sortLabels(out)
	}
	return out
}

// snapshot renders every series at time now (ms) as one write request and resets the
// interval histograms. o.mu is held.
func (o *Output) snapshot(now int64) *writeRequest {
	// Two pushes in one millisecond (the last tick and Close) would give a series two values
	// at one timestamp, which a receiver refuses.
	now = max(now, o.lastPush+1)
	o.lastPush = now
	req := &writeRequest{Timeseries: make([]timeSeries, 0, len(o.order))}
	counter := func(se *series, labels []labelPair, v float64) {
		ts := timeSeries{Labels: labels}
		if !se.sent && se.created < now {
			// A leading zero, so that increase() and rate() count the first interval too.
			ts.Samples = append(ts.Samples, floatSample{Value: 0, Timestamp: min(se.created, now) - 1})
		}
		ts.Samples = append(ts.Samples, floatSample{Value: v, Timestamp: now})
		req.Timeseries = append(req.Timeseries, ts)
	}
	for _, se := range o.order {
		name := se.name
		switch se.m.Type {
		case metrics.Counter:
			counter(se, se.labels, se.value)
		case metrics.Gauge:
			req.Timeseries = append(req.Timeseries, timeSeries{Labels: se.labels, Samples: []floatSample{{Value: se.value, Timestamp: now}}})
		case metrics.Rate:
			counter(se, withLabel(se.labels, name, ResultLabel, "pass"), se.pass)
			counter(se, withLabel(se.labels, name, ResultLabel, "fail"), se.fail)
		case metrics.Trend:
			if o.native != NativeOff {
				if se.cum.count > 0 {
					req.Timeseries = append(req.Timeseries, timeSeries{Labels: se.labels, Histograms: []nativeHistogram{se.cum.native(now)}})
				}
				break
			}
			if se.icount > 0 {
				iv := se.cum.since(&se.prev, se.imin, se.imax)
				for _, st := range o.stats {
					v := iv.quantile(st.q)
					if !math.IsNaN(v) {
						req.Timeseries = append(req.Timeseries, timeSeries{Labels: withLabel(se.labels, name, QuantileLabel, st.label), Samples: []floatSample{{Value: v, Timestamp: now}}})
					}
				}
			}
			counter(se, withLabel(se.labels, name+"_count", "", ""), float64(se.cum.count))
			counter(se, withLabel(se.labels, name+"_sum", "", ""), se.cum.sum)
		}
		if o.native == NativeOff {
			// In auto mode, the interval lasts until the receiver has taken or refused a
			// native histogram: refused, the first quantile gauges cover the time until then.
			se.cum.copyTo(&se.prev)
			se.icount = 0
		}
		se.sent = true
	}
	return req
}

// refusedNative is the sender's news that the receiver refused native histograms: in auto
// mode, trends go as quantile gauges from now on, and the sender gets a snapshot to send
// instead of the refused one.
func (o *Output) refusedNative() *writeRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.native != NativeAuto {
		return nil
	}
	o.native = NativeOff
	o.logger.Warn("prometheus-rw: the receiver refuses native histograms; trends go as quantile gauges (" + strings.Join(o.cfg.TrendStats, ", ") + ") from now on. Prometheus needs --enable-feature=native-histograms for them")
	return o.snapshot(time.Now().UnixMilli())
}

// acceptedNative is the sender's news that the receiver stored a native histogram: in auto
// mode, trends stay native histograms.
func (o *Output) acceptedNative() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.native == NativeAuto {
		o.native = NativeOn
	}
}

func (o *Output) tickLoop() {
	defer close(o.tickDone)
	t := time.NewTicker(o.cfg.PushInterval)
	defer t.Stop()
	for {
		select {
		case <-o.stopTick:
			return
		case <-t.C:
		}
		o.push()
	}
}

// push snapshots the series and queues the request.
func (o *Output) push() {
	o.mu.Lock()
	if len(o.order) == 0 {
		o.mu.Unlock()
		return
	}
	req := o.snapshot(time.Now().UnixMilli())
	o.mu.Unlock()
	o.sender.enqueue(req)
}

// Close pushes once more, so the last partial interval is not lost, and waits for the queue
// to drain, at most twice the request timeout (plus the retries that fit in it).
func (o *Output) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.mu.Unlock()
	close(o.stopTick)
	<-o.tickDone
	o.push()
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.sender.close(2 * o.cfg.Timeout)
	return nil
}

// Status reports what was delivered and what was not, and why.
func (o *Output) Status() reports.OutputStatus {
	o.mu.Lock()
	samples, dropped := o.samples, o.dropped
	refused := make([]string, 0, len(o.refused))
	for k := range o.refused {
		refused = append(refused, k)
	}
	native := o.native
	o.mu.Unlock()
	d := o.sender.stats()
	st := reports.OutputStatus{
		Output:    o.Description(),
		Delivered: fmt.Sprintf("%s delivered, %s series points, of %s samples", plural(d.delivered, "push", "pushes"), reports.FormatThousands(d.deliveredSeries), reports.FormatThousands(samples)),
	}
	if native == NativeOff && o.cfg.Native == NativeAuto {
		st.Delivered += "; trends as quantile gauges (the receiver refused native histograms)"
	}
	if d.failed > 0 {
		reasons := make([]string, 0, len(d.reasons))
		for r, n := range d.reasons {
			reasons = append(reasons, fmt.Sprintf("%s ×%d", r, n))
		}
		slices.SortFunc(reasons, func(a, b string) int { return cmp.Compare(a, b) })
		if len(d.reasons) == 1 {
			for r := range d.reasons {
				reasons = []string{r}
			}
		}
		st.Problems = append(st.Problems, fmt.Sprintf("%s failed (%s), %s series points not delivered",
			plural(d.failed, "push", "pushes"), strings.Join(reasons, "; "), reports.FormatThousands(d.failedSeries)))
	}
	slices.Sort(refused)
	for _, k := range refused {
		st.Problems = append(st.Problems, fmt.Sprintf("tag %q refused: more than %d values, left out of the labels", k, o.cfg.MaxTagValues))
	}
	if dropped > 0 {
		st.Problems = append(st.Problems, fmt.Sprintf("%s samples dropped: series limit %d reached", reports.FormatThousands(dropped), o.cfg.MaxSeries))
	}
	return st
}

// plural renders n with the singular or plural noun: "1 push", "1,240 pushes".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return reports.FormatThousands(n) + " " + many
}
