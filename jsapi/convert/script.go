package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// Timing says how the generated script paces each client's requests.
type Timing int

// Timings.
const (
	TimingExact      Timing = iota // each request at the captured offset from the session's start
	TimingCompressed               // the captured order, every pause longer than a second cut to one
	TimingNone                     // no pauses: each request once the previous step is done
)

// ParseTiming reads exact, compressed or none.
func ParseTiming(s string) (Timing, error) {
	switch strings.ToLower(s) {
	case "exact", "":
		return TimingExact, nil
	case "compressed":
		return TimingCompressed, nil
	case "none":
		return TimingNone, nil
	}
	return 0, fmt.Errorf("invalid timing %q: want exact, compressed or none", s)
}

func (t Timing) String() string {
	return [...]string{"exact", "compressed", "none"}[t]
}

// Options tune [Script].
type Options struct {
	Source string // the input file, named in the header
	Timing Timing
	// Clients keeps only the connections whose client address (or session label) is listed; a
	// port alone matches any address.
	Clients []string
	// Agents keeps only the connections opened for these agent IDs.
	Agents []string
}

// Result says what went into the script.
type Result struct {
	Clients, Requests, Waits int
	LeftOut                  []string
}

// maxCompressedGap is the longest pause --timing compressed keeps.
const maxCompressedGap = time.Second

// Script writes a scenario that replays the clients: one VU each, opening its session as
// captured, sending the same requests in the same order and timing, waiting for the events that
// arrived before each next request and checking every reply against the captured one.
// notes (stream irregularities, undecodable frames) go into the header.
func Script(clients []*Client, notes []string, o Options) ([]byte, Result, error) {
	sel, err := selectClients(clients, o)
	if err != nil {
		return nil, Result{}, err
	}
	sortByStart(sel)
	sel = mergeReconnections(sel)
	g := &gen{o: o, created: map[uint64]bool{}}
	for i, c := range sel {
		g.plans = append(g.plans, g.plan(i+1, c))
	}
	g.markInbound()
	g.identities()
	return g.write(notes)
}

func selectClients(clients []*Client, o Options) ([]*Client, error) {
	if len(clients) == 0 {
		return nil, fmt.Errorf("no CTI client connection in the input")
	}
	if len(o.Clients) == 0 && len(o.Agents) == 0 {
		return clients, nil
	}
	var out []*Client
	for _, c := range clients {
		if matchClient(c, o.Clients) || matchAgent(c, o.Agents) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		var have []string
		for _, c := range clients {
			have = append(have, c.Key+agentNote(c))
		}
		return nil, fmt.Errorf("no client connection matches --client %v --agent %v; the input has %s", o.Clients, o.Agents, strings.Join(have, ", "))
	}
	return out, nil
}

func matchClient(c *Client, keys []string) bool {
	for _, k := range keys {
		if c.Key == k || strings.HasSuffix(c.Key, ":"+strings.TrimPrefix(k, ":")) {
			return true
		}
	}
	return false
}

func matchAgent(c *Client, ids []string) bool {
	if len(ids) == 0 {
		return false
	}
	open := firstOpen(c)
	if open == nil {
		return false
	}
	for _, id := range ids {
		if open.str("AgentID") == id || open.str("LongAgentID") == id {
			return true
		}
	}
	return false
}

func agentNote(c *Client) string {
	if open := firstOpen(c); open != nil {
		if id := open.str("AgentID") + open.str("LongAgentID"); id != "" {
			return " (agent " + id + ")"
		}
	}
	return ""
}

func firstOpen(c *Client) *Msg {
	for i := range c.Msgs {
		if c.Msgs[i].Out && c.Msgs[i].Type == cti.MsgOpenReq {
			return &c.Msgs[i]
		}
	}
	return nil
}

