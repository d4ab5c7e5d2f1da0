package capture

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkReader reads a capture of one desktop conversation repeated 200 times on one
// connection (1,200 frames each way, some split across segments): the cost per capture byte of
// reading, reassembling and framing. Run with `make bench`.
func BenchmarkReader(b *testing.B) {
	up, down, reqs, replies := conversation(b)
	var ups, downs []byte
	for i := 0; i < 200; i++ {
		ups = append(ups, up...)
		downs = append(downs, down...)
	}
	var cutsUp, cutsDown []int
	for off := 0; off < len(ups); off += 700 {
		cutsUp = append(cutsUp, off)
	}
	for off := 0; off < len(downs); off += 1400 {
		cutsDown = append(cutsDown, off)
	}
	segs := append(handshake(), interleave(split(true, ups, cutsUp[1:]...), split(false, downs, cutsDown[1:]...))...)
	file := buildCapture(b, captureSpec{segs: segs})
	want := 200 * (len(reqs) + len(replies))
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := NewReader(bytes.NewReader(file), Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != want {
			b.Fatalf("%d frames, want %d", n, want)
		}
	}
}
