package jsapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/agent"
	"github.com/ctiload/ctiload/cti/client"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/dop251/goja"
)

// The `ctiload/cti` module: cti.connect(target, options) returns a session object whose methods
// block the VU until the reply (or event) comes, so that scripts read top to bottom.
func newCTIModule(v *vu) goja.Value {
	return newModuleObject(v, map[string]any{
		"connect": v.connect,
	})
}

// connectOptions lists the options cti.connect accepts, for the unknown-option error.
var connectOptions = []string{
	"agentId", "clientId", "connectTimeout", "extension", "failover", "heartbeat", "idleTimeout",
	"instrument", "label", "masks", "mode", "openTimeout", "password", "peripheralId", "services", "tags", "throw",
	"timeout", "tls", "version",
}

// DefaultAgentServices are the services an agent-mode session requests unless the script's
// `services` option says otherwise: the desktop's events and control, plus call data updates so
// that setCallData works.
const DefaultAgentServices = client.DefaultAgentServices | cti.CTIServiceCallDataUpdate

// DefaultWaitTimeout is how long session.waitFor waits when no timeout is given.
const DefaultWaitTimeout = 30 * time.Second

// jsSession is the Go side of one session object.
type jsSession struct {
	v          *vu
	s          *client.Session
	obj        *goja.Object
	ver        cti.Version
	agentID    string
	extension  string
	instrument string
	periph     uint32
	throw      bool
	tags       metrics.Tags
	gen        uint64 // the VU's iteration generation that opened it
	closed     bool
	agentMode  bool
	mode       string // "agent" or "bridge": the tag of cti_events_dropped

	// desk sends the agent requests (login, answer, consult…) through the session's Do (this
	// type is its agent.Conn) and keeps the consultation in progress.
	desk    *agent.Desk
	method  string         // the session method running, for errors
	res     goja.Value     // the result object of the last request Do sent
	skipped []client.Event // events a waitFor looked at and its where() refused, oldest first
	stats   client.SessionStats

	mu     sync.Mutex // guards what the session's goroutines hand over
	hbRTTs []time.Duration
	recons []client.ReconnectInfo
	// Lost links and malformed frames are counted by kind (exact, whatever their number); the
	// first frame of each kind is kept for the log.
	lostBy         map[string]float64
	malformedBy    map[malformedKind]float64
	malformedFirst []client.MalformedFrame
}

type malformedKind struct {
	t      cti.MsgType
	reason string
}

// maxQueued bounds the heartbeat round trips and reconnections a session's goroutines hand to
// the VU between two flushes (a script that never uses its session must not grow them).
const maxQueued = 64

const maxSkipped = 256 // events kept for later waitFor calls after a where() refused them

func optErr(opt, format string, args ...any) error {
	return fmt.Errorf("cti.connect: option %q: %s", opt, fmt.Sprintf(format, args...))
}

