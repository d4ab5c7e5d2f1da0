package cti

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a negotiated protocol version: the VersionNumber of OPEN_REQ, plus the [UCCX] flag for
// a Unified CCX server. The version decides the floating-field width and which fixed-part fields a
// message carries, so it belongs to a session, never to the process.
type Version uint32

// UCCX marks a Unified CCX protocol version: UCCX|14 is Unified CCX protocol version 14.
const UCCX Version = 1 << 31

// Commonly used versions.
const (
	V13 Version = 13
	V14 Version = 14
	V15 Version = 15
	V20 Version = 20
	V24 Version = 24
	V25 Version = 25
)

// DefaultVersion is the protocol version ctiload speaks when none is configured (UCCE 12.6, v24).
const DefaultVersion = V24

// Number is the VersionNumber sent in OPEN_REQ.
func (v Version) Number() uint32 { return uint32(v &^ UCCX) }

// IsUCCX reports whether v is a Unified CCX protocol version.
func (v Version) IsUCCX() bool { return v&UCCX != 0 }

// WideFields reports whether floating fields use a 2-byte tag and 2-byte length.
// docs/protocol/framing.md, floating fields: UCCE ≥ 20 uses 2/2, UCCE < 20 and UCCX 10–17 use 1/1; UCCX 18 shows a
// SHORT tag, and its length width is uncertain (U) — ctiload follows UCCE 20 and uses 2/2.
func (v Version) WideFields() bool {
	if v.IsUCCX() {
		return v.Number() >= 18
	}
	return v.Number() >= 20
}

// has reports whether a UCCE fixed-part field introduced in protocol version since is present.
// Unified CCX keeps the older (shorter) UCCE shapes.
func (v Version) has(since uint32) bool { return !v.IsUCCX() && v.Number() >= since }

func (v Version) String() string {
	if v.IsUCCX() {
		return "UCCX v" + strconv.FormatUint(uint64(v.Number()), 10)
	}
	return "UCCE v" + strconv.FormatUint(uint64(v.Number()), 10)
}

// ParseVersion accepts "24", "ucce24", "ucce:24", "uccx14", "ccx:14" (case-insensitive).
func ParseVersion(s string) (Version, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	var ccx bool
	for _, p := range []string{"uccx", "ccx", "ucce", "cce", "v"} {
		if strings.HasPrefix(t, p) {
			ccx = strings.HasSuffix(p, "ccx")
			t = strings.TrimLeft(t[len(p):], ":v ")
			break
		}
	}
	n, err := strconv.ParseUint(t, 10, 31)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("invalid protocol version %q: want a number such as 24, or uccx:14", s)
	}
	v := Version(n)
	if ccx {
		v |= UCCX
	}
	return v, nil
}
