package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/verbund/verbund"
)

// statusOf maps an error kind to its HTTP status. It is the only place that
// does.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	if verbund.ErrorCode(err) == "method-not-allowed" {
		return http.StatusMethodNotAllowed
	}
	switch verbund.ErrorKind(err) {
	case verbund.Invalid:
		return http.StatusBadRequest
	case verbund.NotFound:
		return http.StatusNotFound
	case verbund.Conflict:
		return http.StatusConflict
	case verbund.Forbidden:
		return http.StatusForbidden
	case verbund.Unauthenticated:
		return http.StatusUnauthorized
	case verbund.TooManyRequests:
		return http.StatusTooManyRequests
	case verbund.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem details object. Code and Errors are
// extension members: Code is the stable last segment of Type, Errors maps a
// field (JSON property or form field) to its problem.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	Code      string            `json:"code"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"`
}

// ProblemTypeBase is the prefix of every problem type URI. It names the
// documentation page of each problem served by every installation.
const ProblemTypeBase = "/problems/"

// problemFor builds the problem details of err. Internal errors reveal
// nothing but the request id.
func (s *Server) problemFor(r *http.Request, err error) Problem {
	status := statusOf(err)
	code := verbund.ErrorCode(err)
	detail := verbund.ErrorMessage(err)
	if status == http.StatusRequestEntityTooLarge {
		code, detail = "body-too-large", "the request body is larger than the server accepts"
	}
	if status == http.StatusInternalServerError {
		code, detail = "internal", "an internal error occurred; quote the request id when you report it"
	}
	return Problem{
		Type:      s.cfg.BaseURL + ProblemTypeBase + code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  r.URL.Path,
		Code:      code,
		RequestID: requestID(r.Context()),
		Errors:    verbund.ErrorFields(err),
	}
}

// writeProblem answers an API request with problem details and logs the
// error once, at the edge, when it is ours.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := s.problemFor(r, err)
	s.logError(r, err, p.Status)
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="verbund"`)
	}
	if p.Status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "900")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// logError logs err with the request id when it is a fault of ours or a
// dependency; client errors are not worth a log line each.
func (s *Server) logError(r *http.Request, err error, status int) {
	if status < 500 {
		return
	}
	s.Logger.ErrorContext(r.Context(), "request failed",
		"request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// decodeJSON reads a JSON request body into v, refusing unknown fields and
// trailing data, with a message that says what is wrong.
func decodeJSON(r *http.Request, v any) error {
	const op = "server.decodeJSON"
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "unsupported-media-type", Msg: "send the body as application/json"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "malformed-json", Msg: "the body is not valid JSON for this request: " + err.Error()}
	}
	if dec.More() {
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "malformed-json", Msg: "the body has data after the JSON value"}
	}
	return nil
}

func isJSON(ct string) bool {
	for i := 0; i < len(ct); i++ {
		if ct[i] == ';' {
			ct = ct[:i]
			break
		}
	}
	return ct == "application/json" || ct == "application/merge-patch+json"
}
