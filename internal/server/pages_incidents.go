package server

import (
	"errors"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
)

// Incident reporting for members: the organisation's reports and cases, the
// guided report form, a case with its deadlines and thread, attachments.
// Every read goes through the incident service, which asks the door.

var errNoIncidents = verbund.E("server.incidents", verbund.Unavailable, "incident reporting is not set up on this installation")

// maxUpload is the body limit of a report form, which may carry
// attachments: a few files at the attachment limit.
const maxUpload = 4*incident.DefaultMaxAttachment + 1<<20

// uploadLimit returns the body limit of the report forms, which carry
// files, or 0 for any other request (the general limit applies).
func uploadLimit(r *http.Request) int64 {
	if r.Method != http.MethodPost {
		return 0
	}
	p := r.URL.Path
	rest, ok := strings.CutPrefix(p, "/incidents/reports/")
	if p == "/incidents" || p == "/report" || ok && rest != "" && !strings.Contains(rest, "/") {
		return maxUpload
	}
	return 0
}

// zoneOf returns the time zone an organisation types and reads times in.
func zoneOf(org *identity.Organisation) *time.Location {
	name := "UTC"
	if org != nil {
		name = incident.TimeZoneOf(org.Country)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// caseSummary is one case in the organisation's list.
type caseSummary struct {
	incident.Case
	Title     string
	Deadlines []incident.Deadline
	Overdue   bool
}

type incidentsData struct {
	Drafts []incident.Report
	Cases  []caseSummary
	Loc    *time.Location
	Public bool
}

// At formats t in the organisation's time zone.
func (d incidentsData) At(t time.Time) string { return localDate(t, d.Loc) }

func localDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

func (s *Server) handleIncidents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		ctx, pr := r.Context(), principalOf(r.Context())
		p := s.newPage(w, r)
		d := incidentsData{Loc: zoneOf(pr.Org)}
		mine, err := s.Incidents.Mine(ctx, pr)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		titles := map[string]string{}
		for _, rep := range mine {
			if rep.Draft {
				d.Drafts = append(d.Drafts, rep)
			} else if titles[rep.CaseID] == "" {
				titles[rep.CaseID] = rep.Title
			}
		}
		cases, err := s.Incidents.Cases(ctx, pr)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, c := range cases {
			cs := caseSummary{Case: c, Title: titles[c.ID]}
			if c.NIS2 {
				cv, err := s.Incidents.Case(ctx, pr, c.ID)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				cs.Deadlines = cv.Deadlines
				cs.Overdue = slices.ContainsFunc(cv.Deadlines, func(d incident.Deadline) bool { return d.State == incident.Overdue })
			}
			d.Cases = append(d.Cases, cs)
		}
		switch {
		case r.URL.Query().Get("saved") != "":
			p.Flash = p.L.T("incident.saved")
		case r.URL.Query().Get("submitted") != "":
			p.Flash = p.L.T("incident.submitted")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "incidents", p)
	})
}

// reportFormData is the data of the report form page.
type reportFormData struct {
	reportForm
	Loc *time.Location
}

// At formats t in the form's time zone.
func (d reportFormData) At(t time.Time) string { return localDate(t, d.Loc) }

func (s *Server) newReportFormData(pr identity.Principal) reportFormData {
	loc := zoneOf(pr.Org)
	return reportFormData{reportForm: newReportForm(loc.String(), pr.Org == nil), Loc: loc}
}

func (s *Server) officeID(r *http.Request) string {
	o, err := s.Incidents.Office(r.Context())
	if err != nil {
		return ""
	}
	return o.ID
}

// handleNewIncident shows an empty report form, or, with ?case=, the next
// NIS2 stage of a case filled in from its latest report.
func (s *Server) handleNewIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		ctx, pr := r.Context(), principalOf(r.Context())
		p := s.newPage(w, r)
		d := s.newReportFormData(pr)
		v := url.Values{"tlp": {"AMBER"}, "audience": {audienceSectors}, "ongoing": {"on"}}
		if id := r.URL.Query().Get("case"); id != "" {
			cv, err := s.Incidents.Case(ctx, pr, id)
			if err == nil && cv.OrgID != pr.OrgID() {
				err = notFound // the office reads cases; it does not report on them
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if len(cv.Reports) > 0 {
				last := cv.Reports[len(cv.Reports)-1]
				v = reportValues(last, s.officeID(r), d.Loc)
			}
			v.Set("stage", string(nextStage(cv)))
			d.CaseID = cv.ID
		}
		p.Form = &Form{Values: v}
		p.Data = d
		s.render(w, r, http.StatusOK, "incident_form", p)
	})
}

// nextStage returns the stage a case's next report submits: the first
// that is neither submitted nor waiting.
func nextStage(cv incident.CaseView) incident.Stage {
	for _, d := range cv.Deadlines {
		if d.Submitted.IsZero() && d.State != incident.Waiting {
			return d.Stage
		}
	}
	return incident.Final
}

