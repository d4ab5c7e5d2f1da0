package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/cti"
)

func TestDecodeGoldenVectorFile(t *testing.T) {
	var out, errb bytes.Buffer
	code := execute([]string{"decode", "--version", "20", "../../cti/testdata/ucce-v20.txt"}, &out, &errb)
	if code != 0 {
		t.Fatalf("decode exit = %d; stderr:\n%s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 23 {
		t.Fatalf("decoded %d messages; the file has 23 frames", len(lines))
	}
	var first struct {
		Type   int            `json:"type"`
		Name   string         `json:"name"`
		Fields map[string]any `json:"fields"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Name != "FAILURE_CONF" || first.Fields["Status"] != "E_CTI_INVALID_MONITOR_STATUS" || first.Fields["InvokeID"] != float64(0x01020304) {
		t.Fatalf("first message = %+v; want FAILURE_CONF with its status by name", first)
	}
}

func TestDecodeReportsBadFramesAndGoesOn(t *testing.T) {
	in := strings.Join([]string{
		"000000040000000502030405",         // HEARTBEAT_REQ
		"0000000c00000001010203",           // truncated: announces 12 bytes, has 3
		"00000004000000050203040",          // odd hex digit count
		"00000008000000010102030400000061", // FAILURE_CONF
		"000000060000000a000000000000",     // CALL_ESTABLISHED_EVENT with a 6-byte fixed part (needs 50)
	}, "\n")
	var out, errb bytes.Buffer
	root := newRootCmd(&out, &errb)
	root.SetIn(strings.NewReader(in))
	root.SetArgs([]string{"decode", "--version", "24"})
	err := root.Execute()
	if err == nil {
		t.Fatal("decode of bad frames succeeded; want exit status 1")
	}
	if got := strings.Count(out.String(), "\n"); got != 2 {
		t.Fatalf("decoded %d messages; want the 2 good ones:\n%s", got, out.String())
	}
	for _, want := range []string{"line 2, byte offset 0: cti: truncated FAILURE_CONF", "line 3: not hex", "line 5, byte offset 0: cti: CALL_ESTABLISHED_EVENT: offset 14: fixed part needs 50 bytes"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

func TestDecodeRawStream(t *testing.T) {
	var stream []byte
	stream, _ = (&cti.HeartbeatReq{InvokeID: 9}).Encode(stream, cti.V14)
	stream, _ = (&cti.OpenReq{InvokeID: 1, VersionNumber: 14, ClientID: "x"}).Encode(stream, cti.V14)
	stream = append(stream, 0x80, 0, 0, 0, 0, 0, 0, 5) // 2^31 length
	path := filepath.Join(t.TempDir(), "capture.bin")
	if err := os.WriteFile(path, stream, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := execute([]string{"decode", "--raw", path, "--version", "14"}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit = %d; want 1 for the oversize frame", code)
	}
	if !strings.Contains(out.String(), `"ClientID":"x"`) || strings.Count(out.String(), "\n") != 2 {
		t.Fatalf("stdout = %s; want HEARTBEAT_REQ and OPEN_REQ", out.String())
	}
	if !strings.Contains(errb.String(), "frame too large") {
		t.Fatalf("stderr = %s; want the oversize frame named", errb.String())
	}
}
