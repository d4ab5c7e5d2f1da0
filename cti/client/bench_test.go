package client_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
)

// BenchmarkIdleSessionMemory opens many heartbeating agent sessions to the simulator and reports
// what an idle session costs the client: heap (HeapInuse delta after a collection), goroutine
// stacks (StackInuse delta) and goroutines, each per session. The simulator runs in a child
// process (this test binary, re-executed: see TestMain), so the client's figures are its own;
// the child reports the server's side per connection (sim-heap-B/conn, sim-stack-B/conn,
// sim-goroutines/conn). CTILOAD_BENCH_SESSIONS sets the count (default 10,000; 1,000 with
// -short); CTILOAD_BENCH_HEAPPROFILE=file writes the client's heap profile while the sessions
// idle (go tool pprof -sample_index=inuse_space file).
func BenchmarkIdleSessionMemory(b *testing.B) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	if s := os.Getenv("CTILOAD_BENCH_SESSIONS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			b.Fatalf("CTILOAD_BENCH_SESSIONS=%q: want a positive number", s)
		}
		n = v
	}
	raiseFileLimit(b, uint64(n+512)) // the child inherits it
	srv := startIdleServerChild(b, n)
	const heartbeat = time.Second
	if os.Getenv("CTILOAD_BENCH_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 64 // every session's allocations, not a sample of them
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		before := memSnapshot()
		simBefore := srv.measure(b)
		sessions := make([]*client.Session, n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		next := make(chan int)
		for w := 0; w < 64; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range next {
					s, err := client.Dial(context.Background(), srv.addr,
						client.WithAgent(client.Agent{ID: strconv.Itoa(sim.DefaultFirstAgentID + k), Extension: strconv.Itoa(sim.DefaultFirstExtension + k), PeripheralID: sim.DefaultPeripheralID}),
						client.WithClient("bench", "pw"),
						client.WithHeartbeat(heartbeat),
						client.WithOpenTimeout(30*time.Second),
						client.WithConnectTimeout(30*time.Second))
					if err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						continue
					}
					sessions[k] = s
				}
			}()
		}
		for k := 0; k < n; k++ {
			next <- k
		}
		close(next)
		wg.Wait()
		if firstErr != nil {
			closeAll(sessions)
			b.Fatalf("Dial: %v", firstErr)
		}
		// Idle until every session has had a heartbeat answered: its timer, its writer and its
		// reader have all run at least once.
		for _, s := range sessions {
			for s.Stats().LastHeartbeatRTT == 0 {
				if s.Err() != nil {
					b.Fatalf("session ended while idle: %v", s.Err())
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		after := memSnapshot()
		simAfter := srv.measure(b)
		if p := os.Getenv("CTILOAD_BENCH_HEAPPROFILE"); p != "" {
			writeHeapProfile(b, p)
		}
		per := func(a, z uint64) float64 { return (float64(z) - float64(a)) / float64(n) }
		b.ReportMetric(per(before.heap, after.heap), "heap-B/session")
		b.ReportMetric(per(before.stack, after.stack), "stack-B/session")
		b.ReportMetric(per(before.goroutines, after.goroutines), "goroutines/session")
		b.ReportMetric(per(simBefore.heap, simAfter.heap), "sim-heap-B/conn")
		b.ReportMetric(per(simBefore.stack, simAfter.stack), "sim-stack-B/conn")
		b.ReportMetric(per(simBefore.goroutines, simAfter.goroutines), "sim-goroutines/conn")
		closeAll(sessions)
	}
}

type memStats struct{ heap, stack, goroutines uint64 }

func memSnapshot() memStats {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memStats{heap: ms.HeapInuse, stack: ms.StackInuse, goroutines: uint64(runtime.NumGoroutine())}
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// idleServerEnv makes the test binary a simulator for BenchmarkIdleSessionMemory (see TestMain).
const idleServerEnv = "CTILOAD_IDLE_SERVER_AGENTS"

func TestMain(m *testing.M) {
	if v := os.Getenv(idleServerEnv); v != "" {
		os.Exit(runIdleServer(v))
	}
	os.Exit(m.Run())
}

// runIdleServer is the child: a simulator on loopback with the given number of agents. It prints
// its address, then answers each "measure" line on stdin with its memory figures, and stops
// when stdin closes (the parent ended, however it ended).
func runIdleServer(agents string) int {
	n, err := strconv.Atoi(agents)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	srv, err := sim.New(sim.Config{Seed: 1, Agents: sim.AgentsConfig{Count: n}})
	if err == nil {
		err = srv.Listen("127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	fmt.Printf("addr %s\n", srv.Addr())
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() == "measure" {
			m := memSnapshot()
			fmt.Printf("mem %d %d %d\n", m.heap, m.stack, m.goroutines)
		}
	}
	return 0
}

type idleServerChild struct {
	addr string
	in   io.WriteCloser
	out  *bufio.Scanner
}

func startIdleServerChild(b *testing.B, agents int) *idleServerChild {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), idleServerEnv+"="+strconv.Itoa(agents))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = in.Close()
		if err := cmd.Wait(); err != nil {
			b.Errorf("simulator child: %v", err)
		}
	})
	c := &idleServerChild{in: in, out: bufio.NewScanner(out)}
	if !c.out.Scan() {
		b.Fatal("the simulator child exited before listening")
	}
	if _, err := fmt.Sscanf(c.out.Text(), "addr %s", &c.addr); err != nil {
		b.Fatalf("simulator child said %q: %v", c.out.Text(), err)
	}
	return c
}

