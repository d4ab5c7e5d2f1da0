package jsapi_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/jsapi"
)

func withSafety(s jsapi.Safety) envOption {
	return func(_ *jsapi.LoadOptions, rc *jsapi.RunnerConfig) { rc.Safety = &s }
}

// quickAbort is the default safety with a 1 ms back-off and the abort after n failed opens.
func quickAbort(n int) jsapi.Safety {
	s := jsapi.DefaultSafety
	s.OpenBackoff = jsapi.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Factor: 1}
	s.AbortOnOpenFailures = n
	return s
}

// badPeripheral opens an agent session with a peripheral ID the simulator refuses
// (E_CTI_INVALID_PERIPHERAL_ID), as the README's example did against a stand-alone server.
const badPeripheral = `
import cti from 'ctiload/cti';
export default function () {
  const a = cti.connect('sim', { agentId: '5000', extension: '1000', peripheralId: 4999, heartbeat: 0 });
  a.close();
}
`

// iterate runs iterations of vu until ctx ends or an iteration aborts the run; it returns the
// abort, if any, and the number of iterations.
func iterate(ctx context.Context, vu *testVU) (abort error, n int) {
	for ctx.Err() == nil {
		err := vu.run(ctx, "")
		n++
		if executor.IsAbort(err) {
			return err, n
		}
	}
	return nil, n
}

func TestBackoffSchedule(t *testing.T) {
	b := jsapi.Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Factor: 2}
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {60, time.Second}, {5000, time.Second}} {
		if got := b.Wait(tc.failures); got != tc.want {
			t.Errorf("Wait(%d) = %s; want %s", tc.failures, got, tc.want)
		}
	}
	// Jitter takes off up to half: never more, never adds.
	if got := b.Jittered(3, 0); got != 400*time.Millisecond {
		t.Errorf("Jittered(3, 0) = %s; want 400ms", got)
	}
	if got := b.Jittered(3, 0.999999); got <= 200*time.Millisecond || got > 201*time.Millisecond {
		t.Errorf("Jittered(3, ~1) = %s; want just above 200ms", got)
	}
	for _, bad := range []jsapi.Safety{
		{OpenBackoff: jsapi.Backoff{Initial: 0, Max: time.Second, Factor: 2}},
		{OpenBackoff: jsapi.Backoff{Initial: time.Second, Max: time.Millisecond, Factor: 2}},
		{OpenBackoff: jsapi.Backoff{Initial: time.Second, Max: time.Second, Factor: 0.5}},
		{OpenBackoff: b, AbortOnOpenFailures: -1},
		{OpenBackoff: b, MaxRequestRate: -1},
	} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) accepted a bad setting", bad)
		}
	}
}

