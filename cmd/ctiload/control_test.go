package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/engine/executor"
)

type fakeRun struct {
	targets map[string]float64
	stopped int
}

func (f *fakeRun) Progress() []executor.Progress {
	return []executor.Progress{{Scenario: "agents", Executor: "constant-vus", VUs: 3, Target: f.targets["agents"]}}
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
	srv := httptest.NewServer(newControlHandler(run, "tok3n", func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }))
	defer srv.Close()

	post := func(path, body string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer tok3n")
		resp, err := http.DefaultClient.Do(req)
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
	req, _ := http.NewRequest("GET", srv.URL+"/v1/scenarios", nil)
	req.Header.Set("Authorization", "Bearer tok3n")
	resp, err := http.DefaultClient.Do(req)
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
		if _, _, err := startControl(addr, "t", &fakeRun{}, t.Logf); err == nil {
			t.Errorf("startControl(%q) succeeded; want a refusal", addr)
		}
	}
	stop, bound, err := startControl("127.0.0.1:0", "t", &fakeRun{targets: map[string]float64{}}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(bound, "127.0.0.1:") {
		t.Fatalf("bound %q; want a loopback address", bound)
	}
}

// TestControlRefusesWhatAPageCanSend: what a browser lets a web page send to 127.0.0.1 (a form
// POST, a cross-origin fetch, a DNS-rebound name) and requests without the run's token are
// refused before they reach the run; the request a user's curl sends goes through.
func TestControlRefusesWhatAPageCanSend(t *testing.T) {
	const token = "s3cret-token"
	run := &fakeRun{targets: map[string]float64{"agents": 3}}
	srv := httptest.NewServer(newControlHandler(run, token, t.Logf))
	defer srv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")

	curl := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}
	with := func(kv ...string) map[string]string {
		h := map[string]string{}
		for k, v := range curl {
			h[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(h, kv[i])
			} else {
				h[kv[i]] = kv[i+1]
			}
		}
		return h
	}
	cases := []struct {
		name     string
		method   string
		host     string // "" keeps the server's address
		headers  map[string]string
		body     string
		want     int
		wantText string
	}{
		{"form POST", "POST", "", with("Content-Type", "application/x-www-form-urlencoded", "Origin", "http://127.0.0.1:"+port), `{"target": 999}`, 415, "application/json"},
		{"text/plain POST", "POST", "", with("Content-Type", "text/plain"), `{"target": 999}`, 415, "application/json"},
		{"no content type", "POST", "", with("Content-Type", ""), `{"target": 999}`, 415, "application/json"},
		{"cross-origin page", "POST", "", with("Origin", "http://evil.example"), `{"target": 999}`, 403, "cross-origin"},
		{"other loopback port", "POST", "", with("Origin", "http://127.0.0.1:1"), `{"target": 999}`, 403, "cross-origin"},
		{"DNS rebinding", "POST", "evil.example:" + port, curl, `{"target": 999}`, 403, "Host"},
		{"DNS rebinding read", "GET", "evil.example:" + port, curl, "", 403, "Host"},
		{"wrong port in Host", "POST", "127.0.0.1:1", curl, `{"target": 999}`, 403, "Host"},
		{"no token", "POST", "", with("Authorization", ""), `{"target": 999}`, 401, "Authorization: Bearer"},
		{"no token read", "GET", "", with("Authorization", ""), "", 401, "Authorization: Bearer"},
		{"wrong token", "POST", "", with("Authorization", "Bearer guess"), `{"target": 999}`, 403, "wrong token"},
		{"basic auth", "POST", "", with("Authorization", "Basic "+token), `{"target": 999}`, 401, "Authorization: Bearer"},
		{"stop without token", "POST", "", with("Authorization", ""), ``, 401, ""},
		{"curl", "POST", "", curl, `{"target": 50}`, 200, `"target":50`},
		{"curl with localhost", "POST", "localhost:" + port, curl, `{"target": 50}`, 200, `"target":50`},
		{"same-origin page", "POST", "", with("Origin", "http://127.0.0.1:"+port), `{"target": 50}`, 200, `"target":50`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run.targets["agents"], run.stopped = 3, 0
			path := "/v1/scenarios/agents"
			if strings.HasPrefix(c.name, "stop") {
				path = "/v1/stop"
			}
			if c.method == "GET" {
				path = "/v1/scenarios"
			}
			req, _ := http.NewRequest(c.method, srv.URL+path, strings.NewReader(c.body))
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			if c.host != "" {
				req.Host = c.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want || !strings.Contains(string(b), c.wantText) {
				t.Fatalf("%s %s = %d %s; want %d with %q", c.method, path, resp.StatusCode, b, c.want, c.wantText)
			}
			if strings.Contains(string(b), token) {
				t.Errorf("the answer shows the token: %s", b)
			}
			changed := run.targets["agents"] != 3 || run.stopped != 0
			if changed != (c.want == 200 && c.method == "POST") {
				t.Errorf("after %d the run changed = %v (target %v, stopped %d)", c.want, changed, run.targets["agents"], run.stopped)
			}
		})
	}
}
