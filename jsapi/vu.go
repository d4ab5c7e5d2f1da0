package jsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/engine/metrics"
	"github.com/dop251/goja"
)

// vu is one goja runtime running the script: the options runtime of Load (id 0, no runner), the
// setup/teardown runtime of a Runner (id 0), or a VU of the engine. Its methods run on one
// goroutine at a time (the engine's contract), so it needs no locks of its own.
type vu struct {
	id      int
	s       *Script
	r       *Runner // nil in the options runtime
	rt      *goja.Runtime
	exports *goja.Object
	logger  *slog.Logger

	phase   Phase
	iter    int64
	ctx     context.Context
	it      *executor.Iteration // the running iteration, nil outside iterations
	samples *metrics.SampleBuffer
	rnd     *rand.Rand
	env     map[string]string // __ENV's backing map: the script's, or the iteration's
	envObj  *envObject

	modules     map[string]goja.Value         // built-in modules, created on first require
	files       map[string]*goja.Object       // user files' module objects by absolute path
	interop     [numInteropHelpers]goja.Value // native module interop helpers (interop.go), made on first use
	rootRequire goja.Value                    // require of the script's folder (requireIn)

	// watched is the context whose cancellation currently interrupts the runtime.
	watched *ctxWatch

	group    string                       // current group path ("::a::b"), "" at the top
	groups   []groupFrame                 // the groups entered, outermost first
	baseTags metrics.Tags                 // tags of every sample: the iteration's TagSet (+group)
	tagCache map[tagCacheKey]metrics.Tags // built tag sets, per base set and extra tags

	vuSetupDone bool
	setupData   goja.Value // parsed setup() result, per VU
	fnCache     map[string]goja.Callable
	sessions    []*jsSession // sessions opened by this VU and not closed yet
	sessByObj   map[*goja.Object]*jsSession
	sessProto   *goja.Object
	metricAdd   goja.Value // the add of every custom metric (metricAddFunc)
	gen         uint64     // counts RunIteration calls: sessions remember the one that opened them
	backoff     vuBackoff
	setupRetry  vuBackoff   // vuSetup failures in a row: the wait before vuSetup runs again
	aborting    bool        // abortRun interrupted the runtime
	sleepTimer  *time.Timer // sleep()'s, made on its first call and reset by the next ones
}

func (v *vu) genCount() uint64 { return v.gen }

type tagCacheKey struct {
	base  string // baseTags.Key()
	k1    string
	v1    string
	k2    string
	v2    string
	phase Phase  // failureTags' phase tag, "" for other tag sets
	extra string // key of extra tags (session tags)
}

type ctxWatch struct {
	ctx  context.Context
	stop func() bool
	done chan struct{}
}

// newVU creates a runtime and runs the script's init code in it. r is nil for Load's options
// runtime. samples receives samples recorded during init.
func newVU(ctx context.Context, s *Script, r *Runner, id int, samples *metrics.SampleBuffer) (*vu, error) {
	v := &vu{
		id:      id,
		s:       s,
		r:       r,
		rt:      goja.New(),
		phase:   PhaseInit,
		logger:  s.logger,
		samples: samples,
		env:     s.opts.Env,
		iter:    -1,
	}
	var seed int64
	if r != nil {
		seed = r.cfg.Seed
		if r.logger != nil {
			v.logger = r.logger
		}
	}
	// Randomness is seeded per VU from the run seed: a run replays the same choices.
	v.rnd = rand.New(rand.NewPCG(uint64(seed), uint64(id)*0x9E3779B97F4A7C15+1))
	v.rt.SetRandSource(v.rnd.Float64)
	v.rt.SetMaxCallStackSize(4096)
	if err := v.installGlobals(); err != nil {
		return nil, err
	}
	// Init code is interrupted by ctx too (an endless loop at the top level must not hang the
	// run); the watch ends with init, so a later cancellation of ctx does not touch the VU.
	v.watch(ctx)
	v.ctx = ctx
	exports, err := v.runMain()
	v.ctx = context.Background()
	v.unwatch()
	if err != nil {
		if ctx.Err() != nil && isInterrupt(err) {
			return nil, fmt.Errorf("VU %d init interrupted: %w", id, ctx.Err())
		}
		return nil, v.scriptErrorFrom(err, PhaseInit)
	}
	v.exports = exports
	v.phase = phaseAfterInit
	return v, nil
}

