package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ctiload/ctiload/cti"
)

// Faults are injected on demand, from Config.Faults or at run time with Server.SetFaults. Every
// injected fault is counted under Counters.Faults by kind ("latency", "fail", "drop",
// "refuse_open", "slow_read", "pg_offline", "standby"), so that a test can compare what the client
// saw with what the server did. The zero value injects nothing.
type Faults struct {
	// Latency delays the processing of a request of the given type (its confirmation and the
	// events it causes come that much later). The key 0 applies to every request type that has no
	// entry of its own. A connection's requests are still served in order, so a slow request
	// delays the ones behind it, as a server serving one connection at a time would.
	Latency map[cti.MsgType]Dist
	// Fail answers a share of the requests of a type with a failure instead of serving them.
	Fail map[cti.MsgType]FailRule
	// DropRate is the probability, per request, that the server drops the connection (TCP close,
	// no answer) instead of serving the request.
	DropRate float64
	// DropAfter drops each connection when its DropAfter-th request (OPEN_REQ included) arrives
	// (0: never).
	DropAfter int
	// RefuseOpenRate is the probability that an OPEN_REQ is refused with RefuseOpenStatus.
	RefuseOpenRate float64
	// RefuseOpenStatus is the FAILURE_CONF status of a refused open (default
	// E_CTI_UNSPECIFIED_FAILURE).
	RefuseOpenStatus cti.Status
	// SlowReadRate is the probability, per request, that the server then stops reading the
	// connection for a while (SlowRead), as an overloaded server would.
	SlowReadRate float64
	// SlowRead is how long the server stops reading (default 1 s).
	SlowRead Dist
}

// FailRule makes a share of one request type fail.
type FailRule struct {
	// Rate is the probability (0…1) that a request fails.
	Rate float64
	// Control answers CONTROL_FAILURE_CONF with ControlCode; otherwise FAILURE_CONF with Status.
	Control     bool
	Status      cti.Status         // default E_CTI_UNSPECIFIED_FAILURE
	ControlCode cti.ControlFailure // e.g. CF_GENERIC_UNSPECIFIED
}

// Fault kinds, the keys of Counters.Faults.
const (
	FaultLatency     = "latency"
	FaultFail        = "fail"
	FaultDrop        = "drop"
	FaultRefuseOpen  = "refuse_open"
	FaultSlowRead    = "slow_read"
	FaultPGOffline   = "pg_offline"
	FaultStandby     = "standby"
	FaultMaintenance = "maintenance" // a planned side switch announced (Duplex.Maintenance)
)

func (f *Faults) validate() error {
	var errs []error
	rate := func(name string, r float64) {
		if r < 0 || r > 1 {
			errs = append(errs, fmt.Errorf("sim: Faults.%s %v is not a probability", name, r))
		}
	}
	rate("DropRate", f.DropRate)
	rate("RefuseOpenRate", f.RefuseOpenRate)
	rate("SlowReadRate", f.SlowReadRate)
	if f.DropAfter < 0 {
		errs = append(errs, errors.New("sim: Faults.DropAfter must not be negative"))
	}
	for t, r := range f.Fail {
		rate("Fail["+t.String()+"].Rate", r.Rate)
	}
	for t, d := range f.Latency {
		if err := d.validate(); err != nil {
			errs = append(errs, fmt.Errorf("sim: Faults.Latency[%s]: %w", t, err))
		}
	}
	if err := f.SlowRead.validate(); err != nil {
		errs = append(errs, fmt.Errorf("sim: Faults.SlowRead: %w", err))
	}
	return errors.Join(errs...)
}

// faultState is an immutable, normalised copy of Faults read without locks on every request.
type faultState struct {
	Faults
	latency [maxMsgType]*Dist
	latAll  *Dist
	fail    [maxMsgType]*FailRule
	any     bool // anything at all to draw for a request
}

func newFaultState(f Faults) *faultState {
	fs := &faultState{Faults: f}
	if fs.RefuseOpenStatus == 0 {
		fs.RefuseOpenStatus = cti.ECTIUnspecifiedFailure
	}
	if fs.SlowRead.IsZero() {
		fs.SlowRead = Fixed(1e9)
	}
	for t, d := range f.Latency {
		d := d
		if d.IsZero() {
			continue
		}
		if t == 0 {
			fs.latAll = &d
		} else if t < maxMsgType {
			fs.latency[t] = &d
		}
		fs.any = true
	}
	for t, r := range f.Fail {
		r := r
		if r.Rate <= 0 || t >= maxMsgType {
			continue
		}
		if !r.Control && r.Status == 0 {
			r.Status = cti.ECTIUnspecifiedFailure
		}
		fs.fail[t] = &r
		fs.any = true
	}
	if f.DropRate > 0 || f.DropAfter > 0 || f.SlowReadRate > 0 {
		fs.any = true
	}
	return fs
}

