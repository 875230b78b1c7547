package taxii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/verbund/verbund/internal/taxii/cti"
)

// A cursor (the next parameter) is base64url without padding of
//
//	version (1 byte, 1) | seq (8) | date_added µs (8) | binding (8) | MAC (16)
//
// seq and date_added are the position of the last record the page
// decided; the listing resumes after seq. binding is a hash of the query
// the cursor belongs to (endpoint, collection, object, filters, principal),
// so that a cursor answers only the query it came from. The MAC is
// HMAC-SHA-256 over the rest under the installation's key, truncated to
// 128 bits: a cursor that was changed, or made by somebody else, does not
// verify. A cursor reveals how far a listing went and nothing else.

const (
	cursorVersion = 1
	cursorPayload = 1 + 8 + 8 + 8
	cursorMAC     = 16
	cursorLen     = cursorPayload + cursorMAC
)

// binding identifies the query a cursor belongs to.
type binding [8]byte

// errCursor is why a cursor is refused.
var (
	errCursorInvalid = errors.New("the next value was not issued by this server or was changed")
	errCursorForeign = errors.New("the next value belongs to another query or client; repeat the query it came with")
)

// encodeCursor returns the next value of position pos for the query b.
func encodeCursor(key []byte, pos cti.Position, b binding) string {
	buf := make([]byte, cursorLen)
	buf[0] = cursorVersion
	binary.BigEndian.PutUint64(buf[1:9], uint64(pos.Seq))
	binary.BigEndian.PutUint64(buf[9:17], uint64(pos.DateAdded.UnixMicro()))
	copy(buf[17:25], b[:])
	copy(buf[cursorPayload:], cursorSum(key, buf[:cursorPayload]))
	return base64.RawURLEncoding.EncodeToString(buf)
}

// parseCursor reads a next value made by encodeCursor with key, without
// looking at its binding.
func parseCursor(key []byte, next string) (cti.Position, binding, error) {
	if len(next) != base64.RawURLEncoding.EncodedLen(cursorLen) {
		return cti.Position{}, binding{}, errCursorInvalid
	}
	buf, err := base64.RawURLEncoding.Strict().DecodeString(next)
	if err != nil || len(buf) != cursorLen || buf[0] != cursorVersion {
		return cti.Position{}, binding{}, errCursorInvalid
	}
	if !hmac.Equal(buf[cursorPayload:], cursorSum(key, buf[:cursorPayload])) {
		return cti.Position{}, binding{}, errCursorInvalid
	}
	seq := int64(binary.BigEndian.Uint64(buf[1:9]))
	added := int64(binary.BigEndian.Uint64(buf[9:17]))
	if seq < 0 || added < 0 {
		return cti.Position{}, binding{}, errCursorInvalid
	}
	var b binding
	copy(b[:], buf[17:25])
	return cti.Position{Seq: seq, DateAdded: time.UnixMicro(added).UTC()}, b, nil
}

// decodeCursor reads next and checks that it belongs to the query want.
func decodeCursor(key []byte, next string, want binding) (cti.Position, error) {
	pos, b, err := parseCursor(key, next)
	if err != nil {
		return cti.Position{}, err
	}
	if !hmac.Equal(b[:], want[:]) {
		return cti.Position{}, errCursorForeign
	}
	return pos, nil
}

func cursorSum(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("verbund taxii cursor\x00"))
	m.Write(payload)
	return m.Sum(nil)[:cursorMAC]
}

// bindingOf hashes the parts that identify a query, each prefixed with its
// length so that no two lists of parts hash alike.
func bindingOf(parts ...string) binding {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	var b binding
	copy(b[:], h.Sum(nil))
	return b
}
