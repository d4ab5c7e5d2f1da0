package cti

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// vector is one block of testdata/ucce-v20.txt (copied from shared/vectors; format in its README):
// a frame and its decoded field values in wire order.
type vector struct {
	name   string
	line   int
	frame  []byte
	fields []vectorField
}

type vectorField struct {
	name  string // Name or Name[tag]
	tag   int    // 0 for fixed fields and the header
	value string
}

func loadVectors(t testing.TB, path string) []vector {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	var cur *vector
	var hexb strings.Builder
	flush := func() {
		if cur == nil {
			return
		}
		b, err := hex.DecodeString(hexb.String())
		if err != nil {
			t.Fatalf("%s (line %d): bad hex: %v", cur.name, cur.line, err)
		}
		cur.frame = b
		out = append(out, *cur)
		cur = nil
		hexb.Reset()
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case strings.HasPrefix(line, "#   "):
			if cur == nil {
				continue
			}
			k, v, _ := strings.Cut(strings.TrimPrefix(line, "#   "), "=")
			vf := vectorField{name: k, value: v}
			if i := strings.IndexByte(k, '['); i > 0 {
				vf.tag, _ = strconv.Atoi(strings.TrimSuffix(k[i+1:], "]"))
				vf.name = k[:i]
			}
			cur.fields = append(cur.fields, vf)
		case strings.HasPrefix(line, "# ") && strings.Contains(line, "(type "):
			flush()
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "# "), " ")
			cur = &vector{name: name, line: n}
		case strings.HasPrefix(line, "#"):
		default:
			if cur != nil {
				hexb.WriteString(strings.TrimSpace(line))
			}
		}
	}
	flush()
	return out
}

// flatFields lists a message's generic view in wire order, groups and named variables expanded,
// rendered as the vector files render values.
func flatFields(fs []FieldValue) []vectorField {
	var out []vectorField
	for _, f := range fs {
		switch x := f.Value.(type) {
		case []Record:
			for _, r := range x {
				out = append(out, flatFields(r)...)
			}
		case []NamedVariable:
			for _, nv := range x {
				out = append(out, vectorField{name: f.Name, tag: int(f.Tag), value: fmt.Sprintf("name:%q value:%q", nv.Name, nv.Value)})
			}
		case []NamedArray:
			for _, na := range x {
				out = append(out, vectorField{name: f.Name, tag: int(f.Tag), value: fmt.Sprintf("index:%d name:%q value:%q", na.Index, na.Name, na.Value)})
			}
		default:
			out = append(out, vectorField{name: f.Name, tag: int(f.Tag), value: renderVectorValue(f.Value)})
		}
	}
	return out
}

func renderVectorValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []byte:
		return "hex:" + hex.EncodeToString(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

// sameValue compares a rendered value with a vector value: numbers by value (hex or decimal, with an
// optional "(SYMBOL)" that must be the value's symbol), strings and bytes literally.
func sameValue(got vectorField, gotRaw any, want string) bool {
	if strings.HasPrefix(want, "\"") || strings.HasPrefix(want, "hex:") || strings.HasPrefix(want, "name:") || strings.HasPrefix(want, "index:") {
		return got.value == want
	}
	num, sym, _ := strings.Cut(want, " ")
	wn, err := strconv.ParseUint(num, 0, 64)
	if err != nil {
		return false
	}
	gn, err := strconv.ParseUint(numericOf(gotRaw), 10, 64)
	if err != nil || gn != wn {
		return false
	}
	sym = strings.Trim(sym, "()")
	if s, ok := gotRaw.(Symboler); ok && sym != "" && sym != "none" && sym != "TRUE" && sym != "FALSE" {
		return s.Symbol() == sym
	}
	return true
}

func numericOf(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int32:
		return strconv.FormatUint(uint64(uint32(x)), 10)
	case int16:
		return strconv.FormatUint(uint64(uint16(x)), 10)
	}
	return fmt.Sprintf("%d", v)
}

func rawValues(fs []FieldValue) []any {
	var out []any
	for _, f := range fs {
		switch x := f.Value.(type) {
		case []Record:
			for _, r := range x {
				out = append(out, rawValues(r)...)
			}
		case []NamedVariable:
			for range x {
				out = append(out, nil)
			}
		case []NamedArray:
			for range x {
				out = append(out, nil)
			}
		default:
			out = append(out, f.Value)
		}
	}
	return out
}

// TestGoldenVectorsV20 decodes every golden frame, checks each field value against the decoded
// values listed with it, and encodes the values back to the same bytes.
func TestGoldenVectorsV20(t *testing.T) {
	vs := loadVectors(t, "testdata/ucce-v20.txt")
	if len(vs) < 20 {
		t.Fatalf("loaded %d vectors; the file has more than 20", len(vs))
	}
	for _, vec := range vs {
		t.Run(vec.name, func(t *testing.T) {
			fr := NewFrameReader(bytes.NewReader(vec.frame), 0)
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatalf("ReadFrame: %v", err)
			}
			if f.Type.String() != vec.name {
				t.Fatalf("type %d = %s; want %s", f.Type, f.Type, vec.name)
			}
			info, _ := Info(f.Type)
			if !info.HasLayout {
				t.Fatalf("%s has no layout in the catalog", vec.name)
			}
			m, err := Decode(f.Type, f.Body, V20)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			fs := m.Fields(V20)
			got := flatFields(fs)
			raw := rawValues(fs)
			want := vec.fields[2:] // MessageLength and MessageType are the header
			if len(got) != len(want) {
				t.Errorf("decoded %d fields; vector lists %d", len(got), len(want))
			}
			for i := 0; i < len(got) && i < len(want); i++ {
				g, w := got[i], want[i]
				if g.tag != w.tag || (w.tag == 0 && g.name != w.name) {
					t.Errorf("field %d = %s[%d]; want %s[%d]", i, g.name, g.tag, w.name, w.tag)
					continue
				}
				if !sameValue(g, raw[i], w.value) {
					t.Errorf("%s = %s; want %s", w.name, g.value, w.value)
				}
			}
			enc, err := m.Encode(nil, V20)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(enc, vec.frame) {
				t.Errorf("Encode =\n%x\nwant\n%x", enc, vec.frame)
			}
		})
	}
}
