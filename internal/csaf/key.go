package csaf

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// SettingKey is the installation setting that keeps the provider key: the
// armored OpenPGP secret key, its secret parts encrypted with the
// passphrase the operator gives (see EnsureKey).
const SettingKey = "csaf.provider_key"

// Key is the provider's OpenPGP key: it signs every document, and its
// public half is published with its fingerprint in the provider metadata.
type Key struct {
	entity *openpgp.Entity
}

// NewKey makes a new Ed25519 signing key for the provider name and e-mail.
func NewKey(name, email string, now time.Time) (*Key, error) {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519, Time: func() time.Time { return now }}
	e, err := openpgp.NewEntity(name, "CSAF provider", email, cfg)
	if err != nil {
		return nil, fmt.Errorf("making the CSAF provider key: %w", err)
	}
	return &Key{entity: e}, nil
}

// Fingerprint returns the key's fingerprint as 40 upper-case hex digits.
func (k *Key) Fingerprint() string {
	return strings.ToUpper(hex.EncodeToString(k.entity.PrimaryKey.Fingerprint))
}

// PublicArmored returns the public key, ASCII-armored.
func (k *Key) PublicArmored() ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := k.entity.Serialize(w); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Sign returns the detached, ASCII-armored signature of data.
func (k *Key) Sign(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, k.entity, bytes.NewReader(data), nil); err != nil {
		return nil, fmt.Errorf("signing with the CSAF provider key: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// marshal returns the armored secret key; with a passphrase, its secret
// parts are encrypted with it (S2K, AES-256).
func (k *Key) marshal(passphrase []byte) (string, error) {
	e := k.entity
	if len(passphrase) > 0 {
		// Encrypt a copy: the key in use stays decrypted.
		var raw bytes.Buffer
		if err := e.SerializePrivateWithoutSigning(&raw, nil); err != nil {
			return "", err
		}
		c, err := openpgp.ReadEntity(packet.NewReader(&raw))
		if err != nil {
			return "", err
		}
		if err := c.EncryptPrivateKeys(passphrase, &packet.Config{DefaultCipher: packet.CipherAES256}); err != nil {
			return "", err
		}
		e = c
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err != nil {
		return "", err
	}
	if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// ErrPassphrase is returned when the stored key is encrypted and the
// passphrase given does not open it.
var ErrPassphrase = errors.New("the CSAF provider key cannot be decrypted with the passphrase given")

// LoadKey reads an armored secret key, decrypting it with passphrase when
// it is encrypted.
func LoadKey(armored string, passphrase []byte) (*Key, error) {
	el, err := openpgp.ReadArmoredKeyRing(strings.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("reading the CSAF provider key: %w", err)
	}
	if len(el) != 1 || el[0].PrivateKey == nil {
		return nil, errors.New("the CSAF provider key is not one secret key")
	}
	e := el[0]
	if e.PrivateKey.Encrypted {
		if len(passphrase) == 0 {
			return nil, fmt.Errorf("%w: the key is encrypted and no passphrase was given", ErrPassphrase)
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, ErrPassphrase
		}
	}
	return &Key{entity: e}, nil
}

// EnsureKey returns the installation's provider key from the settings of
// st, making and storing one on first start. The key is stored in the
// database so that every node signs with the same key; its secret parts
// are encrypted with passphrase, or stored in the clear when passphrase is
// empty (the caller warns). When several nodes start at once, all use the
// key that was committed first.
func EnsureKey(ctx context.Context, st identity.Store, name, email string, passphrase []byte, now time.Time) (*Key, error) {
	err := st.Update(ctx, func(tx identity.Tx) error {
		v, err := tx.Setting(ctx, SettingKey)
		if err != nil || v != "" {
			return err
		}
		k, err := NewKey(name, email, now)
		if err != nil {
			return err
		}
		armored, err := k.marshal(passphrase)
		if err != nil {
			return err
		}
		return tx.SetSetting(ctx, SettingKey, armored)
	})
	if err != nil {
		return nil, err
	}
	v, err := st.Setting(ctx, SettingKey)
	if err != nil {
		return nil, err
	}
	return LoadKey(v, passphrase)
}

// ExportKey returns the stored provider key as it is kept (armored, and
// encrypted if it was stored with a passphrase), for a backup.
func ExportKey(ctx context.Context, st identity.Store) (string, error) {
	return st.Setting(ctx, SettingKey)
}

// RotateKey replaces the stored provider key with a new one and records
// the rotation in the audit log. Documents are signed when they are served,
// so once the nodes restart every signature is made with the new key and
// the provider metadata names its fingerprint.
func RotateKey(ctx context.Context, st identity.Store, name, email string, passphrase []byte, now time.Time) (*Key, error) {
	k, err := NewKey(name, email, now)
	if err != nil {
		return nil, err
	}
	armored, err := k.marshal(passphrase)
	if err != nil {
		return nil, err
	}
	err = st.Update(ctx, func(tx identity.Tx) error {
		old, err := tx.Setting(ctx, SettingKey)
		if err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, SettingKey, armored); err != nil {
			return err
		}
		e := audit.New(ctx, now, "csaf.key_rotated", audit.Success)
		e.ObjectType, e.ObjectID = "csaf-key", k.Fingerprint()
		e.Reason = "new provider key " + k.Fingerprint()
		if old != "" {
			if prev, err := openpgp.ReadArmoredKeyRing(strings.NewReader(old)); err == nil && len(prev) == 1 {
				e.Reason += ", replacing " + strings.ToUpper(hex.EncodeToString(prev[0].PrimaryKey.Fingerprint))
			}
		}
		_, err = tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}
