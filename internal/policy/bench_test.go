package policy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// benchObjects returns n objects in a plausible mix: mostly GREEN and AMBER
// warnings, incidents and indicators for a few sectors, circles and
// organisations out of many, a quarter of them confidential, some RED.
func benchObjects(n int) []Object {
	r := rand.New(rand.NewPCG(1, 2))
	kinds := []string{KindWarning, KindIncident, KindIndicator, KindSTIX, KindDocument}
	sectors := []string{"energy", "finance", "health", "water", "transport", "digital-infrastructure"}
	objs := make([]Object, n)
	for i := range objs {
		m := Marking{TLP: []TLP{Clear, Green, Green, Amber, Amber, Amber, AmberStrict, Red}[r.IntN(8)]}
		a := &m.Audience
		switch m.TLP {
		case Green:
			a.Community = r.IntN(2) == 0
			fallthrough
		case Amber:
			a.Sectors = []string{sectors[r.IntN(len(sectors))]}
			if r.IntN(3) == 0 {
				a.Circles = []string{fmt.Sprint("circle-", r.IntN(20))}
			}
			fallthrough
		case AmberStrict:
			a.Orgs = []string{fmt.Sprint("org-", r.IntN(500)), fmt.Sprint("org-", r.IntN(500))}
			fallthrough
		case Red:
			a.Users = []string{fmt.Sprint("user-", r.IntN(5000))}
		}
		m.Confidential = m.TLP != Clear && r.IntN(4) == 0
		m.Identifiable = m.Confidential && r.IntN(3) == 0
		objs[i] = Object{
			Kind: kinds[r.IntN(len(kinds))], ID: fmt.Sprint("obj-", i),
			OwnerOrg: fmt.Sprint("org-", r.IntN(500)), CreatedBy: fmt.Sprint("user-", r.IntN(5000)),
			Draft: r.IntN(20) == 0, Marking: m,
		}
	}
	return objs
}

// benchViewer is a user of an energy organisation in two circles, with a
// sector-wide CSIRT designation.
func benchViewer() Viewer {
	var defs []CircleDef
	for i := range 20 {
		d := CircleDef{ID: fmt.Sprint("circle-", i), Orgs: []string{fmt.Sprint("org-", i*7)}}
		if i > 0 && i%5 != 0 {
			d.Circles = []string{fmt.Sprint("circle-", i-1)}
		}
		defs = append(defs, d)
	}
	circles := mustCircles(defs)
	return Viewer{
		Kind: ViewerUser, UserID: "user-42", OrgID: "org-7",
		OrgStatus: StatusActive, AcceptedCurrentAgreement: true,
		OrgSectors: NewSet("energy", "digital-infrastructure"), Circles: circles.Of("org-7"),
		Designations: []Designation{{Category: CategoryDesignatedCSIRT, SectorWide: true, ValidFrom: now.AddDate(-1, 0, 0), ValidUntil: now.AddDate(1, 0, 0)}},
	}
}

func BenchmarkDecide(b *testing.B) {
	objs := benchObjects(4096)
	hub, open := hubPolicy(b), openPolicy(b)
	v := benchViewer()
	tok := v
	tok.Kind, tok.UserID, tok.Scopes = ViewerToken, "", NewSet("warnings:read", "intel:read")
	analyst := officeUser("u-analyst", RoleAnalyst)
	for _, bc := range []struct {
		name string
		p    *Policy
		v    Viewer
	}{
		{"hub/member", hub, v},
		{"open/member", open, v},
		{"hub/token", hub, tok},
		{"hub/analyst", hub, analyst},
		{"hub/public", hub, Viewer{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			allowed := 0
			i := 0
			for b.Loop() {
				if bc.p.Decide(&bc.v, &objs[i&4095], now).Allow {
					allowed++
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			_ = allowed
		})
	}
}

func BenchmarkFilter100k(b *testing.B) {
	objs := benchObjects(100_000)
	p := hubPolicy(b)
	v := benchViewer()
	work := make([]Object, len(objs))
	kept := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		copy(work, objs)
		b.StartTimer()
		kept = len(p.Filter(&v, work, now))
	}
	b.ReportMetric(float64(kept), "kept")
}

// BenchmarkFilterFunc100k filters pointers, as a read path holding its own
// rows would; the input is rebuilt outside the timer.
func BenchmarkFilterFunc100k(b *testing.B) {
	objs := benchObjects(100_000)
	p := hubPolicy(b)
	v := benchViewer()
	ptrs := make([]*Object, len(objs))
	work := make([]*Object, len(objs))
	for i := range objs {
		ptrs[i] = &objs[i]
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		copy(work, ptrs)
		b.StartTimer()
		_ = FilterFunc(p, &v, work, func(o **Object) *Object { return *o }, now)
	}
	_ = slices.Clip(work)
}
