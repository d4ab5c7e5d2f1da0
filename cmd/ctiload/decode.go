package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ctiload/ctiload/cti"
	"github.com/spf13/cobra"
)

func newDecodeCmd() *cobra.Command {
	var (
		rawFile string
		summary bool
		cf      captureFlags
	)
	cmd := &cobra.Command{
		Use:   "decode [FILE]",
		Short: "Decode CTI frames (a pcap/pcapng capture, hex or a raw byte stream) and print each message as JSON",
		Long: `decode reads CTI frames and prints each message as one JSON line: its type, name and every field.

A packet capture (tcpdump's pcap or Wireshark's pcapng, gzipped or not, recognised by its
first bytes) is read whole: every CTI frame of every TCP connection to the server port (--port,
42027 by default), in capture order, each line with the packet number, time, connection (conn, and the client's
address as session), direction (dir: out is client→server, in is server→client) and the
protocol version (from the connection's OPEN_REQ; --version for connections whose OPEN_REQ is
not in the capture). The lines have the keys of a --trace file, so convert reads them too.
TCP is reassembled: segments out of order or retransmitted, frames split or sharing segments;
a capture that starts mid-stream, or loses bytes, is resynchronised on the next plausible frame
header and the bytes skipped are reported on standard error. Passwords read [REDACTED].
--summary prints one block per connection instead: client ID, agent or bridge mode, agent and
instrument, version, message counts each way, failures by code, first and last time.

Hex input (FILE or standard input): one frame per line, or frames spread over several lines in
blocks separated by blank lines; spaces are ignored and lines starting with # are comments.
With --raw FILE the file is a binary stream of frames as captured from a TCP connection.

A malformed frame prints an error naming where it is and what is wrong, and decoding goes on with
the next frame (the next line, for hex input). The exit status is 1 if any frame failed.`,
		Example: `  ctiload decode capture.pcapng
  ctiload decode --summary capture.pcap
  ctiload decode --port 43027 --version 14 side-b.pcapng > side-b.ndjson
  ctiload decode --version 20 frames.hex
  echo 000000040000000502030405 | ctiload decode
  ctiload decode --raw capture.bin --version 14`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && rawFile == "" && isCaptureFile(args[0]) {
				o, err := cf.options(cmd.Flags().Changed("version"))
				if err != nil {
					return &exitError{code: exitInvalidOptions, err: err}
				}
				return decodeCapture(args[0], o, summary, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			for _, f := range []string{"summary", "port"} {
				if cmd.Flags().Changed(f) {
					return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--%s applies to a pcap or pcapng capture file only", f)}
				}
			}
			v, err := cti.ParseVersion(cf.version)
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			d := &decoder{v: v, out: cmd.OutOrStdout(), errw: cmd.ErrOrStderr()}
			if rawFile != "" {
				if len(args) > 0 {
					return &exitError{code: exitInvalidOptions, err: errors.New("give either --raw FILE or a hex FILE, not both")}
				}
				f, err := os.Open(rawFile)
				if err != nil {
					return &exitError{code: exitInvalidOptions, err: err}
				}
				defer f.Close()
				d.decodeStream(bufio.NewReader(f))
			} else {
				in := cmd.InOrStdin()
				if len(args) == 1 && args[0] != "-" {
					f, err := os.Open(args[0])
					if err != nil {
						return &exitError{code: exitInvalidOptions, err: err}
					}
					defer f.Close()
					in = f
				}
				if err := d.decodeHex(in); err != nil {
					return err
				}
			}
			if d.failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d frames could not be decoded", d.failed, d.failed+d.ok)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rawFile, "raw", "", "read a binary stream of frames from `FILE` instead of hex")
	cmd.Flags().BoolVar(&summary, "summary", false, "capture: print one block per connection (client, mode, version, message counts, failures, times) instead of every frame")
	addCaptureFlags(cmd, &cf)
	return cmd
}

type decoder struct {
	v          cti.Version
	out, errw  io.Writer
	ok, failed int
	// msgs decodes without copying: emit writes each message out before the next frame is read.
	msgs cti.NoCopyDecoder
}

func (d *decoder) fail(where string, err error) {
	d.failed++
	fmt.Fprintf(d.errw, "ctiload decode: %s: %v\n", where, err)
}

func (d *decoder) emit(m cti.Message, where string) {
	j, err := cti.MarshalMessageJSON(m, d.v)
	if err != nil {
		d.fail(where, err)
		return
	}
	d.ok++
	d.out.Write(j)
	d.out.Write([]byte{'\n'})
}

// decodeStream reads a raw stream. Framing errors end it (the stream cannot be resynchronised);
// a message that does not decode is reported and the next frame is read.
func (d *decoder) decodeStream(r io.Reader) {
	fr := cti.NewFrameReader(r, 0)
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			return
		}
		if err != nil {
			d.fail(fmt.Sprintf("byte offset %d", fr.Offset()), err)
			return
		}
		where := fmt.Sprintf("byte offset %d", f.Offset)
		m, err := d.msgs.Decode(f.Type, f.Body, d.v)
		if err != nil {
			d.fail(where, err)
			continue
		}
		d.emit(m, where)
	}
}

type hexLine struct {
	n     int // line number, 1-based
	bytes []byte
}

// decodeHex reads hex in blank-line separated blocks. A block is a stream of frames; after an
// error decoding restarts at the next line of the block, so one frame per line survives a bad line.
func (d *decoder) decodeHex(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var block []hexLine
	n := 0
	flush := func() {
		d.decodeBlock(block)
		block = block[:0]
	}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
			if line == "" {
				continue // a comment line does not end a block
			}
		}
		if line == "" {
			flush()
			continue
		}
		clean := strings.NewReplacer(" ", "", "\t", "", ":", "").Replace(line)
		b, err := hex.DecodeString(clean)
		if err != nil {
			flush()
			d.fail(fmt.Sprintf("line %d", n), fmt.Errorf("not hex: %v", err))
			continue
		}
		block = append(block, hexLine{n: n, bytes: b})
	}
	flush()
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	return nil
}

func (d *decoder) decodeBlock(lines []hexLine) {
	for start := 0; start < len(lines); {
		var buf []byte
		starts := make([]int, 0, len(lines)-start) // byte offset of each line within buf
		for _, l := range lines[start:] {
			starts = append(starts, len(buf))
			buf = append(buf, l.bytes...)
		}
		where := func(off int) (string, int) {
			li := lineAt(starts, off)
			return fmt.Sprintf("line %d, byte offset %d", lines[start+li].n, off-starts[li]), li
		}
		fr := cti.NewFrameReader(bytes.NewReader(buf), 0)
		for {
			frameStart := int(fr.Offset())
			f, err := fr.ReadFrame()
			if err == io.EOF {
				return
			}
			if err != nil {
				// Framing is lost: report, then resynchronise at the line after the one where the
				// broken frame began.
				w, li := where(frameStart)
				d.fail(w, err)
				start += li + 1
				break
			}
			w, _ := where(frameStart)
			m, err := d.msgs.Decode(f.Type, f.Body, d.v)
			if err != nil {
				d.fail(w, err) // the frame was complete: carry on after it
				continue
			}
			d.emit(m, w)
		}
	}
}

// lineAt returns the index of the line containing byte offset off.
func lineAt(starts []int, off int) int {
	i := 0
	for i+1 < len(starts) && starts[i+1] <= off {
		i++
	}
	return i
}
