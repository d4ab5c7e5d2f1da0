package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// Session defaults. The command line takes its flag defaults from these, so that the CLI adds
// nothing the library lacks (vegeta style).
const (
	// DefaultHeartbeat is the HEARTBEAT_REQ interval. docs/protocol/session.md: the minimum a real
	// server accepts is 5 s, and IdleTimeout is "typically 4 × the heartbeat interval", which makes
	// 5 s the interval that yields the smallest accepted IdleTimeout (20 s).
	DefaultHeartbeat = 5 * time.Second
	// MinHeartbeat is the protocol's minimum heartbeat interval (§1, §10). [WithHeartbeat] accepts
	// shorter intervals, which only a test server tolerates.
	MinHeartbeat = 5 * time.Second
	// MaxMissedHeartbeats unanswered heartbeats in a row declare the link failed (§10).
	MaxMissedHeartbeats = 3
	// MinIdleTimeout is the smallest IdleTimeout a UCCE server accepts (§10: below 20 s it answers
	// E_CTI_INVALID_TIMEOUT). The computed default never goes below it.
	MinIdleTimeout = 20 * time.Second
	// MaxUCCXIdleTimeout is the OPEN_REQ IdleTimeout (seconds) from which a UCCX server refuses
	// the open (§10: UCCX wants it below 120 s).
	MaxUCCXIdleTimeout uint32 = 120
	// NoIdleTimeout is the OPEN_REQ IdleTimeout that tells the server the client sends no
	// heartbeats (0xFFFFFFFF, §6 OPEN_REQ).
	NoIdleTimeout uint32 = 0xFFFFFFFF
	// NullPeripheralID is the OPEN_REQ PeripheralID of a session without CLIENT_EVENTS (§6).
	NullPeripheralID uint32 = 0xFFFFFFFF

	// DefaultRequestTimeout bounds the wait for a request's reply. §10: a call-control request
	// may take 10 to 15 seconds to be answered (UCCX), so the default sits at the upper end.
	DefaultRequestTimeout = 15 * time.Second
	// DefaultConnectTimeout bounds one TCP connect (and TLS handshake) to one side.
	DefaultConnectTimeout = 10 * time.Second
	// DefaultOpenTimeout bounds the wait for OPEN_CONF. §10: clients should allow at least 30 s
	// (at least 60 s when more than 500 clients connect — raise it for large ramps).
	DefaultOpenTimeout = 30 * time.Second
	// DefaultCloseTimeout bounds the wait for CLOSE_CONF (§10: "at most 5 s").
	DefaultCloseTimeout = 5 * time.Second
	// DefaultEventBacklog is how many unclaimed events a session keeps for later waits.
	DefaultEventBacklog = 1024
	// DefaultClientID is the OPEN_REQ ClientID when [WithClient] is not given.
	DefaultClientID = "ctiload"

	// DefaultAgentServices are the services an agent-mode session requests.
	DefaultAgentServices = cti.CTIServiceClientEvents | cti.CTIServiceClientControl
	// DefaultBridgeServices are the services a bridge-mode (monitor) session requests.
	DefaultBridgeServices = cti.CTIServiceAllEvents
	// DefaultCallEventMask asks for the sixteen classic call events (CALL_DELIVERED …
	// CALL_DATA_UPDATE), which every protocol version knows; newer bits are refused by older
	// servers with E_CTI_INVALID_CALL_MSG_MASK.
	DefaultCallEventMask cti.CallEventMask = 0xFFFF
	// DefaultAgentStateMask asks for the voice agent states LOGIN … HOLD.
	DefaultAgentStateMask cti.AgentStateMask = 0x3FF
)

// Option configures a [Session]; pass options to [Dial].
type Option func(*config)

// Agent is the identity of an agent-mode session: the agent desktop's phone and agent.
type Agent struct {
	ID           string // AgentID (tag 5; LongAgentID tag 194 for Unified CCX)
	Extension    string // AgentExtension (tag 4)
	Instrument   string // AgentInstrument (tag 6)
	PeripheralID uint32 // PeripheralID of the agent's peripheral (required for CLIENT_EVENTS)
}

