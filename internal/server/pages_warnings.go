package server

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

// Warnings on the web: the list and each warning for whoever the policy
// lets read them (TLP:CLEAR for everybody), acknowledgements by members,
// and the authoring pages of publishers and partners.

// tlpLevels lists the TLP levels in the order forms offer them.
var tlpLevels = []policy.TLP{policy.Clear, policy.Green, policy.Amber, policy.AmberStrict, policy.Red}

// tlpClass returns the CSS class of a TLP label: "tlp-amber-strict".
func tlpClass(t policy.TLP) string {
	return "tlp-" + strings.ReplaceAll(strings.ToLower(t.Label()), "+", "-")
}

// viewerOf returns the policy's view of the requester.
func (s *Server) viewerOf(r *http.Request) (policy.Viewer, error) {
	return s.Door.Viewer(r.Context(), principalOf(r.Context()))
}

// warningItem is one row of a list.
type warningItem struct {
	W        warning.Warning
	Text     warning.Text
	Severity warning.Severity
	TLP      string
	TLPClass string
}

func (s *Server) warningItems(ws []warning.Warning, lang string) []warningItem {
	out := make([]warningItem, len(ws))
	for i, w := range ws {
		c := w.Current()
		t, _ := c.In(lang)
		out[i] = warningItem{W: w, Text: t, Severity: c.Severity, TLP: w.Marking.TLP.String(), TLPClass: tlpClass(w.Marking.TLP)}
	}
	return out
}

type warningsData struct {
	Items      []warningItem
	Filter     warning.Filter
	Severities []warning.Severity
	Sectors    []string
	States     []warning.State // the workflow states the viewer may filter by
	CanWrite   bool
}

// filterOf reads the list filter from the query.
func filterOf(q url.Values) (warning.Filter, error) {
	f := warning.Filter{Severity: warning.Severity(q.Get("severity")), Sector: q.Get("sector"),
		Product: strings.TrimSpace(q.Get("product")), CVE: strings.TrimSpace(q.Get("cve")), State: warning.State(q.Get("state")),
		Query: strings.TrimSpace(q.Get("q"))}
	bad := map[string]string{}
	if f.Severity != "" && !f.Severity.Valid() {
		bad["severity"] = "choose a severity: none, low, medium, high or critical"
	}
	if f.Sector != "" && !identity.ValidSector(f.Sector) {
		bad["sector"] = "unknown sector"
	}
	if f.State != "" && !slices.Contains(warning.States, f.State) {
		bad["state"] = "unknown state"
	}
	if len(bad) > 0 {
		return f, verbund.InvalidFields("server.filterOf", bad)
	}
	return f, nil
}

// mayWriteWarnings reports whether the requester may start a warning: a
// publisher, or a user of a partner.
func (s *Server) mayWriteWarnings(r *http.Request) bool {
	p := principalOf(r.Context())
	if warning.MayPublish(p) {
		return true
	}
	ok, err := s.Warnings.MayContribute(r.Context(), p)
	return err == nil && ok
}

func (s *Server) handleWarnings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		f, err := filterOf(r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v, err := s.viewerOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ws, err := s.Warnings.List(r.Context(), &v, f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := warningsData{Items: s.warningItems(ws, p.L.Lang), Filter: f, Severities: warning.Severities,
			Sectors: identity.Sectors, CanWrite: s.mayWriteWarnings(r)}
		if d.CanWrite {
			d.States = warning.States
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "warnings", p)
	})
}

// warningPage is what the page of one warning shows.
type warningPage struct {
	W        warning.Warning
	Content  warning.Content
	Text     warning.Text
	TextLang string
	Details  template.HTML
	Recs     template.HTML
	Score    string // the CVSS base score, "" without a vector
	TLP      string
	TLPClass string
	Number   int  // the revision shown; 0 for a draft
	Latest   bool // the newest revision is shown
	Owner    string

	Ack                                          *warning.Acknowledgement
	CanAck                                       bool
	Acks                                         []warning.Ack
	Rates                                        *warning.Rates
	AckList                                      []warning.Acknowledgement
	Names                                        map[string]string
	CanEdit, CanSubmit, CanApprove, CanPublish   bool
	CanUpdate, CanWithdraw, FourEyes, NeedsOther bool
}

