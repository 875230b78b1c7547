package designation_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func TestSaveMarking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		circle := f.circle(t, f.officeAdmin, "Energy", false)
		author := f.csirtAdmin.User.ID
		save := func(kind, id, owner, by string, m policy.Marking) error {
			return db.Designation().Update(ctx, func(tx designation.Tx) error {
				return designation.SaveMarking(ctx, tx, kind, id, owner, by, m)
			})
		}
		m := policy.Marking{TLP: policy.Amber, Confidential: true, Purpose: policy.PurposeInformUsers, Audience: policy.Audience{
			Sectors: []string{"water", "energy", "energy"}, Circles: []string{circle.ID},
			Orgs: []string{f.isp.ID, f.csirt.ID}, Users: []string{f.ispAdmin.User.ID}}}
		if err := save(policy.KindIndicator, "ind-1", f.csirt.ID, author, m); err != nil {
			t.Fatal(err)
		}
		got, err := db.Marking(ctx, policy.KindIndicator, "ind-1")
		if err != nil {
			t.Fatal(err)
		}
		want := m
		want.Audience.Sectors = []string{"energy", "water"}
		want.Audience.Orgs = slices.Sorted(slices.Values([]string{f.isp.ID, f.csirt.ID}))
		if !reflect.DeepEqual(got.Marking, want) || got.OwnerOrg != f.csirt.ID || got.CreatedBy != author {
			t.Errorf("Marking = %+v\nwant %+v", got, want)
		}
		if o := got.Object(true); o.Kind != policy.KindIndicator || o.ID != "ind-1" || !o.Draft || o.OwnerOrg != f.csirt.ID {
			t.Errorf("Object = %+v", o)
		}

		// Saving again replaces the marking with its whole audience.
		red := policy.Marking{TLP: policy.Red, Audience: policy.Audience{Users: []string{author}}}
		if err := save(policy.KindIndicator, "ind-1", f.csirt.ID, author, red); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Marking(ctx, policy.KindIndicator, "ind-1"); !reflect.DeepEqual(got.Marking, red) {
			t.Errorf("after replacing: %+v", got.Marking)
		}
		// The same id of another kind is another object.
		_, err = db.Marking(ctx, policy.KindWarning, "ind-1")
		wantErr(t, err, verbund.NotFound, "")

		for _, tc := range []struct {
			name            string
			kind, id, owner string
			m               policy.Marking
			fields          []string
		}{
			{"RED without named users", "warning", "w", f.office.ID, policy.Marking{TLP: policy.Red}, []string{"audience.users"}},
			{"RED without its author", "warning", "w", f.csirt.ID, policy.Marking{TLP: policy.Red, Audience: policy.Audience{Users: []string{f.ispAdmin.User.ID}}}, []string{"audience.users"}},
			{"no TLP", "warning", "w", f.office.ID, policy.Marking{Audience: policy.Audience{Community: true}}, []string{"tlp"}},
			{"an unknown circle", "warning", "w", f.office.ID, policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Circles: []string{circle.ID, "c-missing"}}}, []string{"audience.circles"}},
			{"an unknown organisation", "warning", "w", f.office.ID, policy.Marking{TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{"o-missing"}}}, []string{"audience.orgs"}},
			{"an unknown user", "warning", "w", f.office.ID, policy.Marking{TLP: policy.Green, Audience: policy.Audience{Users: []string{"u-missing"}}}, []string{"audience.users"}},
			{"an unknown sector", "warning", "w", f.office.ID, policy.Marking{TLP: policy.Green, Audience: policy.Audience{Sectors: []string{"gardening"}}}, []string{"audience.sectors"}},
			{"an unknown owner", "warning", "w", "o-missing", policy.Marking{TLP: policy.Clear}, []string{"owner_org"}},
			{"no kind, no id, no owner", "", "", "", policy.Marking{TLP: policy.Clear}, []string{"kind", "object_id", "owner_org"}},
			{"several problems at once", "warning", "w", f.office.ID, policy.Marking{TLP: policy.Amber, Identifiable: true,
				Audience: policy.Audience{Community: true, Orgs: []string{"o-missing"}}}, []string{"audience.community", "audience.orgs", "confidential"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				by := ""
				if tc.owner == f.csirt.ID {
					by = author
				}
				err := save(tc.kind, tc.id, tc.owner, by, tc.m)
				wantErr(t, err, verbund.Invalid, "marking-invalid", tc.fields...)
			})
		}
		_, err = db.Marking(ctx, policy.KindWarning, "w")
		wantErr(t, err, verbund.NotFound, "")
	})
}