// globalProps are ctiload's globals. They are not properties of the global object: setting one
// there makes goja build the global object's table of names (≈ 1 KB per runtime), and open, require
// and __ITER's getter would be goja functions (600–800 bytes each) whether the script uses them
// or not. They live in a lazy object inserted between the global object and Object.prototype,
// where a name the script uses is found, and made, on its first read.
var globalProps = func() *lazyProps {
	p := newLazyProps(map[string]func(v *vu) any{
		"__VU": func(v *vu) any { return v.id },
		"__ITER": func(v *vu) any {
			if v.iter < 0 {
				return 0
			}
			return v.iter
		},
		"__ENV":   func(v *vu) any { return v.rt.NewDynamicObject(v.envObj) },
		"open":    func(v *vu) any { return v.open },
		"console": func(v *vu) any { return v.newConsole() },
		// A global require too, for scripts written as CommonJS.
		"require": func(v *vu) any { return v.requireIn(v.s.root) },
	})
	p.live = map[string]bool{"__ITER": true}
	return p
}()

func (v *vu) installGlobals() error {
	v.envObj = &envObject{v: v}
	g := v.rt.GlobalObject()
	globals := globalProps.object(v, true)
	if err := globals.SetPrototype(g.Prototype()); err != nil {
		return err
	}
	return g.SetPrototype(globals)
}

// requireIn returns the require function of the modules in folder dir. The script's own
// folder's is made once per VU: the global require and the main module's are the same function
// (a goja function costs 600–800 bytes per runtime).
func (v *vu) requireIn(dir string) goja.Value {
	if dir != v.s.root {
		return v.rt.ToValue(v.requireFunc(dir))
	}
	if v.rootRequire == nil {
		v.rootRequire = v.rt.ToValue(v.requireFunc(dir))
	}
	return v.rootRequire
}

// runMain runs the main module's wrapper and returns its exports.
func (v *vu) runMain() (*goja.Object, error) {
	val, err := v.runModule(v.s.main)
	if err != nil {
		return nil, err
	}
	obj, ok := val.(*goja.Object)
	if !ok {
		return v.rt.NewObject(), nil
	}
	return obj, nil
}

// runModule evaluates a compiled user file in this runtime, once: later requires get the same
// module object (and a cycle gets the partly filled exports, as in Node).
func (v *vu) runModule(m *compiledModule) (goja.Value, error) {
	if mod, ok := v.files[m.abs]; ok {
		return mod.Get("exports"), nil
	}
	fnVal, err := v.rt.RunProgram(m.prg)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(fnVal)
	if !ok {
		return nil, fmt.Errorf("%s: module wrapper is not a function", m.display)
	}
	mod := v.rt.NewObject()
	var exports *goja.Object
	if m.exports != nil {
		exports = v.rt.NewDynamicObject(&moduleExports{v: v, names: m.exports})
	} else {
		exports = v.rt.NewObject()
	}
	_ = mod.Set("exports", exports)
	if v.files == nil {
		v.files = make(map[string]*goja.Object)
	}
	v.files[m.abs] = mod
	dir := filepath.Dir(m.abs)
	args := make([]goja.Value, 5, 5+len(m.helpers))
	args[0], args[1], args[2], args[3], args[4] = exports, v.requireIn(dir), mod, v.rt.ToValue(m.display), v.rt.ToValue(filepath.Dir(m.display))
	for _, h := range m.helpers {
		args = append(args, v.interopFn(h))
	}
	if _, err := fn(goja.Undefined(), args...); err != nil {
		delete(v.files, m.abs)
		return nil, err
	}
	return mod.Get("exports"), nil
}

