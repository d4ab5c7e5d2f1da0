package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// An agent desktop: open a session for agent 1001, make the agent available, and wait for the
// server to confirm the new state with an AGENT_STATE_EVENT.
func Example() {
	addr, stop := exampleServer() // a loopback CTI server; use "ctia:42027,ctib:43027" for a real one
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := client.Dial(ctx, addr,
		client.WithVersion(cti.V24),
		client.WithAgent(client.Agent{ID: "agent1", Extension: "1001", Instrument: "1001", PeripheralID: 5000}),
		client.WithClient("ctiload", "secret"),
		client.WithHeartbeat(client.DefaultHeartbeat),
	)
	if err != nil {
		var fe *client.FailureError
		if errors.As(err, &fe) {
			log.Fatalf("server refused the session: %s", fe.CodeName())
		}
		log.Fatal(err)
	}
	defer s.Close(context.Background())
	fmt.Println("services granted:", s.Opened().ServicesGranted)

	if _, err := s.Do(ctx, &cti.SetAgentStateReq{
		PeripheralID: 5000,
		AgentState:   cti.AgentStateAvailable,
	}); err != nil {
		code, _ := client.ErrorCode(err)
		log.Fatalf("SET_AGENT_STATE_REQ: %s: %v", code, err)
	}

	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	ev, err := s.WaitEvent(wctx, func(m cti.Message) bool {
		e, ok := m.(*cti.AgentStateEvent)
		return ok && e.AgentState == cti.AgentStateAvailable
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("agent state:", ev.Msg.(*cti.AgentStateEvent).AgentState)
	// Output:
	// services granted: CTI_SERVICE_CLIENT_EVENTS|CTI_SERVICE_CLIENT_CONTROL
	// agent state: AGENT_STATE_AVAILABLE
}

// exampleServer starts the tests' loopback server outside a test.
func exampleServer() (addr string, stop func()) {
	env := &exampleEnv{}
	srv := startServer(env, cti.V24, nil)
	return srv.addr(), env.cleanup
}

// exampleEnv is the little of testing.TB the server needs.
type exampleEnv struct{ cleanups []func() }

func (e *exampleEnv) Helper()                           {}
func (e *exampleEnv) Fatal(args ...any)                 { log.Fatal(args...) }
func (e *exampleEnv) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }
func (e *exampleEnv) Cleanup(f func())                  { e.cleanups = append(e.cleanups, f) }
func (e *exampleEnv) cleanup() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}
