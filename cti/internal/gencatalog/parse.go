package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tagDef is one line of tags.txt.
type tagDef struct {
	Num  int
	Name string
	Type string
	Max  int // 0 = not captured
	Enum string
	Conf string
}

type enumVal struct {
	Val uint64
	Sym string
}

// enumDef is one enum or mask block of enums.txt.
type enumDef struct {
	Name   string
	Width  string
	Mask   bool
	Prefix string
	Vals   []enumVal
}

type fixedField struct {
	Name  string
	Type  string
	Enum  string
	Since int
	Until int
	Count string // group or slice that this count field counts (auto-filled on encode when zero)
}

type groupDef struct {
	GoName   string
	Count    string
	Members  []*tagDef
	ElemType string
}

type item struct {
	Tag      *tagDef   // a float line
	Required bool      //
	Group    *groupDef // a group line
}

// msgDef is one message block of messages.txt.
type msgDef struct {
	ID      int
	Name    string
	Dir     string
	CCX     string
	CCXOnly bool
	Conf    string
	Reply   bool // answers a request with its InvokeID
	Raw     bool
	Fixed   []fixedField
	Items   []item
	GoName  string
	line    int
	// OldIDs: in the UCCE versions before Until this message travels with another MessageType
	// (the older numbering of GED, protocol v14). OldNames: in the UCCE versions before Until this
	// ID carries another message, named so (raw).
	OldIDs   []versionedID
	OldNames []versionedName
	// Contexts are the shared field sets (context lines) this message carries.
	Contexts []*contextDef
}

// contextDef is a top-level context line of messages.txt: a set of floating fields that several
// messages carry together (the call data of BEGIN_CALL_EVENT, CALL_DATA_UPDATE_EVENT …), turned
// into one Go type with a getter and a setter on each message that names it.
type contextDef struct {
	Name string
	Tags []*tagDef
	Doc  []string // the # comment lines just above it
}

type versionedID struct {
	ID, Until int
}

type versionedName struct {
	Name  string
	Until int
}

type catalog struct {
	Tags      []*tagDef
	TagByName map[string]*tagDef
	TagByNum  map[int]*tagDef
	Enums     []*enumDef
	EnumByNm  map[string]*enumDef
	Msgs      []*msgDef
	Contexts  []*contextDef
}

type lineReader struct {
	path string
	sc   *bufio.Scanner
	n    int
	f    *os.File
}

func openLines(path string) (*lineReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	return &lineReader{path: path, sc: sc, f: f}, nil
}

// next returns the next non-blank line with comments stripped, and whether it was indented.
func (lr *lineReader) next() (string, bool, bool) {
	for lr.sc.Scan() {
		lr.n++
		raw := lr.sc.Text()
		if i := strings.IndexByte(raw, '#'); i >= 0 {
			raw = raw[:i]
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		return strings.TrimSpace(raw), indented, true
	}
	return "", false, false
}

func (lr *lineReader) errf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", lr.path, lr.n, fmt.Sprintf(format, args...))
}

func parseUint(s string) (uint64, error) {
	return strconv.ParseUint(s, 0, 64)
}

// opts splits key=value words; plain words map to "".
func opts(words []string) map[string]string {
	m := map[string]string{}
	for _, w := range words {
		k, v, _ := strings.Cut(w, "=")
		m[k] = v
	}
	return m
}

func loadCatalog(dir string) (*catalog, error) {
	c := &catalog{TagByName: map[string]*tagDef{}, TagByNum: map[int]*tagDef{}, EnumByNm: map[string]*enumDef{}}
	if err := c.loadEnums(filepath.Join(dir, "enums.txt")); err != nil {
		return nil, err
	}
	if err := c.loadTags(filepath.Join(dir, "tags.txt")); err != nil {
		return nil, err
	}
	if err := c.loadMessages(filepath.Join(dir, "messages.txt")); err != nil {
		return nil, err
	}
	return c, nil
}

