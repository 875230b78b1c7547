package stix

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/verbund/verbund"
)

// The TLP levels TLPOf returns, widest first. TLP 1.0 WHITE is returned as
// CLEAR, its TLP 2.0 successor.
const (
	TLPClear       = "CLEAR"
	TLPGreen       = "GREEN"
	TLPAmber       = "AMBER"
	TLPAmberStrict = "AMBER+STRICT"
	TLPRed         = "RED"
)

// TLP2Extension is the id of the OASIS extension definition that defines the
// TLP 2.0 marking definitions.
const TLP2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// The marking definitions of TLP 2.0, published by OASIS with the TLP 2.0
// extension (cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
const (
	TLP2Clear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLP2Green       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLP2Amber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLP2AmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLP2Red         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
)

// The TLP 1.0 marking definitions of STIX 2.1 section 7.2.1.4, the only TLP
// markings of definition_type "tlp" that may exist.
const (
	TLP1White = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	TLP1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	TLP1Amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	TLP1Red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
)

// tlpMarking describes one fixed TLP marking definition.
type tlpMarking struct {
	level string // as TLPOf returns it
	name  string // the name property
	value string // definition.tlp (1.0) or tlp_2_0 (2.0)
	v2    bool
}

var tlpMarkings = map[string]tlpMarking{
	TLP1White:       {TLPClear, "TLP:WHITE", "white", false},
	TLP1Green:       {TLPGreen, "TLP:GREEN", "green", false},
	TLP1Amber:       {TLPAmber, "TLP:AMBER", "amber", false},
	TLP1Red:         {TLPRed, "TLP:RED", "red", false},
	TLP2Clear:       {TLPClear, "TLP:CLEAR", "clear", true},
	TLP2Green:       {TLPGreen, "TLP:GREEN", "green", true},
	TLP2Amber:       {TLPAmber, "TLP:AMBER", "amber", true},
	TLP2AmberStrict: {TLPAmberStrict, "TLP:AMBER+STRICT", "amber+strict", true},
	TLP2Red:         {TLPRed, "TLP:RED", "red", true},
}

var tlpRank = map[string]int{TLPClear: 1, TLPGreen: 2, TLPAmber: 3, TLPAmberStrict: 4, TLPRed: 5}

// TLPLevel returns the TLP level of a marking-definition id if it is one of
// the fixed TLP 1.0 or TLP 2.0 marking definitions.
func TLPLevel(markingID string) (level string, ok bool) {
	m, ok := tlpMarkings[markingID]
	return m.level, ok
}

// TLPMarkingID returns the TLP 2.0 marking-definition id of a level.
func TLPMarkingID(level string) (id string, ok bool) {
	for id, m := range tlpMarkings {
		if m.v2 && m.level == level {
			return id, true
		}
	}
	return "", false
}

// TLPOf derives the TLP level of obj from the marking definitions it
// references, in object_marking_refs and in granular_markings. The most
// restrictive level wins: Verbund shares objects whole, so a description
// marked RED makes the object RED. ok is false if obj references no TLP
// marking. Marking definitions that are not TLP (statements, other schemes)
// are ignored.
//
// err, a *verbund.Error of kind Invalid, reports markings that contradict
// each other (two different levels) and references that are not
// marking-definition identifiers at all; level still holds the most
// restrictive level found, so that a caller that chooses to accept the
// object does not widen it.
func TLPOf(obj Object) (level string, ok bool, err error) {
	seen := map[string]bool{}
	var malformed []string
	note := func(id string) {
		if m, known := tlpMarkings[id]; known {
			seen[m.level] = true
			if tlpRank[m.level] > tlpRank[level] {
				level = m.level
			}
		} else if typ, q := refType(id); q != "" || typ != "marking-definition" {
			malformed = append(malformed, id)
		}
	}
	for _, id := range obj.ObjectMarkingRefs {
		note(id)
	}
	for _, g := range obj.GranularMarkings {
		if g.MarkingRef != "" {
			note(g.MarkingRef)
		}
	}
	var problems []string
	if len(malformed) > 0 {
		problems = append(problems, "not marking-definition identifiers: "+strings.Join(malformed, ", "))
	}
	if len(seen) > 1 {
		levels := make([]string, 0, len(seen))
		for l := range seen {
			levels = append(levels, l)
		}
		sort.Slice(levels, func(i, j int) bool { return tlpRank[levels[i]] < tlpRank[levels[j]] })
		problems = append(problems, "conflicting TLP markings "+strings.Join(levels, ", ")+"; the most restrictive, "+level+", applies")
	}
	if len(problems) > 0 {
		err = &verbund.Error{Op: "stix.TLPOf", Kind: verbund.Invalid, Msg: "the object's TLP markings are not consistent",
			Fields: map[string]string{"object_marking_refs": strings.Join(problems, "; ")}}
	}
	return level, level != "", err
}

