package server

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

// The Atom feed (RFC 4287) of the TLP:CLEAR warnings: public, so it is
// decided for the public viewer, and every entry is checked to be CLEAR
// besides.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) handleWarningsAtom() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := s.localizer(r).Lang
		// The public viewer: nothing but TLP:CLEAR passes the policy.
		ws, err := s.Warnings.List(r.Context(), &policy.Viewer{}, warning.Filter{})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		base := s.cfg.BaseURL
		feed := atomFeed{Lang: lang, ID: base + "/warnings.atom", Title: s.Catalog.T(lang, "warn.feed.title"),
			Author: atomPerson{Name: "Verbund"}, Updated: atomTime(time.Unix(0, 0)),
			Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/warnings.atom"},
				{Rel: "alternate", Type: "text/html", Href: base + "/warnings"}}}
		for _, wn := range ws {
			if wn.Marking.TLP != policy.Clear {
				continue
			}
			c := wn.Current()
			t, _ := c.In(lang)
			title := wn.TrackingID + ": " + t.Title
			if wn.State == warning.Withdrawn {
				title += " (" + s.Catalog.T(lang, "warn.state.withdrawn") + ")"
			}
			e := atomEntry{ID: "urn:uuid:" + wn.ID, Title: title, Updated: atomTime(wn.Changed()),
				Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: base + "/warnings/" + wn.ID}},
				Summary: atomText{Type: "text", Body: t.Summary},
				Categories: []atomCategory{{Term: "severity:" + string(c.Severity), Label: s.Catalog.T(lang, "warn.severity."+string(c.Severity))},
					{Term: "TLP:CLEAR"}}}
			if !wn.PublishedAt.IsZero() {
				e.Published = atomTime(wn.PublishedAt)
			}
			if wn.WithdrawnAt.After(wn.Changed()) {
				e.Updated = atomTime(wn.WithdrawnAt)
			}
			for _, id := range c.CVEs {
				e.Categories = append(e.Categories, atomCategory{Term: id})
			}
			if e.Updated > feed.Updated {
				feed.Updated = e.Updated
			}
			feed.Entries = append(feed.Entries, e)
		}
		out, err := xml.MarshalIndent(feed, "", "  ")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("Content-Language", lang)
		_, _ = w.Write([]byte(xml.Header))
		_, _ = w.Write(out)
	})
}
