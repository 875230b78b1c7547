package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// NewID returns a new, time-ordered identifier (UUIDv7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// randomSecret returns n random bytes, URL-safe base64 without padding.
func randomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SessionID returns the stored identifier of a session cookie secret.
func SessionID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func sha(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// TokenPrefix is how every API token starts; secret scanners can match it.
const TokenPrefix = "vbd_"

// newTokenString returns a token string and the prefix that names its row.
func newTokenString() (token, prefix string) {
	prefix = randomString(10, "abcdefghijklmnopqrstuvwxyz0123456789")
	return TokenPrefix + prefix + "_" + randomSecret(32), prefix
}

// ParseToken splits a token string into its prefix; ok is false when s is not
// shaped like a Verbund token.
func ParseToken(s string) (prefix string, ok bool) {
	rest, found := strings.CutPrefix(s, TokenPrefix)
	if !found {
		return "", false
	}
	prefix, secret, found := strings.Cut(rest, "_")
	if !found || len(prefix) != 10 || len(secret) < 40 || len(s) > 100 {
		return "", false
	}
	return prefix, true
}

// randomString returns n characters drawn uniformly from alphabet.
func randomString(n int, alphabet string) string {
	// Rejection sampling keeps every character equally likely.
	limit := byte(256 - 256%len(alphabet))
	out := make([]byte, 0, n)
	var b [1]byte
	for len(out) < n {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err)
		}
		if b[0] < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}

// recoveryCode returns a recovery code of the form xxxx-xxxx-xxxx from an
// alphabet without look-alike characters.
func recoveryCode() string {
	s := randomString(12, "abcdefghjkmnpqrstuvwxyz23456789")
	return s[:4] + "-" + s[4:8] + "-" + s[8:]
}

// normaliseRecoveryCode makes typed codes comparable: lower case, no spaces
// or dashes.
func normaliseRecoveryCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
