package metrics

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Threshold expressions, k6's language.
//
// Grammar (BNF; terminals are quoted; blanks, that is spaces and tabs, may appear between any
// two tokens and at both ends):
//
//	threshold   ::= aggregation operator number
//	aggregation ::= "count" | "rate" | "value" | "min" | "max" | "avg" | "med"
//	              | "passes" | "fails" | percentile
//	percentile  ::= "p" "(" number ")"
//	operator    ::= "<=" | ">=" | "===" | "!==" | "==" | "!=" | "<" | ">"
//	number      ::= [ "+" | "-" ] ( digits [ "." [ digits ] ] | "." digits ) [ exponent ]
//	exponent    ::= ( "e" | "E" ) [ "+" | "-" ] digits
//	digits      ::= "0" … "9" { "0" … "9" }
//
// Operators are matched longest first, so "<=" is never read as "<" followed by "=", and "==="
// is k6's (JavaScript's) spelling of "==". A percentile is between 0 and 100 and may be
// fractional: p(99.9). "passes" and "fails" are ctiload's additions for rate metrics (the
// numbers of non-zero and zero samples), so that every key of a rate's summary is also a
// threshold aggregation.
//
// Errors are [*SyntaxError] values giving the 1-based column (byte offset + 1) of the problem.

// Tokens of the threshold language.
const (
	tokCount      = "count"
	tokRate       = "rate"
	tokValue      = "value"
	tokMin        = "min"
	tokMax        = "max"
	tokAvg        = "avg"
	tokMed        = "med"
	tokPasses     = "passes"
	tokFails      = "fails"
	tokPercentile = "p"
	tokLParen     = "("
	tokRParen     = ")"

	tokLessEq    = "<="
	tokGreaterEq = ">="
	tokStrictEq  = "==="
	tokStrictNe  = "!=="
	tokEq        = "=="
	tokNe        = "!="
	tokLess      = "<"
	tokGreater   = ">"
)

// AggregationMethod is what a threshold (or a summary key) computes from a sink.
type AggregationMethod int

// Aggregation methods; Percentile takes its argument from Aggregation.Percentile.
const (
	AggCount AggregationMethod = iota + 1
	AggRate
	AggValue
	AggMin
	AggMax
	AggAvg
	AggMed
	AggPasses
	AggFails
	AggPercentile
)

// aggregationTokens maps each named method to its token; the percentile is handled apart.
var aggregationTokens = map[string]AggregationMethod{
	tokCount: AggCount, tokRate: AggRate, tokValue: AggValue, tokMin: AggMin, tokMax: AggMax,
	tokAvg: AggAvg, tokMed: AggMed, tokPasses: AggPasses, tokFails: AggFails,
}

var aggregationNames = [...]string{
	AggCount: tokCount, AggRate: tokRate, AggValue: tokValue, AggMin: tokMin, AggMax: tokMax,
	AggAvg: tokAvg, AggMed: tokMed, AggPasses: tokPasses, AggFails: tokFails, AggPercentile: tokPercentile,
}

// Aggregation is an aggregation method with its argument.
type Aggregation struct {
	Method     AggregationMethod
	Percentile float64 // for AggPercentile: 0 to 100
}

// String returns the aggregation as written in thresholds and used as summary key: "avg",
// "p(99.9)".
func (a Aggregation) String() string {
	if a.Method == AggPercentile {
		return PercentileKey(a.Percentile)
	}
	if a.Method < AggCount || a.Method > AggPercentile {
		return fmt.Sprintf("Aggregation(%d)", int(a.Method))
	}
	return aggregationNames[a.Method]
}

// PercentileKey returns the summary key of percentile p, "p(95)", "p(99.9)".
func PercentileKey(p float64) string {
	return tokPercentile + tokLParen + strconv.FormatFloat(p, 'f', -1, 64) + tokRParen
}

// ParseAggregation parses one aggregation ("avg", "p(99.9)"), the form summary keys and trend
// stats use.
func ParseAggregation(s string) (Aggregation, error) {
	p := &thresholdParser{src: s}
	p.skipBlanks()
	a, err := p.aggregation()
	if err != nil {
		return Aggregation{}, err
	}
	p.skipBlanks()
	if p.pos < len(p.src) {
		return Aggregation{}, p.errorf(p.pos, "unexpected %q after the aggregation", p.src[p.pos:])
	}
	return a, nil
}

// Operator compares an observed value with a threshold's value.
type Operator int

// Comparison operators.
const (
	OpLess Operator = iota + 1
	OpLessEq
	OpGreater
	OpGreaterEq
	OpEq
	OpNe
)

var operatorNames = [...]string{OpLess: tokLess, OpLessEq: tokLessEq, OpGreater: tokGreater,
	OpGreaterEq: tokGreaterEq, OpEq: tokEq, OpNe: tokNe}

// operatorTokens is tried in order: longer operators first, so that "<=" wins over "<" and
// "===" over "==".
var operatorTokens = []struct {
	tok string
	op  Operator
}{
	{tokStrictEq, OpEq}, {tokStrictNe, OpNe},
	{tokLessEq, OpLessEq}, {tokGreaterEq, OpGreaterEq}, {tokEq, OpEq}, {tokNe, OpNe},
	{tokLess, OpLess}, {tokGreater, OpGreater},
}

// String returns the operator's canonical token ("==" for both "==" and "===").
func (o Operator) String() string {
	if o < OpLess || o > OpNe {
		return fmt.Sprintf("Operator(%d)", int(o))
	}
	return operatorNames[o]
}

