package htmltest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Browser is a headless Chromium driven over the DevTools protocol (a websocket, spoken here
// with the standard library only): a test loads a page, evaluates expressions in it (the DOM
// after its scripts ran), waits for conditions, lists the requests the page made and takes
// screenshots. Start stops it at the end of the test.
type Browser struct {
	t    testing.TB
	ws   *wsConn
	mu   sync.Mutex
	next int64
	wait map[int64]chan cdpReply
	reqs []string
	errs []string // uncaught exceptions and console errors of the page
	done chan struct{}
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Offline are the flags that take the browser off the network: every request it would make
// goes to a proxy that does not exist (file:// and data: URLs still load).
var Offline = []string{"--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"}

// Start launches the browser with a w×h window and connects to its page; extra flags are added
// (Offline, say).
func Start(t testing.TB, bin string, w, h int, extra ...string) *Browser {
	t.Helper()
	profile := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
		"--remote-debugging-port=0", "--window-size=" + itoa(w) + "," + itoa(h)}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, "about:blank")...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	// Chromium writes the port it chose to DevToolsActivePort in the profile.
	var port string
	deadline := time.Now().Add(60 * time.Second)
	for port == "" {
		if b, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort")); err == nil {
			if p, _, ok := strings.Cut(string(b), "\n"); ok && p != "" {
				port = p
				break
			}
		}
		select {
		case <-exited:
			t.Fatalf("chromium exited before its DevTools port was known:\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium's DevTools port did not appear within a minute:\n%s", stderr.String())
		}
	}
	wsURL, err := pageTarget(port)
	if err != nil {
		t.Fatalf("chromium DevTools: %v", err)
	}
	ws, err := dialWS(wsURL)
	if err != nil {
		t.Fatalf("chromium DevTools websocket: %v", err)
	}
	b := &Browser{t: t, ws: ws, wait: map[int64]chan cdpReply{}, done: make(chan struct{})}
	go b.read()
	t.Cleanup(func() { ws.conn.Close(); <-b.done })
	for _, m := range []string{"Page.enable", "Network.enable", "Runtime.enable"} {
		b.call(m, nil)
	}
	return b
}

