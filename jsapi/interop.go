package jsapi

import (
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// esbuild turns `import`/`export` into CommonJS with a few helper functions it defines at the
// top of every transformed file (`__export`, `__copyProps`, `__toCommonJS`, `__toESM`,
// `__reExport`). Run in each VU, they were the largest part of a bare VU (≈ 20 KB): their `for…in`
// and `for…of` make goja build Object.prototype's methods and the array iterator in that runtime,
// `__toCommonJS` copies every export behind a second getter closure, and `__toESM` copies a
// built-in module behind one closure per name (the cti module alone has dozens).
//
// stripInterop blanks those definitions out of the transformed code (line for line, so the
// source map stays right) and the module wrapper receives native versions as parameters instead
// (interopFn). Only definitions whose text is exactly the one of the pinned esbuild version are
// removed; anything else (another esbuild version, a lowering helper such as `__publicField`
// that uses the aliases) keeps what it needs, so an unexpected output costs memory, never
// behaviour. TestInteropHelpersReplaced fails when the texts stop matching.

// interopHelper names a helper that has a native version.
type interopHelper uint8

const (
	helperExport interopHelper = iota
	helperToCommonJS
	helperToESM
	helperReExport
	numInteropHelpers
)

var interopHelperNames = [numInteropHelpers]string{"__export", "__toCommonJS", "__toESM", "__reExport"}

// esbuildHelpers are the definitions removed, as esbuild v0.28 prints them: the interop helpers
// (with no native version for __copyProps: only the others call it) and the aliases they use.
var esbuildHelpers = map[string]string{
	"__create":          "var __create = Object.create;\n",
	"__defProp":         "var __defProp = Object.defineProperty;\n",
	"__getOwnPropDesc":  "var __getOwnPropDesc = Object.getOwnPropertyDescriptor;\n",
	"__getOwnPropNames": "var __getOwnPropNames = Object.getOwnPropertyNames;\n",
	"__getProtoOf":      "var __getProtoOf = Object.getPrototypeOf;\n",
	"__hasOwnProp":      "var __hasOwnProp = Object.prototype.hasOwnProperty;\n",
	"__export": "var __export = (target, all) => {\n" +
		"  for (var name in all)\n" +
		"    __defProp(target, name, { get: all[name], enumerable: true });\n" +
		"};\n",
	"__copyProps": "var __copyProps = (to, from, except, desc) => {\n" +
		"  if (from && typeof from === \"object\" || typeof from === \"function\") {\n" +
		"    for (let key of __getOwnPropNames(from))\n" +
		"      if (!__hasOwnProp.call(to, key) && key !== except)\n" +
		"        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });\n" +
		"  }\n" +
		"  return to;\n" +
		"};\n",
	"__reExport": "var __reExport = (target, mod, secondTarget) => (__copyProps(target, mod, \"default\"), secondTarget && __copyProps(secondTarget, mod, \"default\"));\n",
	"__toESM": "var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(\n" +
		"  // If the importer is in node compatibility mode or this is not an ESM\n" +
		"  // file that has been converted to a CommonJS file using a Babel-\n" +
		"  // compatible transform (i.e. \"__esModule\" has not been set), then set\n" +
		"  // \"default\" to the CommonJS \"module.exports\" for node compatibility.\n" +
		"  isNodeMode || !mod || !mod.__esModule ? __defProp(target, \"default\", { value: mod, enumerable: true }) : target,\n" +
		"  mod\n" +
		"));\n",
	"__toCommonJS": "var __toCommonJS = (mod) => __copyProps(__defProp({}, \"__esModule\", { value: true }), mod);\n",
}

// helperDef is one definition at the top of esbuild's output: lines [start, end) of the code.
type helperDef struct {
	name       string
	start, end int // byte offsets
	known      bool
}

// refersTo reports whether code mentions the identifier name (outside a longer identifier; a
// mention in a string or comment counts too, which only keeps a definition that could go).
func refersTo(code, name string) bool {
	for i := 0; ; {
		j := strings.Index(code[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		if (j == 0 || !isIdentByte(code[j-1])) && (end == len(code) || !isIdentByte(code[end])) {
			return true
		}
		i = j + 1
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

var helperDefHead = regexp.MustCompile(`^var (__[A-Za-z0-9_$]+) = `)

// stripInterop returns code with esbuild's interop helper definitions replaced by empty lines,
// and the helpers the module wrapper must pass natively (in interopHelper order).
func stripInterop(code string) (string, []interopHelper) {
	// The helpers come first, each "var __name = …" at column 0 followed by its continuation
	// lines (indented, or closing with "}" or ")").
	var defs []helperDef
	pos := 0
	for pos < len(code) {
		m := helperDefHead.FindStringSubmatch(code[pos:])
		if m == nil {
			break
		}
		end := pos
		for {
			nl := strings.IndexByte(code[end:], '\n')
			if nl < 0 {
				end = len(code)
				break
			}
			end += nl + 1
			if end >= len(code) || !strings.ContainsRune(" })", rune(code[end])) {
				break
			}
		}
		known := esbuildHelpers[m[1]] == code[pos:end]
		defs = append(defs, helperDef{name: m[1], start: pos, end: end, known: known})
		pos = end
	}
	if len(defs) == 0 {
		return code, nil
	}
	// What stays: unknown definitions, the code after them, and the known definitions they
	// refer to (to a fixed point: a kept __copyProps needs its aliases). The native helpers go
	// in any case; the wrapper passes those still referred to.
	native := func(name string) (interopHelper, bool) {
		h := slices.Index(interopHelperNames[:], name)
		return interopHelper(h), h >= 0
	}
	remove := make([]bool, len(defs))
	for i, d := range defs {
		remove[i] = d.known
	}
	var rest string
	for changed := true; changed; {
		var kept strings.Builder
		for i, d := range defs {
			if !remove[i] {
				kept.WriteString(code[d.start:d.end])
			}
		}
		kept.WriteString(code[pos:])
		rest = kept.String()
		changed = false
		for i, d := range defs {
			if _, isNative := native(d.name); remove[i] && !isNative && refersTo(rest, d.name) {
				remove[i], changed = false, true
			}
		}
	}
	var used [numInteropHelpers]bool
	for _, d := range defs {
		if h, ok := native(d.name); ok && d.known {
			used[h] = refersTo(rest, d.name)
		}
	}
	var b strings.Builder
	b.Grow(len(code))
	for i, d := range defs {
		if remove[i] {
			b.WriteString(strings.Repeat("\n", strings.Count(code[d.start:d.end], "\n")))
		} else {
			b.WriteString(code[d.start:d.end])
		}
	}
	b.WriteString(code[pos:])
	var natives []interopHelper
	for h, u := range used {
		if u {
			natives = append(natives, interopHelper(h))
		}
	}
	return b.String(), natives
}

// interopFn returns v's native version of helper h, made on first use.
func (v *vu) interopFn(h interopHelper) goja.Value {
	if fn := v.interop[h]; fn != nil {
		return fn
	}
	var fn func(goja.FunctionCall) goja.Value
	switch h {
	case helperExport:
		fn = v.nativeExport
	case helperToCommonJS:
		fn = v.nativeToCommonJS
	case helperToESM:
		fn = v.nativeToESM
	case helperReExport:
		fn = v.nativeReExport
	}
	v.interop[h] = v.rt.ToValue(fn)
	return v.interop[h]
}

// nativeExport is __export(target, all): each name of all becomes an enumerable, read-only
// property of target whose getter is all[name] (esbuild's `() => local`: a live binding).
func (v *vu) nativeExport(call goja.FunctionCall) goja.Value {
	target := call.Argument(0).ToObject(v.rt)
	all := call.Argument(1).ToObject(v.rt)
	for _, name := range all.Keys() {
		if err := target.DefineAccessorProperty(name, all.Get(name), nil, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
			panic(err)
		}
	}
	return goja.Undefined()
}

// nativeToCommonJS is __toCommonJS(mod): esbuild's copies mod's getters onto a new object
// marked __esModule; the object itself, marked, reads the same (its properties are already
// read-only getters) without a second getter per export.
func (v *vu) nativeToCommonJS(call goja.FunctionCall) goja.Value {
	mod := call.Argument(0).ToObject(v.rt)
	if err := mod.DefineDataProperty("__esModule", v.rt.ToValue(true), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	return mod
}

// nativeToESM is __toESM(mod, isNodeMode), what a default or namespace import of a CommonJS
// module (a built-in module, or a user file using module.exports) reads: mod itself when it is
// a transformed ES module, otherwise a view whose "default" is mod and whose other names read
// mod's (esbuild's copies every name behind a getter closure).
func (v *vu) nativeToESM(call goja.FunctionCall) goja.Value {
	mod := call.Argument(0)
	if obj, ok := mod.(*goja.Object); ok && !call.Argument(1).ToBoolean() {
		if es := obj.Get("__esModule"); es != nil && es.ToBoolean() {
			return obj
		}
	}
	return v.rt.NewDynamicObject(&esmView{mod: mod})
}

// esmView is the namespace of a CommonJS module imported from an ES module.
type esmView struct{ mod goja.Value }

func (e *esmView) obj() *goja.Object {
	o, _ := e.mod.(*goja.Object)
	return o
}

func (e *esmView) Get(key string) goja.Value {
	if key == "default" {
		return e.mod
	}
	if o := e.obj(); o != nil {
		return o.Get(key)
	}
	return nil
}

func (e *esmView) Has(key string) bool {
	if key == "default" {
		return true
	}
	if o := e.obj(); o != nil {
		for _, k := range o.Keys() {
			if k == key {
				return true
			}
		}
	}
	return false
}

func (e *esmView) Set(string, goja.Value) bool { return false } // an import binding is read-only
func (e *esmView) Delete(string) bool          { return false }

func (e *esmView) Keys() []string {
	keys := []string{"default"}
	if o := e.obj(); o != nil {
		for _, k := range o.Keys() {
			if k != "default" {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// nativeReExport is __reExport(target, mod, secondTarget) of `export * from …`: every
// enumerable name of mod but "default" that target lacks becomes a getter reading mod's.
func (v *vu) nativeReExport(call goja.FunctionCall) goja.Value {
	v.reExport(call.Argument(0), call.Argument(1))
	second := call.Argument(2)
	if second.ToBoolean() {
		v.reExport(second, call.Argument(1))
	}
	return second
}

func (v *vu) reExport(targetVal, modVal goja.Value) {
	target, ok := targetVal.(*goja.Object)
	mod, ok2 := modVal.(*goja.Object)
	if !ok || !ok2 {
		return
	}
	have := make(map[string]bool)
	for _, k := range target.GetOwnPropertyNames() {
		have[k] = true
	}
	for _, k := range mod.Keys() {
		if k == "default" || have[k] {
			continue
		}
		key := k
		get := v.rt.ToValue(func(goja.FunctionCall) goja.Value { return mod.Get(key) })
		if err := target.DefineAccessorProperty(key, get, nil, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
			panic(err)
		}
	}
}

// esbuild's exports block follows the helpers:
//
//	var stdin_exports = {};
//	__export(stdin_exports, {
//	  default: () => stdin_default,
//	  options: () => options
//	});
//	module.exports = __toCommonJS(stdin_exports);
//
// Even with native helpers, that is one getter closure per export and two native functions per
// VU (≈ 1 KB each). rewriteExports replaces it, line for line, with one reader function,
//
//	var stdin_exports = module.exports;
//	function __ctiload_exports(name) { switch (name) {
//	case "default": return stdin_default;
//	case "options": return options;
//	} }
//	module.exports["\0ctiload.exports"] = __ctiload_exports;
//
// and the module's exports object is a moduleExports that calls it on each read: the same live
// bindings (and the same ReferenceError before a `const` is set), one closure in all. A block of
// any other shape, or a file that re-exports with `export *`, keeps the helpers.

const exportsReaderKey = "\x00ctiload.exports"

var (
	exportsVarLine   = regexp.MustCompile(`^var ([A-Za-z_$][A-Za-z0-9_$]*) = \{\};\n$`)
	exportsEntryLine = regexp.MustCompile(`^  ([A-Za-z_$][A-Za-z0-9_$]*|"[^"\\\n]*"): \(\) => ([A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)?),?\n$`)
)

// rewriteExports rewrites the exports block of code (stripInterop's output) and returns the
// export names in esbuild's order, or code unchanged and nil names.
func rewriteExports(code string) (string, []string) {
	if refersTo(code, "__ctiload_exports") {
		return code, nil
	}
	lines := strings.SplitAfter(code, "\n")
	i := 0
	for i < len(lines) && lines[i] == "\n" {
		i++
	}
	if i+3 >= len(lines) {
		return code, nil
	}
	m := exportsVarLine.FindStringSubmatch(lines[i])
	if m == nil || lines[i+1] != "__export("+m[1]+", {\n" {
		return code, nil
	}
	obj := m[1]
	var names, cases []string
	j := i + 2
	for ; j < len(lines) && lines[j] != "});\n"; j++ {
		e := exportsEntryLine.FindStringSubmatch(lines[j])
		if e == nil {
			return code, nil
		}
		name, label := e[1], e[1]
		if strings.HasPrefix(name, `"`) {
			name = name[1 : len(name)-1] // no escapes: the pattern allows none
		} else {
			label = `"` + name + `"`
		}
		names = append(names, name)
		cases = append(cases, "case "+label+": return "+e[2]+";\n")
	}
	if j+1 >= len(lines) || lines[j+1] != "module.exports = __toCommonJS("+obj+");\n" || len(names) == 0 {
		return code, nil
	}
	var b strings.Builder
	b.Grow(len(code))
	for _, l := range lines[:i] {
		b.WriteString(l)
	}
	b.WriteString("var " + obj + " = module.exports;\n")
	b.WriteString("function __ctiload_exports(name) { switch (name) {\n")
	for _, c := range cases {
		b.WriteString(c)
	}
	b.WriteString("} }\n")
	b.WriteString(`module.exports["\0ctiload.exports"] = __ctiload_exports;` + "\n")
	for _, l := range lines[j+2:] {
		b.WriteString(l)
	}
	return b.String(), names
}

// moduleExports is the exports object of a file whose exports block rewriteExports replaced.
type moduleExports struct {
	v     *vu
	names []string      // the exports, in esbuild's order
	read  goja.Callable // the file's reader, set by its first statement
	extra map[string]goja.Value
	keys  []string // extra's keys, in assignment order
}

func (e *moduleExports) exported(key string) bool { return slices.Contains(e.names, key) }

func (e *moduleExports) Get(key string) goja.Value {
	switch {
	case e.exported(key):
		if e.read == nil {
			return nil
		}
		val, err := e.read(goja.Undefined(), e.v.rt.ToValue(key))
		if err != nil {
			var ex *goja.Exception
			if errors.As(err, &ex) {
				panic(ex)
			}
			e.v.throw(err)
		}
		return val
	case key == "__esModule":
		return e.v.rt.ToValue(true)
	}
	return e.extra[key]
}

func (e *moduleExports) Has(key string) bool {
	_, ok := e.extra[key]
	return ok || e.exported(key) || key == "__esModule"
}

func (e *moduleExports) Set(key string, val goja.Value) bool {
	if key == exportsReaderKey && e.read == nil {
		e.read, _ = goja.AssertFunction(val)
		return e.read != nil
	}
	if e.exported(key) || key == "__esModule" {
		return false // an export is read-only, as esbuild's getter without a setter
	}
	if e.extra == nil {
		e.extra = make(map[string]goja.Value)
	}
	if _, ok := e.extra[key]; !ok {
		e.keys = append(e.keys, key)
	}
	e.extra[key] = val
	return true
}

func (e *moduleExports) Delete(key string) bool {
	if e.exported(key) || key == "__esModule" {
		return false
	}
	if _, ok := e.extra[key]; ok {
		delete(e.extra, key)
		e.keys = slices.DeleteFunc(e.keys, func(k string) bool { return k == key })
	}
	return true
}

func (e *moduleExports) Keys() []string {
	if len(e.keys) == 0 {
		return e.names
	}
	return append(slices.Clip(e.names), e.keys...)
}
