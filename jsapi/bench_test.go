package jsapi_test

// Benchmarks of the script layer (see the report in the package's README section of doc.go):
//
//	go test -run '^$' -bench . -benchtime 1x ./jsapi/
//
// Knobs (environment): CTILOAD_BENCH_VUS (VUs of BenchmarkVUMemory, default 1000),
// CTILOAD_BENCH_DURATION (duration of BenchmarkIterations, default 2s; 10s for the figure
// compared with k6), CTILOAD_BENCH_ITER_VUS (VUs of BenchmarkIterations, default 100).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/jsapi"
)

const simChildEnv = "CTILOAD_JSAPI_SIM_CHILD"

// TestMain lets the benchmarks run the simulator in a child process (this test binary again),
// so that memory measured in the parent is the client side only.
func TestMain(m *testing.M) {
	if n := os.Getenv(simChildEnv); n != "" {
		agents, _ := strconv.Atoi(n)
		srv, err := sim.New(sim.Config{Seed: 1, Agents: sim.AgentsConfig{Count: agents}})
		if err == nil {
			err = srv.Listen("127.0.0.1:0")
		}
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println(srv.Addr())
		// Until the parent closes stdin; each line asks how many agents are available.
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			fmt.Println(srv.Counters().Agents.Available)
		}
		srv.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childSim starts a simulator with agents agents in a child process and returns its address.
func childSim(b *testing.B, agents int) string {
	b.Helper()
	addr, _ := childSimAvailable(b, agents)
	return addr
}

// childSimAvailable is childSim that also returns a function asking the simulator how many of
// its agents are available (logged in and READY).
func childSimAvailable(b *testing.B, agents int) (string, func() int) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), simChildEnv+"="+strconv.Itoa(agents))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil || strings.HasPrefix(line, "error") {
		b.Fatalf("child simulator: %q %v", line, err)
	}
	available := func() int {
		if _, err := io.WriteString(stdin, "available?\n"); err != nil {
			b.Fatal(err)
		}
		line, err := out.ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(line))
		return n
	}
	return strings.TrimSpace(line), available
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// memNow is the Go memory a VU can cost: heap in use plus goroutine stacks, after a GC.
func memNow() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// stackNow is the memory of goroutine stacks.
func stackNow() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.StackInuse
}

// rssNow is the process's resident set size from /proc (0 where there is none).
func rssNow() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

const memScript = `
import cti from 'ctiload/cti';
import { sleep } from 'ctiload';
let agent;
export function vuSetup() {
  agent = cti.connect('sim', { agentId: String(5000 + __VU - 1), extension: String(1000 + __VU - 1), heartbeat: '5s' });
}
export function noop() {}
export default function () { sleep(1); }
`

// BenchmarkVUMemory starts N VUs, each holding an open CTI session (heartbeats on) to a
// simulator in a child process, and reports the memory per idle VU (Go heap in use + stacks,
// and RSS growth). CTILOAD_BENCH_HEAPPROFILE=file writes a heap profile of the idle VUs.
func BenchmarkVUMemory(b *testing.B) {
	b.Run("session", func(b *testing.B) { benchVUMemory(b, memScript) })
	// The same script without the session: what the goja runtime and the modules cost.
	b.Run("bare", func(b *testing.B) {
		benchVUMemory(b, strings.Replace(memScript, "agent = cti.connect", "agent = cti.connect.length && ", 1))
	})
}

