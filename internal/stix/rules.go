package stix

import (
	"strings"
	"time"
)

// typeRules hold the rules of the types Verbund reads beyond the common
// properties. Each states the required properties and constraints of its
// section of STIX 2.1; properties not named are left to the naming check.
var typeRules = map[string]func(*checker){
	"indicator":            (*checker).checkIndicator,
	"sighting":             (*checker).checkSighting,
	"relationship":         (*checker).checkRelationship,
	"malware":              (*checker).checkMalware,
	"report":               (*checker).checkReport,
	"observed-data":        (*checker).checkObservedData,
	"marking-definition":   (*checker).checkMarkingDefinition,
	"extension-definition": (*checker).checkExtensionDefinition,
	"language-content":     (*checker).checkLanguageContent,
	"grouping":             func(c *checker) { c.requireString("context"); c.refList("object_refs", true) },
	"note":                 func(c *checker) { c.requireString("content"); c.refList("object_refs", true) },
	"opinion":              (*checker).checkOpinion,
	"location":             (*checker).checkLocation,
	"malware-analysis":     (*checker).checkMalwareAnalysis,
	"file":                 (*checker).checkFile,
	"email-message":        func(c *checker) { c.requireBool("is_multipart") },
	"autonomous-system":    func(c *checker) { c.intRange("number", true, 0, 1<<32-1) },
	"directory":            func(c *checker) { c.requireString("path") },
	"mutex":                func(c *checker) { c.requireString("name") },
	"software":             func(c *checker) { c.requireString("name") },
	"network-traffic":      func(c *checker) { c.stringList("protocols", true) },
}

func init() {
	// SDOs whose only extra requirement is a name (sections 4.x).
	for _, t := range []string{"attack-pattern", "course-of-action", "identity", "incident", "tool", "vulnerability"} {
		typeRules[t] = func(c *checker) { c.requireString("name") }
	}
	// SDOs with a name and an optional first_seen ≤ last_seen.
	for _, t := range []string{"campaign", "intrusion-set", "threat-actor", "infrastructure"} {
		typeRules[t] = func(c *checker) { c.requireString("name"); c.seenOrder("first_seen", "last_seen") }
	}
	// SCOs whose value is required (section 6).
	for _, t := range []string{"ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "mac-addr"} {
		typeRules[t] = func(c *checker) { c.requireString("value") }
	}
}

func (c *checker) requireString(name string) (string, bool) {
	raw, ok := c.m.vals[name]
	if !ok {
		c.p.add(name, "is required")
		return "", false
	}
	s, q := asString(raw)
	if q == "" && s == "" {
		q = "must not be empty"
	}
	return s, c.report(name, q)
}

func (c *checker) optString(name string) (string, bool) {
	raw, ok := c.m.vals[name]
	if !ok {
		return "", false
	}
	s, q := asString(raw)
	return s, c.report(name, q)
}

func (c *checker) requireBool(name string) (bool, bool) {
	raw, ok := c.m.vals[name]
	if !ok {
		c.p.add(name, "is required")
		return false, false
	}
	v, q := asBool(raw)
	return v, c.report(name, q)
}

func (c *checker) timestamp(name string, required bool) time.Time {
	raw, ok := c.m.vals[name]
	if !ok {
		if required {
			c.p.add(name, "is required")
		}
		return time.Time{}
	}
	t, q := asTimestamp(raw, false)
	c.report(name, q)
	return t
}

// seenOrder checks that last is not before first when both are valid.
func (c *checker) seenOrder(first, last string) {
	f, l := c.timestamp(first, false), c.timestamp(last, false)
	if !f.IsZero() && !l.IsZero() && l.Before(f) {
		c.p.add(last, "must not be earlier than "+first)
	}
}

func (c *checker) intRange(name string, required bool, lo, hi int64) (int64, bool) {
	raw, ok := c.m.vals[name]
	if !ok {
		if required {
			c.p.add(name, "is required")
		}
		return 0, false
	}
	n, q := asInt(raw)
	if q == "" && (n < lo || n > hi) {
		q = "must be an integer from " + itoa(lo) + " to " + itoa(hi)
	}
	return n, c.report(name, q)
}

