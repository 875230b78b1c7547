package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// An organisation's administrator manages its own users and tokens, and
// reaches nothing of another organisation, whatever ids a form carries.
func TestOrganisationsAreSeparate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	other, err := f.ids.CreateOrganisation(ctx, identity.SystemPrincipal(), identity.NewOrganisation{Name: "Other", Country: "NL"})
	if err != nil {
		t.Fatal(err)
	}
	otherUser, err := f.ids.CreateUser(ctx, identity.SystemPrincipal(), identity.NewUser{OrgID: other.ID, Email: "admin@other.example",
		Name: "Other Admin", Password: password, Roles: []identity.Role{identity.RoleOrgAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	_, otherToken, err := f.ids.CreateToken(ctx, identity.SystemPrincipal(), identity.NewToken{OrgID: other.ID, Name: "x", Scopes: []identity.Scope{identity.ScopeProfileRead}})
	if err != nil {
		t.Fatal(err)
	}

	b := f.loggedIn(t, f.orgAdmin)
	b.get("/org/"+f.member.ID).wantStatus(t, http.StatusOK)
	for _, path := range []string{"/org/" + other.ID, "/org/" + other.ID + "/tokens"} {
		b.get(path).wantStatus(t, http.StatusNotFound)
	}
	for _, c := range []struct {
		path string
		vals url.Values
	}{
		{"/org/" + other.ID + "/users", url.Values{"name": {"Mallory"}, "email": {"m@other.example"}, "roles": {"org-admin"}}},
		{"/org/" + f.member.ID + "/users/" + otherUser.ID + "/roles", url.Values{"roles": {"org-member"}}},
		{"/org/" + f.member.ID + "/users/" + otherUser.ID + "/disabled", url.Values{"disabled": {"true"}}},
		{"/org/" + f.member.ID + "/tokens/" + otherToken.ID + "/revoke", nil},
		{"/org/" + other.ID + "/tokens", url.Values{"name": {"x"}, "scopes": {"profile:read"}}},
	} {
		b.get("/org/" + f.member.ID)
		if r := b.post(c.path, c.vals); r.status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", c.path, r.status)
		}
	}
	u, err := f.db.User(ctx, otherUser.ID)
	if err != nil || u.Disabled || !u.Has(identity.RoleOrgAdmin) {
		t.Errorf("the other organisation's admin was changed: %+v, %v", u, err)
	}
	if tok, _ := f.db.Token(ctx, otherToken.ID); !tok.RevokedAt.IsZero() {
		t.Error("the other organisation's token was revoked")
	}
	denied, err := f.db.ListAudit(ctx, audit.Filter{Action: "access.denied", ActorUser: f.orgAdmin.ID, Limit: 100})
	if err != nil || len(denied) == 0 {
		t.Errorf("no access.denied entries for the org admin: %v", err)
	}

	// Office roles are for the office only, and only its admins give them.
	b.get("/org/" + f.member.ID)
	r := b.post("/org/"+f.member.ID+"/users", url.Values{"name": {"Eve"}, "email": {"eve@stadtwerke.example"}, "roles": {"office-admin"}})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, `value="eve@stadtwerke.example"`) {
		t.Error("the form does not keep what was typed")
	}
	// A member of the organisation is no administrator of it.
	m := f.loggedIn(t, f.orgMbr)
	m.get("/org/"+f.member.ID).wantStatus(t, http.StatusForbidden)

	// Disabling a user ends the user's sessions at once.
	b.get("/org/" + f.member.ID)
	b.post("/org/"+f.member.ID+"/users/"+f.orgMbr.ID+"/disabled", url.Values{"disabled": {"true"}}).wantStatus(t, http.StatusOK)
	if r := m.get("/account"); r.url.Path != "/login" {
		t.Errorf("a disabled user's session still works: at %s", r.url)
	}
}

// A refused change in a table row says why above the page and does not
// mark fields of the other forms on it.
func TestRowFormProblemShownAbovePage(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.orgAdmin)
	b.get("/org/" + f.member.ID)
	r := b.post("/org/"+f.member.ID+"/users/"+f.orgMbr.ID+"/roles", url.Values{})
	r.wantStatus(t, http.StatusBadRequest)
	want := f.cat.T("en", "msg.choose at least one role")
	summary := between(r.body, `class="error-summary"`, `</div>`)
	if !strings.Contains(summary, want) {
		t.Errorf("the problem %q is not above the page: %q", want, summary)
	}
	if strings.Contains(r.body, `class="field-error"`) {
		t.Error("the row's problem was shown beside a field of another form")
	}
	// The last admin cannot take away their own admin role; the page says so.
	b.get("/org/" + f.member.ID)
	r = b.post("/org/"+f.member.ID+"/users/"+f.orgAdmin.ID+"/roles", url.Values{"roles": {"org-member"}})
	r.wantStatus(t, http.StatusConflict)
	if !strings.Contains(r.body, f.cat.T("en", "msg.this is the last enabled user with the role org-admin; give it to somebody else first")) {
		t.Errorf("last-admin refusal not shown: %.2000s", between(r.body, "<main", "</main>"))
	}
}
