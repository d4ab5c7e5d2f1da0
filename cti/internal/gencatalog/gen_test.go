package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
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

// TestGeneratedDocsAreCurrent does the same for the protocol reference pages that the catalog
// generates (docs/protocol/layouts.md, tags.md, enums.md).
func TestGeneratedDocsAreCurrent(t *testing.T) {
	c, err := loadCatalog("../../catalog")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := generateDocs(c, "../../catalog", out); err != nil {
		t.Fatal(err)
	}
	for _, name := range docFiles {
		want, _ := os.ReadFile(filepath.Join(out, name))
		got, err := os.ReadFile(filepath.Join("../../../docs/protocol", name))
		if err != nil {
			t.Fatalf("docs/protocol/%s is missing: run go generate ./cti", name)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/protocol/%s differs from what the catalog generates: run go generate ./cti", name)
		}
	}
}

func TestMessageNotesFollowTheirMessage(t *testing.T) {
	dir := t.TempDir()
	src := "# file header\n\n" +
		"message 1 A S>C\n# inside A\n  fixed X UINT\n# trailing A\n\n" +
		"# section before B\n\n" +
		"# right above B\nmessage 2 B S>C\n  raw\n"
	if err := os.WriteFile(filepath.Join(dir, "messages.txt"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	notes, err := messageNotes(filepath.Join(dir, "messages.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := notes[1]; got == nil || len(got.Section) != 0 || strings.Join(got.Lines, "|") != "inside A|trailing A" {
		t.Errorf("notes of A = %+v; want Lines [inside A, trailing A]", got)
	}
	if got := notes[2]; got == nil || strings.Join(got.Section, "|") != "section before B" || strings.Join(got.Lines, "|") != "right above B" {
		t.Errorf("notes of B = %+v; want Section [section before B], Lines [right above B]", got)
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
