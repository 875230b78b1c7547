package stix

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PatternError is a syntax or semantic error in a STIX pattern. Offset is in
// bytes from the start of the pattern; Line and Column count from 1, the
// column in Unicode code points.
type PatternError struct {
	Offset int
	Line   int
	Column int
	Msg    string
}

// Error returns "line L, column C: message".
func (e *PatternError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tString
	tInt
	tFloat
	tHex
	tBinary
	tTimestamp
	tBool
	tLBrack
	tRBrack
	tLParen
	tRParen
	tColon
	tDot
	tComma
	tStar
	tEQ
	tNEQ
	tLT
	tLE
	tGT
	tGE
	// Keywords, case-sensitive as in the grammar of section 9.
	kAND
	kOR
	kNOT
	kFOLLOWEDBY
	kLIKE
	kMATCHES
	kISSUPERSET
	kISSUBSET
	kEXISTS
	kLAST
	kIN
	kSTART
	kSTOP
	kSECONDS
	kWITHIN
	kREPEATS
	kTIMES
)

var keywords = map[string]tokKind{
	"AND": kAND, "OR": kOR, "NOT": kNOT, "FOLLOWEDBY": kFOLLOWEDBY, "LIKE": kLIKE,
	"MATCHES": kMATCHES, "ISSUPERSET": kISSUPERSET, "ISSUBSET": kISSUBSET, "EXISTS": kEXISTS,
	"LAST": kLAST, "IN": kIN, "START": kSTART, "STOP": kSTOP, "SECONDS": kSECONDS,
	"WITHIN": kWITHIN, "REPEATS": kREPEATS, "TIMES": kTIMES,
}

// token is one lexeme. text is the source; val the decoded value of string,
// hex, binary and boolean literals; hyphen marks an identifier with a hyphen,
// which the grammar allows as an object type but not as a property name.
type token struct {
	kind   tokKind
	pos    int
	text   string
	val    string
	hyphen bool
}

type lexer struct {
	src string
	pos int
}

func (lx *lexer) errAt(pos int, format string, args ...any) *PatternError {
	return newPatternError(lx.src, pos, fmt.Sprintf(format, args...))
}

