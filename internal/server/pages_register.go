package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// otherCountry is the value of the country choice "another country": it is
// no country code anybody configures, so the service answers it with its
// polite refusal.
const otherCountry = "XX"

// country is one choice of the country select.
type country struct{ Code, Name string }

// countryName returns the name of the ISO 3166-1 region code in lang, or
// the code when it is unknown.
func countryName(lang, code string) string {
	reg, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	var n display.Namer
	switch lang {
	case "de":
		n = display.German.Regions()
	case "nl":
		n = display.Dutch.Regions()
	default:
		n = display.English.Regions()
	}
	if name := n.Name(reg); name != "" {
		return name
	}
	return code
}

// agreementText returns the text of a in lang, falling back to English and
// then to any text, and the language it is in.
func agreementText(a membership.Agreement, lang string) (text, in string) {
	for _, l := range []string{lang, i18n.Default} {
		if t, ok := a.Texts[l]; ok {
			return t, l
		}
	}
	for _, l := range membership.Languages {
		if t, ok := a.Texts[l]; ok {
			return t, l
		}
	}
	return "", lang
}

type registerData struct {
	Open        bool // an agreement is published, so registration is open
	Agreement   membership.Agreement
	Text        string // the agreement in TextLang
	TextLang    string
	Countries   []country
	Sectors     []string
	SizeClasses []string
	// Conflict is the code of a refusal that needs another way in:
	// org-exists or email-in-use.
	Conflict string
}

func (s *Server) registerData(r *http.Request) (registerData, error) {
	lang := s.localizer(r).Lang
	d := registerData{Sectors: identity.Sectors, SizeClasses: membership.SizeClasses}
	for _, c := range s.Membership.Config().AllowedCountries {
		d.Countries = append(d.Countries, country{c, countryName(lang, c)})
	}
	agr, err := s.Membership.CurrentAgreement(r.Context())
	if verbund.IsKind(err, verbund.NotFound) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	d.Open, d.Agreement = true, agr
	d.Text, d.TextLang = agreementText(agr, lang)
	return d, nil
}

func (s *Server) handleRegisterForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.registerData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// One country allowed: it is chosen already.
		vals := url.Values{}
		if len(d.Countries) == 1 {
			vals.Set("country", d.Countries[0].Code)
		}
		p.Form, p.Data = &Form{Values: vals}, d
		s.render(w, r, http.StatusOK, "register", p)
	})
}

// errRegistrationThrottled answers an address that registered too often.
var errRegistrationThrottled = &verbund.Error{Op: "server.register", Kind: verbund.TooManyRequests, Code: "registration-throttled",
	Msg: "too many registrations from your address; please try again in an hour, or ask the office"}

// registration reads a registration from a form or a JSON body's fields.
func registrationFrom(f url.Values) membership.NewRegistration {
	version, _ := strconv.Atoi(f.Get("agreement_version"))
	return membership.NewRegistration{
		Name: f.Get("name"), LegalForm: f.Get("legal_form"), Street: f.Get("street"), Postcode: f.Get("postcode"),
		City: f.Get("city"), Country: f.Get("country"), Sectors: f["sectors"], SizeClass: f.Get("size_class"),
		Website: f.Get("website"), ContactName: f.Get("contact_name"), ContactFunction: f.Get("contact_function"),
		ContactEmail: f.Get("contact_email"), ContactPhone: f.Get("contact_phone"), UserName: f.Get("user_name"),
		UserEmail: f.Get("user_email"), Password: f.Get("password"), AgreementVersion: version,
		AgreementLang: f.Get("agreement_lang"), AcceptAgreement: f.Get("accept_agreement") == "on",
	}
}

// register runs a registration for the client of r, within the limit of
// registrations per address. Every attempt the service got as far as the
// database with counts: successes, and refusals that tell whether a name or
// an address is registered.
func (s *Server) register(w http.ResponseWriter, r *http.Request, in membership.NewRegistration) (membership.Registration, error) {
	ip := s.clientIP(r)
	if s.registrations.full(ip, s.Now()) {
		w.Header().Set("Retry-After", strconv.Itoa(int(registrationWindow.Seconds())))
		return membership.Registration{}, errRegistrationThrottled
	}
	reg, err := s.Membership.Register(r.Context(), in)
	if err == nil || verbund.IsKind(err, verbund.Conflict) {
		s.registrations.add(ip, s.Now())
	}
	return reg, err
}

