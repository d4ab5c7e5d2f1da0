package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/jsapi"
	"github.com/ctiload/ctiload/reports"
	"github.com/spf13/pflag"
)

// embeddedSimFlags shape the simulator `ctiload run` starts in-process when there is no
// --target: sim's own flags (simFlags, sim.go) under a "sim-" prefix, plus the duplex pair and
// timed fail-overs. A script sets the same things in options.simulator, by the flag names in
// camelCase ({agents: 20, callRate: '2/s', failRate: ['SET_AGENT_STATE_REQ=5%']}); flags and
// CTILOAD_SIM_* variables win over the script.
type embeddedSimFlags struct {
	fs            *pflag.FlagSet
	f             simFlags
	duplex        bool
	failoverAfter time.Duration
	failAAfter    time.Duration
	failbackAfter time.Duration
	maintAfter    time.Duration
	maintNotice   time.Duration
	pgOffAfter    time.Duration
	pgOffFor      time.Duration
}

// defaultMaintenanceNotice is how long before a planned side switch the sessions are warned.
const defaultMaintenanceNotice = 5 * time.Second

func (e *embeddedSimFlags) register(fl *pflag.FlagSet) {
	e.fs = fl
	f := &e.f
	f.registerServer(fl, "sim-")
	fl.UintSliceVar(&f.versions, "sim-version", nil, "same as --sim-versions")
	_ = fl.MarkHidden("sim-version")
	fl.Lookup("sim-version").DefValue = ""
	fl.BoolVar(&e.duplex, "sim-duplex", false, "run a duplex pair: side A active, side B standby; the default target becomes \"A,B\"")
	fl.DurationVar(&e.failoverAfter, "sim-failover-after", 0, "duplex: fail over to side B this long after the scenarios start")
	fl.DurationVar(&e.failAAfter, "sim-fail-a-after", 0, "duplex: crash side A this long after the scenarios start")
	fl.DurationVar(&e.failbackAfter, "sim-failback-after", 0, "duplex: side A active again (B standby) this long after the scenarios start, after --sim-failover-after")
	fl.DurationVar(&e.maintAfter, "sim-maintenance-after", 0, "duplex: a planned side switch this long after the scenarios start: side A's v24+ sessions get ACTIVE_MAINTENANCE_EVENT_MSG, then after --sim-maintenance-notice A goes standby and B active")
	fl.DurationVar(&e.maintNotice, "sim-maintenance-notice", defaultMaintenanceNotice, "duplex: how long after the ACTIVE_MAINTENANCE_EVENT_MSG of --sim-maintenance-after the sides switch")
	fl.DurationVar(&e.pgOffAfter, "sim-pg-offline-after", 0, "take the peripheral offline this long after the scenarios start: SYSTEM_EVENT PERIPHERAL_OFFLINE to every session, requests refused E_CTI_CTI_SERVER_OFFLINE")
	fl.DurationVar(&e.pgOffFor, "sim-pg-offline-for", 0, "the peripheral comes back online (SYSTEM_EVENT PERIPHERAL_ONLINE) after this long offline (0: stays offline)")
}

// names returns the flags of the simulator, without their "sim-" prefix, sorted.
func (e *embeddedSimFlags) flagNames() []string {
	var out []string
	e.fs.VisitAll(func(f *pflag.Flag) {
		if n, ok := strings.CutPrefix(f.Name, "sim-"); ok && !f.Hidden {
			out = append(out, n)
		}
	})
	slices.Sort(out)
	return out
}

// changedFlags returns the simulator flags given on the command line or in the environment.
func (e *embeddedSimFlags) changedFlags() []string {
	var out []string
	e.fs.VisitAll(func(f *pflag.Flag) {
		if strings.HasPrefix(f.Name, "sim-") && f.Changed {
			out = append(out, "--"+f.Name)
		}
	})
	return out
}