func newPatternError(src string, pos int, msg string) *PatternError {
	line, col := 1, 1
	for i, r := range src {
		if i >= pos {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &PatternError{Offset: pos, Line: line, Column: col, Msg: msg}
}

// isSpace is the WS rule of the grammar.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '\v', '\f', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// skip passes over white space and comments.
func (lx *lexer) skip() *PatternError {
	for lx.pos < len(lx.src) {
		s := lx.src[lx.pos:]
		switch {
		case strings.HasPrefix(s, "/*"):
			end := strings.Index(s[2:], "*/")
			if end < 0 {
				return lx.errAt(lx.pos, "unterminated comment: expected */")
			}
			lx.pos += end + 4
		case strings.HasPrefix(s, "//"):
			end := strings.IndexAny(s, "\r\n")
			if end < 0 {
				end = len(s)
			}
			lx.pos += end
		default:
			r, n := utf8.DecodeRuneInString(s)
			if !isSpace(r) {
				return nil
			}
			lx.pos += n
		}
	}
	return nil
}

func identStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func identPart(c byte) bool  { return identStart(c) || c >= '0' && c <= '9' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }

// next returns the next token.
func (lx *lexer) next() (token, *PatternError) {
	if err := lx.skip(); err != nil {
		return token{}, err
	}
	start := lx.pos
	if start >= len(lx.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := lx.src[start]
	single := func(k tokKind, n int) (token, *PatternError) {
		lx.pos += n
		return token{kind: k, pos: start, text: lx.src[start:lx.pos]}, nil
	}
	peek := func(i int) byte {
		if start+i < len(lx.src) {
			return lx.src[start+i]
		}
		return 0
	}
	switch {
	case identStart(c):
		if (c == 'h' || c == 'b' || c == 't') && peek(1) == '\'' {
			return lx.prefixed(c)
		}
		i, hyphen := start+1, false
		for i < len(lx.src) && (identPart(lx.src[i]) || lx.src[i] == '-') {
			hyphen = hyphen || lx.src[i] == '-'
			i++
		}
		lx.pos = i
		text := lx.src[start:i]
		if k, ok := keywords[text]; ok {
			return token{kind: k, pos: start, text: text}, nil
		}
		if text == "true" || text == "false" {
			return token{kind: tBool, pos: start, text: text, val: text}, nil
		}
		return token{kind: tIdent, pos: start, text: text, hyphen: hyphen}, nil
	case isDigit(c), (c == '+' || c == '-') && (isDigit(peek(1)) || peek(1) == '.' && isDigit(peek(2))),
		c == '.' && isDigit(peek(1)):
		return lx.number()
	case c == '\'':
		s, err := lx.quoted(start)
		if err != nil {
			return token{}, err
		}
		return token{kind: tString, pos: start, text: lx.src[start:lx.pos], val: s}, nil
	case c == '[':
		return single(tLBrack, 1)
	case c == ']':
		return single(tRBrack, 1)
	case c == '(':
		return single(tLParen, 1)
	case c == ')':
		return single(tRParen, 1)
	case c == ':':
		return single(tColon, 1)
	case c == '.':
		return single(tDot, 1)
	case c == ',':
		return single(tComma, 1)
	case c == '*':
		return single(tStar, 1)
	case c == '=':
		if peek(1) == '=' {
			return single(tEQ, 2)
		}
		return single(tEQ, 1)
	case c == '!' && peek(1) == '=':
		return single(tNEQ, 2)
	case c == '<':
		switch peek(1) {
		case '>':
			return single(tNEQ, 2)
		case '=':
			return single(tLE, 2)
		}
		return single(tLT, 1)
	case c == '>':
		if peek(1) == '=' {
			return single(tGE, 2)
		}
		return single(tGT, 1)
	}
	r, _ := utf8.DecodeRuneInString(lx.src[start:])
	if r == utf8.RuneError {
		return token{}, lx.errAt(start, "invalid UTF-8 in the pattern")
	}
	return token{}, lx.errAt(start, "unexpected character %q", r)
}

// number lexes IntPosLiteral, IntNegLiteral, FloatPosLiteral and
// FloatNegLiteral: an optional sign, digits without a leading zero for
// integers, and digits after a decimal point for floats (no exponent).
func (lx *lexer) number() (token, *PatternError) {
	start, i := lx.pos, lx.pos
	if lx.src[i] == '+' || lx.src[i] == '-' {
		i++
	}
	digits := i
	for i < len(lx.src) && isDigit(lx.src[i]) {
		i++
	}
	if i+1 < len(lx.src) && lx.src[i] == '.' && isDigit(lx.src[i+1]) {
		i++
		for i < len(lx.src) && isDigit(lx.src[i]) {
			i++
		}
		lx.pos = i
		text := lx.src[start:i]
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return token{}, lx.errAt(start, "the number %s is out of range", text)
		}
		return token{kind: tFloat, pos: start, text: text}, nil
	}
	lx.pos = i
	text := lx.src[start:i]
	if i-digits > 1 && lx.src[digits] == '0' {
		return token{}, lx.errAt(start, "integer %s must not have a leading zero", text)
	}
	if _, err := strconv.ParseInt(text, 10, 64); err != nil {
		return token{}, lx.errAt(start, "the integer %s is out of range", text)
	}
	return token{kind: tInt, pos: start, text: text}, nil
}

// quoted reads a string literal whose opening quote is at lx.pos; \' and \\
// are its only escapes (section 9.2). It returns the decoded value.
func (lx *lexer) quoted(open int) (string, *PatternError) {
	i := lx.pos + 1
	var b strings.Builder
	plain := i
	for i < len(lx.src) {
		switch lx.src[i] {
		case '\'':
			if b.Len() == 0 {
				lx.pos = i + 1
				return lx.src[plain:i], nil
			}
			b.WriteString(lx.src[plain:i])
			lx.pos = i + 1
			return b.String(), nil
		case '\\':
			if i+1 >= len(lx.src) || lx.src[i+1] != '\'' && lx.src[i+1] != '\\' {
				return "", lx.errAt(i, `invalid escape in string: only \' and \\ are allowed`)
			}
			b.WriteString(lx.src[plain:i])
			b.WriteByte(lx.src[i+1])
			i += 2
			plain = i
			continue
		}
		i++
	}
	return "", lx.errAt(open, "unterminated string: expected a closing '")
}

// prefixed lexes h'…' (hex), b'…' (base64) and t'…' (timestamp) constants.
func (lx *lexer) prefixed(prefix byte) (token, *PatternError) {
	start := lx.pos
	lx.pos++ // the prefix; quoted starts at the quote
	body, err := lx.quoted(start + 1)
	if err != nil {
		return token{}, err
	}
	text := lx.src[start:lx.pos]
	switch prefix {
	case 'h':
		if len(body)%2 != 0 {
			return token{}, lx.errAt(start, "hex constant must have an even number of hex digits")
		}
		for i := 0; i < len(body); i++ {
			if hexValue(body[i]) < 0 {
				return token{}, lx.errAt(start, "hex constant may contain only the digits 0-9 and a-f")
			}
		}
		return token{kind: tHex, pos: start, text: text, val: strings.ToLower(body)}, nil
	case 'b':
		if !validBase64(body) {
			return token{}, lx.errAt(start, "binary constant must be non-empty, padded base64")
		}
		dec, _ := base64.StdEncoding.DecodeString(body)
		return token{kind: tBinary, pos: start, text: text, val: base64.StdEncoding.EncodeToString(dec)}, nil
	}
	if _, _, err := ParseTimestamp(body); err != nil || strings.ContainsAny(body, `\`) {
		msg := "must be an RFC 3339 UTC timestamp"
		if err != nil {
			msg = err.Error()
		}
		return token{}, lx.errAt(start, "timestamp constant %s", msg)
	}
	return token{kind: tTimestamp, pos: start, text: text, val: body}, nil
}

// validBase64 follows the BinaryLiteral rule: groups of four characters of
// A–Z a–z 0–9 + /, the last possibly padded with one or two '='.
func validBase64(s string) bool {
	if len(s) == 0 || len(s)%4 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			rest := len(s) - i
			return rest <= 2 && (rest == 1 || s[i+1] == '=')
		}
		if !(identPart(c) && c != '_' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}
