package reports_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/reports"
)

// synthDuration is the length of the synthetic run.
const synthDuration = 60 * time.Second

// synthStart is when the synthetic run started.
var synthStart = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// synthBuilder assembles an engine.Result by hand, the way the engine's aggregator would.
type synthBuilder struct {
	rng *rand.Rand
	res *engine.Result
}

func newSynth() *synthBuilder {
	return &synthBuilder{rng: rand.New(rand.NewPCG(1, 2)), res: &engine.Result{
		StartTime: synthStart, Duration: executor.Duration(synthDuration)}}
}

func keyOf(name string, tags map[string]string) string {
	return metrics.MetricKey(name, metrics.TagsFromMap(tags))
}

// trend adds a trend summary of values (ms).
func (b *synthBuilder) trend(name string, tags map[string]string, values []float64) {
	t := metrics.NewTrendSink(nil)
	for _, v := range values {
		t.Add(v)
	}
	h, err := t.Encode()
	if err != nil {
		panic(err)
	}
	b.res.Metrics = append(b.res.Metrics, metrics.Summary{Name: name, Key: keyOf(name, tags),
		Type: metrics.Trend, Contains: metrics.Time, Tags: tags, Values: t.Format(synthDuration),
		Histogram: h, Breakdown: len(tags) > 0})
}

func (b *synthBuilder) counter(name string, tags map[string]string, n float64, contains ...metrics.ValueType) {
	ct := metrics.Default
	if len(contains) > 0 {
		ct = contains[0]
	}
	b.res.Metrics = append(b.res.Metrics, metrics.Summary{Name: name, Key: keyOf(name, tags),
		Type: metrics.Counter, Contains: ct, Tags: tags,
		Values: map[string]float64{"count": n, "rate": n / synthDuration.Seconds()}, Breakdown: len(tags) > 0})
}

func (b *synthBuilder) rate(name string, tags map[string]string, passes, fails float64) {
	b.res.Metrics = append(b.res.Metrics, metrics.Summary{Name: name, Key: keyOf(name, tags),
		Type: metrics.Rate, Tags: tags, Breakdown: len(tags) > 0,
		Values: map[string]float64{"rate": passes / (passes + fails), "count": passes + fails, "passes": passes, "fails": fails}})
}

func (b *synthBuilder) gauge(name string, value, lo, hi float64) {
	b.res.Metrics = append(b.res.Metrics, metrics.Summary{Name: name, Key: name, Type: metrics.Gauge,
		Values: map[string]float64{"value": value, "min": lo, "max": hi}})
}

// lognormal draws n latencies around median ms.
func (b *synthBuilder) lognormal(n int, median, sigma float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Round(median*math.Exp(sigma*b.rng.NormFloat64())*1000) / 1000
	}
	return out
}

