package policy

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("policy.seed", 0, "seed for the property tests; 0 picks one and logs it")

// rng returns a seeded generator and logs the seed, so that a failure can be
// replayed with -policy.seed.
func rng(t *testing.T) *rand.Rand {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -policy.seed=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// world is a small random alliance: few enough names that random audiences
// and viewers meet often.
type world struct {
	r       *rand.Rand
	orgs    []string
	sectors map[string][]string
	users   []string
	userOrg map[string]string
	circles *Circles
	cids    []string
}

var (
	sectorNames = []string{"energy", "finance", "health"}
	kinds       = []string{KindWarning, KindIncident, KindIndicator, KindAssessment, KindDocument}
	scopeNames  = []string{"warnings:read", "incidents:read", "intel:read"}
	statuses    = []OrgStatus{StatusActive, StatusActive, StatusActive, StatusPending, StatusSuspended, StatusTerminated, "", "bogus"}
	purposes    = []string{"", "", PurposeInformUsers, "bogus"}
)

func newWorld(r *rand.Rand) *world {
	w := &world{r: r, sectors: map[string][]string{}, userOrg: map[string]string{}}
	w.orgs = []string{"office", "o1", "o2", "o3", "o4", "o5"}
	for _, o := range w.orgs {
		w.sectors[o] = w.subset(sectorNames)
	}
	for i := range 10 {
		u := fmt.Sprint("u", i)
		w.users = append(w.users, u)
		w.userOrg[u] = w.orgs[i%len(w.orgs)]
	}
	w.cids = []string{"c1", "c2", "c3", "c4"}
	var defs []CircleDef
	for _, id := range w.cids {
		defs = append(defs, CircleDef{ID: id, Orgs: w.subset(w.orgs[1:]), Circles: w.subset(w.cids)}) // cycles welcome
	}
	w.circles = mustCircles(defs)
	return w
}

// subset returns each item with probability 1/3.
func (w *world) subset(items []string) []string {
	var s []string
	for _, it := range items {
		if w.r.IntN(3) == 0 {
			s = append(s, it)
		}
	}
	return s
}

func (w *world) pick(items []string) string { return items[w.r.IntN(len(items))] }

func (w *world) instant() time.Time {
	if w.r.IntN(3) == 0 {
		return time.Time{}
	}
	return now.Add(time.Duration(w.r.IntN(200)-100) * time.Hour)
}

func (w *world) viewer() Viewer {
	var v Viewer
	switch n := w.r.IntN(10); {
	case n < 2:
		return v // the public
	case n < 7:
		v.Kind = ViewerUser
		v.UserID = w.pick(w.users)
		v.OrgID = w.userOrg[v.UserID]
	default:
		v.Kind = ViewerToken
		v.OrgID = w.pick(w.orgs)
		v.Scopes = NewSet(w.subset(scopeNames)...)
	}
	v.OrgStatus = statuses[w.r.IntN(len(statuses))]
	v.AcceptedCurrentAgreement = w.r.IntN(5) != 0
	v.OrgSectors = NewSet(w.sectors[v.OrgID]...)
	v.Circles = w.circles.Of(v.OrgID)
	v.IsOffice = v.OrgID == "office"
	if v.Kind == ViewerUser && (v.IsOffice || w.r.IntN(10) == 0) {
		v.OfficeRoles = Roles(w.r.IntN(32))
	}
	for range w.r.IntN(3) {
		v.Designations = append(v.Designations, Designation{
			Category:   Category(w.r.IntN(5)),
			SectorWide: w.r.IntN(2) == 0,
			ValidFrom:  w.instant(), ValidUntil: w.instant(), RevokedAt: w.instant(),
		})
	}
	return v
}

func (w *world) marking() Marking {
	m := Marking{TLP: TLP(w.r.IntN(6))}
	if w.r.IntN(6) == 0 {
		m.TLP = TLP(w.r.IntN(10)) // now and then no level, or an impossible one
	}
	m.Audience = Audience{
		Community: w.r.IntN(4) == 0,
		Sectors:   w.subset(sectorNames),
		Circles:   w.subset(w.cids),
		Orgs:      w.subset(w.orgs),
		Users:     w.subset(w.users),
	}
	m.Confidential = w.r.IntN(2) == 0
	m.Identifiable = w.r.IntN(3) == 0
	m.Purpose = purposes[w.r.IntN(len(purposes))]
	return m
}

// validMarking is a marking Validate accepts: the audience fits the level.
func (w *world) validMarking() Marking {
	m := Marking{TLP: TLP(1 + w.r.IntN(5))}
	a := &m.Audience
	switch m.TLP {
	case Green:
		a.Community = w.r.IntN(3) == 0
		fallthrough
	case Amber:
		a.Sectors, a.Circles = w.subset(sectorNames), w.subset(w.cids)
		fallthrough
	case AmberStrict:
		a.Orgs = w.subset(w.orgs)
		fallthrough
	case Red:
		a.Users = w.subset(w.users)
		if a.IsEmpty() || (m.TLP == Red && len(a.Users) == 0) || (m.TLP == AmberStrict && len(a.Orgs)+len(a.Users) == 0) {
			a.Users = []string{w.pick(w.users)}
		}
	}
	if m.TLP != Clear {
		m.Confidential = w.r.IntN(2) == 0
		m.Identifiable = m.Confidential && w.r.IntN(3) == 0
	}
	if w.r.IntN(3) == 0 {
		m.Purpose = PurposeInformUsers
	}
	return m
}

func (w *world) object(m Marking) Object {
	o := Object{Kind: w.pick(kinds), ID: "x", OwnerOrg: w.pick(w.orgs), Draft: w.r.IntN(5) == 0, Marking: m}
	if w.r.IntN(4) != 0 {
		o.CreatedBy = w.pick(w.users)
	}
	return o
}

// narrow derives a marking from m the way a careful relayer would: raise the
// level, drop parts of the audience, add flags. Sometimes it then slips.
func (w *world) narrow(m Marking) Marking {
	d := m
	if w.r.IntN(2) == 0 && d.TLP.Valid() && d.TLP < Red {
		d.TLP += TLP(1 + w.r.IntN(int(Red-d.TLP)))
	}
	keep := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if w.r.IntN(3) != 0 {
				out = append(out, id)
			}
		}
		return out
	}
	d.Audience = Audience{
		Community: m.Audience.Community && w.r.IntN(2) == 0,
		Sectors:   keep(m.Audience.Sectors), Circles: keep(m.Audience.Circles),
		Orgs: keep(m.Audience.Orgs), Users: keep(m.Audience.Users),
	}
	d.Confidential = m.Confidential || w.r.IntN(4) == 0
	d.Identifiable = m.Identifiable || w.r.IntN(4) == 0
	if w.r.IntN(3) == 0 {
		d.Purpose = ""
	}
	switch w.r.IntN(8) { // a slip: the property must hold whatever Widens says
	case 0:
		d.Audience.Orgs = append(d.Audience.Orgs, w.pick(w.orgs))
	case 1:
		d.Audience.Community = true
	case 2:
		d.Confidential = false
	case 3:
		d.Purpose = PurposeInformUsers
	}
	return d
}

