package server

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// The REST API of incident reporting, documented in
// openapi.incidents.json. Members create drafts, replace them and submit
// them; the office's analysts read the queue and change cases. Reads go
// through the incident service, and so through the door.

// addIncidentsAPIRoutes adds the REST API of incident reporting.
func (s *Server) addIncidentsAPIRoutes(mux *http.ServeMux) {
	read, write := anyUser.withScope(identity.ScopeIncidentsRead), anyUser.withScope(identity.ScopeIncidentsWrite)
	s.api(mux, "GET /api/v1/incidents", read, s.apiIncidents())
	s.api(mux, "POST /api/v1/incidents", write, s.apiCreateIncident())
	s.api(mux, "GET /api/v1/incidents/{report}", read, s.apiIncident())
	s.api(mux, "PUT /api/v1/incidents/{report}", write, s.apiReplaceIncident())
	s.api(mux, "POST /api/v1/incidents/{report}/submit", write, s.apiSubmitIncident())
	s.api(mux, "GET /api/v1/cases/{case}", read, s.apiCase())
	s.api(mux, "POST /api/v1/cases/{case}/messages", write, s.apiCaseMessage())
	s.api(mux, "GET /api/v1/office/cases", analyst.withScope(identity.ScopeIncidentsRead), s.apiOfficeCases())
	s.api(mux, "PATCH /api/v1/office/cases/{case}", analyst.withScope(identity.ScopeIncidentsWrite), s.apiOfficeChangeCase())
}

type classificationJSON struct {
	Class string `json:"class"`
	Type  string `json:"type"`
}

type observableJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type incidentJSON struct {
	ID             string             `json:"id"`
	CaseID         string             `json:"case_id,omitempty"`
	Stage          string             `json:"stage,omitempty"`
	Draft          bool               `json:"draft"`
	Title          string             `json:"title"`
	Description    string             `json:"description"`
	Classification classificationJSON `json:"classification"`
	Sectors        []string           `json:"sectors"`
	Services       string             `json:"services"`
	Impact         string             `json:"impact"`
	Started        string             `json:"started,omitempty"`
	Detected       string             `json:"detected,omitempty"`
	Ended          string             `json:"ended,omitempty"`
	Ongoing        bool               `json:"ongoing"`
	CrossBorder    bool               `json:"cross_border"`
	Countries      []string           `json:"countries"`
	Indicators     []observableJSON   `json:"indicators"`
	TLP            string             `json:"tlp,omitempty"`
	Audience       audienceJSON       `json:"audience"`
	RelayAllowed   bool               `json:"relay_allowed"`
	NIS2           bool               `json:"nis2"`
	TrustService   bool               `json:"trust_service"`
	CreatedAt      string             `json:"created_at"`
	UpdatedAt      string             `json:"updated_at"`
	SubmittedAt    string             `json:"submitted_at,omitempty"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toIncidentJSON(r incident.Report) incidentJSON {
	a := r.Marking.Audience
	out := incidentJSON{ID: r.ID, CaseID: r.CaseID, Stage: string(r.Stage), Draft: r.Draft, Title: r.Title, Description: r.Description,
		Classification: classificationJSON{r.Classification.Class, r.Classification.Type}, Sectors: nonNil(r.Sectors),
		Services: r.Services, Impact: string(r.Impact), Started: rfc3339(r.Timeline.Started), Detected: rfc3339(r.Timeline.Detected),
		Ended: rfc3339(r.Timeline.Ended), Ongoing: r.Timeline.Ongoing(), CrossBorder: r.CrossBorder, Countries: nonNil(r.Countries),
		Indicators: []observableJSON{}, TLP: r.Marking.TLP.Label(),
		Audience: audienceJSON{Community: a.Community, Sectors: nonNil(a.Sectors), Circles: nonNil(a.Circles),
			Organisations: nonNil(a.Orgs), Users: nonNil(a.Users)},
		RelayAllowed: r.RelayAllowed, NIS2: r.NIS2, TrustService: r.TrustService,
		CreatedAt: rfc3339(r.CreatedAt), UpdatedAt: rfc3339(r.UpdatedAt), SubmittedAt: rfc3339(r.SubmittedAt)}
	for _, o := range r.Indicators {
		out.Indicators = append(out.Indicators, observableJSON{o.Type, o.Value})
	}
	return out
}

// incidentInput is the body of POST and PUT: a whole report. Indicators
// are lines as a person would type them; each bad one is named by its
// index.
type incidentInput struct {
	Title          string             `json:"title"`
	Description    string             `json:"description"`
	Classification classificationJSON `json:"classification"`
	Sectors        []string           `json:"sectors"`
	Services       string             `json:"services"`
	Impact         string             `json:"impact"`
	Started        string             `json:"started"`
	Detected       string             `json:"detected"`
	Ended          string             `json:"ended"`
	CrossBorder    bool               `json:"cross_border"`
	Countries      []string           `json:"countries"`
	Indicators     []string           `json:"indicators"`
	TLP            string             `json:"tlp"`
	Audience       audienceJSON       `json:"audience"`
	RelayAllowed   bool               `json:"relay_allowed"`
	NIS2           bool               `json:"nis2"`
	TrustService   bool               `json:"trust_service"`
	Stage          string             `json:"stage"`
	CaseID         string             `json:"case_id"`
}

// report reads in into a report, with the problems of the values it could
// not read by JSON property.
func (in incidentInput) report() (incident.Report, map[string]string) {
	bad := map[string]string{}
	r := incident.Report{Title: in.Title, Description: in.Description,
		Classification: incident.Classification{Class: in.Classification.Class, Type: in.Classification.Type},
		Sectors:        in.Sectors, Services: in.Services, Impact: incident.Impact(in.Impact), CrossBorder: in.CrossBorder,
		Countries: in.Countries, RelayAllowed: in.RelayAllowed, NIS2: in.NIS2, TrustService: in.TrustService,
		Stage: incident.Stage(in.Stage), CaseID: in.CaseID}
	at := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			bad[field] = "an RFC 3339 time like 2026-11-23T14:30:00+01:00"
		}
		return t.UTC()
	}
	r.Timeline = incident.Timeline{Started: at("started", in.Started), Detected: at("detected", in.Detected), Ended: at("ended", in.Ended)}
	if len(in.Indicators) > incident.MaxIndicatorLines {
		bad["indicators"] = "too many indicators; send a STIX bundle instead"
	}
	seen := map[stix.Observable]bool{}
	for i, line := range in.Indicators {
		if i >= incident.MaxIndicatorLines {
			break
		}
		obs, lines := incident.ParseIndicators(line)
		if len(lines) > 0 {
			bad["indicators["+strconv.Itoa(i)+"]"] = lines[0].Problem
		}
		for _, o := range obs {
			if !seen[o] {
				seen[o] = true
				r.Indicators = append(r.Indicators, o)
			}
		}
	}
	if in.TLP != "" {
		t, err := policy.ParseTLP(in.TLP)
		if err != nil {
			bad["tlp"] = verbund.ErrorMessage(err)
		}
		r.Marking.TLP = t
	}
	a := in.Audience
	r.Marking.Audience = policy.Audience{Community: a.Community, Sectors: a.Sectors, Circles: a.Circles, Orgs: a.Organisations, Users: a.Users}
	r.Marking.Confidential = r.Marking.TLP >= policy.Amber
	r.Marking.Identifiable = r.Marking.TLP >= policy.Amber
	return r, bad
}

// apiFields maps the problems of a report's fields to its JSON properties.
func apiFields(f map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		switch {
		case k == "class" || k == "type":
			k = "classification." + k
		case k == "marking.audience" || len(k) > 17 && k[:17] == "marking.audience.":
			k = k[len("marking."):]
		case k == "marking" || len(k) > 8 && k[:8] == "marking.":
			k = "tlp"
		}
		out[k] = v
	}
	return out
}

type caseJSON struct {
	ID        string         `json:"id"`
	Reference string         `json:"reference"`
	Status    string         `json:"status"`
	NIS2      bool           `json:"nis2"`
	Assignee  string         `json:"assignee,omitempty"`
	Lessons   string         `json:"lessons,omitempty"`
	Aware     string         `json:"aware_at"`
	Handled   string         `json:"handled_at,omitempty"`
	CreatedAt string         `json:"created_at"`
	UpdatedAt string         `json:"updated_at"`
	ClosedAt  string         `json:"closed_at,omitempty"`
	Reports   []incidentJSON `json:"reports,omitempty"`
	Deadlines []deadlineJSON `json:"deadlines,omitempty"`
	Messages  []messageJSON  `json:"messages,omitempty"`
}

type deadlineJSON struct {
	Stage     string `json:"stage"`
	State     string `json:"state"`
	Due       string `json:"due,omitempty"`
	Remind    string `json:"remind,omitempty"`
	Submitted string `json:"submitted,omitempty"`
}

type messageJSON struct {
	ID     string `json:"id"`
	Office bool   `json:"office"`
	Body   string `json:"body"`
	At     string `json:"at"`
}

func toCaseJSON(c incident.Case) caseJSON {
	return caseJSON{ID: c.ID, Reference: c.Reference, Status: string(c.Status), NIS2: c.NIS2, Assignee: c.Assignee, Lessons: c.Lessons,
		Aware: rfc3339(c.Aware), Handled: rfc3339(c.Handled), CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(c.UpdatedAt),
		ClosedAt: rfc3339(c.ClosedAt)}
}

func toCaseViewJSON(cv incident.CaseView) caseJSON {
	out := toCaseJSON(cv.Case)
	out.Reports, out.Deadlines, out.Messages = []incidentJSON{}, []deadlineJSON{}, []messageJSON{}
	for _, r := range cv.Reports {
		out.Reports = append(out.Reports, toIncidentJSON(r))
	}
	for _, d := range cv.Deadlines {
		dl := deadlineJSON{Stage: string(d.Stage), State: string(d.State), Due: rfc3339(d.Due), Submitted: rfc3339(d.Submitted)}
		if d.Submitted.IsZero() {
			dl.Remind = rfc3339(d.Remind)
		}
		out.Deadlines = append(out.Deadlines, dl)
	}
	for _, m := range cv.Messages {
		out.Messages = append(out.Messages, messageJSON{ID: m.ID, Office: m.Office, Body: m.Body, At: rfc3339(m.At)})
	}
	return out
}

func (s *Server) apiIncidents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.writeProblem(w, r, errNoIncidents)
			return
		}
		rs, err := s.Incidents.Mine(r.Context(), principalOf(r.Context()))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]incidentJSON, len(rs))
		for i, rep := range rs {
			out[i] = toIncidentJSON(rep)
		}
		writeJSON(w, http.StatusOK, map[string]any{"reports": out})
	})
}

// saveIncident saves the body as draft id ("" for a new one) and submits
// it when asked. The draft is kept whatever the submission says; a refused
// submission answers with the problems and the draft's Location.
func (s *Server) saveIncident(w http.ResponseWriter, r *http.Request, id string, submit bool) {
	const op = "server.saveIncident"
	if s.Incidents == nil {
		s.writeProblem(w, r, errNoIncidents)
		return
	}
	ctx, pr := r.Context(), principalOf(r.Context())
	var in incidentInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	rep, bad := in.report()
	rep.ID = id
	saved, err := s.Incidents.SaveDraft(ctx, pr, rep)
	if err != nil {
		s.writeProblem(w, r, withFields(err, bad))
		return
	}
	w.Header().Set("Location", "/api/v1/incidents/"+saved.ID)
	status := http.StatusOK
	if id == "" {
		status = http.StatusCreated
	}
	if !submit {
		if len(bad) > 0 {
			s.writeProblem(w, r, verbund.InvalidFields(op, bad))
			return
		}
		writeJSON(w, status, toIncidentJSON(saved))
		return
	}
	if len(bad) > 0 {
		s.writeProblem(w, r, withFields(saved.CheckSubmission(s.Now(), identity.Sectors), bad))
		return
	}
	sub, _, err := s.Incidents.Submit(ctx, pr, saved.ID)
	if err != nil {
		s.writeProblem(w, r, withFields(err, nil))
		return
	}
	writeJSON(w, status, toIncidentJSON(sub))
}

// withFields returns err with its fields named by JSON property and the
// problems bad added; nil err with bad is Invalid.
func withFields(err error, bad map[string]string) error {
	if err == nil && len(bad) == 0 {
		return nil
	}
	fields := apiFields(verbund.ErrorFields(err))
	maps.Copy(fields, bad)
	if err == nil || verbund.ErrorKind(err) == verbund.Invalid {
		e := verbund.InvalidFields("server.incident", fields)
		if code := verbund.ErrorCode(err); err != nil && code != "" {
			e.Code = code
		}
		return e
	}
	return err
}

func (s *Server) apiCreateIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		submit, _ := strconv.ParseBool(r.URL.Query().Get("submit"))
		s.saveIncident(w, r, "", submit)
	})
}

func (s *Server) apiReplaceIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		submit, _ := strconv.ParseBool(r.URL.Query().Get("submit"))
		s.saveIncident(w, r, r.PathValue("report"), submit)
	})
}

func (s *Server) apiIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.writeProblem(w, r, errNoIncidents)
			return
		}
		rep, err := s.Incidents.Report(r.Context(), principalOf(r.Context()), r.PathValue("report"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toIncidentJSON(rep))
	})
}

func (s *Server) apiSubmitIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.writeProblem(w, r, errNoIncidents)
			return
		}
		rep, _, err := s.Incidents.Submit(r.Context(), principalOf(r.Context()), r.PathValue("report"))
		if err != nil {
			s.writeProblem(w, r, withFields(err, nil))
			return
		}
		writeJSON(w, http.StatusOK, toIncidentJSON(rep))
	})
}

func (s *Server) apiCase() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.writeProblem(w, r, errNoIncidents)
			return
		}
		cv, err := s.Incidents.Case(r.Context(), principalOf(r.Context()), r.PathValue("case"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toCaseViewJSON(cv))
	})
}

func (s *Server) apiCaseMessage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.writeProblem(w, r, errNoIncidents)
			return
		}
		var in struct {
			Body string `json:"body"`
		}
		if err := decodeJSON(r, &in); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		m, err := s.Incidents.Post(r.Context(), principalOf(r.Context()), r.PathValue("case"), in.Body)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, messageJSON{ID: m.ID, Office: m.Office, Body: m.Body, At: rfc3339(m.At)})
	})
}

func (s *Server) apiOfficeCases() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.writeProblem(w, r, errNoIncidents)
			return
		}
		q := r.URL.Query()
		st := incident.Status(q.Get("status"))
		if st != "" && !slices.Contains(incident.Statuses(), st) {
			s.writeProblem(w, r, verbund.InvalidFields("server.apiOfficeCases", map[string]string{"status": "new, triaged, in-progress or closed"}))
			return
		}
		cases, err := s.Incidents.Queue(r.Context(), principalOf(r.Context()), incident.CaseQuery{Status: st, Assignee: q.Get("assignee"), Limit: 1000})
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]caseJSON, len(cases))
		for i, c := range cases {
			out[i] = toCaseJSON(c)
		}
		writeJSON(w, http.StatusOK, map[string]any{"cases": out})
	})
}

// apiOfficeChangeCase applies a JSON merge patch of status, assignee and
// lessons to a case: the assignee first, then the status.
func (s *Server) apiOfficeChangeCase() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.writeProblem(w, r, errNoIncidents)
			return
		}
		var in struct {
			Status   *string `json:"status"`
			Assignee *string `json:"assignee"`
			Lessons  string  `json:"lessons"`
		}
		if err := decodeJSON(r, &in); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		ctx, pr, id := r.Context(), principalOf(r.Context()), r.PathValue("case")
		if in.Assignee != nil {
			if _, err := s.Incidents.Assign(ctx, pr, id, *in.Assignee); err != nil {
				s.writeProblem(w, r, err)
				return
			}
		}
		if in.Status != nil {
			if _, err := s.Incidents.SetStatus(ctx, pr, id, incident.Status(*in.Status), in.Lessons); err != nil {
				s.writeProblem(w, r, err)
				return
			}
		}
		cv, err := s.Incidents.Case(ctx, pr, id)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toCaseViewJSON(cv))
	})
}
