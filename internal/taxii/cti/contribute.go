package cti

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// What members contribute through the pages and the REST API: an indicator
// typed into a form, a sighting of an indicator, a STIX bundle. Each ends
// in Add, so it is checked, marked and recorded like a TAXII envelope.

// identityNamespace derives identity ids for organisations whose id is not
// a UUID.
var identityNamespace = uuid.MustParse("6b0f6a57-3c1e-4f43-9d0e-7d1a4c3e5b21")

// IdentityID returns the id of the STIX identity that stands for
// organisation orgID in what it contributes: "identity--<orgID>" when the
// id is a UUID, as Verbund's ids are.
func IdentityID(orgID string) string {
	if u, err := uuid.Parse(orgID); err == nil && u.String() == orgID {
		return "identity--" + orgID
	}
	return "identity--" + uuid.NewSHA1(identityNamespace, []byte(orgID)).String()
}

// OrgOfIdentity returns the organisation id IdentityID made ref from, if it
// is of that form.
func OrgOfIdentity(ref string) (string, bool) {
	id, ok := strings.CutPrefix(ref, "identity--")
	if u, err := uuid.Parse(id); !ok || err != nil || u.String() != id {
		return "", false
	}
	return id, true
}

// identityObject is the STIX identity of org, versioned by the time the
// organisation was created, so that it is stored once per collection.
func identityObject(org *identity.Organisation) json.RawMessage {
	at := FormatTimestamp(org.CreatedAt.Truncate(time.Millisecond))
	b, _ := json.Marshal(map[string]any{"type": "identity", "spec_version": SpecVersion, "id": IdentityID(org.ID),
		"created": at, "modified": at, "name": org.Name, "identity_class": "organization"})
	return b
}

// NewIndicator is an indicator as a person types it.
type NewIndicator struct {
	Kind        string // one of stix.IndicatorKinds
	Value       string
	Name        string // "" names it after the value
	Description string
	TLP         string // "" for the collection's default, else CLEAR, GREEN, AMBER, AMBER+STRICT or RED
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: open-ended
}

// AddIndicator adds in as a STIX indicator to c, attributed to the
// organisation of p (its identity, IdentityID, is added with it), and
// returns the indicator's id. Problems with the input are a
// verbund.Invalid error whose Fields name them (kind, value, name,
// description, tlp, valid_from, valid_until); a collection v may not add to
// is Forbidden.
func (s *Service) AddIndicator(ctx context.Context, p identity.Principal, v *policy.Viewer, c *Collection, in NewIndicator) (string, error) {
	const op = "cti.AddIndicator"
	if _, write := s.Access(p, v, c); !write || p.Org == nil {
		return "", verbund.E(op, verbund.Forbidden, "you may not add objects to this collection")
	}
	f := map[string]string{}
	pattern, ob, err := stix.IndicatorPattern(in.Kind, in.Value)
	for k, msg := range verbund.ErrorFields(err) {
		f[k] = msg
	}
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if in.Name == "" {
		in.Name = ob.Value
	}
	text(f, "name", in.Name, 300)
	text(f, "description", in.Description, 10000)
	marking, msg := tlpRef(in.TLP)
	if msg != "" {
		f["tlp"] = msg
	}
	now := s.now().UTC().Truncate(time.Millisecond) // created and modified are to the millisecond
	if in.ValidFrom.IsZero() {
		in.ValidFrom = now
	}
	if !in.ValidUntil.IsZero() && !in.ValidUntil.After(in.ValidFrom) {
		f["valid_until"] = "must be later than valid_from"
	}
	if len(f) > 0 {
		return "", verbund.InvalidFields(op, f)
	}
	id := "indicator--" + uuid.New().String()
	obj := map[string]any{"type": "indicator", "spec_version": SpecVersion, "id": id,
		"created": FormatTimestamp(now), "modified": FormatTimestamp(now), "created_by_ref": IdentityID(p.Org.ID),
		"name": in.Name, "indicator_types": []string{"malicious-activity"},
		"pattern": pattern, "pattern_type": "stix", "pattern_version": SpecVersion,
		"valid_from": FormatTimestamp(in.ValidFrom)}
	if in.Description != "" {
		obj["description"] = in.Description
	}
	if !in.ValidUntil.IsZero() {
		obj["valid_until"] = FormatTimestamp(in.ValidUntil)
	}
	if marking != "" {
		obj["object_marking_refs"] = []string{marking}
	}
	return id, s.addOwn(ctx, p, v, c, op, obj, true)
}

