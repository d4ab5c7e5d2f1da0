package jsapi

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/agent"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/dop251/goja"
)

// Session methods live on one prototype per VU runtime (built on the first cti.connect), so a
// session object costs one small object, whatever the number of methods. The prototype holds
// only the closed accessor; the methods come from the lazy object behind it (lazy.go), which
// makes a method's function on its first use: the 26 methods made up front would cost every VU
// about 18 KiB, while a script calls a handful of them.

type sessionMethod func(js *jsSession, call goja.FunctionCall) goja.Value

var sessionMethods = map[string]sessionMethod{
	"login":      (*jsSession).login,
	"setState":   (*jsSession).setState,
	"logout":     (*jsSession).logout,
	"queryState": (*jsSession).queryState,
	// Statistics (Unified CCE): a desktop's statistics pane, a wallboard.
	"queryAgentStatistics":      (*jsSession).queryAgentStatistics,
	"querySkillGroupStatistics": (*jsSession).querySkillGroupStatistics,
	"queryQueueStatistics":      (*jsSession).queryQueueStatistics, // Unified CCX
	"waitFor":                   (*jsSession).waitFor,
	"drainEvents":               (*jsSession).drainEvents,
	"answer":                    (*jsSession).answer,
	"hold":                      (*jsSession).hold,
	"retrieve":                  (*jsSession).retrieve,
	"consult":                   (*jsSession).consultCall,
	"transfer":                  (*jsSession).transfer,
	"conference":                (*jsSession).conference,
	"clear":                     (*jsSession).clear,
	"release":                   (*jsSession).release,
	"setCallData":               (*jsSession).setCallData,
	"makeCall":                  (*jsSession).makeCall,
	"sendDTMF":                  (*jsSession).sendDTMF,
	"userMessage":               (*jsSession).userMessage,
	"snapshot":                  (*jsSession).snapshot,
	// A supervisor's desktop.
	"snapshotDevice":   (*jsSession).snapshotDevice,
	"monitor":          (*jsSession).monitor,
	"stopMonitor":      (*jsSession).stopMonitor,
	"supervise":        (*jsSession).supervise,
	"supervisorAssist": (*jsSession).supervisorAssist,
	"emergencyCall":    (*jsSession).emergencyCall,
	"request":          (*jsSession).request,
	"close":            (*jsSession).closeMethod,
	"stats":            (*jsSession).statsMethod,
}

// sessionMethodProps is the table of the lazy method object behind every session prototype.
// A method is kept from its second read (keepFromSecondRead): an idle agent calls login,
// setState, stats and close once each, and each kept method is ≈ 700 B per VU for nothing
// (the price: the first read of a method is not the same function as the later ones). It is
// read-only: assigning to a method's name on a session shadows it on that session, as with an
// ordinary prototype.
var sessionMethodProps = func() *lazyProps {
	m := make(map[string]func(v *vu) any, len(sessionMethods))
	for name, f := range sessionMethods {
		m[name] = func(v *vu) any { return v.sessionMethod(name, f) }
	}
	p := newLazyProps(m)
	p.keepFromSecondRead = true
	return p
}()

// sessionMethod returns the function of session method name: it finds the session from this.
func (v *vu) sessionMethod(name string, f sessionMethod) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		obj, _ := call.This.(*goja.Object)
		js := v.sessByObj[obj]
		if js == nil {
			if obj != nil && v.closedSession(obj) {
				closed := &jsSession{v: v, closed: true}
				closed.desk = agent.New(closed, agent.Identity{})
				return f(closed, call)
			}
			v.throwType("session.%s: call it on a session object (from cti.connect)", name)
		}
		return f(js, call)
	}
}

