package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/capture"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/spf13/cobra"
)

// captureFlags are the options decode and convert share for reading a packet capture.
type captureFlags struct {
	ports   []uint
	version string
}

func addCaptureFlags(cmd *cobra.Command, cf *captureFlags) {
	cmd.Flags().UintSliceVar(&cf.ports, "port", []uint{capture.DefaultServerPort}, "capture: the CTI Server's TCP `PORT`; repeat or list for side A and side B (42027,43027)")
	cmd.Flags().StringVar(&cf.version, "version", strconv.Itoa(int(cti.DefaultVersion)), "protocol `VERSION` of the frames (13, 14, 15, 20, 24, 25, uccx:14 …); for a capture, of the connections whose OPEN_REQ it lacks (uccx:N also marks the others Unified CCX)")
}

func (cf *captureFlags) options(versionSet bool) (capture.Options, error) {
	var o capture.Options
	for _, p := range cf.ports {
		if p == 0 || p > 65535 {
			return o, fmt.Errorf("--port %d: want a TCP port (1–65535)", p)
		}
		o.ServerPorts = append(o.ServerPorts, uint16(p))
	}
	if versionSet {
		v, err := cti.ParseVersion(cf.version)
		if err != nil {
			return o, err
		}
		o.Version = v
	}
	return o, nil
}

// inputFile is a file decode or convert reads, gunzipped when it is gzip (customers send
// capture.pcap.gz; --trace writes trace.ndjson.gz), with its first bytes at hand.
type inputFile struct {
	io.Reader
	head  []byte // at least the first 4 bytes of the (decompressed) content, when it has them
	close func()
}

func openInput(path string) (*inputFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	in := &inputFile{Reader: br, close: func() { f.Close() }}
	head, _ := br.Peek(4)
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		zbr := bufio.NewReaderSize(zr, 1<<16)
		in.Reader = zbr
		head, _ = zbr.Peek(4)
	}
	in.head = head
	return in, nil
}

// isCapture tells a pcap or pcapng file (gzipped or not) from hex or a raw stream.
func (in *inputFile) isCapture() bool { return capture.Sniff(in.head) != capture.FormatUnknown }

// isCaptureFile reports whether path holds a capture.
func isCaptureFile(path string) bool {
	in, err := openInput(path)
	if err != nil {
		return false
	}
	defer in.close()
	return in.isCapture()
}

// decodeCapture prints every CTI frame of a capture as one JSON line (the --trace format plus
// the packet number and the connection), or with summary a table per connection. Irregularities
// of the streams go to errw as they are found; passwords are redacted.
func decodeCapture(path string, o capture.Options, summary bool, out, errw io.Writer) error {
	in, err := openInput(path)
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: err}
	}
	defer in.close()
	notices := 0
	o.OnNotice = func(n capture.Notice) {
		notices++
		if !summary {
			fmt.Fprintf(errw, "ctiload decode: %s\n", n)
		}
	}
	r, err := capture.NewReader(in, o)
	if err != nil {
		return &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s: %w", path, err)}
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	sum := newCaptureSummary()
	var failed, ok int
	var readErr error
	for {
		fr, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		m, err := fr.Decode()
		if err != nil {
			failed++
			fmt.Fprintf(errw, "ctiload decode: packet %d, %s %s: %v\n", fr.Packet, fr.Conn.Client, fr.Dir, err)
			continue
		}
		ok++
		if summary {
			sum.add(fr, m)
			continue
		}
		cti.Redact(m, fr.Version)
		line, err := captureLine(fr, m)
		if err != nil {
			failed++
			fmt.Fprintf(errw, "ctiload decode: packet %d: %v\n", fr.Packet, err)
			continue
		}
		w.Write(line)
	}
	if summary {
		sum.write(w, path, r, notices)
	}
	w.Flush()
	if readErr != nil {
		fmt.Fprintf(errw, "ctiload decode: %s: %v (the frames before it are decoded above)\n", path, readErr)
		return &exitError{code: 1, err: fmt.Errorf("%s: %w", path, readErr)}
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d frames could not be decoded", failed, failed+ok)}
	}
	if len(r.Conns()) == 0 {
		fmt.Fprintf(errw, "ctiload decode: %s: no TCP connection to port %s in %d packets (--port names the CTI Server's port)\n",
			path, portList(o.ServerPorts), r.Packets())
	}
	return nil
}

func portList(ps []uint16) string {
	if len(ps) == 0 {
		return strconv.Itoa(capture.DefaultServerPort)
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ",")
}

