package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/capture"
)

// Client is one captured client connection: what a VU of the generated script replays.
type Client struct {
	Key     string // the client's address (capture) or the session's label (trace)
	Server  string // the server's address
	Version cti.Version
	Msgs    []Msg // both directions, in capture order
	// Sides are the servers the client talked to, in order: two after a fail-over to side B.
	Sides []string
	// servers records, per message, the server it was exchanged with, when it changes.
	servers []serverMark
}

type serverMark struct {
	from   int // index of the first message with this server
	server string
}

// serverAt is the server of message i.
func (c *Client) serverAt(i int) string {
	srv := c.Server
	for _, m := range c.servers {
		if m.from <= i {
			srv = m.server
		}
	}
	return srv
}

// Msg is one message of a client connection, from a capture or a trace alike.
type Msg struct {
	Time   time.Time
	Out    bool   // client → server
	Where  string // "packet 12", "line 40": where to find it in the input
	Type   cti.MsgType
	Name   string
	Fields []Field // in wire order; passwords already redacted
}

// Field is one decoded field as JSON: numbers, strings, enumeration symbols, groups.
type Field struct {
	Name string
	Raw  json.RawMessage
}

func (m *Msg) field(name string) (json.RawMessage, bool) {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Raw, true
		}
	}
	return nil, false
}

// str returns a string field ("" when absent or not a string).
func (m *Msg) str(name string) string {
	raw, ok := m.field(name)
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// num returns a numeric field.
func (m *Msg) num(name string) (uint64, bool) {
	raw, ok := m.field(name)
	if !ok {
		return 0, false
	}
	var n uint64
	if json.Unmarshal(raw, &n) != nil {
		return 0, false
	}
	return n, true
}

// invokeID is the InvokeID of a request or a confirmation.
func (m *Msg) invokeID() (uint64, bool) { return m.num("InvokeID") }

// newMsg renders a decoded message into a Msg, passwords redacted.
func newMsg(m cti.Message, v cti.Version, at time.Time, out bool, where string) (Msg, error) {
	cti.Redact(m, v)
	js, err := cti.MarshalMessageJSON(m, v)
	if err != nil {
		return Msg{}, err
	}
	var doc struct {
		Fields json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		return Msg{}, err
	}
	fs, err := orderedFields(doc.Fields)
	if err != nil {
		return Msg{}, err
	}
	return Msg{Time: at, Out: out, Where: where, Type: m.MessageType(), Name: m.MessageType().String(), Fields: fs}, nil
}

// orderedFields splits a JSON object into its members, keeping their order.
func orderedFields(obj json.RawMessage) ([]Field, error) {
	if len(bytes.TrimSpace(obj)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("fields: want an object")
	}
	var fs []Field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		fs = append(fs, Field{Name: name, Raw: raw})
	}
	return fs, nil
}

// ReadCapture reads every client connection of a pcap or pcapng capture. Frames that do not
// decode are left out and listed in the returned notes, with the capture's stream notices.
// A capture cut short returns the connections read before the bad packet and its error.
func ReadCapture(r io.Reader, o capture.Options) ([]*Client, []string, error) {
	var notes []string
	user := o.OnNotice
	o.OnNotice = func(n capture.Notice) {
		notes = append(notes, n.String())
		if user != nil {
			user(n)
		}
	}
	cr, err := capture.NewReader(r, o)
	if err != nil {
		return nil, nil, err
	}
	byConn := map[*capture.Conn]*Client{}
	var clients []*Client
	var readErr error
	for {
		fr, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		c := byConn[fr.Conn]
		if c == nil {
			c = &Client{Key: fr.Conn.Client.String(), Server: fr.Conn.Server.String()}
			byConn[fr.Conn] = c
			clients = append(clients, c)
		}
		c.Version = fr.Version
		where := fmt.Sprintf("packet %d", fr.Packet)
		m, err := fr.Decode()
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s, %s: %s left out: %v", where, c.Key, fr.Type, err))
			continue
		}
		msg, err := newMsg(m, fr.Version, fr.Time, fr.Dir == capture.ToServer, where)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s, %s: %s left out: %v", where, c.Key, fr.Type, err))
			continue
		}
		c.Msgs = append(c.Msgs, msg)
	}
	return dropEmpty(clients), notes, readErr
}

func dropEmpty(cs []*Client) []*Client {
	out := cs[:0]
	for _, c := range cs {
		if len(c.Msgs) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// sortByStart orders clients by their first message.
func sortByStart(cs []*Client) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Msgs[0].Time.Before(cs[j].Msgs[0].Time) })
}

// short names a client for comments: its key without a loopback or IPv6 zone clutter.
func (c *Client) short() string { return strings.TrimPrefix(c.Key, "127.0.0.1:") }
