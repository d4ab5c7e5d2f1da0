package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"math/big"
	"math/rand/v2"
	"net"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/jsapi"
	"github.com/spf13/pflag"
)

// optionFlags are the flags that shape a run, shared by run and inspect. Their precedence is
// k6's: defaults < the script's `export const options` < CTILOAD_* environment variables < flags.
type optionFlags struct {
	fs *pflag.FlagSet

	vus, iterations  int64
	duration         executor.Duration
	stages           []string
	segment, seq     string
	segmentCount     int64  // --segment-count: the test split in N equal segments
	segmentIndex     string // --segment-index: which of them (default JOB_COMPLETION_INDEX)
	startAt          string // --start-at RFC3339
	trendStats       string
	target           string
	seed             int64
	env              []string
	includeSystemEnv bool
	allowOutside     bool // open() and imports may read files outside the script's folder
	maxRequestRate   float64
	maxOpenRate      float64
	tags             []string // --tag KEY=VALUE: run tags on every sample
	configFile       string   // --config FILE: options as JSON, below the script's
	noThresholds     bool
	sim              embeddedSimFlags
	fromEnv          map[string]bool // flags set from CTILOAD_* variables
}

// envNames are the environment variables of flags whose name does not map mechanically
// (CTILOAD_ + the flag name in upper case with '_' for '-').
var envNames = map[string]string{"stage": "CTILOAD_STAGES"}

// envSkip are flags with no environment variable: -e (the script's environment is the process
// environment already) and --help.
var envSkip = map[string]bool{"env": true, "help": true}

func (o *optionFlags) register(fl *pflag.FlagSet) {
	o.fs = fl
	fl.VarP(int64Value{&o.vus}, "vus", "u", "number of virtual users (shortcut: overrides the script's scenarios)")
	fl.VarP(durationValue{&o.duration}, "duration", "d", "test duration, e.g. 30s or 5m (shortcut: constant-vus)")
	fl.VarP(int64Value{&o.iterations}, "iterations", "i", "total iterations shared by the VUs (shortcut: shared-iterations)")
	fl.StringArrayVarP(&o.stages, "stage", "s", nil, "ramping stage `DURATION:TARGET`, repeatable (shortcut: ramping-vus), e.g. --stage 30s:10 --stage 1m:10 --stage 10s:0")
	fl.StringVar(&o.segment, "execution-segment", "", "run only this `SEGMENT` of the test, e.g. 0:1/4 or 1/4:2/4")
	fl.StringVar(&o.seq, "execution-segment-sequence", "", "the `SEQUENCE` of boundaries every process uses, e.g. 0,1/4,1/2,1 (optional for an even split)")
	fl.Var(int64Value{&o.segmentCount}, "segment-count", "split the test in `N` equal segments and run the one --segment-index (or JOB_COMPLETION_INDEX, set by a Kubernetes Indexed Job) names")
	fl.StringVar(&o.segmentIndex, "segment-index", "", "which segment, 0 to N-1, of --segment-count N this process runs (default: $JOB_COMPLETION_INDEX)")
	fl.StringVar(&o.startAt, "start-at", "", "start the scenarios at `TIME` (RFC3339, e.g. 2026-12-05T10:00:00Z), after VU init and setup: the common start of the segments of one test")
	fl.StringVar(&o.trendStats, "summary-trend-stats", "", "latency columns of the summary, a `LIST` such as avg,min,med,p(95),p(99),max")
	fl.StringVar(&o.target, "target", "", "CTI Server `host:port[,host:port]` (side A, side B); default: the built-in simulator on a free loopback port")
	fl.Int64Var(&o.seed, "seed", 0, "random seed of the run (scripts and simulator); default: a new one, printed in the summary")
	fl.StringArrayVarP(&o.env, "env", "e", nil, "`KEY=VALUE` for the script's __ENV, repeatable; overrides the process environment")
	fl.BoolVar(&o.includeSystemEnv, "include-system-env-vars", true, "give the script the process environment in __ENV")
	fl.BoolVar(&o.allowOutside, "allow-paths-outside", false, "let open() and imports read files outside the script's folder (by default only files below it, through no .. or symbolic link that leads out)")
	fl.Var(rateValue{&o.maxRequestRate}, "max-request-rate", "cap on the requests of all VUs of the test together, a `RATE` such as 200/s (also options.cti.maxRequestRate; an execution segment takes its share); waits are cti_rate_limit_wait_duration")
	fl.Var(rateValue{&o.maxOpenRate}, "max-open-rate", "cap on the session opens of all VUs of the test together, a `RATE` such as 20/s (also options.cti.maxOpenRate; an execution segment takes its share)")
	fl.StringArrayVarP(&o.tags, "tag", "t", nil, "run tag `KEY=VALUE` added to every sample, repeatable (over options.tags)")
	fl.StringVarP(&o.configFile, "config", "c", "", "read options from a JSON `FILE` (the keys of `export const options`); the script's options win over it")
	fl.BoolVar(&o.noThresholds, "no-thresholds", false, "do not judge thresholds: the run passes unless it fails otherwise (abortOnFail is off too)")
	o.sim.register(fl)
}

