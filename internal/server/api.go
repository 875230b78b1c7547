package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
)

// JSON shapes of the REST API. Field names are snake_case; times are RFC 3339
// in UTC; absent times are omitted.

type orgJSON struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Status       string   `json:"status"`
	Country      string   `json:"country"`
	Sectors      []string `json:"sectors"`
	ContactName  string   `json:"contact_name,omitempty"`
	ContactEmail string   `json:"contact_email,omitempty"`
	ContactPhone string   `json:"contact_phone,omitempty"`
	CreatedAt    string   `json:"created_at"`
}

func toOrgJSON(o identity.Organisation) orgJSON {
	sectors := o.Sectors
	if sectors == nil {
		sectors = []string{}
	}
	return orgJSON{ID: o.ID, Name: o.Name, Kind: string(o.Kind), Status: string(o.Status), Country: o.Country,
		Sectors: sectors, ContactName: o.ContactName, ContactEmail: o.ContactEmail, ContactPhone: o.ContactPhone,
		CreatedAt: rfc3339(o.CreatedAt)}
}

type userJSON struct {
	ID          string   `json:"id"`
	OrgID       string   `json:"organisation_id"`
	Email       string   `json:"email"`
	Name        string   `json:"name"`
	Lang        string   `json:"lang,omitempty"`
	Roles       []string `json:"roles"`
	TOTPEnabled bool     `json:"totp_enabled"`
	Disabled    bool     `json:"disabled"`
}

func toUserJSON(u identity.User) userJSON {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return userJSON{ID: u.ID, OrgID: u.OrgID, Email: u.Email, Name: u.Name, Lang: u.Lang, Roles: roles,
		TOTPEnabled: u.TOTPEnabled, Disabled: u.Disabled}
}

type tokenJSON struct {
	ID         string   `json:"id"`
	OrgID      string   `json:"organisation_id"`
	Name       string   `json:"name"`
	Prefix     string   `json:"prefix"`
	Scopes     []string `json:"scopes"`
	CreatedAt  string   `json:"created_at"`
	ExpiresAt  string   `json:"expires_at,omitempty"`
	RevokedAt  string   `json:"revoked_at,omitempty"`
	LastUsedAt string   `json:"last_used_at,omitempty"`
	Token      string   `json:"token,omitempty"` // only in the answer to its creation
}

