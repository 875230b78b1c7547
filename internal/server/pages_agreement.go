package server

import (
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// agreementMemo holds whether the viewer's organisation owes its acceptance
// of the current agreement, worked out at most once per request (an error
// page rendered after a handler's page asks again).
type agreementMemo struct {
	once sync.Once
	due  bool
}

// agreementDue reports whether the viewer administers a member organisation
// that has not accepted the current agreement. Only those administrators
// are asked, so it costs other viewers nothing.
func (s *Server) agreementDue(r *http.Request) bool {
	p := principalOf(r.Context())
	if p.User == nil || p.Org == nil || p.Session == nil || !p.Session.MFAPassed ||
		p.Org.Kind != identity.KindMember || p.Org.Status == identity.StatusTerminated || !p.Has(identity.RoleOrgAdmin) {
		return false
	}
	m, _ := r.Context().Value(keyAgreement).(*agreementMemo)
	if m == nil {
		m = &agreementMemo{}
	}
	m.once.Do(func() {
		ctx := r.Context()
		ok, err := s.Membership.AcceptedCurrent(ctx, p.Org.ID)
		if err == nil && !ok {
			// Without a published agreement there is nothing to accept.
			_, err = s.Membership.CurrentAgreement(ctx)
			m.due = err == nil
		}
		if err != nil && !verbund.IsKind(err, verbund.NotFound) {
			s.Logger.ErrorContext(ctx, "agreement state", "request_id", requestID(ctx), "err", err)
		}
	})
	return m.due
}

type agreementData struct {
	Published bool
	Agreement membership.Agreement
	Text      string
	TextLang  string
	Langs     []string // languages the agreement exists in
	Member    bool     // the viewer is a user of a member organisation
	CanSign   bool     // the viewer administers it, and it has not accepted the current version
	Current   *membership.Signature
	Signed    []membership.Signature // of the viewer's organisation, newest first
}

func (s *Server) agreementData(r *http.Request) (agreementData, error) {
	ctx := r.Context()
	p := principalOf(ctx)
	var d agreementData
	agr, err := s.Membership.CurrentAgreement(ctx)
	if verbund.IsKind(err, verbund.NotFound) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	d.Published, d.Agreement = true, agr
	lang := r.URL.Query().Get("lang")
	if _, ok := agr.Texts[lang]; !ok {
		lang = s.localizer(r).Lang
	}
	d.Text, d.TextLang = agreementText(agr, lang)
	for _, l := range membership.Languages {
		if _, ok := agr.Texts[l]; ok {
			d.Langs = append(d.Langs, l)
		}
	}
	if p.User == nil || p.Org == nil || p.Org.Kind != identity.KindMember {
		return d, nil
	}
	d.Member = true
	if d.Signed, err = s.Membership.Signatures(ctx, p, p.Org.ID); err != nil {
		return d, err
	}
	if i := slices.IndexFunc(d.Signed, func(sg membership.Signature) bool { return sg.Version == agr.Version }); i >= 0 {
		d.Current = &d.Signed[i]
	}
	d.CanSign = d.Current == nil && p.Has(identity.RoleOrgAdmin) && p.Org.Status != identity.StatusTerminated
	return d, nil
}

func (s *Server) handleAgreement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.agreementData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("signed") != "" {
			p.Flash = p.L.T("agreement.signed")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "agreement", p)
	})
}

func (s *Server) handleAcceptAgreement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		var err error
		if r.PostFormValue("accept") != "on" {
			err = verbund.InvalidFields("server.handleAcceptAgreement", map[string]string{"accept": "required: read and accept the agreement"})
		} else {
			_, err = s.Membership.Sign(r.Context(), p.P, p.P.OrgID(), version, r.PostFormValue("lang"))
		}
		if err != nil {
			d, derr := s.agreementData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "agreement", err)
			return
		}
		http.Redirect(w, r, "/agreement?signed=1", http.StatusSeeOther)
	})
}

func (s *Server) handleReceipt() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		rc, err := s.Membership.Receipt(r.Context(), p.P, r.PathValue("signature"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = rc
		s.render(w, r, http.StatusOK, "receipt", p)
	})
}

type officeAgreementData struct {
	Published   bool
	Agreement   membership.Agreement
	Langs       []string
	NotAccepted []identity.Organisation
}

func (s *Server) officeAgreementData(r *http.Request) (officeAgreementData, error) {
	d := officeAgreementData{Langs: membership.Languages}
	agr, err := s.Membership.CurrentAgreement(r.Context())
	switch {
	case err == nil:
		d.Published, d.Agreement = true, agr
	case !verbund.IsKind(err, verbund.NotFound):
		return d, err
	}
	d.NotAccepted, err = s.Membership.NotAccepted(r.Context(), principalOf(r.Context()))
	return d, err
}

func (s *Server) handleOfficeAgreement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.officeAgreementData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if v := r.URL.Query().Get("published"); v != "" {
			p.Flash = p.L.T("office.agreement.published", v)
		}
		vals := map[string][]string{}
		for l, t := range d.Agreement.Texts {
			vals["text_"+l] = []string{t}
		}
		p.Form, p.Data = &Form{Values: vals}, d
		s.render(w, r, http.StatusOK, "office_agreement", p)
	})
}

func (s *Server) handlePublishAgreement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		texts := map[string]string{}
		for _, l := range membership.Languages {
			texts[l] = r.PostFormValue("text_" + l)
		}
		a, err := s.Membership.PublishAgreement(r.Context(), p.P, texts)
		if err != nil {
			d, derr := s.officeAgreementData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "office_agreement", err)
			return
		}
		http.Redirect(w, r, "/office/agreement?published="+strconv.Itoa(a.Version), http.StatusSeeOther)
	})
}