// measure asks the child for its memory figures.
func (c *idleServerChild) measure(b *testing.B) memStats {
	if _, err := io.WriteString(c.in, "measure\n"); err != nil {
		b.Fatal(err)
	}
	var m memStats
	if !c.out.Scan() {
		b.Fatal("the simulator child exited")
	}
	if _, err := fmt.Sscanf(c.out.Text(), "mem %d %d %d", &m.heap, &m.stack, &m.goroutines); err != nil {
		b.Fatalf("simulator child said %q: %v", c.out.Text(), err)
	}
	return m
}

func closeAll(sessions []*client.Session) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, s := range sessions {
		if s == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			_ = s.Close(context.Background())
			<-sem
		}()
	}
	wg.Wait()
}

// raiseFileLimit makes room for want open files, or skips the benchmark.
func raiseFileLimit(b *testing.B, want uint64) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		b.Skipf("cannot read the open-file limit: %v", err)
	}
	if rl.Cur >= want {
		return
	}
	old := rl
	rl.Cur = want
	if rl.Max < want {
		rl.Max = want // only a privileged process may raise the hard limit
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		b.Skipf("need %d open files, limit is %d/%d and cannot be raised: %v (set CTILOAD_BENCH_SESSIONS lower)", want, old.Cur, old.Max, err)
	}
	b.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// BenchmarkDo measures one request/reply round trip on a loopback session.
