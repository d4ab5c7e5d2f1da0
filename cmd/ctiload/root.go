package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code out of a cobra command; execute turns it into the status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "ctiload",
		Short:         "Load tester and automation runner for the Cisco CTI Server protocol",
		Long:          "ctiload runs JavaScript scenarios as many concurrent virtual CTI clients against a Cisco CTI Server\n(Unified CCE or Unified CCX) or against its built-in simulator, and reports latency, failure codes and a verdict.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newVersionCmd())
	root.AddCommand(newSimCmd())
	root.AddCommand(newDecodeCmd())
	root.AddCommand(newConvertCmd())
	root.AddCommand(newRunCmd())
	root.AddCommand(newInspectCmd())
	root.AddCommand(newReportCmd())
	root.AddCommand(newMergeCmd())
	root.AddCommand(newClusterCmd())
	root.AddCommand(newDocsCmd())
	root.AddCommand(newNewCmd())
	root.AddCommand(newTypesCmd())
	return root
}

// execute runs the CLI and returns the process exit code.
func execute(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "ctiload:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "ctiload:", err)
	return exitInvalidOptions
}
