package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// CSRF tokens are an HMAC of a per-visitor seed under the installation's
// key: the session's own secret once logged in, a random cookie before. A
// token is valid only for the visitor it was made for, and the server keeps
// no state for anonymous visitors. On top of tokens, net/http's
// CrossOriginProtection refuses cross-site unsafe requests by their
// Sec-Fetch-Site and Origin headers.

const csrfField = "csrf"

func (s *Server) csrfCookieName() string {
	if s.cfg.TLS {
		return "__Host-vb_csrf"
	}
	return "vb_csrf"
}

func (s *Server) csrfToken(seed string) string {
	if seed == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.CSRFKey)
	m.Write([]byte("verbund csrf\x00"))
	m.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfSeed returns the seed of the visitor: the session's CSRF secret, or the
// anonymous cookie (set now when missing, so the next form post has it).
func (s *Server) csrfSeed(w http.ResponseWriter, r *http.Request) string {
	if p := principalOf(r.Context()); p.Session != nil {
		return p.Session.CSRFToken
	}
	if seed, ok := r.Context().Value(keyCSRFSeed).(string); ok && seed != "" {
		return seed
	}
	if c, err := r.Cookie(s.csrfCookieName()); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	seed := base64.RawURLEncoding.EncodeToString(b)
	if w != nil {
		http.SetCookie(w, &http.Cookie{Name: s.csrfCookieName(), Value: seed, Path: "/", HttpOnly: true,
			Secure: s.cfg.TLS, SameSite: http.SameSiteLaxMode})
	}
	return seed
}

// validCSRF checks the token of an unsafe request against the visitor's seed.
func (s *Server) validCSRF(r *http.Request) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	if got == "" {
		return false
	}
	var seed string
	if p := principalOf(r.Context()); p.Session != nil {
		seed = p.Session.CSRFToken
	} else if c, err := r.Cookie(s.csrfCookieName()); err == nil {
		seed = c.Value
	}
	want := s.csrfToken(seed)
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
