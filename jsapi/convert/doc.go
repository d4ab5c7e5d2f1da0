// Package convert turns a packet capture or a --trace file into a scenario that replays the
// captured clients and checks every reply: `ctiload convert`. It knows the script API (it writes
// cti.connect, session.request, waitFor and check), hence its place under jsapi; it reads
// captures through cti/capture and traces through trace.go, its one dependency on the trace
// format.
//
//   - input.go: the common model (a Client's Msgs, fields as JSON in wire order) and ReadCapture;
//   - trace.go: ReadTrace, for --trace files and `ctiload decode` output;
//   - script.go: Script, the generator — steps per client (requests with their captured replies,
//     awaited events, close), call IDs carried from the event or reply that brought them,
//     identities and passwords parameterised, timing, options.simulator derived from the capture.
package convert
