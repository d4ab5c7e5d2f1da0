package agent

import (
	"context"
	"fmt"
	"math"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// Call identifies one connection of a call (a call leg) as the CTI Server names it.
type Call struct {
	ID           uint32               // ConnectionCallID
	DeviceIDType cti.ConnectionIDType // ConnectionDeviceIDType
	DeviceID     string               // ConnectionDeviceID
	PeripheralID uint32               // the call's peripheral; 0 means the desk's
}

// Same reports whether c and o are the same connection.
func (c Call) Same(o Call) bool { return c.ID == o.ID && c.DeviceID == o.DeviceID }

// CallOf reads the connection a message names: the Connection… fields of a call event
// (CALL_DELIVERED_EVENT, CALL_ESTABLISHED_EVENT…), the NewConnection… fields of MAKE_CALL_CONF
// and CONSULTATION_CALL_CONF. ok is false for a message that names none.
func CallOf(m cti.Message) (c Call, ok bool) {
	conn := func(p, id uint32, t cti.ConnectionIDType, dev string) (Call, bool) {
		if p == math.MaxUint32 { // the "none" sentinel is no peripheral to address
			p = 0
		}
		return Call{ID: id, DeviceIDType: t, DeviceID: dev, PeripheralID: p}, true
	}
	switch e := m.(type) {
	case *cti.CallDeliveredEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallEstablishedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallHeldEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallRetrievedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallClearedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallConnectionClearedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallOriginatedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallFailedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallDivertedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallServiceInitiatedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallQueuedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallDequeuedEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallReachedNetworkEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.CallDataUpdateEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.BeginCallEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.EndCallEvent:
		return conn(e.PeripheralID, e.ConnectionCallID, e.ConnectionDeviceIDType, e.ConnectionDeviceID)
	case *cti.MakeCallConf:
		return Call{ID: e.NewConnectionCallID, DeviceIDType: e.NewConnectionDeviceIDType, DeviceID: e.NewConnectionDeviceID}, true
	case *cti.ConsultationCallConf:
		return Call{ID: e.NewConnectionCallID, DeviceIDType: e.NewConnectionDeviceIDType, DeviceID: e.NewConnectionDeviceID}, true
	}
	return Call{}, false
}

// Consultation is a consultation in progress: the original call, now held, and the consult call.
type Consultation struct {
	Held, Active Call
}

// Consultation returns the consultation in progress, if any.
func (d *Desk) Consultation() (Consultation, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.consult == nil {
		return Consultation{}, false
	}
	return *d.consult, true
}

// forgetConsult drops the consultation when c is one of its legs.
func (d *Desk) forgetConsult(c Call) {
	d.mu.Lock()
	if d.consult != nil && (d.consult.Active.Same(c) || d.consult.Held.Same(c)) {
		d.consult = nil
	}
	d.mu.Unlock()
}

// peripheral is the PeripheralID of a request about c: the call's, else the agent's.
func (d *Desk) peripheral(c Call) uint32 {
	if c.PeripheralID != 0 {
		return c.PeripheralID
	}
	return d.id.PeripheralID
}

// Answer sends ANSWER_CALL_REQ for an alerting call.
func (d *Desk) Answer(ctx context.Context, c Call) (client.Reply, error) {
	return d.conn.Do(ctx, &cti.AnswerCallReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID,
		ConnectionDeviceIDType: c.DeviceIDType, ConnectionDeviceID: c.DeviceID, AgentInstrument: d.id.Instrument})
}

// Hold sends HOLD_CALL_REQ.
func (d *Desk) Hold(ctx context.Context, c Call) (client.Reply, error) {
	return d.conn.Do(ctx, &cti.HoldCallReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID,
		ConnectionDeviceIDType: c.DeviceIDType, ConnectionDeviceID: c.DeviceID, AgentInstrument: d.id.Instrument})
}

// Retrieve sends RETRIEVE_CALL_REQ for a held call.
func (d *Desk) Retrieve(ctx context.Context, c Call) (client.Reply, error) {
	return d.conn.Do(ctx, &cti.RetrieveCallReq{PeripheralID: d.peripheral(c), HeldConnectionCallID: c.ID,
		HeldConnectionDeviceIDType: c.DeviceIDType, HeldConnectionDeviceID: c.DeviceID, AgentInstrument: d.id.Instrument})
}

// Clear sends CLEAR_CALL_REQ: the call ends for every party. A consultation c belongs to is
// forgotten.
func (d *Desk) Clear(ctx context.Context, c Call) (client.Reply, error) {
	d.forgetConsult(c)
	return d.conn.Do(ctx, &cti.ClearCallReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID,
		ConnectionDeviceIDType: c.DeviceIDType, ConnectionDeviceID: c.DeviceID, AgentInstrument: d.id.Instrument})
}