var scalarTypes = map[string]bool{"UCHAR": true, "USHORT": true, "SHORT": true, "UINT": true, "INT": true, "BOOL": true, "TIME": true, "ULONG": true}

func (c *catalog) loadTags(path string) error {
	lr, err := openLines(path)
	if err != nil {
		return err
	}
	defer lr.f.Close()
	for {
		line, _, ok := lr.next()
		if !ok {
			break
		}
		w := strings.Fields(line)
		if len(w) < 4 {
			return lr.errf("want: <tag> <Name> <TYPE> <max|-> [enum=E] [conf=X]")
		}
		num, err := strconv.Atoi(w[0])
		if err != nil || num <= 0 || num > 319 {
			return lr.errf("bad tag number %q", w[0])
		}
		t := &tagDef{Num: num, Name: w[1], Type: w[2]}
		if !scalarTypes[t.Type] && t.Type != "STRING" && t.Type != "UNSPEC" && t.Type != "NAMEDVAR" && t.Type != "NAMEDARRAY" {
			return lr.errf("unknown type %q", t.Type)
		}
		if w[3] != "-" {
			if t.Max, err = strconv.Atoi(w[3]); err != nil {
				return lr.errf("bad max %q", w[3])
			}
		}
		o := opts(w[4:])
		t.Enum, t.Conf = o["enum"], o["conf"]
		if t.Enum != "" && c.EnumByNm[t.Enum] == nil {
			return lr.errf("tag %s: unknown enum %q", t.Name, t.Enum)
		}
		if c.TagByName[t.Name] != nil {
			return lr.errf("duplicate tag name %q", t.Name)
		}
		if c.TagByNum[t.Num] != nil {
			return lr.errf("duplicate tag number %d", t.Num)
		}
		c.TagByName[t.Name], c.TagByNum[t.Num] = t, t
		c.Tags = append(c.Tags, t)
	}
	return lr.sc.Err()
}

func (c *catalog) loadEnums(path string) error {
	lr, err := openLines(path)
	if err != nil {
		return err
	}
	defer lr.f.Close()
	var cur *enumDef
	for {
		line, indented, ok := lr.next()
		if !ok {
			break
		}
		w := strings.Fields(line)
		if !indented {
			if len(w) < 3 || (w[0] != "enum" && w[0] != "mask") {
				return lr.errf("want: enum|mask <GoType> <WIDTH> [prefix=P]")
			}
			cur = &enumDef{Name: w[1], Width: w[2], Mask: w[0] == "mask", Prefix: opts(w[3:])["prefix"]}
			if cur.Width != "UCHAR" && cur.Width != "USHORT" && cur.Width != "UINT" {
				return lr.errf("enum %s: width %q, want UCHAR, USHORT or UINT", cur.Name, cur.Width)
			}
			if c.EnumByNm[cur.Name] != nil {
				return lr.errf("duplicate enum %q", cur.Name)
			}
			c.EnumByNm[cur.Name] = cur
			c.Enums = append(c.Enums, cur)
			continue
		}
		if cur == nil || len(w) < 2 {
			return lr.errf("value line outside an enum block")
		}
		v, err := parseUint(w[0])
		if err != nil {
			return lr.errf("bad value %q", w[0])
		}
		for _, e := range cur.Vals {
			if e.Sym == w[1] {
				return lr.errf("enum %s: duplicate symbol %s", cur.Name, w[1])
			}
		}
		cur.Vals = append(cur.Vals, enumVal{Val: v, Sym: w[1]})
	}
	return lr.sc.Err()
}

