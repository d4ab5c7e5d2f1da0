package sim_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// logRecorder is a slog.Handler keeping every record as "msg k=v k=v…" plus its attributes.
type logRecorder struct {
	mu   sync.Mutex
	recs []logRecord
}

type logRecord struct {
	msg   string
	attrs map[string]string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	lr := logRecord{msg: rec.Message, attrs: map[string]string{}}
	rec.Attrs(func(a slog.Attr) bool {
		lr.attrs[a.Key] = a.Value.String()
		return true
	})
	r.mu.Lock()
	r.recs = append(r.recs, lr)
	r.mu.Unlock()
	return nil
}

// lines returns the records with message msg.
func (r *logRecorder) lines(msg string) []logRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []logRecord
	for _, l := range r.recs {
		if l.msg == msg {
			out = append(out, l)
		}
	}
	return out
}

func (r *logRecorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, l := range r.recs {
		fmt.Fprintf(&b, "\n  %s %v", l.msg, l.attrs)
	}
	return b.String()
}

// TestConnLogReasons: every way a connection is refused or closed logs one line naming the
// reason and the remote address. Each case runs on the bubble's clock (timeouts are exact) and
// stops its server before the lines are read, so the closing lines are all written.
func TestConnLogReasons(t *testing.T) {
	open := func(t *testing.T, srv *sim.Server, mutate func(*cti.OpenReq)) *client {
		c := connect(t, srv, cti.V24)
		req := openReq("desk", agentSvc)
		req.AgentExtension = "1000"
		if mutate != nil {
			mutate(req)
		}
		c.send(req)
		return c
	}
	for _, tc := range []struct {
		name   string
		cfg    sim.Config
		run    func(t *testing.T, srv *sim.Server)
		msg    string // the line that must be there
		reason string // a part of its reason
	}{
		{name: "bad first message", run: func(t *testing.T, srv *sim.Server) {
			c := connect(t, srv, cti.V24)
			c.failure(c.send(&cti.HeartbeatReq{}), cti.ECTISessionNotOpen)
		}, msg: "cti open refused", reason: "first message is HEARTBEAT_REQ, not OPEN_REQ E_CTI_SESSION_NOT_OPEN"},
		{name: "wrong version", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, func(r *cti.OpenReq) { r.VersionNumber = 99 })
			c.failure(1, cti.ECTIInvalidVersion)
		}, msg: "cti open refused", reason: "protocol version 99 not served: E_CTI_INVALID_VERSION"},
		{name: "invalid peripheral", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, func(r *cti.OpenReq) { r.PeripheralID = 7 })
			c.failure(1, cti.ECTIInvalidPeripheralID)
		}, msg: "cti open refused", reason: "peripheral ID 7 is not the simulated 5000: E_CTI_INVALID_PERIPHERAL_ID"},
		{name: "standby side", cfg: sim.Config{Standby: true}, run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, nil)
			c.failure(1, cti.ECTIServerNotMaster)
		}, msg: "cti open refused", reason: "standby side: E_CTI_SERVER_NOT_MASTER"},
		{name: "injected refusal", cfg: sim.Config{Faults: sim.Faults{RefuseOpenRate: 1}}, run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, nil)
			c.expect(cti.MsgFailureConf)
		}, msg: "cti open refused", reason: "injected refusal:"},
		{name: "refused then closed by the client", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, func(r *cti.OpenReq) { r.PeripheralID = 7 })
			c.failure(1, cti.ECTIInvalidPeripheralID)
			c.conn.Close()
			synctest.Wait() // the server's reader sees the close before the server stops
		}, msg: "cti connection closed", reason: "closed by the client"},
		{name: "open timeout", cfg: sim.Config{OpenTimeout: time.Second}, run: func(t *testing.T, srv *sim.Server) {
			c := connect(t, srv, cti.V24)
			c.expectClosed()
		}, msg: "cti connection closed", reason: "no OPEN_REQ within the open timeout (1s)"},
		{name: "idle timeout", cfg: sim.Config{IdleTimeoutUnit: 5 * time.Millisecond}, run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, func(r *cti.OpenReq) { r.IdleTimeout = 20 })
			c.expect(cti.MsgOpenConf)
			c.expectClosed()
		}, msg: "cti session closed", reason: "idle timeout: nothing received for 100ms"},
		{name: "injected drop", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, nil)
			c.expect(cti.MsgOpenConf)
			srv.SetFaults(sim.Faults{DropAfter: 2})
			c.send(&cti.HeartbeatReq{})
			c.expectClosed()
		}, msg: "cti session closed", reason: "injected drop (after 2 requests)"},
		{name: "close request", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, nil)
			c.expect(cti.MsgOpenConf)
			c.send(&cti.CloseReq{Status: cti.ECTINoError})
			c.expect(cti.MsgCloseConf)
			c.expectClosed()
		}, msg: "cti session closed", reason: "CLOSE_REQ from the client"},
		{name: "replaced", run: func(t *testing.T, srv *sim.Server) {
			old := open(t, srv, nil)
			old.expect(cti.MsgOpenConf)
			again := open(t, srv, nil)
			again.expect(cti.MsgOpenConf)
			old.expect(cti.MsgFailureEvent)
			old.expectClosed()
		}, msg: "cti session closed", reason: "replaced by a new session"},
		{name: "went standby", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, nil)
			c.expect(cti.MsgOpenConf)
			srv.SetStandby(true)
			c.expect(cti.MsgFailureEvent)
			c.expectClosed()
		}, msg: "cti session closed", reason: "went standby"},
		{name: "server stopping", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, nil)
			c.expect(cti.MsgOpenConf)
			srv.Close()
			c.expectClosed()
		}, msg: "cti session closed", reason: "server stopping"},
		{name: "server shutting down", run: func(t *testing.T, srv *sim.Server) {
			c := open(t, srv, nil)
			c.expect(cti.MsgOpenConf)
			go srv.Shutdown(context.Background())
			c.expect(cti.MsgFailureEvent)
			c.expectClosed()
		}, msg: "cti session closed", reason: "server shutting down"},
		{name: "connection after stop", run: func(t *testing.T, srv *sim.Server) {
			srv.Close()
			c := connect(t, srv, cti.V24)
			c.expectClosed()
		}, msg: "cti connection refused", reason: "server stopping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := &logRecorder{}
				tc.cfg.Logger = slog.New(rec)
				srv := newPipeSim(t, tc.cfg)
				tc.run(t, srv)
				srv.Close()
				for _, l := range rec.lines(tc.msg) {
					if strings.Contains(l.attrs["reason"], tc.reason) {
						if l.attrs["remote"] != "pipe" {
							t.Errorf("%s: remote = %q; want the client's address (pipe)", tc.msg, l.attrs["remote"])
						}
						return
					}
				}
				t.Errorf("no %q line with a reason containing %q; log:%s", tc.msg, tc.reason, rec.dump())
			})
		})
	}
}

