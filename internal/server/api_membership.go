package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/membership"
)

// The membership part of the REST API. Reads take a session or a token
// with organisation:read. What a person must do and answer for (apply,
// contribute, end the membership, decide as the office) takes a session:
// the service records the person who did it, and a token is no person.

type statusJSON struct {
	Status    string `json:"status"`
	Since     string `json:"since"`
	EndedAt   string `json:"ended_at,omitempty"`
	EndReason string `json:"end_reason,omitempty"`
}

type badgeJSON struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Since     string `json:"since"`
	IssuedAt  string `json:"issued_at"`
	RevokedAt string `json:"revoked_at,omitempty"`
	VerifyURL string `json:"verify_url"`
	ImageURL  string `json:"image_url"`
}

type signatureJSON struct {
	ID         string `json:"id"`
	Version    int    `json:"version"`
	Lang       string `json:"lang"`
	TextSHA256 string `json:"text_sha256"`
	SignedAt   string `json:"signed_at"`
	ReceiptURL string `json:"receipt_url"`
}

type applicationJSON struct {
	ID          string   `json:"id"`
	OrgID       string   `json:"organisation_id"`
	Kind        string   `json:"kind"`
	Expertise   []string `json:"expertise,omitempty"`
	OrgType     string   `json:"org_type,omitempty"`
	Description string   `json:"description"`
	State       string   `json:"state"`
	SubmittedAt string   `json:"submitted_at"`
	DecidedAt   string   `json:"decided_at,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	Checked     []string `json:"checked,omitempty"`
}

func toApplicationJSON(a membership.Application) applicationJSON {
	return applicationJSON{ID: a.ID, OrgID: a.OrgID, Kind: string(a.Kind), Expertise: a.Expertise, OrgType: a.OrgType,
		Description: a.Description, State: string(a.State), SubmittedAt: rfc3339(a.SubmittedAt),
		DecidedAt: rfc3339(a.DecidedAt), Reason: a.Reason, Checked: a.Checked}
}

type contributionJSON struct {
	ID          string `json:"id"`
	OrgID       string `json:"organisation_id"`
	Kind        string `json:"kind"`
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Link        string `json:"link,omitempty"`
	State       string `json:"state"`
	SubmittedAt string `json:"submitted_at"`
	DecidedAt   string `json:"decided_at,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

func toContributionJSON(c membership.Contribution) contributionJSON {
	return contributionJSON{ID: c.ID, OrgID: c.OrgID, Kind: string(c.Kind), Type: c.Type, Title: c.Title,
		Description: c.Description, Link: c.Link, State: string(c.State), SubmittedAt: rfc3339(c.SubmittedAt),
		DecidedAt: rfc3339(c.DecidedAt), Reason: c.Reason}
}

// registrationJSON is the body of a registration: the fields of the web
// form, so that problems name the same fields in both.
type registrationJSON struct {
	Name             string   `json:"name"`
	LegalForm        string   `json:"legal_form"`
	Street           string   `json:"street"`
	Postcode         string   `json:"postcode"`
	City             string   `json:"city"`
	Country          string   `json:"country"`
	Sectors          []string `json:"sectors"`
	SizeClass        string   `json:"size_class"`
	Website          string   `json:"website"`
	ContactName      string   `json:"contact_name"`
	ContactFunction  string   `json:"contact_function"`
	ContactEmail     string   `json:"contact_email"`
	ContactPhone     string   `json:"contact_phone"`
	UserName         string   `json:"user_name"`
	UserEmail        string   `json:"user_email"`
	Password         string   `json:"password"`
	AgreementVersion int      `json:"agreement_version"`
	AgreementLang    string   `json:"agreement_lang"`
	AcceptAgreement  bool     `json:"accept_agreement"`
}

func (s *Server) apiRegister() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b registrationJSON
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		reg, err := s.register(w, r, membership.NewRegistration{
			Name: b.Name, LegalForm: b.LegalForm, Street: b.Street, Postcode: b.Postcode, City: b.City, Country: b.Country,
			Sectors: b.Sectors, SizeClass: b.SizeClass, Website: b.Website, ContactName: b.ContactName,
			ContactFunction: b.ContactFunction, ContactEmail: b.ContactEmail, ContactPhone: b.ContactPhone,
			UserName: b.UserName, UserEmail: b.UserEmail, Password: b.Password, AgreementVersion: b.AgreementVersion,
			AgreementLang: b.AgreementLang, AcceptAgreement: b.AcceptAgreement,
		})
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{
			"organisation": toOrgJSON(reg.Org),
			"user_id":      reg.User.ID,
			"signature_id": reg.Signature.ID,
			"next":         "confirm the e-mail address with the link sent to " + reg.User.Email,
		})
	})
}

