package federation

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// Organisations finds the organisations remotes act for.
type Organisations interface {
	Organisation(ctx context.Context, id string) (identity.Organisation, error)
}

// Config configures a Service; zero fields take the defaults named.
type Config struct {
	// Key seals the credentials: 32 bytes, see KeyFrom. Required.
	Key []byte
	// Connect reaches a remote. Required for runs.
	Connect Connector
	Logger  *slog.Logger
	Now     func() time.Time
	// Node names this process in leases (a random id).
	Node string
	// Lease is how long a run holds a remote before another node may take
	// it over (10 minutes); every page renews it.
	Lease time.Duration
	// PageSize is how many objects one page carries (500); MaxPages how
	// many pages one run moves at most (200), the rest waits for the next.
	PageSize, MaxPages int
}

// Service keeps remotes and runs them. It is safe for concurrent use.
type Service struct {
	cfg   Config
	store Store
	seal  *sealer
	door  *sharing.Door
	stix  *cti.Service
	orgs  Organisations
}

// NewService returns the service; it fails when the key is not 32 bytes.
func NewService(cfg Config, s Store, door *sharing.Door, stix *cti.Service, orgs Organisations) (*Service, error) {
	seal, err := newSealer(cfg.Key)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Node == "" {
		cfg.Node = identity.NewID()
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 10 * time.Minute
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 500
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 200
	}
	return &Service{cfg: cfg, store: s, seal: seal, door: door, stix: stix, orgs: orgs}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Input is what an administrator sets of a remote. Secret "" keeps the
// stored secret on an update.
type Input struct {
	Name            string
	URL             string
	Collection      string
	Direction       Direction
	Auth            AuthKind
	Username        string
	Secret          string
	LocalCollection string
	Recipient       string
	Interval        time.Duration
	Enabled         bool
}

// Bounds of the interval between runs.
const (
	MinInterval = time.Minute
	MaxInterval = 7 * 24 * time.Hour
)

// mayManage reports whether p may configure remotes: office admins and the
// installation itself.
func mayManage(p identity.Principal) bool { return p.System || p.Has(identity.RoleOfficeAdmin) }

func forbidden(op string) error {
	return verbund.E(op, verbund.Forbidden, "only an office administrator may manage TAXII remotes")
}

// Remotes returns every remote by name.
func (s *Service) Remotes(ctx context.Context, p identity.Principal) ([]Remote, error) {
	if !mayManage(p) {
		return nil, forbidden("federation.Remotes")
	}
	rs, err := s.store.Remotes(ctx)
	out := make([]Remote, len(rs))
	for i := range rs {
		out[i] = rs[i].Remote
	}
	return out, err
}

// Remote returns remote id; NotFound when there is none.
func (s *Service) Remote(ctx context.Context, p identity.Principal, id string) (Remote, error) {
	if !mayManage(p) {
		return Remote{}, forbidden("federation.Remote")
	}
	r, err := s.store.Remote(ctx, id)
	return r.Remote, err
}

// validate checks in and returns the problems by field: name, url,
// collection, direction, auth, username, secret, local_collection,
// recipient, interval. hadSecret says whether a secret is stored already.
func (s *Service) validate(ctx context.Context, in *Input, hadSecret bool) (map[string]string, error) {
	f := map[string]string{}
	in.Name, in.URL, in.Collection = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL), strings.TrimSpace(in.Collection)
	in.Username, in.LocalCollection, in.Recipient = strings.TrimSpace(in.Username), strings.TrimSpace(in.LocalCollection), strings.TrimSpace(in.Recipient)
	switch {
	case in.Name == "":
		f["name"] = "is required"
	case utf8.RuneCountInString(in.Name) > 200:
		f["name"] = "must be at most 200 characters"
	}
	if msg := checkURL(in.URL); msg != "" {
		f["url"] = msg
	}
	switch {
	case in.Collection == "":
		f["collection"] = "is required"
	case len(in.Collection) > 200 || strings.ContainsAny(in.Collection, "/?#% \t"):
		f["collection"] = "must be the collection's id as the remote lists it"
	}
	if in.Direction != Pull && in.Direction != Push {
		f["direction"] = "must be pull or push"
	}
	if in.Auth == "" {
		in.Auth = AuthNone
	}
	switch in.Auth {
	case AuthNone:
		in.Username, in.Secret = "", ""
	case AuthBasic:
		if in.Username == "" {
			f["username"] = "is required for HTTP Basic"
		}
		fallthrough
	case AuthBearer:
		if in.Secret == "" && !hadSecret {
			f["secret"] = "is required for this kind of authentication"
		}
		if len(in.Secret) > 4096 {
			f["secret"] = "must be at most 4096 bytes"
		}
		if in.Auth == AuthBearer {
			in.Username = ""
		}
	default:
		f["auth"] = "must be none, basic or bearer"
	}
	if len(in.Username) > 200 {
		f["username"] = "must be at most 200 characters"
	}
	if in.LocalCollection == "" {
		f["local_collection"] = "is required"
	} else if _, err := s.stix.Collection(ctx, in.LocalCollection); verbund.ErrorKind(err) == verbund.NotFound {
		f["local_collection"] = "does not exist"
	} else if err != nil {
		return nil, err
	}
	if in.Direction == Push {
		if in.Recipient == "" {
			f["recipient"] = "is required for a push: only what this organisation may see is sent"
		} else if _, err := s.orgs.Organisation(ctx, in.Recipient); verbund.ErrorKind(err) == verbund.NotFound {
			f["recipient"] = "does not exist"
		} else if err != nil {
			return nil, err
		}
	} else {
		in.Recipient = ""
	}
	if in.Interval < MinInterval || in.Interval > MaxInterval {
		f["interval"] = "must be between 1 minute and 7 days"
	}
	return f, nil
}