func (v *vu) sessionProto() *goja.Object {
	if v.sessProto != nil {
		return v.sessProto
	}
	p := v.rt.NewObject()
	_ = p.SetPrototype(sessionMethodProps.object(v, false))
	_ = p.DefineAccessorProperty("closed", v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		obj, _ := call.This.(*goja.Object)
		js := v.sessByObj[obj]
		if js == nil {
			return v.rt.ToValue(true)
		}
		// A session the server ended (connection lost, FAILURE_EVENT offline, heartbeats missed)
		// is closed too, although the script has not called close().
		return v.rt.ToValue(js.ended())
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	v.sessProto = p
	return p
}

// closedSession reports whether obj is a session object (its prototype is the VU's).
func (v *vu) closedSession(obj *goja.Object) bool {
	return obj.Prototype() == v.sessProto
}

// ---- requests and results -------------------------------------------------------------------

// do sends req, records the metrics and returns the result object
// {ok, code, codeName, latencyMs, message, error}. A protocol failure is ok:false, or an
// exception with throw:true; an interruption of the iteration always throws.
func (js *jsSession) do(method string, req cti.Invoker) (goja.Value, client.Reply, error) {
	v := js.v
	t := req.MessageType()
	if js.closed || js.s == nil {
		now := time.Now()
		err := fmt.Errorf("%w: the script closed the session: %w", client.ErrNotSent, client.ErrSessionClosed)
		return js.failedWith(method, t, now, now, err, nil, false), client.Reply{}, err
	}
	if v.r != nil && v.r.guard != nil && !js.ended() {
		// Before start: never part of the latency. A session already ended sends nothing
		// (E_NOT_SENT): no token for it.
		v.rateWait(v.r.guard.requests, "request", js)
	}
	start := time.Now()
	reply, err := js.s.Do(v.ctx, req)
	if v.ctx.Err() != nil {
		v.throw(v.ctx.Err())
	}
	sent, end := reply.Sent, reply.Received
	// Only a request written to the connection is a request to the server (cti_requests).
	wrote := !sent.IsZero()
	if !wrote {
		sent = start
	}
	if end.IsZero() {
		end = time.Now()
	}
	defer js.flushStats()
	if err != nil {
		return js.failedWith(method, t, sent, end, err, reply.Msg, wrote), reply, err
	}
	js.record(t, "ok", sent, end)
	res := &resultView{v: v, ok: true, code: 0, codeName: "ok", latency: ms(end.Sub(sent)), msg: reply.Msg, ver: js.ver}
	return v.rt.NewDynamicObject(res), reply, nil
}

// Do makes the session the desk's agent.Conn: every agent request goes through do (guards,
// metrics, the result object, throw:true), and its result object waits in js.res for deskCall.
// The iteration's context is the one that counts; ctx is the same.
func (js *jsSession) Do(_ context.Context, req cti.Invoker) (client.Reply, error) {
	res, reply, err := js.do(js.method, req)
	js.res = res
	return reply, err
}

// Version is the session's protocol version (agent.Conn).
func (js *jsSession) Version() cti.Version { return js.ver }

// Opened is the session's OPEN_CONF: the desk takes its peripheral from it when the script named none.
func (js *jsSession) Opened() client.OpenResult {
	if js.s == nil {
		return client.OpenResult{}
	}
	return js.s.Opened()
}

// deskCall runs one desk request for the session method and returns its result object. An
// error from the desk with no request sent is a bad argument: it throws a TypeError.
func (js *jsSession) deskCall(method string, send func(ctx context.Context) error) goja.Value {
	js.method, js.res = method, nil
	err := send(js.v.ctx)
	res := js.res
	js.res = nil
	if res == nil {
		if errors.Is(err, agent.ErrNoConsultation) {
			js.v.throwType("session.%s: no consultation in progress: give the number for a single-step %s, e.g. session.%s(call, '6001')", method, method, method)
		}
		js.v.throwType("session.%s: %v", method, err)
	}
	return res
}

// withCall sets result.call to c, the connection a request created.
func (js *jsSession) withCall(res goja.Value, c agent.Call) goja.Value {
	if obj, ok := res.(*goja.Object); ok {
		_ = obj.Set("call", js.v.connObject(c))
	}
	return res
}

// ended reports whether the session has ended (the server or the network ended it).
func (js *jsSession) ended() bool {
	select {
	case <-js.s.Done():
		return true
	default:
		return false
	}
}

// resultView is a request's result object {ok, code, codeName, latencyMs, message, error}: one
// allocation, the message converted only if the script reads it.
type resultView struct {
	v        *vu
	ok       bool
	code     any // number, or nil when the failure has no numeric code
	codeName string
	latency  float64
	msg      cti.Message
	ver      cti.Version
	msgObj   goja.Value
	err      string
	extra    map[string]goja.Value // set by helpers (call) and by the script
	keys     []string
}

var resultKeys = []string{"ok", "code", "codeName", "latencyMs", "message"}

func (r *resultView) Get(key string) goja.Value {
	if x, ok := r.extra[key]; ok {
		return x
	}
	switch key {
	case "ok":
		return r.v.rt.ToValue(r.ok)
	case "code":
		if r.code == nil {
			return goja.Null()
		}
		return r.v.rt.ToValue(r.code)
	case "codeName":
		return r.v.rt.ToValue(r.codeName)
	case "latencyMs":
		return r.v.rt.ToValue(r.latency)
	case "message":
		if r.msgObj == nil {
			if r.msg == nil {
				r.msgObj = goja.Null()
			} else {
				r.msgObj = r.v.messageObject(r.msg, r.ver)
			}
		}
		return r.msgObj
	case "error":
		if !r.ok {
			return r.v.rt.ToValue(r.err)
		}
	}
	return nil
}

func (r *resultView) Set(key string, val goja.Value) bool {
	if r.extra == nil {
		r.extra = make(map[string]goja.Value, 1)
	}
	if _, ok := r.extra[key]; !ok && r.Get(key) == nil {
		r.keys = append(r.keys, key)
	}
	r.extra[key] = val
	return true
}

func (r *resultView) Has(key string) bool { return r.Get(key) != nil }

func (r *resultView) Delete(key string) bool {
	r.Set(key, goja.Undefined())
	return true
}

func (r *resultView) Keys() []string {
	keys := append([]string(nil), resultKeys...)
	if !r.ok {
		keys = append(keys, "error")
	}
	return append(keys, r.keys...)
}

// record records cti_request_duration (and its from-schedule twin) and cti_requests.
func (js *jsSession) record(t cti.MsgType, status string, sent, end time.Time) {
	v := js.v
	m := v.r.ctiMetrics()
	if m == nil {
		return
	}
	tags := v.tags("msg", t.String(), "status", status, js.tags)
	if v.it != nil {
		v.it.RecordLatency(m.reqDuration, m.reqFromSchedule, sent, end, tags)
	} else {
		v.currentSamples().AddAt(m.reqDuration, end, ms(end.Sub(sent)), tags)
	}
	v.currentSamples().AddAt(m.requests, end, 1, tags)
}

// failedWith records a failed request and returns its result (or throws). wrote says whether
// the request reached the connection: one that did not (E_NOT_SENT, E_ENCODE, a timeout while
// reconnecting) is a failure of the script's call but no request to the server, so it is
// counted in cti_failures only.
func (js *jsSession) failedWith(method string, t cti.MsgType, sent, end time.Time, err error, reply cti.Message, wrote bool) goja.Value {
	v := js.v
	code, _ := client.ErrorCode(err)
	var num any
	var fe *client.FailureError
	var cf *client.ControlFailureError
	switch {
	case errors.As(err, &fe):
		num = uint32(fe.Status)
	case errors.As(err, &cf):
		num = uint16(cf.Code)
	}
	if wrote {
		js.record(t, code, sent, end)
	}
	if m := v.r.ctiMetrics(); m != nil {
		v.currentSamples().AddAt(m.failures, end, 1, v.failureTags(code, t.String(), js.tags))
	}
	if js.throw {
		ex := v.rt.NewGoError(fmt.Errorf("session.%s: %s: %w", method, t, err))
		_ = ex.Set("code", num)
		_ = ex.Set("codeName", code)
		panic(ex)
	}
	res := &resultView{v: v, codeName: code, latency: ms(end.Sub(sent)), msg: reply, ver: js.ver, err: err.Error()}
	if num != nil {
		res.code = num
	}
	return v.rt.NewDynamicObject(res)
}

func (js *jsSession) callArg(method string, call goja.FunctionCall, i int) agent.Call {
	c, ok := connFrom(call.Argument(i))
	if !ok {
		js.v.throwType("session.%s: argument %d: want a call (an event or result carrying ConnectionCallID, e.g. from waitFor('CALL_DELIVERED_EVENT')), got %s", method, i+1, describe(call.Argument(i)))
	}
	return c
}

func optObject(val goja.Value) *goja.Object {
	o, ok := val.(*goja.Object)
	if !ok || goja.IsNull(val) {
		return nil
	}
	return o
}

func optGet(o *goja.Object, k string) goja.Value {
	if o == nil {
		return nil
	}
	x := o.Get(k)
	if x == nil || goja.IsUndefined(x) {
		return nil
	}
	return x
}

// ---- agent state ----------------------------------------------------------------------------

// stateOptions reads {reasonCode, workMode, password, skillGroups}.
func (js *jsSession) stateOptions(method string, opts *goja.Object) agent.StateOptions {
	var o agent.StateOptions
	if x := optGet(opts, "reasonCode"); x != nil {
		n := x.ToInteger()
		if n < 0 || n > 0xFFFF {
			js.v.throwType("session.%s: option \"reasonCode\": want a number from 0 to 65535, got %s", method, describe(x))
		}
		o.ReasonCode = uint16(n)
	}
	if x := optGet(opts, "workMode"); x != nil {
		wm, err := cti.ConvertEnum(exportField(x), cti.ParseAgentWorkMode)
		if err != nil {
			js.v.throwType("session.%s: option \"workMode\": %v", method, err)
		}
		o.WorkMode = wm
	}
	if x := optGet(opts, "password"); x != nil {
		o.Password = x.String()
	}
	if x := optGet(opts, "skillGroups"); x != nil {
		arr, ok := x.Export().([]any)
		if !ok {
			js.v.throwType("session.%s: option \"skillGroups\": want an array of numbers or {number, priority}, got %s", method, describe(x))
		}
		for i, e := range arr {
			var sg cti.SetAgentStateReqSkillGroup
			switch t := e.(type) {
			case int64:
				sg.SkillGroupNumber = uint32(t)
			case float64:
				sg.SkillGroupNumber = uint32(t)
			case map[string]any:
				n, _ := t["number"].(int64)
				p, _ := t["priority"].(int64)
				sg.SkillGroupNumber, sg.SkillGroupPriority = uint32(n), uint16(p)
			default:
				js.v.throwType("session.%s: option \"skillGroups\": element %d: want a number or {number, priority}", method, i)
			}
			o.SkillGroups = append(o.SkillGroups, sg)
		}
	}
	return o
}

// setAgentState sends SET_AGENT_STATE_REQ for method with the options object opts.
func (js *jsSession) setAgentState(method string, state cti.AgentState, opts goja.Value) goja.Value {
	o := js.stateOptions(method, optObject(opts))
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.SetState(ctx, state, o)
		return err
	})
}