// requireFunc returns the require of a module in folder dir: built-in modules by name, user
// files by relative path.
func (v *vu) requireFunc(dir string) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		spec := call.Argument(0).String()
		if f, ok := lookupModule(spec); ok {
			if mod, ok := v.modules[f.name]; ok {
				return mod
			}
			mod := f.new(v)
			if v.modules == nil {
				v.modules = make(map[string]goja.Value, 4)
			}
			v.modules[f.name] = mod
			return mod
		}
		if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") && !filepath.IsAbs(spec) {
			v.throwf("import %q: unknown module (built-in modules: %s; your own files are imported with a relative path such as './lib.js')", spec, strings.Join(moduleNames(), ", "))
		}
		abs, err := v.s.resolve(spec, dir)
		if err != nil {
			v.throwf("import %q: %v", spec, err)
		}
		m, err := v.s.module(abs)
		if err != nil {
			var se *ScriptError
			if errors.As(err, &se) {
				v.throw(se)
			}
			v.throwf("import %q: %v", spec, err)
		}
		val, err := v.runModule(m)
		if err != nil {
			var ex *goja.Exception
			if errors.As(err, &ex) {
				panic(ex)
			}
			v.throw(err)
		}
		return val
	}
}

// watch makes cancellation of ctx interrupt the runtime. Registrations are reused while the
// context stays the same, so a VU looping on one scenario context pays nothing per iteration.
func (v *vu) watch(ctx context.Context) {
	if w := v.watched; w != nil {
		if w.ctx == ctx {
			return
		}
		if !w.stop() {
			<-w.done // it fired: wait for it, then clear what it set
			v.rt.ClearInterrupt()
		}
		v.watched = nil
	}
	if ctx.Done() == nil {
		return
	}
	w := &ctxWatch{ctx: ctx, done: make(chan struct{})}
	w.stop = context.AfterFunc(ctx, func() {
		v.rt.Interrupt(ctx.Err())
		close(w.done)
	})
	v.watched = w
}

// unwatch drops the current registration (before a VU is released).
func (v *vu) unwatch() {
	if w := v.watched; w != nil {
		if !w.stop() {
			<-w.done
			v.rt.ClearInterrupt()
		}
		v.watched = nil
	}
}