func (c *checker) stringList(name string, required bool) []string {
	raw, ok := c.m.vals[name]
	if !ok {
		if required {
			c.p.add(name, "is required")
		}
		return nil
	}
	l, q := asStringList(raw)
	c.report(name, q)
	return l
}

// refList checks a list of identifiers, each of one of types (any if none).
func (c *checker) refList(name string, required bool, types ...string) []string {
	l := c.stringList(name, required)
	for i, id := range l {
		c.refString(index(name, i), id, types...)
	}
	return l
}

// notTypes checks a reference whose target must not be of a given type.
func (c *checker) notTypes(field string, id string, forbidden []string, why string) {
	typ, q := refType(id)
	if !c.report(field, q) {
		return
	}
	if contains(forbidden, typ) {
		c.p.add(field, "must not refer to a "+typ+": "+why)
	}
}

func (c *checker) checkIndicator() {
	pattern, okPattern := c.requireString("pattern")
	ptype, okType := c.requireString("pattern_type")
	from := c.timestamp("valid_from", true)
	until := c.timestamp("valid_until", false)
	if !from.IsZero() && !until.IsZero() && !until.After(from) {
		c.p.add("valid_until", "must be later than valid_from")
	}
	c.optString("name")
	c.stringList("indicator_types", false)
	c.checkKillChainPhases()
	if okPattern && okType && ptype == "stix" {
		pat, err := ParsePattern(pattern)
		if err != nil {
			c.p.add("pattern", err.Error())
			return
		}
		c.obj.Pattern = pat
	}
}

func (c *checker) checkKillChainPhases() {
	raw, ok := c.m.vals["kill_chain_phases"]
	if !ok {
		return
	}
	list, q := asList(raw)
	if !c.report("kill_chain_phases", q) {
		return
	}
	for i, item := range list {
		f := index("kill_chain_phases", i)
		o, q := asObject(item)
		if !c.report(f, q) {
			continue
		}
		for _, k := range []string{"kill_chain_name", "phase_name"} {
			if v, ok := o[k]; !ok {
				c.p.add(f+"."+k, "is required")
			} else if s, q := asString(v); q != "" || s == "" {
				c.p.add(f+"."+k, "must be a non-empty string")
			}
		}
	}
}

// notSDO are the known types a sighting may not be "of" (section 5.2:
// sighting_of_ref refers to an SDO).
var notSDO = []string{
	"relationship", "sighting", "bundle", "language-content", "marking-definition", "extension-definition",
	"artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file",
	"ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url",
	"user-account", "windows-registry-key", "x509-certificate",
}

func (c *checker) checkSighting() {
	if raw, ok := c.m.vals["sighting_of_ref"]; !ok {
		c.p.add("sighting_of_ref", "is required")
	} else if s, q := asString(raw); c.report("sighting_of_ref", q) {
		c.notTypes("sighting_of_ref", s, notSDO, "a sighting is of an SDO")
	}
	c.refList("observed_data_refs", false, "observed-data")
	c.refList("where_sighted_refs", false, "identity", "location")
	c.intRange("count", false, 0, 999999999)
	c.seenOrder("first_seen", "last_seen")
	if raw, ok := c.m.vals["summary"]; ok {
		_, q := asBool(raw)
		c.report("summary", q)
	}
}

// notRelated are the types a relationship may not connect (section 5.1).
var notRelated = []string{"relationship", "sighting", "bundle", "language-content", "marking-definition"}

func (c *checker) checkRelationship() {
	if rt, ok := c.requireString("relationship_type"); ok {
		for i := 0; i < len(rt); i++ {
			ch := rt[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
				c.p.add("relationship_type", "may contain only lower-case letters a–z, digits and hyphens")
				break
			}
		}
	}
	for _, f := range []string{"source_ref", "target_ref"} {
		if raw, ok := c.m.vals[f]; !ok {
			c.p.add(f, "is required")
		} else if s, q := asString(raw); c.report(f, q) {
			c.notTypes(f, s, notRelated, "relationships connect SDOs and SCOs")
		}
	}
	start, stop := c.timestamp("start_time", false), c.timestamp("stop_time", false)
	if !start.IsZero() && !stop.IsZero() && !stop.After(start) {
		c.p.add("stop_time", "must be later than start_time")
	}
}

