package stix

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Pattern is a parsed STIX pattern (STIX 2.1 section 9). Its tree carries no
// parentheses: String puts back exactly those the precedence needs.
type Pattern struct {
	Expr ObservationExpr
}

// ObservationExpr is an observation expression: *Observation,
// *ObservationOp or *Qualified.
type ObservationExpr interface{ obsExpr() }

// Observation is "[ comparison ]", matched against one observed object.
type Observation struct {
	Comparison ComparisonExpr
}

// ObservationOperator joins two observation expressions.
type ObservationOperator uint8

// The observation operators, loosest binding first (section 9.6).
const (
	FollowedBy ObservationOperator = iota + 1
	ObsOr
	ObsAnd
)

// ObservationOp is Left Op Right; operators of equal precedence associate to
// the left.
type ObservationOp struct {
	Op          ObservationOperator
	Left, Right ObservationExpr
}

// Qualified applies qualifiers, in order, to an observation expression. The
// parser merges "(x WITHIN 5 SECONDS) REPEATS 2 TIMES" into one chain; a
// Qualified inside a Qualified remains only where merging would repeat a
// qualifier kind.
type Qualified struct {
	Expr       ObservationExpr
	Qualifiers []Qualifier
}

// QualifierKind names a qualifier (section 9.7).
type QualifierKind uint8

// The qualifiers.
const (
	Within QualifierKind = iota + 1
	Repeats
	StartStop
)

// Qualifier is WITHIN n SECONDS (Seconds), REPEATS n TIMES (Times), or
// START t'…' STOP t'…' (Start, Stop, with the timestamps as written).
type Qualifier struct {
	Kind        QualifierKind
	Seconds     float64
	Times       int64
	Start, Stop string
}

// ComparisonExpr is a comparison expression: *Comparison or *ComparisonOp.
type ComparisonExpr interface{ cmpExpr() }

// BoolOperator joins comparison expressions; AND binds tighter than OR.
type BoolOperator uint8

// The boolean operators of comparison expressions.
const (
	Or BoolOperator = iota + 1
	And
)

// ComparisonOp is Left Op Right.
type ComparisonOp struct {
	Op          BoolOperator
	Left, Right ComparisonExpr
}

// Operator is a comparison operator (section 9.5).
type Operator uint8

// The comparison operators. == and <> are read as Equal and NotEqual.
const (
	Equal Operator = iota + 1
	NotEqual
	Greater
	Less
	GreaterEqual
	LessEqual
	In
	Like
	Matches
	IsSubset
	IsSuperset
	Exists
)

var operatorText = [...]string{"", "=", "!=", ">", "<", ">=", "<=", "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"}

// String returns the operator as a pattern writes it.
func (o Operator) String() string {
	if int(o) < len(operatorText) {
		return operatorText[o]
	}
	return "?"
}

// Comparison tests one object path. Value holds the constant, Set the
// constants of IN; Exists has neither. Negated is the NOT before the
// operator.
type Comparison struct {
	Path    ObjectPath
	Op      Operator
	Negated bool
	Value   Constant
	Set     []Constant
}

// ObjectPath is type:property followed by steps (section 9.3).
type ObjectPath struct {
	Type  string
	Steps []PathStep // the first is always a key
}

// PathStep is a property key, a list index, or [*] (Any).
type PathStep struct {
	Key   string
	Index int64
	Kind  StepKind
}

// StepKind tells what a PathStep is.
type StepKind uint8

// The kinds of path steps.
const (
	KeyStep StepKind = iota
	IndexStep
	AnyIndexStep
)

// ConstantKind is the type of a constant (section 9.2).
type ConstantKind uint8

// The constant types.
const (
	StringConst ConstantKind = iota + 1
	IntConst
	FloatConst
	BoolConst
	BinaryConst
	HexConst
	TimestampConst
)

// Constant is a literal. Str holds strings (decoded), binary (canonical
// base64), hex (lower case) and timestamps (as written); Int, Float and Bool
// the others.
type Constant struct {
	Kind  ConstantKind
	Str   string
	Int   int64
	Float float64
	Bool  bool
}

// Time returns the instant of a timestamp constant.
func (c Constant) Time() time.Time {
	t, _, _ := ParseTimestamp(c.Str)
	return t
}

func (*Observation) obsExpr()   {}
func (*ObservationOp) obsExpr() {}
func (*Qualified) obsExpr()     {}
func (*Comparison) cmpExpr()    {}
func (*ComparisonOp) cmpExpr()  {}

// String renders the pattern canonically: single spaces, "=" and "!=" for
// "==" and "<>", unquoted keys where the grammar allows, canonical numbers,
// binary and hex, and only the parentheses precedence requires. Parsing the
// result gives back the same tree.
func (p *Pattern) String() string {
	var b strings.Builder
	writeObs(&b, p.Expr, 0)
	return b.String()
}