// checkMarkingDefinition applies STIX 2.1 section 7.2.1: a definition
// (definition_type and definition) unless an extension defines the marking;
// TLP markings only as the fixed definitions of 7.2.1.4 and of the TLP 2.0
// extension.
func (c *checker) checkMarkingDefinition() {
	hasType, hasDef := c.has("definition_type"), c.has("definition")
	ext := c.obj.Extensions
	switch {
	case hasType != hasDef:
		c.p.add("definition", "definition_type and definition must be given together")
	case !hasType && len(ext) == 0:
		c.p.add("definition_type", "is required unless an extension defines the marking")
	}
	name, hasName := c.optString("name")
	fixed, isTLP := tlpMarkings[c.obj.ID]
	if isTLP && !fixed.v2 && !hasType {
		c.p.add("definition_type", "must be tlp: "+c.obj.ID+" is the TLP 1.0 marking "+fixed.name)
	}
	if hasType && hasDef {
		dtype, q := asString(c.m.vals["definition_type"])
		if !c.report("definition_type", q) {
			return
		}
		def, q := asObject(c.m.vals["definition"])
		if !c.report("definition", q) {
			return
		}
		if isTLP && !fixed.v2 && dtype != "tlp" {
			c.p.add("definition_type", "must be tlp: "+c.obj.ID+" is the TLP 1.0 marking "+fixed.name)
		}
		switch dtype {
		case "statement":
			if s, q := asString(def["statement"]); q != "" || s == "" {
				c.p.add("definition.statement", "is required and must be a non-empty string")
			}
		case "tlp":
			v, q := asString(def["tlp"])
			switch {
			case q != "":
				c.p.add("definition.tlp", "is required and must be white, green, amber or red")
			case !isTLP || fixed.v2:
				c.p.add("id", "a TLP marking definition must be one of the four defined by STIX 2.1 section 7.2.1.4; reference those instead of creating new ones")
			case v != fixed.value:
				c.p.add("definition.tlp", "must be "+fixed.value+" for "+fixed.name)
			case hasName && name != fixed.name:
				c.p.add("name", "must be "+fixed.name)
			}
		}
	}
	raw, hasTLP2 := ext[TLP2Extension]
	if !hasTLP2 {
		if isTLP && fixed.v2 {
			c.p.add("extensions", "the TLP 2.0 marking definitions carry the extension "+TLP2Extension)
		}
		return
	}
	f := "extensions." + TLP2Extension
	var e struct {
		ExtensionType string `json:"extension_type"`
		TLP           string `json:"tlp_2_0"`
	}
	if json.Unmarshal(raw, &e) != nil {
		c.p.add(f, "must be an object with extension_type and tlp_2_0")
		return
	}
	switch {
	case e.ExtensionType != "property-extension":
		c.p.add(f+".extension_type", `must be "property-extension"`)
	case !isTLP || !fixed.v2:
		c.p.add("id", "a TLP 2.0 marking definition must be one of the five published with the TLP 2.0 extension")
	case e.TLP != fixed.value:
		c.p.add(f+".tlp_2_0", "must be "+fixed.value+" for "+fixed.name)
	case name != fixed.name:
		c.p.add("name", "must be "+fixed.name)
	}
}