// NewSighting is a sighting of an indicator as a person reports it.
type NewSighting struct {
	Indicator string // the indicator's id, in the collection
	Count     int    // how often it was seen, 1 to 999999999
	FirstSeen time.Time
	LastSeen  time.Time
	// Anonymous leaves the organisation out of the sighting: no
	// created_by_ref and no where_sighted_refs name it. Verbund still keeps
	// the organisation as the owner of the stored object, which only the
	// office and the organisation itself see.
	Anonymous bool
	// Description is an optional note.
	Description string
}

// AddSighting adds a STIX sighting of indicator in.Indicator of c, marked
// with the indicator's TLP level, and returns its id. The indicator must be
// one v may see (NotFound otherwise, refused reads are audited by the
// door); problems with the input are a verbund.Invalid error with Fields
// (count, first_seen, last_seen, description).
func (s *Service) AddSighting(ctx context.Context, p identity.Principal, v *policy.Viewer, c *Collection, in NewSighting) (string, error) {
	const op = "cti.AddSighting"
	if _, write := s.Access(p, v, c); !write || p.Org == nil {
		return "", verbund.E(op, verbund.Forbidden, "you may not add objects to this collection")
	}
	vs, err := s.Visible(ctx, p, v, c, in.Indicator)
	if err != nil {
		return "", err
	}
	ind := vs[len(vs)-1]
	if ind.Type != "indicator" {
		return "", verbund.InvalidFields(op, map[string]string{"indicator": "is not an indicator"})
	}
	f := map[string]string{}
	if in.Count < 1 || in.Count > 999999999 {
		f["count"] = "must be a whole number from 1 to 999999999"
	}
	now := s.now().UTC().Truncate(time.Millisecond) // created and modified are to the millisecond
	if !in.FirstSeen.IsZero() && in.FirstSeen.After(now) {
		f["first_seen"] = "must not be in the future"
	}
	if !in.LastSeen.IsZero() && in.LastSeen.After(now) {
		f["last_seen"] = "must not be in the future"
	}
	if !in.FirstSeen.IsZero() && !in.LastSeen.IsZero() && in.LastSeen.Before(in.FirstSeen) {
		f["last_seen"] = "must not be earlier than first_seen"
	}
	in.Description = strings.TrimSpace(in.Description)
	text(f, "description", in.Description, 10000)
	if len(f) > 0 {
		return "", verbund.InvalidFields(op, f)
	}
	id := "sighting--" + uuid.New().String()
	obj := map[string]any{"type": "sighting", "spec_version": SpecVersion, "id": id,
		"created": FormatTimestamp(now), "modified": FormatTimestamp(now),
		"sighting_of_ref": in.Indicator, "count": in.Count}
	if ref, _ := tlpRef(ind.Marked.Marking.TLP.String()); ref != "" {
		obj["object_marking_refs"] = []string{ref}
	}
	if !in.FirstSeen.IsZero() {
		obj["first_seen"] = FormatTimestamp(in.FirstSeen)
	}
	if !in.LastSeen.IsZero() {
		obj["last_seen"] = FormatTimestamp(in.LastSeen)
	}
	if in.Description != "" {
		obj["description"] = in.Description
	}
	if !in.Anonymous {
		ref := IdentityID(p.Org.ID)
		obj["created_by_ref"], obj["where_sighted_refs"] = ref, []string{ref}
	}
	return id, s.addOwn(ctx, p, v, c, op, obj, !in.Anonymous)
}

// addOwn adds obj, and with attributed the identity of p's organisation,
// and turns the refusal of obj into an error.
func (s *Service) addOwn(ctx context.Context, p identity.Principal, v *policy.Viewer, c *Collection, op string, obj map[string]any, attributed bool) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return verbund.E(op, verbund.Internal, "the object cannot be written")
	}
	objects := []json.RawMessage{raw}
	if attributed {
		// The identity first: a client reading in order meets it before
		// what refers to it. Stored once; a failure (a renamed
		// organisation's older identity) does not hold up the object.
		objects = []json.RawMessage{identityObject(p.Org), raw}
	}
	st, err := s.Add(ctx, p, v, c, objects)
	if err != nil {
		return err
	}
	for _, d := range st.Failures {
		if d.ID != obj["id"] {
			continue
		}
		field := "object"
		if strings.Contains(d.Message, "marking") {
			field = "tlp"
		}
		return verbund.InvalidFields(op, map[string]string{field: d.Message})
	}
	return nil
}

