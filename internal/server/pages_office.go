package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
)

type orgsData struct {
	Orgs    []identity.Organisation
	Sectors []string
	Filter  identity.OrgFilter
}

func (s *Server) orgsData(r *http.Request) (orgsData, error) {
	q := r.URL.Query()
	f := identity.OrgFilter{Status: identity.OrgStatus(q.Get("status")), Sector: q.Get("sector")}
	if f.Status != "" && !f.Status.Valid() {
		f.Status = ""
	}
	orgs, err := s.Identity.Organisations(r.Context(), principalOf(r.Context()), f)
	return orgsData{Orgs: orgs, Sectors: identity.Sectors, Filter: f}, err
}

func (s *Server) handleOrganisations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.orgsData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "organisations", p)
	})
}

func (s *Server) handleCreateOrganisation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		_ = r.ParseForm()
		o, err := s.Identity.CreateOrganisation(r.Context(), p.P, identity.NewOrganisation{
			Name: r.PostFormValue("name"), Kind: identity.KindMember, Status: identity.StatusActive,
			Country: r.PostFormValue("country"), Sectors: r.PostForm["sectors"],
			ContactName: r.PostFormValue("contact_name"), ContactEmail: r.PostFormValue("contact_email"),
			ContactPhone: r.PostFormValue("contact_phone"),
		})
		if err != nil {
			d, derr := s.orgsData(r)
			if derr != nil || !s.formErr(&p, r, err) {
				s.fail(w, r, err)
				return
			}
			p.Data = d
			s.render(w, r, statusOf(err), "organisations", p)
			return
		}
		http.Redirect(w, r, "/org/"+o.ID, http.StatusSeeOther)
	})
}

type auditData struct {
	Entries []audit.Entry
	Names   map[string]string // user and organisation ids → names
	Filter  audit.Filter
	Query   url.Values
	Next    string // query string of the next (older) page, "" at the end
}

// auditFilter reads the filter of the audit log from a query string; it is
// shared by the page and the API.
func auditFilter(q url.Values) (audit.Filter, error) {
	f := audit.Filter{
		Action: strings.TrimSpace(q.Get("action")), ActorUser: q.Get("actor_user"),
		ActorOrg: q.Get("actor_org"), ObjectID: strings.TrimSpace(q.Get("object")),
		Outcome: audit.Outcome(q.Get("outcome")), Limit: 50,
	}
	bad := map[string]string{}
	switch f.Outcome {
	case "", audit.Success, audit.Failure, audit.Denied:
	default:
		bad["outcome"] = "success, failure or denied"
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			bad["before"] = "a sequence number"
		}
		f.BeforeSeq = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad["limit"] = "a number from 1 to 500"
		}
		f.Limit = n
	}
	for _, k := range []string{"since", "until"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			t, err = time.Parse(time.RFC3339, v)
		}
		if err != nil {
			bad[k] = "a date like 2026-11-23 or an RFC 3339 time"
			continue
		}
		if k == "since" {
			f.Since = t
		} else {
			if len(v) == 10 {
				t = t.Add(24 * time.Hour)
			}
			f.Until = t
		}
	}
	if len(bad) > 0 {
		return f, verbund.InvalidFields("server.auditFilter", bad)
	}
	return f, nil
}

func (s *Server) handleAuditLog() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		q := r.URL.Query()
		p.Form = &Form{Values: q}
		f, err := auditFilter(q)
		d := auditData{Filter: f, Query: q}
		if err != nil {
			s.formErr(&p, r, err)
			p.Form.Values = q
			p.Data = d
			s.render(w, r, http.StatusBadRequest, "audit", p)
			return
		}
		if d.Entries, err = s.Audit.ListAudit(r.Context(), f); err != nil {
			s.fail(w, r, err)
			return
		}
		var users, orgs []string
		for _, e := range d.Entries {
			users = append(users, e.ActorUser)
			orgs = append(orgs, e.ActorOrg)
			if e.ObjectType == "user" {
				users = append(users, e.ObjectID)
			}
		}
		if d.Names, err = s.Identity.DisplayNames(r.Context(), p.P, users, orgs); err != nil {
			s.fail(w, r, err)
			return
		}
		if len(d.Entries) == f.Limit {
			next := url.Values{}
			for k, v := range q {
				next[k] = v
			}
			next.Set("before", strconv.FormatInt(d.Entries[len(d.Entries)-1].Seq, 10))
			d.Next = next.Encode()
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "audit", p)
	})
}

type outboxData struct {
	Messages []mail.Message
	Status   mail.Status
	Message  mail.Message
}

func (s *Server) handleOutbox() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		st := mail.Status(r.URL.Query().Get("status"))
		switch st {
		case "", mail.Pending, mail.Sent, mail.Held, mail.Failed:
		default:
			st = ""
		}
		msgs, err := s.Mail.ListMail(r.Context(), mail.Filter{Status: st, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = outboxData{Messages: msgs, Status: st}
		s.render(w, r, http.StatusOK, "outbox", p)
	})
}

func (s *Server) handleOutboxMessage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		m, err := s.Mail.Mail(r.Context(), r.PathValue("id"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = outboxData{Message: m}
		s.render(w, r, http.StatusOK, "outbox_message", p)
	})
}

type settingsData struct{ Require2FA bool }

func (s *Server) handleSettings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		req, err := s.Identity.Require2FA(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("saved") != "" {
			p.Flash = p.L.T("settings.saved")
		}
		p.Data = settingsData{Require2FA: req}
		s.render(w, r, http.StatusOK, "settings", p)
	})
}

func (s *Server) handleSaveSettings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Identity.SetRequire2FA(r.Context(), principalOf(r.Context()), r.PostFormValue("require_2fa") == "on"); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/office/settings?saved=1", http.StatusSeeOther)
	})
}
