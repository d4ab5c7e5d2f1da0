package jsapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/dop251/goja"
)

// The `ctiload/data` module: SharedArray and csv.
var dataModule = newLazyProps(map[string]func(v *vu) any{
	"SharedArray": func(v *vu) any { return v.sharedArrayConstructor },
	"csv":         func(v *vu) any { return v.csv },
})

// open(path, mode?) returns a file's contents as a string (mode 'b': an ArrayBuffer). Init code
// only; the path is relative to the script's folder and must stay below it unless the run
// allows paths outside. Files are read once per run, whatever the number of VUs.
func (v *vu) open(call goja.FunctionCall) goja.Value {
	p := call.Argument(0)
	if goja.IsUndefined(p) || p.String() == "" {
		v.throwType("open: argument 1: want a file path")
	}
	name := p.String()
	if v.phase != PhaseInit {
		v.throwType("open(%q): files can only be opened in init code (the top level of the script), not in %s", name, phaseWhere(v.phase))
	}
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(v.s.root, name)
	}
	abs = filepath.Clean(abs)
	if _, err := v.s.confine(abs); err != nil {
		v.throwf("open(%q): %v", name, err)
	}
	data, err := v.s.readFile(abs)
	if err != nil {
		v.throwf("open(%q): cannot read %s: %v", name, abs, unwrapPathError(err))
	}
	if call.Argument(1).String() == "b" {
		return v.rt.ToValue(v.rt.NewArrayBuffer(bytes.Clone(data)))
	}
	return v.rt.ToValue(string(data))
}

func unwrapPathError(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// csv(text, {header: true, delimiter: ','}) parses CSV: an array of arrays of strings, or with
// header an array of objects keyed by the first row.
func (v *vu) csv(call goja.FunctionCall) goja.Value {
	text := call.Argument(0)
	if goja.IsUndefined(text) {
		v.throwType("csv: argument 1: want the CSV text (for example open('users.csv'))")
	}
	header := false
	r := csv.NewReader(bytes.NewReader([]byte(text.String())))
	r.FieldsPerRecord = -1
	if o, ok := call.Argument(1).(*goja.Object); ok {
		header = o.Get("header") != nil && o.Get("header").ToBoolean()
		if d := o.Get("delimiter"); d != nil && !goja.IsUndefined(d) {
			s := []rune(d.String())
			if len(s) != 1 {
				v.throwType("csv: option \"delimiter\": want one character, got %q", d.String())
			}
			r.Comma = s[0]
		}
	}
	var names []string
	var out []any
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			v.throwf("csv: %v", err)
		}
		if header && names == nil {
			names = rec
			continue
		}
		if !header {
			row := make([]any, len(rec))
			for i, f := range rec {
				row[i] = f
			}
			out = append(out, row)
			continue
		}
		obj := v.rt.NewObject()
		for i, n := range names {
			f := ""
			if i < len(rec) {
				f = rec[i]
			}
			_ = obj.Set(n, f)
		}
		out = append(out, obj)
	}
	if out == nil {
		out = []any{}
	}
	return v.rt.NewArray(out...)
}

// sharedEntry is one SharedArray's data, built once per run (by the first runtime that reaches
// it, normally Load's options runtime) and read by every VU.
type sharedEntry struct {
	once sync.Once
	data []any // JSON-decoded elements, with object key order kept (*orderedObject)
	err  error
}

