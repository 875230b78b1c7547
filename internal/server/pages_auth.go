package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/i18n"
)

var notFound = verbund.E("server", verbund.NotFound, "not found")

func (s *Server) handleHome() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		s.render(w, r, http.StatusOK, "home", p)
	})
}

func (s *Server) handleLoginForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		if p.P.Authenticated() {
			http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
			return
		}
		p.Form = &Form{Values: url.Values{"next": {r.URL.Query().Get("next")}}}
		switch {
		case r.URL.Query().Get("ended") != "":
			p.Flash = p.L.T("login.ended")
		case r.URL.Query().Get("reset") != "":
			p.Flash = p.L.T("reset.done")
		case r.URL.Query().Get("out") != "":
			p.Flash = p.L.T("login.loggedout")
		}
		s.render(w, r, http.StatusOK, "login", p)
	})
}

func (s *Server) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		email, password := r.PostFormValue("email"), r.PostFormValue("password")
		res, err := s.Identity.Login(r.Context(), email, password)
		if err != nil {
			p.Form = &Form{Values: url.Values{"email": {email}, "next": {r.PostFormValue("next")}}}
			s.reshow(w, r, p, "login", err)
			return
		}
		// Rotation: whatever session the browser had is ended.
		if c, err := r.Cookie(s.sessionCookieName()); err == nil {
			_ = s.Identity.Logout(r.Context(), c.Value)
		}
		s.setSessionCookie(w, res.Secret)
		next := localPath(r.PostFormValue("next"), "/")
		if res.NeedSecondFactor {
			http.Redirect(w, r, "/login/2fa?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

func (s *Server) handleSecondFactorForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		if p.P.Session == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if p.P.Session.MFAPassed {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		p.Form = &Form{Values: url.Values{"next": {r.URL.Query().Get("next")}}}
		s.render(w, r, http.StatusOK, "login2fa", p)
	})
}

func (s *Server) handleSecondFactor() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		c, err := r.Cookie(s.sessionCookieName())
		if err != nil || p.P.Session == nil {
			http.Redirect(w, r, "/login?ended=1", http.StatusSeeOther)
			return
		}
		res, err := s.Identity.SecondFactor(r.Context(), c.Value, r.PostFormValue("code"))
		if err != nil {
			p.Form = &Form{Values: url.Values{"next": {r.PostFormValue("next")}}}
			s.reshow(w, r, p, "login2fa", err)
			return
		}
		s.setSessionCookie(w, res.Secret)
		http.Redirect(w, r, localPath(r.PostFormValue("next"), "/"), http.StatusSeeOther)
	})
}

func (s *Server) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(s.sessionCookieName()); err == nil {
			if err := s.Identity.Logout(r.Context(), c.Value); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		s.clearSessionCookie(w)
		http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
	})
}

func (s *Server) handleResetRequestForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "reset_request", s.newPage(w, r))
	})
}

func (s *Server) handleResetRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		email := r.PostFormValue("email")
		if err := s.Identity.RequestPasswordReset(r.Context(), email); err != nil {
			p.Form = &Form{Values: url.Values{"email": {email}}}
			s.reshow(w, r, p, "reset_request", err)
			return
		}
		// The same answer whether or not the address has an account.
		p.Flash = p.L.T("reset.sent")
		s.render(w, r, http.StatusOK, "reset_request", p)
	})
}

func (s *Server) handleResetForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		p.Data = r.PathValue("token")
		s.render(w, r, http.StatusOK, "reset", p)
	})
}

func (s *Server) handleReset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		p.Data = r.PathValue("token")
		pw, again := r.PostFormValue("password"), r.PostFormValue("password2")
		var err error
		if pw != again {
			err = verbund.InvalidFields("server.handleReset", map[string]string{"password2": "the two passwords differ"})
		} else {
			err = s.Identity.ResetPassword(r.Context(), r.PathValue("token"), pw)
		}
		if err != nil {
			s.reshow(w, r, p, "reset", err)
			return
		}
		http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
	})
}

// handleLanguage switches the UI language: a cookie for everybody, and the
// user's preference when logged in. It works without JavaScript (a form
// with a select and a button).
func (s *Server) handleLanguage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := strings.TrimSpace(r.PostFormValue("lang"))
		if !i18n.Supported(lang) {
			s.fail(w, r, &verbund.Error{Op: "server.handleLanguage", Kind: verbund.Invalid, Code: "unknown-language",
				Msg: "unknown language: choose Deutsch, Nederlands or English"})
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "vb_lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.cfg.TLS, SameSite: http.SameSiteLaxMode})
		if p := principalOf(r.Context()); p.User != nil {
			if err := s.Identity.SetLanguage(r.Context(), p, lang); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		http.Redirect(w, r, localPath(r.PostFormValue("next"), "/"), http.StatusSeeOther)
	})
}
