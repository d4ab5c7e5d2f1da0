package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ctiload/ctiload/engine/executor"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError turns pflag's parse errors into one line saying what is wrong and what is wanted:
//
//	--vus: invalid value "abc": want a whole number
func flagError(cmd *cobra.Command, err error) error {
	var ive *pflag.InvalidValueError
	if errors.As(err, &ive) {
		f := ive.GetFlag()
		return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--%s: invalid value %q: %s", f.Name, ive.GetValue(), valueHint(f, ive.Unwrap()))}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var known []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) { known = append(known, f.Name) })
		if s := suggest(name, known); s != "" {
			return &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s: did you mean --%s? (see %s --help)", msg, s, cmd.CommandPath())}
		}
	}
	if strings.HasPrefix(msg, "unknown flag") || strings.HasPrefix(msg, "unknown shorthand flag") {
		msg += fmt.Sprintf(" (see %s --help)", cmd.CommandPath())
	}
	return &exitError{code: exitInvalidOptions, err: errors.New(msg)}
}

// valueHint says what a flag of f's type wants.
func valueHint(f *pflag.Flag, cause error) string {
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64":
		return "want a whole number"
	case "uint", "uint8", "uint16", "uint32", "uint64":
		return "want a whole number, 0 or more"
	case "uintSlice":
		return "want whole numbers, 0 or more, separated by commas"
	case "float64", "float32":
		return "want a number"
	case "bool":
		return "want true or false"
	case "duration":
		return "want a duration such as 30s, 1m30s or 500ms"
	}
	if cause == nil {
		return "invalid"
	}
	return cause.Error()
}

// setFromEnv sets f from an environment variable, with the same messages as a flag.
func setFromEnv(fs *pflag.FlagSet, f *pflag.Flag, envName, value string) error {
	if err := fs.Set(f.Name, value); err != nil {
		var cause error = err
		if ive := (*pflag.InvalidValueError)(nil); errors.As(err, &ive) {
			cause = ive.Unwrap()
		}
		return fmt.Errorf("%s: invalid value %q: %s", envName, value, valueHint(f, cause))
	}
	return nil
}

// durationValue is a flag holding a duration in the engine's syntax: "30s", "1m30s", or a
// number of milliseconds.
type durationValue struct{ d *executor.Duration }

func (v durationValue) String() string {
	if v.d == nil || *v.d == 0 {
		return ""
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	d, err := executor.ParseDuration(s)
	if err != nil || d < 0 {
		return errors.New("want a duration such as 30s, 1m30s or 500ms")
	}
	*v.d = executor.Duration(d)
	return nil
}

func (v durationValue) Type() string { return "duration" }