// login({password, reasonCode, skillGroups}): SET_AGENT_STATE_REQ with AGENT_STATE_LOGIN.
func (js *jsSession) login(call goja.FunctionCall) goja.Value {
	return js.setAgentState("login", cti.AgentStateLogin, call.Argument(0))
}

// setState(state, {reasonCode, workMode}).
func (js *jsSession) setState(call goja.FunctionCall) goja.Value {
	state, ok := agent.ParseState(call.Argument(0).String())
	if !ok || goja.IsUndefined(call.Argument(0)) {
		js.v.throwType("session.setState: unknown state %s (want READY, NOT_READY, WORK_READY, WORK_NOT_READY, LOGOUT)", describe(call.Argument(0)))
	}
	return js.setAgentState("setState", state, call.Argument(1))
}

// logout({reasonCode}).
func (js *jsSession) logout(call goja.FunctionCall) goja.Value {
	return js.setAgentState("logout", cti.AgentStateLogout, call.Argument(0))
}

// queryState(): QUERY_AGENT_STATE_REQ for the session's agent.
func (js *jsSession) queryState(call goja.FunctionCall) goja.Value {
	return js.deskCall("queryState", func(ctx context.Context) error {
		_, err := js.desk.QueryState(ctx)
		return err
	})
}

// queryAgentStatistics(): QUERY_AGENT_STATISTICS_REQ for the session's agent; result.message holds
// the counters (HandledCallsSession, AvailTimeToday …).
func (js *jsSession) queryAgentStatistics(call goja.FunctionCall) goja.Value {
	return js.deskCall("queryAgentStatistics", func(ctx context.Context) error {
		_, err := js.desk.QueryStatistics(ctx)
		return err
	})
}

