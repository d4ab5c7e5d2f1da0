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
var ctiModule = newLazyProps(map[string]func(v *vu) any{
	"connect":   func(v *vu) any { return v.connect },
	"simulator": func(v *vu) any { return v.simulatorInfo() },
})

// SimulatorInfo is what a script learns of the run's built-in simulator (cti.simulator): the
// numbers it answers to, which a script would otherwise have to repeat from the flags (the
// dialed number, for one, changes when the agents' extensions reach 8000).
type SimulatorInfo struct {
	Product        string // "UCCE" or "UCCX"
	Target         string // "host:port", or "A,B" for a duplex pair
	Agents         int
	FirstAgentID   int
	FirstExtension int
	DialedNumber   string // what callers dial to reach the first skill group's queue
	PeripheralID   uint32
}

// simulatorInfo is cti.simulator: null while the options are read (the simulator starts once
// they are known) and in a run with a --target.
func (v *vu) simulatorInfo() any {
	if v.r == nil || v.r.cfg.Simulator == nil {
		return nil
	}
	si := v.r.cfg.Simulator
	o := v.rt.NewObject()
	_ = o.Set("product", si.Product)
	_ = o.Set("target", si.Target)
	_ = o.Set("agents", si.Agents)
	_ = o.Set("firstAgentId", si.FirstAgentID)
	_ = o.Set("firstExtension", si.FirstExtension)
	_ = o.Set("dialedNumber", si.DialedNumber)
	_ = o.Set("peripheralId", si.PeripheralID)
	return o
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
	s, err := dialOffStack(v.ctx, target, opts)
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

// dialOffStack is client.Dial on a goroutine of its own. Opening a session goes deep (the
// options, the socket, TLS, OPEN_REQ and OPEN_CONF) once per session: on the VU's goroutine,
// under the interpreter frames of the script's call, it grew the VU's stack from 8 to 16 KB for
// the rest of the VU's life (the collector halves a stack only when less than a quarter of it
// is in use, and an idle agent uses about 4 KB). A goroutine per session open costs nothing
// next to the open itself.
func dialOffStack(ctx context.Context, target string, opts []client.Option) (*client.Session, error) {
	type result struct {
		s   *client.Session
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := client.Dial(ctx, target, opts...)
		done <- result{s, err}
	}()
	r := <-done
	return r.s, r.err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// connectSettings are cti.connect's options as read from the script, before connectOptions'
// client options are assembled from them (some depend on others: the instrument defaults to
// the extension, the label to the agent ID, the client ID to DefaultClientID with a password).
type connectSettings struct {
	agentID, extension, instrument string
	periph                         *uint32
	mode                           string
	version                        *cti.Version
	clientID, password, label      string
	tags                           metrics.Tags
	throw                          bool
	// later are the options that need nothing else (time-outs, services, masks, TLS,
	// fail-over), in the table's order: a script's services come after the mode's defaults.
	later []client.Option
}

// connectOption is one key of cti.connect's options object and how its value is read. Every
// read reports its own mistake, so that one run of a script shows all of them.
type connectOption struct {
	name string
	read func(js *jsSession, c *connectSettings, x goja.Value) error
}

// connectOptions are the options cti.connect accepts, read in this order (the order of their
// errors). The unknown-option error lists their names.
var connectOptions = []connectOption{
	stringOption("agentId", func(c *connectSettings) *string { return &c.agentID }),
	stringOption("extension", func(c *connectSettings) *string { return &c.extension }),
	stringOption("instrument", func(c *connectSettings) *string { return &c.instrument }),
	{"peripheralId", func(_ *jsSession, c *connectSettings, x goja.Value) error {
		n := x.ToInteger()
		p := uint32(n)
		c.periph = &p
		if n < 0 || n > 0xFFFFFFFF {
			return optErr("peripheralId", "want a number, got %s", describe(x))
		}
		return nil
	}},
	{"mode", func(_ *jsSession, c *connectSettings, x goja.Value) error {
		c.mode = x.String()
		if c.mode != "agent" && c.mode != "bridge" {
			return optErr("mode", `want "agent" or "bridge", got %q`, c.mode)
		}
		return nil
	}},
	{"version", func(_ *jsSession, c *connectSettings, x goja.Value) error {
		ver, err := cti.ParseVersion(x.String())
		if err != nil {
			return optErr("version", "want a protocol version such as 24 or 'uccx:14', got %s", describe(x))
		}
		c.version = &ver
		return nil
	}},
	stringOption("clientId", func(c *connectSettings) *string { return &c.clientID }),
	stringOption("password", func(c *connectSettings) *string { return &c.password }),
	durationOption("heartbeat", client.WithHeartbeat, true),
	durationOption("idleTimeout", client.WithIdleTimeout, false),
	durationOption("timeout", client.WithRequestTimeout, false),
	durationOption("connectTimeout", client.WithConnectTimeout, false),
	// Cisco asks clients to allow 30 s for OPEN_CONF, 60 s when more than 500 connect at once.
	durationOption("openTimeout", client.WithOpenTimeout, false),
	clientOption("services", func(_ *jsSession, x goja.Value) (client.Option, error) {
		sm, err := maskValue(x, cti.ParseServiceMask)
		if err != nil {
			return nil, optErr("services", "%v", err)
		}
		return client.WithServices(sm), nil
	}),
	clientOption("masks", (*jsSession).masks),
	clientOption("tls", (*jsSession).tlsOption),
	clientOption("failover", func(_ *jsSession, x goja.Value) (client.Option, error) { return failoverOption(x) }),
	{"tags", func(js *jsSession, c *connectSettings, x goja.Value) error {
		if _, ok := x.(*goja.Object); !ok {
			return optErr("tags", "want an object of strings, got %s", describe(x))
		}
		c.tags = js.v.tagsArg("cti.connect: option \"tags\"", x)
		return nil
	}},
	{"throw", func(_ *jsSession, c *connectSettings, x goja.Value) error {
		b, ok := x.Export().(bool)
		c.throw = b
		if !ok {
			return optErr("throw", "want true or false, got %s", describe(x))
		}
		return nil
	}},
	stringOption("label", func(c *connectSettings) *string { return &c.label }),
}

// stringOption reads a string (a number is taken as its decimal text: agentId: 5000).
func stringOption(name string, field func(*connectSettings) *string) connectOption {
	return connectOption{name, func(_ *jsSession, c *connectSettings, x goja.Value) error {
		switch e := x.Export().(type) {
		case string:
			*field(c) = e
		case int64:
			*field(c) = strconv.FormatInt(e, 10)
		case float64:
			*field(c) = strconv.FormatFloat(e, 'f', -1, 64)
		default:
			return optErr(name, "want a string, got %s", describe(x))
		}
		return nil
	}}
}

// durationOption reads a duration (a number is seconds); allowOff accepts 0 and false for
// "off".
func durationOption(name string, with func(time.Duration) client.Option, allowOff bool) connectOption {
	return connectOption{name, func(_ *jsSession, c *connectSettings, x goja.Value) error {
		if b, ok := x.Export().(bool); ok && !b && allowOff {
			c.later = append(c.later, with(0))
			return nil
		}
		d, err := toDuration(x, time.Second)
		if err != nil {
			return optErr(name, "%v", err)
		}
		if d < 0 || (d == 0 && !allowOff) {
			return optErr(name, "want a positive duration, got %s", describe(x))
		}
		c.later = append(c.later, with(d))
		return nil
	}}
}

// clientOption reads an option that becomes one client option by itself (nil: none).
func clientOption(name string, read func(js *jsSession, x goja.Value) (client.Option, error)) connectOption {
	return connectOption{name, func(js *jsSession, c *connectSettings, x goja.Value) error {
		o, err := read(js, x)
		if err == nil && o != nil {
			c.later = append(c.later, o)
		}
		return err
	}}
}

// unknownConnectOption names a key cti.connect does not know, with the known one it most
// likely meant (agentID → agentId).
func unknownConnectOption(key string) error {
	names := make([]string, len(connectOptions))
	for i, o := range connectOptions {
		names[i] = o.name
	}
	slices.Sort(names)
	hint := ""
	if s := closestName(key, names); s != "" {
		hint = fmt.Sprintf(": did you mean %q?", s)
	}
	return fmt.Errorf("cti.connect: unknown option %q%s (known options: %s)", key, hint, strings.Join(names, ", "))
}

// closestName returns the name of known nearest to name, compared without case, if it is
// near enough to be a typo (at most 2 edits, fewer for short names); "" otherwise.
func closestName(name string, known []string) string {
	best, bestD := "", min(3, len(name)/2+1)
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// parseOptions reads the JS options object into js's settings and the session's options: each
// key through its entry of connectOptions, then the options that depend on several keys.
func (js *jsSession) parseOptions(val goja.Value) ([]client.Option, error) {
	v := js.v
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return nil, errors.New(`cti.connect: options: want an object such as {mode: 'agent', agentId: '5000', extension: '1000'}`)
	}
	o, ok := val.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("cti.connect: argument 2: want an options object, got %s", describe(val))
	}
	var errs []error
	for _, k := range o.Keys() {
		if !slices.ContainsFunc(connectOptions, func(c connectOption) bool { return c.name == k }) {
			errs = append(errs, unknownConnectOption(k))
		}
	}
	c := connectSettings{mode: "agent"}
	for _, opt := range connectOptions {
		if x := o.Get(opt.name); x != nil && !goja.IsUndefined(x) {
			if err := opt.read(js, &c, x); err != nil {
				errs = append(errs, err)
			}
		}
	}

	js.agentID, js.extension, js.instrument = c.agentID, c.extension, c.instrument
	if js.instrument == "" {
		js.instrument = js.extension
	}
	if c.periph != nil {
		js.periph = *c.periph
	}
	js.mode, js.tags, js.throw = c.mode, c.tags, c.throw

	var opts []client.Option
	if v.r != nil && v.r.cfg.Observer != nil {
		opts = append(opts, client.WithObserver(v.r.cfg.Observer))
	}
	opts = append(opts, client.WithHeartbeatHandler(js.onHeartbeat), client.WithReconnectHandler(js.onReconnect),
		client.WithLinkLossHandler(js.onLinkLoss), client.WithMalformedFrameHandler(js.onMalformed))
	switch c.mode {
	case "agent":
		js.agentMode = true
		opts = append(opts, client.WithAgent(client.Agent{ID: js.agentID, Extension: js.extension, Instrument: js.instrument, PeripheralID: js.periph}),
			client.WithServices(DefaultAgentServices))
	case "bridge":
		opts = append(opts, client.WithBridgeMode())
	}
	if c.version != nil {
		js.ver = *c.version
		opts = append(opts, client.WithVersion(js.ver))
	}
	if c.clientID != "" || c.password != "" {
		if c.clientID == "" {
			c.clientID = client.DefaultClientID
		}
		opts = append(opts, client.WithClient(c.clientID, c.password))
	}
	opts = append(opts, c.later...)
	// The label always starts with the VU ("vu3-…"): traces and logs are read per VU, so a
	// user's label names the session within its VU rather than replacing the VU number.
	label := c.label
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