func (o *optionFlags) changed(name string) bool {
	f := o.fs.Lookup(name)
	return f != nil && f.Changed
}

// Levels of the option layers.
const (
	levelNone = iota
	levelScript
	levelEnv
	levelFlag
)

// level says which layer gave an option: the command line, the environment, the script (when
// inScript), or none.
func (o *optionFlags) level(name string, inScript bool) int {
	switch {
	case o.fromEnv[name]:
		return levelEnv
	case o.changed(name):
		return levelFlag
	case inScript:
		return levelScript
	}
	return levelNone
}

// applyEnv sets every flag not given on the command line from its CTILOAD_* variable.
func (o *optionFlags) applyEnv(getenv func(string) string) error {
	var errs []error
	o.fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || envSkip[f.Name] {
			return
		}
		name, ok := envNames[f.Name]
		if !ok {
			name = "CTILOAD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		}
		v := getenv(name)
		if v == "" {
			return
		}
		vals := []string{v}
		if f.Value.Type() == "stringArray" {
			vals = splitList(v) // CTILOAD_STAGES=30s:10,1m:0
		}
		for _, x := range vals {
			if err := setFromEnv(o.fs, f, name, x); err != nil {
				errs = append(errs, err)
				return
			}
		}
		if o.fromEnv == nil {
			o.fromEnv = map[string]bool{}
		}
		o.fromEnv[f.Name] = true
	})
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// int64Value is an int64 flag with a plain message for bad values.
type int64Value struct{ p *int64 }

func (v int64Value) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatInt(*v.p, 10)
}

func (v int64Value) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return errors.New("want a whole number")
	}
	*v.p = n
	return nil
}

func (v int64Value) Type() string { return "int" }

// scriptOptions are ctiload's own keys of a script's options, beside the engine's.
type scriptOptions struct {
	Simulator json.RawMessage `json:"simulator,omitempty"`
	CTI       json.RawMessage `json:"cti,omitempty"`
}

// plan is everything a run needs, resolved from the script, the environment and the flags.
type plan struct {
	scriptPath string
	script     *jsapi.Script
	env        map[string]string
	options    engine.Options // merged
	config     engine.Config  // resolved (scenarios, thresholds, segment, trend stats)
	trendStats []string       // the summary's latency columns (nil: the reports' default)
	target     string         // "" for the built-in simulator
	sim        *simPlan       // the built-in simulator, when target is ""
	safety     jsapi.Safety   // options.cti under --max-request-rate and --max-open-rate
	seed       int64
	startAt    time.Time // --start-at; zero: at once
	warnings   []string
}

// loadScript loads the script; a failure is exit code 107 (the script's fault) or 104 (a missing
// or unreadable file).
func loadScript(path string, env map[string]string, logger *slog.Logger, allowOutside bool) (*jsapi.Script, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot read script %q: no such file or directory", path)}
	case err != nil:
		return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot read script %q: %v", path, unwrapPathError(err))}
	case st.IsDir():
		return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot read script %q: it is a directory (give the .js or .ts file)", path)}
	}
	s, err := jsapi.Load(path, jsapi.LoadOptions{Env: env, Logger: logger, AllowPathsOutside: allowOutside})
	if err != nil {
		var se *jsapi.ScriptError
		if errors.As(err, &se) {
			return nil, &exitError{code: exitScriptError, err: err}
		}
		return nil, &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot read script %q: %v", path, err)}
	}
	return s, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// buildEnv is __ENV: the process environment (unless excluded) overlaid with -e KEY=VALUE.
func (o *optionFlags) buildEnv(environ []string) (map[string]string, error) {
	env := map[string]string{}
	if o.includeSystemEnv {
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
				env[k] = v
			}
		}
	}
	var errs []error
	for _, kv := range o.env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			errs = append(errs, fmt.Errorf("-e: invalid value %q: want KEY=VALUE", kv))
			continue
		}
		env[k] = v
	}
	return env, errors.Join(errs...)
}

