package jsapi

import (
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/ctiload/ctiload/cti"
	"github.com/ctiload/ctiload/cti/agent"
	"github.com/dop251/goja"
)

// messageObject renders a decoded message as a plain-looking JS object: every field by protocol
// name (enumerations and masks as their symbols, numbers as numbers, raw bytes as hex, groups as
// arrays of objects), plus name and type (and receivedAt for events, when received is set).
//
// The object is a view: fields are converted on first access and cached, so a script that only
// reads r.ok, or two fields of an event, does not pay for the thirty others. Writes go to the
// view (scripts may annotate an event); JSON.stringify and Object.keys see every field.
func (v *vu) messageObject(m cti.Message, ver cti.Version) *goja.Object {
	return v.rt.NewDynamicObject(&msgView{v: v, m: m, ver: ver})
}

func (v *vu) eventView(m cti.Message, ver cti.Version, received int64) *goja.Object {
	return v.rt.NewDynamicObject(&msgView{v: v, m: m, ver: ver, received: received, isEvent: true})
}

type msgView struct {
	v        *vu
	m        cti.Message
	ver      cti.Version
	received int64
	isEvent  bool
	fields   []cti.FieldValue // nil until first needed
	vals     []goja.Value     // converted values, parallel to fields
	overlay  map[string]goja.Value
}

func (mv *msgView) load() {
	if mv.fields == nil {
		mv.fields = mv.m.Fields(mv.ver)
		if mv.fields == nil {
			mv.fields = []cti.FieldValue{}
		}
		mv.vals = make([]goja.Value, len(mv.fields))
	}
}

func (mv *msgView) Get(key string) goja.Value {
	if x, ok := mv.overlay[key]; ok {
		return x
	}
	switch key {
	case "name":
		return mv.v.rt.ToValue(mv.m.MessageType().String())
	case "type":
		return mv.v.rt.ToValue(int64(mv.m.MessageType()))
	case "receivedAt":
		if mv.isEvent {
			return mv.v.rt.ToValue(mv.received)
		}
	}
	mv.load()
	for i := range mv.fields {
		if mv.fields[i].Name == key {
			if mv.vals[i] == nil {
				mv.vals[i] = mv.v.fieldValue(mv.fields[i].Value)
			}
			return mv.vals[i]
		}
	}
	return nil
}

func (mv *msgView) Set(key string, val goja.Value) bool {
	if mv.overlay == nil {
		mv.overlay = make(map[string]goja.Value)
	}
	mv.overlay[key] = val
	return true
}

func (mv *msgView) Has(key string) bool { return mv.Get(key) != nil }

func (mv *msgView) Delete(key string) bool {
	mv.Set(key, nil)
	return true
}

func (mv *msgView) Keys() []string {
	mv.load()
	keys := make([]string, 0, len(mv.fields)+3+len(mv.overlay))
	keys = append(keys, "name", "type")
	if mv.isEvent {
		keys = append(keys, "receivedAt")
	}
	for _, f := range mv.fields {
		keys = append(keys, f.Name)
	}
	for k, x := range mv.overlay {
		if x != nil && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(mv.overlay) > 0 {
		keys = slices.DeleteFunc(keys, func(k string) bool { x, ok := mv.overlay[k]; return ok && x == nil })
	}
	return keys
}

func (v *vu) setFields(obj *goja.Object, fs []cti.FieldValue) {
	for _, f := range fs {
		_ = obj.Set(f.Name, v.fieldValue(f.Value))
	}
}

func (v *vu) fieldValue(x any) goja.Value {
	switch t := x.(type) {
	case cti.Symboler:
		if s := t.Symbol(); s != "" {
			return v.rt.ToValue(s)
		}
		return v.rt.ToValue(symbolerNumber(t))
	case string:
		return v.rt.ToValue(t)
	case uint8:
		return v.rt.ToValue(int64(t))
	case uint16:
		return v.rt.ToValue(int64(t))
	case uint32:
		return v.rt.ToValue(int64(t))
	case int32:
		return v.rt.ToValue(int64(t))
	case bool:
		return v.rt.ToValue(t)
	case []byte:
		return v.rt.ToValue(hex.EncodeToString(t))
	case []cti.NamedVariable:
		arr := make([]any, len(t))
		for i, nv := range t {
			o := v.rt.NewObject()
			_ = o.Set("name", nv.Name)
			_ = o.Set("value", nv.Value)
			arr[i] = o
		}
		return v.rt.NewArray(arr...)
	case []cti.NamedArray:
		arr := make([]any, len(t))
		for i, na := range t {
			o := v.rt.NewObject()
			_ = o.Set("index", int64(na.Index))
			_ = o.Set("name", na.Name)
			_ = o.Set("value", na.Value)
			arr[i] = o
		}
		return v.rt.NewArray(arr...)
	case []cti.Record:
		arr := make([]any, len(t))
		for i, r := range t {
			o := v.rt.NewObject()
			v.setFields(o, r)
			arr[i] = o
		}
		return v.rt.NewArray(arr...)
	}
	return v.rt.ToValue(x)
}

// symbolerNumber is the numeric value of an enumeration without a symbol.
func symbolerNumber(s cti.Symboler) int64 {
	rv := reflect.ValueOf(s)
	switch rv.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return int64(rv.Uint())
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		return rv.Int()
	}
	return 0
}

