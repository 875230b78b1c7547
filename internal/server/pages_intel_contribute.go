package server

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// What members add through the pages: an indicator by form, a bundle with
// a preview, a sighting from an indicator's page.

type intelContributeData struct {
	Collections []cti.Collection // those the viewer may add to
	Kinds       []string
	TLPs        []string
	Preview     []cti.PreviewItem
	Bundle      string // the uploaded bundle, carried to the confirm step
	Good, Bad   int
	Status      *cti.Status
	MaxKiB      int
}

var intelTLPs = []string{"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}

func (s *Server) intelContributeData(ic *intelContext) intelContributeData {
	return intelContributeData{Collections: ic.Write, Kinds: stix.IndicatorKinds, TLPs: intelTLPs, MaxKiB: cti.MaxBundleBytes >> 10}
}

func (s *Server) handleIntelContributeForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ic, err := s.intelContext(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = s.intelContributeData(ic)
		p.Form = &Form{Values: url.Values{"collection": {r.URL.Query().Get("collection")}, "kind": {"ipv4"},
			"valid_from": {s.Now().UTC().Format("2006-01-02T15:04")}}}
		s.render(w, r, http.StatusOK, "intel_contribute", p)
	})
}

// handleIntelContribute takes the three steps of the page: an indicator
// ("indicator"), a bundle to preview ("preview"), and a previewed bundle to
// add ("confirm").
func (s *Server) handleIntelContribute() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ctx := r.Context()
		ic, err := s.intelContext(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// A bundle comes as multipart; the guard has parsed the form.
		_ = r.ParseMultipartForm(int64(cti.MaxBundleBytes) + 64<<10)
		d := s.intelContributeData(ic)
		p.Data = d
		p.Form = &Form{Values: r.PostForm}
		c, ok := findCollection(ic.Write, r.PostFormValue("collection"))
		if !ok || s.STIX == nil {
			s.reshow(w, r, p, "intel_contribute", verbund.InvalidFields("server.intel",
				map[string]string{"collection": "choose a collection you may add to"}))
			return
		}
		switch r.PostFormValue("step") {
		case "indicator":
			in := cti.NewIndicator{Kind: r.PostFormValue("kind"), Value: r.PostFormValue("value"), Name: r.PostFormValue("name"),
				Description: r.PostFormValue("description"), TLP: r.PostFormValue("tlp")}
			f := map[string]string{}
			in.ValidFrom = formTime(f, "valid_from", r.PostFormValue("valid_from"))
			in.ValidUntil = formTime(f, "valid_until", r.PostFormValue("valid_until"))
			if len(f) > 0 {
				s.reshow(w, r, p, "intel_contribute", verbund.InvalidFields("server.intel", f))
				return
			}
			id, err := s.STIX.AddIndicator(ctx, ic.P, &ic.V, &c, in)
			if err != nil {
				s.reshow(w, r, p, "intel_contribute", err)
				return
			}
			http.Redirect(w, r, intelItem{Collection: c.ID, ID: id}.URL()+"?added=1", http.StatusSeeOther)
		case "preview":
			raw, err := bundleInput(r)
			if err == nil {
				d.Preview, err = cti.PreviewBundle(&c, &ic.V, raw)
			}
			if err != nil {
				s.reshow(w, r, p, "intel_contribute", err)
				return
			}
			d.Bundle = string(raw)
			for _, it := range d.Preview {
				if it.Problem == "" {
					d.Good++
				} else {
					d.Bad++
				}
			}
			p.Data = d
			s.render(w, r, http.StatusOK, "intel_contribute", p)
		case "confirm":
			st, err := s.STIX.AddBundle(ctx, ic.P, &ic.V, &c, []byte(r.PostFormValue("bundle")))
			if err != nil {
				s.reshow(w, r, p, "intel_contribute", err)
				return
			}
			d.Status = &st
			p.Data = d
			p.Flash = p.L.T("intel.bundle.added", len(st.Successes), st.Total())
			p.Form = &Form{Values: url.Values{"collection": {c.ID}}}
			s.render(w, r, http.StatusOK, "intel_contribute", p)
		default:
			s.fail(w, r, verbund.E("server.intel", verbund.Invalid, "the form is not complete"))
		}
	})
}

