package taxii

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The resources of TAXII 2.1 that Verbund answers with.
type (
	discoveryResource struct {
		Title       string   `json:"title"`
		Description string   `json:"description,omitempty"`
		Contact     string   `json:"contact,omitempty"`
		Default     string   `json:"default,omitempty"`
		APIRoots    []string `json:"api_roots,omitempty"`
	}
	apiRootResource struct {
		Title            string   `json:"title"`
		Description      string   `json:"description,omitempty"`
		Versions         []string `json:"versions"`
		MaxContentLength int64    `json:"max_content_length"`
	}
	collectionResource struct {
		ID          string   `json:"id"`
		Title       string   `json:"title"`
		Description string   `json:"description,omitempty"`
		Alias       string   `json:"alias,omitempty"`
		CanRead     bool     `json:"can_read"`
		CanWrite    bool     `json:"can_write"`
		MediaTypes  []string `json:"media_types,omitempty"`
	}
	collectionsResource struct {
		Collections []collectionResource `json:"collections,omitempty"`
	}
	manifestRecord struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type,omitempty"`
	}
	// manifestResource and versionsResource carry next as the envelope
	// does: TAXII 2.1 leaves it out of both, which its errata count as an
	// oversight, and a client cannot page on without it.
	manifestResource struct {
		More    bool             `json:"more,omitempty"`
		Next    string           `json:"next,omitempty"`
		Objects []manifestRecord `json:"objects,omitempty"`
	}
	versionsResource struct {
		More     bool     `json:"more,omitempty"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}
)

// rootURL is the URL of the API root.
func (s *server) rootURL(r *http.Request) string {
	base := s.cfg.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + s.cfg.Path + s.cfg.APIRoot + "/"
}

func (s *server) discovery(w http.ResponseWriter, req *request) {
	root := s.rootURL(req.Request)
	writeJSON(w, http.StatusOK, discoveryResource{Title: s.cfg.Title, Description: s.cfg.Description,
		Contact: s.cfg.Contact, Default: root, APIRoots: []string{root}})
}

func (s *server) apiRoot(w http.ResponseWriter, req *request) {
	writeJSON(w, http.StatusOK, apiRootResource{Title: s.cfg.RootTitle, Description: s.cfg.RootDescription,
		Versions: []string{MediaTypeTAXII}, MaxContentLength: s.cfg.MaxContentLength})
}

func (s *server) collections(w http.ResponseWriter, req *request) {
	cs, err := s.svc.Collections(req.Context())
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	var out collectionsResource
	for i := range cs {
		read, write := s.svc.Access(req.principal, &req.viewer, &cs[i])
		if read || write {
			out.Collections = append(out.Collections, resourceOf(&cs[i], read, write))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func resourceOf(c *cti.Collection, read, write bool) collectionResource {
	return collectionResource{ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias,
		CanRead: read, CanWrite: write, MediaTypes: c.MediaTypes}
}

// lookup returns the collection of the request with what the viewer may do
// with it. A collection the viewer may neither read nor write is not
// found.
func (s *server) lookup(req *request) (c cti.Collection, read, write bool, err error) {
	c, err = s.svc.Collection(req.Context(), req.rt.collection)
	if verbund.IsKind(err, verbund.NotFound) {
		return c, false, false, errNotFound("there is no such collection")
	}
	if err != nil {
		return c, false, false, err
	}
	read, write = s.svc.Access(req.principal, &req.viewer, &c)
	if !read && !write {
		return c, false, false, errNotFound("there is no such collection")
	}
	return c, read, write, nil
}

// readable returns the collection of the request if the viewer may read it.
func (s *server) readable(req *request) (cti.Collection, error) {
	c, read, _, err := s.lookup(req)
	if err == nil && !read {
		err = &httpError{status: http.StatusForbidden, code: "collection-not-readable",
			desc: "you may add objects to this collection but not read them (can_read is false)"}
	}
	return c, err
}

func (s *server) collection(w http.ResponseWriter, req *request) {
	c, read, write, err := s.lookup(req)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	writeJSON(w, http.StatusOK, resourceOf(&c, read, write))
}

// page runs one paged listing for the request and sets the date headers.
func (s *server) page(w http.ResponseWriter, req *request, c *cti.Collection, p params, raw bool) (cti.Page, string, error) {
	pg, err := s.svc.Page(req.Context(), &req.viewer, c, p.query, p.after, p.limit, raw)
	if err != nil {
		return cti.Page{}, "", err
	}
	if n := len(pg.Versions); n > 0 {
		w.Header().Set("X-TAXII-Date-Added-First", cti.FormatDateAdded(pg.Versions[0].DateAdded))
		w.Header().Set("X-TAXII-Date-Added-Last", cti.FormatDateAdded(pg.Versions[n-1].DateAdded))
	}
	var next string
	if pg.More {
		next = encodeCursor(s.key, pg.Next, p.binding)
	}
	return pg, next, nil
}

func (s *server) objects(w http.ResponseWriter, req *request) {
	s.envelope(w, req, listObjects)
}

func (s *server) object(w http.ResponseWriter, req *request) {
	s.envelope(w, req, listObject)
}

// envelope answers a listing of objects (all, or the versions of one) as a
// TAXII envelope. The objects are written byte for byte as they were
// received.
func (s *server) envelope(w http.ResponseWriter, req *request, l listing) {
	c, p, err := s.listing(req, l)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	pg, next, err := s.page(w, req, &c, p, true)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	var b bytes.Buffer
	b.WriteByte('{')
	if pg.More {
		b.WriteString(`"more":true,"next":`)
		nb, _ := json.Marshal(next)
		b.Write(nb)
	}
	if len(pg.Versions) > 0 {
		if pg.More {
			b.WriteByte(',')
		}
		b.WriteString(`"objects":[`)
		for i := range pg.Versions {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(pg.Versions[i].Raw)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	writeBody(w, http.StatusOK, b.Bytes())
}

// listing reads the collection and the parameters of a listing; for the
// endpoints of one object it also checks that the viewer sees a version
// of it.
func (s *server) listing(req *request, l listing) (cti.Collection, params, error) {
	c, err := s.readable(req)
	if err != nil {
		return c, params{}, err
	}
	p, err := s.parseParams(req, l)
	if err != nil {
		return c, params{}, err
	}
	if req.rt.object != "" {
		if _, err := s.svc.Visible(req.Context(), req.principal, &req.viewer, &c, req.rt.object); err != nil {
			if verbund.IsKind(err, verbund.NotFound) {
				err = errNotFound("there is no such object in the collection")
			}
			return c, params{}, err
		}
		p.query.IDs = []string{req.rt.object}
	}
	return c, p, nil
}

func (s *server) manifest(w http.ResponseWriter, req *request) {
	c, p, err := s.listing(req, listObjects)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	pg, next, err := s.page(w, req, &c, p, false)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	out := manifestResource{More: pg.More, Next: next}
	for _, v := range pg.Versions {
		out.Objects = append(out.Objects, manifestRecord{ID: v.ID, DateAdded: cti.FormatDateAdded(v.DateAdded),
			Version: cti.FormatTimestamp(v.Version), MediaType: cti.MediaTypeSTIX})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) versions(w http.ResponseWriter, req *request) {
	c, p, err := s.listing(req, listVersions)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	p.query.Select = cti.Selection{All: true}
	pg, next, err := s.page(w, req, &c, p, false)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	out := versionsResource{More: pg.More, Next: next}
	for _, v := range pg.Versions {
		out.Versions = append(out.Versions, cti.FormatTimestamp(v.Version))
	}
	writeJSON(w, http.StatusOK, out)
}