// exportField converts a JS value for cti.Message.SetField: numbers, strings, booleans, arrays
// and objects as Go values the codec understands.
func exportField(val goja.Value) any {
	x := val.Export()
	switch t := x.(type) {
	case int64:
		return float64(t)
	case map[string]any:
		return t
	}
	return x
}

// buildRequest builds request name from JS fields, checking that it is a request.
func buildRequest(method, name string, fields *goja.Object) (cti.Invoker, error) {
	t, ok := cti.LookupMsgType(name)
	if !ok {
		return nil, fmt.Errorf("%s: unknown CTI message %q%s", method, name, closeNames(name))
	}
	info, _ := cti.Info(t)
	m := cti.New(t)
	inv, isInvoker := m.(cti.Invoker)
	if strings.HasSuffix(info.Name, "_REQ") && info.Direction != cti.ServerToClient && !info.HasLayout {
		return nil, fmt.Errorf("%s: %s is a catalogued request, but its layout is not known to ctiload (the protocol reference does not give it), so it cannot be built from fields", method, info.Name)
	}
	if !strings.HasSuffix(info.Name, "_REQ") || !isInvoker || info.Direction == cti.ServerToClient {
		return nil, fmt.Errorf("%s: %s is not a request a client sends (want a …_REQ message, such as SET_AGENT_STATE_REQ)", method, info.Name)
	}
	if fields != nil {
		for _, k := range fields.Keys() {
			if k == "InvokeID" {
				continue // assigned by the session
			}
			if err := m.SetField(k, exportField(fields.Get(k))); err != nil {
				return nil, fmt.Errorf("%s: %w", method, err)
			}
		}
	}
	return inv, nil
}

// closeNames suggests catalogued message names near name.
func closeNames(name string) string {
	up := strings.ToUpper(strings.TrimSpace(name))
	type cand struct {
		n string
		d int
	}
	var cs []cand
	for _, info := range cti.Catalog() {
		d := editDistance(up, info.Name)
		if d <= max(3, len(up)/4) || (len(up) >= 4 && strings.Contains(info.Name, up)) {
			cs = append(cs, cand{info.Name, d})
		}
	}
	if len(cs) == 0 {
		return " (see cti/catalog/messages.txt for the catalogue)"
	}
	slices.SortFunc(cs, func(a, b cand) int { return a.d - b.d })
	if len(cs) > 5 {
		cs = cs[:5]
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.n
	}
	return " (did you mean " + strings.Join(names, ", ") + "?)"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// connFrom reads a call argument: an event (ConnectionCallID…), a confirmation
// (NewConnectionCallID…), a result object (its call or message) or {callId, deviceId, deviceIdType}.
func connFrom(val goja.Value) (agent.Call, bool) {
	obj, ok := val.(*goja.Object)
	if !ok || goja.IsNull(val) {
		return agent.Call{}, false
	}
	get := func(k string) goja.Value {
		x := obj.Get(k)
		if x == nil || goja.IsUndefined(x) {
			return nil
		}
		return x
	}
	for _, prefix := range []string{"Connection", "NewConnection"} {
		if id := get(prefix + "CallID"); id != nil {
			c := agent.Call{ID: uint32(id.ToInteger())}
			if dt := get(prefix + "DeviceIDType"); dt != nil {
				c.DeviceIDType = connType(dt)
			}
			if d := get(prefix + "DeviceID"); d != nil {
				c.DeviceID = d.String()
			}
			if p := get("PeripheralID"); p != nil {
				if n := p.ToInteger(); n > 0 && n < math.MaxUint32 {
					c.PeripheralID = uint32(n)
				}
			}
			return c, true
		}
	}
	for _, k := range []string{"call", "message"} {
		if inner := get(k); inner != nil {
			if c, ok := connFrom(inner); ok {
				return c, true
			}
		}
	}
	return agent.Call{}, false
}

func connType(val goja.Value) cti.ConnectionIDType {
	if s, ok := val.Export().(string); ok {
		if t, ok := cti.ParseConnectionIDType(s); ok {
			return t
		}
	}
	return cti.ConnectionIDType(val.ToInteger())
}

// connObject is the JS view of a connection: what helpers accept as a call.
func (v *vu) connObject(c agent.Call) *goja.Object {
	o := v.rt.NewObject()
	_ = o.Set("ConnectionCallID", int64(c.ID))
	_ = o.Set("ConnectionDeviceIDType", v.fieldValue(c.DeviceIDType))
	_ = o.Set("ConnectionDeviceID", c.DeviceID)
	return o
}