func bothRegimes(t *testing.T) []*Policy { return []*Policy{openPolicy(t), hubPolicy(t)} }

// (a) A derived marking that Widens does not object to reaches nobody the
// original does not reach — for every viewer, in both regimes.
func TestPropertyRelayNeverWidens(t *testing.T) {
	w := newWorld(rng(t))
	policies := bothRegimes(t)
	var pairs, accepted, checked, reached int
	for range 20000 {
		orig := w.marking()
		if w.r.IntN(2) == 0 {
			orig = w.validMarking()
			if err := Validate(orig); err != nil {
				t.Fatalf("validMarking made an invalid marking: %v", err)
			}
		}
		var derived Marking
		if w.r.IntN(4) == 0 {
			derived = w.marking()
		} else {
			derived = w.narrow(orig)
		}
		pairs++
		relayOK := CheckRelay(orig, derived) == nil
		widens := Widens(orig, derived)
		if relayOK && widens {
			t.Fatalf("CheckRelay accepts what Widens refuses:\n original %+v\n derived  %+v", orig, derived)
		}
		if widens {
			continue
		}
		if relayOK {
			accepted++
		}
		base := w.object(orig)
		copy := base
		copy.Marking = derived
		for range 20 {
			v := w.viewer()
			for _, p := range policies {
				checked++
				dd := p.Decide(&v, &copy, now)
				if !dd.Allow {
					continue
				}
				reached++
				if od := p.Decide(&v, &base, now); !od.Allow {
					t.Fatalf("the derived marking reaches a viewer the original does not (hub %v):\n viewer   %+v\n original %+v → %v\n derived  %+v → %v",
						p.Hub(), v, orig, od, derived, dd)
				}
			}
		}
	}
	t.Logf("%d pairs, %d accepted by CheckRelay, %d decisions, %d allowed through a derived marking", pairs, accepted, checked, reached)
	if accepted < pairs/10 || reached < checked/20 {
		t.Fatalf("the property is nearly vacuous: %d of %d accepted, %d of %d allowed", accepted, pairs, reached, checked)
	}
}

