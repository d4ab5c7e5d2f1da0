package reports

import (
	"fmt"
	"io"
	"strings"
)

// A comparison puts a run beside a baseline run (ctiload report --baseline OLD.json NEW.json):
// p50, p95 and p99 of every request type with the change, and a mark where the new run is
// slower than the tolerance allows, which is what a regression check in CI shows a person.

// ComparedStats are the latency statistics a comparison puts side by side.
var ComparedStats = []string{"p(50)", "p(95)", "p(99)"}

// Tolerance is how much slower the new run may be before a statistic is marked worse: more
// than Relative (0.1: 10 %) and more than Absolute (ms) at once, so that a microsecond of
// jitter on a fast request is not a regression.
type Tolerance struct {
	Relative float64
	Absolute float64
}

// DefaultTolerance is 10 % and 1 ms.
var DefaultTolerance = Tolerance{Relative: 0.10, Absolute: 1}

// Comparison is a run compared with its baseline.
type Comparison struct {
	Baseline  string // how the baseline is named: its file
	Tolerance Tolerance
	Rows      []ComparisonRow // request types by name, then all requests
	// Worse counts the statistics marked worse.
	Worse int
}

// ComparisonRow is one request type in both runs; Base or New is nil when a run lacks it.
type ComparisonRow struct {
	Name      string
	Base, New *LatencyRow
	Cells     []ComparisonCell // one per ComparedStats
}

// ComparisonCell is one statistic of a row.
type ComparisonCell struct {
	Stat      string
	Base, New float64 // ms
	Delta     float64 // New-Base, ms
	Relative  float64 // Delta/Base; 0 when Base is 0
	Known     bool    // both runs have it
	Worse     bool
}

// Compare compares the request latencies of cur with those of base.
func Compare(base, cur *Summary, baseName string, tol Tolerance) *Comparison {
	cmpr := &Comparison{Baseline: baseName, Tolerance: tol}
	rows := map[string]*ComparisonRow{}
	var names []string
	row := func(name string) *ComparisonRow {
		if rows[name] == nil {
			rows[name] = &ComparisonRow{Name: name}
			names = append(names, name)
		}
		return rows[name]
	}
	for i := range base.Requests {
		row(base.Requests[i].Name).Base = &base.Requests[i]
	}
	for i := range cur.Requests {
		row(cur.Requests[i].Name).New = &cur.Requests[i]
	}
	list := make([]*ComparisonRow, 0, len(names)+1)
	for _, n := range sortedKeys(rows) {
		list = append(list, rows[n])
	}
	if base.RequestTotal != nil || cur.RequestTotal != nil {
		list = append(list, &ComparisonRow{Name: "all requests", Base: base.RequestTotal, New: cur.RequestTotal})
	}
	for _, r := range list {
		for _, st := range ComparedStats {
			c := ComparisonCell{Stat: st}
			var okB, okN bool
			if r.Base != nil {
				c.Base, okB = r.Base.Values[st]
			}
			if r.New != nil {
				c.New, okN = r.New.Values[st]
			}
			if c.Known = okB && okN; c.Known {
				c.Delta = c.New - c.Base
				if c.Base > 0 {
					c.Relative = c.Delta / c.Base
				}
				c.Worse = c.Delta > tol.Absolute && c.Delta > tol.Relative*c.Base
				if c.Worse {
					cmpr.Worse++
				}
			}
			r.Cells = append(r.Cells, c)
		}
		cmpr.Rows = append(cmpr.Rows, *r)
	}
	return cmpr
}

// DeltaText renders a cell's change: "+12.3 ms (+45 %)".
func (c ComparisonCell) DeltaText() string {
	if !c.Known {
		return "-"
	}
	sign := "+"
	if c.Delta < 0 {
		sign = "-"
	}
	s := sign + FormatDuration(abs(c.Delta))
	switch {
	case c.Base > 0 && c.Relative >= 9:
		s += fmt.Sprintf(" (×%.0f)", c.New/c.Base)
	case c.Base > 0:
		s += fmt.Sprintf(" (%s%.0f %%)", sign, 100*abs(c.Relative))
	}
	return s
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// ToleranceText renders the tolerance: "10 % and 1.00ms".
func (c *Comparison) ToleranceText() string {
	return fmt.Sprintf("%s and %s", strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", 100*c.Tolerance.Relative), "0"), ".0")+" %", FormatDuration(c.Tolerance.Absolute))
}

// NewComparisonTextReporter prints the comparison as a table: baseline and new value of each
// statistic with the change, "▲ worse" where the new run is slower than the tolerance.
func NewComparisonTextReporter(cmp *Comparison, o TextOptions) Reporter {
	return func(w io.Writer) error {
		t := &textWriter{color: o.Color}
		t.section("COMPARED WITH "+cmp.Baseline, "request latency; worse: slower by more than "+cmp.ToleranceText())
		cols := []column{{title: "REQUEST"}}
		for _, st := range ComparedStats {
			l := StatLabel(st)
			cols = append(cols, column{title: l + " BASE", right: true}, column{title: l + " NEW", right: true}, column{title: "CHANGE", right: true})
		}
		tb := newTable("  ", cols...)
		for i, r := range cmp.Rows {
			if i == len(cmp.Rows)-1 && r.Name == "all requests" {
				tb.rule()
			}
			cells := []cell{c(r.Name)}
			for _, x := range r.Cells {
				b, n := "-", "-"
				if r.Base != nil {
					b = statText(r.Base, x.Stat)
				}
				if r.New != nil {
					n = statText(r.New, x.Stat)
				}
				d := cs(x.DeltaText(), plain)
				if x.Worse {
					d = cs("▲ "+x.DeltaText(), boldRed)
				}
				cells = append(cells, c(b), c(n), d)
			}
			tb.add(cells...)
		}
		t.table(tb)
		if cmp.Worse > 0 {
			t.b.WriteString("\n  " + t.p(boldRed, fmt.Sprintf("▲ %d statistic(s) worse than the baseline", cmp.Worse)) + "\n")
		} else {
			t.b.WriteString("\n  " + t.p(green, "no statistic worse than the baseline") + "\n")
		}
		_, err := io.WriteString(w, t.b.String())
		return err
	}
}

func statText(r *LatencyRow, stat string) string {
	if v, ok := r.Values[stat]; ok {
		return FormatDuration(v)
	}
	return "-"
}
