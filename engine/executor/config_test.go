package executor_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
)

func TestParseConfigDefaults(t *testing.T) {
	tests := []struct {
		js   string
		want executor.Config
	}{
		{`{"executor":"shared-iterations"}`, &executor.SharedIterationsConfig{
			BaseConfig: base("s", "shared-iterations"), VUs: 1, Iterations: 1, MaxDuration: dur(10 * time.Minute)}},
		{`{"executor":"per-vu-iterations","vus":3,"iterations":2,"maxDuration":"1m"}`, &executor.PerVUIterationsConfig{
			BaseConfig: base("s", "per-vu-iterations"), VUs: 3, Iterations: 2, MaxDuration: dur(time.Minute)}},
		{`{"executor":"constant-vus","duration":1500,"gracefulStop":"5s","exec":"agents","env":{"A":"1"},"tags":{"t":"x"},"startTime":"1m30s"}`,
			&executor.ConstantVUsConfig{BaseConfig: executor.BaseConfig{Name: "s", Type: "constant-vus", StartTime: dur(90 * time.Second),
				GracefulStop: dur(5 * time.Second), Exec: "agents", Env: map[string]string{"A": "1"}, Tags: map[string]string{"t": "x"}},
				VUs: 1, Duration: dur(1500 * time.Millisecond)}},
		{`{"executor":"ramping-vus","stages":[{"duration":"10s","target":5}]}`, &executor.RampingVUsConfig{
			BaseConfig: base("s", "ramping-vus"), StartVUs: 1, Stages: []executor.Stage{{Duration: dur(10 * time.Second), Target: 5}},
			GracefulRampDown: dur(30 * time.Second)}},
		{`{"executor":"constant-arrival-rate","rate":10,"duration":"1s","preAllocatedVUs":2}`, &executor.ConstantArrivalRateConfig{
			BaseConfig: base("s", "constant-arrival-rate"), Rate: 10, TimeUnit: dur(time.Second), Duration: dur(time.Second), PreAllocatedVUs: 2}},
		{`{"executor":"ramping-arrival-rate","timeUnit":"1m","stages":[{"duration":"1s","target":3}],"maxVUs":4}`, &executor.RampingArrivalRateConfig{
			BaseConfig: base("s", "ramping-arrival-rate"), TimeUnit: dur(time.Minute), Stages: []executor.Stage{{Duration: dur(time.Second), Target: 3}}, MaxVUs: 4}},
	}
	for _, tt := range tests {
		got, err := executor.ParseConfig("s", []byte(tt.js))
		if err != nil {
			t.Errorf("ParseConfig(%s) error = %v", tt.js, err)
			continue
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(tt.want)
		if string(g) != string(w) {
			t.Errorf("ParseConfig(%s) = %s; want %s", tt.js, g, w)
		}
		if errs := got.Validate(); len(errs) > 0 {
			t.Errorf("Validate(%s) = %v", tt.js, errs)
		}
	}
}

func base(name, typ string) executor.BaseConfig {
	b := executor.NewBaseConfig(name, typ)
	return b
}

func dur(d time.Duration) executor.Duration { return executor.Duration(d) }

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		js      string
		wantErr string
	}{
		{`{"vus":1}`, "executor is required (one of constant-arrival-rate, constant-vus, per-vu-iterations, ramping-arrival-rate, ramping-vus, shared-iterations)"},
		{`{"executor":"externally-controlled"}`, `executor "externally-controlled": unknown`},
		{`{"executor":"constant-vus","vu":1}`, `constant-vus: unknown option "vu"`},
		{`{"executor":"constant-vus","vus":"3"}`, `constant-vus: option "vus": expected an integer, got a JSON string`},
		{`{"executor":"constant-vus","vus":2.5}`, `option "vus": expected an integer, got a JSON number`},
		{`{"executor":"ramping-vus","stages":[{"duration":"1s","target":"x"}]}`, `expected an integer, got a JSON string`},
		{`{"executor":"constant-vus","duration":"3 days"}`, `invalid duration "3 days"`},
		{`{"executor":"constant-vus","duration":true}`, `invalid duration true`},
		{`{"executor":"constant-vus"} {}`, `invalid JSON at byte 29`},
		{`{"executor":`, `unexpected end of JSON input`},
	}
	for _, tt := range tests {
		_, err := executor.ParseConfig("s", []byte(tt.js))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseConfig(%s) error = %v; want %q", tt.js, err, tt.wantErr)
		}
	}
}

func TestValidateReportsEverything(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want []string
	}{
		{"bad name", `{"executor":"constant-vus","vus":0,"duration":"-1s","gracefulStop":"-1s","exec":""}`, []string{
			`scenario name "bad name"`, "gracefulStop must not be negative", "exec must name a function",
			"vus must be positive, got 0", "duration is required and must be positive, got -1s"}},
		{"s", `{"executor":"shared-iterations","vus":5,"iterations":3,"maxDuration":0}`, []string{
			"iterations (3) must not be fewer than vus (5)", "maxDuration must be positive"}},
		{"s", `{"executor":"ramping-vus","startVUs":0,"stages":[{"duration":"-1s","target":-2}],"gracefulRampDown":"-1s"}`, []string{
			"stages[0].duration must not be negative", "stages[0].target (VUs) must not be negative", "stages: the total duration must be positive",
			"gracefulRampDown must not be negative", "startVUs or a stage target must be positive"}},
		{"s", `{"executor":"ramping-vus","stages":[]}`, []string{"at least one stage is required"}},
		{"s", `{"executor":"constant-arrival-rate","rate":0,"timeUnit":0,"preAllocatedVUs":5,"maxVUs":2,"maxStartLateness":"-1ms"}`, []string{
			"rate is required", "timeUnit must be positive", "duration is required", "maxStartLateness must not be negative, got -1ms",
			"maxVUs (2) must not be less than preAllocatedVUs (5)"}},
		{"s", `{"executor":"ramping-arrival-rate","startRate":-1,"stages":[{"duration":"1s","target":1}],"maxStartLateness":"-2s"}`, []string{
			"startRate must not be negative", "maxStartLateness must not be negative, got -2s", "preAllocatedVUs or maxVUs must be positive"}},
	}
	for _, tt := range tests {
		cfg, err := executor.ParseConfig(tt.name, []byte(tt.js))
		if err != nil {
			t.Fatalf("ParseConfig(%s) error = %v", tt.js, err)
		}
		errs := cfg.Validate()
		var all []string
		for _, e := range errs {
			all = append(all, e.Error())
		}
		joined := strings.Join(all, "\n")
		if len(errs) != len(tt.want) {
			t.Errorf("Validate(%s) gave %d errors; want %d:\n%s", tt.js, len(errs), len(tt.want), joined)
		}
		for _, w := range tt.want {
			if !strings.Contains(joined, w) {
				t.Errorf("Validate(%s) = \n%s\nwant an error containing %q", tt.js, joined, w)
			}
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"30s", 30 * time.Second, false}, {"1m30s", 90 * time.Second, false}, {"500ms", 500 * time.Millisecond, false},
		{"1500", 1500 * time.Millisecond, false}, {"0.5", 500 * time.Microsecond, false}, {"2h", 2 * time.Hour, false},
		{"", 0, true}, {"3 days", 0, true}, {"1e300", 0, true},
	}
	for _, tt := range tests {
		got, err := executor.ParseDuration(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering constant-vus twice did not panic")
		}
	}()
	executor.Register(executor.ConstantVUsType, func(string) executor.Config { return nil })
}