func pageTarget(port string) (string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err == nil {
			var targets []struct {
				Type string `json:"type"`
				WS   string `json:"webSocketDebuggerUrl"`
			}
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
			for _, tg := range targets {
				if tg.Type == "page" && tg.WS != "" {
					return tg.WS, nil
				}
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no page target on port %s (%v)", port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *Browser) read() {
	defer close(b.done)
	for {
		msg, err := b.ws.readMessage()
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.wait {
				close(ch)
				delete(b.wait, id)
			}
			b.mu.Unlock()
			return
		}
		var m struct {
			ID     int64           `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			cdpReply
		}
		if json.Unmarshal(msg, &m) != nil {
			continue
		}
		b.mu.Lock()
		switch {
		case m.ID != 0:
			if ch := b.wait[m.ID]; ch != nil {
				ch <- m.cdpReply
				delete(b.wait, m.ID)
			}
		case m.Method == "Network.requestWillBeSent":
			var p struct {
				Request struct {
					URL string `json:"url"`
				} `json:"request"`
			}
			json.Unmarshal(m.Params, &p)
			b.reqs = append(b.reqs, p.Request.URL)
		case m.Method == "Runtime.exceptionThrown":
			b.errs = append(b.errs, string(m.Params))
		}
		b.mu.Unlock()
	}
}

// call sends a DevTools command and returns its result; a protocol error fails the test.
func (b *Browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan cdpReply, 1)
	b.wait[id] = ch
	b.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err := b.ws.writeText(msg); err != nil {
		b.t.Fatalf("DevTools %s: %v", method, err)
	}
	select {
	case r, ok := <-ch:
		if !ok {
			b.t.Fatalf("DevTools %s: the browser went away", method)
		}
		if r.Error != nil {
			b.t.Fatalf("DevTools %s: %s", method, r.Error.Message)
		}
		return r.Result
	case <-time.After(60 * time.Second):
		b.t.Fatalf("DevTools %s: no answer within a minute", method)
	}
	return nil
}

// Navigate loads url and waits for its load event.
func (b *Browser) Navigate(u string) {
	b.t.Helper()
	b.call("Page.navigate", map[string]any{"url": u})
	b.WaitFor(`document.readyState === "complete"`, 60*time.Second)
}

// Eval evaluates a JavaScript expression in the page and decodes its value into out (nil
// to ignore it).
func (b *Browser) Eval(expr string, out any) {
	b.t.Helper()
	res := b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		b.t.Fatalf("Runtime.evaluate %q: %v", expr, err)
	}
	if r.Exception != nil {
		b.t.Fatalf("evaluating %q: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if out != nil && len(r.Result.Value) > 0 {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			b.t.Fatalf("evaluating %q: %v (value %s)", expr, err, r.Result.Value)
		}
	}
}

// WaitFor polls a JavaScript condition until it is true, failing the test after timeout.
func (b *Browser) WaitFor(cond string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		b.Eval("!!("+cond+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %v for %s; page errors: %v", timeout, cond, b.Errors())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Requests returns the URLs of every request the page made so far.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.reqs...)
}

// Errors returns the uncaught exceptions of the page's scripts.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errs...)
}

// ScreenshotTo writes a PNG of the whole page to path.
func (b *Browser) ScreenshotTo(path string) {
	b.t.Helper()
	res := b.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	var r struct {
		Data string `json:"data"`
	}
	json.Unmarshal(res, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil || len(png) == 0 {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// ArtifactDir is where tests keep screenshots: $CTILOAD_TEST_ARTIFACTS when set (CI keeps
// it), else a temporary folder of the test.
func ArtifactDir(t testing.TB) string {
	if d := os.Getenv("CTILOAD_TEST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return t.TempDir()
}

// wsConn is the client side of a websocket (RFC 6455), as much as the DevTools protocol needs:
// text messages, fragmented or not, pings answered.
type wsConn struct {
	conn net.Conn
	r    *bufio.Reader
	wmu  sync.Mutex
}

func dialWS(raw string) (*wsConn, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	conn, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 16)
	rand.Read(key)
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return nil, err
	}
	r := bufio.NewReaderSize(conn, 1<<16)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("websocket handshake: %s", resp.Status)
	}
	return &wsConn{conn: conn, r: r}, nil
}

func (c *wsConn) writeFrame(op byte, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	hdr := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n < 1<<16:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	mask := make([]byte, 4)
	rand.Read(mask)
	hdr = append(hdr, mask...)
	masked := make([]byte, len(payload))
	for i, x := range payload {
		masked[i] = x ^ mask[i%4]
	}
	_, err := c.conn.Write(append(hdr, masked...))
	return err
}

func (c *wsConn) writeText(p []byte) error { return c.writeFrame(0x1, p) }

// readMessage returns the next text or binary message, joining fragments.
func (c *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.r, h[:]); err != nil {
			return nil, err
		}
		fin, op := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(c.r, ext[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			if _, err := io.ReadFull(c.r, ext[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(ext[:])
		}
		var mask []byte
		if h[1]&0x80 != 0 {
			mask = make([]byte, 4)
			if _, err := io.ReadFull(c.r, mask); err != nil {
				return nil, err
			}
		}
		if n > 256<<20 {
			return nil, errors.New("websocket frame of " + strconv.FormatUint(n, 10) + " bytes")
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(c.r, p); err != nil {
			return nil, err
		}
		if mask != nil {
			for i := range p {
				p[i] ^= mask[i%4]
			}
		}
		switch op {
		case 0x8:
			return nil, io.EOF
		case 0x9:
			c.writeFrame(0xA, p)
			continue
		case 0xA:
			continue
		}
		msg = append(msg, p...)
		if fin {
			return msg, nil
		}
	}
}
