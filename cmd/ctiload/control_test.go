package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/engine"
)

type fakeRun struct {
	targets map[string]float64
	stopped int
}

func (f *fakeRun) Progress() []engine.ScenarioProgress {
	return []engine.ScenarioProgress{{Scenario: "agents", Executor: "constant-vus", VUs: 3, Target: f.targets["agents"]}}
}

func (f *fakeRun) SetTarget(name string, v float64) error {
	if name != "agents" {
		return errors.New(`no scenario "` + name + `" (have agents)`)
	}
	f.targets[name] = v
	return nil
}

func (f *fakeRun) Stop() bool { f.stopped++; return f.stopped == 1 }

func TestControlAPI(t *testing.T) {
	run := &fakeRun{targets: map[string]float64{"agents": 3}}
	var logged []string
	srv := httptest.NewServer(newControlHandler(run, func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }))
	defer srv.Close()

	post := func(path, body string) (int, string) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		b, _ := json.Marshal(m)
		return resp.StatusCode, string(b)
	}
	if code, body := post("/v1/scenarios/agents", `{"target": 50}`); code != 200 || run.targets["agents"] != 50 {
		t.Fatalf("POST target 50 = %d %s; target now %v", code, body, run.targets["agents"])
	}
	if code, body := post("/v1/scenarios/nope", `{"target": 5}`); code != http.StatusConflict || !strings.Contains(body, "no scenario") {
		t.Fatalf("POST to an unknown scenario = %d %s; want 409 naming it", code, body)
	}
	if code, _ := post("/v1/scenarios/agents", `{"vus": 5}`); code != http.StatusBadRequest {
		t.Fatalf("POST without target = %d; want 400", code)
	}
	resp, err := http.Get(srv.URL + "/v1/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Scenarios []scenarioView `json:"scenarios"`
	}
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if len(got.Scenarios) != 1 || got.Scenarios[0].Target != 50 || got.Scenarios[0].VUs != 3 {
		t.Fatalf("GET /v1/scenarios = %+v; want agents with target 50", got.Scenarios)
	}
	if code, body := post("/v1/stop", ``); code != 200 || run.stopped != 1 || !strings.Contains(body, `"first":true`) {
		t.Fatalf("POST /v1/stop = %d %s", code, body)
	}
	if len(logged) != 2 {
		t.Fatalf("logged %q; want the target change and the stop", logged)
	}
}

func TestControlRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:6565", "example.com:1", "nonsense"} {
		if _, _, err := startControl(addr, &fakeRun{}, t.Logf); err == nil {
			t.Errorf("startControl(%q) succeeded; want a refusal", addr)
		}
	}
	stop, bound, err := startControl("127.0.0.1:0", &fakeRun{targets: map[string]float64{}}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(bound, "127.0.0.1:") {
		t.Fatalf("bound %q; want a loopback address", bound)
	}
}
