package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/ctiload/ctiload/cti/capture"
	"github.com/ctiload/ctiload/jsapi/convert"
	"github.com/spf13/cobra"
)

func newConvertCmd() *cobra.Command {
	var (
		out     string
		timing  string
		clients []string
		agents  []string
		cf      captureFlags
	)
	cmd := &cobra.Command{
		Use:   "convert CAPTURE|TRACE -o repro.js",
		Short: "Turn a packet capture or a --trace file into a scenario that replays its clients and checks the replies",
		Long: `convert reads a packet capture (pcap or pcapng, as decode reads it) or a --trace file
(NDJSON, optionally gzipped; decode's output of a capture too) and writes a scenario that
reproduces the captured clients: one VU per client connection (or those chosen with --client
and --agent), opening its session as captured (mode, version, services, masks, agent ID and
devices), sending the same requests in the same order with the captured timing (--timing),
waiting for the events that arrived before each next request, and checking every reply against
the captured one: the same message type, and the same code for a FAILURE_CONF or
CONTROL_FAILURE_CONF.

Agent IDs, devices and the peripheral become defaults that -e variables or a CSV replace;
passwords are never copied (the script reads AGENT_PASSWORD and CTI_CLIENT_PASSWORD). The
header comment lists what was left out: heartbeats (the session sends its own), messages
without a known layout, calls that came from the network (they become waits, and
options.simulator places calls at the captured rate). A desktop that reconnects (to side B
after a fail-over) stays one VU, with the session's failover option. See
docs/reproducing-an-issue.md.

--timing exact keeps each request at its captured offset from its session's start (and each
client's start); compressed keeps the order but cuts every pause longer than a second to one;
none sends each request as soon as the previous step is done.`,
		Example: `  ctiload convert customer.pcapng -o repro.js
  ctiload convert --port 43027 --agent 5012 --timing compressed customer.pcap -o repro.js
  ctiload convert trace.ndjson.gz -o repro.js && ctiload run repro.js`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tm, err := convert.ParseTiming(timing)
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: fmt.Errorf("--timing: %w", err)}
			}
			o, err := cf.options(cmd.Flags().Changed("version"))
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			cs, notes, err := readConvertInput(args[0], o)
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			src, res, err := convert.Script(cs, notes, convert.Options{Source: displayName(args[0]), Timing: tm, Clients: clients, Agents: agents})
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(src)
			} else {
				err = os.WriteFile(out, src, 0o644)
			}
			if err != nil {
				return &exitError{code: exitEngineError, err: err}
			}
			dest := out
			if dest == "" || dest == "-" {
				dest = "standard output"
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "ctiload convert: wrote %s: %d client(s), %d requests, %d awaited events", dest, res.Clients, res.Requests, res.Waits)
			if n := len(res.LeftOut) + len(notes); n > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "; %d note(s) in its header", n)
			}
			fmt.Fprintln(cmd.ErrOrStderr())
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the scenario to `FILE` (default: standard output)")
	cmd.Flags().StringVar(&timing, "timing", "exact", "pacing of the requests: exact, compressed (pauses over 1s cut to 1s) or none")
	cmd.Flags().StringSliceVar(&clients, "client", nil, "convert only the connection of this client `ADDR` (ip:port, or :port), repeatable")
	cmd.Flags().StringSliceVar(&agents, "agent", nil, "convert only the connections opened for this agent `ID`, repeatable")
	addCaptureFlags(cmd, &cf)
	return cmd
}

// readConvertInput reads a capture, or a trace (gzipped or not).
func readConvertInput(path string, o capture.Options) ([]*convert.Client, []string, error) {
	in, err := openInput(path)
	if err != nil {
		return nil, nil, err
	}
	defer in.close()
	if in.isCapture() {
		cs, notes, err := convert.ReadCapture(in, o)
		if err != nil {
			if len(cs) == 0 {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			notes = append(notes, fmt.Sprintf("the capture file ends badly (%v): the script replays what came before", err))
		}
		return cs, notes, nil
	}
	if t := bytes.TrimSpace(in.head); len(t) > 0 && t[0] != '{' {
		return nil, nil, fmt.Errorf("%s: neither a capture (pcap, pcapng) nor a trace (NDJSON)", path)
	}
	cs, notes, err := convert.ReadTrace(in)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return cs, notes, nil
}

func displayName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