// resolve merges the script's options with the environment and the flags, and checks them.
// Every problem is reported at once, as an exitError with code 104.
func (o *optionFlags) resolve(p *plan, getenv func(string) string) error {
	var errs []error
	if err := o.applyEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	opts, own, err := o.scriptOptions(p)
	if err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, o.applyShapeFlags(&opts)...)
	errs = append(errs, o.applyRunFlags(&opts, p, getenv)...)
	if err := o.applyTrendStats(&opts, p); err != nil {
		errs = append(errs, err)
	}
	p.options = opts
	if cfg, err := opts.Resolve(); err != nil {
		errs = append(errs, err)
	} else {
		p.config = cfg
		errs = append(errs, checkScenarioExports(cfg, p.script.Exports())...)
	}

	safety, err := parseCTIOptions(own.CTI)
	if err != nil {
		errs = append(errs, err)
	}
	if o.changed("max-request-rate") {
		safety.MaxRequestRate = o.maxRequestRate
	}
	if o.changed("max-open-rate") {
		safety.MaxOpenRate = o.maxOpenRate
	}
	p.safety = segmentShare(safety, p.config.Segment)

	p.seed = o.seed
	if !o.changed("seed") {
		p.seed = rand.Int64N(1<<31-1) + 1
	}
	if err := o.resolveTarget(p, own); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return &exitError{code: exitInvalidOptions, err: flattenErrors(errs)}
	}
	return nil
}

// segmentShare gives an execution segment its share of the run-wide rate caps. The caps bound
// what the whole test offers a server; a test split over N processes (pods of an Indexed Job,
// --execution-segment on several machines) would otherwise offer N times the cap. Each process
// takes the fraction of the caps its segment is of the test, as it takes that fraction of the
// VUs and of the arrival rates. An unparsable segment is left to Resolve, which reports it.
func segmentShare(s jsapi.Safety, segment string) jsapi.Safety {
	seg, err := executor.ParseSegment(segment)
	if err != nil || seg.IsFull() {
		return s
	}
	share, _ := new(big.Rat).Sub(seg.End, seg.Start).Float64()
	s.MaxRequestRate *= share
	s.MaxOpenRate *= share
	return s
}

// scriptOptions reads the script's exported options, under a --config file's: the engine's
// part and ctiload's own (options.cti, options.simulator).
func (o *optionFlags) scriptOptions(p *plan) (engine.Options, scriptOptions, error) {
	var opts engine.Options
	var own scriptOptions
	var errs []error
	raw := p.script.OptionsJSON()
	if o.configFile != "" {
		merged, err := underConfigFile(o.configFile, raw)
		if err != nil {
			errs = append(errs, err)
		} else {
			raw = merged
		}
	}
	if err := json.Unmarshal(raw, &opts); err != nil {
		errs = append(errs, fmt.Errorf("script options: %v", err))
	}
	if err := json.Unmarshal(raw, &own); err != nil {
		errs = append(errs, fmt.Errorf("script options: %v", err))
	}
	return opts, own, errors.Join(errs...)
}

// applyShapeFlags puts --vus, --duration, --iterations and --stage (and their CTILOAD_*
// variables) over the script. The shapes (duration or iterations, and stages) exclude each
// other: the one given at the higher level wins, so that --stage replaces a duration from the
// script or the environment, and --duration the script's stages. Given at the same level they
// are an error, which Resolve reports.
func (o *optionFlags) applyShapeFlags(opts *engine.Options) []error {
	var errs []error
	ld := o.level("duration", opts.Duration != nil)
	li := o.level("iterations", opts.Iterations != nil)
	ls := o.level("stage", len(opts.Stages) > 0)
	if o.changed("vus") {
		v := o.vus
		opts.VUs = &v
	}
	if o.changed("duration") {
		d := o.duration
		opts.Duration = &d
	}
	if o.changed("iterations") {
		n := o.iterations
		opts.Iterations = &n
	}
	if o.changed("stage") {
		opts.Stages = nil
		for _, s := range o.stages {
			for _, one := range splitList(s) {
				st, err := parseStage(one)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				opts.Stages = append(opts.Stages, st)
			}
		}
	}
	switch {
	case ls > max(ld, li):
		opts.Duration, opts.Iterations = nil, nil
	case max(ld, li) > ls:
		opts.Stages = nil
	}
	return errs
}

