package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// The office's membership work: the queues with their decisions, the
// figures, the multiplier checklist, and the changes of an organisation's
// standing.

type officeMembershipData struct {
	Queue       membership.Queue
	Counts      membership.Counts
	Names       map[string]string // organisation ids → names
	Checklist   []string
	Activation  membership.Activation
	Sectors     []string
	SizeClasses []string
	IsAdmin     bool
}

func (s *Server) officeMembershipData(r *http.Request) (officeMembershipData, error) {
	ctx := r.Context()
	p := principalOf(ctx)
	d := officeMembershipData{Activation: s.Membership.Config().Activation, Sectors: identity.Sectors,
		SizeClasses: membership.SizeClasses, IsAdmin: p.Has(identity.RoleOfficeAdmin)}
	var err error
	if d.Queue, err = s.Membership.Queue(ctx, p); err != nil {
		return d, err
	}
	if d.Counts, err = s.Membership.Counts(ctx, p); err != nil {
		return d, err
	}
	if d.Checklist, err = s.Membership.MultiplierChecklist(ctx); err != nil {
		return d, err
	}
	var orgs []string
	for _, a := range d.Queue.Applications {
		orgs = append(orgs, a.OrgID)
	}
	for _, c := range d.Queue.Contributions {
		orgs = append(orgs, c.OrgID)
	}
	d.Names, err = s.Identity.DisplayNames(ctx, p, nil, orgs)
	return d, err
}

func (s *Server) handleOfficeMembership() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.officeMembershipData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if done := r.URL.Query().Get("done"); done != "" {
			p.Flash = p.L.T("office.membership.done")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "office_membership", p)
	})
}

// reshowOfficeMembership shows the queues again with the problem of a
// decision above them.
func (s *Server) reshowOfficeMembership(w http.ResponseWriter, r *http.Request, p page, err error) {
	d, derr := s.officeMembershipData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	p.Data = d
	s.reshowRow(w, r, p, "office_membership", err)
}

func (s *Server) handleDecideApplication() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		_ = r.ParseForm()
		_, err := s.Membership.DecideApplication(r.Context(), p.P, r.PathValue("application"), membership.Decision{
			Approve: r.PostFormValue("decision") == "approve", Reason: r.PostFormValue("reason"), Checked: r.PostForm["checked"],
		})
		if err != nil {
			s.reshowOfficeMembership(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/office/membership?done=application#applications", http.StatusSeeOther)
	})
}

func (s *Server) handleDecideContribution() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		_, err := s.Membership.DecideContribution(r.Context(), p.P, r.PathValue("contribution"),
			r.PostFormValue("decision") == "accept", r.PostFormValue("reason"))
		if err != nil {
			s.reshowOfficeMembership(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/office/membership?done=contribution#contributions", http.StatusSeeOther)
	})
}

// orgChange is one change of an organisation's standing by the office.
type orgChange func(ctx context.Context, p identity.Principal, orgID, reason string) error

// handleOrgChange runs change with the reason given. The form comes from
// the organisation's page or from the queues (next says which), and the
// answer goes back there.
func (s *Server) handleOrgChange(change orgChange) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		orgID := r.PathValue("org")
		fromQueue := strings.HasPrefix(r.PostFormValue("next"), "/office/membership")
		err := change(r.Context(), p.P, orgID, r.PostFormValue("reason"))
		if err != nil {
			if fromQueue || !p.P.Has(identity.RoleOfficeAdmin) {
				s.reshowOfficeMembership(w, r, p, err)
				return
			}
			d, derr := s.orgPage(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshowRow(w, r, p, "org", err)
			return
		}
		if fromQueue {
			http.Redirect(w, r, "/office/membership?done=organisation", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/org/"+url.PathEscape(orgID)+"?changed=1#membership", http.StatusSeeOther)
	})
}

func (s *Server) activateOrg(ctx context.Context, p identity.Principal, orgID, reason string) error {
	_, err := s.Membership.Activate(ctx, p, orgID, reason)
	return err
}

// orgMembership is what the office sees of a member organisation's
// membership on its page.
type orgMembership struct {
	Profile  membership.Profile
	Statuses []membership.StatusRecord
	Accepted bool
}

// orgPage loads the data of the page of the organisation in the path, with
// its membership when an office admin looks at a member.
func (s *Server) orgPage(r *http.Request) (orgData, error) {
	d, err := s.loadOrg(r, false)
	if err != nil || d.Org.Kind != identity.KindMember || !principalOf(r.Context()).Has(identity.RoleOfficeAdmin) {
		return d, err
	}
	ctx := r.Context()
	p := principalOf(ctx)
	orgID := d.Org.ID
	m := &orgMembership{}
	if m.Profile, err = s.Membership.Profile(ctx, p, orgID); err != nil && !verbund.IsKind(err, verbund.NotFound) {
		return d, err
	}
	if m.Statuses, err = s.Membership.Statuses(ctx, p, orgID); err != nil {
		return d, err
	}
	if m.Accepted, err = s.Membership.AcceptedCurrent(ctx, orgID); err != nil {
		return d, err
	}
	d.Membership = m
	return d, nil
}

type checklistData struct{ Items []string }

func (s *Server) handleChecklist() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		items, err := s.Membership.MultiplierChecklist(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("saved") != "" {
			p.Flash = p.L.T("settings.saved")
		}
		p.Form = &Form{Values: url.Values{"items": {strings.Join(items, "\n")}}}
		p.Data = checklistData{Items: items}
		s.render(w, r, http.StatusOK, "checklist", p)
	})
}

func (s *Server) handleSaveChecklist() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		items := strings.Split(strings.ReplaceAll(r.PostFormValue("items"), "\r\n", "\n"), "\n")
		if err := s.Membership.SetMultiplierChecklist(r.Context(), p.P, items); err != nil {
			cur, derr := s.Membership.MultiplierChecklist(r.Context())
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = checklistData{Items: cur}
			s.reshow(w, r, p, "checklist", err)
			return
		}
		http.Redirect(w, r, "/office/membership/checklist?saved=1", http.StatusSeeOther)
	})
}