func toTokenJSON(t identity.Token) tokenJSON {
	sc := make([]string, len(t.Scopes))
	for i, s := range t.Scopes {
		sc[i] = string(s)
	}
	return tokenJSON{ID: t.ID, OrgID: t.OrgID, Name: t.Name, Prefix: identity.TokenPrefix + t.Prefix, Scopes: sc,
		CreatedAt: rfc3339(t.CreatedAt), ExpiresAt: rfc3339(t.ExpiresAt), RevokedAt: rfc3339(t.RevokedAt),
		LastUsedAt: rfc3339(t.LastUsedAt)}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) apiMe() http.Handler {
	type me struct {
		Auth         string     `json:"auth"` // "session" or "token"
		User         *userJSON  `json:"user,omitempty"`
		Token        *tokenJSON `json:"token,omitempty"`
		Organisation orgJSON    `json:"organisation"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r.Context())
		out := me{Auth: "session", Organisation: toOrgJSON(*p.Org)}
		if p.Token != nil {
			t := toTokenJSON(*p.Token)
			out.Auth, out.Token = "token", &t
		} else {
			u := toUserJSON(*p.User)
			out.User = &u
		}
		writeJSON(w, http.StatusOK, out)
	})
}

func (s *Server) apiOrganisations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := identity.OrgFilter{Status: identity.OrgStatus(q.Get("status")), Sector: q.Get("sector"), Kind: identity.OrgKind(q.Get("kind"))}
		if f.Status != "" && !f.Status.Valid() {
			s.writeProblem(w, r, verbund.InvalidFields("server.apiOrganisations", map[string]string{"status": "pending, active, suspended or terminated"}))
			return
		}
		orgs, err := s.Identity.Organisations(r.Context(), principalOf(r.Context()), f)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]orgJSON, len(orgs))
		for i, o := range orgs {
			out[i] = toOrgJSON(o)
		}
		writeJSON(w, http.StatusOK, map[string]any{"organisations": out})
	})
}

// apiOrganisation returns one organisation: the caller's own, or any for
// the office.
func (s *Server) apiOrganisation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r.Context())
		id := r.PathValue("org")
		office := p.Org != nil && p.Org.Kind == identity.KindOffice && (p.Token != nil || p.User.HasOfficeRole())
		if id != p.OrgID() && !office {
			s.writeProblem(w, r, notFound)
			return
		}
		o, err := s.Identity.OrganisationByID(r.Context(), id)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toOrgJSON(o))
	})
}

func (s *Server) apiUsers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, err := s.orgOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		users, err := s.Identity.Users(r.Context(), principalOf(r.Context()), org.ID)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]userJSON, len(users))
		for i, u := range users {
			out[i] = toUserJSON(u)
		}
		writeJSON(w, http.StatusOK, map[string]any{"users": out})
	})
}

func (s *Server) apiTokens() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, err := s.orgOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		toks, err := s.Identity.ListTokens(r.Context(), principalOf(r.Context()), org.ID)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]tokenJSON, len(toks))
		for i, t := range toks {
			out[i] = toTokenJSON(t)
		}
		writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	})
}

func (s *Server) apiCreateToken() http.Handler {
	type body struct {
		Name      string   `json:"name"`
		Scopes    []string `json:"scopes"`
		ExpiresAt string   `json:"expires_at"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, err := s.orgOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		in := identity.NewToken{OrgID: org.ID, Name: b.Name}
		for _, sc := range b.Scopes {
			in.Scopes = append(in.Scopes, identity.Scope(sc))
		}
		if b.ExpiresAt != "" {
			if in.ExpiresAt, err = time.Parse(time.RFC3339, b.ExpiresAt); err != nil {
				s.writeProblem(w, r, verbund.InvalidFields("server.apiCreateToken", map[string]string{"expires_at": "an RFC 3339 time like 2027-12-31T23:59:59Z"}))
				return
			}
		}
		secret, t, err := s.Identity.CreateToken(r.Context(), principalOf(r.Context()), in)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := toTokenJSON(t)
		out.Token = secret
		w.Header().Set("Location", "/api/v1/organisations/"+org.ID+"/tokens/"+t.ID)
		writeJSON(w, http.StatusCreated, out)
	})
}

func (s *Server) apiRevokeToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, err := s.orgOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		p := principalOf(r.Context())
		t, err := s.Identity.TokenOf(r.Context(), p, org.ID, r.PathValue("token"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if err := s.Identity.RevokeToken(r.Context(), p, t.ID); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) apiAudit() http.Handler {
	type entryJSON struct {
		Seq        int64  `json:"seq"`
		At         string `json:"at"`
		ActorUser  string `json:"actor_user,omitempty"`
		ActorToken string `json:"actor_token,omitempty"`
		ActorOrg   string `json:"actor_organisation,omitempty"`
		Action     string `json:"action"`
		ObjectType string `json:"object_type,omitempty"`
		ObjectID   string `json:"object_id,omitempty"`
		Outcome    string `json:"outcome"`
		Reason     string `json:"reason,omitempty"`
		RequestID  string `json:"request_id,omitempty"`
		IP         string `json:"ip,omitempty"`
		PrevHash   string `json:"prev_hash"`
		Hash       string `json:"hash"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := auditFilter(r.URL.Query())
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		entries, err := s.Audit.ListAudit(r.Context(), f)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]entryJSON, len(entries))
		for i, e := range entries {
			out[i] = entryJSON{Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano), ActorUser: e.ActorUser, ActorToken: e.ActorToken,
				ActorOrg: e.ActorOrg, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Outcome: string(e.Outcome),
				Reason: e.Reason, RequestID: e.RequestID, IP: e.IP, PrevHash: e.PrevHash, Hash: e.Hash}
		}
		resp := map[string]any{"entries": out}
		if len(entries) == f.Limit {
			q := url.Values{}
			for k, v := range r.URL.Query() {
				q[k] = v
			}
			q.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
			resp["next"] = "/api/v1/audit?" + q.Encode()
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeProblem(w, r, &verbund.Error{Op: "server.api", Kind: verbund.NotFound, Code: "no-such-endpoint",
		Msg: "there is no such endpoint; see /api/v1/openapi.json"})
}
