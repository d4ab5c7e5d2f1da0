package metrics

import (
	"encoding/json"
	"slices"
	"strings"
)

// Tag is one key/value pair of a [Tags] set.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Tags is an immutable set of tags, sorted by key, with at most one value per key.
//
// The zero value is the empty set. A Tags is one pointer wide: copying it, storing it in a
// [Sample] or passing it by value costs nothing, which is why the recording path takes Tags and
// not a map. Build a set once (for example per scenario or per message type) and reuse it.
type Tags struct {
	s *tagSet
}

type tagSet struct {
	tags []Tag
	key  string // unambiguous identity, see Tags.Key
}

// NewTags returns the set of the given key/value pairs; a later pair wins over an earlier one
// with the same key. It panics if kv has an odd length, as strings.NewReplacer does.
func NewTags(kv ...string) Tags {
	if len(kv)%2 != 0 {
		panic("metrics.NewTags: odd number of arguments")
	}
	tags := make([]Tag, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		tags = append(tags, Tag{Key: kv[i], Value: kv[i+1]})
	}
	return fromSlice(tags)
}

// TagsFromMap returns the set of the map's entries.
func TagsFromMap(m map[string]string) Tags {
	if len(m) == 0 {
		return Tags{}
	}
	tags := make([]Tag, 0, len(m))
	for k, v := range m {
		tags = append(tags, Tag{Key: k, Value: v})
	}
	return fromSlice(tags)
}

// fromSlice sorts and de-duplicates tags (last wins) and owns the slice.
func fromSlice(tags []Tag) Tags {
	if len(tags) == 0 {
		return Tags{}
	}
	// A stable sort keeps the input order among equal keys, so "last wins" is well defined.
	slices.SortStableFunc(tags, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	out := tags[:0]
	for i, t := range tags {
		if i+1 < len(tags) && tags[i+1].Key == t.Key {
			continue
		}
		out = append(out, t)
	}
	var b strings.Builder
	for _, t := range out {
		// Length-prefix free encoding: the separators cannot appear unescaped in either part.
		b.WriteString(escapeKey(t.Key))
		b.WriteByte(0x1f)
		b.WriteString(escapeKey(t.Value))
		b.WriteByte(0x1e)
	}
	return Tags{s: &tagSet{tags: out, key: b.String()}}
}

func escapeKey(s string) string {
	if !strings.ContainsAny(s, "\x1b\x1e\x1f") {
		return s
	}
	r := strings.NewReplacer("\x1b", "\x1b\x1b", "\x1e", "\x1b\x1e", "\x1f", "\x1b\x1f")
	return r.Replace(s)
}

// Len returns the number of tags.
func (t Tags) Len() int {
	if t.s == nil {
		return 0
	}
	return len(t.s.tags)
}

// At returns the i-th tag in key order.
func (t Tags) At(i int) Tag { return t.s.tags[i] }

// Get returns the value of key and whether the set has it.
func (t Tags) Get(key string) (string, bool) {
	if t.s == nil {
		return "", false
	}
	// Sets are small (a handful of tags): a linear scan beats a binary search here.
	for _, tg := range t.s.tags {
		if tg.Key == key {
			return tg.Value, true
		}
		if tg.Key > key {
			break
		}
	}
	return "", false
}

// With returns a new set with key set to value.
func (t Tags) With(key, value string) Tags {
	tags := make([]Tag, 0, t.Len()+1)
	if t.s != nil {
		tags = append(tags, t.s.tags...)
	}
	return fromSlice(append(tags, Tag{Key: key, Value: value}))
}

// Merge returns the union of t and o; o's value wins for a key both have.
func (t Tags) Merge(o Tags) Tags {
	switch {
	case o.Len() == 0:
		return t
	case t.Len() == 0:
		return o
	}
	tags := make([]Tag, 0, t.Len()+o.Len())
	tags = append(tags, t.s.tags...)
	return fromSlice(append(tags, o.s.tags...))
}

// Contains reports whether every tag of sub is in t with the same value.
func (t Tags) Contains(sub Tags) bool {
	if sub.Len() == 0 {
		return true
	}
	if t.Len() < sub.Len() {
		return false
	}
	a, b := t.s.tags, sub.s.tags
	i := 0
	for _, want := range b {
		for i < len(a) && a[i].Key < want.Key {
			i++
		}
		if i == len(a) || a[i].Key != want.Key || a[i].Value != want.Value {
			return false
		}
		i++
	}
	return true
}

// Equal reports whether t and o hold the same tags.
func (t Tags) Equal(o Tags) bool { return t.Key() == o.Key() }

// Key returns a string that identifies the set: two sets are equal if and only if their keys
// are. It is not meant for display; see String.
func (t Tags) Key() string {
	if t.s == nil {
		return ""
	}
	return t.s.key
}

// Map returns a new map of the tags, or nil for the empty set.
func (t Tags) Map() map[string]string {
	if t.Len() == 0 {
		return nil
	}
	m := make(map[string]string, len(t.s.tags))
	for _, tg := range t.s.tags {
		m[tg.Key] = tg.Value
	}
	return m
}

// String formats the set as k6 writes sub-metric selectors, "{key:value,key2:value2}", or ""
// for the empty set.
func (t Tags) String() string {
	if t.Len() == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, tg := range t.s.tags {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tg.Key)
		b.WriteByte(':')
		b.WriteString(tg.Value)
	}
	b.WriteByte('}')
	return b.String()
}

// MarshalJSON writes the set as a JSON object.
func (t Tags) MarshalJSON() ([]byte, error) {
	if t.Len() == 0 {
		return []byte("{}"), nil
	}
	return json.Marshal(t.Map())
}

// UnmarshalJSON reads a JSON object of strings.
func (t *Tags) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*t = TagsFromMap(m)
	return nil
}
