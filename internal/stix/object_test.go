package stix

import (
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
)

const indicatorJSON = `{
  "type": "indicator",
  "spec_version": "2.1",
  "id": "indicator--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60",
  "created_by_ref": "identity--0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35",
  "created": "2024-03-01T10:00:00.000Z",
  "modified": "2024-03-02T11:30:00.250Z",
  "revoked": false,
  "labels": ["phishing"],
  "confidence": 0,
  "lang": "en",
  "external_references": [{"source_name": "acme", "url": "https://acme.example/r/1", "hashes": {"SHA-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}],
  "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
  "granular_markings": [{"marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "selectors": ["description"]}],
  "name": "Phishing domain",
  "description": "secret",
  "pattern": "[domain-name:value = 'Login-Example.com']",
  "pattern_type": "stix",
  "valid_from": "2024-03-01T10:00:00Z",
  "x_acme_queue": "triage"
}`

func TestParseCommonProperties(t *testing.T) {
	obj, err := Parse([]byte(indicatorJSON))
	if err != nil {
		t.Fatal(err)
	}
	if obj.Type != "indicator" || obj.Category != DomainObject || obj.SpecVersion != "2.1" || obj.ID != "indicator--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60" {
		t.Errorf("identity of the object: %q %v %q %q", obj.Type, obj.Category, obj.SpecVersion, obj.ID)
	}
	if !obj.Created.Equal(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)) || !obj.Modified.Equal(time.Date(2024, 3, 2, 11, 30, 0, 250e6, time.UTC)) {
		t.Errorf("created %v, modified %v", obj.Created, obj.Modified)
	}
	if obj.CreatedByRef != "identity--0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35" || obj.Revoked || obj.Lang != "en" || len(obj.Labels) != 1 {
		t.Errorf("simple properties: %+v", obj)
	}
	if obj.Confidence == nil || *obj.Confidence != 0 {
		t.Errorf("confidence 0 must be kept apart from absent: %v", obj.Confidence)
	}
	if len(obj.ExternalReferences) != 1 || obj.ExternalReferences[0].URL != "https://acme.example/r/1" || obj.ExternalReferences[0].Hashes["SHA-256"] == "" {
		t.Errorf("external references %+v", obj.ExternalReferences)
	}
	if len(obj.ObjectMarkingRefs) != 1 || len(obj.GranularMarkings) != 1 || obj.GranularMarkings[0].Selectors[0] != "description" {
		t.Errorf("markings %v %v", obj.ObjectMarkingRefs, obj.GranularMarkings)
	}
	if obj.Pattern == nil || obj.Pattern.Observables()[0] != (Observable{DomainName, "login-example.com"}) {
		t.Errorf("pattern %v", obj.Pattern)
	}
	if !strings.Contains(string(obj.Raw), `"x_acme_queue": "triage"`) {
		t.Error("the custom property is not kept in Raw")
	}
	if level, _, _ := TLPOf(obj); level != TLPRed {
		t.Errorf("granular RED must narrow the object's GREEN, got %s", level)
	}
}

