package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/client"
)

// Product selects which CTI Server the simulator imitates.
type Product uint8

const (
	// UCCE is the Unified CCE CTI Server (the zero value).
	UCCE Product = iota
	// UCCX is the Unified CCX CTI server: versions 10–18, PeripheralType ACMI_CRS, AgentID in tag
	// 194, the reserved-field values of docs/protocol/uccx.md.
	UCCX
)

func (p Product) String() string {
	if p == UCCX {
		return "UCCX"
	}
	return "UCCE"
}

// Defaults used when a Config field is left zero.
const (
	DefaultPeripheralID     = 5000 // UCCE; a UCCX server always reports PeripheralID 1
	DefaultAgentCount       = 100
	DefaultFirstAgentID     = 5000
	DefaultFirstExtension   = 1000
	DefaultDialedNumber     = "8000"
	DefaultOutsidePrefix    = "9"
	DefaultRONAReasonCode   = 32767 // the reason code UCCE gives an agent made NOT_READY by ring-no-answer
	DefaultOpenTimeout      = 60 * time.Second
	DefaultIdleTimeoutUnit  = time.Second
	DefaultMaxOutput        = 1 << 20
	DefaultListenAddr       = "127.0.0.1:0"
	minIdleTimeoutSeconds   = 20  // docs/protocol/session.md: below 20 s → E_CTI_INVALID_TIMEOUT
	maxUCCXIdleTimeoutValue = 120 // §10: UCCX wants IdleTimeout below 120 s
)

// Config configures a simulator. The zero value is a UCCE v13–v25 server with 100 agents (IDs
// "5000"…"5099" on extensions "1000"…"1099"), no call generator and no faults.
type Config struct {
	// Product is UCCE (default) or UCCX.
	Product Product
	// Versions lists the VersionNumbers OPEN_REQ may ask for; anything else is E_CTI_INVALID_VERSION.
	// Empty means 13–15 and 20–25 for UCCE, 10–18 for UCCX.
	Versions []uint32
	// PeripheralID is the simulated peripheral (default 5000; UCCX always uses 1). Requests that
	// carry a different PeripheralID are answered E_CTI_INVALID_PERIPHERAL_ID (UCCE only).
	PeripheralID uint32
	// ClientPassword, when not empty, must equal OPEN_REQ's ClientPassword (else
	// E_CTI_INVALID_PASSWORD). Empty means no check (UCCX never checks).
	ClientPassword string
	// Side names the server in logs ("A" unless set; a Duplex names its sides "A" and "B").
	Side string
	// Standby starts the server as the standby side: OPEN_REQ is answered E_CTI_SERVER_NOT_MASTER,
	// or, for a UCCE v24+ client asking CTI_SERVICE_ACTIVE_STANDBY, with a standby session.
	Standby bool
	// Agents is the agent population.
	Agents AgentsConfig
	// Calls is the inbound call generator and call behaviour.
	Calls CallsConfig
	// SkillGroups are the skill groups with their members and dialed numbers. Empty: the groups
	// of Agents.SkillGroups, every agent a member of each, the first reached through
	// Calls.DialedNumber.
	SkillGroups []SkillGroup
	// Teams are the agent teams, each with its supervisor (none by default: SUPERVISOR_ASSIST_REQ
	// then fails E_CTI_TEAM_NOT_FOUND). See Team.
	Teams []Team
	// Faults are the faults injected from the start; see also Server.SetFaults.
	Faults Faults
	// Seed makes every random choice (arrivals, ANIs, talk times, fault draws) reproducible.
	Seed int64
	// Now is the clock used for timestamps and durations in messages (default time.Now). Timers
	// always run on real time.
	Now func() time.Time
	// Logger, when set, gets one line per session open, one per refused OPEN_REQ or refused
	// connection and one per closed connection (each with the reason and the remote address;
	// these are rate-limited, with a count of the lines held back), and the counters on Close.
	Logger *slog.Logger
	// Observer, when set, sees every frame the simulator reads and queues, decoded, with secrets
	// redacted ([client.TraceWriter] writes them as the NDJSON of `ctiload run --trace`). Dir is
	// seen from the client, as in a client's trace: TraceOut is a frame the simulator read, TraceIn
	// one it sends; Label is "sim<N>" (the connection's number), then "sim<N>-<ClientID>" once
	// the session is open; Addr is the client's address.
	Observer client.Observer
	// IdleTimeoutUnit is what one unit of OPEN_REQ's IdleTimeout means (default 1 s). Tests set it
	// to a few milliseconds so that the protocol's 20 s minimum becomes a short wait.
	IdleTimeoutUnit time.Duration
	// OpenTimeout closes a connection that sends no OPEN_REQ within it (default 60 s).
	OpenTimeout time.Duration
	// MaxOutput is how many bytes may wait for a client that does not read before the server
	// drops it as a slow consumer (default 1 MiB).
	MaxOutput int
}

