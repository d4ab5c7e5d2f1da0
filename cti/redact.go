package cti

import "strings"

// Redacted replaces secrets in decoded messages shown to a person (traces, capture decoding,
// generated scripts).
const Redacted = "[REDACTED]"

// Redact overwrites every non-empty top-level field named …Password with [Redacted]. It lives
// with the codec so that everything that shows decoded messages — the client's trace, capture
// decoding, generated scripts — hides the same fields. (No catalogued group element carries a
// password; if one ever does, this is where to extend.)
func Redact(m Message, v Version) {
	for _, f := range m.Fields(v) {
		if !strings.HasSuffix(f.Name, "Password") {
			continue
		}
		switch x := f.Value.(type) {
		case string:
			if x == "" {
				continue
			}
		case []byte:
			if len(x) == 0 {
				continue
			}
		}
		_ = m.SetField(f.Name, Redacted)
	}
}
