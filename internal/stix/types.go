package stix

import "strings"

// Category is the kind of STIX object a type belongs to (STIX 2.1 sections
// 4 to 8).
type Category uint8

// The categories of STIX 2.1. Custom is a type the specification does not
// define; its rules come from the extension it declares, if any.
const (
	Custom             Category = iota // not defined by STIX 2.1
	DomainObject                       // SDO, section 4
	RelationshipObject                 // SRO, section 5
	CyberObservable                    // SCO, section 6
	MetaObject                         // language content, marking and extension definitions, section 7
	BundleObject                       // the bundle, section 8; not itself a STIX Object
)

var categoryNames = [...]string{"custom", "SDO", "SRO", "SCO", "meta", "bundle"}

// String returns a short name: "SDO", "SRO", "SCO", "meta", "bundle" or "custom".
func (c Category) String() string {
	if int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return "custom"
}

// The types that STIX 2.1 defines, by category.
var categories = map[string]Category{
	// Section 4: STIX Domain Objects.
	"attack-pattern": DomainObject, "campaign": DomainObject, "course-of-action": DomainObject,
	"grouping": DomainObject, "identity": DomainObject, "incident": DomainObject,
	"indicator": DomainObject, "infrastructure": DomainObject, "intrusion-set": DomainObject,
	"location": DomainObject, "malware": DomainObject, "malware-analysis": DomainObject,
	"note": DomainObject, "observed-data": DomainObject, "opinion": DomainObject,
	"report": DomainObject, "threat-actor": DomainObject, "tool": DomainObject,
	"vulnerability": DomainObject,
	// Section 5: STIX Relationship Objects.
	"relationship": RelationshipObject, "sighting": RelationshipObject,
	// Section 6: STIX Cyber-observable Objects.
	"artifact": CyberObservable, "autonomous-system": CyberObservable, "directory": CyberObservable,
	"domain-name": CyberObservable, "email-addr": CyberObservable, "email-message": CyberObservable,
	"file": CyberObservable, "ipv4-addr": CyberObservable, "ipv6-addr": CyberObservable,
	"mac-addr": CyberObservable, "mutex": CyberObservable, "network-traffic": CyberObservable,
	"process": CyberObservable, "software": CyberObservable, "url": CyberObservable,
	"user-account": CyberObservable, "windows-registry-key": CyberObservable,
	"x509-certificate": CyberObservable,
	// Section 7: STIX Meta Objects.
	"language-content": MetaObject, "marking-definition": MetaObject, "extension-definition": MetaObject,
	// Section 8.
	"bundle": BundleObject,
}

// CategoryOf returns the category of a type name; types STIX 2.1 does not
// define are Custom.
func CategoryOf(typ string) Category { return categories[typ] }

// reservedProperties are property names STIX 2.1 section 3.8 reserves; no
// object, custom or not, may use them. The list is the one STIX 2.0 reserved
// less confidence, which 2.1 defines as a common property.
var reservedProperties = map[string]bool{
	"severity": true, "action": true, "usernames": true, "phone_numbers": true, "addresses": true,
	"first_seen_precision": true, "last_seen_precision": true,
	"valid_from_precision": true, "valid_until_precision": true,
}

// checkTypeName reports what is wrong with a STIX type name, or "" if it is
// valid. STIX 2.1 (3.2 "type", 11.2): only a–z, 0–9 and hyphen, beginning
// with a letter, 3 to 250 characters. The OASIS schema forbids two
// consecutive hyphens, and a type that ends in a hyphen could not be told
// apart from the "--" that separates type and UUID in an identifier.
func checkTypeName(s string) string {
	switch {
	case len(s) < 3:
		return "must be at least 3 characters long"
	case len(s) > 250:
		return "must be at most 250 characters long"
	case s[0] < 'a' || s[0] > 'z':
		return "must begin with a lower-case letter a–z"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i+1 < len(s) && s[i+1] == '-' {
				return "must not contain two consecutive hyphens"
			}
		default:
			return "may contain only lower-case letters a–z, digits and hyphens"
		}
	}
	if s[len(s)-1] == '-' {
		return "must not end with a hyphen"
	}
	return ""
}

// checkPropertyName reports what is wrong with a property name, or "" if it
// is valid: a–z, 0–9 and underscore, beginning with a letter, 3 to 250
// characters (STIX 2.1 sections 3.1 and 11.1), and not reserved (3.8).
func checkPropertyName(s string) string {
	switch {
	case len(s) < 3:
		return "property names must be at least 3 characters long"
	case len(s) > 250:
		return "property names must be at most 250 characters long"
	case s[0] < 'a' || s[0] > 'z':
		return "property names must begin with a lower-case letter a–z"
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return "property names may contain only lower-case letters a–z, digits and underscores"
		}
	}
	if reservedProperties[s] {
		return "the property name " + s + " is reserved by STIX 2.1 and must not be used"
	}
	return ""
}

// ParseID splits a STIX identifier "type--UUID" (the STIX 2.1 "identifier" data type) into
// its type and UUID. It checks the type name and that the UUID is an RFC
// 4122 (RFC 9562) UUID of the standard variant, of any version: STIX only
// recommends version 4 for SDOs, SROs and meta objects and version 5 for
// SCOs. The UUID is returned as written.
func ParseID(id string) (typ, uuid string, err error) {
	// The UUID holds no "--", so the last one separates: a faulty type
	// such as "x--acme" is then reported as such.
	i := strings.LastIndex(id, "--")
	if i < 0 {
		return "", "", errorf("must be of the form type--UUID")
	}
	typ, uuid = id[:i], id[i+2:]
	if p := checkTypeName(typ); p != "" {
		return "", "", errorf("the type part " + p)
	}
	if p := checkUUID(uuid); p != "" {
		return "", "", errorf("the UUID part " + p)
	}
	return typ, uuid, nil
}

// checkUUID reports what is wrong with the UUID part of an identifier.
func checkUUID(u string) string {
	if len(u) != 36 {
		return "must be 36 characters of the form xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx"
	}
	for i := 0; i < 36; i++ {
		c := u[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "must be of the form xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx"
			}
			continue
		}
		if hexValue(c) < 0 {
			return "must contain only hexadecimal digits and hyphens"
		}
	}
	if v := hexValue(u[14]); v < 1 || v > 8 {
		return "must have an RFC 9562 version 1 to 8"
	}
	if v := hexValue(u[19]); v < 8 || v > 11 {
		return "must be of the RFC 4122 variant (8, 9, a or b after the third hyphen)"
	}
	return ""
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// refType returns the type of an identifier reference, or a problem.
func refType(id string) (string, string) {
	typ, _, err := ParseID(id)
	if err != nil {
		return "", "must be a STIX identifier: " + err.Error()
	}
	return typ, ""
}

// simpleError is a plain error for helpers whose text ends up in Fields.
type simpleError string

func (e simpleError) Error() string { return string(e) }

func errorf(s string) error { return simpleError(s) }
