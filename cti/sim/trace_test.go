package sim_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/ctiload/ctiload/cti"
	cticlient "github.com/ctiload/ctiload/cti/client"
)

// syncBuffer is a bytes.Buffer safe to read while the server may still write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTrace: with Config.Observer, the simulator traces every frame it reads and sends in the
// NDJSON of `ctiload run --trace` (client.TraceWriter), directions seen from the client, one
// label per connection (with the ClientID once open), and no password in clear.
func TestTrace(t *testing.T) {
	var out syncBuffer
	cfg := callCfg()
	cfg.ClientPassword = "s3cret-client"
	cfg.Agents.Password = "s3cret-agent"
	cfg.Observer = cticlient.NewTraceWriter(&out, cticlient.TraceOptions{Regress: true})
	srv := newSim(t, cfg)

	// A refused open (a version the server does not take), then a good one and a login.
	bad := connect(t, srv, cti.V24)
	req := openReq("bad", agentSvc)
	req.VersionNumber, req.ClientPassword = 99, []byte("s3cret-client")
	bad.send(req)
	bad.failure(1, cti.ECTIInvalidVersion)
	c := connect(t, srv, cti.V15)
	req = openReq("desk", agentSvc)
	req.VersionNumber, req.ClientPassword = 15, []byte("s3cret-client")
	req.AgentExtension, req.AgentInstrument = "1000", "1000"
	c.send(req)
	c.expect(cti.MsgOpenConf)
	c.send(&cti.SetAgentStateReq{PeripheralID: c.pid, AgentState: cti.AgentStateLogin, AgentID: "5000", AgentPassword: "s3cret-agent"})
	c.expect(cti.MsgSetAgentStateConf, cti.MsgAgentStateEvent)
	srv.Close()

	text := out.String()
	if strings.Contains(text, "s3cret") {
		t.Errorf("a password is in the trace:\n%s", text)
	}
	type line struct {
		Dir, Session, Version, Name string
		Size                        int
		Fields                      map[string]any
	}
	var got []string
	var lines []line
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		var x line
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		lines = append(lines, x)
		got = append(got, x.Dir+" "+x.Session+" "+x.Version+" "+x.Name)
	}
	want := []string{
		"out sim1 UCCE v99 OPEN_REQ",
		"in sim1 UCCE v99 FAILURE_CONF",
		"out sim2 UCCE v15 OPEN_REQ",
		"in sim2-desk UCCE v15 OPEN_CONF",
		"out sim2-desk UCCE v15 SET_AGENT_STATE_REQ",
		"in sim2-desk UCCE v15 SET_AGENT_STATE_CONF",
		"in sim2-desk UCCE v15 AGENT_STATE_EVENT",
	}
	check(t, "trace", strings.Join(got, "\n"), strings.Join(want, "\n"))
	if len(lines) == len(want) {
		check(t, "OPEN_REQ ClientPassword", lines[2].Fields["ClientPassword"], cticlient.Redacted)
		check(t, "SET_AGENT_STATE_REQ AgentPassword", lines[4].Fields["AgentPassword"], cticlient.Redacted)
		check(t, "SET_AGENT_STATE_CONF size", lines[5].Size, cti.HeaderSize+4)
	}
}