func (s *Server) apiAgreement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agr, err := s.Membership.CurrentAgreement(r.Context())
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		sums := map[string]string{}
		for l, t := range agr.Texts {
			sum := sha256.Sum256([]byte(t))
			sums[l] = hex.EncodeToString(sum[:])
		}
		writeJSON(w, http.StatusOK, map[string]any{"version": agr.Version, "published_at": rfc3339(agr.PublishedAt),
			"texts": agr.Texts, "text_sha256": sums})
	})
}

func (s *Server) badgeJSON(b membership.Badge) badgeJSON {
	return badgeJSON{ID: b.ID, Status: string(b.Status), Since: rfc3339(b.Since), IssuedAt: rfc3339(b.IssuedAt),
		RevokedAt: rfc3339(b.RevokedAt), VerifyURL: s.cfg.BaseURL + "/verify/" + b.ID,
		ImageURL: s.cfg.BaseURL + "/badges/" + b.ID + ".svg"}
}

// apiMembership returns an organisation's membership: its standing, its
// statuses and badges, and its acceptance of the agreement. The service
// refuses (and audits) anyone but the organisation's users and tokens and
// the office, with the answer a missing organisation gets.
func (s *Server) apiMembership() http.Handler {
	type agreementJSON struct {
		CurrentVersion int             `json:"current_version,omitempty"`
		Accepted       bool            `json:"accepted"`
		Signatures     []signatureJSON `json:"signatures"`
	}
	type out struct {
		OrgID          string        `json:"organisation_id"`
		OrgStatus      string        `json:"organisation_status"`
		NetworkVisible bool          `json:"network_visible"`
		Statuses       []statusJSON  `json:"statuses"`
		Badges         []badgeJSON   `json:"badges"`
		Agreement      agreementJSON `json:"agreement"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p := principalOf(ctx)
		id := r.PathValue("org")
		recs, err := s.Membership.Statuses(ctx, p, id)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		org, err := s.Identity.OrganisationByID(ctx, id)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		o := out{OrgID: org.ID, OrgStatus: string(org.Status), Statuses: []statusJSON{}, Badges: []badgeJSON{},
			Agreement: agreementJSON{Signatures: []signatureJSON{}}}
		for _, rec := range recs {
			o.Statuses = append(o.Statuses, statusJSON{Status: string(rec.Status), Since: rfc3339(rec.Since),
				EndedAt: rfc3339(rec.EndedAt), EndReason: rec.EndReason})
		}
		badges, err := s.Membership.Badges(ctx, p, id)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		for _, b := range badges {
			o.Badges = append(o.Badges, s.badgeJSON(b))
		}
		sigs, err := s.Membership.Signatures(ctx, p, id)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		for _, sg := range sigs {
			o.Agreement.Signatures = append(o.Agreement.Signatures, signatureJSON{ID: sg.ID, Version: sg.Version,
				Lang: sg.Lang, TextSHA256: sg.TextSHA256, SignedAt: rfc3339(sg.SignedAt),
				ReceiptURL: s.cfg.BaseURL + "/agreement/receipt/" + sg.ID})
		}
		if agr, err := s.Membership.CurrentAgreement(ctx); err == nil {
			o.Agreement.CurrentVersion = agr.Version
		} else if !verbund.IsKind(err, verbund.NotFound) {
			s.writeProblem(w, r, err)
			return
		}
		if o.Agreement.Accepted, err = s.Membership.AcceptedCurrent(ctx, id); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if prof, err := s.Membership.Profile(ctx, p, id); err == nil {
			o.NetworkVisible = prof.NetworkVisible
		} else if !verbund.IsKind(err, verbund.NotFound) {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, o)
	})
}

// apiTerminate ends the membership of the caller's organisation. It takes
// a session of an organisation admin, never a token: ending a membership
// cannot be undone, and must be done by a person. The body repeats the
// organisation's name, as the form asks the user to type it.
func (s *Server) apiTerminate() http.Handler {
	type body struct {
		Confirm string `json:"confirm"`
		Reason  string `json:"reason"`
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
		if strings.TrimSpace(b.Confirm) != org.Name {
			s.writeProblem(w, r, verbund.InvalidFields("server.apiTerminate", map[string]string{"confirm": "type the organisation's name exactly as shown"}))
			return
		}
		if err := s.Membership.Terminate(r.Context(), principalOf(r.Context()), org.ID, b.Reason); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		s.clearSessionCookie(w)
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) apiApplications() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apps, err := s.Membership.Applications(r.Context(), principalOf(r.Context()), r.PathValue("org"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]applicationJSON, len(apps))
		for i, a := range apps {
			out[i] = toApplicationJSON(a)
		}
		writeJSON(w, http.StatusOK, map[string]any{"applications": out})
	})
}

func (s *Server) apiApply() http.Handler {
	type body struct {
		Kind        string   `json:"kind"`
		Expertise   []string `json:"expertise"`
		OrgType     string   `json:"org_type"`
		Description string   `json:"description"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		org := r.PathValue("org")
		a, err := s.Membership.Apply(r.Context(), principalOf(r.Context()), membership.NewApplication{
			OrgID: org, Kind: membership.Status(b.Kind), Expertise: b.Expertise, OrgType: b.OrgType, Description: b.Description})
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, toApplicationJSON(a))
	})
}

