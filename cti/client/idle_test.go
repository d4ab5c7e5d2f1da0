package client_test

import (
	"context"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
)

// pipeDialer connects each Dial to srv over a fresh net.Pipe: inside a synctest bubble the
// session's timers and I/O then run on the bubble's clock.
func pipeDialer(srv *sim.Server) client.Option {
	return client.WithDialer(func(context.Context, string, string) (net.Conn, error) {
		c, s := net.Pipe()
		srv.ServeConn(s)
		return c, nil
	})
}

func simAgent(i int) client.Agent {
	return client.Agent{ID: strconv.Itoa(sim.DefaultFirstAgentID + i), Extension: strconv.Itoa(sim.DefaultFirstExtension + i),
		PeripheralID: sim.DefaultPeripheralID}
}

// An idle session costs the client one goroutine (its reader; heartbeats run on a timer) and
// the simulator one per connection. Counted over many sessions after every one has had a
// heartbeat answered, by the function each goroutine belongs to.
func TestIdleSessionGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 50
		const iv = 5 * time.Second
		srv, err := sim.New(sim.Config{Seed: 1, Agents: sim.AgentsConfig{Count: n}})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		synctest.Wait()
		clientBefore, simBefore := goroutinesIn()
		sessions := make([]*client.Session, n)
		for i := range sessions {
			s, err := client.Dial(t.Context(), "sim:42027", pipeDialer(srv), client.WithAgent(simAgent(i)), client.WithHeartbeat(iv))
			if err != nil {
				t.Fatalf("Dial %d: %v", i, err)
			}
			sessions[i] = s
		}
		time.Sleep(iv + time.Millisecond)
		synctest.Wait()
		for i, s := range sessions {
			if st := s.Stats(); st.HeartbeatsSent != 1 || st.HeartbeatsMissed != 0 || s.Err() != nil {
				t.Fatalf("session %d: %+v, Err %v; want one heartbeat sent, none missed", i, st, s.Err())
			}
		}
		clientAfter, simAfter := goroutinesIn()
		if got := clientAfter - clientBefore; got != n {
			t.Errorf("client goroutines: %d for %d idle sessions; want one each", got, n)
		}
		if got := simAfter - simBefore; got != n {
			t.Errorf("simulator goroutines: %d for %d connections; want one each", got, n)
		}
		for _, s := range sessions {
			if err := s.Close(t.Context()); err != nil {
				t.Error(err)
			}
		}
	})
}

// goroutinesIn counts the live goroutines of the caller's synctest bubble running code of the
// client and of the simulator. Goroutines outside the bubble (a session of an earlier test, or
// of an earlier -count run, still ending) are not this test's and are left out.
func goroutinesIn() (clientN, simN int) {
	self := make([]byte, 256)
	self = self[:runtime.Stack(self, false)]
	header, _, _ := strings.Cut(string(self), "\n")
	_, bubble, ok := strings.Cut(header, ", synctest bubble ")
	if !ok {
		panic("goroutinesIn: not called in a synctest bubble: " + header)
	}
	bubble = ", synctest bubble " + bubble // "…, synctest bubble N]:"
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	for _, g := range strings.Split(string(buf), "\n\n") {
		if first, _, _ := strings.Cut(g, "\n"); !strings.HasSuffix(first, bubble) {
			continue
		}
		switch {
		case strings.Contains(g, "ctiload/cti/client.") && !strings.Contains(g, "ctiload/cti/client_test."):
			clientN++
		case strings.Contains(g, "ctiload/cti/sim."):
			simN++
		}
	}
	return clientN, simN
}

