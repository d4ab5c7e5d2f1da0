package client

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// TraceDir is the direction of a traced frame, seen from the client.
type TraceDir uint8

// Trace directions.
const (
	TraceIn  TraceDir = iota + 1 // server to client
	TraceOut                     // client to server
)

func (d TraceDir) String() string {
	switch d {
	case TraceIn:
		return "in"
	case TraceOut:
		return "out"
	}
	return "?"
}

// TraceFrame is one frame handed to an [Observer].
type TraceFrame struct {
	Time    time.Time   // read time (in), or the instant before the write (out)
	Dir     TraceDir    // TraceIn or TraceOut
	Label   string      // the session's label ([WithLabel])
	Addr    string      // the side the frame went to or came from
	Version cti.Version // to read Msg.Fields
	// Msg is the decoded message with every field whose name ends in "Password" replaced by
	// [Redacted]. An outgoing Msg is a private copy; an incoming Msg is the instance the session
	// also hands to its owner, so treat it as read-only.
	Msg  cti.Message
	Size int // bytes on the wire, header included
}

// Observer receives every frame a session sends and reads, e.g. for --trace. Frame is called on
// the goroutine doing the I/O, in wire order per direction, so it should be quick; one Observer
// may serve many sessions at once and must then be safe for concurrent use.
type Observer interface {
	Frame(f TraceFrame)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(TraceFrame)

// Frame implements Observer.
func (f ObserverFunc) Frame(tf TraceFrame) { f(tf) }

// Redacted replaces secrets in traced messages (the codec's cti.Redacted).
const Redacted = cti.Redacted

// secretFields caches, per message type, whether its struct has a …Password field: only those
// types pay for a redacted copy of an incoming message.
var secretFields sync.Map // MsgType → bool

func hasSecret(m cti.Message) bool {
	t := m.MessageType()
	if v, ok := secretFields.Load(t); ok {
		return v.(bool)
	}
	has := false
	if rt := reflect.TypeOf(m); rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.Struct {
		st := rt.Elem()
		for i := 0; i < st.NumField(); i++ {
			if strings.HasSuffix(st.Field(i).Name, "Password") {
				has = true
				break
			}
		}
	}
	secretFields.Store(t, has)
	return has
}

// traceCopy decodes a private, redacted copy of a frame's body. A body that does not decode is
// handed on as a RawMessage without its bytes, since they cannot be redacted.
func traceCopy(t cti.MsgType, body []byte, v cti.Version) cti.Message {
	m, err := cti.Decode(t, body, v)
	if err != nil {
		return &cti.RawMessage{Type: t}
	}
	cti.Redact(m, v)
	return m
}

// TraceOptions tune [NewTraceWriter].
type TraceOptions struct {
	// Regress leaves out the time and the address, so that a trace can be compared with a golden
	// file (pgproto3's RegressMode).
	Regress bool
}

// TraceWriter returns an Observer writing one JSON object per frame (NDJSON) to w:
//
//	{"time":"…","dir":"out","session":"agent1","addr":"host:port","version":"UCCE v24","size":60,
//	 "type":3,"name":"OPEN_REQ","fields":{…}}
//
// Fields are rendered by [cti.MarshalMessageJSON]; passwords read [Redacted]. Lines are written whole
// under a mutex, so many sessions may share one TraceWriter.
func TraceWriter(w io.Writer) Observer { return NewTraceWriter(w, TraceOptions{}) }

// NewTraceWriter is [TraceWriter] with options.
func NewTraceWriter(w io.Writer, o TraceOptions) Observer {
	return &traceWriter{w: w, o: o}
}

type traceWriter struct {
	mu  sync.Mutex
	w   io.Writer
	o   TraceOptions
	buf bytes.Buffer
}

func (tw *traceWriter) Frame(f TraceFrame) {
	js, err := cti.MarshalMessageJSON(traceView{f.Msg}, f.Version)
	if err != nil {
		js = []byte(`{"type":` + strconv.FormatUint(uint64(f.Msg.MessageType()), 10) +
			`,"name":` + quoteJSON(f.Msg.MessageType().String()) + `,"error":` + quoteJSON(err.Error()) + `}`)
	}
	tw.mu.Lock()
	defer tw.mu.Unlock()
	b := &tw.buf
	b.Reset()
	b.WriteByte('{')
	if !tw.o.Regress {
		b.WriteString(`"time":"`)
		b.Write(f.Time.UTC().AppendFormat(nil, time.RFC3339Nano))
		b.WriteString(`",`)
	}
	b.WriteString(`"dir":"`)
	b.WriteString(f.Dir.String())
	b.WriteString(`","session":`)
	b.WriteString(quoteJSON(f.Label))
	if !tw.o.Regress {
		b.WriteString(`,"addr":`)
		b.WriteString(quoteJSON(f.Addr))
	}
	b.WriteString(`,"version":`)
	b.WriteString(quoteJSON(f.Version.String()))
	b.WriteString(`,"size":`)
	b.WriteString(strconv.Itoa(f.Size))
	b.WriteByte(',')
	b.Write(js[1:]) // MarshalMessageJSON's object without its opening brace
	b.WriteByte('\n')
	_, _ = tw.w.Write(b.Bytes())
}

func quoteJSON(s string) string {
	j, _ := json.Marshal(s)
	return string(j)
}

// traceView shows redacted byte fields as text ("[REDACTED]") instead of hex.
type traceView struct{ cti.Message }

func (v traceView) Fields(ver cti.Version) []cti.FieldValue {
	fs := v.Message.Fields(ver)
	for i := range fs {
		if b, ok := fs[i].Value.([]byte); ok && string(b) == Redacted {
			fs[i].Value = Redacted
		}
	}
	return fs
}