// queryQueueStatistics(): Unified CCX's QUERY_AGENT_QUEUE_STATISTICS_REQ for the session's agent;
// result.message.CallsInQueue and OldestCallInQueue cover the agent's CSQs.
func (js *jsSession) queryQueueStatistics(call goja.FunctionCall) goja.Value {
	return js.deskCall("queryQueueStatistics", func(ctx context.Context) error {
		_, err := js.desk.QueryQueueStatistics(ctx)
		return err
	})
}

// querySkillGroupStatistics(number): QUERY_SKILL_GROUP_STATISTICS_REQ for a skill group by its
// number.
func (js *jsSession) querySkillGroupStatistics(call goja.FunctionCall) goja.Value {
	const method = "querySkillGroupStatistics"
	x := call.Argument(0)
	var num uint64
	var err error
	if goja.IsUndefined(x) || goja.IsNull(x) {
		err = errors.New("missing")
	} else {
		num, err = cti.ConvertUint(exportField(x), 32)
	}
	if err != nil || uint32(num) == agent.NullSkillGroup {
		js.v.throwType("session.%s: argument 1: want a skill group number (0–4294967294), got %s", method, describe(x))
	}
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.QuerySkillGroupStatistics(ctx, uint32(num))
		return err
	})
}

// ---- events ---------------------------------------------------------------------------------

// waitFor(name | [names], {timeout, where}) returns the next matching event as a plain object,
// or null on timeout (throws with throw:true).
func (js *jsSession) waitFor(call goja.FunctionCall) goja.Value {
	v := js.v
	types := js.eventTypes(call.Argument(0))
	opts := optObject(call.Argument(1))
	timeout := DefaultWaitTimeout
	if x := optGet(opts, "timeout"); x != nil {
		d, err := toDuration(x, time.Second)
		if err != nil || d <= 0 {
			v.throwType("session.waitFor: option \"timeout\": want a positive duration such as '30s', got %s", describe(x))
		}
		timeout = d
	}
	var where goja.Callable
	if x := optGet(opts, "where"); x != nil {
		fn, ok := goja.AssertFunction(x)
		if !ok {
			v.throwType("session.waitFor: option \"where\": want a function (event) => boolean, got %s", describe(x))
		}
		where = fn
	}
	label := eventLabel(types)
	if js.closed || js.s == nil {
		v.throwf("session.waitFor(%s): the session was closed", label)
	}
	match := func(m cti.Message) bool {
		t := m.MessageType()
		for _, w := range types {
			if w == t {
				return true
			}
		}
		return false
	}
	start := time.Now()
	accept := func(ev client.Event) (*goja.Object, bool) {
		obj := js.eventObject(ev)
		if where == nil {
			return obj, true
		}
		res, err := where(goja.Undefined(), obj)
		if err != nil {
			panic(err)
		}
		return obj, res.ToBoolean()
	}
	// Events an earlier where() refused come first, oldest first.
	for i, ev := range js.skipped {
		if match(ev.Msg) {
			if obj, ok := accept(ev); ok {
				js.skipped = append(js.skipped[:i], js.skipped[i+1:]...)
				js.recordWait(label, "ok", start)
				return obj
			}
		}
	}
	ctx, cancel := context.WithTimeout(v.ctx, timeout)
	defer cancel()
	for {
		ev, err := js.s.WaitEvent(ctx, match)
		if v.ctx.Err() != nil {
			v.throw(v.ctx.Err())
		}
		if err != nil {
			status := "timeout"
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, client.ErrEventTimeout) {
				status, _ = client.ErrorCode(err)
			}
			js.recordWait(label, status, start)
			js.flushStats()
			if js.throw || status != "timeout" {
				// The same shape as a failed request with throw:true, so one catch handles both.
				code := status
				if code == "timeout" {
					code = "E_EVENT_TIMEOUT"
				}
				ex := v.rt.NewGoError(fmt.Errorf("session.waitFor(%s): %w", label, err))
				_ = ex.Set("codeName", code)
				panic(ex)
			}
			return goja.Null()
		}
		if obj, ok := accept(ev); ok {
			js.recordWait(label, "ok", start)
			js.flushStats()
			return obj
		}
		if len(js.skipped) >= maxSkipped {
			js.skipped = js.skipped[1:]
		}
		js.skipped = append(js.skipped, ev)
	}
}