// Compare reports whether "observed o value" holds.
func (o Operator) Compare(observed, value float64) bool {
	switch o {
	case OpLess:
		return observed < value
	case OpLessEq:
		return observed <= value
	case OpGreater:
		return observed > value
	case OpGreaterEq:
		return observed >= value
	case OpEq:
		return observed == value
	case OpNe:
		return observed != value
	}
	return false
}

// Threshold is one parsed threshold expression with its options.
type Threshold struct {
	Source         string // the expression as the user wrote it
	Aggregation    Aggregation
	Operator       Operator
	Value          float64
	AbortOnFail    bool
	DelayAbortEval time.Duration
}

// String returns the expression in canonical form, without blanks: "p(99.9)<1000".
func (t Threshold) String() string {
	return t.Aggregation.String() + t.Operator.String() + strconv.FormatFloat(t.Value, 'g', -1, 64)
}

// Passes reports whether observed satisfies the threshold.
func (t Threshold) Passes(observed float64) bool {
	return t.Operator.Compare(observed, t.Value)
}

// SyntaxError is an error in a threshold expression or a metric key, at a column.
type SyntaxError struct {
	Column int // 1-based
	Msg    string
}

// Error implements error.
func (e *SyntaxError) Error() string { return fmt.Sprintf("at column %d: %s", e.Column, e.Msg) }

// ParseThreshold parses a threshold expression (see the grammar above). The returned
// threshold's Source is src.
func ParseThreshold(src string) (Threshold, error) {
	p := &thresholdParser{src: src}
	p.skipBlanks()
	agg, err := p.aggregation()
	if err != nil {
		return Threshold{}, err
	}
	p.skipBlanks()
	op, err := p.operator()
	if err != nil {
		return Threshold{}, err
	}
	p.skipBlanks()
	v, err := p.number("a number after the operator")
	if err != nil {
		return Threshold{}, err
	}
	p.skipBlanks()
	if p.pos < len(p.src) {
		return Threshold{}, p.errorf(p.pos, "unexpected %q after the threshold value", p.src[p.pos:])
	}
	return Threshold{Source: src, Aggregation: agg, Operator: op, Value: v}, nil
}

type thresholdParser struct {
	src string
	pos int
}

func (p *thresholdParser) errorf(pos int, format string, args ...any) error {
	return &SyntaxError{Column: pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *thresholdParser) skipBlanks() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

const aggregationList = "count, rate, value, min, max, avg, med, passes, fails or p(N)"

func (p *thresholdParser) aggregation() (Aggregation, error) {
	start := p.pos
	for p.pos < len(p.src) && isLetter(p.src[p.pos]) {
		p.pos++
	}
	word := p.src[start:p.pos]
	if word == "" {
		if start == len(p.src) {
			return Aggregation{}, p.errorf(start, "expected an aggregation (%s), got the end of the expression", aggregationList)
		}
		return Aggregation{}, p.errorf(start, "expected an aggregation (%s)", aggregationList)
	}
	if m, ok := aggregationTokens[word]; ok {
		return Aggregation{Method: m}, nil
	}
	if word != tokPercentile {
		return Aggregation{}, p.errorf(start, "unknown aggregation %q, expected %s", word, aggregationList)
	}
	p.skipBlanks()
	if !strings.HasPrefix(p.src[p.pos:], tokLParen) {
		return Aggregation{}, p.errorf(p.pos, "expected '(' after 'p'")
	}
	p.pos += len(tokLParen)
	p.skipBlanks()
	numPos := p.pos
	v, err := p.number("a percentile")
	if err != nil {
		return Aggregation{}, err
	}
	if v < 0 || v > 100 {
		return Aggregation{}, p.errorf(numPos, "percentile %s out of range, expected 0 to 100", p.src[numPos:p.pos])
	}
	p.skipBlanks()
	if !strings.HasPrefix(p.src[p.pos:], tokRParen) {
		return Aggregation{}, p.errorf(p.pos, "expected ')'")
	}
	p.pos += len(tokRParen)
	return Aggregation{Method: AggPercentile, Percentile: v}, nil
}

func (p *thresholdParser) operator() (Operator, error) {
	rest := p.src[p.pos:]
	for _, o := range operatorTokens {
		if strings.HasPrefix(rest, o.tok) {
			p.pos += len(o.tok)
			return o.op, nil
		}
	}
	if rest == "" {
		return 0, p.errorf(p.pos, "expected an operator (<, <=, >, >=, ==, !=, ===, !==), got the end of the expression")
	}
	return 0, p.errorf(p.pos, "expected an operator (<, <=, >, >=, ==, !=, ===, !==)")
}

// number scans the number production and converts it; what names the expected thing in errors.
func (p *thresholdParser) number(what string) (float64, error) {
	s := p.src
	start := p.pos
	i := start
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		if start == len(s) {
			return 0, p.errorf(start, "expected %s, got the end of the expression", what)
		}
		return 0, p.errorf(start, "expected %s", what)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j == len(s) || !isDigit(s[j]) {
			return 0, p.errorf(j, "expected the digits of an exponent")
		}
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		i = j
	}
	v, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil {
		// Only overflow can get here: the scanner admits nothing else ParseFloat rejects.
		return 0, p.errorf(start, "number %s out of range", s[start:i])
	}
	p.pos = i
	return v, nil
}