// config is what the options produce; a session keeps its own copy.
type config struct {
	version         cti.Version
	agent           *Agent
	bridge          bool
	services        cti.ServiceMask
	servicesSet     bool
	callMask        cti.CallEventMask
	agentMask       cti.AgentStateMask
	configMask      cti.ConfigMask
	clientID        string
	clientPassword  string
	heartbeat       time.Duration
	idleTimeout     time.Duration
	requestTimeout  time.Duration
	connectTimeout  time.Duration
	openTimeout     time.Duration
	closeTimeout    time.Duration
	tls             *tls.Config
	failover        *FailoverPolicy
	backlog         int
	eventHandler    func(Event)
	observer        Observer
	onReconnect     func(ReconnectInfo)
	onHeartbeat     func(rtt time.Duration)
	onLinkLoss      func(LinkLoss)
	onMalformed     func(MalformedFrame)
	label           string
	maxMessageSize  int
	dial            func(ctx context.Context, network, addr string) (net.Conn, error)
	errs            []error
	idleTimeoutWire uint32 // computed by finish
}

func newConfig(opts []Option) (*config, error) {
	c := &config{
		version:        cti.DefaultVersion,
		callMask:       DefaultCallEventMask,
		agentMask:      DefaultAgentStateMask,
		clientID:       DefaultClientID,
		heartbeat:      DefaultHeartbeat,
		requestTimeout: DefaultRequestTimeout,
		connectTimeout: DefaultConnectTimeout,
		openTimeout:    DefaultOpenTimeout,
		closeTimeout:   DefaultCloseTimeout,
		backlog:        DefaultEventBacklog,
		maxMessageSize: cti.DefaultMaxMessageSize,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	c.finish()
	if len(c.errs) > 0 {
		// k6 Validate style: report every mistake at once.
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(c.errs...))
	}
	return c, nil
}

func (c *config) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// finish fills defaults that depend on other options and checks the combination.
func (c *config) finish() {
	// Seed 001 / §10: agent-mode fields must not be set for a bridge-mode client. Refusing here
	// means nothing is sent to a server for a configuration it would reject anyway.
	if c.bridge && c.agent != nil {
		c.errorf("bridge mode (ALL_EVENTS) and agent mode (WithAgent) are mutually exclusive")
	}
	if !c.servicesSet {
		switch {
		case c.bridge:
			c.services = DefaultBridgeServices
		case c.agent != nil:
			c.services = DefaultAgentServices
		default:
			c.errorf("no session mode: give WithAgent, WithBridgeMode or WithServices")
		}
	}
	if c.bridge && c.services&cti.CTIServiceClientEvents != 0 {
		c.errorf("bridge mode cannot request CTI_SERVICE_CLIENT_EVENTS (agent mode)")
	}
	if c.agent != nil && c.agent.ID == "" && c.agent.Extension == "" && c.agent.Instrument == "" {
		// §10 (UCCX): agent mode needs at least one of AgentExtension, AgentID, AgentInstrument.
		c.errorf("agent mode needs at least one of Agent.ID, Agent.Extension, Agent.Instrument")
	}
	if c.version.Number() == 0 {
		c.errorf("protocol version 0 is not valid")
	}
	// IdleTimeout, §10: typically 4 × the heartbeat interval, below 20 s rejected, 0xFFFFFFFF when
	// the client sends no heartbeats.
	switch {
	case c.idleTimeout < 0:
		c.idleTimeoutWire = NoIdleTimeout
	case c.idleTimeout > 0:
		c.idleTimeoutWire = durationSeconds(c.idleTimeout)
	case c.heartbeat <= 0:
		c.idleTimeoutWire = NoIdleTimeout
	default:
		d := 4 * c.heartbeat
		if d < MinIdleTimeout {
			d = MinIdleTimeout
		}
		c.idleTimeoutWire = durationSeconds(d)
	}
	// UCCX refuses an IdleTimeout of 120 s or more (§10, E_CTI_INVALID_TIMEOUT): one asked for is
	// an error naming the limit; one derived from a long heartbeat is capped below it.
	if c.version.IsUCCX() && c.idleTimeoutWire != NoIdleTimeout && c.idleTimeoutWire >= MaxUCCXIdleTimeout {
		if c.idleTimeout > 0 {
			c.errorf("idle timeout %v: a Unified CCX server refuses %d s or more (E_CTI_INVALID_TIMEOUT); ask for at most %d s", c.idleTimeout, MaxUCCXIdleTimeout, MaxUCCXIdleTimeout-1)
		} else {
			c.idleTimeoutWire = MaxUCCXIdleTimeout - 1
		}
	}
	if c.maxMessageSize <= cti.HeaderSize {
		c.maxMessageSize = cti.DefaultMaxMessageSize
	}
}

