package jsapi

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// ExitScriptError is the process exit code for a script that cannot run: a syntax error, or an
// exception in init code, setup or teardown (k6 uses the same number).
const ExitScriptError = 107

// Phase names the part of the lifecycle a script error happened in.
type Phase string

// The phases of a script's lifecycle, in order.
const (
	PhaseCompile    Phase = "compile"     // esbuild transform and goja compile
	PhaseInit       Phase = "init"        // top-level code, once per VU runtime
	PhaseSetup      Phase = "setup"       // export function setup(), once per run
	PhaseVUSetup    Phase = "vuSetup"     // export function vuSetup(), once per VU
	PhaseIteration  Phase = "iteration"   // the default function or a scenario's exec function
	PhaseVUTeardown Phase = "vuTeardown"  // export function vuTeardown(), once per VU
	PhaseTeardown   Phase = "teardown"    // export function teardown(data), once per run
	PhaseOptions    Phase = "options"     // reading export const options
	phaseNone       Phase = ""            // no script code running
	phaseAfterInit  Phase = "after-init"  // internal: init is over (used by open and metrics)
	phaseClosed     Phase = "vu-released" // internal: the VU was closed
)

// ScriptError is an error raised by a user's script: a syntax error found when loading it, or an
// exception thrown while it ran. File, Line and Column point into the user's own source (source
// maps undo the esbuild transform), the first frame of the stack that is in a script file.
//
// Its Error reads like
//
//	script.js:12:5: ReferenceError: foo is not defined (VU 3, iteration 7)
//
// An error in the compile, init, setup or teardown phase means the run cannot go on: the host
// exits with [ScriptError.ExitCode]. An error in an iteration fails that iteration only.
type ScriptError struct {
	File      string // script file as the user named it (relative paths stay relative), "" if unknown
	Line      int    // 1-based, 0 if unknown
	Column    int    // 1-based, 0 if unknown
	VU        int    // VU number (0 for the options, setup and teardown runtimes)
	Iteration int64  // iteration of the VU (0-based), -1 outside iterations
	Phase     Phase
	Message   string // e.g. "ReferenceError: foo is not defined"
	Stack     string // the JavaScript stack, one "at …" line per frame, source-mapped
	Err       error  // the underlying Go error, if the exception wraps one (context.Canceled …)
}

func (e *ScriptError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
			if e.Column > 0 {
				b.WriteByte(':')
				b.WriteString(strconv.Itoa(e.Column))
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	switch e.Phase {
	case PhaseIteration:
		fmt.Fprintf(&b, " (VU %d, iteration %d)", e.VU, e.Iteration)
	case PhaseCompile:
	case PhaseInit, PhaseVUSetup, PhaseVUTeardown:
		fmt.Fprintf(&b, " (VU %d, %s)", e.VU, e.Phase)
	default:
		fmt.Fprintf(&b, " (in %s)", e.Phase)
	}
	return b.String()
}

// Unwrap returns the Go error the exception carried, if any.
func (e *ScriptError) Unwrap() error { return e.Err }

// ExitCode is the process exit code for this error: [ExitScriptError].
func (e *ScriptError) ExitCode() int { return ExitScriptError }

// Fatal reports whether the error stops the run: errors in compile, options, init, setup and
// teardown do; an exception in an iteration, vuSetup or vuTeardown fails only that VU's work.
func (e *ScriptError) Fatal() bool {
	switch e.Phase {
	case PhaseIteration, PhaseVUSetup, PhaseVUTeardown:
		return false
	}
	return true
}

// scriptErrorFrom turns whatever goja returned into a *ScriptError located on the user's lines.
// Interruptions by a cancelled context come back as the context's error (the engine counts those
// as interrupted iterations, not failures).
func (v *vu) scriptErrorFrom(err error, phase Phase) error {
	if err == nil {
		return nil
	}
	var se *ScriptError
	if errors.As(err, &se) {
		return se
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if e, ok := ie.Value().(error); ok {
			return e
		}
		return context.Canceled
	}
	out := &ScriptError{VU: v.id, Iteration: -1, Phase: phase}
	if phase == PhaseIteration {
		out.Iteration = v.iter
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		out.Message = err.Error()
		out.Err = err
		return out
	}
	out.Message = exceptionMessage(ex)
	if inner := ex.Unwrap(); inner != nil {
		out.Err = inner
		var ise *ScriptError
		if errors.As(inner, &ise) { // re-thrown from a nested call, keep the first location
			return ise
		}
		if errors.Is(inner, context.Canceled) || errors.Is(inner, context.DeadlineExceeded) {
			if v.ctx != nil && v.ctx.Err() != nil {
				return inner
			}
		}
	}
	frames := ex.Stack()
	var sb strings.Builder
	for i := range frames {
		f := &frames[i]
		pos := f.Position()
		if pos.Filename == "" || f.SrcName() == "<native>" {
			continue
		}
		if out.File == "" {
			out.File, out.Line, out.Column = pos.Filename, pos.Line, pos.Column
		}
		sb.WriteString("\tat ")
		if n := f.FuncName(); n != "" && n != "<anonymous>" {
			sb.WriteString(n)
			sb.WriteString(" (")
			fmt.Fprintf(&sb, "%s:%d:%d)", pos.Filename, pos.Line, pos.Column)
		} else {
			fmt.Fprintf(&sb, "%s:%d:%d", pos.Filename, pos.Line, pos.Column)
		}
		sb.WriteByte('\n')
	}
	out.Stack = sb.String()
	return out
}

// exceptionMessage is "Name: message" for Error objects and the string value otherwise.
func exceptionMessage(ex *goja.Exception) string {
	val := ex.Value()
	if val == nil {
		return "exception"
	}
	if obj, ok := val.(*goja.Object); ok {
		if inner := ex.Unwrap(); inner != nil {
			// Errors raised by ctiload's own Go code read as plain Errors.
			return "Error: " + inner.Error()
		}
		name, msg := obj.Get("name"), obj.Get("message")
		if name != nil && msg != nil && !goja.IsUndefined(msg) {
			if m := msg.String(); m != "" {
				return name.String() + ": " + m
			}
			return name.String()
		}
	}
	return val.String()
}

// throw raises err as a JavaScript Error in the calling VU. Go errors become JS exceptions in this
// one helper (STYLE.md): scripts can catch them, and uncaught they carry the script position.
func (v *vu) throw(err error) {
	panic(v.rt.NewGoError(err))
}

// throwf raises a JavaScript Error with a formatted message.
func (v *vu) throwf(format string, args ...any) {
	panic(v.rt.NewGoError(fmt.Errorf(format, args...)))
}

// throwType raises a JavaScript TypeError: a wrong argument or option.
func (v *vu) throwType(format string, args ...any) {
	panic(v.rt.NewTypeError(fmt.Sprintf(format, args...)))
}
