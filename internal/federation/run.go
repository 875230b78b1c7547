package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// Run runs due remotes every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 15 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue runs every remote that is due and that this node could lease, one
// after the other, and returns how many it ran.
func (s *Service) RunDue(ctx context.Context) int {
	due, err := s.store.DueRemotes(ctx, s.now(), 20)
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Error("reading the due TAXII remotes failed", "err", err)
		}
		return 0
	}
	n := 0
	for _, r := range due {
		if ctx.Err() != nil {
			break
		}
		now := s.now()
		ok, err := s.store.ClaimRemote(ctx, r.ID, s.cfg.Node, now, now.Add(s.cfg.Lease))
		if err != nil {
			s.cfg.Logger.Error("leasing a TAXII remote failed", "remote", r.ID, "err", err)
			continue
		}
		if !ok {
			continue // another node has it
		}
		s.runOne(ctx, r)
		n++
	}
	return n
}

// outcome is what one run did.
type outcome struct {
	count, pages int
	rejected     []Rejected
	state        State // the state as the run advanced it
}

// runOne runs remote r, which this node leased, and records the run.
func (s *Service) runOne(ctx context.Context, r Stored) {
	out := outcome{state: r.State}
	out.state.Rejected = nil
	var err error
	if r.Direction == Pull {
		err = s.pull(ctx, r, &out)
	} else {
		err = s.push(ctx, r, &out)
	}
	now := s.now()
	st := out.state
	st.LastRun, st.LastCount, st.Rejected = now, out.count, capRejected(out.rejected)
	o := audit.Success
	var why string
	switch {
	case err == nil:
		st.LastSuccess, st.LastError, st.Failures = now, "", 0
		st.NextRun = now.Add(r.Interval)
		why = fmt.Sprintf("%s: %d objects in %d pages, %d refused", r.Direction, out.count, out.pages, len(out.rejected))
	default:
		o = audit.Failure
		st.Failures++
		st.LastError = shorten(err.Error(), 1000)
		st.NextRun = now.Add(Backoff(r.Interval, st.Failures))
		why = fmt.Sprintf("%s failed after %d objects in %d pages: %s", r.Direction, out.count, out.pages, st.LastError)
		s.cfg.Logger.Warn("a TAXII remote run failed", "remote", r.ID, "name", r.Name, "failures", st.Failures, "err", st.LastError)
	}
	// The run's own context may have ended (shutdown): the record must
	// still be written.
	rctx := context.WithoutCancel(ctx)
	err = s.store.Update(rctx, func(tx Tx) error {
		if err := tx.SaveRemoteState(rctx, r.ID, s.cfg.Node, st, time.Time{}); err != nil {
			return err
		}
		e := audit.New(rctx, now, "taxii.remote."+string(r.Direction), o)
		e.ObjectType, e.ObjectID, e.Reason = "taxii-remote", r.ID, why
		_, err := tx.AppendAudit(rctx, e)
		return err
	})
	if err != nil {
		s.cfg.Logger.Error("recording a TAXII remote run failed", "remote", r.ID, "err", err)
	}
}

// Backoff is how long a remote waits after its n-th failed run in a row:
// its interval, doubled with each failure, at most a day (and never less
// than the interval).
func Backoff(interval time.Duration, n int) time.Duration {
	d := interval
	for i := 1; i < n && d < 24*time.Hour; i++ {
		d *= 2
	}
	return max(min(d, 24*time.Hour), interval)
}

// endpoint opens r's credential.
func (s *Service) endpoint(r Stored) (Endpoint, error) {
	e := Endpoint{URL: r.URL, Collection: r.Collection, Auth: r.Auth, Username: r.Username}
	if len(r.Sealed) > 0 {
		secret, err := s.seal.open(r.ID, r.Sealed)
		if err != nil {
			return Endpoint{}, err
		}
		e.Secret = secret
	}
	return e, nil
}

// machine is the principal a run acts as: the installation itself, on
// behalf of organisation org, shaped as an API token of org with the given
// scopes so that the door and the collection's rules treat it as they
// treat any machine client of that organisation. Its token id names the
// remote in the audit log.
func machine(org identity.Organisation, r Stored, scopes ...identity.Scope) identity.Principal {
	return identity.Principal{System: true, Org: &org,
		Token: &identity.Token{ID: "taxii-remote:" + r.ID, OrgID: org.ID, Name: r.Name, Scopes: scopes}}
}

// connect returns the peer of r.
func (s *Service) connect(ctx context.Context, r Stored) (Peer, error) {
	if s.cfg.Connect == nil {
		return nil, errors.New("no TAXII client is configured")
	}
	e, err := s.endpoint(r)
	if err != nil {
		return nil, err
	}
	return s.cfg.Connect(ctx, e)
}

