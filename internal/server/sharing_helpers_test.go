package server_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// indicatorJSON is a STIX 2.1 indicator with id that compares ip, created
// and modified at the time given.
func indicatorJSON(id, ip string, at time.Time) json.RawMessage {
	ts := cti.FormatTimestamp(at)
	return json.RawMessage(fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,`+
		`"name":"C2 server of a ransomware group","description":"Reported by soc@stadtwerke.example, +49 441 1234567",`+
		`"created_by_ref":"identity--0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35",`+
		`"pattern":"[ipv4-addr:value = '%s']","pattern_type":"stix","valid_from":%q}`, id, ts, ts, ip, ts))
}

// collection creates a collection of u's organisation with default m.
func (f *fixture) collection(t *testing.T, u identity.User, title string, m policy.Marking) cti.Collection {
	t.Helper()
	c, err := f.stix.CreateCollection(t.Context(), identity.SystemPrincipal(), cti.NewCollection{Title: title, OwnerOrg: u.OrgID, Default: m})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sharedIndicator stores an indicator added by u in a new collection of
// u's organisation marked m, and returns the collection and the id of the
// indicator's marking (kind policy.KindSTIX).
func (f *fixture) sharedIndicator(t *testing.T, u identity.User, m policy.Marking) (cti.Collection, string) {
	t.Helper()
	ctx := t.Context()
	c := f.collection(t, u, "Indicators "+identity.NewID()[:8], m)
	p := f.principal(t, u)
	v, err := f.door.Viewer(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	id := "indicator--" + uuid.NewString()
	st, err := f.stix.Add(ctx, p, &v, &c, []json.RawMessage{indicatorJSON(id, "203.0.113.7", at)})
	if err != nil || len(st.Successes) != 1 {
		t.Fatalf("adding the indicator: %v %+v", err, st.Failures)
	}
	return c, cti.MarkingID(c.ID, id, at)
}

// energyAmber is TLP:AMBER for the energy sector.
var energyAmber = policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}}

// accessRequestForPages stores an indicator of the member marked for the
// energy sector, which the office may not read, and a request for access
// to it by the office admin; it returns the marking id and the request.
func accessRequestForPages(t *testing.T, f *fixture) (string, string) {
	t.Helper()
	_, mid := f.sharedIndicator(t, f.orgAdmin, energyAmber)
	r, err := f.access.RequestAccess(t.Context(), f.principal(t, f.officeAdmin), policy.KindSTIX, mid, "We coordinate the response in the energy sector.")
	if err != nil {
		t.Fatal(err)
	}
	return mid, r.ID
}