func (js *jsSession) recordWait(label, status string, start time.Time) {
	v := js.v
	if m := v.r.ctiMetrics(); m != nil {
		now := time.Now()
		v.currentSamples().AddAt(m.eventWait, now, ms(now.Sub(start)), v.tags("msg", label, "status", status, js.tags))
	}
}

func (js *jsSession) eventTypes(val goja.Value) []cti.MsgType {
	var names []string
	switch x := val.Export().(type) {
	case string:
		names = []string{x}
	case []any:
		for _, e := range x {
			names = append(names, fmt.Sprint(e))
		}
	default:
		js.v.throwType("session.waitFor: argument 1: want an event name such as 'CALL_DELIVERED_EVENT' (or an array of names), got %s", describe(val))
	}
	types := make([]cti.MsgType, 0, len(names))
	for _, n := range names {
		t, ok := cti.LookupMsgType(n)
		if !ok {
			js.v.throwType("session.waitFor: unknown CTI message %q%s", n, closeNames(n))
		}
		if info, _ := cti.Info(t); strings.HasSuffix(info.Name, "_REQ") {
			js.v.throwType("session.waitFor: %s is a request, not something the server sends", info.Name)
		}
		types = append(types, t)
	}
	return types
}

func eventLabel(types []cti.MsgType) string {
	if len(types) == 1 {
		return types[0].String()
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.String()
	}
	return strings.Join(names, "|")
}

func (js *jsSession) eventObject(ev client.Event) *goja.Object {
	return js.v.eventView(ev.Msg, js.ver, ev.Received.UnixMilli())
}

// drainEvents() returns (and removes) every event waiting in the session's backlog.
func (js *jsSession) drainEvents(goja.FunctionCall) goja.Value {
	var out []any
	for _, ev := range js.skipped {
		out = append(out, js.eventObject(ev))
	}
	js.skipped = nil
	if js.s != nil && !js.closed {
		for _, ev := range js.s.DrainEvents() {
			out = append(out, js.eventObject(ev))
		}
	}
	return js.v.rt.NewArray(out...)
}

// ---- call control ---------------------------------------------------------------------------

// callRequest runs a desk request about the call in argument 1.
func (js *jsSession) callRequest(method string, call goja.FunctionCall, send func(context.Context, agent.Call) (client.Reply, error)) goja.Value {
	c := js.callArg(method, call, 0)
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := send(ctx, c)
		return err
	})
}

// answer(call): ANSWER_CALL_REQ.
func (js *jsSession) answer(call goja.FunctionCall) goja.Value {
	return js.callRequest("answer", call, js.desk.Answer)
}

// hold(call): HOLD_CALL_REQ.
func (js *jsSession) hold(call goja.FunctionCall) goja.Value {
	return js.callRequest("hold", call, js.desk.Hold)
}

// retrieve(call): RETRIEVE_CALL_REQ of a held call.
func (js *jsSession) retrieve(call goja.FunctionCall) goja.Value {
	return js.callRequest("retrieve", call, js.desk.Retrieve)
}

// clear(call): CLEAR_CALL_REQ (ends the call for every party).
func (js *jsSession) clear(call goja.FunctionCall) goja.Value {
	return js.callRequest("clear", call, js.desk.Clear)
}

// release(call): CLEAR_CONNECTION_REQ (this device leaves the call).
func (js *jsSession) release(call goja.FunctionCall) goja.Value {
	return js.callRequest("release", call, js.desk.Release)
}

// snapshot(call): SNAPSHOT_CALL_REQ.
func (js *jsSession) snapshot(call goja.FunctionCall) goja.Value {
	return js.callRequest("snapshot", call, js.desk.Snapshot)
}

