package taxii_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
)

// indicators returns an envelope of n indicators with fresh ids, every
// other one TLP:AMBER+STRICT when strict is set.
func indicators(n int, strict bool) []byte {
	out := make([]string, n)
	for i := range out {
		marking := ""
		if strict && i%2 == 1 {
			marking = stix.TLP2AmberStrict
		}
		s := serial.Load()
		out[i] = indicator("indicator--"+uuid4(), 1, marking, fmt.Sprintf("10.%d.%d.%d", s>>16&255, s>>8&255, s&255))
	}
	return envelope(out...)
}

// BenchmarkIngest adds an envelope of 1000 indicators to a collection on
// SQLite, through the handler: parsing, markings, observables, status and
// audit entry in one transaction.
func BenchmarkIngest(b *testing.B) {
	a := newAlliance(b, storetest.SQLite(b), taxii.Config{})
	path := objectsPath(a.community)
	for b.Loop() {
		b.StopTimer()
		body := indicators(1000, false)
		b.StartTimer()
		r := a.req("POST", path, "energy", body)
		if r.status != http.StatusAccepted {
			b.Fatalf("POST: %d %s", r.status, r.body[:min(len(r.body), 300)])
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkPage100k pages through a collection of 100,000 indicators on
// SQLite, 1000 to a page, as an organisation that sees all of them (cert,
// named on the AMBER+STRICT half) and as one that sees half (finance,
// which AMBER+STRICT does not reach). Every version is decided by the
// policy. One op is the whole walk, as the handler serves it (the client's
// decoding is left out).
func BenchmarkPage100k(b *testing.B) {
	a := newAlliance(b, storetest.SQLite(b), taxii.Config{})
	for range 100 {
		r := a.req("POST", objectsPath(a.shared), "energy", indicators(1000, true))
		if r.status != http.StatusAccepted {
			b.Fatalf("seed: %d %s", r.status, r.body[:min(len(r.body), 300)])
		}
	}
	for _, tc := range []struct {
		who  string
		want int
	}{{"cert", 100000}, {"finance", 50000}} {
		b.Run(tc.who, func(b *testing.B) {
			pages := 0
			for b.Loop() {
				seen, next := 0, ""
				for {
					r := a.req("GET", objectsPath(a.shared)+"?limit=1000"+next, tc.who, nil)
					if r.status != http.StatusOK {
						b.Fatalf("GET: %d %s", r.status, r.body)
					}
					// The client's side is left out: the envelope begins
					// with more and next, and each object with its type.
					seen += bytes.Count(r.body, []byte(`{"type":"indicator"`))
					pages++
					rest, more := bytes.CutPrefix(r.body, []byte(`{"more":true,"next":"`))
					if !more {
						break
					}
					cursor, _, _ := bytes.Cut(rest, []byte(`"`))
					next = "&next=" + url.QueryEscape(string(cursor))
				}
				if seen != tc.want {
					b.Fatalf("%s saw %d objects, want %d", tc.who, seen, tc.want)
				}
			}
			b.ReportMetric(float64(b.N*tc.want)/b.Elapsed().Seconds(), "objects/s")
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(pages), "ms/page")
		})
	}
}
