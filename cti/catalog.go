package cti

import (
	"strconv"
	"strings"
	"sync"
)

// MsgType is the MessageType of the header.
type MsgType uint32

// Direction says which side sends a message type.
type Direction uint8

// Directions.
const (
	DirectionUnknown Direction = iota
	ClientToServer
	ServerToClient
	BothDirections
)

func (d Direction) String() string {
	switch d {
	case ClientToServer:
		return "client→server"
	case ServerToClient:
		return "server→client"
	case BothDirections:
		return "both"
	}
	return "unknown"
}

// MsgInfo describes a catalogued message type.
type MsgInfo struct {
	Type      MsgType
	Name      string // UCCE name (v24/v25 guides)
	CCXName   string // Unified CCX name where it differs
	Direction Direction
	CCXOnly   bool   // only Unified CCX has this type
	Conf      string // confidence of the layout: C confirmed, S single source, U uncertain
	HasLayout bool   // a typed struct exists; otherwise the body decodes as *RawMessage
	// Reply: the message answers a request (…_CONF, FAILURE_CONF, CONTROL_FAILURE_CONF), its
	// fixed part starting with the request's InvokeID (catalog attribute "reply").
	Reply bool
}

type msgInfo struct {
	MsgInfo
	new       func() Message
	fixedSize func(Version) int
}

func lookupInfo(t MsgType) *msgInfo {
	if uint64(t) < uint64(len(msgTable)) && msgTable[t].Name != "" {
		return &msgTable[t]
	}
	return nil
}

// String is the protocol name of t, or MSG_TYPE_<n> outside the catalog.
func (t MsgType) String() string {
	if info := lookupInfo(t); info != nil {
		return info.Name
	}
	return "MSG_TYPE_" + strconv.FormatUint(uint64(t), 10)
}

// Info returns the catalog entry of t.
func Info(t MsgType) (MsgInfo, bool) {
	if info := lookupInfo(t); info != nil {
		return info.MsgInfo, true
	}
	return MsgInfo{}, false
}

// IsReply reports whether t answers a request, from the catalog: a client routes it to the
// request with its InvokeID. Server-initiated messages that carry an InvokeID of their own
// (ACTIVE_MAINTENANCE_REQ_MSG…) and types outside the catalog are not replies.
func IsReply(t MsgType) bool {
	info := lookupInfo(t)
	return info != nil && info.Reply
}

// Catalog lists every catalogued message type in ID order.
func Catalog() []MsgInfo {
	var out []MsgInfo
	for i := range msgTable {
		if msgTable[i].Name != "" {
			out = append(out, msgTable[i].MsgInfo)
		}
	}
	return out
}

// FixedSize is the size of t's fixed part for version v; ok is false when the layout is not known.
func FixedSize(t MsgType, v Version) (n int, ok bool) {
	if info := lookupInfo(t); info != nil && info.fixedSize != nil {
		return info.fixedSize(v), true
	}
	return 0, false
}

var (
	byNameOnce sync.Once
	byName     map[string]MsgType
)

// LookupMsgType finds a message type by its UCCE or UCCX name (case-insensitive), or by number.
func LookupMsgType(name string) (MsgType, bool) {
	byNameOnce.Do(func() {
		byName = make(map[string]MsgType)
		for i := range msgTable {
			if msgTable[i].Name == "" {
				continue
			}
			byName[msgTable[i].Name] = msgTable[i].Type
			if msgTable[i].CCXName != "" {
				byName[msgTable[i].CCXName] = msgTable[i].Type
			}
		}
	})
	if t, ok := byName[strings.ToUpper(strings.TrimSpace(name))]; ok {
		return t, true
	}
	if n, err := strconv.ParseUint(name, 10, 32); err == nil && lookupInfo(MsgType(n)) != nil {
		return MsgType(n), true
	}
	return 0, false
}
