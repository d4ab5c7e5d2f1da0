package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// cliDocFile is the name of the command-line reference "ctiload docs" writes.
const cliDocFile = "cli.md"

// newDocsCmd is the hidden "ctiload docs" command: it writes the command-line reference
// (docs/cli.md) from the cobra commands themselves, so that the reference says what the binary
// does. TestCLIDocsUpToDate fails when the committed file differs from what it would write.
func newDocsCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:    "docs",
		Short:  "Write the command-line reference as Markdown (docs/cli.md)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var b bytes.Buffer
			if err := writeCLIDoc(&b, cmd.Root()); err != nil {
				return err
			}
			if out == "" {
				_, err := cmd.OutOrStdout().Write(b.Bytes())
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--out: %v", unwrapPathError(err))}
			}
			path := filepath.Join(out, cliDocFile)
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--out: %v", unwrapPathError(err))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write `DIR`/"+cliDocFile+" (default: standard output)")
	return cmd
}

// writeCLIDoc writes the reference of root and of every visible command under it, in the order
// "ctiload --help" lists them.
func writeCLIDoc(w io.Writer, root *cobra.Command) error {
	var b strings.Builder
	b.WriteString("# ctiload command line\n\n")
	b.WriteString("<!-- Generated from the commands by `go run ./cmd/ctiload docs --out docs`: do not edit by hand.\n")
	b.WriteString("     TestCLIDocsUpToDate fails when this file and the commands differ. -->\n\n")
	b.WriteString("This is the reference of every command and flag, as `ctiload COMMAND --help` prints it. The\n")
	b.WriteString("script API is in [script-api.md](script-api.md), the built-in simulator in\n")
	b.WriteString("[simulator.md](simulator.md).\n\n")
	cmds := visibleCommands(root)
	for _, c := range cmds {
		fmt.Fprintf(&b, "- [`%s`](#%s) — %s\n", c.CommandPath(), anchor(c.CommandPath()), c.Short)
	}
	b.WriteString("\n")
	for _, c := range append([]*cobra.Command{root}, cmds...) {
		writeCommandDoc(&b, c)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// visibleCommands lists the commands under c, depth first, without hidden ones and cobra's own
// help and completion commands.
func visibleCommands(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" || !sub.IsAvailableCommand() {
			continue
		}
		out = append(out, sub)
		out = append(out, visibleCommands(sub)...)
	}
	return out
}

// anchor is the GitHub heading anchor of "## path".
func anchor(path string) string {
	return strings.ReplaceAll(strings.ToLower(path), " ", "-")
}

func writeCommandDoc(b *strings.Builder, c *cobra.Command) {
	fmt.Fprintf(b, "## %s\n\n", c.CommandPath())
	fmt.Fprintf(b, "%s.\n\n", strings.TrimSuffix(c.Short, "."))
	if c.Long != "" {
		fmt.Fprintf(b, "```text\n%s\n```\n\n", strings.TrimRight(c.Long, "\n"))
	}
	use := c.UseLine()
	if !c.Runnable() && c.HasAvailableSubCommands() {
		use += " COMMAND"
	}
	fmt.Fprintf(b, "Usage:\n\n```sh\n%s\n```\n\n", use)
	if c.Example != "" {
		fmt.Fprintf(b, "Examples:\n\n```sh\n%s\n```\n\n", strings.TrimRight(dedent(c.Example), "\n"))
	}
	// The flags, in two groups when the command also shapes the built-in simulator (--sim-*).
	own, simFS := pflag.NewFlagSet("", pflag.ContinueOnError), pflag.NewFlagSet("", pflag.ContinueOnError)
	own.SortFlags, simFS.SortFlags = c.LocalFlags().SortFlags, c.LocalFlags().SortFlags
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		if strings.HasPrefix(f.Name, "sim-") {
			simFS.AddFlag(f)
		} else {
			own.AddFlag(f)
		}
	})
	if own.HasAvailableFlags() {
		fmt.Fprintf(b, "Flags:\n\n```text\n%s```\n\n", own.FlagUsagesWrapped(0))
	}
	if simFS.HasAvailableFlags() {
		fmt.Fprintf(b, "Built-in simulator flags (used when there is no `--target`; a script sets the same in\n"+
			"`options.simulator`, by the flag name without `sim-`, in camelCase: `--sim-call-rate` is `callRate`):\n\n"+
			"```text\n%s```\n\n", simFS.FlagUsagesWrapped(0))
	}
}

// dedent removes the indentation every non-empty line of s shares.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if common < 0 || n < common {
			common = n
		}
	}
	if common <= 0 {
		return s
	}
	for i, l := range lines {
		if len(l) >= common {
			lines[i] = l[common:]
		}
	}
	return strings.Join(lines, "\n")
}
