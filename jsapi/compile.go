package jsapi

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"github.com/evanw/esbuild/pkg/api"
)

// compiledModule is one user file, transformed to CommonJS and compiled once. Its program, run in
// a VU's runtime, evaluates to the module wrapper function
//
//	function (exports, require, module, __filename, __dirname, …helpers) { … }
//
// where helpers are the native versions of esbuild's interop helpers the file uses (interop.go).
// A *goja.Program is immutable and shared by every VU runtime: compiling once is what keeps VU
// creation cheap.
type compiledModule struct {
	abs     string // absolute path, the key of the module cache
	display string // the path as errors show it (relative to the working directory when possible)
	prg     *goja.Program
	helpers []interopHelper // passed after __dirname, in this order
	exports []string        // names of an exports block rewriteExports replaced: a moduleExports
}

// wrapperHead is put on its own line before the transformed code, so that the code's lines move
// down by exactly one, which the source map is told about (one more ";" in its mappings).
func wrapperHead(helpers []interopHelper) string {
	var b strings.Builder
	b.WriteString("(function (exports, require, module, __filename, __dirname")
	for _, h := range helpers {
		b.WriteString(", " + interopHelperNames[h])
	}
	b.WriteString(") {\n")
	return b.String()
}

// loaderFor picks esbuild's loader from the file extension.
func loaderFor(name string) (api.Loader, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".js", ".mjs", ".cjs", "":
		return api.LoaderJS, nil
	case ".ts", ".mts", ".cts":
		return api.LoaderTS, nil
	case ".json":
		return api.LoaderJSON, nil
	}
	return api.LoaderNone, fmt.Errorf("%s: unsupported file type %q (want .js, .mjs, .ts or .json)", name, filepath.Ext(name))
}

// compileModule transforms src (ES module or TypeScript) to CommonJS with esbuild, wraps it in the
// module function and compiles it with goja, keeping a source map so that every position goja
// reports (syntax errors, exceptions, stacks) is on the user's own lines.
func compileModule(abs, display string, src []byte) (*compiledModule, error) {
	loader, err := loaderFor(abs)
	if err != nil {
		return nil, &ScriptError{File: display, Phase: PhaseCompile, Iteration: -1, Message: err.Error()}
	}
	base := path.Base(filepath.ToSlash(display))
	res := transform(base, loader, src)
	if len(res.Errors) > 0 {
		m := res.Errors[0]
		se := &ScriptError{File: display, Phase: PhaseCompile, Iteration: -1, Message: "SyntaxError: " + m.Text}
		if loc := m.Location; loc != nil {
			se.Line, se.Column = loc.Line, loc.Column+1
			if loc.LineText != "" {
				se.Stack = "\t" + loc.LineText + "\n"
			}
		}
		if len(res.Errors) > 1 {
			se.Message += fmt.Sprintf(" (and %d more errors)", len(res.Errors)-1)
		}
		return nil, se
	}
	smap, err := shiftSourceMap(res.Map, 1)
	if err != nil {
		return nil, &ScriptError{File: display, Phase: PhaseCompile, Iteration: -1, Message: "source map: " + err.Error()}
	}
	// The interop helpers' definitions become empty lines: the source map needs no change.
	code, helpers := stripInterop(string(res.Code))
	var exportNames []string
	if !slices.Contains(helpers, helperReExport) {
		if code, exportNames = rewriteExports(code); exportNames != nil {
			helpers = slices.DeleteFunc(helpers, func(h interopHelper) bool { return !refersTo(code, interopHelperNames[h]) })
		}
	}
	head := wrapperHead(helpers)
	var b strings.Builder
	b.Grow(len(head) + len(code) + 64)
	b.WriteString(head)
	b.WriteString(code)
	// goja's parser reads the last "//# sourceMappingURL=" line, skipping a closing "})" line, and
	// asks the loader below for it: the map never goes through base64.
	b.WriteString("\n//# sourceMappingURL=" + base + ".map\n})")
	// The goja file name is the display path: source-map sources resolve against it, so stacks
	// show "lib/util.ts:3:7" the way the user would write it.
	ast, err := goja.Parse(filepath.ToSlash(display), b.String(), parser.WithSourceMapLoader(func(string) ([]byte, error) {
		return smap, nil
	}))
	if err != nil {
		return nil, compileError(display, err)
	}
	prg, err := goja.CompileAST(ast, true)
	if err != nil {
		return nil, compileError(display, err)
	}
	return &compiledModule{abs: abs, display: display, prg: prg, helpers: helpers, exports: exportNames}, nil
}

