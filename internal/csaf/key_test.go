package csaf_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// The provider key is made once, kept encrypted in the database, and signs
// so that the published public key verifies the signature.
func TestProviderKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		k, err := csaf.EnsureKey(ctx, db.Identity(), "Verbund CSAF provider", "cert@verbund.example", []byte("correct horse"), now)
		if err != nil {
			t.Fatal(err)
		}
		again, err := csaf.EnsureKey(ctx, db.Identity(), "Verbund CSAF provider", "", []byte("correct horse"), now.Add(time.Hour))
		if err != nil || again.Fingerprint() != k.Fingerprint() || len(k.Fingerprint()) != 40 {
			t.Fatalf("second start: %v, fingerprint %s then %s", err, k.Fingerprint(), again.Fingerprint())
		}
		if _, err := csaf.EnsureKey(ctx, db.Identity(), "x", "", []byte("wrong"), now); !errors.Is(err, csaf.ErrPassphrase) {
			t.Errorf("a wrong passphrase opened the key: %v", err)
		}
		if _, err := csaf.EnsureKey(ctx, db.Identity(), "x", "", nil, now); !errors.Is(err, csaf.ErrPassphrase) {
			t.Errorf("no passphrase opened the encrypted key: %v", err)
		}
		stored, _ := csaf.ExportKey(ctx, db.Identity())
		if !strings.Contains(stored, "PGP PRIVATE KEY BLOCK") {
			t.Fatalf("stored key: %.60s", stored)
		}
		if _, err := csaf.LoadKey(stored, nil); err == nil {
			t.Error("the stored key opens without the passphrase: it is not encrypted")
		}

		// Rotation replaces the key for the next start, and is audited.
		rotated, err := csaf.RotateKey(ctx, db.Identity(), "Verbund CSAF provider", "", []byte("correct horse"), now.Add(48*time.Hour))
		if err != nil || rotated.Fingerprint() == k.Fingerprint() {
			t.Fatalf("rotate: %v, fingerprint %s", err, rotated.Fingerprint())
		}
		next, err := csaf.EnsureKey(ctx, db.Identity(), "x", "", []byte("correct horse"), now)
		if err != nil || next.Fingerprint() != rotated.Fingerprint() {
			t.Errorf("after rotation the provider starts with %v %v, want %s", next, err, rotated.Fingerprint())
		}
		entries, err := db.ListAudit(ctx, audit.Filter{Action: "csaf.key_rotated"})
		if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Reason, k.Fingerprint()) {
			t.Errorf("audit of the rotation: %v %+v", err, entries)
		}

		doc := []byte(`{"document":{}}` + "\n")
		sig, err := again.Sign(doc)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := k.PublicArmored()
		if err != nil {
			t.Fatal(err)
		}
		ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(pub))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(doc), bytes.NewReader(sig), nil); err != nil {
			t.Errorf("the signature does not verify with the published key: %v", err)
		}
		if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(append(doc, ' ')), bytes.NewReader(sig), nil); err == nil {
			t.Error("the signature verifies a changed document")
		}
	})
}
