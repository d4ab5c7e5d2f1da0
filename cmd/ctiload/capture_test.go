package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/capture"
	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/jsapi/convert"
	"github.com/google/gopacket/pcapgo"
)

// The capture tests record testdata/capture/roundtrip.js against a simulator with tcpdump on
// the loopback interface (their own process, filtered on the simulator's port, stopped by the
// test), then decode, convert and replay what they captured. The committed fixtures beside the
// scenario were made the same way: UPDATE_CAPTURE_FIXTURES=1 go test ./cmd/ctiload -run
// TestCaptureRoundTrip (see testdata/capture/README.md).

const (
	capturePassword = "pw-S3cret!" // the agents' password: on the wire, never in an output
	captureSeed     = "7"
	captureFailRate = "QUERY_AGENT_STATE_REQ=100%:E_CTI_TIMEOUT"
	fixturePort     = "42128" // the port the committed fixtures were recorded on
)

// tcpdumpOn starts tcpdump writing the packets of TCP port port on iface to path, and returns
// once it is listening. The returned function stops it. A machine without tcpdump, or without
// the right to capture, skips the test.
func tcpdumpOn(t *testing.T, iface string, port int, path string) (stop func()) {
	t.Helper()
	return tcpdumpFilter(t, iface, "tcp port "+strconv.Itoa(port), path)
}

