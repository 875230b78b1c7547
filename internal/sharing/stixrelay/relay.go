// Package stixrelay relays STIX objects: the office passes a sanitised copy
// of an object on to another audience — sectors, circles or organisations,
// through a collection whose default marking names them — without ever
// widening the original's marking.
//
// The copy is a new STIX object with a new id, created and modified at the
// time of the relay, owned by the office. Sanitisation follows the
// configured rules for kind "stix" (sharing.DefaultRules: the creator and
// sighting references are pseudonymised, reporter fields removed, e-mail
// addresses and phone numbers scrubbed from names and descriptions); a
// pseudonymised reference stays a valid STIX identifier of the same type,
// derived from the pseudonym. Its TLP marking is the level chosen for the
// relay, as a TLP 2.0 marking-definition reference.
//
// Provenance is recorded the STIX way, as an external reference of the
// copy:
//
//	{"source_name": "verbund-relay", "external_id": "<original STIX id>",
//	 "description": "sanitised relay of <original STIX id>, version <modified>"}
//
// so that a recipient who may also see the original can match the two, and
// one who may not learns nothing of it beyond its id. The marking of the
// copy is the target collection's default audience and flags at the chosen
// level, narrowed as the collection narrows every object (see package cti);
// it must pass policy.CheckRelay against the original's marking, or
// nothing is stored and the error names each part that would widen.
package stixrelay

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// ProvenanceSource is the source_name of the external reference that links
// a relayed copy to its original.
const ProvenanceSource = "verbund-relay"

// Service relays STIX objects. It is safe for concurrent use.
type Service struct {
	door *sharing.Door
	cti  *cti.Service
	san  *sharing.Sanitiser
	rec  sharing.Recorder
	now  func() time.Time
}

// New returns the relay service. rec records the audit entries of relays;
// now is the clock (nil: time.Now).
func New(door *sharing.Door, c *cti.Service, san *sharing.Sanitiser, rec sharing.Recorder, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{door: door, cti: c, san: san, rec: rec, now: now}
}

// Key derives the pseudonym key of relays from an installation key, so
// that pseudonyms stay stable across restarts and differ between
// installations.
func Key(installationKey []byte) []byte {
	h := sha256.New()
	h.Write([]byte("verbund relay pseudonyms\x00"))
	h.Write(installationKey)
	return h.Sum(nil)
}

// Request is what the office asks for.
type Request struct {
	// MarkingID names the original version: "<collection>/<STIX id>@<version>"
	// (cti.MarkingID), the id under which its marking is stored.
	MarkingID string
	// Collection is the id of the collection the copy goes to; its default
	// marking gives the copy's audience and flags.
	Collection string
	// TLP is the level of the copy, "" for the original's.
	TLP string
}

// Result describes a stored relay.
type Result struct {
	ID            string // the copy's STIX id
	Collection    string
	MarkingID     string // of the copy
	Marking       policy.Marking
	Applied       []string // the fields sanitisation changed
	SourceID      string   // the original's STIX id and version
	SourceVersion string
}

// MayRelay reports whether p may relay: an analyst or an administrator of
// the office.
func MayRelay(p identity.Principal) bool {
	return p.User != nil && p.Org != nil && p.Org.Kind == identity.KindOffice && !p.User.Disabled &&
		(p.Has(identity.RoleAnalyst) || p.Has(identity.RoleOfficeAdmin))
}

// ParseMarkingID splits a STIX marking id into collection, STIX id and
// version.
func ParseMarkingID(s string) (collection, id string, version time.Time, ok bool) {
	collection, rest, found := strings.Cut(s, "/")
	at := strings.LastIndex(rest, "@")
	if !found || collection == "" || at <= 0 {
		return "", "", time.Time{}, false
	}
	id = rest[:at]
	v, _, err := stix.ParseTimestamp(rest[at+1:])
	if err != nil {
		return "", "", time.Time{}, false
	}
	return collection, id, v, true
}