// HeartbeatLateMax is how far behind its schedule (an interval after the last frame written) a
// HEARTBEAT_REQ went out. Here the second heartbeat is held 300 ms in the trace observer, which
// runs as the frame is queued: the session reports exactly that, and nothing for the others.
func TestHeartbeatLateness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const iv = 5 * time.Second
		const stall = 300 * time.Millisecond
		srv, err := sim.New(sim.Config{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		heartbeats := 0
		s, err := client.Dial(t.Context(), "sim:42027", pipeDialer(srv), client.WithAgent(simAgent(0)), client.WithHeartbeat(iv),
			client.WithObserver(client.ObserverFunc(func(f client.TraceFrame) {
				if _, ok := f.Msg.(*cti.HeartbeatReq); ok && f.Dir == client.TraceOut {
					heartbeats++
					if heartbeats == 2 {
						time.Sleep(stall)
					}
				}
			})))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close(context.Background())
		time.Sleep(iv + time.Millisecond)
		synctest.Wait()
		if st := s.Stats(); st.HeartbeatsSent != 1 || st.HeartbeatLateMax != 0 {
			t.Fatalf("after the first heartbeat: sent %d, late max %v; want 1, 0", st.HeartbeatsSent, st.HeartbeatLateMax)
		}
		time.Sleep(2*iv + stall)
		synctest.Wait()
		st := s.Stats()
		if st.HeartbeatsSent != 3 || st.HeartbeatsMissed != 0 {
			t.Fatalf("sent %d, missed %d; want 3, 0", st.HeartbeatsSent, st.HeartbeatsMissed)
		}
		if st.HeartbeatLateMax != stall {
			t.Errorf("HeartbeatLateMax = %v; want %v", st.HeartbeatLateMax, stall)
		}
	})
}

// Heartbeats go out on a grid common to all sessions (50 ms apart, at most a hundredth of the
// interval), so that idle sessions opened at scattered instants wake the process once per slot,
// not once each. Sessions opened 7 ms and 31 ms into a slot send their first HEARTBEAT_REQ
// together, on the first grid instant at least an interval after their last frame, and report
// the wait as lateness; traffic a session sends itself moves its next heartbeat as before.
func TestHeartbeatGrid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const iv = 5 * time.Second
		const slot = 50 * time.Millisecond
		srv, err := sim.New(sim.Config{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		start := time.Now() // the bubble's clock starts on a whole second: on the grid
		var mu sync.Mutex
		var sent []time.Duration
		sentSoFar := func() []time.Duration {
			mu.Lock()
			defer mu.Unlock()
			got := sent
			sent = nil
			return got
		}
		observer := client.WithObserver(client.ObserverFunc(func(f client.TraceFrame) {
			if _, ok := f.Msg.(*cti.HeartbeatReq); ok && f.Dir == client.TraceOut {
				mu.Lock()
				sent = append(sent, f.Time.Sub(start))
				mu.Unlock()
			}
		}))
		var sessions []*client.Session
		for i, at := range []time.Duration{7 * time.Millisecond, 31 * time.Millisecond} {
			time.Sleep(at - time.Since(start))
			s, err := client.Dial(t.Context(), "sim:42027", pipeDialer(srv), client.WithAgent(simAgent(i)),
				client.WithHeartbeat(iv), observer)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(context.Background())
			sessions = append(sessions, s)
		}
		time.Sleep(iv + slot)
		synctest.Wait()
		if got, want := sentSoFar(), []time.Duration{iv + slot, iv + slot}; !slices.Equal(got, want) {
			t.Fatalf("heartbeats sent at %v; want %v", got, want)
		}
		for i, want := range []time.Duration{slot - 7*time.Millisecond, slot - 31*time.Millisecond} {
			if got := sessions[i].Stats().HeartbeatLateMax; got != want {
				t.Errorf("session %d: HeartbeatLateMax = %v; want %v (the wait for the grid)", i, got, want)
			}
		}
		// A request 12 ms into the next interval: that session's next heartbeat is due an interval
		// later, and waits for the grid instant after that.
		time.Sleep(12 * time.Millisecond)
		if _, err := sessions[0].Do(t.Context(), &cti.QueryAgentStateReq{PeripheralID: sim.DefaultPeripheralID}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(iv + slot)
		synctest.Wait()
		if got, want := sentSoFar(), []time.Duration{2*iv + slot, 2*iv + 2*slot}; !slices.Equal(got, want) {
			t.Errorf("second heartbeats sent at %v; want %v", got, want)
		}
	})
}