// sharedArrayConstructor: new SharedArray(name, fn). fn runs once per run; its result (an array)
// is serialised to JSON and decoded into Go memory that all VUs share read-only. Each VU sees a
// goja DynamicArray over it: reading an element builds a frozen view of it, nothing is copied per
// VU up front.
func (v *vu) sharedArrayConstructor(call goja.ConstructorCall) *goja.Object {
	v.requireInit("new SharedArray()")
	name := call.Argument(0)
	if goja.IsUndefined(name) || name.String() == "" {
		v.throwType("new SharedArray: argument 1: want a name")
	}
	fn, ok := goja.AssertFunction(call.Argument(1))
	if !ok {
		v.throwType("new SharedArray(%q): argument 2: want a function that returns an array, got %s", name.String(), describe(call.Argument(1)))
	}
	v.s.mu.Lock()
	e, ok := v.s.shared[name.String()]
	if !ok {
		e = &sharedEntry{}
		v.s.shared[name.String()] = e
	}
	v.s.mu.Unlock()
	e.once.Do(func() {
		res, err := fn(goja.Undefined())
		if err != nil {
			e.err = err
			return
		}
		if obj, ok := res.(*goja.Object); !ok || obj.ClassName() != "Array" {
			e.err = fmt.Errorf("new SharedArray(%q): the function must return an array, got %s", name.String(), describe(res))
			return
		}
		s, err := v.stringify(res)
		if err != nil {
			e.err = err
			return
		}
		val, err := decodeOrdered([]byte(s))
		if err != nil {
			e.err = fmt.Errorf("new SharedArray(%q): %w", name.String(), err)
			return
		}
		e.data, _ = val.([]any)
	})
	if e.err != nil {
		var ex *goja.Exception
		if errors.As(e.err, &ex) {
			panic(ex)
		}
		v.throw(e.err)
	}
	arr := v.rt.NewDynamicArray(&sharedArray{v: v, name: name.String(), data: e.data})
	return arr
}

// sharedArray is one VU's read-only view of a SharedArray.
type sharedArray struct {
	v    *vu
	name string
	data []any
}

func (a *sharedArray) Len() int { return len(a.data) }

func (a *sharedArray) Get(idx int) goja.Value {
	if idx < 0 || idx >= len(a.data) {
		return goja.Undefined()
	}
	return sharedValue(a.v, a.data[idx])
}

func (a *sharedArray) Set(int, goja.Value) bool {
	a.v.throwType("SharedArray %q is read-only", a.name)
	return false
}

func (a *sharedArray) SetLen(int) bool {
	a.v.throwType("SharedArray %q is read-only", a.name)
	return false
}

// sharedValue converts shared data to a JS value: primitives as they are, objects and arrays as
// read-only dynamic views over the shared Go values.
func sharedValue(v *vu, x any) goja.Value {
	switch t := x.(type) {
	case *orderedObject:
		return v.rt.NewDynamicObject(&sharedObject{v: v, o: t})
	case []any:
		return v.rt.NewDynamicArray(&sharedArray{v: v, name: "element", data: t})
	case nil:
		return goja.Null()
	}
	return v.rt.ToValue(x)
}

type sharedObject struct {
	v *vu
	o *orderedObject
}

func (s *sharedObject) Get(key string) goja.Value {
	x, ok := s.o.vals[key]
	if !ok {
		return nil
	}
	return sharedValue(s.v, x)
}

func (s *sharedObject) Set(key string, _ goja.Value) bool {
	s.v.throwType("cannot set %q: SharedArray elements are read-only", key)
	return false
}

func (s *sharedObject) Has(key string) bool { _, ok := s.o.vals[key]; return ok }

func (s *sharedObject) Delete(key string) bool {
	s.v.throwType("cannot delete %q: SharedArray elements are read-only", key)
	return false
}

func (s *sharedObject) Keys() []string { return s.o.keys }

// orderedObject is a JSON object that remembers its key order.
type orderedObject struct {
	keys []string
	vals map[string]any
}

// decodeOrdered decodes JSON keeping object key order; numbers become float64 (or int64 when
// integral), as JSON.parse would give.
func decodeOrdered(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	val, err := decodeValue(d)
	if err != nil {
		return nil, err
	}
	return val, nil
}

func decodeValue(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			out := []any{}
			for d.More() {
				x, err := decodeValue(d)
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			}
			_, err := d.Token()
			return out, err
		case '{':
			o := &orderedObject{vals: map[string]any{}}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				x, err := decodeValue(d)
				if err != nil {
					return nil, err
				}
				if _, dup := o.vals[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = x
			}
			_, err := d.Token()
			return o, err
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, nil
		}
		f, err := t.Float64()
		return f, err
	}
	return tok, nil
}
