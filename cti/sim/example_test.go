package sim_test

import (
	"fmt"
	"net"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
)

// A simulator on a loopback port, an agent desktop that logs in, and one inbound call.
func Example() {
	srv, err := sim.New(sim.Config{Agents: sim.AgentsConfig{Count: 10}, Seed: 1})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		panic(err)
	}

	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	v := cti.V24
	w, r := cti.NewFrameWriter(conn, 0), cti.NewFrameReader(conn, 0)
	send := func(m cti.Message) { w.WriteMessage(m, v) }
	recv := func() cti.Message {
		m, err := r.ReadMessage(v)
		if err != nil {
			panic(err)
		}
		return m
	}

	send(&cti.OpenReq{InvokeID: 1, VersionNumber: 24, IdleTimeout: 0xFFFFFFFF, PeripheralID: sim.DefaultPeripheralID,
		ServicesRequested: cti.CTIServiceClientEvents | cti.CTIServiceClientControl,
		CallMsgMask:       0xFFFF, AgentStateMask: 0x3FF, ClientID: "desk", AgentExtension: "1000"})
	fmt.Println(recv().MessageType())
	send(&cti.SetAgentStateReq{InvokeID: 2, PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateLogin, AgentID: "5000"})
	fmt.Println(recv().MessageType(), recv().(*cti.AgentStateEvent).AgentState)
	send(&cti.SetAgentStateReq{InvokeID: 3, PeripheralID: sim.DefaultPeripheralID, AgentState: cti.AgentStateAvailable})
	fmt.Println(recv().MessageType(), recv().(*cti.AgentStateEvent).AgentState)

	srv.OfferCall(sim.CallOptions{ANI: "5551234"})
	for i := 0; i < 3; i++ {
		fmt.Println(recv().MessageType())
	}
	// Output:
	// OPEN_CONF
	// SET_AGENT_STATE_CONF AGENT_STATE_NOT_READY
	// SET_AGENT_STATE_CONF AGENT_STATE_AVAILABLE
	// AGENT_STATE_EVENT
	// BEGIN_CALL_EVENT
	// CALL_DELIVERED_EVENT
}
