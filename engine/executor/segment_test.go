package executor_test

import (
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/engine/executor"
)

func TestParseSegment(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  string
	}{
		{"", "0:1", ""}, {"1/4:2/4", "1/4:1/2", ""}, {"0.25:0.5", "1/4:1/2", ""}, {"25%:50%", "1/4:1/2", ""},
		{"1/2", "0:1/2", ""}, {" 2/3 : 1 ", "2/3:1", ""},
		{"1/2:1/4", "", "want 0 ≤ start < end ≤ 1"}, {"0:2", "", "want 0 ≤ start < end ≤ 1"},
		{"-1/2:1", "", "want 0 ≤ start < end ≤ 1"}, {"a:1", "", `start: "a" is not a fraction`},
		{"0:b", "", `end: "b" is not a fraction`},
	}
	for _, tt := range tests {
		got, err := executor.ParseSegment(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSegment(%q) error = %v; want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseSegment(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSequence(t *testing.T) {
	for _, bad := range []string{"0,1/2", "1/4,1", "0,1/2,1/4,1", "0,x,1", "0"} {
		if _, err := executor.ParseSequence(bad); err == nil {
			t.Errorf("ParseSequence(%q): no error", bad)
		}
	}
	seq, err := executor.ParseSequence("0, 0.25, 50%, 1")
	if err != nil || seq.String() != "0,1/4,1/2,1" {
		t.Errorf("ParseSequence = %v, %v", seq, err)
	}
}

// splits are sets of segments that together make a whole test.
var splits = []struct {
	seq      string
	segments []string
	spread   float64 // how far a share may be from its exact proportion: parts per segment
}{
	{"", []string{"0:1"}, 1},
	{"", []string{"0:1/2", "1/2:1"}, 1},
	{"", []string{"0:1/3", "1/3:2/3", "2/3:1"}, 1},
	{"", []string{"0:1/4", "1/4:2/4", "2/4:3/4", "3/4:1"}, 1},
	{"0,1/4,1/2,1", []string{"0:1/4", "1/4:1/2", "1/2:1"}, 1},
	{"0,1/3,1/2,3/5,1", []string{"0:1/3", "1/3:1/2", "1/2:3/5", "3/5:1"}, 1},
	{"0,1/7,1", []string{"0:1/7", "1/7:1"}, 1},
	{"0,1/4,1/2,3/4,1", []string{"0:1/2", "1/2:1"}, 2}, // segments spanning two parts each
}

func partitions(t *testing.T, seq string, segments []string) []*executor.Partition {
	t.Helper()
	q, err := executor.ParseSequence(seq)
	if err != nil {
		t.Fatal(err)
	}
	var out []*executor.Partition
	for _, s := range segments {
		seg, err := executor.ParseSegment(s)
		if err != nil {
			t.Fatal(err)
		}
		p, err := executor.NewPartition(seg, q)
		if err != nil {
			t.Fatalf("NewPartition(%s, %q) error = %v", s, seq, err)
		}
		out = append(out, p)
	}
	return out
}

// TestPartitionSharesAreExact checks, for every split and every n up to 500, that the shares
// add up to n, that every index of the whole belongs to exactly one segment (Owns and Index
// agree), that shares are monotonic and within 1 of their exact proportion (within the number
// of sequence parts for a segment that spans several).
func TestPartitionSharesAreExact(t *testing.T) {
	for _, sp := range splits {
		parts := partitions(t, sp.seq, sp.segments)
		owner := map[int64]int{}
		for k, p := range parts {
			for m := range int64(500) {
				i := p.Index(m)
				if prev, dup := owner[i]; dup {
					t.Fatalf("%v: index %d owned by segments %d and %d", sp.segments, i, prev, k)
				}
				owner[i] = k
				if !p.Owns(i) {
					t.Fatalf("%v: segment %d: Owns(Index(%d) = %d) = false", sp.segments, k, m, i)
				}
			}
		}
		for n := int64(0); n <= 500; n++ {
			var sum int64
			for k, p := range parts {
				share := p.Scale(n)
				sum += share
				if share < p.Scale(n-1) {
					t.Fatalf("%v: segment %d: Scale(%d) = %d < Scale(%d)", sp.segments, k, n, share, n-1)
				}
				w := width(p.Segment())
				if exact := float64(n) * w; math.Abs(float64(share)-exact) >= sp.spread {
					t.Errorf("%v: segment %d: Scale(%d) = %d; want within %v of %v", sp.segments, k, n, share, sp.spread, exact)
				}
				owned := int64(0)
				for i := range n {
					if p.Owns(i) {
						owned++
					}
				}
				if owned != share {
					t.Fatalf("%v: segment %d: owns %d of the first %d indices; Scale says %d", sp.segments, k, owned, n, share)
				}
			}
			if sum != n {
				t.Fatalf("%v: shares of %d add up to %d", sp.segments, n, sum)
			}
		}
	}
}

func width(s executor.Segment) float64 {
	start, end := new(big.Rat), big.NewRat(1, 1)
	if s.Start != nil {
		start = s.Start
	}
	if s.End != nil {
		end = s.End
	}
	f, _ := new(big.Rat).Sub(end, start).Float64()
	return f
}

func TestPartitionEvenStriping(t *testing.T) {
	// Equal quarters: each segment owns one index in every four consecutive ones.
	parts := partitions(t, "", []string{"0:1/4", "1/4:2/4", "2/4:3/4", "3/4:1"})
	for k, p := range parts {
		for m := range int64(20) {
			if got, want := p.Index(m), 4*m+int64(k); got != want {
				t.Fatalf("segment %d: Index(%d) = %d; want %d", k, m, got, want)
			}
		}
	}
}

func TestNewPartitionErrors(t *testing.T) {
	seg, _ := executor.ParseSegment("1/3:1/2")
	q, _ := executor.ParseSequence("0,1/4,1/2,1")
	if _, err := executor.NewPartition(seg, q); err == nil || !strings.Contains(err.Error(), "is not in the sequence") {
		t.Errorf("NewPartition(1/3:1/2, 0,1/4,1/2,1) error = %v", err)
	}
	seg, _ = executor.ParseSegment("0:1/1048583") // a prime above MaxPeriod
	if _, err := executor.NewPartition(seg, nil); err == nil {
		t.Error("NewPartition with a huge period: no error")
	}
}

func TestGaps(t *testing.T) {
	parse := func(list ...string) []executor.Segment {
		var out []executor.Segment
		for _, s := range list {
			seg, err := executor.ParseSegment(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, seg)
		}
		return out
	}
	for _, tc := range []struct {
		segs []string
		want string // gaps joined by " "
		err  bool
	}{
		{[]string{"0:1/4", "1/4:1/2", "1/2:3/4", "3/4:1"}, "", false},
		{[]string{"3/4:1", "0:1/4", "1/2:3/4"}, "1/4:1/2", false}, // any order
		{[]string{"0:1/3", "2/3:1"}, "1/3:2/3", false},
		{[]string{"1/4:1/2"}, "0:1/4 1/2:1", false},
		{[]string{"0:1/2", "1/2:3/4"}, "3/4:1", false},
		{[]string{"0:1/2", "1/3:1"}, "", true},
		{[]string{"0:1/2", "0:1/2", "1/2:1"}, "", true},
	} {
		gaps, err := executor.Gaps(parse(tc.segs...))
		var got []string
		for _, g := range gaps {
			got = append(got, g.String())
		}
		if (err != nil) != tc.err || strings.Join(got, " ") != tc.want {
			t.Errorf("Gaps(%v) = %v, %v; want %q (error: %v)", tc.segs, got, err, tc.want, tc.err)
		}
	}
}
