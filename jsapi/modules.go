package jsapi

import (
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// moduleFactory is one built-in module: its exports are a lazy object (lazy.go), made for a VU
// the first time its script requires the module (after esbuild, `import … from 'ctiload/cti'`
// is a require), each export on its first read: VUs pay only for the modules their script
// imports and the functions it uses.
type moduleFactory struct {
	name    string
	exports *lazyProps
}

func (f moduleFactory) new(v *vu) goja.Value { return f.exports.object(v, true) }

// modules is the registry of built-in modules by import name. k6's names are aliases, so that a
// k6 user's `import { check, sleep } from 'k6'` works unchanged.
var modules = map[string]moduleFactory{}

func registerModule(name string, exports *lazyProps, aliases ...string) {
	if _, dup := modules[name]; dup {
		panic("jsapi: module " + name + " registered twice")
	}
	m := moduleFactory{name: name, exports: exports}
	modules[name] = m
	for _, a := range aliases {
		modules[a] = m
	}
}

func init() {
	registerModule("ctiload", coreModule, "k6")
	registerModule("ctiload/cti", ctiModule)
	registerModule("ctiload/metrics", metricsModule, "k6/metrics")
	registerModule("ctiload/data", dataModule, "k6/data")
	registerModule("ctiload/summary", summaryModule)
	registerModule("ctiload/execution", executionModule, "k6/execution")
}

func lookupModule(name string) (moduleFactory, bool) {
	if strings.HasPrefix(name, k6SummaryLib) {
		name = "ctiload/summary"
	}
	m, ok := modules[name]
	return m, ok
}

// moduleNames lists the canonical module names, sorted.
func moduleNames() []string {
	var out []string
	for k, m := range modules {
		if k == m.name {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
