package agent_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/agent"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
)

// A warm transfer: agent 5000 answers an inbound call, consults agent 5001 and transfers the
// caller to them. The CTI Server is the simulator on a loopback port; for a real one, dial
// "ctia:42027,ctib:43027" and give the agents' PeripheralID.
func Example() {
	srv, _ := sim.New(sim.Config{Seed: 1})
	defer srv.Close()
	_ = srv.Listen("127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	open := func(id, ext string) (*client.Session, *agent.Desk) {
		s, err := client.Dial(ctx, srv.Addr(), client.WithAgent(client.Agent{ID: id, Extension: ext, PeripheralID: sim.DefaultPeripheralID}))
		if err != nil {
			panic(err)
		}
		return s, agent.New(s, agent.Identity{ID: id, Extension: ext, PeripheralID: sim.DefaultPeripheralID})
	}
	sa, a := open("5000", "1000")
	defer sa.Close(ctx)
	sb, b := open("5001", "1001")
	defer sb.Close(ctx)
	for _, d := range []*agent.Desk{a, b} {
		if _, err := d.Login(ctx, agent.StateOptions{}); err != nil {
			panic(err)
		}
		if _, err := d.SetState(ctx, cti.AgentStateAvailable, agent.StateOptions{}); err != nil {
			panic(err)
		}
	}

	srv.OfferCall(sim.CallOptions{ANI: "5551234"}) // an inbound call to the first available agent
	ev, _ := sa.WaitEvent(ctx, client.MatchType(cti.MsgCallDeliveredEvent))
	call, _ := agent.CallOf(ev.Msg)
	fmt.Println("delivered from", ev.Msg.(*cti.CallDeliveredEvent).ANI)

	r, _ := a.Answer(ctx, call)
	fmt.Println(r.Msg.MessageType())
	leg, r, _ := a.Consult(ctx, call, "1001", cti.ConsultTypeTransfer, agent.CallData{Variables: map[int]string{1: "VIP"}})
	fmt.Println(r.Msg.MessageType())

	ev, _ = sb.WaitEvent(ctx, client.MatchType(cti.MsgCallDeliveredEvent))
	consult, _ := agent.CallOf(ev.Msg)
	fmt.Println("5001 offered the consult leg:", consult.ID == leg.ID)
	_, _ = b.Answer(ctx, consult)

	r, err := a.Transfer(ctx, call, "") // completes the consultation
	fmt.Println(r.Msg.MessageType(), err)
	ev, _ = sb.WaitEvent(ctx, client.MatchType(cti.MsgCallTransferredEvent))
	fmt.Println(ev.Msg.MessageType())
	// Output:
	// delivered from 5551234
	// ANSWER_CALL_CONF
	// CONSULTATION_CALL_CONF
	// 5001 offered the consult leg: true
	// TRANSFER_CALL_CONF <nil>
	// CALL_TRANSFERRED_EVENT
}
