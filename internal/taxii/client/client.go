// Package client is a TAXII 2.1 client: discovery, API roots, collections,
// objects and manifests with pagination, adding objects and polling their
// status. It speaks the media types of TAXII 2.1 to the letter, sends HTTP
// Basic or Bearer credentials, bounds every answer it reads, and turns the
// TAXII error messages of a remote into Go errors that say what the remote
// said.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MediaType is the media type of every TAXII 2.1 resource.
const MediaType = "application/taxii+json;version=2.1"

// AuthKind names how the client authenticates.
type AuthKind string

const (
	AuthNone   AuthKind = "none"
	AuthBasic  AuthKind = "basic"  // HTTP Basic: Username and Secret as password
	AuthBearer AuthKind = "bearer" // Authorization: Bearer Secret
)

// Auth is the credential a client sends with every request.
type Auth struct {
	Kind     AuthKind
	Username string
	Secret   string
}

// String hides the secret, so that an Auth that reaches a log reveals
// nothing.
func (a Auth) String() string { return "taxii auth " + string(a.Kind) }

// Options configure a Client; zero fields take the defaults named.
type Options struct {
	Auth Auth
	// HTTP sends the requests (a client with a 60 s timeout).
	HTTP *http.Client
	// MaxResponse is the largest answer read, in bytes (32 MiB); a larger
	// answer is an error, never silently cut.
	MaxResponse int64
	// UserAgent names the client ("Verbund-TAXII-client/2.1").
	UserAgent string
}

// Client talks to TAXII 2.1 servers. It is safe for concurrent use.
type Client struct {
	auth    Auth
	http    *http.Client
	max     int64
	agent   string
	retryIn time.Duration
}

// New returns a client with the options o.
func New(o Options) *Client {
	c := &Client{auth: o.Auth, http: o.HTTP, max: o.MaxResponse, agent: o.UserAgent, retryIn: time.Second}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	if c.max <= 0 {
		c.max = 32 << 20
	}
	if c.agent == "" {
		c.agent = "Verbund-TAXII-client/2.1"
	}
	if c.auth.Kind == "" {
		c.auth.Kind = AuthNone
	}
	return c
}

// Error is a failed exchange with a remote: a TAXII error message, an
// answer that is not TAXII, or no answer at all. Status is the HTTP status,
// 0 when none came.
type Error struct {
	Method, URL string
	Status      int
	// Title, Description, Code and ID are the remote's TAXII error message
	// (title, description, error_code, error_id), when it sent one.
	Title, Description, Code, ID string
	Err                          error // the cause on our side, if any
}

// Error says what was asked and what the remote answered.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("taxii " + e.Method + " " + e.URL + ": ")
	switch {
	case e.Status == 0:
		b.WriteString("no answer")
	default:
		b.WriteString(strconv.Itoa(e.Status) + " " + http.StatusText(e.Status))
	}
	if e.Title != "" || e.Description != "" {
		b.WriteString("; the remote said: ")
		b.WriteString(e.Title)
		if e.Description != "" {
			if e.Title != "" {
				b.WriteString(": ")
			}
			b.WriteString(e.Description)
		}
		if e.Code != "" {
			b.WriteString(" (" + e.Code + ")")
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause on our side.
func (e *Error) Unwrap() error { return e.Err }

// StatusOf returns the HTTP status of a failed exchange, 0 when err is not
// one or no answer came.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// ErrTooLarge is the cause of an Error when an answer exceeds MaxResponse.
var ErrTooLarge = errors.New("the answer is larger than the client accepts")

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request and reads the answer. A status outside 2xx is an
// *Error with the remote's error message.
func (c *Client) do(ctx context.Context, method, u string, body []byte) (*response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, &Error{Method: method, URL: u, Err: err}
	}
	req.Header.Set("Accept", MediaType)
	req.Header.Set("User-Agent", c.agent)
	if body != nil {
		req.Header.Set("Content-Type", MediaType)
	}
	switch c.auth.Kind {
	case AuthBasic:
		req.SetBasicAuth(c.auth.Username, c.auth.Secret)
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+c.auth.Secret)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Method: method, URL: redact(u), Err: unwrapURLError(err)}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, c.max+1))
	if err != nil {
		return nil, &Error{Method: method, URL: redact(u), Status: res.StatusCode, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if int64(len(b)) > c.max {
		return nil, &Error{Method: method, URL: redact(u), Status: res.StatusCode, Err: fmt.Errorf("%w (%d bytes)", ErrTooLarge, c.max)}
	}
	r := &response{status: res.StatusCode, header: res.Header, body: b}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		e := &Error{Method: method, URL: redact(u), Status: res.StatusCode}
		if m, err := ParseError(b); err == nil {
			e.Title, e.Description, e.Code, e.ID = m.Title, m.Description, m.ErrorCode, m.ErrorID
		}
		return nil, e
	}
	if !IsTAXII(res.Header.Get("Content-Type")) {
		return nil, &Error{Method: method, URL: redact(u), Status: res.StatusCode,
			Err: fmt.Errorf("the answer is %q, not %s", res.Header.Get("Content-Type"), MediaType)}
	}
	return r, nil
}

