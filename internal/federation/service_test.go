package federation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/client/taxiitest"
)

func pullInput(site *taxiitest.Site) federation.Input {
	return federation.Input{Name: "CERT Nord", URL: "https://taxii.cert-nord.example/taxii2/",
		Collection: "91a7b528-80eb-42ed-a74d-c6fbd5a26116", Direction: federation.Pull, Auth: federation.AuthBearer,
		Secret: "vbd_remote_token_that_must_stay_secret", LocalCollection: site.Community.ID, Interval: 15 * time.Minute, Enabled: true}
}

// TestCredentialsSealed stores the credential sealed, never returns it, and
// keeps it when an update leaves it empty.
func TestCredentialsSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		site := taxiitest.New(t, db)
		ctx, c := t.Context(), newClock()
		svc := node(t, site, "a", c, nil)
		in := pullInput(site)
		r, err := svc.Create(ctx, site.OfficeAdmin, in)
		if err != nil {
			t.Fatal(err)
		}
		if !r.HasSecret || r.State.NextRun.IsZero() {
			t.Errorf("created remote: %+v", r)
		}
		row := rawRow(t, db, r.ID)
		if len(row.Sealed) < 28 || contains(row.Sealed, in.Secret) || contains(row.Sealed, "secret") {
			t.Errorf("the stored credential is not sealed: %q", row.Sealed)
		}
		for _, e := range auditOf(t, db, "taxii.remote.create") {
			if strings.Contains(e.Reason, in.Secret) {
				t.Errorf("the audit log holds the secret: %s", e.Reason)
			}
		}
		got, err := svc.Endpoint(ctx, r.ID)
		if err != nil || got.Secret != in.Secret || got.Auth != federation.AuthBearer {
			t.Errorf("opened endpoint: %v, %v", got, err)
		}

		// An update without a secret keeps it; a new one replaces it.
		in.Secret, in.Name = "", "CERT Nord (TAXII)"
		if _, err := svc.Update(ctx, site.OfficeAdmin, r.ID, in); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.Endpoint(ctx, r.ID); got.Secret != "vbd_remote_token_that_must_stay_secret" {
			t.Errorf("after an update without secret: %q", got.Secret)
		}
		in.Secret = "a-new-token"
		if _, err := svc.Update(ctx, site.OfficeAdmin, r.ID, in); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.Endpoint(ctx, r.ID); got.Secret != "a-new-token" {
			t.Errorf("after replacing the secret: %q", got.Secret)
		}

		// Another installation's key, or the credential of another remote,
		// does not open.
		other, err := federation.NewService(federation.Config{Key: federation.KeyFrom([]byte("another installation"))},
			db.Federation(), site.Door, site.STIX, db.Identity())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Endpoint(ctx, r.ID); err == nil {
			t.Error("a credential opened under another key")
		}
		in.Name, in.Secret = "Copy", "x"
		r2, err := svc.Create(ctx, site.OfficeAdmin, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Transplant(ctx, r.ID, r2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Endpoint(ctx, r2.ID); err == nil {
			t.Error("the credential of one remote opened for another")
		}
	})
}

// TestValidation names every problem of a remote by its field.
func TestValidation(t *testing.T) {
	site := taxiitest.New(t, storetest.SQLite(t))
	svc := node(t, site, "a", newClock(), nil)
	in := federation.Input{Name: " ", URL: "ftp://user:pw@example.org", Collection: "a/b", Direction: "sideways",
		Auth: federation.AuthBasic, LocalCollection: "0194f1f4-0000-7000-8000-000000000000", Interval: time.Second}
	_, err := svc.Create(t.Context(), site.OfficeAdmin, in)
	fields := verbund.ErrorFields(err)
	for _, f := range []string{"name", "url", "collection", "direction", "username", "secret", "local_collection", "interval"} {
		if fields[f] == "" {
			t.Errorf("no problem named for %s: %v", f, fields)
		}
	}
	in = pullInput(site)
	in.Direction = federation.Push
	_, err = svc.Create(t.Context(), site.OfficeAdmin, in)
	if verbund.ErrorFields(err)["recipient"] == "" {
		t.Errorf("a push without recipient: %v", err)
	}
	in.Recipient = site.Energy.ID
	if _, err := svc.Create(t.Context(), site.OfficeAdmin, in); err != nil {
		t.Fatal(err)
	}
	in.Name = "cert nord"
	_, err = svc.Create(t.Context(), site.OfficeAdmin, in)
	if verbund.ErrorFields(err)["name"] == "" {
		t.Errorf("a taken name: %v", err)
	}
}

// TestOnlyOfficeAdmins refuses everybody else.
func TestOnlyOfficeAdmins(t *testing.T) {
	site := taxiitest.New(t, storetest.SQLite(t))
	svc := node(t, site, "a", newClock(), nil)
	u, err := site.Identity.CreateUser(t.Context(), identity.SystemPrincipal(), identity.NewUser{OrgID: site.Energy.ID,
		Email: "second@stadtwerke.example", Name: "Second", Password: "correct horse battery staple", Roles: []identity.Role{identity.RoleOrgAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := site.Identity.Principal(t.Context(), u.ID)
	if _, err := svc.Create(t.Context(), p, pullInput(site)); verbund.ErrorKind(err) != verbund.Forbidden {
		t.Errorf("an organisation admin created a remote: %v", err)
	}
	if _, err := svc.Remotes(t.Context(), p); verbund.ErrorKind(err) != verbund.Forbidden {
		t.Errorf("an organisation admin listed remotes: %v", err)
	}
}

// TestRunNowNeedsEnabled refuses to run a disabled remote.
func TestRunNowNeedsEnabled(t *testing.T) {
	site := taxiitest.New(t, storetest.SQLite(t))
	svc := node(t, site, "a", newClock(), nil)
	in := pullInput(site)
	in.Enabled = false
	r, err := svc.Create(t.Context(), site.OfficeAdmin, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RunNow(t.Context(), site.OfficeAdmin, r.ID); verbund.ErrorKind(err) != verbund.Conflict {
		t.Errorf("run now of a disabled remote: %v", err)
	}
	if n := svc.RunDue(t.Context()); n != 0 {
		t.Errorf("%d disabled remotes ran", n)
	}
}

// TestValidCursor accepts the timestamps TAXII servers send and nothing
// else as a pull cursor.
func TestValidCursor(t *testing.T) {
	for s, want := range map[string]bool{
		"2016-11-01T03:04:05.000Z": true, "2026-05-04T08:00:00.123456Z": true, "2016-11-01T03:04:05Z": true,
		"": false, "yesterday": false, "2016-11-01T03:04:05+02:00": false, "2016-11-01": false,
		"2016-11-01T03:04:05.000000000000000000000000000Z": false,
	} {
		if got := federation.ValidCursor(s); got != want {
			t.Errorf("ValidCursor(%q) = %t, want %t", s, got, want)
		}
	}
}
