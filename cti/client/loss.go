package client

import (
	"errors"
	"io"
	"syscall"

	"github.com/ctiload/ctiload/cti"
)

// LinkLoss reports a connection of an open session that ended without [Session.Close]
// ([WithLinkLossHandler]). Counting these, by cause, is how a load test sees a server that drops
// sessions, rather than only through the next request's failure.
type LinkLoss struct {
	Label string        // the session's label
	Addr  string        // the side whose connection ended
	Cause string        // stable name, see [LinkLossCause]
	Err   *SessionError // why it ended
}

// Link loss causes, the names [LinkLossCause] gives.
const (
	LossServerClosed    = "server_closed"    // the server closed or reset the connection
	LossReadError       = "read_error"       // a read failed otherwise
	LossWriteError      = "write_error"      // a write failed
	LossHeartbeatMissed = "heartbeat_missed" // MaxMissedHeartbeats heartbeats went unanswered
	LossIdleTimeout     = "idle_timeout"     // the server was silent for the idle timeout
	LossServerOffline   = "server_offline"   // FAILURE_EVENT or heartbeat FAILURE_CONF E_CTI_CTI_SERVER_OFFLINE
	LossDecodeError     = "decode_error"     // a frame that cannot be read (too large): the stream is lost
	LossOther           = "other"
)

// LinkLossCause names why a link ended, for metrics: one of the Loss* constants.
func LinkLossCause(err *SessionError) string {
	if err == nil {
		return LossOther
	}
	switch err.Op {
	case "heartbeat":
		if errors.Is(err, ErrServerOffline) {
			return LossServerOffline
		}
		return LossHeartbeatMissed
	case "idle":
		return LossIdleTimeout
	case "event":
		return LossServerOffline
	case "write":
		return LossWriteError
	case "read":
		var tl *cti.FrameTooLargeError
		switch {
		case errors.As(err, &tl):
			return LossDecodeError
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
			return LossServerClosed
		}
		return LossReadError
	}
	return LossOther
}

// MalformedFrame reports a frame from the server that did not decode
// ([WithMalformedFrameHandler]).
type MalformedFrame struct {
	Label  string      // the session's label
	Addr   string      // the side that sent it
	Type   cti.MsgType // the frame's message type
	Reason string      // stable name, see [MalformedReason]
	Offset int         // byte offset of the fault from the frame's first header byte, -1 if unknown
	Err    error       // the decode error (a *ProtocolError or *FrameTooLargeError)
}

// MalformedReason names a decode error for metrics: the E_CTI_* status a CTI Server would answer
// for it (E_CTI_BAD_MESSAGE_FORMAT, E_CTI_INVALID_FIELD_LENGTH…), or "frame_too_large" for a
// header announcing more than the maximum message size.
func MalformedReason(err error) string {
	var pe *cti.ProtocolError
	if errors.As(err, &pe) {
		return statusName(pe.Code)
	}
	if errors.Is(err, cti.ErrFrameTooLarge) {
		return "frame_too_large"
	}
	return "E_CTI_BAD_MESSAGE_FORMAT"
}

// malformed counts a frame that did not decode and tells the handler.
func (s *Session) malformed(l *link, t cti.MsgType, err error) {
	s.n.decodeErrors.Add(1)
	h := s.cfg.onMalformed
	if h == nil {
		return
	}
	off := -1
	var pe *cti.ProtocolError
	if errors.As(err, &pe) {
		off = pe.Offset
	}
	h(MalformedFrame{Label: s.label, Addr: l.addr, Type: t, Reason: MalformedReason(err), Offset: off, Err: err})
}
