package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
	"golang.org/x/term"
)

// Refresh periods of the live view.
const (
	ttyRefresh   = 250 * time.Millisecond
	plainRefresh = 10 * time.Second
	rateWindow   = 3 * time.Second // requests/s is measured over the last few seconds
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	// Asking the terminal driver, not the file mode: /dev/null is a character device too, and a
	// run redirected there must not draw a live view.
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
}

// useColor reports whether to color output to w.
func useColor(w io.Writer, noColor bool) bool {
	return !noColor && os.Getenv("NO_COLOR") == "" && isTerminal(w)
}

// progressSource is what the live view reads: engine.Run.
type progressSource interface {
	Progress() []executor.Progress
	Snapshot(key string) (metrics.Summary, bool)
	Elapsed() time.Duration
}

// progress is the live view on standard error: on a terminal one line per scenario redrawn in
// place; otherwise a plain line per scenario when the scenarios start and every 10 seconds.
// Logs go through logWriter, which lifts the live lines out of the way and puts them back.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	color   bool
	quiet   bool
	src     progressSource
	drawn   []string // the lines on screen (tty)
	history map[string][]rateSample
	started bool
	stop    chan struct{}
	done    chan struct{}
}

type rateSample struct {
	at    time.Time
	count float64
}

func newProgress(w io.Writer, tty, color, quiet bool) *progress {
	return &progress{w: w, tty: tty, color: color, quiet: quiet, history: map[string][]rateSample{}}
}

// logWriter returns the writer logs should use so that they do not tear the live lines.
func (p *progress) logWriter() io.Writer { return progressLog{p} }

type progressLog struct{ p *progress }

func (l progressLog) Write(b []byte) (int, error) {
	p := l.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	n, err := p.w.Write(b)
	p.redrawLocked()
	return n, err
}

// printf writes a message line through the live view.
func (p *progress) printf(format string, args ...any) {
	fmt.Fprintf(p.logWriter(), format+"\n", args...)
}

func (p *progress) clearLocked() {
	if !p.tty || len(p.drawn) == 0 {
		return
	}
	var b strings.Builder
	for range p.drawn {
		b.WriteString("\x1b[1A\x1b[2K") // up one line, clear it
	}
	b.WriteString("\r")
	io.WriteString(p.w, b.String())
}

func (p *progress) redrawLocked() {
	if !p.tty || len(p.drawn) == 0 {
		return
	}
	io.WriteString(p.w, strings.Join(p.drawn, "\n")+"\n")
}

// start begins refreshing the view of src until finish.
func (p *progress) start(src progressSource) {
	if p.quiet {
		return
	}
	p.src = src
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.loop()
}

func (p *progress) loop() {
	defer close(p.done)
	period := ttyRefresh
	if !p.tty {
		period = 250 * time.Millisecond // to notice the start; lines every plainRefresh
	}
	t := time.NewTicker(period)
	defer t.Stop()
	var lastPlain time.Time
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			if p.tty {
				p.draw(p.render(now))
				continue
			}
			elapsed := p.src.Elapsed()
			if elapsed > 0 && (!p.started || now.Sub(lastPlain) >= plainRefresh) {
				p.started = true
				lastPlain = now
				lines := p.render(now)
				p.mu.Lock()
				io.WriteString(p.w, strings.Join(lines, "\n")+"\n")
				p.mu.Unlock()
			}
		}
	}
}

func (p *progress) draw(lines []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	p.drawn = lines
	p.redrawLocked()
}

// finish stops refreshing; on a terminal the last state stays on screen.
func (p *progress) finish() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	<-p.done
	if p.tty {
		p.draw(p.render(time.Now()))
		p.mu.Lock()
		p.drawn = nil // leave them on screen
		p.mu.Unlock()
	}
}

func (p *progress) paint(st, s string) string {
	if !p.color || s == "" {
		return s
	}
	return st + s + "\x1b[0m"
}

// render builds one line per scenario.
func (p *progress) render(now time.Time) []string {
	scenarios := p.src.Progress()
	width := 0
	for _, sc := range scenarios {
		width = max(width, len(sc.Scenario))
	}
	var lines []string
	for _, sc := range scenarios {
		lines = append(lines, p.line(sc, width, now))
	}
	return lines
}

func (p *progress) count(key string) float64 {
	if m, ok := p.src.Snapshot(key); ok {
		return m.Values["count"]
	}
	return 0
}