// camelToKebab turns "callRate" into "call-rate".
func camelToKebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func kebabToCamel(s string) string {
	parts := strings.Split(s, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// applyScript sets the flags the script's options.simulator gives, unless the command line or
// the environment gave them.
func (e *embeddedSimFlags) applyScript(raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("options.simulator: want an object such as {agents: 20, callRate: '2/s'}: %v", err)
	}
	var errs []error
	for _, key := range sortedKeys(obj) {
		name := "sim-" + camelToKebab(key)
		f := e.fs.Lookup(name)
		if f == nil || f.Hidden && name != "sim-version" {
			var known []string
			for _, n := range e.flagNames() {
				known = append(known, kebabToCamel(n))
			}
			if s := suggest(key, known); s != "" {
				errs = append(errs, fmt.Errorf("options.simulator: unknown key %q: did you mean %q?", key, s))
			} else {
				errs = append(errs, fmt.Errorf("options.simulator: unknown key %q (want one of %s)", key, strings.Join(known, ", ")))
			}
			continue
		}
		if f.Changed {
			continue // the command line or the environment wins
		}
		vals, err := jsonFlagValues(obj[key])
		if err != nil {
			errs = append(errs, fmt.Errorf("options.simulator.%s: %v", key, err))
			continue
		}
		if f.Value.Type() != "stringArray" {
			vals = []string{strings.Join(vals, ",")}
		}
		for _, v := range vals {
			if err := e.fs.Set(name, v); err != nil {
				var cause error = err
				if ive := (*pflag.InvalidValueError)(nil); errors.As(err, &ive) {
					cause = ive.Unwrap()
				}
				errs = append(errs, fmt.Errorf("options.simulator.%s: invalid value %q: %s", key, v, valueHint(f, cause)))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// jsonFlagValues turns a JSON value into flag values: a scalar into one, an array into one per
// element, an object {MSG: RULE} into "MSG=RULE" ones.
func jsonFlagValues(raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	scalar := func(x any) (string, error) {
		switch y := x.(type) {
		case string:
			return y, nil
		case json.Number:
			return y.String(), nil
		case bool:
			return fmt.Sprint(y), nil
		}
		return "", fmt.Errorf("want a string, a number or true/false, got %s", raw)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		var out []string
		for _, el := range x {
			s, err := scalar(el)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		var out []string
		for _, k := range sortedKeys(x) {
			s, err := scalar(x[k])
			if err != nil {
				return nil, err
			}
			out = append(out, k+"="+s)
		}
		return out, nil
	}
	s, err := scalar(v)
	return []string{s}, err
}

// simPlan is the built-in simulator a run starts.
type simPlan struct {
	cfg           sim.Config
	duplex        bool
	failoverAfter time.Duration
	failAAfter    time.Duration
	failbackAfter time.Duration
	maintAfter    time.Duration
	maintNotice   time.Duration
	pgOffAfter    time.Duration
	pgOffFor      time.Duration
	faults        string // the fault flags, for the report header
}

// plan builds the simulator's configuration from the script's options.simulator and the flags;
// the simulator gets the run's seed.
func (e *embeddedSimFlags) plan(script json.RawMessage, seed int64) (*simPlan, error) {
	var errs []error
	if err := e.applyScript(script); err != nil {
		errs = append(errs, err)
	}
	e.f.seed = seed
	cfg, err := e.f.config()
	if err != nil {
		errs = append(errs, simFlagNames(err))
	}
	if (e.failoverAfter > 0 || e.failAAfter > 0 || e.failbackAfter > 0 || e.maintAfter > 0) && !e.duplex {
		errs = append(errs, errors.New("--sim-failover-after, --sim-fail-a-after, --sim-failback-after and --sim-maintenance-after need a duplex simulator (--sim-duplex, or options.simulator.duplex: true)"))
	}
	if e.maintNotice < 0 {
		errs = append(errs, fmt.Errorf("--sim-maintenance-notice %s: want a duration of 0 or more", e.maintNotice))
	}
	switch {
	case e.failbackAfter <= 0:
	case e.maintAfter > 0 && e.failoverAfter <= 0:
		if e.failbackAfter <= e.maintAfter+e.maintNotice {
			errs = append(errs, fmt.Errorf("--sim-failback-after %s must come after the switch of --sim-maintenance-after %s + --sim-maintenance-notice %s", e.failbackAfter, e.maintAfter, e.maintNotice))
		}
	case e.failoverAfter <= 0 || e.failbackAfter <= e.failoverAfter:
		errs = append(errs, fmt.Errorf("--sim-failback-after %s must come after --sim-failover-after %s", e.failbackAfter, e.failoverAfter))
	}
	if e.pgOffFor > 0 && e.pgOffAfter <= 0 {
		errs = append(errs, fmt.Errorf("--sim-pg-offline-for %s needs --sim-pg-offline-after (when the peripheral goes offline)", e.pgOffFor))
	}
	var faults []string
	for _, name := range []string{"sim-fail-rate", "sim-latency", "sim-drop-rate", "sim-drop-after", "sim-refuse-open-rate", "sim-slow-read-rate"} {
		if f := e.fs.Lookup(name); f != nil && f.Changed {
			v := f.Value.String()
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				v = strings.Join(sv.GetSlice(), " ")
			}
			faults = append(faults, strings.TrimPrefix(name, "sim-")+" "+v)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &simPlan{cfg: cfg, duplex: e.duplex, failoverAfter: e.failoverAfter, failAAfter: e.failAAfter,
		failbackAfter: e.failbackAfter, maintAfter: e.maintAfter, maintNotice: e.maintNotice, pgOffAfter: e.pgOffAfter, pgOffFor: e.pgOffFor,
		faults: strings.Join(faults, ", ")}, nil
}

// simFlagNames renames the flags in sim's messages ("--fail-rate: …") to run's ("--sim-fail-rate:
// …"); other messages get a "simulator: " prefix.
func simFlagNames(err error) error {
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	var out []error
	for _, e := range list {
		msg := withSimPrefix(e.Error())
		if strings.HasPrefix(msg, "--sim-") {
			out = append(out, errors.New(msg))
		} else {
			out = append(out, fmt.Errorf("simulator: %s", msg))
		}
	}
	return errors.Join(out...)
}

// simFlag finds the flag names in the simulator's messages ("change --dialed-number").
var simFlag = regexp.MustCompile(`(^|[\s(])--([a-z])`)

// withSimPrefix names sim's flags as run spells them: --dialed-number becomes
// --sim-dialed-number, so that a conflict names the flag the user can change.
func withSimPrefix(msg string) string { return simFlag.ReplaceAllString(msg, "${1}--sim-${2}") }

// suggest returns the known name closest to name, if it is close: a typo or a missing 's'.
func suggest(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// embeddedSim is a running built-in simulator.
type embeddedSim struct {
	plan   *simPlan
	addrs  []string
	srv    *sim.Server
	duplex *sim.Duplex
}

// start starts the simulator on free loopback ports.
func (sp *simPlan) start() (*embeddedSim, error) {
	es := &embeddedSim{plan: sp}
	if sp.duplex {
		d, err := sim.NewDuplex(sp.cfg)
		if err != nil {
			return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("built-in simulator: %s", withSimPrefix(err.Error()))}
		}
		if err := d.Listen("127.0.0.1:0", "127.0.0.1:0"); err != nil {
			d.Close()
			return nil, &exitError{code: exitEngineError, err: fmt.Errorf("built-in simulator: %w", err)}
		}
		a, b := d.Addrs()
		es.duplex, es.addrs = d, []string{a, b}
		return es, nil
	}
	srv, err := sim.New(sp.cfg)
	if err != nil {
		return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("built-in simulator: %s", withSimPrefix(err.Error()))}
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		srv.Close()
		return nil, &exitError{code: exitEngineError, err: fmt.Errorf("built-in simulator: %w", err)}
	}
	es.srv, es.addrs = srv, []string{srv.Addr()}
	return es, nil
}

// target is the address VUs connect to: "A" or "A,B".
func (es *embeddedSim) target() string { return strings.Join(es.addrs, ",") }

// config is the running simulator's configuration, defaults filled in.
func (es *embeddedSim) config() sim.Config {
	if es.duplex != nil {
		return es.duplex.A.Config()
	}
	return es.srv.Config()
}

// peripheralID is the simulated peripheral, for sessions whose script gives none.
func (es *embeddedSim) peripheralID() uint32 { return es.config().PeripheralID }

// scriptInfo is cti.simulator: the numbers the simulator answers to, for the script.
func (es *embeddedSim) scriptInfo() *jsapi.SimulatorInfo {
	cfg := es.config()
	return &jsapi.SimulatorInfo{Product: cfg.Product.String(), Target: es.target(), Agents: cfg.Agents.Count,
		FirstAgentID: cfg.Agents.FirstID, FirstExtension: cfg.Agents.FirstExtension,
		DialedNumber: cfg.Calls.DialedNumber, PeripheralID: cfg.PeripheralID}
}

func (es *embeddedSim) info() *reports.SimulatorInfo {
	cfg := es.config()
	product := cfg.Product.String()
	if es.duplex != nil {
		product += " duplex"
	}
	return &reports.SimulatorInfo{Addrs: es.addrs, Product: product, Agents: cfg.Agents.Count, CallRate: cfg.Calls.Rate, Faults: es.plan.faults}
}

// watch triggers the timed fail-overs, fail-back and peripheral outage once the scenarios have
// run that long.
func (es *embeddedSim) watch(elapsed func() time.Duration, done <-chan struct{}) {
	type timed struct {
		at time.Duration
		do func()
	}
	var acts []timed
	p := es.plan
	if d := es.duplex; d != nil {
		if p.failoverAfter > 0 {
			acts = append(acts, timed{p.failoverAfter, d.Failover})
		}
		if p.failAAfter > 0 {
			acts = append(acts, timed{p.failAAfter, d.FailA})
		}
		if p.failbackAfter > 0 {
			acts = append(acts, timed{p.failbackAfter, d.Failback})
		}
		if p.maintAfter > 0 {
			acts = append(acts, timed{p.maintAfter, func() { d.Maintenance(p.maintNotice) }})
		}
	}
	if p.pgOffAfter > 0 {
		dur := p.pgOffFor
		if dur <= 0 {
			dur = -1 // offline until the run ends
		}
		acts = append(acts, timed{p.pgOffAfter, func() {
			if es.duplex != nil {
				es.duplex.SetPGOffline(dur)
			} else {
				es.srv.SetPGOffline(dur)
			}
		}})
	}
	if len(acts) == 0 {
		return
	}
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for len(acts) > 0 {
			select {
			case <-done:
				return
			case <-t.C:
			}
			acts = slices.DeleteFunc(acts, func(a timed) bool {
				if elapsed() >= a.at {
					a.do()
					return true
				}
				return false
			})
		}
	}()
}

// countersJSON is the simulator's counters for the summary (nil if they do not marshal).
func (es *embeddedSim) countersJSON() json.RawMessage {
	var c sim.Counters
	if es.duplex != nil {
		c = es.duplex.Counters()
	} else {
		c = es.srv.Counters()
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil
	}
	return b
}

func (es *embeddedSim) close() {
	if es.duplex != nil {
		es.duplex.Close()
	}
	if es.srv != nil {
		es.srv.Close()
	}
}
