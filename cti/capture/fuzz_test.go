package capture

import (
	"bytes"
	"runtime"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the capture reader: it must never panic, must end, and
// must stay within a memory bound proportional to its input whatever the file's lengths claim
// (pcap snap lengths, pcapng block and packet lengths, frame headers). The committed corpus in
// testdata/fuzz/FuzzReader holds small real shapes: pcap, pcapng, mid-stream, a gap.
func FuzzReader(f *testing.F) {
	up, down, reqs, replies := conversation(f)
	segs := append(handshake(), interleave(split(true, up, boundaries(reqs)[1:]...), split(false, down, boundaries(replies)[1:]...))...)
	f.Add(buildCapture(f, captureSpec{segs: segs}))
	f.Add(buildCapture(f, captureSpec{segs: segs, ng: true}))
	f.Add(buildCapture(f, captureSpec{segs: segs[3:], ipv6: true}))
	f.Fuzz(func(t *testing.T, in []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := NewReader(bytes.NewReader(in), Options{})
		if err != nil {
			return
		}
		frames := 0
		for {
			fr, err := r.Next()
			if err != nil {
				break
			}
			frames++
			if len(fr.Body) > 12500 {
				t.Fatalf("frame of %d bytes exceeds the maximum", len(fr.Body))
			}
			if frames > len(in) {
				t.Fatalf("%d frames from %d bytes", frames, len(in))
			}
		}
		runtime.ReadMemStats(&after)
		// A packet buffer, a frame buffer, the decoders: a few hundred KiB, plus what the frames
		// and connections found in the input take.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20+uint64(200*len(in)) {
			t.Fatalf("reading %d bytes allocated %d bytes", len(in), grew)
		}
	})
}
