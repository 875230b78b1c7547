package cti

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// item is one object of a request that passed validation.
type item struct {
	index     int
	obj       stix.Object
	version   time.Time // zero for objects that carry no version: SCOs
	marking   policy.Marking
	obs       []stix.Observable
	createdBy string
}

// Add stores objects, the members of one TAXII envelope, in c for the
// principal p whose viewer is v, and returns the status of the request,
// which is stored too. Every object is checked on its own: the good ones
// are stored, each bad one is listed among the failures with the reason.
// An object is refused when stix.Parse refuses it, when its TLP markings
// contradict each other, when its marking does not fit the collection
// (see the package doc), and when the collection holds a different object
// under the same id and version. Adding the same version again (same
// owner, same JSON) succeeds and changes nothing.
//
// It returns a verbund.Forbidden error when v may not add to c, and the
// storage's error when storing fails; then nothing is stored.
func (s *Service) Add(ctx context.Context, p identity.Principal, v *policy.Viewer, c *Collection, objects []json.RawMessage) (Status, error) {
	const op = "cti.Add"
	if _, write := s.Access(p, v, c); !write {
		return Status{}, verbund.E(op, verbund.Forbidden, "you may not add objects to this collection")
	}
	now := s.now().UTC()
	st := Status{ID: identity.NewID(), Collection: c.ID, OrgID: v.OrgID, RequestTimestamp: now.Truncate(time.Microsecond)}
	var createdBy string
	switch {
	case p.User != nil:
		st.RequestedBy, createdBy = p.User.ID, p.User.ID
	case p.Token != nil:
		st.RequestedBy = p.Token.ID
	}
	results := make([]StatusDetail, len(objects))
	ok := make([]bool, len(objects))
	var items []item
	prepared, fails := prepareAll(objects, c, v.OrgID, createdBy)
	for i, raw := range objects {
		if fails[i] != "" {
			results[i] = peek(raw)
			results[i].Message = fails[i]
			continue
		}
		it := prepared[i]
		it.index = i
		items = append(items, it)
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		var pos []Position
		if len(items) > 0 {
			var err error
			if pos, err = tx.ReserveSTIX(ctx, c.ID, len(items), now); err != nil {
				return err
			}
		}
		checked := map[policy.TLP]bool{}
		bt, bulk := tx.(BulkTx)
		var fresh map[int]bool
		if bulk && len(items) > 1 {
			var err error
			if fresh, err = freshItems(ctx, bt, c, items); err != nil {
				return err
			}
		}
		var batch []NewVersion
		for k, it := range items {
			var (
				d    StatusDetail
				fail string
				err  error
			)
			if fresh[k] {
				var nv NewVersion
				if nv, d, fail, err = newVersion(ctx, tx, c, it, pos[k], v.OrgID, checked); err == nil && fail == "" {
					batch = append(batch, nv)
				}
			} else {
				d, fail, err = s.addOne(ctx, tx, c, it, pos[k], v.OrgID, checked)
			}
			if err != nil {
				return err
			}
			results[it.index], ok[it.index] = d, fail == ""
			results[it.index].Message = fail
		}
		if len(batch) > 0 {
			if err := bt.InsertSTIXNew(ctx, batch); err != nil {
				return err
			}
		}
		st.Successes, st.Failures = nil, nil
		for i, d := range results {
			if ok[i] {
				st.Successes = append(st.Successes, d)
			} else {
				st.Failures = append(st.Failures, d)
			}
		}
		if err := tx.PutSTIXStatus(ctx, st); err != nil {
			return err
		}
		outcome := audit.Success
		if len(st.Successes) == 0 && len(objects) > 0 {
			outcome = audit.Failure
		}
		e := actorEntry(ctx, p, now, "stix.add", outcome)
		e.ObjectType, e.ObjectID = KindCollection, c.ID
		e.Reason = fmt.Sprintf("added %d of %d objects; status %s", len(st.Successes), len(objects), st.ID)
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return Status{}, err
	}
	for _, it := range items {
		s.noteBlocks(it.obs)
	}
	return st, nil
}

// prepare validates one object and derives its marking in c; fail says why
// the object is refused.
func prepare(raw json.RawMessage, c *Collection, owner, createdBy string) (it item, fail string) {
	obj, err := stix.Parse(raw)
	if err != nil {
		return item{}, describe("the object is not valid STIX 2.1", err)
	}
	level, named, err := stix.TLPOf(obj)
	if err != nil {
		return item{}, describe("the object's TLP markings are not consistent", err)
	}
	m := c.Default
	if named {
		if m.TLP, err = policy.ParseTLP(level); err != nil {
			return item{}, describe("the object's TLP level is unknown", err)
		}
	}
	m = narrow(m)
	o := policy.Object{Kind: policy.KindSTIX, ID: obj.ID, OwnerOrg: owner, CreatedBy: createdBy, Marking: m}
	if err := policy.ValidateObject(&o); err != nil {
		return item{}, describe("the object's marking ("+m.TLP.String()+") does not fit the audience of this collection", err)
	}
	it = item{obj: obj, marking: m, createdBy: createdBy}
	switch {
	case !obj.Modified.IsZero():
		it.version = obj.Modified
	case !obj.Created.IsZero():
		it.version = obj.Created
	}
	it.version = it.version.UTC().Truncate(time.Microsecond)
	if obj.Pattern != nil {
		for _, ob := range obj.Pattern.Observables() {
			// PostgreSQL's text cannot hold NUL; such a value is no lookup
			// anybody types.
			if !strings.ContainsRune(ob.Value, 0) {
				it.obs = append(it.obs, ob)
			}
		}
	}
	return it, ""
}

