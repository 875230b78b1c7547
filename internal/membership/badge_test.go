package membership_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/membership"
)

func TestBadgesAreSignedAndRevokedAtOnce(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		org, admin := f.member(t, "Stadtwerke", "stadtwerke.example")
		bs, err := f.svc.Badges(ctx, admin, org.ID)
		if err != nil || len(bs) != 1 {
			t.Fatalf("Badges = %+v, %v", bs, err)
		}
		b := bs[0]
		if len(b.ID) != 26 {
			t.Errorf("badge id %q: want 26 characters (128 random bits)", b.ID)
		}

		key, err := f.svc.BadgePublicKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := base64.StdEncoding.DecodeString(b.Signature)
		if !ed25519.Verify(key.Raw, []byte(b.Statement), sig) {
			t.Error("the statement does not verify with the published key")
		}
		if raw, _ := base64.StdEncoding.DecodeString(key.Base64); !bytes.Equal(raw, key.Raw) || len(raw) != 32 {
			t.Errorf("Base64 %q does not hold the raw key", key.Base64)
		}
		block, _ := pem.Decode([]byte(key.PEM))
		if block == nil || block.Type != "PUBLIC KEY" {
			t.Fatalf("PEM = %q", key.PEM)
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil || !bytes.Equal(pub.(ed25519.PublicKey), key.Raw) {
			t.Errorf("PEM key = %v, %v", pub, err)
		}
		again, _ := f.svc.BadgePublicKey(ctx)
		if again.Base64 != key.Base64 {
			t.Error("the badge key changed between calls: it is made once")
		}

		var st map[string]string
		if err := json.Unmarshal([]byte(b.Statement), &st); err != nil {
			t.Fatal(err)
		}
		want := `{"badge":"` + b.ID + `","organisation":"` + org.ID + `","status":"participant","since":"2026-11-23T09:00:00Z","issued":"2026-11-23T09:00:00Z"}`
		if b.Statement != want {
			t.Errorf("statement = %s\nwant        %s", b.Statement, want)
		}

		chk, err := f.svc.VerifyBadge(ctx, " "+strings.ToUpper(b.ID)+" ")
		if err != nil || !chk.Valid || chk.Revoked || chk.OrgName != "Stadtwerke" || chk.Status != membership.Participant {
			t.Errorf("VerifyBadge = %+v, %v", chk, err)
		}
		for _, id := range []string{"", "nope", strings.Repeat("a", 26), "../../etc/passwd"} {
			_, err := f.svc.VerifyBadge(ctx, id)
			wantErr(t, err, verbund.NotFound, "")
		}

		// A row somebody slipped into the database is not signed by us.
		forged := b
		forged.ID = strings.Repeat("b", 25) + "a"
		forged.Statement = membership.Statement(forged.ID, org.ID, membership.Partner, b.Since, b.IssuedAt)
		forged.Status = membership.Partner
		if err := f.db.Membership().Update(ctx, func(tx membership.Tx) error { return tx.CreateBadge(ctx, forged) }); err != nil {
			t.Fatal(err)
		}
		if chk, err := f.svc.VerifyBadge(ctx, forged.ID); err != nil || chk.Valid {
			t.Errorf("forged badge = %+v, %v; want not valid", chk, err)
		}
		swapped := b
		swapped.ID = strings.Repeat("c", 25) + "a" // a genuine statement of another badge
		if err := f.db.Membership().Update(ctx, func(tx membership.Tx) error { return tx.CreateBadge(ctx, swapped) }); err != nil {
			t.Fatal(err)
		}
		if chk, _ := f.svc.VerifyBadge(ctx, swapped.ID); chk.Valid {
			t.Error("a copied statement verifies for another badge id")
		}

		f.clk.Add(time.Hour)
		if err := f.svc.Suspend(ctx, f.admin, org.ID, "investigation"); err != nil {
			t.Fatal(err)
		}
		chk, _ = f.svc.VerifyBadge(ctx, b.ID)
		if chk.Valid || !chk.Revoked || !chk.RevokedAt.Equal(f.clk.Now()) {
			t.Errorf("after suspension = %+v, want revoked at once", chk)
		}
		f.clk.Add(time.Hour)
		if err := f.svc.Reinstate(ctx, f.admin, org.ID, "cleared"); err != nil {
			t.Fatal(err)
		}
		bs, _ = f.svc.Badges(ctx, admin, org.ID)
		if len(bs) != 4 || bs[0].Revoked() || bs[0].ID == b.ID || !bs[0].Since.Equal(b.Since) || !bs[0].IssuedAt.Equal(f.clk.Now()) {
			t.Fatalf("after reinstatement = %+v, want a new badge with the old since first", bs)
		}
		for _, old := range bs[1:] {
			if !old.Revoked() {
				t.Errorf("badge %s was not revoked by the suspension", old.ID)
			}
		}
		if chk, _ := f.svc.VerifyBadge(ctx, bs[0].ID); !chk.Valid {
			t.Error("the new badge is not valid")
		}
		if chk, _ := f.svc.VerifyBadge(ctx, b.ID); chk.Valid {
			t.Error("the old badge came back to life")
		}
	})
}

func TestSVG(t *testing.T) {
	b := membership.Badge{ID: "abc", OrgName: `Evil <script>alert("x")</script> & Co`, Status: membership.Partner}
	svg := membership.SVG(b, 2027)
	for _, want := range []string{"#0b4f8a", "#f2a900", "PARTNER", "2027", "&lt;script&gt;", "&amp; Co"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<script") {
		t.Errorf("SVG carries the name unescaped:\n%s", svg)
	}
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
	}
}

func FuzzParseBadgeID(f *testing.F) {
	for _, s := range []string{"", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", " mfrggzdfmztwq2lknnwg23tnny ", "aaaaaaaaaaaaaaaaaaaaaaaaab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := membership.ParseBadgeID(s)
		if !ok {
			return
		}
		if len(id) != 26 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("ParseBadgeID(%q) = %q: not a stored form", s, id)
		}
		if again, ok := membership.ParseBadgeID(id); !ok || again != id {
			t.Fatalf("ParseBadgeID(%q) = %q, %v: not idempotent", id, again, ok)
		}
	})
}
