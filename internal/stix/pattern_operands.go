package stix

import "strconv"

var operators = map[tokKind]Operator{tEQ: Equal, tNEQ: NotEqual, tGT: Greater, tLT: Less, tGE: GreaterEqual,
	tLE: LessEqual, kIN: In, kLIKE: Like, kMATCHES: Matches, kISSUBSET: IsSubset, kISSUPERSET: IsSuperset}

// path parses type:key followed by .key, .'quoted key', [n] and [*].
func (p *parser) path() (ObjectPath, *PatternError) {
	if p.tok.kind != tIdent {
		return ObjectPath{}, p.expected("an object type")
	}
	path := ObjectPath{Type: p.tok.text}
	if err := p.advance(); err != nil {
		return path, err
	}
	if err := p.expect(tColon, "':' after the object type"); err != nil {
		return path, err
	}
	key := func() *PatternError {
		switch {
		case p.tok.kind == tString:
			path.Steps = append(path.Steps, PathStep{Key: p.tok.val})
		case p.tok.kind == tIdent && !p.tok.hyphen:
			path.Steps = append(path.Steps, PathStep{Key: p.tok.text})
		case p.tok.kind == tIdent:
			return p.errAt(p.tok.pos, "the property name "+p.tok.text+" contains a hyphen and must be quoted: '"+p.tok.text+"'")
		default:
			return p.expected("a property name")
		}
		return p.advance()
	}
	if err := key(); err != nil {
		return path, err
	}
	for {
		switch p.tok.kind {
		case tDot:
			if err := p.advance(); err != nil {
				return path, err
			}
			if err := key(); err != nil {
				return path, err
			}
		case tLBrack:
			if err := p.advance(); err != nil {
				return path, err
			}
			switch p.tok.kind {
			case tInt:
				n, _ := strconv.ParseInt(p.tok.text, 10, 64)
				path.Steps = append(path.Steps, PathStep{Kind: IndexStep, Index: n})
			case tStar:
				path.Steps = append(path.Steps, PathStep{Kind: AnyIndexStep})
			default:
				return path, p.expected("a list index or '*'")
			}
			if err := p.advance(); err != nil {
				return path, err
			}
			if err := p.expect(tRBrack, "']'"); err != nil {
				return path, err
			}
		default:
			return path, nil
		}
	}
}

// constant parses a literal; orderable excludes booleans (section 9.5:
// <, <=, >, >= compare numbers, strings, timestamps and binary data).
func (p *parser) constant(orderable bool) (Constant, *PatternError) {
	t := p.tok
	var c Constant
	switch t.kind {
	case tString:
		c = Constant{Kind: StringConst, Str: t.val}
	case tInt:
		n, _ := strconv.ParseInt(t.text, 10, 64)
		c = Constant{Kind: IntConst, Int: n}
	case tFloat:
		f, _ := strconv.ParseFloat(t.text, 64)
		c = Constant{Kind: FloatConst, Float: f}
	case tBool:
		if orderable {
			return c, p.expected("a number, string, timestamp, binary or hex constant")
		}
		c = Constant{Kind: BoolConst, Bool: t.val == "true"}
	case tBinary:
		c = Constant{Kind: BinaryConst, Str: t.val}
	case tHex:
		c = Constant{Kind: HexConst, Str: t.val}
	case tTimestamp:
		c = Constant{Kind: TimestampConst, Str: t.val}
	default:
		return c, p.expected("a constant")
	}
	return c, p.advance()
}

func (p *parser) set() ([]Constant, *PatternError) {
	if err := p.expect(tLParen, "'(' to begin the set after IN"); err != nil {
		return nil, err
	}
	var set []Constant
	if p.tok.kind == tRParen {
		return set, p.advance()
	}
	for {
		c, err := p.constant(false)
		if err != nil {
			return nil, err
		}
		set = append(set, c)
		switch p.tok.kind {
		case tComma:
			if err := p.advance(); err != nil {
				return nil, err
			}
		case tRParen:
			return set, p.advance()
		default:
			return nil, p.expected("',' or ')'")
		}
	}
}
