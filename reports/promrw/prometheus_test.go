package promrw_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports/promrw"
	"github.com/ctiload/ctiload/reports/promrw/promtest"
)

// testMetrics are a counter, a gauge, a rate and a time trend, as the engine registers them.
type testMetrics struct {
	reg                         *metrics.Registry
	reqs, vus, checks, duration *metrics.Metric
}

func newTestMetrics() testMetrics {
	reg := metrics.NewRegistry()
	return testMetrics{reg: reg, reqs: reg.Counter("cti_requests"), vus: reg.Gauge("vus"),
		checks: reg.Rate("checks"), duration: reg.Trend("cti_request_duration")}
}

// TestPushToRealPrometheus: what one output pushes, a real Prometheus stores, under the names
// and labels of the naming rule, with or without native histograms (auto mode falls back to
// quantile gauges when the receiver refuses them).
func TestPushToRealPrometheus(t *testing.T) {
	for _, native := range []bool{true, false} {
		t.Run(map[bool]string{true: "native", false: "quantiles"}[native], func(t *testing.T) {
			prom := promtest.Start(t, native)
			m := newTestMetrics()
			out, err := promrw.New(promrw.Config{URL: prom.WriteURL(), PushInterval: time.Hour, TestID: "t1", Segment: "1/2:1"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			ok := metrics.NewTags("msg", "SET_AGENT_STATE_REQ", "status", "ok")
			var batch []metrics.Sample
			for i := range 100 {
				batch = append(batch,
					metrics.Sample{Metric: m.reqs, Tags: ok, Time: now, Value: 1},
					metrics.Sample{Metric: m.duration, Tags: ok, Time: now, Value: float64(i + 1)}, // 1…100 ms
					metrics.Sample{Metric: m.checks, Tags: metrics.NewTags("check", "answered"), Time: now, Value: float64(i % 4)})
			}
			batch = append(batch, metrics.Sample{Metric: m.vus, Time: now, Value: 7})
			out.AddSamples(batch)
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
			st := out.Status()
			if len(st.Problems) > 0 {
				t.Fatalf("status %+v\nprometheus log:\n%s", st, prom.Log())
			}
			if fellBack := strings.Contains(st.Delivered, "quantile gauges"); fellBack == native {
				t.Errorf("status %q: want trends as native histograms only when the receiver takes them", st.Delivered)
			}
			expect := func(expr string, want float64, tol float64) {
				t.Helper()
				res, err := prom.Query(expr, time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				if len(res) != 1 {
					t.Fatalf("%s: %d series %v, want 1", expr, len(res), res)
				}
				if got := res[0].Float(); math.Abs(got-want) > tol {
					t.Errorf("%s = %v, want %v", expr, got, want)
				}
			}
			sel := `{testid="t1",segment="1/2:1",msg="SET_AGENT_STATE_REQ",status="ok"}`
			expect(`ctiload_cti_requests_total`+sel, 100, 0)
			expect(`ctiload_vus{testid="t1"}`, 7, 0)
			expect(`ctiload_checks_total{testid="t1",check="answered",result="pass"}`, 75, 0)
			expect(`ctiload_checks_total{testid="t1",check="answered",result="fail"}`, 25, 0)
			if native {
				expect(`histogram_count(ctiload_cti_request_duration_seconds`+sel+`)`, 100, 0)
				expect(`histogram_sum(ctiload_cti_request_duration_seconds`+sel+`)`, 5.050, 1e-9)
				expect(`histogram_quantile(0.5, ctiload_cti_request_duration_seconds`+sel+`)`, 0.050, 0.050*0.1)
			} else {
				expect(`ctiload_cti_request_duration_seconds_count`+sel, 100, 0)
				expect(`ctiload_cti_request_duration_seconds_sum`+sel, 5.050, 1e-9)
				expect(`ctiload_cti_request_duration_seconds{testid="t1",quantile="0.5"}`, 0.050, 0.050*0.02)
				expect(`ctiload_cti_request_duration_seconds{testid="t1",quantile="0.99"}`, 0.099, 0.099*0.02)
				expect(`ctiload_cti_request_duration_seconds{testid="t1",quantile="1"}`, 0.100, 0)
			}
		})
	}
}
