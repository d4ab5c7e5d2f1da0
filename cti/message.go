package cti

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// Message is one CTI message. Every catalogued type with a known layout has a generated struct
// (OpenReq, CallDeliveredEvent, …); a type whose layout is not known decodes to [*RawMessage].
type Message interface {
	// MessageType is the header's MessageType.
	MessageType() MsgType
	// Encode appends the whole frame (header included) for version v to dst. On error dst is
	// returned unchanged in length.
	Encode(dst []byte, v Version) ([]byte, error)
	// Decode parses a body (the bytes after the header) for version v. The receiver is reset first;
	// nothing it keeps aliases body.
	Decode(body []byte, v Version) error
	// Fields is the generic view: every fixed field and every present floating field by name, in
	// wire order, as carried by version v.
	Fields(v Version) []FieldValue
	// SetField sets a field by its protocol name from a Go or JSON-like value (numbers, strings,
	// enumeration names, booleans; slices of objects for groups and named variables).
	SetField(name string, value any) error
}

// FieldValue is one field of the generic view.
type FieldValue struct {
	Name  string
	Tag   uint16 // floating-field tag; 0 for a fixed-part field
	Value any    // uint8/uint16/uint32/int32/bool/string/[]byte, an enumeration type, []NamedVariable, []NamedArray or []Record
}

// Record is one element of a repeated group (a party, a skill group, a CTI client…).
type Record []FieldValue

// Invoker is implemented by every request and confirmation: messages that start with InvokeID.
type Invoker interface {
	Message
	GetInvokeID() uint32
	SetInvokeID(id uint32)
}

// UnknownFields returns the floating fields of a decoded message that its layout does not list
// (a server answers E_CTI_INVALID_TAG_FOR_MSG_TYPE to a request carrying any); nil for a
// *RawMessage.
func UnknownFields(m Message) []Field {
	if u, ok := m.(interface{ UnknownFields() []Field }); ok {
		return u.UnknownFields()
	}
	return nil
}

// Symboler is implemented by the enumeration and mask types: Symbol is the protocol's name for the
// value ("AGENT_STATE_AVAILABLE", "CTI_SERVICE_ALL_EVENTS|CTI_SERVICE_CLIENT_CONTROL"), or "" when
// the value has none.
type Symboler interface {
	Symbol() string
}

// New returns an empty message of type t: the generated struct, or a *RawMessage for a type without
// a known layout (or outside the catalog).
func New(t MsgType) Message {
	if info := lookupInfo(t); info != nil && info.new != nil {
		return info.new()
	}
	return &RawMessage{Type: t}
}

// Decode decodes one message body of type t, the MessageType as read from the wire, for version v.
// Where v numbers a message differently (TEAM_CONFIG_REQ is 236 in UCCE v14) the result is the
// message t stands for in v: see [FromWire].
//
// A layout only Unified CCX defines (catalog "ccxonly") does not apply to a UCCE version: the same
// ID may be another message there (240 is CALL_ATTRIBUTE_CHANGE_EVENT in UCCE v13/v14), so the
// body is kept raw.
func Decode(t MsgType, body []byte, v Version) (Message, error) {
	m := newForWire(FromWire(t, v), v)
	if err := m.Decode(body, v); err != nil {
		return nil, err
	}
	return m, nil
}

// newForWire is [New] for a message read in version v: a layout only Unified CCX defines stays raw
// on a UCCE version (see [Decode]).
func newForWire(typ MsgType, v Version) Message {
	if keptRaw(typ, v) {
		return &RawMessage{Type: typ}
	}
	return New(typ)
}

// keptRaw reports whether a frame of type typ stays a [RawMessage] in version v.
func keptRaw(typ MsgType, v Version) bool {
	info := lookupInfo(typ)
	return info != nil && info.CCXOnly && !v.IsUCCX()
}

// NoCopyMessage is implemented by every message: [Message.Decode] without the copy.
//
// DecodeNoCopy decodes body like Decode, but the decoded strings and byte slices (named
// variables, unknown fields, UNSPEC data) ALIAS body instead of copying it, and the message's
// slices (groups, named variables, unknown fields) keep their arrays from one decode to the next:
// with a message value the caller reuses, decoding allocates nothing. The price is the
// lifetime: the message is valid only until body is modified or reused — for a [Frame] of a
// [FrameReader], until the next ReadFrame — or until the next decode into the same message.
// It is for code that reads fields and keeps none of them (a filter, a counter, a renderer that
// writes the message out at once); copy what you keep ([strings.Clone], [bytes.Clone]), or use
// Decode. A message decoded this way must not cross goroutines while the buffer is reused.
// This is the trade [bufio.Scanner.Bytes] and x/net/http2's Framer make.
type NoCopyMessage interface {
	Message
	DecodeNoCopy(body []byte, v Version) error
}

