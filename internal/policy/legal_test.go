package policy

import (
	"fmt"
	"testing"
	"time"
)

// The legal matrix: a user of named-org, to which an AMBER indicator is
// shared, so that only the legal step can deny. The hub allows every
// category but OKTT, to have a category that may not receive confidential
// information.
func TestLegalRegime(t *testing.T) {
	hubConf := DefaultConfig()
	hubConf.Regime = Regime{Mode: DesignatedHub, Confidential: []Category{CategoryEUNationalCSIRT, CategoryDesignatedCSIRT, CategoryISP}}
	hub := mustPolicy(t, hubConf)
	open := openPolicy(t)

	valid := func(c Category, sectorWide bool) Designation {
		return Designation{Category: c, SectorWide: sectorWide, ValidFrom: now.AddDate(-1, 0, 0), ValidUntil: now.AddDate(1, 0, 0)}
	}
	expired := valid(CategoryDesignatedCSIRT, true)
	expired.ValidUntil = now // at the very instant
	revoked := valid(CategoryDesignatedCSIRT, true)
	revoked.RevokedAt = now
	notYet := valid(CategoryDesignatedCSIRT, true)
	notYet.ValidFrom = now.Add(time.Second)
	expiredEU := valid(CategoryEUNationalCSIRT, false)
	expiredEU.ValidUntil = now.Add(-time.Hour)

	flags := []struct {
		name string
		m    func(*Marking)
	}{
		{"without flags", func(*Marking) {}},
		{"confidential", func(m *Marking) { m.Confidential = true }},
		{"confidential, identifiable", func(m *Marking) { m.Confidential, m.Identifiable = true, true }},
		{"confidential, to inform users", func(m *Marking) { m.Confidential, m.Purpose = true, PurposeInformUsers }},
		{"confidential, identifiable, to inform users", func(m *Marking) {
			m.Confidential, m.Identifiable, m.Purpose = true, true, PurposeInformUsers
		}},
	}
	ok := wOrg
	missing, wrongCat := deny(CodeDesignationMissing), deny(CodeDesignationCat)
	notSW, isp := deny(CodeNotSectorWide), deny(CodeISPPurpose)
	rows := []struct {
		name string
		ds   []Designation
		hub  [5]want // per flags column
	}{
		{"no designation", nil, [5]want{ok, missing, missing, missing, missing}},
		{"a designated CSIRT designation not serving a whole sector", []Designation{valid(CategoryDesignatedCSIRT, false)},
			[5]want{ok, ok, notSW, ok, notSW}},
		{"a sector-wide designated CSIRT designation", []Designation{valid(CategoryDesignatedCSIRT, true)},
			[5]want{ok, ok, ok, ok, ok}},
		{"an EU national CSIRT designation", []Designation{valid(CategoryEUNationalCSIRT, false)},
			[5]want{ok, ok, notSW, ok, notSW}},
		{"an ISP designation", []Designation{valid(CategoryISP, false)},
			[5]want{ok, isp, notSW, ok, notSW}},
		{"an OKTT designation, a category this hub does not allow", []Designation{valid(CategoryOKTT, false)},
			[5]want{ok, wrongCat, wrongCat, wrongCat, wrongCat}},
		{"a sector-wide CSIRT designation that expires this instant", []Designation{expired},
			[5]want{ok, deny(CodeDesignationExpired), deny(CodeDesignationExpired), deny(CodeDesignationExpired), deny(CodeDesignationExpired)}},
		{"a sector-wide CSIRT designation revoked this instant", []Designation{revoked},
			[5]want{ok, deny(CodeDesignationRevoked), deny(CodeDesignationRevoked), deny(CodeDesignationRevoked), deny(CodeDesignationRevoked)}},
		{"a sector-wide CSIRT designation valid from the next second", []Designation{notYet},
			[5]want{ok, deny(CodeDesignationNotYet), deny(CodeDesignationNotYet), deny(CodeDesignationNotYet), deny(CodeDesignationNotYet)}},
		{"an ISP and an EU national CSIRT designation", []Designation{valid(CategoryISP, false), valid(CategoryEUNationalCSIRT, false)},
			[5]want{ok, ok, notSW, ok, notSW}},
		{"a valid ISP and an expired EU national CSIRT designation", []Designation{valid(CategoryISP, false), expiredEU},
			[5]want{ok, deny(CodeDesignationExpired), notSW, ok, notSW}},
	}
	for _, r := range rows {
		v := member("u-n1", "named-org", "finance")
		v.Designations = r.ds
		for i, f := range flags {
			o := object(KindIndicator, Marking{TLP: Amber, Audience: Audience{Orgs: []string{"named-org"}}})
			f.m(&o.Marking)
			w := r.hub[i]
			t.Run(fmt.Sprintf("in a designated hub, an organisation with %s %s an AMBER indicator %s", r.name, verdict(w.allow()), f.name), func(t *testing.T) {
				d := hub.Decide(&v, &o, now)
				check(t, d, w)
				if !d.Allow && d.Step != StepLegal {
					t.Errorf("denied at step %s, want legal", d.Step)
				}
			})
			t.Run(fmt.Sprintf("in an open alliance, an organisation with %s sees an AMBER indicator %s", r.name, f.name), func(t *testing.T) {
				check(t, open.Decide(&v, &o, now), ok)
			})
		}
	}
}