// consult(call, number, {type, callVariables, namedVariables, wrapup}): CONSULTATION_CALL_REQ.
// The desk remembers the consultation so that transfer() and conference() can complete it. The
// result carries `call`, the consult leg.
func (js *jsSession) consultCall(call goja.FunctionCall) goja.Value {
	const method = "consult"
	c := js.callArg(method, call, 0)
	number := js.numberArg(method, call, 1, true)
	opts := optObject(call.Argument(2))
	kind := cti.ConsultTypeTransfer
	if x := optGet(opts, "type"); x != nil {
		k, err := cti.ConvertEnum(strings.ToUpper(x.String()), cti.ParseConsultType)
		if err != nil {
			js.v.throwType("session.%s: option \"type\": %v", method, err)
		}
		kind = k
	}
	data := js.callData(method, opts)
	var leg agent.Call
	var reply client.Reply
	res := js.deskCall(method, func(ctx context.Context) (err error) {
		leg, reply, err = js.desk.Consult(ctx, c, number, kind, data)
		return err
	})
	if _, ok := reply.Msg.(*cti.ConsultationCallConf); ok {
		res = js.withCall(res, leg)
	}
	return res
}

// transfer(call, number?): completes the consultation in progress (TRANSFER_CALL_REQ with the
// consult leg active and the original call held), or, with none, a single-step transfer of call
// to number.
func (js *jsSession) transfer(call goja.FunctionCall) goja.Value {
	return js.complete("transfer", call, js.desk.Transfer)
}

// conference(call, number?): like transfer, with CONFERENCE_CALL_REQ.
func (js *jsSession) conference(call goja.FunctionCall) goja.Value {
	return js.complete("conference", call, js.desk.Conference)
}

func (js *jsSession) complete(method string, call goja.FunctionCall, send func(context.Context, agent.Call, string) (client.Reply, error)) goja.Value {
	c := js.callArg(method, call, 0)
	number := js.numberArg(method, call, 1, false)
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := send(ctx, c, number)
		return err
	})
}

func (js *jsSession) numberArg(method string, call goja.FunctionCall, i int, required bool) string {
	return js.digitsArg(method, call, i, required, "the number to dial")
}

// digitsArg reads a number or a device ID given as a string or an integer in argument i ("" when
// absent and not required); what names it in errors.
func (js *jsSession) digitsArg(method string, call goja.FunctionCall, i int, required bool, what string) string {
	x := call.Argument(i)
	if goja.IsUndefined(x) || goja.IsNull(x) {
		if required {
			js.v.throwType("session.%s: argument %d: want %s, as a string", method, i+1, what)
		}
		return ""
	}
	switch e := x.Export().(type) {
	case string:
		return e
	case int64:
		return strconv.FormatInt(e, 10)
	}
	js.v.throwType("session.%s: argument %d: want %s, as a string, got %s", method, i+1, what, describe(x))
	return ""
}

// callData reads callVariables, namedVariables and wrapup from opts.
func (js *jsSession) callData(method string, opts *goja.Object) agent.CallData {
	var cd agent.CallData
	setVar := func(n int, val any) {
		if cd.Variables == nil {
			cd.Variables = make(map[int]string)
		}
		cd.Variables[n] = fmt.Sprint(val)
	}
	if x := optGet(opts, "callVariables"); x != nil {
		switch e := x.Export().(type) {
		case []any:
			if len(e) > agent.MaxCallVariables {
				js.v.throwType("session.%s: option \"callVariables\": at most 10 values (CallVariable1..10), got %d", method, len(e))
			}
			for i, val := range e {
				if val != nil {
					setVar(i+1, val)
				}
			}
		case map[string]any:
			for k, val := range e {
				n, err := strconv.Atoi(strings.TrimPrefix(k, "CallVariable"))
				if err != nil || n < 1 || n > agent.MaxCallVariables {
					js.v.throwType("session.%s: option \"callVariables\": key %q: want 1 to 10", method, k)
				}
				setVar(n, val)
			}
		default:
			js.v.throwType("session.%s: option \"callVariables\": want {1: 'x', …} or ['a', 'b', …], got %s", method, describe(x))
		}
	}
	if x := optGet(opts, "namedVariables"); x != nil {
		nv, err := cti.ConvertNamedVariables(x.Export())
		if err != nil {
			js.v.throwType("session.%s: option \"namedVariables\": %v", method, err)
		}
		cd.NamedVariables = nv
	}
	if x := optGet(opts, "wrapup"); x != nil {
		cd.Wrapup = x.String()
		cd.ClearWrapup = cd.Wrapup == ""
	}
	return cd
}

// setCallData(call, {callVariables, namedVariables, wrapup}): SET_CALL_DATA_REQ.
func (js *jsSession) setCallData(call goja.FunctionCall) goja.Value {
	const method = "setCallData"
	c := js.callArg(method, call, 0)
	opts := optObject(call.Argument(1))
	if opts == nil {
		js.v.throwType("session.setCallData: argument 2: want {callVariables, namedVariables, wrapup}, got %s", describe(call.Argument(1)))
	}
	data := js.callData(method, opts)
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.SetCallData(ctx, c, data)
		return err
	})
}

