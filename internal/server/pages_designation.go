package server

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// The office's work on recipients of the designated-hub model: assessments
// against the three criteria, the designations they lead to, and circles.

// categories lists the designation categories in the order forms show them.
var categories = []policy.Category{policy.CategoryOKTT, policy.CategoryEUNationalCSIRT, policy.CategoryDesignatedCSIRT, policy.CategoryISP}

type designationsData struct {
	Orgs        []identity.Organisation
	Names       map[string]string
	Categories  []policy.Category
	Due         []designation.Designation
	Expiring    []designation.Designation
	All         []designation.Designation
	Assessments []designation.Assessment
	Now         time.Time
}

// orgNames returns every organisation and a map of id to name, for the
// office's pages.
func (s *Server) orgNames(r *http.Request) ([]identity.Organisation, map[string]string, error) {
	orgs, err := s.Identity.Organisations(r.Context(), principalOf(r.Context()), identity.OrgFilter{})
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return orgs, names, nil
}

func (s *Server) designationsData(r *http.Request) (designationsData, error) {
	ctx, p := r.Context(), principalOf(r.Context())
	d := designationsData{Categories: categories, Now: s.Now()}
	var err error
	if d.Orgs, d.Names, err = s.orgNames(r); err != nil {
		return d, err
	}
	members := d.Orgs[:0:0]
	for _, o := range d.Orgs {
		if o.Kind == identity.KindMember && o.Status != identity.StatusTerminated {
			members = append(members, o)
		}
	}
	d.Orgs = members
	if d.Due, err = s.Designation.DueForReview(ctx, p, 60*24*time.Hour); err != nil {
		return d, err
	}
	if d.Expiring, err = s.Designation.Expiring(ctx, p, 90*24*time.Hour); err != nil {
		return d, err
	}
	if d.All, err = s.Designation.Designations(ctx, p, ""); err != nil {
		return d, err
	}
	d.Assessments, err = s.Designation.ListAssessments(ctx, p, designation.AssessmentFilter{})
	return d, err
}

func (s *Server) handleDesignations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.designationsData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "designations", p)
	})
}

func (s *Server) handleOpenAssessment() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		in := designation.NewAssessment{OrgID: r.PostFormValue("org"), SectorWide: r.PostFormValue("sector_wide") == "on"}
		cat, err := policy.ParseCategory(r.PostFormValue("category"))
		var a designation.Assessment
		if err != nil {
			err = verbund.InvalidFields("server.handleOpenAssessment", map[string]string{"category": "choose a category"})
		} else {
			in.Category = cat
			a, err = s.Designation.OpenAssessment(r.Context(), p.P, in)
		}
		if err != nil {
			d, derr := s.designationsData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "designations", err)
			return
		}
		http.Redirect(w, r, "/office/assessments/"+a.ID, http.StatusSeeOther)
	})
}

type assessmentData struct {
	A          designation.Assessment
	Org        identity.Organisation
	Names      map[string]string
	Criteria   []designation.Criterion
	Findings   map[designation.Criterion]designation.Finding
	Decided    *designation.Designation
	Today      string
	NextYear   string
	HalfYear   string
	AllMet     bool
	Categories []policy.Category
}

func (s *Server) assessmentData(r *http.Request) (assessmentData, error) {
	ctx, p := r.Context(), principalOf(r.Context())
	a, err := s.Designation.Assessment(ctx, p, r.PathValue("assessment"))
	if err != nil {
		return assessmentData{}, err
	}
	now := s.Now().UTC()
	d := assessmentData{A: a, Criteria: designation.Criteria, Findings: map[designation.Criterion]designation.Finding{},
		Today: now.Format("2006-01-02"), NextYear: now.AddDate(1, 0, 0).Format("2006-01-02"), HalfYear: now.AddDate(0, 6, 0).Format("2006-01-02"),
		AllMet: true, Categories: categories}
	var users []string
	for _, f := range a.Findings {
		d.Findings[f.Criterion] = f
		users = append(users, f.RecordedBy)
	}
	for _, c := range designation.Criteria {
		if !d.Findings[c].Met {
			d.AllMet = false
		}
	}
	for _, e := range a.Evidence {
		users = append(users, e.AddedBy)
	}
	users = append(users, a.OpenedBy, a.DecidedBy)
	if d.Names, err = s.Identity.DisplayNames(ctx, p, users, []string{a.OrgID}); err != nil {
		return d, err
	}
	if d.Org, err = s.Identity.OrganisationByID(ctx, a.OrgID); err != nil {
		return d, err
	}
	if a.State == designation.StateDesignated {
		ds, err := s.Designation.Designations(ctx, p, a.OrgID)
		if err != nil {
			return d, err
		}
		for i := range ds {
			if ds[i].AssessmentID == a.ID {
				d.Decided = &ds[i]
			}
		}
	}
	return d, nil
}

func (s *Server) handleAssessment() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.assessmentData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "assessment", p)
	})
}

// assessmentStep handles one of the forms of an open assessment: the step
// function does the work; problems are shown on the assessment page.
func (s *Server) assessmentStep(step func(r *http.Request, p identity.Principal, id string) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		id := r.PathValue("assessment")
		if err := step(r, p.P, id); err != nil {
			d, derr := s.assessmentData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "assessment", err)
			return
		}
		http.Redirect(w, r, "/office/assessments/"+id, http.StatusSeeOther)
	})
}