// captureLine renders one frame: the keys of a --trace line (time, dir, session, addr,
// version, size, type, name, fields) plus packet and conn, so that tools reading traces read
// decoded captures too. session is the client's address, addr the server's.
func captureLine(fr capture.Frame, m cti.Message) ([]byte, error) {
	js, err := cti.MarshalMessageJSON(m, fr.Version)
	if err != nil {
		return nil, err
	}
	dir := "out"
	if fr.Dir == capture.ToClient {
		dir = "in"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"packet":%d,"time":%q,"conn":%d,"dir":%q,"session":%q,"addr":%q,"version":%q,"size":%d,`,
		fr.Packet, fr.Time.UTC().Format(time.RFC3339Nano), fr.Conn.ID, dir, fr.Conn.Client.String(), fr.Conn.Server.String(),
		fr.Version.String(), cti.HeaderSize+len(fr.Body))
	b.Write(js[1:])
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// captureSummary counts, per connection, what decode --summary prints.
type captureSummary struct {
	conns map[*capture.Conn]*connSummary
}

type connSummary struct {
	clientID, agentID, instrument string
	peripheral                    uint32
	services                      cti.ServiceMask
	opened                        bool
	counts                        [2]map[string]int
	failures                      map[string]int
}

func newCaptureSummary() *captureSummary {
	return &captureSummary{conns: map[*capture.Conn]*connSummary{}}
}

func (s *captureSummary) add(fr capture.Frame, m cti.Message) {
	cs := s.conns[fr.Conn]
	if cs == nil {
		cs = &connSummary{counts: [2]map[string]int{{}, {}}, failures: map[string]int{}}
		s.conns[fr.Conn] = cs
	}
	cs.counts[fr.Dir-1][m.MessageType().String()]++
	switch x := m.(type) {
	case *cti.OpenReq:
		cs.opened = true
		cs.clientID, cs.peripheral, cs.services = x.ClientID, x.PeripheralID, x.ServicesRequested
		cs.agentID = x.AgentID
		if cs.agentID == "" {
			cs.agentID = x.LongAgentID
		}
		cs.instrument = x.AgentInstrument
		if cs.instrument == "" {
			cs.instrument = x.AgentExtension
		}
	case *cti.FailureConf:
		cs.failures[(&client.FailureError{Status: x.Status}).CodeName()]++
	case *cti.ControlFailureConf:
		cs.failures[(&client.ControlFailureError{Code: x.FailureCode}).CodeName()]++
	}
}

func (s *captureSummary) write(w io.Writer, path string, r *capture.Reader, notices int) {
	conns := r.Conns()
	fmt.Fprintf(w, "%s: %s, %d packets, %d CTI connection(s)", path, r.Format(), r.Packets(), len(conns))
	if notices > 0 {
		fmt.Fprintf(w, ", %d stream irregularities (run without --summary to see each)", notices)
	}
	fmt.Fprintln(w)
	for _, c := range conns {
		cs := s.conns[c]
		if cs == nil {
			cs = &connSummary{counts: [2]map[string]int{{}, {}}, failures: map[string]int{}}
		}
		fmt.Fprintf(w, "\n#%d  %s → %s  %s", c.ID, c.Client, c.Server, c.Version)
		if c.Frames[0]+c.Frames[1] == 0 {
			fmt.Fprintf(w, "  no CTI frames (%s → %s)\n", c.First.UTC().Format("15:04:05.000"), c.Last.UTC().Format("15:04:05.000"))
			continue
		}
		if !c.Opened {
			fmt.Fprint(w, " (no OPEN_REQ in the capture: --version decides)")
		}
		fmt.Fprintln(w)
		if cs.opened {
			mode := "agent mode"
			if cs.services&cti.CTIServiceAllEvents != 0 {
				mode = "bridge mode (all events)"
			}
			fmt.Fprintf(w, "    client ID %q, %s", cs.clientID, mode)
			if cs.agentID != "" {
				fmt.Fprintf(w, ", agent %s", cs.agentID)
			}
			if cs.instrument != "" {
				fmt.Fprintf(w, ", instrument %s", cs.instrument)
			}
			if cs.peripheral != 0 {
				fmt.Fprintf(w, ", peripheral %d", cs.peripheral)
			}
			fmt.Fprintf(w, "\n    services %s\n", serviceNames(cs.services))
		}
		fmt.Fprintf(w, "    %s → %s (%s)\n", c.First.UTC().Format("2006-01-02 15:04:05.000"), c.Last.UTC().Format("15:04:05.000"), c.Last.Sub(c.First).Round(time.Millisecond))
		for d, label := range []string{"client→server", "server→client"} {
			fmt.Fprintf(w, "    %s %d: %s\n", label, c.Frames[d], countList(cs.counts[d]))
		}
		if len(cs.failures) > 0 {
			fmt.Fprintf(w, "    failures: %s\n", countList(cs.failures))
		}
		if c.Skipped+c.Missing+c.Retransmitted > 0 {
			fmt.Fprintf(w, "    stream: %d bytes skipped, %d bytes missing, %d segments retransmitted\n", c.Skipped, c.Missing, c.Retransmitted)
		}
	}
}

func serviceNames(m cti.ServiceMask) string {
	if s := m.Symbol(); s != "" {
		return s
	}
	return "0x" + strconv.FormatUint(uint64(m), 16)
}

// countList renders counts largest first, then by name: "HEARTBEAT_REQ 12, SET_AGENT_STATE_REQ 3".
func countList(m map[string]int) string {
	if len(m) == 0 {
		return "—"
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + strconv.Itoa(m[n])
	}
	return strings.Join(parts, ", ")
}