// BenchmarkAgentMemory runs scripts/bench/idle-agents.js (the script of make bench-scale) on N
// VUs, as the engine would (one goroutine per VU, samples to an aggregator), waits until every
// agent is logged in and READY, and reports what each idle agent costs: Go heap in use + stacks
// after a collection, and RSS growth. CTILOAD_BENCH_HEAPPROFILE=file writes a heap profile of
// the idle agents (go tool pprof -sample_index=inuse_space).
func BenchmarkAgentMemory(b *testing.B) {
	n := envInt("CTILOAD_BENCH_VUS", 1000)
	raiseNoFile(b, uint64(2*n+256))
	addr, available := childSimAvailable(b, n+10)
	if os.Getenv("CTILOAD_BENCH_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 512
	}
	env := map[string]string{"AGENTS": strconv.Itoa(n), "HOLD": "1h", "LOGIN_RATE": "1000000", "HEARTBEAT": "5s"}
	s, err := jsapi.Load(filepath.Join("..", "scripts", "bench", "idle-agents.js"), jsapi.LoadOptions{Env: env})
	if err != nil {
		b.Fatal(err)
	}
	reg := metrics.NewRegistry()
	agg, err := metrics.NewAggregator(reg, metrics.AggregatorOptions{})
	if err != nil {
		b.Fatal(err)
	}
	agg.Start()
	defer agg.Stop()
	r, err := s.NewRunner(jsapi.RunnerConfig{Target: addr, PeripheralID: sim.DefaultPeripheralID, Registry: reg})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	debug.FreeOSMemory()
	before, rssBefore := memNow(), rssNow()
	stackBefore := stackNow()
	t0 := time.Now()
	tags := map[string]string{"scenario": "agents"}
	done := make(chan error, n)
	for i := 0; i < n; i++ {
		buf := agg.NewBuffer()
		vu, err := r.NewVU(ctx, uint64(i+1), buf)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		it := &executor.Iteration{Scenario: "agents", Exec: "default", VUID: uint64(i + 1), ScenarioIter: uint64(i), ScenarioStart: t0,
			Scheduled: now, Start: now, Env: env, Tags: tags, TagSet: metrics.NewTags("scenario", "agents"), Samples: buf}
		go func() {
			err := vu.RunIteration(ctx, it)
			_ = vu.(executor.VUCloser).Close(context.Background())
			done <- err
		}()
	}
	for deadline := time.Now().Add(2 * time.Minute); available() < n; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d agents READY after 2 minutes", available(), n)
		}
	}
	after, rssAfter := memNow(), rssNow()
	writeHeapProfile(b)
	b.ReportMetric(float64(after-before)/float64(n), "heap+stack-B/agent")
	b.ReportMetric(float64(stackNow()-stackBefore)/float64(n), "stack-B/agent")
	if rssAfter > rssBefore {
		b.ReportMetric(float64(rssAfter-rssBefore)/float64(n), "rss-B/agent")
	}
	b.ReportMetric(float64(runtime.NumGoroutine())/float64(n), "goroutines/agent")
	b.ReportMetric(float64(n), "agents")
	cancel()
	for i := 0; i < n; i++ {
		<-done
	}
}

