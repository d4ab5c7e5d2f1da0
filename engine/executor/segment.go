package executor

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
)

// Segment is the part [Start, End) of a test that one process runs, written as k6 does:
// "1/4:2/4", "0.25:0.5", "25%:50%", or just "1/2" for "0:1/2". The zero value is the whole test.
type Segment struct {
	Start, End *big.Rat // nil means 0 and 1
}

// ParseSegment parses a segment; "" is the whole test.
func ParseSegment(s string) (Segment, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Segment{}, nil
	}
	from, to, found := strings.Cut(s, ":")
	if !found {
		from, to = "0", from
	}
	a, err := parseFraction(from)
	if err != nil {
		return Segment{}, fmt.Errorf("execution segment %q: start: %w", s, err)
	}
	b, err := parseFraction(to)
	if err != nil {
		return Segment{}, fmt.Errorf("execution segment %q: end: %w", s, err)
	}
	if a.Sign() < 0 || b.Cmp(big.NewRat(1, 1)) > 0 || a.Cmp(b) >= 0 {
		return Segment{}, fmt.Errorf("execution segment %q: want 0 ≤ start < end ≤ 1", s)
	}
	return Segment{Start: a, End: b}, nil
}

func parseFraction(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	s = strings.TrimSuffix(s, "%")
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q is not a fraction (want 1/4, 0.25 or 25%%)", s)
	}
	if pct {
		r.Quo(r, big.NewRat(100, 1))
	}
	return r, nil
}

func (s Segment) start() *big.Rat {
	if s.Start == nil {
		return new(big.Rat)
	}
	return s.Start
}

func (s Segment) end() *big.Rat {
	if s.End == nil {
		return big.NewRat(1, 1)
	}
	return s.End
}

// IsFull reports whether the segment is the whole test.
func (s Segment) IsFull() bool { return s.start().Sign() == 0 && s.end().Cmp(big.NewRat(1, 1)) == 0 }

// String returns "start:end" with fractions in lowest terms ("0:1" for the whole test).
func (s Segment) String() string { return s.start().RatString() + ":" + s.end().RatString() }

// Sequence is the list of segment boundaries all the processes of a test use, k6's
// --execution-segment-sequence: "0,1/4,1/2,1".
type Sequence []*big.Rat

// ParseSequence parses a comma-separated list of increasing fractions from 0 to 1; "" is the
// empty sequence.
func ParseSequence(s string) (Sequence, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var seq Sequence
	for i, part := range strings.Split(s, ",") {
		r, err := parseFraction(part)
		if err != nil {
			return nil, fmt.Errorf("execution segment sequence %q: element %d: %w", s, i+1, err)
		}
		if len(seq) > 0 && r.Cmp(seq[len(seq)-1]) <= 0 {
			return nil, fmt.Errorf("execution segment sequence %q: element %d (%s) is not greater than the previous one", s, i+1, r.RatString())
		}
		seq = append(seq, r)
	}
	if len(seq) < 2 || seq[0].Sign() != 0 || seq[len(seq)-1].Cmp(big.NewRat(1, 1)) != 0 {
		return nil, fmt.Errorf("execution segment sequence %q: want increasing fractions from 0 to 1", s)
	}
	return seq, nil
}

// String returns the sequence as ParseSequence reads it.
func (q Sequence) String() string {
	parts := make([]string, len(q))
	for i, r := range q {
		parts[i] = r.RatString()
	}
	return strings.Join(parts, ",")
}

// MaxPeriod bounds the period of a partition, the least common denominator of its sequence.
const MaxPeriod = 1 << 20

// Partition is how a segment shares every integer quantity of a test (VUs, iterations, the
// indices of arrival-rate iterations) with the other segments of its sequence.
//
// The method, a variant of k6's execution tuple: let L be the least common denominator of the
// sequence's fractions, so that part k of the sequence is n_k/L of the test. Indices 0, 1, 2, …
// of a quantity are dealt to the parts in a fixed pattern of period L, in which part k gets
// exactly n_k of the L slots, spread evenly: slot c of part k (c < n_k) has position
// (2c+1)/(2n_k) in the period, and the L slots are sorted by position (ties by part). A segment
// owns the slots of the parts it covers. So:
//
//   - every index belongs to exactly one segment: the segments' shares of any quantity add up
//     to it, and the union of their arrival-rate iterations is the unsegmented schedule;
//   - a share is monotonic in the quantity, so a segment's VU count never exceeds its share of
//     the maximum, and within one of its exact proportion when the segment is one part of the
//     sequence (within k for a segment spanning k parts);
//   - the i-th VU of a segment is VU number Index(i) of the whole test, which gives VU IDs that
//     are unique across processes.
//
// All processes must use the same sequence. Without one, a segment assumes the evenly spaced
// sequence of its own least common denominator (0,1/3,2/3,1 for "1/3:2/3"), which is right when
// a test is split in equal parts.
type Partition struct {
	seg     Segment
	seq     Sequence
	period  int64
	offsets []int64 // slots of the period this segment owns, ascending
}

