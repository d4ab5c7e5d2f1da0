package cti

import (
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

// This file converts script- and JSON-shaped values (float64, string, bool, maps, slices) into
// wire values for SetField. The error says what was expected.

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 0, 1)
	}
	return append(dst, 0, 0)
}

func boolU16(b bool) uint16 {
	if b {
		return 1
	}
	return 0
}

func convUint(v any, bits int) (uint64, error) {
	max := uint64(1)<<bits - 1
	var n uint64
	switch x := v.(type) {
	case uint8:
		n = uint64(x)
	case uint16:
		n = uint64(x)
	case uint32:
		n = uint64(x)
	case uint64:
		n = x
	case uint:
		n = uint64(x)
	case int:
		if x < 0 {
			return 0, fmt.Errorf("want an unsigned integer, got %d", x)
		}
		n = uint64(x)
	case int32:
		if x < 0 {
			return 0, fmt.Errorf("want an unsigned integer, got %d", x)
		}
		n = uint64(x)
	case int64:
		if x < 0 {
			return 0, fmt.Errorf("want an unsigned integer, got %d", x)
		}
		n = uint64(x)
	case float64:
		if x < 0 || x != math.Trunc(x) || x > float64(max) {
			return 0, fmt.Errorf("want an unsigned %d-bit integer, got %v", bits, x)
		}
		n = uint64(x)
	case bool:
		if x {
			n = 1
		}
	case string:
		p, err := strconv.ParseUint(strings.TrimSpace(x), 0, bits)
		if err != nil {
			return 0, fmt.Errorf("want an unsigned %d-bit integer, got %q", bits, x)
		}
		n = p
	default:
		return 0, fmt.Errorf("want an unsigned %d-bit integer, got %T", bits, v)
	}
	if n > max {
		return 0, fmt.Errorf("%d does not fit %d bits", n, bits)
	}
	return n, nil
}

func convInt(v any, bits int) (int64, error) {
	lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("want a %d-bit integer, got %v", bits, x)
		}
		n = int64(x)
	case string:
		p, err := strconv.ParseInt(strings.TrimSpace(x), 0, bits)
		if err != nil {
			return 0, fmt.Errorf("want a %d-bit integer, got %q", bits, x)
		}
		n = p
	default:
		return 0, fmt.Errorf("want a %d-bit integer, got %T", bits, v)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d does not fit %d bits", n, bits)
	}
	return n, nil
}

func convBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case float64:
		return x != 0, nil
	case int:
		return x != 0, nil
	case string:
		b, err := strconv.ParseBool(x)
		if err != nil {
			return false, fmt.Errorf("want a boolean, got %q", x)
		}
		return b, nil
	}
	return false, fmt.Errorf("want a boolean, got %T", v)
}

func convString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case fmt.Stringer:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	}
	return "", fmt.Errorf("want a string, got %T", v)
}

func convBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		if strings.HasPrefix(x, "hex:") {
			return hex.DecodeString(x[4:])
		}
		return []byte(x), nil
	}
	return nil, fmt.Errorf("want bytes or a string, got %T", v)
}

// convEnum accepts the enumeration's symbol (or a|b for masks), or a number.
func convEnum[T ~uint8 | ~uint16 | ~uint32](v any, parse func(string) (T, bool)) (T, error) {
	switch x := v.(type) {
	case T:
		return x, nil
	case string:
		t, ok := parse(strings.TrimSpace(x))
		if !ok {
			return 0, fmt.Errorf("unknown value %q", x)
		}
		return t, nil
	}
	var zero T
	n, err := convUint(v, int(unsafe.Sizeof(zero))*8)
	return T(n), err
}

// parseMask reads "A|B|0x10".
func parseMask(s string, sym func(string) (uint64, bool)) (uint64, bool) {
	var v uint64
	for _, w := range strings.Split(s, "|") {
		w = strings.TrimSpace(w)
		if w == "" || w == "0" {
			continue
		}
		if b, ok := sym(w); ok {
			v |= b
			continue
		}
		n, err := strconv.ParseUint(w, 0, 64)
		if err != nil {
			return 0, false
		}
		v |= n
	}
	return v, true
}

// convRecords accepts a slice of objects (maps) for a repeated group.
func convRecords(v any) ([]map[string]any, error) {
	switch x := v.(type) {
	case []map[string]any:
		return x, nil
	case []any:
		out := make([]map[string]any, len(x))
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("element %d: want an object, got %T", i, e)
			}
			out[i] = m
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a list of objects, got %T", v)
}

// convNamedVariables accepts []NamedVariable, a list of {name, value} objects, or an object of
// name → value (sent in name order, so the frame is reproducible).
func convNamedVariables(v any) ([]NamedVariable, error) {
	switch x := v.(type) {
	case []NamedVariable:
		return x, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]NamedVariable, 0, len(keys))
		for _, k := range keys {
			s, err := convString(x[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out = append(out, NamedVariable{Name: k, Value: s})
		}
		return out, nil
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return convNamedVariables(m)
	}
	recs, err := convRecords(v)
	if err != nil {
		return nil, err
	}
	out := make([]NamedVariable, len(recs))
	for i, r := range recs {
		n, err1 := convString(r["name"])
		val, err2 := convString(r["value"])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("element %d: want {name, value} strings", i)
		}
		out[i] = NamedVariable{Name: n, Value: val}
	}
	return out, nil
}

// convNamedArrays accepts []NamedArray or a list of {index, name, value} objects.
func convNamedArrays(v any) ([]NamedArray, error) {
	if x, ok := v.([]NamedArray); ok {
		return x, nil
	}
	recs, err := convRecords(v)
	if err != nil {
		return nil, err
	}
	out := make([]NamedArray, len(recs))
	for i, r := range recs {
		idx, err0 := convUint(r["index"], 8)
		n, err1 := convString(r["name"])
		val, err2 := convString(r["value"])
		if err0 != nil || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("element %d: want {index, name, value}", i)
		}
		out[i] = NamedArray{Index: uint8(idx), Name: n, Value: val}
	}
	return out, nil
}

// MissingRequired lists the required floating fields a decoded message lacks (used by the
// simulator to answer E_CTI_REQUIRED_DATA_MISSING).
func MissingRequired(m Message) []string {
	if r, ok := m.(interface{ Missing() []string }); ok {
		return r.Missing()
	}
	return nil
}

// ConvertEnum converts a script- or JSON-shaped value — the enumeration's symbol (or "A|B" for a
// mask), or a number — to an enumeration value, as SetField does. Bindings that fill typed
// structs (jsapi over cti/agent) use it, so that a script's value means the same everywhere.
func ConvertEnum[T ~uint8 | ~uint16 | ~uint32](v any, parse func(string) (T, bool)) (T, error) {
	return convEnum(v, parse)
}

// ConvertUint converts a script- or JSON-shaped number to an unsigned integer of bits bits, as
// SetField does.
func ConvertUint(v any, bits int) (uint64, error) { return convUint(v, bits) }

// ConvertNamedVariables converts []NamedVariable, a list of {name, value} objects, or an object of
// name → value (taken in name order, so that the frame is reproducible) to named variables, as
// SetField does.
func ConvertNamedVariables(v any) ([]NamedVariable, error) { return convNamedVariables(v) }
