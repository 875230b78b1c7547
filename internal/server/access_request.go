package server

import (
	"net/http"
	"strconv"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/sharing"
)

// Requests for access: a member that sees that an object exists but may
// not read it asks the owner with a reason; the owner's administrators
// grant or refuse. The sharing.Access service checks every step; these
// handlers only show and forward.

// requestStates are the states the list filters by, in the order shown.
var requestStates = []sharing.RequestState{sharing.RequestOpen, sharing.RequestGranted, sharing.RequestRefused}

type accessNewData struct {
	T sharing.Teaser
}

type accessRow struct {
	R     sharing.AccessRequest
	Names sharing.RequestNames
}

type accessListData struct {
	Mine     []accessRow
	Incoming []accessRow
	Decider  bool
	State    string
	States   []sharing.RequestState
}

type accessRequestData struct {
	accessRow
	MayDecide bool
}

// handleAccessNew shows the form that asks for access to one object, with
// what the viewer may know of it; the plain not-found page for an object
// whose existence does not show.
func (s *Server) handleAccessNew() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		q := r.URL.Query()
		if q.Get("kind") == "" && q.Get("id") == "" {
			// Reached without an object: say where requests start.
			p.Data = accessNewData{}
			s.render(w, r, http.StatusOK, "access_new", p)
			return
		}
		t, err := s.Access.Teaser(r.Context(), p.P, q.Get("kind"), q.Get("id"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = accessNewData{T: t}
		p.Form = &Form{Values: q}
		s.render(w, r, http.StatusOK, "access_new", p)
	})
}

func (s *Server) handleAccessCreate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		kind, id := r.PostFormValue("kind"), r.PostFormValue("id")
		req, err := s.Access.RequestAccess(r.Context(), p.P, kind, id, r.PostFormValue("reason"))
		if err != nil {
			t, terr := s.Access.Teaser(r.Context(), p.P, kind, id)
			if terr != nil {
				s.fail(w, r, err)
				return
			}
			p.Data = accessNewData{T: t}
			s.reshow(w, r, p, "access_new", err)
			return
		}
		http.Redirect(w, r, "/access-requests/"+req.ID+"?sent=1", http.StatusSeeOther)
	})
}

// rows adds the names to requests.
func (s *Server) accessRows(r *http.Request, rs []sharing.AccessRequest) ([]accessRow, error) {
	out := make([]accessRow, len(rs))
	for i, req := range rs {
		n, err := s.Access.Names(r.Context(), req)
		if err != nil {
			return nil, err
		}
		out[i] = accessRow{R: req, Names: n}
	}
	return out, nil
}

func (s *Server) handleAccessList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ctx := r.Context()
		st := sharing.RequestState(r.URL.Query().Get("state"))
		if st != "" && !st.Valid() {
			st = ""
		}
		d := accessListData{State: string(st), States: requestStates, Decider: sharing.MayDecide(p.P, p.P.OrgID())}
		mine, err := s.Access.AccessRequests(ctx, p.P, sharing.RequestFilter{State: st})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if d.Mine, err = s.accessRows(r, mine); err != nil {
			s.fail(w, r, err)
			return
		}
		if d.Decider {
			in, err := s.Access.AccessRequests(ctx, p.P, sharing.RequestFilter{Incoming: true, State: st})
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if d.Incoming, err = s.accessRows(r, in); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "access_list", p)
	})
}

func (s *Server) accessRequestData(r *http.Request) (accessRequestData, error) {
	p := principalOf(r.Context())
	req, err := s.Access.Request(r.Context(), p, r.PathValue("request"))
	if err != nil {
		return accessRequestData{}, err
	}
	rows, err := s.accessRows(r, []sharing.AccessRequest{req})
	if err != nil {
		return accessRequestData{}, err
	}
	return accessRequestData{accessRow: rows[0],
		MayDecide: req.State == sharing.RequestOpen && sharing.MayDecide(p, req.OwnerOrg)}, nil
}

func (s *Server) handleAccessRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.accessRequestData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch {
		case r.URL.Query().Get("sent") == "1":
			p.Flash = p.L.T("access.sent")
		case r.URL.Query().Get("decided") == "1":
			p.Flash = p.L.T("access.decided")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "access_request", p)
	})
}

