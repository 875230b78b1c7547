package server

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
)

// The office's side of incident reporting: the queue of cases and one case
// with assignment, status, lessons learned and questions to the reporter.

// queueEntry is one case in the office's queue.
type queueEntry struct {
	incident.Case
	Title    string
	Reporter string // the organisation's name; "" for a report from the public
	Overdue  []incident.Stage
}

type queueData struct {
	Cases    []queueEntry
	Statuses []incident.Status
	Analysts []identity.User
	Status   string
	Assignee string
	Names    map[string]string // analyst id → name
}

// At formats t in UTC, the office's common time.
func (d queueData) At(t time.Time) string { return localDate(t, time.UTC) }

func (s *Server) handleOfficeIncidents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		ctx, pr := r.Context(), principalOf(r.Context())
		q := r.URL.Query()
		d := queueData{Statuses: incident.Statuses(), Status: q.Get("status"), Assignee: q.Get("assignee"), Names: map[string]string{}}
		p := s.newPage(w, r)
		if d.Status != "" && !slices.Contains(d.Statuses, incident.Status(d.Status)) {
			d.Status = ""
		}
		var err error
		if d.Analysts, err = s.analysts(r); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range d.Analysts {
			d.Names[u.ID] = u.Name
		}
		cases, err := s.Incidents.Queue(ctx, pr, incident.CaseQuery{Status: incident.Status(d.Status), Assignee: d.Assignee, Limit: 500})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		orgs := map[string]string{}
		for _, c := range cases {
			e := queueEntry{Case: c}
			cv, err := s.Incidents.Case(ctx, pr, c.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if len(cv.Reports) > 0 {
				e.Title = cv.Reports[len(cv.Reports)-1].Title
			}
			for _, dl := range cv.Deadlines {
				if dl.State == incident.Overdue {
					e.Overdue = append(e.Overdue, dl.Stage)
				}
			}
			if c.OrgID != "" {
				if _, ok := orgs[c.OrgID]; !ok {
					if o, err := s.Identity.OrganisationByID(ctx, c.OrgID); err == nil {
						orgs[c.OrgID] = o.Name
					}
				}
				e.Reporter = orgs[c.OrgID]
			}
			d.Cases = append(d.Cases, e)
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "incident_queue", p)
	})
}

func (s *Server) handleOfficeIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		cv, err := s.Incidents.Case(r.Context(), principalOf(r.Context()), r.PathValue("case"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.showCase(w, r, cv, true, nil)
	})
}

// handleOfficeIncidentChange runs one change of the office on a case: the
// assignee, the status (with lessons learned when closing), or a message
// to the reporter.
func (s *Server) handleOfficeIncidentChange(what string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		ctx, pr, id := r.Context(), principalOf(r.Context()), r.PathValue("case")
		var err error
		next := "?changed=1"
		switch what {
		case "assign":
			_, err = s.Incidents.Assign(ctx, pr, id, r.PostFormValue("assignee"))
		case "status":
			_, err = s.Incidents.SetStatus(ctx, pr, id, incident.Status(r.PostFormValue("status")), r.PostFormValue("lessons"))
		case "message":
			_, err = s.Incidents.Post(ctx, pr, id, r.PostFormValue("body"))
			next = "?sent=1#thread"
		}
		if err != nil {
			cv, cerr := s.Incidents.Case(ctx, pr, id)
			if cerr != nil {
				s.fail(w, r, cerr)
				return
			}
			s.showCase(w, r, cv, true, err)
			return
		}
		http.Redirect(w, r, "/office/incidents/"+url.PathEscape(id)+next, http.StatusSeeOther)
	})
}
