package sharing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// The door lists through the store's pre-filter exactly what it would
// allow object by object.
func TestVisible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAccessFixture(t, db)
		ctx := t.Context()
		all := []string{"amber", "amber-2", "clear", "green", "identifiable", "office-green", "red", "strict"}
		for _, tc := range []struct {
			name string
			p    identity.Principal
			want []string
		}{
			{"the owner's admin, named on RED", f.ownerAdmin, all},
			{"a member of the owner", f.ownerMember, []string{"amber", "amber-2", "clear", "green", "identifiable", "office-green", "strict"}},
			{"the CERT", f.certUser, []string{"clear"}},
			{"the Bank, named on AMBER+STRICT", f.bankAdmin, []string{"clear", "strict"}},
			{"the public", identity.Principal{}, []string{"clear"}},
			{"a token with intel:read", f.certToken, []string{"clear"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v, err := f.door.Viewer(ctx, tc.p)
				if err != nil {
					t.Fatal(err)
				}
				ms, err := f.door.Visible(ctx, db, &v, policy.KindIndicator)
				if err != nil {
					t.Fatal(err)
				}
				var got, allowed []string
				for _, m := range ms {
					got = append(got, m.ObjectID)
				}
				for _, id := range all {
					if f.decide(t, tc.p, id).Allow {
						allowed = append(allowed, id)
					}
				}
				if !slices.Equal(got, tc.want) || !slices.Equal(got, allowed) {
					t.Errorf("Visible = %v, want %v; the policy allows %v", got, tc.want, allowed)
				}
				if ms, _ := f.door.Visible(ctx, db, &v, policy.KindWarning); len(ms) != 0 {
					t.Errorf("warnings: %v", ms)
				}
			})
		}
	})
}

// TestExistenceShows holds the rule of when a viewer may learn that an
// object it may not read exists.
func TestExistenceShows(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	open, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	hubCfg := policy.DefaultConfig()
	hubCfg.Regime = policy.HubRegime()
	hub, err := policy.New(hubCfg)
	if err != nil {
		t.Fatal(err)
	}
	member := func(mod func(*policy.Viewer)) policy.Viewer {
		v := policy.Viewer{Kind: policy.ViewerUser, UserID: "u-cert", OrgID: "o-cert", OrgStatus: policy.StatusActive,
			AcceptedCurrentAgreement: true, OrgSectors: policy.NewSet("ict-services"), Circles: policy.NewSet("c-csirts")}
		if mod != nil {
			mod(&v)
		}
		return v
	}
	object := func(m policy.Marking, mod func(*policy.Object)) policy.Object {
		o := policy.Object{Kind: policy.KindIndicator, ID: "x", OwnerOrg: "o-owner", Marking: m}
		if mod != nil {
			mod(&o)
		}
		return o
	}
	energy := policy.Audience{Sectors: []string{"energy"}}
	amber := policy.Marking{TLP: policy.Amber, Audience: energy}
	confidential := policy.Marking{TLP: policy.Amber, Confidential: true, Audience: energy}
	valid := policy.Designation{Category: policy.CategoryDesignatedCSIRT, ValidFrom: now.AddDate(-1, 0, 0), ValidUntil: now.AddDate(1, 0, 0)}
	expired := valid
	expired.ValidUntil = now.Add(-time.Hour)
	isp := policy.Designation{Category: policy.CategoryISP}
	withDes := func(ds ...policy.Designation) func(*policy.Viewer) {
		return func(v *policy.Viewer) { v.Designations = ds }
	}
	for _, tc := range []struct {
		name string
		pol  *policy.Policy
		v    policy.Viewer
		o    policy.Object
		want bool
	}{
		{"AMBER for another sector", open, member(nil), object(amber, nil), true},
		{"GREEN for another sector", open, member(nil), object(policy.Marking{TLP: policy.Green, Audience: energy}, nil), true},
		{"AMBER for another circle", open, member(nil), object(policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Circles: []string{"c-grid"}}}, nil), true},
		{"readable already", open, member(nil), object(policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}, nil), false},
		{"CLEAR", open, member(nil), object(policy.Marking{TLP: policy.Clear}, nil), false},
		{"AMBER+STRICT", open, member(nil), object(policy.Marking{TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{"o-bank"}}}, nil), false},
		{"RED", open, member(nil), object(policy.Marking{TLP: policy.Red, Audience: policy.Audience{Users: []string{"u-owner"}}}, nil), false},
		{"identifiable", open, member(nil), object(policy.Marking{TLP: policy.Amber, Confidential: true, Identifiable: true, Audience: energy}, nil), false},
		{"a draft", open, member(nil), object(amber, func(o *policy.Object) { o.Draft = true }), false},
		{"the owner", open, member(func(v *policy.Viewer) { v.OrgID = "o-owner" }), object(amber, nil), false},
		{"a token", open, member(func(v *policy.Viewer) {
			v.Kind, v.UserID, v.Scopes = policy.ViewerToken, "", policy.NewSet("intel:read")
		}), object(amber, nil), false},
		{"the public", open, policy.Viewer{}, object(amber, nil), false},
		{"agreement not accepted", open, member(func(v *policy.Viewer) { v.AcceptedCurrentAgreement = false }), object(amber, nil), false},
		{"a suspended organisation", open, member(func(v *policy.Viewer) { v.OrgStatus = policy.StatusSuspended }), object(amber, nil), false},
		{"confidential, open alliance", open, member(nil), object(confidential, nil), true},
		{"hub: confidential, no designation", hub, member(nil), object(confidential, nil), false},
		{"hub: confidential, designated", hub, member(withDes(valid)), object(confidential, nil), true},
		{"hub: confidential, designation expired", hub, member(withDes(expired)), object(confidential, nil), false},
		{"hub: confidential, ISP, not to inform users", hub, member(withDes(isp)), object(confidential, nil), false},
		{"hub: confidential, ISP, to inform users", hub, member(withDes(isp)), object(policy.Marking{TLP: policy.Amber, Confidential: true,
			Purpose: policy.PurposeInformUsers, Audience: energy}, nil), true},
		{"hub: not confidential, no designation", hub, member(nil), object(amber, nil), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			door := sharing.New(tc.pol, nil, nil, nil, nil, clock)
			if got := door.ExistenceShows(&tc.v, &tc.o); got != tc.want {
				t.Errorf("ExistenceShows = %v, want %v (the policy decides %v)", got, tc.want, door.Decide(&tc.v, &tc.o))
			}
		})
	}
}