// tcpdumpFilter is tcpdumpOn with any capture filter.
func tcpdumpFilter(t *testing.T, iface, filter, path string) (stop func()) {
	t.Helper()
	bin, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed (Debian: apt-get install tcpdump; .ci/run installs it): the capture tests record real captures with it")
	}
	cmd := exec.Command(bin, "-i", iface, "-U", "-n", "-w", path, filter)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("tcpdump does not start: %v", err)
	}
	done := make(chan error, 1)
	listening := make(chan string, 1)
	var errText strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			errText.WriteString(line + "\n")
			if strings.Contains(line, "listening on") {
				listening <- line
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case <-listening:
	case err := <-done:
		t.Skipf("tcpdump cannot capture on %s here (%v): %s", iface, err, errText.String())
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("tcpdump did not start listening within 20s")
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// startCaptureSim starts the simulator the round-trip scenario runs against.
func startCaptureSim(t *testing.T, addr string) *sim.Server {
	t.Helper()
	typ, rule, err := sim.ParseFailRule(captureFailRate)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := strconv.ParseInt(captureSeed, 10, 64)
	s, err := sim.New(sim.Config{
		Agents: sim.AgentsConfig{Count: 3, Password: capturePassword},
		Faults: sim.Faults{Fail: map[cti.MsgType]sim.FailRule{typ: rule}},
		Seed:   seed,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(addr); err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitForFrames waits until the capture file holds n frames of type name: tcpdump writes each
// packet as it sees it (-U), but a little after the client saw it.
func waitForFrames(t *testing.T, path string, ports []uint16, name string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := 0
		if f, err := os.Open(path); err == nil {
			if r, err := capture.NewReader(f, capture.Options{ServerPorts: ports}); err == nil {
				for {
					fr, err := r.Next()
					if err != nil {
						break
					}
					if fr.Type.String() == name {
						got++
					}
				}
			}
			f.Close()
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the capture holds %d %s frames after 20s, want %d", got, name, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordRoundTrip runs roundtrip.js against a simulator on port while tcpdump captures iface.
func recordRoundTrip(t *testing.T, iface string, port int, path string) {
	t.Helper()
	s := startCaptureSim(t, "127.0.0.1:"+strconv.Itoa(port))
	stop := tcpdumpOn(t, iface, port, path)
	runCLI(t, nil, "run", "--quiet", "--no-color", "--seed", captureSeed, "--target", s.Addr(),
		"-e", "AGENT_PASSWORD="+capturePassword, "capture/roundtrip.js").want(t, 0)
	waitForFrames(t, path, []uint16{uint16(port)}, "CLOSE_CONF", 3)
	stop()
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// requestsPerAgent lists, per agent ID, the request types its connection sent (heartbeats,
// which sessions send by themselves, left out).
func requestsPerAgent(t *testing.T, clients []*convert.Client) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, c := range clients {
		agent := ""
		var names []string
		for _, m := range c.Msgs {
			if !m.Out || m.Name == "HEARTBEAT_REQ" {
				continue
			}
			if m.Name == "OPEN_REQ" {
				for _, f := range m.Fields {
					if f.Name == "AgentID" {
						_ = json.Unmarshal(f.Raw, &agent)
					}
				}
			}
			names = append(names, m.Name)
		}
		out[agent] = names
	}
	return out
}

// TestCaptureRoundTrip: the scenario against the simulator while tcpdump captures loopback →
// convert → the generated script against a fresh simulator with the same seed: its checks all
// pass, and each agent sends the same request types in the same order as captured.
func TestCaptureRoundTrip(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	pcapPath := filepath.Join(dir, "roundtrip.pcap")
	recordRoundTrip(t, "lo", port, pcapPath)
	portFlag := strconv.Itoa(port)

	raw, err := os.ReadFile(pcapPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(capturePassword)) {
		t.Fatalf("the capture lacks the agents' password: the redaction checks below would prove nothing")
	}

	// decode and decode --summary read it, without the password.
	dec := runCLI(t, nil, "decode", "--port", portFlag, pcapPath)
	dec.want(t, 0)
	if strings.Contains(dec.stdout, capturePassword) {
		t.Errorf("decode output shows the password")
	}
	if n := strings.Count(dec.stdout, `"name":"OPEN_REQ"`); n != 3 {
		t.Errorf("decode shows %d OPEN_REQ, want 3", n)
	}
	sum := runCLI(t, nil, "decode", "--summary", "--port", portFlag, pcapPath)
	sum.want(t, 0)
	contains(t, "decode --summary", sum.stdout, "agent 5000", "agent 5001", "agent 5002",
		"failures: CF_INVALID_OBJECT_STATE 1, E_CTI_TIMEOUT 1", "CONSULTATION_CALL_REQ 1", "TRANSFER_CALL_REQ 1")

	// The same packets in a pcapng file decode to the same lines.
	ngPath := filepath.Join(dir, "roundtrip.pcapng")
	toPcapNG(t, pcapPath, ngPath)
	decNG := runCLI(t, nil, "decode", "--port", portFlag, ngPath)
	decNG.want(t, 0)
	if decNG.stdout != dec.stdout {
		t.Errorf("pcapng decodes differently from the pcap of the same packets")
	}

	// convert, then replay against a fresh simulator with the same seed (and fault).
	script := filepath.Join(dir, "repro.js")
	conv := runCLI(t, nil, "convert", "--port", portFlag, ngPath, "-o", script)
	conv.want(t, 0)
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte(capturePassword)) {
		t.Fatalf("the generated script holds the captured password")
	}
	contains(t, "generated script", string(src), "AgentPassword: AGENT_PASSWORD", `"CONTROL_FAILURE_CONF", "CF_INVALID_OBJECT_STATE"`,
		`"FAILURE_CONF", "E_CTI_TIMEOUT"`, "simulator: { firstAgentId: 5000, firstExtension: 1000, agents: 3")
	trace := filepath.Join(dir, "replay.ndjson.gz")
	export := filepath.Join(dir, "summary.json")
	replay := runCLI(t, nil, "run", "--quiet", "--no-color", "--seed", captureSeed, "--sim-fail-rate", captureFailRate,
		"--sim-agent-password", capturePassword, "-e", "AGENT_PASSWORD="+capturePassword,
		"--trace", trace, "--summary-export", export, script)
	replay.want(t, 0)
	var s scenarioSummary
	b, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	var passes, fails int64
	for _, c := range s.Summary.Checks {
		passes += c.Passes
		fails += c.Fails
	}
	if fails != 0 || passes < 40 {
		t.Errorf("replay checks: %d passed, %d failed; want every one of them (at least 40) to pass\n%s", passes, fails, replay.stdout)
	}

	f, err := os.Open(ngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	captured, _, err := convert.ReadCapture(f, capture.Options{ServerPorts: []uint16{uint16(port)}})
	if err != nil {
		t.Fatal(err)
	}
	tf, err := os.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	zr, err := gzip.NewReader(tf)
	if err != nil {
		t.Fatal(err)
	}
	replayed, _, err := convert.ReadTrace(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, got := requestsPerAgent(t, captured), requestsPerAgent(t, replayed)
	if len(want) != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("request types per agent:\n got %v\nwant %v", got, want)
	}
	// The replay's own trace converts too (gzipped NDJSON): the same three clients.
	again := runCLI(t, nil, "convert", "--timing", "compressed", trace)
	again.want(t, 0)
	contains(t, "convert of the replay's trace", again.stdout, "3 client connection(s)", "timing: compressed", `"CONTROL_FAILURE_CONF", "CF_INVALID_OBJECT_STATE"`)
	if os.Getenv("UPDATE_CAPTURE_FIXTURES") != "" {
		updateFixtures(t)
	}
}

// toPcapNG rewrites a pcap file as pcapng, packet for packet.
func toPcapNG(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r, err := pcapgo.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, r.LinkType())
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// updateFixtures records the committed fixtures again: on lo (Ethernet framing) and on any
// (Linux cooked v2), on the fixtures' fixed port.
func updateFixtures(t *testing.T) {
	port, _ := strconv.Atoi(fixturePort)
	for _, f := range []struct{ iface, name string }{{"lo", "roundtrip.pcap"}, {"any", "roundtrip-any.pcap"}} {
		t.Run("fixture "+f.name, func(t *testing.T) {
			tmp := filepath.Join(t.TempDir(), f.name)
			recordRoundTrip(t, f.iface, port, tmp)
			b, err := os.ReadFile(tmp)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("testdata", "capture", f.name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote testdata/capture/%s (%d bytes)", f.name, len(b))
		})
	}
}

// TestCaptureFixtures reads the committed captures (no tcpdump needed): Ethernet on lo and
// Linux cooked v2 on any (tcpdump -i any).
func TestCaptureFixtures(t *testing.T) {
	for _, name := range []string{"roundtrip.pcap", "roundtrip-any.pcap"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("capture", name)
			raw, err := os.ReadFile(filepath.Join("testdata", path))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(raw, []byte(capturePassword)) {
				t.Fatalf("fixture lacks the password on the wire")
			}
			dec := runCLI(t, nil, "decode", "--port", fixturePort, path)
			dec.want(t, 0)
			if strings.Contains(dec.stdout+dec.stderr, capturePassword) {
				t.Errorf("decode shows the password")
			}
			lines := strings.Split(strings.TrimSpace(dec.stdout), "\n")
			var first struct {
				Packet  int    `json:"packet"`
				Conn    int    `json:"conn"`
				Dir     string `json:"dir"`
				Session string `json:"session"`
				Addr    string `json:"addr"`
				Version string `json:"version"`
				Name    string `json:"name"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
				t.Fatal(err)
			}
			if first.Name != "OPEN_REQ" || first.Dir != "out" || first.Version != "UCCE v24" || first.Addr != "127.0.0.1:"+fixturePort || first.Packet == 0 {
				t.Errorf("first line %+v", first)
			}
			if n := strings.Count(dec.stdout, `"name":"CLOSE_CONF"`); n != 3 {
				t.Errorf("%d CLOSE_CONF, want 3", n)
			}
			if dec.stderr != "" {
				t.Errorf("stream notices on a clean capture: %s", dec.stderr)
			}
			// Gzipped, as customers send captures: the same lines.
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(raw)
			zw.Close()
			gzPath := filepath.Join(t.TempDir(), name+".gz")
			if err := os.WriteFile(gzPath, gz.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			decGz := runCLI(t, nil, "decode", "--port", fixturePort, gzPath)
			decGz.want(t, 0)
			if decGz.stdout != dec.stdout {
				t.Errorf("the gzipped capture decodes differently")
			}
			conv := runCLI(t, nil, "convert", "--port", fixturePort, "--timing", "none", "--agent", "5001", path)
			conv.want(t, 0)
			if strings.Contains(conv.stdout, capturePassword) {
				t.Errorf("convert copies the password")
			}
			contains(t, "convert --agent 5001", conv.stdout, "1 client connection(s)", `const C1 = identity(1, { agentId: "5001"`, "CONSULTATION_CALL_REQ")
			if strings.Contains(conv.stdout, "\n  at(t0, ") || strings.Contains(conv.stdout, "function at(") {
				t.Errorf("--timing none paces requests")
			}
		})
	}
}

// TestDecodeTruncatedCapture: a capture cut inside its last packet prints every frame before
// it, names the packet and exits 1.
func TestDecodeTruncatedCapture(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "capture", "roundtrip.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(cut, raw[:len(raw)-20], 0o644); err != nil {
		t.Fatal(err)
	}
	full := runCLI(t, nil, "decode", "--port", fixturePort, filepath.Join("capture", "roundtrip.pcap"))
	full.want(t, 0)
	res := runCLI(t, nil, "decode", "--port", fixturePort, cut)
	res.want(t, 1)
	packets := 0
	for _, l := range strings.Split(full.stdout, "\n") {
		if l != "" {
			packets++
		}
	}
	if got := strings.Count(res.stdout, "\n"); got < packets-2 || got > packets {
		t.Errorf("the cut capture decodes %d frames; the whole one %d", got, packets)
	}
	contains(t, "stderr", res.stderr, "the capture file is truncated", "the frames before it are decoded above")
	if !strings.Contains(res.stderr, "packet ") {
		t.Errorf("the error does not name the packet: %s", res.stderr)
	}
	// Not a capture at all: hex decoding as before, and a flag only captures take is refused.
	bad := runCLI(t, nil, "decode", "--summary", filepath.Join("capture", "roundtrip.js"))
	bad.want(t, exitInvalidOptions)
	contains(t, "stderr", bad.stderr, "--summary applies to a pcap or pcapng capture file only")
}

// TestCaptureFailover records a desktop moving from side A to side B of a duplex simulator
// (both ports captured) and decodes it: two connections of the same agent, side A's
// FAILURE_EVENT, the new OPEN_REQ on side B. UPDATE_CAPTURE_FIXTURES=1 writes it to
// testdata/capture/failover.pcap.
func TestCaptureFailover(t *testing.T) {
	portA, portB := freePort(t), freePort(t)
	if os.Getenv("UPDATE_CAPTURE_FIXTURES") != "" {
		portA, portB = 42128, 43128
	}
	d, err := sim.NewDuplex(sim.Config{Agents: sim.AgentsConfig{Count: 3, Password: capturePassword}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Listen("127.0.0.1:"+strconv.Itoa(portA), "127.0.0.1:"+strconv.Itoa(portB)); err != nil {
		t.Skipf("cannot listen: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	path := filepath.Join(t.TempDir(), "failover.pcap")
	stop := tcpdumpFilter(t, "lo", "tcp port "+strconv.Itoa(portA)+" or tcp port "+strconv.Itoa(portB), path)
	a, b := d.Addrs()
	ports := []uint16{uint16(portA), uint16(portB)}
	done := make(chan cliResult, 1)
	go func() {
		done <- runCLI(t, nil, "run", "--quiet", "--no-color", "--target", a+","+b, "-e", "AGENT_PASSWORD="+capturePassword, "capture/failover.js")
	}()
	waitForFrames(t, path, ports, "SET_AGENT_STATE_CONF", 2) // logged in and READY on side A
	d.Failover()
	res := <-done
	res.want(t, 0)
	waitForFrames(t, path, ports, "CLOSE_CONF", 1)
	stop()

	portList := strconv.Itoa(portA) + "," + strconv.Itoa(portB)
	sum := runCLI(t, nil, "decode", "--summary", "--port", portList, path)
	sum.want(t, 0)
	contains(t, "decode --summary", sum.stdout, "→ 127.0.0.1:"+strconv.Itoa(portA), "→ 127.0.0.1:"+strconv.Itoa(portB), "agent 5000")
	dec := runCLI(t, nil, "decode", "--port", portList, path)
	dec.want(t, 0)
	contains(t, "decode", dec.stdout, `"name":"FAILURE_EVENT"`, `E_CTI_CTI_SERVER_OFFLINE`)
	if n := strings.Count(dec.stdout, `"name":"OPEN_REQ"`); n != 2 {
		t.Errorf("%d OPEN_REQ, want one per side", n)
	}
	if strings.Contains(dec.stdout, capturePassword) {
		t.Errorf("decode shows the password")
	}
	if os.Getenv("UPDATE_CAPTURE_FIXTURES") != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "capture", "failover.pcap"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCaptureFailoverFixture decodes the committed fail-over capture: one desktop, side A
// (42128) then side B (43128).
func TestCaptureFailoverFixture(t *testing.T) {
	path := filepath.Join("capture", "failover.pcap")
	onlyA := runCLI(t, nil, "decode", "--summary", path+"", "--port", "42128")
	onlyA.want(t, 0)
	if strings.Contains(onlyA.stdout, ":43128") {
		t.Errorf("--port 42128 shows side B's connection")
	}
	both := runCLI(t, nil, "decode", "--summary", "--port", "42128,43128", path)
	both.want(t, 0)
	contains(t, "decode --summary", both.stdout, "→ 127.0.0.1:42128  UCCE v24", "→ 127.0.0.1:43128  UCCE v24", "FAILURE_EVENT 1", "QUERY_AGENT_STATE_REQ 1")

	// convert makes one VU of the two connections, reconnecting by itself; against a duplex
	// simulator failing over at the captured moment, the replay passes.
	script := filepath.Join(t.TempDir(), "failover-repro.js")
	runCLI(t, nil, "convert", "--port", "42128,43128", path, "-o", script).want(t, 0)
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "generated script", string(src), "1 client connection(s)", "failover: true", "reconnected(s, ", "duplex: true, failoverAfter: '",
		"CLOSE_REQ as the session left that side")
	if strings.Contains(string(src), "s.close(); // packet 22") {
		t.Errorf("the session's own CLOSE_REQ on the failed side is replayed as s.close()")
	}
	replay := runCLI(t, nil, "run", "--quiet", "--no-color", "-e", "AGENT_PASSWORD=x", script)
	replay.want(t, 0)
	contains(t, "replay", replay.stdout, "reconnected 1")
}