// FullPartition is the partition of an unsegmented run: it owns everything.
func FullPartition() *Partition { return &Partition{period: 1, offsets: []int64{0}} }

// NewPartition returns the partition of seg in seq (see Partition for an empty seq).
func NewPartition(seg Segment, seq Sequence) (*Partition, error) {
	if seg.IsFull() && len(seq) == 0 {
		return FullPartition(), nil
	}
	start, end := seg.start(), seg.end()
	if len(seq) == 0 {
		l := lcm(start.Denom(), end.Denom())
		if !l.IsInt64() || l.Int64() > MaxPeriod {
			return nil, fmt.Errorf("execution segment %s: denominators too large (period above %d)", seg, MaxPeriod)
		}
		for i := range l.Int64() + 1 {
			seq = append(seq, big.NewRat(i, l.Int64()))
		}
	}
	first, last := -1, -1
	for i, r := range seq {
		if r.Cmp(start) == 0 {
			first = i
		}
		if r.Cmp(end) == 0 {
			last = i
		}
	}
	if first < 0 || last < 0 {
		return nil, fmt.Errorf("execution segment %s is not in the sequence %s: both its ends must be elements", seg, seq)
	}
	l := big.NewInt(1)
	for _, r := range seq {
		l = lcm(l, r.Denom())
	}
	if !l.IsInt64() || l.Int64() > MaxPeriod {
		return nil, fmt.Errorf("execution segment sequence %s: period (least common denominator) above %d", seq, MaxPeriod)
	}
	period := l.Int64()
	// n[k]: the slots of part k per period.
	n := make([]int64, len(seq)-1)
	for k := range n {
		w := new(big.Rat).Sub(seq[k+1], seq[k])
		w.Mul(w, new(big.Rat).SetInt64(period))
		n[k] = w.Num().Int64() // an integer: period is a multiple of every denominator
	}
	type slot struct{ part, c int64 }
	slots := make([]slot, 0, period)
	for k, nk := range n {
		for c := range nk {
			slots = append(slots, slot{int64(k), c})
		}
	}
	// Position (2c+1)/(2n_k); compare (2c+1)·n_j with (2d+1)·n_k to stay in integers.
	slices.SortFunc(slots, func(a, b slot) int {
		if d := cmp.Compare((2*a.c+1)*n[b.part], (2*b.c+1)*n[a.part]); d != 0 {
			return d
		}
		return cmp.Compare(a.part, b.part)
	})
	p := &Partition{seg: seg, seq: seq, period: period}
	for pos, s := range slots {
		if s.part >= int64(first) && s.part < int64(last) {
			p.offsets = append(p.offsets, int64(pos))
		}
	}
	return p, nil
}

func lcm(a, b *big.Int) *big.Int {
	g := new(big.Int).GCD(nil, nil, a, b)
	r := new(big.Int).Quo(a, g)
	return r.Mul(r, b)
}

// Segment returns the partition's segment.
func (p *Partition) Segment() Segment { return p.seg }

// IsFull reports whether the partition owns everything.
func (p *Partition) IsFull() bool { return p.period == 1 }

// Scale returns this segment's share of n: how many of the indices 0 … n−1 it owns.
func (p *Partition) Scale(n int64) int64 {
	if n <= 0 {
		return 0
	}
	per := int64(len(p.offsets))
	rem := n % p.period
	below := int64(sort.Search(len(p.offsets), func(i int) bool { return p.offsets[i] >= rem }))
	return n/p.period*per + below
}

// Index returns the index in the whole test of this segment's m-th index (from 0).
func (p *Partition) Index(m int64) int64 {
	per := int64(len(p.offsets))
	return m/per*p.period + p.offsets[m%per]
}

// Owns reports whether this segment owns index i of the whole test.
func (p *Partition) Owns(i int64) bool {
	_, found := slices.BinarySearch(p.offsets, i%p.period)
	return found
}

// String describes the partition: "0:1" or "1/4:1/2 of 0,1/4,1/2,3/4,1".
func (p *Partition) String() string {
	if p.IsFull() {
		return "0:1"
	}
	return p.seg.String() + " of " + p.seq.String()
}

// Gaps returns the parts of the whole test [0,1) that none of segs covers, in order: what is
// missing from a merge of their results. Overlapping segments are an error: merging them
// would count the overlap twice.
func Gaps(segs []Segment) ([]Segment, error) {
	sorted := slices.Clone(segs)
	slices.SortFunc(sorted, func(a, b Segment) int { return a.start().Cmp(b.start()) })
	var gaps []Segment
	at := new(big.Rat) // covered up to here
	for i, s := range sorted {
		switch c := s.start().Cmp(at); {
		case c > 0:
			gaps = append(gaps, Segment{Start: at, End: s.start()})
		case c < 0:
			return nil, fmt.Errorf("execution segments %s and %s overlap", sorted[i-1], s)
		}
		at = s.end()
	}
	if one := big.NewRat(1, 1); at.Cmp(one) < 0 {
		gaps = append(gaps, Segment{Start: at, End: one})
	}
	return gaps, nil
}
