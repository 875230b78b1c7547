package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// accessUpdate runs fn in a transaction of the access store.
func accessUpdate(t *testing.T, db *store.DB, fn func(tx sharing.AccessTx) error) error {
	t.Helper()
	return db.Access().Update(t.Context(), fn)
}

func requestOf(id, kind, object string, at time.Time) sharing.AccessRequest {
	return sharing.AccessRequest{ID: id, Kind: kind, ObjectID: object, OwnerOrg: "o-1", RequesterOrg: "o-2",
		RequesterUser: "u-2", Reason: "we run the same grid software", State: sharing.RequestOpen, CreatedAt: at}
}

func TestAccessRequestStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Access()
		desSeed(t, db)
		update(t, db, func(tx identity.Tx) error {
			return tx.CreateUser(ctx, user("u-2", "o-2", "u2@example.org", "User Two"))
		})
		r1 := requestOf("r-1", "indicator", "ind-1", t0)
		r2 := requestOf("r-2", "warning", "w-1", t0.Add(time.Minute))
		r3 := requestOf("r-3", "indicator", "ind-2", t0.Add(2*time.Minute))
		r3.OwnerOrg, r3.RequesterOrg, r3.RequesterUser = "o-2", "o-1", "u-1"
		if err := accessUpdate(t, db, func(tx sharing.AccessTx) error {
			for _, r := range []sharing.AccessRequest{r1, r2, r3} {
				if err := tx.CreateAccessRequest(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.AccessRequest(ctx, "r-1")
		if err != nil || !reflect.DeepEqual(got, r1) {
			t.Errorf("AccessRequest = %+v, %v\nwant %+v", got, err, r1)
		}
		_, err = s.AccessRequest(ctx, "r-missing")
		wantKind(t, err, verbund.NotFound)

		list := func(q sharing.RequestQuery) []string {
			t.Helper()
			rs, err := s.ListAccessRequests(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return ids(rs, func(r sharing.AccessRequest) string { return r.ID })
		}
		for _, tc := range []struct {
			name string
			q    sharing.RequestQuery
			want []string
		}{
			{"all, newest first", sharing.RequestQuery{}, []string{"r-3", "r-2", "r-1"}},
			{"by owner", sharing.RequestQuery{OwnerOrg: "o-1"}, []string{"r-2", "r-1"}},
			{"by requesting organisation", sharing.RequestQuery{RequesterOrg: "o-1"}, []string{"r-3"}},
			{"by requesting user", sharing.RequestQuery{RequesterUser: "u-2"}, []string{"r-2", "r-1"}},
			{"by object", sharing.RequestQuery{Kind: "indicator", ObjectID: "ind-1"}, []string{"r-1"}},
			{"by state", sharing.RequestQuery{State: sharing.RequestGranted}, []string{}},
			{"limited", sharing.RequestQuery{Limit: 1}, []string{"r-3"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := list(tc.q); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("ListAccessRequests(%+v) = %v, want %v", tc.q, got, tc.want)
				}
			})
		}

		t.Run("one open request per organisation and object", func(t *testing.T) {
			err := accessUpdate(t, db, func(tx sharing.AccessTx) error {
				return tx.CreateAccessRequest(ctx, requestOf("r-x", "indicator", "ind-1", t0))
			})
			wantKind(t, err, verbund.Conflict)
		})
		t.Run("organisations and users must exist", func(t *testing.T) {
			r := requestOf("r-x", "indicator", "ind-9", t0)
			r.RequesterUser = "u-missing"
			wantKind(t, accessUpdate(t, db, func(tx sharing.AccessTx) error { return tx.CreateAccessRequest(ctx, r) }), verbund.Invalid)
		})
		t.Run("an organisation does not ask itself", func(t *testing.T) {
			r := requestOf("r-x", "indicator", "ind-9", t0)
			r.OwnerOrg = "o-2"
			wantKind(t, accessUpdate(t, db, func(tx sharing.AccessTx) error { return tx.CreateAccessRequest(ctx, r) }), verbund.Invalid)
		})
		t.Run("a new request is open", func(t *testing.T) {
			r := requestOf("r-x", "indicator", "ind-9", t0)
			r.State = sharing.RequestGranted
			wantKind(t, accessUpdate(t, db, func(tx sharing.AccessTx) error { return tx.CreateAccessRequest(ctx, r) }), verbund.Invalid)
		})
		t.Run("changes need a transaction", func(t *testing.T) {
			wantKind(t, db.CreateAccessRequest(ctx, requestOf("r-x", "indicator", "ind-9", t0)), verbund.Internal)
		})

		// A decision is taken once; the request is then a record, and the
		// organisation may ask again.
		decided := r1
		decided.State, decided.DecidedBy, decided.DecidedAt, decided.Decision = sharing.RequestGranted, "u-1", t0.Add(time.Hour), "they need it"
		decide := func(r sharing.AccessRequest) (bool, error) {
			var ok bool
			err := accessUpdate(t, db, func(tx sharing.AccessTx) error {
				var err error
				ok, err = tx.DecideAccessRequest(ctx, r)
				return err
			})
			return ok, err
		}
		if ok, err := decide(decided); !ok || err != nil {
			t.Fatalf("DecideAccessRequest = %v, %v", ok, err)
		}
		again := decided
		again.State, again.Decision = sharing.RequestRefused, "changed my mind"
		if ok, err := decide(again); ok || err != nil {
			t.Errorf("deciding twice = %v, %v; want false", ok, err)
		}
		if got, _ := s.AccessRequest(ctx, "r-1"); !reflect.DeepEqual(got, decided) {
			t.Errorf("after deciding: %+v\nwant %+v", got, decided)
		}
		missing := decided
		missing.ID = "r-missing"
		_, err = decide(missing)
		wantKind(t, err, verbund.NotFound)
		reopen := decided
		reopen.State = sharing.RequestOpen
		_, err = decide(reopen)
		wantKind(t, err, verbund.Invalid)
		noReason := r2
		noReason.State, noReason.DecidedBy, noReason.DecidedAt = sharing.RequestRefused, "u-1", t0.Add(time.Hour)
		_, err = decide(noReason)
		wantKind(t, err, verbund.Invalid)

		if err := accessUpdate(t, db, func(tx sharing.AccessTx) error {
			return tx.CreateAccessRequest(ctx, requestOf("r-4", "indicator", "ind-1", t0.Add(2*time.Hour)))
		}); err != nil {
			t.Errorf("asking again after a decision: %v", err)
		}
		if got := list(sharing.RequestQuery{Kind: "indicator", ObjectID: "ind-1"}); !reflect.DeepEqual(got, []string{"r-4", "r-1"}) {
			t.Errorf("requests for ind-1 = %v", got)
		}
		if got := list(sharing.RequestQuery{State: sharing.RequestGranted}); !reflect.DeepEqual(got, []string{"r-1"}) {
			t.Errorf("granted requests = %v", got)
		}
	})
}
