package stix

import (
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of brackets and parentheses, and maxLength
// the size of a pattern, so that a hostile pattern cannot make the parser or
// the recursive walks over its tree run long or deep. A megabyte holds tens
// of thousands of comparisons, more than any indicator feed puts in one
// pattern.
const (
	maxDepth  = 250
	maxLength = 1 << 20
)

// ParsePattern parses a pattern of the STIX Patterning language (STIX 2.1
// section 9, with the grammar of the OASIS STIXPattern.g4 for 2.1). Keywords
// are case-sensitive. Besides the grammar it enforces the rules of the
// section's text: comparison expressions joined by AND must be satisfiable by
// one object type (9.5), an observation expression has at most one qualifier
// of each kind (9.7), WITHIN and REPEATS take positive numbers, STOP lies
// after START, and timestamps are real UTC instants. On failure the error is
// a *PatternError naming what was expected where.
func ParsePattern(s string) (*Pattern, error) {
	if len(s) > maxLength {
		return nil, &PatternError{Offset: 0, Line: 1, Column: 1, Msg: "the pattern is longer than 1 MiB"}
	}
	p := &parser{lx: lexer{src: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.followedBy()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.expected("AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern")
	}
	return &Pattern{Expr: e}, nil
}

type parser struct {
	lx    lexer
	tok   token
	depth int
}

func (p *parser) advance() *PatternError {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errAt(pos int, msg string) *PatternError {
	return newPatternError(p.lx.src, pos, msg)
}

// expected reports that the current token is not what the grammar needs.
func (p *parser) expected(what string) *PatternError {
	found := "the end of the pattern"
	if p.tok.kind != tEOF {
		text := p.tok.text
		if r := []rune(text); len(r) > 40 {
			text = string(r[:37]) + "..."
		}
		found = "'" + text + "'"
	}
	msg := "expected " + what + ", found " + found
	if p.tok.kind == tIdent {
		if _, kw := keywords[strings.ToUpper(p.tok.text)]; kw {
			msg += " (keywords are case-sensitive: " + strings.ToUpper(p.tok.text) + ")"
		}
	}
	return p.errAt(p.tok.pos, msg)
}

func (p *parser) expect(k tokKind, what string) *PatternError {
	if p.tok.kind != k {
		return p.expected(what)
	}
	return p.advance()
}

func (p *parser) enter() *PatternError {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(p.tok.pos, "the pattern is nested too deeply (more than "+strconv.Itoa(maxDepth)+" levels)")
	}
	return nil
}

// followedBy, obsOr and obsAnd parse the observation operators, loosest
// first, each associating to the left.
func (p *parser) followedBy() (ObservationExpr, *PatternError) {
	return p.obsBinary(kFOLLOWEDBY, FollowedBy, p.obsOr)
}

func (p *parser) obsOr() (ObservationExpr, *PatternError) {
	return p.obsBinary(kOR, ObsOr, p.obsAnd)
}

func (p *parser) obsAnd() (ObservationExpr, *PatternError) {
	return p.obsBinary(kAND, ObsAnd, p.qualified)
}

func (p *parser) obsBinary(k tokKind, op ObservationOperator, sub func() (ObservationExpr, *PatternError)) (ObservationExpr, *PatternError) {
	left, err := sub()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == k {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := sub()
		if err != nil {
			return nil, err
		}
		left = &ObservationOp{Op: op, Left: left, Right: right}
	}
	return left, nil
}

// qualified parses "[ … ]" or "( … )" and the qualifiers that follow.
func (p *parser) qualified() (ObservationExpr, *PatternError) {
	var base ObservationExpr
	if err := p.enter(); err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tLBrack:
		if err := p.advance(); err != nil {
			return nil, err
		}
		cmp, _, err := p.cmpOr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRBrack, "AND, OR or ']'"); err != nil {
			return nil, err
		}
		base = &Observation{Comparison: cmp}
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		e, err := p.followedBy()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen, "AND, OR, FOLLOWEDBY, a qualifier or ')'"); err != nil {
			return nil, err
		}
		base = e
	default:
		return nil, p.expected("'[' or '(' to begin an observation expression")
	}
	p.depth--
	var quals []Qualifier
	for p.tok.kind == kWITHIN || p.tok.kind == kREPEATS || p.tok.kind == kSTART {
		pos := p.tok.pos
		q, err := p.qualifier()
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(quals, func(o Qualifier) bool { return o.Kind == q.Kind }) {
			return nil, p.errAt(pos, "an observation expression must not have two "+
				[...]string{"", "WITHIN", "REPEATS", "START/STOP"}[q.Kind]+
				" qualifiers; put it in parentheses to qualify it again")
		}
		quals = append(quals, q)
	}
	if len(quals) == 0 {
		return base, nil
	}
	// "(x WITHIN 5 SECONDS) REPEATS 2 TIMES" is the same tree as "x WITHIN
	// 5 SECONDS REPEATS 2 TIMES": merge unless a kind would repeat.
	if inner, ok := base.(*Qualified); ok && !slices.ContainsFunc(inner.Qualifiers, func(o Qualifier) bool {
		return slices.ContainsFunc(quals, func(n Qualifier) bool { return n.Kind == o.Kind })
	}) {
		return &Qualified{Expr: inner.Expr, Qualifiers: append(slices.Clone(inner.Qualifiers), quals...)}, nil
	}
	return &Qualified{Expr: base, Qualifiers: quals}, nil
}