// loadMessages reads messages.txt: context lines, message headers and the layout lines
// indented under them (see cti/catalog/README.md).
func (c *catalog) loadMessages(path string) error {
	lr, err := openLines(path)
	if err != nil {
		return err
	}
	defer lr.f.Close()
	var cur *msgDef
	seen := map[int]bool{}
	for {
		line, indented, ok := lr.next()
		if !ok {
			break
		}
		w := strings.Fields(line)
		switch {
		case !indented && len(w) > 0 && w[0] == "context":
			if err := c.parseContext(lr, line); err != nil {
				return err
			}
			cur = nil
		case !indented:
			if cur, err = c.parseMessage(lr, w, seen); err != nil {
				return err
			}
		case cur == nil:
			return lr.errf("layout line outside a message block")
		default:
			if err := c.parseLayout(lr, cur, line, w); err != nil {
				return err
			}
		}
	}
	if err := lr.sc.Err(); err != nil {
		return err
	}
	return c.check()
}

// parseContext reads "context <GoName> : <Tag> <Tag> ...".
func (c *catalog) parseContext(lr *lineReader, line string) error {
	head, members, ok := strings.Cut(line, ":")
	hw := strings.Fields(head)
	if !ok || len(hw) != 2 {
		return lr.errf("want: context <GoName> : <Tag> <Tag> ...")
	}
	cd := &contextDef{Name: hw[1]}
	for _, n := range strings.Fields(members) {
		t := c.TagByName[n]
		if t == nil {
			return lr.errf("context %s: unknown tag %q", cd.Name, n)
		}
		cd.Tags = append(cd.Tags, t)
	}
	c.Contexts = append(c.Contexts, cd)
	return nil
}

// parseMessage reads "message <ID> <NAME> <DIR> [ccx=…] [ccxonly] [conf=…] [reply]" and adds
// the message to the catalog.
func (c *catalog) parseMessage(lr *lineReader, w []string, seen map[int]bool) (*msgDef, error) {
	if len(w) < 4 || w[0] != "message" {
		return nil, lr.errf("want: message <ID> <NAME> <DIR> [...]")
	}
	id, err := strconv.Atoi(w[1])
	if err != nil || id <= 0 {
		return nil, lr.errf("bad message ID %q", w[1])
	}
	if seen[id] {
		return nil, lr.errf("duplicate message ID %d", id)
	}
	seen[id] = true
	o := opts(w[4:])
	_, ccxOnly := o["ccxonly"]
	_, reply := o["reply"]
	m := &msgDef{ID: id, Name: w[2], Dir: w[3], CCX: o["ccx"], CCXOnly: ccxOnly, Conf: o["conf"], Reply: reply, line: lr.n}
	switch m.Dir {
	case "C>S", "S>C", "both", "?":
	default:
		return nil, lr.errf("%s: direction %q, want C>S, S>C, both or ?", m.Name, m.Dir)
	}
	m.GoName = camel(m.Name)
	c.Msgs = append(c.Msgs, m)
	return m, nil
}

// parseLayout reads one indented line of message cur: context, raw, id/name (older versions),
// fixed, float or group.
func (c *catalog) parseLayout(lr *lineReader, cur *msgDef, line string, w []string) error {
	switch w[0] {
	case "context":
		var cd *contextDef
		for _, x := range c.Contexts {
			if len(w) == 2 && x.Name == w[1] {
				cd = x
			}
		}
		if cd == nil {
			return lr.errf("%s: want: context <GoName> of a context line above", cur.Name)
		}
		cur.Contexts = append(cur.Contexts, cd)
	case "raw":
		cur.Raw = true
	case "id", "name":
		return parseOldIdentity(lr, cur, w)
	case "fixed":
		f, err := c.parseFixed(lr, cur, w)
		if err != nil {
			return err
		}
		cur.Fixed = append(cur.Fixed, f)
	case "float":
		if len(w) < 2 {
			return lr.errf("want: float <Tag> [required]")
		}
		t := c.TagByName[w[1]]
		if t == nil {
			return lr.errf("%s: unknown tag %q", cur.Name, w[1])
		}
		_, req := opts(w[2:])["required"]
		cur.Items = append(cur.Items, item{Tag: t, Required: req})
	case "group":
		g, err := c.parseGroup(lr, cur, line)
		if err != nil {
			return err
		}
		cur.Items = append(cur.Items, item{Group: g})
	default:
		return lr.errf("unknown layout keyword %q", w[0])
	}
	return nil
}

