package taxii_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// tokenPrincipal returns the principal of the token named.
func (a *alliance) tokenPrincipal(name string) identity.Principal {
	a.t.Helper()
	p, err := a.ids.AuthenticateToken(a.t.Context(), a.tokens[name])
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

// lookup runs LookupMany as the token named and renders each answer as
// "type value: id via, …" or "error".
func (a *alliance) lookup(token string, values ...string) []string {
	a.t.Helper()
	p := a.tokenPrincipal(token)
	rs, err := a.svc.LookupMany(a.t.Context(), p, a.viewerOf(p), values)
	if err != nil {
		a.t.Fatal(err)
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		if r.Err != nil {
			if !verbund.IsKind(r.Err, verbund.Invalid) {
				a.t.Errorf("%q: error %v is not Invalid", r.Value, r.Err)
			}
			out[i] = "error"
			continue
		}
		var ms []string
		for _, m := range r.Matches {
			ms = append(ms, m.ID+" "+m.Name+" via "+m.Via.Value)
		}
		out[i] = r.Observable.Type + " " + r.Observable.Value + ": " + strings.Join(ms, ", ")
		if r.Truncated {
			out[i] += " …"
		}
	}
	return out
}

// Two organisations look up the same values and each gets exactly what the
// policy lets it see; an address is found through a block that contains
// it; a value that is no observable is an error of its own.
func TestLookupManyShares(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{})
		green, strict := "indicator--"+uuid4(), "indicator--"+uuid4()
		block, other := "indicator--"+uuid4(), "indicator--"+uuid4()
		a.post(a.shared, "office", indicator(green, 1, "", "198.51.100.7"), indicator(strict, 1, stix.TLP2AmberStrict, "198.51.100.7"))
		a.post(a.community, "office", indicator(block, 1, "", "203.0.113.0/24"), indicator(other, 1, "", "192.0.2.1"))
		// A later version of green is the one answered.
		a.post(a.shared, "office", strings.Replace(indicator(green, 2, "", "198.51.100.7"), "bad address", "very bad address", 1))

		values := []string{"198.51.100.7", "203.0.113.9", "no such thing!", "2001:db8::1", " 203.0.113.0/25 "}
		want := map[string][]string{
			"energy": {"ipv4-addr 198.51.100.7: " + green + " very bad address via 198.51.100.7",
				"ipv4-addr 203.0.113.9: " + block + " bad address via 203.0.113.0/24", "error", "ipv6-addr 2001:db8::1: ",
				"ipv4-addr 203.0.113.0/25: " + block + " bad address via 203.0.113.0/24"},
			"cert": {"ipv4-addr 198.51.100.7: " + sorted(green+" very bad address via 198.51.100.7", strict+" bad address via 198.51.100.7"),
				"ipv4-addr 203.0.113.9: " + block + " bad address via 203.0.113.0/24", "error", "ipv6-addr 2001:db8::1: ",
				"ipv4-addr 203.0.113.0/25: " + block + " bad address via 203.0.113.0/24"},
			// late has not signed the agreement: nothing but errors and
			// empty answers.
			"late": {"ipv4-addr 198.51.100.7: ", "ipv4-addr 203.0.113.9: ", "error", "ipv6-addr 2001:db8::1: ", "ipv4-addr 203.0.113.0/25: "},
		}
		for token, w := range want {
			if got := a.lookup(token, values...); fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("%s:\n got %q\nwant %q", token, got, w)
			}
		}
	})
}

// sorted joins two matches in the order of their ids, as answers come.
func sorted(x, y string) string {
	if y < x {
		x, y = y, x
	}
	return x + ", " + y
}

// A value that hundreds of indicators compare is answered with the first
// MaxLookupMatches of them and says so; a batch over the maximum is refused.
func TestLookupManyBounded(t *testing.T) {
	a := newAlliance(t, storetest.SQLite(t), taxii.Config{})
	var objs []string
	for range cti.MaxLookupMatches + 20 {
		objs = append(objs, indicator("indicator--"+uuid4(), 1, "", "198.51.100.99"))
	}
	a.post(a.community, "office", objs...)
	got := a.lookup("energy", "198.51.100.99")
	if n := strings.Count(got[0], "indicator--"); n != cti.MaxLookupMatches || !strings.HasSuffix(got[0], " …") {
		t.Errorf("%d matches, want %d and truncated: %.200s", n, cti.MaxLookupMatches, got[0])
	}
	p := a.tokenPrincipal("energy")
	_, err := a.svc.LookupMany(t.Context(), p, a.viewerOf(p), make([]string, cti.MaxLookupValues+1))
	if !verbund.IsKind(err, verbund.Invalid) {
		t.Errorf("a batch of %d values: %v, want Invalid", cti.MaxLookupValues+1, err)
	}
}
