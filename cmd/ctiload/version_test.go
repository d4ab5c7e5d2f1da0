package main

import (
	"bytes"
	"runtime/debug"
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

func TestDescribeVersionFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.4.1"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	got := describeVersion("", bi)
	if !strings.HasPrefix(got, "ctiload v0.4.1 (revision 0123456789ab, modified, go") {
		t.Errorf("describeVersion = %q", got)
	}
	if got := describeVersion("v9", bi); !strings.HasPrefix(got, "ctiload v9 (") {
		t.Errorf("-ldflags version not first: %q", got)
	}
	if got := describeVersion("", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}); !strings.HasPrefix(got, "ctiload devel (go") {
		t.Errorf("describeVersion without a version = %q", got)
	}
}