// draftOf returns draft id of the viewer's organisation, or NotFound.
func (s *Server) draftOf(r *http.Request, id string) (incident.Report, error) {
	pr := principalOf(r.Context())
	rep, err := s.Incidents.Report(r.Context(), pr, id)
	if err == nil && (!rep.Draft || rep.OrgID != pr.OrgID()) {
		err = notFound
	}
	return rep, err
}

func (s *Server) handleEditIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		rep, err := s.draftOf(r, r.PathValue("report"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		pr := principalOf(r.Context())
		p := s.newPage(w, r)
		d := s.newReportFormData(pr)
		d.ID, d.CaseID = rep.ID, rep.CaseID
		if d.Attachments, err = s.Incidents.Attachments(r.Context(), pr, rep.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		p.Form = &Form{Values: reportValues(rep, s.officeID(r), d.Loc)}
		if r.URL.Query().Get("saved") != "" {
			p.Flash = p.L.T("incident.saved")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "incident_form", p)
	})
}

// handleSaveIncident saves the form as a draft, new or the one in the
// path, with its attachments, and submits it when asked. Whatever fails,
// the draft keeps what could be read and the form shows every problem
// beside its field with what was typed.
func (s *Server) handleSaveIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		ctx, pr := r.Context(), principalOf(r.Context())
		p := s.newPage(w, r)
		d := s.newReportFormData(pr)
		if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			s.fail(w, r, err)
			return
		}
		v := r.PostForm
		p.Form = &Form{Values: v, Errors: map[string]string{}}
		if id := r.PathValue("report"); id != "" {
			old, err := s.draftOf(r, id)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			d.ID, d.CaseID = old.ID, old.CaseID
		} else if c := v.Get("case"); c != "" {
			d.CaseID = c
		}
		rep, bad, lines := readReport(v, pr.Org, userID(pr), s.officeID(r), d.Loc)
		rep.ID, rep.CaseID = d.ID, d.CaseID
		d.BadLines = lines
		saved, err := s.Incidents.SaveDraft(ctx, pr, rep)
		if err != nil {
			s.showReportForm(w, r, p, d, bad, err)
			return
		}
		d.ID = saved.ID
		for k, msg := range s.attachUploads(r, pr, saved.ID) {
			bad[k] = msg
		}
		if d.Attachments, err = s.Incidents.Attachments(ctx, pr, saved.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		if v.Get("action") != "submit" {
			if len(bad) > 0 {
				s.showReportForm(w, r, p, d, bad, verbund.InvalidFields("server.saveIncident", nil))
				return
			}
			http.Redirect(w, r, "/incidents/reports/"+saved.ID+"/edit?saved=1", http.StatusSeeOther)
			return
		}
		if len(bad) > 0 {
			// Submit to learn every other problem too; the draft stays a
			// draft, as what could not be read must be fixed first.
			err := saved.CheckSubmission(s.Now(), identity.Sectors)
			s.showReportForm(w, r, p, d, bad, err)
			return
		}
		_, c, err := s.Incidents.Submit(ctx, pr, saved.ID)
		if err != nil {
			s.showReportForm(w, r, p, d, bad, err)
			return
		}
		http.Redirect(w, r, "/incidents/cases/"+c.ID+"?submitted=1", http.StatusSeeOther)
	})
}

// showReportForm shows the report form again with the problems bad (what
// could not be read) and those of err, beside their fields.
func (s *Server) showReportForm(w http.ResponseWriter, r *http.Request, p page, d reportFormData, bad map[string]string, err error) {
	k := verbund.ErrorKind(err)
	if err != nil && k != verbund.Invalid && k != verbund.Conflict {
		s.fail(w, r, err)
		return
	}
	all := formProblems(verbund.ErrorFields(err))
	maps.Copy(all, bad)
	for f, msg := range all {
		p.Form.Errors[f] = p.L.Msg(msg)
	}
	switch {
	case len(all) > 0:
		p.Error = p.L.T("incident.fix")
	case err != nil:
		p.Error = p.L.Msg(verbund.ErrorMessage(err))
	}
	if d.ID != "" {
		p.Flash = p.L.T("incident.kept")
	}
	p.Data = d
	s.render(w, r, http.StatusBadRequest, "incident_form", p)
}

// attachUploads stores the files of the form's "attachments" field with
// draft id, and returns the problem of every refused file.
func (s *Server) attachUploads(r *http.Request, pr identity.Principal, id string) map[string]string {
	bad := map[string]string{}
	if r.MultipartForm == nil {
		return bad
	}
	var refused []string
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		content, err := readUpload(fh)
		if err == nil {
			_, err = s.Incidents.Attach(r.Context(), pr, id, fh.Filename, content, 0)
		}
		if err != nil {
			msg := verbund.ErrorFields(err)["attachment"]
			if msg == "" {
				msg = verbund.ErrorMessage(err)
			}
			refused = append(refused, msg)
		}
	}
	if len(refused) > 0 {
		bad["attachments"] = strings.Join(refused, "; ")
	}
	return bad
}

