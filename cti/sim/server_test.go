package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  sim.Config
		want string
	}{
		{"negative rate", sim.Config{Calls: sim.CallsConfig{Rate: -1}}, "Calls.Rate"},
		{"drop rate", sim.Config{Faults: sim.Faults{DropRate: 2}}, "DropRate"},
		{"dialled number is an extension", sim.Config{Calls: sim.CallsConfig{DialedNumber: "1005"}}, "dialed number (--dialed-number) 1005 is also the extension of agent 5005 (extensions 1000…1099"},
		{"reversed uniform", sim.Config{Calls: sim.CallsConfig{TalkTime: sim.Uniform(2*time.Second, time.Second)}}, "reversed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sim.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%s) = %v; want an error about %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestServeShutdownAndCounters(t *testing.T) {
	srv, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	waitFor(t, "Addr", func() bool { return srv.Addr() != "" })

	c, _ := openAgent(t, srv, cti.V24, "desk", "1000", "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	ev := c.expect(cti.MsgFailureEvent)[0].(*cti.FailureEvent)
	check(t, "FAILURE_EVENT", ev.Status, cti.ECTICTIServerOffline)
	c.expectClosed()
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, sim.ErrServerClosed) {
		t.Errorf("Serve = %v; want ErrServerClosed", err)
	}
	if err := srv.Listen("127.0.0.1:0"); !errors.Is(err, sim.ErrServerClosed) {
		t.Errorf("Listen after Shutdown = %v; want ErrServerClosed", err)
	}

	b, err := json.Marshal(srv.Counters())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"sessions_opened":1`, `"OPEN_REQ":1`, `"OPEN_CONF":1`, `"E_CTI_CTI_SERVER_OFFLINE":1`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("counters JSON %s lacks %s", b, want)
		}
	}
}

func TestServeConnPipe(t *testing.T) {
	srv, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cl, sv := net.Pipe()
	defer cl.Close()
	srv.ServeConn(sv)
	c := &client{t: t, name: "pipe", conn: cl, fw: cti.NewFrameWriter(cl, 0), fr: cti.NewFrameReader(cl, 0), v: cti.V24, pid: sim.DefaultPeripheralID}
	req := openReq("pipe", agentSvc)
	req.AgentExtension = "1000"
	go c.fw.WriteMessage(req, c.v)
	c.expect(cti.MsgOpenConf)
}

func TestParse(t *testing.T) {
	if d, err := sim.ParseDist("normal(100ms,20ms)"); err != nil || d != sim.Normal(100*time.Millisecond, 20*time.Millisecond) {
		t.Errorf("ParseDist normal = %v, %v", d, err)
	}
	if d, err := sim.ParseDist("10ms..50ms"); err != nil || d.String() != "10ms..50ms" {
		t.Errorf("ParseDist uniform = %v, %v", d, err)
	}
	if d, err := sim.ParseDist("exp(30s)"); err != nil || d != sim.Exponential(30*time.Second) {
		t.Errorf("ParseDist exp = %v, %v", d, err)
	}
	if _, err := sim.ParseDist("50ms..10ms"); err == nil {
		t.Error("ParseDist accepted a reversed range")
	}
	if r, err := sim.ParseRate("300/m"); err != nil || r != 5 {
		t.Errorf("ParseRate(300/m) = %v, %v", r, err)
	}
	mt, rule, err := sim.ParseFailRule("SET_AGENT_STATE_REQ=5%:CF_INVALID_AGENT_WORK_MODE")
	if err != nil || mt != cti.MsgSetAgentStateReq || rule.Rate != 0.05 || !rule.Control || rule.ControlCode != cti.CFInvalidAgentWorkMode {
		t.Errorf("ParseFailRule = %v %+v %v", mt, rule, err)
	}
	mt, rule, err = sim.ParseFailRule("HEARTBEAT_REQ=0.5:E_CTI_TIMEOUT")
	if err != nil || mt != cti.MsgHeartbeatReq || rule.Control || rule.Status != cti.ECTITimeout {
		t.Errorf("ParseFailRule = %v %+v %v", mt, rule, err)
	}
	if mt, d, err := sim.ParseLatency("*=10ms"); err != nil || mt != 0 || d != sim.Fixed(10*time.Millisecond) {
		t.Errorf("ParseLatency = %v %v %v", mt, d, err)
	}
}
