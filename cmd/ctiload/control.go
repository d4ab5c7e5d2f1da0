package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine"
)

// controllable is what the control API needs of a running test (*engine.Run).
type controllable interface {
	Progress() []engine.ScenarioProgress
	SetTarget(scenario string, v float64) error
	Stop() bool
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
func newControlHandler(run controllable, logf func(format string, args ...any)) http.Handler {
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
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// startControl listens on addr, which must be a loopback address: the API has no authentication,
// so anyone who reaches it can steer the test.
func startControl(addr string, run controllable, logf func(string, ...any)) (stop func(), bound string, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("--control: %q: want host:port such as 127.0.0.1:6565", addr)
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, "", fmt.Errorf("--control: %s is not a loopback address: the control API has no authentication, so it only listens on 127.0.0.1, ::1 or localhost", host)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("--control: %w", err)
	}
	srv := &http.Server{Handler: newControlHandler(run, logf), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logf("control: %v", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, l.Addr().String(), nil
}