func (p *parser) qualifier() (Qualifier, *PatternError) {
	kw := p.tok.kind
	if err := p.advance(); err != nil {
		return Qualifier{}, err
	}
	switch kw {
	case kWITHIN:
		if (p.tok.kind != tInt && p.tok.kind != tFloat) || p.tok.text[0] == '-' {
			return Qualifier{}, p.expected("a positive number of seconds")
		}
		f, _ := strconv.ParseFloat(p.tok.text, 64)
		if f <= 0 {
			return Qualifier{}, p.errAt(p.tok.pos, "the WITHIN duration must be greater than 0")
		}
		if err := p.advance(); err != nil {
			return Qualifier{}, err
		}
		return Qualifier{Kind: Within, Seconds: f}, p.expect(kSECONDS, "SECONDS")
	case kREPEATS:
		if p.tok.kind != tInt || p.tok.text[0] == '-' {
			return Qualifier{}, p.expected("a positive integer")
		}
		n, _ := strconv.ParseInt(p.tok.text, 10, 64)
		if n <= 0 {
			return Qualifier{}, p.errAt(p.tok.pos, "the REPEATS count must be greater than 0")
		}
		if err := p.advance(); err != nil {
			return Qualifier{}, err
		}
		return Qualifier{Kind: Repeats, Times: n}, p.expect(kTIMES, "TIMES")
	}
	if p.tok.kind != tTimestamp {
		return Qualifier{}, p.expected("a timestamp t'…' after START")
	}
	q := Qualifier{Kind: StartStop, Start: p.tok.val}
	if err := p.advance(); err != nil {
		return Qualifier{}, err
	}
	if err := p.expect(kSTOP, "STOP"); err != nil {
		return Qualifier{}, err
	}
	if p.tok.kind != tTimestamp {
		return Qualifier{}, p.expected("a timestamp t'…' after STOP")
	}
	q.Stop = p.tok.val
	start, _, _ := ParseTimestamp(q.Start)
	stop, _, _ := ParseTimestamp(q.Stop)
	if !stop.After(start) {
		return Qualifier{}, p.errAt(p.tok.pos, "the STOP timestamp must be later than the START timestamp")
	}
	return q, p.advance()
}

// cmpOr and cmpAnd parse comparison expressions. Each also returns the
// object types its expression can be satisfied by: the union for OR, the
// intersection for AND, which must not be empty (section 9.5: all operands
// of AND must be satisfiable by the same type of object).
func (p *parser) cmpOr() (ComparisonExpr, *typeSet, *PatternError) {
	left, types, err := p.cmpAnd()
	if err != nil {
		return nil, nil, err
	}
	for p.tok.kind == kOR {
		if err := p.advance(); err != nil {
			return nil, nil, err
		}
		right, rtypes, err := p.cmpAnd()
		if err != nil {
			return nil, nil, err
		}
		types.union(rtypes)
		left = &ComparisonOp{Op: Or, Left: left, Right: right}
	}
	return left, types, nil
}

