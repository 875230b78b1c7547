package federation

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// KeyFrom derives the key that seals remotes' credentials from the
// installation secret, the way every purpose-bound key of the installation
// is derived: HMAC-SHA-256 over the purpose. The derived key is never
// stored.
func KeyFrom(installationSecret []byte) []byte {
	m := hmac.New(sha256.New, installationSecret)
	m.Write([]byte("verbund key\x00taxii remote credentials"))
	return m.Sum(nil)
}

// sealVersion prefixes every sealed secret, so that another scheme can
// follow.
const sealVersion = 1

// sealer seals and opens credentials with AES-256-GCM.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("federation: the credential key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal encrypts secret for remote id: version, nonce, ciphertext and tag.
func (s *sealer) seal(id, secret string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce) // never fails
	out := append([]byte{sealVersion}, nonce...)
	return s.aead.Seal(out, nonce, []byte(secret), []byte("taxii-remote:"+id))
}

// errUnseal is the error of a credential that does not open: another key,
// another remote, or tampering.
var errUnseal = errors.New("the stored credential cannot be opened with this installation's key; enter it again")

// open decrypts what seal made for remote id.
func (s *sealer) open(id string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return "", errUnseal
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte("taxii-remote:"+id))
	if err != nil {
		return "", errUnseal
	}
	return string(plain), nil
}
