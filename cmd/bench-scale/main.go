// Command bench-scale measures what idle agents cost at contact-center scale: for each row (1,000,
// 5,000, 10,000, 19,000 agents by default) it starts `ctiload sim` as its own process, runs
// scripts/bench/idle-agents.js against it with --target on loopback (logins paced at -login-rate,
// READY, heartbeats, hold), and prints one table: peak RSS of each process, client KiB per agent,
// time to log everyone in, open p99, login request p99, heartbeat round trip p99 while the
// agents log in and p50/p99/max during the hold, how late the latest heartbeat was sent, missed
// heartbeats, failures.
//
//	make bench-scale                                   # every row, hold 60s
//	go run ./cmd/bench-scale -ctiload bin/ctiload -rows 1000,5000 -hold 20s
//
// It raises its soft limit of open files to the hard limit (the two child processes inherit it)
// and skips, saying so, a row the hard limit cannot hold: each process needs a file per agent.
// It is not part of `make test`: a row of 19,000 agents takes both cores of a small machine for
// minutes. Traffic goes to 127.0.0.1 only, and every process it starts is stopped before it
// returns.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ctiload/ctiload/engine/metricnames"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

// filesOverhead is the open files a process needs besides one per agent: listeners, the
// runtime's own, logs, the summary export, with room to spare.
const filesOverhead = 256

type options struct {
	ctiload   string
	script    string
	rows      []int
	hold      time.Duration
	heartbeat time.Duration
	loginRate float64 // agents logged in a second
	keep      string  // directory for the logs and summaries; a temporary one if empty
}

func main() {
	var o options
	var rows string
	flag.StringVar(&o.ctiload, "ctiload", "bin/ctiload", "the ctiload binary to measure (make bench-scale builds it)")
	flag.StringVar(&o.script, "script", "scripts/bench/idle-agents.js", "the idle-agents script")
	flag.StringVar(&rows, "rows", "1000,5000,10000,19000", "agent counts, one row each")
	flag.DurationVar(&o.hold, "hold", 60*time.Second, "how long every agent holds, logged in, after its login")
	flag.DurationVar(&o.heartbeat, "heartbeat", 5*time.Second, "heartbeat interval of the sessions")
	flag.Float64Var(&o.loginRate, "login-rate", 250, "agents that start logging in each second (the script's LOGIN_RATE)")
	flag.StringVar(&o.keep, "out", "", "keep each row's logs and JSON summary in this `DIR`")
	flag.Parse()
	for _, f := range strings.Split(rows, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench-scale: -rows: %q is not a positive number of agents\n", f)
			os.Exit(2)
		}
		o.rows = append(o.rows, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench-scale:", err)
		os.Exit(1)
	}
}

// row is one measured line of the table.
type row struct {
	agents             int
	clientRSS, simRSS  int64 // KiB
	clientCPU, simCPU  time.Duration
	loginAll, openP99  float64
	loginReqP99        float64 // ms, the login group's requests: SET_AGENT_STATE_REQ LOGIN and READY
	hbLoginP99         float64 // ms, heartbeats while agents log in
	hbP50, hbP99, hbMx float64 // ms, heartbeats during the hold
	hbLateMax          float64 // ms, the latest HEARTBEAT_REQ against its schedule
	hbSent, hbMissed   float64
	failures           float64
	note               string
	failed             bool // agents left out, a failure, or ctiload run failed: the row does not count
}

