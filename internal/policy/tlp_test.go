package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/verbund/verbund"
)

func TestParseTLP(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TLP
	}{
		{"TLP:CLEAR", Clear},
		{"clear", Clear},
		{"tlp:green", Green},
		{"TLP:AMBER", Amber},
		{"TLP:AMBER+STRICT", AmberStrict},
		{"amber+strict", AmberStrict},
		{"  Tlp: Red ", Red},
	} {
		t.Run(tc.in+" reads as "+tc.want.String(), func(t *testing.T) {
			got, err := ParseTLP(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseTLP(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		in, msg string
	}{
		{"TLP:WHITE", "TLP:CLEAR"},
		{"white", "TLP:CLEAR"},
		{"AMBER STRICT", "AMBER+STRICT"},
		{"", "unknown TLP label"},
		{"TLP:", "unknown TLP label"},
		{"TLP:TLP:RED", "unknown TLP label"},
	} {
		t.Run(quote(tc.in)+" is refused with a message naming "+tc.msg, func(t *testing.T) {
			_, err := ParseTLP(tc.in)
			if !verbund.IsKind(err, verbund.Invalid) {
				t.Fatalf("err = %v, want an Invalid error", err)
			}
			if !strings.Contains(verbund.ErrorMessage(err), tc.msg) {
				t.Errorf("message %q does not mention %q", verbund.ErrorMessage(err), tc.msg)
			}
		})
	}
}

func TestTLPOrder(t *testing.T) {
	levels := []TLP{Clear, Green, Amber, AmberStrict, Red}
	for i, a := range levels {
		for j, b := range levels {
			if got := a.Wider(b); got != (i < j) {
				t.Errorf("%v.Wider(%v) = %v", a, b, got)
			}
			if got := a.Narrower(b); got != (i > j) {
				t.Errorf("%v.Narrower(%v) = %v", a, b, got)
			}
		}
		if TLP(0).Wider(a) || TLP(0).Narrower(a) || a.Wider(0) || a.Narrower(0) {
			t.Errorf("an unset level compares with %v", a)
		}
	}
}

func TestTLPText(t *testing.T) {
	t.Run("a marking round-trips through JSON as its TLP 2.0 label", func(t *testing.T) {
		b, err := json.Marshal(struct{ TLP TLP }{AmberStrict})
		if err != nil || string(b) != `{"TLP":"TLP:AMBER+STRICT"}` {
			t.Fatalf("Marshal = %s, %v", b, err)
		}
		var got struct{ TLP TLP }
		if err := json.Unmarshal(b, &got); err != nil || got.TLP != AmberStrict {
			t.Fatalf("Unmarshal = %v, %v", got.TLP, err)
		}
	})
	t.Run("an unset level is not written out", func(t *testing.T) {
		if _, err := json.Marshal(struct{ TLP TLP }{}); err == nil {
			t.Fatal("an unset TLP marshalled")
		}
	})
	t.Run("a TLP 1.0 feed is refused on reading", func(t *testing.T) {
		var got struct{ TLP TLP }
		if err := json.Unmarshal([]byte(`{"TLP":"TLP:WHITE"}`), &got); err == nil {
			t.Fatal("TLP:WHITE accepted")
		}
	})
	t.Run("labels have no prefix", func(t *testing.T) {
		if AmberStrict.Label() != "AMBER+STRICT" || TLP(9).Label() != "" || TLP(9).String() != "TLP:UNKNOWN" {
			t.Fatal("wrong labels")
		}
	})
}

func FuzzParseTLP(f *testing.F) {
	for _, s := range []string{"TLP:CLEAR", "amber+strict", "WHITE", "", "tlp:", "TLP:RED\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTLP(s)
		if err != nil {
			if !verbund.IsKind(err, verbund.Invalid) || got != 0 {
				t.Fatalf("ParseTLP(%q) = %v, %v", s, got, err)
			}
			return
		}
		if !got.Valid() {
			t.Fatalf("ParseTLP(%q) = invalid level %d without error", s, got)
		}
		if again, err := ParseTLP(got.String()); err != nil || again != got {
			t.Fatalf("%v does not round-trip: %v, %v", got, again, err)
		}
	})
}