// mergeReconnections joins a connection that opens with the same identity (client ID, agent,
// devices) after an earlier one ended to that earlier one: the same desktop reconnecting, to
// side B after a fail-over or to the same side after a drop. Its VU then reconnects the way the
// desktop did, with the session's failover option, instead of a second VU opening beside it.
func mergeReconnections(cs []*Client) []*Client {
	key := func(c *Client) string {
		o := firstOpen(c)
		if o == nil || c.Msgs[0].Type != cti.MsgOpenReq {
			return ""
		}
		id := o.str("AgentID") + "|" + o.str("LongAgentID") + "|" + o.str("AgentInstrument") + "|" + o.str("AgentExtension")
		if id == "|||" {
			return ""
		}
		return o.str("ClientID") + "|" + id
	}
	var out []*Client
	open := map[string]*Client{}
	for _, c := range cs {
		k := key(c)
		if prev := open[k]; k != "" && prev != nil && !prev.Msgs[len(prev.Msgs)-1].Time.After(c.Msgs[0].Time) {
			prev.servers = append(prev.servers, serverMark{from: len(prev.Msgs), server: c.Server})
			prev.Msgs = append(prev.Msgs, c.Msgs...)
			prev.Sides = appendNew(prev.Sides, c.Server)
			continue
		}
		if k != "" {
			open[k] = c
		}
		c.Sides = appendNew(nil, c.Server)
		out = append(out, c)
	}
	return out
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// gen holds what the generator learned about all clients.
type gen struct {
	o       Options
	plans   []*plan
	created map[uint64]bool // call IDs that a captured request created (MAKE_CALL, CONSULTATION_CALL)
	// ids maps a captured agent ID, extension or instrument to the identity expression that
	// replaces it.
	ids     map[string]string
	inbound []*step
	// failoverTime is the first sign of a fail-over in the capture (a FAILURE_EVENT offline, or
	// a client reopening its session); failoverAt is non-zero once one was seen.
	failoverTime time.Time
	failoverAt   int
}

type stepKind int

const (
	stepRequest stepKind = iota
	stepWait
	stepClose
	stepNote
	stepReconnect
)

type step struct {
	kind    stepKind
	msg     *Msg
	reply   *Msg
	at      time.Duration // offset from the session's start, paced as Options.Timing says
	wait    time.Duration // waits: how long after the previous request the event came
	name    string        // JS variable holding the result or event, when referenced
	used    bool
	inbound bool
	note    string
}

// callRef is where a call ID was first seen: a step's event or reply, and the field.
type callRef struct {
	st    *step
	field string
	reply bool
}

type plan struct {
	n          int
	c          *Client
	open       *Msg
	openFailed *Msg
	steps      []*step
	heartbeats []time.Time
	start      time.Time
	requests   int
	waits      int
	leftOut    []string
	calls      map[uint64]callRef
	uccx       bool
	reconnects int
}

func (p *plan) fn() string { return "c" + strconv.Itoa(p.n) }

// plan walks one client's messages into steps.
func (g *gen) plan(n int, c *Client) *plan {
	p := &plan{n: n, c: c, calls: map[uint64]callRef{}, start: c.Msgs[0].Time, uccx: c.Version.IsUCCX()}
	pending := map[uint64]*step{}
	var lastOut time.Time
	for i := range c.Msgs {
		m := &c.Msgs[i]
		if m.Out {
			switch {
			case m.Type == cti.MsgOpenReq && p.open == nil:
				p.open = m
				p.start = m.Time
			case m.Type == cti.MsgOpenReq:
				// A CLOSE_REQ just before was the session leaving the failed side, not the script.
				for i := len(p.steps) - 1; i >= 0 && p.steps[i].kind != stepReconnect; i-- {
					if st := p.steps[i]; st.kind == stepClose {
						st.kind = stepNote
						st.note = fmt.Sprintf("%s: CLOSE_REQ as the session left that side", st.msg.Where)
						break
					}
				}
				p.reconnects++
				p.add(&step{kind: stepReconnect, msg: m, at: m.Time.Sub(p.start)})
				if g.failoverAt == 0 || m.Time.Before(g.failoverTime) {
					g.failoverTime = m.Time
					g.failoverAt = 1
				}
			case m.Name == "HEARTBEAT_REQ":
				p.heartbeats = append(p.heartbeats, m.Time)
			case m.Name == "CLOSE_REQ":
				p.add(&step{kind: stepClose, msg: m, at: m.Time.Sub(p.start)})
			default:
				info, ok := cti.Info(m.Type)
				if !ok || !info.HasLayout || info.Direction == cti.ServerToClient {
					p.leftOut = append(p.leftOut, fmt.Sprintf("%s: %s (no field layout: session.request cannot build it)", m.Where, m.Name))
					continue
				}
				st := &step{kind: stepRequest, msg: m, at: m.Time.Sub(p.start)}
				p.add(st)
				p.requests++
				if id, ok := m.invokeID(); ok {
					pending[id] = st
				}
			}
			lastOut = m.Time
			continue
		}
		if id, ok := m.invokeID(); ok && isReply(m) {
			if st := pending[id]; st != nil {
				delete(pending, id)
				st.reply = m
				p.register(st, m, true)
				g.noteCreated(m)
				continue
			}
			if p.open != nil && p.openFailed == nil && m.Name == "FAILURE_CONF" && len(p.steps) == 0 {
				p.openFailed = m
			}
			continue // OPEN_CONF, HEARTBEAT_CONF, CLOSE_CONF, or a reply to a request left out
		}
		if info, ok := cti.Info(m.Type); !ok || !info.HasLayout {
			p.leftOut = append(p.leftOut, fmt.Sprintf("%s: %s received (no field layout)", m.Where, m.Name))
			continue
		}
		if m.Name == "FAILURE_EVENT" && m.str("Status") == "E_CTI_CTI_SERVER_OFFLINE" {
			// The server tells the client to go: the session does, by itself.
			p.add(&step{kind: stepNote, msg: m, note: fmt.Sprintf("%s: FAILURE_EVENT E_CTI_CTI_SERVER_OFFLINE: this side went offline and closed the session", m.Where)})
			if g.failoverAt == 0 || m.Time.Before(g.failoverTime) {
				g.failoverTime = m.Time
				g.failoverAt = 1
			}
			continue
		}
		st := &step{kind: stepWait, msg: m}
		if !lastOut.IsZero() {
			st.wait = m.Time.Sub(lastOut)
		}
		p.add(st)
		p.waits++
		p.register(st, m, false)
	}
	return p
}

func (p *plan) add(st *step) { p.steps = append(p.steps, st) }

// isReply: confirmations and failures answer a request by InvokeID; events carry none.
func isReply(m *Msg) bool {
	return strings.HasSuffix(m.Name, "_CONF") || m.Name == "FAILURE_CONF"
}

// register remembers the call IDs a received message carries, so later requests can refer to
// the live value instead of the captured number.
func (p *plan) register(st *step, m *Msg, reply bool) {
	for _, f := range m.Fields {
		if !strings.HasSuffix(f.Name, "CallID") {
			continue
		}
		id, ok := m.num(f.Name)
		if !ok || id == 0 || id == 0xFFFFFFFF {
			continue
		}
		if _, seen := p.calls[id]; !seen {
			p.calls[id] = callRef{st: st, field: f.Name, reply: reply}
		}
	}
}

func (g *gen) noteCreated(m *Msg) {
	if id, ok := m.num("NewConnectionCallID"); ok && id != 0 {
		g.created[id] = true
	}
}

// markInbound finds the calls that reached a client without a captured client placing them:
// they came from the network, and the replay needs someone (the simulator's call generator, a
// lab's call generator) to place them again.
func (g *gen) markInbound() {
	for _, p := range g.plans {
		for _, st := range p.steps {
			if st.kind != stepWait || (st.msg.Name != "CALL_DELIVERED_EVENT" && st.msg.Name != "BEGIN_CALL_EVENT") {
				continue
			}
			id, ok := st.msg.num("ConnectionCallID")
			if !ok || g.created[id] {
				continue
			}
			if st.msg.Name == "BEGIN_CALL_EVENT" && st.msg.str("CallType") != "" && !strings.Contains(st.msg.str("CallType"), "IN") {
				continue
			}
			st.inbound = true
			if st.msg.Name == "CALL_DELIVERED_EVENT" {
				g.inbound = append(g.inbound, st)
			}
		}
	}
}

// identities maps every captured agent ID, extension and instrument to its client's constant.
func (g *gen) identities() {
	g.ids = map[string]string{}
	for _, p := range g.plans {
		for _, k := range identityKeys {
			if v := p.identity(k.field); v != "" {
				if _, taken := g.ids[v]; !taken {
					g.ids[v] = fmt.Sprintf("C%d.%s", p.n, k.js)
				}
			}
		}
	}
}

var identityKeys = []struct{ field, js, env string }{
	{"AgentID", "agentId", "AGENT_ID"},
	{"AgentInstrument", "instrument", "INSTRUMENT"},
	{"AgentExtension", "extension", "EXTENSION"},
}

// idMsg is where the client's identity is read: its OPEN_REQ, or without one in the capture
// its first request naming an agent or an instrument.
func (p *plan) idMsg() *Msg {
	if p.open != nil {
		return p.open
	}
	for _, st := range p.steps {
		if st.kind == stepRequest && (st.msg.str("AgentInstrument") != "" || st.msg.str("AgentID") != "") {
			return st.msg
		}
	}
	return nil
}

func (p *plan) identity(field string) string {
	m := p.idMsg()
	if m == nil {
		return ""
	}
	v := m.str(field)
	if v == "" && field == "AgentID" {
		v = m.str("LongAgentID")
	}
	return v
}

func (p *plan) peripheral() uint64 {
	m := p.idMsg()
	if m == nil {
		return 0
	}
	n, _ := m.num("PeripheralID")
	return n
}

func (p *plan) bridge() bool {
	return p.open != nil && strings.Contains(p.open.str("ServicesRequested"), "CTI_SERVICE_ALL_EVENTS")
}

// pace turns each step's captured offset into the offset the script waits for.
func (g *gen) pace(p *plan) {
	var prev, paced time.Duration
	for _, st := range p.steps {
		if st.kind != stepRequest && st.kind != stepClose {
			continue
		}
		gap := st.at - prev
		prev = st.at
		if g.o.Timing == TimingCompressed && gap > maxCompressedGap {
			gap = maxCompressedGap
		}
		paced += gap
		st.at = paced
	}
}

// startTimes is each client's scenario startTime.
func (g *gen) startTimes() []time.Duration {
	out := make([]time.Duration, len(g.plans))
	if g.o.Timing == TimingNone || len(g.plans) == 0 {
		return out
	}
	first := g.plans[0].c.Msgs[0].Time
	var prev, paced time.Duration
	for i, p := range g.plans {
		at := p.c.Msgs[0].Time.Sub(first)
		gap := at - prev
		prev = at
		if g.o.Timing == TimingCompressed && gap > maxCompressedGap {
			gap = maxCompressedGap
		}
		paced += gap
		out[i] = paced
	}
	return out
}

// refs marks the steps whose result a later request refers to, and names them.
func (g *gen) refs(p *plan) {
	for _, st := range p.steps {
		if st.kind != stepRequest {
			continue
		}
		for _, f := range st.msg.Fields {
			if !strings.HasSuffix(f.Name, "CallID") {
				continue
			}
			id, ok := st.msg.num(f.Name)
			if !ok {
				continue
			}
			if ref, ok := p.calls[id]; ok && ref.st != st {
				ref.st.used = true
			}
		}
	}
	nEv, nReq := 0, 0
	for _, st := range p.steps {
		if !st.used {
			continue
		}
		if st.kind == stepWait {
			nEv++
			st.name = "ev" + strconv.Itoa(nEv)
		} else {
			nReq++
			st.name = "r" + strconv.Itoa(nReq)
		}
	}
}

// js renders a Go value as a JavaScript literal (JSON is one).
func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(math.Round(d.Seconds()*1000)/1000, 'f', -1, 64)
}

