package metrics

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ctiload/ctiload/engine/metricnames"
)

// MetricType is the kind of aggregation a metric's samples get.
type MetricType int

// The four metric types, as in k6.
const (
	// Counter sums its values: count is the sum, rate the sum per second of run.
	Counter MetricType = iota + 1
	// Gauge keeps the last value, and the min and max seen.
	Gauge
	// Rate counts the share of non-zero values (checks, failure rates).
	Rate
	// Trend keeps the distribution of its values: count, avg, min, med, max, p(N).
	Trend
)

var metricTypeNames = [...]string{Counter: "counter", Gauge: "gauge", Rate: "rate", Trend: "trend"}

// String returns the lower-case name used in options and results ("counter", …).
func (t MetricType) String() string {
	if t < Counter || t > Trend {
		return fmt.Sprintf("MetricType(%d)", int(t))
	}
	return metricTypeNames[t]
}

// MarshalText writes the type's name.
func (t MetricType) MarshalText() ([]byte, error) {
	if t < Counter || t > Trend {
		return nil, fmt.Errorf("metrics: invalid metric type %d", int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText reads a type's name.
func (t *MetricType) UnmarshalText(b []byte) error {
	for i, n := range metricTypeNames {
		if n != "" && n == string(b) {
			*t = MetricType(i)
			return nil
		}
	}
	return fmt.Errorf("metrics: unknown metric type %q (want counter, gauge, rate or trend)", b)
}

// ValueType says what a metric's values measure, so that reports can format them.
type ValueType int

// Value types, as in k6.
const (
	// Default is a plain number.
	Default ValueType = iota
	// Time is a duration in milliseconds.
	Time
	// Data is a number of bytes.
	Data
)

var valueTypeNames = [...]string{Default: "default", Time: "time", Data: "data"}

// String returns "default", "time" or "data".
func (v ValueType) String() string {
	if v < Default || v > Data {
		return fmt.Sprintf("ValueType(%d)", int(v))
	}
	return valueTypeNames[v]
}

// MarshalText writes the value type's name.
func (v ValueType) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a value type's name.
func (v *ValueType) UnmarshalText(b []byte) error {
	for i, n := range valueTypeNames {
		if n == string(b) {
			*v = ValueType(i)
			return nil
		}
	}
	return fmt.Errorf("metrics: unknown value type %q (want default, time or data)", b)
}

// Metric is a named series of samples of one type. Metrics are created by a [Registry] and
// compared by pointer; their fields must not be changed.
type Metric struct {
	Name     string
	Type     MetricType
	Contains ValueType
	id       int // index in the registry, so the aggregator finds a metric's state without hashing
}

// String returns the metric's name.
func (m *Metric) String() string { return m.Name }

// Index returns the metric's index in its registry (0, 1, …, in order of creation), so that
// code watching samples (an output) can keep per-metric state in a slice instead of a map.
func (m *Metric) Index() int { return m.id }

// nameRE is k6's rule for metric names.
var nameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,127}$`)

// ValidateName reports whether name is a valid metric name: a letter or underscore, then up to
// 127 letters, digits or underscores.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid metric name %q: want a letter or '_' followed by at most 127 letters, digits or '_'", name)
	}
	return nil
}

// Registry holds a run's metrics by name. It is safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	byName map[string]*Metric
	list   []*Metric
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: make(map[string]*Metric)}
}

// NewMetric returns the metric called name, creating it with type t. Asking again for an
// existing name returns the same metric if the type matches and an error otherwise, so a script
// that declares a custom metric in every VU's init code gets one metric. vt is the value type
// (default [Default], or [Time] for trends created by [Registry.Trend]).
func (r *Registry) NewMetric(name string, t MetricType, vt ...ValueType) (*Metric, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if t < Counter || t > Trend {
		return nil, fmt.Errorf("metric %q: invalid metric type %d", name, int(t))
	}
	contains := Default
	if len(vt) > 0 {
		contains = vt[0]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.byName[name]; ok {
		if m.Type != t {
			return nil, fmt.Errorf("metric %q already exists as a %s, cannot redeclare it as a %s", name, m.Type, t)
		}
		return m, nil
	}
	m := &Metric{Name: name, Type: t, Contains: contains, id: len(r.list)}
	r.byName[name] = m
	r.list = append(r.list, m)
	return m, nil
}

func (r *Registry) must(name string, t MetricType, vt ValueType) *Metric {
	m, err := r.NewMetric(name, t, vt)
	if err != nil {
		panic("metrics: " + err.Error())
	}
	return m
}

// Counter returns the counter called name, creating it if needed. It panics if the name is
// invalid or taken by another type: use [Registry.NewMetric] for names that come from users.
func (r *Registry) Counter(name string) *Metric { return r.must(name, Counter, Default) }

// Gauge is like [Registry.Counter] for a gauge.
func (r *Registry) Gauge(name string) *Metric { return r.must(name, Gauge, Default) }

// Rate is like [Registry.Counter] for a rate.
func (r *Registry) Rate(name string) *Metric { return r.must(name, Rate, Default) }

// Trend is like [Registry.Counter] for a trend of durations in milliseconds ([Time]).
func (r *Registry) Trend(name string) *Metric { return r.must(name, Trend, Time) }

// Get returns the metric called name, or nil.
func (r *Registry) Get(name string) *Metric {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byName[name]
}

// All returns the metrics sorted by name.
func (r *Registry) All() []*Metric {
	r.mu.RLock()
	out := slices.Clone(r.list)
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Metric) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Builtins are the engine's own metrics.
type Builtins struct {
	Iterations             *Metric
	IterationDuration      *Metric
	IterationStartLateness *Metric
	DroppedIterations      *Metric
	InterruptedIterations  *Metric
	FailedIterations       *Metric
	VUs                    *Metric
	VUsMax                 *Metric
	Checks                 *Metric
}

// RegisterBuiltins registers the engine's metrics in r.
func RegisterBuiltins(r *Registry) (Builtins, error) {
	var b Builtins
	var errs []error
	reg := func(dst **Metric, name string, t MetricType, vt ValueType) {
		m, err := r.NewMetric(name, t, vt)
		if err != nil {
			errs = append(errs, err)
		}
		*dst = m
	}
	reg(&b.Iterations, metricnames.Iterations, Counter, Default)
	reg(&b.IterationDuration, metricnames.IterationDuration, Trend, Time)
	reg(&b.IterationStartLateness, metricnames.IterationStartLateness, Trend, Time)
	reg(&b.DroppedIterations, metricnames.DroppedIterations, Counter, Default)
	reg(&b.InterruptedIterations, metricnames.InterruptedIterations, Counter, Default)
	reg(&b.FailedIterations, metricnames.FailedIterations, Counter, Default)
	reg(&b.VUs, metricnames.VUs, Gauge, Default)
	reg(&b.VUsMax, metricnames.VUsMax, Gauge, Default)
	reg(&b.Checks, metricnames.Checks, Rate, Default)
	if len(errs) > 0 {
		return Builtins{}, fmt.Errorf("registering builtin metrics: %w", errors.Join(errs...))
	}
	return b, nil
}
