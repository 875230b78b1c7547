package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// orgOf loads the organisation named in the path if the viewer may manage
// it: its own admins and office admins. Anything else is refused as not
// found (the id of another organisation reveals nothing) and audited.
func (s *Server) orgOf(r *http.Request) (identity.Organisation, error) {
	p := principalOf(r.Context())
	id := r.PathValue("org")
	mine := p.OrgID() == id && (p.Has(identity.RoleOrgAdmin) || p.Token != nil)
	if !mine && !p.Has(identity.RoleOfficeAdmin) {
		e := audit.New(r.Context(), s.Now(), "access.denied", audit.Denied)
		if p.User != nil {
			e.ActorUser = p.User.ID
		}
		if p.Token != nil {
			e.ActorToken = p.Token.ID
		}
		e.ActorOrg, e.ObjectType, e.ObjectID, e.Reason = p.OrgID(), "organisation", truncateID(id), "not an administrator of this organisation"
		s.recordAudit(r.Context(), e)
		return identity.Organisation{}, notFound
	}
	return s.Identity.OrganisationByID(r.Context(), id)
}

func truncateID(id string) string {
	if len(id) > 64 {
		return id[:64]
	}
	return id
}

type orgData struct {
	Org       identity.Organisation
	Users     []identity.User
	OrgRoles  []identity.Role
	AllRoles  []identity.Role
	Tokens    []identity.Token
	Scopes    []identity.Scope
	NewSecret string
	Now       time.Time
	// Membership is set for office admins looking at a member organisation.
	Membership *orgMembership
}

func (s *Server) loadOrg(r *http.Request, withTokens bool) (orgData, error) {
	org, err := s.orgOf(r)
	if err != nil {
		return orgData{}, err
	}
	p := principalOf(r.Context())
	d := orgData{Org: org, OrgRoles: identity.OrgRoles, Now: s.Now()}
	for _, sc := range identity.Scopes {
		// Only the office's tokens may read the audit log; others are not offered it.
		if sc != identity.ScopeAuditRead || org.Kind == identity.KindOffice {
			d.Scopes = append(d.Scopes, sc)
		}
	}
	d.AllRoles = identity.OrgRoles
	if org.Kind == identity.KindOffice {
		d.AllRoles = append(append([]identity.Role{}, identity.OfficeRoles...), identity.OrgRoles...)
	}
	if d.Users, err = s.Identity.Users(r.Context(), p, org.ID); err != nil {
		return d, err
	}
	if withTokens {
		d.Tokens, err = s.Identity.ListTokens(r.Context(), p, org.ID)
	}
	return d, err
}

func (s *Server) handleOrg() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.orgPage(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("changed") != "" {
			p.Flash = p.L.T("settings.saved")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "org", p)
	})
}

func roles(vals []string) []identity.Role {
	out := make([]identity.Role, 0, len(vals))
	for _, v := range vals {
		out = append(out, identity.Role(v))
	}
	return out
}

func (s *Server) handleCreateUser() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.orgPage(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		_ = r.ParseForm()
		_, err = s.Identity.CreateUser(r.Context(), p.P, identity.NewUser{
			OrgID: d.Org.ID, Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
			Lang: r.PostFormValue("lang"), Roles: roles(r.PostForm["roles"]),
		})
		if err != nil {
			p.Data = d
			s.reshow(w, r, p, "org", err)
			return
		}
		http.Redirect(w, r, "/org/"+d.Org.ID+"#users", http.StatusSeeOther)
	})
}

func (s *Server) handleSetRoles() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.orgPage(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		_ = r.ParseForm()
		if err := s.userInOrg(d, r.PathValue("user")); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.Identity.SetRoles(r.Context(), p.P, r.PathValue("user"), roles(r.PostForm["roles"])); err != nil {
			p.Data = d
			s.reshowRow(w, r, p, "org", err)
			return
		}
		http.Redirect(w, r, "/org/"+d.Org.ID+"#users", http.StatusSeeOther)
	})
}

func (s *Server) handleSetDisabled() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.orgPage(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.userInOrg(d, r.PathValue("user")); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.Identity.SetDisabled(r.Context(), p.P, r.PathValue("user"), r.PostFormValue("disabled") == "true"); err != nil {
			p.Data = d
			s.reshowRow(w, r, p, "org", err)
			return
		}
		http.Redirect(w, r, "/org/"+d.Org.ID+"#users", http.StatusSeeOther)
	})
}

// userInOrg refuses a user id that is not of the organisation in the path:
// a forged id in a form must not reach another organisation's user.
func (s *Server) userInOrg(d orgData, userID string) error {
	for _, u := range d.Users {
		if u.ID == userID {
			return nil
		}
	}
	return notFound
}

func (s *Server) handleTokens() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.loadOrg(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "tokens", p)
	})
}

// parseExpiry reads a date field (YYYY-MM-DD); the token expires at the end
// of that day, UTC.
func parseExpiry(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, verbund.InvalidFields("server.parseExpiry", map[string]string{"expires_at": "a date like 2027-12-31"})
	}
	return t.Add(24*time.Hour - time.Second), nil
}

func (s *Server) handleCreateToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.loadOrg(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		_ = r.ParseForm()
		var scopes []identity.Scope
		for _, v := range r.PostForm["scopes"] {
			scopes = append(scopes, identity.Scope(v))
		}
		exp, err := parseExpiry(r.PostFormValue("expires_at"))
		var secret string
		if err == nil {
			secret, _, err = s.Identity.CreateToken(r.Context(), p.P, identity.NewToken{
				OrgID: d.Org.ID, Name: r.PostFormValue("name"), Scopes: scopes, ExpiresAt: exp})
		}
		if err != nil {
			p.Data = d
			s.reshow(w, r, p, "tokens", err)
			return
		}
		// Shown once, on this answer only.
		d, err = s.loadOrg(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.NewSecret = secret
		p.Data = d
		p.Form = &Form{Values: url.Values{}}
		s.render(w, r, http.StatusCreated, "tokens", p)
	})
}

func (s *Server) handleRevokeToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := s.loadOrg(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		found := false
		for _, t := range d.Tokens {
			found = found || t.ID == r.PathValue("token")
		}
		if !found {
			s.fail(w, r, notFound)
			return
		}
		if err := s.Identity.RevokeToken(r.Context(), principalOf(r.Context()), r.PathValue("token")); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/org/"+d.Org.ID+"/tokens", http.StatusSeeOther)
	})
}