func (g *gen) write(notes []string) ([]byte, Result, error) {
	var res Result
	for _, p := range g.plans {
		g.pace(p)
		g.refs(p)
		res.Clients++
		res.Requests += p.requests
		res.Waits += p.waits
		res.LeftOut = append(res.LeftOut, p.leftOut...)
	}
	var b bytes.Buffer
	g.header(&b, notes, res)
	b.WriteString("import { check, sleep } from 'ctiload';\nimport cti from 'ctiload/cti';\nimport { csv } from 'ctiload/data';\n\n")
	g.constants(&b)
	g.options(&b)
	for _, p := range g.plans {
		g.client(&b, p)
	}
	if g.o.Timing != TimingNone {
		b.WriteString(atHelper)
	}
	b.WriteString(helpers)
	return b.Bytes(), res, nil
}

func (g *gen) header(b *bytes.Buffer, notes []string, res Result) {
	src := g.o.Source
	if src == "" {
		src = "a capture"
	}
	fmt.Fprintf(b, "// Generated by `ctiload convert` from %s: %d client connection(s), %d requests, %d awaited events.\n", src, res.Clients, res.Requests, res.Waits)
	b.WriteString(`//
// Each captured client is one VU (scenarios c1, c2, …): it opens its session as captured (mode,
// version, masks, identity), sends the same requests in the same order (timing: ` + g.o.Timing.String() + `), waits
// for the events the capture shows arriving before its next request, and checks every reply
// against the captured one: the same message type and, for a failure, the same code. The verdict
// (exit code 0, or 99 when a check fails) says whether the server still answers as captured;
// the CHECKS table names the packet of each step.
//
// Run it against the built-in simulator (shaped by options.simulator below), or a lab server:
//   ctiload run repro.js
//   ctiload run --target cti-a.lab:42027 -e AGENT_PASSWORD=… -e PERIPHERAL_ID=… repro.js
// The captured agent IDs and devices are defaults: -e C1_AGENT_ID=… -e C1_INSTRUMENT=…, or a
// CSV (-e CLIENTS_CSV=agents.csv, columns agentId,extension,instrument, one row per client in
// the order below) replaces them. Passwords were not copied: the script reads AGENT_PASSWORD
// (the agents') and CTI_CLIENT_PASSWORD (the OPEN_REQ's ClientPassword) from the environment.
`)
	var left []string
	hb := 0
	for _, p := range g.plans {
		hb += len(p.heartbeats)
		for _, l := range p.leftOut {
			left = append(left, p.fn()+" "+l)
		}
		if p.open == nil {
			left = append(left, fmt.Sprintf("%s: the capture does not hold its OPEN_REQ: the session opens with the defaults and the identity of its first request", p.fn()))
		}
	}
	if hb > 0 {
		left = append(left, fmt.Sprintf("%d HEARTBEAT_REQ: each session sends its own (the heartbeat option, set from the captured interval)", hb))
	}
	for _, p := range g.plans {
		if len(p.c.Sides) > 1 {
			left = append(left, fmt.Sprintf("%s talked to %s: against a lab duplex pair, give both sides (--target A,B)", p.fn(), strings.Join(p.c.Sides, " then ")))
		}
	}
	if len(g.inbound) > 0 {
		left = append(left, fmt.Sprintf("%d inbound call(s) placed from the network (CALL_DELIVERED_EVENT without a captured caller): the script waits for them; the simulator places calls at the captured rate (options.simulator.callRate), against a lab your call generator must", len(g.inbound)))
	}
	if len(left) > 0 || len(notes) > 0 {
		b.WriteString("//\n// Left out or changed:\n")
		for _, l := range left {
			writeWrapped(b, "//   - ", "//     ", l)
		}
		for _, n := range notes {
			writeWrapped(b, "//   - ", "//     ", "in the input: "+n)
		}
	}
	b.WriteString("\n")
}

