package federation_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/taxii/client"
	"github.com/verbund/verbund/internal/taxii/client/taxiitest"
)

// key is the credential key of the tests' installations.
var key = federation.KeyFrom([]byte("the installation secret of the tests"))

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)} }

// node returns a federation service of site, as one node of it runs it,
// connecting with the real TAXII client.
func node(t testing.TB, site *taxiitest.Site, name string, c *clock, connect federation.Connector) *federation.Service {
	t.Helper()
	if connect == nil {
		connect = client.Connector(client.Options{}, time.Millisecond, 5*time.Second)
	}
	svc, err := federation.NewService(federation.Config{Key: key, Connect: connect, Now: c.now, Node: name, PageSize: 2},
		site.DB.Federation(), site.Door, site.STIX, site.DB.Identity())
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// auditOf returns the audit entries of action.
func auditOf(t testing.TB, db *store.DB, action string) []audit.Entry {
	t.Helper()
	es, err := db.ListAudit(t.Context(), audit.Filter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// rawRow returns the stored form of remote id.
func rawRow(t testing.TB, db *store.DB, id string) federation.Stored {
	t.Helper()
	r, err := db.Federation().Remote(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func contains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
