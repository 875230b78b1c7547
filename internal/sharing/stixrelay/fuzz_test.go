package stixrelay_test

import (
	"testing"
	"time"

	"github.com/verbund/verbund/internal/sharing/stixrelay"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// Marking ids come from users and API clients. Whatever they send, the
// parser does not panic, and what it accepts names itself again when
// written back.
func FuzzParseMarkingID(f *testing.F) {
	for _, s := range []string{
		"0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f@2026-11-02T09:30:00.000Z",
		"c/indicator--x@2026-11-02T09:30:00.123456Z", "c/a@b@2026-11-02T09:30:00Z", "/x@2026-11-02T09:30:00Z", "c/@", "", "@", "c/x@yesterday",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, id, v, ok := stixrelay.ParseMarkingID(s)
		if !ok {
			return
		}
		if c == "" || id == "" {
			t.Fatalf("%q: accepted with collection %q, id %q", s, c, id)
		}
		c2, id2, v2, ok := stixrelay.ParseMarkingID(cti.MarkingID(c, id, v))
		if !ok || c2 != c || id2 != id || !v2.Equal(v.Truncate(time.Microsecond)) {
			t.Fatalf("%q: written back as %q, read as %q %q %v %v", s, cti.MarkingID(c, id, v), c2, id2, v2, ok)
		}
	})
}