// Release sends CLEAR_CONNECTION_REQ: the agent's device leaves the call, the others stay. A
// consultation c belongs to is forgotten.
func (d *Desk) Release(ctx context.Context, c Call) (client.Reply, error) {
	d.forgetConsult(c)
	return d.conn.Do(ctx, &cti.ClearConnectionReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID,
		ConnectionDeviceIDType: c.DeviceIDType, ConnectionDeviceID: c.DeviceID, AgentInstrument: d.id.Instrument})
}

// Snapshot sends SNAPSHOT_CALL_REQ; the reply is a *cti.SnapshotCallConf with the call's data.
func (d *Desk) Snapshot(ctx context.Context, c Call) (client.Reply, error) {
	return d.conn.Do(ctx, &cti.SnapshotCallReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID,
		ConnectionDeviceIDType: c.DeviceIDType, ConnectionDeviceID: c.DeviceID})
}

// SendDTMF sends SEND_DTMF_SIGNAL_REQ with digits (sent even when empty).
func (d *Desk) SendDTMF(ctx context.Context, c Call, digits string) (client.Reply, error) {
	req := &cti.SendDTMFSignalReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID,
		ConnectionDeviceIDType: c.DeviceIDType, ConnectionDeviceID: c.DeviceID, DTMFString: digits, AgentInstrument: d.id.Instrument}
	req.Present.Add(cti.TagDTMFString)
	return d.conn.Do(ctx, req)
}

// Consult sends CONSULTATION_CALL_REQ: c is put on hold and number is called, for a transfer or
// a conference (kind; the protocol's CONSULT_TYPE). On success the consultation is remembered for
// [Desk.Transfer] and [Desk.Conference], and the consult leg is returned.
func (d *Desk) Consult(ctx context.Context, c Call, number string, kind cti.ConsultType, data CallData) (Call, client.Reply, error) {
	if number == "" {
		return Call{}, client.Reply{}, fmt.Errorf("%w: consult: no number to dial", ErrInvalidArgument)
	}
	req := &cti.ConsultationCallReq{PeripheralID: d.peripheral(c), ActiveConnectionCallID: c.ID,
		ActiveConnectionDeviceIDType: c.DeviceIDType, ActiveConnectionDeviceID: c.DeviceID,
		DialedNumber: number, ConsultType: kind, AgentInstrument: d.id.Instrument}
	if err := data.fill(callDataFields{
		vars: [10]*string{&req.CallVariable1, &req.CallVariable2, &req.CallVariable3, &req.CallVariable4, &req.CallVariable5,
			&req.CallVariable6, &req.CallVariable7, &req.CallVariable8, &req.CallVariable9, &req.CallVariable10},
		wrapup: &req.CallWrapupData, named: &req.NamedVariables, present: &req.Present}); err != nil {
		return Call{}, client.Reply{}, err
	}
	reply, err := d.conn.Do(ctx, req)
	if err != nil {
		return Call{}, reply, err
	}
	conf, ok := reply.Msg.(*cti.ConsultationCallConf)
	if !ok {
		return Call{}, reply, nil
	}
	leg, _ := CallOf(conf)
	leg.PeripheralID = c.PeripheralID
	d.mu.Lock()
	d.consult = &Consultation{Held: c, Active: leg}
	d.mu.Unlock()
	return leg, reply, nil
}

// Transfer completes the consultation in progress (TRANSFER_CALL_REQ with the consult leg active
// and the original call held) when number is "", or transfers c to number in a single step
// (HeldConnectionCallID [NoCallID]). Without a consultation and without a number it returns
// [ErrNoConsultation] and sends nothing. A transfer that succeeds ends the consultation.
func (d *Desk) Transfer(ctx context.Context, c Call, number string) (client.Reply, error) {
	l, err := d.completion(c, number)
	if err != nil {
		return client.Reply{}, err
	}
	req := &cti.TransferCallReq{PeripheralID: d.peripheral(c), AgentInstrument: d.id.Instrument, DialedNumber: l.number,
		ActiveConnectionCallID: l.active.ID, ActiveConnectionDeviceIDType: l.active.DeviceIDType, ActiveConnectionDeviceID: l.active.DeviceID,
		HeldConnectionCallID: l.held.ID, HeldConnectionDeviceIDType: l.held.DeviceIDType, HeldConnectionDeviceID: l.held.DeviceID}
	return d.completed(d.conn.Do(ctx, req))
}