// Relay stores a sanitised copy of the original version in.MarkingID in
// collection in.Collection, for p, and audits it (sharing.relay).
//
// Errors: Forbidden for anyone but an analyst or administrator of the
// office; NotFound for an original that does not exist or that p may not
// see (the refusal is audited as a read); Invalid with fields "object",
// "collection" or "tlp" for a bad request; Invalid "relay-widens" naming
// each part of the marking that would widen, and "marking-invalid" for a
// marking the collection cannot give the copy — nothing is stored then.
func (s *Service) Relay(ctx context.Context, p identity.Principal, in Request) (Result, error) {
	const op = "stixrelay.Relay"
	if !MayRelay(p) {
		s.record(ctx, p, in, audit.Denied, "not an analyst or administrator of the office")
		return Result{}, verbund.E(op, verbund.Forbidden, "only analysts and administrators of the office relay")
	}
	bad := func(field, msg string) error { return verbund.InvalidFields(op, map[string]string{field: msg}) }
	srcID, stixID, version, ok := ParseMarkingID(in.MarkingID)
	if !ok {
		return Result{}, bad("object", "name the original as <collection>/<STIX id>@<version>")
	}
	v, err := s.door.Viewer(ctx, p)
	if err != nil {
		return Result{}, err
	}
	src, err := s.cti.Collection(ctx, srcID)
	if verbund.IsKind(err, verbund.NotFound) {
		return Result{}, verbund.E(op, verbund.NotFound, "not found")
	}
	if err != nil {
		return Result{}, err
	}
	if _, err := s.cti.Visible(ctx, p, &v, &src, stixID); err != nil {
		return Result{}, err
	}
	page, err := s.cti.Page(ctx, &v, &src, cti.Query{Filter: cti.Filter{IDs: []string{stixID}, Versions: []time.Time{version}},
		Select: cti.Selection{All: true}}, cti.Position{}, 10, true)
	if err != nil {
		return Result{}, err
	}
	var orig *cti.Version
	for i := range page.Versions {
		if page.Versions[i].Marked.ObjectID == in.MarkingID {
			orig = &page.Versions[i]
		}
	}
	if orig == nil {
		return Result{}, verbund.E(op, verbund.NotFound, "not found")
	}
	target, err := s.cti.Collection(ctx, in.Collection)
	if verbund.IsKind(err, verbund.NotFound) || in.Collection == "" {
		return Result{}, bad("collection", "choose a collection")
	}
	if err != nil {
		return Result{}, err
	}
	if _, write := s.cti.Access(p, &v, &target); !write {
		return Result{}, bad("collection", "you may not add to this collection")
	}
	level := orig.Marked.Marking.TLP
	if in.TLP != "" {
		if level, err = policy.ParseTLP(in.TLP); err != nil {
			return Result{}, bad("tlp", verbund.ErrorMessage(err))
		}
	}
	derived := narrow(target.Default, level)
	var doc map[string]any
	if err := json.Unmarshal(orig.Raw, &doc); err != nil {
		return Result{}, fmt.Errorf("%s: the stored original: %w", op, err)
	}
	rel, err := s.san.Prepare(sharing.RelayPlan{Kind: policy.KindSTIX, ID: in.MarkingID,
		Ceiling: orig.Marked.Marking, Derived: derived, Document: doc})
	if err != nil {
		s.record(ctx, p, in, audit.Failure, verbund.ErrorMessage(err)+fieldList(err))
		return Result{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	copyID, raw, err := derive(doc, rel.Document, stixID, version, level, now)
	if err != nil {
		return Result{}, err
	}
	if _, err := stix.Parse(raw); err != nil {
		return Result{}, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "relay-not-valid-stix",
			Msg: "the sanitised copy is not valid STIX 2.1: " + verbund.ErrorMessage(err), Err: err}
	}
	st, err := s.cti.Add(ctx, p, &v, &target, []json.RawMessage{raw})
	if err != nil {
		return Result{}, err
	}
	if len(st.Failures) > 0 {
		return Result{}, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "relay-refused",
			Msg: "the collection refused the copy: " + st.Failures[0].Message}
	}
	res := Result{ID: copyID, Collection: target.ID, MarkingID: cti.MarkingID(target.ID, copyID, now), Marking: derived,
		Applied: rel.Applied, SourceID: stixID, SourceVersion: cti.FormatTimestamp(version)}
	s.record(ctx, p, in, audit.Success, "relayed as "+res.MarkingID+" under "+level.String()+
		"; sanitised: "+strings.Join(rel.Applied, ", "))
	return res, nil
}