// unwrapURLError drops the *url.Error around a transport error: Error
// names the method and URL already.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact removes user information from a URL for messages.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	p.User = nil
	return p.String()
}

// IsTAXII reports whether a Content-Type names a TAXII 2.1 resource:
// application/taxii+json with version 2.1 or without a version.
func IsTAXII(ct string) bool {
	typ, params, err := mime.ParseMediaType(ct)
	if err != nil || typ != "application/taxii+json" {
		return false
	}
	v, ok := params["version"]
	return !ok || v == "2.1"
}

// get fetches u and decodes the answer with parse.
func get[T any](ctx context.Context, c *Client, u string, parse func([]byte) (T, error)) (T, *response, error) {
	var zero T
	r, err := c.do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return zero, nil, err
	}
	v, err := parse(r.body)
	if err != nil {
		return zero, nil, &Error{Method: http.MethodGet, URL: redact(u), Status: r.status, Err: err}
	}
	return v, r, nil
}

// Discovery returns the discovery resource at u, e.g.
// https://taxii.example.org/taxii2/.
func (c *Client) Discovery(ctx context.Context, u string) (Discovery, error) {
	d, _, err := get(ctx, c, u, ParseDiscovery)
	return d, err
}

// APIRoot returns the API root resource at root.
func (c *Client) APIRoot(ctx context.Context, root string) (APIRoot, error) {
	a, _, err := get(ctx, c, dir(root), ParseAPIRoot)
	return a, err
}

// ResolveRoot returns the URL of the API root that u names: u itself when
// it is an API root, else the default API root of the discovery resource at
// u, else its only API root. Relative api_roots are resolved against u.
func (c *Client) ResolveRoot(ctx context.Context, u string) (string, error) {
	u = dir(u)
	r, err := c.do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	root, err := rootFrom(u, r.body)
	if err != nil {
		return "", &Error{Method: http.MethodGet, URL: redact(u), Status: r.status, Err: err}
	}
	return root, nil
}

// rootFrom reads the answer at u as an API root or a discovery resource and
// returns the API root's URL.
func rootFrom(u string, body []byte) (string, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return "", fmt.Errorf("the answer is not a TAXII resource: %w", err)
	}
	if _, ok := probe["versions"]; ok {
		return u, nil
	}
	d, err := ParseDiscovery(body)
	if err != nil {
		return "", err
	}
	pick := d.Default
	if pick == "" {
		switch len(d.APIRoots) {
		case 0:
			return "", errors.New("the discovery resource names no API root")
		case 1:
			pick = d.APIRoots[0]
		default:
			return "", fmt.Errorf("the discovery resource names %d API roots and no default: give the API root's URL", len(d.APIRoots))
		}
	}
	base, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	ref, err := url.Parse(pick)
	if err != nil {
		return "", fmt.Errorf("the API root %q is not a URL", pick)
	}
	return dir(base.ResolveReference(ref).String()), nil
}

// Collections returns the collections of the API root.
func (c *Client) Collections(ctx context.Context, root string) ([]Collection, error) {
	cs, _, err := get(ctx, c, dir(root)+"collections/", ParseCollections)
	return cs, err
}

// Collection returns collection id of the API root.
func (c *Client) Collection(ctx context.Context, root, id string) (Collection, error) {
	col, _, err := get(ctx, c, collURL(root, id), ParseCollection)
	return col, err
}

