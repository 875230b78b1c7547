package server

import (
	"strings"

	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/policy"
)

// explainDecision renders d as one sentence in the viewer's language, as
// Decision.Explain does in English. The key is "sharing.explain." followed
// by the code, and for CodeShared also the Via ("sharing.explain.shared.
// sector"); a message takes up to three arguments, always in the same
// places: %[1]s the object kind, %[2]s the TLP label, %[3]s the parameter.
func explainDecision(L i18n.Localizer, d policy.Decision) string {
	key := "sharing.explain." + string(d.Code)
	switch d.Code {
	case policy.CodeShared:
		key += "." + explainVia(d.Via)
	case policy.CodeAmberStrict:
		// "being in sector energy is not enough": the Via names the path
		// that did not count.
		switch d.Via {
		case policy.ViaCircle, policy.ViaCommunity:
			key += "." + d.Via.String()
		default:
			key += ".sector"
		}
	}
	msg, known := explainKnown(L, key)
	switch {
	case !known:
		verdict := "sharing.explain.unknown.deny"
		if d.Allow {
			verdict = "sharing.explain.unknown.allow"
		}
		return L.T(verdict, string(d.Code))
	case !strings.Contains(msg, "%["):
		// A message without arguments: formatting it would append them.
		return msg
	}
	return L.T(key, explainKind(L, d.Kind), d.TLP.String(), explainParam(L, d))
}

// explainVia names the paths CodeShared has a message for; any other path
// falls back to the general "shared with you".
func explainVia(v policy.Via) string {
	switch v {
	case policy.ViaUser, policy.ViaOrg, policy.ViaCircle, policy.ViaSector, policy.ViaCommunity:
		return v.String()
	}
	return "other"
}

// explainKnown reports whether key has a message, without the visible
// "[key]" marker a missing one gets.
func explainKnown(L i18n.Localizer, key string) (string, bool) {
	msg := L.T(key)
	return msg, !strings.HasPrefix(msg, "["+key)
}

// explainKind names an object kind, "object" for an empty or unknown one.
func explainKind(L i18n.Localizer, kind string) string {
	if kind == "" {
		kind = "object"
	}
	if msg, ok := explainKnown(L, "sharing.kind."+kind); ok {
		return msg
	}
	return kind
}

// explainParam translates the parameter where it names something the
// catalogue knows: a sector, an office role or a designation category.
func explainParam(L i18n.Localizer, d policy.Decision) string {
	if d.Param == "" {
		return ""
	}
	var key string
	switch {
	case d.Code == policy.CodeShared && d.Via == policy.ViaSector,
		d.Code == policy.CodeAmberStrict && d.Via == policy.ViaSector:
		key = "sector." + d.Param
	case d.Code == policy.CodeOfficeRole:
		key = "role." + d.Param
	case d.Code == policy.CodeDesignationCat, d.Code == policy.CodeDesignationNotYet,
		d.Code == policy.CodeDesignationExpired, d.Code == policy.CodeDesignationRevoked:
		key = "category." + d.Param
	default:
		return d.Param
	}
	if msg, ok := explainKnown(L, key); ok {
		return msg
	}
	return d.Param
}
