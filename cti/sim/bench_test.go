package sim_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// BenchmarkSimRequests measures request throughput: conns agent sessions over 127.0.0.1, each
// keeping window requests in flight (HEARTBEAT_REQ and QUERY_AGENT_STATE_REQ alternating).
// The clients are lean (pre-encoded requests, answers counted by header) so that most of the
// CPU goes to the server; both share this machine's cores.
func BenchmarkSimRequests(b *testing.B) {
	for _, bc := range []struct{ conns, window int }{{1, 32}, {64, 32}, {512, 32}, {512, 1}, {2000, 1}} {
		b.Run(fmt.Sprintf("conns=%d/window=%d", bc.conns, bc.window), func(b *testing.B) { benchRequests(b, bc.conns, bc.window) })
	}
}

func benchRequests(b *testing.B, conns, window int) {
	srv := newSim(b, sim.Config{Agents: sim.AgentsConfig{Count: conns}})
	type peer struct {
		conn net.Conn
		br   *bufio.Reader
	}
	peers := make([]peer, conns)
	for i := range peers {
		ext := strconv.Itoa(sim.DefaultFirstExtension + i)
		c, _ := openAgent(b, srv, cti.V24, "bench"+ext, ext, "")
		c.setState(cti.AgentStateLogin, 0, strconv.Itoa(sim.DefaultFirstAgentID+i))
		c.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent)
		c.conn.SetReadDeadline(time.Time{})
		peers[i] = peer{c.conn, bufio.NewReaderSize(c.conn, 16<<10)}
	}
	var batch []byte
	for j := 0; j < window; j++ {
		if j%2 == 0 {
			batch, _ = (&cti.HeartbeatReq{InvokeID: uint32(j)}).Encode(batch, cti.V24)
		} else {
			batch, _ = (&cti.QueryAgentStateReq{InvokeID: uint32(j), PeripheralID: sim.DefaultPeripheralID}).Encode(batch, cti.V24)
		}
	}
	rounds := (b.N + conns*window - 1) / (conns * window)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for _, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var hdr [8]byte
			for r := 0; r < rounds; r++ {
				if _, err := p.conn.Write(batch); err != nil {
					errs <- err
					return
				}
				for j := 0; j < window; j++ {
					if _, err := io.ReadFull(p.br, hdr[:]); err != nil {
						errs <- err
						return
					}
					if _, err := p.br.Discard(int(binary.BigEndian.Uint32(hdr[:]))); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	total := rounds * conns * window
	b.ReportMetric(float64(total)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(total)/elapsed.Seconds()/50000, "x_target")
}

// BenchmarkSimSessions opens many idle sessions and reports the memory each costs the process
// (heap and goroutine stacks; the client ends are bare sockets). Set CTILOAD_SIM_SESSIONS to
// change the count (default 5000); it is capped by RLIMIT_NOFILE, which is raised to its hard
// limit first, since each session takes two descriptors here.
func BenchmarkSimSessions(b *testing.B) {
	n := 5000
	if s := os.Getenv("CTILOAD_SIM_SESSIONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
	if max := int(rl.Cur)/2 - 200; n > max {
		if max < 100 {
			b.Skipf("RLIMIT_NOFILE %d is too low for a sessions benchmark", rl.Cur)
		}
		b.Logf("RLIMIT_NOFILE %d: opening %d sessions instead of %d", rl.Cur, max, n)
		n = max
	}
	// Extensions from 100000 so that no extension is the dialled number 8000.
	const firstExt = 100000
	srv := newSim(b, sim.Config{Agents: sim.AgentsConfig{Count: n, FirstExtension: firstExt}})
	var req []byte
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	start := time.Now()
	hdr := make([]byte, 8)
	body := make([]byte, 256)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			b.Fatalf("session %d: %v", i, err)
		}
		conns = append(conns, c)
		r := openReq("idle", agentSvc)
		r.AgentExtension = strconv.Itoa(firstExt + i)
		req, _ = r.Encode(req[:0], cti.V24)
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, hdr); err != nil {
			b.Fatalf("session %d: %v", i, err)
		}
		if _, err := io.ReadFull(c, body[:binary.BigEndian.Uint32(hdr)]); err != nil {
			b.Fatal(err)
		}
		if t := cti.MsgType(binary.BigEndian.Uint32(hdr[4:])); t != cti.MsgOpenConf {
			b.Fatalf("session %d: got %s", i, t)
		}
	}
	opening := time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	used := float64((after.HeapInuse+after.StackInuse)-(before.HeapInuse+before.StackInuse)) / float64(n)
	if got := srv.Counters().SessionsActive; got != int64(n) {
		b.Fatalf("active sessions %d; want %d", got, n)
	}
	b.ReportMetric(float64(n), "sessions")
	b.ReportMetric(used, "bytes/session")
	b.ReportMetric(float64(n)/opening.Seconds(), "opens/s")
}
