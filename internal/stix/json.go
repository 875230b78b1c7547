package stix

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// members is a JSON object with its member names in order. Duplicate names
// are refused: encoding/json keeps the last of two "object_marking_refs"
// while another consumer may keep the first, and a marking must mean the
// same to every reader.
type members struct {
	names []string
	vals  map[string]json.RawMessage
}

// readMembers decodes a JSON object. A duplicate member name is an error.
func readMembers(raw []byte) (members, error) {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if !json.Valid(raw) {
			return members{}, errorf("is not valid JSON")
		}
		return members{}, errorf("must be a JSON object")
	}
	m := members{}
	if err := json.Unmarshal(raw, &m.vals); err != nil {
		if strings.Contains(err.Error(), "after top-level value") {
			return members{}, errorf("must contain one JSON object and nothing after it")
		}
		return members{}, errorf("is not valid JSON: " + err.Error())
	}
	m.names = make([]string, 0, len(m.vals))
	seen := make(map[string]bool, len(m.vals))
	for _, name := range topLevelNames(trimmed) {
		if seen[name] {
			return members{}, errorf("has the property " + strconv.Quote(name) + " twice")
		}
		seen[name] = true
		m.names = append(m.names, name)
	}
	return m, nil
}

// topLevelNames lists the member names of a valid JSON object in order,
// decoded as encoding/json decodes map keys.
func topLevelNames(obj []byte) []string {
	var names []string
	depth, wantName := 0, false
	for i := 0; i < len(obj); i++ {
		switch obj[i] {
		case '"':
			j, plain := i+1, true
			for obj[j] != '"' {
				switch {
				case obj[j] == '\\':
					plain = false
					j += 2
					continue
				case obj[j] >= 0x80:
					plain = false
				}
				j++
			}
			if depth == 1 && wantName {
				if plain {
					names = append(names, string(obj[i+1:j]))
				} else {
					var name string
					_ = json.Unmarshal(obj[i:j+1], &name)
					names = append(names, name)
				}
				wantName = false
			}
			i = j
		case '{', '[':
			depth++
			wantName = depth == 1
		case '}', ']':
			depth--
		case ',':
			wantName = depth == 1
		}
	}
	return names
}

// problems collects field → problem; the first problem of a field wins.
type problems map[string]string

func (p problems) add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// The as* helpers decode one JSON value and return a problem text, or "".
// JSON null is never a valid STIX value.

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

func asString(raw json.RawMessage) (string, string) {
	var s string
	if isNull(raw) || json.Unmarshal(raw, &s) != nil {
		return "", "must be a string"
	}
	return s, ""
}

func asBool(raw json.RawMessage) (bool, string) {
	switch string(raw) {
	case "true":
		return true, ""
	case "false":
		return false, ""
	}
	return false, "must be true or false"
}

// asInt reads a JSON integer written without fraction or exponent.
func asInt(raw json.RawMessage) (int64, string) {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, "must be an integer"
	}
	return n, ""
}

func asList(raw json.RawMessage) ([]json.RawMessage, string) {
	var l []json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &l) != nil {
		return nil, "must be a list"
	}
	if len(l) == 0 {
		// STIX 2.1 "list" data type: empty lists are prohibited.
		return nil, "must not be an empty list; leave the property out instead"
	}
	return l, ""
}

func asStringList(raw json.RawMessage) ([]string, string) {
	var l []string
	if isNull(raw) || json.Unmarshal(raw, &l) != nil {
		return nil, "must be a list of strings"
	}
	if len(l) == 0 {
		return nil, "must not be an empty list; leave the property out instead"
	}
	return l, ""
}

func asObject(raw json.RawMessage) (map[string]json.RawMessage, string) {
	var o map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &o) != nil {
		return nil, "must be a JSON object"
	}
	return o, ""
}

// asTimestamp reads a STIX timestamp; millis demands exactly three
// fractional digits, as STIX 2.1 section 3.2 does for created and modified.
func asTimestamp(raw json.RawMessage, millis bool) (time.Time, string) {
	s, p := asString(raw)
	if p != "" {
		return time.Time{}, "must be a timestamp string"
	}
	t, frac, err := ParseTimestamp(s)
	if err != nil {
		return time.Time{}, err.Error()
	}
	if millis && frac != 3 {
		return time.Time{}, "must be precise to the millisecond: exactly three digits after the decimal point, e.g. 2016-05-12T08:17:27.000Z"
	}
	return t, ""
}

func index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func parseJSONNumber(raw []byte) (float64, error) {
	var f float64
	if isNull(raw) {
		return 0, errorf("must be a number")
	}
	err := json.Unmarshal(raw, &f)
	return f, err
}