func (s *Server) apiContributions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.Membership.Contributions(r.Context(), principalOf(r.Context()), r.PathValue("org"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]contributionJSON, len(list))
		for i, c := range list {
			out[i] = toContributionJSON(c)
		}
		writeJSON(w, http.StatusOK, map[string]any{"contributions": out})
	})
}

func (s *Server) apiContribute() http.Handler {
	type body struct {
		Type        string `json:"type"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Link        string `json:"link"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		c, err := s.Membership.Contribute(r.Context(), principalOf(r.Context()), membership.NewContribution{
			OrgID: r.PathValue("org"), Type: b.Type, Title: b.Title, Description: b.Description, Link: b.Link})
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, toContributionJSON(c))
	})
}

func (s *Server) apiPartners() http.Handler {
	type contrib struct {
		Type       string `json:"type"`
		Title      string `json:"title"`
		Link       string `json:"link,omitempty"`
		AcceptedAt string `json:"accepted_at"`
	}
	type partner struct {
		OrgID         string    `json:"organisation_id"`
		Name          string    `json:"name"`
		Website       string    `json:"website,omitempty"`
		Expertise     []string  `json:"expertise"`
		Since         string    `json:"since"`
		Contributions []contrib `json:"contributions"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if len(q) > 100 {
			s.writeProblem(w, r, verbund.InvalidFields("server.apiPartners", map[string]string{"q": "at most 100 characters"}))
			return
		}
		list, err := s.Membership.PartnerDirectory(r.Context(), q)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]partner, len(list))
		for i, e := range list {
			out[i] = partner{OrgID: e.OrgID, Name: e.Name, Website: e.Website, Expertise: e.Expertise,
				Since: rfc3339(e.Since), Contributions: []contrib{}}
			if out[i].Expertise == nil {
				out[i].Expertise = []string{}
			}
			for _, c := range e.Contributions {
				out[i].Contributions = append(out[i].Contributions, contrib{Type: c.Type, Title: c.Title, Link: c.Link,
					AcceptedAt: rfc3339(c.DecidedAt)})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"partners": out})
	})
}

// apiBadge answers whether a badge is genuine, with the signed statement
// and the signature, so that the answer can be checked offline with the
// key at /.well-known/verbund-badge-key.
func (s *Server) apiBadge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.Membership.VerifyBadge(r.Context(), r.PathValue("badge"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := map[string]any{
			"id": c.BadgeID, "organisation": c.OrgName, "status": c.Status, "since": rfc3339(c.Since),
			"issued_at": rfc3339(c.IssuedAt), "valid": c.Valid, "revoked": c.Revoked,
			"statement": c.Statement, "signature": c.Signature,
			"alg": "Ed25519", "key_url": s.cfg.BaseURL + "/.well-known/verbund-badge-key",
		}
		if c.Revoked {
			out["revoked_at"] = rfc3339(c.RevokedAt)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// apiQueue is what waits for the office's decision.
func (s *Server) apiQueue() http.Handler {
	type reg struct {
		Organisation orgJSON `json:"organisation"`
		Verified     bool    `json:"verified"`
		Accepted     bool    `json:"agreement_accepted"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := s.Membership.Queue(r.Context(), principalOf(r.Context()))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		regs := make([]reg, len(q.Registrations))
		for i, pr := range q.Registrations {
			regs[i] = reg{Organisation: toOrgJSON(pr.Org), Verified: pr.Verified, Accepted: pr.Accepted}
		}
		apps := make([]applicationJSON, len(q.Applications))
		for i, a := range q.Applications {
			apps[i] = toApplicationJSON(a)
		}
		contribs := make([]contributionJSON, len(q.Contributions))
		for i, c := range q.Contributions {
			contribs[i] = toContributionJSON(c)
		}
		writeJSON(w, http.StatusOK, map[string]any{"registrations": regs, "applications": apps, "contributions": contribs})
	})
}

func (s *Server) apiDecideApplication() http.Handler {
	type body struct {
		Approve bool     `json:"approve"`
		Reason  string   `json:"reason"`
		Checked []string `json:"checked"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		a, err := s.Membership.DecideApplication(r.Context(), principalOf(r.Context()), r.PathValue("application"),
			membership.Decision{Approve: b.Approve, Reason: b.Reason, Checked: b.Checked})
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toApplicationJSON(a))
	})
}

func (s *Server) apiDecideContribution() http.Handler {
	type body struct {
		Accept bool   `json:"accept"`
		Reason string `json:"reason"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		c, err := s.Membership.DecideContribution(r.Context(), principalOf(r.Context()), r.PathValue("contribution"), b.Accept, b.Reason)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toContributionJSON(c))
	})
}
