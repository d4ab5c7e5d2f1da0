package cti

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// goldenFrame is one frame of the catalog's hand-checked tests: a layout case or a golden vector.
type goldenFrame struct {
	name  string
	v     Version
	frame []byte
}

// goldenFrames returns every hand-written layout frame (every typed message has one, see
// TestEveryTypedMessageHasAByteLevelTest) and every golden v20 vector.
func goldenFrames(t *testing.T) []goldenFrame {
	var out []goldenFrame
	for _, tbl := range allLayoutCases() {
		for _, c := range tbl {
			out = append(out, goldenFrame{c.name, c.v, annotatedHex(t, c.frame)})
		}
	}
	for _, vec := range loadVectors(t, "testdata/ucce-v20.txt") {
		out = append(out, goldenFrame{vec.name + " (golden vector)", V20, vec.frame})
	}
	return out
}

// decodeBoth decodes frame with Decode and with DecodeNoCopy into a fresh message, and returns
// both and the type.
func decodeBoth(t *testing.T, name string, frame []byte, v Version) (copied, aliased Message) {
	t.Helper()
	f, err := NewFrameReader(bytes.NewReader(frame), 0).ReadFrame()
	if err != nil {
		t.Fatalf("%s: ReadFrame: %v", name, err)
	}
	copied, err = Decode(f.Type, f.Body, v)
	if err != nil {
		t.Fatalf("%s: Decode: %v", name, err)
	}
	nc, ok := New(FromWire(f.Type, v)).(NoCopyMessage)
	if !ok {
		t.Fatalf("%s: %T does not implement NoCopyMessage", name, copied)
	}
	if err := nc.DecodeNoCopy(f.Body, v); err != nil {
		t.Fatalf("%s: DecodeNoCopy: %v (Decode succeeded)", name, err)
	}
	return copied, nc
}

