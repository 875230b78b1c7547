package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// FuzzParseLookupBatch checks that the body of a batch lookup is either
// refused as invalid input or read into at most cti.MaxLookupValues values.
func FuzzParseLookupBatch(f *testing.F) {
	for _, s := range []string{`{"values":["203.0.113.9","evil.example"]}`, `{"values":[]}`, `{}`, `{"values":[1]}`,
		`{"values":["a"]}{}`, `{"values":null}`, `[`, `{"values":["\u0000"],"x":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/intel/lookup", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		values, err := parseLookupBatch(r)
		if err != nil {
			if !verbund.IsKind(err, verbund.Invalid) {
				t.Fatalf("error of kind %v: %v", verbund.ErrorKind(err), err)
			}
			return
		}
		if values == nil || len(values) > cti.MaxLookupValues {
			t.Fatalf("%d values accepted", len(values))
		}
	})
}