// connect(target, options) opens a session: TCP (TLS), OPEN_REQ, OPEN_CONF.
func (v *vu) connect(call goja.FunctionCall) goja.Value {
	v.forbidInit("cti.connect()")
	target := ""
	if a := call.Argument(0); !goja.IsUndefined(a) && !goja.IsNull(a) {
		target = strings.TrimSpace(a.String())
	}
	if target == "" || strings.EqualFold(target, "sim") {
		if v.r == nil || v.r.cfg.Target == "" {
			v.throwType("cti.connect: target %q means the run's built-in simulator, but this run has none (give a host:port target)", target)
		}
		target = v.r.cfg.Target
	}
	js := &jsSession{v: v, ver: cti.DefaultVersion, gen: v.genCount()}
	if v.r != nil {
		js.periph = v.r.cfg.PeripheralID
	}
	opts, err := js.parseOptions(call.Argument(1))
	if err != nil {
		v.throwType("%v", err)
	}
	if js.agentMode && js.periph == 0 && v.r != nil && v.r.cfg.RequirePeripheralID {
		// Caught before dialling: a real server refuses the session (E_CTI_INVALID_PERIPHERAL_ID)
		// and a VU retrying it is all a server sees of the test.
		v.abortRun(fmt.Sprintf("cti.connect(%q): an agent session needs the peripheral ID of the agents' PG: add peripheralId: N to the options "+
			"(Unified CCE: Configuration Manager > PG Explorer > the PG's peripheral, field Peripheral ID; Unified CCX: 1)", target))
	}
	m := v.r.ctiMetrics()
	v.openWait(js)
	start := time.Now()
	s, err := client.Dial(v.ctx, target, opts...)
	end := time.Now()
	if v.ctx.Err() != nil {
		if s != nil {
			_ = s.Close(context.Background())
		}
		v.throw(v.ctx.Err())
	}
	samples := v.currentSamples()
	if err != nil {
		code, _ := client.ErrorCode(err)
		if m != nil {
			samples.AddAt(m.sessions, end, 1, v.tags("result", "failed", "code", code, js.tags))
			samples.AddAt(m.failures, end, 1, v.failureTags(code, "OPEN_REQ", js.tags))
		}
		if errors.Is(err, client.ErrInvalidConfig) {
			v.throwType("cti.connect: %v", err)
		}
		v.openFailed(target, code, end)
		v.throwf("cti.connect(%q): %v", target, err)
	}
	v.openSucceeded()
	js.s = s
	if m != nil {
		samples.AddAt(m.sessionOpen, end, ms(end.Sub(start)), v.tags("", "", "", "", js.tags))
		samples.AddAt(m.sessions, end, 1, v.tags("result", "opened", "", "", js.tags))
	}
	js.desk = agent.New(js, agent.Identity{ID: js.agentID, Extension: js.extension, Instrument: js.instrument, PeripheralID: js.periph})
	js.obj = v.rt.NewObject()
	_ = js.obj.SetPrototype(v.sessionProto())
	if v.sessByObj == nil {
		v.sessByObj = make(map[*goja.Object]*jsSession, 1)
	}
	v.sessByObj[js.obj] = js
	v.sessions = append(v.sessions, js)
	js.flushStats()
	return js.obj
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// parseOptions converts the JS options object into session options.
func (js *jsSession) parseOptions(val goja.Value) ([]client.Option, error) {
	v := js.v
	var opts []client.Option
	if v.r != nil && v.r.cfg.Observer != nil {
		opts = append(opts, client.WithObserver(v.r.cfg.Observer))
	}
	opts = append(opts, client.WithHeartbeatHandler(js.onHeartbeat), client.WithReconnectHandler(js.onReconnect),
		client.WithLinkLossHandler(js.onLinkLoss), client.WithMalformedFrameHandler(js.onMalformed))
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return nil, errors.New(`cti.connect: options: want an object such as {mode: 'agent', agentId: '5000', extension: '1000'}`)
	}
	o, ok := val.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("cti.connect: argument 2: want an options object, got %s", describe(val))
	}
	get := func(k string) goja.Value {
		x := o.Get(k)
		if x == nil || goja.IsUndefined(x) {
			return nil
		}
		return x
	}
	str := func(k string) (string, error) {
		x := get(k)
		if x == nil {
			return "", nil
		}
		switch e := x.Export().(type) {
		case string:
			return e, nil
		case int64:
			return strconv.FormatInt(e, 10), nil
		case float64:
			return strconv.FormatFloat(e, 'f', -1, 64), nil
		}
		return "", optErr(k, "want a string, got %s", describe(x))
	}
	var errs []error
	for _, k := range o.Keys() {
		if !slices.Contains(connectOptions, k) {
			errs = append(errs, fmt.Errorf("cti.connect: unknown option %q (known options: %s)", k, strings.Join(connectOptions, ", ")))
		}
	}
	var err error
	if js.agentID, err = str("agentId"); err != nil {
		errs = append(errs, err)
	}
	if js.extension, err = str("extension"); err != nil {
		errs = append(errs, err)
	}
	if js.instrument, err = str("instrument"); err != nil {
		errs = append(errs, err)
	}
	if js.instrument == "" {
		js.instrument = js.extension
	}
	if p := get("peripheralId"); p != nil {
		n := p.ToInteger()
		if n < 0 || n > 0xFFFFFFFF {
			errs = append(errs, optErr("peripheralId", "want a number, got %s", describe(p)))
		}
		js.periph = uint32(n)
	}
	mode := "agent"
	if m := get("mode"); m != nil {
		mode = m.String()
	}
	js.mode = mode
	switch mode {
	case "agent":
		js.agentMode = true
		opts = append(opts, client.WithAgent(client.Agent{ID: js.agentID, Extension: js.extension, Instrument: js.instrument, PeripheralID: js.periph}),
			client.WithServices(DefaultAgentServices))
	case "bridge":
		opts = append(opts, client.WithBridgeMode())
	default:
		errs = append(errs, optErr("mode", `want "agent" or "bridge", got %q`, mode))
	}
	if x := get("version"); x != nil {
		ver, err := cti.ParseVersion(x.String())
		if err != nil {
			errs = append(errs, optErr("version", "want a protocol version such as 24 or 'uccx:14', got %s", describe(x)))
		} else {
			js.ver = ver
			opts = append(opts, client.WithVersion(ver))
		}
	}
	clientID, err := str("clientId")
	if err != nil {
		errs = append(errs, err)
	}
	password, err := str("password")
	if err != nil {
		errs = append(errs, err)
	}
	if clientID != "" || password != "" {
		if clientID == "" {
			clientID = client.DefaultClientID
		}
		opts = append(opts, client.WithClient(clientID, password))
	}
	durOpt := func(k string, f func(time.Duration) client.Option, allowOff bool) {
		x := get(k)
		if x == nil {
			return
		}
		if allowOff {
			if b, ok := x.Export().(bool); ok && !b {
				opts = append(opts, f(0))
				return
			}
		}
		d, err := toDuration(x, time.Second)
		if err != nil {
			errs = append(errs, optErr(k, "%v", err))
			return
		}
		if d < 0 || (d == 0 && !allowOff) {
			errs = append(errs, optErr(k, "want a positive duration, got %s", describe(x)))
			return
		}
		opts = append(opts, f(d))
	}
	durOpt("heartbeat", client.WithHeartbeat, true)
	durOpt("idleTimeout", client.WithIdleTimeout, false)
	durOpt("timeout", client.WithRequestTimeout, false)
	durOpt("connectTimeout", client.WithConnectTimeout, false)
	// Cisco asks clients to allow 30 s for OPEN_CONF, 60 s when more than 500 connect at once.
	durOpt("openTimeout", client.WithOpenTimeout, false)
	if x := get("services"); x != nil {
		sm, err := maskValue(x, cti.ParseServiceMask)
		if err != nil {
			errs = append(errs, optErr("services", "%v", err))
		} else {
			opts = append(opts, client.WithServices(sm))
		}
	}
	if x := get("masks"); x != nil {
		mo, err := js.masks(x)
		if err != nil {
			errs = append(errs, err)
		} else {
			opts = append(opts, mo)
		}
	}
	if x := get("tls"); x != nil {
		to, err := js.tlsOption(x)
		if err != nil {
			errs = append(errs, err)
		} else if to != nil {
			opts = append(opts, to)
		}
	}
	if x := get("failover"); x != nil {
		fo, err := failoverOption(x)
		if err != nil {
			errs = append(errs, err)
		} else if fo != nil {
			opts = append(opts, fo)
		}
	}
	if x := get("tags"); x != nil {
		if _, ok := x.(*goja.Object); !ok {
			errs = append(errs, optErr("tags", "want an object of strings, got %s", describe(x)))
		} else {
			js.tags = v.tagsArg("cti.connect: option \"tags\"", x)
		}
	}
	if x := get("throw"); x != nil {
		b, ok := x.Export().(bool)
		if !ok {
			errs = append(errs, optErr("throw", "want true or false, got %s", describe(x)))
		}
		js.throw = b
	}
	label, err := str("label")
	if err != nil {
		errs = append(errs, err)
	}
	// The label always starts with the VU ("vu3-…"): traces and logs are read per VU, so a
	// user's label names the session within its VU rather than replacing the VU number.
	if label == "" {
		label = js.agentID
	}
	if label == "" {
		label = fmt.Sprintf("vu%d", v.id)
	} else {
		label = fmt.Sprintf("vu%d-%s", v.id, label)
	}
	opts = append(opts, client.WithLabel(label))
	if len(errs) > 0 {
		return nil, errJoin(errs...)
	}
	return opts, nil
}

