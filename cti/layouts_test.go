package cti

import (
	"bufio"
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// Byte-level layout tests, in the manner of pgproto3: each case is one frame written by hand from
// the reference tables (docs/protocol/layouts.md, which the catalog generates, and the sources it
// names), one line per field naming the field and its type. The frame is decoded and every field
// compared with the values the case lists, then the listed values are encoded and must give the
// frame byte for byte, and the decoded message must re-encode to it too. The hex is never produced
// by the generated encoder: a wrong offset, width, order or tag in the catalog makes a case fail.
//
// The cases live in one file per message group (layouts_session_test.go, layouts_agent_test.go,
// layouts_call_event_test.go, layouts_control_test.go, layouts_config_test.go). Versions: v14 is
// the 1-byte tag/length format (UCCE < 20, UCCX 10–17), v20 and later the 2-byte one; a message
// whose fixed part changes with the version has a case per shape.

// layoutCase is one hand-written frame and the message it carries.
type layoutCase struct {
	name  string  // "HOLD_CALL_REQ v20"; unique within the table
	v     Version // the protocol version the frame is written for
	msg   Message // the values, as a caller would build them
	frame string  // annotated hex: see annotatedHex
}

// annotatedHex decodes hex written for reading: whitespace anywhere, and "//" starts a comment
// that runs to the end of the line.
func annotatedHex(t testing.TB, s string) []byte {
	t.Helper()
	var clean strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "//")
		clean.WriteString(line)
		clean.WriteByte(' ')
	}
	b, err := hexDecodeSpaced(clean.String())
	if err != nil {
		t.Fatalf("annotated hex: %v", err)
	}
	return b
}

func TestAnnotatedHex(t *testing.T) {
	got := annotatedHex(t, `
		00000004 00000005 // header: MessageLength 4, HEARTBEAT_REQ — "00" here is a comment
		0102 0304         // InvokeID UINT
	`)
	want := []byte{0, 0, 0, 4, 0, 0, 0, 5, 1, 2, 3, 4}
	if !bytes.Equal(got, want) {
		t.Fatalf("annotatedHex = %x; want %x", got, want)
	}
}

// runLayoutCases checks every case of a group table.
func runLayoutCases(t *testing.T, cases []layoutCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkLayoutCase(t, c) })
	}
}

func checkLayoutCase(t *testing.T, c layoutCase) {
	frame := annotatedHex(t, c.frame)
	f, err := NewFrameReader(bytes.NewReader(frame), 0).ReadFrame()
	if err != nil {
		t.Fatalf("ReadFrame: %v (MessageLength must count the bytes after the header)", err)
	}
	typ := FromWire(f.Type, c.v) // the older UCCE numbering (v14) gives some messages other IDs
	if typ != c.msg.MessageType() {
		t.Fatalf("frame type %s (%d on the wire in %s); the case's message is %s", typ, f.Type, c.v, c.msg.MessageType())
	}
	if n, ok := FixedSize(typ, c.v); ok && n > len(f.Body) {
		t.Fatalf("frame body %d bytes is shorter than the %d-byte fixed part for %s", len(f.Body), n, c.v)
	}

	got, err := Decode(f.Type, f.Body, c.v)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if u := UnknownFields(got); len(u) > 0 {
		t.Errorf("decoded floating fields the layout does not list: %v", u)
	}
	gotFields, wantFields := got.Fields(c.v), c.msg.Fields(c.v)
	if !reflect.DeepEqual(gotFields, wantFields) {
		t.Errorf("decoded fields differ from the case's values")
		diffFields(t, gotFields, wantFields)
	}

	enc, err := c.msg.Encode(nil, c.v)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !bytes.Equal(enc, frame) {
		t.Errorf("Encode(%s) =\n%x\nwant (hand-written)\n%x", c.v, enc, frame)
	}
	again, err := got.Encode(nil, c.v)
	if err != nil {
		t.Fatalf("re-encode after decode: %v", err)
	}
	if !bytes.Equal(again, frame) {
		t.Errorf("re-encode after decode =\n%x\nwant\n%x", again, frame)
	}
}

func diffFields(t *testing.T, got, want []FieldValue) {
	t.Helper()
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(got):
			t.Errorf("  missing %s[%d] = %#v", want[i].Name, want[i].Tag, want[i].Value)
		case i >= len(want):
			t.Errorf("  extra   %s[%d] = %#v", got[i].Name, got[i].Tag, got[i].Value)
		case !reflect.DeepEqual(got[i], want[i]):
			t.Errorf("  field %d: decoded %s[%d] = %#v; want %s[%d] = %#v", i, got[i].Name, got[i].Tag, got[i].Value, want[i].Name, want[i].Tag, want[i].Value)
		}
	}
}

// allLayoutCases is every group table, for the coverage check.
func allLayoutCases() [][]layoutCase {
	return [][]layoutCase{sessionLayoutCases, agentLayoutCases, callEventLayoutCases, controlLayoutCases, configLayoutCases,
		statisticsLayoutCases}
}

// byteCheckedElsewhere are the typed messages whose bytes other tests check against a source
// outside the codec: the golden v20 vectors (testdata/ucce-v20.txt, TestGoldenVectorsV20) and
// TestHandCheckedFramesByVersion.
var byteCheckedElsewhere = []MsgType{MsgCallDequeuedEvent}

// TestEveryTypedMessageHasAByteLevelTest fails when a message gains a layout in the catalog without
// a hand-written frame: round trips alone cannot catch a wrong layout, since encoder and decoder
// come from the same catalog line.
func TestEveryTypedMessageHasAByteLevelTest(t *testing.T) {
	covered := map[MsgType]bool{}
	for _, tbl := range allLayoutCases() {
		for _, c := range tbl {
			covered[c.msg.MessageType()] = true
		}
	}
	for _, vec := range loadVectors(t, "testdata/ucce-v20.txt") {
		if typ, ok := LookupMsgType(vec.name); ok {
			covered[typ] = true
		}
	}
	for _, typ := range byteCheckedElsewhere {
		covered[typ] = true
	}
	for _, info := range Catalog() {
		if info.HasLayout && !covered[info.Type] {
			t.Errorf("%s (%d) has a layout but no hand-written frame in layouts_*_test.go", info.Name, info.Type)
		}
	}
}