// TestOpenBackoffBoundsRefusedOpens: one VU whose every open is refused made 2,130 OPEN_REQ a
// second before the back-off. With initial 100ms, factor 2, the opens of a 3-second loop are at
// most 0, 0.1, 0.3, 0.7, 1.5, 3.1 s in (less with jitter, which only shortens the waits by up
// to half: then 0, .05, .15, .35, .75, 1.55, 3.15): 7 at most. The simulator counts them.
func TestOpenBackoffBoundsRefusedOpens(t *testing.T) {
	srv := newSim(t, sim.Config{})
	safety := jsapi.DefaultSafety
	safety.AbortOnOpenFailures = 0 // a deliberate failure test: no abort
	e := newEnv(t, "script.js", map[string]string{"script.js": badPeripheral}, withSim(srv), withSafety(safety))
	vu := e.newVU(1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if abort, _ := iterate(ctx, vu); abort != nil {
		t.Fatalf("aborted with the rule off: %v", abort)
	}
	refused := srv.Counters().SessionsRejected
	if refused < 2 || refused > 8 {
		t.Fatalf("the simulator refused %d opens in 3 s; the back-off schedule allows 2..7", refused)
	}
	waits := find(vu.all, metricnames.CTIOpenBackoffDuration)
	if int64(len(waits)) < refused-1 {
		t.Errorf("%d back-off waits recorded for %d refused opens; want one before each reopen", len(waits), refused)
	}
	var prev float64
	for i, s := range waits {
		if i > 0 && s.Value < prev*0.5 { // each nominal wait doubles; jitter takes at most half off
			t.Errorf("back-off wait %d = %.0f ms after %.0f ms: not growing", i, s.Value, prev)
		}
		prev = s.Value
	}
	for _, s := range find(vu.all, metricnames.CTISessionOpenDuration) {
		t.Errorf("a refused open recorded cti_session_open_duration %v", s.Value)
	}
}

// TestAbortOnOpenFailures: the run aborts after the configured number of failed opens in a row,
// naming the code and the option; the simulator saw exactly that many.
func TestAbortOnOpenFailures(t *testing.T) {
	srv := newSim(t, sim.Config{})
	e := newEnv(t, "script.js", map[string]string{"script.js": badPeripheral}, withSim(srv), withSafety(quickAbort(4)))
	vu := e.newVU(1)
	abort, n := iterate(ctxTimeout(t, 30*time.Second), vu)
	if abort == nil {
		t.Fatalf("no abort after %d refused opens", n)
	}
	for _, want := range []string{"the last 4 session opens all failed", "E_CTI_INVALID_PERIPHERAL_ID", "options.cti.abortOnOpenFailures"} {
		if !strings.Contains(abort.Error(), want) {
			t.Errorf("abort %q lacks %q", abort, want)
		}
	}
	if got := srv.Counters().SessionsRejected; got != 4 || n != 4 {
		t.Errorf("aborted after %d iterations, %d refused opens; want 4 and 4", n, got)
	}
}

// TestAbortStreakEndsOnSuccess: an open that succeeds ends the streak: failures spread between
// successes never abort.
func TestAbortStreakEndsOnSuccess(t *testing.T) {
	srv := newSim(t, sim.Config{})
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  for (let i = 0; i < 2; i++) {
    try { cti.connect('sim', { agentId: '5000', extension: '1000', peripheralId: 4999, heartbeat: 0 }); } catch (e) {}
  }
  cti.connect('sim', { agentId: '5001', extension: '1001', heartbeat: 0 }).close();
}
`}, withSim(srv), withSafety(quickAbort(3)))
	vu := e.newVU(1)
	for i := 0; i < 4; i++ {
		if err := vu.run(ctxTimeout(t, 30*time.Second), ""); err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
	}
	if got := srv.Counters().SessionsRejected; got != 8 {
		t.Errorf("%d refused opens; want 8", got)
	}
}

// TestRequestRateCap: 20 requests under a 10/s cap (bucket of 1) take at least 19/10 s; the
// waits are recorded as cti_rate_limit_wait_duration{kind:request} and are not in
// cti_request_duration (the two sums together fit in the elapsed time; were the wait inside
// the latency, they would count it twice).
func TestRequestRateCap(t *testing.T) {
	srv := newSim(t, sim.Config{})
	safety := jsapi.DefaultSafety
	safety.MaxRequestRate = 10
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  const a = cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: 0 });
  for (let i = 0; i < 20; i++) a.queryState();
  a.close();
}
`}, withSim(srv), withSafety(safety))
	vu := e.newVU(1)
	start := time.Now()
	if err := vu.run(ctxTimeout(t, 60*time.Second), ""); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if elapsed < 1900*time.Millisecond {
		t.Errorf("20 requests under a 10/s cap took %s; want at least 1.9 s", elapsed)
	}
	sum := func(s []metrics.Sample) (total float64) {
		for _, x := range s {
			total += x.Value
		}
		return total
	}
	waits := find(vu.all, metricnames.CTIRateLimitWaitDuration, "kind", "request")
	// 19 requests find the bucket empty; only one whose predecessor took over 100 ms would not.
	if len(waits) < 10 {
		t.Fatalf("%d rate-limit waits recorded; want about 19", len(waits))
	}
	reqs := find(vu.all, metricnames.CTIRequestDuration, "msg", "QUERY_AGENT_STATE_REQ")
	if len(reqs) != 20 {
		t.Fatalf("%d QUERY_AGENT_STATE_REQ latencies; want 20", len(reqs))
	}
	if total := sum(waits) + sum(reqs); total > float64(elapsed.Milliseconds())+50 {
		t.Errorf("waits %.0f ms + latencies %.0f ms > elapsed %s: the wait is inside the latency", sum(waits), sum(reqs), elapsed)
	}
}

