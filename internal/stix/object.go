package stix

import (
	"encoding/json"
	"time"

	"github.com/verbund/verbund"
)

// Object is one STIX 2.1 object: its JSON exactly as received, and the common
// properties (STIX 2.1 section 3.2) parsed. Properties an object does not
// carry keep their zero value; Confidence is nil when absent.
type Object struct {
	// Raw is the object's JSON, byte for byte as it was parsed. Unknown types,
	// custom properties and extensions live only here.
	Raw json.RawMessage

	Type        string
	Category    Category // of Type, or of the new-object extension a custom type declares
	SpecVersion string   // "2.1"; empty only for an SCO that leaves it out
	ID          string

	Created      time.Time // zero for SCOs
	Modified     time.Time // zero for SCOs and marking definitions
	CreatedByRef string
	Revoked      bool
	Labels       []string
	Confidence   *int
	Lang         string

	ExternalReferences []ExternalReference
	ObjectMarkingRefs  []string
	GranularMarkings   []GranularMarking
	// Extensions maps an extension-definition id, or the name of a
	// predefined SCO extension ("windows-pebinary-ext"), to its JSON.
	Extensions map[string]json.RawMessage

	// Pattern is the parsed pattern of an indicator whose pattern_type is
	// "stix"; nil otherwise.
	Pattern *Pattern
}

// ExternalReference points to information outside STIX (the STIX 2.1
// "external-reference" data type).
type ExternalReference struct {
	SourceName  string
	Description string
	URL         string
	ExternalID  string
	Hashes      map[string]string
}

// GranularMarking applies a marking definition, or a language, to parts of
// an object selected by Selectors (STIX 2.1 section 7.2.3).
type GranularMarking struct {
	Lang       string
	MarkingRef string
	Selectors  []string
}

const opParse = "stix.Parse"

// Parse validates one STIX 2.1 object and returns it with its common
// properties parsed. On failure the error is a *verbund.Error of kind Invalid
// whose Fields name each faulty property, e.g.
// {"modified": "must not be earlier than created"}. A bundle is not a STIX
// object: use ParseBundle.
func Parse(raw []byte) (Object, error) {
	obj, p := parse(raw)
	if len(p) > 0 {
		return Object{}, &verbund.Error{Op: opParse, Kind: verbund.Invalid, Msg: "the STIX object is not valid", Fields: p}
	}
	return obj, nil
}

// ParseBundle validates a STIX 2.1 bundle (section 8) and every object in
// it. Problems are reported under "objects[i].property".
func ParseBundle(raw []byte) ([]Object, error) {
	p := problems{}
	m, err := readMembers(raw)
	if err != nil {
		p.add("bundle", err.Error())
		return nil, &verbund.Error{Op: "stix.ParseBundle", Kind: verbund.Invalid, Msg: "the STIX bundle is not valid", Fields: p}
	}
	if typ, q := asString(m.vals["type"]); q != "" || typ != "bundle" {
		p.add("type", `must be "bundle"`)
	}
	if raw, ok := m.vals["id"]; !ok {
		p.add("id", "is required")
	} else if id, q := asString(raw); q != "" {
		p.add("id", q)
	} else if typ, q := refType(id); q != "" {
		p.add("id", q)
	} else if typ != "bundle" {
		p.add("id", `must begin with "bundle--"`)
	}
	var objs []Object
	if raw, ok := m.vals["objects"]; ok {
		list, q := asList(raw)
		if q != "" {
			p.add("objects", q)
		}
		for i, item := range list {
			obj, op := parse(item)
			for f, msg := range op {
				p.add(index("objects", i)+"."+f, msg)
			}
			objs = append(objs, obj)
		}
	}
	if len(p) > 0 {
		return nil, &verbund.Error{Op: "stix.ParseBundle", Kind: verbund.Invalid, Msg: "the STIX bundle is not valid", Fields: p}
	}
	return objs, nil
}

// checker carries one object through validation.
type checker struct {
	m   members
	p   problems
	obj *Object
}

func parse(raw []byte) (Object, problems) {
	obj := Object{Raw: append(json.RawMessage(nil), raw...)}
	c := &checker{p: problems{}, obj: &obj}
	m, err := readMembers(raw)
	if err != nil {
		c.p.add("object", err.Error())
		return obj, c.p
	}
	c.m = m
	c.checkType()
	if obj.Category == BundleObject {
		return obj, c.p
	}
	c.checkID()
	c.checkCommon()
	if rule := typeRules[obj.Type]; rule != nil {
		rule(c)
	}
	return obj, c.p
}

func (c *checker) has(name string) bool { _, ok := c.m.vals[name]; return ok }

func (c *checker) checkType() {
	raw, ok := c.m.vals["type"]
	if !ok {
		c.p.add("type", "is required")
		return
	}
	typ, q := asString(raw)
	if q == "" {
		q = checkTypeName(typ)
	}
	if q != "" {
		c.p.add("type", q)
		return
	}
	c.obj.Type = typ
	c.obj.Category = CategoryOf(typ)
	switch c.obj.Category {
	case BundleObject:
		c.p.add("type", "a bundle is not a STIX object; parse it as a bundle")
	case Custom:
		c.obj.Category = c.declaredCategory()
	}
}

// declaredCategory is the category a custom type declares through a STIX
// 2.1 extension (section 7.3) of extension_type new-sdo, new-sro or new-sco.
func (c *checker) declaredCategory() Category {
	ext, q := asObject(c.m.vals["extensions"])
	if q != "" {
		return Custom
	}
	for _, v := range ext {
		var e struct {
			ExtensionType string `json:"extension_type"`
		}
		if json.Unmarshal(v, &e) != nil {
			continue
		}
		switch e.ExtensionType {
		case "new-sdo":
			return DomainObject
		case "new-sro":
			return RelationshipObject
		case "new-sco":
			return CyberObservable
		}
	}
	return Custom
}

func (c *checker) checkID() {
	raw, ok := c.m.vals["id"]
	if !ok {
		c.p.add("id", "is required")
		return
	}
	id, q := asString(raw)
	if q != "" {
		c.p.add("id", q)
		return
	}
	typ, _, err := ParseID(id)
	if err != nil {
		c.p.add("id", err.Error())
		return
	}
	if c.obj.Type != "" && typ != c.obj.Type {
		c.p.add("id", "must begin with "+c.obj.Type+"-- to match the type, not "+typ+"--")
		return
	}
	c.obj.ID = id
}

// versioned reports whether the object carries created and modified: SDOs,
// SROs, language content and extension definitions do; marking definitions
// have created only; SCOs have neither.
func (c *checker) versioned() bool {
	switch c.obj.Category {
	case DomainObject, RelationshipObject:
		return true
	case MetaObject:
		return c.obj.Type != "marking-definition"
	}
	return false
}

func (c *checker) checkSpecVersion() {
	raw, ok := c.m.vals["spec_version"]
	if !ok {
		// Section 3.2: without spec_version an object other than an SCO is
		// STIX 2.0; SCOs became top-level objects only in 2.1.
		if c.obj.Category != CyberObservable {
			c.p.add("spec_version", `is required and must be "2.1" (an object without it is STIX 2.0, which is not supported)`)
		}
		return
	}
	v, q := asString(raw)
	if q != "" {
		c.p.add("spec_version", q)
		return
	}
	if v != "2.1" {
		c.p.add("spec_version", `must be "2.1", not "`+v+`"; only STIX 2.1 is supported`)
		return
	}
	c.obj.SpecVersion = v
}
