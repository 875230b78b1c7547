package policy

import (
	"fmt"
	"testing"
)

// The columns of the TLP matrix: one warning of owner-org per level, each
// with the widest audience its level allows.
var matrixObjects = []struct {
	name string
	obj  Object
}{
	{"TLP:CLEAR warning", object(KindWarning, Marking{TLP: Clear, Audience: Audience{Sectors: []string{"energy"}}})},
	{"TLP:GREEN warning for the community", object(KindWarning, Marking{TLP: Green, Audience: Audience{Community: true}})},
	{"TLP:GREEN warning for energy, circle outer, named-org and u-named", object(KindWarning, Marking{TLP: Green, Audience: Audience{
		Sectors: []string{"energy"}, Circles: []string{"outer"}, Orgs: []string{"named-org"}, Users: []string{"u-named"}}})},
	{"TLP:AMBER warning for energy, circle outer, named-org and u-named", object(KindWarning, Marking{TLP: Amber, Audience: Audience{
		Sectors: []string{"energy"}, Circles: []string{"outer"}, Orgs: []string{"named-org"}, Users: []string{"u-named"}}})},
	{"TLP:AMBER+STRICT warning for named-org and u-named", object(KindWarning, Marking{TLP: AmberStrict, Audience: Audience{
		Orgs: []string{"named-org"}, Users: []string{"u-named"}}})},
	{"TLP:RED warning for u-author and u-named", object(KindWarning, Marking{TLP: Red, Audience: Audience{
		Users: []string{"u-author", "u-named"}}})},
}

var (
	wOwner     = want{code: CodeOwner, via: ViaOwner}
	wClear     = want{code: CodeClear, via: ViaPublic}
	wCommunity = want{code: CodeShared, via: ViaCommunity}
	wSector    = want{code: CodeShared, via: ViaSector}
	wCircle    = want{code: CodeShared, via: ViaCircle}
	wOrg       = want{code: CodeShared, via: ViaOrg}
	wUser      = want{code: CodeShared, via: ViaUser}
	wRole      = want{code: CodeOfficeRole, via: ViaOfficeRole}
)

func deny(c Code) want { return want{code: c} }

func six(w want) [6]want { return [6]want{w, w, w, w, w, w} }

