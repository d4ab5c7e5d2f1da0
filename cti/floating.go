package cti

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// Field is a raw floating field: a tag and its data (not NUL-stripped). Decoded messages keep the
// fields they do not know in Unknown []Field so that nothing a server sends is lost.
type Field struct {
	Tag  uint16
	Data []byte
}

// NamedVariable is a NamedVariable[82] floating field: an ECC variable name and its value.
type NamedVariable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// NamedArray is a NamedArray[83] floating field: one element of an ECC array.
type NamedArray struct {
	Index uint8  `json:"index"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Limits of named variables and arrays (docs/protocol/framing.md, named variables).
const (
	MaxNamedName     = 33   // name incl. NUL
	MaxNamedValue    = 211  // value incl. NUL
	MaxNamedDataSize = 2000 // all NamedVariable and NamedArray data of one message
	MaxParties       = 16   // parties of a conference or transfer
)

// TagSet is a set of floating-field tags. A decoded message records in Present which floating
// fields were on the wire, so that a field present with a zero value (an empty string, a 0 enum)
// encodes again exactly; set a bit yourself to send a zero value.
type TagSet [5]uint64

// Add puts tag in the set.
func (s *TagSet) Add(tag uint16) {
	if tag < 320 {
		s[tag>>6] |= 1 << (tag & 63)
	}
}

// Remove takes tag out of the set.
func (s *TagSet) Remove(tag uint16) {
	if tag < 320 {
		s[tag>>6] &^= 1 << (tag & 63)
	}
}

// Has reports whether tag is in the set.
func (s *TagSet) Has(tag uint16) bool {
	return tag < 320 && s[tag>>6]&(1<<(tag&63)) != 0
}

// floatWriter appends floating fields for one version.
type floatWriter struct {
	wide bool
	typ  MsgType
}

func (w floatWriter) head(dst []byte, tag uint16, n int) []byte {
	if w.wide {
		return append(dst, byte(tag>>8), byte(tag), byte(n>>8), byte(n))
	}
	return append(dst, byte(tag), byte(n))
}

func (w floatWriter) checkLen(tag uint16, n, max int) error {
	limit := 255
	if w.wide {
		limit = 65535
	}
	if max > 0 && n > max {
		return &EncodeError{Type: w.typ, Field: TagName(tag), Msg: fmt.Sprintf("%d bytes exceed the field maximum of %d", n, max)}
	}
	if n > limit {
		return &EncodeError{Type: w.typ, Field: TagName(tag), Msg: fmt.Sprintf("%d bytes do not fit the %d-byte length of this protocol version", n, map[bool]int{false: 1, true: 2}[w.wide])}
	}
	if !w.wide && tag > 255 {
		return &EncodeError{Type: w.typ, Field: TagName(tag), Msg: "tag above 255 cannot be sent with 1-byte floating tags (protocol version below 20)"}
	}
	return nil
}

func (w floatWriter) str(dst []byte, tag uint16, s string, max int) ([]byte, error) {
	if err := w.checkLen(tag, len(s)+1, max); err != nil {
		return dst, err
	}
	dst = w.head(dst, tag, len(s)+1)
	dst = append(dst, s...)
	return append(dst, 0), nil
}

func (w floatWriter) bytes(dst []byte, tag uint16, b []byte, max int) ([]byte, error) {
	if err := w.checkLen(tag, len(b), max); err != nil {
		return dst, err
	}
	dst = w.head(dst, tag, len(b))
	return append(dst, b...), nil
}

func (w floatWriter) u8(dst []byte, tag uint16, v uint8) ([]byte, error) {
	if err := w.checkLen(tag, 1, 0); err != nil {
		return dst, err
	}
	return append(w.head(dst, tag, 1), v), nil
}

func (w floatWriter) u16(dst []byte, tag uint16, v uint16) ([]byte, error) {
	if err := w.checkLen(tag, 2, 0); err != nil {
		return dst, err
	}
	return binary.BigEndian.AppendUint16(w.head(dst, tag, 2), v), nil
}

func (w floatWriter) u32(dst []byte, tag uint16, v uint32) ([]byte, error) {
	if err := w.checkLen(tag, 4, 0); err != nil {
		return dst, err
	}
	return binary.BigEndian.AppendUint32(w.head(dst, tag, 4), v), nil
}

func (w floatWriter) namedVar(dst []byte, nv NamedVariable) ([]byte, error) {
	if len(nv.Name)+1 > MaxNamedName || len(nv.Value)+1 > MaxNamedValue {
		return dst, &EncodeError{Type: w.typ, Field: "NamedVariable", Msg: fmt.Sprintf("%q: name is at most %d and value at most %d bytes", nv.Name, MaxNamedName-1, MaxNamedValue-1)}
	}
	n := len(nv.Name) + 1 + len(nv.Value) + 1
	dst = w.head(dst, TagNamedVariable, n)
	dst = append(append(dst, nv.Name...), 0)
	return append(append(dst, nv.Value...), 0), nil
}

func (w floatWriter) namedArray(dst []byte, na NamedArray) ([]byte, error) {
	if len(na.Name)+1 > MaxNamedName || len(na.Value)+1 > MaxNamedValue {
		return dst, &EncodeError{Type: w.typ, Field: "NamedArray", Msg: fmt.Sprintf("%q: name is at most %d and value at most %d bytes", na.Name, MaxNamedName-1, MaxNamedValue-1)}
	}
	n := 1 + len(na.Name) + 1 + len(na.Value) + 1
	dst = w.head(dst, TagNamedArray, n)
	dst = append(append(append(dst, na.Index), na.Name...), 0)
	return append(append(dst, na.Value...), 0), nil
}

// floatReader walks the floating part of one message body.
type floatReader struct {
	body  []byte
	pos   int
	wide  bool
	typ   MsgType
	alias bool   // DecodeNoCopy: strings and byte slices alias body instead of copying it
	s     string // body as a string, made on the first string field: one copy serves them all
	named int    // NamedVariable + NamedArray data bytes so far
}

// bodyString returns body as a string: one copy that every string field of the message
// slices, or, for DecodeNoCopy, body itself seen as a string.
func (r *floatReader) bodyString() string {
	if r.s == "" {
		if r.alias {
			r.s = unsafe.String(unsafe.SliceData(r.body), len(r.body))
		} else {
			r.s = string(r.body)
		}
	}
	return r.s
}

// perr builds a ProtocolError; offsets count from the frame's first header byte.
func (r *floatReader) perr(off int, tag uint16, code Status, format string, args ...any) error {
	return &ProtocolError{Offset: HeaderSize + off, Type: r.typ, Tag: tag, Code: code, Msg: fmt.Sprintf(format, args...)}
}

func (r *floatReader) more() bool { return r.pos < len(r.body) }

// next returns the next field's tag and the offset and length of its data within body.
func (r *floatReader) next() (tag uint16, off, n int, err error) {
	hs := 2
	if r.wide {
		hs = 4
	}
	start := r.pos
	// docs/protocol/framing.md, framing: a floating field whose length runs past the end of the message is a
	// malformed frame (E_CTI_BAD_MESSAGE_FORMAT).
	if len(r.body)-start < hs {
		return 0, 0, 0, r.perr(start, 0, ECTIBadMessageFormat, "truncated floating field header: %d bytes left, need %d", len(r.body)-start, hs)
	}
	if r.wide {
		tag = binary.BigEndian.Uint16(r.body[start:])
		n = int(binary.BigEndian.Uint16(r.body[start+2:]))
	} else {
		tag = uint16(r.body[start])
		n = int(r.body[start+1])
	}
	off = start + hs
	if n > len(r.body)-off {
		return tag, 0, 0, r.perr(start, tag, ECTIBadMessageFormat, "floating field length %d overruns the message (%d bytes left)", n, len(r.body)-off)
	}
	r.pos = off + n
	return tag, off, n, nil
}

func (r *floatReader) checkMax(tag uint16, off, n, max int) error {
	// A field longer than its declared maximum is E_CTI_INVALID_FIELD_LENGTH (§2).
	if max > 0 && n > max {
		return r.perr(off, tag, ECTIInvalidFieldLength, "length %d exceeds the field maximum of %d", n, max)
	}
	return nil
}

func (r *floatReader) str(tag uint16, off, n, max int) (string, error) {
	if err := r.checkMax(tag, off, n, max); err != nil {
		return "", err
	}
	// §4.2: STRING data ends with one NUL, counted in the length.
	if n == 0 || r.body[off+n-1] != 0 {
		return "", r.perr(off, tag, ECTIBadMessageFormat, "string is not NUL-terminated within its length %d", n)
	}
	end := off
	for end < off+n-1 && r.body[end] != 0 {
		end++
	}
	if end == off {
		return "", nil
	}
	return r.bodyString()[off:end], nil
}

func (r *floatReader) bytes(tag uint16, off, n, max int) ([]byte, error) {
	if err := r.checkMax(tag, off, n, max); err != nil {
		return nil, err
	}
	return r.field(off, n), nil
}

// field returns the n bytes at off: a copy, or for DecodeNoCopy a slice of body whose capacity
// ends with the field, so that an append cannot overwrite what follows.
func (r *floatReader) field(off, n int) []byte {
	if r.alias {
		return r.body[off : off+n : off+n]
	}
	b := make([]byte, n)
	copy(b, r.body[off:off+n])
	return b
}

func (r *floatReader) fixedLen(tag uint16, off, n, want int) error {
	if n != want {
		return r.perr(off, tag, ECTIInvalidFieldLength, "length %d, want %d for a %d-byte integer field", n, want, want)
	}
	return nil
}

func (r *floatReader) u8(tag uint16, off, n int) (uint8, error) {
	if err := r.fixedLen(tag, off, n, 1); err != nil {
		return 0, err
	}
	return r.body[off], nil
}

func (r *floatReader) u16(tag uint16, off, n int) (uint16, error) {
	if err := r.fixedLen(tag, off, n, 2); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(r.body[off:]), nil
}

func (r *floatReader) u32(tag uint16, off, n int) (uint32, error) {
	if err := r.fixedLen(tag, off, n, 4); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(r.body[off:]), nil
}

// cstr reads a NUL-terminated string starting at p within [p, end); it returns the string and the
// position after the NUL.
func (r *floatReader) cstr(tag uint16, p, end, max int) (string, int, error) {
	q := p
	for q < end && r.body[q] != 0 {
		q++
	}
	if q == end {
		return "", 0, r.perr(p, tag, ECTIBadMessageFormat, "name or value is not NUL-terminated")
	}
	if q+1-p > max {
		return "", 0, r.perr(p, tag, ECTIValueTooLong, "%d bytes exceed the maximum of %d", q+1-p, max)
	}
	if q == p {
		return "", q + 1, nil
	}
	return r.bodyString()[p:q], q + 1, nil
}

func (r *floatReader) namedVar(off, n int) (NamedVariable, error) {
	if err := r.countNamed(TagNamedVariable, off, n); err != nil {
		return NamedVariable{}, err
	}
	name, p, err := r.cstr(TagNamedVariable, off, off+n, MaxNamedName)
	if err != nil {
		return NamedVariable{}, err
	}
	value, p, err := r.cstr(TagNamedVariable, p, off+n, MaxNamedValue)
	if err != nil {
		return NamedVariable{}, err
	}
	if p != off+n {
		return NamedVariable{}, r.perr(p, TagNamedVariable, ECTIBadMessageFormat, "%d stray bytes after the value", off+n-p)
	}
	return NamedVariable{Name: name, Value: value}, nil
}

func (r *floatReader) namedArray(off, n int) (NamedArray, error) {
	if err := r.countNamed(TagNamedArray, off, n); err != nil {
		return NamedArray{}, err
	}
	if n < 1 {
		return NamedArray{}, r.perr(off, TagNamedArray, ECTIBadMessageFormat, "empty NamedArray")
	}
	name, p, err := r.cstr(TagNamedArray, off+1, off+n, MaxNamedName)
	if err != nil {
		return NamedArray{}, err
	}
	value, p, err := r.cstr(TagNamedArray, p, off+n, MaxNamedValue)
	if err != nil {
		return NamedArray{}, err
	}
	if p != off+n {
		return NamedArray{}, r.perr(p, TagNamedArray, ECTIBadMessageFormat, "%d stray bytes after the value", off+n-p)
	}
	return NamedArray{Index: r.body[off], Name: name, Value: value}, nil
}

// countNamed enforces §4.3: all NamedVariable and NamedArray data of one message together is at
// most 2000 bytes (E_CTI_TOO_MUCH_DATA).
func (r *floatReader) countNamed(tag uint16, off, n int) error {
	r.named += n
	if r.named > MaxNamedDataSize {
		return r.perr(off, tag, ECTITooMuchData, "named variables and arrays exceed %d bytes", MaxNamedDataSize)
	}
	return nil
}

func (r *floatReader) unknown(tag uint16, off, n int) Field {
	return Field{Tag: tag, Data: r.field(off, n)}
}