// pull stores what the remote added after the cursor, page by page. The
// cursor advances after each page is stored and is saved at once, so that
// a crash repeats at most one page, which adding again does not change.
func (s *Service) pull(ctx context.Context, r Stored, out *outcome) error {
	c, err := s.stix.Collection(ctx, r.LocalCollection)
	if err != nil {
		return fmt.Errorf("the local collection: %w", err)
	}
	owner, err := s.orgs.Organisation(ctx, c.OwnerOrg)
	if err != nil {
		return fmt.Errorf("the owner of the local collection: %w", err)
	}
	p := machine(owner, r, identity.ScopeIntelRead, identity.ScopeIntelWrite)
	v, err := s.door.Viewer(ctx, p)
	if err != nil {
		return err
	}
	peer, err := s.connect(ctx, r)
	if err != nil {
		return err
	}
	// Every page of one listing asks with the same added_after; next
	// carries the listing on.
	since, next := r.State.Cursor, ""
	for range s.cfg.MaxPages {
		page, err := peer.Pull(ctx, since, next, s.cfg.PageSize)
		if err != nil {
			return err
		}
		out.pages++
		if len(page.Objects) > 0 {
			st, err := s.stix.Add(ctx, p, &v, &c, page.Objects)
			if err != nil {
				return fmt.Errorf("storing a page: %w", err)
			}
			out.count += len(st.Successes)
			for _, f := range st.Failures {
				out.rejected = append(out.rejected, Rejected{ID: f.ID, Version: f.Version, Message: f.Message})
			}
		}
		if page.DateAddedLast != "" && !ValidCursor(page.DateAddedLast) {
			return fmt.Errorf("the remote's X-TAXII-Date-Added-Last %.40q is not a timestamp", page.DateAddedLast)
		}
		if page.DateAddedLast != "" && page.DateAddedLast != out.state.Cursor {
			out.state.Cursor = page.DateAddedLast
			if err := s.saveProgress(ctx, r, out.state); err != nil {
				return err
			}
		}
		if !page.More || page.Next == "" {
			return nil
		}
		next = page.Next
	}
	return nil
}

// push sends the local objects after the position that the recipient may
// see, page by page. The position advances only after the remote's status
// is complete; the objects it refused are recorded, and not sent again.
func (s *Service) push(ctx context.Context, r Stored, out *outcome) error {
	c, err := s.stix.Collection(ctx, r.LocalCollection)
	if err != nil {
		return fmt.Errorf("the local collection: %w", err)
	}
	recipient, err := s.orgs.Organisation(ctx, r.Recipient)
	if err != nil {
		return fmt.Errorf("the recipient organisation: %w", err)
	}
	p := machine(recipient, r, identity.ScopeIntelRead)
	v, err := s.door.Viewer(ctx, p)
	if err != nil {
		return err
	}
	if v.OrgStatus != policy.StatusActive {
		return fmt.Errorf("the recipient organisation is %s: nothing is sent", recipient.Status)
	}
	var peer Peer
	after := cti.Position{Seq: r.State.Position}
	for range s.cfg.MaxPages {
		page, err := s.stix.Page(ctx, &v, &c, cti.Query{Select: cti.Selection{All: true}}, after, s.cfg.PageSize, true)
		if err != nil {
			return err
		}
		if len(page.Versions) > 0 {
			if peer == nil {
				if peer, err = s.connect(ctx, r); err != nil {
					return err
				}
			}
			objs := make([]json.RawMessage, len(page.Versions))
			for i, ver := range page.Versions {
				objs[i] = ver.Raw
			}
			res, err := peer.Push(ctx, objs)
			if err != nil {
				return err
			}
			out.pages++
			if !res.Complete {
				return errors.New("the remote did not complete the addition in time; the objects are sent again")
			}
			out.count += res.Successes
			out.rejected = append(out.rejected, res.Failures...)
			after = cti.Position{Seq: page.Versions[len(page.Versions)-1].Seq}
		}
		if page.More && page.Next.Seq > after.Seq {
			// Versions the recipient may not see were decided too.
			after = page.Next
		}
		if after.Seq != out.state.Position {
			out.state.Position = after.Seq
			if err := s.saveProgress(ctx, r, out.state); err != nil {
				return err
			}
		}
		if !page.More {
			return nil
		}
	}
	return nil
}

// ValidCursor reports whether s may serve as a pull cursor: a TAXII
// timestamp (RFC 3339 in UTC) of reasonable length, as a remote's
// X-TAXII-Date-Added-Last header must be.
func ValidCursor(s string) bool {
	if len(s) > 40 {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && strings.HasSuffix(s, "Z") && t.Year() > 1970
}

// saveProgress stores the state of a run under way and renews the lease.
func (s *Service) saveProgress(ctx context.Context, r Stored, st State) error {
	return s.store.Update(ctx, func(tx Tx) error {
		return tx.SaveRemoteState(ctx, r.ID, s.cfg.Node, st, s.now().Add(s.cfg.Lease))
	})
}

// capRejected keeps the first 100 rejections, so that a run of bad objects
// cannot fill the database.
func capRejected(rs []Rejected) []Rejected {
	if len(rs) > 100 {
		rs = rs[:100]
	}
	for i := range rs {
		rs[i].Message = shorten(rs[i].Message, 300)
	}
	return rs
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8Start(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s) + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
