package client_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// Counting exactly under faults: a lost link is seen at once, what was not written is "not
// sent", losses are reported by cause, malformed frames are reported and never delivered.

// dropOnSetState closes the connection when SET_AGENT_STATE_REQ arrives, as the simulator's
// drop fault does: the request reached the server, its answer never comes.
func dropOnSetState(c *serverConn, m cti.Message) bool {
	if _, ok := m.(*cti.SetAgentStateReq); ok {
		c.nc.Close()
		return true
	}
	return false
}

func TestLostLinkEndsSessionBeforeRequestFails(t *testing.T) {
	srv := startServer(t, cti.V24, dropOnSetState)
	// Many rounds: the old order (fail the calls, then close Done) lost this race now and then.
	for i := 0; i < 50; i++ {
		var mu sync.Mutex
		var losses []client.LinkLoss
		s := dialT(t, srv.addr(), baseOpts(client.WithLinkLossHandler(func(l client.LinkLoss) {
			mu.Lock()
			losses = append(losses, l)
			mu.Unlock()
		}))...)
		_, err := s.Do(ctxT(t), &cti.SetAgentStateReq{})
		if code, _ := client.ErrorCode(err); code != "E_CONNECTION_LOST" {
			t.Fatalf("round %d: the dropped request = %v (%s); want E_CONNECTION_LOST", i, err, code)
		}
		select {
		case <-s.Done():
		default:
			t.Fatalf("round %d: the request failed with the lost link, but the session is not ended yet", i)
		}
		mu.Lock()
		if len(losses) != 1 || losses[0].Cause != client.LossServerClosed || losses[0].Addr != srv.addr() {
			t.Fatalf("round %d: link losses = %+v; want one %s", i, losses, client.LossServerClosed)
		}
		mu.Unlock()
		sent := s.Stats().MessagesSent
		r, err := s.Do(ctxT(t), &cti.QueryAgentStateReq{})
		code, _ := client.ErrorCode(err)
		if code != "E_NOT_SENT" || !errors.Is(err, client.ErrNotSent) || !errors.Is(err, client.ErrConnectionLost) {
			t.Fatalf("round %d: request on the ended session = %v (%s); want E_NOT_SENT naming the lost connection", i, err, code)
		}
		if !r.Sent.IsZero() || s.Stats().MessagesSent != sent {
			t.Fatalf("round %d: a request on an ended session was written (Sent %v, messages %d → %d)", i, r.Sent, sent, s.Stats().MessagesSent)
		}
		if st := s.Stats(); st.LinksLost != 1 {
			t.Fatalf("round %d: LinksLost = %d; want 1", i, st.LinksLost)
		}
	}
}

func TestLinkLossCauses(t *testing.T) {
	t.Run("heartbeats missed", func(t *testing.T) {
		// The server swallows heartbeats: the client gives up after MaxMissedHeartbeats.
		srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
			_, ok := m.(*cti.HeartbeatReq)
			return ok
		})
		losses := make(chan client.LinkLoss, 4)
		s := dialT(t, srv.addr(), baseOpts(client.WithHeartbeat(20*time.Millisecond),
			client.WithLinkLossHandler(func(l client.LinkLoss) { losses <- l }))...)
		waitDone(t, s)
		l := <-losses
		if l.Cause != client.LossHeartbeatMissed || !errors.Is(l.Err, client.ErrHeartbeatTimeout) {
			t.Errorf("loss = %s (%v); want %s", l.Cause, l.Err, client.LossHeartbeatMissed)
		}
		if len(losses) != 0 {
			t.Errorf("%d more losses reported for one link", len(losses))
		}
	})
	t.Run("close is no loss", func(t *testing.T) {
		srv := startServer(t, cti.V24, nil)
		n := 0
		s := dialT(t, srv.addr(), baseOpts(client.WithLinkLossHandler(func(client.LinkLoss) { n++ }))...)
		if err := s.Close(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		if n != 0 || s.Stats().LinksLost != 0 {
			t.Errorf("Close reported %d losses (LinksLost %d); want none", n, s.Stats().LinksLost)
		}
	})
	t.Run("fail-over", func(t *testing.T) {
		// The drop is a loss even though the session reconnects at once.
		srv := startServer(t, cti.V24, dropOnSetState)
		losses := make(chan client.LinkLoss, 4)
		s := dialT(t, srv.addr(), baseOpts(client.WithFailover(client.FailoverPolicy{InitialBackoff: time.Millisecond}),
			client.WithLinkLossHandler(func(l client.LinkLoss) { losses <- l }))...)
		_, err := s.Do(ctxT(t), &cti.SetAgentStateReq{})
		if code, _ := client.ErrorCode(err); code != "E_CONNECTION_LOST" {
			t.Fatalf("dropped request = %v (%s)", err, code)
		}
		if l := <-losses; l.Cause != client.LossServerClosed {
			t.Errorf("loss cause = %s; want %s", l.Cause, client.LossServerClosed)
		}
		// A request made while reconnecting waits for the new link and is answered there.
		if _, err := s.Do(ctxT(t), &cti.QueryAgentStateReq{}); err == nil || errors.Is(err, client.ErrNotSent) {
			t.Errorf("request after the reconnection = %v; want the server's answer (FAILURE_CONF), not E_NOT_SENT", err)
		}
	})
}

