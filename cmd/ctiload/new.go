package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ctiload/ctiload/types"
	"github.com/spf13/cobra"
)

// templates are the starter scenarios of ctiload new, one per flow; each runs as written against
// the built-in simulator (TestNewScenariosRun).
//
//go:embed templates/*.js
var templates embed.FS

func flowNames() []string {
	entries, _ := fs.ReadDir(templates, "templates")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".js"))
	}
	slices.Sort(out)
	return out
}

func newNewCmd() *cobra.Command {
	var flow string
	var force bool
	cmd := &cobra.Command{
		Use:   "new [FILE]",
		Short: "Write a commented starter scenario (default script.js)",
		Long: `new writes a starter scenario, commented, that runs as it is against the built-in simulator:
  agent        agent desktops log in, go ready, answer calls, release, log out (default)
  bridge       a bridge-mode monitor counts every event while agents take calls
  login-storm  agents log in at a rising rate, as when a shift starts
An existing file is not overwritten unless --force is given.`,
		Example: `  ctiload new
  ctiload new --flow login-storm storm.js && ctiload run storm.js`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "script.js"
			if len(args) == 1 {
				path = args[0]
			}
			b, err := templates.ReadFile("templates/" + flow + ".js")
			if err != nil {
				hint := ""
				if s := suggest(flow, flowNames()); s != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", s)
				}
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--flow: unknown flow %q%s: want one of %s", flow, hint, strings.Join(flowNames(), ", "))}
			}
			mode := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				mode = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(path, mode, 0o644)
			if errors.Is(err, fs.ErrExist) {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("%s already exists: give another name, or --force to overwrite it", path)}
			}
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot write %q: %v", path, unwrapPathError(err))}
			}
			if _, err := f.Write(b); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%s flow): run it with\n  ctiload run %s\n", path, flow, path)
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	cmd.Flags().StringVar(&flow, "flow", "agent", "the starter's `FLOW`: agent, bridge or login-storm")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite FILE if it exists")
	return cmd
}

func newTypesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "types DIR",
		Short: "Write the TypeScript declarations of the script API (ctiload.d.ts) into DIR",
		Long: `types writes ctiload.d.ts, the declarations of the modules a script imports, as this binary
implements them, into DIR (created if needed). Editors then complete and check scripts: add a
jsconfig.json or tsconfig.json that includes it, or a "/// <reference path=…>" line.`,
		Example: `  ctiload types .
  ctiload types types/`,
		Args: exactArgs(1, "a folder: ctiload types DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot create %q: %v", args[0], unwrapPathError(err))}
			}
			path := filepath.Join(args[0], "ctiload.d.ts")
			if err := os.WriteFile(path, types.Declarations, 0o644); err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("cannot write %q: %v", path, unwrapPathError(err))}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", path)
			return nil
		},
	}
}