// checkURL says what is wrong with a remote's URL, or "".
func checkURL(s string) string {
	if s == "" {
		return "is required"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return "must be an http or https URL of the discovery service or the API root"
	case u.User != nil:
		return "must not carry credentials: enter them below"
	case u.RawQuery != "" || u.Fragment != "":
		return "must not have a query or fragment"
	case len(s) > 2000:
		return "must be at most 2000 characters"
	}
	return ""
}

// Create adds a remote. A verbund.Invalid error names each problem of in by
// field (see validate); Conflict when the name is taken.
func (s *Service) Create(ctx context.Context, p identity.Principal, in Input) (Remote, error) {
	const op = "federation.Create"
	if !mayManage(p) {
		return Remote{}, forbidden(op)
	}
	f, err := s.validate(ctx, &in, false)
	if err != nil {
		return Remote{}, err
	}
	if len(f) > 0 {
		return Remote{}, verbund.InvalidFields(op, f)
	}
	now := s.now()
	r := Stored{Remote: Remote{ID: identity.NewID(), CreatedAt: now, UpdatedAt: now}}
	if p.User != nil {
		r.CreatedBy = p.User.ID
	}
	s.apply(&r, in)
	r.State.NextRun = now
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertRemote(ctx, r); err != nil {
			return nameTaken(op, err)
		}
		return s.record(ctx, tx, p, now, "taxii.remote.create", r.Remote, audit.Success, describe(r.Remote))
	})
	if err != nil {
		return Remote{}, err
	}
	return s.reload(ctx, r.ID) // the stored form
}

// apply copies in to r, sealing a new secret.
func (s *Service) apply(r *Stored, in Input) {
	r.Name, r.URL, r.Collection, r.Direction = in.Name, in.URL, in.Collection, in.Direction
	r.Auth, r.Username, r.LocalCollection, r.Recipient = in.Auth, in.Username, in.LocalCollection, in.Recipient
	r.Interval, r.Enabled = in.Interval.Truncate(time.Second), in.Enabled
	switch {
	case in.Auth == AuthNone:
		r.Sealed = nil
	case in.Secret != "":
		r.Sealed = s.seal.seal(r.ID, in.Secret)
	}
	r.HasSecret = len(r.Sealed) > 0
}

func nameTaken(op string, err error) error {
	if verbund.ErrorKind(err) == verbund.Conflict {
		return verbund.InvalidFields(op, map[string]string{"name": "is taken by another remote"})
	}
	return err
}

func describe(r Remote) string {
	return fmt.Sprintf("%s %s collection %s, local collection %s, every %s, enabled %t, auth %s",
		r.Direction, r.URL, r.Collection, r.LocalCollection, r.Interval, r.Enabled, r.Auth)
}

