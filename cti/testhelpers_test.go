package cti

import (
	"encoding/hex"
	"strings"
)

// hexDecodeSpaced decodes hex with spaces, newlines and "|" separators allowed.
func hexDecodeSpaced(s string) ([]byte, error) {
	r := strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "")
	return hex.DecodeString(r.Replace(s))
}