// TestParseRules covers rules one by one: each case changes one property of
// a valid indicator (replace) and expects the field and part of the message.
func TestParseRules(t *testing.T) {
	tests := []struct {
		name           string
		old, new       string
		field, message string
	}{
		{"modified equal to created", `"2024-03-02T11:30:00.250Z"`, `"2024-03-01T10:00:00.000Z"`, "", ""},
		{"modified before created", `"2024-03-02T11:30:00.250Z"`, `"2024-03-01T09:59:59.999Z"`, "modified", "must not be earlier than created"},
		{"created with microseconds", `"2024-03-01T10:00:00.000Z"`, `"2024-03-01T10:00:00.000000Z"`, "created", "millisecond"},
		{"created without fraction digits", `"2024-03-01T10:00:00.000Z"`, `"2024-03-01T10:00:00.Z"`, "created", "digits after the decimal point"},
		{"created lower-case t", `"2024-03-01T10:00:00.000Z"`, `"2024-03-01t10:00:00.000Z"`, "created", "RFC 3339"},
		{"created null", `"2024-03-01T10:00:00.000Z"`, `null`, "created", "timestamp string"},
		{"valid_from with nanoseconds", `"valid_from": "2024-03-01T10:00:00Z"`, `"valid_from": "2024-03-01T10:00:00.123456789Z"`, "", ""},
		{"revoked as string", `"revoked": false`, `"revoked": "false"`, "revoked", "true or false"},
		{"confidence 100", `"confidence": 0`, `"confidence": 100`, "", ""},
		{"confidence negative", `"confidence": 0`, `"confidence": -1`, "confidence", "0 to 100"},
		{"confidence exponent", `"confidence": 0`, `"confidence": 1e1`, "confidence", "integer"},
		{"lang with region", `"lang": "en"`, `"lang": "zh-Hant-TW"`, "", ""},
		{"labels not strings", `"labels": ["phishing"]`, `"labels": [1]`, "labels", "list of strings"},
		{"created_by_ref to a tool", `"identity--0f7a3c1e`, `"tool--0f7a3c1e`, "created_by_ref", "must refer to identity"},
		{"external reference without source", `"source_name": "acme", `, ``, "external_references[0].source_name", "is required"},
		{"external reference hashes empty", `"hashes": {"SHA-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}`, `"hashes": {}`, "external_references[0].hashes", "non-empty"},
		{"granular marking without selectors", `, "selectors": ["description"]`, ``, "granular_markings[0].selectors", "is required"},
		{"granular marking to identity", `"marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"`, `"marking_ref": "identity--0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35"`, "granular_markings[0].marking_ref", "must refer to marking-definition"},
		{"pattern with bad keyword case", `[domain-name:value = 'Login-Example.com']`, `[domain-name:value = 'a'] and [domain-name:value = 'b']`, "pattern", "line 1, column 27"},
		{"pattern type pcre not parsed", `"pattern_type": "stix"`, `"pattern_type": "pcre"`, "", ""},
		{"valid_until equal to valid_from", `"valid_from": "2024-03-01T10:00:00Z"`, `"valid_from": "2024-03-01T10:00:00Z", "valid_until": "2024-03-01T10:00:00.000Z"`, "valid_until", "later than valid_from"},
		{"custom property with digit start", `"x_acme_queue"`, `"1x_acme"`, "1x_acme", "begin with a lower-case letter"},
		{"custom property 250 chars", `"x_acme_queue"`, `"x` + strings.Repeat("a", 249) + `"`, "", ""},
		{"custom property 251 chars", `"x_acme_queue"`, `"x` + strings.Repeat("a", 250) + `"`, "x" + strings.Repeat("a", 250), "at most 250"},
		{"kill chain phase without phase", `"name": "Phishing domain"`, `"kill_chain_phases": [{"kill_chain_name": "mitre-attack"}]`, "kill_chain_phases[0].phase_name", "is required"},
		{"trailing data", `"x_acme_queue": "triage"
}`, `"x_acme_queue": "triage"
} {}`, "object", "nothing after it"},
	}
	for _, tc := range tests {
		doc := strings.Replace(indicatorJSON, tc.old, tc.new, 1)
		if doc == indicatorJSON {
			t.Fatalf("%s: replacement did not apply", tc.name)
		}
		_, err := Parse([]byte(doc))
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		fields := verbund.ErrorFields(err)
		if !verbund.IsKind(err, verbund.Invalid) || len(fields) != 1 || !strings.Contains(fields[tc.field], tc.message) {
			t.Errorf("%s: got %v, want only %s: …%s…", tc.name, err, tc.field, tc.message)
		}
	}
}

func TestParseErrorShape(t *testing.T) {
	_, err := Parse([]byte(`{"type":"indicator"}`))
	var fields = verbund.ErrorFields(err)
	for _, f := range []string{"id", "spec_version", "created", "modified", "pattern", "pattern_type", "valid_from"} {
		if !strings.Contains(fields[f], "required") {
			t.Errorf("%s: %q, want it reported as required", f, fields[f])
		}
	}
	if verbund.ErrorKind(err) != verbund.Invalid || verbund.ErrorMessage(err) == "" {
		t.Errorf("error %v must be Invalid with a message for the user", err)
	}
}

