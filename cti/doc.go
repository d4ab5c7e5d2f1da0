// Package cti is the codec of the Cisco CTI Server protocol (the "GED-188" protocol of Unified CCE
// and the CTI protocol of Unified CCX): framing, every data type, floating fields, the message
// catalog and the typed messages. It does no I/O policy of its own — no dialing, no timers, no
// goroutines —, as pgproto3 holds PostgreSQL's messages while pgconn holds the connection.
// The client session (dial, open, heartbeats, request/reply correlation, fail-over, trace) is
// package cti/client; the agent-desktop API on top of it is cti/agent; a server simulator is
// cti/sim.
//
// # Where things are
//
//   - framing: [FrameReader] (frame_reader.go), [FrameWriter] (frame_writer.go: the one writer of
//     the client session, the simulator and the tests; coalesces concurrent writes), [IdleReader]
//     (idle_reader.go: the read buffer of a connection that is mostly idle), errors.go
//   - the [Message] interface, [Decode], [RawMessage], [Invoker], [NoCopyDecoder]: message.go
//   - the catalog as data (layouts, tags, enums, groups) and its lookups: catalog.go, tags.go and
//     the generated catalog_gen.go, tags_gen.go, enums_gen.go, groups_gen.go
//   - typed messages, one file per group: msg_*_gen.go
//   - floating fields: floating.go; protocol versions: version.go
//   - messages as JSON and field maps (traces, `ctiload decode`): message.go; script values
//     converted to field values (SetField): convert.go
//
// # Frames
//
// A frame is an 8-byte header — UINT MessageLength (bytes after the header) and UINT MessageType,
// big-endian — followed by a fixed part whose size depends on the message type and the protocol
// version, then floating fields (tag, length, data). The floating-field tag and length are one byte
// each for UCCE protocol versions below 20 and Unified CCX 10–17, two bytes each from UCCE 20 (and
// UCCX 18): the width is a property of the negotiated [Version], passed to every Encode and Decode.
//
// # Buffers
//
// Encode appends a whole frame (header included) to the caller's slice and never keeps it. Decode
// copies what it keeps: decoded strings and byte slices never alias the input, so a decoded message
// may cross goroutines while the [FrameReader] reuses its buffer for the next frame. DecodeNoCopy
// ([NoCopyMessage], [NoCopyDecoder]: message.go) is the allocation-free alternative for code that
// keeps nothing: its strings alias the input and are valid only until the buffer is reused.
//
// # Catalog
//
// Message layouts, floating-field tags and enumerations are data (cti/catalog/*.txt); `go generate`
// turns them into the *_gen.go files. See cti/catalog/README.md.
package cti

//go:generate go run ./internal/gencatalog -in catalog -out . -docs ../docs/protocol