// tlpRef returns the TLP 2.0 marking-definition id of a level written as
// CLEAR, GREEN, AMBER, AMBER+STRICT or RED (with or without "TLP:"), ""
// for "", or the problem.
func tlpRef(level string) (string, string) {
	level = strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(level), "TLP:"))
	if level == "" {
		return "", ""
	}
	if id, ok := stix.TLPMarkingID(level); ok {
		return id, ""
	}
	return "", "must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED"
}

func text(f map[string]string, field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		f[field] = "is not valid UTF-8"
	case utf8.RuneCountInString(s) > max:
		f[field] = "is too long"
	}
}

// MaxBundleBytes is the size of the largest bundle members may upload
// through the pages.
const MaxBundleBytes = 512 << 10

// PreviewItem is one object of an uploaded bundle, as the preview lists it.
type PreviewItem struct {
	Index   int
	Type    string
	ID      string
	Name    string
	TLP     string // the level it names, "" for the collection's default
	Problem string // why it would be refused; "" if it would be added
	Raw     json.RawMessage
}

// PreviewBundle reads a STIX 2.1 bundle (section 8) a member uploads to c
// and tells for each object whether Add would take it and, if not, why
// (the position of a pattern error included). The bundle itself must be an
// object of type "bundle" with an id and a list of objects, at most
// MaxBundleBytes long; otherwise the error is a verbund.Invalid error with
// the problem under "bundle".
func PreviewBundle(c *Collection, v *policy.Viewer, raw []byte) ([]PreviewItem, error) {
	const op = "cti.PreviewBundle"
	bad := func(msg string) error { return verbund.InvalidFields(op, map[string]string{"bundle": msg}) }
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return nil, bad("is empty: choose a file or paste the bundle")
	case len(raw) > MaxBundleBytes:
		return nil, bad("is larger than 512 KiB: split it, or send it over TAXII")
	case !utf8.Valid(raw):
		return nil, bad("is not valid UTF-8")
	}
	var b struct {
		Type    *string           `json:"type"`
		ID      *string           `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, bad("is not a JSON object with a list of objects: " + shorten(err.Error(), 200))
	}
	switch {
	case b.Type == nil || *b.Type != "bundle":
		return nil, bad(`is not a STIX bundle: its type must be "bundle"`)
	case b.ID == nil || !strings.HasPrefix(*b.ID, "bundle--") || uuid.Validate(strings.TrimPrefix(*b.ID, "bundle--")) != nil:
		return nil, bad(`needs an id of the form bundle--<UUID>`)
	case len(b.Objects) == 0:
		return nil, bad("holds no objects")
	}
	out := make([]PreviewItem, len(b.Objects))
	for i, o := range b.Objects {
		var head struct {
			Type, ID, Name any
		}
		_ = json.Unmarshal(o, &head)
		str := func(x any) string { s, _ := x.(string); return shorten(s, 200) }
		it := PreviewItem{Index: i + 1, Type: str(head.Type), ID: str(head.ID), Name: str(head.Name), Raw: o}
		if obj, err := stix.Parse(o); err == nil {
			if level, named, _ := stix.TLPOf(obj); named {
				it.TLP = level
			}
		}
		if _, fail := prepare(o, c, v.OrgID, ""); fail != "" {
			it.Problem = fail
		}
		out[i] = it
	}
	return out, nil
}

// AddBundle adds the objects of an uploaded bundle that PreviewBundle finds
// no problem with, and returns the status of the request; the others are
// left out, as the preview showed.
func (s *Service) AddBundle(ctx context.Context, p identity.Principal, v *policy.Viewer, c *Collection, raw []byte) (Status, error) {
	items, err := PreviewBundle(c, v, raw)
	if err != nil {
		return Status{}, err
	}
	var objects []json.RawMessage
	for _, it := range items {
		if it.Problem == "" {
			objects = append(objects, it.Raw)
		}
	}
	if len(objects) == 0 {
		return Status{}, verbund.InvalidFields("cti.AddBundle", map[string]string{"bundle": "holds no object that can be added"})
	}
	return s.Add(ctx, p, v, c, objects)
}
