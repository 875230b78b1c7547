package policy

import (
	"github.com/verbund/verbund"
)

// Widens reports whether derived — the marking of a relayed, federated or
// exported copy — could reach a viewer that original does not. The check is
// on markings alone and conservative: it does not know which organisation a
// user belongs to, which sectors an organisation is in or how circles nest,
// so a derived audience must name parts the original names (or the original
// must be GREEN to the community, which covers every member). The copy's
// owner is the relayer, who could see the original to begin with.
//
// A derived marking does not widen when its level is not wider, its counted
// audience is a subset of the original's, it keeps the confidential and
// identifiable flags, and it does not add the ISP purpose (which lets ISPs
// in). A derived marking without a valid level reaches only its owner's
// users, and widens only a TLP:RED original; an original without one
// reaches nobody but its owner, so every valid derived marking widens it.
func Widens(original, derived Marking) bool {
	return widen(&original, &derived, nil)
}

// CheckRelay returns nil when derived is a valid marking that does not widen
// original, and otherwise an *verbund.Error of kind Invalid whose Fields say
// what is wrong, for a form to show next to the fields.
func CheckRelay(original, derived Marking) error {
	const op = "policy.CheckRelay"
	if fields := validate(&derived); fields != nil {
		e := verbund.InvalidFields(op, fields)
		e.Code = "marking-invalid"
		return e
	}
	fields := map[string]string{}
	if !widen(&original, &derived, fields) {
		return nil
	}
	return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "relay-widens",
		Msg: "onward sharing must not widen the original marking", Fields: fields}
}

// counted is the part of an audience a level lets count (see Decide).
type counted struct {
	community, sectors, circles, orgs bool // users always count
}

func countedAt(t TLP) counted {
	switch t {
	case Green:
		return counted{community: true, sectors: true, circles: true, orgs: true}
	case Amber:
		return counted{sectors: true, circles: true, orgs: true}
	case AmberStrict:
		return counted{orgs: true}
	}
	return counted{}
}

// widen reports whether d widens o. With fields == nil it returns at the
// first finding and allocates nothing; otherwise it records every finding.
func widen(o, d *Marking, fields map[string]string) bool {
	if !d.TLP.Valid() {
		// No level reaches the owner's users alone; of the original's
		// levels only RED reaches fewer (the owner's named users).
		if o.TLP == Red {
			if fields != nil {
				set(fields, "tlp", "without a valid level the copy would reach every user of its owner; the original is TLP:RED")
			}
			return true
		}
		return false
	}
	if !o.TLP.Valid() {
		if fields != nil {
			set(fields, "tlp", "the original has no valid TLP level and reaches nobody beyond its owner")
		}
		return true
	}
	w := false
	finding := func(k, msg string) bool {
		w = true
		if fields == nil {
			return true
		}
		set(fields, k, msg)
		return false
	}
	if d.TLP < o.TLP && finding("tlp", d.TLP.String()+" is wider than the original "+o.TLP.String()) {
		return true
	}
	if o.Confidential && !d.Confidential && finding("confidential", "the original is confidential; the copy must be too") {
		return true
	}
	if o.Identifiable && !d.Identifiable && finding("identifiable", "the original can be traced to persons or organisations; the copy must say so too") {
		return true
	}
	if d.Purpose == PurposeInformUsers && o.Purpose != PurposeInformUsers &&
		finding("purpose", "the purpose "+PurposeInformUsers+" would let internet access providers receive the copy; the original does not have it") {
		return true
	}
	if o.TLP == Clear || d.TLP == Clear {
		// A CLEAR original reaches everyone; a CLEAR copy of a non-CLEAR
		// original was reported above.
		return w
	}
	oc, dc := countedAt(o.TLP), countedAt(d.TLP)
	oa, da := &o.Audience, &d.Audience
	if oc.community && oa.Community {
		return w // every member is reached; nothing narrower can add one
	}
	if dc.community && da.Community && finding("audience.community", "the original is not shared with the whole community") {
		return true
	}
	parts := []struct {
		field     string
		dCounts   bool
		oCounts   bool
		dIDs, oID []string
		what      string
	}{
		{"audience.sectors", dc.sectors, oc.sectors, da.Sectors, oa.Sectors, "sector "},
		{"audience.circles", dc.circles, oc.circles, da.Circles, oa.Circles, "circle "},
		{"audience.orgs", dc.orgs, oc.orgs, da.Orgs, oa.Orgs, "organisation "},
		{"audience.users", true, true, da.Users, oa.Users, "user "},
	}
	for _, p := range parts {
		if !p.dCounts {
			continue
		}
		for _, id := range p.dIDs {
			if id == "" {
				continue // matches nobody
			}
			if (!p.oCounts || !contains(p.oID, id)) &&
				finding(p.field, p.what+id+" is not in the original audience") {
				return true
			}
		}
	}
	return w
}