func (s *Server) handleFinding() http.Handler {
	return s.assessmentStep(func(r *http.Request, p identity.Principal, id string) error {
		_, err := s.Designation.RecordFinding(r.Context(), p, id, designation.NewFinding{
			Criterion: designation.Criterion(r.PostFormValue("criterion")), Met: r.PostFormValue("met") == "yes", Note: r.PostFormValue("note")})
		return err
	})
}

func (s *Server) handleEvidence() http.Handler {
	return s.assessmentStep(func(r *http.Request, p identity.Principal, id string) error {
		_, err := s.Designation.AddEvidence(r.Context(), p, id, designation.NewEvidence{
			Title: r.PostFormValue("title"), Reference: r.PostFormValue("reference"), SHA256: strings.ToLower(strings.TrimSpace(r.PostFormValue("sha256")))})
		return err
	})
}

// parseDay reads a date field as the start of that day in UTC.
func parseDay(field, v string, fields map[string]string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		fields[field] = "a date like 2027-12-31"
	}
	return t
}

func (s *Server) handleDesignate() http.Handler {
	return s.assessmentStep(func(r *http.Request, p identity.Principal, id string) error {
		bad := map[string]string{}
		t := designation.Terms{
			ValidFrom: parseDay("valid_from", r.PostFormValue("valid_from"), bad), ValidUntil: parseDay("valid_until", r.PostFormValue("valid_until"), bad),
			ReviewAt: parseDay("review_at", r.PostFormValue("review_at"), bad), Reason: r.PostFormValue("reason"),
		}
		if len(bad) > 0 {
			return verbund.InvalidFields("server.handleDesignate", bad)
		}
		if t.ValidFrom.Before(s.Now()) && t.ValidFrom.After(s.Now().Add(-24*time.Hour)) {
			t.ValidFrom = time.Time{} // today: from the decision on
		}
		_, err := s.Designation.Designate(r.Context(), p, id, t)
		return err
	})
}

func (s *Server) handleRefuse() http.Handler {
	return s.assessmentStep(func(r *http.Request, p identity.Principal, id string) error {
		return s.Designation.Refuse(r.Context(), p, id, r.PostFormValue("reason"))
	})
}

func (s *Server) handleRevokeDesignation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		if _, err := s.Designation.Revoke(r.Context(), p.P, r.PathValue("designation"), r.PostFormValue("reason")); err != nil {
			d, derr := s.designationsData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshowRow(w, r, p, "designations", err)
			return
		}
		http.Redirect(w, r, "/office/designations", http.StatusSeeOther)
	})
}

type circlesData struct {
	Circles []designation.Circle
	Circle  designation.Circle
	Names   map[string]string
	Orgs    []identity.Organisation
}

func (s *Server) circlesData(r *http.Request) (circlesData, error) {
	ctx, p := r.Context(), principalOf(r.Context())
	var d circlesData
	var err error
	if d.Orgs, d.Names, err = s.orgNames(r); err != nil {
		return d, err
	}
	if d.Circles, err = s.Designation.ListCircles(ctx, p); err != nil {
		return d, err
	}
	for _, c := range d.Circles {
		d.Names[c.ID] = c.Name
	}
	sort.Slice(d.Circles, func(i, j int) bool { return strings.ToLower(d.Circles[i].Name) < strings.ToLower(d.Circles[j].Name) })
	if id := r.PathValue("circle"); id != "" {
		d.Circle, err = s.Designation.Circle(ctx, p, id)
	}
	return d, err
}

func (s *Server) handleCircles() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.circlesData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = d
		name := "circles"
		if r.PathValue("circle") != "" {
			name = "circle"
		}
		s.render(w, r, http.StatusOK, name, p)
	})
}

func (s *Server) handleCreateCircle() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		c, err := s.Designation.CreateCircle(r.Context(), p.P, designation.NewCircle{Name: r.PostFormValue("name"),
			Description: r.PostFormValue("description"), HideMembers: r.PostFormValue("hide_members") == "on"})
		if err != nil {
			d, derr := s.circlesData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "circles", err)
			return
		}
		http.Redirect(w, r, "/office/circles/"+c.ID, http.StatusSeeOther)
	})
}

// handleCircleMember adds or removes one member of a circle: an
// organisation or another circle, as the form's "member" value says
// ("org:<id>" or "circle:<id>").
func (s *Server) handleCircleMember(add bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		id := r.PathValue("circle")
		kind, member, _ := strings.Cut(r.PostFormValue("member"), ":")
		var err error
		switch {
		case kind == "org" && add:
			err = s.Designation.AddCircleOrg(r.Context(), p.P, id, member)
		case kind == "org":
			err = s.Designation.RemoveCircleOrg(r.Context(), p.P, id, member)
		case kind == "circle" && add:
			err = s.Designation.AddCircleCircle(r.Context(), p.P, id, member)
		case kind == "circle":
			err = s.Designation.RemoveCircleCircle(r.Context(), p.P, id, member)
		default:
			err = verbund.InvalidFields("server.handleCircleMember", map[string]string{"member": "choose an organisation or a circle"})
		}
		if err != nil {
			d, derr := s.circlesData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshowRow(w, r, p, "circle", err)
			return
		}
		http.Redirect(w, r, "/office/circles/"+id, http.StatusSeeOther)
	})
}
