package jsapi

import (
	"context"
	"log/slog"
	"strings"

	"github.com/dop251/goja"
)

// newConsole builds the console object: log, info, debug, warn, error go to the run's logger
// with the VU number (and the iteration, in an iteration). Only what the script passes is
// printed; connection passwords live in Go and never reach this path.
func (v *vu) newConsole() *goja.Object {
	c := v.rt.NewObject()
	_ = c.Set("log", v.consoleFunc(slog.LevelInfo))
	_ = c.Set("info", v.consoleFunc(slog.LevelInfo))
	_ = c.Set("debug", v.consoleFunc(slog.LevelDebug))
	_ = c.Set("warn", v.consoleFunc(slog.LevelWarn))
	_ = c.Set("error", v.consoleFunc(slog.LevelError))
	return c
}

func (v *vu) consoleFunc(level slog.Level) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		if !v.logger.Enabled(context.Background(), level) {
			return goja.Undefined()
		}
		var b strings.Builder
		for i, a := range call.Arguments {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v.formatArg(a))
		}
		attrs := []slog.Attr{slog.Int("vu", v.id), slog.String("source", "console")}
		if v.phase == PhaseIteration {
			attrs = append(attrs, slog.Int64("iter", v.iter))
		} else if v.phase != phaseAfterInit {
			attrs = append(attrs, slog.String("phase", string(v.phase)))
		}
		v.logger.LogAttrs(context.Background(), level, b.String(), attrs...)
		return goja.Undefined()
	}
}

// formatArg prints strings as they are, errors as "Name: message", other objects as JSON.
func (v *vu) formatArg(a goja.Value) string {
	obj, ok := a.(*goja.Object)
	if !ok || goja.IsNull(a) {
		return a.String()
	}
	if _, isFn := goja.AssertFunction(a); isFn {
		return a.String()
	}
	if obj.ClassName() == "Error" {
		return a.String()
	}
	s, err := v.stringify(a)
	if err != nil {
		return a.String()
	}
	return s
}