// Query narrows a listing of objects or a manifest. Zero fields do not
// narrow.
type Query struct {
	// AddedAfter is the added_after parameter, in the remote's own format
	// (a date_added or an X-TAXII-Date-Added-Last it sent); "" for none.
	AddedAfter string
	Limit      int
	Next       string
	// Match holds match[...] filters by field: "id", "type", "version",
	// "spec_version"; each value is a comma-separated list.
	Match map[string]string
}

// values writes q as URL query parameters.
func (q Query) values() url.Values {
	v := url.Values{}
	if q.AddedAfter != "" {
		v.Set("added_after", q.AddedAfter)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Next != "" {
		v.Set("next", q.Next)
	}
	for k, val := range q.Match {
		v.Set("match["+k+"]", val)
	}
	return v
}

// Page is one page of objects or manifest records.
type Page[T any] struct {
	Items []T
	More  bool
	Next  string
	// DateAddedFirst and DateAddedLast are the X-TAXII-Date-Added-First and
	// -Last headers as sent ("" when missing): the date_added of the first
	// and last item, the value to resume from with AddedAfter.
	DateAddedFirst, DateAddedLast string
}

// Objects returns one page of objects of a collection, each as the JSON the
// remote sent.
func (c *Client) Objects(ctx context.Context, root, collection string, q Query) (Page[json.RawMessage], error) {
	u := collURL(root, collection) + "objects/" + query(q)
	env, r, err := get(ctx, c, u, ParseEnvelope)
	if err != nil {
		return Page[json.RawMessage]{}, err
	}
	return Page[json.RawMessage]{Items: env.Objects, More: env.More, Next: env.Next,
		DateAddedFirst: r.header.Get("X-TAXII-Date-Added-First"), DateAddedLast: r.header.Get("X-TAXII-Date-Added-Last")}, nil
}

// Manifest returns one page of the manifest of a collection.
func (c *Client) Manifest(ctx context.Context, root, collection string, q Query) (Page[ManifestRecord], error) {
	u := collURL(root, collection) + "manifest/" + query(q)
	m, r, err := get(ctx, c, u, ParseManifest)
	if err != nil {
		return Page[ManifestRecord]{}, err
	}
	return Page[ManifestRecord]{Items: m.Objects, More: m.More, Next: m.Next,
		DateAddedFirst: r.header.Get("X-TAXII-Date-Added-First"), DateAddedLast: r.header.Get("X-TAXII-Date-Added-Last")}, nil
}

// Add posts objects in one envelope to a collection and returns the status
// resource the remote answered with; it may still be pending.
func (c *Client) Add(ctx context.Context, root, collection string, objects []json.RawMessage) (Status, error) {
	if objects == nil {
		objects = []json.RawMessage{}
	}
	body, err := json.Marshal(Envelope{Objects: objects})
	if err != nil {
		return Status{}, fmt.Errorf("taxii: an object to add is not JSON: %w", err)
	}
	u := collURL(root, collection) + "objects/"
	r, err := c.do(ctx, http.MethodPost, u, body)
	if err != nil {
		return Status{}, err
	}
	st, err := ParseStatus(r.body)
	if err != nil {
		return Status{}, &Error{Method: http.MethodPost, URL: redact(u), Status: r.status, Err: err}
	}
	return st, nil
}

// Status returns status resource id of the API root.
func (c *Client) Status(ctx context.Context, root, id string) (Status, error) {
	st, _, err := get(ctx, c, dir(root)+"status/"+url.PathEscape(id)+"/", ParseStatus)
	return st, err
}

// Wait asks for status st until it is complete, every interval, and
// returns the last status read; when ctx ends first, that status with the
// context's error.
func (c *Client) Wait(ctx context.Context, root string, st Status, interval time.Duration) (Status, error) {
	if interval <= 0 {
		interval = c.retryIn
	}
	for st.Status != "complete" {
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return st, ctx.Err()
		case <-t.C:
		}
		next, err := c.Status(ctx, root, st.ID)
		if err != nil {
			return st, err
		}
		st = next
	}
	return st, nil
}

// dir returns u with exactly one trailing slash.
func dir(u string) string { return strings.TrimRight(u, "/") + "/" }

func collURL(root, id string) string {
	return dir(root) + "collections/" + url.PathEscape(id) + "/"
}

func query(q Query) string {
	if v := q.values(); len(v) > 0 {
		return "?" + v.Encode()
	}
	return ""
}
