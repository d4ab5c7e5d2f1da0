package metrics

import "strings"

// ParseMetricKey parses a metric selector as thresholds and snapshots name metrics:
//
//	key   ::= name [ "{" [ pair { "," pair } ] "}" ]
//	pair  ::= tag ":" value
//	value ::= quoted | { any byte but "," and "}" }
//
// Blanks around names, tags and values are ignored. A value may be quoted with '"' or '\” to
// hold ',' or '}'; there is no escape inside quotes. Errors are [*SyntaxError] values.
func ParseMetricKey(key string) (name string, tags Tags, err error) {
	p := &thresholdParser{src: key}
	brace := strings.IndexByte(key, '{')
	if brace < 0 {
		name = strings.TrimSpace(key)
		if err := ValidateName(name); err != nil {
			return "", Tags{}, p.errorf(0, "%v", err)
		}
		return name, Tags{}, nil
	}
	name = strings.TrimSpace(key[:brace])
	if err := ValidateName(name); err != nil {
		return "", Tags{}, p.errorf(0, "%v", err)
	}
	p.pos = brace + 1
	var pairs []Tag
	for {
		p.skipBlanks()
		if p.pos == len(key) {
			return "", Tags{}, p.errorf(p.pos, "expected '}'")
		}
		if key[p.pos] == '}' && len(pairs) == 0 {
			p.pos++
			break
		}
		kstart := p.pos
		for p.pos < len(key) && !strings.ContainsRune(":,{}", rune(key[p.pos])) {
			p.pos++
		}
		tag := strings.TrimSpace(key[kstart:p.pos])
		if tag == "" {
			return "", Tags{}, p.errorf(kstart, "expected a tag name")
		}
		if p.pos == len(key) || key[p.pos] != ':' {
			return "", Tags{}, p.errorf(p.pos, "expected ':'")
		}
		p.pos++
		p.skipBlanks()
		var value string
		if p.pos < len(key) && (key[p.pos] == '"' || key[p.pos] == '\'') {
			q := key[p.pos]
			end := strings.IndexByte(key[p.pos+1:], q)
			if end < 0 {
				return "", Tags{}, p.errorf(p.pos, "unterminated quoted value")
			}
			value = key[p.pos+1 : p.pos+1+end]
			p.pos += end + 2
			p.skipBlanks()
		} else {
			vstart := p.pos
			for p.pos < len(key) && key[p.pos] != ',' && key[p.pos] != '}' {
				p.pos++
			}
			value = strings.TrimSpace(key[vstart:p.pos])
		}
		pairs = append(pairs, Tag{Key: tag, Value: value})
		if p.pos == len(key) {
			return "", Tags{}, p.errorf(p.pos, "expected ',' or '}'")
		}
		if key[p.pos] == '}' {
			p.pos++
			break
		}
		if key[p.pos] != ',' {
			return "", Tags{}, p.errorf(p.pos, "expected ',' or '}'")
		}
		p.pos++
	}
	p.skipBlanks()
	if p.pos < len(key) {
		return "", Tags{}, p.errorf(p.pos, "unexpected %q after '}'", key[p.pos:])
	}
	return name, fromSlice(pairs), nil
}

// MetricKey formats a metric name and tag set as a selector: "name" or "name{k:v}".
func MetricKey(name string, tags Tags) string { return name + tags.String() }