// synthInput is a 60-second run of 20 agents: three request types, one failure code on two of
// them, event waits with timeouts, sessions, checks, a custom metric and two thresholds, one of
// which fails.
func synthInput() reports.Input {
	b := newSynth()
	type req struct {
		msg      string
		n        int
		median   float64
		failures map[string]int
	}
	reqs := []req{
		{"AGENT_LOGIN", 20, 4.2, nil},
		{"SET_AGENT_STATE_REQ", 1200, 1.8, map[string]int{"E_CTI_INVALID_AGENT_STATE": 6, "CF_INVALID_AGENT_WORK_MODE": 2}},
		{"ANSWER_CALL_REQ", 600, 2.5, map[string]int{"E_CTI_INVALID_AGENT_STATE": 3}},
	}
	var all []float64
	var pairs []reports.PairCount
	totalFail := 0
	byCode := map[string]int{}
	for _, r := range reqs {
		vals := b.lognormal(r.n, r.median, 0.5)
		all = append(all, vals...)
		b.trend("cti_request_duration", map[string]string{"msg": r.msg}, vals)
		b.counter("cti_requests", map[string]string{"msg": r.msg}, float64(r.n))
		nf := 0
		for code, k := range r.failures {
			nf += k
			byCode[code] += k
			pairs = append(pairs, reports.PairCount{Metric: "cti_failures", Tags: map[string]string{"code": code, "msg": r.msg}, Count: float64(k)})
		}
		if nf > 0 {
			b.counter("cti_failures", map[string]string{"msg": r.msg}, float64(nf))
		}
		totalFail += nf
	}
	b.trend("cti_request_duration", nil, all)
	b.counter("cti_requests", nil, float64(len(all)))
	b.counter("cti_failures", nil, float64(totalFail))
	for code, k := range byCode {
		b.counter("cti_failures", map[string]string{"code": code}, float64(k))
	}
	waits := b.lognormal(600, 1400, 0.9)
	b.trend("cti_event_wait_duration", nil, waits)
	b.trend("cti_event_wait_duration", map[string]string{"msg": "CALL_DELIVERED_EVENT"}, waits)
	pairs = append(pairs,
		reports.PairCount{Metric: "cti_event_wait_duration", Tags: map[string]string{"msg": "CALL_DELIVERED_EVENT", "status": "ok"}, Count: 596},
		reports.PairCount{Metric: "cti_event_wait_duration", Tags: map[string]string{"msg": "CALL_DELIVERED_EVENT", "status": "timeout"}, Count: 4})
	b.trend("cti_session_open_duration", nil, b.lognormal(21, 3.1, 0.3))
	b.counter("cti_sessions", nil, 21)
	b.counter("cti_sessions", map[string]string{"result": "opened"}, 20)
	b.counter("cti_sessions", map[string]string{"result": "failed"}, 1)
	b.counter("cti_sessions", map[string]string{"code": "E_CTI_DEVICE_IN_USE"}, 1)
	b.trend("cti_heartbeat_rtt", nil, b.lognormal(240, 0.6, 0.4))
	b.counter("cti_messages_sent", nil, 2700)
	b.counter("cti_messages_received", nil, 6100)
	b.counter("cti_bytes_sent", nil, 162000, metrics.Data)
	b.counter("cti_bytes_received", nil, 488000, metrics.Data)
	b.rate("checks", nil, 1191, 9)
	b.rate("checks", map[string]string{"check": "answered"}, 597, 3)
	b.rate("checks", map[string]string{"check": "ready"}, 594, 6)
	b.counter("iterations", nil, 600)
	b.trend("iteration_duration", nil, b.lognormal(600, 1900, 0.3))
	b.gauge("vus", 0, 0, 20)
	b.gauge("vus_max", 20, 20, 20)
	b.trend("wrapup_time", nil, b.lognormal(600, 850, 0.2))
	b.counter("calls_handled", nil, 597)

	res := b.res
	res.Thresholds = []metrics.ThresholdResult{
		{Metric: "cti_request_duration{msg:SET_AGENT_STATE_REQ}", Source: "p(99)<250", Passed: true, Observed: 6.2},
		{Metric: "cti_failures", Source: "count==0", Passed: false, Observed: float64(totalFail)},
		{Metric: "checks", Source: "rate>0.99", Passed: true, Observed: 0.9925},
	}
	res.Thresholds[0].Observed = percentileOf(res, "cti_request_duration{msg:SET_AGENT_STATE_REQ}", 99)
	res.Scenarios = []engine.ScenarioResult{{Name: "agents", Executor: "ramping-vus", Iterations: 600, Failed: 2, Interrupted: 1, VUsMax: 20}}
	res.TimeSeries = synthSeries(b)
	res.ErrorCode = 0
	return reports.Input{
		Result: res,
		Run: reports.RunInfo{
			Script:    "scripts/inbound.js",
			Target:    "127.0.0.1:42027",
			Simulator: &reports.SimulatorInfo{Addrs: []string{"127.0.0.1:42027"}, Product: "UCCE", Agents: 100, CallRate: 10},
			Scenarios: []reports.ScenarioInfo{{Name: "agents", Executor: "ramping-vus", Shape: "0→20→20→0 VUs over 1m in 3 stages"}},
			Seed:      42,
			Version:   "ctiload test",
		},
		Pairs: reports.MergePairs(pairs, nil),
	}
}

func percentileOf(res *engine.Result, key string, p float64) float64 {
	m, _ := res.Metric(key)
	s, err := metrics.SinkFromSummary(m.Type, m.Values, m.Histogram)
	if err != nil {
		panic(err)
	}
	return s.(*metrics.TrendSink).Percentile(p)
}

// synthSeries makes per-second series: a ramp up to 20 VUs, a hold and a ramp down, latency
// growing with load.
func synthSeries(b *synthBuilder) []metrics.Series {
	secs := int(synthDuration / time.Second)
	t0 := synthStart.Unix()
	lat := metrics.Series{Metric: "cti_request_duration", Key: "cti_request_duration", Type: metrics.Trend}
	reqs := metrics.Series{Metric: "cti_requests", Key: "cti_requests", Type: metrics.Counter}
	fails := metrics.Series{Metric: "cti_failures", Key: "cti_failures", Type: metrics.Counter}
	vus := metrics.Series{Metric: "vus", Key: "vus", Type: metrics.Gauge}
	for i := 0; i < secs; i++ {
		v := 20.0
		switch {
		case i < 15:
			v = float64(i) * 20 / 15
		case i >= 50:
			v = float64(secs-i) * 2
		}
		n := int64(v*1.5) + 1
		load := v / 20
		p50 := 1.6 + load*0.6 + b.rng.Float64()*0.2
		f := 0.0
		if i == 31 || i == 32 || i == 40 {
			f = 4 - float64(i%2)
		}
		lat.Points = append(lat.Points, metrics.Point{Time: t0 + int64(i), Count: n, Sum: p50 * float64(n),
			Min: p50 * 0.3, Max: p50 * 4, P50: p50, P95: p50 * 2.1, P99: p50 * 3.2})
		reqs.Points = append(reqs.Points, metrics.Point{Time: t0 + int64(i), Count: n, Sum: float64(n)})
		fails.Points = append(fails.Points, metrics.Point{Time: t0 + int64(i), Count: int64(f), Sum: f})
		vus.Points = append(vus.Points, metrics.Point{Time: t0 + int64(i), Count: 1, Last: math.Round(v), Min: math.Round(v), Max: math.Round(v)})
	}
	return []metrics.Series{lat, fails, reqs, vus}
}

