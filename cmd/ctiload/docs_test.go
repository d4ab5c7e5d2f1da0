package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCLIDocsUpToDate keeps docs/cli.md equal to what "ctiload docs" writes from the commands:
// a new command or flag, or a changed help text, fails here until the reference is regenerated.
func TestCLIDocsUpToDate(t *testing.T) {
	var want bytes.Buffer
	if err := writeCLIDoc(&want, newRootCmd(io.Discard, io.Discard)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", cliDocFile)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: generate it with `go run ./cmd/ctiload docs --out docs`", err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("docs/%s is out of date with the commands: regenerate it with `go run ./cmd/ctiload docs --out docs`\n%s",
			cliDocFile, firstDifference(string(got), want.String()))
	}
}

// firstDifference shows the first line where the committed file and the generated one differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n  committed: " + gl + "\n  generated: " + wl
		}
	}
	return ""
}

// TestDocsCommand runs the hidden command of the built binary: it writes DIR/cli.md, the same
// reference as the in-process generator, lists every visible command and stays out of --help.
func TestDocsCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(ctiloadBin, "docs", "--out", dir)
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ctiload docs: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, cliDocFile))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := writeCLIDoc(&want, newRootCmd(io.Discard, io.Discard)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("ctiload docs wrote something else than writeCLIDoc:\n%s", firstDifference(string(got), want.String()))
	}
	for _, c := range []string{"run", "sim", "inspect", "report", "merge", "cluster render", "decode", "version"} {
		if !strings.Contains(string(got), "\n## ctiload "+c+"\n") {
			t.Errorf("cli.md has no section for ctiload %s", c)
		}
	}
	for _, flag := range []string{"--target host:port[,host:port]", "--sim-call-rate RATE", "--summary-export FILE"} {
		if !strings.Contains(string(got), flag) {
			t.Errorf("cli.md lacks the flag %q", flag)
		}
	}
	if strings.Contains(string(got), "## ctiload docs") {
		t.Error("cli.md documents the hidden docs command")
	}
	help := exec.Command(ctiloadBin, "--help")
	help.Env = cleanEnv()
	out, err := help.CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "docs") {
		t.Errorf("ctiload --help lists the hidden docs command:\n%s", out)
	}
}