func (s *Server) warningPageData(r *http.Request, lang string, wn warning.Warning, rev int) (warningPage, error) {
	ctx, p := r.Context(), principalOf(r.Context())
	d := warningPage{W: wn, Content: wn.Current(), Number: wn.Revision(), Latest: true, TLP: wn.Marking.TLP.String(),
		TLPClass: tlpClass(wn.Marking.TLP), Acks: warning.Acks}
	if rev > 0 && rev <= len(wn.Revisions) {
		d.Content, d.Number, d.Latest = wn.Revisions[rev-1].Content, rev, rev == len(wn.Revisions)
	} else if rev != 0 {
		return d, verbund.E("server.warningPage", verbund.NotFound, "no such revision")
	}
	d.Text, d.TextLang = d.Content.In(lang)
	md := newMarkdown()
	d.Details, d.Recs = md.HTML(d.Text.Details), md.HTML(d.Text.Recommendations)
	if sc, ok := d.Content.Score(); ok {
		d.Score = strconv.FormatFloat(sc, 'f', 1, 64)
	}
	if o, err := s.Identity.Organisations(ctx, identity.SystemPrincipal(), identity.OrgFilter{}); err == nil {
		d.Names = map[string]string{}
		for _, org := range o {
			d.Names[org.ID] = org.Name
		}
		d.Owner = d.Names[wn.OwnerOrg]
	}
	publisher := warning.MayPublish(p)
	fourEyes, err := s.Warnings.FourEyes(ctx)
	if err != nil {
		return d, err
	}
	d.FourEyes = fourEyes
	own := p.User != nil && (p.User.ID == wn.CreatedBy || p.User.ID == wn.EditedBy)
	d.CanEdit = wn.IsDraft() && (publisher || wn.State == warning.Draft && p.User != nil && p.OrgID() == wn.OwnerOrg)
	d.CanSubmit = wn.State == warning.Draft && d.CanEdit
	d.CanApprove = publisher && wn.State == warning.Review && (!fourEyes || !own)
	d.NeedsOther = publisher && wn.State == warning.Review && fourEyes && own
	d.CanPublish = publisher && (wn.State == warning.Approved || wn.IsDraft() && !fourEyes)
	d.CanUpdate = publisher && wn.State == warning.Published
	d.CanWithdraw = d.CanUpdate
	if p.User != nil && p.Org != nil && p.Org.Kind != identity.KindOffice && wn.State == warning.Published {
		d.CanAck = true
		a, ok, err := s.Warnings.AcknowledgementOf(ctx, p, wn.ID)
		if err != nil {
			return d, err
		}
		if ok {
			d.Ack = &a
		}
	}
	if p.User != nil && p.User.HasOfficeRole() && !wn.IsDraft() {
		rates, acks, err := s.Warnings.Rates(ctx, p, wn.ID)
		if err != nil {
			return d, err
		}
		d.Rates, d.AckList = &rates, acks
	}
	return d, nil
}

func (s *Server) handleWarning() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		wn, ok := s.readWarning(w, r)
		if !ok {
			return
		}
		rev := 0
		if v := r.URL.Query().Get("rev"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				s.fail(w, r, notFound)
				return
			}
			rev = n
		}
		d, err := s.warningPageData(r, p.L.Lang, wn, rev)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch r.URL.Query().Get("done") {
		case "ack":
			p.Flash = p.L.T("warn.ack.saved")
		case "saved":
			p.Flash = p.L.T("warn.saved")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "warning", p)
	})
}

// readWarning returns the warning of the path if the requester may read
// it; otherwise it answers "not found" itself (the door records the refusal).
func (s *Server) readWarning(w http.ResponseWriter, r *http.Request) (warning.Warning, bool) {
	v, err := s.viewerOf(r)
	if err != nil {
		s.fail(w, r, err)
		return warning.Warning{}, false
	}
	wn, err := s.Warnings.Get(r.Context(), principalOf(r.Context()), &v, r.PathValue("warning"))
	if err != nil {
		s.fail(w, r, err)
		return warning.Warning{}, false
	}
	return wn, true
}

