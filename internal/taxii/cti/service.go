package cti

import (
	"context"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
)

// Service keeps collections and their objects. It is safe for concurrent
// use.
type Service struct {
	store Store
	door  *sharing.Door
	now   func() time.Time
	// maxScan bounds how many stored versions one listing decides before it
	// answers with what it found and a position to go on from.
	maxScan atomic.Int64
	blocks  blockCache // prefix lengths of the stored CIDR blocks: lookup.go
}

// DefaultMaxScan is how many stored versions one page decides at most.
const DefaultMaxScan = 20000

// NewService returns a service on s that asks door about every object. now
// is the clock (time.Now when nil).
func NewService(s Store, door *sharing.Door, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	svc := &Service{store: s, door: door, now: now}
	svc.maxScan.Store(DefaultMaxScan)
	return svc
}

// SetMaxScan changes how many stored versions one listing decides before
// it answers; n < 1 restores DefaultMaxScan.
func (s *Service) SetMaxScan(n int) {
	if n < 1 {
		n = DefaultMaxScan
	}
	s.maxScan.Store(int64(n))
}

// NewCollection is the input of CreateCollection.
type NewCollection struct {
	ID           string // "" for a new id; else a UUID
	Title        string
	Description  string
	Alias        string
	OwnerOrg     string
	Default      policy.Marking
	ReadersWrite bool
}

// CreateCollection creates a collection owned by in.OwnerOrg. The system,
// office admins, and the organisation admins of the owner may. Invalid
// input is a verbund.Invalid error whose Fields name each problem, among
// them what designation.SaveMarking finds wrong with the default marking.
func (s *Service) CreateCollection(ctx context.Context, p identity.Principal, in NewCollection) (Collection, error) {
	const op = "cti.CreateCollection"
	mayCreate := p.System || p.Has(identity.RoleOfficeAdmin) ||
		p.User != nil && p.User.OrgID == in.OwnerOrg && p.Has(identity.RoleOrgAdmin)
	if !mayCreate {
		return Collection{}, verbund.E(op, verbund.Forbidden, "only an administrator of the organisation or of the office may create its collections")
	}
	f := map[string]string{}
	in.Title, in.Description, in.Alias = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description), strings.TrimSpace(in.Alias)
	switch {
	case in.Title == "":
		f["title"] = "is required"
	case utf8.RuneCountInString(in.Title) > 200:
		f["title"] = "must be at most 200 characters"
	}
	if utf8.RuneCountInString(in.Description) > 4000 {
		f["description"] = "must be at most 4000 characters"
	}
	if in.Alias != "" && !validAlias(in.Alias) {
		f["alias"] = "must be 1 to 64 lower-case letters, digits and hyphens"
	}
	if in.ID == "" {
		in.ID = identity.NewID()
	} else if u, err := uuid.Parse(in.ID); err != nil || u.String() != in.ID {
		f["id"] = "must be a UUID in lower-case hex with hyphens"
	}
	if len(f) > 0 {
		return Collection{}, verbund.InvalidFields(op, f)
	}
	c := Collection{ID: in.ID, Title: in.Title, Description: in.Description, Alias: in.Alias,
		MediaTypes: []string{MediaTypeSTIX}, OwnerOrg: in.OwnerOrg, Default: in.Default,
		ReadersWrite: in.ReadersWrite, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	if p.User != nil {
		c.CreatedBy = p.User.ID
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		// The marking first: SaveMarking names every problem with the
		// owner and the audience, where a foreign key would only fail.
		if err := designation.SaveMarking(ctx, tx, KindCollection, c.ID, c.OwnerOrg, c.CreatedBy, c.Default); err != nil {
			return err
		}
		if err := tx.CreateSTIXCollection(ctx, c); err != nil {
			return err
		}
		e := actorEntry(ctx, p, c.CreatedAt, "stix.collection.create", audit.Success)
		e.ObjectType, e.ObjectID, e.Reason = KindCollection, c.ID, "collection "+c.Title+" created with "+c.Default.TLP.String()
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return Collection{}, err
	}
	return s.store.STIXCollection(ctx, c.ID)
}

// actorEntry returns an audit entry of action with the actor fields of p.
func actorEntry(ctx context.Context, p identity.Principal, at time.Time, action string, o audit.Outcome) audit.Entry {
	e := audit.New(ctx, at, action, o)
	if p.User != nil {
		e.ActorUser = p.User.ID
	}
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg = p.OrgID()
	return e
}

// Collection returns collection id, or NotFound.
func (s *Service) Collection(ctx context.Context, id string) (Collection, error) {
	return s.store.STIXCollection(ctx, id)
}

// Collections returns every collection; callers show only those Access
// allows.
func (s *Service) Collections(ctx context.Context) ([]Collection, error) {
	return s.store.STIXCollections(ctx)
}

// Access tells whether the viewer v of principal p may read and add to c;
// the rule is in the package doc. Reading is the policy's decision alone.
func (s *Service) Access(p identity.Principal, v *policy.Viewer, c *Collection) (read, write bool) {
	o := c.Object()
	read = s.door.Decide(v, &o).Allow
	write = p.Authenticated() && p.HasScope(identity.ScopeIntelWrite) &&
		v.OrgID != "" && v.OrgStatus == policy.StatusActive &&
		(v.OrgID == c.OwnerOrg || c.ReadersWrite && read)
	return read, write
}

// Status returns status resource id if p's organisation made the request;
// NotFound otherwise, so that nobody learns of others' requests.
func (s *Service) Status(ctx context.Context, p identity.Principal, id string) (Status, error) {
	st, err := s.store.STIXStatus(ctx, id)
	if err != nil {
		return Status{}, err
	}
	if p.OrgID() == "" || st.OrgID != p.OrgID() {
		return Status{}, verbund.E("cti.Status", verbund.NotFound, "no such status")
	}
	return st, nil
}
