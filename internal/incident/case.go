package incident

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"slices"
	"strings"
	"time"

	"github.com/verbund/verbund"
)

// A case is one incident as the office handles it: the reports of its
// NIS2 stages, the questions and answers between analyst and reporter, the
// links to warnings and indicators, and the lessons learned.

// Status is where the office's handling of a case stands.
type Status string

// The statuses of a case.
const (
	StatusNew        Status = "new"
	StatusTriaged    Status = "triaged"
	StatusInProgress Status = "in-progress"
	StatusClosed     Status = "closed"
)

// Statuses lists the statuses in order.
func Statuses() []Status {
	return []Status{StatusNew, StatusTriaged, StatusInProgress, StatusClosed}
}

// transitions lists the statuses each status may move to. A closed case
// reopens into work, never back to new.
var transitions = map[Status][]Status{
	StatusNew:        {StatusTriaged, StatusClosed},
	StatusTriaged:    {StatusInProgress, StatusClosed},
	StatusInProgress: {StatusTriaged, StatusClosed},
	StatusClosed:     {StatusInProgress},
}

// CanMove reports whether a case may move from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Move checks a change of status: a known target the current status may
// move to, and, for closing, the lessons learned. The error is Conflict
// "status-change" for a change the workflow does not allow, Invalid for a
// missing lesson.
func Move(from, to Status, lessons string) error {
	const op = "incident.Move"
	if !slices.Contains(Statuses(), to) {
		return verbund.InvalidFields(op, map[string]string{"status": "not a status: new, triaged, in-progress or closed"})
	}
	if !CanMove(from, to) {
		return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "status-change",
			Msg: "a case that is " + string(from) + " cannot become " + string(to)}
	}
	if to == StatusClosed && strings.TrimSpace(lessons) == "" {
		return verbund.InvalidFields(op, map[string]string{"lessons": "record what was learned before closing the case (or why nothing was)"})
	}
	return nil
}

// FollowUp lets a reporter without an account follow a report: the
// reference is shown and may be quoted; the secret is shown once and only
// its hash is kept.
type FollowUp struct {
	Reference string // "VB-7K3Q-9MXT"
	Secret    string // 26 characters of base32
}

// noLookalikes is base32 without 0, 1, I, L, O, U for references people
// read aloud.
const noLookalikes = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewFollowUp draws a reference and a secret from the system's randomness.
func NewFollowUp() (FollowUp, error) {
	ref := make([]byte, 8)
	if _, err := rand.Read(ref); err != nil {
		return FollowUp{}, verbund.Errorf("incident.NewFollowUp", err)
	}
	var b strings.Builder
	b.WriteString("VB-")
	for i, c := range ref {
		if i == 4 {
			b.WriteByte('-')
		}
		b.WriteByte(noLookalikes[int(c)%len(noLookalikes)])
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return FollowUp{}, verbund.Errorf("incident.NewFollowUp", err)
	}
	return FollowUp{Reference: b.String(),
		Secret: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)}, nil
}

// HashSecret returns what is stored of a follow-up secret.
func HashSecret(secret string) []byte {
	s := sha256.Sum256([]byte(normaliseSecret(secret)))
	return s[:]
}

// SecretMatches compares a secret typed by a reporter with the stored hash
// in constant time. Case, spaces and dashes do not matter.
func SecretMatches(secret string, hash []byte) bool {
	return len(hash) == sha256.Size && subtle.ConstantTimeCompare(HashSecret(secret), hash) == 1
}

func normaliseSecret(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
}

// Message is one entry of the thread between the office and the reporter
// on a case.
type Message struct {
	ID       string
	CaseID   string
	FromOrg  string // the reporter's organisation or the office; "" for a reporter from the public
	FromUser string // "" for a reporter from the public
	Office   bool   // written by the office's analysts
	Body     string
	At       time.Time
}