// (b) A viewer that sees an object only through its designation loses it at
// the instant the designation expires or is revoked, and does not get it
// back later.
func TestPropertyDesignationLapses(t *testing.T) {
	w := newWorld(rng(t))
	p := hubPolicy(t)
	var cases int
	for range 50000 {
		v := w.viewer()
		v.Designations = nil
		o := w.object(w.marking())
		o.Marking.Confidential = true
		without := p.Decide(&v, &o, now)
		if without.Allow || without.Step != StepLegal {
			continue // not a case of "only via a designation"
		}
		d := Designation{Category: Category(1 + w.r.IntN(4)), SectorWide: w.r.IntN(2) == 0,
			ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Duration(1+w.r.IntN(1000)) * time.Minute)}
		end, code := d.ValidUntil, CodeDesignationExpired
		if w.r.IntN(2) == 0 {
			d.RevokedAt = now.Add(time.Duration(1+w.r.IntN(1000)) * time.Minute)
			if !d.RevokedAt.After(d.ValidUntil) {
				end, code = d.RevokedAt, CodeDesignationRevoked
			}
		}
		v.Designations = []Designation{d}
		if !p.Decide(&v, &o, now).Allow {
			continue // this designation does not carry this object
		}
		cases++
		if got := p.Decide(&v, &o, end.Add(-time.Nanosecond)); !got.Allow {
			t.Fatalf("denied a nanosecond before the designation lapses: %v\n viewer %+v\n object %+v", got, v, o)
		}
		for _, at := range []time.Time{end, end.Add(time.Nanosecond)} {
			got := p.Decide(&v, &o, at)
			if got.Allow || got.Step != StepLegal || got.Code != code {
				t.Fatalf("at %v (lapse %v): %v, want deny legal %s\n viewer %+v\n object %+v", at, end, got, code, v, o)
			}
		}
		// Much later it may be both expired and revoked; it stays denied.
		later := end.Add(time.Duration(1+w.r.IntN(1e6)) * time.Hour)
		if got := p.Decide(&v, &o, later); got.Allow || got.Step != StepLegal ||
			(got.Code != CodeDesignationExpired && got.Code != CodeDesignationRevoked) {
			t.Fatalf("at %v (lapse %v): %v, want deny legal, expired or revoked\n viewer %+v\n object %+v", later, end, got, v, o)
		}
	}
	t.Logf("%d objects seen only through a designation", cases)
	if cases < 100 {
		t.Fatalf("only %d cases: the property is nearly vacuous", cases)
	}
}

