package server

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/sharing/stixrelay"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The explainer: for one object, who can see it and why, and why one
// organisation cannot; and, for STIX objects, the relay of a sanitised
// copy to another audience. Office users only (see sharing.Explainer).

// relayer is the rule of relays: the office's analysts, who triage and
// pass information on, and its administrators.
var relayer = access{name: "analyst or office-admin", roles: []identity.Role{identity.RoleAnalyst, identity.RoleOfficeAdmin}}

type explainData struct {
	Asked bool // an object was named
	E     sharing.Explanation
	Orgs  []sharing.Verdict // every organisation, by name, for the picker
	Kinds []string
	// Relay: the collections the viewer may relay into, for STIX objects.
	CanRelay    bool
	Collections []cti.Collection
	TLPs        []policy.TLP
	Widens      []string // what a refused relay would widen, translated
	// CircleNames names circles, which decisions and markings give by id.
	CircleNames map[string]string
}

// Say renders a decision in the viewer's language, as the organisation it
// concerns would be told.
func (d explainData) Say(L i18n.Localizer, dec policy.Decision) string {
	if name, ok := d.CircleNames[dec.Param]; ok && dec.Via == policy.ViaCircle {
		dec.Param = name
	}
	return explainDecision(L, dec)
}

// Circle names circle id, or gives the id of one that is gone.
func (d explainData) Circle(id string) string {
	if name, ok := d.CircleNames[id]; ok {
		return name
	}
	return id
}

var (
	widenPart = regexp.MustCompile(`^(sector|circle|organisation|user) (.+) is not in the original audience$`)
	widenTLP  = regexp.MustCompile(`^(TLP:\S+) is wider than the original (TLP:\S+)$`)
)

// widening translates what policy.CheckRelay says would widen.
func (d explainData) widening(L i18n.Localizer, msg string) string {
	if m := widenTLP.FindStringSubmatch(msg); m != nil {
		return L.T("sharing.relay.widens.tlp", m[1], m[2])
	}
	m := widenPart.FindStringSubmatch(msg)
	if m == nil {
		return L.Msg(msg)
	}
	name := m[2]
	switch m[1] {
	case "sector":
		if t, known := explainKnown(L, "sector."+name); known {
			name = t
		}
	case "circle":
		name = d.Circle(name)
	case "organisation":
		for _, v := range d.Orgs {
			if v.OrgID == name {
				name = v.OrgName
			}
		}
	}
	key := "sharing.relay.widens." + m[1] // sector, circle, organisation, user
	return L.T(key, name)
}

func (s *Server) explainData(r *http.Request, q sharing.ExplainQuery) (explainData, error) {
	ctx, p := r.Context(), principalOf(r.Context())
	d := explainData{Kinds: []string{policy.KindSTIX, policy.KindIndicator, policy.KindWarning, policy.KindIncident, policy.KindDocument, policy.KindAssessment},
		TLPs: tlpLevels}
	if q.Kind == "" && q.ID == "" {
		return d, nil
	}
	e, err := s.Explainer.Explain(ctx, p, q)
	if err != nil {
		return d, err
	}
	d.Asked, d.E = true, e
	if s.Designation != nil {
		cs, err := s.Designation.ListCircles(ctx, p)
		if err != nil {
			return d, err
		}
		d.CircleNames = make(map[string]string, len(cs))
		for _, c := range cs {
			d.CircleNames[c.ID] = c.Name
		}
	}
	d.Orgs = append(append([]sharing.Verdict{}, e.Can...), flattenVerdicts(e.Cannot)...)
	slices.SortFunc(d.Orgs, func(a, b sharing.Verdict) int { return strings.Compare(a.OrgName, b.OrgName) })
	if q.Kind == policy.KindSTIX && s.Relay != nil && s.STIX != nil && stixrelay.MayRelay(p) {
		if _, _, _, ok := stixrelay.ParseMarkingID(q.ID); ok {
			v, err := s.Door.Viewer(ctx, p)
			if err != nil {
				return d, err
			}
			// Only what the relayer may see can be relayed.
			if o := e.Object; !s.Door.Decide(&v, &o).Allow {
				return d, nil
			}
			all, err := s.STIX.Collections(ctx)
			if err != nil {
				return d, err
			}
			for i := range all {
				if _, write := s.STIX.Access(p, &v, &all[i]); write {
					d.Collections = append(d.Collections, all[i])
				}
			}
			d.CanRelay = true
		}
	}
	return d, nil
}

func flattenVerdicts(gs []sharing.ReasonGroup) []sharing.Verdict {
	var out []sharing.Verdict
	for _, g := range gs {
		out = append(out, g.Verdicts...)
	}
	return out
}

func explainQuery(v url.Values) sharing.ExplainQuery {
	return sharing.ExplainQuery{Kind: strings.TrimSpace(v.Get("kind")), ID: strings.TrimSpace(v.Get("id")),
		Org: v.Get("org"), User: v.Get("user")}
}

func (s *Server) handleExplain() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		q := r.URL.Query()
		p.Form = &Form{Values: q}
		d, err := s.explainData(r, explainQuery(q))
		if err != nil {
			if verbund.IsKind(err, verbund.Invalid) {
				p.Data = d
				s.reshow(w, r, p, "sharing_explain", err)
				return
			}
			s.fail(w, r, err)
			return
		}
		if q.Get("relayed") == "1" {
			p.Flash = p.L.T("sharing.relay.done")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "sharing_explain", p)
	})
}

