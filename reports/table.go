package reports

import (
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// style is a text attribute for terminals.
type style uint8

const (
	plain style = iota
	bold
	dim
	green
	red
	yellow
	cyan
	boldGreen
	boldRed
	boldYellow
)

var ansi = [...]string{
	plain: "", bold: "\x1b[1m", dim: "\x1b[2m", green: "\x1b[32m", red: "\x1b[31m",
	yellow: "\x1b[33m", cyan: "\x1b[36m", boldGreen: "\x1b[1;32m", boldRed: "\x1b[1;31m",
	boldYellow: "\x1b[1;33m",
}

// paint wraps s in the style's escape codes when color is on.
func paint(color bool, st style, s string) string {
	if !color || st == plain || s == "" {
		return s
	}
	return ansi[st] + s + "\x1b[0m"
}

// cell is one table cell: text and its style.
type cell struct {
	s  string
	st style
}

func c(s string) cell            { return cell{s: s} }
func cs(s string, st style) cell { return cell{s: s, st: st} }

// column is a table column: its title and alignment.
type column struct {
	title string
	right bool
}

// table renders aligned columns of text. Widths count runes, so "µs" and "✓" take one column
// each; escape codes are added after the padding and never count.
type table struct {
	indent string
	cols   []column
	rows   [][]cell
	rules  map[int]bool // a rule line before row i
}

func newTable(indent string, cols ...column) *table { return &table{indent: indent, cols: cols} }

func (t *table) add(cells ...cell) { t.rows = append(t.rows, cells) }

// rule draws a thin line before the next row.
func (t *table) rule() {
	if t.rules == nil {
		t.rules = map[int]bool{}
	}
	t.rules[len(t.rows)] = true
}

// width is s's width on a terminal, in cells: a CJK character takes two, a combining mark none
// (a check named in Japanese must not push the columns out of line).
func width(s string) int { return runewidth.StringWidth(s) }

func (t *table) render(w io.Writer, color bool) error {
	n := len(t.cols)
	widths := make([]int, n)
	hasTitle := false
	for i, col := range t.cols {
		widths[i] = width(col.title)
		hasTitle = hasTitle || col.title != ""
	}
	for _, r := range t.rows {
		for i, cl := range r {
			if i < n {
				widths[i] = max(widths[i], width(cl.s))
			}
		}
	}
	var b strings.Builder
	line := func(cells []cell) {
		var l strings.Builder
		l.WriteString(t.indent)
		for i := 0; i < n; i++ {
			var cl cell
			if i < len(cells) {
				cl = cells[i]
			}
			pad := strings.Repeat(" ", widths[i]-width(cl.s))
			if i > 0 {
				l.WriteString("  ")
			}
			if t.cols[i].right {
				l.WriteString(pad)
				l.WriteString(paint(color, cl.st, cl.s))
			} else {
				l.WriteString(paint(color, cl.st, cl.s))
				if i < n-1 {
					l.WriteString(pad)
				}
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	if hasTitle {
		titles := make([]cell, n)
		for i, col := range t.cols {
			titles[i] = cs(col.title, dim)
		}
		line(titles)
	}
	total := 0
	for i, wd := range widths {
		total += wd
		if i > 0 {
			total += 2
		}
	}
	for i, r := range t.rows {
		if t.rules[i] {
			b.WriteString(t.indent + paint(color, dim, strings.Repeat("─", total)) + "\n")
		}
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
