package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FormatDuration renders a duration given in milliseconds (the unit of every ctiload trend) in
// the unit that fits, with three significant digits: "850µs", "1.23ms", "12.3ms", "123ms",
// "1.23s", "12.3s", then "1m05s" and "1h02m03s" from a minute on. Sub-microsecond values read
// "0µs" (trends have microsecond resolution); negative values get a minus sign.
func FormatDuration(ms float64) string {
	switch {
	case math.IsNaN(ms):
		return "-"
	case math.IsInf(ms, 0):
		if ms < 0 {
			return "-∞"
		}
		return "∞"
	case ms < 0:
		return "-" + FormatDuration(-ms)
	}
	us := ms * 1000
	if math.Round(us) < 1000 {
		return strconv.FormatFloat(math.Round(us), 'f', 0, 64) + "µs"
	}
	if ms < 999.5 {
		return sig3(ms) + "ms"
	}
	sec := ms / 1000
	if sec < 59.95 {
		return sig3(sec) + "s"
	}
	d := time.Duration(math.Round(sec)) * time.Second
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

// sig3 formats v (≥ 1 once rounded, < 1000) with three significant digits.
func sig3(v float64) string {
	switch {
	case v < 9.995:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 99.95:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// FormatElapsed renders a run time the way a progress line shows it: "00m05s", "12m30s",
// "1h02m03s".
func FormatElapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Truncate(time.Second)
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%02dm%02ds", m, s)
}

// FormatCount renders a count: whole numbers without decimals, others with up to three.
func FormatCount(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(v, 'f', 3, 64), "0"), ".")
}

// FormatThousands renders a whole count with thousands separators: "1,240".
func FormatThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// FormatRate renders a rate per second with three significant digits: "0.333/s", "12.3/s",
// "1234/s".
func FormatRate(perSecond float64) string {
	return FormatNumber(perSecond) + "/s"
}

// FormatNumber renders a non-integral quantity with three significant digits, and large ones
// whole: "0.333", "12.3", "1234".
func FormatNumber(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "-"
	case a == 0:
		return "0"
	case a < 0.001:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a < 0.9995:
		return strconv.FormatFloat(v, 'f', 3, 64)
	case a < 9.995:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a < 99.95:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// FormatPercent renders a fraction (0…1) as a percentage: "99.50%", "100.00%".
func FormatPercent(frac float64) string {
	if math.IsNaN(frac) {
		return "-"
	}
	return strconv.FormatFloat(frac*100, 'f', 2, 64) + "%"
}

// FormatBytes renders a byte count in SI units: "512 B", "12.3 kB", "4.56 MB".
func FormatBytes(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	i := 0
	for math.Abs(b) >= 999.5 && i < len(units)-1 {
		b /= 1000
		i++
	}
	if i == 0 {
		return strconv.FormatFloat(math.Round(b), 'f', 0, 64) + " B"
	}
	return FormatNumber(b) + " " + units[i]
}
