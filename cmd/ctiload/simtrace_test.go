package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// `ctiload sim --trace FILE`: the frames the simulator reads and sends, in the NDJSON of
// `run --trace`, the password redacted, the file complete when the command returns.
func TestSimTrace(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	path := filepath.Join(t.TempDir(), "sim-trace.ndjson")
	cmd := newSimCmd()
	if err := cmd.ParseFlags([]string{"--listen", addr, "--trace", path, "--quiet", "--password", "s3cret"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stdout, stderr bytes.Buffer
	cmd.SetContext(ctx)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	go func() { done <- cmd.RunE(cmd, nil) }()

	var conn net.Conn
	for deadline := time.Now().Add(10 * time.Second); ; {
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the simulator does not listen on %s: %v (%s)", addr, err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fw, fr := cti.NewFrameWriter(conn, 0), cti.NewFrameReader(conn, 0)
	open := &cti.OpenReq{InvokeID: 1, VersionNumber: 24, IdleTimeout: 0xFFFFFFFF, PeripheralID: 0xFFFFFFFF,
		ServicesRequested: cti.CTIServiceAllEvents, ClientID: "recorder", ClientPassword: []byte("s3cret")}
	if _, err := fw.WriteMessage(open, cti.V24); err != nil {
		t.Fatal(err)
	}
	for _, want := range []cti.MsgType{cti.MsgOpenConf, cti.MsgSystemEvent} {
		m, err := fr.ReadMessage(cti.V24)
		if err != nil || m.MessageType() != want {
			t.Fatalf("read %v, %v; want %s", m, err, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("sim: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if strings.Contains(text, "s3cret") || strings.Contains(text, "73336372657400") {
		t.Errorf("the password is in the trace:\n%s", text)
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i, want := range []string{
		`"dir":"out","session":"sim1","addr":"` + conn.LocalAddr().String() + `","version":"UCCE v24","size":`,
		`"dir":"in","session":"sim1-recorder","addr":"`,
		`"dir":"in","session":"sim1-recorder","addr":"`,
	} {
		if i >= len(lines) || !strings.Contains(lines[i], want) {
			t.Fatalf("trace line %d lacks %s:\n%s", i+1, want, text)
		}
	}
	for i, name := range []string{"OPEN_REQ", "OPEN_CONF", "SYSTEM_EVENT"} {
		if !strings.Contains(lines[i], `"name":"`+name+`"`) {
			t.Errorf("trace line %d is not %s: %s", i+1, name, lines[i])
		}
	}
	if !strings.Contains(lines[0], `"ClientPassword":"[REDACTED]"`) {
		t.Errorf("OPEN_REQ's ClientPassword is not redacted: %s", lines[0])
	}
}