// Conference is [Desk.Transfer] with CONFERENCE_CALL_REQ: the consult party joins the call.
func (d *Desk) Conference(ctx context.Context, c Call, number string) (client.Reply, error) {
	l, err := d.completion(c, number)
	if err != nil {
		return client.Reply{}, err
	}
	req := &cti.ConferenceCallReq{PeripheralID: d.peripheral(c), AgentInstrument: d.id.Instrument, DialedNumber: l.number,
		ActiveConnectionCallID: l.active.ID, ActiveConnectionDeviceIDType: l.active.DeviceIDType, ActiveConnectionDeviceID: l.active.DeviceID,
		HeldConnectionCallID: l.held.ID, HeldConnectionDeviceIDType: l.held.DeviceIDType, HeldConnectionDeviceID: l.held.DeviceID}
	return d.completed(d.conn.Do(ctx, req))
}

// legs are the connections a transfer or conference names.
type legs struct {
	active, held Call
	number       string
}

// completion decides what Transfer and Conference name: the consultation in progress, or c and
// number for a single step, with no held call.
func (d *Desk) completion(c Call, number string) (legs, error) {
	d.mu.Lock()
	cons := d.consult
	d.mu.Unlock()
	if cons != nil && number == "" {
		return legs{active: cons.Active, held: cons.Held}, nil
	}
	if number == "" {
		return legs{}, ErrNoConsultation
	}
	return legs{active: c, held: Call{ID: NoCallID, DeviceIDType: cti.ConnectionIDNone}, number: number}, nil
}

// completed ends the consultation once a transfer or conference succeeded.
func (d *Desk) completed(reply client.Reply, err error) (client.Reply, error) {
	if err == nil {
		d.mu.Lock()
		d.consult = nil
		d.mu.Unlock()
	}
	return reply, err
}

// MakeCall sends MAKE_CALL_REQ from the agent's instrument to number and returns the new
// connection.
func (d *Desk) MakeCall(ctx context.Context, number string, data CallData) (Call, client.Reply, error) {
	if number == "" {
		return Call{}, client.Reply{}, fmt.Errorf("%w: make call: no number to dial", ErrInvalidArgument)
	}
	req := &cti.MakeCallReq{PeripheralID: d.id.PeripheralID, DialedNumber: number, AgentInstrument: d.id.Instrument}
	if err := data.fill(callDataFields{
		vars: [10]*string{&req.CallVariable1, &req.CallVariable2, &req.CallVariable3, &req.CallVariable4, &req.CallVariable5,
			&req.CallVariable6, &req.CallVariable7, &req.CallVariable8, &req.CallVariable9, &req.CallVariable10},
		wrapup: &req.CallWrapupData, named: &req.NamedVariables, present: &req.Present}); err != nil {
		return Call{}, client.Reply{}, err
	}
	reply, err := d.conn.Do(ctx, req)
	if err != nil {
		return Call{}, reply, err
	}
	c, _ := CallOf(reply.Msg)
	return c, reply, nil
}

// SetCallData sends SET_CALL_DATA_REQ with data for call c.
func (d *Desk) SetCallData(ctx context.Context, c Call, data CallData) (client.Reply, error) {
	req := &cti.SetCallDataReq{PeripheralID: d.peripheral(c), ConnectionCallID: c.ID,
		ConnectionDeviceIDType: c.DeviceIDType, ConnectionDeviceID: c.DeviceID}
	if err := data.fill(callDataFields{
		vars: [10]*string{&req.CallVariable1, &req.CallVariable2, &req.CallVariable3, &req.CallVariable4, &req.CallVariable5,
			&req.CallVariable6, &req.CallVariable7, &req.CallVariable8, &req.CallVariable9, &req.CallVariable10},
		wrapup: &req.CallWrapupData, named: &req.NamedVariables, present: &req.Present}); err != nil {
		return client.Reply{}, err
	}
	return d.conn.Do(ctx, req)
}

// UserMessageOptions address a USER_MESSAGE_REQ.
type UserMessageOptions struct {
	To           string           // ClientID of the CTI client to deliver to; "" sends none
	Distribution cti.Distribution // DISTRIBUTE_TO_CLIENT (0, To), _SUPERVISOR, _TEAM (the agent's) or _ALL_CLIENTS
}

// UserMessage sends USER_MESSAGE_REQ with text (sent even when empty), signed with the agent ID.
func (d *Desk) UserMessage(ctx context.Context, text string, o UserMessageOptions) (client.Reply, error) {
	req := &cti.UserMessageReq{PeripheralID: d.id.PeripheralID, Text: text, ClientID: o.To, Distribution: o.Distribution, AgentID: d.id.ID}
	req.Present.Add(cti.TagText)
	return d.conn.Do(ctx, req)
}