// callExport runs the exported function name with args under ctx, in phase.
func (v *vu) callExport(ctx context.Context, phase Phase, name string, args ...goja.Value) (goja.Value, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Watch ctx before touching the runtime: a registration for an earlier context that fired
	// late must not interrupt this call (reading an export runs esbuild's getter).
	v.watch(ctx)
	fn, ok := v.fnCache[name]
	if !ok {
		val := v.exports.Get(name)
		if val == nil || goja.IsUndefined(val) {
			if name == "default" {
				return nil, &ScriptError{File: v.s.display, VU: v.id, Iteration: -1, Phase: phase, Message: "the script has no default export (export default function () { … }) and the scenario names no exec function"}
			}
			return nil, &ScriptError{File: v.s.display, VU: v.id, Iteration: -1, Phase: phase, Message: fmt.Sprintf("the script exports no function %q", name)}
		}
		fn, ok = goja.AssertFunction(val)
		if !ok {
			return nil, &ScriptError{File: v.s.display, VU: v.id, Iteration: -1, Phase: phase, Message: fmt.Sprintf("export %q is not a function", name)}
		}
		if v.fnCache == nil {
			v.fnCache = make(map[string]goja.Callable, 2)
		}
		v.fnCache[name] = fn
	}
	prevPhase, prevCtx, groups := v.phase, v.ctx, len(v.groups)
	v.phase, v.ctx = phase, ctx
	res, err := fn(goja.Undefined(), args...)
	v.leaveGroups(groups) // the groups an interrupt left open
	v.phase, v.ctx = prevPhase, prevCtx
	if v.aborting {
		v.rt.ClearInterrupt() // the abort ended this call; vuTeardown and teardown still run
		v.aborting = false
	}
	if err != nil {
		// Interrupted (the runtime was stopped, or a blocking call gave up with the context's
		// error): report the context's error, which the engine counts as an interruption.
		if ctx.Err() != nil && (isInterrupt(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			return nil, ctx.Err()
		}
		return nil, v.scriptErrorFrom(err, phase)
	}
	return res, nil
}

func isInterrupt(err error) bool {
	var ie *goja.InterruptedError
	return errors.As(err, &ie)
}

// stringify is the runtime's JSON.stringify.
func (v *vu) stringify(val goja.Value) (string, error) {
	jsonObj := v.rt.GlobalObject().Get("JSON").ToObject(v.rt)
	fn, _ := goja.AssertFunction(jsonObj.Get("stringify"))
	res, err := fn(jsonObj, val)
	if err != nil {
		return "", err
	}
	if goja.IsUndefined(res) {
		return "null", nil
	}
	return res.String(), nil
}

// parseJSON is the runtime's JSON.parse.
func (v *vu) parseJSON(s string) (goja.Value, error) {
	jsonObj := v.rt.GlobalObject().Get("JSON").ToObject(v.rt)
	fn, _ := goja.AssertFunction(jsonObj.Get("parse"))
	return fn(jsonObj, v.rt.ToValue(s))
}

// currentSamples is where samples go now: the iteration's buffer, else the VU's.
func (v *vu) currentSamples() *metrics.SampleBuffer {
	if v.it != nil && v.it.Samples != nil {
		return v.it.Samples
	}
	return v.samples
}

// tags returns the base tags extended with up to two pairs (and extra tags), cached so that
// steady-state recording builds no tag sets.
func (v *vu) tags(k1, v1, k2, v2 string, extra metrics.Tags) metrics.Tags {
	return v.cachedTags(tagCacheKey{base: v.baseTags.Key(), k1: k1, v1: v1, k2: k2, v2: v2, extra: extra.Key()}, extra)
}

// failureTags are the tags of a cti_failures sample: code, msg and the lifecycle phase the
// failure happened in (init, setup, vuSetup, iteration, vuTeardown, teardown), so that reports
// can tell a failed logout in vuTeardown from one in an iteration.
func (v *vu) failureTags(code, msg string, extra metrics.Tags) metrics.Tags {
	key := tagCacheKey{base: v.baseTags.Key(), k1: "code", v1: code, k2: "msg", v2: msg, extra: extra.Key()}
	switch v.phase {
	case PhaseInit, PhaseSetup, PhaseVUSetup, PhaseIteration, PhaseVUTeardown, PhaseTeardown:
		key.phase = v.phase
	}
	return v.cachedTags(key, extra)
}

func (v *vu) cachedTags(key tagCacheKey, extra metrics.Tags) metrics.Tags {
	if t, ok := v.tagCache[key]; ok {
		return t
	}
	t := v.baseTags.Merge(extra)
	if key.k1 != "" {
		t = t.With(key.k1, key.v1)
	}
	if key.k2 != "" {
		t = t.With(key.k2, key.v2)
	}
	if key.phase != "" {
		t = t.With("phase", string(key.phase))
	}
	if v.tagCache == nil {
		v.tagCache = make(map[tagCacheKey]metrics.Tags, 8)
	}
	if len(v.tagCache) > 4096 { // unbounded tag values (user data): do not grow forever
		clear(v.tagCache)
	}
	v.tagCache[key] = t
	return t
}

// setBaseTags sets the tags of the coming samples: the iteration's set plus the group.
func (v *vu) setBaseTags(it metrics.Tags) {
	if v.group != "" {
		it = v.tags("", "", "", "", it.With("group", v.group))
	}
	v.baseTags = it
}

// requireInit raises a TypeError unless the VU is running its init code.
func (v *vu) requireInit(what string) {
	if v.phase != PhaseInit {
		v.throwType("%s is only allowed in init code (the top level of the script), not in %s", what, phaseWhere(v.phase))
	}
}

// forbidInit raises an Error when called from init code.
func (v *vu) forbidInit(what string) {
	if v.phase == PhaseInit {
		v.throwType("%s is not allowed in init code: call it in the default function, a scenario function, setup() or vuSetup()", what)
	}
}

func phaseWhere(p Phase) string {
	switch p {
	case PhaseIteration:
		return "an iteration"
	case phaseAfterInit, phaseNone:
		return "code running after init"
	}
	return string(p) + "()"
}

// setupValue returns the setup data parsed in this VU's runtime (once per VU).
func (v *vu) setupValue() (goja.Value, error) {
	if v.setupData != nil {
		return v.setupData, nil
	}
	v.setupData = goja.Undefined()
	if v.r == nil {
		return v.setupData, nil
	}
	if raw := v.r.SetupData(); len(raw) > 0 {
		val, err := v.parseJSON(string(raw))
		if err != nil {
			return nil, fmt.Errorf("setup data: %w", err)
		}
		v.setupData = val
	}
	return v.setupData, nil
}

// envObject is __ENV: reads go to the iteration's env (or the script's), writes stay in this VU.
type envObject struct {
	v       *vu
	overlay map[string]goja.Value
}

func (e *envObject) Get(key string) goja.Value {
	if val, ok := e.overlay[key]; ok {
		return val
	}
	if s, ok := e.v.env[key]; ok {
		return e.v.rt.ToValue(s)
	}
	return nil
}

func (e *envObject) Set(key string, val goja.Value) bool {
	if e.overlay == nil {
		e.overlay = make(map[string]goja.Value)
	}
	e.overlay[key] = val
	return true
}

func (e *envObject) Has(key string) bool {
	if val, ok := e.overlay[key]; ok {
		return val != nil
	}
	_, ok := e.v.env[key]
	return ok
}

func (e *envObject) Delete(key string) bool {
	if e.overlay == nil {
		e.overlay = make(map[string]goja.Value)
	}
	e.overlay[key] = nil
	return true
}

func (e *envObject) Keys() []string {
	keys := make([]string, 0, len(e.v.env)+len(e.overlay))
	for k := range e.v.env {
		if val, ok := e.overlay[k]; ok && val == nil {
			continue
		}
		keys = append(keys, k)
	}
	for k, val := range e.overlay {
		if _, ok := e.v.env[k]; !ok && val != nil {
			keys = append(keys, k)
		}
	}
	return keys
}

// toDuration reads a duration argument: a number of seconds or a string such as "500ms", "5s".
func toDuration(val goja.Value, unit time.Duration) (time.Duration, error) {
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return 0, errors.New("missing")
	}
	switch x := val.Export().(type) {
	case int64:
		return time.Duration(x) * unit, nil
	case float64:
		return time.Duration(x * float64(unit)), nil
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			return 0, fmt.Errorf("want a duration such as \"500ms\" or \"5s\", got %q", x)
		}
		return d, nil
	}
	return 0, fmt.Errorf("want a number of seconds or a duration string such as \"5s\", got %s", describe(val))
}

// describe names a JS value for error messages.
func describe(val goja.Value) string {
	if val == nil || goja.IsUndefined(val) {
		return "undefined"
	}
	if goja.IsNull(val) {
		return "null"
	}
	switch x := val.Export().(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case int64, float64, bool:
		return fmt.Sprint(x)
	}
	if _, ok := goja.AssertFunction(val); ok {
		return "a function"
	}
	if obj, ok := val.(*goja.Object); ok {
		if obj.ClassName() == "Array" {
			return "an array"
		}
		b, err := json.Marshal(obj.Export())
		if err == nil && len(b) < 80 {
			return "object " + string(b)
		}
		return "an object"
	}
	return val.String()
}