// parseOldIdentity reads "id <ID> until=<version>" or "name <NAME> until=<version>": what the
// message was called before a version.
func parseOldIdentity(lr *lineReader, cur *msgDef, w []string) error {
	until, err := strconv.Atoi(opts(w[2:])["until"])
	if len(w) < 3 || err != nil || until <= 0 {
		return lr.errf("want: %s <%s> until=<version>", w[0], map[string]string{"id": "ID", "name": "NAME"}[w[0]])
	}
	if w[0] == "name" {
		cur.OldNames = append(cur.OldNames, versionedName{Name: w[1], Until: until})
		return nil
	}
	id, err := strconv.Atoi(w[1])
	if err != nil || id <= 0 {
		return lr.errf("bad message ID %q", w[1])
	}
	cur.OldIDs = append(cur.OldIDs, versionedID{ID: id, Until: until})
	return nil
}

// parseFixed reads "fixed <Field> <TYPE> [enum=…] [since=…] [until=…] [count=…]".
func (c *catalog) parseFixed(lr *lineReader, cur *msgDef, w []string) (fixedField, error) {
	if len(w) < 3 {
		return fixedField{}, lr.errf("want: fixed <Field> <TYPE> [...]")
	}
	f := fixedField{Name: w[1], Type: w[2]}
	if !scalarTypes[f.Type] {
		return f, lr.errf("%s.%s: fixed type %q", cur.Name, f.Name, f.Type)
	}
	o := opts(w[3:])
	f.Enum = o["enum"]
	if f.Enum != "" && c.EnumByNm[f.Enum] == nil {
		return f, lr.errf("%s.%s: unknown enum %q", cur.Name, f.Name, f.Enum)
	}
	var err error
	if s := o["since"]; s != "" {
		if f.Since, err = strconv.Atoi(s); err != nil {
			return f, lr.errf("bad since %q", s)
		}
	}
	if s := o["until"]; s != "" {
		if f.Until, err = strconv.Atoi(s); err != nil {
			return f, lr.errf("bad until %q", s)
		}
	}
	f.Count = o["count"]
	return f, nil
}

// parseGroup reads "group <GoName> [count=<Field>] : <Tag> <Tag> ...": 1 to 8 members, no
// named variables.
func (c *catalog) parseGroup(lr *lineReader, cur *msgDef, line string) (*groupDef, error) {
	head, members, ok := strings.Cut(line, ":")
	if !ok {
		return nil, lr.errf("want: group <GoName> [count=F] : <Tag> ...")
	}
	hw := strings.Fields(head)
	if len(hw) < 2 {
		return nil, lr.errf("group needs a name")
	}
	g := &groupDef{GoName: hw[1], Count: opts(hw[2:])["count"]}
	for _, mn := range strings.Fields(members) {
		t := c.TagByName[mn]
		if t == nil {
			return nil, lr.errf("%s group %s: unknown tag %q", cur.Name, g.GoName, mn)
		}
		if t.Type == "NAMEDVAR" || t.Type == "NAMEDARRAY" {
			return nil, lr.errf("%s group %s: named variables cannot be group members", cur.Name, g.GoName)
		}
		g.Members = append(g.Members, t)
	}
	if len(g.Members) == 0 || len(g.Members) > 8 {
		return nil, lr.errf("%s group %s: 1 to 8 members", cur.Name, g.GoName)
	}
	return g, nil
}

