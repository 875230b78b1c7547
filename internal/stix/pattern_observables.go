package stix

import "unicode/utf8"

// Observables returns the values the pattern compares for equality, with
// "=" or "IN (…)" and no NOT, that can be looked up: addresses, domain names,
// URLs, e-mail addresses (also through the _ref properties of
// network-traffic and email-message) and file hashes. Values are normalised
// as NormaliseObservable does; values that are not valid for their type are
// left out, as are duplicates. The order is that of the pattern.
//
// The result says which values occur, not that matching one of them matches
// the pattern: for lookups and correlation, not for detection.
func (p *Pattern) Observables() []Observable {
	var out []Observable
	seen := map[Observable]bool{}
	var walkObs func(ObservationExpr)
	var walkCmp func(ComparisonExpr)
	walkObs = func(e ObservationExpr) {
		switch e := e.(type) {
		case *Observation:
			walkCmp(e.Comparison)
		case *ObservationOp:
			walkObs(e.Left)
			walkObs(e.Right)
		case *Qualified:
			walkObs(e.Expr)
		}
	}
	add := func(path ObjectPath, c Constant) {
		if c.Kind != StringConst {
			return
		}
		if o, ok := observableOf(path, c.Str); ok && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	walkCmp = func(e ComparisonExpr) {
		switch e := e.(type) {
		case *ComparisonOp:
			walkCmp(e.Left)
			walkCmp(e.Right)
		case *Comparison:
			if e.Negated {
				return
			}
			switch e.Op {
			case Equal:
				add(e.Path, e.Value)
			case In:
				for _, c := range e.Set {
					add(e.Path, c)
				}
			}
		}
	}
	walkObs(p.Expr)
	return out
}

// observableOf maps an object path and a compared string to an observable.
func observableOf(path ObjectPath, v string) (Observable, bool) {
	if !utf8.ValidString(v) {
		return Observable{}, false
	}
	var (
		o   Observable
		msg = "unsupported"
	)
	keys := pathKeys(path)
	switch {
	case keys == "value" && len(path.Steps) == 1:
		switch path.Type {
		case IPv4Addr, IPv6Addr:
			o, msg = normaliseIP(v, path.Type)
		case DomainName:
			o, msg = normaliseDomain(v)
		case URL:
			o, msg = normaliseURL(v)
		case EmailAddr:
			o, msg = normaliseEmail(v)
		}
	case path.Type == "file" && len(path.Steps) == 2 && path.Steps[1].Kind == KeyStep && path.Steps[0].Key == "hashes":
		if alg, ok := HashAlgorithm(path.Steps[1].Key); ok {
			o, msg = normaliseHash(alg, v)
		}
	case path.Type == "network-traffic" && (keys == "src_ref.value" || keys == "dst_ref.value"):
		o, msg = normaliseIP(v, "")
	case path.Type == "email-message" && (keys == "from_ref.value" || keys == "sender_ref.value" ||
		keys == "to_refs.value" || keys == "cc_refs.value" || keys == "bcc_refs.value"):
		o, msg = normaliseEmail(v)
	}
	return o, msg == ""
}

// pathKeys joins the keys of a path with dots, skipping list indexes, so
// that to_refs[*].value reads "to_refs.value".
func pathKeys(path ObjectPath) string {
	s := ""
	for _, st := range path.Steps {
		if st.Kind != KeyStep {
			continue
		}
		if s != "" {
			s += "."
		}
		s += st.Key
	}
	return s
}