func TestLegalRegimeSpares(t *testing.T) {
	hub := hubPolicy(t)
	conf := Marking{TLP: Amber, Audience: Audience{Orgs: []string{"named-org", "office", "owner-org"}}, Confidential: true, Identifiable: true}
	o := object(KindIndicator, conf)
	t.Run("the owner sees its own confidential, identifiable indicator without designation", func(t *testing.T) {
		v := member("u-colleague", "owner-org")
		check(t, hub.Decide(&v, &o, now), wOwner)
	})
	t.Run("the office sees a confidential, identifiable indicator shared with it without designation", func(t *testing.T) {
		v := officeUser("u-admin", RoleOfficeAdmin)
		check(t, hub.Decide(&v, &o, now), wOrg)
	})
	t.Run("a named organisation without designation does not see it", func(t *testing.T) {
		v := member("u-n1", "named-org")
		check(t, hub.Decide(&v, &o, now), deny(CodeDesignationMissing))
	})
	t.Run("a visitor does not see a confidential object wrongly marked CLEAR", func(t *testing.T) {
		c := object(KindWarning, Marking{TLP: Clear, Confidential: true})
		check(t, hub.Decide(&Viewer{}, &c, now), deny(CodeDesignationMissing))
	})
	t.Run("a designated recipient sees a confidential object wrongly marked CLEAR", func(t *testing.T) {
		c := object(KindWarning, Marking{TLP: Clear, Confidential: true})
		v := member("u-n1", "named-org")
		v.Designations = []Designation{{Category: CategoryOKTT}}
		check(t, hub.Decide(&v, &c, now), wClear)
	})
}

func TestDesignationValid(t *testing.T) {
	from := now.Add(-time.Hour)
	until := now.Add(time.Hour)
	d := Designation{Category: CategoryOKTT, ValidFrom: from, ValidUntil: until}
	for _, tc := range []struct {
		name string
		d    Designation
		at   time.Time
		want bool
	}{
		{"a designation is valid from its first instant", d, from, true},
		{"a designation is not valid a nanosecond before it starts", d, from.Add(-1), false},
		{"a designation is valid a nanosecond before it ends", d, until.Add(-1), true},
		{"a designation is no longer valid at the instant it ends", d, until, false},
		{"a designation without dates is valid", Designation{Category: CategoryISP}, now, true},
		{"a designation is no longer valid at the instant it is revoked", Designation{Category: CategoryISP, RevokedAt: now}, now, false},
		{"a designation revoked later is valid now", Designation{Category: CategoryISP, RevokedAt: now.Add(1)}, now, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Valid(tc.at); got != tc.want {
				t.Errorf("Valid = %v, want %v", got, tc.want)
			}
		})
	}
}
