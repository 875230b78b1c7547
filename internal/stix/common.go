package stix

import (
	"encoding/json"
	"strings"
)

// sdoCommon are the common properties of SDOs and SROs (STIX 2.1 section
// 3.2), which language content and extension definitions share.
var sdoCommon = map[string]bool{
	"type": true, "spec_version": true, "id": true, "created_by_ref": true, "created": true,
	"modified": true, "revoked": true, "labels": true, "confidence": true, "lang": true,
	"external_references": true, "object_marking_refs": true, "granular_markings": true,
	"extensions": true,
}

// scoCommon are the common properties of SCOs (section 6.1).
var scoCommon = map[string]bool{
	"type": true, "spec_version": true, "id": true, "object_marking_refs": true,
	"granular_markings": true, "defanged": true, "extensions": true,
}

// markingCommon are the properties of a marking definition (section 7.2.1)
// other than its definition.
var markingCommon = map[string]bool{
	"type": true, "spec_version": true, "id": true, "created_by_ref": true, "created": true,
	"external_references": true, "object_marking_refs": true, "granular_markings": true,
	"extensions": true,
}

func (c *checker) commonSet() map[string]bool {
	switch {
	case c.obj.Type == "marking-definition":
		return markingCommon
	case c.obj.Category == CyberObservable:
		return scoCommon
	}
	return sdoCommon
}

// checkCommon validates the common properties present and the names of all
// others. Type-specific rules run afterwards.
func (c *checker) checkCommon() {
	common := c.commonSet()
	c.checkSpecVersion()
	if c.versioned() || c.obj.Type == "marking-definition" || c.obj.Category == Custom {
		c.checkCreatedModified()
	}
	for _, name := range c.m.names {
		raw := c.m.vals[name]
		if !common[name] {
			if q := checkPropertyName(name); q != "" {
				c.p.add(name, q)
			}
			continue
		}
		switch name {
		case "created_by_ref":
			c.obj.CreatedByRef = c.ref(name, raw, "identity")
		case "revoked":
			v, q := asBool(raw)
			c.report(name, q)
			c.obj.Revoked = v
		case "labels":
			v, q := asStringList(raw)
			c.report(name, q)
			c.obj.Labels = v
		case "confidence":
			n, q := asInt(raw)
			if q == "" && (n < 0 || n > 100) {
				q = "must be an integer from 0 to 100"
			}
			if c.report(name, q) {
				v := int(n)
				c.obj.Confidence = &v
			}
		case "lang":
			v, q := asString(raw)
			if q == "" && !isLanguageTag(v) {
				q = "must be an RFC 5646 language tag such as en or de-CH"
			}
			if c.report(name, q) {
				c.obj.Lang = v
			}
		case "external_references":
			c.checkExternalReferences(raw)
		case "object_marking_refs":
			list, q := asStringList(raw)
			c.report(name, q)
			for i, id := range list {
				if c.refString(index(name, i), id, "marking-definition") {
					c.obj.ObjectMarkingRefs = append(c.obj.ObjectMarkingRefs, id)
				}
			}
		case "granular_markings":
			c.checkGranularMarkings(raw)
		case "extensions":
			c.checkExtensions(raw)
		case "defanged":
			_, q := asBool(raw)
			c.report(name, q)
		}
	}
}

// report records a problem if there is one and tells whether there was none.
func (c *checker) report(field, q string) bool {
	if q != "" {
		c.p.add(field, q)
		return false
	}
	return true
}

func (c *checker) checkCreatedModified() {
	created, hasCreated := c.m.vals["created"]
	if !hasCreated {
		if c.obj.Category != Custom && c.obj.Category != CyberObservable {
			c.p.add("created", "is required")
		}
	} else if t, q := asTimestamp(created, true); c.report("created", q) {
		c.obj.Created = t
	}
	if c.obj.Type == "marking-definition" {
		return // marking definitions are never versioned (section 7.2.1)
	}
	modified, hasModified := c.m.vals["modified"]
	if !hasModified {
		if c.obj.Category != Custom && c.obj.Category != CyberObservable {
			c.p.add("modified", "is required")
		}
		return
	}
	t, q := asTimestamp(modified, true)
	if !c.report("modified", q) {
		return
	}
	c.obj.Modified = t
	if !c.obj.Created.IsZero() && t.Before(c.obj.Created) {
		c.p.add("modified", "must not be earlier than created")
	}
}

// ref validates an identifier reference to one of the given types (any type
// if none is given) and returns it, or "" after recording the problem.
func (c *checker) ref(field string, raw json.RawMessage, types ...string) string {
	s, q := asString(raw)
	if !c.report(field, q) {
		return ""
	}
	if !c.refString(field, s, types...) {
		return ""
	}
	return s
}

