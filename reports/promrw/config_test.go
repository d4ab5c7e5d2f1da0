package promrw_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports/promrw"
)

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"CTILOAD_PROMETHEUS_RW_URL":                       "http://env:9090",
		"CTILOAD_PROMETHEUS_RW_HEADERS":                   "X-Scope-OrgID: team1, X-Other:v",
		"CTILOAD_PROMETHEUS_RW_PUSH_INTERVAL":             "2s",
		"CTILOAD_PROMETHEUS_RW_TESTID":                    "golive-1",
		"CTILOAD_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM": "false",
		"CTILOAD_PROMETHEUS_RW_TREND_STATS":               "p(95), max",
		"CTILOAD_PROMETHEUS_RW_BEARER_TOKEN":              "tok",
	}
	c, err := promrw.ConfigFromEnv(func(k string) string { return env[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.URL != "http://env:9090" || c.Headers["X-Scope-OrgID"] != "team1" || c.Headers["X-Other"] != "v" ||
		c.PushInterval != 2*time.Second || c.TestID != "golive-1" || c.Native != promrw.NativeOff ||
		strings.Join(c.TrendStats, "|") != "p(95)|max" || c.BearerToken != "tok" {
		t.Errorf("config %+v", c)
	}
	c, err = promrw.ConfigFromEnv(func(k string) string { return env[k] }, "http://flag:9090/push")
	if err != nil || c.URL != "http://flag:9090/push" {
		t.Errorf("--out URL does not win: %q, %v", c.URL, err)
	}
	// Every mistake at once, and no secret in the messages.
	bad := map[string]string{
		"CTILOAD_PROMETHEUS_RW_URL":             "http://user:pa55@host:9090",
		"CTILOAD_PROMETHEUS_RW_BEARER_TOKEN":    "tok",
		"CTILOAD_PROMETHEUS_RW_HEADERS":         "NoColon",
		"CTILOAD_PROMETHEUS_RW_MAX_SERIES":      "-1",
		"CTILOAD_PROMETHEUS_RW_TLS_CLIENT_CERT": "c.pem",
	}
	_, err = promrw.ConfigFromEnv(func(k string) string { return bad[k] }, "")
	for _, want := range []string{"CTILOAD_PROMETHEUS_RW_HEADERS", "CTILOAD_PROMETHEUS_RW_MAX_SERIES", "go together", "exclude each other"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v: want %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "pa55") {
		t.Errorf("the password shows: %v", err)
	}
}

func TestMetricNames(t *testing.T) {
	reg := metrics.NewRegistry()
	custom, _ := reg.NewMetric("queue_depth", metrics.Trend)
	for m, want := range map[*metrics.Metric]string{
		reg.Counter("cti_requests"):       "ctiload_cti_requests_total",
		reg.Counter("cti_failures"):       "ctiload_cti_failures_total",
		reg.Counter("iterations"):         "ctiload_iterations_total",
		reg.Gauge("vus"):                  "ctiload_vus",
		reg.Rate("checks"):                "ctiload_checks_total",
		reg.Trend("cti_request_duration"): "ctiload_cti_request_duration_seconds",
		custom:                            "ctiload_queue_depth",
	} {
		if got := promrw.MetricName(m); got != want {
			t.Errorf("MetricName(%s) = %s, want %s", m.Name, got, want)
		}
	}
	for key, want := range map[string]string{"msg": "msg", "my-tag": "my_tag", "9lives": "_9lives", "__name__": "tag___name__", "testid": "tag_testid", "a.b": "a_b"} {
		if got := promrw.LabelName(key); got != want {
			t.Errorf("LabelName(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestEnvVarsDocumented: every variable ConfigFromEnv reads is in docs/outputs.md.
func TestEnvVarsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "outputs.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range promrw.EnvVars {
		if !strings.Contains(string(b), "`"+v.Name+"`") {
			t.Errorf("docs/outputs.md does not document %s", v.Name)
		}
	}
}