// NoCopyDecoder decodes frames with DecodeNoCopy into one message per type that it reuses, so
// that a loop over frames allocates nothing once it has seen each type (see [NoCopyMessage] for
// how long a result is valid: here, also until the next Decode of the same type). The zero
// value is ready; it is not safe for concurrent use.
type NoCopyDecoder struct {
	msgs map[noCopyKey]NoCopyMessage
}

// noCopyKey tells apart the typed and the raw message of one type: which one a frame decodes
// into depends on the version (see [Decode]).
type noCopyKey struct {
	t   MsgType
	raw bool
}

// Decode decodes one message body of type t, the MessageType as read from the wire, for version
// v, as [Decode] does but without copying: the result aliases body.
func (d *NoCopyDecoder) Decode(t MsgType, body []byte, v Version) (Message, error) {
	t = FromWire(t, v)
	key := noCopyKey{t: t, raw: keptRaw(t, v)}
	m, ok := d.msgs[key]
	if !ok {
		m = newForWire(t, v).(NoCopyMessage)
		if d.msgs == nil {
			d.msgs = make(map[noCopyKey]NoCopyMessage)
		}
		d.msgs[key] = m
	}
	if err := m.DecodeNoCopy(body, v); err != nil {
		return nil, err
	}
	return m, nil
}

// NewByName returns an empty message by its protocol name (UCCE or UCCX spelling).
func NewByName(name string) (Message, error) {
	t, ok := LookupMsgType(name)
	if !ok {
		return nil, fmt.Errorf("unknown CTI message name %q", name)
	}
	return New(t), nil
}

// RawMessage is a message whose layout is not known: its body is kept as it came.
type RawMessage struct {
	Type MsgType
	Body []byte
}

// MessageType implements Message.
func (m *RawMessage) MessageType() MsgType { return m.Type }

// Encode implements Message.
func (m *RawMessage) Encode(dst []byte, _ Version) ([]byte, error) {
	return AppendFrame(dst, m.Type, m.Body), nil
}

// Decode implements Message; the body is copied.
func (m *RawMessage) Decode(body []byte, _ Version) error {
	m.Body = append(m.Body[:0], body...)
	return nil
}

// DecodeNoCopy implements NoCopyMessage: Body is body itself.
func (m *RawMessage) DecodeNoCopy(body []byte, _ Version) error {
	m.Body = body
	return nil
}

// Fields implements Message: the body as one raw field.
func (m *RawMessage) Fields(Version) []FieldValue {
	return []FieldValue{{Name: "Body", Value: m.Body}}
}

// SetField implements Message: only "Body" (a hex string or bytes) can be set.
func (m *RawMessage) SetField(name string, value any) error {
	if name != "Body" {
		return fmt.Errorf("%s has no known layout: only the raw Body can be set, not %q", m.Type, name)
	}
	switch b := value.(type) {
	case []byte:
		m.Body = b
	case string:
		d, err := hex.DecodeString(b)
		if err != nil {
			return fmt.Errorf("%s.Body: want hex: %w", m.Type, err)
		}
		m.Body = d
	default:
		return fmt.Errorf("%s.Body: want hex string or bytes, got %T", m.Type, value)
	}
	return nil
}

// MarshalMessageJSON renders m as {"type":N,"name":"…","fields":{…}} with fields in wire order;
// enumeration values appear by name, unknown ones as numbers, raw bytes as hex.
func MarshalMessageJSON(m Message, v Version) ([]byte, error) {
	var b bytes.Buffer
	t := m.MessageType()
	b.WriteString(`{"type":`)
	b.WriteString(strconv.FormatUint(uint64(t), 10))
	b.WriteString(`,"name":`)
	writeJSONString(&b, t.String())
	b.WriteString(`,"fields":`)
	if err := writeFieldsJSON(&b, m.Fields(v)); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeFieldsJSON(b *bytes.Buffer, fs []FieldValue) error {
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, f.Name)
		b.WriteByte(':')
		if err := writeValueJSON(b, f.Value); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	b.WriteByte('}')
	return nil
}

func writeValueJSON(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case Symboler:
		if s := x.Symbol(); s != "" {
			writeJSONString(b, s)
			return nil
		}
		fmt.Fprintf(b, "%d", x)
		return nil
	case []byte:
		writeJSONString(b, hex.EncodeToString(x))
		return nil
	case []Record:
		b.WriteByte('[')
		for i, r := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeFieldsJSON(b, r); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(j)
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	j, _ := json.Marshal(s)
	b.Write(j)
}

// FieldMap is the generic view as a map, for scripts and templates: enumeration values stay typed
// (their String gives the name), groups become []map[string]any.
func FieldMap(m Message, v Version) map[string]any {
	return recordMap(m.Fields(v))
}

func recordMap(fs []FieldValue) map[string]any {
	out := make(map[string]any, len(fs))
	for _, f := range fs {
		if rs, ok := f.Value.([]Record); ok {
			list := make([]map[string]any, len(rs))
			for i, r := range rs {
				list[i] = recordMap(r)
			}
			out[f.Name] = list
			continue
		}
		out[f.Name] = f.Value
	}
	return out
}
