package promrw

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/klauspost/compress/snappy"
)

// Retry policy of one push: server errors (5xx, 429), timeouts and connection failures are
// retried with exponential backoff, at most maxAttempts times, and not past a push interval
// when a newer push waits; any other answer (4xx) drops the push at once, counted.
const (
	maxAttempts    = 5
	firstBackoff   = 200 * time.Millisecond
	maxBackoff     = 5 * time.Second
	maxReasonChars = 160
)

// sender delivers queued write requests, one at a time and in order (a receiver refuses a
// series' samples older than one it has), from its own goroutine.
type sender struct {
	cfg    Config
	client *http.Client
	logger *slog.Logger
	// onRefusal is told that the receiver refused native histograms: if the output switches
	// to quantile gauges, it returns a fresh snapshot to send instead.
	onRefusal func() *writeRequest
	// onAccepted is told that the receiver stored a request with native histograms.
	onAccepted func()
	queue      chan *pending
	done       chan struct{}
	ctx        context.Context
	cancel     context.CancelFunc
	closing    atomic.Bool // the run has ended: retry once at most, the user waits

	mu     sync.Mutex
	st     deliveryStats
	logged map[string]bool
}

// pending is one encoded write request.
type pending struct {
	body   []byte // snappy-compressed protobuf
	series int
	native bool // holds native histograms
}

type deliveryStats struct {
	pushes, delivered, failed     int64
	deliveredSeries, failedSeries int64
	reasons                       map[string]int64
}

func newSender(cfg Config, client *http.Client, logger *slog.Logger, onRefusal func() *writeRequest, onAccepted func()) *sender {
	s := &sender{cfg: cfg, client: client, logger: logger, onRefusal: onRefusal, onAccepted: onAccepted,
		queue: make(chan *pending, cfg.QueueSize), done: make(chan struct{}), logged: map[string]bool{}}
	s.st.reasons = map[string]int64{}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.run()
	return s
}

// enqueue encodes req and queues it; when the queue is full, its oldest request is dropped
// (counted): a newer snapshot carries the same totals.
func (s *sender) enqueue(req *writeRequest) {
	p := encode(req)
	s.mu.Lock()
	s.st.pushes++
	s.mu.Unlock()
	for {
		select {
		case s.queue <- p:
			return
		default:
		}
		select {
		case old := <-s.queue:
			s.fail(old, "queue full: the receiver is slower than the push interval")
		default:
		}
	}
}

// encode renders a write request as the remote-write protocol's body: protobuf, then snappy
// (block format).
func encode(req *writeRequest) *pending {
	p := &pending{series: len(req.Timeseries)}
	for i := range req.Timeseries {
		p.native = p.native || len(req.Timeseries[i].Histograms) > 0
	}
	p.body = snappy.Encode(nil, req.Marshal())
	return p
}

func (s *sender) run() {
	defer close(s.done)
	for p := range s.queue {
		s.deliver(p)
	}
}

func (s *sender) deliver(p *pending) {
	start := time.Now()
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		status, reason, retry := s.post(p)
		if reason == "" {
			s.mu.Lock()
			s.st.delivered++
			s.st.deliveredSeries += int64(p.series)
			s.mu.Unlock()
			if p.native {
				s.onAccepted()
			}
			return
		}
		if p.native && status >= 400 && strings.Contains(strings.ToLower(reason), "histogram") {
			if req := s.onRefusal(); req != nil {
				// Not lost: the same totals go again at once, trends as quantile gauges.
				p, attempt, backoff = encode(req), 0, firstBackoff
				continue
			}
		}
		if !retry || attempt >= maxAttempts || s.ctx.Err() != nil || (s.closing.Load() && attempt >= 2) ||
			(len(s.queue) > 0 && time.Since(start)+backoff > s.cfg.PushInterval) {
			s.fail(p, reason)
			return
		}
		select {
		case <-time.After(backoff):
		case <-s.ctx.Done():
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// post sends one request. reason is empty on success; otherwise it says why in a few words
// (no URL credentials: the URL has none), and retry whether trying again may help.
func (s *sender) post(p *pending) (status int, reason string, retry bool) {
	if s.ctx.Err() != nil {
		return 0, "not sent before the end of the run (receiver too slow or down)", false
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(p.body))
	if err != nil {
		return 0, err.Error(), false
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "snappy")
	req.Header.Set("User-Agent", "ctiload")
	req.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	for k, v := range s.cfg.Headers {
		req.Header.Set(k, v)
	}
	switch {
	case s.cfg.BearerToken != "":
		req.Header.Set("Authorization", "Bearer "+s.cfg.BearerToken)
	case s.cfg.Username != "":
		req.SetBasicAuth(s.cfg.Username, s.cfg.Password)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		switch {
		case s.ctx.Err() != nil:
			return 0, "not sent before the end of the run (receiver too slow or down)", false
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			return 0, fmt.Sprintf("timeout after %s", s.cfg.Timeout), true
		}
		return 0, netReason(err), true
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, "", false
	}
	reason = "HTTP " + resp.Status
	if line, _, _ := strings.Cut(strings.TrimSpace(string(msg)), "\n"); line != "" {
		if len(line) > maxReasonChars {
			line = line[:maxReasonChars] + "…"
		}
		reason += ": " + line
	}
	return resp.StatusCode, reason, resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// netReason is the heart of a connection error: "connection refused", "no such host".
func netReason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Err + ": " + dns.Name
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap().Error()
	}
	return err.Error()
}

func (s *sender) fail(p *pending, reason string) {
	s.mu.Lock()
	s.st.failed++
	s.st.failedSeries += int64(p.series)
	s.st.reasons[reason]++
	first := !s.logged[reason]
	s.logged[reason] = true
	s.mu.Unlock()
	if first {
		s.logger.Warn(fmt.Sprintf("prometheus-rw: a push to %s failed: %s (the run goes on; the summary counts what was not delivered)", shownURL(s.cfg.URL), reason))
	}
}

// close delivers what is queued within deadline, then gives up on the rest.
func (s *sender) close(deadline time.Duration) {
	s.closing.Store(true)
	close(s.queue)
	t := time.AfterFunc(deadline, s.cancel)
	<-s.done
	t.Stop()
	s.cancel()
}

func (s *sender) stats() deliveryStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.reasons = make(map[string]int64, len(s.st.reasons))
	for k, v := range s.st.reasons {
		st.reasons[k] = v
	}
	return st
}