func BenchmarkDo(b *testing.B) {
	srv := startServer(b, cti.V24, func(c *serverConn, m cti.Message) bool {
		r, ok := m.(*cti.SetAgentStateReq)
		if ok {
			_ = c.send(&cti.SetAgentStateConf{InvokeID: r.InvokeID})
		}
		return ok
	})
	srv.quiet.Store(true)
	s, err := client.Dial(context.Background(), srv.addr(), client.WithAgent(testAgent), client.WithHeartbeat(0))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	req := &cti.SetAgentStateReq{AgentState: cti.AgentStateAvailable}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Do(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDoParallel measures round trips to the simulator when many goroutines share one
// session (a Go program driving one connection from several goroutines, or requests meeting
// heartbeats): the case where the frame writer on each end coalesces the frames queued during
// a write into the next one.
func BenchmarkDoParallel(b *testing.B) {
	addr := startBenchSim(b, 0)
	ctx := context.Background()
	s, err := client.Dial(ctx, addr, client.WithAgent(client.Agent{ID: "5000", Extension: "1000", Instrument: "1000", PeripheralID: sim.DefaultPeripheralID}), client.WithHeartbeat(0))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := &cti.QueryAgentStateReq{PeripheralID: sim.DefaultPeripheralID}
		for pb.Next() {
			if _, err := s.Do(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRoundTrips compares a session's request round trip with the bare TCP round trip under
// it, in one run: conns goroutines, each with its own connection on 127.0.0.1, one request in
// flight each. "session" is Session.Do of QUERY_AGENT_STATE_REQ against the simulator; "tcp" is a
// 24-byte write answered by a 40-byte write from an echo goroutine, the same syscalls and
// wake-ups without the protocol, its framing or its bookkeeping: the ceiling of the session's
// figure on this machine. Both report round-trips/s and cpu-µs/op (user + system CPU of the
// process per round trip, both ends included), the figure a busy machine disturbs least.
func BenchmarkRoundTrips(b *testing.B) {
	for _, conns := range []int{10, 100} {
		b.Run(fmt.Sprintf("tcp/conns=%d", conns), func(b *testing.B) { benchTCPRoundTrips(b, conns) })
		b.Run(fmt.Sprintf("session/conns=%d", conns), func(b *testing.B) { benchSessionRoundTrips(b, conns) })
	}
}

func benchSessionRoundTrips(b *testing.B, conns int) {
	raiseFileLimit(b, uint64(2*conns+64))
	addr := startBenchSim(b, conns)
	ctx := context.Background()
	sessions := make([]*client.Session, conns)
	for i := range sessions {
		ext := strconv.Itoa(sim.DefaultFirstExtension + i)
		s, err := client.Dial(ctx, addr, client.WithAgent(client.Agent{ID: strconv.Itoa(sim.DefaultFirstAgentID + i), Extension: ext, Instrument: ext, PeripheralID: sim.DefaultPeripheralID}), client.WithHeartbeat(0))
		if err != nil {
			b.Fatal(err)
		}
		sessions[i] = s
	}
	defer closeAll(sessions)
	runRoundTrips(b, conns, func(i int) func() error {
		req := &cti.QueryAgentStateReq{PeripheralID: sim.DefaultPeripheralID}
		return func() error { _, err := sessions[i].Do(ctx, req); return err }
	})
}

func benchTCPRoundTrips(b *testing.B, conns int) {
	raiseFileLimit(b, uint64(2*conns+64))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 40)
				for {
					if _, err := io.ReadFull(c, buf[:24]); err != nil {
						return
					}
					if _, err := c.Write(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	cs := make([]net.Conn, conns)
	for i := range cs {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		cs[i] = c
	}
	runRoundTrips(b, conns, func(i int) func() error {
		buf := make([]byte, 40)
		return func() error {
			if _, err := cs[i].Write(buf[:24]); err != nil {
				return err
			}
			_, err := io.ReadFull(cs[i], buf)
			return err
		}
	})
}

// runRoundTrips shares b.N round trips among conns goroutines, each calling its own roundTrip,
// and reports the rate and the process's CPU per round trip.
func runRoundTrips(b *testing.B, conns int, newRoundTrip func(i int) func() error) {
	var left atomic.Int64
	left.Store(int64(b.N))
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	start := time.Now()
	for i := 0; i < conns; i++ {
		roundTrip := newRoundTrip(i)
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := roundTrip(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "round-trips/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}

// processCPU is the user + system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startBenchSim starts the simulator in this process on 127.0.0.1 with agents agents (0: its
// default) until the benchmark ends, and returns its address.
func startBenchSim(b *testing.B, agents int) string {
	srv, err := sim.New(sim.Config{Seed: 1, Agents: sim.AgentsConfig{Count: agents}})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv.Addr()
}
