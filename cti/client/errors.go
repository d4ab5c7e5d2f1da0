package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// Session errors come in two scopes, as in x/net/http2 (ConnectionError versus StreamError):
// a [*SessionError] ends the session (or its current connection, when fail-over is on), while a
// [*FailureError], [*ControlFailureError] or [*RequestError] ends one request and leaves the
// session usable. Match them with errors.Is and errors.As; [ErrorCode] turns any of them into a
// stable name for metrics.
var (
	// ErrSessionClosed: the session was closed by [Session.Close]; requests still waiting fail
	// with it, and so does every call made afterwards.
	ErrSessionClosed = errors.New("cti: session closed")
	// ErrNotSent: the request was not written to the connection, so the server never saw it:
	// the session had ended (closed, or its link lost; the cause follows in the message), or the
	// link broke during the write. Such a request is no request to the server: load metrics
	// must not count it as one.
	ErrNotSent = errors.New("cti: request not sent")
	// ErrConnectionLost: the server dropped the TCP connection, or a read or write failed.
	ErrConnectionLost = errors.New("cti: connection lost")
	// ErrRequestTimeout: no reply came within the request timeout (or the context deadline).
	ErrRequestTimeout = errors.New("cti: request timed out")
	// ErrEventTimeout: [Session.WaitEvent] saw no matching event before its context deadline.
	ErrEventTimeout = errors.New("cti: no matching event in time")
	// ErrHeartbeatTimeout: MaxMissedHeartbeats heartbeats in a row went unanswered (§10).
	ErrHeartbeatTimeout = errors.New("cti: heartbeats unanswered")
	// ErrIdleTimeout: nothing arrived from the server for the session's IdleTimeout.
	ErrIdleTimeout = errors.New("cti: server silent for the idle timeout")
	// ErrServerOffline: FAILURE_EVENT E_CTI_CTI_SERVER_OFFLINE, or a FAILURE_CONF answering a
	// heartbeat (§10: both mean the server is offline and the client should close).
	ErrServerOffline = errors.New("cti: CTI server offline")
	// ErrStandby: OPEN_CONF said SessionType STANDBY (v24+): this side is not the active one.
	ErrStandby = errors.New("cti: CTI server side is standby")
	// ErrInvalidConfig: the options given to [Dial] are inconsistent; nothing was sent.
	ErrInvalidConfig = errors.New("cti: invalid session configuration")
	// ErrInvalidRequest: [Session.Do] was given a message it must not send (OPEN_REQ, CLOSE_REQ).
	ErrInvalidRequest = errors.New("cti: invalid request")
)

// SessionError is an error that ended the session or its current connection.
type SessionError struct {
	Op     string     // "dial", "tls", "open", "read", "write", "heartbeat", "idle", "event", "reconnect", "close"
	Addr   string     // the side involved (host:port), or the whole target
	Status cti.Status // the E_CTI_* status describing the end, E_CTI_NO_ERROR (0) when none applies
	Err    error      // the cause
}

