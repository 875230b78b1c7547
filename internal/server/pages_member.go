package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// The member area: what a participant organisation holds in the alliance,
// the member network, and the ways to partner and multiplier status. Every
// page acts for the viewer's own organisation; no form names another.

type memberData struct {
	Org      identity.Organisation
	Member   bool // the viewer's organisation is a member (not the office)
	Admin    bool // the viewer administers it
	Profile  membership.Profile
	Statuses []membership.StatusRecord
	Badges   []membership.Badge
	Accepted bool
	BaseURL  string // for the snippet that embeds a badge
	// Requests says whether requests for access are served; OpenIncoming
	// counts those waiting for the viewer's decision.
	Requests     bool
	OpenIncoming int
}

// Holds reports whether the organisation holds status st now.
func (d memberData) Holds(st string) bool {
	return slices.ContainsFunc(d.Statuses, func(r membership.StatusRecord) bool {
		return r.Current() && string(r.Status) == st
	})
}

func (s *Server) memberData(r *http.Request) (memberData, error) {
	ctx := r.Context()
	p := principalOf(ctx)
	d := memberData{Org: *p.Org, Member: p.Org.Kind == identity.KindMember, Admin: p.Has(identity.RoleOrgAdmin), BaseURL: s.cfg.BaseURL}
	d.Requests, d.OpenIncoming = s.Access != nil, s.openIncoming(r, p)
	if !d.Member {
		return d, nil
	}
	var err error
	if d.Profile, err = s.Membership.Profile(ctx, p, p.Org.ID); err != nil && !verbund.IsKind(err, verbund.NotFound) {
		return d, err
	}
	if d.Statuses, err = s.Membership.Statuses(ctx, p, p.Org.ID); err != nil {
		return d, err
	}
	if d.Badges, err = s.Membership.Badges(ctx, p, p.Org.ID); err != nil {
		return d, err
	}
	d.Accepted, err = s.Membership.AcceptedCurrent(ctx, p.Org.ID)
	return d, err
}

func (s *Server) handleMember() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.memberData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "member", p)
	})
}

type networkData struct {
	memberData
	Entries []membership.NetworkEntry
	Closed  bool // the viewer's organisation may not see the network
}

func (s *Server) handleNetwork() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		md, err := s.memberData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := networkData{memberData: md}
		d.Entries, err = s.Membership.Network(r.Context(), p.P)
		if verbund.IsKind(err, verbund.Forbidden) {
			p.Error = p.L.Msg(verbund.ErrorMessage(err))
			d.Closed, err = true, nil
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("saved") != "" {
			p.Flash = p.L.T("settings.saved")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "network", p)
	})
}

func (s *Server) handleNetworkVisible() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org, err := s.orgOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		err = s.Membership.SetNetworkVisible(r.Context(), principalOf(r.Context()), org.ID, r.PostFormValue("visible") == "on")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/member/network?saved=1", http.StatusSeeOther)
	})
}

// statusData is the page of one further status: partner or multiplier.
type statusData struct {
	memberData
	Kind          membership.Status
	Applications  []membership.Application // of this kind, newest first
	Contributions []membership.Contribution
	Types         []string // contribution or activity types
	OrgTypes      []string
	CanApply      bool // no open or approved application, and the status not held
	CanContribute bool // an approved application
}

func (s *Server) statusData(r *http.Request, kind membership.Status) (statusData, error) {
	ctx := r.Context()
	p := principalOf(ctx)
	md, err := s.memberData(r)
	d := statusData{memberData: md, Kind: kind, Types: membership.ContributionTypes[kind], OrgTypes: membership.OrgTypes}
	if err != nil || !md.Member {
		return d, err
	}
	apps, err := s.Membership.Applications(ctx, p, p.Org.ID)
	if err != nil {
		return d, err
	}
	open := false
	for i := len(apps) - 1; i >= 0; i-- {
		if a := apps[i]; a.Kind == kind {
			d.Applications = append(d.Applications, a)
			open = open || a.State == membership.Pending || a.State == membership.Approved
			d.CanContribute = d.CanContribute || a.State == membership.Approved
		}
	}
	contribs, err := s.Membership.Contributions(ctx, p, p.Org.ID)
	if err != nil {
		return d, err
	}
	for i := len(contribs) - 1; i >= 0; i-- {
		if contribs[i].Kind == kind {
			d.Contributions = append(d.Contributions, contribs[i])
		}
	}
	d.CanApply = !open && !md.Holds(string(kind))
	return d, nil
}

