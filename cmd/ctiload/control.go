package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

// controllable is what the control API needs of a running test (*engine.Run).
type controllable interface {
	Progress() []executor.Progress
	SetTarget(scenario string, v float64) error
	Stop() bool
}

// resumer is a run started with --paused (pauseGate).
type resumer interface{ Resume() bool }

// pauseGate holds a --paused run before it starts, until the control API resumes it. A stop
// (Ctrl-C, POST /v1/stop) opens the gate too: the run then starts stopped and ends at once,
// with its (empty) reports.
type pauseGate struct {
	controllable
	once    sync.Once
	resumed chan struct{}
}

func newPauseGate(run controllable) *pauseGate {
	return &pauseGate{controllable: run, resumed: make(chan struct{})}
}

// Resume lets the run start; it reports whether this call was the one that did.
func (g *pauseGate) Resume() bool {
	first := false
	g.once.Do(func() { close(g.resumed); first = true })
	return first
}

// Stop stops the run and lets it through the gate, so that it ends.
func (g *pauseGate) Stop() bool {
	first := g.controllable.Stop()
	g.Resume()
	return first
}

// scenarioView is one scenario as the control API shows it.
type scenarioView struct {
	Name            string  `json:"name"`
	Executor        string  `json:"executor"`
	State           string  `json:"state"`
	ElapsedSeconds  float64 `json:"elapsed_s"`
	DurationSeconds float64 `json:"duration_s"`
	VUs             int64   `json:"vus"`
	VUsMax          int64   `json:"vus_max"`
	Iterations      int64   `json:"iterations"`
	Failed          int64   `json:"failed"`
	Interrupted     int64   `json:"interrupted"`
	Dropped         int64   `json:"dropped"`
	IterationsPerS  float64 `json:"iterations_per_s"`
	Target          float64 `json:"target"`
}

// newControlHandler serves the runtime control API of a test (k6 had one; its users still ask
// for it): change the VU count or arrival rate of a running scenario without restarting the test.
//
//	GET  /v1/scenarios          every scenario's progress and current target
//	POST /v1/scenarios/{name}   {"target": N}: VUs (constant-vus, ramping-vus) or iterations per
//	                            timeUnit (arrival-rate executors)
//	POST /v1/stop               graceful stop, as the first Ctrl-C
//	POST /v1/resume             start a run begun with --paused
//
// Every request carries "Authorization: Bearer TOKEN"; see guardControl for the other checks.
func newControlHandler(run controllable, token string, logf func(format string, args ...any)) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/scenarios", func(w http.ResponseWriter, _ *http.Request) {
		var out []scenarioView
		for _, p := range run.Progress() {
			out = append(out, scenarioView{
				Name: p.Scenario, Executor: p.Executor, State: fmt.Sprint(p.State),
				ElapsedSeconds: p.Elapsed.Seconds(), DurationSeconds: p.Duration.Seconds(),
				VUs: p.VUs, VUsMax: p.VUsMax, Iterations: p.Iterations, Failed: p.Failed,
				Interrupted: p.Interrupted, Dropped: p.Dropped, IterationsPerS: p.IterationsPerSecond, Target: p.Target,
			})
		}
		writeJSON(w, http.StatusOK, map[string]any{"scenarios": out})
	})
	mux.HandleFunc("POST /v1/scenarios/{name}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Target *float64 `json:"target"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || body.Target == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want a JSON body {"target": N}`})
			return
		}
		name := r.PathValue("name")
		if err := run.SetTarget(name, *body.Target); err != nil {
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			return
		}
		logf("control: scenario %s target set to %g", name, *body.Target)
		writeJSON(w, http.StatusOK, map[string]any{"scenario": name, "target": *body.Target})
	})
	mux.HandleFunc("POST /v1/stop", func(w http.ResponseWriter, _ *http.Request) {
		first := run.Stop()
		if first {
			logf("control: graceful stop requested")
		}
		writeJSON(w, http.StatusOK, map[string]bool{"stopping": true, "first": first})
	})
	mux.HandleFunc("POST /v1/resume", func(w http.ResponseWriter, _ *http.Request) {
		r, ok := run.(resumer)
		if !ok {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "the run was not started with --paused"})
			return
		}
		first := r.Resume()
		if first {
			logf("control: resumed")
		}
		writeJSON(w, http.StatusOK, map[string]bool{"resumed": true, "first": first})
	})
	return guardControl(mux, token)
}