// writeHeapProfile writes a heap profile to the file CTILOAD_BENCH_HEAPPROFILE names, if any.
func writeHeapProfile(b *testing.B) {
	p := os.Getenv("CTILOAD_BENCH_HEAPPROFILE")
	if p == "" {
		return
	}
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// raiseNoFile raises the soft limit of open files to at least want (up to the hard limit).
func raiseNoFile(b *testing.B, want uint64) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	if l.Cur >= want {
		return
	}
	l.Cur = min(want, l.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur < want {
		b.Skipf("open files limit %d, want %d", l.Cur, want)
	}
}

func benchVUMemory(b *testing.B, script string) {
	n := envInt("CTILOAD_BENCH_VUS", 1000)
	addr := childSim(b, n+10)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "script.js"), []byte(script), 0o644); err != nil {
		b.Fatal(err)
	}
	s, err := jsapi.Load(filepath.Join(dir, "script.js"), jsapi.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	r, err := s.NewRunner(jsapi.RunnerConfig{Target: addr, PeripheralID: sim.DefaultPeripheralID, Registry: metrics.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	// One VU first, so that one-time costs (code, catalog tables, pools) are not counted.
	vus := make([]executor.VU, 0, n+1)
	bufs := make([]*metrics.SampleBuffer, 0, n+1)
	start := func() {
		buf := &metrics.SampleBuffer{}
		vu, err := r.NewVU(context.Background(), uint64(len(vus)+1), buf)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		it := &executor.Iteration{Exec: "noop", VUID: uint64(len(vus) + 1), Scheduled: now, Start: now, Samples: buf}
		if err := vu.RunIteration(context.Background(), it); err != nil {
			b.Fatal(err)
		}
		buf.Drain()
		vus = append(vus, vu)
		bufs = append(bufs, buf)
	}
	if os.Getenv("CTILOAD_BENCH_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 512
	}
	start()
	debug.FreeOSMemory()
	before, rssBefore := memNow(), rssNow()
	for i := 0; i < n; i++ {
		start()
	}
	after, rssAfter := memNow(), rssNow()
	writeHeapProfile(b)
	b.ReportMetric(float64(after-before)/float64(n), "heap+stack-B/VU")
	if rssAfter > rssBefore {
		b.ReportMetric(float64(rssAfter-rssBefore)/float64(n), "rss-B/VU")
	}
	b.ReportMetric(float64(n), "VUs")
	for _, vu := range vus {
		_ = vu.(executor.VUCloser).Close(context.Background())
	}
	runtime.KeepAlive(bufs)
}

// BenchmarkIterations runs an empty default function on 100 VUs through the whole stack (engine
// constant-vus executor, aggregator, jsapi) and reports iterations per second.
func BenchmarkIterations(b *testing.B) {
	d := 2 * time.Second
	if v := os.Getenv("CTILOAD_BENCH_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			b.Fatal(err)
		}
	}
	vus := envInt("CTILOAD_BENCH_ITER_VUS", 100)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "script.js"), []byte("export default function () {}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	s, err := jsapi.Load(filepath.Join(dir, "script.js"), jsapi.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		reg := metrics.NewRegistry()
		r, err := s.NewRunner(jsapi.RunnerConfig{Registry: reg})
		if err != nil {
			b.Fatal(err)
		}
		opts := engine.Options{Scenarios: map[string]json.RawMessage{
			"empty": json.RawMessage(fmt.Sprintf(`{"executor":"constant-vus","vus":%d,"duration":%q,"gracefulStop":"1s"}`, vus, d.String())),
		}}
		cfg, err := opts.Resolve()
		if err != nil {
			b.Fatal(err)
		}
		cfg.Registry = reg
		run, err := engine.New(cfg, r)
		if err != nil {
			b.Fatal(err)
		}
		res, err := run.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		total += res.Totals().Iterations
		elapsed += time.Duration(res.Duration)
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "iterations/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSessionCall measures one session method called from JS (queryState: encode, write,
// the simulator's answer, decode, result object, metrics) against the same request through
// client.Session.Do from Go; the difference is the script layer's per-call overhead.
func BenchmarkSessionCall(b *testing.B) {
	srv, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()

	b.Run("js", func(b *testing.B) {
		dir := b.TempDir()
		src := `
import cti from 'ctiload/cti';
let a;
export function vuSetup() { a = cti.connect('sim', { agentId: '5000', extension: '1000', heartbeat: 0 }); }
export default function () { a.queryState(); }
`
		if err := os.WriteFile(filepath.Join(dir, "script.js"), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		s, err := jsapi.Load(filepath.Join(dir, "script.js"), jsapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r, err := s.NewRunner(jsapi.RunnerConfig{Target: srv.Addr(), PeripheralID: sim.DefaultPeripheralID, Registry: metrics.NewRegistry()})
		if err != nil {
			b.Fatal(err)
		}
		buf := &metrics.SampleBuffer{}
		vu, err := r.NewVU(context.Background(), 1, buf)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		tags := metrics.NewTags("scenario", "bench")
		it := &executor.Iteration{VUID: 1, TagSet: tags, Samples: buf}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			it.VUIter = uint64(i)
			it.Start = time.Now()
			it.Scheduled = it.Start
			if err := vu.RunIteration(ctx, it); err != nil {
				b.Fatal(err)
			}
			if buf.Len() > 1024 {
				buf.Drain()
			}
		}
		b.StopTimer()
		_ = vu.(executor.VUCloser).Close(ctx)
	})
	b.Run("go", func(b *testing.B) {
		ctx := context.Background()
		s, err := client.Dial(ctx, srv.Addr(), client.WithAgent(client.Agent{ID: "5001", Extension: "1001", Instrument: "1001", PeripheralID: sim.DefaultPeripheralID}), client.WithHeartbeat(0))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close(ctx)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := &cti.QueryAgentStateReq{PeripheralID: sim.DefaultPeripheralID, AgentInstrument: "1001", AgentID: "5001"}
			if _, err := s.Do(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