// readUpload reads one uploaded file, at most one byte past the attachment
// limit, so that CheckAttachment sees it is too large without reading more.
func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, incident.DefaultMaxAttachment+1))
}

func userID(p identity.Principal) string {
	if p.User != nil {
		return p.User.ID
	}
	return ""
}

// caseData is the page of one case, for the reporter and the office.
type caseData struct {
	incident.CaseView
	Loc         *time.Location
	Office      bool // the office's view: assign, status, lessons
	Public      bool // a reporter from the public, following up
	Attachments map[string][]incident.AttachmentInfo
	Analysts    []identity.User
	Statuses    []incident.Status
	Next        incident.Stage // the next NIS2 stage to report; "" when none
	// Names of the users and organisations that wrote in the thread.
	Names map[string]string
}

// At formats t in the case's time zone.
func (d caseData) At(t time.Time) string { return localDate(t, d.Loc) }

// CanMove reports whether the case may move to status to.
func (d caseData) CanMove(to incident.Status) bool { return incident.CanMove(d.Status, to) }

func (s *Server) caseData(r *http.Request, cv incident.CaseView, pr *identity.Principal) (caseData, error) {
	loc, err := time.LoadLocation(cv.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d := caseData{CaseView: cv, Loc: loc, Attachments: map[string][]incident.AttachmentInfo{}, Names: map[string]string{},
		Statuses: incident.Statuses()}
	if pr != nil {
		for _, rep := range cv.Reports {
			as, err := s.Incidents.Attachments(r.Context(), *pr, rep.ID)
			if err != nil {
				return d, err
			}
			d.Attachments[rep.ID] = as
		}
	}
	if cv.NIS2 && cv.Status != incident.StatusClosed {
		if n := nextStage(cv); !slices.ContainsFunc(cv.Reports, func(r incident.Report) bool { return r.Stage == n }) {
			d.Next = n
		}
	}
	return d, nil
}

func (s *Server) handleIncidentCase() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		pr := principalOf(r.Context())
		cv, err := s.Incidents.Case(r.Context(), pr, r.PathValue("case"))
		if err == nil && cv.OrgID != pr.OrgID() {
			err = notFound
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.showCase(w, r, cv, false, nil)
	})
}

// showCase renders a case for its reporter or the office, with a problem
// of the last form when formErr is not nil.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request, cv incident.CaseView, office bool, formErr error) {
	pr := principalOf(r.Context())
	p := s.newPage(w, r)
	d, err := s.caseData(r, cv, &pr)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Office = office
	if office {
		if d.Analysts, err = s.analysts(r); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range d.Analysts {
			d.Names[u.ID] = u.Name
		}
	}
	switch {
	case r.URL.Query().Get("submitted") != "":
		p.Flash = p.L.T("incident.submitted")
	case r.URL.Query().Get("sent") != "":
		p.Flash = p.L.T("incident.message.sent")
	case r.URL.Query().Get("changed") != "":
		p.Flash = p.L.T("incident.case.changed")
	}
	p.Data = d
	status := http.StatusOK
	if formErr != nil {
		if !s.formErr(&p, r, formErr) {
			s.fail(w, r, formErr)
			return
		}
		status = statusOf(formErr)
	}
	s.render(w, r, status, "incident_case", p)
}

func (s *Server) handleIncidentMessage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		pr := principalOf(r.Context())
		id := r.PathValue("case")
		cv, err := s.Incidents.Case(r.Context(), pr, id)
		if err == nil && cv.OrgID != pr.OrgID() {
			err = notFound
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if _, err := s.Incidents.Post(r.Context(), pr, id, r.PostFormValue("body")); err != nil {
			s.showCase(w, r, cv, false, err)
			return
		}
		http.Redirect(w, r, "/incidents/cases/"+id+"?sent=1#thread", http.StatusSeeOther)
	})
}

// handleIncidentAttachment sends an attachment to a viewer the policy lets
// read its report, as a download that browsers do not open or sniff.
func (s *Server) handleIncidentAttachment() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil {
			s.fail(w, r, errNoIncidents)
			return
		}
		f, err := s.Incidents.Attachment(r.Context(), principalOf(r.Context()), r.PathValue("report"), r.PathValue("attachment"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeAttachment(w, f)
	})
}

func writeAttachment(w http.ResponseWriter, f incident.AttachmentFile) {
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Disposition", mimeAttachment(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Content)
}

// mimeAttachment returns a Content-Disposition for name: an ASCII fallback
// and the UTF-8 name (RFC 6266, RFC 8187).
func mimeAttachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + strings.ReplaceAll(url.QueryEscape(name), "+", "%20")
}

// analysts returns the office's analysts, for assigning cases.
func (s *Server) analysts(r *http.Request) ([]identity.User, error) {
	return s.Incidents.Analysts(r.Context(), principalOf(r.Context()))
}
