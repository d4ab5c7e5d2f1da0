package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/sim"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// simFlags are the command line of `ctiload sim`; defaults come from the sim package.
type simFlags struct {
	listen, sideB                      string
	uccx, ucce                         bool
	versions                           []uint
	peripheralID                       uint32
	password                           string
	agents, firstID, firstExt          int
	agentPassword                      string
	skillGroups                        []uint
	skillGroupSpecs                    []string
	agentsCSV                          string
	teamSpecs                          []string
	reasonCodes                        []uint
	reasonRequired, wrapUp, afterNR    bool
	wrapUpTime, rona                   time.Duration
	logoutOnClose                      bool
	callRate                           string
	poisson                            bool
	talkTime                           string
	queueTimeout                       time.Duration
	anis, dnises                       []string
	dialed                             string
	failRates, latencies               []string
	dropRate, refuseRate, slowReadRate float64
	dropAfter                          int
	slowRead                           string
	seed                               int64
	duration                           time.Duration
	jsonOut, quiet                     bool
	trace                              string
}

func newSimCmd() *cobra.Command {
	var f simFlags
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the built-in CTI Server simulator",
		Long: `sim runs the built-in CTI Server simulator stand-alone: a Unified CCE (or, with --uccx, Unified
CCX) CTI Server with an agent population, an inbound call generator and injectable faults. It
logs one line per session open and one per refused open or closed connection, with the reason
and the client's address (at most 20 a second after a burst of 50; the lines held back are
counted), on standard error and prints its counters (a table, or JSON with --json) when it stops on SIGINT/SIGTERM or after --duration.

It binds the loopback interface unless told otherwise; binding another address exposes a server
without authentication beyond --password, and the command says so loudly.`,
		Example: `  ctiload sim --agents 500 --call-rate 5/s --talk-time 30s..90s
  ctiload sim --listen 127.0.0.1:42027 --side-b 127.0.0.1:43027
  ctiload sim --fail-rate SET_AGENT_STATE_REQ=0.05:CF_INVALID_AGENT_WORK_MODE --latency '*=10ms..50ms' --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.config()
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			return runSim(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, cfg)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:42027", "address of side A")
	fl.StringVar(&f.sideB, "side-b", "", "also run a standby side B on this address (duplex pair sharing the agents and calls)")
	fl.BoolVar(&f.ucce, "ucce", false, "simulate a Unified CCE CTI Server (the default)")
	f.registerServer(fl, "")
	fl.Int64Var(&f.seed, "seed", 1, "random seed (arrivals, talk times, numbers, fault draws)")
	fl.DurationVar(&f.duration, "duration", 0, "stop after this long (0: run until SIGINT/SIGTERM)")
	fl.BoolVar(&f.jsonOut, "json", false, "print the counters as JSON")
	fl.BoolVar(&f.quiet, "quiet", false, "do not log session opens and closes")
	fl.StringVar(&f.trace, "trace", "", "write every CTI frame the simulator reads and sends, decoded, to `FILE` (the NDJSON of run --trace: dir as seen from the client, session sim<N>-<ClientID>; passwords redacted; .gz compresses)")
	return cmd
}

// registerServer registers the flags that shape the simulated server — protocol, agents, calls,
// faults — named prefix+name: `ctiload sim` has them bare, `ctiload run` as --sim-* (and
// options.simulator keys), so the two commands cannot drift apart.
func (f *simFlags) registerServer(fl *pflag.FlagSet, prefix string) {
	n := func(name string) string { return prefix + name }
	fl.BoolVar(&f.uccx, n("uccx"), false, "simulate a Unified CCX CTI server instead of Unified CCE")
	fl.UintSliceVar(&f.versions, n("versions"), nil, "accepted protocol `VERSIONS` (default 13-15,20-25 for UCCE, 10-18 for UCCX)")
	fl.Uint32Var(&f.peripheralID, n("peripheral-id"), sim.DefaultPeripheralID, "PeripheralID of the simulated peripheral (UCCE)")
	fl.StringVar(&f.password, n("password"), "", "required OPEN_REQ ClientPassword (empty: none)")
	fl.IntVar(&f.agents, n("agents"), sim.DefaultAgentCount, "number of agents and agent devices (IDs from first-agent-id, extensions from first-extension)")
	fl.IntVar(&f.firstID, n("first-agent-id"), sim.DefaultFirstAgentID, "first agent ID")
	fl.IntVar(&f.firstExt, n("first-extension"), sim.DefaultFirstExtension, "first agent extension")
	fl.StringVar(&f.agentPassword, n("agent-password"), "", "agent login password (empty: any)")
	fl.UintSliceVar(&f.skillGroups, n("skill-groups"), nil, "skill group numbers of every agent (default 1); calls to the dialed number queue for the first")
	fl.StringArrayVar(&f.skillGroupSpecs, n("skill-group"), nil, "a skill group `NUM[=DIALED][:AGENTS]`, repeatable: its number, the number that queues calls for it, its member agent IDs (default every agent), e.g. 2=8002:5000-5049,5080")
	fl.StringVar(&f.agentsCSV, n("agents-csv"), "", "CSV `FILE` of agents and their skill groups (columns agentId and skillGroups, groups separated by ';' or spaces) and teams (an optional column team)")
	fl.StringArrayVar(&f.teamSpecs, n("team"), nil, "an agent team `ID[=NAME]:SUPERVISOR[:AGENTS]`, repeatable: its TeamID, name, supervisor's agent ID and member agent IDs (default: the agents CSV's team column), e.g. 7=Billing:5009:5000-5008")
	fl.UintSliceVar(&f.reasonCodes, n("reason-codes"), nil, "valid NOT_READY/LOGOUT reason `CODES` (empty: any)")
	fl.BoolVar(&f.reasonRequired, n("reason-required"), false, "NOT_READY and LOGOUT need a reason code")
	fl.BoolVar(&f.wrapUp, n("wrap-up"), false, "agents go to wrap-up (WORK_READY / WORK_NOT_READY) after ACD calls")
	fl.DurationVar(&f.wrapUpTime, n("wrap-up-time"), 0, "wrap-up ends by itself after this long (0: the agent ends it)")
	fl.BoolVar(&f.afterNR, n("after-call-not-ready"), false, "agents become NOT_READY after a call (default AVAILABLE)")
	fl.DurationVar(&f.rona, n("ring-no-answer"), 0, "re-queue a call an agent has not answered within this time (0: off)")
	fl.BoolVar(&f.logoutOnClose, n("logout-on-close"), false, "log an agent out when its session closes")
	fl.StringVar(&f.callRate, n("call-rate"), "0", "inbound call `RATE`: 5/s, 300/m, 18000/h")
	fl.BoolVar(&f.poisson, n("poisson"), false, "Poisson arrivals instead of a fixed interval")
	fl.StringVar(&f.talkTime, n("talk-time"), "", "callers hang up after this talk time `DIST`: 30s, 10s..60s, normal(60s,10s), exp(45s) (empty: never)")
	fl.DurationVar(&f.queueTimeout, n("queue-timeout"), 0, "callers abandon after waiting this long in queue (0: never)")
	fl.StringSliceVar(&f.anis, n("ani"), nil, "ANI pool (default: random numbers)")
	fl.StringSliceVar(&f.dnises, n("dnis"), nil, "DNIS pool (default: the dialed number)")
	fl.StringVar(&f.dialed, n("dialed-number"), "", "number callers dial; desktops dialling it reach the first skill group's queue (default 8000, or 8 and a zero per digit of the last extension when the extensions reach 8000)")
	fl.StringArrayVar(&f.failRates, n("fail-rate"), nil, "failure injection `MSG=RATE[:CODE]`, repeatable (CODE E_CTI_* or CF_*), e.g. SET_AGENT_STATE_REQ=5%:CF_INVALID_AGENT_WORK_MODE")
	fl.StringArrayVar(&f.latencies, n("latency"), nil, "added latency `MSG=DIST`, repeatable (MSG * for every request), e.g. '*=1ms..5ms'")
	fl.Float64Var(&f.dropRate, n("drop-rate"), 0, "probability per request of dropping the connection")
	fl.IntVar(&f.dropAfter, n("drop-after"), 0, "drop each connection at its Nth request (0: never)")
	fl.Float64Var(&f.refuseRate, n("refuse-open-rate"), 0, "probability of refusing an OPEN_REQ")
	fl.Float64Var(&f.slowReadRate, n("slow-read-rate"), 0, "probability per request of pausing reading the connection")
	fl.StringVar(&f.slowRead, n("slow-read"), "1s", "length of a reading pause (a distribution)")
	for _, name := range []string{"versions", "skill-groups", "reason-codes"} {
		fl.Lookup(n(name)).DefValue = "" // the usage says the default; pflag would print "[]"
	}
}

// config turns the flags into a simulator configuration, reporting every bad flag at once.
func (f *simFlags) config() (sim.Config, error) {
	var errs []error
	cfg := sim.Config{
		PeripheralID:   f.peripheralID,
		ClientPassword: f.password,
		Seed:           f.seed,
		Agents: sim.AgentsConfig{
			Count: f.agents, FirstID: f.firstID, FirstExtension: f.firstExt, Password: f.agentPassword,
			ReasonCodeRequired: f.reasonRequired, WrapUpRequired: f.wrapUp, WrapUpTime: f.wrapUpTime,
			AfterCallNotReady: f.afterNR, RingNoAnswer: f.rona, LogoutOnClose: f.logoutOnClose,
		},
		Calls: sim.CallsConfig{
			Poisson: f.poisson, ANIs: f.anis, DNISes: f.dnises, DialedNumber: f.dialed, QueueTimeout: f.queueTimeout,
		},
		Faults: sim.Faults{
			DropRate: f.dropRate, DropAfter: f.dropAfter, RefuseOpenRate: f.refuseRate, SlowReadRate: f.slowReadRate,
		},
	}
	if f.uccx && f.ucce {
		errs = append(errs, errors.New("--ucce and --uccx exclude each other"))
	}
	if f.uccx {
		cfg.Product = sim.UCCX
	}
	for _, v := range f.versions {
		cfg.Versions = append(cfg.Versions, uint32(v))
	}
	for _, g := range f.skillGroups {
		cfg.Agents.SkillGroups = append(cfg.Agents.SkillGroups, uint32(g))
	}
	groups, err := f.skillGroupConfig()
	if err != nil {
		errs = append(errs, err)
	}
	cfg.SkillGroups = groups
	teams, err := f.teamConfig()
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Teams = teams
	for _, r := range f.reasonCodes {
		if r > 0xFFFF {
			errs = append(errs, fmt.Errorf("--reason-codes: %d does not fit a USHORT", r))
			continue
		}
		cfg.Agents.ReasonCodes = append(cfg.Agents.ReasonCodes, uint16(r))
	}
	rate, err := sim.ParseRate(f.callRate)
	if err != nil {
		errs = append(errs, fmt.Errorf("--call-rate: %w", err))
	}
	cfg.Calls.Rate = rate
	if f.talkTime != "" {
		if cfg.Calls.TalkTime, err = sim.ParseDist(f.talkTime); err != nil {
			errs = append(errs, fmt.Errorf("--talk-time: %w", err))
		}
	}
	if cfg.Faults.SlowRead, err = sim.ParseDist(f.slowRead); err != nil {
		errs = append(errs, fmt.Errorf("--slow-read: %w", err))
	}
	for _, s := range f.failRates {
		t, rule, err := sim.ParseFailRule(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("--fail-rate: %w", err))
			continue
		}
		if cfg.Faults.Fail == nil {
			cfg.Faults.Fail = map[cti.MsgType]sim.FailRule{}
		}
		cfg.Faults.Fail[t] = rule
	}
	for _, s := range f.latencies {
		t, d, err := sim.ParseLatency(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("--latency: %w", err))
			continue
		}
		if cfg.Faults.Latency == nil {
			cfg.Faults.Latency = map[cti.MsgType]sim.Dist{}
		}
		cfg.Faults.Latency[t] = d
	}
	return cfg, errors.Join(errs...)
}

// simCounters is what runSim needs from a Server or a Duplex.
type simCounters interface{ Counters() sim.Counters }

// simNumbers is what the start line says of a running simulator's configuration (defaults filled
// in): the numbers a script against it must use.
func simNumbers(c sim.Config) string {
	return fmt.Sprintf("%d agents (IDs %d…, extensions %d…), callers dial %s, %.3g calls/s",
		c.Agents.Count, c.Agents.FirstID, c.Agents.FirstExtension, c.Calls.DialedNumber, c.Calls.Rate)
}

func runSim(ctx context.Context, stdout, stderr io.Writer, f simFlags, cfg sim.Config) error {
	if !f.quiet {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	for _, addr := range []string{f.listen, f.sideB} {
		if addr != "" && !isLoopback(addr) {
			fmt.Fprintf(stderr, "WARNING: the simulator will listen on %s, which is not a loopback address:\n"+
				"WARNING: anyone who can reach it can open CTI sessions (ClientPassword check: %v).\n", addr, cfg.ClientPassword != "")
		}
	}
	var (
		counters simCounters
		closeFn  func() error
	)
	if f.trace != "" {
		tf, err := createTrace(f.trace)
		if err != nil {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--trace: cannot write %q: %v", f.trace, unwrapPathError(err))}
		}
		cfg.Observer = tf
		// Closed after the simulator: its last frames (the sessions' ends) are in the file.
		defer func() {
			if err := tf.Close(); err != nil {
				fmt.Fprintf(stderr, "ctiload sim: --trace: %v\n", err)
			}
		}()
	}
	if f.sideB != "" {
		d, err := sim.NewDuplex(cfg)
		if err != nil {
			return &exitError{code: exitInvalidOptions, err: err}
		}
		if err := d.Listen(f.listen, f.sideB); err != nil {
			return &exitError{code: exitInvalidOptions, err: err}
		}
		a, b := d.Addrs()
		fmt.Fprintf(stderr, "ctiload sim: %s side A (active) on %s, side B (standby) on %s, %s\n", cfg.Product, a, b, simNumbers(d.A.Config()))
		counters, closeFn = d, d.Close
	} else {
		srv, err := sim.New(cfg)
		if err != nil {
			return &exitError{code: exitInvalidOptions, err: err}
		}
		if err := srv.Listen(f.listen); err != nil {
			return &exitError{code: exitInvalidOptions, err: err}
		}
		fmt.Fprintf(stderr, "ctiload sim: %s on %s, %s\n", cfg.Product, srv.Addr(), simNumbers(srv.Config()))
		counters, closeFn = srv, srv.Close
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	<-ctx.Done()
	closeFn()
	return printCounters(stdout, counters.Counters(), f.jsonOut)
}

// isLoopback reports whether a listen address binds the loopback interface only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func printCounters(w io.Writer, c sim.Counters, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k string, v int64) { fmt.Fprintf(tw, "  %s\t%d\n", k, v) }
	fmt.Fprintln(tw, "sessions")
	row("opened", c.SessionsOpened)
	row("closed", c.SessionsClosed)
	row("rejected", c.SessionsRejected)
	row("active", c.SessionsActive)
	row("connections", c.Connections)
	row("idle timeouts", c.IdleTimeouts)
	row("slow consumers", c.SlowConsumers)
	row("replaced", c.Replaced)
	fmt.Fprintln(tw, "calls")
	k := c.Calls
	for _, r := range []struct {
		n string
		v int64
	}{{"offered", k.Offered}, {"delivered", k.Delivered}, {"answered", k.Answered}, {"abandoned", k.Abandoned},
		{"requeued", k.Requeued}, {"hung up", k.HungUp}, {"cleared", k.Cleared}, {"consults", k.Consults},
		{"transfers", k.Transfers}, {"conferences", k.Conferences}, {"made calls", k.MadeCalls},
		{"queued now", k.Queued}, {"active now", k.Active}} {
		row(r.n, r.v)
	}
	fmt.Fprintln(tw, "agents")
	row("logged in", c.Agents.LoggedIn)
	row("available", c.Agents.Available)
	row("talking", c.Agents.Talking)
	for _, sec := range []struct {
		title string
		m     map[string]int64
	}{{"requests", c.Requests}, {"failures", c.Failures}, {"faults", c.Faults}, {"events", c.Events}, {"unsupported", c.Unsupported}} {
		if len(sec.m) == 0 {
			continue
		}
		fmt.Fprintln(tw, sec.title)
		keys := make([]string, 0, len(sec.m))
		for k := range sec.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(tw, "  %s\t%s\n", k, strconv.FormatInt(sec.m[k], 10))
		}
	}
	return tw.Flush()
}