func (s *Server) handleRegister() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.registerData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		_ = r.ParseForm()
		in := registrationFrom(r.PostForm)
		if in.Password != r.PostFormValue("password2") {
			err = s.mismatch(r, in)
		} else {
			_, err = s.register(w, r, in)
		}
		if err == nil {
			http.Redirect(w, r, "/register/sent", http.StatusSeeOther)
			return
		}
		kept := url.Values{}
		for k, v := range r.PostForm {
			if k != "password" && k != "password2" && k != csrfField {
				kept[k] = v
			}
		}
		p.Form = &Form{Values: kept}
		if code := verbund.ErrorCode(err); code == "org-exists" || code == "email-in-use" {
			d.Conflict = code
		}
		p.Data = d
		if !s.formErr(&p, r, err) {
			s.fail(w, r, err)
			return
		}
		if verbund.ErrorCode(err) == "country-not-eligible" {
			names := make([]string, len(d.Countries))
			for i, c := range d.Countries {
				names[i] = c.Name
			}
			p.Form.Errors["country"] = p.L.T("register.country.refused", strings.Join(names, ", "))
			p.Error = p.L.T("register.country.thanks") + " " + p.Form.Errors["country"]
		}
		s.render(w, r, statusOf(err), "register", p)
	})
}

// mismatch answers a registration whose two passwords differ with that
// and every other problem of the form at once. The service is asked
// without a password: input with a problem is never registered, so it only
// checks.
func (s *Server) mismatch(r *http.Request, in membership.NewRegistration) error {
	const op = "server.handleRegister"
	pw := in.Password
	in.Password = ""
	_, err := s.Membership.Register(r.Context(), in)
	fields := verbund.ErrorFields(err)
	if verbund.ErrorKind(err) != verbund.Invalid || fields["password"] == "" {
		// Not the answer to the missing password: never expected; say only
		// what is known for sure.
		fields = map[string]string{}
	}
	delete(fields, "password")
	if msg := identity.CheckPasswordPolicy(pw); msg != "" {
		fields["password"] = msg
	}
	fields["password2"] = "the two passwords differ"
	e := verbund.InvalidFields(op, fields)
	e.Code = verbund.ErrorCode(err)
	if e.Code == "invalid" || verbund.ErrorKind(err) != verbund.Invalid {
		e.Code = ""
	}
	return e
}

func (s *Server) handleRegisterSent() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "register_sent", s.newPage(w, r))
	})
}

type verifyData struct {
	Org     identity.Organisation
	Done    bool // the address is confirmed
	Expired bool // the link expired: offer a new one
}

func (s *Server) handleVerifyRegistration() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		org, err := s.Membership.Verify(r.Context(), r.PathValue("secret"))
		if err != nil {
			if verbund.ErrorKind(err) != verbund.Invalid {
				s.fail(w, r, err)
				return
			}
			p.Error = p.L.Msg(verbund.ErrorMessage(err))
			p.Data = verifyData{Expired: verbund.ErrorCode(err) == "verification-expired"}
			p.Form = &Form{}
			s.render(w, r, http.StatusBadRequest, "register_verify", p)
			return
		}
		p.Data = verifyData{Org: org, Done: true}
		s.render(w, r, http.StatusOK, "register_verify", p)
	})
}

func (s *Server) handleResendForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		p.Data = verifyData{}
		s.render(w, r, http.StatusOK, "register_verify", p)
	})
}

func (s *Server) handleResend() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		p.Data = verifyData{}
		email := r.PostFormValue("email")
		p.Form = &Form{Values: url.Values{"email": {email}}}
		if err := s.Membership.ResendVerification(r.Context(), email); err != nil {
			s.reshow(w, r, p, "register_verify", err)
			return
		}
		// The same answer whether or not the address waits for a link.
		p.Flash = p.L.T("register.resent")
		s.render(w, r, http.StatusOK, "register_verify", p)
	})
}
