package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ctiload/ctiload/engine/executor"
)

// DefaultScenarioName is the name of the scenario the shortcuts make.
const DefaultScenarioName = "default"

// Options are the engine's part of k6-style options, as a script's `options` object or the
// command line give them. Fields are pointers where "not set" differs from zero. Decoding JSON
// into Options ignores unknown keys, since a script's options also hold other modules'
// settings; scenarios and thresholds themselves are decoded strictly.
type Options struct {
	// The shortcuts: with any of them set, Resolve makes one scenario from them and ignores
	// Scenarios (the command line overrides the script, as in k6).
	VUs        *int64             `json:"vus,omitempty"`
	Duration   *executor.Duration `json:"duration,omitempty"`
	Iterations *int64             `json:"iterations,omitempty"`
	Stages     []executor.Stage   `json:"stages,omitempty"`

	Scenarios  map[string]json.RawMessage `json:"scenarios,omitempty"`
	Thresholds map[string]ThresholdList   `json:"thresholds,omitempty"`

	ExecutionSegment         string            `json:"executionSegment,omitempty"`
	ExecutionSegmentSequence string            `json:"executionSegmentSequence,omitempty"`
	Tags                     map[string]string `json:"tags,omitempty"`
	SummaryTrendStats        []string          `json:"summaryTrendStats,omitempty"`
}

// HasShortcuts reports whether any of VUs, Duration, Iterations or Stages is set.
func (o Options) HasShortcuts() bool {
	return o.VUs != nil || o.Duration != nil || o.Iterations != nil || len(o.Stages) > 0
}

