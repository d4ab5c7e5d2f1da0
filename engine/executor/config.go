package executor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is the configuration of one scenario, for one executor type.
type Config interface {
	// Base returns the settings every executor shares.
	Base() *BaseConfig
	// Validate returns every problem of the configuration, not just the first.
	Validate() []error
	// VUsFor returns the VUs the scenario needs in partition p: how many to initialise before the
	// run starts, and the most it may use (arrival-rate executors add VUs up to it while they
	// run).
	VUsFor(p *Partition) (initial, max int64)
	// RegularDuration is the time after which no iteration starts: duration, the sum of the
	// stages, or maxDuration for iteration-based executors. Graceful stop comes on top of it.
	RegularDuration() time.Duration
	// NewExecutor returns the executor that runs this configuration on s.
	NewExecutor(s *Scenario) (Executor, error)
}

// DefaultGracefulStop is every executor's gracefulStop unless configured.
const DefaultGracefulStop = 30 * time.Second

// DefaultExec is the function a scenario runs unless configured.
const DefaultExec = "default"

// BaseConfig holds the settings every executor shares. Executor configs embed it.
type BaseConfig struct {
	Name         string            `json:"-"` // the scenario's name, its key in options
	Type         string            `json:"executor"`
	StartTime    Duration          `json:"startTime,omitempty"`
	GracefulStop Duration          `json:"gracefulStop"`
	Exec         string            `json:"exec,omitempty"`
	Env          map[string]string `json:"env,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// NewBaseConfig returns the defaults of a scenario called name of executor typ.
func NewBaseConfig(name, typ string) BaseConfig {
	return BaseConfig{Name: name, Type: typ, GracefulStop: Duration(DefaultGracefulStop), Exec: DefaultExec}
}

// Base returns b.
func (b *BaseConfig) Base() *BaseConfig { return b }

var scenarioNameRE = regexp.MustCompile(`^[0-9a-zA-Z_-]+$`)

// Validate checks the shared settings.
func (b *BaseConfig) Validate() []error {
	var errs []error
	if !scenarioNameRE.MatchString(b.Name) {
		errs = append(errs, fmt.Errorf("scenario name %q: use only letters, digits, '_' and '-'", b.Name))
	}
	if _, ok := lookup(b.Type); !ok {
		errs = append(errs, fmt.Errorf("executor %q: unknown (want one of %s)", b.Type, strings.Join(Types(), ", ")))
	}
	if b.StartTime < 0 {
		errs = append(errs, fmt.Errorf("startTime must not be negative, got %s", b.StartTime))
	}
	if b.GracefulStop < 0 {
		errs = append(errs, fmt.Errorf("gracefulStop must not be negative, got %s", b.GracefulStop))
	}
	if b.Exec == "" {
		errs = append(errs, errors.New("exec must name a function, got an empty string"))
	}
	return errs
}

// Duration is a time.Duration that reads from JSON as a string ("30s", "1m30s", "500ms") or a
// number of milliseconds (k6's convention), and writes as a string.
type Duration time.Duration

// ParseDuration parses a duration string as JSON options give it: Go syntax ("1m30s"), or a
// plain number of milliseconds ("1500").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return msToDuration(f)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a number of milliseconds or a string like \"30s\", \"1m30s\", \"500ms\"", s)
	}
	return d, nil
}

func msToDuration(f float64) (time.Duration, error) {
	ns := f * float64(time.Millisecond)
	if math.IsNaN(ns) || math.Abs(ns) > math.MaxInt64 {
		return 0, fmt.Errorf("invalid duration %v ms: out of range", f)
	}
	return time.Duration(ns), nil
}

// String formats d as time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a string or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		td, err := ParseDuration(v)
		if err != nil {
			return err
		}
		*d = Duration(td)
	case float64:
		td, err := msToDuration(v)
		if err != nil {
			return err
		}
		*d = Duration(td)
	default:
		return fmt.Errorf("invalid duration %s: want a string like \"30s\" or a number of milliseconds", b)
	}
	return nil
}

// UnmarshalText reads a duration string, for flags.
func (d *Duration) UnmarshalText(b []byte) error {
	td, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(td)
	return nil
}

// Stage is one step of a ramping executor: reach Target (VUs, or iterations per timeUnit) in
// Duration, linearly.
type Stage struct {
	Duration Duration `json:"duration"`
	Target   int64    `json:"target"`
}

func validateStages(stages []Stage, what string) []error {
	var errs []error
	if len(stages) == 0 {
		return []error{errors.New("stages: at least one stage is required")}
	}
	var total time.Duration
	for i, s := range stages {
		if s.Duration < 0 {
			errs = append(errs, fmt.Errorf("stages[%d].duration must not be negative, got %s", i, s.Duration))
		}
		if s.Target < 0 {
			errs = append(errs, fmt.Errorf("stages[%d].target (%s) must not be negative, got %d", i, what, s.Target))
		}
		total += time.Duration(s.Duration)
	}
	if total <= 0 {
		errs = append(errs, errors.New("stages: the total duration must be positive"))
	}
	return errs
}

func stagesDuration(stages []Stage) time.Duration {
	var total time.Duration
	for _, s := range stages {
		total += time.Duration(s.Duration)
	}
	return total
}

// NewConfigFunc returns a configuration with the executor's defaults, for scenario name.
type NewConfigFunc func(name string) Config

var (
	registryMu sync.RWMutex
	registry   = map[string]NewConfigFunc{}
)

// Register makes an executor type available to ParseConfig. It panics if typ is registered
// twice, as a name must mean one executor.
func Register(typ string, f NewConfigFunc) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[typ]; dup {
		panic("executor: Register called twice for " + typ)
	}
	registry[typ] = f
}

func lookup(typ string) (NewConfigFunc, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	f, ok := registry[typ]
	return f, ok
}

// Types returns the registered executor types, sorted.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ParseConfig reads the JSON configuration of scenario name: its "executor" key picks the
// executor, whose defaults the other keys override. Unknown keys are errors. The result is
// not validated; call Validate.
func ParseConfig(name string, data []byte) (Config, error) {
	var head struct {
		Executor *string `json:"executor"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, explainJSON(err)
	}
	if head.Executor == nil {
		return nil, fmt.Errorf("executor is required (one of %s)", strings.Join(Types(), ", "))
	}
	f, ok := lookup(*head.Executor)
	if !ok {
		return nil, fmt.Errorf("executor %q: unknown (want one of %s)", *head.Executor, strings.Join(Types(), ", "))
	}
	cfg := f(name)
	if err := strictUnmarshal(data, cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", *head.Executor, err)
	}
	cfg.Base().Name = name
	return cfg, nil
}

// strictUnmarshal decodes one JSON value into v; unknown keys and trailing data are errors.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return explainJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the configuration object")
	}
	return nil
}

// explainJSON rewrites encoding/json's errors in terms of options.
func explainJSON(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return fmt.Errorf("expected %s, got a JSON %s", describeType(te.Type.String()), te.Value)
		}
		return fmt.Errorf("option %q: expected %s, got a JSON %s", field, describeType(te.Type.String()), te.Value)
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %w", se.Offset, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown option %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return err
}

func describeType(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "map["):
		return "an object"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasSuffix(t, "Duration"):
		return "a duration"
	}
	return "an object"
}
