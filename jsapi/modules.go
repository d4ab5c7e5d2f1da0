package jsapi

import (
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// moduleFactory builds one built-in module's exports for one VU runtime. It runs the first time
// the VU's script requires the module (after esbuild, `import … from 'ctiload/cti'` is a
// require): VUs pay only for the modules their script imports.
type moduleFactory struct {
	name string
	new  func(v *vu) goja.Value
}

// modules is the registry of built-in modules by import name. k6's names are aliases, so that a
// k6 user's `import { check, sleep } from 'k6'` works unchanged.
var modules = map[string]moduleFactory{}

func registerModule(name string, f func(v *vu) goja.Value, aliases ...string) {
	if _, dup := modules[name]; dup {
		panic("jsapi: module " + name + " registered twice")
	}
	m := moduleFactory{name: name, new: f}
	modules[name] = m
	for _, a := range aliases {
		modules[a] = m
	}
}

func init() {
	registerModule("ctiload", newCoreModule, "k6")
	registerModule("ctiload/cti", newCTIModule)
	registerModule("ctiload/metrics", newMetricsModule, "k6/metrics")
	registerModule("ctiload/data", newDataModule, "k6/data")
	registerModule("ctiload/summary", newSummaryModule)
	registerModule("ctiload/execution", newExecutionModule, "k6/execution")
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

// newModuleObject builds a module's exports object; esbuild's interop gives `import x from`
// the whole object as default, and named imports its properties.
func newModuleObject(v *vu, props map[string]any) *goja.Object {
	obj := v.rt.NewObject()
	for k, p := range props {
		_ = obj.Set(k, p)
	}
	return obj
}