func TestParseID(t *testing.T) {
	valid := []string{
		"indicator--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60",    // version 4
		"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",    // version 5
		"x-acme-thing--017f22e2-79b0-7cc3-98c4-dc0c0c07398f", // version 7
		"indicator--5B1E2C7D-9F3A-4E6B-8C2D-1A4F7E9B3C60",    // upper-case hex
		"x509-certificate--463d7b2a-8516-5a50-a3d7-6f801465d5de",
	}
	for _, id := range valid {
		if _, _, err := ParseID(id); err != nil {
			t.Errorf("ParseID(%s): %v", id, err)
		}
	}
	invalid := map[string]string{
		"indicator-5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60":   "type--UUID",
		"indicator--00000000-0000-0000-0000-000000000000":  "version",
		"indicator--5b1e2c7d-9f3a-4e6b-7c2d-1a4f7e9b3c60":  "variant",
		"indicator--5b1e2c7d9f3a-4e6b-8c2d-1a4f7e9b3c60-":  "form",
		"indicator--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c6g":  "hexadecimal",
		"in--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60":         "at least 3",
		"1ndicator--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60":  "begin with a lower-case letter",
		"indi_cator--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60": "only lower-case letters",
	}
	for id, msg := range invalid {
		if _, _, err := ParseID(id); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseID(%s) = %v, want an error about %q", id, err, msg)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	valid := map[string]time.Time{
		"2016-05-12T08:17:27Z":              time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC),
		"2016-05-12T08:17:27.1Z":            time.Date(2016, 5, 12, 8, 17, 27, 1e8, time.UTC),
		"2016-05-12T08:17:27.123456789123Z": time.Date(2016, 5, 12, 8, 17, 27, 123456789, time.UTC),
		"2000-02-29T00:00:00Z":              time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		"2016-12-31T23:59:60Z":              time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for s, want := range valid {
		if got, _, err := ParseTimestamp(s); err != nil || !got.Equal(want) {
			t.Errorf("ParseTimestamp(%s) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"2016-05-12T08:17:27", "2016-05-12 08:17:27Z", "2016-05-12T08:17:27+00:00", "1900-02-29T00:00:00Z",
		"2016-00-12T08:17:27Z", "2016-05-12T24:00:00Z", "2016-05-12T08:60:00Z", "2016-05-12T08:17:27.Z", "2016-5-12T08:17:27Z", "2016-05-12T08:17:27ZZ"} {
		if _, _, err := ParseTimestamp(s); err == nil {
			t.Errorf("ParseTimestamp(%s) succeeded", s)
		}
	}
}

func TestCategories(t *testing.T) {
	for typ, want := range map[string]Category{
		"indicator": DomainObject, "incident": DomainObject, "relationship": RelationshipObject, "sighting": RelationshipObject,
		"ipv4-addr": CyberObservable, "x509-certificate": CyberObservable, "marking-definition": MetaObject,
		"language-content": MetaObject, "extension-definition": MetaObject, "bundle": BundleObject, "x-acme": Custom,
	} {
		if got := CategoryOf(typ); got != want {
			t.Errorf("CategoryOf(%s) = %v, want %v", typ, got, want)
		}
	}
}

// TestCustomObjects: unknown types pass with the common checks; one that
// declares itself an SCO through an extension is held to SCO rules.
func TestCustomObjects(t *testing.T) {
	ok := []string{
		`{"type":"x-acme-widget","spec_version":"2.1","id":"x-acme-widget--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60","colour":"red"}`,
		`{"type":"x-acme-host","spec_version":"2.1","id":"x-acme-host--5b1e2c7d-9f3a-5e6b-8c2d-1a4f7e9b3c60","hostname":"a",
		  "extensions":{"extension-definition--1b3d5f7a-9c2e-4a6b-8d0f-2e4a6c8e0a2c":{"extension_type":"new-sco"}}}`,
	}
	for _, d := range ok {
		obj, err := Parse([]byte(d))
		if err != nil {
			t.Errorf("%s: %v", d, err)
		}
		_ = obj
	}
	obj, _ := Parse([]byte(ok[1]))
	if obj.Category != CyberObservable {
		t.Errorf("category %v, want SCO declared by the extension", obj.Category)
	}
	// Declared an SDO, it needs created and modified.
	_, err := Parse([]byte(`{"type":"x-acme-case","spec_version":"2.1","id":"x-acme-case--5b1e2c7d-9f3a-4e6b-8c2d-1a4f7e9b3c60",
	  "extensions":{"extension-definition--1b3d5f7a-9c2e-4a6b-8d0f-2e4a6c8e0a2c":{"extension_type":"new-sdo"}}}`))
	if f := verbund.ErrorFields(err); f["created"] == "" || f["modified"] == "" {
		t.Errorf("got %v, want created and modified required", err)
	}
}

func TestParseBundle(t *testing.T) {
	good, _ := readGolden("valid/indicator-file-hash.json")
	bad, _ := readGolden("invalid/modified-before-created.json")
	objs, err := ParseBundle([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + good + `,` + good + `]}`))
	if err != nil || len(objs) != 2 || objs[1].Type != "indicator" {
		t.Fatalf("ParseBundle = %d objects, %v", len(objs), err)
	}
	_, err = ParseBundle([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + good + `,` + bad + `]}`))
	if f := verbund.ErrorFields(err); len(f) != 1 || f["objects[1].modified"] == "" {
		t.Errorf("got %v, want objects[1].modified", err)
	}
	_, err = ParseBundle([]byte(`{"type":"bundle","id":"report--5d0092c5-5f74-4287-9642-33f4c354e56d"}`))
	if f := verbund.ErrorFields(err); f["id"] == "" {
		t.Errorf("got %v, want the id refused", err)
	}
}

// TestDuplicateProperties: two members of one name, however written, are
// refused, because JSON readers disagree on which one counts.
func TestDuplicateProperties(t *testing.T) {
	base := `{"type":"domain-name","id":"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5","value":"example.com"`
	for _, doc := range []string{
		base + `,"value":"example.org"}`,
		base + `,"\u0076alue":"example.org"}`,
		base + `,"x_note":{"value":"a"},"x_list":[{"type":"x"}],"x_\"q":"a","x_\"q":"b"}`,
	} {
		_, err := Parse([]byte(doc))
		if f := verbund.ErrorFields(err); !strings.Contains(f["object"], "twice") {
			t.Errorf("%s: got %v, want the duplicate refused", doc, err)
		}
	}
	// Nested objects may repeat top-level names.
	if _, err := Parse([]byte(base + `,"x_note":{"value":"a","type":"b"},"x_list":[{"value":"c"}]}`)); err != nil {
		t.Errorf("nested names: %v", err)
	}
}
