package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/cti/sim"
)

// TestUCCXIdleTimeoutCap: a UCCX session never sends an IdleTimeout its server refuses (120 s or
// more). One derived from a long heartbeat is capped at 119 s, and the simulator, strict as UCCX
// is, accepts the open; one asked for is refused before anything is sent, naming the limit.
func TestUCCXIdleTimeoutCap(t *testing.T) {
	srv, err := sim.New(sim.Config{Product: sim.UCCX, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	s, err := client.Dial(ctx, srv.Addr(), client.WithVersion(cti.UCCX|15), client.WithBridgeMode(),
		client.WithHeartbeat(40*time.Second)) // 4 × 40 s = 160 s, capped to 119 s
	if err != nil {
		t.Fatalf("UCCX open with a 40 s heartbeat: %v", err)
	}
	s.Close(ctx)

	_, err = client.Dial(ctx, srv.Addr(), client.WithVersion(cti.UCCX|15), client.WithBridgeMode(),
		client.WithIdleTimeout(150*time.Second))
	if err == nil || !strings.Contains(err.Error(), "idle timeout 2m30s: a Unified CCX server refuses 120 s or more (E_CTI_INVALID_TIMEOUT); ask for at most 119 s") {
		t.Errorf("UCCX open asking for a 150 s idle timeout = %v", err)
	}
	if n := srv.Counters().SessionsRejected; n != 0 {
		t.Errorf("the server saw %d refused opens; the client should have sent none", n)
	}
}
