package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/membership"
)

// What anyone may see of the membership: the partner directory, and the
// checks that a badge an organisation shows is genuine.

type partnersData struct {
	Query    string
	Partners []membership.PartnerEntry
}

func (s *Server) handlePartners() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if len(q) > 100 {
			q = q[:100]
		}
		list, err := s.Membership.PartnerDirectory(r.Context(), q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Form = &Form{Values: url.Values{"q": {q}}}
		p.Data = partnersData{Query: q, Partners: list}
		s.render(w, r, http.StatusOK, "partners", p)
	})
}

type badgeData struct {
	Check   membership.BadgeCheck
	BaseURL string
}

// handleVerifyForm takes a badge id typed in, or shows where to type one.
func (s *Server) handleVerifyForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.URL.Query().Get("id"); v != "" {
			if id, ok := membership.ParseBadgeID(v); ok {
				http.Redirect(w, r, "/verify/"+id, http.StatusSeeOther)
				return
			}
		}
		p := s.newPage(w, r)
		p.Form = &Form{Values: url.Values{"id": {r.URL.Query().Get("id")}}}
		if p.Form.Value("id") != "" {
			p.Form.Errors = map[string]string{"id": p.L.T("verify.badid")}
		}
		p.Data = badgeData{BaseURL: s.cfg.BaseURL}
		s.render(w, r, http.StatusOK, "badge", p)
	})
}

func (s *Server) handleVerifyBadge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		c, err := s.Membership.VerifyBadge(r.Context(), r.PathValue("badge"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = badgeData{Check: c, BaseURL: s.cfg.BaseURL}
		s.render(w, r, http.StatusOK, "badge", p)
	})
}

// handleBadgeSVG serves the logo of a badge, for organisations to show on
// their websites with a link to its verification page. A revoked badge has
// no logo any more. The logo changes with the year, so caches keep it for a
// short while only.
func (s *Server) handleBadgeSVG() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
		if !ok {
			s.fail(w, r, notFound)
			return
		}
		c, err := s.Membership.VerifyBadge(r.Context(), id)
		if err == nil && !c.Valid {
			err = verbund.E("server.handleBadgeSVG", verbund.NotFound, "this badge was revoked")
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		b := membership.Badge{ID: c.BadgeID, OrgName: c.OrgName, Status: c.Status, Since: c.Since}
		h := w.Header()
		h.Set("Content-Type", "image/svg+xml")
		h.Set("Cache-Control", "public, max-age=300")
		// Members embed the logo on their own sites.
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		_, _ = w.Write([]byte(membership.SVG(b, s.Now().Year())))
	})
}

// handleBadgeKey publishes the public key that verifies badge statements,
// as PEM (SubjectPublicKeyInfo), for checking a badge without asking us.
func (s *Server) handleBadgeKey() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := s.Membership.BadgePublicKey(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write([]byte(k.PEM))
	})
}

// handleBadgeKeyJSON is the key as JSON: the algorithm, the raw key in
// standard base64, and the PEM form.
func (s *Server) handleBadgeKeyJSON() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := s.Membership.BadgePublicKey(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"alg": "Ed25519", "public_key": k.Base64, "pem": k.PEM})
	})
}