// narrow keeps of m's audience the parts that count at its level, as the
// policy reads them: AMBER does not go to the community, AMBER+STRICT only
// to the organisations and users named, RED only to the users named. The
// result never reaches anybody m does not; it may reach nobody, which
// ValidateObject then refuses.
func narrow(m policy.Marking) policy.Marking {
	a := &m.Audience
	switch m.TLP {
	case policy.Amber:
		a.Community = false
	case policy.AmberStrict:
		a.Community, a.Sectors, a.Circles = false, nil, nil
	case policy.Red:
		a.Community, a.Sectors, a.Circles, a.Orgs = false, nil, nil, nil
	}
	return m
}

// addOne stores one prepared object at pos. fail is why it was refused;
// err a failure of the storage, which aborts the request. checked holds
// the levels whose marking designation.SaveMarking accepted in this
// transaction: the markings of one request differ only in their level
// (owner, author, audience and flags are the request's and the
// collection's), so the same checks need not run for every object again.
func (s *Service) addOne(ctx context.Context, tx Tx, c *Collection, it item, pos Position, owner string, checked map[policy.TLP]bool) (d StatusDetail, fail string, err error) {
	obj := &it.obj
	d = StatusDetail{ID: obj.ID}
	existing, err := tx.STIXVersionsTx(ctx, c.ID, obj.ID)
	if err != nil {
		return d, "", err
	}
	versionless := it.version.IsZero()
	for _, e := range existing {
		same := e.Marked.OwnerOrg == owner && bytes.Equal(e.Raw, obj.Raw)
		switch {
		case versionless && same, !versionless && same && e.Version.Equal(it.version):
			d.Version = FormatTimestamp(e.Version)
			return d, "", nil
		case !versionless && e.Version.Equal(it.version):
			d.Version = FormatTimestamp(it.version)
			return d, "the collection holds a different object with this id and version; a changed object needs a later modified timestamp", nil
		}
	}
	version := it.version
	if versionless {
		version = pos.DateAdded
	}
	d.Version = FormatTimestamp(version)
	ver := Version{Collection: c.ID, Seq: pos.Seq, DateAdded: pos.DateAdded, ID: obj.ID, Type: obj.Type,
		SpecVersion: obj.SpecVersion, Version: version, Raw: obj.Raw,
		Marked: designation.Marked{Kind: policy.KindSTIX, ObjectID: MarkingID(c.ID, obj.ID, version),
			OwnerOrg: owner, CreatedBy: it.createdBy, Marking: it.marking}}
	if ver.SpecVersion == "" {
		ver.SpecVersion = SpecVersion
	}
	if checked[it.marking.TLP] {
		err = tx.PutMarking(ctx, ver.Marked)
	} else {
		err = designation.SaveMarking(ctx, tx, ver.Marked.Kind, ver.Marked.ObjectID, owner, it.createdBy, it.marking)
		if verbund.IsKind(err, verbund.Invalid) {
			return d, describe("the object's marking cannot be stored", err), nil
		}
	}
	if err != nil {
		return d, "", err
	}
	checked[it.marking.TLP] = true
	if err := tx.InsertSTIX(ctx, ver); err != nil {
		return d, "", err
	}
	if len(it.obs) > 0 {
		if err := tx.AddSTIXObservables(ctx, c.ID, obj.ID, it.obs); err != nil {
			return d, "", err
		}
	}
	return d, "", nil
}

// describe renders err for a status failure: the summary, then every field
// with its problem, sorted. Outside input in it is quoted by the validators
// and shortened here.
func describe(summary string, err error) string {
	var b strings.Builder
	b.WriteString(summary)
	var ve *verbund.Error
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		keys := make([]string, 0, len(ve.Fields))
		for k := range ve.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString("; ")
			}
			b.WriteString(k + " " + ve.Fields[k])
		}
	} else if msg := verbund.ErrorMessage(err); msg != "an internal error occurred" {
		b.WriteString(": " + msg)
	}
	return shorten(b.String(), 1000)
}

// peek reads id and version of an object that failed validation, as far as
// they can be read, for its status entry.
func peek(raw json.RawMessage) StatusDetail {
	var o struct {
		ID       any `json:"id"`
		Modified any `json:"modified"`
		Created  any `json:"created"`
	}
	_ = json.Unmarshal(raw, &o)
	str := func(v any) string { s, _ := v.(string); return shorten(s, 300) }
	d := StatusDetail{ID: str(o.ID), Version: str(o.Modified)}
	if d.Version == "" {
		d.Version = str(o.Created)
	}
	return d
}

// shorten cuts s to at most n bytes on a rune boundary.
func shorten(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