// makeCall(number, {callVariables, namedVariables}): MAKE_CALL_REQ from the agent's instrument.
// The result carries `call`, the new connection.
func (js *jsSession) makeCall(call goja.FunctionCall) goja.Value {
	const method = "makeCall"
	number := js.numberArg(method, call, 0, true)
	data := js.callData(method, optObject(call.Argument(1)))
	var c agent.Call
	var reply client.Reply
	res := js.deskCall(method, func(ctx context.Context) (err error) {
		c, reply, err = js.desk.MakeCall(ctx, number, data)
		return err
	})
	if _, ok := reply.Msg.(*cti.MakeCallConf); ok {
		res = js.withCall(res, c)
	}
	return res
}

// sendDTMF(call, digits): SEND_DTMF_SIGNAL_REQ.
func (js *jsSession) sendDTMF(call goja.FunctionCall) goja.Value {
	const method = "sendDTMF"
	c := js.callArg(method, call, 0)
	digits := call.Argument(1)
	if goja.IsUndefined(digits) {
		js.v.throwType("session.sendDTMF: argument 2: want the digits, as a string")
	}
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.SendDTMF(ctx, c, digits.String())
		return err
	})
}

// userMessage(text, {to, distribution}): USER_MESSAGE_REQ, to a CTI client (ClientID) by default.
func (js *jsSession) userMessage(call goja.FunctionCall) goja.Value {
	const method = "userMessage"
	text := call.Argument(0)
	if goja.IsUndefined(text) {
		js.v.throwType("session.userMessage: argument 1: want the text")
	}
	opts := optObject(call.Argument(1))
	var o agent.UserMessageOptions
	if x := optGet(opts, "to"); x != nil {
		o.To = x.String()
	}
	if x := optGet(opts, "distribution"); x != nil {
		d, err := cti.ConvertEnum(exportField(x), cti.ParseDistribution)
		if err != nil {
			js.v.throwType("session.%s: option \"distribution\": %v", method, err)
		}
		o.Distribution = d
	}
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.UserMessage(ctx, text.String(), o)
		return err
	})
}

// ---- a supervisor's desktop ------------------------------------------------------------------

// deviceArg reads an optional device ID (a string or a number) in argument i.
func (js *jsSession) deviceArg(method string, call goja.FunctionCall, i int) string {
	return js.digitsArg(method, call, i, false, "a device (an extension)")
}

// snapshotDevice(device?): SNAPSHOT_DEVICE_REQ for a device, by default the session's instrument.
func (js *jsSession) snapshotDevice(call goja.FunctionCall) goja.Value {
	const method = "snapshotDevice"
	device := js.deviceArg(method, call, 0)
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.SnapshotDevice(ctx, device)
		return err
	})
}

// monitor(device | call, {call, agentState}): MONITOR_START_REQ for a device (an extension) or
// for a call; the masks default to the session's defaults. result.monitorId is the new monitor's
// ID, which the events it delivers carry in MonitorID.
func (js *jsSession) monitor(call goja.FunctionCall) goja.Value {
	const method = "monitor"
	target := call.Argument(0)
	c, byCall := connFrom(target)
	var device string
	if !byCall {
		if device = js.deviceArg(method, call, 0); device == "" {
			js.v.throwType("session.%s: argument 1: want a device (an extension) or a call to monitor, got %s", method, describe(target))
		}
	}
	calls, states := client.DefaultCallEventMask, client.DefaultAgentStateMask
	var keys []string
	opts := optObject(call.Argument(1))
	if opts != nil {
		keys = opts.Keys()
	}
	for _, k := range keys {
		var err error
		switch k {
		case "call":
			calls, err = maskValue(opts.Get(k), cti.ParseCallEventMask)
		case "agentState":
			states, err = maskValue(opts.Get(k), cti.ParseAgentStateMask)
		default:
			js.v.throwType("session.%s: unknown option %q (want call, agentState)", method, k)
		}
		if err != nil {
			js.v.throwType("session.%s: option %q: %v", method, k, err)
		}
	}
	var id uint32
	res := js.deskCall(method, func(ctx context.Context) (err error) {
		if byCall {
			id, _, err = js.desk.MonitorCall(ctx, c, calls)
		} else {
			id, _, err = js.desk.MonitorDevice(ctx, device, calls, states)
		}
		return err
	})
	if obj, ok := res.(*goja.Object); ok && id != 0 {
		_ = obj.Set("monitorId", id)
	}
	return res
}

// stopMonitor(monitorId | result of monitor()): MONITOR_STOP_REQ.
func (js *jsSession) stopMonitor(call goja.FunctionCall) goja.Value {
	const method = "stopMonitor"
	x := call.Argument(0)
	if o, ok := x.(*goja.Object); ok && !goja.IsNull(x) {
		x = o.Get("monitorId")
	}
	var id uint64
	if x != nil && !goja.IsUndefined(x) && !goja.IsNull(x) {
		n, err := cti.ConvertUint(exportField(x), 32)
		if err == nil {
			id = n
		}
	}
	if id == 0 {
		js.v.throwType("session.%s: argument 1: want a monitor ID (result.monitorId of monitor()), got %s", method, describe(call.Argument(0)))
	}
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.StopMonitor(ctx, uint32(id))
		return err
	})
}