func run(ctx context.Context, o options, out io.Writer) error {
	for _, p := range []string{o.ctiload, o.script} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%w (run it from the repository's root, after make build)", err)
		}
	}
	hard, err := raiseFileLimit()
	if err != nil {
		return err
	}
	if !(o.loginRate > 0) {
		return fmt.Errorf("-login-rate: want agents a second, got %v", o.loginRate)
	}
	fmt.Fprintf(out, "open files: soft limit raised to the hard limit, %d; logins %g/s, hold %v, heartbeat %v\n", hard, o.loginRate, o.hold, o.heartbeat)
	dir := o.keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "bench-scale-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var rows []row
	for _, n := range o.rows {
		if need := uint64(n + filesOverhead); need > hard {
			rows = append(rows, row{agents: n, note: fmt.Sprintf("skipped: the hard limit of open files (%d) is below the %d each process needs; raise it (ulimit -Hn as root, LimitNOFILE=, limits.conf)", hard, need)})
			fmt.Fprintf(out, "%6d agents: %s\n", n, rows[len(rows)-1].note)
			continue
		}
		fmt.Fprintf(out, "%6d agents: running (log in, hold %v)…\n", n, o.hold)
		r, err := measure(ctx, o, n, dir)
		if err != nil {
			r = row{agents: n, note: err.Error(), failed: true}
		}
		rows = append(rows, r)
		if ctx.Err() != nil {
			break
		}
	}
	printTable(out, rows)
	var failed []string
	for _, r := range rows {
		if r.failed {
			failed = append(failed, strconv.Itoa(r.agents))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("rows that failed (see their notes): %s agents", strings.Join(failed, ", "))
	}
	return nil
}

// raiseFileLimit sets the soft limit of open files to the hard one and returns it.
func raiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, fmt.Errorf("reading the limit of open files: %w", err)
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, fmt.Errorf("raising the soft limit of open files to %d: %w", l.Max, err)
		}
	}
	return l.Max, nil
}

var simAddr = regexp.MustCompile(` on (127\.0\.0\.1:\d+)`)

// measure runs one row: the simulator, then the script against it.
func measure(ctx context.Context, o options, n int, dir string) (row, error) {
	r := row{agents: n}
	simLog, err := os.Create(filepath.Join(dir, fmt.Sprintf("sim-%d.log", n)))
	if err != nil {
		return r, err
	}
	defer simLog.Close()
	sim := exec.Command(o.ctiload, "sim", "--quiet", "--listen", "127.0.0.1:0", "--agents", strconv.Itoa(n), "--call-rate", "0")
	sim.Stdout = simLog
	stderr, err := sim.StderrPipe()
	if err != nil {
		return r, err
	}
	if err := sim.Start(); err != nil {
		return r, fmt.Errorf("starting the simulator: %w", err)
	}
	simDone := false
	defer func() {
		if !simDone {
			_ = sim.Process.Kill()
			_ = sim.Wait()
		}
	}()
	addrCh := make(chan string, 1)
	go func() { // read the address, then keep draining so that the simulator never blocks
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			fmt.Fprintln(simLog, sc.Text())
			if m := simAddr.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addrCh <- m[1]
				sent = true
			}
		}
		close(addrCh)
	}()
	var addr string
	select {
	case a, ok := <-addrCh:
		if !ok {
			return r, errors.New("the simulator exited before listening (see its log)")
		}
		addr = a
	case <-time.After(30 * time.Second):
		return r, errors.New("the simulator did not say where it listens within 30s")
	case <-ctx.Done():
		return r, ctx.Err()
	}

	summary := filepath.Join(dir, fmt.Sprintf("summary-%d.json", n))
	runLog, err := os.Create(filepath.Join(dir, fmt.Sprintf("run-%d.log", n)))
	if err != nil {
		return r, err
	}
	defer runLog.Close()
	load := exec.CommandContext(ctx, o.ctiload, "run", "--quiet", "--no-summary", "--target", addr,
		"--summary-export", summary, "-e", "AGENTS="+strconv.Itoa(n), "-e", fmt.Sprintf("HOLD=%gs", o.hold.Seconds()),
		"-e", fmt.Sprintf("HEARTBEAT=%gs", o.heartbeat.Seconds()), "-e", fmt.Sprintf("LOGIN_RATE=%g", o.loginRate), o.script)
	load.Stdout, load.Stderr = runLog, runLog
	load.Cancel = func() error { return load.Process.Signal(os.Interrupt) } // Ctrl-C still writes the summary
	load.WaitDelay = 30 * time.Second
	runErr := load.Run()
	r.clientRSS, r.clientCPU = maxRSS(load.ProcessState), cpuTime(load.ProcessState)

	_ = sim.Process.Signal(os.Interrupt)
	waited := make(chan error, 1)
	go func() { waited <- sim.Wait() }()
	select {
	case <-waited:
	case <-time.After(30 * time.Second):
		_ = sim.Process.Kill()
		<-waited
	}
	simDone = true
	r.simRSS, r.simCPU = maxRSS(sim.ProcessState), cpuTime(sim.ProcessState)

	if err := r.read(summary); err != nil {
		if runErr != nil {
			return r, fmt.Errorf("ctiload run: %v (see %s)", runErr, runLog.Name())
		}
		return r, err
	}
	if runErr != nil {
		r.addNote(fmt.Sprintf("ctiload run: %v", runErr))
		r.failed = true
	}
	return r, nil
}