// durationSeconds rounds d up to whole seconds for the wire, below the 0xFFFFFFFF sentinel.
func durationSeconds(d time.Duration) uint32 {
	s := math.Ceil(d.Seconds())
	if s >= float64(NoIdleTimeout) {
		return NoIdleTimeout - 1
	}
	return uint32(s)
}

// clientIdle is how long the client tolerates silence from the server before declaring the link
// dead; 0 when the session does not heartbeat (then only the server's silence is not checked).
func (c *config) clientIdle() time.Duration {
	if c.heartbeat <= 0 || c.idleTimeoutWire == NoIdleTimeout {
		return 0
	}
	return time.Duration(c.idleTimeoutWire) * time.Second
}

// openReq builds the OPEN_REQ for this configuration; the caller sets the InvokeID.
func (c *config) openReq() *cti.OpenReq {
	r := &cti.OpenReq{
		VersionNumber:     c.version.Number(),
		IdleTimeout:       c.idleTimeoutWire,
		PeripheralID:      NullPeripheralID,
		ServicesRequested: c.services,
		CallMsgMask:       c.callMask,
		AgentStateMask:    c.agentMask,
		ConfigMsgMask:     c.configMask,
		ClientID:          c.clientID,
		ClientPassword:    []byte(c.clientPassword),
	}
	// §6: ClientID and ClientPassword are required; the password may have length 0, so mark it
	// present rather than rely on the encoder's treatment of a zero value.
	r.Present.Add(cti.TagClientID)
	r.Present.Add(cti.TagClientPassword)
	if a := c.agent; a != nil {
		r.PeripheralID = a.PeripheralID
		r.AgentExtension = a.Extension
		r.AgentInstrument = a.Instrument
		if c.version.IsUCCX() {
			// §12: Unified CCX carries the agent ID in LongAgentID (194); tag 5 is reserved there.
			r.LongAgentID = a.ID
		} else {
			r.AgentID = a.ID
		}
	}
	return r
}

// WithVersion sets the protocol version sent in OPEN_REQ and used to encode and decode every
// message of the session (default [cti.DefaultVersion]).
func WithVersion(v cti.Version) Option { return func(c *config) { c.version = v } }

// WithAgent makes the session an agent desktop (agent mode): OPEN_REQ carries the agent's
// extension, ID, instrument and peripheral, and the services default to [DefaultAgentServices].
func WithAgent(a Agent) Option {
	return func(c *config) { c.agent = &a }
}

// WithBridgeMode makes the session a monitor of all call and agent events (CTI_SERVICE_ALL_EVENTS,
// UCCX "bridge mode"). It cannot be combined with [WithAgent].
func WithBridgeMode() Option { return func(c *config) { c.bridge = true } }

// WithServices sets OPEN_REQ ServicesRequested, replacing the mode's default.
func WithServices(m cti.ServiceMask) Option {
	return func(c *config) { c.services, c.servicesSet = m, true }
}

// WithEventMasks sets OPEN_REQ CallMsgMask, AgentStateMask and ConfigMsgMask (defaults
// [DefaultCallEventMask], [DefaultAgentStateMask] and 0).
func WithEventMasks(call cti.CallEventMask, agent cti.AgentStateMask, cfg cti.ConfigMask) Option {
	return func(c *config) { c.callMask, c.agentMask, c.configMask = call, agent, cfg }
}

