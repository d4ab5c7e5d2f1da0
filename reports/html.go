package reports

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/web"
)

//go:embed report.html.tmpl
var htmlTemplateText string

// pageScript draws the charts of the page model with uPlot and, on the dashboard, applies the
// live updates.
//
//go:embed report.js
var pageScript string

// htmlTemplate is the report's template, parsed on first use: parsing it at package init cost
// every ctiload process, whatever its command, 180 KB of heap and the parser's pages.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"dur":     FormatDuration,
		"count":   func(v any) string { return FormatCount(toFloat(v)) },
		"rate":    FormatRate,
		"percent": FormatPercent,
		"bytes":   FormatBytes,
		"label":   StatLabel,
		"names":   nameCounts,
		"failed":  failedRequests,
		"stat": func(r any, k string) string {
			var values map[string]float64
			switch x := r.(type) {
			case LatencyRow:
				values = x.Values
			case *LatencyRow:
				if x != nil {
					values = x.Values
				}
			}
			return statText(&LatencyRow{Values: values}, k)
		},
		"pct": func(frac float64) string { return fmt.Sprintf("%.1f", math.Max(0, math.Min(100, frac*100))) },
		"checkRate": func(c CheckRow) float64 {
			if n := c.Passes + c.Fails; n > 0 {
				return float64(c.Passes) / float64(n)
			}
			return 0
		},
		"describe": func(m MetricRow, stats []string) string { return m.Describe(stats) },
		"wrap":     wrapPoints,
	}).Parse(htmlTemplateText))
})

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// HTMLOptions tune the HTML report.
type HTMLOptions struct {
	// Generated is the time printed in the footer; zero means now.
	Generated time.Time
	// Live makes the page the live dashboard's: it says the run is going on and follows it
	// over Server-Sent Events from EventsURL (relative to the page), each event a LiveUpdate.
	Live      bool
	EventsURL string
	// Comparison, when set, puts the run beside a baseline (ctiload report --baseline).
	Comparison *Comparison
}

// NewHTMLReporter returns the HTML report: one self-contained file (inline CSS, uPlot and the
// page's script, the data as JSON; nothing fetched, so it opens offline) with the summary's
// tables and charts (see page.go). The live dashboard is the same page (HTMLOptions.Live).
func NewHTMLReporter(s *Summary, o HTMLOptions) Reporter {
	return func(w io.Writer) error {
		gen := o.Generated
		if gen.IsZero() {
			gen = time.Now()
		}
		model, err := json.Marshal(newPageModel(s, 0))
		if err != nil {
			return fmt.Errorf("rendering the HTML report: %w", err)
		}
		data := htmlData{S: s, Generated: gen.UTC().Format("2006-01-02 15:04:05 MST"), Live: o.Live,
			EventsURL: o.EventsURL, Model: template.JS(model), Cmp: o.Comparison,
			UPlotJS: template.JS(web.UPlotJS), UPlotCSS: template.CSS(web.UPlotCSS), AppJS: template.JS(pageScript),
			UPlotVersion: strings.TrimSpace(web.UPlotVersion)}
		var b strings.Builder
		if err := htmlTemplate().Execute(&b, data); err != nil {
			return fmt.Errorf("rendering the HTML report: %w", err)
		}
		_, err = io.WriteString(w, b.String())
		return err
	}
}

// liveParts are the parts of the page a LiveUpdate replaces: the templates of the same names.
var liveParts = []string{"header", "tiles", "thresholds", "tables"}

// LiveUpdate is one event of the live dashboard: the page's parts rendered again from s, and
// the charts with the points from the second since on (every point with 0). done says the run
// has ended: s is the final summary, and the page stops listening.
func LiveUpdate(s *Summary, since int64, done bool) ([]byte, error) {
	data := htmlData{S: s, Live: !done}
	parts := map[string]string{}
	for _, name := range liveParts {
		var b strings.Builder
		if err := htmlTemplate().ExecuteTemplate(&b, name, data); err != nil {
			return nil, fmt.Errorf("rendering the dashboard's %s: %w", name, err)
		}
		parts[name] = b.String()
	}
	return json.Marshal(struct {
		Parts map[string]string `json:"parts"`
		Model pageModel         `json:"model"`
		Done  bool              `json:"done"`
	}{parts, newPageModel(s, since), done})
}

type htmlData struct {
	S         *Summary
	Generated string
	Live      bool
	EventsURL string
	Model     template.JS // pageModel as JSON
	Cmp       *Comparison
	UPlotJS   template.JS
	UPlotCSS  template.CSS
	AppJS     template.JS
	// UPlotVersion is credited in the footer.
	UPlotVersion string
}

// Title is the page title.
func (d htmlData) Title() string {
	if d.S.Run.Script != "" {
		return "ctiload — " + d.S.Run.Script
	}
	return "ctiload report"
}

// DurationText is the run's duration.
func (d htmlData) DurationText() string {
	return FormatDuration(float64(time.Duration(d.S.Result.Duration)) / float64(time.Millisecond))
}

// Started is the run's start time.
func (d htmlData) Started() string {
	if d.S.Result.StartTime.IsZero() {
		return "-"
	}
	return d.S.Result.StartTime.UTC().Format("2006-01-02 15:04:05 MST")
}

// VerdictClass is the CSS class of the verdict badge.
func (d htmlData) VerdictClass() string {
	switch v := d.S.Verdict; {
	case v.Passed():
		return "pass"
	case v.Status == "interrupted":
		return "warn"
	}
	return "fail"
}

// wrapPoints escapes s and lets the browser break its line after the separators of a long
// value (a fault specification, a list of addresses) rather than in the middle of a word.
func wrapPoints(s string) template.HTML {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(template.HTMLEscapeString(string(r)))
		if strings.ContainsRune(",;/&", r) {
			b.WriteString("<wbr>")
		}
	}
	return template.HTML(b.String())
}

// HasGroupDurations reports whether a group has a group_duration.
func (s *Summary) HasGroupDurations() bool {
	for _, g := range s.Groups {
		if g.Duration != nil {
			return true
		}
	}
	return false
}
