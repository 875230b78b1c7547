package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Discovery is the TAXII 2.1 discovery resource.
type Discovery struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots,omitempty"`
}

// APIRoot is the TAXII 2.1 API root resource.
type APIRoot struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Collection is the TAXII 2.1 collection resource.
type Collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`
}

// Envelope is the TAXII 2.1 envelope: a page of objects, or what is added.
type Envelope struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

// ManifestRecord is one record of a TAXII 2.1 manifest.
type ManifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type,omitempty"`
}

// Manifest is the TAXII 2.1 manifest resource.
type Manifest struct {
	More    bool             `json:"more,omitempty"`
	Next    string           `json:"next,omitempty"`
	Objects []ManifestRecord `json:"objects,omitempty"`
}

// Status is the TAXII 2.1 status resource.
type Status struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"` // "pending" or "complete"
	RequestTimestamp string         `json:"request_timestamp,omitempty"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []StatusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []StatusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
	Pendings         []StatusDetail `json:"pendings,omitempty"`
}

// StatusDetail names one object of an addition and, for a failure, why.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// ErrorMessage is the TAXII 2.1 error message resource. http_status is a
// string in TAXII 2.1; some servers send a number, which is read too.
type ErrorMessage struct {
	Title           string            `json:"title"`
	Description     string            `json:"description,omitempty"`
	ErrorID         string            `json:"error_id,omitempty"`
	ErrorCode       string            `json:"error_code,omitempty"`
	HTTPStatus      string            `json:"-"`
	ExternalDetails string            `json:"external_details,omitempty"`
	Details         map[string]string `json:"details,omitempty"`
}

// decode reads b as exactly one JSON object into v.
func decode(b []byte, what string, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("the answer is not a TAXII %s: not a JSON object", what)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the answer is not a TAXII %s: %w", what, err)
	}
	if dec.More() {
		return fmt.Errorf("the answer is not a TAXII %s: data after the JSON object", what)
	}
	return nil
}

// ParseDiscovery reads a discovery resource.
func ParseDiscovery(b []byte) (Discovery, error) {
	var d Discovery
	if err := decode(b, "discovery resource", &d); err != nil {
		return Discovery{}, err
	}
	if d.Title == "" {
		return Discovery{}, errors.New("the discovery resource has no title")
	}
	return d, nil
}

// ParseAPIRoot reads an API root resource.
func ParseAPIRoot(b []byte) (APIRoot, error) {
	var a APIRoot
	if err := decode(b, "API root", &a); err != nil {
		return APIRoot{}, err
	}
	if a.Title == "" || len(a.Versions) == 0 {
		return APIRoot{}, errors.New("the API root lacks its title or versions")
	}
	return a, nil
}

// ParseCollections reads a collections resource.
func ParseCollections(b []byte) ([]Collection, error) {
	var cs struct {
		Collections []Collection `json:"collections"`
	}
	if err := decode(b, "collections resource", &cs); err != nil {
		return nil, err
	}
	for _, c := range cs.Collections {
		if err := c.check(); err != nil {
			return nil, err
		}
	}
	return cs.Collections, nil
}

// ParseCollection reads a collection resource.
func ParseCollection(b []byte) (Collection, error) {
	var c Collection
	if err := decode(b, "collection", &c); err != nil {
		return Collection{}, err
	}
	return c, c.check()
}

func (c Collection) check() error {
	if c.ID == "" || c.Title == "" {
		return errors.New("a collection lacks its id or title")
	}
	return nil
}

// ParseEnvelope reads an envelope. Every object must be a JSON object with
// a type and an id; a page that says more must say where to go on.
func ParseEnvelope(b []byte) (Envelope, error) {
	var e Envelope
	if err := decode(b, "envelope", &e); err != nil {
		return Envelope{}, err
	}
	for i, o := range e.Objects {
		var head struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if err := json.Unmarshal(o, &head); err != nil || head.Type == "" || head.ID == "" {
			return Envelope{}, fmt.Errorf("object %d of the envelope is not a STIX object with type and id", i)
		}
	}
	return e, nil
}

// ParseManifest reads a manifest resource.
func ParseManifest(b []byte) (Manifest, error) {
	var m Manifest
	if err := decode(b, "manifest", &m); err != nil {
		return Manifest{}, err
	}
	for i, r := range m.Objects {
		if r.ID == "" || r.DateAdded == "" || r.Version == "" {
			return Manifest{}, fmt.Errorf("record %d of the manifest lacks its id, date_added or version", i)
		}
	}
	return m, nil
}

// ParseStatus reads a status resource.
func ParseStatus(b []byte) (Status, error) {
	var s Status
	if err := decode(b, "status resource", &s); err != nil {
		return Status{}, err
	}
	switch {
	case s.ID == "":
		return Status{}, errors.New("the status resource has no id")
	case s.Status != "pending" && s.Status != "complete":
		return Status{}, fmt.Errorf("the status resource says %q, neither pending nor complete", s.Status)
	case s.TotalCount < 0 || s.SuccessCount < 0 || s.FailureCount < 0 || s.PendingCount < 0:
		return Status{}, errors.New("the status resource has a negative count")
	}
	return s, nil
}

// ParseError reads an error message resource.
func ParseError(b []byte) (ErrorMessage, error) {
	var m struct {
		ErrorMessage
		HTTPStatus json.RawMessage `json:"http_status"`
	}
	if err := decode(b, "error message", &m); err != nil {
		return ErrorMessage{}, err
	}
	if m.Title == "" {
		return ErrorMessage{}, errors.New("the error message has no title")
	}
	out := m.ErrorMessage
	if len(m.HTTPStatus) > 0 {
		var s string
		if json.Unmarshal(m.HTTPStatus, &s) == nil {
			out.HTTPStatus = s
		} else if n, err := strconv.Atoi(string(m.HTTPStatus)); err == nil {
			out.HTTPStatus = strconv.Itoa(n)
		}
	}
	return out, nil
}
