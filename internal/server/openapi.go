package server

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"

	"github.com/verbund/verbund"
)

// The API is described by openapi.json and by one openapi.<area>.json per
// capability, which adds paths and components; they are merged once, at
// start. A path or component defined twice is a build defect.
//
//go:embed openapi*.json
var openAPIFS embed.FS

var openAPIDoc = mustMergeOpenAPI(openAPIFS)

// OpenAPIDocument returns the merged OpenAPI document the server serves.
func OpenAPIDocument() []byte { return openAPIDoc }

func mustMergeOpenAPI(fsys fs.FS) []byte {
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		panic(err)
	}
	return b
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	var doc map[string]any
	raw, err := fs.ReadFile(fsys, "openapi.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	parts, err := fs.Glob(fsys, "openapi.*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(parts)
	for _, name := range parts {
		var part map[string]any
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for key, val := range part {
			switch key {
			case "paths":
				if err := mergeInto(doc, "paths", val, name); err != nil {
					return nil, err
				}
			case "components":
				comps, _ := val.(map[string]any)
				dst, _ := doc["components"].(map[string]any)
				if dst == nil {
					dst = map[string]any{}
					doc["components"] = dst
				}
				for section, v := range comps {
					if err := mergeInto(dst, section, v, name); err != nil {
						return nil, err
					}
				}
			default:
				return nil, fmt.Errorf("%s: only paths and components may be added, not %q", name, key)
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto adds the members of the object add to the object dst[key].
func mergeInto(dst map[string]any, key string, add any, from string) error {
	src, ok := add.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %s is not an object", from, key)
	}
	into, _ := dst[key].(map[string]any)
	if into == nil {
		into = map[string]any{}
		dst[key] = into
	}
	for k, v := range src {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %s %q is defined already", from, key, k)
		}
		into[k] = v
	}
	return nil
}

func (s *Server) handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(openAPIDoc)
	})
}