func TestTLPByViewer(t *testing.T) {
	red := deny(CodeRedNotNamed)
	notIn := deny(CodeAudienceNotIncl)
	rows := []struct {
		viewer string
		v      Viewer
		want   [6]want // CLEAR, GREEN community, GREEN, AMBER, AMBER+STRICT, RED
	}{
		{"a visitor without login", Viewer{},
			[6]want{wClear, deny(CodePublic), deny(CodePublic), deny(CodePublic), deny(CodePublic), deny(CodePublic)}},
		{"the author, named on RED", member("u-author", "owner-org", "water"),
			six(wOwner)},
		{"a colleague of the author in the owning organisation", member("u-colleague", "owner-org", "water"),
			[6]want{wOwner, wOwner, wOwner, wOwner, wOwner, red}},
		{"a colleague of the author whose organisation is suspended", with(member("u-colleague", "owner-org"), func(v *Viewer) { v.OrgStatus = StatusSuspended }),
			[6]want{wOwner, wOwner, wOwner, wOwner, wOwner, red}},
		{"a warnings token of the owning organisation", token("owner-org", "warnings:read"),
			[6]want{wOwner, wOwner, wOwner, wOwner, wOwner, deny(CodeRedToken)}},
		{"an intel-only token of the owning organisation", token("owner-org", "intel:read"),
			six(deny(CodeTokenScope))},
		{"a user of the organisation named in the audience", member("u-n1", "named-org", "finance"),
			[6]want{wClear, wCommunity, wOrg, wOrg, wOrg, red}},
		{"a user of an organisation in the energy sector", member("u-e1", "energy-org", "energy"),
			[6]want{wClear, wCommunity, wSector, wSector, notIn, red}},
		{"a user of an organisation in circle inner, which circle outer contains", member("u-i1", "inner-org", "transport"),
			[6]want{wClear, wCommunity, wCircle, wCircle, notIn, red}},
		{"a user of an unrelated organisation", member("u-o1", "other-org", "health"),
			[6]want{wClear, wCommunity, notIn, notIn, notIn, red}},
		{"a user named in the audience, of an organisation named nowhere", member("u-named", "friend-org", "health"),
			[6]want{wClear, wCommunity, wUser, wUser, wUser, wUser}},
		{"a user of the named organisation while it is suspended", with(member("u-n1", "named-org", "finance"), func(v *Viewer) { v.OrgStatus = StatusSuspended }),
			[6]want{wClear, deny(CodeOrgSuspended), deny(CodeOrgSuspended), deny(CodeOrgSuspended), deny(CodeOrgSuspended), deny(CodeOrgSuspended)}},
		{"a named user whose organisation has terminated", with(member("u-named", "friend-org"), func(v *Viewer) { v.OrgStatus = StatusTerminated }),
			[6]want{wClear, deny(CodeOrgTerminated), deny(CodeOrgTerminated), deny(CodeOrgTerminated), deny(CodeOrgTerminated), deny(CodeOrgTerminated)}},
		{"a user of the named organisation while it is pending", with(member("u-n1", "named-org", "finance"), func(v *Viewer) { v.OrgStatus = StatusPending }),
			[6]want{wClear, deny(CodeOrgPending), deny(CodeOrgPending), deny(CodeOrgPending), deny(CodeOrgPending), deny(CodeOrgPending)}},
		{"a user of the named organisation with no status at all", with(member("u-n1", "named-org", "finance"), func(v *Viewer) { v.OrgStatus = "" }),
			[6]want{wClear, deny(CodeOrgNotActive), deny(CodeOrgNotActive), deny(CodeOrgNotActive), deny(CodeOrgNotActive), deny(CodeOrgNotActive)}},
		{"a named user whose organisation has not accepted the current agreement", with(member("u-named", "friend-org"), func(v *Viewer) { v.AcceptedCurrentAgreement = false }),
			[6]want{wClear, deny(CodeAgreement), deny(CodeAgreement), deny(CodeAgreement), deny(CodeAgreement), deny(CodeAgreement)}},
		{"a warnings token of the named organisation", token("named-org", "warnings:read"),
			[6]want{wClear, wCommunity, wOrg, wOrg, wOrg, deny(CodeRedToken)}},
		{"a token of the named organisation without warnings:read", token("named-org", "intel:read", "incidents:read"),
			six(deny(CodeTokenScope))},
		{"a warnings token of an energy organisation", with(token("energy-org", "warnings:read"), func(v *Viewer) { v.OrgSectors = NewSet("energy") }),
			[6]want{wClear, wCommunity, wSector, wSector, notIn, deny(CodeRedToken)}},
		{"an office analyst, warnings not being an analyst's task", officeUser("u-analyst", RoleAnalyst),
			[6]want{wClear, wCommunity, notIn, notIn, notIn, red}},
		{"an office admin", officeUser("u-admin", RoleOfficeAdmin),
			[6]want{wClear, wCommunity, notIn, notIn, notIn, red}},
		{"an office publisher", officeUser("u-publisher", RolePublisher),
			[6]want{wClear, wCommunity, wRole, wRole, wRole, red}},
	}
	for _, regime := range []struct {
		name string
		p    *Policy
	}{{"in an open alliance", openPolicy(t)}, {"in a designated hub, the warning carrying no flags", hubPolicy(t)}} {
		for _, r := range rows {
			for i, col := range matrixObjects {
				w := r.want[i]
				t.Run(fmt.Sprintf("%s %s a %s %s", r.viewer, verdict(w.allow()), col.name, regime.name), func(t *testing.T) {
					check(t, regime.p.Decide(&r.v, &col.obj, now), w)
				})
			}
		}
	}
}

