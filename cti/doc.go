// Package cti implements the Cisco CTI Server protocol (the "GED-188" protocol of Unified CCE and the
// CTI protocol of Unified CCX): framing, every data type, floating fields, the message catalog,
// typed messages, the client session (session.go and friends) and, in cti/sim, a server simulator.
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
// may cross goroutines while the [FrameReader] reuses its buffer for the next frame.
//
// # Catalog
//
// Message layouts, floating-field tags and enumerations are data (cti/catalog/*.txt); `go generate`
// turns them into the *_gen.go files. See cti/catalog/README.md.
package cti

//go:generate go run ./internal/gencatalog -in catalog -out . -docs ../docs/protocol