// AgentsConfig is the agent population: agent i (0 ≤ i < Count) has ID FirstID+i and its own
// device, extension FirstExtension+i (the instrument is the extension). An agent may log in on any
// free device.
type AgentsConfig struct {
	// Count is the number of agents and devices (default 100).
	Count int
	// FirstID is the first agent ID (default 5000).
	FirstID int
	// FirstExtension is the first device extension (default 1000).
	FirstExtension int
	// Password, when not empty, is every agent's password (else CF_INVALID_PASSWORD_SPECIFIED);
	// empty accepts any.
	Password string
	// SkillGroups are the skill group numbers every agent belongs to (default [1]); calls to
	// Calls.DialedNumber queue for the first. Config.SkillGroups gives groups their own members
	// and numbers instead.
	SkillGroups []uint32
	// ReasonCodes are the valid NOT_READY and LOGOUT reason codes (else
	// CF_INVALID_AGENT_REASON_CODE); empty accepts any.
	ReasonCodes []uint16
	// ReasonCodeRequired rejects NOT_READY and LOGOUT without a reason code
	// (CF_REASON_CODE_REQUIRED).
	ReasonCodeRequired bool
	// WrapUpRequired sends an agent to WORK_READY after an ACD call (WORK_NOT_READY if NOT_READY
	// was asked for during the call); the agent then sets READY or NOT_READY.
	WrapUpRequired bool
	// WrapUpTime ends wrap-up by itself after this long (0: the agent must end it).
	WrapUpTime time.Duration
	// AfterCallNotReady makes agents NOT_READY after a call without wrap-up (default AVAILABLE).
	AfterCallNotReady bool
	// RingNoAnswer takes an offered call back from an agent who has not answered it within this
	// time: the agent becomes NOT_READY with RONAReasonCode and the call is queued again (RONA).
	// 0 lets a call ring until answered.
	RingNoAnswer time.Duration
	// RONAReasonCode is the reason code of the RONA NOT_READY state (default 32767).
	RONAReasonCode uint16
	// LogoutOnClose logs an agent out (clearing its calls) when the session bound to its device
	// closes. A real CTI Server keeps the agent logged in, which is the default.
	LogoutOnClose bool
}

// CallsConfig drives the inbound call generator and the calls' behaviour.
type CallsConfig struct {
	// Rate is the arrival rate of inbound calls per second (0: no generated calls; see
	// Server.OfferCall and Server.SetCallRate).
	Rate float64
	// Poisson draws exponential inter-arrival times instead of a fixed interval.
	Poisson bool
	// ANIs is the pool of calling numbers (default: random ten-digit numbers).
	ANIs []string
	// DNISes is the pool of DNIS values (default: the number dialled, per skill group).
	DNISes []string
	// DialedNumber is the number callers dial (default "8000"). Dialling it from a desktop
	// (consult, transfer, make call) queues the call for the next available agent.
	DialedNumber string
	// RouteDevice is the route point / queue device calls wait on (default DialedNumber).
	RouteDevice string
	// CallVariables are CallVariable1…10 of generated calls.
	CallVariables [10]string
	// NamedVariables are the ECC variables of generated calls.
	NamedVariables []cti.NamedVariable
	// TalkTime is how long the caller stays after the answer before hanging up (zero: the caller
	// never hangs up; the agent clears the call).
	TalkTime Dist
	// QueueTimeout makes a caller abandon after waiting this long in queue (0: waits forever).
	QueueTimeout time.Duration
	// OutsidePrefix marks external numbers: a dialled number starting with it reaches an outside
	// party that answers at once (default "9").
	OutsidePrefix string
}

