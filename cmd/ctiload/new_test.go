package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctiload/ctiload/types"
)

// TestNewScenariosRun writes each flow's starter and runs it, shortened, against the built-in
// simulator: a starter that does not run as written is worse than none.
func TestNewScenariosRun(t *testing.T) {
	if len(flowNames()) != 3 {
		t.Fatalf("flows %v; want agent, bridge, login-storm", flowNames())
	}
	dir := t.TempDir()
	for _, flow := range flowNames() {
		t.Run(flow, func(t *testing.T) {
			path := filepath.Join(dir, flow+".js")
			r := runCLI(t, nil, "new", "--flow", flow, path)
			r.want(t, 0)
			contains(t, "stdout", r.stdout, "ctiload run "+path)
			r = runCLI(t, nil, "run", "-q", path)
			r.want(t, 0)
			contains(t, "stdout", r.stdout, "✓ PASSED")
		})
	}
	// No overwrite without --force; an unknown flow is named with the nearest.
	r := runCLI(t, nil, "new", filepath.Join(dir, "agent.js"))
	r.want(t, 104)
	contains(t, "stderr", r.stderr, "already exists")
	r = runCLI(t, nil, "new", "--flow", "brige", filepath.Join(dir, "x.js"))
	r.want(t, 104)
	contains(t, "stderr", r.stderr, `unknown flow "brige" (did you mean "bridge"?)`)
}

func TestTypesWritesTheDeclarations(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub")
	runCLI(t, nil, "types", dir).want(t, 0)
	got, err := os.ReadFile(filepath.Join(dir, "ctiload.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "types", "ctiload.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || !bytes.Equal(types.Declarations, want) {
		t.Error("ctiload types wrote something else than types/ctiload.d.ts")
	}
}
