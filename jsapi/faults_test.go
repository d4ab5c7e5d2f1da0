package jsapi_test

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/engine/metrics"
)

// sum adds the values of the samples of metric name whose tags contain kv.
func sum(samples []metrics.Sample, name string, kv ...string) int64 {
	var n float64
	for _, s := range find(samples, name, kv...) {
		n += s.Value
	}
	return int64(n)
}

// byTags sums metric name by the values of the tag keys, joined with "/".
func byTags(samples []metrics.Sample, name string, keys ...string) map[string]int64 {
	out := map[string]int64{}
	for _, s := range find(samples, name) {
		var parts []string
		for _, k := range keys {
			v, _ := s.Tags.Get(k)
			parts = append(parts, v)
		}
		out[strings.Join(parts, "/")] += int64(s.Value)
	}
	return out
}

// TestExactCountsUnderFaults runs agents against a simulator that drops 1% of the connections
// (on whatever request) and fails a share of two request types, then compares what the client
// counted with what the server saw, count for count: requests by type, failures by type and
// code, dropped connections by the request that triggered them, opens and lost sessions. The
// script keeps using a session after a failure until it reads closed, as scripts do: a request
// made on an ended session must be E_NOT_SENT and counted nowhere but cti_failures.
//
// Only counts are compared, never timings, so a slow machine changes how much traffic there is,
// not the outcome.
func TestExactCountsUnderFaults(t *testing.T) {
	run := 30 * time.Second
	if testing.Short() {
		run = 5 * time.Second
	}
	srv := newSim(t, sim.Config{Seed: 7, Faults: sim.Faults{
		DropRate: 0.01,
		Fail: map[cti.MsgType]sim.FailRule{
			cti.MsgQueryAgentStateReq: {Rate: 0.05, Status: cti.ECTITimeout},
			cti.MsgSetAgentStateReq:   {Rate: 0.05, Control: true, ControlCode: cti.CFGenericOperation},
		},
	}})
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
import { sleep } from 'ctiload';
export default function () {
  let a;
  try {
    a = cti.connect('sim', { agentId: String(5000 + __VU), extension: String(1000 + __VU), heartbeat: 0, timeout: '5m' });
  } catch (e) {
    if (e.message.indexOf('connection lost') < 0) throw e; // only drops may fail an open here
    return;
  }
  a.login({ password: 'x' });
  for (let i = 0; i < 40 && !a.closed; i++) {
    a.queryState();
    // Sent even when queryState's connection was just dropped: then it must be E_NOT_SENT.
    const r = a.setState(i % 2 ? 'READY' : 'NOT_READY', { reasonCode: 1 });
    if (a.closed && r.codeName !== 'E_NOT_SENT' && r.codeName !== 'E_CONNECTION_LOST') throw new Error('on a lost session: ' + r.codeName);
    sleep(0.002);
  }
  a.close();
}`}, withSim(srv))
	const vus = 4
	ctx := ctxTimeout(t, run+2*time.Minute)
	deadline := time.Now().Add(run)
	var wg sync.WaitGroup
	tvs := make([]*testVU, vus)
	errs := make(chan error, vus)
	for i := range tvs {
		tvs[i] = e.newVU(uint64(i + 1))
		wg.Add(1)
		go func(tv *testVU) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := tv.run(ctx, "default"); err != nil {
					errs <- err
					return
				}
			}
			if err := tv.close(ctx); err != nil {
				errs <- err
			}
		}(tvs[i])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("VU: %v\nlog:\n%s", err, e.log.String())
	}
	var all []metrics.Sample
	for _, tv := range tvs {
		all = append(all, tv.all...)
	}
	c := srv.Counters()

	drops := c.Faults[sim.FaultDrop]
	notSent := sum(all, "cti_failures", "code", "E_NOT_SENT")
	t.Logf("%d requests, %d drops, %d E_NOT_SENT, %d sessions", c.Requests["QUERY_AGENT_STATE_REQ"]+c.Requests["SET_AGENT_STATE_REQ"], drops, notSent, c.SessionsOpened)
	if drops < 5 || notSent == 0 || c.FailuresByRequest["QUERY_AGENT_STATE_REQ"]["E_CTI_TIMEOUT"] == 0 {
		t.Fatalf("the run did not exercise the faults: %d drops, %d E_NOT_SENT, failures %v", drops, notSent, c.FailuresByRequest)
	}

	// Requests, by type: the client counts only what it wrote, the server what it read.
	for _, msg := range []string{"QUERY_AGENT_STATE_REQ", "SET_AGENT_STATE_REQ"} {
		if got, want := sum(all, "cti_requests", "msg", msg), c.Requests[msg]; got != want {
			t.Errorf("cti_requests{msg:%s} = %d; the server received %d", msg, got, want)
		}
		if got, want := int64(len(find(all, "cti_request_duration", "msg", msg))), c.Requests[msg]; got != want {
			t.Errorf("cti_request_duration{msg:%s} has %d values; the server received %d", msg, got, want)
		}
	}
	// Opens.
	if got, want := sum(all, "cti_sessions"), c.Requests["OPEN_REQ"]; got != want {
		t.Errorf("cti_sessions = %d; the server received %d OPEN_REQ", got, want)
	}
	if got, want := sum(all, "cti_sessions", "result", "opened"), c.SessionsOpened; got != want {
		t.Errorf("cti_sessions{opened} = %d; the server opened %d", got, want)
	}
	// Failures the server sent, by request type and code, against the client's.
	want := map[string]int64{}
	for msg, codes := range c.FailuresByRequest {
		for code, n := range codes {
			want[msg+"/"+code] = n
		}
	}
	// Dropped connections: the request that triggered each one failed with E_CONNECTION_LOST.
	for msg, n := range c.Drops {
		want[msg+"/E_CONNECTION_LOST"] = n
	}
	got := byTags(all, "cti_failures", "msg", "code")
	for k := range got {
		if strings.HasSuffix(k, "/E_NOT_SENT") {
			delete(got, k) // the client's own: never reached the server
		}
	}
	if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
		t.Errorf("cti_failures by msg/code:\n client %v\n server %v", sorted(got), sorted(want))
	}
	// Lost sessions: every drop of an open session (not on OPEN_REQ, not on CLOSE_REQ).
	lostWant := drops - c.Drops["OPEN_REQ"] - c.Drops["CLOSE_REQ"]
	if got := byTags(all, "cti_sessions_lost", "cause"); got[client.LossServerClosed] != lostWant || len(got) != 1 {
		t.Errorf("cti_sessions_lost by cause = %v; want %s %d", got, client.LossServerClosed, lostWant)
	}
	// Every frame the client wrote reached the server (failed opens wrote their OPEN_REQ).
	var serverRead int64
	for _, n := range c.Requests {
		serverRead += n
	}
	if got := sum(all, "cti_messages_sent") + sum(all, "cti_sessions", "result", "failed"); got != serverRead {
		t.Errorf("the client wrote %d frames; the server read %d", got, serverRead)
	}
}

func sorted(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}

// fakeServer accepts one connection, answers OPEN_REQ with a valid OPEN_CONF, then writes
// frames (raw bytes) and keeps the connection open until the test ends.
func fakeServer(t *testing.T, frames ...[]byte) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); close(done); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		nc, err := l.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		fr := cti.NewFrameReader(nc, 0)
		m, err := fr.ReadMessage(cti.DefaultVersion)
		req, ok := m.(*cti.OpenReq)
		if err != nil || !ok {
			return
		}
		conf := &cti.OpenConf{InvokeID: req.InvokeID, ServicesGranted: req.ServicesRequested, PeripheralOnline: true,
			SessionType: cti.SessionTypeActive, NumPeripherals: 1, Peripherals: []cti.Peripheral{{FltPeripheralID: 5000}}}
		b, _ := conf.Encode(nil, cti.DefaultVersion)
		for _, f := range frames {
			b = append(b, f...)
		}
		if _, err := nc.Write(b); err != nil {
			return
		}
		go func() { // answer CLOSE_REQ so that close() does not wait
			for {
				m, err := fr.ReadMessage(cti.DefaultVersion)
				if err != nil {
					return
				}
				if r, ok := m.(*cti.CloseReq); ok {
					b, _ := (&cti.CloseConf{InvokeID: r.InvokeID}).Encode(nil, cti.DefaultVersion)
					_, _ = nc.Write(b)
				}
			}
		}()
		<-done
	}()
	return l.Addr().String()
}

func encodeT(t *testing.T, m cti.Message) []byte {
	t.Helper()
	b, err := m.Encode(nil, cti.DefaultVersion)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMalformedFramesCountedNotDelivered: malformed events are counted in cti_decode_errors,
// logged once per kind with their offset, and waitFor gets the next valid event instead.
func TestMalformedFramesCountedNotDelivered(t *testing.T) {
	// CALL_DELIVERED_EVENT cut after MonitorID: its fixed part needs 54 bytes.
	//   00 00 00 04   MessageLength 4
	//   00 00 00 09   MessageType 9 (CALL_DELIVERED_EVENT)
	//   00 00 00 01   MonitorID; nothing more
	short := []byte{0, 0, 0, 4, 0, 0, 0, 9, 0, 0, 0, 1}
	valid := encodeT(t, &cti.CallDeliveredEvent{PeripheralID: 5000, ConnectionCallID: 78})
	addr := fakeServer(t, short, short, valid)
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  const a = cti.connect('` + addr + `', { agentId: '5000', extension: '1000', heartbeat: 0 });
  const ev = a.waitFor('CALL_DELIVERED_EVENT', { timeout: '10s' });
  if (!ev || ev.ConnectionCallID !== 78) throw new Error('waitFor got ' + JSON.stringify(ev));
  a.close();
}`})
	vu := e.newVU(1)
	ctx := ctxTimeout(t, 20*time.Second)
	if err := vu.run(ctx, "default"); err != nil {
		t.Fatalf("%v\nlog:\n%s", err, e.log.String())
	}
	_ = vu.close(ctx)
	if got := byTags(vu.all, "cti_decode_errors", "msg", "reason"); fmt.Sprint(got) != "map[CALL_DELIVERED_EVENT/E_CTI_BAD_MESSAGE_FORMAT:2]" {
		t.Errorf("cti_decode_errors = %v; want CALL_DELIVERED_EVENT/E_CTI_BAD_MESSAGE_FORMAT 2", got)
	}
	var lines []string
	for _, l := range strings.Split(e.log.String(), "\n") {
		if strings.Contains(l, "malformed frame") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "offset=12") || !strings.Contains(lines[0], "type=CALL_DELIVERED_EVENT") {
		t.Errorf("log lines about malformed frames = %q; want one, with the type and offset 12", lines)
	}
}

