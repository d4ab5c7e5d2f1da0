package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreCurrent fails when cti/catalog/*.txt was edited without `go generate
// ./cti`, or a generated file was edited by hand: the committed *_gen.go files must be exactly
// what the generator writes from the committed catalog.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	out := t.TempDir()
	if err := generate("../../catalog", out); err != nil {
		t.Fatal(err)
	}
	gen, _ := filepath.Glob(filepath.Join(out, "*_gen.go"))
	committed, _ := filepath.Glob("../../*_gen.go")
	if len(gen) == 0 || len(gen) != len(committed) {
		t.Fatalf("generator wrote %d files; cti/ has %d *_gen.go files", len(gen), len(committed))
	}
	for _, g := range gen {
		want, _ := os.ReadFile(g)
		got, err := os.ReadFile(filepath.Join("../..", filepath.Base(g)))
		if err != nil {
			t.Fatalf("cti/%s is missing: run go generate ./cti", filepath.Base(g))
		}
		if !bytes.Equal(got, want) {
			t.Errorf("cti/%s differs from what the catalog generates: run go generate ./cti", filepath.Base(g))
		}
	}
}

func TestCamel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CALL_DELIVERED_EVENT", "CallDeliveredEvent"},
		{"E_CTI_NO_ERROR", "ECTINoError"},
		{"SEND_DTMF_SIGNAL_REQ", "SendDTMFSignalReq"},
		{"DEVID_AGENT_DEVICE", "DevIDAgentDevice"},
		{"SIEMENS_9006", "Siemens9006"},
		{"9006", "X9006"},
	}
	for _, tt := range tests {
		if got := camel(tt.in); got != tt.want {
			t.Errorf("camel(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
