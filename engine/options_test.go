package engine_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
)

func TestResolveShortcuts(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	d := func(v time.Duration) *executor.Duration { x := executor.Duration(v); return &x }
	stages := []executor.Stage{{Duration: executor.Duration(time.Minute), Target: 10}}
	tests := []struct {
		name string
		opts engine.Options
		want string // JSON of the default scenario
	}{
		{"nothing: 1 VU, 1 iteration", engine.Options{},
			`{"executor":"shared-iterations","gracefulStop":"30s","exec":"default","vus":1,"iterations":1,"maxDuration":"10m0s"}`},
		{"iterations", engine.Options{VUs: i64(5), Iterations: i64(50)},
			`{"executor":"shared-iterations","gracefulStop":"30s","exec":"default","vus":5,"iterations":50,"maxDuration":"10m0s"}`},
		{"iterations and duration", engine.Options{Iterations: i64(50), Duration: d(time.Minute)},
			`{"executor":"shared-iterations","gracefulStop":"30s","exec":"default","vus":1,"iterations":50,"maxDuration":"1m0s"}`},
		{"duration", engine.Options{VUs: i64(5), Duration: d(30 * time.Second)},
			`{"executor":"constant-vus","gracefulStop":"30s","exec":"default","vus":5,"duration":"30s"}`},
		{"stages", engine.Options{VUs: i64(2), Stages: stages},
			`{"executor":"ramping-vus","gracefulStop":"30s","exec":"default","startVUs":2,"stages":[{"duration":"1m0s","target":10}],"gracefulRampDown":"30s"}`},
		{"vus alone", engine.Options{VUs: i64(3)},
			`{"executor":"shared-iterations","gracefulStop":"30s","exec":"default","vus":3,"iterations":3,"maxDuration":"10m0s"}`},
		{"shortcuts override scenarios", engine.Options{Duration: d(time.Second), Scenarios: map[string]json.RawMessage{"x": json.RawMessage(`{}`)}},
			`{"executor":"constant-vus","gracefulStop":"30s","exec":"default","vus":1,"duration":"1s"}`},
	}
	for _, tt := range tests {
		cfg, err := tt.opts.Resolve()
		if err != nil {
			t.Errorf("%s: Resolve error = %v", tt.name, err)
			continue
		}
		if len(cfg.Scenarios) != 1 || cfg.Scenarios["default"] == nil {
			t.Errorf("%s: scenarios = %v; want one called default", tt.name, cfg.Scenarios)
			continue
		}
		got, _ := json.Marshal(cfg.Scenarios["default"])
		if string(got) != tt.want {
			t.Errorf("%s: scenario = %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	d := executor.Duration(time.Second)
	tests := []struct {
		name string
		opts engine.Options
		want []string
	}{
		{"stages and duration", engine.Options{Duration: &d, Stages: []executor.Stage{{Duration: d, Target: 1}}},
			[]string{"stages cannot be combined with duration or iterations"}},
		{"zero vus", engine.Options{VUs: i64(0), Duration: &d},
			[]string{"shortcut options (vus, duration, iterations, stages): vus must be positive, got 0"}},
		{"every scenario problem at once", engine.Options{Scenarios: map[string]json.RawMessage{
			"a": json.RawMessage(`{"executor":"constant-vus","vus":0,"duration":"1s"}`),
			"b": json.RawMessage(`{"executor":"constant-vus","duration":"1s","foo":1}`),
			"c": json.RawMessage(`{"executor":"nope"}`),
			"d": json.RawMessage(`{"executor":"ramping-vus"}`),
		}}, []string{
			`scenario "a": vus must be positive, got 0`,
			`scenario "b": constant-vus: unknown option "foo"`,
			`scenario "c": executor "nope": unknown`,
			`scenario "d": stages: at least one stage is required`,
		}},
	}
	for _, tt := range tests {
		_, err := tt.opts.Resolve()
		var ie *engine.InvalidOptionsError
		if !errors.As(err, &ie) || engine.ExitCode(err) != engine.ExitInvalidOptions {
			t.Errorf("%s: Resolve error = %v; want an *InvalidOptionsError", tt.name, err)
			continue
		}
		if len(ie.Errs) != len(tt.want) {
			t.Errorf("%s: %d errors; want %d: %v", tt.name, len(ie.Errs), len(tt.want), err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Resolve error = %v\nwant it to contain %q", tt.name, err, w)
			}
		}
	}
}

func TestOptionsJSON(t *testing.T) {
	js := `{
		"vus": 10, "duration": "1m30s",
		"thresholds": {
			"cti_request_duration{msg:SET_AGENT_STATE_REQ}": ["p(99)<250", "p(99.9)<1000",
				{"threshold": "p(95)<200", "abortOnFail": true, "delayAbortEval": "10s"}],
			"cti_failures": "count==0"
		},
		"executionSegment": "0:1/2",
		"tags": {"env": "staging"}
	}`
	var o engine.Options
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		t.Fatal(err)
	}
	cfg, err := o.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	th := cfg.Thresholds["cti_request_duration{msg:SET_AGENT_STATE_REQ}"]
	want := []engine.ThresholdConfig{
		{Threshold: "p(99)<250"}, {Threshold: "p(99.9)<1000"},
		{Threshold: "p(95)<200", AbortOnFail: true, DelayAbortEval: executor.Duration(10 * time.Second)},
	}
	if !equalSlices(th, want) {
		t.Errorf("thresholds = %+v; want %+v", th, want)
	}
	if got := cfg.Thresholds["cti_failures"]; len(got) != 1 || got[0].Threshold != "count==0" {
		t.Errorf("single threshold = %+v", got)
	}
	if c, ok := cfg.Scenarios["default"].(*executor.ConstantVUsConfig); !ok || c.VUs != 10 || time.Duration(c.Duration) != 90*time.Second {
		t.Errorf("scenario = %+v", cfg.Scenarios["default"])
	}
	if cfg.Segment != "0:1/2" || cfg.Tags["env"] != "staging" {
		t.Errorf("segment %q, tags %v", cfg.Segment, cfg.Tags)
	}
	for _, bad := range []string{
		`{"thresholds":{"x":[{"threshold":"avg<1","abortOnFail":"yes"}]}}`,
		`{"thresholds":{"x":[{"threshold":"avg<1","abort":true}]}}`,
		`{"thresholds":{"x":[{"abortOnFail":true}]}}`,
		`{"thresholds":{"x":[3]}}`,
	} {
		var o engine.Options
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("json.Unmarshal(%s): no error", bad)
		}
	}
}
