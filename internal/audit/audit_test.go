package audit

import (
	"context"
	"errors"
	"testing"
	"time"
)

func chain(n int) []Entry {
	var out []Entry
	prev := Entry{}
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)
	for i := range n {
		e := Entry{At: at.Add(time.Duration(i) * time.Minute), ActorUser: "u1", ActorOrg: "o1", Action: "auth.login",
			ObjectType: "user", ObjectID: "u1", Outcome: Success, RequestID: "r", IP: "192.0.2.1"}
		prev = e.Seal(prev)
		out = append(out, prev)
	}
	return out
}

func verify(es []Entry) (int64, error) {
	var v Verifier
	for _, e := range es {
		if err := v.Next(e); err != nil {
			return v.Count(), err
		}
	}
	return v.Count(), nil
}

func TestSealedChainVerifies(t *testing.T) {
	es := chain(5)
	if es[0].Seq != 1 || es[0].PrevHash != Genesis || es[4].Seq != 5 || es[4].PrevHash != es[3].Hash {
		t.Fatalf("chain not linked: %+v", es)
	}
	if es[0].At.Nanosecond()%1000 != 0 {
		t.Error("Seal must truncate the time to the stored microsecond precision")
	}
	if n, err := verify(es); err != nil || n != 5 {
		t.Fatalf("verify = %d, %v", n, err)
	}
}

func TestVerifierNamesTheFirstBrokenEntry(t *testing.T) {
	for _, c := range []struct {
		name   string
		tamper func([]Entry) []Entry
		seq    int64
	}{
		{"reason changed", func(es []Entry) []Entry { es[2].Reason = "nothing to see"; return es }, 3},
		{"outcome changed", func(es []Entry) []Entry { es[3].Outcome = Failure; return es }, 4},
		{"time changed", func(es []Entry) []Entry { es[1].At = es[1].At.Add(time.Second); return es }, 2},
		{"entry removed", func(es []Entry) []Entry { return append(es[:2], es[3:]...) }, 4},
		{"entries swapped", func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, 3},
		{"entry rehashed but not its successor", func(es []Entry) []Entry {
			es[1].Reason = "forged"
			es[1].Hash = es[1].ComputeHash()
			return es
		}, 3},
		{"first entry replaced", func(es []Entry) []Entry { es[0].PrevHash = "00"; es[0].Hash = es[0].ComputeHash(); return es }, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := verify(c.tamper(chain(5)))
			var br *Break
			if !errors.As(err, &br) || br.Seq != c.seq {
				t.Fatalf("got %v, want a break at entry %d", err, c.seq)
			}
		})
	}
}

// Fields cannot bleed into each other: moving text from one field to the
// next changes the hash.
func TestCanonicalIsUnambiguous(t *testing.T) {
	a := Entry{Seq: 1, Action: "auth.login", ObjectType: "user", ObjectID: "x"}
	b := Entry{Seq: 1, Action: "auth.login", ObjectType: "userx", ObjectID: ""}
	if a.ComputeHash() == b.ComputeHash() {
		t.Fatal("two different entries hash alike")
	}
}

func TestRequestTravelsInContext(t *testing.T) {
	ctx := WithRequest(context.Background(), Request{ID: "abc", IP: "2001:db8::1"})
	e := New(ctx, time.Now(), "x.y", Denied)
	if e.RequestID != "abc" || e.IP != "2001:db8::1" || e.Outcome != Denied {
		t.Fatalf("New = %+v", e)
	}
	if (RequestFrom(context.Background()) != Request{}) {
		t.Fatal("a bare context carries a request")
	}
}