func (e *SessionError) Error() string {
	s := "cti: session " + e.Op
	if e.Addr != "" {
		s += " " + e.Addr
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *SessionError) Unwrap() error { return e.Err }

// RequestError is a request that ended without a reply: timed out, cancelled, not sent, or cut off
// by the end of its connection (then Err is the [*SessionError]).
type RequestError struct {
	Request  cti.MsgType // the request's type
	InvokeID uint32      // 0 when none was assigned
	Addr     string      // the side it was sent to
	Err      error       // why it ended: ErrRequestTimeout, a context error, a *SessionError…
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("cti: %s (invoke %d) to %s: %v", e.Request, e.InvokeID, e.Addr, e.Err)
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// FailureError is a request answered by FAILURE_CONF.
type FailureError struct {
	Request  cti.MsgType // the failed request's type
	InvokeID uint32      // the failed request's InvokeID
	Status   cti.Status  // E_CTI_* code
	Text     string      // optional Text[7] (Unified CCX)
}

// CodeName is the status's protocol name, e.g. "E_CTI_INVALID_PASSWORD".
func (e *FailureError) CodeName() string { return statusName(e.Status) }

func (e *FailureError) Error() string {
	s := fmt.Sprintf("cti: %s (invoke %d) failed: %s (%d)", e.Request, e.InvokeID, e.CodeName(), uint32(e.Status))
	if e.Text != "" {
		s += ": " + e.Text
	}
	return s
}

// ControlFailureError is a request answered by CONTROL_FAILURE_CONF.
type ControlFailureError struct {
	Request             cti.MsgType        // the failed request's type
	InvokeID            uint32             // the failed request's InvokeID
	Code                cti.ControlFailure // FailureCode, CF_* (§7.3)
	PeripheralErrorCode uint32             // peripheral-specific, 0 if none
}

// CodeName is the failure code's protocol name, e.g. "CF_INVALID_AGENT_WORK_MODE".
func (e *ControlFailureError) CodeName() string {
	if s := e.Code.Symbol(); s != "" {
		return s
	}
	return "CF_CODE_" + strconv.FormatUint(uint64(e.Code), 10)
}

func (e *ControlFailureError) Error() string {
	return fmt.Sprintf("cti: %s (invoke %d) failed: %s (%d), peripheral error %d",
		e.Request, e.InvokeID, e.CodeName(), uint16(e.Code), e.PeripheralErrorCode)
}

func statusName(s cti.Status) string {
	if n := s.Symbol(); n != "" {
		return n
	}
	return "E_CTI_STATUS_" + strconv.FormatUint(uint64(s), 10)
}

// ErrorCode names err for metrics and reports. The names are stable:
//
//	ErrNotSent                 E_NOT_SENT (before anything else: the request never left)
//	*FailureError              its status, e.g. E_CTI_INVALID_PASSWORD (unknown: E_CTI_STATUS_<n>)
//	*ControlFailureError       its code, e.g. CF_INVALID_AGENT_WORK_MODE (unknown: CF_CODE_<n>)
//	ErrRequestTimeout          E_TIMEOUT (also a context deadline)
//	ErrEventTimeout            E_EVENT_TIMEOUT
//	ErrHeartbeatTimeout        E_HEARTBEAT_TIMEOUT
//	ErrIdleTimeout             E_IDLE_TIMEOUT
//	ErrServerOffline           E_CTI_CTI_SERVER_OFFLINE
//	ErrStandby                 E_STANDBY
//	ErrSessionClosed           E_SESSION_CLOSED
//	ErrConnectionLost          E_CONNECTION_LOST
//	ErrInvalidConfig           E_CONFIG
//	ErrInvalidRequest          E_INVALID_REQUEST
//	context.Canceled           E_CANCELED
//	*SessionError "dial"/"tls" E_DIAL / E_TLS (connect refused, handshake failed…)
//	*EncodeError               E_ENCODE
//	*ProtocolError             E_PROTOCOL
//
// ok is false for a nil error ("") and for an error none of these explain ("E_UNKNOWN").
func ErrorCode(err error) (name string, ok bool) {
	if err == nil {
		return "", false
	}
	// A request that never left is named for that, whatever ended the session before it.
	if errors.Is(err, ErrNotSent) {
		return "E_NOT_SENT", true
	}
	// The server's own verdict is the most specific name, even when the session ended with it.
	var fe *FailureError
	if errors.As(err, &fe) {
		return fe.CodeName(), true
	}
	var cf *ControlFailureError
	if errors.As(err, &cf) {
		return cf.CodeName(), true
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.name, true
		}
	}
	// Before the context errors: a connect timeout is a dial failure, not a request timeout.
	var se *SessionError
	if errors.As(err, &se) {
		switch se.Op {
		case "dial":
			return "E_DIAL", true
		case "tls":
			return "E_TLS", true
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "E_TIMEOUT", true
	case errors.Is(err, context.Canceled):
		return "E_CANCELED", true
	}
	var ee *cti.EncodeError
	if errors.As(err, &ee) {
		return "E_ENCODE", true
	}
	var pe *cti.ProtocolError
	if errors.As(err, &pe) {
		return "E_PROTOCOL", true
	}
	return "E_UNKNOWN", false
}

// errorCodes is checked in order: the causes that end a session come before the consequences
// (a request cut off by a heartbeat failure reports E_HEARTBEAT_TIMEOUT, not E_CONNECTION_LOST).
var errorCodes = []struct {
	err  error
	name string
}{
	{ErrInvalidConfig, "E_CONFIG"},
	{ErrInvalidRequest, "E_INVALID_REQUEST"},
	{ErrHeartbeatTimeout, "E_HEARTBEAT_TIMEOUT"},
	{ErrIdleTimeout, "E_IDLE_TIMEOUT"},
	{ErrServerOffline, "E_CTI_CTI_SERVER_OFFLINE"},
	{ErrStandby, "E_STANDBY"},
	{ErrSessionClosed, "E_SESSION_CLOSED"},
	{ErrConnectionLost, "E_CONNECTION_LOST"},
	{ErrRequestTimeout, "E_TIMEOUT"},
	{ErrEventTimeout, "E_EVENT_TIMEOUT"},
}

// timeoutError is the Err of a [*RequestError] for a reply that did not come in time.
func timeoutError(after time.Duration, ctxErr error) error {
	if ctxErr != nil {
		return fmt.Errorf("%w after %v: %w", ErrRequestTimeout, after.Round(time.Millisecond), ctxErr)
	}
	return fmt.Errorf("%w after %v", ErrRequestTimeout, after.Round(time.Millisecond))
}