// normalize returns a copy of cfg with defaults filled in, or every problem found.
func (cfg Config) normalize() (Config, error) {
	var errs []error
	c := cfg
	if c.Product != UCCE && c.Product != UCCX {
		errs = append(errs, fmt.Errorf("sim: unknown product %d", c.Product))
	}
	if len(c.Versions) == 0 {
		if c.Product == UCCX {
			c.Versions = []uint32{10, 11, 12, 13, 14, 15, 16, 17, 18}
		} else {
			c.Versions = []uint32{13, 14, 15, 20, 21, 22, 23, 24, 25}
		}
	} else {
		c.Versions = append([]uint32(nil), c.Versions...)
	}
	for _, v := range c.Versions {
		if v == 0 || v > 1000 {
			errs = append(errs, fmt.Errorf("sim: invalid protocol version %d (Versions, --versions)", v))
		}
	}
	if c.Product == UCCX {
		c.PeripheralID = 1
	} else if c.PeripheralID == 0 {
		c.PeripheralID = DefaultPeripheralID
	}
	if c.Side == "" {
		c.Side = "A"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.IdleTimeoutUnit <= 0 {
		c.IdleTimeoutUnit = DefaultIdleTimeoutUnit
	}
	if c.OpenTimeout <= 0 {
		c.OpenTimeout = DefaultOpenTimeout
	}
	if c.MaxOutput <= 0 {
		c.MaxOutput = DefaultMaxOutput
	}

	a := &c.Agents
	if a.Count == 0 {
		a.Count = DefaultAgentCount
	}
	if a.Count < 0 || a.Count > 1_000_000 {
		errs = append(errs, fmt.Errorf("sim: Agents.Count %d out of range 1…1000000 (--agents)", a.Count))
	}
	if a.FirstID == 0 {
		a.FirstID = DefaultFirstAgentID
	}
	if a.FirstExtension == 0 {
		a.FirstExtension = DefaultFirstExtension
	}
	if a.FirstID < 0 || a.FirstExtension < 0 {
		errs = append(errs, fmt.Errorf("sim: Agents.FirstID %d and FirstExtension %d must be positive (--first-agent-id, --first-extension)", a.FirstID, a.FirstExtension))
	}
	a.SkillGroups = append([]uint32(nil), a.SkillGroups...)
	a.ReasonCodes = append([]uint16(nil), a.ReasonCodes...)
	if a.RONAReasonCode == 0 {
		a.RONAReasonCode = DefaultRONAReasonCode
	}
	if a.RingNoAnswer < 0 || a.WrapUpTime < 0 {
		errs = append(errs, fmt.Errorf("sim: Agents.RingNoAnswer %v and WrapUpTime %v must not be negative (--ring-no-answer, --wrap-up-time)", a.RingNoAnswer, a.WrapUpTime))
	}

	k := &c.Calls
	if k.Rate < 0 {
		errs = append(errs, fmt.Errorf("sim: Calls.Rate %v must not be negative (--call-rate)", k.Rate))
	}
	if k.DialedNumber == "" {
		k.DialedNumber = defaultDialedNumber(a.FirstExtension, a.Count)
	}
	if k.RouteDevice == "" {
		k.RouteDevice = k.DialedNumber
	}
	if k.OutsidePrefix == "" {
		k.OutsidePrefix = DefaultOutsidePrefix
	}
	if k.QueueTimeout < 0 {
		errs = append(errs, fmt.Errorf("sim: Calls.QueueTimeout %v must not be negative (--queue-timeout)", k.QueueTimeout))
	}
	if err := k.TalkTime.validate(); err != nil {
		errs = append(errs, fmt.Errorf("sim: Calls.TalkTime (--talk-time): %w", err))
	}
	k.ANIs = append([]string(nil), k.ANIs...)
	k.DNISes = append([]string(nil), k.DNISes...)
	k.NamedVariables = append([]cti.NamedVariable(nil), k.NamedVariables...)

	errs = append(errs, c.normalizeSkillGroups()...)
	errs = append(errs, c.normalizeTeams()...)
	errs = append(errs, c.numberConflicts()...)
	if err := c.Faults.validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

func (cfg *Config) acceptsVersion(n uint32) bool {
	for _, v := range cfg.Versions {
		if v == n {
			return true
		}
	}
	return false
}

// version turns an OPEN_REQ VersionNumber into the session's Version.
func (cfg *Config) version(n uint32) cti.Version {
	if cfg.Product == UCCX {
		return cti.UCCX | cti.Version(n)
	}
	return cti.Version(n)
}

// defaultDialedNumber is DefaultDialedNumber, or, when the agents' extensions reach it (10,000
// agents from extension 1000 cover 8000), an 8 followed by as many zeros as the last extension
// has digits: a number longer than every extension, so it can never be one.
func defaultDialedNumber(firstExt, count int) string {
	lastExt := firstExt + count - 1
	if n, _ := strconv.Atoi(DefaultDialedNumber); count <= 0 || n < firstExt || n > lastExt {
		return DefaultDialedNumber
	}
	return "8" + strings.Repeat("0", len(strconv.Itoa(lastExt)))
}

// numberConflicts reports every number the call model treats specially (the dialed numbers of
// the skill groups, the route device) that is also an agent extension, naming both values and
// the flags that set them.
func (c *Config) numberConflicts() []error {
	a, k := &c.Agents, &c.Calls
	if a.Count <= 0 {
		return nil
	}
	lastExt := a.FirstExtension + a.Count - 1
	type special struct{ number, what string }
	list := []special{{k.DialedNumber, "the dialed number (--dialed-number)"}}
	if k.RouteDevice != k.DialedNumber {
		list = append(list, special{k.RouteDevice, "the route device (Calls.RouteDevice)"})
	}
	for _, g := range c.SkillGroups {
		if g.DialedNumber != "" && g.DialedNumber != k.DialedNumber {
			list = append(list, special{g.DialedNumber, fmt.Sprintf("skill group %d's dialed number (--skill-group)", g.Number)})
		}
	}
	var errs []error
	for _, sp := range list {
		x, err := strconv.Atoi(sp.number)
		if err != nil || x < a.FirstExtension || x > lastExt {
			continue
		}
		errs = append(errs, fmt.Errorf("sim: %s %s is also the extension of agent %d (extensions %d…%d from --first-extension %d and --agents %d): change %s, --first-extension or --agents",
			sp.what, sp.number, a.FirstID+(x-a.FirstExtension), a.FirstExtension, lastExt, a.FirstExtension, a.Count, flagOf(sp.what)))
	}
	return errs
}

// flagOf picks the flag out of a "what (--flag)" description.
func flagOf(what string) string {
	i := strings.LastIndex(what, "(")
	if i < 0 {
		return what
	}
	return strings.TrimSuffix(what[i+1:], ")")
}