// Validate refuses these markings, but one may arrive from a federation
// peer or an old row: the decision must still read them by the level's rules.
func TestLevelsIgnoreAudiencePartsTheyDoNotCount(t *testing.T) {
	p := openPolicy(t)
	other := member("u-o1", "other-org", "health")
	energy := member("u-e1", "energy-org", "energy")
	inner := member("u-i1", "inner-org", "transport")
	named := member("u-n1", "named-org", "finance")
	for _, tc := range []struct {
		name string
		v    Viewer
		m    Marking
		want want
	}{
		{"an unrelated member sees a TLP:GREEN warning for the community", other,
			Marking{TLP: Green, Audience: Audience{Community: true}}, wCommunity},
		{"an unrelated member does not see a TLP:AMBER warning for the community", other,
			Marking{TLP: Amber, Audience: Audience{Community: true}}, deny(CodeAmberCommunity)},
		{"an unrelated member does not see a TLP:AMBER+STRICT warning for the community", other,
			Marking{TLP: AmberStrict, Audience: Audience{Community: true}}, want{code: CodeAmberStrict, via: ViaCommunity}},
		{"a member of the energy sector does not see a TLP:AMBER+STRICT warning for the energy sector", energy,
			Marking{TLP: AmberStrict, Audience: Audience{Sectors: []string{"energy"}}}, want{code: CodeAmberStrict, via: ViaSector}},
		{"a member of a nested circle does not see a TLP:AMBER+STRICT warning for the outer circle", inner,
			Marking{TLP: AmberStrict, Audience: Audience{Circles: []string{"outer"}}}, want{code: CodeAmberStrict, via: ViaCircle}},
		{"a member of a named organisation sees a TLP:AMBER+STRICT warning that also names its sector", named,
			Marking{TLP: AmberStrict, Audience: Audience{Sectors: []string{"finance"}, Orgs: []string{"named-org"}}}, wOrg},
		{"a member of a named organisation does not see a TLP:RED warning that names the organisation but not the user", named,
			Marking{TLP: Red, Audience: Audience{Orgs: []string{"named-org"}, Users: []string{"u-author"}}}, deny(CodeRedNotNamed)},
		{"a member of the energy sector does not see a TLP:RED warning for the energy sector", energy,
			Marking{TLP: Red, Audience: Audience{Sectors: []string{"energy"}}}, deny(CodeRedNotNamed)},
	} {
		o := object(KindWarning, tc.m)
		t.Run(tc.name, func(t *testing.T) { check(t, p.Decide(&tc.v, &o, now), tc.want) })
	}
}

func TestEmptyAudienceReachesNobodyButTheOwner(t *testing.T) {
	p := openPolicy(t)
	for _, tlp := range []TLP{Green, Amber, AmberStrict} {
		o := object(KindWarning, Marking{TLP: tlp})
		t.Run("a member does not see a "+tlp.String()+" warning without audience", func(t *testing.T) {
			v := member("u-n1", "named-org", "finance")
			check(t, p.Decide(&v, &o, now), deny(CodeAudienceEmpty))
		})
		t.Run("the owner sees its "+tlp.String()+" warning without audience", func(t *testing.T) {
			v := member("u-colleague", "owner-org")
			check(t, p.Decide(&v, &o, now), wOwner)
		})
	}
	t.Run("everybody sees a TLP:CLEAR warning without audience", func(t *testing.T) {
		o := object(KindWarning, Marking{TLP: Clear})
		check(t, p.Decide(&Viewer{}, &o, now), wClear)
	})
}

