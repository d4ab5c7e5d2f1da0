package client_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
)

// BenchmarkIdleSessionMemory opens many heartbeating sessions to the in-process loopback server
// and reports what an idle session costs: heap (HeapInuse delta), goroutine stacks (StackInuse
// delta) and goroutines, each per session. The server's side of every connection (its conn, frame
// reader and goroutine) is in the same process and included, so the figures are an upper bound
// of the client's cost. CTILOAD_BENCH_SESSIONS overrides the count (default 10,000; 1,000 with
// -short).
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
	// Client and server ends of every connection live in this process.
	raiseFileLimit(b, uint64(2*n+512))

	srv := startServer(b, cti.V24, nil)
	srv.quiet.Store(true)
	const heartbeat = time.Second
	opts := []client.Option{
		client.WithAgent(testAgent),
		client.WithClient("bench", "pw"),
		client.WithHeartbeat(heartbeat),
		client.WithOpenTimeout(30 * time.Second),
		client.WithConnectTimeout(30 * time.Second),
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		before := memSnapshot()
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
					s, err := client.Dial(context.Background(), srv.addr(), opts...)
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
		// Idle long enough for every session to heartbeat at least once.
		time.Sleep(heartbeat + heartbeat/2)
		after := memSnapshot()
		var hb uint64
		for _, s := range sessions {
			st := s.Stats()
			hb += st.HeartbeatsSent
			if s.Err() != nil {
				b.Fatalf("session ended while idle: %v", s.Err())
			}
		}
		if hb < uint64(n) {
			b.Errorf("only %d heartbeats for %d sessions", hb, n)
		}
		per := func(a, z uint64) float64 { return (float64(z) - float64(a)) / float64(n) }
		b.ReportMetric(per(before.heap, after.heap), "heap-B/session")
		b.ReportMetric(per(before.stack, after.stack), "stack-B/session")
		b.ReportMetric(per(before.goroutines, after.goroutines), "goroutines/session")
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
	srv, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	s, err := client.Dial(ctx, srv.Addr(), client.WithAgent(client.Agent{ID: "5000", Extension: "1000", Instrument: "1000", PeripheralID: sim.DefaultPeripheralID}), client.WithHeartbeat(0))
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
