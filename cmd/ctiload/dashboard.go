package main

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/reports"
)

// The live dashboard (--dashboard): the HTML report's page, served while the test runs and
// updated every second over Server-Sent Events; when the run ends it shows the final report.
// It listens on loopback only and lets in only the run's token, under the control API's rules
// (guardLoopback): the URL ctiload prints carries the token once, traded at once for a cookie.

const (
	// defaultDashboardAddr is where --dashboard alone listens: k6's dashboard port.
	defaultDashboardAddr = "127.0.0.1:5665"
	dashboardCookie      = "ctiload_dashboard"
	dashboardPeriod      = time.Second
	// dashboardOverlap is how many seconds before the last one sent each update repeats: a
	// second's percentiles stay open for late samples (metrics.DefaultTimeSeriesWindow).
	dashboardOverlap = 10
)

// partialSource is what the dashboard reads of a running test (*engine.Run).
type partialSource interface {
	Partial() *engine.Result
}

type dashboard struct {
	run   partialSource
	info  reports.RunInfo
	opts  reports.SummaryOptions
	pairs func() []reports.PairCount

	mu     sync.Mutex
	cached *reports.Summary
	at     time.Time
	final  *reports.Summary
	done   chan struct{}
}

func newDashboard(run partialSource, info reports.RunInfo, opts reports.SummaryOptions, pairs func() []reports.PairCount) *dashboard {
	return &dashboard{run: run, info: info, opts: opts, pairs: pairs, done: make(chan struct{})}
}

// summary returns the final summary once the run ended, else the summary so far (computed at
// most once per period, however many pages are open).
func (d *dashboard) summary() (s *reports.Summary, final bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.final != nil {
		return d.final, true, nil
	}
	if d.cached != nil && time.Since(d.at) < dashboardPeriod/2 {
		return d.cached, false, nil
	}
	s, err = reports.NewSummary(reports.Input{Result: d.run.Partial(), Run: d.info, Pairs: d.pairs()}, d.opts)
	if err != nil {
		return nil, false, err
	}
	d.cached, d.at = s, time.Now()
	return s, false, nil
}

// finish gives the pages the final summary.
func (d *dashboard) finish(s *reports.Summary) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.final == nil {
		d.final = s
		close(d.done)
	}
}

// pagePolicy keeps the page to its own origin: inline scripts and styles, the event stream.
const pagePolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (d *dashboard) handler(token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("token"); t != "" {
			// The guard checked it: keep it in a cookie, and out of the address bar and history.
			http.SetCookie(w, &http.Cookie{Name: dashboardCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		s, final, err := d.summary()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var b bytes.Buffer
		if err := reports.NewHTMLReporter(s, reports.HTMLOptions{Live: !final, EventsURL: "events"})(&b); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		securityHeaders(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b.Bytes())
	})
	mux.HandleFunc("GET /events", d.events)
	return guardLoopback(mux, token, dashboardCookie)
}

func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", pagePolicy)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}

// events streams a LiveUpdate every period until the run ends, then the final one.
func (d *dashboard) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	var since int64 // the first event sends every point
	tick := time.NewTicker(dashboardPeriod)
	defer tick.Stop()
	for {
		s, final, err := d.summary()
		if err != nil {
			fmt.Fprintf(w, "event: error\ndata: %q\n\n", err.Error())
			flusher.Flush()
			return
		}
		up, err := reports.LiveUpdate(s, since, final)
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", up); err != nil {
			return
		}
		flusher.Flush()
		if final {
			return
		}
		since = lastSecond(s.Result) - dashboardOverlap
		select {
		case <-r.Context().Done():
			return
		case <-d.done:
			since = 0 // the final points replace all: percentiles are final now
		case <-tick.C:
		}
	}
}

// lastSecond is the newest second of the result's series.
func lastSecond(res *engine.Result) int64 {
	var last int64
	for _, se := range res.TimeSeries {
		if n := len(se.Points); n > 0 {
			last = max(last, se.Points[n-1].Time)
		}
	}
	return last
}

// startDashboard listens on addr (loopback only) and serves the dashboard.
func startDashboard(addr, token string, d *dashboard, logf func(string, ...any)) (stop func(), bound string, err error) {
	l, err := listenLoopback("--dashboard", addr)
	if err != nil {
		return nil, "", err
	}
	return serve(l, d.handler(token), func(f string, a ...any) { logf("dashboard: "+f, a...) }), l.Addr().String(), nil
}