// maxRSS returns a finished process's peak resident set in KiB (Linux's ru_maxrss unit).
func maxRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// cpuTime returns a finished process's user + system CPU time.
func cpuTime(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	return ps.UserTime() + ps.SystemTime()
}

// read fills the row from the run's summary export.
func (r *row) read(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("no summary from the run: %w", err)
	}
	defer f.Close()
	in, err := reports.ReadExport(f)
	if err != nil {
		return err
	}
	r.fill(in.Result.Metrics)
	return nil
}

// fill sets the row's figures from the run's metrics. An agent that never reached READY (its
// iteration dropped by the executor, or its open, login or READY failed) is a failure even
// when no request failed: a run that left agents out did not measure the row it names.
func (r *row) fill(ms []metrics.Summary) {
	byKey := map[string]metrics.Summary{}
	for _, m := range ms {
		byKey[m.Key] = m
	}
	count := func(key string) float64 { return byKey[key].Values["count"] }
	pct := func(key string, p float64) float64 {
		m, ok := byKey[key]
		if !ok {
			return 0
		}
		sink, err := metrics.SinkFromSummary(metrics.Trend, m.Values, m.Histogram)
		if err != nil {
			return 0
		}
		if p >= 100 {
			return m.Values["max"]
		}
		return sink.(*metrics.TrendSink).Percentile(p)
	}
	r.loginAll = pct("bench_logged_in_at", 100)
	r.openP99 = pct(metricnames.CTISessionOpenDuration, 99)
	// The login group sends two requests, SET_AGENT_STATE_REQ LOGIN and READY: how the server
	// keeps up while everyone logs in.
	r.loginReqP99 = pct(metricnames.CTIRequestDuration+"{group:::login}", 99)
	login, hold := metricnames.CTIHeartbeatRTT+"{group:::login}", metricnames.CTIHeartbeatRTT+"{group:::hold}"
	r.hbLoginP99 = pct(login, 99)
	r.hbP50, r.hbP99, r.hbMx = pct(hold, 50), pct(hold, 99), pct(hold, 100)
	r.hbLateMax = pct("bench_heartbeat_late_max", 100)
	r.hbSent, r.hbMissed = count("bench_heartbeats_sent"), count("bench_heartbeats_missed")

	// bench_logged_in_at has one sample per agent whose READY was confirmed.
	notReady := max(float64(r.agents)-count("bench_logged_in_at"), 0)
	// Each agent is one arrival-rate iteration: a dropped one is an agent never started, and
	// one of the agents not READY.
	var neverStarted string
	if d := count(metricnames.DroppedIterations); d > 0 {
		neverStarted = fmt.Sprintf(" (%.0f never started: dropped_iterations)", d)
	}
	parts := []struct {
		n          float64
		what, more string
	}{
		{notReady, "agents never READY", neverStarted},
		{count(metricnames.CTIFailures), "failed requests and opens", ""},
		{byKey[metricnames.Checks].Values["fails"], "failed checks", ""},
		{count(metricnames.FailedIterations), "failed iterations", ""},
		{count("bench_sessions_lost"), "sessions lost", ""},
	}
	r.failures = 0
	var said []string
	for _, p := range parts {
		r.failures += p.n
		if p.n > 0 {
			said = append(said, fmt.Sprintf("%.0f %s%s", p.n, p.what, p.more))
		}
	}
	if len(said) > 0 {
		r.addNote("failures: " + strings.Join(said, ", "))
		r.failed = true
	}
}