func (s *Server) handleAcknowledge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := s.viewerOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		id := r.PathValue("warning")
		if _, err := s.Warnings.Acknowledge(r.Context(), principalOf(r.Context()), &v, id, warning.Ack(r.PostFormValue("status"))); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/warnings/"+url.PathEscape(id)+"?done=ack", http.StatusSeeOther)
	})
}

// The authoring form.

// warningForm is what the authoring form needs besides the typed values.
type warningForm struct {
	Mode       string // "new", "edit" or "update"
	Action     string
	W          *warning.Warning
	Langs      []string
	Severities []warning.Severity
	TLPs       []policy.TLP
	Sectors    []string
	Orgs       []identity.Organisation
	Circles    []designation.Circle
	Office     bool
}

func (s *Server) warningFormData(r *http.Request, mode, action string, wn *warning.Warning) warningForm {
	p := principalOf(r.Context())
	d := warningForm{Mode: mode, Action: action, W: wn, Langs: warning.Languages, Severities: warning.Severities,
		TLPs: tlpLevels, Sectors: identity.Sectors, Office: warning.MayPublish(p)}
	if d.Office {
		if orgs, err := s.Identity.Organisations(r.Context(), p, identity.OrgFilter{Kind: identity.KindMember}); err == nil {
			d.Orgs = orgs
		}
		if s.Designation != nil {
			if cs, err := s.Designation.ListCircles(r.Context(), p); err == nil {
				d.Circles = cs
			}
		}
	}
	return d
}

// textFields are the parts of a text in the form, per language.
var textFields = []string{"title", "summary", "details", "recommendations"}

// valuesOf returns the form values that show in.
func valuesOf(in warning.Input) url.Values {
	v := url.Values{}
	c := in.Content
	v.Set("lang", c.Lang)
	for lang, t := range c.Texts {
		for i, s := range []string{t.Title, t.Summary, t.Details, t.Recommendations} {
			v.Set("texts."+lang+"."+textFields[i], s)
		}
	}
	v.Set("severity", string(c.Severity))
	v.Set("cvss", c.CVSS)
	v.Set("cves", strings.Join(c.CVEs, "\n"))
	lines := make([]string, len(c.Products))
	for i, p := range c.Products {
		parts := []string{p.Vendor, p.Name, p.Versions}
		if p.CPE != "" {
			parts = append(parts, p.CPE)
		}
		if p.PURL != "" {
			parts = append(parts, p.PURL)
		}
		lines[i] = strings.Join(parts, " | ")
	}
	v.Set("products", strings.Join(lines, "\n"))
	v.Set("references", strings.Join(c.References, "\n"))
	m := in.Marking
	v.Set("tlp", m.TLP.Label())
	if m.Audience.Community {
		v.Set("audience_community", "on")
	}
	v["audience_sectors"] = m.Audience.Sectors
	v["audience_orgs"] = m.Audience.Orgs
	v["audience_circles"] = m.Audience.Circles
	v["audience_users"] = m.Audience.Users
	if m.Confidential {
		v.Set("confidential", "on")
	}
	return v
}

