package convert

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// This file is the converter's only knowledge of the --trace format (cti.TraceWriter), and of
// `ctiload decode`'s capture lines, which carry the same keys plus packet and conn.

// traceLine is the part of a trace line the converter reads.
type traceLine struct {
	Time    time.Time       `json:"time"`
	Dir     string          `json:"dir"`     // "out": client → server, "in": server → client
	Session string          `json:"session"` // the session's label (a decoded capture: the client's address)
	Addr    string          `json:"addr"`
	Conn    int             `json:"conn"` // decoded captures only: tells apart connections reusing an address
	Packet  int             `json:"packet"`
	Version string          `json:"version"` // "UCCE v24", "UCCX v14"
	Type    cti.MsgType     `json:"type"`
	Name    string          `json:"name"`
	Fields  json.RawMessage `json:"fields"`
	Error   string          `json:"error"`
}

// ReadTrace reads a --trace NDJSON file (or `ctiload decode`'s output of a capture): one client
// per session label (per conn for a decoded capture). Lines without time order the messages as
// they come (a trace written with regress options). A line that is not a trace line is an error
// naming it.
func ReadTrace(r io.Reader) ([]*Client, []string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	byKey := map[string]*Client{}
	var clients []*Client
	var notes []string
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var tl traceLine
		if err := json.Unmarshal(line, &tl); err != nil {
			return nil, nil, fmt.Errorf("line %d: not a trace line: %v", n, err)
		}
		if tl.Dir != "in" && tl.Dir != "out" {
			return nil, nil, fmt.Errorf("line %d: not a trace line: dir %q (want in or out)", n, tl.Dir)
		}
		where := fmt.Sprintf("line %d", n)
		if tl.Packet > 0 {
			where = fmt.Sprintf("packet %d", tl.Packet)
		}
		if tl.Error != "" {
			notes = append(notes, fmt.Sprintf("%s: %s left out: %s", where, tl.Name, tl.Error))
			continue
		}
		key := tl.Session
		if tl.Conn > 0 {
			key = fmt.Sprintf("%s#%d", tl.Session, tl.Conn)
		}
		c := byKey[key]
		if c == nil {
			c = &Client{Key: tl.Session, Server: tl.Addr}
			byKey[key] = c
			clients = append(clients, c)
		}
		if v, err := cti.ParseVersion(tl.Version); err == nil {
			c.Version = v
		}
		fs, err := orderedFields(tl.Fields)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: fields: %v", n, err)
		}
		name := tl.Name
		if name == "" {
			name = tl.Type.String()
		}
		c.Msgs = append(c.Msgs, Msg{Time: tl.Time, Out: tl.Dir == "out", Where: where, Type: tl.Type, Name: name, Fields: fs})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return dropEmpty(clients), notes, nil
}