// Update changes remote id. Changing where it points (URL, remote or local
// collection, direction or recipient) starts it over: the cursor and the
// position are reset.
func (s *Service) Update(ctx context.Context, p identity.Principal, id string, in Input) (Remote, error) {
	const op = "federation.Update"
	if !mayManage(p) {
		return Remote{}, forbidden(op)
	}
	r, err := s.store.Remote(ctx, id)
	if err != nil {
		return Remote{}, err
	}
	// A secret for another kind of authentication is not reused.
	had := r.HasSecret && in.Auth == r.Auth
	if !had {
		r.Sealed = nil
	}
	f, err := s.validate(ctx, &in, had)
	if err != nil {
		return Remote{}, err
	}
	if len(f) > 0 {
		return Remote{}, verbund.InvalidFields(op, f)
	}
	moved := r.URL != in.URL || r.Collection != in.Collection || r.Direction != in.Direction ||
		r.LocalCollection != in.LocalCollection || r.Recipient != in.Recipient
	now := s.now()
	s.apply(&r, in)
	r.UpdatedAt = now
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateRemote(ctx, r); err != nil {
			return nameTaken(op, err)
		}
		if moved {
			if err := tx.SaveRemoteState(ctx, r.ID, "", State{NextRun: now}, time.Time{}); err != nil {
				return err
			}
		}
		why := describe(r.Remote)
		if in.Secret != "" {
			why += "; credential replaced"
		}
		if moved {
			why += "; cursor and position reset"
		}
		return s.record(ctx, tx, p, now, "taxii.remote.update", r.Remote, audit.Success, why)
	})
	if err != nil {
		return Remote{}, err
	}
	return s.reload(ctx, r.ID)
}

// SetEnabled enables or disables remote id. Enabling makes it due at once.
func (s *Service) SetEnabled(ctx context.Context, p identity.Principal, id string, on bool) (Remote, error) {
	const op = "federation.SetEnabled"
	if !mayManage(p) {
		return Remote{}, forbidden(op)
	}
	r, err := s.store.Remote(ctx, id)
	if err != nil {
		return Remote{}, err
	}
	now := s.now()
	r.Enabled, r.UpdatedAt = on, now
	action := "taxii.remote.disable"
	if on {
		action = "taxii.remote.enable"
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateRemote(ctx, r); err != nil {
			return err
		}
		if on {
			if err := tx.ScheduleRemote(ctx, id, now); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, now, action, r.Remote, audit.Success, r.Name)
	})
	if err != nil {
		return Remote{}, err
	}
	return s.reload(ctx, id)
}

// RunNow makes remote id due at once; a worker runs it within its
// interval. A verbund.Conflict error when the remote is disabled.
func (s *Service) RunNow(ctx context.Context, p identity.Principal, id string) (Remote, error) {
	const op = "federation.RunNow"
	if !mayManage(p) {
		return Remote{}, forbidden(op)
	}
	r, err := s.store.Remote(ctx, id)
	if err != nil {
		return Remote{}, err
	}
	if !r.Enabled {
		return Remote{}, &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "remote-disabled",
			Msg: "the remote is disabled; enable it to run it"}
	}
	now := s.now()
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.ScheduleRemote(ctx, id, now); err != nil {
			return err
		}
		return s.record(ctx, tx, p, now, "taxii.remote.run-now", r.Remote, audit.Success, r.Name)
	})
	if err != nil {
		return Remote{}, err
	}
	return s.reload(ctx, id)
}

// Delete removes remote id with its credential. What it pulled stays.
func (s *Service) Delete(ctx context.Context, p identity.Principal, id string) error {
	const op = "federation.Delete"
	if !mayManage(p) {
		return forbidden(op)
	}
	r, err := s.store.Remote(ctx, id)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteRemote(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, s.now(), "taxii.remote.delete", r.Remote, audit.Success, r.Name)
	})
}

// record appends the audit entry of an action on r by p.
func (s *Service) record(ctx context.Context, tx Tx, p identity.Principal, at time.Time, action string, r Remote, o audit.Outcome, why string) error {
	e := audit.New(ctx, at, action, o)
	if p.User != nil {
		e.ActorUser = p.User.ID
	}
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg = p.OrgID()
	e.ObjectType, e.ObjectID, e.Reason = "taxii-remote", r.ID, why
	_, err := tx.AppendAudit(ctx, e)
	return err
}

// reload returns remote id as stored.
func (s *Service) reload(ctx context.Context, id string) (Remote, error) {
	r, err := s.store.Remote(ctx, id)
	return r.Remote, err
}