// lines splits text into lines for error messages.
func lines(s string) []string { return strings.Split(s, "\n") }

// wideInput is synthInput with what a long real run adds: twelve request types (the old
// report's legend showed five), TRANSFER_CALL_REQ spiking to ~90 ms, failures over time by
// code, event waits, heartbeats, checks and custom metrics over time, checks in groups and
// group durations, and a fault specification long enough to wrap in the header.
func wideInput() reports.Input {
	in := synthInput()
	b := &synthBuilder{rng: rand.New(rand.NewPCG(3, 4)), res: in.Result}
	extra := []string{"TRANSFER_CALL_REQ", "HOLD_CALL_REQ", "RETRIEVE_CALL_REQ", "CLEAR_CALL_REQ", "MAKE_CALL_REQ",
		"CONFERENCE_CALL_REQ", "QUERY_AGENT_STATE_REQ", "SEND_DTMF_SIGNAL_REQ", "SET_CALL_DATA_REQ"}
	for _, msg := range extra {
		b.trend("cti_request_duration", map[string]string{"msg": msg}, b.lognormal(120, 2.2, 0.4))
		b.counter("cti_requests", map[string]string{"msg": msg}, 120)
	}
	msgs := append([]string{"AGENT_LOGIN", "SET_AGENT_STATE_REQ", "ANSWER_CALL_REQ"}, extra...)
	t0 := synthStart.Unix()
	secs := int(synthDuration / time.Second)
	series := func(metric string, tags map[string]string, typ metrics.MetricType, point func(i int) metrics.Point) {
		se := metrics.Series{Metric: metric, Key: keyOf(metric, tags), Type: typ, Tags: tags}
		for i := 0; i < secs; i++ {
			p := point(i)
			p.Time = t0 + int64(i)
			se.Points = append(se.Points, p)
		}
		in.Result.TimeSeries = append(in.Result.TimeSeries, se)
	}
	trendAt := func(p50 float64) metrics.Point {
		return metrics.Point{Count: 5, Sum: 5 * p50, Min: p50 / 2, Max: p50 * 3, P50: p50, P95: p50 * 2, P99: p50 * 2.6}
	}
	for k, msg := range msgs {
		series("cti_request_duration", map[string]string{"msg": msg}, metrics.Trend, func(i int) metrics.Point {
			p50 := 1.5 + float64(k)*0.25 + b.rng.Float64()*0.3
			if msg == "TRANSFER_CALL_REQ" && i >= 36 && i < 40 {
				p50 = 45 // the spike of the screenshot: p95 ~90 ms
			}
			return trendAt(p50)
		})
	}
	for _, code := range []string{"E_CTI_INVALID_AGENT_STATE", "CF_INVALID_AGENT_WORK_MODE"} {
		series("cti_failures", map[string]string{"code": code}, metrics.Counter, func(i int) metrics.Point {
			f := 0.0
			if (code[0] == 'E' && (i == 31 || i == 40)) || (code[0] == 'C' && i == 32) {
				f = 3
			}
			return metrics.Point{Count: int64(f), Sum: f}
		})
	}
	series("cti_event_wait_duration", map[string]string{"msg": "CALL_DELIVERED_EVENT"}, metrics.Trend, func(i int) metrics.Point {
		return trendAt(900 + 400*b.rng.Float64())
	})
	series("cti_heartbeat_rtt", nil, metrics.Trend, func(i int) metrics.Point { return trendAt(0.5 + 0.2*b.rng.Float64()) })
	series("cti_sessions", map[string]string{"result": "opened"}, metrics.Counter, func(i int) metrics.Point {
		if i < 15 {
			return metrics.Point{Count: 1, Sum: 1}
		}
		return metrics.Point{}
	})
	for _, c := range []string{"answered", "ready"} {
		series("checks", map[string]string{"check": c}, metrics.Rate, func(i int) metrics.Point {
			if i == 33 {
				return metrics.Point{Count: 10, Sum: 7}
			}
			return metrics.Point{Count: 10, Sum: 10}
		})
	}
	series("wrapup_time", nil, metrics.Trend, func(i int) metrics.Point { return trendAt(850 + 50*b.rng.Float64()) })
	series("calls_handled", nil, metrics.Counter, func(i int) metrics.Point { return metrics.Point{Count: 10, Sum: 10} })
	b.counter("transfers", nil, 73)
	b.rate("checks", map[string]string{"group": "inbound"}, 597, 3)
	b.rate("checks", map[string]string{"group": "login"}, 594, 6)
	b.trend("group_duration", map[string]string{"group": "inbound"}, b.lognormal(600, 1500, 0.3))
	in.Run.Simulator.Faults = "--sim-fault reject=SET_AGENT_STATE_REQ:E_CTI_INVALID_AGENT_STATE:0.01,delay=TRANSFER_CALL_REQ:80ms:0.05,drop=HEARTBEAT_REQ:0.001,close=after:5m"
	return in
}
