package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// errNoRemotes answers for an installation that runs without TAXII
// remotes (no collections): there is nothing to configure.
var errNoRemotes = verbund.E("server.remotes", verbund.NotFound, "TAXII remotes are not available on this installation")

// remotesData is what the remote pages show.
type remotesData struct {
	Available   bool
	Remotes     []federation.Remote
	Remote      federation.Remote // the remote of the edit page
	Collections []cti.Collection
	Orgs        []identity.Organisation
	Names       map[string]string // collection and organisation ids → names
	// CollectionIDs and OrgIDs are the choices of the form, by name.
	CollectionIDs, OrgIDs []string
	Now                   time.Time
}

func (s *Server) remotesData(r *http.Request) (remotesData, error) {
	d := remotesData{Available: s.Remotes != nil && s.STIX != nil, Names: map[string]string{}, Now: s.Now()}
	if !d.Available {
		return d, nil
	}
	ctx, p := r.Context(), principalOf(r.Context())
	var err error
	if d.Remotes, err = s.Remotes.Remotes(ctx, p); err != nil {
		return d, err
	}
	if d.Collections, err = s.STIX.Collections(ctx); err != nil {
		return d, err
	}
	if d.Orgs, err = s.Identity.Organisations(ctx, p, identity.OrgFilter{}); err != nil {
		return d, err
	}
	for _, c := range d.Collections {
		d.Names[c.ID] = c.Title
		d.CollectionIDs = append(d.CollectionIDs, c.ID)
	}
	for _, o := range d.Orgs {
		d.Names[o.ID] = o.Name
		d.OrgIDs = append(d.OrgIDs, o.ID)
	}
	return d, nil
}

// remoteForm reads the form of a remote. The credential field is called
// password so that it is never carried over when a form is sent again.
func remoteForm(r *http.Request) federation.Input {
	minutes, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("interval_minutes")))
	return federation.Input{Name: r.PostFormValue("name"), URL: r.PostFormValue("url"),
		Collection: r.PostFormValue("collection"), Direction: federation.Direction(r.PostFormValue("direction")),
		Auth: federation.AuthKind(r.PostFormValue("auth")), Username: r.PostFormValue("username"),
		Secret: r.PostFormValue("password"), LocalCollection: r.PostFormValue("local_collection"),
		Recipient: r.PostFormValue("recipient"), Interval: time.Duration(minutes) * time.Minute,
		Enabled: r.PostFormValue("enabled") == "on"}
}

// remoteFieldNames maps the service's field names to the form's and the
// API's where they differ.
var remoteFieldNames = map[string]string{"secret": "password", "interval": "interval_minutes"}

// renameFields returns err with its field problems under the names given.
func renameFields(err error, names map[string]string) error {
	fields := verbund.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	out := make(map[string]string, len(fields))
	for f, msg := range fields {
		if n, ok := names[f]; ok {
			f = n
		}
		out[f] = msg
	}
	return verbund.InvalidFields("server.remote", out)
}

// remoteValues fills a form with a remote's settings; never its secret.
func remoteValues(rm federation.Remote) url.Values {
	v := url.Values{"name": {rm.Name}, "url": {rm.URL}, "collection": {rm.Collection}, "direction": {string(rm.Direction)},
		"auth": {string(rm.Auth)}, "username": {rm.Username}, "local_collection": {rm.LocalCollection},
		"recipient": {rm.Recipient}, "interval_minutes": {strconv.Itoa(int(rm.Interval / time.Minute))}}
	if rm.Enabled {
		v.Set("enabled", "on")
	}
	return v
}

func (s *Server) handleRemotes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		d, err := s.remotesData(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Data = d
		p.Form = &Form{Values: url.Values{"interval_minutes": {"60"}, "direction": {"pull"}, "auth": {"bearer"}, "enabled": {"on"}}}
		if r.URL.Query().Get("done") == "deleted" {
			p.Flash = p.L.T("remotes.deleted")
		}
		s.render(w, r, http.StatusOK, "remotes", p)
	})
}

func (s *Server) handleCreateRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		if s.Remotes == nil {
			s.fail(w, r, errNoRemotes)
			return
		}
		rm, err := s.Remotes.Create(r.Context(), p.P, remoteForm(r))
		if err != nil {
			d, derr := s.remotesData(r)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			p.Data = d
			s.reshow(w, r, p, "remotes", renameFields(err, remoteFieldNames))
			return
		}
		http.Redirect(w, r, "/office/remotes/"+rm.ID+"?done=saved", http.StatusSeeOther)
	})
}

// showRemote renders the edit page of remote id with status.
func (s *Server) showRemote(w http.ResponseWriter, r *http.Request, p page, status int, err error) {
	if s.Remotes == nil {
		s.fail(w, r, errNoRemotes)
		return
	}
	d, derr := s.remotesData(r)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	rm, gerr := s.Remotes.Remote(r.Context(), p.P, r.PathValue("remote"))
	if gerr != nil {
		s.fail(w, r, gerr)
		return
	}
	d.Remote = rm
	p.Data = d
	if err != nil {
		s.reshow(w, r, p, "remote", renameFields(err, remoteFieldNames))
		return
	}
	p.Form = &Form{Values: remoteValues(rm)}
	s.render(w, r, status, "remote", p)
}

func (s *Server) handleRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		switch r.URL.Query().Get("done") {
		case "saved":
			p.Flash = p.L.T("remotes.saved")
		case "enable":
			p.Flash = p.L.T("remotes.enabled.done")
		case "disable":
			p.Flash = p.L.T("remotes.disabled.done")
		case "run":
			p.Flash = p.L.T("remotes.run.done")
		}
		s.showRemote(w, r, p, http.StatusOK, nil)
	})
}

func (s *Server) handleUpdateRemote() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		if s.Remotes == nil {
			s.fail(w, r, errNoRemotes)
			return
		}
		rm, err := s.Remotes.Update(r.Context(), p.P, r.PathValue("remote"), remoteForm(r))
		if err != nil {
			s.showRemote(w, r, p, statusOf(err), err)
			return
		}
		http.Redirect(w, r, "/office/remotes/"+rm.ID+"?done=saved", http.StatusSeeOther)
	})
}

// handleRemoteAction enables, disables, runs or deletes a remote.
func (s *Server) handleRemoteAction(action string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		if s.Remotes == nil {
			s.fail(w, r, errNoRemotes)
			return
		}
		ctx, id := r.Context(), r.PathValue("remote")
		var err error
		switch action {
		case "enable", "disable":
			_, err = s.Remotes.SetEnabled(ctx, p.P, id, action == "enable")
		case "run":
			_, err = s.Remotes.RunNow(ctx, p.P, id)
		case "delete":
			if err = s.Remotes.Delete(ctx, p.P, id); err == nil {
				http.Redirect(w, r, "/office/remotes?done=deleted", http.StatusSeeOther)
				return
			}
		}
		if err != nil {
			if k := verbund.ErrorKind(err); k == verbund.NotFound || k == verbund.Forbidden || k == verbund.Internal || k == verbund.Unavailable {
				s.fail(w, r, err)
				return
			}
			p.Error = p.L.Msg(verbund.ErrorMessage(err))
			s.showRemote(w, r, p, statusOf(err), nil)
			return
		}
		http.Redirect(w, r, "/office/remotes/"+id+"?done="+action, http.StatusSeeOther)
	})
}