// narrow gives m the level t and keeps of its audience the parts that
// count at t, as a collection does for every object added to it.
func narrow(m policy.Marking, t policy.TLP) policy.Marking {
	m.TLP = t
	a := &m.Audience
	switch t {
	case policy.Amber:
		a.Community = false
	case policy.AmberStrict:
		a.Community, a.Sectors, a.Circles = false, nil, nil
	case policy.Red:
		a.Community, a.Sectors, a.Circles, a.Orgs = false, nil, nil, nil
	}
	return m
}

// derive turns the sanitised document into the copy: a new id, new
// timestamps, valid references, the TLP marking of level and the
// provenance reference. orig is the document before sanitisation.
func derive(orig, doc map[string]any, origID string, version time.Time, level policy.TLP, now time.Time) (string, json.RawMessage, error) {
	typ, _, _ := strings.Cut(origID, "--")
	id := typ + "--" + uuid.NewString()
	doc["id"] = id
	ts := cti.FormatTimestamp(now)
	doc["created"], doc["modified"] = ts, ts
	// Pseudonymised references must stay references: the same pseudonym
	// becomes the same identifier of the original's type.
	for k, val := range doc {
		if !strings.HasSuffix(k, "_ref") {
			continue
		}
		p, ok := val.(string)
		o, _ := orig[k].(string)
		if ok && strings.HasPrefix(p, "pseudonym-") {
			t, _, _ := strings.Cut(o, "--")
			doc[k] = t + "--" + uuid.NewSHA1(uuid.NameSpaceOID, []byte(p)).String()
		}
	}
	var refs []any
	if old, ok := doc["object_marking_refs"].([]any); ok {
		for _, r := range old {
			if s, ok := r.(string); ok {
				if _, tlp := stix.TLPLevel(s); tlp {
					continue
				}
			}
			refs = append(refs, r)
		}
	}
	if ref, ok := stix.TLPMarkingID(level.Label()); ok {
		refs = append(refs, ref)
	}
	doc["object_marking_refs"] = refs
	if gm, ok := doc["granular_markings"].([]any); ok {
		var keep []any
		for _, g := range gm {
			if m, ok := g.(map[string]any); ok {
				if s, ok := m["marking_ref"].(string); ok {
					if _, tlp := stix.TLPLevel(s); tlp {
						continue
					}
				}
			}
			keep = append(keep, g)
		}
		if len(keep) == 0 {
			delete(doc, "granular_markings")
		} else {
			doc["granular_markings"] = keep
		}
	}
	ext, _ := doc["external_references"].([]any)
	doc["external_references"] = append(ext, map[string]any{
		"source_name": ProvenanceSource,
		"external_id": origID,
		"description": "sanitised relay of " + origID + ", version " + cti.FormatTimestamp(version),
	})
	raw, err := json.Marshal(doc)
	return id, raw, err
}

// fieldList renders the fields of a validation error for the audit log.
func fieldList(err error) string {
	fs := verbund.ErrorFields(err)
	if len(fs) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(fs)) {
		parts = append(parts, k+": "+fs[k])
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// record appends the audit entry of one relay or refused attempt.
func (s *Service) record(ctx context.Context, p identity.Principal, in Request, outcome audit.Outcome, why string) {
	if s.rec == nil {
		return
	}
	e := audit.New(ctx, s.now(), "sharing.relay", outcome)
	if p.User != nil {
		e.ActorUser = p.User.ID
	}
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg, e.ObjectType, e.ObjectID = p.OrgID(), policy.KindSTIX, in.MarkingID
	e.Reason = "to collection " + in.Collection + ": " + why
	_ = s.rec.Record(context.WithoutCancel(ctx), e)
}
