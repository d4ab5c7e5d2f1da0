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
// Each function is made on its first use (lazy.go).
func (v *vu) newConsole() *goja.Object { return consoleProps.object(v, true) }

var consoleProps = newLazyProps(map[string]func(v *vu) any{
	"log":   func(v *vu) any { return v.consoleFunc(slog.LevelInfo) },
	"info":  func(v *vu) any { return v.consoleFunc(slog.LevelInfo) },
	"debug": func(v *vu) any { return v.consoleFunc(slog.LevelDebug) },
	"warn":  func(v *vu) any { return v.consoleFunc(slog.LevelWarn) },
	"error": func(v *vu) any { return v.consoleFunc(slog.LevelError) },
})

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
