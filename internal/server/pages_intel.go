package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// Threat intelligence for people: the collections a member may read, the
// objects in them, what members contribute, and the search for a value.
// Every object comes through cti.Service, which asks the sharing door.

// intelPageSize is how many objects the listing shows per page.
const intelPageSize = 25

// intelTypes are the STIX types the listing offers as a filter.
var intelTypes = []string{"indicator", "sighting", "malware", "attack-pattern", "threat-actor", "campaign",
	"intrusion-set", "tool", "vulnerability", "report", "relationship", "identity", "observed-data"}

// intelCollection is a collection as the pages show it.
type intelCollection struct {
	cti.Collection
	Write bool
	TLP   tlpLabel
}

// intelItem is one object in a list.
type intelItem struct {
	Collection string
	CollTitle  string
	ID         string
	Type       string
	Name       string
	TLP        tlpLabel
	Added      time.Time
	Version    time.Time
}

// URL is the object's page.
func (i intelItem) URL() string {
	return "/intel/" + url.PathEscape(i.Collection) + "/objects/" + url.PathEscape(i.ID)
}

// tlpLabel is a TLP level without the "TLP:" prefix: CLEAR, GREEN, AMBER,
// AMBER+STRICT, RED.
type tlpLabel string

// Class is the CSS class that shows the label in its TLP 2.0 colours.
func (t tlpLabel) Class() string {
	return "tlp-" + strings.ReplaceAll(strings.ToLower(string(t)), "+", "-")
}

func tlpName(t policy.TLP) tlpLabel { return tlpLabel(strings.TrimPrefix(t.String(), "TLP:")) }

// intelContext is what every intel handler needs: the viewer and the
// collections with what it may do in each.
type intelContext struct {
	P     identity.Principal
	V     policy.Viewer
	All   []intelCollection // every collection the viewer may read or write
	Read  []cti.Collection
	Write []cti.Collection
	Title map[string]string
}

func (s *Server) intelContext(r *http.Request) (*intelContext, error) {
	ctx, p := r.Context(), principalOf(r.Context())
	ic := &intelContext{P: p, Title: map[string]string{}}
	if s.STIX == nil || s.Door == nil {
		return ic, nil
	}
	var err error
	if ic.V, err = s.Door.Viewer(ctx, p); err != nil {
		return nil, err
	}
	cs, err := s.STIX.Collections(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		read, write := s.STIX.Access(p, &ic.V, &c)
		if !read && !write {
			continue
		}
		ic.All = append(ic.All, intelCollection{Collection: c, Write: write, TLP: tlpName(c.Default.TLP)})
		ic.Title[c.ID] = c.Title
		if read {
			ic.Read = append(ic.Read, c)
		}
		if write {
			ic.Write = append(ic.Write, c)
		}
	}
	return ic, nil
}

// find returns the collection named by id or alias among cs.
func findCollection(cs []cti.Collection, ref string) (cti.Collection, bool) {
	for _, c := range cs {
		if ref != "" && (c.ID == ref || c.Alias == ref) {
			return c, true
		}
	}
	return cti.Collection{}, false
}

func (ic *intelContext) item(v cti.Version) intelItem {
	it := intelItem{Collection: v.Collection, CollTitle: ic.Title[v.Collection], ID: v.ID, Type: v.Type,
		TLP: tlpName(v.Marked.Marking.TLP), Added: v.DateAdded, Version: v.Version}
	if len(v.Raw) > 0 {
		var head struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		}
		_ = json.Unmarshal(v.Raw, &head)
		it.Name = head.Name
		if it.Name == "" {
			it.Name = head.Value
		}
	}
	return it
}

type intelListData struct {
	Collections []intelCollection
	Types       []string
	Collection  string
	Type        string
	Items       []intelItem
	Next        string
	First       bool
	CanWrite    bool
}

func (s *Server) handleIntel() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ic, err := s.intelContext(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		q := r.URL.Query()
		d := intelListData{Collections: ic.All, Types: intelTypes, Collection: q.Get("collection"), Type: q.Get("type"),
			First: q.Get("after") == "", CanWrite: len(ic.Write) > 0}
		cs := ic.Read
		if d.Collection != "" {
			c, ok := findCollection(ic.Read, d.Collection)
			if !ok {
				s.fail(w, r, notFound)
				return
			}
			cs = []cti.Collection{c}
		}
		var types []string
		if d.Type != "" {
			types = []string{d.Type}
		}
		after, err := cti.ParseCursor(q.Get("after"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if s.STIX != nil && len(cs) > 0 {
			vs, next, err := s.STIX.Recent(r.Context(), ic.P, &ic.V, cs, types, after, intelPageSize)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, v := range vs {
				d.Items = append(d.Items, ic.item(v))
			}
			if !next.IsZero() {
				nq := url.Values{"after": {next.String()}}
				if d.Collection != "" {
					nq.Set("collection", d.Collection)
				}
				if d.Type != "" {
					nq.Set("type", d.Type)
				}
				d.Next = "/intel?" + nq.Encode()
			}
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "intel_list", p)
	})
}

