package policy_test

import (
	"fmt"
	"time"

	"github.com/verbund/verbund/internal/policy"
)

func Example() {
	p, err := policy.New(policy.DefaultConfig())
	if err != nil {
		panic(err)
	}
	circles, err := policy.NewCircles([]policy.CircleDef{
		{ID: "grid-operators", Orgs: []string{"stadtwerke"}},
		{ID: "energy-isac", Circles: []string{"grid-operators"}},
	})
	if err != nil {
		panic(err)
	}
	// Built once per request from the session and the organisation.
	viewer := policy.Viewer{
		Kind: policy.ViewerUser, UserID: "anna", OrgID: "stadtwerke",
		OrgStatus: policy.StatusActive, AcceptedCurrentAgreement: true,
		OrgSectors: policy.NewSet("energy"), Circles: circles.Of("stadtwerke"),
	}
	warning := policy.Object{Kind: policy.KindWarning, ID: "w-1", OwnerOrg: "office",
		Marking: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Circles: []string{"energy-isac"}}}}
	report := policy.Object{Kind: policy.KindIncident, ID: "i-1", OwnerOrg: "hospital",
		Marking: policy.Marking{TLP: policy.Red, Audience: policy.Audience{Users: []string{"ben"}}}}

	now := time.Now()
	for _, o := range []policy.Object{warning, report} {
		d := p.Decide(&viewer, &o, now)
		fmt.Printf("%s: %v, %s\n", o.ID, d.Allow, d.Explain())
	}
	// Output:
	// w-1: true, shared with your circle energy-isac under TLP:AMBER
	// i-1: false, TLP:RED: only the people named on it may see it
}
