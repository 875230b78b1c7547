package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02")
	},
	"join": strings.Join,
	"contains": func(list any, v string) bool {
		switch l := list.(type) {
		case []string:
			for _, x := range l {
				if x == v {
					return true
				}
			}
		case []identity.Role:
			for _, x := range l {
				if string(x) == v {
					return true
				}
			}
		case []identity.Scope:
			for _, x := range l {
				if string(x) == v {
					return true
				}
			}
		}
		return false
	},
	"str":  func(v any) string { return fmt.Sprint(v) },
	"list": func(v ...string) []string { return v },
	// dict builds a map for partial templates: dict "k1" v1 "k2" v2.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict needs pairs")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict keys must be strings")
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

// parseTemplates parses every page together with the layout. Each page file
// defines "title" and "content"; the layout renders them.
func parseTemplates() (map[string]*template.Template, error) {
	layout, err := fs.ReadFile(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t := template.New("layout").Funcs(funcs)
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		partials, _ := fs.Glob(templateFS, "templates/_*.html")
		for _, p := range append(partials, n) {
			b, err := fs.ReadFile(templateFS, p)
			if err != nil {
				return nil, err
			}
			if _, err := t.New(path.Base(p)).Parse(string(b)); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
		}
		pages[base] = t
	}
	return pages, nil
}

// Form carries what the user typed and the problems found, so a form that
// failed is shown again with its values and a message beside each field.
type Form struct {
	Values url.Values
	Errors map[string]string // field → translated problem
}

// Value returns the typed value of field.
func (f *Form) Value(field string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(field)
}

// Has reports whether field was given value v (checkboxes, multi-selects).
func (f *Form) Has(field, v string) bool {
	if f == nil || f.Values == nil {
		return false
	}
	for _, x := range f.Values[field] {
		if x == v {
			return true
		}
	}
	return false
}

// Error returns the problem of field, or "".
func (f *Form) Error(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// page is what every template gets.
type page struct {
	L         i18n.Localizer
	Langs     []i18n.Lang
	P         identity.Principal
	CSRF      string
	Path      string
	RequestID string
	Demo      bool
	Flash     string // a one-line notice above the content
	Error     string // a problem with the whole form
	Form      *Form
	Data      any
	Status    int
	// AgreementDue is set for the administrators of a member organisation
	// that has not accepted the current agreement: the layout asks them to.
	AgreementDue bool
}

// IsOffice reports whether the viewer holds any office role.
func (p page) IsOffice() bool { return p.P.User != nil && p.P.User.HasOfficeRole() }

// Has reports whether the viewer holds role r.
func (p page) Has(r string) bool { return p.P.Has(identity.Role(r)) }

func (s *Server) language(r *http.Request, p identity.Principal) string {
	if p.User != nil && i18n.Supported(p.User.Lang) {
		return p.User.Lang
	}
	if c, err := r.Cookie("vb_lang"); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return s.Catalog.Match(r.Header.Get("Accept-Language"))
}

func (s *Server) localizer(r *http.Request) i18n.Localizer {
	lang, _ := r.Context().Value(keyLang).(string)
	return s.Catalog.For(lang)
}

// newPage returns the data every template needs.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request) page {
	return page{
		L: s.localizer(r), Langs: i18n.Languages, P: principalOf(r.Context()),
		CSRF: s.csrfToken(s.csrfSeed(w, r)), Path: r.URL.RequestURI(), RequestID: requestID(r.Context()),
		Demo: s.cfg.Demo, AgreementDue: s.agreementDue(r),
	}
}

// render writes page name with status. Rendering goes to a buffer first so
// a template error never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		s.fail(w, r, fmt.Errorf("no template %q", name))
		return
	}
	p.Status = status
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Logger.ErrorContext(r.Context(), "template failed", "request_id", requestID(r.Context()), "page", name, "err", err)
		if name != "error" {
			s.fail(w, r, err)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.L.Lang)
	if status == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
		h.Set("Retry-After", "900") // the login throttling window
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows the error page for err: a message that leaks nothing internal,
// and the request id to quote.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	s.logError(r, err, status)
	p := s.newPage(w, r)
	switch status {
	case http.StatusNotFound:
		p.Error = p.L.T("error.notfound")
	case http.StatusForbidden:
		p.Error = p.L.Msg(verbund.ErrorMessage(err))
	case http.StatusInternalServerError:
		p.Error = p.L.T("error.internal")
	case http.StatusRequestEntityTooLarge:
		p.Error = p.L.Msg("the request body is larger than the server accepts")
	default:
		p.Error = p.L.Msg(verbund.ErrorMessage(err))
	}
	s.render(w, r, status, "error", p)
}

// formErr turns a service error into form problems: per-field messages
// beside the fields, the rest above the form. It reports whether err was an
// error the user can fix (anything else goes to fail).
func (s *Server) formErr(p *page, r *http.Request, err error) bool {
	k := verbund.ErrorKind(err)
	if k == verbund.Internal || k == verbund.Unavailable {
		return false
	}
	if p.Form == nil {
		p.Form = &Form{Values: r.PostForm}
	}
	p.Form.Errors = map[string]string{}
	for f, msg := range verbund.ErrorFields(err) {
		p.Form.Errors[f] = p.L.Msg(msg)
	}
	if len(p.Form.Errors) == 0 || verbund.ErrorMessage(err) != "the input is not valid" {
		p.Error = p.L.Msg(verbund.ErrorMessage(err))
	} else {
		p.Error = p.L.T("form.fix")
	}
	return true
}

// reshow shows page name again after err: with the problems beside the
// fields when the user can fix them, or the error page when not.
func (s *Server) reshow(w http.ResponseWriter, r *http.Request, p page, name string, err error) {
	if !s.formErr(&p, r, err) {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, statusOf(err), name, p)
}

// reshowRow is reshow for the small forms in a table row, which have no
// fields on the page to mark: their problems are shown above the page.
func (s *Server) reshowRow(w http.ResponseWriter, r *http.Request, p page, name string, err error) {
	if !s.formErr(&p, r, err) {
		s.fail(w, r, err)
		return
	}
	msgs := make([]string, 0, len(p.Form.Errors))
	for _, m := range p.Form.Errors {
		msgs = append(msgs, m)
	}
	if len(msgs) > 0 {
		sort.Strings(msgs)
		p.Error = strings.Join(msgs, " ")
	}
	p.Form = &Form{}
	s.render(w, r, statusOf(err), name, p)
}

// csrfFailed answers a form post whose CSRF token is missing or wrong. The
// page offers to send what was typed again with a fresh token, so nothing
// typed is lost; passwords are not carried over.
func (s *Server) csrfFailed(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	_ = r.ParseForm()
	kept := url.Values{}
	for k, v := range r.PostForm {
		if k == csrfField || strings.Contains(strings.ToLower(k), "password") || k == "current" || k == "code" {
			continue
		}
		kept[k] = v
	}
	p.Error = p.L.T("error.csrf")
	p.Data = struct {
		Action string
		Values url.Values
	}{r.URL.RequestURI(), kept}
	s.render(w, r, http.StatusForbidden, "csrf", p)
}

// localPath returns next if it is a path on this site, else fallback: next
// parameters must not become an open redirect. Browsers drop tabs and line
// breaks from URLs ("/\t/evil.example" is "//evil.example"), so a path with
// control characters is refused too.
func localPath(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return fallback
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fallback
	}
	return next
}

func (s *Server) handleStatic() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if st, err := fs.Stat(sub, name); err != nil || st.IsDir() {
			s.fail(w, r, notFound)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.StripPrefix("/static/", fsrv).ServeHTTP(w, r)
	})
}
