package server

import (
	"net/http"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
)

type accountData struct {
	User          identity.User
	Org           identity.Organisation
	RecoveryLeft  int
	Require2FA    bool
	Pending       bool
	Enrolment     identity.Enrolment
	RecoveryCodes []string
}

func (s *Server) accountData(r *http.Request) (accountData, error) {
	pr := principalOf(r.Context())
	d := accountData{User: *pr.User, Org: *pr.Org}
	var err error
	if d.RecoveryLeft, err = s.Identity.RecoveryCodesLeft(r.Context(), pr); err != nil {
		return d, err
	}
	if d.Require2FA, err = s.Identity.Require2FA(r.Context()); err != nil {
		return d, err
	}
	d.Enrolment, d.Pending, err = s.Identity.PendingTOTP(r.Context(), pr)
	return d, err
}

func (s *Server) handleAccount() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.accountData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("changed") != "" {
			p.Flash = p.L.T("account.password.changed")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "account", p)
	})
}

func (s *Server) handleChangePassword() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		pw, again := r.PostFormValue("password"), r.PostFormValue("password2")
		var err error
		if pw != again {
			err = verbund.InvalidFields("server.handleChangePassword", map[string]string{"password2": "the two passwords differ"})
		} else {
			err = s.Identity.ChangePassword(r.Context(), p.P, r.PostFormValue("current"), pw)
		}
		if err != nil {
			d, derr := s.accountData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "account", err)
			return
		}
		http.Redirect(w, r, "/account?changed=1", http.StatusSeeOther)
	})
}

func (s *Server) handleTOTPPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.accountData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("required") != "" {
			p.Flash = p.L.T("totp.required")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "totp", p)
	})
}

// handleTOTPQR serves the QR code of a pending enrolment as an image of our
// own origin (the content security policy allows no data: images).
func (s *Server) handleTOTPQR() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, ok, err := s.Identity.PendingTOTP(r.Context(), principalOf(r.Context()))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			s.fail(w, r, notFound)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(e.QRPNG)
	})
}

func (s *Server) handleTOTPBegin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.Identity.BeginTOTP(r.Context(), principalOf(r.Context())); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
	})
}

func (s *Server) handleTOTPConfirm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		codes, err := s.Identity.ConfirmTOTP(r.Context(), p.P, r.PostFormValue("code"))
		d, derr := s.accountData(r)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		if err != nil {
			p.Data = d
			s.reshow(w, r, p, "totp", err)
			return
		}
		d.RecoveryCodes = codes
		d.User.TOTPEnabled = true
		p.Data = d
		p.Flash = p.L.T("totp.enabled")
		// The codes are shown once, on this answer; it is not cached.
		s.render(w, r, http.StatusOK, "totp", p)
	})
}

func (s *Server) handleTOTPDisable() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		if err := s.Identity.DisableTOTP(r.Context(), p.P, r.PostFormValue("password")); err != nil {
			d, derr := s.accountData(r)
			if derr != nil || !s.formErr(&p, r, err) {
				s.fail(w, r, err)
				return
			}
			p.Data = d
			s.render(w, r, statusOf(err), "totp", p)
			return
		}
		http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
	})
}