// Resolve turns the options into a validated Config (without Setup, Teardown, Env and the
// other programmatic fields). Scenarios come from, in order of precedence:
//
//   - the shortcuts, with k6's rules: iterations (and optionally duration, as maxDuration) →
//     shared-iterations with vus VUs; duration → constant-vus; stages → ramping-vus starting
//     at vus; vus alone → shared-iterations of vus iterations; vus defaults to 1; stages
//     together with duration or iterations is an error;
//   - Scenarios;
//   - neither: one shared-iterations scenario of 1 VU and 1 iteration, as k6 runs a script
//     without options.
//
// Every problem is reported at once in an *InvalidOptionsError (ExitInvalidOptions).
func (o Options) Resolve() (Config, error) {
	cfg := Config{
		Segment:         o.ExecutionSegment,
		SegmentSequence: o.ExecutionSegmentSequence,
		Tags:            o.Tags,
		TrendStats:      o.SummaryTrendStats,
	}
	var errs []error
	switch {
	case o.HasShortcuts():
		sc, err := o.shortcutScenario()
		if err != nil {
			errs = append(errs, err)
		} else {
			cfg.Scenarios = map[string]executor.Config{DefaultScenarioName: sc}
		}
	case len(o.Scenarios) > 0:
		cfg.Scenarios = map[string]executor.Config{}
		for _, name := range sortedKeys(o.Scenarios) {
			sc, err := ParseScenario(name, o.Scenarios[name])
			if err != nil {
				errs = append(errs, err)
				continue
			}
			cfg.Scenarios[name] = sc
		}
	default:
		cfg.Scenarios = map[string]executor.Config{DefaultScenarioName: executor.NewSharedIterationsConfig(DefaultScenarioName)}
	}
	if len(o.Thresholds) > 0 {
		cfg.Thresholds = make(map[string][]ThresholdConfig, len(o.Thresholds))
		for k, v := range o.Thresholds {
			cfg.Thresholds[k] = v
		}
	}
	if err := invalid(errs...); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func (o Options) shortcutScenario() (executor.Config, error) {
	if len(o.Stages) > 0 && (o.Duration != nil || o.Iterations != nil) {
		return nil, errors.New("using multiple execution config shortcuts simultaneously is not allowed: stages cannot be combined with duration or iterations")
	}
	vus := int64(1)
	if o.VUs != nil {
		vus = *o.VUs
	}
	var sc executor.Config
	switch {
	case o.Iterations != nil:
		c := executor.NewSharedIterationsConfig(DefaultScenarioName)
		c.VUs, c.Iterations = vus, *o.Iterations
		if o.Duration != nil {
			c.MaxDuration = *o.Duration
		}
		sc = c
	case o.Duration != nil:
		c := executor.NewConstantVUsConfig(DefaultScenarioName)
		c.VUs, c.Duration = vus, *o.Duration
		sc = c
	case len(o.Stages) > 0:
		c := executor.NewRampingVUsConfig(DefaultScenarioName)
		c.StartVUs, c.Stages = vus, slices.Clone(o.Stages)
		sc = c
	default: // vus alone
		c := executor.NewSharedIterationsConfig(DefaultScenarioName)
		c.VUs, c.Iterations = vus, vus
		sc = c
	}
	if errs := sc.Validate(); len(errs) > 0 {
		for i, e := range errs {
			errs[i] = fmt.Errorf("shortcut options (vus, duration, iterations, stages): %w", e)
		}
		return nil, errors.Join(errs...)
	}
	return sc, nil
}

// ParseScenarios reads a JSON object of scenarios by name, validating each; every problem is
// reported at once in an *InvalidOptionsError.
func ParseScenarios(data json.RawMessage) (map[string]executor.Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, invalid(fmt.Errorf("scenarios: want an object of scenarios by name: %w", err))
	}
	out := make(map[string]executor.Config, len(raw))
	var errs []error
	for _, name := range sortedKeys(raw) {
		sc, err := ParseScenario(name, raw[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[name] = sc
	}
	if err := invalid(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ThresholdConfig is one threshold: an expression, and whether its failure aborts the run
// (after DelayAbortEval from the start). In JSON it is a string ("p(95)<200") or an object
// {"threshold": "p(95)<200", "abortOnFail": true, "delayAbortEval": "10s"}.
type ThresholdConfig struct {
	Threshold      string            `json:"threshold"`
	AbortOnFail    bool              `json:"abortOnFail,omitempty"`
	DelayAbortEval executor.Duration `json:"delayAbortEval,omitempty"`
}

// UnmarshalJSON reads a string or an object; unknown keys of the object are errors.
func (t *ThresholdConfig) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = ThresholdConfig{Threshold: s}
		return nil
	}
	type plain ThresholdConfig
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return fmt.Errorf("threshold %s: unknown option %s (want threshold, abortOnFail, delayAbortEval)", b, name)
		}
		return fmt.Errorf("threshold %s: want a string or an object {threshold, abortOnFail, delayAbortEval}: %w", b, err)
	}
	if p.Threshold == "" {
		return fmt.Errorf("threshold %s: the threshold expression is missing", b)
	}
	*t = ThresholdConfig(p)
	return nil
}

// ThresholdList is the thresholds of one metric. In JSON it is a list of ThresholdConfig, or a
// single one.
type ThresholdList []ThresholdConfig

// UnmarshalJSON reads a list or a single threshold.
func (l *ThresholdList) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		var list []ThresholdConfig
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*l = list
		return nil
	}
	var one ThresholdConfig
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = ThresholdList{one}
	return nil
}

// ParseScenario reads the JSON configuration of one scenario (strict: unknown keys fail) and
// validates it, with the errors Options.Resolve gives (an *InvalidOptionsError).
func ParseScenario(name string, data []byte) (executor.Config, error) {
	cfg, err := executor.ParseConfig(name, data)
	if err != nil {
		return nil, &InvalidOptionsError{Errs: []error{scenarioErr(name, err)}}
	}
	if errs := cfg.Validate(); len(errs) > 0 {
		for i, e := range errs {
			errs[i] = scenarioErr(name, e)
		}
		return nil, &InvalidOptionsError{Errs: errs}
	}
	return cfg, nil
}