func TestLinkLossCauseNames(t *testing.T) {
	for _, tc := range []struct {
		err  *client.SessionError
		want string
	}{
		{&client.SessionError{Op: "idle", Err: client.ErrIdleTimeout}, client.LossIdleTimeout},
		{&client.SessionError{Op: "event", Err: client.ErrServerOffline}, client.LossServerOffline},
		{&client.SessionError{Op: "heartbeat", Err: client.ErrServerOffline}, client.LossServerOffline},
		{&client.SessionError{Op: "write", Err: client.ErrConnectionLost}, client.LossWriteError},
		{&client.SessionError{Op: "read", Err: &cti.FrameTooLargeError{Type: cti.MsgCallDeliveredEvent, Length: 1 << 20, Max: 4096}}, client.LossDecodeError},
		{&client.SessionError{Op: "read", Err: &cti.TruncatedFrameError{Offset: 8}}, client.LossServerClosed},
		{&client.SessionError{Op: "read", Err: errors.New("i/o timeout")}, client.LossReadError},
	} {
		if got := client.LinkLossCause(tc.err); got != tc.want {
			t.Errorf("LinkLossCause(%v) = %s; want %s", tc.err, got, tc.want)
		}
	}
}

// malformedCallDelivered is a CALL_DELIVERED_EVENT (v24) whose last floating field announces
// more bytes than the message holds: the fixed part as the codec writes it, then by hand
//
//	00 0a        tag 10
//	00 c8        length 200
//	41 4e 49     "ANI": 3 bytes, not 200
//
// It returns the frame and the offset of the bad field from the first header byte.
func malformedCallDelivered(t *testing.T, callID uint32) ([]byte, int) {
	t.Helper()
	valid, err := callDelivered(callID, "1001").Encode(nil, cti.V24)
	if err != nil {
		t.Fatal(err)
	}
	// The fixed part only: drop the floating fields the codec added (AlertingDeviceID).
	fixed := valid[cti.HeaderSize : cti.HeaderSize+callDeliveredFixedV24]
	body := append(append([]byte(nil), fixed...), 0x00, 0x0a, 0x00, 0xc8, 'A', 'N', 'I')
	return cti.AppendFrame(nil, cti.MsgCallDeliveredEvent, body), cti.HeaderSize + len(fixed)
}

// callDeliveredFixedV24 is the fixed part of CALL_DELIVERED_EVENT in v24: MonitorID 4,
// PeripheralID 4, PeripheralType 2, ConnectionDeviceIDType 2, ConnectionCallID 4, LineHandle 2,
// LineType 2, ServiceNumber 4, ServiceID 4, SkillGroupNumber 4, SkillGroupID 4,
// SkillGroupPriority 2, Alerting/Calling/Called/LastRedirect DeviceType, LocalConnectionState
// and EventCause 2 each (12), NumNamedVariables 2, NumNamedArrays 2.
const callDeliveredFixedV24 = 4 + 4 + 2 + 2 + 4 + 2 + 2 + 4 + 4 + 4 + 4 + 2 + 12 + 2 + 2