func (c *checker) refString(field, id string, types ...string) bool {
	typ, q := refType(id)
	if !c.report(field, q) {
		return false
	}
	if len(types) > 0 && !contains(types, typ) {
		c.p.add(field, "must refer to "+strings.Join(types, " or ")+", not "+typ)
		return false
	}
	return true
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func (c *checker) checkExternalReferences(raw json.RawMessage) {
	list, q := asList(raw)
	if !c.report("external_references", q) {
		return
	}
	for i, item := range list {
		f := index("external_references", i)
		o, q := asObject(item)
		if !c.report(f, q) {
			continue
		}
		var r ExternalReference
		ok := true
		for _, k := range []string{"source_name", "description", "url", "external_id"} {
			v, present := o[k]
			if !present {
				continue
			}
			s, q := asString(v)
			if !c.report(f+"."+k, q) {
				ok = false
				continue
			}
			switch k {
			case "source_name":
				r.SourceName = s
			case "description":
				r.Description = s
			case "url":
				r.URL = s
			case "external_id":
				r.ExternalID = s
			}
		}
		if _, present := o["source_name"]; !present {
			c.p.add(f+".source_name", "is required")
			ok = false
		}
		// Data type "external-reference": besides source_name, at least
		// one of description, url and external_id MUST be present.
		if _, d := o["description"]; !d {
			if _, u := o["url"]; !u {
				if _, e := o["external_id"]; !e {
					c.p.add(f, "must have at least one of description, url and external_id")
					ok = false
				}
			}
		}
		if h, present := o["hashes"]; present {
			if json.Unmarshal(h, &r.Hashes) != nil || len(r.Hashes) == 0 {
				c.p.add(f+".hashes", "must be a non-empty dictionary of hash algorithm to hash value")
				ok = false
			}
		}
		if ok {
			c.obj.ExternalReferences = append(c.obj.ExternalReferences, r)
		}
	}
}

func (c *checker) checkGranularMarkings(raw json.RawMessage) {
	list, q := asList(raw)
	if !c.report("granular_markings", q) {
		return
	}
	for i, item := range list {
		f := index("granular_markings", i)
		o, q := asObject(item)
		if !c.report(f, q) {
			continue
		}
		var g GranularMarking
		ok := true
		if v, present := o["selectors"]; !present {
			c.p.add(f+".selectors", "is required")
			ok = false
		} else if g.Selectors, q = asStringList(v); q != "" {
			c.p.add(f+".selectors", q)
			ok = false
		}
		lang, hasLang := o["lang"]
		ref, hasRef := o["marking_ref"]
		switch {
		case hasLang && hasRef:
			c.p.add(f, "must have either lang or marking_ref, not both")
			ok = false
		case !hasLang && !hasRef:
			c.p.add(f, "must have lang or marking_ref")
			ok = false
		case hasLang:
			if g.Lang, q = asString(lang); q != "" {
				c.p.add(f+".lang", q)
				ok = false
			}
		default:
			if g.MarkingRef = c.ref(f+".marking_ref", ref, "marking-definition"); g.MarkingRef == "" {
				ok = false
			}
		}
		if ok {
			c.obj.GranularMarkings = append(c.obj.GranularMarkings, g)
		}
	}
}

var extensionTypes = []string{"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}

// checkExtensions validates the extensions dictionary (data type
// "extension", section 7.3): keys are extension-definition ids or names of
// predefined extensions, values are objects.
func (c *checker) checkExtensions(raw json.RawMessage) {
	ext, q := asObject(raw)
	if !c.report("extensions", q) {
		return
	}
	if len(ext) == 0 {
		c.p.add("extensions", "must not be empty")
		return
	}
	c.obj.Extensions = ext
	for key, v := range ext {
		f := "extensions." + key
		if strings.HasPrefix(key, "extension-definition--") {
			c.refString(f, key, "extension-definition")
		} else if q := checkTypeName(key); q != "" {
			c.p.add(f, "the key must be an extension-definition id or an extension name that "+q)
			continue
		}
		o, q := asObject(v)
		if !c.report(f, q) {
			continue
		}
		if t, present := o["extension_type"]; present {
			s, q := asString(t)
			if q == "" && !contains(extensionTypes, s) {
				q = "must be one of " + strings.Join(extensionTypes, ", ")
			}
			c.report(f+".extension_type", q)
		}
	}
}

// isLanguageTag checks the shape of an RFC 5646 tag: subtags of 1 to 8
// letters or digits joined by hyphens, the first made of letters.
func isLanguageTag(s string) bool {
	if s == "" {
		return false
	}
	for i, sub := range strings.Split(s, "-") {
		if len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			ch := sub[j] | 0x20
			letter := ch >= 'a' && ch <= 'z'
			if !letter && !(i > 0 && sub[j] >= '0' && sub[j] <= '9') {
				return false
			}
		}
	}
	return true
}