// TestDecodeNoCopyEqualsDecode: for every frame of the catalog's byte-level tests, the aliased
// decode gives the same message as the copying one, field for field (reflect.DeepEqual on the
// structs, unexported state included); and for random messages of every typed layout and
// version (named variables, groups and unknown fields included), into a message reused from an
// earlier decode, the same generic view.
func TestDecodeNoCopyEqualsDecode(t *testing.T) {
	n := 0
	for _, g := range goldenFrames(t) {
		copied, aliased := decodeBoth(t, g.name, g.frame, g.v)
		if !reflect.DeepEqual(copied, aliased) {
			t.Errorf("%s: DecodeNoCopy =\n%#v\nDecode =\n%#v", g.name, aliased, copied)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("compared %d golden frames; the layout tables hold more", n)
	}

	rng := rand.New(rand.NewPCG(19, 3))
	for _, info := range Catalog() {
		if !info.HasLayout {
			continue
		}
		for _, v := range []Version{V14, V24, UCCX | V14} {
			wire := info.Type.Wire(v)
			if FromWire(wire, v) != info.Type {
				continue
			}
			if info.CCXOnly && !v.IsUCCX() {
				continue // Decode keeps it raw there; TestNoCopyDecoderKeepsCCXOnlyRaw covers that
			}
			reused := New(info.Type).(NoCopyMessage)
			for range 4 {
				m := New(info.Type)
				fillRandom(rng, reflect.ValueOf(m).Elem(), v)
				frame, err := m.Encode(nil, v)
				if err != nil {
					t.Fatalf("%s %s: Encode: %v", info.Name, v, err)
				}
				// An unknown field (tag 255: a 1-byte tag every version can carry) rides along.
				frame = appendUnknown(frame, v)
				body := frame[HeaderSize:]
				copied, err := Decode(wire, body, v)
				if err != nil {
					t.Fatalf("%s %s: Decode: %v", info.Name, v, err)
				}
				if err := reused.DecodeNoCopy(body, v); err != nil {
					t.Fatalf("%s %s: DecodeNoCopy: %v", info.Name, v, err)
				}
				j1, _ := MarshalMessageJSON(copied, v)
				j2, _ := MarshalMessageJSON(reused, v)
				if !bytes.Equal(j1, j2) {
					t.Fatalf("%s %s: DecodeNoCopy into a reused message differs:\ncopied %s\naliased %s", info.Name, v, j1, j2)
				}
				if len(UnknownFields(reused)) != len(UnknownFields(copied)) {
					t.Fatalf("%s %s: %d unknown fields aliased, %d copied", info.Name, v, len(UnknownFields(reused)), len(UnknownFields(copied)))
				}
			}
		}
	}
}

// appendUnknown appends a floating field of tag 255 (not in any layout) to frame and fixes its
// MessageLength.
func appendUnknown(frame []byte, v Version) []byte {
	if v.WideFields() {
		frame = append(frame, 0, 255, 0, 2, 'x', 'y')
	} else {
		frame = append(frame, 255, 2, 'x', 'y')
	}
	n := len(frame) - HeaderSize
	frame[0], frame[1], frame[2], frame[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return frame
}

// TestDecodeNoCopyAliases: what DecodeNoCopy's documentation warns about, checked: its strings and
// byte slices are views of the body (overwriting the body changes them), while Decode's are not;
// an aliased byte slice cannot be appended into the bytes that follow it.
func TestDecodeNoCopyAliases(t *testing.T) {
	m := callDelivered10()
	m.UserToUserInfo = []byte{1, 2, 3}
	frame, err := m.Encode(nil, V20)
	if err != nil {
		t.Fatal(err)
	}
	body := frame[HeaderSize:]
	var copied, aliased CallDeliveredEvent
	if err := copied.Decode(body, V20); err != nil {
		t.Fatal(err)
	}
	if err := aliased.DecodeNoCopy(body, V20); err != nil {
		t.Fatal(err)
	}
	if cap(aliased.UserToUserInfo) != 3 {
		t.Errorf("cap(UserToUserInfo) = %d; want 3: an append must not write over the next field", cap(aliased.UserToUserInfo))
	}
	for i := range body {
		body[i] = 'Z'
	}
	if copied.ANI != "4085551234" || !bytes.Equal(copied.UserToUserInfo, []byte{1, 2, 3}) {
		t.Errorf("Decode's message changed with its input: ANI %q, UUI %v", copied.ANI, copied.UserToUserInfo)
	}
	if aliased.ANI != "ZZZZZZZZZZ" || aliased.UserToUserInfo[0] != 'Z' {
		t.Errorf("DecodeNoCopy's ANI = %q, UUI %v after overwriting the input; want views of it", aliased.ANI, aliased.UserToUserInfo)
	}
}

// TestDecodeNoCopyAllocatesNothing holds the target: decoding CALL_DELIVERED_EVENT
// (strings, named variables, an unknown field) into a reused message allocates nothing, through
// the method and through a NoCopyDecoder.
func TestDecodeNoCopyAllocatesNothing(t *testing.T) {
	m := callDelivered10()
	m.NamedVariables = []NamedVariable{{Name: "user.account", Value: "12345"}, {Name: "user.lang", Value: "en"}}
	m.NamedArrays = []NamedArray{{Index: 1, Name: "user.skills", Value: "sales"}}
	m.UserToUserInfo = []byte{1, 2, 3}
	frame, err := m.Encode(nil, V20)
	if err != nil {
		t.Fatal(err)
	}
	frame = appendUnknown(frame, V20)
	body := frame[HeaderSize:]
	var ev CallDeliveredEvent
	if n := testing.AllocsPerRun(100, func() {
		if err := ev.DecodeNoCopy(body, V20); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("DecodeNoCopy(CALL_DELIVERED_EVENT) allocates %v times per call; want 0", n)
	}
	if len(ev.NamedVariables) != 2 || len(ev.NamedArrays) != 1 || len(ev.Unknown) != 1 || ev.ANI != "4085551234" {
		t.Fatalf("decoded %+v", ev)
	}
	var d NoCopyDecoder
	hb, _ := (&HeartbeatReq{InvokeID: 9}).Encode(nil, V20)
	if n := testing.AllocsPerRun(100, func() {
		if _, err := d.Decode(MsgCallDeliveredEvent, body, V20); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Decode(MsgHeartbeatReq, hb[HeaderSize:], V20); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("NoCopyDecoder.Decode allocates %v times per pair of frames; want 0", n)
	}
	got, err := d.Decode(MsgCallDeliveredEvent, body, V20)
	if err != nil || got.(*CallDeliveredEvent).DNIS != "8000" {
		t.Fatalf("NoCopyDecoder.Decode = %+v, %v", got, err)
	}
}

// A layout only Unified CCX defines stays raw on a UCCE version in the no-copy decoder as in
// Decode (240 is CALL_ATTRIBUTE_CHANGE_EVENT in UCCE v13/v14), and the decoder keeps the typed
// and the raw message of one type apart when the version changes between frames.
func TestNoCopyDecoderKeepsCCXOnlyRaw(t *testing.T) {
	body := []byte{0, 0, 0, 7, 0xff, 2, 'h', 'i'} // InvokeID 7, then tag 255 carrying "hi"
	var d NoCopyDecoder
	for _, c := range []struct {
		v       Version
		wantRaw bool
	}{{V14, true}, {UCCX | V14, false}, {V14, true}} {
		wire := MsgQueryAgentQueueStatisticsReq.Wire(c.v)
		want, err := Decode(wire, body, c.v)
		if err != nil {
			t.Fatalf("%s: Decode: %v", c.v, err)
		}
		got, err := d.Decode(wire, body, c.v)
		if err != nil {
			t.Fatalf("%s: NoCopyDecoder.Decode: %v", c.v, err)
		}
		_, raw := got.(*RawMessage)
		if raw != c.wantRaw {
			t.Errorf("%s: NoCopyDecoder gave %T, want raw=%v", c.v, got, c.wantRaw)
		}
		if reflect.TypeOf(got) != reflect.TypeOf(want) {
			t.Errorf("%s: NoCopyDecoder gave %T, Decode gave %T", c.v, got, want)
		}
	}
}
