// Package types holds the TypeScript declarations of the script API (ctiload.d.ts), embedded so
// that `ctiload types DIR` writes the ones that match the binary.
package types

import _ "embed"

// Declarations is ctiload.d.ts.
//
//go:embed ctiload.d.ts
var Declarations []byte