// controlTokenEnv names the environment variable that sets the control API's token; without it
// each run makes one up and prints it once, in the line that announces the API.
const controlTokenEnv = "CTILOAD_CONTROL_TOKEN"

// newControlToken returns a random token (128 bits or more, base32).
func newControlToken() string { return rand.Text() }

// guardControl lets through only what a user's own curl or script sends, not what a web page
// can make a browser send. A page open on the load generator's host can POST a form to
// 127.0.0.1 (no preflight for form content types), and a DNS-rebinding page can even read the
// answers under its own name. So:
//
//   - Host must name the loopback address the API listens on (a rebound name is refused);
//   - Origin, when present (browsers send it), must be that address too;
//   - Authorization must be "Bearer TOKEN" with the run's token (a page cannot know it);
//   - a POST must say Content-Type: application/json (forms cannot, without a CORS preflight,
//     which the API never answers).
func guardControl(next http.Handler, token string) http.Handler {
	return guardLoopback(next, token, "")
}

// guardLoopback is guardControl for a server a browser uses too (the dashboard): when cookie
// is set, the token may also come in that cookie, or, on a GET, in a ?token= parameter (the URL
// ctiload prints; the dashboard trades it for the cookie at once).
func guardLoopback(next http.Handler, token, cookie string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if !loopbackHost(r.Host, local) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": fmt.Sprintf("Host %q is not the control API's loopback address", r.Host)})
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || !loopbackHost(u.Host, local) {
				writeJSON(w, http.StatusForbidden, map[string]string{"error": fmt.Sprintf("cross-origin request from %q refused", o)})
				return
			}
		}
		auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok && cookie != "" {
			if c, err := r.Cookie(cookie); err == nil {
				auth, ok = c.Value, true
			} else if q := r.URL.Query().Get("token"); q != "" && r.Method == http.MethodGet {
				auth, ok = q, true
			}
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ctiload"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing \"Authorization: Bearer TOKEN\" (the token ctiload run printed, or " + controlTokenEnv + ")"})
			return
		}
		if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(auth)), []byte(token)) != 1 {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "wrong token"})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "want Content-Type: application/json"})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether host (a Host header or an Origin's host) names a loopback
// address, or localhost, on the port of local, the address the connection came in on.
func loopbackHost(host string, local net.Addr) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return false
	}
	if ta, ok := local.(*net.TCPAddr); !ok || port != fmt.Sprint(ta.Port) {
		return false
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// listenLoopback listens on addr, which must be a loopback address (flag names the option in
// errors).
func listenLoopback(flag, addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %q: want host:port such as 127.0.0.1:6565", flag, addr)
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s: %s is not a loopback address: ctiload only listens on 127.0.0.1, ::1 or localhost", flag, host)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return l, nil
}

// serve serves h on l until the returned stop is called.
func serve(l net.Listener, h http.Handler, logf func(string, ...any)) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logf("%v", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
}

// startControl listens on addr, which must be a loopback address: the token keeps other users'
// processes and web pages out, not the network.
func startControl(addr, token string, run controllable, logf func(string, ...any)) (stop func(), bound string, err error) {
	if token == "" {
		return nil, "", errors.New("--control: empty token")
	}
	l, err := listenLoopback("--control", addr)
	if err != nil {
		return nil, "", err
	}
	return serve(l, newControlHandler(run, token, logf), logf), l.Addr().String(), nil
}
