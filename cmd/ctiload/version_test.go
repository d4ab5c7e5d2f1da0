package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestVersionCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := execute([]string{"version"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("execute(version) = %d; want %d (stderr %q)", code, exitOK, errb.String())
	}
	if !strings.HasPrefix(out.String(), "ctiload ") {
		t.Fatalf("version output = %q; want it to start with \"ctiload \"", out.String())
	}
}

func TestUnknownCommandIsInvalidOptions(t *testing.T) {
	var out, errb bytes.Buffer
	code := execute([]string{"no-such-command"}, &out, &errb)
	if code != exitInvalidOptions {
		t.Fatalf("execute(no-such-command) = %d; want %d", code, exitInvalidOptions)
	}
	if !strings.Contains(errb.String(), "no-such-command") {
		t.Fatalf("stderr = %q; want it to name the unknown command", errb.String())
	}
}
