package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// statusResource is the TAXII status resource. Verbund adds objects while
// it answers, so the status is always complete and nothing is pending.
type statusResource struct {
	ID               string             `json:"id"`
	Status           string             `json:"status"`
	RequestTimestamp string             `json:"request_timestamp,omitempty"`
	TotalCount       int                `json:"total_count"`
	SuccessCount     int                `json:"success_count"`
	Successes        []cti.StatusDetail `json:"successes,omitempty"`
	FailureCount     int                `json:"failure_count"`
	Failures         []cti.StatusDetail `json:"failures,omitempty"`
	PendingCount     int                `json:"pending_count"`
}

func statusOfAddition(st cti.Status) statusResource {
	return statusResource{ID: st.ID, Status: "complete", RequestTimestamp: cti.FormatDateAdded(st.RequestTimestamp),
		TotalCount: st.Total(), SuccessCount: len(st.Successes), Successes: st.Successes,
		FailureCount: len(st.Failures), Failures: st.Failures}
}

func (s *server) status(w http.ResponseWriter, req *request) {
	st, err := s.svc.Status(req.Context(), req.principal, req.rt.status)
	if verbund.IsKind(err, verbund.NotFound) {
		err = errNotFound("there is no such status")
	}
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	writeJSON(w, http.StatusOK, statusOfAddition(st))
}

// writable returns the collection of the request if the viewer may add to
// it.
func (s *server) writable(req *request) (cti.Collection, error) {
	c, _, write, err := s.lookup(req)
	if err == nil && !write {
		err = &httpError{status: http.StatusForbidden, code: "collection-not-writable",
			desc: "you may not add objects to or delete objects from this collection (can_write is false)"}
	}
	return c, err
}

func (s *server) addObjects(w http.ResponseWriter, req *request) {
	c, err := s.writable(req)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	if !taxiiContent(req.Header.Get("Content-Type")) {
		s.fail(w, req.Request, &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported-media-type",
			desc: "send the envelope as " + MediaTypeTAXII})
		return
	}
	if req.ContentLength > s.cfg.MaxContentLength {
		s.fail(w, req.Request, tooLarge(s.cfg.MaxContentLength))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, s.cfg.MaxContentLength))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.fail(w, req.Request, tooLarge(s.cfg.MaxContentLength))
		return
	}
	if err != nil {
		s.fail(w, req.Request, errBadRequest("body-unreadable", "the request body could not be read", nil))
		return
	}
	objects, err := parseEnvelope(body)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	if len(objects) > s.cfg.MaxObjects {
		s.fail(w, req.Request, &httpError{status: http.StatusRequestEntityTooLarge, code: "too-many-objects",
			desc: "an envelope may carry at most " + strconv.Itoa(s.cfg.MaxObjects) + " objects; send them in several requests"})
		return
	}
	st, err := s.svc.Add(req.Context(), req.principal, &req.viewer, &c, objects)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	writeJSON(w, http.StatusAccepted, statusOfAddition(st))
}

func tooLarge(max int64) error {
	return &httpError{status: http.StatusRequestEntityTooLarge, code: "body-too-large",
		desc: "the request body is larger than max_content_length, " + strconv.FormatInt(max, 10) + " bytes; send fewer objects at a time"}
}

// parseEnvelope reads the body of an addition: one JSON object whose member
// "objects" is a list. Each member of the list is returned byte for byte
// for cti to validate on its own, so that one bad object fails alone.
// Other members of the envelope (more, next) are ignored. Malformed JSON is
// a 400 error, JSON that is no envelope a 422 error.
func parseEnvelope(body []byte) ([]json.RawMessage, error) {
	notEnvelope := func(desc string) error {
		return &httpError{status: http.StatusUnprocessableEntity, code: "not-an-envelope", desc: desc}
	}
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		desc := "the body is not valid JSON"
		var se *json.SyntaxError
		if errors.As(err, &se) {
			desc += " (at byte " + strconv.FormatInt(se.Offset, 10) + ": " + se.Error() + ")"
		}
		return nil, errBadRequest("malformed-json", desc, nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, notEnvelope("the body must be a TAXII envelope, a JSON object with the member objects")
	}
	var (
		objects []json.RawMessage
		seen    bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errBadRequest("malformed-json", "the body is not valid JSON", nil)
		}
		name, _ := tok.(string)
		if name != "objects" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, errBadRequest("malformed-json", "the body is not valid JSON", nil)
			}
			continue
		}
		if seen {
			return nil, notEnvelope("the envelope has the member objects twice")
		}
		seen = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errBadRequest("malformed-json", "the body is not valid JSON", nil)
		}
		if err := json.Unmarshal(raw, &objects); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return nil, notEnvelope("the member objects of the envelope must be a list of STIX objects")
		}
	}
	return objects, nil
}

func (s *server) deleteObject(w http.ResponseWriter, req *request) {
	c, err := s.writable(req)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	p, err := s.parseParams(req, listDelete)
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	_, err = s.svc.Delete(req.Context(), req.principal, &req.viewer, &c, req.rt.object, p.query.Select, p.query.SpecVersions)
	if verbund.IsKind(err, verbund.NotFound) {
		err = errNotFound("there is no such object in the collection")
	}
	if err != nil {
		s.fail(w, req.Request, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
