package cti

import (
	"strconv"
	"strings"
	"sync"
)

// DataType is the wire type of a floating field (docs/protocol/framing.md, data types).
type DataType uint8

// Data types.
const (
	TypeUchar DataType = iota + 1
	TypeUshort
	TypeShort
	TypeUint
	TypeInt
	TypeBool
	TypeTime
	TypeUlong
	TypeString
	TypeUnspec
	TypeNamedvar
	TypeNamedarray
)

var dataTypeNames = [...]string{"", "UCHAR", "USHORT", "SHORT", "UINT", "INT", "BOOL", "TIME", "ULONG", "STRING", "UNSPEC", "NAMEDVAR", "NAMEDARRAY"}

func (d DataType) String() string {
	if int(d) < len(dataTypeNames) && d != 0 {
		return dataTypeNames[d]
	}
	return "DataType(" + strconv.Itoa(int(d)) + ")"
}

// TagInfo describes a floating-field tag.
type TagInfo struct {
	Tag  uint16
	Name string
	Type DataType
	Max  int    // maximum data bytes (the NUL included for strings); 0 = not captured
	Enum string // enumeration type of the value, if any
	Conf string
}

// LookupTagInfo returns the catalog entry of a tag.
func LookupTagInfo(tag uint16) (TagInfo, bool) {
	if int(tag) < len(tagTable) && tagTable[tag].Name != "" {
		return tagTable[tag], true
	}
	return TagInfo{}, false
}

// TagName is the protocol name of a floating-field tag, or Tag<n> for an unknown one.
func TagName(tag uint16) string {
	if info, ok := LookupTagInfo(tag); ok {
		return info.Name
	}
	return unknownTagName(tag)
}

func unknownTagName(tag uint16) string { return "Tag" + strconv.Itoa(int(tag)) }

var (
	tagByNameOnce sync.Once
	tagByName     map[string]uint16
)

// LookupTag finds a tag by name (case-insensitive).
func LookupTag(name string) (uint16, bool) {
	tagByNameOnce.Do(func() {
		tagByName = make(map[string]uint16)
		for i := range tagTable {
			if tagTable[i].Name != "" {
				tagByName[strings.ToLower(tagTable[i].Name)] = tagTable[i].Tag
			}
		}
	})
	t, ok := tagByName[strings.ToLower(name)]
	return t, ok
}
