package jsapi

import (
	"maps"
	"slices"

	"github.com/dop251/goja"
)

// A goja function object costs 600–800 bytes and belongs to one runtime, so functions built up
// front are paid by every VU whether its script calls them or not: the ctiload module's seven,
// console's five, a session's 26 methods. Objects made of such functions are lazy instead: a
// process-wide table says how to make each property, and each VU's object (a goja.DynamicObject)
// makes a property on its first read and keeps it (or keeps it from its second read:
// keepFromSecondRead). This is the one home of that pattern: the built-in modules (modules.go),
// console, the session method table (cti_session.go) and the script's globals (vu.go: an object
// between the global object and Object.prototype) all use it, and ctiload/execution's read-only
// views (execution.go) use its live form.

// lazyProps is the process-wide table of a lazy object: what each property is made from.
type lazyProps struct {
	names []string // sorted: what Object.keys and for…in list
	make  map[string]func(v *vu) any
	live  map[string]bool // made on every read, never kept (a value that changes: __ITER)
	// keepFromSecondRead: a property is kept from its second read on; its first read gets
	// one made for that read only. For a table of functions a script often reads once per
	// VU (a session's login, setState, stats, close: an idle agent calls each once), which
	// would otherwise stay made for the VU's life; a function read again is read in a loop,
	// and is kept.
	keepFromSecondRead bool
}

func newLazyProps(make map[string]func(v *vu) any) *lazyProps {
	return &lazyProps{names: slices.Sorted(maps.Keys(make)), make: make}
}

// newLiveProps is a table whose every property is live: made from the VU on each read, for an
// object (read-only, object(v, false)) that shows values that change.
func newLiveProps(props map[string]func(v *vu) any) *lazyProps {
	p := newLazyProps(props)
	p.live = make(map[string]bool, len(props))
	for name := range props {
		p.live[name] = true
	}
	return p
}

// object returns a new lazy object of v over the table. A writable object behaves as an
// ordinary one when the script assigns or deletes properties (a module object); a read-only one
// refuses (a prototype's method table: assignments through a session land on the session).
func (p *lazyProps) object(v *vu, writable bool) *goja.Object {
	return v.rt.NewDynamicObject(&lazyObject{v: v, p: p, writable: writable})
}

// lazyObject is one VU's object over a lazyProps table.
type lazyObject struct {
	v        *vu
	p        *lazyProps
	vals     map[string]goja.Value // made, or assigned by the script
	gone     map[string]bool       // table names the script deleted
	extra    []string              // names the script added, in assignment order
	readOnce uint64                // keepFromSecondRead: bit i, p.names[i] was read once
	writable bool
}

func (o *lazyObject) Get(key string) goja.Value {
	if val, ok := o.vals[key]; ok {
		return val
	}
	mk, ok := o.p.make[key]
	if !ok || o.gone[key] {
		return nil
	}
	val := o.v.rt.ToValue(mk(o.v))
	if o.p.live[key] || o.firstRead(key) {
		return val
	}
	if o.vals == nil {
		o.vals = make(map[string]goja.Value, 4)
	}
	o.vals[key] = val
	return val
}

// firstRead reports whether this is the first read of table name key of a keepFromSecondRead
// table, and remembers it (only the first 64 names are told apart; the others are kept at once).
func (o *lazyObject) firstRead(key string) bool {
	if !o.p.keepFromSecondRead {
		return false
	}
	i, _ := slices.BinarySearch(o.p.names, key)
	if i >= 64 || o.readOnce&(1<<i) != 0 {
		return false
	}
	o.readOnce |= 1 << i
	return true
}

func (o *lazyObject) Has(key string) bool {
	if _, ok := o.vals[key]; ok {
		return true
	}
	_, ok := o.p.make[key]
	return ok && !o.gone[key]
}

func (o *lazyObject) Set(key string, val goja.Value) bool {
	if !o.writable {
		return false
	}
	if !o.Has(key) {
		if _, inTable := o.p.make[key]; !inTable {
			o.extra = append(o.extra, key)
		}
		delete(o.gone, key)
	}
	if o.vals == nil {
		o.vals = make(map[string]goja.Value, 4)
	}
	o.vals[key] = val
	return true
}

func (o *lazyObject) Delete(key string) bool {
	if !o.Has(key) {
		return true
	}
	if !o.writable {
		return false
	}
	delete(o.vals, key)
	if _, inTable := o.p.make[key]; inTable {
		if o.gone == nil {
			o.gone = make(map[string]bool)
		}
		o.gone[key] = true
	} else {
		o.extra = slices.DeleteFunc(o.extra, func(k string) bool { return k == key })
	}
	return true
}

func (o *lazyObject) Keys() []string {
	if len(o.gone) == 0 && len(o.extra) == 0 {
		return o.p.names
	}
	keys := make([]string, 0, len(o.p.names)+len(o.extra))
	for _, k := range o.p.names {
		if !o.gone[k] {
			keys = append(keys, k)
		}
	}
	return append(keys, o.extra...)
}
