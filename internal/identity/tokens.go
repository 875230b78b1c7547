package identity

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
)

// mayManageOrg reports whether p may manage the users and tokens of org:
// its own organisation admins, and the office admins.
func mayManageOrg(p Principal, orgID string) bool {
	if p.System {
		return true
	}
	if p.User == nil {
		return false
	}
	return (p.User.OrgID == orgID && p.Has(RoleOrgAdmin)) || p.Has(RoleOfficeAdmin)
}

// mayReadOrg reports whether p may read an organisation's users: those who
// may manage it, its own API tokens, and the office's tokens.
func mayReadOrg(p Principal, orgID string) bool {
	if mayManageOrg(p, orgID) {
		return true
	}
	return p.Token != nil && p.Org != nil && (p.Token.OrgID == orgID || p.Org.Kind == KindOffice)
}

// TokenOf returns token id of organisation orgID if p may manage it.
func (s *Service) TokenOf(ctx context.Context, p Principal, orgID, id string) (Token, error) {
	if !mayManageOrg(p, orgID) {
		return Token{}, verbund.E("identity.TokenOf", verbund.NotFound, "not found")
	}
	t, err := s.store.Token(ctx, id)
	if err != nil {
		return Token{}, err
	}
	if t.OrgID != orgID {
		return Token{}, verbund.E("identity.TokenOf", verbund.NotFound, "not found")
	}
	return t, nil
}

// NewToken is the input for CreateToken.
type NewToken struct {
	OrgID     string
	Name      string
	Scopes    []Scope
	ExpiresAt time.Time // zero: never
}

// CreateToken creates an API token for an organisation and returns its
// secret string, which is shown once and never stored.
func (s *Service) CreateToken(ctx context.Context, p Principal, in NewToken) (string, Token, error) {
	const op = "identity.CreateToken"
	if !mayManageOrg(p, in.OrgID) {
		s.denied(ctx, p, "token.create", "organisation", in.OrgID, "not an administrator of the organisation")
		return "", Token{}, verbund.E(op, verbund.Forbidden, "only an administrator of the organisation may create its API tokens")
	}
	fields := map[string]string{}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		fields["name"] = "required"
	case len(in.Name) > 100:
		fields["name"] = "at most 100 characters"
	}
	if len(in.Scopes) == 0 {
		fields["scopes"] = "choose at least one scope"
	}
	for _, sc := range in.Scopes {
		if !sc.Valid() {
			fields["scopes"] = "unknown scope " + string(sc)
		}
		if sc == ScopeAuditRead && !p.Has(RoleOfficeAdmin) && !p.System {
			fields["scopes"] = "only the office may grant " + string(sc)
		}
	}
	now := s.now()
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(now) {
		fields["expires_at"] = "must be in the future"
	}
	if len(fields) > 0 {
		return "", Token{}, verbund.InvalidFields(op, fields)
	}
	org, err := s.store.Organisation(ctx, in.OrgID)
	if err != nil {
		return "", Token{}, err
	}
	if org.Status == StatusTerminated || org.Status == StatusSuspended {
		return "", Token{}, verbund.E(op, verbund.Forbidden, "the organisation is "+string(org.Status)+"; it cannot create API tokens")
	}
	scopes := slices.Clone(in.Scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	secret, prefix := newTokenString()
	t := Token{
		ID: NewID(), OrgID: in.OrgID, CreatedBy: userID(p), Name: in.Name, Prefix: prefix,
		Hash: sha(secret), Scopes: scopes, CreatedAt: now, ExpiresAt: in.ExpiresAt.UTC(),
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		e := s.entry(ctx, p, "token.create", audit.Success)
		e.ObjectType, e.ObjectID, e.Reason = "token", t.ID, "scopes "+joinScopes(scopes)
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return "", Token{}, verbund.Errorf(op, err)
	}
	return secret, t, nil
}

// RevokeToken revokes a token at once. Revoking a revoked token is not an
// error.
func (s *Service) RevokeToken(ctx context.Context, p Principal, id string) error {
	const op = "identity.RevokeToken"
	t, err := s.store.Token(ctx, id)
	if err != nil {
		return err
	}
	if !mayManageOrg(p, t.OrgID) {
		s.denied(ctx, p, "token.revoke", "token", id, "not an administrator of the token's organisation")
		return verbund.E(op, verbund.NotFound, "not found")
	}
	if !t.RevokedAt.IsZero() {
		return nil
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.RevokeToken(ctx, id, s.now()); err != nil {
			return err
		}
		e := s.entry(ctx, p, "token.revoke", audit.Success)
		e.ObjectType, e.ObjectID = "token", id
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// ListTokens returns the tokens of an organisation (without secrets).
func (s *Service) ListTokens(ctx context.Context, p Principal, orgID string) ([]Token, error) {
	if !mayManageOrg(p, orgID) {
		return nil, verbund.E("identity.ListTokens", verbund.Forbidden, "only an administrator of the organisation may see its API tokens")
	}
	return s.store.ListTokens(ctx, orgID)
}

// denied records a refused attempt in the audit log.
func (s *Service) denied(ctx context.Context, p Principal, action, objType, objID, reason string) {
	e := s.entry(ctx, p, action, audit.Denied)
	e.ObjectType, e.ObjectID, e.Reason = objType, objID, reason
	s.recordFailure(ctx, e)
}

func joinScopes(sc []Scope) string {
	parts := make([]string, len(sc))
	for i, s := range sc {
		parts[i] = string(s)
	}
	return strings.Join(parts, " ")
}

func userID(p Principal) string {
	if p.User != nil {
		return p.User.ID
	}
	return ""
}