// waits returns the count and the total (ms) of a trend of waits.
func (p *progress) waits(key string) (float64, float64) {
	if m, ok := p.src.Snapshot(key); ok && m.Values["count"] > 0 {
		return m.Values["count"], m.Values["avg"] * m.Values["count"]
	}
	return 0, 0
}

// rate measures a counter per second over the last rateWindow; without half a second of
// history yet, it reports false.
func (p *progress) rate(key string, now time.Time, v float64) (float64, bool) {
	h := append(p.history[key], rateSample{now, v})
	for len(h) > 2 && now.Sub(h[1].at) >= rateWindow {
		h = h[1:]
	}
	p.history[key] = h
	if dt := now.Sub(h[0].at).Seconds(); dt > 0.5 {
		return (v - h[0].count) / dt, true
	}
	return 0, false
}

func (p *progress) line(sc executor.Progress, width int, now time.Time) string {
	name := sc.Scenario + strings.Repeat(" ", width-len(sc.Scenario))
	sel := "{scenario:" + sc.Scenario + "}"
	reqs := p.count(metricnames.CTIRequests + sel)
	fails := p.count(metricnames.CTIFailures + sel)
	var p95 string
	if m, ok := p.src.Snapshot(metricnames.CTIRequestDuration + sel); ok && m.Values["count"] > 0 {
		p95 = reports.FormatDuration(m.Values["p(95)"])
	}
	reqRate, ok1 := p.rate("req"+sel, now, reqs)
	itRate, ok2 := p.rate("it"+sel, now, float64(sc.Iterations))
	if s := sc.Elapsed.Seconds(); s > 0 && (sc.State == executor.Done || !ok1 || !ok2 || s < rateWindow.Seconds()) {
		// Finished, or no window yet: the average since the scenario started.
		reqRate, itRate = reqs/s, float64(sc.Iterations)/s
	}

	var frac float64
	var clock string
	switch {
	case sc.TotalIterations > 0:
		frac = float64(sc.Iterations+sc.Interrupted) / float64(sc.TotalIterations)
		clock = fmt.Sprintf("%s %d/%d it", reports.FormatElapsed(sc.Elapsed), sc.Iterations, sc.TotalIterations)
	case sc.Duration > 0:
		frac = sc.Elapsed.Seconds() / sc.Duration.Seconds()
		clock = reports.FormatElapsed(sc.Elapsed) + "/" + reports.FormatElapsed(sc.Duration)
	default:
		clock = reports.FormatElapsed(sc.Elapsed)
	}
	state := sc.State.String()
	switch sc.State {
	case executor.Waiting:
		if sc.VUsMax == 0 {
			state = "init"
		}
	case executor.Done:
		frac = 1
	}
	frac = min(max(frac, 0), 1)

	failText := fmt.Sprintf("%s failed", reports.FormatCount(fails))
	if fails > 0 {
		failText = p.paint("\x1b[31m", failText)
	}
	parts := []string{
		p.paint("\x1b[1m", name),
		bar(frac, 20),
		fmt.Sprintf("%-8s", state),
		clock,
		fmt.Sprintf("%d/%d VUs", sc.VUs, sc.VUsMax),
		fmt.Sprintf("%s it/s", reports.FormatNumber(itRate)),
		fmt.Sprintf("%s req/s", reports.FormatNumber(reqRate)),
		failText,
	}
	if p95 != "" {
		parts = append(parts, "p95 "+p95)
	}
	// The safety waits (open back-off, rate caps) show as soon as there are any: a run that
	// backs off is a run whose target refuses sessions, and a capped run is slower on purpose.
	if n, ms := p.waits(metricnames.CTIOpenBackoffDuration + sel); n > 0 {
		parts = append(parts, p.paint("\x1b[33m", fmt.Sprintf("open back-off %s× %s", reports.FormatCount(n), reports.FormatDuration(ms))))
	}
	if n, ms := p.waits(metricnames.CTIRateLimitWaitDuration + sel); n > 0 {
		parts = append(parts, fmt.Sprintf("rate-capped %s× %s", reports.FormatCount(n), reports.FormatDuration(ms)))
	}
	if !p.tty {
		parts[1] = "" // no bar in a log file
		return "[" + reports.FormatElapsed(p.src.Elapsed()) + "] " + strings.Join(compact(parts), "  ")
	}
	return strings.Join(parts, "  ")
}

func bar(frac float64, n int) string {
	full := int(frac * float64(n))
	if full >= n {
		return "[" + strings.Repeat("=", n) + "]"
	}
	return "[" + strings.Repeat("=", full) + ">" + strings.Repeat("-", n-full-1) + "]"
}

func compact(s []string) []string {
	out := s[:0]
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
