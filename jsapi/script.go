package jsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

// LoadOptions configures [Load].
type LoadOptions struct {
	// Env is __ENV. The host builds it the way k6 does: the process environment overlaid with
	// the -e KEY=VAL flags. A scenario's env is overlaid per iteration by the engine.
	Env map[string]string
	// AllowPathsOutside lets open() and relative imports reach files outside the script's folder.
	AllowPathsOutside bool
	// Logger receives console output (with attributes vu and iter) and script warnings. Nil
	// discards it.
	Logger *slog.Logger
}

// Script is a loaded, compiled script: compiled once, it is instantiated in one goja runtime per
// VU by a [Runner]. A Script is safe for concurrent use.
type Script struct {
	abs     string // absolute path of the main file
	display string // the path as the user gave it, cleaned
	root    string // absolute folder of the main file: the confinement root
	// realRoot is root with symbolic links resolved, and fsRoot the folder opened as an
	// os.Root: files below it are read through fsRoot, which refuses to leave it by ".." or by
	// a symbolic link even when a link changes between the check and the read. Both are unset
	// with AllowPathsOutside.
	realRoot string
	fsRoot   *os.Root
	dispDir  string // folder of display, to build display paths of imported files
	opts     LoadOptions
	logger   *slog.Logger
	main     *compiledModule

	mu      sync.Mutex
	modules map[string]*moduleEntry // compiled user files by absolute path
	files   map[string]*fileEntry   // open() contents by absolute path
	shared  map[string]*sharedEntry // SharedArray data by name

	options json.RawMessage
	exports []string
}

type moduleEntry struct {
	once sync.Once
	m    *compiledModule
	err  error
}

type fileEntry struct {
	once sync.Once
	data []byte
	err  error
}

// Load reads the script at path, transforms it with esbuild (ES modules and TypeScript become
// CommonJS), compiles it once with goja and runs its init code once in a first runtime to read
// `export const options` and the exported function names. A syntax error, or an exception in the
// init code, is a *[ScriptError] naming file:line:column.
func Load(path string, opts LoadOptions) (*Script, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("script %s: file not found", path)
		}
		return nil, fmt.Errorf("script %s: %w", path, err)
	}
	display := filepath.Clean(path)
	s := &Script{
		abs:     abs,
		display: display,
		root:    filepath.Dir(abs),
		dispDir: filepath.Dir(display),
		opts:    opts,
		logger:  opts.Logger,
		modules: make(map[string]*moduleEntry),
		files:   make(map[string]*fileEntry),
		shared:  make(map[string]*sharedEntry),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if !opts.AllowPathsOutside {
		if s.realRoot, err = filepath.EvalSymlinks(s.root); err != nil {
			return nil, fmt.Errorf("script %s: %w", path, err)
		}
		if s.fsRoot, err = os.OpenRoot(s.root); err != nil {
			return nil, fmt.Errorf("script %s: %w", path, err)
		}
	}
	if s.main, err = compileModule(abs, display, src); err != nil {
		return nil, err
	}
	e := &moduleEntry{m: s.main}
	e.once.Do(func() {})
	s.modules[abs] = e

	// The "options" runtime: init code runs once here (as in k6, with __VU 0) to read options
	// and exports; SharedArray data built here is kept for every VU.
	v, err := newVU(context.Background(), s, nil, 0, nil)
	if err != nil {
		return nil, err
	}
	if err := s.readExports(v); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Script) readExports(v *vu) error {
	opts := v.exports.Get("options")
	if opts == nil || goja.IsUndefined(opts) || goja.IsNull(opts) {
		s.options = json.RawMessage("{}")
	} else {
		// JSON.stringify keeps the script's key order (scenarios run in the order written).
		b, err := v.stringify(opts)
		if err != nil {
			return &ScriptError{File: s.display, Phase: PhaseOptions, Iteration: -1, Message: "export const options is not JSON-serialisable: " + err.Error()}
		}
		s.options = json.RawMessage(b)
	}
	for _, k := range v.exports.Keys() {
		if _, ok := goja.AssertFunction(v.exports.Get(k)); ok {
			s.exports = append(s.exports, k)
		}
	}
	slices.Sort(s.exports)
	return nil
}

// OptionsJSON returns the script's `export const options` as JSON ("{}" when it exports none).
// The host parses it with the engine's options parser (scenarios, thresholds, simulator, …).
func (s *Script) OptionsJSON() json.RawMessage { return s.options }

// Exports returns the names of the script's exported functions, sorted ("default", "setup",
// scenario exec functions, …), so that the host can check scenarios' exec names.
func (s *Script) Exports() []string { return slices.Clone(s.exports) }