// addNote appends to the row's note.
func (r *row) addNote(s string) {
	if r.note != "" {
		r.note += "; "
	}
	r.note += s
}

func printTable(out io.Writer, rows []row) {
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agents\tclient RSS\tsim RSS\tKiB/agent\tmarginal\tclient CPU\tsim CPU\tlog in all\topen p99\tlogin req p99\thb p99 login\thb p50 hold\thb p99 hold\thb max hold\thb late max\thb sent\tmissed hb\tfailures\t")
	var notes []string
	var prev *row
	for i := range rows {
		r := &rows[i]
		mark := ""
		if r.note != "" {
			notes = append(notes, fmt.Sprintf("[%d] %d agents: %s", len(notes)+1, r.agents, r.note))
			mark = fmt.Sprintf(" [%d]", len(notes))
		}
		if r.clientRSS == 0 {
			fmt.Fprintf(tw, "%d%s%s\n", r.agents, mark, strings.Repeat("\t-", 17)+"\t")
			continue
		}
		marginal := "-"
		if prev != nil && r.agents > prev.agents {
			marginal = fmt.Sprintf("%.0f", float64(r.clientRSS-prev.clientRSS)/float64(r.agents-prev.agents))
		}
		fmt.Fprintf(tw, "%d%s\t%s\t%s\t%.0f\t%s\t%.1fs\t%.1fs\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t\n", r.agents, mark,
			mib(r.clientRSS), mib(r.simRSS), float64(r.clientRSS)/float64(r.agents), marginal,
			r.clientCPU.Seconds(), r.simCPU.Seconds(),
			reports.FormatDuration(r.loginAll), reports.FormatDuration(r.openP99), reports.FormatDuration(r.loginReqP99),
			reports.FormatDuration(r.hbLoginP99), reports.FormatDuration(r.hbP50), reports.FormatDuration(r.hbP99),
			reports.FormatDuration(r.hbMx), reports.FormatDuration(r.hbLateMax),
			r.hbSent, r.hbMissed, r.failures)
		prev = r
	}
	_ = tw.Flush()
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	fmt.Fprintln(out, "\nRSS: peak resident set of each process. KiB/agent: client RSS / agents, the runtime's fixed")
	fmt.Fprintln(out, "cost included; marginal: client KiB per agent added since the row above. CPU: user +")
	fmt.Fprintln(out, "system seconds of each process over the whole row (log in, hold, log out). log in all: start →")
	fmt.Fprintln(out, "the last agent's READY confirmed. login req: SET_AGENT_STATE_REQ LOGIN and READY → CONF. hb:")
	fmt.Fprintln(out, "HEARTBEAT_REQ → HEARTBEAT_CONF round trip, while the agents log in (until the last login was")
	fmt.Fprintln(out, "due, plus one interval) and during the hold; late: the most a HEARTBEAT_REQ was sent behind")
	fmt.Fprintln(out, "its schedule; missed: unanswered within one")
	fmt.Fprintln(out, "interval. failures: agents that never reached READY (iterations the executor dropped")
	fmt.Fprintln(out, "included), failed requests and opens, failed checks and iterations, sessions lost during")
	fmt.Fprintln(out, "the hold; a row with any is named in its note and makes bench-scale exit 1.")
}

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }
