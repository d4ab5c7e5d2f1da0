package promrw

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultPushInterval = 5 * time.Second
	DefaultTimeout      = 5 * time.Second
	DefaultMaxSeries    = 20000
	DefaultMaxTagValues = 1000
	DefaultQueueSize    = 16
	DefaultURLPath      = "/api/v1/write"
)

// DefaultLatencyColumns are the quantile gauges of a trend when native histograms are off.
var DefaultLatencyColumns = []string{"p(50)", "p(90)", "p(95)", "p(99)", "max"}

// NativeMode says how trends are shipped.
type NativeMode int

// Native histogram modes.
const (
	// NativeAuto ships native histograms, and switches to quantile gauges for the rest of the
	// run the first time the receiver refuses them.
	NativeAuto NativeMode = iota
	// NativeOn ships native histograms only.
	NativeOn
	// NativeOff ships quantile gauges (with _count and _sum) only.
	NativeOff
)

// Config configures an Output. Env names the CTILOAD_PROMETHEUS_RW_* variable of each field.
type Config struct {
	URL          string            // CTILOAD_PROMETHEUS_RW_URL (or --out prometheus-rw=URL)
	Headers      map[string]string // CTILOAD_PROMETHEUS_RW_HEADERS="X-Scope-OrgID: team1, …"
	Username     string            // CTILOAD_PROMETHEUS_RW_USERNAME: basic auth, with…
	Password     string            // CTILOAD_PROMETHEUS_RW_PASSWORD
	BearerToken  string            // CTILOAD_PROMETHEUS_RW_BEARER_TOKEN
	TLS          *tls.Config       // from CTILOAD_PROMETHEUS_RW_TLS_* (nil: Go's defaults)
	PushInterval time.Duration     // CTILOAD_PROMETHEUS_RW_PUSH_INTERVAL (default 5s)
	Timeout      time.Duration     // CTILOAD_PROMETHEUS_RW_TIMEOUT: per request (default 5s)
	TestID       string            // CTILOAD_PROMETHEUS_RW_TESTID (default: a fresh one)
	Segment      string            // the run's execution segment ("0:1" for a whole test)
	Native       NativeMode        // CTILOAD_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=auto|true|false
	TrendStats   []string          // CTILOAD_PROMETHEUS_RW_TREND_STATS (default DefaultLatencyColumns)
	MaxSeries    int               // CTILOAD_PROMETHEUS_RW_MAX_SERIES (default 20000)
	MaxTagValues int               // CTILOAD_PROMETHEUS_RW_MAX_TAG_VALUES (default 1000)
	QueueSize    int               // pushes waiting for the receiver (default 16)
	// HTTPClient, if set, replaces the client built from TLS and Timeout (tests).
	HTTPClient *http.Client
}

// EnvVars lists the variables ConfigFromEnv reads, for the documentation.
var EnvVars = []struct{ Name, Usage string }{
	{"CTILOAD_PROMETHEUS_RW_URL", "the remote-write endpoint, e.g. http://prometheus:9090/api/v1/write (a URL without a path gets /api/v1/write); --out prometheus-rw=URL wins"},
	{"CTILOAD_PROMETHEUS_RW_HEADERS", "extra request headers, `Name: value` pairs separated by commas (X-Scope-OrgID: team1)"},
	{"CTILOAD_PROMETHEUS_RW_USERNAME", "basic-auth user name"},
	{"CTILOAD_PROMETHEUS_RW_PASSWORD", "basic-auth password (never logged nor reported)"},
	{"CTILOAD_PROMETHEUS_RW_BEARER_TOKEN", "bearer token for the Authorization header (never logged nor reported)"},
	{"CTILOAD_PROMETHEUS_RW_TLS_CA", "PEM file of the CA that signed the receiver's certificate"},
	{"CTILOAD_PROMETHEUS_RW_TLS_CLIENT_CERT", "PEM file of a client certificate (mutual TLS), with…"},
	{"CTILOAD_PROMETHEUS_RW_TLS_CLIENT_KEY", "…its PEM private key"},
	{"CTILOAD_PROMETHEUS_RW_TLS_SERVER_NAME", "the name to verify the receiver's certificate against"},
	{"CTILOAD_PROMETHEUS_RW_TLS_INSECURE_SKIP_VERIFY", "true: do not verify the receiver's certificate (lab use)"},
	{"CTILOAD_PROMETHEUS_RW_PUSH_INTERVAL", "how often to push (default 5s); the end of the run pushes once more"},
	{"CTILOAD_PROMETHEUS_RW_TIMEOUT", "bound of one push request (default 5s)"},
	{"CTILOAD_PROMETHEUS_RW_TESTID", "the testid label of every series (default: a fresh one, printed in the summary); give the pods of a cluster run the same one"},
	{"CTILOAD_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM", "auto (default: native histograms while the receiver accepts them), true or false (quantile gauges)"},
	{"CTILOAD_PROMETHEUS_RW_TREND_STATS", "the quantile gauges of a trend when not a native histogram (default p(50),p(90),p(95),p(99),max)"},
	{"CTILOAD_PROMETHEUS_RW_MAX_SERIES", "series limit; samples of further series are dropped and counted (default 20000)"},
	{"CTILOAD_PROMETHEUS_RW_MAX_TAG_VALUES", "values one tag may take before it is refused as unbounded (a call ID, an ANI) and left out of the labels (default 1000)"},
}

