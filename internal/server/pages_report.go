package server

import (
	"net/http"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/incident"
)

// Reports from the public, when the installation takes them: the report
// form without an account, and the follow-up with reference and secret.
// Wrong secrets are counted per client address, so that nobody guesses
// them; reports are counted too, so that nobody floods the office's queue.

const (
	followUpLimit = 10 // wrong secrets per address and window
	reportLimit   = 10 // reports per address and window
)

var errFollowUpThrottled = &verbund.Error{Op: "server.followUp", Kind: verbund.TooManyRequests, Code: "follow-up-throttled",
	Msg: "too many wrong secrets from your address; wait a quarter of an hour", Fields: map[string]string{"secret": "too many wrong secrets from your address; wait a quarter of an hour"}}

var errReportThrottled = &verbund.Error{Op: "server.report", Kind: verbund.TooManyRequests, Code: "report-throttled",
	Msg: "too many reports from your address; wait an hour or write to the office"}

func (s *Server) publicReportsOff() error {
	return &verbund.Error{Op: "server.report", Kind: verbund.NotFound, Code: "public-reports-off",
		Msg: "this alliance takes reports from members only; log in to report"}
}

func (s *Server) handlePublicReportForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil || !s.Incidents.PublicReports() {
			s.fail(w, r, s.publicReportsOff())
			return
		}
		p := s.newPage(w, r)
		p.Form = &Form{}
		p.Data = reportFormData{reportForm: newReportForm("UTC", true)}
		s.render(w, r, http.StatusOK, "report", p)
	})
}

type receiptData struct {
	Reference, Secret string
}

func (s *Server) handlePublicReport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil || !s.Incidents.PublicReports() {
			s.fail(w, r, s.publicReportsOff())
			return
		}
		p := s.newPage(w, r)
		d := reportFormData{reportForm: newReportForm("UTC", true)}
		_ = r.ParseMultipartForm(1 << 20)
		p.Form = &Form{Values: r.PostForm, Errors: map[string]string{}}
		ip := s.clientIP(r)
		if s.reportsFrom.full(ip, s.Now()) {
			p.Data = d
			p.Error = p.L.Msg(verbund.ErrorMessage(errReportThrottled))
			w.Header().Set("Retry-After", "3600")
			s.render(w, r, http.StatusTooManyRequests, "report", p)
			return
		}
		rep, bad, lines := readReport(r.PostForm, nil, "", "", zoneOf(nil))
		d.BadLines = lines
		var err error
		if len(bad) > 0 {
			err = rep.CheckSubmission(s.Now(), nil)
		} else {
			var fu incident.FollowUp
			if _, _, fu, err = s.Incidents.SubmitPublic(r.Context(), rep); err == nil {
				s.reportsFrom.add(ip, s.Now())
				p.Form = nil
				p.Data = receiptData{Reference: fu.Reference, Secret: fu.Secret}
				s.render(w, r, http.StatusCreated, "report_receipt", p)
				return
			}
		}
		s.showReportForm(w, r, p, d, bad, err)
	})
}

func (s *Server) handleFollowUpForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil || !s.Incidents.PublicReports() {
			s.fail(w, r, s.publicReportsOff())
			return
		}
		p := s.newPage(w, r)
		p.Form = &Form{}
		s.render(w, r, http.StatusOK, "report_followup", p)
	})
}

// handleFollowUp shows the thread of the case a reporter from the public
// names with reference and secret, and adds an answer when one is sent.
func (s *Server) handleFollowUp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Incidents == nil || !s.Incidents.PublicReports() {
			s.fail(w, r, s.publicReportsOff())
			return
		}
		p := s.newPage(w, r)
		ref, secret, body := strings.TrimSpace(r.PostFormValue("reference")), r.PostFormValue("secret"), r.PostFormValue("body")
		p.Form = &Form{Values: r.PostForm, Errors: map[string]string{}}
		p.Form.Values.Del("secret") // the secret is not shown again
		ip := s.clientIP(r)
		if s.followUps.full(ip, s.Now()) {
			w.Header().Set("Retry-After", "900")
			s.reshow(w, r, p, "report_followup", errFollowUpThrottled)
			return
		}
		cv, err := s.Incidents.FollowUp(r.Context(), ref, secret)
		if err != nil {
			if verbund.ErrorCode(err) == "follow-up-invalid" {
				s.followUps.add(ip, s.Now())
			}
			s.reshow(w, r, p, "report_followup", err)
			return
		}
		if strings.TrimSpace(body) != "" || r.PostFormValue("answer") != "" {
			if _, err := s.Incidents.PostPublic(r.Context(), ref, secret, body); err != nil {
				d, _ := s.caseData(r, cv, nil)
				d.Public = true
				p.Data = struct {
					caseData
					Reference, Secret string
				}{d, ref, secret}
				s.reshow(w, r, p, "report_thread", err)
				return
			}
			if cv, err = s.Incidents.FollowUp(r.Context(), ref, secret); err != nil {
				s.fail(w, r, err)
				return
			}
			p.Flash = p.L.T("incident.message.sent")
		}
		d, err := s.caseData(r, cv, nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Public = true
		p.Form = &Form{}
		p.Data = struct {
			caseData
			Reference, Secret string
		}{d, ref, secret}
		s.render(w, r, http.StatusOK, "report_thread", p)
	})
}