// WithClient sets OPEN_REQ ClientID and ClientPassword. The password is always sent, empty or
// not (§6: the field is required); it never appears in traces.
func WithClient(id, password string) Option {
	return func(c *config) { c.clientID, c.clientPassword = id, password }
}

// WithHeartbeat sets the HEARTBEAT_REQ interval; 0 or negative switches heartbeats off (and
// OPEN_REQ then says IdleTimeout 0xFFFFFFFF). Real servers require at least [MinHeartbeat];
// shorter intervals are accepted for tests.
func WithHeartbeat(interval time.Duration) Option {
	return func(c *config) { c.heartbeat = interval }
}

// WithIdleTimeout sets OPEN_REQ IdleTimeout, rounded up to whole seconds. The default is
// 4 × the heartbeat interval but at least [MinIdleTimeout]; a negative d sends 0xFFFFFFFF.
// Values below 20 s are sent as given, which lets a test provoke E_CTI_INVALID_TIMEOUT.
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) { c.idleTimeout = d }
}

// WithRequestTimeout bounds the wait for each request's reply (default [DefaultRequestTimeout]).
// A context deadline passed to [Session.Do] shortens it for one call.
func WithRequestTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errorf("request timeout must be positive, got %v", d)
		}
		c.requestTimeout = d
	}
}

// WithConnectTimeout bounds one TCP connect plus TLS handshake (default [DefaultConnectTimeout]).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errorf("connect timeout must be positive, got %v", d)
		}
		c.connectTimeout = d
	}
}

// WithOpenTimeout bounds the wait for OPEN_CONF (default [DefaultOpenTimeout]).
func WithOpenTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errorf("open timeout must be positive, got %v", d)
		}
		c.openTimeout = d
	}
}

// WithCloseTimeout bounds the wait for CLOSE_CONF in [Session.Close] (default [DefaultCloseTimeout]).
func WithCloseTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errorf("close timeout must be positive, got %v", d)
		}
		c.closeTimeout = d
	}
}

// WithTLS secures the connection (UCCE 12.x secured CTI connection). An empty ServerName is set to
// each side's host name. [TLSFiles] builds a configuration from PEM files.
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithFailover lets the session move to the other side of a duplex CTI Server, with the backoff
// of p: at Dial time on a connect failure, E_CTI_SERVER_NOT_MASTER or a standby OPEN_CONF, and
// after a dropped connection. Zero fields of p take the DefaultFailover* values.
func WithFailover(p FailoverPolicy) Option {
	return func(c *config) { c.failover = &p }
}

// WithEventBacklog sets how many unclaimed events the session keeps (default
// [DefaultEventBacklog]); when it is full the oldest event is dropped and counted in
// [SessionStats].EventsDropped. 0 keeps none: events then reach only the event handler and
// waits already under way, and the others are counted in EventsUnclaimed.
func WithEventBacklog(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.errorf("event backlog must not be negative, got %d", n)
		}
		c.backlog = n
	}
}

// WithEventHandler calls h for every event, in arrival order, on the session's reader goroutine,
// before the event is offered to waits and the backlog. h must return quickly and must not
// block on the session. A bridge-mode monitor that only counts events here should also say
// WithEventBacklog(0), or the unread backlog fills and its drops are counted as lost events.
func WithEventHandler(h func(Event)) Option { return func(c *config) { c.eventHandler = h } }

// WithObserver hands every frame in and out to o (protocol trace, see [TraceWriter]).
func WithObserver(o Observer) Option { return func(c *config) { c.observer = o } }

// WithReconnectHandler calls h after each fail-over or reconnection, successful or not.
func WithReconnectHandler(h func(ReconnectInfo)) Option {
	return func(c *config) { c.onReconnect = h }
}

// WithHeartbeatHandler calls h with the round-trip time of every answered heartbeat.
func WithHeartbeatHandler(h func(rtt time.Duration)) Option {
	return func(c *config) { c.onHeartbeat = h }
}