// Sources returns the files the script's init code read, sorted, as absolute paths: the main
// file, the files it imports and those open() read. They are what a copy of the script needs
// elsewhere (ctiload cluster render puts them in a ConfigMap). Files read only inside an
// iteration are not known here.
func (s *Script) Sources() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for abs, e := range s.modules {
		if e.m != nil {
			out = append(out, abs)
		}
	}
	for abs, e := range s.files {
		if e.err == nil && e.data != nil {
			out = append(out, abs)
		}
	}
	slices.Sort(out)
	return out
}

// Root returns the folder of the main file, below which imports and open() read.
func (s *Script) Root() string { return s.root }

// Path returns the script's path as given to Load.
func (s *Script) Path() string { return s.display }

// hasExport reports whether the script exports a function called name.
func (s *Script) hasExport(name string) bool {
	_, ok := slices.BinarySearch(s.exports, name)
	return ok
}

// module returns the compiled user file at abs, compiling it on first use (once per run, shared
// by every VU).
func (s *Script) module(abs string) (*compiledModule, error) {
	s.mu.Lock()
	e, ok := s.modules[abs]
	if !ok {
		e = &moduleEntry{}
		s.modules[abs] = e
	}
	s.mu.Unlock()
	e.once.Do(func() {
		src, err := s.readConfined(abs)
		if err != nil {
			e.err = err
			return
		}
		e.m, e.err = compileModule(abs, s.displayPath(abs), src)
	})
	return e.m, e.err
}

// displayPath shows abs the way the user would write it: relative to the folder of the script
// path they gave.
func (s *Script) displayPath(abs string) string {
	rel, err := filepath.Rel(s.root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return abs
	}
	return filepath.Join(s.dispDir, rel)
}

// confine checks that abs is below the script's folder, unless AllowPathsOutside: as written
// (no ".." out of it, no absolute path elsewhere) and once symbolic links are resolved (a link
// inside the folder may not lead out of it). It returns abs relative to the folder.
func (s *Script) confine(abs string) (string, error) {
	if s.opts.AllowPathsOutside {
		return abs, nil
	}
	rel, ok := below(s.root, abs)
	if !ok {
		return "", fmt.Errorf("%s is outside the script's folder %s (only files below it may be read; ctiload run --allow-paths-outside lifts this)", abs, s.root)
	}
	// A missing file is not an escape: reading it reports it missing.
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		if _, ok := below(s.realRoot, real); !ok {
			return "", fmt.Errorf("%s leads through a symbolic link to %s, outside the script's folder %s (only files below it may be read; ctiload run --allow-paths-outside lifts this)", abs, real, s.root)
		}
	}
	return rel, nil
}

// below returns path relative to dir, and whether it stays below dir.
func below(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// readConfined reads the user file abs once confine allowed it: through the os.Root of the
// script's folder, so that a link swapped in after the check cannot lead out of it.
func (s *Script) readConfined(abs string) ([]byte, error) {
	rel, err := s.confine(abs)
	if err != nil {
		return nil, err
	}
	if s.fsRoot == nil {
		return os.ReadFile(abs)
	}
	return s.fsRoot.ReadFile(rel)
}

// statConfined is os.Stat through the os.Root of the script's folder (see readConfined).
func (s *Script) statConfined(abs string) (fs.FileInfo, error) {
	rel, err := s.confine(abs)
	if err != nil {
		return nil, err
	}
	if s.fsRoot == nil {
		return os.Stat(abs)
	}
	return s.fsRoot.Stat(rel)
}

// resolve finds the file a relative import names, trying the extensions esbuild would.
func (s *Script) resolve(spec, fromDir string) (string, error) {
	var p string
	if filepath.IsAbs(spec) {
		p = filepath.Clean(spec)
	} else {
		p = filepath.Join(fromDir, spec)
	}
	if _, err := s.confine(p); err != nil {
		return "", err
	}
	candidates := []string{p}
	if filepath.Ext(p) == "" {
		candidates = append(candidates, p+".js", p+".ts", p+".mjs", p+".json",
			filepath.Join(p, "index.js"), filepath.Join(p, "index.ts"))
	}
	for _, c := range candidates {
		if _, err := os.Lstat(c); err != nil {
			continue
		}
		// The name exists: a link leading out of the folder is refused, not skipped.
		st, err := s.statConfined(c)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", fmt.Errorf("%s: file not found", p)
}

// readFile returns the contents of abs, read once per run and shared by every VU.
func (s *Script) readFile(abs string) ([]byte, error) {
	s.mu.Lock()
	e, ok := s.files[abs]
	if !ok {
		e = &fileEntry{}
		s.files[abs] = e
	}
	s.mu.Unlock()
	e.once.Do(func() { e.data, e.err = s.readConfined(abs) })
	return e.data, e.err
}
