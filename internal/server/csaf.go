package server

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

// CSAFProvider is what the CSAF 2.0 trusted provider needs. The documents
// are written from the warnings when they are asked for, so that they
// change the moment a warning is published, updated or withdrawn.
type CSAFProvider struct {
	// Warnings reads the warnings through the sharing door.
	Warnings *warning.Service
	// Refs finds a warning by the file name of its document.
	Refs csaf.Refs
	// Key signs the documents; its public half is published.
	Key *csaf.Key
	// Provider names the publisher; its BaseURL defaults to the server's.
	Provider csaf.Provider
	// Contact is the Contact line of security.txt: a mailto: or https: URI.
	Contact string
}

// csafRead is the rule of the provider's routes: anyone may ask, and sees
// the TLP:CLEAR documents; a session or a token with warnings:read also
// sees what the sharing policy lets its organisation read.
var csafRead = access{name: "public; TLP:GREEN and above: session or token:warnings:read", public: true, scope: identity.ScopeWarningsRead}

func (s *Server) csafProvider() csaf.Provider {
	p := s.CSAF.Provider
	if p.BaseURL == "" {
		p.BaseURL = s.cfg.BaseURL
	}
	// The engine's version stays out of the documents: they are written
	// when asked for, and an upgrade must not change the bytes (and so the
	// hashes) of a revision that did not change.
	return p
}

func csafNotFound() error {
	return verbund.E("server.csaf", verbund.NotFound, "no such CSAF document")
}

// csafViewer returns the policy's viewer of the request. A token without
// warnings:read is the public.
func (s *Server) csafViewer(r *http.Request) (policy.Viewer, error) {
	p := principalOf(r.Context())
	if p.Token != nil && !p.Token.Has(csafRead.scope) {
		return policy.Viewer{}, nil
	}
	return s.Door.Viewer(r.Context(), p)
}

// csafDoc is a warning's document with the bytes served.
type csafDoc struct {
	w     warning.Warning
	raw   []byte
	entry csaf.Entry
}

func (s *Server) csafDocument(w *warning.Warning) (csafDoc, error) {
	doc, err := csaf.FromWarning(w, s.csafProvider())
	if err != nil {
		return csafDoc{}, err
	}
	raw, err := csaf.Marshal(doc)
	if err != nil {
		return csafDoc{}, err
	}
	return csafDoc{w: *w, raw: raw, entry: csaf.EntryOf(doc, csaf.Folder(w.Marking.TLP))}, nil
}