func (c *checker) checkMalware() {
	family, ok := c.requireBool("is_family")
	if ok && family && !c.has("name") {
		c.p.add("name", "is required when is_family is true")
	}
	c.optString("name")
	c.stringList("malware_types", false)
	c.seenOrder("first_seen", "last_seen")
	c.checkKillChainPhases()
}

func (c *checker) checkReport() {
	c.requireString("name")
	c.timestamp("published", true)
	c.refList("object_refs", true)
}

func (c *checker) checkObservedData() {
	first, last := c.timestamp("first_observed", true), c.timestamp("last_observed", true)
	if !first.IsZero() && !last.IsZero() && last.Before(first) {
		c.p.add("last_observed", "must not be earlier than first_observed")
	}
	c.intRange("number_observed", true, 1, 999999999)
	// Section 4.14: object_refs, or the deprecated objects, but not both.
	switch refs, objs := c.has("object_refs"), c.has("objects"); {
	case refs && objs:
		c.p.add("objects", "must not be present together with object_refs")
	case !refs && !objs:
		c.p.add("object_refs", "is required")
	case refs:
		c.refList("object_refs", true)
	default:
		if o, q := asObject(c.m.vals["objects"]); c.report("objects", q) && len(o) == 0 {
			c.p.add("objects", "must not be empty")
		}
	}
}

var opinions = []string{"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"}

func (c *checker) checkOpinion() {
	if v, ok := c.requireString("opinion"); ok && !contains(opinions, v) {
		c.p.add("opinion", "must be one of "+strings.Join(opinions, ", "))
	}
	c.refList("object_refs", true)
}

func (c *checker) checkLocation() {
	lat, hasLat := c.m.vals["latitude"]
	lon, hasLon := c.m.vals["longitude"]
	if hasLat != hasLon {
		c.p.add("longitude", "latitude and longitude must be given together")
	}
	if hasLat && !inRange(lat, 90) {
		c.p.add("latitude", "must be a number from -90 to 90")
	}
	if hasLon && !inRange(lon, 180) {
		c.p.add("longitude", "must be a number from -180 to 180")
	}
	if !c.has("region") && !c.has("country") && !(hasLat && hasLon) {
		c.p.add("region", "at least one of region, country, or latitude and longitude is required")
	}
}

func inRange(raw []byte, limit float64) bool {
	f, err := parseJSONNumber(raw)
	return err == nil && f >= -limit && f <= limit
}

func (c *checker) checkMalwareAnalysis() {
	c.requireString("product")
	if !c.has("result") && !c.has("analysis_sco_refs") {
		c.p.add("result", "result or analysis_sco_refs is required")
	}
}

func (c *checker) checkFile() {
	if !c.has("hashes") && !c.has("name") {
		c.p.add("name", "a file needs at least hashes or a name")
	}
}

func (c *checker) checkLanguageContent() {
	if raw, ok := c.m.vals["object_ref"]; !ok {
		c.p.add("object_ref", "is required")
	} else {
		c.ref("object_ref", raw)
	}
	if raw, ok := c.m.vals["contents"]; !ok {
		c.p.add("contents", "is required")
	} else if _, q := asObject(raw); q != "" {
		c.p.add("contents", q)
	}
}

func (c *checker) checkExtensionDefinition() {
	if !c.has("created_by_ref") {
		c.p.add("created_by_ref", "is required")
	}
	c.requireString("name")
	c.requireString("schema")
	c.requireString("version")
	for i, t := range c.stringList("extension_types", true) {
		if !contains(extensionTypes, t) {
			c.p.add(index("extension_types", i), "must be one of "+strings.Join(extensionTypes, ", "))
		}
	}
}