// WithLinkLossHandler calls h each time a connection of an open session ends without
// [Session.Close]: the server closed it, a read or write failed, heartbeats went unanswered… It
// runs once per lost connection, before the requests it cuts off fail, whether or not a
// fail-over follows.
func WithLinkLossHandler(h func(LinkLoss)) Option {
	return func(c *config) { c.onLinkLoss = h }
}

// WithMalformedFrameHandler calls h for every frame from the server that does not decode (a
// floating field overrunning its body, a fixed part too short, a frame too large…). Such a frame
// never reaches the event backlog nor a wait; a malformed confirmation fails its request.
func WithMalformedFrameHandler(h func(MalformedFrame)) Option {
	return func(c *config) { c.onMalformed = h }
}

// WithLabel names the session in traces and errors (default: the agent ID, extension or
// instrument, else "s<n>").
func WithLabel(label string) Option { return func(c *config) { c.label = label } }

// WithMaxMessageSize sets the largest frame, header included, the session sends or accepts
// (default [cti.DefaultMaxMessageSize]).
func WithMaxMessageSize(n int) Option { return func(c *config) { c.maxMessageSize = n } }

// WithDialer replaces the TCP dialer, for instance to bind many sessions to several source
// addresses, or to inject faults in tests. TLS, when configured, runs on top of its connection.
func WithDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(c *config) { c.dial = dial }
}

// Failover defaults; see [FailoverPolicy].
const (
	DefaultFailoverInitialBackoff = 250 * time.Millisecond
	DefaultFailoverMaxBackoff     = 30 * time.Second
	DefaultFailoverMultiplier     = 2.0
	DefaultFailoverJitter         = 0.2
	DefaultFailoverMaxAttempts    = 10
	DefaultFailoverMaxElapsed     = 2 * time.Minute
)

// FailoverPolicy says how a session reaches the other side of a duplex CTI Server, or the same
// side again. Attempts alternate between the listed sides, starting with the side after the one
// that failed; the first attempt is immediate and attempt n+1 waits Backoff(n). A zero field takes
// its DefaultFailover* value; a negative MaxAttempts or MaxElapsed means no limit, a negative
// Jitter means none.
type FailoverPolicy struct {
	InitialBackoff time.Duration // wait before the second attempt
	MaxBackoff     time.Duration // cap of the wait
	Multiplier     float64       // growth per attempt (values below 1 mean the default)
	Jitter         float64       // ± fraction of the wait chosen at random
	MaxAttempts    int           // attempts per outage, the first included
	MaxElapsed     time.Duration // give up when the next wait would end after this long
}

func (p FailoverPolicy) withDefaults() FailoverPolicy {
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = DefaultFailoverInitialBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultFailoverMaxBackoff
	}
	if p.Multiplier < 1 {
		p.Multiplier = DefaultFailoverMultiplier
	}
	if p.Jitter == 0 {
		p.Jitter = DefaultFailoverJitter
	}
	if p.Jitter < 0 {
		p.Jitter = 0
	}
	if p.Jitter > 1 {
		p.Jitter = 1
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultFailoverMaxAttempts
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = DefaultFailoverMaxElapsed
	}
	return p
}

// Backoff is the wait before attempt n+1 (n ≥ 1 failed attempts so far), given rnd in [0, 1):
// InitialBackoff × Multiplier^(n-1), capped at MaxBackoff, then moved by up to ±Jitter of itself.
// It is a pure function so that the schedule can be table-tested (vegeta's Pace).
func (p FailoverPolicy) Backoff(n int, rnd float64) time.Duration {
	p = p.withDefaults()
	if n < 1 {
		return 0
	}
	d := float64(p.InitialBackoff) * math.Pow(p.Multiplier, float64(n-1))
	if d > float64(p.MaxBackoff) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(p.MaxBackoff)
	}
	d *= 1 - p.Jitter + 2*p.Jitter*rnd
	return time.Duration(d)
}
