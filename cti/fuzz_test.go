package cti

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// seedFrames adds every golden frame (and each of its truncations' extremes) to a fuzz corpus.
func seedFrames(f *testing.F) {
	for _, vec := range loadVectors(f, "testdata/ucce-v20.txt") {
		f.Add(vec.frame, uint8(20))
		f.Add(vec.frame, uint8(14))
		f.Add(vec.frame[:len(vec.frame)-1], uint8(20))
	}
	f.Add([]byte{0x80, 0, 0, 0, 0, 0, 0, 5}, uint8(20))
}

// FuzzFrameReader feeds arbitrary streams to the frame reader and decodes what it returns: whatever
// the input, no panic, and every error is one of the documented kinds.
func FuzzFrameReader(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, stream []byte, ver uint8) {
		v := Version(ver%30 + 1)
		fr := NewFrameReader(bytes.NewReader(stream), 0)
		for i := 0; i < 64; i++ {
			fm, err := fr.ReadFrame()
			if err != nil {
				if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrFrameTooLarge) {
					t.Fatalf("ReadFrame: unexpected error kind %T: %v", err, err)
				}
				return
			}
			if len(fm.Body) > DefaultMaxMessageSize-HeaderSize {
				t.Fatalf("body of %d bytes passed the limit", len(fm.Body))
			}
			checkDecode(t, fm.Type, fm.Body, v)
		}
	})
}

// FuzzDecode decodes arbitrary bodies as every message type; a message that decodes must encode,
// and decode again to the same generic view.
func FuzzDecode(f *testing.F) {
	for _, vec := range loadVectors(f, "testdata/ucce-v20.txt") {
		f.Add(uint16(vec.frame[7]), vec.frame[HeaderSize:], uint8(20))
	}
	f.Add(uint16(3), []byte{0, 0, 0, 1}, uint8(14))
	f.Fuzz(func(t *testing.T, typ uint16, body []byte, ver uint8) {
		checkDecode(t, MsgType(typ%300), body, Version(ver%30+1))
	})
}

func checkDecode(t *testing.T, typ MsgType, body []byte, v Version) {
	m, err := Decode(typ, body, v)
	if err != nil {
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Fatalf("Decode(%s): error %T is not a *ProtocolError: %v", typ, err, err)
		}
		return
	}
	frame, err := m.Encode(nil, v)
	if err != nil {
		// A decoded value can be unencodable only where decode is more lenient than encode
		// (unknown tags wider than the version allows cannot occur); report it.
		t.Fatalf("Decode(%s) succeeded but Encode failed: %v", typ, err)
	}
	m2, err := Decode(typ, frame[HeaderSize:], v)
	if err != nil {
		t.Fatalf("re-decode of %s: %v", typ, err)
	}
	j1, _ := MarshalMessageJSON(m, v)
	j2, _ := MarshalMessageJSON(m2, v)
	if !bytes.Equal(j1, j2) {
		t.Fatalf("%s: decode→encode→decode changed the message:\n%s\n%s", typ, j1, j2)
	}
}
