package agent

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// Conn sends a desk's requests: a [*client.Session], or a wrapper around one that adds metrics,
// rate limits or logging to its Do.
type Conn interface {
	// Do sends req with a fresh InvokeID and waits for its reply (see [client.Session.Do]).
	Do(ctx context.Context, req cti.Invoker) (client.Reply, error)
	// Version is the session's protocol version: it decides where the agent ID goes.
	Version() cti.Version
}

// Identity is the agent and the phone a desk works for.
type Identity struct {
	ID           string // AgentID (LongAgentID on Unified CCX)
	Extension    string // AgentExtension
	Instrument   string // AgentInstrument; "" means the extension
	PeripheralID uint32 // the agent's peripheral; 0 takes the first one OPEN_CONF listed, when Conn can say
}

// ErrNoConsultation is returned by [Desk.Transfer] and [Desk.Conference] given no number while no
// consultation is in progress: there is nothing to complete and nowhere to transfer to.
var ErrNoConsultation = errors.New("agent: no consultation in progress")

// ErrInvalidArgument is wrapped by the errors of arguments a desk refuses before sending anything.
var ErrInvalidArgument = errors.New("agent: invalid argument")

// NoCallID is the ConnectionCallID that names no call (0xFFFFFFFF): the held call of a
// single-step transfer or conference.
const NoCallID uint32 = 0xFFFFFFFF

// A Desk is one agent's desktop on a session. Its methods send one request each and return the
// reply; a FAILURE_CONF or CONTROL_FAILURE_CONF is an error ([*client.FailureError],
// [*client.ControlFailureError]) that comes with the reply. A Desk is safe for concurrent use; it
// holds no lock while a request is under way.
type Desk struct {
	conn Conn
	id   Identity

	mu      sync.Mutex
	consult *Consultation
}

// New returns the desk of id on conn. When id.PeripheralID is 0 and conn can report its
// OPEN_CONF (as [*client.Session] does), the first peripheral listed there is taken.
func New(conn Conn, id Identity) *Desk {
	if id.Instrument == "" {
		id.Instrument = id.Extension
	}
	if id.PeripheralID == 0 {
		if o, ok := conn.(interface{ Opened() client.OpenResult }); ok {
			if p := o.Opened().Peripherals; len(p) > 0 && p[0].FltPeripheralID != 0 {
				id.PeripheralID = p[0].FltPeripheralID
			}
		}
	}
	return &Desk{conn: conn, id: id}
}

// Identity is the desk's agent, with the defaults New filled in.
func (d *Desk) Identity() Identity { return d.id }

// StateOptions are the optional fields of SET_AGENT_STATE_REQ.
type StateOptions struct {
	ReasonCode  uint16                           // EventReasonCode (a not-ready or logout reason)
	WorkMode    cti.AgentWorkMode                // AgentWorkMode
	Password    string                           // AgentPassword (login); never traced
	SkillGroups []cti.SetAgentStateReqSkillGroup // the skill groups to log in to, with priorities
}

// SetState sends SET_AGENT_STATE_REQ for the desk's agent.
func (d *Desk) SetState(ctx context.Context, state cti.AgentState, o StateOptions) (client.Reply, error) {
	req := &cti.SetAgentStateReq{
		PeripheralID:    d.id.PeripheralID,
		AgentState:      state,
		AgentWorkMode:   o.WorkMode,
		EventReasonCode: o.ReasonCode,
		AgentInstrument: d.id.Instrument,
		AgentPassword:   o.Password,
		SkillGroups:     o.SkillGroups,
	}
	d.setAgentID(&req.AgentID, &req.LongAgentID)
	return d.conn.Do(ctx, req)
}

// Login is SetState(AGENT_STATE_LOGIN).
func (d *Desk) Login(ctx context.Context, o StateOptions) (client.Reply, error) {
	return d.SetState(ctx, cti.AgentStateLogin, o)
}

// Logout is SetState(AGENT_STATE_LOGOUT).
func (d *Desk) Logout(ctx context.Context, o StateOptions) (client.Reply, error) {
	return d.SetState(ctx, cti.AgentStateLogout, o)
}

// QueryState sends QUERY_AGENT_STATE_REQ for the desk's agent; the reply is a
// *cti.QueryAgentStateConf.
func (d *Desk) QueryState(ctx context.Context) (client.Reply, error) {
	req := &cti.QueryAgentStateReq{PeripheralID: d.id.PeripheralID, AgentInstrument: d.id.Instrument, AgentExtension: d.id.Extension}
	d.setAgentID(&req.AgentID, &req.LongAgentID)
	return d.conn.Do(ctx, req)
}

// setAgentID puts the agent ID where the server looks for it: Unified CCX reads LongAgentID
// (tag 194) and reserves tag 5; Unified CCE reads AgentID (tag 5). docs/protocol/tags.md.
func (d *Desk) setAgentID(agentID, longAgentID *string) {
	if d.conn.Version().IsUCCX() {
		*longAgentID = d.id.ID
	} else {
		*agentID = d.id.ID
	}
}

// stateNames are the desktop's names of agent states, besides the protocol's AGENT_STATE_* symbols.
var stateNames = map[string]cti.AgentState{
	"READY":          cti.AgentStateAvailable,
	"AVAILABLE":      cti.AgentStateAvailable,
	"NOT_READY":      cti.AgentStateNotReady,
	"WORK_READY":     cti.AgentStateWorkReady,
	"WORK_NOT_READY": cti.AgentStateWorkNotReady,
	"LOGOUT":         cti.AgentStateLogout,
	"LOGIN":          cti.AgentStateLogin,
}

// ParseState reads an agent state as a desktop names it — READY (or AVAILABLE), NOT_READY,
// WORK_READY, WORK_NOT_READY, LOGIN, LOGOUT, in any case — or by its protocol symbol
// (AGENT_STATE_TALKING…) or number.
func ParseState(name string) (cti.AgentState, bool) {
	name = strings.ToUpper(strings.TrimSpace(name))
	if s, ok := stateNames[name]; ok {
		return s, true
	}
	return cti.ParseAgentState(name)
}