// TestEventsDroppedCounted: a session whose script does not read its events loses the oldest
// from its full backlog; the drops are counted per session kind.
func TestEventsDroppedCounted(t *testing.T) {
	const flood = client.DefaultEventBacklog + 500
	var frames [][]byte
	ev := encodeT(t, &cti.AgentStateEvent{PeripheralID: 5000, AgentState: cti.AgentStateAvailable, AgentExtension: "1000", AgentID: "5000"})
	for i := 0; i < flood; i++ {
		frames = append(frames, ev)
	}
	frames = append(frames, encodeT(t, &cti.CallDeliveredEvent{PeripheralID: 5000, ConnectionCallID: 1}))
	addr := fakeServer(t, frames...)
	e := newEnv(t, "script.js", map[string]string{"script.js": `
import cti from 'ctiload/cti';
export default function () {
  const a = cti.connect('` + addr + `', { agentId: '5000', extension: '1000', heartbeat: 0 });
  if (!a.waitFor('CALL_DELIVERED_EVENT', { timeout: '10s' })) throw new Error('no CALL_DELIVERED_EVENT');
  a.close();
}`})
	vu := e.newVU(1)
	ctx := ctxTimeout(t, 20*time.Second)
	if err := vu.run(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	_ = vu.close(ctx)
	// The CALL_DELIVERED_EVENT joins the backlog too if it arrives before waitFor starts.
	got := byTags(vu.all, "cti_events_dropped", "mode")
	if n := got["agent"]; (n != flood-client.DefaultEventBacklog && n != flood+1-client.DefaultEventBacklog) || len(got) != 1 {
		t.Errorf("cti_events_dropped by mode = %v; want agent %d (or one more)", got, flood-client.DefaultEventBacklog)
	}
}

// TestLostSessionCountedByCause: a connection the server drops is counted in
// cti_sessions_lost{cause}, once, besides the failure of the request it cut off.
func TestLostSessionCountedByCause(t *testing.T) {
	srv := newSim(t, sim.Config{Faults: sim.Faults{DropAfter: 3}})
	vu, err := runScript(t, srv, prelude+`
export default function () {
  const a = agent(0);
  must(a.login({ password: 'x' }), 'login');
  const r = a.queryState(); // dropped
  if (r.codeName !== 'E_CONNECTION_LOST') fail('queryState: ' + r.codeName);
  if (!a.closed) fail('not closed after the drop');
  const again = a.queryState();
  if (again.codeName !== 'E_NOT_SENT') fail('on the lost session: ' + JSON.stringify(again));
}`, "default")
	if err != nil {
		t.Fatal(err)
	}
	if got := byTags(vu.all, "cti_sessions_lost", "cause"); fmt.Sprint(got) != "map[server_closed:1]" {
		t.Errorf("cti_sessions_lost = %v; want server_closed 1", got)
	}
	if got := sum(vu.all, "cti_requests", "msg", "QUERY_AGENT_STATE_REQ"); got != 1 {
		t.Errorf("cti_requests{QUERY_AGENT_STATE_REQ} = %d; want 1 (the one sent)", got)
	}
}