func (s *Server) handleStatusPage(kind membership.Status) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.statusData(r, kind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch {
		case r.URL.Query().Get("applied") != "":
			p.Flash = p.L.T("status.applied")
		case r.URL.Query().Get("submitted") != "":
			p.Flash = p.L.T("status.submitted")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "status", p)
	})
}

// tags splits what was typed into a tags field: by commas and lines.
func tags(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == ';' })
}

func (s *Server) handleApply(kind membership.Status) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		_, err := s.Membership.Apply(r.Context(), p.P, membership.NewApplication{
			OrgID: p.P.OrgID(), Kind: kind, Expertise: tags(r.PostFormValue("expertise")),
			OrgType: r.PostFormValue("org_type"), Description: r.PostFormValue("description"),
		})
		if err != nil {
			s.reshowStatus(w, r, p, kind, err, func(d statusData) bool { return d.CanApply })
			return
		}
		http.Redirect(w, r, "/member/"+string(kind)+"?applied=1", http.StatusSeeOther)
	})
}

func (s *Server) handleContribute(kind membership.Status) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		typ := r.PostFormValue("type")
		var err error
		if k, ok := membership.KindOfContribution(typ); ok && k != kind {
			// A partner's form never offers an activity type: the form was forged.
			err = verbund.InvalidFields("server.handleContribute", map[string]string{"type": "choose one of the types offered"})
		} else {
			_, err = s.Membership.Contribute(r.Context(), p.P, membership.NewContribution{
				OrgID: p.P.OrgID(), Type: typ, Title: r.PostFormValue("title"),
				Description: r.PostFormValue("description"), Link: r.PostFormValue("link"),
			})
		}
		if err != nil {
			s.reshowStatus(w, r, p, kind, err, func(d statusData) bool { return d.CanContribute })
			return
		}
		http.Redirect(w, r, "/member/"+string(kind)+"?submitted=1", http.StatusSeeOther)
	})
}

// reshowStatus shows the partner or multiplier page again after err, with
// what was typed beside the form when the page shows it (shown reports
// whether it does), or with the problems above the page when not: the
// application was decided meanwhile, or the form was not ours.
func (s *Server) reshowStatus(w http.ResponseWriter, r *http.Request, p page, kind membership.Status, err error, shown func(statusData) bool) {
	d, derr := s.statusData(r, kind)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	p.Data = d
	if !shown(d) {
		s.reshowRow(w, r, p, "status", err)
		return
	}
	p.Form = &Form{Values: r.PostForm}
	s.reshow(w, r, p, "status", err)
}

type terminateData struct {
	Org identity.Organisation
	Own bool // the viewer administers the organisation (the office expels instead)
}

func (s *Server) handleTerminateForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		org, err := s.orgOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = terminateData{Org: org, Own: org.ID == p.P.OrgID() && org.Kind == identity.KindMember}
		p.Form = &Form{}
		s.render(w, r, http.StatusOK, "terminate", p)
	})
}

func (s *Server) handleTerminate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		org, err := s.orgOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if strings.TrimSpace(r.PostFormValue("confirm")) != org.Name {
			err = verbund.InvalidFields("server.handleTerminate", map[string]string{"confirm": "type the organisation's name exactly as shown"})
		} else {
			err = s.Membership.Terminate(r.Context(), p.P, org.ID, r.PostFormValue("reason"))
		}
		if err != nil {
			p.Data = terminateData{Org: org, Own: org.ID == p.P.OrgID() && org.Kind == identity.KindMember}
			p.Form = &Form{Values: url.Values{"confirm": {r.PostFormValue("confirm")}, "reason": {r.PostFormValue("reason")}}}
			s.reshow(w, r, p, "terminate", err)
			return
		}
		// The termination ended every session of the organisation, this one
		// too: the browser forgets its cookie.
		s.clearSessionCookie(w)
		http.Redirect(w, r, "/goodbye", http.StatusSeeOther)
	})
}

func (s *Server) handleGoodbye() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "goodbye", s.newPage(w, r))
	})
}
