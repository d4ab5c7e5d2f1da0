package jsapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/jsapi"
)

// runEngine runs a loaded script through the real engine, options from the script.
func runEngine(t *testing.T, e *env) *engine.Result {
	t.Helper()
	var opts engine.Options
	if err := json.Unmarshal(e.script.OptionsJSON(), &opts); err != nil {
		t.Fatalf("options: %v", err)
	}
	cfg, err := opts.Resolve()
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	cfg.Registry = e.reg
	cfg.Setup = e.runner.SetupHook
	cfg.Teardown = e.runner.TeardownHook
	cfg.Logger = newLogger(e.log)
	run, err := engine.New(cfg, e.runner)
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := run.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v\nlog:\n%s", err, e.log.String())
	}
	return res
}

func TestEngineRunWithSimulator(t *testing.T) {
	srv := newSim(t, sim.Config{Agents: sim.AgentsConfig{Count: 10}})
	e := newEnv(t, "script.js", map[string]string{"script.js": prelude + `
export const options = {
  scenarios: {
    agents: { executor: 'per-vu-iterations', vus: 4, iterations: 3, exec: 'agents' },
    failing: { executor: 'shared-iterations', vus: 1, iterations: 2, exec: 'failing' },
  },
  thresholds: { 'cti_failures': ['count==0'], 'checks': ['rate==1'] },
};
let a;
export function setup() { return { reason: 7 }; }
export function vuSetup() {
  if (__VU <= 4) { a = agent(__VU); must(a.login(), 'login'); }
}
export function agents(data) {
  check(a.setState('NOT_READY', { reasonCode: data.reason }), { 'not ready': (r) => r.ok });
  check(a.setState('READY'), { ready: (r) => r.ok });
}
export function failing() { throw new Error('on purpose'); }
export function vuTeardown() { if (a) { must(a.setState('NOT_READY', { reasonCode: 1 }), 'nr'); must(a.logout({ reasonCode: 1 }), 'logout'); a.close(); } }
`}, withSim(srv))
	res := runEngine(t, e)
	tot := res.Totals()
	if tot.Iterations != 14 || tot.Failed != 2 {
		t.Errorf("iterations = %d, failed = %d; want 14, 2", tot.Iterations, tot.Failed)
	}
	if m, ok := res.Metric("cti_request_duration{msg:SET_AGENT_STATE_REQ,status:ok}"); ok {
		if m.Values["count"] != 4+4*3*2+8 {
			t.Errorf("SET_AGENT_STATE_REQ count = %v; want %d", m.Values["count"], 4+24+8)
		}
	} else if m, ok := res.Metric("cti_request_duration"); !ok || m.Values["count"] < 32 {
		t.Errorf("cti_request_duration = %+v", m)
	}
	if code := res.ExitCode(); code != 0 {
		t.Errorf("ExitCode() = %d; want 0 (thresholds: %+v)", code, res.Thresholds)
	}
	if n := srv.Counters().SessionsActive; n != 0 {
		t.Errorf("sessions still open after the run: %d", n)
	}
	_ = jsapi.ExitScriptError
}