// check rejects catalogs that would generate code that does not compile or is ambiguous.
func (c *catalog) check() error {
	for _, m := range c.Msgs {
		if m.Raw && (len(m.Fixed) > 0 || len(m.Items) > 0) {
			return fmt.Errorf("messages.txt:%d: %s: raw and a layout", m.line, m.Name)
		}
		if m.Reply && !m.Raw && (len(m.Fixed) == 0 || m.Fixed[0].Name != "InvokeID") {
			// A client finds the request a reply answers by the InvokeID in front.
			return fmt.Errorf("messages.txt:%d: %s: a reply must start with fixed InvokeID", m.line, m.Name)
		}
		names := map[string]string{}
		add := func(n, what string) error {
			if prev, ok := names[n]; ok {
				return fmt.Errorf("messages.txt:%d: %s: name %q used by %s and %s", m.line, m.Name, n, prev, what)
			}
			switch n {
			case "Present", "Unknown", "Fields", "Encode", "Decode", "SetField", "MessageType", "GetInvokeID", "SetInvokeID", "Missing":
				return fmt.Errorf("messages.txt:%d: %s: field name %q is reserved", m.line, m.Name, n)
			}
			names[n] = what
			return nil
		}
		tags := map[int]bool{}
		for _, f := range m.Fixed {
			if err := add(f.Name, "a fixed field"); err != nil {
				return err
			}
		}
		for _, it := range m.Items {
			var ts []*tagDef
			if it.Group != nil {
				if err := add(it.Group.GoName, "a group"); err != nil {
					return err
				}
				ts = it.Group.Members
			} else {
				ts = []*tagDef{it.Tag}
				if err := add(floatFieldName(it.Tag), "a floating field"); err != nil {
					return err
				}
			}
			for _, t := range ts {
				if tags[t.Num] {
					return fmt.Errorf("messages.txt:%d: %s: tag %s listed twice", m.line, m.Name, t.Name)
				}
				tags[t.Num] = true
			}
		}
	}
	return nil
}

// floatFieldName is the struct field that holds a top-level floating field.
func floatFieldName(t *tagDef) string {
	switch t.Type {
	case "NAMEDVAR":
		return "NamedVariables"
	case "NAMEDARRAY":
		return "NamedArrays"
	}
	return t.Name
}

var acronyms = map[string]string{
	"CTI": "CTI", "ID": "ID", "IDS": "IDs", "ACD": "ACD", "ANI": "ANI", "DNIS": "DNIS", "PG": "PG", "PGS": "PGS",
	"ICM": "ICM", "RTP": "RTP", "DTMF": "DTMF", "CSQ": "CSQ", "MRD": "MRD", "IP": "IP", "MAC": "MAC", "NIC": "NIC",
	"CF": "CF", "CEC": "CEC", "LCS": "LCS", "IVR": "IVR", "OPC": "OPC", "CC": "CC", "TCP": "TCP", "SSO": "SSO",
	"CCX": "CCX", "CSTA": "CSTA", "PAC": "PAC", "RC": "RC", "PD": "PD", "PIM": "PIM", "RNA": "RNA", "AMS": "AMS",
	"VRU": "VRU", "DMS": "DMS", "NEC": "NEC", "ACP": "ACP", "ECS": "ECS", "EAS": "EAS", "CRS": "CRS", "IPCC": "IPCC",
	"ERS": "ERS", "MR": "MR", "CSD": "CSD", "JTAPI": "JTAPI", "CCM": "CCM", "DEVID": "DevID", "UUI": "UUI",
	"CCE": "CCE", "ACMI": "ACMI", "ECC": "ECC", "SYS": "Sys", "URL": "URL", "CSV": "CSV", "CIL": "CIL", "ARM": "ARM",
}

// camel turns a protocol symbol (CALL_DELIVERED_EVENT, E_CTI_NO_ERROR) into a Go identifier.
func camel(sym string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(sym, func(r rune) bool { return r == '_' || r == '-' || r == ' ' || r == '.' || r == '/' }) {
		up := strings.ToUpper(w)
		if a, ok := acronyms[up]; ok {
			b.WriteString(a)
			continue
		}
		if w == up || strings.ToLower(w) == w {
			b.WriteString(strings.ToUpper(w[:1]) + strings.ToLower(w[1:]))
		} else {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	s := b.String()
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "X" + s
	}
	return s
}