// bundleInput returns the uploaded file, or else the pasted text.
func bundleInput(r *http.Request) ([]byte, error) {
	file, _, err := r.FormFile("file")
	if err == nil {
		defer file.Close()
		b, err := io.ReadAll(io.LimitReader(file, int64(cti.MaxBundleBytes)+1))
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			return b, nil
		}
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return nil, verbund.InvalidFields("server.intel", map[string]string{"bundle": "the file could not be read"})
	}
	return []byte(r.PostFormValue("text")), nil
}

// formTime reads a time a datetime-local field sends (UTC, as the form
// says), or an RFC 3339 timestamp; "" is the zero time.
func formTime(f map[string]string, field, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	f[field] = "is not a date and time such as 2026-03-01T14:30"
	return time.Time{}
}

func (s *Server) handleIntelSighting() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p := s.newPage(w, r)
		ic, err := s.intelContext(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if s.STIX == nil {
			s.fail(w, r, notFound)
			return
		}
		c, err := s.STIX.Collection(ctx, r.PathValue("collection"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		id := r.PathValue("object")
		f := map[string]string{}
		in := cti.NewSighting{Indicator: id, Anonymous: r.PostFormValue("anonymous") == "on",
			Description: r.PostFormValue("description")}
		if n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("count"))); err == nil {
			in.Count = n
		} else {
			f["count"] = "must be a whole number from 1 to 999999999"
		}
		in.FirstSeen = formTime(f, "first_seen", r.PostFormValue("first_seen"))
		in.LastSeen = formTime(f, "last_seen", r.PostFormValue("last_seen"))
		if len(f) == 0 {
			_, err = s.STIX.AddSighting(ctx, ic.P, &ic.V, &c, in)
			if err == nil {
				http.Redirect(w, r, intelItem{Collection: c.ID, ID: id}.URL()+"?sighted=1", http.StatusSeeOther)
				return
			}
		} else {
			err = verbund.InvalidFields("server.intel", f)
		}
		if !s.formErr(&p, r, err) {
			s.fail(w, r, err)
			return
		}
		// The indicator's page again, with the problems beside the fields.
		form := p.Form
		vs, verr := s.STIX.Visible(ctx, ic.P, &ic.V, &c, id)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		newest := s.rawOf(ctx, ic, &c, vs[len(vs)-1])
		if newest == nil {
			s.fail(w, r, notFound)
			return
		}
		o, oerr := s.intelObject(ctx, ic, &c, *newest)
		if oerr != nil {
			s.fail(w, r, oerr)
			return
		}
		o.Versions = intelVersions(vs, newest.Version)
		obj := newest.Object()
		o.Explanation = p.L.T("intel.why", explainDecision(p.L, s.Door.Decide(&ic.V, &obj)))
		p.Data, p.Form = o, form
		s.render(w, r, statusOf(err), "intel_object", p)
	})
}

type intelSearchData struct {
	Query    string
	Kind     string // the observable's type, when the value is one
	Value    string
	Problem  string
	Items    []intelItem
	Searched bool
}

func (s *Server) handleIntelSearch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ic, err := s.intelContext(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := intelSearchData{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
		if d.Query != "" {
			d.Searched = true
			ob, err := stix.NormaliseObservable("", d.Query)
			if err != nil {
				d.Problem = p.L.Msg(verbund.ErrorFields(err)["value"])
			} else {
				d.Kind, d.Value = ob.Type, ob.Value
				if s.STIX != nil {
					found, err := s.STIX.Lookup(r.Context(), ic.P, &ic.V, ob)
					if err != nil {
						s.fail(w, r, err)
						return
					}
					for _, f := range found {
						if c, err := s.STIX.Collection(r.Context(), f.Collection); err == nil {
							ic.Title[c.ID] = c.Title
							if raw := s.rawOf(r.Context(), ic, &c, f); raw != nil {
								f = *raw
							}
						}
						d.Items = append(d.Items, ic.item(f))
					}
				}
			}
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "intel_search", p)
	})
}
