package reports

import (
	"cmp"
	"slices"
	"sync"

	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
)

// PairCount is how much a metric counted for one combination of two tag values: the samples
// of cti_failures with code=E_CTI_INVALID_AGENT_STATE and msg=SET_AGENT_STATE_REQ, say. The
// engine breaks metrics down by one tag at a time; a Tally gives the summary the pairs its
// failure-code and event tables need.
type PairCount struct {
	Metric string            `json:"metric"`
	Tags   map[string]string `json:"tags"` // the two (or three) tags; a missing tag reads ""
	// Count is the sum of the values for counters, the number of samples otherwise.
	Count float64 `json:"count"`
	// NonZero is, for a rate, how many of the samples were non-zero: the passes of checks.
	NonZero float64 `json:"nonzero,omitempty"`
}

// PairSpec names a metric and the two tag keys a Tally counts it by, and optionally a third, C.
type PairSpec struct {
	Metric  string
	A, B, C string
}

// DefaultPairs are the pairs the summary uses: failures by code, request and lifecycle phase,
// event waits by event and outcome, malformed frames by message type and reason, requests by
// type and status.
var DefaultPairs = []PairSpec{
	{Metric: metricnames.CTIFailures, A: "code", B: "msg", C: "phase"},
	{Metric: metricnames.CTIEventWaitDuration, A: "msg", B: "status"},
	{Metric: metricnames.CTIDecodeErrors, A: "msg", B: "reason"},
	{Metric: metricnames.CTIRequests, A: "msg", B: "status"},
	{Metric: metricnames.Checks, A: "group", B: "check"},
}

// Tally counts samples by pairs of tag values as they flow: give Add to the engine as (part of)
// Config.SampleHook. It is safe for concurrent use; memory is bounded by maxPairs combinations
// per spec (further ones are dropped, and counted by Overflow).
type Tally struct {
	mu       sync.Mutex
	specs    map[string][]PairSpec
	counts   map[pairKey]float64
	nonZero  map[pairKey]float64 // rates only
	overflow int64
	perSpec  map[PairSpec]int
}

type pairKey struct {
	spec    PairSpec
	a, b, c string
}

// maxPairs bounds the combinations a Tally keeps per spec.
const maxPairs = 10000

// NewTally returns a Tally of specs (DefaultPairs when none).
func NewTally(specs ...PairSpec) *Tally {
	if len(specs) == 0 {
		specs = DefaultPairs
	}
	t := &Tally{specs: map[string][]PairSpec{}, counts: map[pairKey]float64{}, nonZero: map[pairKey]float64{}, perSpec: map[PairSpec]int{}}
	for _, s := range specs {
		t.specs[s.Metric] = append(t.specs[s.Metric], s)
	}
	return t
}

// Add counts a batch of samples.
func (t *Tally) Add(batch []metrics.Sample) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range batch {
		s := &batch[i]
		if s.Metric == nil {
			continue
		}
		specs := t.specs[s.Metric.Name]
		for _, spec := range specs {
			a, _ := s.Tags.Get(spec.A)
			b, _ := s.Tags.Get(spec.B)
			k := pairKey{spec: spec, a: a, b: b}
			if spec.C != "" {
				k.c, _ = s.Tags.Get(spec.C)
			}
			v := 1.0
			if s.Metric.Type == metrics.Counter {
				v = s.Value
			}
			if _, ok := t.counts[k]; !ok {
				if t.perSpec[spec] >= maxPairs {
					t.overflow++
					continue
				}
				t.perSpec[spec]++
			}
			t.counts[k] += v
			if s.Metric.Type == metrics.Rate && s.Value != 0 {
				t.nonZero[k]++
			}
		}
	}
}

// Overflow returns the number of samples not counted because of the combination bound.
func (t *Tally) Overflow() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.overflow
}

// Pairs returns the counts, sorted by metric and tag values.
func (t *Tally) Pairs() []PairCount {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]PairCount, 0, len(t.counts))
	for k, v := range t.counts {
		tags := map[string]string{k.spec.A: k.a, k.spec.B: k.b}
		if k.spec.C != "" {
			tags[k.spec.C] = k.c
		}
		out = append(out, PairCount{Metric: k.spec.Metric, Tags: tags, Count: v, NonZero: t.nonZero[k]})
	}
	sortPairs(out)
	return out
}

func sortPairs(p []PairCount) {
	slices.SortFunc(p, func(x, y PairCount) int {
		if c := cmp.Compare(x.Metric, y.Metric); c != 0 {
			return c
		}
		return cmp.Compare(metrics.TagsFromMap(x.Tags).Key(), metrics.TagsFromMap(y.Tags).Key())
	})
}

// MergePairs adds up two lists of pair counts.
func MergePairs(a, b []PairCount) []PairCount {
	idx := map[string]int{}
	var out []PairCount
	for _, p := range append(slices.Clone(a), b...) {
		k := p.Metric + metrics.TagsFromMap(p.Tags).Key()
		if i, ok := idx[k]; ok {
			out[i].Count += p.Count
			out[i].NonZero += p.NonZero
			continue
		}
		idx[k] = len(out)
		p.Tags = maps(p.Tags)
		out = append(out, p)
	}
	sortPairs(out)
	return out
}

func maps(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
