package jsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// PhaseHandleSummary is the script's `export function handleSummary(data)`, once at the end.
const PhaseHandleSummary Phase = "handleSummary"

// k6SummaryLib is the prefix of k6's jslib summary module (https://jslib.k6.io/k6-summary/0.0.2/
// index.js and its other versions): a k6 script importing textSummary from there gets
// ctiload/summary, so it runs unchanged and offline.
const k6SummaryLib = "https://jslib.k6.io/k6-summary/"

// TextSummaryFunc renders the end-of-test text summary of data, a summary export (the JSON of
// --summary-export, the argument of handleSummary). The host provides it (RunnerConfig
// .TextSummary) so that scripts and the command line print the same text from one reporter.
type TextSummaryFunc func(data json.RawMessage, o TextSummaryOptions) (string, error)

// TextSummaryOptions are textSummary's options, as k6's jslib names them.
type TextSummaryOptions struct {
	EnableColors bool   // ANSI colors (k6: enableColors)
	Indent       string // prefix of every line (k6: indent)
}

// SummaryOutput is one entry of handleSummary's result: Dest is "stdout", "stderr" or a file
// path, Content what to write there.
type SummaryOutput struct {
	Dest    string
	Content []byte
}

// HasHandleSummary reports whether the script exports handleSummary.
func (s *Script) HasHandleSummary() bool { return s.hasExport("handleSummary") }

// HandleSummary calls `export function handleSummary(data)` once, in a runtime of its own, with
// data (the summary export JSON, parsed), and returns its result: an object mapping "stdout",
// "stderr" or a file path to a string or an ArrayBuffer, sorted by destination. Without a
// handleSummary export it returns nil, nil. An exception, or a result of the wrong shape, is a
// *ScriptError (phase handleSummary) with the file and line.
func (r *Runner) HandleSummary(ctx context.Context, data json.RawMessage) ([]SummaryOutput, error) {
	if !r.s.HasHandleSummary() {
		return nil, nil
	}
	v, err := newVU(ctx, r.s, r, 0, nil)
	if err != nil {
		return nil, err
	}
	defer v.release(ctx)
	arg, err := v.parseJSON(string(data))
	if err != nil {
		return nil, fmt.Errorf("handleSummary: summary data: %w", err)
	}
	res, err := v.callExport(ctx, PhaseHandleSummary, "handleSummary", arg)
	if err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) error {
		return &ScriptError{File: r.s.display, Iteration: -1, Phase: PhaseHandleSummary, Message: fmt.Sprintf(format, a...)}
	}
	if res == nil || goja.IsUndefined(res) || goja.IsNull(res) {
		return []SummaryOutput{}, nil // handled: nothing to write, no default summary either
	}
	obj, ok := res.(*goja.Object)
	if !ok || obj.ClassName() == "Array" {
		return nil, bad("handleSummary() must return an object such as {stdout: textSummary(data), 'summary.json': JSON.stringify(data)}, got %s", describe(res))
	}
	keys := obj.Keys()
	slices.Sort(keys)
	out := make([]SummaryOutput, 0, len(keys))
	for _, k := range keys {
		val := obj.Get(k)
		var b []byte
		switch x := val.Export().(type) {
		case string:
			b = []byte(x)
		case goja.ArrayBuffer:
			b = x.Bytes()
		default:
			if goja.IsUndefined(val) || goja.IsNull(val) {
				continue
			}
			return nil, bad("handleSummary() result %q: want a string or an ArrayBuffer, got %s (JSON.stringify objects)", k, describe(val))
		}
		if strings.TrimSpace(k) == "" {
			return nil, bad("handleSummary() result has an empty destination: want 'stdout', 'stderr' or a file path")
		}
		out = append(out, SummaryOutput{Dest: k, Content: b})
	}
	return out, nil
}

// The `ctiload/summary` module: textSummary(data, {enableColors, indent}), the end-of-test text
// summary of handleSummary's data, from the same reporter as ctiload's own summary.
var summaryModule = newLazyProps(map[string]func(v *vu) any{
	"textSummary": func(v *vu) any { return v.textSummary },
})

func (v *vu) textSummary(call goja.FunctionCall) goja.Value {
	if v.r == nil || v.r.cfg.TextSummary == nil {
		v.throwf("textSummary: not available here: call it from handleSummary(data)")
	}
	data := call.Argument(0)
	if _, ok := data.(*goja.Object); !ok {
		v.throwType("textSummary: argument 1: want the summary data handleSummary received, got %s", describe(data))
	}
	var o TextSummaryOptions
	if opt, ok := call.Argument(1).(*goja.Object); ok && !goja.IsNull(opt) {
		if c := opt.Get("enableColors"); c != nil && !goja.IsUndefined(c) {
			o.EnableColors = c.ToBoolean()
		}
		if i := opt.Get("indent"); i != nil && !goja.IsUndefined(i) {
			o.Indent = i.String()
		}
	}
	s, err := v.stringify(data)
	if err != nil {
		v.throwf("textSummary: %v", err)
	}
	text, err := v.r.cfg.TextSummary(json.RawMessage(s), o)
	if err != nil {
		v.throwf("textSummary: %v", err)
	}
	return v.rt.ToValue(text)
}