// (c) An organisation that is not active — suspended, terminated, pending or
// of unknown status — sees nothing but CLEAR that it does not own, whatever
// its roles, tokens or designations.
func TestPropertyInactiveOrgSeesOnlyClear(t *testing.T) {
	w := newWorld(rng(t))
	policies := bothRegimes(t)
	var activeWouldSee int
	for range 100000 {
		v := w.viewer()
		if v.Kind == ViewerPublic {
			continue
		}
		for v.OrgStatus == StatusActive {
			v.OrgStatus = statuses[w.r.IntN(len(statuses))]
		}
		o := w.object(w.marking())
		p := policies[w.r.IntN(2)]
		if d := p.Decide(&v, &o, now); d.Allow && o.Marking.TLP != Clear && o.OwnerOrg != v.OrgID {
			t.Fatalf("an organisation of status %q sees a %v object it does not own: %v\n viewer %+v\n object %+v",
				v.OrgStatus, o.Marking.TLP, d, v, o)
		}
		active := v
		active.OrgStatus = StatusActive
		if d := p.Decide(&active, &o, now); d.Allow && o.Marking.TLP != Clear && o.OwnerOrg != v.OrgID {
			activeWouldSee++
		}
	}
	if activeWouldSee < 1000 {
		t.Fatalf("the same viewers, active, would see only %d objects: the property is nearly vacuous", activeWouldSee)
	}
}

// (d) Default deny: an object whose marking was never set reaches nobody but
// its owner; an object without audience reaches nobody but its owner and the
// office roles whose task it is, unless it is CLEAR; the zero viewer sees
// only published CLEAR objects.
func TestPropertyDefaultDeny(t *testing.T) {
	w := newWorld(rng(t))
	policies := bothRegimes(t)
	var ownerSees int
	for range 100000 {
		v := w.viewer()
		p := policies[w.r.IntN(2)]
		owner := v.Kind != ViewerPublic && v.OrgID != ""

		o := w.object(Marking{})
		if w.r.IntN(4) == 0 {
			o.OwnerOrg = v.OrgID
		}
		d := p.Decide(&v, &o, now)
		if d.Allow && !(owner && v.OrgID == o.OwnerOrg) {
			t.Fatalf("a zero marking reaches a viewer that does not own it: %v\n viewer %+v\n object %+v", d, v, o)
		}
		if d.Allow {
			ownerSees++
		}

		m := w.marking()
		m.Audience = Audience{}
		e := w.object(m)
		if d := p.Decide(&v, &e, now); d.Allow && m.TLP != Clear && e.OwnerOrg != v.OrgID && d.Via != ViaOfficeRole {
			t.Fatalf("an object without audience reaches a viewer that does not own it: %v\n viewer %+v\n object %+v", d, v, e)
		}

		var public Viewer
		f := w.object(w.marking())
		if d := p.Decide(&public, &f, now); d.Allow && (f.Marking.TLP != Clear || f.Draft) {
			t.Fatalf("the public sees a %v object (draft %v): %v", f.Marking.TLP, f.Draft, d)
		}
		// A viewer whose kind nobody recognises is the public, whatever
		// else it claims.
		odd := v
		odd.Kind = ViewerKind(3 + w.r.IntN(250))
		if d := p.Decide(&odd, &f, now); d.Allow && (f.Marking.TLP != Clear || f.Draft) {
			t.Fatalf("a viewer of unknown kind sees a %v object (draft %v): %v\n viewer %+v\n object %+v", f.Marking.TLP, f.Draft, d, odd, f)
		}
	}
	if ownerSees < 1000 {
		t.Fatalf("owners saw their unmarked objects only %d times: the property is nearly vacuous", ownerSees)
	}
}

// Filter keeps exactly what Decide allows, in order.
func TestPropertyFilterAgreesWithDecide(t *testing.T) {
	w := newWorld(rng(t))
	p := hubPolicy(t)
	for range 200 {
		v := w.viewer()
		objs := make([]Object, 50)
		for i := range objs {
			objs[i] = w.object(w.marking())
			objs[i].ID = fmt.Sprint(i)
		}
		var want []string
		for i := range objs {
			if p.Decide(&v, &objs[i], now).Allow {
				want = append(want, objs[i].ID)
			}
		}
		got := p.Filter(&v, objs, now)
		if len(got) != len(want) {
			t.Fatalf("Filter kept %d, Decide allows %d", len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i] {
				t.Fatalf("Filter kept %s at %d, want %s", got[i].ID, i, want[i])
			}
		}
		for _, o := range objs[len(got):] {
			if o.ID != "" {
				t.Fatal("Filter left a removed object behind the result")
			}
		}
	}
}