// ConfigFromEnv reads the CTILOAD_PROMETHEUS_RW_* variables through getenv; url, when not
// empty (from --out prometheus-rw=URL), replaces CTILOAD_PROMETHEUS_RW_URL. Every problem is
// reported at once, what New would refuse included.
func ConfigFromEnv(getenv func(string) string, url string) (Config, error) {
	c := Config{URL: getenv("CTILOAD_PROMETHEUS_RW_URL"), Segment: "0:1"}
	if url != "" {
		c.URL = url
	}
	var errs []error
	bad := func(name, v, want string) {
		errs = append(errs, fmt.Errorf("%s: invalid value %q: want %s", name, v, want))
	}
	if v := getenv("CTILOAD_PROMETHEUS_RW_HEADERS"); v != "" {
		c.Headers = map[string]string{}
		for _, p := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(p, ":")
			k, val = strings.TrimSpace(k), strings.TrimSpace(val)
			if !ok || k == "" || strings.ContainsAny(k, " \t") {
				errs = append(errs, fmt.Errorf("CTILOAD_PROMETHEUS_RW_HEADERS: invalid header %q: want Name: value pairs separated by commas", strings.TrimSpace(p)))
				continue
			}
			c.Headers[k] = val
		}
	}
	c.Username = getenv("CTILOAD_PROMETHEUS_RW_USERNAME")
	c.Password = getenv("CTILOAD_PROMETHEUS_RW_PASSWORD")
	c.BearerToken = getenv("CTILOAD_PROMETHEUS_RW_BEARER_TOKEN")
	dur := func(name string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				bad(name, v, "a positive duration such as 5s or 500ms")
				return
			}
			*dst = d
		}
	}
	dur("CTILOAD_PROMETHEUS_RW_PUSH_INTERVAL", &c.PushInterval)
	dur("CTILOAD_PROMETHEUS_RW_TIMEOUT", &c.Timeout)
	positive := func(name string, dst *int) {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				bad(name, v, "a positive whole number")
				return
			}
			*dst = n
		}
	}
	positive("CTILOAD_PROMETHEUS_RW_MAX_SERIES", &c.MaxSeries)
	positive("CTILOAD_PROMETHEUS_RW_MAX_TAG_VALUES", &c.MaxTagValues)
	c.TestID = getenv("CTILOAD_PROMETHEUS_RW_TESTID")
	switch v := strings.ToLower(getenv("CTILOAD_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM")); v {
	case "", "auto":
		c.Native = NativeAuto
	case "true", "1", "yes", "on":
		c.Native = NativeOn
	case "false", "0", "no", "off":
		c.Native = NativeOff
	default:
		bad("CTILOAD_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM", v, "auto, true or false")
	}
	if v := getenv("CTILOAD_PROMETHEUS_RW_TREND_STATS"); v != "" {
		for _, s := range strings.Split(v, ",") {
			c.TrendStats = append(c.TrendStats, strings.TrimSpace(s))
		}
	}
	tc, err := tlsFromEnv(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	c.TLS = tc
	if _, err := parseTrendStats(c.TrendStats); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.withDefaults(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

func tlsFromEnv(getenv func(string) string) (*tls.Config, error) {
	ca, cert, key := getenv("CTILOAD_PROMETHEUS_RW_TLS_CA"), getenv("CTILOAD_PROMETHEUS_RW_TLS_CLIENT_CERT"), getenv("CTILOAD_PROMETHEUS_RW_TLS_CLIENT_KEY")
	name, skip := getenv("CTILOAD_PROMETHEUS_RW_TLS_SERVER_NAME"), getenv("CTILOAD_PROMETHEUS_RW_TLS_INSECURE_SKIP_VERIFY")
	if ca == "" && cert == "" && key == "" && name == "" && skip == "" {
		return nil, nil
	}
	tc := &tls.Config{ServerName: name, MinVersion: tls.VersionTLS12}
	var errs []error
	if skip != "" {
		b, err := strconv.ParseBool(skip)
		if err != nil {
			errs = append(errs, fmt.Errorf("CTILOAD_PROMETHEUS_RW_TLS_INSECURE_SKIP_VERIFY: invalid value %q: want true or false", skip))
		}
		tc.InsecureSkipVerify = b
	}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			errs = append(errs, fmt.Errorf("CTILOAD_PROMETHEUS_RW_TLS_CA: %v", err))
		} else {
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				errs = append(errs, fmt.Errorf("CTILOAD_PROMETHEUS_RW_TLS_CA: %s holds no PEM certificate", ca))
			}
		}
	}
	if (cert == "") != (key == "") {
		errs = append(errs, errors.New("CTILOAD_PROMETHEUS_RW_TLS_CLIENT_CERT and CTILOAD_PROMETHEUS_RW_TLS_CLIENT_KEY go together: set both or neither"))
	} else if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			errs = append(errs, fmt.Errorf("CTILOAD_PROMETHEUS_RW_TLS_CLIENT_CERT/KEY: %v", err))
		} else {
			tc.Certificates = []tls.Certificate{pair}
		}
	}
	return tc, errors.Join(errs...)
}