func TestZeroValuesDeny(t *testing.T) {
	p := openPolicy(t)
	t.Run("a visitor does not see an object whose owner is not set", func(t *testing.T) {
		// Both OrgIDs are "": that must not make the public the owner.
		o := Object{Kind: KindWarning, Marking: Marking{TLP: Green, Audience: Audience{Community: true}}}
		check(t, p.Decide(&Viewer{}, &o, now), deny(CodePublic))
	})
	t.Run("a member does not see an object with a zero marking", func(t *testing.T) {
		o := object(KindWarning, Marking{})
		v := member("u-n1", "named-org")
		check(t, p.Decide(&v, &o, now), deny(CodeTLPUnknown))
	})
	t.Run("the owner sees its object with a zero marking, to fix it", func(t *testing.T) {
		o := object(KindWarning, Marking{})
		v := member("u-colleague", "owner-org")
		check(t, p.Decide(&v, &o, now), wOwner)
	})
	t.Run("a user without organisation does not see a GREEN community warning", func(t *testing.T) {
		o := object(KindWarning, Marking{TLP: Green, Audience: Audience{Community: true}})
		v := Viewer{Kind: ViewerUser, UserID: "u-x"}
		check(t, p.Decide(&v, &o, now), deny(CodeOrgNotActive))
	})
	t.Run("a token does not see a kind no scope is configured for, even of its own organisation", func(t *testing.T) {
		o := object(KindDocument, Marking{TLP: Clear})
		v := token("owner-org", "warnings:read", "intel:read", "incidents:read")
		check(t, p.Decide(&v, &o, now), deny(CodeTokenKind))
	})
}

func TestDrafts(t *testing.T) {
	p := openPolicy(t)
	draft := object(KindIncident, Marking{TLP: Green, Audience: Audience{Community: true}})
	draft.Draft = true
	clearDraft := object(KindWarning, Marking{TLP: Clear})
	clearDraft.Draft = true
	for _, tc := range []struct {
		name string
		v    Viewer
		o    Object
		want want
	}{
		{"the author's colleague sees the organisation's draft incident report", member("u-colleague", "owner-org"), draft, wOwner},
		{"a member of the community does not see a draft shared with the community", member("u-n1", "named-org"), draft, deny(CodeDraft)},
		{"an office analyst does not see an incident report before it is submitted", officeUser("u-analyst", RoleAnalyst), draft, deny(CodeDraft)},
		{"a visitor does not see a TLP:CLEAR draft warning", Viewer{}, clearDraft, deny(CodeDraft)},
		{"an office publisher sees a member's TLP:CLEAR draft warning", officeUser("u-publisher", RolePublisher), clearDraft, wRole},
		{"a suspended office's publisher does not see a member's draft warning", with(officeUser("u-publisher", RolePublisher), func(v *Viewer) { v.OrgStatus = StatusSuspended }), clearDraft, deny(CodeOrgSuspended)},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, p.Decide(&tc.v, &tc.o, now), tc.want) })
	}
}

