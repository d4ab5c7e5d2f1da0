package cti

import (
	"testing"
)

// callDelivered10 is a CALL_DELIVERED_EVENT with ten floating fields, the benchmark's typical event.
func callDelivered10() *CallDeliveredEvent {
	return &CallDeliveredEvent{
		PeripheralID: 5000, PeripheralType: PeripheralEnterpriseAgent, ConnectionDeviceIDType: ConnectionIDDynamic,
		ConnectionCallID: 16777217, LineHandle: 0xffff, LineType: 0, SkillGroupNumber: 10, SkillGroupID: 5001,
		AlertingDeviceType: DevIDAgentDevice, CallingDeviceType: DevIDExternal, CalledDeviceType: DevIDAgentDevice,
		LastRedirectDeviceType: DevIDRoutePoint, LocalConnectionState: LCSAlerting, EventCause: CECNone,
		ConnectionDeviceID: "1001", AlertingDeviceID: "1001", CallingDeviceID: "4085551234", CalledDeviceID: "1001",
		LastRedirectDeviceID: "8000", ANI: "4085551234", DNIS: "8000", DialedNumber: "8000",
		CallVariable1: "account=12345", CallVariable2: "lang=en",
	}
}

// BenchmarkDecodeCallDeliveredEvent decodes the typical event into a reused message, with
// Decode (copy: one allocation, the strings) and DecodeNoCopy (the strings alias the frame).
// frames/s is per core: the benchmark runs on one goroutine.
func BenchmarkDecodeCallDeliveredEvent(b *testing.B) {
	frame, err := callDelivered10().Encode(nil, V20)
	if err != nil {
		b.Fatal(err)
	}
	body := frame[HeaderSize:]
	var m CallDeliveredEvent
	for _, c := range []struct {
		name   string
		decode func([]byte, Version) error
	}{{"copy", m.Decode}, {"nocopy", m.DecodeNoCopy}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			for b.Loop() {
				if err := c.decode(body, V20); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

func BenchmarkEncodeCallDeliveredEvent(b *testing.B) {
	m := callDelivered10()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = m.Encode(buf[:0], V20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeHeartbeatReq(b *testing.B) {
	m := &HeartbeatReq{InvokeID: 7}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = m.Encode(buf[:0], V20)
	}
}

func BenchmarkDecodeHeartbeatReq(b *testing.B) {
	frame, _ := (&HeartbeatReq{InvokeID: 7}).Encode(nil, V20)
	var m HeartbeatReq
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Decode(frame[HeaderSize:], V20)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// TestEncodeDoesNotAllocate holds the target in a unit test, since allocation counts, unlike
// speed, do not depend on the machine.
func TestEncodeDoesNotAllocate(t *testing.T) {
	m := callDelivered10()
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() { buf, _ = m.Encode(buf[:0], V20) }); n != 0 {
		t.Fatalf("Encode(CALL_DELIVERED_EVENT) allocates %v times per call; want 0", n)
	}
	hb := &HeartbeatReq{InvokeID: 1}
	if n := testing.AllocsPerRun(100, func() { buf, _ = hb.Encode(buf[:0], V20) }); n != 0 {
		t.Fatalf("Encode(HEARTBEAT_REQ) allocates %v times per call; want 0", n)
	}
}

// TestDecodeCopiesStringsOnce: the decoder makes one copy of the body for all its strings, so the
// message never aliases the reader's buffer and decoding stays cheap.
func TestDecodeCopiesStringsOnce(t *testing.T) {
	frame, _ := callDelivered10().Encode(nil, V20)
	body := append([]byte(nil), frame[HeaderSize:]...)
	var m CallDeliveredEvent
	if n := testing.AllocsPerRun(100, func() { _ = m.Decode(body, V20) }); n > 1 {
		t.Fatalf("Decode(CALL_DELIVERED_EVENT) allocates %v times; want at most 1", n)
	}
	for i := range body {
		body[i] = 'Z'
	}
	if m.ANI != "4085551234" {
		t.Fatalf("after overwriting the input, ANI = %q: the decoded string aliases the buffer", m.ANI)
	}
}