// intelObject is an object's page: the object for people and as JSON.
type intelObject struct {
	Coll        intelCollection
	Item        intelItem
	Fields      map[string]any // the object's JSON, decoded
	Description string
	Pattern     string
	Labels      []string
	Types       []string // indicator_types, malware_types, …
	KillChain   []killChainPhase
	References  []stix.ExternalReference
	CreatedBy   string // a name, or the identity id
	Anonymous   bool   // a sighting that names nobody
	Owner       string // for the office: the organisation that added it
	JSON        string
	Versions    []intelVersion
	Related     []intelItem
	Sightings   []intelSighting
	Relations   []intelRelation
	MarkingID   string
	Write       bool
	SightingOf  *intelItem
	Source      *intelItem
	Target      *intelItem
	Explanation string
}

type killChainPhase struct{ Chain, Phase string }

// intelRelation is a relationship of the object with another: "this
// indicates that", or "that uses this" when Incoming.
type intelRelation struct {
	Type     string
	Incoming bool
	Other    intelItem
	Rel      intelItem
}

// intelVersion is one version in the list of an object's versions.
type intelVersion struct {
	At    time.Time
	Param string // the value of ?version= that shows it
	Shown bool
}

func intelVersions(vs []cti.Version, shown time.Time) []intelVersion {
	out := make([]intelVersion, len(vs))
	for i, v := range vs {
		out[len(vs)-1-i] = intelVersion{At: v.Version, Param: cti.FormatTimestamp(v.Version), Shown: v.Version.Equal(shown)}
	}
	return out
}

type intelSighting struct {
	Item      intelItem
	Count     int
	FirstSeen string
	LastSeen  string
	By        string // "" for anonymous
	Owner     string // for the office
}

// intelTeaser is what a viewer sees of an object it may ask access to.
type intelTeaser struct {
	Type, Owner string
	TLP         tlpLabel
	RequestURL  string
}