// applyRunFlags puts the flags about the run as a whole over the script: --tag,
// --no-thresholds, the execution segment (or --segment-count/--segment-index) and --start-at.
func (o *optionFlags) applyRunFlags(opts *engine.Options, p *plan, getenv func(string) string) []error {
	var errs []error
	if len(o.tags) > 0 {
		tags := maps.Clone(opts.Tags)
		if tags == nil {
			tags = map[string]string{}
		}
		for _, kv := range o.tags {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.TrimSpace(k) == "" {
				errs = append(errs, fmt.Errorf("--tag: invalid value %q: want KEY=VALUE", kv))
				continue
			}
			tags[strings.TrimSpace(k)] = v
		}
		opts.Tags = tags
	}
	if o.noThresholds {
		opts.Thresholds = nil
	}
	if o.changed("execution-segment") {
		opts.ExecutionSegment = o.segment
	}
	if o.changed("execution-segment-sequence") {
		opts.ExecutionSegmentSequence = o.seq
	}
	if o.changed("segment-count") {
		seg, seq, err := o.indexedSegment(getenv)
		if err != nil {
			errs = append(errs, err)
		} else if o.changed("execution-segment") || o.changed("execution-segment-sequence") {
			errs = append(errs, errors.New("--segment-count and --execution-segment both say which segment to run: give one"))
		} else {
			opts.ExecutionSegment, opts.ExecutionSegmentSequence = seg, seq
		}
	} else if o.changed("segment-index") {
		errs = append(errs, errors.New("--segment-index needs --segment-count (CTILOAD_SEGMENT_COUNT): the number of segments"))
	}
	if o.changed("start-at") {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(o.startAt))
		if err != nil {
			errs = append(errs, fmt.Errorf("--start-at: invalid value %q: want an RFC3339 time such as 2026-12-05T10:00:00Z", o.startAt))
		}
		p.startAt = t
	}
	return errs
}

// applyTrendStats sets the statistics the summary shows (--summary-trend-stats over the
// script's summaryTrendStats); the engine keeps its defaults (the live view reads p(95)) plus
// those.
func (o *optionFlags) applyTrendStats(opts *engine.Options, p *plan) error {
	var err error
	display := opts.SummaryTrendStats
	if o.changed("summary-trend-stats") {
		display = splitList(o.trendStats)
	}
	if display != nil {
		if _, perr := metrics.ParseTrendStats(display); perr != nil {
			err = fmt.Errorf("--summary-trend-stats: %v (want a list such as avg,min,med,max,p(95),p(99.9))", perr)
			display = nil
		}
	}
	opts.SummaryTrendStats = unionStats(metrics.DefaultTrendStats, display)
	p.trendStats = display
	return err
}

// checkScenarioExports reports each scenario whose exec function the script does not export.
func checkScenarioExports(cfg engine.Config, exports []string) []error {
	var errs []error
	for _, name := range sortedKeys(cfg.Scenarios) {
		exec := cfg.Scenarios[name].Base().Exec
		if exec == "" {
			exec = "default"
		}
		if !slices.Contains(exports, exec) {
			what := fmt.Sprintf("scenario %q: the script exports no function %q", name, exec)
			if exec == "default" {
				what = fmt.Sprintf("scenario %q: the script has no `export default function` (and the scenario names no exec function)", name)
			}
			errs = append(errs, errors.New(what))
		}
	}
	return errs
}

// resolveTarget sets where the run connects: --target, or the built-in simulator planned from
// its flags and options.simulator (simulator flags with a real target are ignored, with a
// warning).
func (o *optionFlags) resolveTarget(p *plan, own scriptOptions) error {
	p.target = strings.TrimSpace(o.target)
	if p.target != "" && p.target != "sim" {
		if changed := o.sim.changedFlags(); len(changed) > 0 {
			p.warnings = append(p.warnings, fmt.Sprintf("%s ignored: --target %s is not the built-in simulator", strings.Join(changed, ", "), p.target))
		}
		return checkTargetSyntax(p.target)
	}
	p.target = ""
	sp, err := o.sim.plan(own.Simulator, p.seed)
	p.sim = sp
	return err
}

