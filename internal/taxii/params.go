package taxii

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The match fields of TAXII 2.1 filtering.
const (
	matchID          = "id"
	matchType        = "type"
	matchVersion     = "version"
	matchSpecVersion = "spec_version"
)

// params are the URL parameters of one request, checked.
type params struct {
	query   cti.Query
	limit   int
	after   cti.Position // from next; zero without
	hasNext bool
	binding binding // of the query, for the cursor
}

// listing says which parameters an endpoint takes.
type listing struct {
	fields []string // match fields
	paged  bool     // added_after, limit and next
}

// The parameters of each endpoint.
var (
	listObjects  = listing{fields: []string{matchID, matchType, matchVersion, matchSpecVersion}, paged: true}
	listObject   = listing{fields: []string{matchVersion, matchSpecVersion}, paged: true}
	listVersions = listing{fields: []string{matchSpecVersion}, paged: true}
	listDelete   = listing{fields: []string{matchVersion, matchSpecVersion}}
)

// zeroUUID completes a type name to an identifier, so that match[type] is
// checked by the very rule stix.ParseID applies to type names.
const zeroUUID = "00000000-0000-4000-8000-000000000000"

// parseParams reads the URL parameters of req for an endpoint that takes
// what l says. A match field the endpoint does not take, a parameter given
// twice, and every value that is not valid are answered 400; other
// parameters are ignored, as HTTP allows.
func (s *server) parseParams(req *request, l listing) (params, error) {
	vals, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return params{}, errBadRequest("query-invalid", "the query string cannot be read: "+err.Error(), nil)
	}
	p := params{limit: s.cfg.DefaultLimit}
	var next string
	bind := []string{req.rt.kind, req.rt.collection, req.rt.object, principalKey(req)}
	bad := func(param, problem string) error {
		return errBadRequest("parameter-invalid", param+" "+problem, map[string]string{"parameter": param})
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vs := vals[k]
		field, isMatch := strings.CutPrefix(k, "match[")
		isMatch = isMatch && strings.HasSuffix(field, "]")
		field = strings.TrimSuffix(field, "]")
		paging := k == "added_after" || k == "limit" || k == "next"
		switch {
		case isMatch && !slices.Contains(l.fields, field):
			return params{}, errBadRequest("match-field-unsupported",
				k+" is not a filter of this endpoint; it takes "+matchList(l.fields), map[string]string{"parameter": k})
		case !isMatch && !(paging && l.paged):
			continue
		case len(vs) > 1:
			return params{}, errBadRequest("parameter-repeated", k+" must not occur more than once; give several values separated by commas",
				map[string]string{"parameter": k})
		}
		v := vs[0]
		switch {
		case k == "added_after":
			t, _, err := stix.ParseTimestamp(v)
			if err != nil {
				return params{}, bad(k, err.Error())
			}
			p.query.AddedAfter = t
			bind = append(bind, k, strconv.FormatInt(t.UnixNano(), 10))
		case k == "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return params{}, bad(k, "must be a positive integer")
			}
			p.limit = min(n, s.cfg.MaxLimit)
		case k == "next":
			if v == "" {
				return params{}, bad(k, "must not be empty")
			}
			next = v
		default:
			norm, err := s.parseMatch(&p.query, field, v)
			if err != nil {
				return params{}, bad(k, err.Error())
			}
			bind = append(bind, k, norm)
		}
	}
	p.binding = bindingOf(bind...)
	if next != "" {
		pos, err := decodeCursor(s.key, next, p.binding)
		if err != nil {
			return params{}, errBadRequest("next-invalid", err.Error(), map[string]string{"parameter": "next"})
		}
		p.after, p.hasNext = pos, true
	}
	return p, nil
}

// principalKey names the principal a cursor is bound to.
func principalKey(req *request) string {
	switch {
	case req.principal.Token != nil:
		return "token:" + req.principal.Token.ID
	case req.principal.User != nil:
		return "user:" + req.principal.User.ID
	}
	return ""
}

func matchList(fields []string) string {
	if len(fields) == 0 {
		return "no match fields"
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = "match[" + f + "]"
	}
	return strings.Join(out, ", ")
}

// problem is the text of a parameter problem.
type problem string

// Error returns the text.
func (p problem) Error() string { return string(p) }

// parseMatch reads the comma-separated values of match[field] into q and
// returns them normalised (sorted, without duplicates) for the cursor.
func (s *server) parseMatch(q *cti.Query, field, v string) (string, error) {
	vals := strings.Split(v, ",")
	for _, x := range vals {
		if x == "" {
			return "", problem("must not have an empty value; separate values by commas without spaces")
		}
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	switch field {
	case matchID:
		for _, id := range vals {
			if _, _, err := stix.ParseID(id); err != nil {
				return "", problem("has the value " + strconv.Quote(shorten(id)) + ", which is not a STIX identifier: " + err.Error())
			}
		}
		q.IDs = vals
	case matchType:
		for _, t := range vals {
			if _, _, err := stix.ParseID(t + "--" + zeroUUID); err != nil || strings.Contains(t, "--") {
				return "", problem("has the value " + strconv.Quote(shorten(t)) + ", which is not a STIX type name")
			}
		}
		q.Types = vals
	case matchVersion:
		for _, x := range vals {
			switch x {
			case "first":
				q.Select.First = true
			case "last":
				q.Select.Last = true
			case "all":
				q.Select.All = true
			default:
				t, _, err := stix.ParseTimestamp(x)
				if err != nil {
					return "", problem("must be first, last, all or timestamps; " + strconv.Quote(shorten(x)) + " " + err.Error())
				}
				q.Select.At = append(q.Select.At, t.Truncate(time.Microsecond))
			}
		}
	case matchSpecVersion:
		for _, x := range vals {
			if !specVersion(x) {
				return "", problem("has the value " + strconv.Quote(shorten(x)) + ", which is not a version such as 2.1")
			}
		}
		q.SpecVersions = vals
	}
	return strings.Join(vals, ","), nil
}

// specVersion reports whether s has the form of a STIX version: digits, a
// dot, digits.
func specVersion(s string) bool {
	major, minor, ok := strings.Cut(s, ".")
	digits := func(d string) bool {
		return d != "" && len(d) <= 3 && strings.Trim(d, "0123456789") == ""
	}
	return ok && digits(major) && digits(minor)
}

// shorten cuts outside input for an error message.
func shorten(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