func (s *Server) handleRelay() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		in := stixrelay.Request{MarkingID: r.PostFormValue("id"), Collection: r.PostFormValue("collection"), TLP: r.PostFormValue("tlp")}
		res, err := s.Relay.Relay(r.Context(), p.P, in)
		if err != nil {
			d, derr := s.explainData(r, sharing.ExplainQuery{Kind: policy.KindSTIX, ID: in.MarkingID})
			if derr != nil {
				s.fail(w, r, err)
				return
			}
			for f, msg := range verbund.ErrorFields(err) {
				if f != "collection" && f != "tlp" {
					d.Widens = append(d.Widens, d.widening(p.L, msg))
				}
			}
			slices.Sort(d.Widens)
			p.Data = d
			p.Form = &Form{Values: url.Values{"kind": {policy.KindSTIX}, "id": {in.MarkingID}, "collection": {in.Collection}, "tlp": {in.TLP}}}
			if !s.formErr(&p, r, err) {
				s.fail(w, r, err)
				return
			}
			p.Form.Values = url.Values{"kind": {policy.KindSTIX}, "id": {in.MarkingID}, "collection": {in.Collection}, "tlp": {in.TLP}}
			s.render(w, r, statusOf(err), "sharing_explain", p)
			return
		}
		http.Redirect(w, r, "/office/sharing/explain?"+url.Values{"kind": {policy.KindSTIX}, "id": {res.MarkingID}, "relayed": {"1"}}.Encode(), http.StatusSeeOther)
	})
}

// JSON of the explainer and relays.

type markingJSON struct {
	TLP          string       `json:"tlp"`
	Audience     audienceJSON `json:"audience"`
	Confidential bool         `json:"confidential"`
	Identifiable bool         `json:"identifiable"`
	Purpose      string       `json:"purpose,omitempty"`
}

// audienceJSON is an audience in the API: every list present, empty or not.
type audienceJSON struct {
	Community     bool     `json:"community"`
	Sectors       []string `json:"sectors"`
	Circles       []string `json:"circles"`
	Organisations []string `json:"organisations"`
	Users         []string `json:"users"`
}

func toMarkingJSON(m policy.Marking) markingJSON {
	nz := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return markingJSON{TLP: m.TLP.String(), Confidential: m.Confidential, Identifiable: m.Identifiable, Purpose: m.Purpose,
		Audience: audienceJSON{Community: m.Audience.Community, Sectors: nz(m.Audience.Sectors), Circles: nz(m.Audience.Circles),
			Organisations: nz(m.Audience.Orgs), Users: nz(m.Audience.Users)}}
}

type verdictJSON struct {
	OrgID       string `json:"organisation_id"`
	OrgName     string `json:"organisation_name"`
	UserID      string `json:"user_id,omitempty"`
	UserName    string `json:"user_name,omitempty"`
	Allow       bool   `json:"allow"`
	Step        string `json:"step"`
	Code        string `json:"code"`
	Via         string `json:"via,omitempty"`
	Param       string `json:"param,omitempty"`
	Explanation string `json:"explanation"`
}

func toVerdictJSON(r *http.Request, s *Server, v sharing.Verdict) verdictJSON {
	d := v.Decision
	out := verdictJSON{OrgID: v.OrgID, OrgName: v.OrgName, UserID: v.UserID, UserName: v.UserName, Allow: d.Allow,
		Step: d.Step.String(), Code: string(d.Code), Param: d.Param, Explanation: explainDecision(s.localizer(r), d)}
	if d.Via != policy.ViaNone {
		out.Via = d.Via.String()
	}
	return out
}

func (s *Server) apiExplain() http.Handler {
	type group struct {
		Step          string        `json:"step"`
		Code          string        `json:"code"`
		Organisations []verdictJSON `json:"organisations"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := explainQuery(r.URL.Query())
		e, err := s.Explainer.Explain(r.Context(), principalOf(r.Context()), q)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		list := func(vs []sharing.Verdict) []verdictJSON {
			out := make([]verdictJSON, len(vs))
			for i, v := range vs {
				out[i] = toVerdictJSON(r, s, v)
			}
			return out
		}
		groups := make([]group, len(e.Cannot))
		for i, g := range e.Cannot {
			groups[i] = group{Step: g.Step.String(), Code: string(g.Code), Organisations: list(g.Verdicts)}
		}
		out := map[string]any{
			"object": map[string]any{"kind": e.Object.Kind, "id": e.Object.ID, "owner_organisation": e.Object.OwnerOrg,
				"owner_name": e.OwnerName, "draft": e.Object.Draft, "marking": toMarkingJSON(e.Object.Marking)},
			"can": list(e.Can), "cannot": groups, "people": list(e.People),
		}
		if e.Focus != nil {
			out["focus"] = toVerdictJSON(r, s, *e.Focus)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

func (s *Server) apiRelay() http.Handler {
	type body struct {
		Object     string `json:"object"`
		Collection string `json:"collection"`
		TLP        string `json:"tlp"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		res, err := s.Relay.Relay(r.Context(), principalOf(r.Context()), stixrelay.Request{MarkingID: b.Object, Collection: b.Collection, TLP: b.TLP})
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		applied := res.Applied
		if applied == nil {
			applied = []string{}
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": res.ID, "collection": res.Collection, "marking_id": res.MarkingID,
			"marking": toMarkingJSON(res.Marking), "sanitised_fields": applied,
			"source": map[string]string{"id": res.SourceID, "version": res.SourceVersion}})
	})
}
