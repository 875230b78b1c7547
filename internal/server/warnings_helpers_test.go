package server_test

import (
	"testing"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

// publisher returns a new publisher of the office.
func (f *fixture) publisher(t *testing.T, email string) identity.User {
	t.Helper()
	u, err := f.ids.CreateUser(t.Context(), identity.SystemPrincipal(), identity.NewUser{OrgID: f.office.ID, Email: email,
		Name: email, Password: password, Roles: []identity.Role{identity.RolePublisher}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// warningInput is a complete warning for the community at level tlp.
func warningInput(tlp policy.TLP, title string) warning.Input {
	in := warning.Input{Content: warning.Content{Lang: "en", Texts: map[string]warning.Text{
		"en": {Title: title, Summary: "Attackers exploit the web interface.", Details: "## Details\n\nThe **web interface** accepts commands.",
			Recommendations: "- Update to 4.2.1\n- Block port 8443"},
		"de": {Title: title + " (de)", Summary: "Angreifer nutzen die Weboberfläche aus."}},
		CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVEs: []string{"CVE-2026-31337"},
		Products:   []warning.Product{{Vendor: "Acme", Name: "Gateway", Versions: "< 4.2.1", CPE: "cpe:2.3:o:acme:gateway_firmware:*:*:*:*:*:*:*:*"}},
		References: []string{"https://acme.example/psirt"}},
		Marking: policy.Marking{TLP: tlp}}
	if tlp == policy.Green {
		in.Marking.Audience.Community = true
	}
	return in
}

// publishedWarning publishes a TLP:CLEAR warning with the four-eyes rule
// switched off and returns its publisher and the warning.
func (f *fixture) publishedWarning(t *testing.T) (identity.User, warning.Warning) {
	t.Helper()
	ctx := t.Context()
	u := f.publisher(t, "publisher@office.example")
	if err := f.warn.SetFourEyes(ctx, f.principal(t, f.officeAdmin), false); err != nil {
		t.Fatal(err)
	}
	p := f.principal(t, u)
	w, err := f.warn.Create(ctx, p, warningInput(policy.Clear, "Gateway exploited"))
	if err != nil {
		t.Fatal(err)
	}
	if w, err = f.warn.Publish(ctx, p, w.ID); err != nil {
		t.Fatal(err)
	}
	return u, w
}
