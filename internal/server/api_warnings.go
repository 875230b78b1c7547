package server

import (
	"net/http"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

// The REST API of warnings, documented in openapi.warnings.json.

type warningTextJSON struct {
	Title           string `json:"title"`
	Summary         string `json:"summary,omitempty"`
	Details         string `json:"details,omitempty"`
	Recommendations string `json:"recommendations,omitempty"`
}

type warningAudienceJSON struct {
	Community     bool     `json:"community,omitempty"`
	Sectors       []string `json:"sectors,omitempty"`
	Circles       []string `json:"circles,omitempty"`
	Organisations []string `json:"organisations,omitempty"`
	Users         []string `json:"users,omitempty"`
}

type cvssJSON struct {
	Vector    string  `json:"vector"`
	BaseScore float64 `json:"base_score"`
}

type revisionJSON struct {
	Number  int    `json:"number"`
	Date    string `json:"date"`
	Summary string `json:"summary"`
}

type warningJSON struct {
	ID              string                     `json:"id"`
	TrackingID      string                     `json:"tracking_id"`
	State           string                     `json:"state"`
	Contribution    bool                       `json:"contribution"`
	OwnerOrg        string                     `json:"owner_organisation_id"`
	TLP             string                     `json:"tlp"`
	Audience        *warningAudienceJSON       `json:"audience,omitempty"`
	Revision        int                        `json:"revision"`
	Lang            string                     `json:"lang"`
	Title           string                     `json:"title"`
	Summary         string                     `json:"summary"`
	Details         string                     `json:"details,omitempty"`
	Recommendations string                     `json:"recommendations,omitempty"`
	Translations    map[string]warningTextJSON `json:"translations,omitempty"`
	Severity        string                     `json:"severity,omitempty"`
	CVSS            *cvssJSON                  `json:"cvss,omitempty"`
	CVEs            []string                   `json:"cves"`
	Products        []warning.Product          `json:"products"`
	References      []string                   `json:"references"`
	CreatedAt       string                     `json:"created_at"`
	UpdatedAt       string                     `json:"updated_at"`
	PublishedAt     string                     `json:"published_at,omitempty"`
	WithdrawnAt     string                     `json:"withdrawn_at,omitempty"`
	WithdrawReason  string                     `json:"withdraw_reason,omitempty"`
	Revisions       []revisionJSON             `json:"revisions,omitempty"`
}

// toWarningJSON returns w as the API shows it: the current content with the
// text in its original language and the others as translations. full adds
// the revision history.
func toWarningJSON(w warning.Warning, full bool) warningJSON {
	c := w.Current()
	o := c.Original()
	out := warningJSON{ID: w.ID, TrackingID: w.TrackingID, State: string(w.State), Contribution: w.Contribution,
		OwnerOrg: w.OwnerOrg, TLP: w.Marking.TLP.Label(), Revision: w.Revision(), Lang: c.Lang, Title: o.Title,
		Summary: o.Summary, Severity: string(c.Severity), CVEs: nonNil(c.CVEs), Products: c.Products, References: nonNil(c.References),
		CreatedAt: rfc3339(w.CreatedAt), UpdatedAt: rfc3339(w.Changed()), PublishedAt: rfc3339(w.PublishedAt),
		WithdrawnAt: rfc3339(w.WithdrawnAt), WithdrawReason: w.WithdrawReason}
	if out.Products == nil {
		out.Products = []warning.Product{}
	}
	if a := w.Marking.Audience; !a.IsEmpty() {
		out.Audience = &warningAudienceJSON{Community: a.Community, Sectors: a.Sectors, Circles: a.Circles, Organisations: a.Orgs, Users: a.Users}
	}
	if sc, ok := c.Score(); ok {
		out.CVSS = &cvssJSON{Vector: c.CVSS, BaseScore: sc}
	}
	if full {
		out.Details, out.Recommendations = o.Details, o.Recommendations
		for _, r := range w.Revisions {
			out.Revisions = append(out.Revisions, revisionJSON{Number: r.Number, Date: rfc3339(r.At), Summary: r.Summary})
		}
	}
	for lang, t := range c.Texts {
		if lang == c.Lang {
			continue
		}
		if out.Translations == nil {
			out.Translations = map[string]warningTextJSON{}
		}
		tj := warningTextJSON{Title: t.Title, Summary: t.Summary}
		if full {
			tj.Details, tj.Recommendations = t.Details, t.Recommendations
		}
		out.Translations[lang] = tj
	}
	return out
}

// warningInputJSON is the body of creating, changing and updating a warning.
type warningInputJSON struct {
	Lang         string                     `json:"lang"`
	Texts        map[string]warningTextJSON `json:"texts"`
	Severity     string                     `json:"severity"`
	CVSS         string                     `json:"cvss"`
	CVEs         []string                   `json:"cves"`
	Products     []warning.Product          `json:"products"`
	References   []string                   `json:"references"`
	TLP          string                     `json:"tlp"`
	Audience     warningAudienceJSON        `json:"audience"`
	Confidential bool                       `json:"confidential"`
	Identifiable bool                       `json:"identifiable"`
	Purpose      string                     `json:"purpose"`
	Changes      string                     `json:"changes"` // updates only
}

func (in warningInputJSON) input(op string) (warning.Input, error) {
	c := warning.Content{Lang: in.Lang, Texts: map[string]warning.Text{}, Severity: warning.Severity(in.Severity), CVSS: in.CVSS,
		CVEs: in.CVEs, Products: in.Products, References: in.References}
	for lang, t := range in.Texts {
		c.Texts[lang] = warning.Text{Title: t.Title, Summary: t.Summary, Details: t.Details, Recommendations: t.Recommendations}
	}
	tlp, err := policy.ParseTLP(in.TLP)
	if err != nil {
		return warning.Input{}, verbund.InvalidFields(op, map[string]string{"tlp": "choose a TLP level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED"})
	}
	a := in.Audience
	return warning.Input{Content: c, Marking: policy.Marking{TLP: tlp, Confidential: in.Confidential, Identifiable: in.Identifiable,
		Purpose: in.Purpose, Audience: policy.Audience{Community: a.Community, Sectors: a.Sectors, Circles: a.Circles, Orgs: a.Organisations, Users: a.Users}}}, nil
}

func (s *Server) apiWarnings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := filterOf(r.URL.Query())
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		v, err := s.viewerOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		ws, err := s.Warnings.List(r.Context(), &v, f)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]warningJSON, len(ws))
		for i, wn := range ws {
			out[i] = toWarningJSON(wn, false)
		}
		writeJSON(w, http.StatusOK, map[string]any{"warnings": out})
	})
}