func (p *parser) cmpAnd() (ComparisonExpr, *typeSet, *PatternError) {
	left, types, err := p.propTest()
	if err != nil {
		return nil, nil, err
	}
	for p.tok.kind == kAND {
		pos := p.tok.pos
		if err := p.advance(); err != nil {
			return nil, nil, err
		}
		right, rtypes, err := p.propTest()
		if err != nil {
			return nil, nil, err
		}
		both := types.intersect(rtypes)
		if len(both.list) == 0 {
			return nil, nil, p.errAt(pos, "comparisons joined by AND must be satisfiable by one object type, but the left side tests "+
				types.String()+" and the right side "+rtypes.String()+"; use OR or separate observations")
		}
		types = both
		left = &ComparisonOp{Op: And, Left: left, Right: right}
	}
	return left, types, nil
}

// typeSet is a set of object types in the order first seen; past a few
// members an index keeps union and intersection linear, so that a pattern of
// thousands of ORed types parses in linear time.
type typeSet struct {
	list  []string
	index map[string]bool
}

func newTypeSet(t string) *typeSet { return &typeSet{list: []string{t}} }

func (s *typeSet) has(t string) bool {
	if s.index != nil {
		return s.index[t]
	}
	return slices.Contains(s.list, t)
}

func (s *typeSet) add(t string) {
	if s.has(t) {
		return
	}
	s.list = append(s.list, t)
	switch {
	case s.index != nil:
		s.index[t] = true
	case len(s.list) > 16:
		s.index = make(map[string]bool, 2*len(s.list))
		for _, x := range s.list {
			s.index[x] = true
		}
	}
}

func (s *typeSet) union(o *typeSet) {
	for _, t := range o.list {
		s.add(t)
	}
}

func (s *typeSet) intersect(o *typeSet) *typeSet {
	small, large := s, o
	if len(o.list) < len(s.list) {
		small, large = o, s
	}
	both := &typeSet{}
	for _, t := range small.list {
		if large.has(t) {
			both.add(t)
		}
	}
	return both
}

// String names up to five types for an error message.
func (s *typeSet) String() string {
	if len(s.list) > 5 {
		return strings.Join(s.list[:5], " or ") + " or others"
	}
	return strings.Join(s.list, " or ")
}

func (p *parser) propTest() (ComparisonExpr, *typeSet, *PatternError) {
	switch p.tok.kind {
	case tLParen:
		if err := p.enter(); err != nil {
			return nil, nil, err
		}
		if err := p.advance(); err != nil {
			return nil, nil, err
		}
		e, types, err := p.cmpOr()
		if err != nil {
			return nil, nil, err
		}
		p.depth--
		return e, types, p.expect(tRParen, "AND, OR or ')'")
	case kEXISTS:
		if err := p.advance(); err != nil {
			return nil, nil, err
		}
		path, err := p.path()
		if err != nil {
			return nil, nil, err
		}
		return &Comparison{Path: path, Op: Exists}, newTypeSet(path.Type), nil
	case tIdent:
	default:
		return nil, nil, p.expected("an object path, '(' or EXISTS")
	}
	path, err := p.path()
	if err != nil {
		return nil, nil, err
	}
	c := &Comparison{Path: path}
	if p.tok.kind == kNOT {
		c.Negated = true
		if err := p.advance(); err != nil {
			return nil, nil, err
		}
	}
	op, ok := operators[p.tok.kind]
	if !ok {
		return nil, nil, p.expected("a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET)")
	}
	c.Op = op
	if err := p.advance(); err != nil {
		return nil, nil, err
	}
	switch op {
	case Equal, NotEqual:
		c.Value, err = p.constant(false)
	case Greater, Less, GreaterEqual, LessEqual:
		c.Value, err = p.constant(true)
	case In:
		c.Set, err = p.set()
	default:
		if p.tok.kind != tString {
			return nil, nil, p.expected("a string constant after " + op.String())
		}
		c.Value = Constant{Kind: StringConst, Str: p.tok.val}
		err = p.advance()
	}
	if err != nil {
		return nil, nil, err
	}
	return c, newTypeSet(path.Type), nil
}
