package demo_test

import (
	"testing"

	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/store/storetest"
)

// The demo shows a configured TAXII remote with the state of its last
// runs, disabled so that it never reaches for the network.
func TestSeedRemote(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := t.Context()
	st := demo.Stores{Identity: db.Identity(), Membership: db.Membership(), Designation: db.Designation(), STIX: db.STIX(),
		Remotes: db.Federation(), RemoteKey: federation.KeyFrom([]byte("demo installation"))}
	if _, err := demo.Seed(ctx, st, func(lang, key string, args ...any) string { return key }); err != nil {
		t.Fatal(err)
	}
	rs, err := db.Federation().Remotes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d remotes seeded, want 1", len(rs))
	}
	r := rs[0]
	if r.Name != "CERT-Verbund Nord (TAXII)" || r.Enabled || r.Direction != federation.Pull || !r.HasSecret ||
		r.State.LastSuccess.IsZero() || r.State.Cursor == "" || r.State.LastCount == 0 || len(r.State.Rejected) != 1 {
		t.Errorf("the demo remote: %+v", r.Remote)
	}
	if due, _ := db.Federation().DueRemotes(ctx, r.State.LastRun.AddDate(1, 0, 0), 10); len(due) != 0 {
		t.Errorf("the demo remote is due: %v", due)
	}
}
