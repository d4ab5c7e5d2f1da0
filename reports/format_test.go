package reports_test

import (
	"math"
	"testing"
	"time"

	"github.com/ctiload/ctiload/reports"
)

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		ms   float64
		want string
	}{
		{0, "0µs"},
		{0.0004, "0µs"},
		{0.001, "1µs"},
		{0.2345, "235µs"},
		{0.9994, "999µs"},
		{0.9996, "1.00ms"},
		{1.234, "1.23ms"},
		{9.996, "10.0ms"},
		{12.34, "12.3ms"},
		{99.96, "100ms"},
		{123.4, "123ms"},
		{999.4, "999ms"},
		{999.6, "1.00s"},
		{1234, "1.23s"},
		{12345, "12.3s"},
		{59940, "59.9s"},
		{59960, "1m00s"},
		{65000, "1m05s"},
		{3723000, "1h02m03s"},
		{-1.5, "-1.50ms"},
		{math.NaN(), "-"},
		{math.Inf(1), "∞"},
	} {
		if got := reports.FormatDuration(tc.ms); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q; want %q", tc.ms, got, tc.want)
		}
	}
}

func TestFormatNumbers(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"count 0", reports.FormatCount(0), "0"},
		{"count 1820", reports.FormatCount(1820), "1820"},
		{"count 2.5", reports.FormatCount(2.5), "2.5"},
		{"rate 1/3", reports.FormatRate(1.0 / 3), "0.333/s"},
		{"rate 30.33", reports.FormatRate(30.33), "30.3/s"},
		{"rate 1234.6", reports.FormatRate(1234.6), "1235/s"},
		{"rate 0", reports.FormatRate(0), "0/s"},
		{"percent", reports.FormatPercent(0.9925), "99.25%"},
		{"bytes 512", reports.FormatBytes(512), "512 B"},
		{"bytes 999.6", reports.FormatBytes(999.6), "1.00 kB"},
		{"bytes 162000", reports.FormatBytes(162000), "162 kB"},
		{"bytes 4.56e6", reports.FormatBytes(4.56e6), "4.56 MB"},
		{"elapsed", reports.FormatElapsed(65 * time.Second), "01m05s"},
		{"elapsed h", reports.FormatElapsed(time.Hour + 2*time.Minute + 3500*time.Millisecond), "1h02m03s"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q; want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestStatLabel(t *testing.T) {
	for in, want := range map[string]string{"p(95)": "p95", "p(99.9)": "p99.9", "med": "med", "avg": "avg"} {
		if got := reports.StatLabel(in); got != want {
			t.Errorf("StatLabel(%q) = %q; want %q", in, got, want)
		}
	}
}