// csafVisible returns the documents of folder the viewer of r may read,
// each decided by the door.
func (s *Server) csafVisible(r *http.Request, folder string) ([]csafDoc, error) {
	v, err := s.csafViewer(r)
	if err != nil {
		return nil, err
	}
	ws, err := s.CSAF.Warnings.List(r.Context(), &v, warning.Filter{})
	if err != nil {
		return nil, err
	}
	var out []csafDoc
	for i := range ws {
		w := &ws[i]
		if w.IsDraft() || len(w.Revisions) == 0 || (folder != "" && csaf.Folder(w.Marking.TLP) != folder) {
			continue
		}
		d, err := s.csafDocument(w)
		if verbund.IsKind(err, verbund.Invalid) {
			continue // not a security advisory (no products): not published as CSAF
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func entries(ds []csafDoc) []csaf.Entry {
	out := make([]csaf.Entry, len(ds))
	for i, d := range ds {
		out[i] = d.entry
	}
	return out
}

// csafLastUpdated is the newest change of a public document: the provider
// metadata is the same for everyone and says nothing of the others.
func (s *Server) csafLastUpdated(r *http.Request) (time.Time, error) {
	ds, err := s.csafPublic(r)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, d := range ds {
		if d.entry.Current.After(last) {
			last = d.entry.Current
		}
	}
	return last, nil
}

// csafPublic returns the TLP:CLEAR documents, as the public sees them.
func (s *Server) csafPublic(r *http.Request) ([]csafDoc, error) {
	v := policy.Viewer{}
	ws, err := s.CSAF.Warnings.List(r.Context(), &v, warning.Filter{})
	if err != nil {
		return nil, err
	}
	var out []csafDoc
	for i := range ws {
		if w := &ws[i]; !w.IsDraft() && len(w.Revisions) > 0 && w.Marking.TLP == policy.Clear {
			d, err := s.csafDocument(w)
			if verbund.IsKind(err, verbund.Invalid) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func serveBytes(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// csafGuard answers 404 when the installation runs no provider.
func (s *Server) csafGuard(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.CSAF == nil || s.CSAF.Warnings == nil || s.CSAF.Key == nil {
			s.writeProblem(w, r, verbund.E("server.csaf", verbund.NotFound, "this installation runs no CSAF provider"))
			return
		}
		if err := h(w, r); err != nil {
			s.writeProblem(w, r, err)
		}
	})
}

func (s *Server) handleCSAFMetadata() http.Handler {
	return s.csafGuard(func(w http.ResponseWriter, r *http.Request) error {
		last, err := s.csafLastUpdated(r)
		if err != nil {
			return err
		}
		body, err := csaf.Metadata(s.csafProvider(), s.CSAF.Key.Fingerprint(), last)
		if err != nil {
			return err
		}
		serveBytes(w, "application/json", body)
		return nil
	})
}

func (s *Server) handleCSAFService() http.Handler {
	return s.csafGuard(func(w http.ResponseWriter, r *http.Request) error {
		body, err := csaf.Service(s.csafProvider().BaseURL)
		if err != nil {
			return err
		}
		serveBytes(w, "application/json", body)
		return nil
	})
}

func (s *Server) handleCSAFKey() http.Handler {
	return s.csafGuard(func(w http.ResponseWriter, r *http.Request) error {
		if !strings.EqualFold(r.PathValue("key"), s.CSAF.Key.Fingerprint()+".asc") {
			return verbund.E("server.csaf", verbund.NotFound, "no such key")
		}
		body, err := s.CSAF.Key.PublicArmored()
		if err != nil {
			return err
		}
		serveBytes(w, "application/pgp-keys", body)
		return nil
	})
}

func (s *Server) handleSecurityTxt() http.Handler {
	return s.csafGuard(func(w http.ResponseWriter, r *http.Request) error {
		contact := s.CSAF.Contact
		if contact == "" {
			contact = s.csafProvider().BaseURL + "/"
		}
		// A year ahead, as RFC 9116 recommends "less than a year".
		expires := s.Now().UTC().Truncate(24*time.Hour).AddDate(0, 11, 0)
		serveBytes(w, "text/plain; charset=utf-8", csaf.SecurityTxt(s.csafProvider().BaseURL, contact, expires))
		return nil
	})
}

// handleCSAFFolder serves the listings of one TLP folder: index.txt,
// changes.csv, the ROLIE feed and the category document. Each lists only
// what the viewer may read.
func (s *Server) handleCSAFFolder() http.Handler {
	return s.csafGuard(func(w http.ResponseWriter, r *http.Request) error {
		folder, file := r.PathValue("tlp"), r.PathValue("file")
		if !slices.Contains(csaf.Folders, folder) {
			return csafNotFound()
		}
		var body []byte
		var ctype string
		switch file {
		case "index.txt", "changes.csv", "csaf-feed-tlp-" + folder + ".json", "category-" + folder + ".json":
		default:
			return csafNotFound()
		}
		ds, err := s.csafVisible(r, folder)
		if err != nil {
			return err
		}
		es := entries(ds)
		switch file {
		case "index.txt":
			body, ctype = csaf.Index(es), "text/plain; charset=utf-8"
		case "changes.csv":
			body, ctype = csaf.Changes(es), "text/csv; charset=utf-8"
		case "category-" + folder + ".json":
			body, ctype = nil, "application/json"
			if body, err = csaf.Category(es); err != nil {
				return err
			}
		default:
			ctype = "application/json"
			if body, err = csaf.Feed(s.csafProvider().BaseURL, folder, es, time.Time{}); err != nil {
				return err
			}
		}
		w.Header().Set("Cache-Control", "private, no-cache")
		serveBytes(w, ctype, body)
		return nil
	})
}

// handleCSAFDocument serves a document, its hashes and its signature. The
// warning is read through the door: a refusal is recorded and answered as
// not found, like a name that does not exist.
func (s *Server) handleCSAFDocument() http.Handler {
	return s.csafGuard(func(w http.ResponseWriter, r *http.Request) error {
		folder, year, file := r.PathValue("tlp"), r.PathValue("year"), r.PathValue("file")
		name, suffix := file, ""
		for _, ext := range []string{".sha256", ".sha512", ".asc"} {
			if n, ok := strings.CutSuffix(file, ext); ok {
				name, suffix = n, ext
				break
			}
		}
		if !slices.Contains(csaf.Folders, folder) || !strings.HasSuffix(name, ".json") {
			return csafNotFound()
		}
		refs, err := s.CSAF.Refs.PublishedRefs(r.Context())
		if err != nil {
			return err
		}
		i := slices.IndexFunc(refs, func(ref csaf.Ref) bool { return csaf.FileName(ref.TrackingID) == name })
		if i < 0 {
			return csafNotFound()
		}
		v, err := s.csafViewer(r)
		if err != nil {
			return err
		}
		wa, err := s.CSAF.Warnings.Get(r.Context(), principalOf(r.Context()), &v, refs[i].WarningID)
		if err != nil {
			return err
		}
		d, err := s.csafDocument(&wa)
		if err != nil {
			return csafNotFound()
		}
		if d.entry.Folder != folder || strconv.Itoa(d.entry.Year) != year {
			return csafNotFound()
		}
		if folder != "white" {
			w.Header().Set("Cache-Control", "private, no-store")
		}
		switch suffix {
		case "":
			serveBytes(w, "application/json", d.raw)
		case ".sha256":
			sum := sha256.Sum256(d.raw)
			serveBytes(w, "text/plain; charset=utf-8", []byte(hex.EncodeToString(sum[:])+"  "+name+"\n"))
		case ".sha512":
			sum := sha512.Sum512(d.raw)
			serveBytes(w, "text/plain; charset=utf-8", []byte(hex.EncodeToString(sum[:])+"  "+name+"\n"))
		case ".asc":
			sig, err := s.CSAF.Key.Sign(d.raw)
			if err != nil {
				return err
			}
			serveBytes(w, "application/pgp-signature", sig)
		}
		return nil
	})
}

// handleCSAFListing serves the directory listings of a TLP folder and of
// its years (CSAF 2.0 requirement 14): links to what the viewer may read.
func (s *Server) handleCSAFListing() http.Handler {
	return s.csafGuard(func(w http.ResponseWriter, r *http.Request) error {
		folder, year := r.PathValue("tlp"), r.PathValue("year")
		want := csaf.WellKnown + "/" + folder + "/"
		if year != "" {
			want += year + "/"
		}
		// The patterns end in a slash and so match everything below too.
		if r.URL.Path != want || !slices.Contains(csaf.Folders, folder) {
			return csafNotFound()
		}
		ds, err := s.csafVisible(r, folder)
		if err != nil {
			return err
		}
		var names []string
		if year == "" {
			names = []string{"index.txt", "changes.csv", "csaf-feed-tlp-" + folder + ".json", "category-" + folder + ".json"}
			for _, d := range ds {
				if y := strconv.Itoa(d.entry.Year) + "/"; !slices.Contains(names, y) {
					names = append(names, y)
				}
			}
		} else {
			for _, d := range ds {
				if strconv.Itoa(d.entry.Year) == year {
					n := d.entry.FileName
					names = append(names, n, n+".asc", n+".sha256", n+".sha512")
				}
			}
			if len(names) == 0 {
				return csafNotFound()
			}
		}
		slices.Sort(names)
		var b strings.Builder
		b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(r.URL.Path) + "</title></head><body><ul>\n")
		for _, n := range names {
			fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", html.EscapeString(n), html.EscapeString(n))
		}
		b.WriteString("</ul></body></html>\n")
		w.Header().Set("Cache-Control", "private, no-cache")
		serveBytes(w, "text/html; charset=utf-8", []byte(b.String()))
		return nil
	})
}
