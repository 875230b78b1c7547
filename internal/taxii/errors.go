package taxii

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
)

// errorMessage is the TAXII error message resource. http_status is a
// string in TAXII 2.1.
type errorMessage struct {
	Title           string            `json:"title"`
	Description     string            `json:"description,omitempty"`
	ErrorID         string            `json:"error_id,omitempty"`
	ErrorCode       string            `json:"error_code,omitempty"`
	HTTPStatus      string            `json:"http_status,omitempty"`
	ExternalDetails string            `json:"external_details,omitempty"`
	Details         map[string]string `json:"details,omitempty"`
}

// httpError is an error of the protocol itself (negotiation, parameters,
// size), with its status; errors of the domain carry a verbund kind.
type httpError struct {
	status  int
	code    string
	desc    string
	details map[string]string
}

// Error returns the code and the description.
func (e *httpError) Error() string { return e.code + ": " + e.desc }

func errNotFound(desc string) *httpError {
	return &httpError{status: http.StatusNotFound, code: "not-found", desc: desc}
}

func errBadRequest(code, desc string, details map[string]string) *httpError {
	return &httpError{status: http.StatusBadRequest, code: code, desc: desc, details: details}
}

// statusOf maps an error to its HTTP status. It is the only place that
// does.
func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.status
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
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

// fail answers with the TAXII error message of err and logs it once when it
// is ours. Internal errors reveal nothing but their error_id.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	id := audit.RequestFrom(r.Context()).ID
	if id == "" {
		id = newErrorID()
	}
	m := errorMessage{Title: http.StatusText(status), ErrorID: id, HTTPStatus: strconv.Itoa(status)}
	var he *httpError
	switch {
	case errors.As(err, &he):
		m.ErrorCode, m.Description, m.Details = he.code, he.desc, he.details
	case status == http.StatusRequestEntityTooLarge:
		m.ErrorCode = "body-too-large"
		m.Description = "the request body is larger than max_content_length of the API root"
	case status >= 500:
		m.ErrorCode = "internal"
		if status == http.StatusServiceUnavailable {
			m.ErrorCode = "unavailable"
		}
		m.Description = "the server could not answer; quote the error_id when you report it"
	default:
		m.ErrorCode = verbund.ErrorCode(err)
		m.Description = verbund.ErrorMessage(err)
		m.Details = verbund.ErrorFields(err)
	}
	if status >= 500 {
		s.deps.Logger.ErrorContext(r.Context(), "taxii request failed", "error_id", id, "method", r.Method,
			"path", r.URL.Path, "status", status, "err", err)
	}
	writeJSON(w, status, m)
}

// writeJSON answers with v as a TAXII resource.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every resource is made of strings, numbers and lists.
		panic(err)
	}
	writeBody(w, status, b)
}

// writeBody answers with the TAXII resource b.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", MediaTypeTAXII)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// newErrorID returns a random id for an error the client can quote.
func newErrorID() string {
	b := make([]byte, 12)
	rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
