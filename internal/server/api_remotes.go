package server

import (
	"net/http"
	"time"

	"github.com/verbund/verbund/internal/federation"
)

// The TAXII remotes of the REST API: office administrators only, by
// session. A remote's credential is written, never read: the answers say
// only whether one is stored.

type remoteStateJSON struct {
	LastRun     string                `json:"last_run,omitempty"`
	LastSuccess string                `json:"last_success,omitempty"`
	LastError   string                `json:"last_error,omitempty"`
	Failures    int                   `json:"failures"`
	NextRun     string                `json:"next_run,omitempty"`
	LastCount   int                   `json:"last_count"`
	Cursor      string                `json:"cursor,omitempty"`
	Position    int64                 `json:"position"`
	Rejected    []federation.Rejected `json:"rejected"`
}

type remoteJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	URL             string          `json:"url"`
	Collection      string          `json:"collection"`
	Direction       string          `json:"direction"`
	Auth            string          `json:"auth"`
	Username        string          `json:"username,omitempty"`
	HasSecret       bool            `json:"has_secret"`
	LocalCollection string          `json:"local_collection"`
	Recipient       string          `json:"recipient,omitempty"`
	IntervalMinutes int             `json:"interval_minutes"`
	Enabled         bool            `json:"enabled"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
	State           remoteStateJSON `json:"state"`
}

func toRemoteJSON(r federation.Remote) remoteJSON {
	rej := r.State.Rejected
	if rej == nil {
		rej = []federation.Rejected{}
	}
	return remoteJSON{ID: r.ID, Name: r.Name, URL: r.URL, Collection: r.Collection, Direction: string(r.Direction),
		Auth: string(r.Auth), Username: r.Username, HasSecret: r.HasSecret, LocalCollection: r.LocalCollection,
		Recipient: r.Recipient, IntervalMinutes: int(r.Interval / time.Minute), Enabled: r.Enabled,
		CreatedAt: rfc3339(r.CreatedAt), UpdatedAt: rfc3339(r.UpdatedAt),
		State: remoteStateJSON{LastRun: rfc3339(r.State.LastRun), LastSuccess: rfc3339(r.State.LastSuccess),
			LastError: r.State.LastError, Failures: r.State.Failures, NextRun: rfc3339(r.State.NextRun),
			LastCount: r.State.LastCount, Cursor: r.State.Cursor, Position: r.State.Position, Rejected: rej}}
}

// remoteInputJSON is the body of POST and PATCH. In a PATCH, absent
// members keep their value; secret "" or absent keeps the stored secret.
type remoteInputJSON struct {
	Name            *string `json:"name"`
	URL             *string `json:"url"`
	Collection      *string `json:"collection"`
	Direction       *string `json:"direction"`
	Auth            *string `json:"auth"`
	Username        *string `json:"username"`
	Secret          *string `json:"secret"`
	LocalCollection *string `json:"local_collection"`
	Recipient       *string `json:"recipient"`
	IntervalMinutes *int    `json:"interval_minutes"`
	Enabled         *bool   `json:"enabled"`
}

// apply sets the members given on in.
func (b remoteInputJSON) apply(in *federation.Input) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Name, b.Name)
	set(&in.URL, b.URL)
	set(&in.Collection, b.Collection)
	set(&in.Username, b.Username)
	set(&in.Secret, b.Secret)
	set(&in.LocalCollection, b.LocalCollection)
	set(&in.Recipient, b.Recipient)
	if b.Direction != nil {
		in.Direction = federation.Direction(*b.Direction)
	}
	if b.Auth != nil {
		in.Auth = federation.AuthKind(*b.Auth)
	}
	if b.IntervalMinutes != nil {
		in.Interval = time.Duration(*b.IntervalMinutes) * time.Minute
	}
	if b.Enabled != nil {
		in.Enabled = *b.Enabled
	}
}

// remoteAPINames maps the service's field names to the API's.
var remoteAPINames = map[string]string{"interval": "interval_minutes"}

func (s *Server) apiRemotes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Remotes == nil {
			s.writeProblem(w, r, errNoRemotes)
			return
		}
		rs, err := s.Remotes.Remotes(r.Context(), principalOf(r.Context()))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out := make([]remoteJSON, len(rs))
		for i, rm := range rs {
			out[i] = toRemoteJSON(rm)
		}
		writeJSON(w, http.StatusOK, map[string]any{"remotes": out})
	})
}

func (s *Server) apiRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Remotes == nil {
			s.writeProblem(w, r, errNoRemotes)
			return
		}
		rm, err := s.Remotes.Remote(r.Context(), principalOf(r.Context()), r.PathValue("remote"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toRemoteJSON(rm))
	})
}

func (s *Server) apiCreateRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Remotes == nil {
			s.writeProblem(w, r, errNoRemotes)
			return
		}
		var body remoteInputJSON
		if err := decodeJSON(r, &body); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		in := federation.Input{Enabled: true}
		body.apply(&in)
		rm, err := s.Remotes.Create(r.Context(), principalOf(r.Context()), in)
		if err != nil {
			s.writeProblem(w, r, renameFields(err, remoteAPINames))
			return
		}
		w.Header().Set("Location", "/api/v1/remotes/"+rm.ID)
		writeJSON(w, http.StatusCreated, toRemoteJSON(rm))
	})
}

func (s *Server) apiUpdateRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Remotes == nil {
			s.writeProblem(w, r, errNoRemotes)
			return
		}
		ctx, p := r.Context(), principalOf(r.Context())
		var body remoteInputJSON
		if err := decodeJSON(r, &body); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		cur, err := s.Remotes.Remote(ctx, p, r.PathValue("remote"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		in := federation.Input{Name: cur.Name, URL: cur.URL, Collection: cur.Collection, Direction: cur.Direction,
			Auth: cur.Auth, Username: cur.Username, LocalCollection: cur.LocalCollection, Recipient: cur.Recipient,
			Interval: cur.Interval, Enabled: cur.Enabled}
		body.apply(&in)
		rm, err := s.Remotes.Update(ctx, p, cur.ID, in)
		if err != nil {
			s.writeProblem(w, r, renameFields(err, remoteAPINames))
			return
		}
		writeJSON(w, http.StatusOK, toRemoteJSON(rm))
	})
}

func (s *Server) apiDeleteRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Remotes == nil {
			s.writeProblem(w, r, errNoRemotes)
			return
		}
		if err := s.Remotes.Delete(r.Context(), principalOf(r.Context()), r.PathValue("remote")); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) apiRunRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Remotes == nil {
			s.writeProblem(w, r, errNoRemotes)
			return
		}
		rm, err := s.Remotes.RunNow(r.Context(), principalOf(r.Context()), r.PathValue("remote"))
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusAccepted, toRemoteJSON(rm))
	})
}