// underConfigFile returns the script's options (JSON) over those of a --config file: a key the
// script sets replaces the file's whole value, as k6 layers its config file under the script.
// Unknown keys in the file are errors, with the nearest known key.
func underConfigFile(path string, script json.RawMessage) (json.RawMessage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: cannot read %q: %v", path, unwrapPathError(err))
	}
	var file, over map[string]json.RawMessage
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("--config: %s is not a JSON object of options: %v", path, err)
	}
	known := optionKeys()
	var errs []error
	for _, k := range sortedKeys(file) {
		if !slices.Contains(known, k) {
			hint := ""
			if s := suggest(k, known); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			errs = append(errs, fmt.Errorf("--config: %s: unknown option %q%s", path, k, hint))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(script) > 0 {
		if err := json.Unmarshal(script, &over); err != nil {
			return nil, fmt.Errorf("script options: %v", err)
		}
	}
	maps.Copy(file, over)
	return json.Marshal(file)
}

// optionKeys are the top-level keys of a script's options: the engine's and ctiload's own.
func optionKeys() []string {
	var keys []string
	for _, t := range []reflect.Type{reflect.TypeFor[engine.Options](), reflect.TypeFor[scriptOptions]()} {
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				keys = append(keys, name)
			}
		}
	}
	return keys
}

// flattenErrors joins problems into one message: one line for one, a list for several.
func flattenErrors(errs []error) error {
	var flat []string
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		var ioe *engine.InvalidOptionsError
		if errors.As(err, &ioe) {
			for _, e := range ioe.Errs {
				walk(e)
			}
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		flat = append(flat, err.Error())
	}
	for _, e := range errs {
		walk(e)
	}
	if len(flat) == 1 {
		return errors.New(flat[0])
	}
	return errors.New("invalid options:\n  - " + strings.Join(flat, "\n  - "))
}

func parseStage(s string) (executor.Stage, error) {
	d, t, ok := strings.Cut(s, ":")
	bad := fmt.Errorf("--stage: invalid value %q: want DURATION:TARGET such as 30s:10", s)
	if !ok {
		return executor.Stage{}, bad
	}
	var dur executor.Duration
	if err := (durationValue{&dur}).Set(d); err != nil {
		return executor.Stage{}, bad
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil || n < 0 {
		return executor.Stage{}, bad
	}
	return executor.Stage{Duration: dur, Target: n}, nil
}

func unionStats(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) && s != "count" {
			out = append(out, s)
		}
	}
	return out
}

// checkTargetSyntax checks "host:port[,host:port]".
func checkTargetSyntax(target string) error {
	parts := strings.Split(target, ",")
	if len(parts) > 2 {
		return fmt.Errorf("--target: invalid value %q: want host:port, or host:port,host:port for side A and side B", target)
	}
	for _, a := range parts {
		host, port, err := net.SplitHostPort(strings.TrimSpace(a))
		if err != nil || host == "" || port == "" {
			return fmt.Errorf("--target: invalid value %q: want host:port, or host:port,host:port for side A and side B", target)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jobIndexEnv is the variable in which a Kubernetes Indexed Job gives each pod its index.
const jobIndexEnv = "JOB_COMPLETION_INDEX"

// indexedSegment turns --segment-count N and the index (--segment-index, else
// JOB_COMPLETION_INDEX) into an execution segment i/N:(i+1)/N and the sequence 0,1/N,…,1 every
// process shares, so that a Job's manifest needs no arithmetic.
func (o *optionFlags) indexedSegment(getenv func(string) string) (seg, seq string, err error) {
	n := o.segmentCount
	if n < 1 || n > executor.MaxPeriod {
		return "", "", fmt.Errorf("--segment-count: invalid value %d: want 1 to %d", n, executor.MaxPeriod)
	}
	raw, from := strings.TrimSpace(o.segmentIndex), "--segment-index"
	if o.fromEnv["segment-index"] {
		from = "CTILOAD_SEGMENT_INDEX"
	}
	if !o.changed("segment-index") && !o.fromEnv["segment-index"] {
		raw, from = strings.TrimSpace(getenv(jobIndexEnv)), jobIndexEnv
		if raw == "" {
			return "", "", fmt.Errorf("--segment-count %d: which segment? give --segment-index (0 to %d) or set %s, as a Kubernetes Indexed Job does", n, n-1, jobIndexEnv)
		}
	}
	i, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || i < 0 || i >= n {
		return "", "", fmt.Errorf("%s: invalid value %q: want a segment index from 0 to %d (--segment-count %d)", from, raw, n-1, n)
	}
	bounds := make([]string, 0, n+1)
	for k := range n + 1 {
		bounds = append(bounds, big.NewRat(k, n).RatString())
	}
	return bounds[i] + ":" + bounds[i+1], strings.Join(bounds, ","), nil
}