func (js *jsSession) masks(x goja.Value) (client.Option, error) {
	o, ok := x.(*goja.Object)
	if !ok {
		return nil, optErr("masks", "want {call, agentState, config}, got %s", describe(x))
	}
	call, agent, config := client.DefaultCallEventMask, client.DefaultAgentStateMask, cti.ConfigMask(0)
	for _, k := range o.Keys() {
		val := o.Get(k)
		var err error
		switch k {
		case "call":
			call, err = maskValue(val, cti.ParseCallEventMask)
		case "agentState":
			agent, err = maskValue(val, cti.ParseAgentStateMask)
		case "config":
			config, err = maskValue(val, cti.ParseConfigMask)
		default:
			return nil, optErr("masks", "unknown key %q (want call, agentState, config)", k)
		}
		if err != nil {
			return nil, optErr("masks", "%s: %v", k, err)
		}
	}
	return client.WithEventMasks(call, agent, config), nil
}

func maskValue[T ~uint32](val goja.Value, parse func(string) (T, bool)) (T, error) {
	switch e := val.Export().(type) {
	case int64:
		if e < 0 || e > 0xFFFFFFFF {
			return 0, fmt.Errorf("%d does not fit 32 bits", e)
		}
		return T(e), nil
	case float64:
		return T(uint32(e)), nil
	case string:
		m, ok := parse(e)
		if !ok {
			return 0, fmt.Errorf("unknown mask %q (want a number or names joined with '|')", e)
		}
		return m, nil
	}
	return 0, fmt.Errorf("want a number or a 'A|B' string, got %s", describe(val))
}

func (js *jsSession) tlsOption(x goja.Value) (client.Option, error) {
	if b, ok := x.Export().(bool); ok {
		if !b {
			return nil, nil
		}
		return client.WithTLS(&tls.Config{}), nil
	}
	o, ok := x.(*goja.Object)
	if !ok {
		return nil, optErr("tls", "want true or {ca, cert, key, serverName, insecure}, got %s", describe(x))
	}
	var files client.TLSFiles
	insecure := false
	for _, k := range o.Keys() {
		val := o.Get(k)
		switch k {
		case "ca", "cert", "key":
			p := val.String()
			if !filepath.IsAbs(p) {
				p = filepath.Join(js.v.s.root, p)
			}
			if _, err := js.v.s.confine(p); err != nil {
				return nil, optErr("tls", "%s: %v", k, err)
			}
			switch k {
			case "ca":
				files.CAFile = p
			case "cert":
				files.CertFile = p
			default:
				files.KeyFile = p
			}
		case "serverName":
			files.ServerName = val.String()
		case "insecure":
			insecure = val.ToBoolean()
		default:
			return nil, optErr("tls", "unknown key %q (want ca, cert, key, serverName, insecure)", k)
		}
	}
	cfg, err := files.Config()
	if err != nil {
		return nil, optErr("tls", "%v", err)
	}
	cfg.InsecureSkipVerify = insecure
	return client.WithTLS(cfg), nil
}

func failoverOption(x goja.Value) (client.Option, error) {
	if b, ok := x.Export().(bool); ok {
		if !b {
			return nil, nil
		}
		return client.WithFailover(client.FailoverPolicy{}), nil
	}
	o, ok := x.(*goja.Object)
	if !ok {
		return nil, optErr("failover", "want true or {maxAttempts, backoff, maxBackoff}, got %s", describe(x))
	}
	var p client.FailoverPolicy
	for _, k := range o.Keys() {
		val := o.Get(k)
		switch k {
		case "maxAttempts":
			p.MaxAttempts = int(val.ToInteger())
		case "backoff", "maxBackoff", "maxElapsed":
			d, err := toDuration(val, time.Second)
			if err != nil {
				return nil, optErr("failover", "%s: %v", k, err)
			}
			switch k {
			case "backoff":
				p.InitialBackoff = d
			case "maxBackoff":
				p.MaxBackoff = d
			default:
				p.MaxElapsed = d
			}
		default:
			return nil, optErr("failover", "unknown key %q (want maxAttempts, backoff, maxBackoff, maxElapsed)", k)
		}
	}
	return client.WithFailover(p), nil
}

// The session's handlers run on its goroutines: they only queue or count the values, which the
// VU records on its own goroutine (sample buffers are per VU and lock-free).
func (js *jsSession) onHeartbeat(rtt time.Duration)         { queueValue(js, &js.hbRTTs, rtt) }
func (js *jsSession) onReconnect(info client.ReconnectInfo) { queueValue(js, &js.recons, info) }

func (js *jsSession) onLinkLoss(l client.LinkLoss) {
	js.mu.Lock()
	if js.lostBy == nil {
		js.lostBy = map[string]float64{}
	}
	js.lostBy[l.Cause]++
	js.mu.Unlock()
}

func (js *jsSession) onMalformed(f client.MalformedFrame) {
	k := malformedKind{f.Type, f.Reason}
	js.mu.Lock()
	if js.malformedBy == nil {
		js.malformedBy = map[malformedKind]float64{}
	}
	if js.malformedBy[k] == 0 {
		js.malformedFirst = append(js.malformedFirst, f)
	}
	js.malformedBy[k]++
	js.mu.Unlock()
}

func queueValue[T any](js *jsSession, q *[]T, v T) {
	js.mu.Lock()
	if len(*q) < maxQueued {
		*q = append(*q, v)
	}
	js.mu.Unlock()
}

// flushStats records what changed since the last call: message and byte counters, heartbeat
// round trips, reconnections, lost links, malformed frames and events dropped from the backlog.
func (js *jsSession) flushStats() {
	m := js.v.r.ctiMetrics()
	if m == nil || js.s == nil {
		return
	}
	samples := js.v.currentSamples()
	now := time.Now()
	st := js.s.Stats()
	tags := js.v.tags("", "", "", "", js.tags)
	add := func(metric *metrics.Metric, cur, prev uint64) {
		if cur > prev {
			samples.AddAt(metric, now, float64(cur-prev), tags)
		}
	}
	add(m.messagesSent, st.MessagesSent, js.stats.MessagesSent)
	add(m.messagesReceived, st.MessagesReceived, js.stats.MessagesReceived)
	add(m.bytesSent, st.BytesSent, js.stats.BytesSent)
	add(m.bytesReceived, st.BytesReceived, js.stats.BytesReceived)
	if d := st.EventsDropped; d > js.stats.EventsDropped {
		samples.AddAt(m.eventsDropped, now, float64(d-js.stats.EventsDropped), js.v.tags("mode", js.mode, "", "", js.tags))
	}
	js.stats = st
	js.mu.Lock()
	rtts, recons, lostBy, malformedBy, first := js.hbRTTs, js.recons, js.lostBy, js.malformedBy, js.malformedFirst
	js.hbRTTs, js.recons, js.lostBy, js.malformedBy, js.malformedFirst = nil, nil, nil, nil, nil
	js.mu.Unlock()
	for cause, n := range lostBy {
		samples.AddAt(m.sessionsLost, now, n, js.v.tags("cause", cause, "", "", js.tags))
	}
	for k, n := range malformedBy {
		samples.AddAt(m.decodeErrors, now, n, js.v.tags("msg", k.t.String(), "reason", k.reason, js.tags))
	}
	for _, f := range first {
		js.v.r.logMalformed(f)
	}
	for _, d := range rtts {
		samples.AddAt(m.heartbeatRTT, now, ms(d), tags)
	}
	for _, r := range recons {
		result := "ok"
		if r.Err != nil {
			result = "failed"
		}
		samples.AddAt(m.reconnects, now, 1, js.v.tags("result", result, "", "", js.tags))
		samples.AddAt(m.reconnectDuration, now, ms(r.Outage), js.v.tags("result", result, "", "", js.tags))
	}
}

// closeSession sends CLOSE_REQ (bounded by the session's close timeout) and forgets the session.
func (js *jsSession) closeSession(ctx context.Context) error {
	if js.closed {
		return nil
	}
	js.closed = true
	err := js.s.Close(ctx)
	if m := js.v.r.ctiMetrics(); m != nil && err != nil {
		// CLOSE_REQ unanswered (timeout) or cut off by the server: a failure like any other, so
		// that every connection the server dropped shows in cti_failures.
		code, _ := client.ErrorCode(err)
		js.v.currentSamples().AddAt(m.failures, time.Now(), 1, js.v.failureTags(code, cti.MsgCloseReq.String(), js.tags))
	}
	js.flushStats()
	delete(js.v.sessByObj, js.obj)
	return err
}