// supervise(call, action): SUPERVISE_CALL_REQ for an agent's call: 'BARGE_IN', 'INTERCEPT',
// 'CLEAR' (leave the call again), 'MONITOR' or 'WHISPER' (or the SUPERVISOR_… symbols).
func (js *jsSession) supervise(call goja.FunctionCall) goja.Value {
	const method = "supervise"
	c := js.callArg(method, call, 0)
	x := call.Argument(1)
	if goja.IsUndefined(x) || goja.IsNull(x) {
		js.v.throwType("session.%s: argument 2: want the action: 'BARGE_IN', 'INTERCEPT', 'CLEAR', 'MONITOR' or 'WHISPER'", method)
	}
	v := exportField(x)
	if name, ok := v.(string); ok {
		name = strings.ToUpper(name)
		if !strings.HasPrefix(name, "SUPERVISOR_") {
			name = "SUPERVISOR_" + name
		}
		v = name
	}
	action, err := cti.ConvertEnum(v, cti.ParseSupervisoryAction)
	if err != nil {
		js.v.throwType("session.%s: argument 2: %v (want 'BARGE_IN', 'INTERCEPT', 'CLEAR', 'MONITOR' or 'WHISPER')", method, err)
	}
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := js.desk.Supervise(ctx, c, action)
		return err
	})
}

// supervisorAssist(call?) / emergencyCall(call?): SUPERVISOR_ASSIST_REQ / EMERGENCY_CALL_REQ, the
// team supervisor called from the agent's call (a consultation) or, without one, on a new call.
func (js *jsSession) supervisorAssist(call goja.FunctionCall) goja.Value {
	return js.askSupervisor("supervisorAssist", call, js.desk.SupervisorAssist)
}

func (js *jsSession) emergencyCall(call goja.FunctionCall) goja.Value {
	return js.askSupervisor("emergencyCall", call, js.desk.EmergencyCall)
}

func (js *jsSession) askSupervisor(method string, call goja.FunctionCall, do func(context.Context, *agent.Call) (client.Reply, error)) goja.Value {
	var c *agent.Call
	if x := call.Argument(0); !goja.IsUndefined(x) && !goja.IsNull(x) {
		cc := js.callArg(method, call, 0)
		c = &cc
	}
	return js.deskCall(method, func(ctx context.Context) error {
		_, err := do(ctx, c)
		return err
	})
}

// request(name, fields): any catalogued request, fields by protocol name; InvokeID is assigned.
func (js *jsSession) request(call goja.FunctionCall) goja.Value {
	name := call.Argument(0)
	if goja.IsUndefined(name) {
		js.v.throwType("session.request: argument 1: want a request name such as 'QUERY_AGENT_STATE_REQ'")
	}
	fields := optObject(call.Argument(1))
	req, err := buildRequest("session.request", name.String(), fields)
	if err != nil {
		js.v.throwType("%v", err)
	}
	res, _, _ := js.do("request", req)
	return res
}

// close(): CLOSE_REQ, then the session is gone. Closing twice does nothing.
func (js *jsSession) closeMethod(goja.FunctionCall) goja.Value {
	if js.closed || js.s == nil {
		return goja.Undefined()
	}
	err := js.closeSession(js.v.ctx)
	for i, s := range js.v.sessions {
		if s == js {
			js.v.sessions = append(js.v.sessions[:i], js.v.sessions[i+1:]...)
			break
		}
	}
	if err != nil && !errors.Is(err, client.ErrSessionClosed) && js.throw {
		js.v.throwf("session.close: %v", err)
	}
	return goja.Undefined()
}

// stats(): the session's counters.
func (js *jsSession) statsMethod(goja.FunctionCall) goja.Value {
	if js.s == nil {
		return goja.Null()
	}
	st := js.s.Stats()
	o := js.v.rt.NewObject()
	_ = o.Set("messagesSent", st.MessagesSent)
	_ = o.Set("messagesReceived", st.MessagesReceived)
	_ = o.Set("bytesSent", st.BytesSent)
	_ = o.Set("bytesReceived", st.BytesReceived)
	_ = o.Set("events", st.Events)
	_ = o.Set("eventsPending", st.EventsPending+len(js.skipped))
	_ = o.Set("eventsDropped", st.EventsDropped)
	_ = o.Set("reconnects", st.Reconnects)
	_ = o.Set("heartbeatRttMs", ms(st.LastHeartbeatRTT))
	_ = o.Set("heartbeatsSent", st.HeartbeatsSent)
	_ = o.Set("heartbeatsMissed", st.HeartbeatsMissed)
	_ = o.Set("heartbeatLateMaxMs", ms(st.HeartbeatLateMax))
	return o
}