// writeWrapped writes a comment wrapped at 100 columns.
func writeWrapped(b *bytes.Buffer, first, rest, text string) {
	prefix := first
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(prefix)+len(line)+1+len(w) > 100 {
			b.WriteString(prefix + line + "\n")
			prefix, line = rest, ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	b.WriteString(prefix + line + "\n")
}

func (g *gen) constants(b *bytes.Buffer) {
	b.WriteString("// '' is the run's target: the built-in simulator, or --target.\nconst TARGET = __ENV.CTI_TARGET || '';\n")
	periph := uint64(0)
	for _, p := range g.plans {
		if n := p.peripheral(); n != 0 {
			periph = n
			break
		}
	}
	fmt.Fprintf(b, "const PERIPHERAL_ID = Number(__ENV.PERIPHERAL_ID || %d);\n", periph)
	b.WriteString("const AGENT_PASSWORD = __ENV.AGENT_PASSWORD || '';\n")
	b.WriteString("const ROWS = __ENV.CLIENTS_CSV ? csv(open(__ENV.CLIENTS_CSV), { header: true }) : [];\n\n")
	b.WriteString("// The captured clients' identities (defaults; see the header).\n")
	for _, p := range g.plans {
		var parts []string
		for _, k := range identityKeys {
			if v := p.identity(k.field); v != "" {
				parts = append(parts, k.js+": "+js(v))
			}
		}
		fmt.Fprintf(b, "const C%d = identity(%d, { %s });\n", p.n, p.n, strings.Join(parts, ", "))
	}
	b.WriteString("\n")
}

func (g *gen) options(b *bytes.Buffer) {
	starts := g.startTimes()
	b.WriteString("export const options = {\n  scenarios: {\n")
	for i, p := range g.plans {
		last := p.c.Msgs[len(p.c.Msgs)-1].Time.Sub(p.start)
		maxDur := time.Duration(math.Ceil((2*last + time.Minute).Seconds())) * time.Second
		fmt.Fprintf(b, "    %s: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: '%s', startTime: '%ss', maxDuration: '%s' },\n",
			p.fn(), p.fn(), seconds(starts[i]), maxDur)
	}
	b.WriteString("  },\n  thresholds: {\n")
	b.WriteString("    checks: ['rate==1'], // every reply and event as captured\n")
	b.WriteString("    failed_iterations: ['count==0'], // every client ran its sequence to the end\n")
	b.WriteString("  },\n")
	g.simulator(b)
	b.WriteString("};\n\n")
}

// simulator derives options.simulator from the capture: the agents (when their IDs and
// extensions are numbered as the simulator numbers them), the peripheral, and inbound calls.
func (g *gen) simulator(b *bytes.Buffer) {
	var sim []string
	var comments []string
	type agent struct{ id, ext int64 }
	var agents []agent
	numbered := true
	uccx := false
	for _, p := range g.plans {
		uccx = uccx || p.uccx
		if p.identity("AgentID") == "" || p.bridge() {
			continue
		}
		id, err1 := strconv.ParseInt(p.identity("AgentID"), 10, 64)
		ext := p.identity("AgentInstrument")
		if ext == "" {
			ext = p.identity("AgentExtension")
		}
		e, err2 := strconv.ParseInt(ext, 10, 64)
		if err1 != nil || err2 != nil {
			numbered = false
			continue
		}
		agents = append(agents, agent{id, e})
	}
	if len(agents) > 0 {
		sort.Slice(agents, func(i, j int) bool { return agents[i].id < agents[j].id })
		off := agents[0].id - agents[0].ext
		for _, a := range agents {
			numbered = numbered && a.id-a.ext == off
		}
		if numbered && agents[0].id >= 0 && agents[0].ext >= 0 {
			n := agents[len(agents)-1].id - agents[0].id + 1
			sim = append(sim, fmt.Sprintf("firstAgentId: %d", agents[0].id), fmt.Sprintf("firstExtension: %d", agents[0].ext), fmt.Sprintf("agents: %d", max(n, 2)))
		} else {
			comments = append(comments, "the captured agent IDs and extensions are not numbered the simulator's way (agent i: firstAgentId + i on firstExtension + i): give the simulator yours with -e C<n>_AGENT_ID…, or replay against a lab server")
		}
	}
	if periph := g.plans[0].peripheral(); periph != 0 && !uccx {
		sim = append(sim, fmt.Sprintf("peripheralId: %d", periph))
	}
	if uccx {
		sim = append(sim, "uccx: true")
	}
	if g.failoverAt != 0 {
		at := g.failoverTime.Sub(g.plans[0].c.Msgs[0].Time)
		sim = append(sim, "duplex: true", fmt.Sprintf("failoverAfter: '%ss'", seconds(at)))
		comments = append(comments, "the capture shows a fail-over: the simulator runs a duplex pair and moves side A's sessions to side B at the captured moment")
	}
	if len(g.inbound) > 0 {
		first, last := g.inbound[0].msg.Time, g.inbound[0].msg.Time
		anis := map[string]bool{}
		var aniList []string
		dnis := ""
		for _, st := range g.inbound {
			if st.msg.Time.Before(first) {
				first = st.msg.Time
			}
			if st.msg.Time.After(last) {
				last = st.msg.Time
			}
			if a := st.msg.str("ANI"); a != "" && !anis[a] {
				anis[a] = true
				aniList = append(aniList, a)
			}
			if dnis == "" {
				dnis = st.msg.str("DNIS")
			}
		}
		span := last.Sub(g.plans[0].start)
		if span < time.Second {
			span = time.Second
		}
		rate := float64(len(g.inbound)) / span.Seconds()
		sim = append(sim, fmt.Sprintf("callRate: '%s/s'", strconv.FormatFloat(math.Round(rate*1e4)/1e4, 'f', -1, 64)))
		if dnis != "" {
			sim = append(sim, "dialedNumber: "+js(dnis))
		}
		if len(aniList) > 0 {
			sort.Strings(aniList)
			sim = append(sim, "ani: "+js(aniList))
		}
		comments = append(comments, fmt.Sprintf("inbound calls: %d in the capture; the simulator offers them at the captured average rate, to whichever agent is available, so which client gets which call may differ", len(g.inbound)))
	}
	for _, c := range comments {
		writeWrapped(b, "  // ", "  // ", c)
	}
	if len(sim) > 0 {
		fmt.Fprintf(b, "  simulator: { %s },\n", strings.Join(sim, ", "))
	}
}

func (g *gen) client(b *bytes.Buffer, p *plan) {
	last := p.c.Msgs[len(p.c.Msgs)-1]
	desc := []string{p.c.Key + " → " + p.c.Server}
	if id := p.identity("AgentID"); id != "" {
		desc = append(desc, "agent "+id)
	}
	if inst := p.identity("AgentInstrument"); inst != "" {
		desc = append(desc, "instrument "+inst)
	}
	mode := "agent mode"
	if p.bridge() {
		mode = "bridge mode"
	}
	desc = append(desc, p.c.Version.String(), mode)
	fmt.Fprintf(b, "// %s: %s.\n", p.fn(), strings.Join(desc, ", "))
	fmt.Fprintf(b, "// %d requests and %d events, %s to %s (%s).\n", p.requests, p.waits, p.c.Msgs[0].Where, last.Where, last.Time.Sub(p.c.Msgs[0].Time).Round(time.Millisecond))
	fmt.Fprintf(b, "export function %s() {\n", p.fn())
	g.connect(b, p)
	if g.o.Timing != TimingNone {
		b.WriteString("  const t0 = Date.now();\n")
	}
	closed := false
	for _, st := range p.steps {
		switch st.kind {
		case stepNote:
			writeWrapped(b, "  // ", "  // ", st.note)
		case stepRequest:
			g.pacing(b, st)
			g.request(b, p, st)
		case stepWait:
			g.wait(b, p, st)
		case stepReconnect:
			writeWrapped(b, "  // ", "  // ", fmt.Sprintf("%s: the client opened its session again, on %s (a reconnection): the session's failover option does that by itself; wait until it has.", st.msg.Where, p.sideOf(st.msg)))
			fmt.Fprintf(b, "  reconnected(s, %s, %d, %d);\n", js(p.fn()+" "+st.msg.Where), p.reconnectsUpTo(st), reconnectTimeoutS)
		case stepClose:
			g.pacing(b, st)
			fmt.Fprintf(b, "  s.close(); // %s\n", st.msg.Where)
			closed = true
		}
	}
	if !closed {
		b.WriteString("  // The capture ends without this client's CLOSE_REQ: the session stays open to the end of\n  // the iteration, then closes.\n")
	}
	b.WriteString("}\n\n")
}

func (g *gen) connect(b *bytes.Buffer, p *plan) {
	o := p.open
	if o == nil {
		opts := []string{"version: " + versionJS(p.c.Version)}
		for _, k := range identityKeys {
			if v := p.identity(k.field); v != "" {
				opts = append(opts, fmt.Sprintf("%s: C%d.%s", k.js, p.n, k.js))
			}
		}
		if len(opts) == 1 {
			opts = append(opts, "mode: 'bridge'")
		}
		if p.peripheral() != 0 {
			opts = append(opts, "peripheralId: PERIPHERAL_ID")
		}
		b.WriteString("  // The capture does not hold this client's OPEN_REQ: it opens with the defaults and the\n  // identity its first request names (or as a bridge client without one). Edit to match the\n  // customer's desktop.\n")
		fmt.Fprintf(b, "  const s = cti.connect(TARGET, { %s });\n", strings.Join(opts, ", "))
		return
	}
	var opts []string
	mode := "agent"
	if p.bridge() {
		mode = "bridge"
	}
	opts = append(opts, "mode: '"+mode+"'", "version: "+versionJS(p.c.Version))
	for _, k := range identityKeys {
		if v := p.identity(k.field); v != "" {
			opts = append(opts, fmt.Sprintf("%s: C%d.%s", k.js, p.n, k.js))
		}
	}
	if p.peripheral() != 0 {
		opts = append(opts, "peripheralId: PERIPHERAL_ID")
	}
	if id := o.str("ClientID"); id != "" {
		opts = append(opts, "clientId: "+js(id))
	}
	if pw := o.str("ClientPassword"); pw != "" {
		opts = append(opts, "password: __ENV.CTI_CLIENT_PASSWORD || ''")
	}
	if sv := rawJS(o, "ServicesRequested"); sv != "" {
		opts = append(opts, "services: "+sv)
	}
	if p.reconnects > 0 {
		opts = append(opts, "failover: true")
	}
	if hb := heartbeatInterval(p.heartbeats); hb > 0 {
		opts = append(opts, fmt.Sprintf("heartbeat: '%ss'", seconds(hb)))
	}
	if it, ok := o.num("IdleTimeout"); ok && it != 0xFFFFFFFF && it > 0 {
		opts = append(opts, fmt.Sprintf("idleTimeout: %d", it))
	}
	b.WriteString("  const s = cti.connect(TARGET, {\n")
	writeList(b, "    ", opts)
	fmt.Fprintf(b, "    masks: {\n      call: %s,\n      agentState: %s,\n      config: %s,\n    },\n",
		rawJS(o, "CallMsgMask"), rawJS(o, "AgentStateMask"), rawJS(o, "ConfigMsgMask"))
	fmt.Fprintf(b, "  }); // %s\n", o.Where)
	if p.openFailed != nil {
		fmt.Fprintf(b, "  // The capture shows this OPEN_REQ refused (%s, %s): cti.connect throws the same way.\n", p.openFailed.Where, p.openFailed.str("Status"))
	}
}

// writeList writes comma-separated items, several per line up to 100 columns.
func writeList(b *bytes.Buffer, indent string, items []string) {
	line := indent
	for i, it := range items {
		_ = i
		sep := ","
		if line != indent && len(line)+1+len(it)+1 > 100 {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += it + sep + " "
	}
	if line != indent {
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

// isZero reports a field whose captured value is 0 or "".
func isZero(raw json.RawMessage) bool {
	t := string(bytes.TrimSpace(raw))
	return t == "0" || t == `""`
}

func versionJS(v cti.Version) string {
	if v == 0 {
		v = cti.DefaultVersion
	}
	if v.IsUCCX() {
		return fmt.Sprintf("'uccx:%d'", v.Number())
	}
	return strconv.Itoa(int(v.Number()))
}

func rawJS(m *Msg, name string) string {
	raw, ok := m.field(name)
	if !ok {
		return "0"
	}
	return string(raw)
}

// heartbeatInterval is the median gap between the captured heartbeats (0 with fewer than two).
func heartbeatInterval(ts []time.Time) time.Duration {
	if len(ts) < 2 {
		return 0
	}
	gaps := make([]time.Duration, 0, len(ts)-1)
	for i := 1; i < len(ts); i++ {
		gaps = append(gaps, ts[i].Sub(ts[i-1]))
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	d := gaps[len(gaps)/2].Round(time.Second)
	if d < time.Second {
		d = time.Second
	}
	return d
}

// reconnectTimeoutS bounds the wait for a reconnection, in seconds: the failover option's own
// defaults give up after two minutes.
const reconnectTimeoutS = 120

// reconnectsUpTo counts the reconnections up to and including st.
func (p *plan) reconnectsUpTo(st *step) int {
	n := 0
	for _, x := range p.steps {
		if x.kind == stepReconnect {
			n++
		}
		if x == st {
			break
		}
	}
	return n
}

// sideOf names the server a message went to.
func (p *plan) sideOf(m *Msg) string {
	for i := range p.c.Msgs {
		if &p.c.Msgs[i] == m {
			if srv := p.c.serverAt(i); srv != "" {
				return srv
			}
		}
	}
	return "the other side"
}

func (g *gen) pacing(b *bytes.Buffer, st *step) {
	if g.o.Timing == TimingNone {
		return
	}
	fmt.Fprintf(b, "  at(t0, %s);\n", seconds(st.at))
}

func (g *gen) request(b *bytes.Buffer, p *plan, st *step) {
	m := st.msg
	var fields []string
	var notes []string
	for _, f := range m.Fields {
		if f.Name == "InvokeID" || isZero(f.Raw) {
			continue // assigned by the session; zero is what an absent field is sent as
		}
		v, note := g.value(p, st, f)
		if note != "" {
			notes = append(notes, note)
		}
		fields = append(fields, f.Name+": "+v)
	}
	for _, n := range notes {
		writeWrapped(b, "  // ", "  // ", n)
	}
	step := p.fn() + " " + m.Where
	call := fmt.Sprintf("s.request(%s, {", js(m.Name))
	decl := ""
	if st.name != "" {
		decl = "const " + st.name + " = "
	}
	b.WriteString("  " + decl + "reply(" + js(step) + ", " + call + "\n")
	writeList(b, "    ", fields)
	b.WriteString("  })")
	if st.reply == nil {
		b.WriteString(", null); // the capture holds no reply\n")
		return
	}
	want := st.reply.Name
	code := ""
	switch want {
	case "FAILURE_CONF":
		code = st.reply.str("Status")
		if code == "" {
			if n, ok := st.reply.num("Status"); ok {
				code = (&client.FailureError{Status: cti.Status(n)}).CodeName()
			}
		}
	case "CONTROL_FAILURE_CONF":
		code = st.reply.str("FailureCode")
		if code == "" {
			if n, ok := st.reply.num("FailureCode"); ok {
				code = (&client.ControlFailureError{Code: cti.ControlFailure(n)}).CodeName()
			}
		}
	}
	if code != "" {
		fmt.Fprintf(b, ", %s, %s); // %s\n", js(want), js(code), st.reply.Where)
	} else {
		fmt.Fprintf(b, ", %s); // %s\n", js(want), st.reply.Where)
	}
}

// deviceField names the fields that carry an agent ID or a device: their captured values are
// replaced by the clients' identities.
func deviceField(name string) bool {
	for _, s := range []string{"AgentID", "Instrument", "Extension", "DeviceID", "DialedNumber", "Device"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// value renders one request field: passwords from the environment, call IDs from the event or
// reply that brought them, identities and the peripheral from the constants, the rest as captured.
func (g *gen) value(p *plan, st *step, f Field) (string, string) {
	switch {
	case strings.HasSuffix(f.Name, "Password"):
		return "AGENT_PASSWORD", ""
	case strings.HasSuffix(f.Name, "CallID"):
		id, ok := st.msg.num(f.Name)
		if !ok || id == 0 || id == 0xFFFFFFFF {
			return string(f.Raw), ""
		}
		if ref, ok := p.calls[id]; ok && ref.st != st && ref.st.name != "" {
			if ref.reply {
				return ref.st.name + ".message." + ref.field, ""
			}
			return ref.st.name + "." + ref.field, ""
		}
		return string(f.Raw), fmt.Sprintf("%s: call ID %d was not seen by this client before: sent as captured", f.Name, id)
	case f.Name == "PeripheralID":
		if n, ok := st.msg.num(f.Name); ok && n == p.peripheral() && n != 0 {
			return "PERIPHERAL_ID", ""
		}
	case deviceField(f.Name):
		var s string
		if json.Unmarshal(f.Raw, &s) == nil && s != "" {
			if expr, ok := g.ids[s]; ok {
				return expr, ""
			}
		}
	}
	return string(f.Raw), ""
}

func (g *gen) wait(b *bytes.Buffer, p *plan, st *step) {
	m := st.msg
	timeout := time.Duration(math.Ceil((3 * st.wait).Seconds())) * time.Second
	if timeout < 10*time.Second {
		timeout = 10 * time.Second
	}
	if st.inbound {
		b.WriteString("  // An inbound call from the network: the simulator's call generator places it (options.simulator),\n  // against a lab server your call generator must.\n")
	}
	expect := ""
	if m.Name == "AGENT_STATE_EVENT" {
		if s := m.str("AgentState"); s != "" {
			expect = ", { AgentState: " + js(s) + " }"
		}
	}
	decl := ""
	if st.name != "" {
		decl = "const " + st.name + " = "
	}
	fmt.Fprintf(b, "  %sevent(s, %s, %s, '%s'%s);\n", decl, js(p.fn()+" "+m.Where), js(m.Name), timeout, expect)
}

// atHelper paces a script whose timing is not none.
const atHelper = `// at sleeps until offset seconds after t0, the captured time of the step.
function at(t0, offset) {
  const ms = t0 + offset * 1000 - Date.now();
  if (ms > 0) {
    sleep(ms / 1000);
  }
}

`

// helpers are the functions every generated script ends with.
const helpers = `// reply checks a request's result against the captured reply: the same message type and, for
// a failure, the same code.
function reply(step, r, want, code) {
  if (want === null) {
    return r;
  }
  const got = r.ok ? r.message.name : r.codeName;
  const name = code ? ` + "`${step}: ${want} ${code}`" + ` : ` + "`${step}: ${want}`" + `;
  const same = code ? !r.ok && r.codeName === code : r.ok && r.message.name === want;
  if (!check(r, { [name]: () => same })) {
    console.warn(` + "`${step}: the capture shows ${code || want}, the server answered ${got}${r.error ? ': ' + r.error : ''}`" + `);
  }
  return r;
}

// event waits for the next event called name and checks that it came (and its expected fields).
function event(s, step, name, timeout, expected = {}) {
  const ev = s.waitFor(name, { timeout });
  const checks = { [` + "`${step}: ${name}`" + `]: (e) => e !== null };
  for (const [field, want] of Object.entries(expected)) {
    checks[` + "`${step}: ${name} ${field} ${want}`" + `] = (e) => e !== null && e[field] === want;
  }
  if (!check(ev, checks) && ev !== null) {
    console.warn(` + "`${step}: ${JSON.stringify(ev)}`" + `);
  }
  return ev;
}

// reconnected waits until the session has reconnected n times (the captured client did), and
// checks it did.
function reconnected(s, step, n, timeoutS) {
  const until = Date.now() + timeoutS * 1000;
  while (s.stats().reconnects < n && !s.closed && Date.now() < until) {
    sleep(0.05);
  }
  check(s.stats(), { [` + "`${step}: reconnected`" + `]: (st) => st.reconnects >= n });
}

// identity is client n's identity: C<n>_AGENT_ID, C<n>_EXTENSION, C<n>_INSTRUMENT from the
// environment, else row n of CLIENTS_CSV, else the captured value.
function identity(n, captured) {
  const env = { agentId: 'AGENT_ID', extension: 'EXTENSION', instrument: 'INSTRUMENT' };
  const row = ROWS[n - 1] || {};
  const out = {};
  for (const [key, value] of Object.entries(captured)) {
    out[key] = __ENV[` + "`C${n}_${env[key]}`" + `] || row[key] || value;
  }
  return out;
}
`