// APIRoutes returns "METHOD /path" of every registered API route, sorted.
func (s *Server) APIRoutes() []string {
	out := make([]string, 0, len(s.apiRoutes))
	for k := range s.apiRoutes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// problemDocs describes each problem code the API and the pages return; the
// type URI of a problem points at its entry.
var problemDocs = map[string]string{
	"internal":               "An error on the server. The request id in the answer helps the operator find it in the log.",
	"invalid":                "The request is not valid. The errors member names each field and its problem.",
	"not-found":              "The object does not exist or is not visible to the caller.",
	"conflict":               "The object exists already or changed in the meantime.",
	"forbidden":              "The caller is known but may not do this.",
	"unauthenticated":        "No valid credentials: log in, or send an API token.",
	"too-many-requests":      "Too many attempts; wait before trying again (Retry-After says how long).",
	"unavailable":            "A dependency such as the database does not answer; try again later.",
	"body-too-large":         "The request body is larger than the server accepts.",
	"malformed-json":         "The body is not valid JSON for this request, has unknown fields, or has data after the JSON value.",
	"unsupported-media-type": "The body must be sent as application/json.",
	"method-not-allowed":     "The address exists, but not for this method; the Allow header lists the methods it accepts.",
	"no-such-endpoint":       "There is no such endpoint; the OpenAPI document lists them all.",
	"cross-origin":           "A browser sent a request that changes something from another site; it was refused.",
	"csrf":                   "A request with a session cookie that changes something must carry the X-CSRF-Token header (forms: the csrf field).",
	"missing-scope":          "The API token lacks the scope the endpoint needs.",
	"missing-role":           "The user lacks the role the endpoint needs.",
	"token-not-allowed":      "This endpoint needs a browser session; API tokens cannot use it.",
	"office-only":            "Only tokens of the office may use this endpoint.",
	"token-malformed":        "The API token does not have the form vbd_<prefix>_<secret>.",
	"token-unknown":          "The API token is not known.",
	"token-revoked":          "The API token was revoked.",
	"token-expired":          "The API token has expired.",
	"org-terminated":         "The membership of the organisation has ended; its tokens and sessions no longer work.",
	"bad-credentials":        "The e-mail address or the password is wrong.",
	"bad-code":               "The second-factor code is wrong or has expired.",
	"bad-password":           "The password given to confirm the change is wrong.",
	"login-throttled":        "Too many failed logins for the account or from the address; wait a quarter of an hour.",
	"account-disabled":       "The account is disabled by its organisation's administrator.",
	"session-expired":        "The session ended (idle or absolute timeout, logout, or a password change).",
	"reset-link-invalid":     "The password-reset link was used already or has expired.",
	"unknown-language":       "The language is not supported: de, nl or en.",

	"registration-throttled":  "Too many registrations from the client's address; wait an hour (Retry-After) or ask the office.",
	"no-agreement":            "Registration is not open: the alliance has not published its agreement yet.",
	"country-not-eligible":    "Only organisations seated in the countries the installation names may register.",
	"agreement-outdated":      "A newer version of the agreement was published: read it (GET /api/v1/agreement) and accept that one.",
	"agreement-published":     "Somebody published a version of the agreement at the same time; look at the current one and try again.",
	"agreement-not-accepted":  "The organisation has not accepted the current agreement; an administrator accepts it at /agreement.",
	"org-exists":              "An organisation with this name is already registered in this country: ask its administrator or the office for an account.",
	"email-in-use":            "The e-mail address already belongs to an account or to another organisation's contact: log in, reset the password, or ask the office.",
	"email-unverified":        "The organisation's e-mail address is not confirmed yet.",
	"verification-invalid":    "The confirmation link is unknown or was used already.",
	"verification-expired":    "The confirmation link has expired; ask for a new one (POST /register/resend).",
	"resend-throttled":        "Too many confirmation links were asked for this address today.",
	"terminated":              "The membership of the organisation has ended.",
	"not-pending":             "The organisation is not waiting for activation.",
	"not-active":              "Only an active member can do this, or the organisation is not active.",
	"not-suspended":           "The organisation is not suspended.",
	"already-partner":         "The organisation is a partner already.",
	"already-multiplier":      "The organisation is a multiplier already.",
	"application-pending":     "The organisation has an application of this kind waiting for the office's decision.",
	"already-decided":         "The application or contribution was decided already.",
	"checklist-incomplete":    "A multiplier is approved only when every item of the checklist is confirmed.",
	"follow-up-invalid":       "The reference or the secret of a report from the public is wrong.",
	"follow-up-throttled":     "Too many wrong follow-up secrets from the client's address; wait a quarter of an hour.",
	"report-throttled":        "Too many reports from the public from the client's address; wait an hour or write to the office.",
	"public-reports-off":      "The installation takes incident reports from members only; log in to report.",
	"submitted":               "The report was submitted already; add a follow-up report to its case instead.",
	"status-change":           "The case's workflow does not allow this change of status.",
	"too-many-attachments":    "A report carries at most 20 attachments.",
	"no-approved-application": "Contributions and activities need an application for the status that the office approved.",

	// Requests for access, the explainer and relays (sharing).
	"already-visible":       "The organisation may read the object already; there is nothing to ask for.",
	"request-open":          "The organisation has asked for access to this object already and the owner has not decided yet.",
	"grant-breaks-marking":  "A grant cannot add an organisation: the object is now marked at a level that names its recipients (TLP:AMBER+STRICT, TLP:RED), or the widened marking would not be valid. Refuse the request instead.",
	"owner-changed":         "Another organisation owns the object now; it decides the request.",
	"object-gone":           "The object of the request no longer exists; refuse the request instead.",
	"relay-widens":          "The relay would reach somebody the original does not: the errors member names each part of the marking that widens. Nothing was stored.",
	"marking-invalid":       "The marking is not valid: the errors member names each problem.",
	"relay-not-sanitisable": "There are no sanitisation rules for objects of this kind, so it cannot be relayed without its identifiable flag.",
	"relay-not-valid-stix":  "The sanitised copy would not be valid STIX 2.1; nothing was stored.",
	"relay-refused":         "The target collection refused the copy (see the detail); nothing was stored.",
	"remote-disabled":       "The TAXII remote is disabled: enable it before asking it to run.",
	"warning-invalid":       "A field of the warning is not valid: the errors member names each (cves, cvss, products, references, texts.<lang>.title …).",
	"warning-incomplete":    "The warning lacks what publishing needs; the errors member names each missing field.",
	"warning-state":         "The warning is not in the state this step needs (a draft is submitted, a warning in review approved, a published one updated or withdrawn).",
	"warning-forbidden":     "The caller may not take this step on the warning: publishers of the office write, approve and publish; partners contribute drafts.",
	"four-eyes":             "A second person must approve the warning: the author and its last editor cannot.",
	"cvss-invalid":          "The CVSS vector is not a valid CVSS v3.1 base vector; the message says which metric is wrong.",
}

// ProblemCodes lists the documented problem codes.
func ProblemCodes() []string {
	out := make([]string, 0, len(problemDocs))
	for k := range problemDocs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) handleProblemDoc() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := strings.TrimSpace(r.PathValue("code"))
		doc, ok := problemDocs[code]
		if !ok {
			s.fail(w, r, verbund.E("server.problemDoc", verbund.NotFound, "not found"))
			return
		}
		p := s.newPage(w, r)
		p.Data = struct{ Code, Doc string }{code, doc}
		s.render(w, r, http.StatusOK, "problem", p)
	})
}