func (s *Server) handleAccessDecide() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		id := r.PathValue("request")
		var err error
		switch r.PostFormValue("decision") {
		case "grant", "refuse":
			_, err = s.Access.DecideAccess(r.Context(), p.P, id, r.PostFormValue("decision") == "grant", r.PostFormValue("reason"))
		default:
			err = verbund.InvalidFields("server.handleAccessDecide", map[string]string{"decision": "grant or refuse"})
		}
		if err != nil {
			d, derr := s.accessRequestData(r)
			if derr != nil {
				s.fail(w, r, err)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "access_request", err)
			return
		}
		http.Redirect(w, r, "/access-requests/"+id+"?decided=1", http.StatusSeeOther)
	})
}

// The API of requests for access. Only people ask and decide; tokens are
// refused by the routes' rule.

type accessRequestJSON struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	ObjectID       string `json:"object_id"`
	OwnerOrg       string `json:"owner_organisation"`
	RequesterOrg   string `json:"requester_organisation"`
	RequesterUser  string `json:"requester_user"`
	Reason         string `json:"reason"`
	State          string `json:"state"`
	CreatedAt      string `json:"created_at"`
	DecidedBy      string `json:"decided_by,omitempty"`
	DecidedAt      string `json:"decided_at,omitempty"`
	DecisionReason string `json:"decision_reason,omitempty"`
}

func toAccessRequestJSON(r sharing.AccessRequest) accessRequestJSON {
	return accessRequestJSON{ID: r.ID, Kind: r.Kind, ObjectID: r.ObjectID, OwnerOrg: r.OwnerOrg, RequesterOrg: r.RequesterOrg,
		RequesterUser: r.RequesterUser, Reason: r.Reason, State: string(r.State), CreatedAt: rfc3339(r.CreatedAt),
		DecidedBy: r.DecidedBy, DecidedAt: rfc3339(r.DecidedAt), DecisionReason: r.Decision}
}

func (s *Server) apiCreateAccessRequest() http.Handler {
	type body struct {
		Kind     string `json:"kind"`
		ObjectID string `json:"object_id"`
		Reason   string `json:"reason"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		req, err := s.Access.RequestAccess(r.Context(), principalOf(r.Context()), b.Kind, b.ObjectID, b.Reason)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		w.Header().Set("Location", "/api/v1/access-requests/"+req.ID)
		writeJSON(w, http.StatusCreated, toAccessRequestJSON(req))
	})
}

func (s *Server) apiAccessRequests() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const op = "server.apiAccessRequests"
		q := r.URL.Query()
		f := sharing.RequestFilter{State: sharing.RequestState(q.Get("state"))}
		switch q.Get("incoming") {
		case "", "false":
		case "true":
			f.Incoming = true
		default:
			s.writeProblem(w, r, verbund.InvalidFields(op, map[string]string{"incoming": "true or false"}))
			return
		}
		if l := q.Get("limit"); l != "" {
			n, err := strconv.Atoi(l)
			if err != nil || n < 1 || n > 500 {
				s.writeProblem(w, r, verbund.InvalidFields(op, map[string]string{"limit": "a number from 1 to 500"}))
				return
			}
			f.Limit = n
		}
		rs, err := s.Access.AccessRequests(r.Context(), principalOf(r.Context()), f)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]accessRequestJSON, len(rs))
		for i, req := range rs {
			out[i] = toAccessRequestJSON(req)
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_requests": out})
	})
}

func (s *Server) apiAccessRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := s.Access.Request(r.Context(), principalOf(r.Context()), r.PathValue("request"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toAccessRequestJSON(req))
	})
}

func (s *Server) apiDecideAccessRequest() http.Handler {
	type body struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if b.Decision != "grant" && b.Decision != "refuse" {
			s.writeProblem(w, r, verbund.InvalidFields("server.apiDecideAccessRequest", map[string]string{"decision": "grant or refuse"}))
			return
		}
		req, err := s.Access.DecideAccess(r.Context(), principalOf(r.Context()), r.PathValue("request"), b.Decision == "grant", b.Reason)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toAccessRequestJSON(req))
	})
}

// openIncoming counts the open requests the viewer decides, for the link
// in the member area; 0 when requests for access are not served.
func (s *Server) openIncoming(r *http.Request, p identity.Principal) int {
	if s.Access == nil {
		return 0
	}
	n, err := s.Access.OpenIncoming(r.Context(), p)
	if err != nil {
		s.Logger.WarnContext(r.Context(), "counting open requests for access", "request_id", requestID(r.Context()), "err", err)
	}
	return n
}