func (s *Server) handleIntelObject() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ctx := r.Context()
		ic, err := s.intelContext(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if s.STIX == nil {
			s.fail(w, r, notFound)
			return
		}
		c, err := s.STIX.Collection(ctx, r.PathValue("collection"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		id := r.PathValue("object")
		vs, err := s.STIX.Visible(ctx, ic.P, &ic.V, &c, id)
		if verbund.IsKind(err, verbund.NotFound) {
			t, ok, terr := s.STIX.Teaser(ctx, &ic.V, &c, id)
			if terr != nil || !ok {
				s.fail(w, r, err)
				return
			}
			teaser := intelTeaser{Type: t.Type, TLP: tlpName(t.Marked.Marking.TLP),
				RequestURL: "/access-requests/new?" + url.Values{"kind": {policy.KindSTIX}, "id": {t.Marked.ObjectID}}.Encode()}
			if t.Type != "sighting" {
				teaser.Owner = s.orgName(ctx, t.Marked.OwnerOrg)
			}
			p.Data = teaser
			s.render(w, r, http.StatusOK, "intel_teaser", p)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		chosen := vs[len(vs)-1]
		if at := r.URL.Query().Get("version"); at != "" {
			for _, v := range vs {
				if cti.FormatTimestamp(v.Version) == at {
					chosen = v
				}
			}
		}
		pg, err := s.STIX.Page(ctx, &ic.V, &c, cti.Query{Filter: cti.Filter{IDs: []string{id}},
			Select: cti.Selection{At: []time.Time{chosen.Version}}}, cti.Position{}, 1, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(pg.Versions) == 0 {
			s.fail(w, r, notFound)
			return
		}
		chosen = pg.Versions[0]
		o, err := s.intelObject(ctx, ic, &c, chosen)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		o.Versions = intelVersions(vs, chosen.Version)
		obj := chosen.Object()
		o.Explanation = p.L.T("intel.why", explainDecision(p.L, s.Door.Decide(&ic.V, &obj)))
		p.Form = &Form{Values: url.Values{"count": {"1"}}}
		if r.URL.Query().Get("added") != "" {
			p.Flash = p.L.T("intel.added")
		}
		if r.URL.Query().Get("sighted") != "" {
			p.Flash = p.L.T("intel.sighting.added")
		}
		p.Data = o
		s.render(w, r, http.StatusOK, "intel_object", p)
	})
}

// intelObject prepares version v of c for its page.
func (s *Server) intelObject(ctx context.Context, ic *intelContext, c *cti.Collection, v cti.Version) (*intelObject, error) {
	_, write := s.STIX.Access(ic.P, &ic.V, c)
	ic.Title[c.ID] = c.Title
	o := &intelObject{Coll: intelCollection{Collection: *c, Write: write, TLP: tlpName(c.Default.TLP)},
		Item: ic.item(v), MarkingID: v.Marked.ObjectID, Write: write}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, v.Raw, "", "  "); err == nil {
		o.JSON = pretty.String()
	} else {
		o.JSON = string(v.Raw)
	}
	_ = json.Unmarshal(v.Raw, &o.Fields)
	str := func(k string) string { x, _ := o.Fields[k].(string); return x }
	strs := func(k string) []string {
		l, _ := o.Fields[k].([]any)
		var out []string
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	o.Description, o.Pattern, o.Labels = str("description"), str("pattern"), strs("labels")
	for _, k := range []string{"indicator_types", "malware_types", "threat_actor_types", "tool_types", "report_types", "infrastructure_types"} {
		o.Types = append(o.Types, strs(k)...)
	}
	if l, ok := o.Fields["kill_chain_phases"].([]any); ok {
		for _, x := range l {
			m, _ := x.(map[string]any)
			chain, _ := m["kill_chain_name"].(string)
			phase, _ := m["phase_name"].(string)
			o.KillChain = append(o.KillChain, killChainPhase{chain, phase})
		}
	}
	obj, err := stix.Parse(v.Raw)
	if err == nil {
		o.References = obj.ExternalReferences
	}
	if ref := str("created_by_ref"); ref != "" {
		o.CreatedBy = s.identityName(ctx, ref)
	} else if v.Type == "sighting" {
		o.Anonymous = true
	}
	if ic.V.IsOffice {
		o.Owner = s.orgName(ctx, v.Marked.OwnerOrg)
	}
	ref := func(id string) *intelItem {
		if id == "" {
			return nil
		}
		// Not Visible: a reference the viewer did not ask for is no
		// refused read to record.
		pg, err := s.STIX.Page(ctx, &ic.V, c, cti.Query{Filter: cti.Filter{IDs: []string{id}}}, cti.Position{}, 1, true)
		if err != nil || len(pg.Versions) == 0 {
			return nil
		}
		it := ic.item(pg.Versions[0])
		return &it
	}
	o.SightingOf, o.Source, o.Target = ref(str("sighting_of_ref")), ref(str("source_ref")), ref(str("target_ref"))

	// Related: objects that compare an observable of this one's pattern.
	seen := map[string]bool{c.ID + " " + v.ID: true}
	if obj.Pattern != nil {
		for _, ob := range obj.Pattern.Observables() {
			found, err := s.STIX.Lookup(ctx, ic.P, &ic.V, ob)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				if key := f.Collection + " " + f.ID; !seen[key] {
					seen[key] = true
					if c2, err := s.STIX.Collection(ctx, f.Collection); err == nil {
						if raw := s.rawOf(ctx, ic, &c2, f); raw != nil {
							f = *raw
						}
					}
					o.Related = append(o.Related, ic.item(f))
				}
			}
		}
	}
	rels, err := s.STIX.Relationships(ctx, &ic.V, c, v.ID)
	if err != nil {
		return nil, err
	}
	for _, rv := range rels {
		var f struct {
			Type   string `json:"relationship_type"`
			Source string `json:"source_ref"`
			Target string `json:"target_ref"`
		}
		_ = json.Unmarshal(rv.Raw, &f)
		rel := intelRelation{Type: f.Type, Rel: ic.item(rv), Incoming: f.Source != v.ID}
		other := f.Target
		if rel.Incoming {
			other = f.Source
		}
		if it := ref(other); it != nil {
			rel.Other = *it
			o.Relations = append(o.Relations, rel)
		}
	}
	if v.Type == "indicator" {
		sights, err := s.STIX.Sightings(ctx, &ic.V, c, v.ID)
		if err != nil {
			return nil, err
		}
		for _, sv := range sights {
			var f struct {
				Count     int    `json:"count"`
				FirstSeen string `json:"first_seen"`
				LastSeen  string `json:"last_seen"`
				By        string `json:"created_by_ref"`
			}
			_ = json.Unmarshal(sv.Raw, &f)
			sg := intelSighting{Item: ic.item(sv), Count: f.Count, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen}
			if f.By != "" {
				sg.By = s.identityName(ctx, f.By)
			}
			if ic.V.IsOffice {
				sg.Owner = s.orgName(ctx, sv.Marked.OwnerOrg)
			}
			o.Sightings = append(o.Sightings, sg)
		}
	}
	return o, nil
}

// rawOf returns version v of an object with its JSON, or nil.
func (s *Server) rawOf(ctx context.Context, ic *intelContext, c *cti.Collection, v cti.Version) *cti.Version {
	if len(v.Raw) > 0 {
		return &v
	}
	pg, err := s.STIX.Page(ctx, &ic.V, c, cti.Query{Filter: cti.Filter{IDs: []string{v.ID}},
		Select: cti.Selection{At: []time.Time{v.Version}}}, cti.Position{}, 1, true)
	if err != nil || len(pg.Versions) == 0 {
		return nil
	}
	return &pg.Versions[0]
}

// orgName returns the name of organisation id, or the id.
func (s *Server) orgName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	o, err := s.Identity.OrganisationByID(ctx, id)
	if err != nil {
		return id
	}
	return o.Name
}

// identityName names a created_by_ref: the organisation for the identities
// Verbund writes, else the reference itself.
func (s *Server) identityName(ctx context.Context, ref string) string {
	if org, ok := cti.OrgOfIdentity(ref); ok {
		if o, err := s.Identity.OrganisationByID(ctx, org); err == nil {
			return o.Name
		}
	}
	return ref
}