func obsPrec(e ObservationExpr) int {
	if op, ok := e.(*ObservationOp); ok {
		return int(op.Op) // FollowedBy 1, Or 2, And 3
	}
	return 4
}

func writeObs(b *strings.Builder, e ObservationExpr, min int) {
	if obsPrec(e) < min {
		b.WriteByte('(')
		writeObs(b, e, 0)
		b.WriteByte(')')
		return
	}
	switch e := e.(type) {
	case *Observation:
		b.WriteByte('[')
		writeCmp(b, e.Comparison, 0)
		b.WriteByte(']')
	case *ObservationOp:
		p := int(e.Op)
		writeObs(b, e.Left, p)
		b.WriteString([...]string{"", " FOLLOWEDBY ", " OR ", " AND "}[e.Op])
		writeObs(b, e.Right, p+1)
	case *Qualified:
		if _, ok := e.Expr.(*Observation); ok {
			writeObs(b, e.Expr, 4)
		} else {
			b.WriteByte('(')
			writeObs(b, e.Expr, 0)
			b.WriteByte(')')
		}
		for _, q := range e.Qualifiers {
			switch q.Kind {
			case Within:
				b.WriteString(" WITHIN " + withinText(q.Seconds) + " SECONDS")
			case Repeats:
				b.WriteString(" REPEATS " + strconv.FormatInt(q.Times, 10) + " TIMES")
			case StartStop:
				b.WriteString(" START t'" + q.Start + "' STOP t'" + q.Stop + "'")
			}
		}
	}
}

func writeCmp(b *strings.Builder, e ComparisonExpr, min int) {
	if op, ok := e.(*ComparisonOp); ok {
		if int(op.Op) < min {
			b.WriteByte('(')
			writeCmp(b, e, 0)
			b.WriteByte(')')
			return
		}
		writeCmp(b, op.Left, int(op.Op))
		b.WriteString([...]string{"", " OR ", " AND "}[op.Op])
		writeCmp(b, op.Right, int(op.Op)+1)
		return
	}
	c := e.(*Comparison)
	if c.Op == Exists {
		b.WriteString("EXISTS ")
		c.Path.write(b)
		return
	}
	c.Path.write(b)
	if c.Negated {
		b.WriteString(" NOT")
	}
	b.WriteString(" " + c.Op.String() + " ")
	if c.Op == In {
		b.WriteByte('(')
		for i, v := range c.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			v.write(b)
		}
		b.WriteByte(')')
		return
	}
	c.Value.write(b)
}

// String renders the path as a pattern writes it.
func (p ObjectPath) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p ObjectPath) write(b *strings.Builder) {
	b.WriteString(p.Type)
	b.WriteByte(':')
	for i, s := range p.Steps {
		switch s.Kind {
		case KeyStep:
			if i > 0 {
				b.WriteByte('.')
			}
			if bareKey(s.Key) {
				b.WriteString(s.Key)
			} else {
				writeQuoted(b, s.Key)
			}
		case IndexStep:
			b.WriteString("[" + strconv.FormatInt(s.Index, 10) + "]")
		case AnyIndexStep:
			b.WriteString("[*]")
		}
	}
}

// bareKey reports whether a key lexes back as IdentifierWithoutHyphen.
func bareKey(k string) bool {
	if k == "" || !identStart(k[0]) || k == "true" || k == "false" {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !identPart(k[i]) {
			return false
		}
	}
	_, kw := keywords[k]
	return !kw
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
}

// String renders the constant as a pattern writes it.
func (c Constant) String() string {
	var b strings.Builder
	c.write(&b)
	return b.String()
}

func (c Constant) write(b *strings.Builder) {
	switch c.Kind {
	case StringConst:
		writeQuoted(b, c.Str)
	case IntConst:
		b.WriteString(strconv.FormatInt(c.Int, 10))
	case FloatConst:
		b.WriteString(formatFloat(c.Float))
	case BoolConst:
		b.WriteString(strconv.FormatBool(c.Bool))
	case BinaryConst:
		b.WriteString("b'" + c.Str + "'")
	case HexConst:
		b.WriteString("h'" + c.Str + "'")
	case TimestampConst:
		b.WriteString("t'" + c.Str + "'")
	}
}

// formatFloat writes a float in plain decimal with a decimal point, so that
// it reads back as a float.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// withinText writes a WITHIN duration as an integer when it is one that
// reads back as an integer, else as a float.
func withinText(f float64) string {
	if f == math.Trunc(f) && f < 1<<62 {
		return strconv.FormatInt(int64(f), 10)
	}
	return formatFloat(f)
}