func TestMalformedEventIsReportedNotDelivered(t *testing.T) {
	srv := startServer(t, cti.V24, nil)
	var mu sync.Mutex
	var bad []client.MalformedFrame
	s := dialT(t, srv.addr(), baseOpts(client.WithMalformedFrameHandler(func(f client.MalformedFrame) {
		mu.Lock()
		bad = append(bad, f)
		mu.Unlock()
	}))...)
	c := srv.nextConn(t)
	frame, off := malformedCallDelivered(t, 77)
	c.wmu.Lock()
	_, _ = c.nc.Write(frame)
	c.wmu.Unlock()
	if err := c.send(callDelivered(78, "1001")); err != nil {
		t.Fatal(err)
	}
	ev, err := s.WaitEvent(ctxT(t), client.MatchType(cti.MsgCallDeliveredEvent))
	if err != nil {
		t.Fatal(err)
	}
	cd, ok := ev.Msg.(*cti.CallDeliveredEvent)
	if !ok || cd.ConnectionCallID != 78 {
		t.Fatalf("WaitEvent = %#v; want the valid event (call 78), never the malformed one", ev.Msg)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) != 1 {
		t.Fatalf("malformed frames reported = %+v; want 1", bad)
	}
	f := bad[0]
	if f.Type != cti.MsgCallDeliveredEvent || f.Reason != "E_CTI_BAD_MESSAGE_FORMAT" || f.Offset != off || f.Addr != srv.addr() {
		t.Errorf("reported %+v; want CALL_DELIVERED_EVENT, E_CTI_BAD_MESSAGE_FORMAT at offset %d", f, off)
	}
	if !strings.Contains(f.Err.Error(), "overruns") {
		t.Errorf("Err = %v; want the overrun named", f.Err)
	}
	if st := s.Stats(); st.DecodeErrors != 1 || st.EventsPending != 0 || st.Events != 1 {
		t.Errorf("stats = %+v; want 1 decode error, 1 event, nothing left in the backlog", st)
	}
}

func TestMalformedOpenConfEndsOpenAtOnce(t *testing.T) {
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		r, ok := m.(*cti.OpenReq)
		if ok {
			// OPEN_CONF cut after its InvokeID and 2 bytes of ServicesGranted:
			//   00 00 00 01   InvokeID (the request's)
			//   00 00         2 of ServicesGranted's 4 bytes; the fixed part stops here
			body := []byte{byte(r.InvokeID >> 24), byte(r.InvokeID >> 16), byte(r.InvokeID >> 8), byte(r.InvokeID), 0, 0}
			c.wmu.Lock()
			_, _ = c.nc.Write(cti.AppendFrame(nil, cti.MsgOpenConf, body))
			c.wmu.Unlock()
		}
		return ok
	})
	// An open timeout far beyond the test's patience: only reading the bad frame ends the open.
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	s, err := client.Dial(ctx, srv.addr(), baseOpts(client.WithOpenTimeout(time.Hour))...)
	if s != nil {
		_ = s.Close(context.Background())
		t.Fatal("Dial opened a session on a malformed OPEN_CONF")
	}
	var pe *cti.ProtocolError
	if !errors.As(err, &pe) || ctx.Err() != nil || !strings.Contains(err.Error(), "malformed OPEN_CONF") {
		t.Fatalf("Dial = %v; want a malformed OPEN_CONF (*ProtocolError) at once", err)
	}
	if code, _ := client.ErrorCode(err); code != "E_PROTOCOL" {
		t.Errorf("ErrorCode = %s; want E_PROTOCOL", code)
	}
}

func TestCloseCutOffByTheServer(t *testing.T) {
	// The server drops the connection on CLOSE_REQ instead of confirming: Close says so, and the
	// session is not counted as lost (it ended as asked).
	srv := startServer(t, cti.V24, func(c *serverConn, m cti.Message) bool {
		if _, ok := m.(*cti.CloseReq); ok {
			c.nc.Close()
			return true
		}
		return false
	})
	s := dialT(t, srv.addr(), baseOpts()...)
	err := s.Close(ctxT(t))
	if !errors.Is(err, client.ErrConnectionLost) {
		t.Fatalf("Close = %v; want ErrConnectionLost (no CLOSE_CONF)", err)
	}
	if code, _ := client.ErrorCode(err); code != "E_CONNECTION_LOST" {
		t.Errorf("ErrorCode = %s", code)
	}
	if !errors.Is(s.Err(), client.ErrSessionClosed) || s.Stats().LinksLost != 0 {
		t.Errorf("Err = %v, LinksLost = %d; want closed, no loss", s.Err(), s.Stats().LinksLost)
	}
}
