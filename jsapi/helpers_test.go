package jsapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/ctiload/ctiload/jsapi"
)

// writeFiles writes files (name → content) into a new temporary folder and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines returns the msg= values of the logged lines, in order.
func (l *logBuffer) messages() []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		i := strings.Index(line, "msg=")
		if i < 0 {
			continue
		}
		rest := line[i+4:]
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			out = append(out, rest[1:1+end])
			continue
		}
		if j := strings.IndexByte(rest, ' '); j >= 0 {
			rest = rest[:j]
		}
		out = append(out, rest)
	}
	return out
}

func newLogger(l *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// env is a loaded script with a runner and the samples its VUs recorded.
type env struct {
	t      testing.TB
	dir    string
	script *jsapi.Script
	runner *jsapi.Runner
	reg    *metrics.Registry
	log    *logBuffer
	setup  *metrics.SampleBuffer
}

type envOption func(*jsapi.LoadOptions, *jsapi.RunnerConfig)

func withTarget(addr string) envOption {
	return func(_ *jsapi.LoadOptions, rc *jsapi.RunnerConfig) { rc.Target = addr }
}

func withEnv(kv map[string]string) envOption {
	return func(lo *jsapi.LoadOptions, _ *jsapi.RunnerConfig) { lo.Env = kv }
}

// newEnv loads files["script.js"] (or the first .ts/.js main named by main) and makes a runner.
func newEnv(t testing.TB, main string, files map[string]string, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, dir: writeFiles(t, files), reg: metrics.NewRegistry(), log: &logBuffer{}, setup: &metrics.SampleBuffer{}}
	lo := jsapi.LoadOptions{Logger: newLogger(e.log)}
	rc := jsapi.RunnerConfig{Registry: e.reg, Seed: 42, SetupSamples: e.setup}
	for _, o := range opts {
		o(&lo, &rc)
	}
	s, err := jsapi.Load(filepath.Join(e.dir, main), lo)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	e.script = s
	r, err := s.NewRunner(rc)
	if err != nil {
		t.Fatalf("NewRunner: %v", err)
	}
	e.runner = r
	return e
}

// testVU is one VU with its sample buffer.
type testVU struct {
	vu      executor.VU
	id      uint64
	samples *metrics.SampleBuffer
	iter    uint64
	all     []metrics.Sample
}

func (e *env) newVU(id uint64) *testVU {
	e.t.Helper()
	tv := &testVU{id: id, samples: &metrics.SampleBuffer{}}
	vu, err := e.runner.NewVU(context.Background(), id, tv.samples)
	if err != nil {
		e.t.Fatalf("NewVU(%d): %v", id, err)
	}
	tv.vu = vu
	return tv
}

// run runs one iteration of exec ("" = default).
func (tv *testVU) run(ctx context.Context, exec string) error {
	now := time.Now()
	it := &executor.Iteration{
		Scenario: "test", Exec: exec, VUID: tv.id, VUIter: tv.iter, Scheduled: now, Start: now,
		Tags: map[string]string{"scenario": "test"}, TagSet: metrics.NewTags("scenario", "test"), Samples: tv.samples,
	}
	tv.iter++
	err := tv.vu.RunIteration(ctx, it)
	tv.all = append(tv.all, tv.samples.Drain()...)
	return err
}

func (tv *testVU) close(ctx context.Context) error {
	err := tv.vu.(executor.VUCloser).Close(ctx)
	tv.all = append(tv.all, tv.samples.Drain()...)
	return err
}

// find returns the samples of metric name whose tags contain kv.
func find(samples []metrics.Sample, name string, kv ...string) []metrics.Sample {
	want := metrics.NewTags(kv...)
	var out []metrics.Sample
	for _, s := range samples {
		if s.Metric.Name == name && s.Tags.Contains(want) {
			out = append(out, s)
		}
	}
	return out
}

func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