// transform runs esbuild on one file: ES module or TypeScript in, CommonJS and an external source
// map out.
func transform(base string, loader api.Loader, src []byte) api.TransformResult {
	return api.Transform(string(src), api.TransformOptions{
		Loader:         loader,
		Format:         api.FormatCommonJS,
		Target:         api.ES2020,
		Platform:       api.PlatformNeutral,
		Sourcemap:      api.SourceMapExternal,
		SourcesContent: api.SourcesContentExclude,
		Sourcefile:     base,
		LogLevel:       api.LogLevelSilent,
		// ES modules are strict; the wrapper is compiled as strict code below.
	})
}

// compileError converts a goja parse or compile error (rare: esbuild parsed the code first).
func compileError(display string, err error) error {
	se := &ScriptError{File: display, Phase: PhaseCompile, Iteration: -1, Message: "SyntaxError: " + err.Error()}
	switch e := err.(type) {
	case *goja.CompilerSyntaxError:
		se.Message = "SyntaxError: " + e.Message
		if e.File != nil {
			p := e.File.Position(e.Offset)
			se.File, se.Line, se.Column = p.Filename, p.Line, p.Column
		}
	case *parser.ErrorList:
		if len(*e) > 0 {
			first := (*e)[0]
			se.Message = "SyntaxError: " + first.Message
			se.File, se.Line, se.Column = first.Position.Filename, first.Position.Line, first.Position.Column
		}
	}
	return se
}

// shiftSourceMap prepares esbuild's source map for goja:
//
//   - generated lines move down by n (the wrapper's first line): each ";" in "mappings" starts
//     the next generated line;
//   - every generated column moves right by one, because goja looks positions up with 1-based
//     columns in a map whose columns are 0-based (without this, a segment starting just after
//     the position wins, e.g. a call's closing parenthesis);
//   - every source column moves right by one, because goja reports the map's 0-based source
//     column as it is, and editors and users count columns from 1.
func shiftSourceMap(m []byte, n int) ([]byte, error) {
	var sm map[string]json.RawMessage
	if err := json.Unmarshal(m, &sm); err != nil {
		return nil, err
	}
	var mappings string
	if err := json.Unmarshal(sm["mappings"], &mappings); err != nil {
		return nil, err
	}
	adjusted, err := adjustMappings(mappings)
	if err != nil {
		return nil, err
	}
	shifted, err := json.Marshal(strings.Repeat(";", n) + adjusted)
	if err != nil {
		return nil, err
	}
	sm["mappings"] = shifted
	return json.Marshal(sm)
}

// adjustMappings adds one to every generated column (the first segment of each line holds the
// line's absolute column, the others are deltas) and to every source column (a delta chain
// across the whole map, so only the first segment's value changes).
func adjustMappings(mappings string) (string, error) {
	lines := strings.Split(mappings, ";")
	first := true
	for i, line := range lines {
		if line == "" {
			continue
		}
		seg, rest, _ := strings.Cut(line, ",")
		fields, err := decodeVLQ(seg)
		if err != nil {
			return "", fmt.Errorf("mappings line %d: %w", i+1, err)
		}
		fields[0]++
		if first && len(fields) >= 4 {
			fields[3]++
			first = false
		}
		out := encodeVLQ(fields)
		if rest != "" {
			out += "," + rest
		}
		lines[i] = out
		if first {
			// Segments without a source (1 field) do not start the source-column chain; look
			// for the first one that does in the rest of this line.
			segs := strings.Split(lines[i], ",")
			for j := 1; j < len(segs) && first; j++ {
				f, err := decodeVLQ(segs[j])
				if err != nil {
					return "", err
				}
				if len(f) >= 4 {
					f[3]++
					segs[j] = encodeVLQ(f)
					first = false
				}
			}
			lines[i] = strings.Join(segs, ",")
		}
	}
	return strings.Join(lines, ";"), nil
}

const vlqChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func decodeVLQ(s string) ([]int, error) {
	var out []int
	shift, val := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(vlqChars, s[i])
		if d < 0 {
			return nil, fmt.Errorf("bad base64 VLQ character %q", s[i])
		}
		val |= (d & 31) << shift
		if d&32 != 0 {
			shift += 5
			continue
		}
		if val&1 != 0 {
			out = append(out, -(val >> 1))
		} else {
			out = append(out, val>>1)
		}
		shift, val = 0, 0
	}
	if shift != 0 {
		return nil, fmt.Errorf("truncated base64 VLQ %q", s)
	}
	return out, nil
}

func encodeVLQ(fields []int) string {
	var b strings.Builder
	for _, f := range fields {
		v := f << 1
		if f < 0 {
			v = (-f << 1) | 1
		}
		for {
			d := v & 31
			v >>= 5
			if v != 0 {
				d |= 32
			}
			b.WriteByte(vlqChars[d])
			if v == 0 {
				break
			}
		}
	}
	return b.String()
}