func (fs *faultState) latencyFor(t cti.MsgType) *Dist {
	if t < maxMsgType && fs.latency[t] != nil {
		return fs.latency[t]
	}
	return fs.latAll
}

// ParseFailRule reads MSG=RATE[:CODE], for example "SET_AGENT_STATE_REQ=0.05:CF_INVALID_AGENT_WORK_MODE"
// or "HEARTBEAT_REQ=1%:E_CTI_TIMEOUT". CODE is an E_CTI_* name (FAILURE_CONF) or a CF_* name
// (CONTROL_FAILURE_CONF); without it the status is E_CTI_UNSPECIFIED_FAILURE.
func ParseFailRule(s string) (cti.MsgType, FailRule, error) {
	name, rest, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return 0, FailRule{}, fmt.Errorf("invalid failure rule %q: want MSG=RATE[:CODE]", s)
	}
	t, ok := cti.LookupMsgType(name)
	if !ok {
		return 0, FailRule{}, fmt.Errorf("invalid failure rule %q: unknown message type %q", s, name)
	}
	rateStr, code, _ := strings.Cut(rest, ":")
	r, err := parseRate01(rateStr)
	if err != nil {
		return 0, FailRule{}, fmt.Errorf("invalid failure rule %q: %w", s, err)
	}
	rule := FailRule{Rate: r}
	code = strings.ToUpper(strings.TrimSpace(code))
	switch {
	case code == "":
	case strings.HasPrefix(code, "CF_"):
		cf, ok := cti.ParseControlFailure(code)
		if !ok {
			return 0, FailRule{}, fmt.Errorf("invalid failure rule %q: unknown control failure code %q", s, code)
		}
		rule.Control, rule.ControlCode = true, cf
	default:
		st, ok := cti.ParseStatus(code)
		if !ok {
			return 0, FailRule{}, fmt.Errorf("invalid failure rule %q: unknown status %q", s, code)
		}
		rule.Status = st
	}
	return t, rule, nil
}

// ParseLatency reads MSG=DIST, for example "SET_AGENT_STATE_REQ=10ms..50ms"; MSG "*" (or "ALL")
// applies to every request type (key 0 of Faults.Latency).
func ParseLatency(s string) (cti.MsgType, Dist, error) {
	name, rest, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return 0, Dist{}, fmt.Errorf("invalid latency %q: want MSG=DIST", s)
	}
	var t cti.MsgType
	if name != "*" && !strings.EqualFold(name, "all") {
		t, ok = cti.LookupMsgType(name)
		if !ok {
			return 0, Dist{}, fmt.Errorf("invalid latency %q: unknown message type %q", s, name)
		}
	}
	d, err := ParseDist(rest)
	if err != nil {
		return 0, Dist{}, fmt.Errorf("invalid latency %q: %w", s, err)
	}
	return t, d, nil
}

// ParseRate reads a call rate: "5/s", "300/m", "18000/h" or a plain number of calls per second.
func ParseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	per := 1.0
	if n, unit, ok := strings.Cut(t, "/"); ok {
		t = n
		switch strings.TrimSpace(unit) {
		case "s", "sec", "1s":
		case "m", "min", "1m":
			per = 60
		case "h", "1h":
			per = 3600
		default:
			return 0, fmt.Errorf("invalid rate %q: unit must be /s, /m or /h", s)
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid rate %q: want a non-negative number such as 5/s", s)
	}
	return f / per, nil
}

// parseRate01 reads a probability as 0.05 or 5%.
func parseRate01(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	if strings.HasSuffix(t, "%") {
		t, scale = strings.TrimSuffix(t, "%"), 100
	}
	f, err := strconv.ParseFloat(t, 64)
	f /= scale
	if err != nil || f < 0 || f > 1 {
		return 0, fmt.Errorf("rate %q is not a probability between 0 and 1 (or 0%%…100%%)", s)
	}
	return f, nil
}