// lines splits a text area into its non-empty lines, also at commas when
// commas says so.
func lines(s string, commas bool) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || commas && r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// inputOf reads the authoring form. Products are one per line: vendor |
// product | versions | CPE or package URL (both may follow).
func inputOf(r *http.Request) (warning.Input, map[string]string) {
	f := r.PostForm
	bad := map[string]string{}
	c := warning.Content{Lang: f.Get("lang"), Texts: map[string]warning.Text{}, Severity: warning.Severity(f.Get("severity")),
		CVSS: f.Get("cvss"), CVEs: lines(f.Get("cves"), true), References: lines(f.Get("references"), false)}
	for _, lang := range warning.Languages {
		c.Texts[lang] = warning.Text{Title: f.Get("texts." + lang + ".title"), Summary: f.Get("texts." + lang + ".summary"),
			Details: f.Get("texts." + lang + ".details"), Recommendations: f.Get("texts." + lang + ".recommendations")}
	}
	for _, l := range lines(f.Get("products"), false) {
		parts := strings.Split(l, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		p := warning.Product{Vendor: parts[0]}
		if len(parts) > 1 {
			p.Name = parts[1]
		}
		if len(parts) > 2 {
			p.Versions = parts[2]
		}
		for _, id := range parts[min(3, len(parts)):] {
			switch {
			case strings.HasPrefix(id, "pkg:"):
				p.PURL = id
			case id != "":
				p.CPE = id // checked as a CPE: the error then says what is wrong
			}
		}
		c.Products = append(c.Products, p)
	}
	m := policy.Marking{Confidential: f.Get("confidential") == "on", Audience: policy.Audience{
		Community: f.Get("audience_community") == "on", Sectors: f["audience_sectors"], Orgs: f["audience_orgs"],
		Circles: f["audience_circles"], Users: lines(strings.Join(f["audience_users"], "\n"), true)}}
	tlp, err := policy.ParseTLP(f.Get("tlp"))
	if err != nil {
		bad["tlp"] = "choose a TLP level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED"
	}
	m.TLP = tlp
	return warning.Input{Content: c, Marking: m}, bad
}

// formFields moves the problems of the original text to the fields of its
// language, where the form shows them.
func formFields(err error, lang string) error {
	var ve *verbund.Error
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for k, v := range ve.Fields {
		if slices.Contains(textFields, k) {
			k = "texts." + lang + "." + k
		}
		fields[k] = v
	}
	cp := *ve
	cp.Fields = fields
	return &cp
}

func (s *Server) handleNewWarningForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.mayWriteWarnings(r) {
			s.fail(w, r, verbund.E("server.newWarning", verbund.Forbidden, "only publishers of the office and partners may write warnings"))
			return
		}
		p := s.newPage(w, r)
		p.Form = &Form{Values: valuesOf(warning.Input{Content: warning.Content{Lang: p.L.Lang},
			Marking: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}})}
		p.Data = s.warningFormData(r, "new", "/warnings", nil)
		s.render(w, r, http.StatusOK, "warning_form", p)
	})
}

func (s *Server) handleCreateWarning() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		in, bad := inputOf(r)
		p.Data = s.warningFormData(r, "new", "/warnings", nil)
		if len(bad) > 0 {
			s.reshow(w, r, p, "warning_form", verbund.InvalidFields("server.createWarning", bad))
			return
		}
		wn, err := s.Warnings.Create(r.Context(), p.P, in)
		if err != nil {
			s.reshow(w, r, p, "warning_form", formFields(err, in.Content.Lang))
			return
		}
		http.Redirect(w, r, "/warnings/"+wn.ID+"?done=saved", http.StatusSeeOther)
	})
}

func (s *Server) handleEditWarningForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		wn, ok := s.readWarning(w, r)
		if !ok {
			return
		}
		mode := "edit"
		switch {
		case wn.State == warning.Published && warning.MayPublish(p.P):
			mode = "update"
		case !wn.IsDraft():
			s.fail(w, r, verbund.E("server.editWarning", verbund.Conflict, "a warning that is out can only be updated by a publisher"))
			return
		case !warning.MayPublish(p.P) && (wn.State != warning.Draft || p.P.OrgID() != wn.OwnerOrg):
			s.fail(w, r, verbund.E("server.editWarning", verbund.Forbidden, "you may not change this warning"))
			return
		}
		p.Form = &Form{Values: valuesOf(warning.Input{Content: wn.Current(), Marking: wn.Marking})}
		p.Data = s.warningFormData(r, mode, "/warnings/"+wn.ID+"/edit", &wn)
		s.render(w, r, http.StatusOK, "warning_form", p)
	})
}

