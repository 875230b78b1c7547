// Package verbund holds what every part of Verbund shares: the error type with
// its kinds, and nothing that depends on a technology.
//
// Domain packages live under internal/; storage and transports depend on them,
// never the reverse.
package verbund

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error so that every transport can map it to a status in
// exactly one place.
type Kind uint8

// The kinds of error. Internal is the zero value: an error nobody classified
// is treated as a fault of ours and never shown to the client in detail.
const (
	Internal        Kind = iota // a fault of ours; details are logged, not shown
	Invalid                     // the input is wrong; Fields says where
	NotFound                    // the object does not exist or may not be seen
	Conflict                    // the object exists or changed in the meantime
	Forbidden                   // the caller is known but may not do this
	Unauthenticated             // the caller is not known (or no longer)
	TooManyRequests             // the caller must wait before trying again
	Unavailable                 // a dependency (database, mail) is down
)

var kindNames = [...]string{"internal", "invalid", "not-found", "conflict", "forbidden", "unauthenticated", "too-many-requests", "unavailable"}

// String returns the stable, lower-case name of k, used in problem types.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error is the structured error of Verbund. Op names the operation that
// failed ("identity.Login"); Msg is safe to show to the user; Fields maps a
// form field or JSON property to its problem; Err is the underlying cause,
// which may contain internals and is only logged.
type Error struct {
	Op     string
	Kind   Kind
	Code   string // stable machine-readable code, e.g. "totp-required"
	Msg    string
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else {
		b.WriteString(e.Kind.String())
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an *Error. It is a shorthand for the common cases:
//
//	verbund.E("identity.Login", verbund.Unauthenticated, "wrong e-mail address or password")
func E(op string, kind Kind, msg string) *Error {
	return &Error{Op: op, Kind: kind, Msg: msg}
}

// Errorf wraps err as an internal error of op.
func Errorf(op string, err error) error {
	if err == nil {
		return nil
	}
	var ve *Error
	if errors.As(err, &ve) {
		return err
	}
	return &Error{Op: op, Kind: Internal, Err: err}
}

// Invalidf returns an Invalid error for one or more fields.
func InvalidFields(op string, fields map[string]string) *Error {
	return &Error{Op: op, Kind: Invalid, Msg: "the input is not valid", Fields: fields}
}

// ErrorKind returns the kind of the first *Error in err's chain, or Internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorCode returns the stable code of err, or its kind's name.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Code != "" {
			return e.Code
		}
		return e.Kind.String()
	}
	return Internal.String()
}

// ErrorMessage returns the message of err that is safe to show to a user.
// Internal errors never reveal their cause.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal && e.Msg != "" {
		return e.Msg
	}
	return "an internal error occurred"
}

// ErrorFields returns the per-field problems of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// IsKind reports whether err is of kind k.
func IsKind(err error, k Kind) bool {
	return err != nil && ErrorKind(err) == k
}
