// Command ctiload runs JavaScript load and regression scenarios against a Cisco CTI Server
// (Unified CCE / Unified CCX) or against its own built-in simulator.
package main

import (
	"os"
)

func main() {
	applyMemoryPolicy()
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}
