package promrw_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports/promrw"
	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
)

// receiver is an httptest remote-write receiver (loopback) that decodes what it gets and
// answers with answer(n) for the n-th request (1-based).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*prompb.WriteRequest
	headers  []http.Header
	n        atomic.Int64
	got      chan struct{} // one value per request, not blocking
}

func newReceiver(t *testing.T, answer func(n int64, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{got: make(chan struct{}, 1000)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		raw, err := snappy.Decode(nil, body)
		if err != nil {
			t.Errorf("body is not snappy: %v", err)
		}
		var req prompb.WriteRequest
		if err := req.Unmarshal(raw); err != nil {
			t.Errorf("body is not a WriteRequest: %v", err)
		}
		rc.mu.Lock()
		rc.requests = append(rc.requests, &req)
		rc.headers = append(rc.headers, r.Header.Clone())
		rc.mu.Unlock()
		n := rc.n.Add(1)
		select {
		case rc.got <- struct{}{}:
		default:
		}
		answer(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// waitRequests waits for n requests (a minute at most: the machine may be busy).
func (rc *receiver) waitRequests(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(time.Minute)
	for rc.n.Load() < int64(n) {
		select {
		case <-rc.got:
		case <-timeout:
			t.Fatalf("%d requests after a minute, want %d", rc.n.Load(), n)
		}
	}
}

func someSamples(m testMetrics, n int) []metrics.Sample {
	now := time.Now()
	tags := metrics.NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
	var out []metrics.Sample
	for i := range n {
		out = append(out, metrics.Sample{Metric: m.reqs, Tags: tags, Time: now, Value: 1},
			metrics.Sample{Metric: m.duration, Tags: tags, Time: now, Value: float64(i%50) + 0.5})
	}
	return out
}

// TestRequestFormat: a push is a snappy-compressed WriteRequest with the remote-write headers,
// the configured headers and credentials, sorted labels, testid and segment on every series.
func TestRequestFormat(t *testing.T) {
	rc := newReceiver(t, func(int64, http.ResponseWriter, *http.Request) {})
	m := newTestMetrics()
	out, err := promrw.New(promrw.Config{URL: rc.URL, PushInterval: time.Hour, TestID: "run-7",
		Headers: map[string]string{"X-Scope-OrgID": "team1"}, BearerToken: "tok-s3cret"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out.AddSamples(someSamples(m, 10))
	out.AddSamples([]metrics.Sample{{Metric: m.vus, Time: time.Now(), Value: 3}})
	out.Close()
	if rc.n.Load() != 1 {
		t.Fatalf("%d requests, want the one at Close", rc.n.Load())
	}
	h := rc.headers[0]
	for k, want := range map[string]string{"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
		"X-Prometheus-Remote-Write-Version": "0.1.0", "X-Scope-Orgid": "team1", "Authorization": "Bearer tok-s3cret"} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if rc.URL+"/api/v1/write" != strings.Split(out.Description(), " ")[0][len("prometheus-rw="):] {
		t.Errorf("description %q: want the URL with the default path", out.Description())
	}
	names := map[string]bool{}
	for _, ts := range rc.requests[0].Timeseries {
		var prev string
		labels := map[string]string{}
		for _, l := range ts.Labels {
			if l.Name <= prev {
				t.Errorf("labels not sorted: %v", ts.Labels)
			}
			prev = l.Name
			labels[l.Name] = l.Value
		}
		if labels["testid"] != "run-7" || labels["segment"] != "0:1" {
			t.Errorf("series %v: want testid run-7 and segment 0:1", labels)
		}
		names[labels["__name__"]] = true
	}
	for _, n := range []string{"ctiload_cti_requests_total", "ctiload_cti_request_duration_seconds", "ctiload_vus"} {
		if !names[n] {
			t.Errorf("no series %s in %v", n, names)
		}
	}
}

// TestReceiverAnswers400: a 4xx is not retried; the push is dropped and counted with the
// receiver's reason, and the run's samples keep flowing.
func TestReceiverAnswers400(t *testing.T) {
	rc := newReceiver(t, func(_ int64, w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "out of order sample", http.StatusBadRequest)
	})
	m := newTestMetrics()
	var logs bytes.Buffer
	out, err := promrw.New(promrw.Config{URL: rc.URL, PushInterval: 20 * time.Millisecond, Password: "pw-s3cret", Username: "u"},
		slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		out.AddSamples(someSamples(m, 5))
		rc.waitRequests(t, int(rc.n.Load())+1)
	}
	out.Close()
	st := out.Status()
	n := rc.n.Load()
	if len(st.Problems) != 1 || !strings.Contains(st.Problems[0], "pushes failed (HTTP 400 Bad Request: out of order sample)") {
		t.Fatalf("problems %q", st.Problems)
	}
	if !strings.HasPrefix(st.Problems[0], itoa(n)+" pushes failed") {
		t.Errorf("problems %q: want %d pushes failed (one request each: no retry on 4xx)", st.Problems, n)
	}
	if strings.Contains(logs.String(), "pw-s3cret") || strings.Contains(st.Output+st.Delivered, "pw-s3cret") {
		t.Errorf("the password shows:\n%s\n%+v", logs.String(), st)
	}
	if !strings.Contains(logs.String(), "out of order sample") {
		t.Errorf("the failure is not logged:\n%s", logs.String())
	}
}

// TestReceiver5xxRetried: a 503 is retried with backoff until the receiver recovers; nothing is
// lost.
func TestReceiver5xxRetried(t *testing.T) {
	rc := newReceiver(t, func(n int64, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		}
	})
	out, err := promrw.New(promrw.Config{URL: rc.URL, PushInterval: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out.AddSamples(someSamples(newTestMetrics(), 5))
	rc.waitRequests(t, 3) // the first push, refused twice, then taken
	out.Close()
	if st := out.Status(); len(st.Problems) != 0 || strings.HasPrefix(st.Delivered, "0 pushes") {
		t.Errorf("status %+v: want the push delivered after the retries", st)
	}
}

// TestReceiverHangs: a receiver that never answers costs each push its timeout, never the run:
// AddSamples goes on, and Close returns within its bound, counting what was not delivered.
func TestReceiverHangs(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(_ int64, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	m := newTestMetrics()
	const timeout = 100 * time.Millisecond
	out, err := promrw.New(promrw.Config{URL: rc.URL, PushInterval: 10 * time.Millisecond, Timeout: timeout, QueueSize: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		out.AddSamples(someSamples(m, 5))
		rc.waitRequests(t, int(rc.n.Load())+1)
	}
	start := time.Now()
	out.Close()
	if took := time.Since(start); took > 20*timeout+5*time.Second {
		t.Errorf("Close took %v with a %v timeout", took, timeout)
	}
	st := out.Status()
	if len(st.Problems) != 1 || !strings.Contains(st.Problems[0], "timeout after 100ms") || !strings.Contains(st.Problems[0], "series points not delivered") {
		t.Errorf("problems %q: want the timeouts counted", st.Problems)
	}
}

// TestUnboundedTagRefused: a tag with more values than MaxTagValues is refused, named in an
// error, and left out of the labels of further series: their samples still count, under the
// other labels.
func TestUnboundedTagRefused(t *testing.T) {
	rc := newReceiver(t, func(int64, http.ResponseWriter, *http.Request) {})
	m := newTestMetrics()
	var logs bytes.Buffer
	out, err := promrw.New(promrw.Config{URL: rc.URL, PushInterval: time.Hour, MaxTagValues: 3},
		slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var batch []metrics.Sample
	for i := range 10 {
		batch = append(batch, metrics.Sample{Metric: m.reqs, Tags: metrics.NewTags("msg", "ANSWER_CALL_REQ", "callid", itoa(int64(i))), Time: time.Now(), Value: 1})
	}
	out.AddSamples(batch)
	out.Close()
	if !strings.Contains(logs.String(), `tag \"callid\" has more than 3 values`) {
		t.Errorf("no error naming the tag:\n%s", logs.String())
	}
	st := out.Status()
	if len(st.Problems) != 1 || !strings.Contains(st.Problems[0], `tag "callid" refused`) {
		t.Errorf("problems %q", st.Problems)
	}
	total, withCallID := 0.0, 0
	for _, ts := range rc.requests[0].Timeseries {
		for _, l := range ts.Labels {
			if l.Name == "callid" {
				withCallID++
			}
		}
		total += ts.Samples[len(ts.Samples)-1].Value
	}
	if total != 10 || withCallID != 3 {
		t.Errorf("total %v over %d series with callid; want 10, and 3 (the values before the refusal)", total, withCallID)
	}
}

// TestSeriesLimit: past MaxSeries, samples of new series are dropped and counted.
func TestSeriesLimit(t *testing.T) {
	rc := newReceiver(t, func(int64, http.ResponseWriter, *http.Request) {})
	m := newTestMetrics()
	out, err := promrw.New(promrw.Config{URL: rc.URL, PushInterval: time.Hour, MaxSeries: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"A", "B", "C", "D"} {
		out.AddSamples([]metrics.Sample{{Metric: m.reqs, Tags: metrics.NewTags("msg", msg), Time: time.Now(), Value: 1}})
	}
	out.Close()
	if st := out.Status(); len(st.Problems) != 1 || st.Problems[0] != "2 samples dropped: series limit 2 reached" {
		t.Errorf("problems %q", st.Problems)
	}
	if n := len(rc.requests[0].Timeseries); n != 2 {
		t.Errorf("%d series pushed, want 2", n)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