// trendStat is one quantile gauge of a trend: p(95) ships as quantile="0.95", max as "1".
type trendStat struct {
	q     float64
	label string
}

// parseTrendStats reads p(N) and max (also med, min: quantiles 0.5 and 0).
func parseTrendStats(stats []string) ([]trendStat, error) {
	var out []trendStat
	var errs []error
	for _, s := range stats {
		var q float64
		switch s {
		case "max":
			q = 1
		case "min":
			q = 0
		case "med":
			q = 0.5
		default:
			inner, ok := strings.CutPrefix(s, "p(")
			inner, ok2 := strings.CutSuffix(inner, ")")
			p, err := strconv.ParseFloat(inner, 64)
			if !ok || !ok2 || err != nil || p < 0 || p > 100 {
				errs = append(errs, fmt.Errorf("CTILOAD_PROMETHEUS_RW_TREND_STATS: invalid statistic %q: want p(N) with 0 <= N <= 100, med, min or max", s))
				continue
			}
			q = p / 100
		}
		label := strconv.FormatFloat(q, 'f', -1, 64)
		if !slices.ContainsFunc(out, func(t trendStat) bool { return t.label == label }) {
			out = append(out, trendStat{q: q, label: label})
		}
	}
	return out, errors.Join(errs...)
}

// withDefaults fills the zero fields and checks the URL.
func (c Config) withDefaults() (Config, error) {
	if c.URL == "" {
		return c, errors.New("prometheus-rw: no receiver: give --out prometheus-rw=URL or set CTILOAD_PROMETHEUS_RW_URL")
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("prometheus-rw: invalid URL %q: want http(s)://host:port/api/v1/write", redactURL(c.URL))
	}
	if u.User != nil {
		// user:password@ in the URL is basic auth: keep it out of the URL we print.
		if c.Username == "" {
			c.Username = u.User.Username()
			c.Password, _ = u.User.Password()
		}
		u.User = nil
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = DefaultURLPath
	}
	c.URL = u.String()
	if c.Username != "" && c.BearerToken != "" {
		return c, errors.New("prometheus-rw: CTILOAD_PROMETHEUS_RW_USERNAME and CTILOAD_PROMETHEUS_RW_BEARER_TOKEN exclude each other: the receiver gets one Authorization header")
	}
	if c.PushInterval <= 0 {
		c.PushInterval = DefaultPushInterval
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxSeries <= 0 {
		c.MaxSeries = DefaultMaxSeries
	}
	if c.MaxTagValues <= 0 {
		c.MaxTagValues = DefaultMaxTagValues
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if len(c.TrendStats) == 0 {
		c.TrendStats = DefaultLatencyColumns
	}
	if c.Segment == "" {
		c.Segment = "0:1"
	}
	if c.TestID == "" {
		c.TestID = NewTestID(time.Now())
	}
	return c, nil
}

// NewTestID returns a fresh testid: the start time and a random suffix, readable in a Grafana
// drop-down and unique across runs: "20261205-0812-3fa9c1".
func NewTestID(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102-1504") + "-" + hex.EncodeToString(b[:])
}

// shownURL is the endpoint as messages show it: without its query, which may hold an API key.
func shownURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// redactURL drops the user information of a URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 {
			if j := strings.Index(s, "://"); j >= 0 && j < i {
				return s[:j+3] + "…@" + s[i+1:]
			}
		}
		return s
	}
	u.User = nil
	return u.String()
}