func TestOfficeRoles(t *testing.T) {
	// Member objects shared with named-org only, so the office is not in the
	// audience, and office objects.
	amber := Marking{TLP: Amber, Audience: Audience{Orgs: []string{"named-org"}}}
	redNamingAnalyst := Marking{TLP: Red, Audience: Audience{Users: []string{"u-author", "u-analyst"}}}
	redNotNaming := Marking{TLP: Red, Audience: Audience{Users: []string{"u-author"}}}
	incident := object(KindIncident, amber)
	redIncident := object(KindIncident, redNotNaming)
	redIncidentNamed := object(KindIncident, redNamingAnalyst)
	warningDraft := object(KindWarning, amber)
	warningDraft.Draft = true
	assessment := object(KindAssessment, amber)
	assessmentDraft := assessment
	assessmentDraft.Draft = true
	document := object(KindDocument, amber)

	officeDraft := Object{Kind: KindWarning, OwnerOrg: "office", CreatedBy: "u-writer", Draft: true, Marking: amber}
	officeWarning := officeDraft
	officeWarning.Draft = false

	analyst := officeUser("u-analyst", RoleAnalyst)
	publisher := officeUser("u-publisher", RolePublisher)
	assessor := officeUser("u-assessor", RoleAssessor)
	admin := officeUser("u-admin", RoleOfficeAdmin)
	reviewer := officeUser("u-reviewer", RoleReviewer)
	writer := officeUser("u-writer", RoleAnalyst)
	all := officeUser("u-all", RoleOfficeAdmin, RoleReviewer, RoleAssessor, RolePublisher, RoleAnalyst)
	notOffice := with(member("u-n2", "named-org"), func(v *Viewer) { v.OfficeRoles = Roles(RoleAnalyst) })

	for _, p := range []struct {
		name string
		p    *Policy
	}{{"open alliance", openPolicy(t)}, {"designated hub", hubPolicy(t)}} {
		confIncident := incident
		confIncident.Marking.Confidential = true
		confIncident.Marking.Identifiable = true
		for _, tc := range []struct {
			name string
			v    Viewer
			o    Object
			want want
		}{
			{"an analyst sees an incident report not shared with the office", analyst, incident, wRole},
			{"an analyst sees a confidential, identifiable incident report: the office is the hub, not a recipient", analyst, confIncident, wRole},
			{"an analyst does not see a TLP:RED incident report without being named", analyst, redIncident, deny(CodeRedNotNamed)},
			{"an analyst sees a TLP:RED incident report naming them", analyst, redIncidentNamed, wUser},
			{"an analyst does not see a member's draft warning", analyst, warningDraft, deny(CodeDraft)},
			{"an analyst does not see an assessment", analyst, assessment, deny(CodeAudienceNotIncl)},
			{"a publisher sees a member's draft warning", publisher, warningDraft, wRole},
			{"a publisher does not see an incident report", publisher, incident, deny(CodeAudienceNotIncl)},
			{"an assessor sees an assessment", assessor, assessment, wRole},
			{"an assessor sees a draft assessment", assessor, assessmentDraft, wRole},
			{"an assessor does not see an incident report", assessor, incident, deny(CodeAudienceNotIncl)},
			{"the office admin does not see an incident report", admin, incident, deny(CodeAudienceNotIncl)},
			{"the office admin does not see a member's draft warning", admin, warningDraft, deny(CodeDraft)},
			{"a reviewer does not see an assessment", reviewer, assessment, deny(CodeAudienceNotIncl)},
			{"a user holding every office role does not see a document not shared with the office", all, document, deny(CodeAudienceNotIncl)},
			{"a user holding every office role does not see a TLP:RED incident report without being named", all, redIncident, deny(CodeRedNotNamed)},
			{"a member holding an office role by mistake sees an incident report only because its organisation is named", notOffice, incident, wOrg},
			{"the author of an office draft sees it", writer, officeDraft, wOwner},
			{"another publisher sees an office draft warning", publisher, officeDraft, wRole},
			{"an analyst who did not write an office draft warning does not see it", analyst, officeDraft, deny(CodeOfficeDraft)},
			{"the office admin does not see an office draft warning", admin, officeDraft, deny(CodeOfficeDraft)},
			{"the office admin sees the office's published warning", admin, officeWarning, wOwner},
			{"a reviewer sees the office's published warning", reviewer, officeWarning, wOwner},
		} {
			t.Run(tc.name+" ("+p.name+")", func(t *testing.T) { check(t, p.p.Decide(&tc.v, &tc.o, now), tc.want) })
		}
	}
	t.Run("a user of named-org holding the analyst role by mistake sees only what named-org sees", func(t *testing.T) {
		// Role grants need IsOffice; the incident is shared with named-org.
		o := object(KindIncident, Marking{TLP: Amber, Audience: Audience{Orgs: []string{"other-org"}}})
		check(t, openPolicy(t).Decide(&notOffice, &o, now), deny(CodeAudienceNotIncl))
	})
}

func TestOfficeGrantsAreConfigurable(t *testing.T) {
	c := DefaultConfig()
	c.OfficeGrants = append(c.OfficeGrants, OfficeGrant{Role: RoleReviewer, Kind: "application"})
	p := mustPolicy(t, c)
	o := object("application", Marking{TLP: Amber, Audience: Audience{Orgs: []string{"named-org"}}})
	v := officeUser("u-reviewer", RoleReviewer)
	t.Run("a reviewer sees an application once the installation grants it", func(t *testing.T) {
		check(t, p.Decide(&v, &o, now), wRole)
	})
	t.Run("a reviewer does not see a draft application, the grant not covering drafts", func(t *testing.T) {
		d := o
		d.Draft = true
		check(t, p.Decide(&v, &d, now), deny(CodeDraft))
	})
}
