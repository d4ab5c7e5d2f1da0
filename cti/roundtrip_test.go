package cti

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// TestRoundTripEveryMessage fills every typed message of the catalog with random values, for the
// 1-byte and 2-byte floating formats and for UCCX, encodes, decodes, and checks that the generic
// view is unchanged and that re-encoding gives the same bytes.
func TestRoundTripEveryMessage(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 24))
	n := 0
	for _, info := range Catalog() {
		if !info.HasLayout {
			continue
		}
		for _, v := range []Version{V14, V15, V20, V24, V25, UCCX | V14} {
			wire := info.Type.Wire(v)
			if FromWire(wire, v) != info.Type {
				continue // v's numbering gives this ID to another message (236–238 in UCCE v14)
			}
			if info.CCXOnly && !v.IsUCCX() {
				continue // a UCCX-only layout decodes raw in UCCE (TestCCXOnlyLayoutIsRawInUCCE)
			}
			for i := 0; i < 30; i++ {
				m := New(info.Type)
				fillRandom(rng, reflect.ValueOf(m).Elem(), v)
				frame, err := m.Encode(nil, v)
				if err != nil {
					t.Fatalf("%s %s: Encode: %v", info.Name, v, err)
				}
				if got := int(frame[0])<<24 | int(frame[1])<<16 | int(frame[2])<<8 | int(frame[3]); got != len(frame)-HeaderSize {
					t.Fatalf("%s %s: MessageLength %d; frame has %d bytes after the header", info.Name, v, got, len(frame)-HeaderSize)
				}
				back, err := Decode(wire, frame[HeaderSize:], v)
				if err != nil {
					t.Fatalf("%s %s: Decode: %v\n%x", info.Name, v, err, frame)
				}
				j1, _ := MarshalMessageJSON(m, v)
				j2, _ := MarshalMessageJSON(back, v)
				if !bytes.Equal(j1, j2) {
					t.Fatalf("%s %s: round trip changed the message:\nsent %s\ngot  %s", info.Name, v, j1, j2)
				}
				again, err := back.Encode(nil, v)
				if err != nil || !bytes.Equal(again, frame) {
					t.Fatalf("%s %s: re-encode = %x, %v; want %x", info.Name, v, again, err, frame)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no typed message in the catalog")
	}
}

// fillRandom sets the fields of a generated message struct: fixed fields always, floating fields
// with probability 3/4 (required ones always), groups with 0–3 elements.
func fillRandom(rng *rand.Rand, s reflect.Value, v Version) {
	typ := s.Type()
	for i := 0; i < s.NumField(); i++ {
		sf := typ.Field(i)
		f := s.Field(i)
		tag := sf.Tag.Get("cti")
		switch {
		case tag == "":
			continue // Present, Unknown
		case tag == "fixed":
			fillScalar(rng, f, 0, 0)
		case tag == "group":
			if !v.WideFields() && groupHasWideTag(f.Type().Elem()) {
				continue // an element sends every member; tags above 255 need 2-byte tags
			}
			k := rng.IntN(4)
			sl := reflect.MakeSlice(f.Type(), 0, k)
			for j := 0; j < k; j++ {
				e := reflect.New(f.Type().Elem()).Elem()
				fillRandom(rng, e, v)
				sl = reflect.Append(sl, e)
			}
			f.Set(sl)
		default:
			num, _ := strconv.Atoi(tag)
			if !v.WideFields() && num > 255 {
				continue
			}
			info, _ := LookupTagInfo(uint16(num))
			if s.Type().Name() != "" && !isGroupElem(typ) && rng.IntN(4) == 0 && !isRequired(s, sf.Name) {
				continue
			}
			switch info.Type {
			case TypeNamedvar:
				k := rng.IntN(4)
				var nvs []NamedVariable
				for j := 0; j < k; j++ {
					nvs = append(nvs, NamedVariable{Name: randString(rng, 1, 20), Value: randString(rng, 0, 60)})
				}
				f.Set(reflect.ValueOf(nvs))
			case TypeNamedarray:
				k := rng.IntN(4)
				var nas []NamedArray
				for j := 0; j < k; j++ {
					nas = append(nas, NamedArray{Index: uint8(rng.IntN(256)), Name: randString(rng, 1, 20), Value: randString(rng, 0, 60)})
				}
				f.Set(reflect.ValueOf(nas))
			default:
				fillScalar(rng, f, info.Max, 1)
			}
		}
	}
}

func groupHasWideTag(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if n, err := strconv.Atoi(t.Field(i).Tag.Get("cti")); err == nil && n > 255 {
			return true
		}
	}
	return false
}

func isGroupElem(t reflect.Type) bool { _, ok := t.FieldByName("Unknown"); return !ok }

// isRequired: a required floating field is always sent, so it must not be left zero (a zero value
// would be sent and come back marked present, which the zero value in the sent struct is not).
// An empty message lacks every required field, so its Missing list names them all.
func isRequired(s reflect.Value, field string) bool {
	for _, r := range MissingRequired(reflect.New(s.Type()).Interface().(Message)) {
		if r == field {
			return true
		}
	}
	return false
}

// fillScalar sets a random value; minimum 1 for floating fields so that "present" is visible.
func fillScalar(rng *rand.Rand, f reflect.Value, max, min int) {
	switch f.Kind() {
	case reflect.String:
		hi := max - 1
		if max == 0 || hi > 200 {
			hi = 200
		}
		f.SetString(randString(rng, min, hi))
	case reflect.Slice: // UNSPEC
		hi := max
		if max == 0 || hi > 200 {
			hi = 200
		}
		b := make([]byte, min+rng.IntN(hi-min+1))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		f.SetBytes(b)
	case reflect.Bool:
		f.SetBool(min > 0 || rng.IntN(2) == 1)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		x := rng.Uint64() & (1<<(f.Type().Bits()) - 1)
		if x == 0 && min > 0 {
			x = 1
		}
		f.SetUint(x)
	case reflect.Int16, reflect.Int32:
		x := int64(rng.Uint64() & (1<<(f.Type().Bits()) - 1))
		x -= 1 << (f.Type().Bits() - 1)
		if x == 0 && min > 0 {
			x = 1
		}
		f.SetInt(x)
	}
}

func randString(rng *rand.Rand, lo, hi int) string {
	if hi < lo {
		hi = lo
	}
	b := make([]byte, lo+rng.IntN(hi-lo+1))
	for i := range b {
		b[i] = byte(' ' + rng.IntN(95))
	}
	return string(b)
}
