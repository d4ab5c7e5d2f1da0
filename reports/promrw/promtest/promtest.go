// Package promtest starts a real Prometheus for tests: Debian's prometheus package (installed
// by .ci/run), on a free loopback port, with the remote-write receiver on and a temporary data
// directory, stopped when the test ends. Tests skip, saying why, where the binary is absent.
package promtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running Prometheus.
type Server struct {
	URL    string // http://127.0.0.1:PORT
	Native bool   // native histograms enabled
	t      testing.TB
	cmd    *exec.Cmd
	log    *syncBuffer
	mu     sync.Mutex
	done   chan struct{}
}

// Binary returns the path of the prometheus binary, or "" when there is none.
func Binary() string {
	if p := os.Getenv("CTILOAD_TEST_PROMETHEUS"); p != "" {
		return p
	}
	p, err := exec.LookPath("prometheus")
	if err != nil {
		return ""
	}
	return p
}

// Start starts Prometheus with the remote-write receiver and, if native, native histograms
// (--enable-feature=native-histograms), and stops it at the end of the test. It skips the
// test when the binary is absent.
func Start(t testing.TB, native bool) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("prometheus is not installed (Debian package prometheus; .ci/run installs it): the remote-write integration tests need a real one")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var last error
	for try := 0; try < 3; try++ {
		s, err := start(t, bin, cfg, filepath.Join(dir, fmt.Sprintf("data%d", try)), native)
		if err == nil {
			return s
		}
		last = err
	}
	t.Fatalf("starting prometheus: %v", last)
	return nil
}

func start(t testing.TB, bin, cfg, data string, native bool) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	args := []string{"--config.file=" + cfg, "--storage.tsdb.path=" + data, "--web.listen-address=" + addr,
		"--web.enable-remote-write-receiver", "--log.level=warn", "--storage.tsdb.retention.time=1d"}
	if native {
		args = append(args, "--enable-feature=native-histograms")
	}
	s := &Server{URL: "http://" + addr, Native: native, t: t, log: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("prometheus exited: %s", s.log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("prometheus not ready after 60s: %s", s.log.String())
		}
	}
}

// WriteURL is the remote-write endpoint.
func (s *Server) WriteURL() string { return s.URL + "/api/v1/write" }

// Stop stops Prometheus (SIGTERM, then SIGKILL after 10s) and waits for it.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Log returns what Prometheus logged.
func (s *Server) Log() string { return s.log.String() }

// Series is one element of a query result: its labels, and its value (a float) or its
// native histogram's count and sum.
type Series struct {
	Metric    map[string]string `json:"metric"`
	Value     []any             `json:"value"`
	Histogram []json.RawMessage `json:"histogram"`
}

// Float returns the series' float value (NaN if it has none).
func (s Series) Float() float64 {
	if len(s.Value) != 2 {
		return math.NaN()
	}
	str, _ := s.Value[1].(string)
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// Query runs an instant PromQL query at time at (now if zero).
func (s *Server) Query(expr string, at time.Time) ([]Series, error) {
	v := url.Values{"query": {expr}}
	if !at.IsZero() {
		v.Set("time", strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64))
	}
	resp, err := http.Get(s.URL + "/api/v1/query?" + v.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status    string `json:"status"`
		Error     string `json:"error"`
		ErrorType string `json:"errorType"`
		Data      struct {
			ResultType string   `json:"resultType"`
			Result     []Series `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("query %s: %s: %v", expr, body, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s: %s", expr, r.ErrorType, r.Error)
	}
	if r.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: result type %s, want vector", expr, r.Data.ResultType)
	}
	return r.Data.Result, nil
}

// LabelValues returns the values of a label among the series matching match.
func (s *Server) LabelValues(label, match string) ([]string, error) {
	resp, err := http.Get(s.URL + "/api/v1/label/" + url.PathEscape(label) + "/values?" + url.Values{"match[]": {match}}.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string   `json:"status"`
		Data   []string `json:"data"`
		Error  string   `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, errors.New(r.Error)
	}
	return r.Data, nil
}

// WaitFor polls query until cond accepts its result or timeout passes (Prometheus makes
// written samples visible at once, but a busy machine is slow): the last result and error
// come back either way.
func (s *Server) WaitFor(expr string, timeout time.Duration, cond func([]Series) bool) ([]Series, error) {
	deadline := time.Now().Add(timeout)
	for {
		res, err := s.Query(expr, time.Time{})
		if err == nil && cond(res) {
			return res, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("query %s: condition not met after %s; last result %v", expr, timeout, res)
			}
			return res, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len() < 1<<20 {
		b.b.Write(p)
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
