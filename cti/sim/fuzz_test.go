package sim_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// FuzzSession feeds arbitrary bytes to one simulator connection. The oracle is that nothing
// panics and the connection handler always ends once the client has gone.
func FuzzSession(f *testing.F) {
	open := openReq("fuzz", agentSvc)
	open.AgentExtension = "1000"
	for _, v := range []cti.Version{cti.V14, cti.V24} {
		open.VersionNumber = v.Number()
		seed, _ := open.Encode(nil, v)
		seed, _ = (&cti.HeartbeatReq{InvokeID: 2}).Encode(seed, v)
		seed, _ = (&cti.SetAgentStateReq{InvokeID: 3, PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateLogin, AgentID: "5000"}).Encode(seed, v)
		seed, _ = (&cti.AnswerCallReq{InvokeID: 4, PeripheralID: sim.DefaultPeripheralID, ConnectionCallID: 0xFFFFFFFF, AgentInstrument: "1000"}).Encode(seed, v)
		seed, _ = (&cti.CloseReq{InvokeID: 5}).Encode(seed, v)
		f.Add(seed)
	}
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 1})
	f.Add([]byte{0x80, 0, 0, 0, 0, 0, 0, 3})

	srv, err := sim.New(sim.Config{Agents: sim.AgentsConfig{Count: 2}, Calls: sim.CallsConfig{TalkTime: sim.Fixed(time.Millisecond)}})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		srv.ServeConn(server)
		done := make(chan struct{})
		go func() {
			io.Copy(io.Discard, client)
			close(done)
		}()
		client.SetWriteDeadline(time.Now().Add(2 * time.Second))
		client.Write(data)
		// Half-close is not available on a pipe: closing the client ends the server's reads,
		// which must end the handler and close the server end, which ends the copy.
		time.AfterFunc(10*time.Millisecond, func() { client.Close() })
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("connection did not end")
		}
		deadline := time.Now().Add(5 * time.Second)
		for srv.Counters().SessionsActive != 0 {
			if time.Now().After(deadline) {
				t.Fatal("session still open after its client went away")
			}
			time.Sleep(time.Millisecond)
		}
	})
}