// TestOpenRateCapAndCancellation: opens wait for the open bucket; a wait ends with the
// iteration's context rather than at the token.
func TestOpenRateCapAndCancellation(t *testing.T) {
	srv := newSim(t, sim.Config{})
	safety := jsapi.DefaultSafety
	safety.MaxOpenRate = 0.01 // one open, then one per 100 s
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: 0 }).close();
  cti.connect('sim', { agentId: '5001', extension: '1001', heartbeat: 0 }).close();
}
`}, withSim(srv), withSafety(safety))
	vu := e.newVU(1)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := vu.run(ctx, "")
	if err == nil {
		t.Fatal("the second open did not wait for its token")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the cancelled wait took %s", d)
	}
	if got := srv.Counters().SessionsOpened; got != 1 {
		t.Errorf("the simulator opened %d sessions; want 1 (the second waits 100 s for its token)", got)
	}
}

// TestMissingPeripheralIDFailsBeforeDialling: against a real server (RequirePeripheralID), an
// agent connect without peripheralId aborts with what to add, and nothing is dialled.
func TestMissingPeripheralIDFailsBeforeDialling(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () { cti.connect('', { agentId: '5000', extension: '1000' }); }
`}, func(_ *jsapi.LoadOptions, rc *jsapi.RunnerConfig) {
		rc.Target, rc.RequirePeripheralID = ln.Addr().String(), true
	})
	vu := e.newVU(1)
	err = vu.run(ctxTimeout(t, 10*time.Second), "")
	var ae *executor.AbortError
	if !errors.As(err, &ae) || !strings.Contains(ae.Reason, "add peripheralId: N") {
		t.Fatalf("error %v; want an abort saying to add peripheralId", err)
	}
	// A dial would have completed its handshake before connect returned: the connection would
	// wait in the listener's queue now, and Accept would return it at once.
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(200 * time.Millisecond))
	if c, err := ln.Accept(); err == nil {
		c.Close()
		t.Error("cti.connect dialled the target without a peripheral ID")
	}
}

// TestAbortCannotBeCaught: a retry loop that catches every connect error still stops when the
// abort rule fires, and the VU's runtime works again afterwards (vuTeardown must run).
func TestAbortCannotBeCaught(t *testing.T) {
	srv := newSim(t, sim.Config{})
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  for (let i = 0; i < 1000; i++) {
    try { cti.connect('sim', { agentId: '5000', extension: '1000', peripheralId: 4999, heartbeat: 0 }); } catch (e) {}
  }
}
export function after() { return 1; }
`}, withSim(srv), withSafety(quickAbort(3)))
	vu := e.newVU(1)
	err := vu.run(ctxTimeout(t, 30*time.Second), "")
	if !executor.IsAbort(err) {
		t.Fatalf("error %v; want the abort", err)
	}
	if got := srv.Counters().SessionsRejected; got != 3 {
		t.Errorf("%d refused opens; want 3 (the loop stops at the abort)", got)
	}
	if err := vu.run(ctxTimeout(t, 10*time.Second), "after"); err != nil {
		t.Errorf("the VU's runtime stays interrupted after the abort: %v", err)
	}
}

// TestVUSetupRetryBacksOff: a vuSetup that fails after its open succeeded (a refused login, say)
// is retried before the VU's next iteration on the open back-off's schedule, not at once: with
// initial 100ms, factor 2, at most 7 tries in 3 s (as TestOpenBackoffBoundsRefusedOpens), where
// an immediate retry makes thousands. A tight loop of iterations is what the engine does when
// every iteration fails at once.
func TestVUSetupRetryBacksOff(t *testing.T) {
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import { Counter } from 'ctiload/metrics';
const tries = new Counter('setup_tries');
export function vuSetup() { tries.add(1); throw new Error('login refused'); }
export default function () {}
`})
	vu := e.newVU(1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if abort, _ := iterate(ctx, vu); abort != nil {
		t.Fatalf("aborted: %v", abort)
	}
	if n := len(find(vu.all, "setup_tries")); n < 2 || n > 8 {
		t.Errorf("vuSetup ran %d times in 3 s of failing iterations; the back-off allows 2..7", n)
	}
}