func (s *Server) handleEditWarning() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		wn, ok := s.readWarning(w, r)
		if !ok {
			return
		}
		mode := "edit"
		if wn.State == warning.Published {
			mode = "update"
		}
		p.Data = s.warningFormData(r, mode, "/warnings/"+wn.ID+"/edit", &wn)
		in, bad := inputOf(r)
		if len(bad) > 0 {
			s.reshow(w, r, p, "warning_form", verbund.InvalidFields("server.editWarning", bad))
			return
		}
		var err error
		if mode == "update" {
			_, err = s.Warnings.Update(r.Context(), p.P, wn.ID, in, r.PostFormValue("changes"))
		} else {
			_, err = s.Warnings.Edit(r.Context(), p.P, wn.ID, in)
		}
		if err != nil {
			s.reshow(w, r, p, "warning_form", formFields(err, in.Content.Lang))
			return
		}
		http.Redirect(w, r, "/warnings/"+wn.ID+"?done=saved", http.StatusSeeOther)
	})
}

// handleWarningStep runs one workflow step on the warning of the path; a
// problem is shown above the warning's page.
func (s *Server) handleWarningStep(step string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ctx, id := r.Context(), r.PathValue("warning")
		var err error
		switch step {
		case "submit":
			_, err = s.Warnings.Submit(ctx, p.P, id)
		case "approve":
			_, err = s.Warnings.Approve(ctx, p.P, id)
		case "publish":
			_, err = s.Warnings.Publish(ctx, p.P, id)
		case "withdraw":
			_, err = s.Warnings.Withdraw(ctx, p.P, id, r.PostFormValue("reason"))
		}
		if err == nil {
			http.Redirect(w, r, "/warnings/"+url.PathEscape(id)+"?done=saved", http.StatusSeeOther)
			return
		}
		k := verbund.ErrorKind(err)
		if k == verbund.NotFound || k == verbund.Internal || k == verbund.Unavailable {
			s.fail(w, r, err)
			return
		}
		wn, ok := s.readWarning(w, r)
		if !ok {
			return
		}
		d, derr := s.warningPageData(r, p.L.Lang, wn, 0)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		p.Data = d
		s.reshowRow(w, r, p, "warning", err)
	})
}

// The office's overview.

type officeWarningsData struct {
	Queue     []warningItem // in review and approved
	Drafts    []warningItem
	Published []officeWarningRow
	FourEyes  bool
}

type officeWarningRow struct {
	warningItem
	Rates                 warning.Rates
	Seen, Affected, Fixed int
}

func (s *Server) handleOfficeWarnings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(w, r)
		ctx := r.Context()
		v, err := s.viewerOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var d officeWarningsData
		if d.FourEyes, err = s.Warnings.FourEyes(ctx); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, st := range []warning.State{warning.Review, warning.Approved, warning.Draft} {
			ws, err := s.Warnings.List(ctx, &v, warning.Filter{State: st})
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if st == warning.Draft {
				d.Drafts = s.warningItems(ws, p.L.Lang)
			} else {
				d.Queue = append(d.Queue, s.warningItems(ws, p.L.Lang)...)
			}
		}
		ws, err := s.Warnings.List(ctx, &v, warning.Filter{State: warning.Published})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// Rates take a decision per organisation: the newest warnings only.
		for _, it := range s.warningItems(ws[:min(len(ws), 15)], p.L.Lang) {
			rates, _, err := s.Warnings.Rates(ctx, p.P, it.W.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			d.Published = append(d.Published, officeWarningRow{it, rates,
				rates.Counts[warning.AckSeen], rates.Counts[warning.AckAffected], rates.Counts[warning.AckFixed]})
		}
		if r.URL.Query().Get("saved") != "" {
			p.Flash = p.L.T("settings.saved")
		}
		p.Data = d
		s.render(w, r, http.StatusOK, "warnings_office", p)
	})
}

func (s *Server) handleFourEyes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Warnings.SetFourEyes(r.Context(), principalOf(r.Context()), r.PostFormValue("four_eyes") == "on"); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/office/warnings?saved=1", http.StatusSeeOther)
	})
}