func (s *Server) apiWarning() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := s.viewerOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		wn, err := s.Warnings.Get(r.Context(), principalOf(r.Context()), &v, r.PathValue("warning"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toWarningJSON(wn, true))
	})
}

func (s *Server) apiCreateWarning() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const op = "server.apiCreateWarning"
		var body warningInputJSON
		if err := decodeJSON(r, &body); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		in, err := body.input(op)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		wn, err := s.Warnings.Create(r.Context(), principalOf(r.Context()), in)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		w.Header().Set("Location", "/api/v1/warnings/"+wn.ID)
		writeJSON(w, http.StatusCreated, toWarningJSON(wn, true))
	})
}

// apiChangeWarning changes the draft (PUT) or, for a published warning,
// publishes a new revision (POST …/revisions).
func (s *Server) apiChangeWarning(update bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const op = "server.apiChangeWarning"
		var body warningInputJSON
		if err := decodeJSON(r, &body); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		in, err := body.input(op)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		p, id := principalOf(r.Context()), r.PathValue("warning")
		var wn warning.Warning
		if update {
			wn, err = s.Warnings.Update(r.Context(), p, id, in, body.Changes)
		} else {
			wn, err = s.Warnings.Edit(r.Context(), p, id, in)
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toWarningJSON(wn, true))
	})
}

// apiWarningStep runs a workflow step: submit, approve, publish, withdraw.
func (s *Server) apiWarningStep(step string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, p, id := r.Context(), principalOf(r.Context()), r.PathValue("warning")
		var (
			wn  warning.Warning
			err error
		)
		switch step {
		case "submit":
			wn, err = s.Warnings.Submit(ctx, p, id)
		case "approve":
			wn, err = s.Warnings.Approve(ctx, p, id)
		case "publish":
			wn, err = s.Warnings.Publish(ctx, p, id)
		case "withdraw":
			var body struct {
				Reason string `json:"reason"`
			}
			if err := decodeJSON(r, &body); err != nil {
				s.writeProblem(w, r, err)
				return
			}
			wn, err = s.Warnings.Withdraw(ctx, p, id, body.Reason)
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toWarningJSON(wn, true))
	})
}

type ackJSON struct {
	WarningID string `json:"warning_id"`
	OrgID     string `json:"organisation_id"`
	Status    string `json:"status"`
	By        string `json:"by_user_id,omitempty"`
	At        string `json:"at"`
}

func (s *Server) apiAcknowledge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Status string `json:"status"`
		}
		if err := decodeJSON(r, &body); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		v, err := s.viewerOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		a, err := s.Warnings.Acknowledge(r.Context(), principalOf(r.Context()), &v, r.PathValue("warning"), warning.Ack(strings.TrimSpace(body.Status)))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, ackJSON{WarningID: a.WarningID, OrgID: a.OrgID, Status: string(a.Status), By: a.By, At: rfc3339(a.At)})
	})
}

// apiAcknowledgements answers the office with the rates and every
// organisation's acknowledgement of a warning it may read.
func (s *Server) apiAcknowledgements() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := s.viewerOf(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		p := principalOf(r.Context())
		wn, err := s.Warnings.Get(r.Context(), p, &v, r.PathValue("warning"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		rates, acks, err := s.Warnings.Rates(r.Context(), p, wn.ID)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		list := make([]ackJSON, len(acks))
		for i, a := range acks {
			list[i] = ackJSON{WarningID: a.WarningID, OrgID: a.OrgID, Status: string(a.Status), By: a.By, At: rfc3339(a.At)}
		}
		counts := map[string]int{}
		for _, a := range warning.Acks {
			counts[string(a)] = rates.Counts[a]
		}
		writeJSON(w, http.StatusOK, map[string]any{"recipients": rates.Recipients, "acknowledged": rates.Acknowledged,
			"counts": counts, "acknowledgements": list})
	})
}