// TestConnLogRemoteAddr: over TCP the lines carry the client's address and port.
func TestConnLogRemoteAddr(t *testing.T) {
	rec := &logRecorder{}
	srv := newSim(t, sim.Config{Logger: slog.New(rec)})
	c := connect(t, srv, cti.V24)
	c.failure(c.send(&cti.HeartbeatReq{}), cti.ECTISessionNotOpen)
	c.conn.Close()
	srv.Close()
	want := c.conn.LocalAddr().String()
	for _, msg := range []string{"cti open refused", "cti connection closed"} {
		ls := rec.lines(msg)
		if len(ls) != 1 || ls[0].attrs["remote"] != want {
			t.Errorf("%q lines %v; want one with remote %s", msg, ls, want)
		}
	}
}

// TestConnLogRateLimited: a client refused in a tight loop gets 50 lines at once, then 20 a
// second; what is held back is counted on the next line written and when the server stops, so
// written lines plus suppressed ones add up to every refusal.
func TestConnLogRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &logRecorder{}
		srv := newPipeSim(t, sim.Config{Logger: slog.New(rec)})
		c := connect(t, srv, cti.V24)
		refuse := func(n int) {
			for range n {
				c.failure(c.send(&cti.HeartbeatReq{}), cti.ECTISessionNotOpen)
			}
		}
		refuse(300) // the bubble's clock stands still: only the burst gets through
		check(t, "lines of the burst", len(rec.lines("cti open refused")), 50)
		time.Sleep(time.Second) // 20 more tokens
		refuse(1)
		ls := rec.lines("cti open refused")
		check(t, "lines after a second", len(ls), 51)
		check(t, "suppressed on the next line", ls[50].attrs["suppressed"], "250")

		refuse(100) // 19 tokens left: 81 held back, reported when the server stops
		c.conn.Close()
		synctest.Wait()
		srv.Close()
		written := len(rec.lines("cti open refused")) + len(rec.lines("cti connection closed"))
		suppressed := 250
		for _, l := range rec.lines("cti connection log lines suppressed") {
			var n int
			fmt.Sscan(l.attrs["suppressed"], &n)
			suppressed += n
		}
		check(t, "written + suppressed", written+suppressed, 300+1+100+1)
		check(t, "written", written, 50+1+19)
	})
}
