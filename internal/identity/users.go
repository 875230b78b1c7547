package identity

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
)

// NewOrganisation is the input for CreateOrganisation.
type NewOrganisation struct {
	Name         string
	Kind         OrgKind
	Status       OrgStatus
	Country      string
	Sectors      []string
	ContactName  string
	ContactEmail string
	ContactPhone string
}

// validateOrg returns the per-field problems of in.
func validateOrg(in *NewOrganisation) map[string]string {
	f := map[string]string{}
	in.Name = strings.TrimSpace(in.Name)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.ContactEmail = strings.ToLower(strings.TrimSpace(in.ContactEmail))
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		f["name"] = "required"
	case n > 200:
		f["name"] = "at most 200 characters"
	}
	if len(in.Country) != 2 || in.Country[0] < 'A' || in.Country[0] > 'Z' || in.Country[1] < 'A' || in.Country[1] > 'Z' {
		f["country"] = "a two-letter country code (ISO 3166-1), e.g. DE or NL"
	}
	for _, sec := range in.Sectors {
		if !ValidSector(sec) {
			f["sectors"] = "unknown sector " + sec
		}
	}
	if in.ContactEmail != "" {
		if _, err := mail.ParseAddress(in.ContactEmail); err != nil {
			f["contact_email"] = "not a valid e-mail address"
		}
	}
	if in.Kind != KindOffice && in.Kind != KindMember {
		f["kind"] = "office or member"
	}
	if !in.Status.Valid() {
		f["status"] = "pending, active, suspended or terminated"
	}
	return f
}

// CreateOrganisation creates an organisation; office admins and the system
// only (members register through the membership service).
func (s *Service) CreateOrganisation(ctx context.Context, p Principal, in NewOrganisation) (Organisation, error) {
	const op = "identity.CreateOrganisation"
	if !p.System && !p.Has(RoleOfficeAdmin) {
		return Organisation{}, verbund.E(op, verbund.Forbidden, "only an office administrator may create organisations")
	}
	if in.Kind == "" {
		in.Kind = KindMember
	}
	if in.Status == "" {
		in.Status = StatusActive
	}
	if f := validateOrg(&in); len(f) > 0 {
		return Organisation{}, verbund.InvalidFields(op, f)
	}
	now := s.now()
	sectors := slices.Clone(in.Sectors)
	slices.Sort(sectors)
	o := Organisation{
		ID: NewID(), Name: in.Name, Kind: in.Kind, Status: in.Status, Country: in.Country,
		Sectors: slices.Compact(sectors), ContactName: strings.TrimSpace(in.ContactName), ContactEmail: in.ContactEmail,
		ContactPhone: strings.TrimSpace(in.ContactPhone), CreatedAt: now, UpdatedAt: now,
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: "an organisation with this name is already registered in this country",
					Fields: map[string]string{"name": "already registered"}}
			}
			return err
		}
		e := s.entry(ctx, p, "organisation.create", audit.Success)
		e.ObjectType, e.ObjectID = "organisation", o.ID
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return Organisation{}, verbund.Errorf(op, err)
	}
	return o, nil
}

// NewUser is the input for CreateUser. Without a password the user receives
// an e-mail with a link to set one.
type NewUser struct {
	OrgID    string
	Email    string
	Name     string
	Lang     string
	Password string
	Roles    []Role
}

// CreateUser adds a user to an organisation. Organisation admins add users
// to their own organisation with organisation roles; office admins may add
// users anywhere, and office roles only to users of the office.
func (s *Service) CreateUser(ctx context.Context, p Principal, in NewUser) (User, error) {
	const op = "identity.CreateUser"
	if !mayManageOrg(p, in.OrgID) {
		s.denied(ctx, p, "user.create", "organisation", in.OrgID, "not an administrator of the organisation")
		return User{}, verbund.E(op, verbund.Forbidden, "only an administrator of the organisation may add users")
	}
	org, err := s.store.Organisation(ctx, in.OrgID)
	if err != nil {
		return User{}, err
	}
	f := map[string]string{}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		f["email"] = "not a valid e-mail address"
	}
	if in.Name == "" {
		f["name"] = "required"
	} else if utf8.RuneCountInString(in.Name) > 200 {
		f["name"] = "at most 200 characters"
	}
	if in.Password != "" {
		if msg := CheckPasswordPolicy(in.Password); msg != "" {
			f["password"] = msg
		}
	}
	if msg := checkRoles(p, org, in.Roles); msg != "" {
		f["roles"] = msg
	}
	if len(f) > 0 {
		return User{}, verbund.InvalidFields(op, f)
	}
	now := s.now()
	u := User{ID: NewID(), OrgID: org.ID, Email: in.Email, Name: in.Name, Lang: in.Lang, Roles: sortedRoles(in.Roles), CreatedAt: now, UpdatedAt: now}
	if in.Password != "" {
		if u.PasswordHash, err = HashPassword(in.Password, s.cfg.Argon2); err != nil {
			return User{}, verbund.Errorf(op, err)
		}
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: "a user with this e-mail address exists already",
					Fields: map[string]string{"email": "already in use"}}
			}
			return err
		}
		e := s.entry(ctx, p, "user.create", audit.Success)
		e.ObjectType, e.ObjectID, e.Reason = "user", u.ID, "roles "+joinRoles(u.Roles)
		if _, err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		if in.Password == "" {
			return s.sendReset(ctx, tx, u, "mail.welcome")
		}
		return nil
	})
	if err != nil {
		return User{}, verbund.Errorf(op, err)
	}
	return u, nil
}

// checkRoles returns a problem with giving roles to a user of org, or "".
func checkRoles(p Principal, org Organisation, roles []Role) string {
	if len(roles) == 0 {
		return "choose at least one role"
	}
	for _, r := range roles {
		switch {
		case !r.Valid():
			return "unknown role " + string(r)
		case r.IsOffice() && org.Kind != KindOffice:
			return "office roles are only for users of the office"
		case r.IsOffice() && !p.System && !p.Has(RoleOfficeAdmin):
			return "only an office administrator may give office roles"
		}
	}
	return ""
}

// SetRoles replaces the roles of a user. Nobody can take the office-admin
// role from the last office admin.
func (s *Service) SetRoles(ctx context.Context, p Principal, userID string, roles []Role) error {
	const op = "identity.SetRoles"
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return err
	}
	if !mayManageOrg(p, u.OrgID) {
		s.denied(ctx, p, "user.roles", "user", userID, "not an administrator of the user's organisation")
		return verbund.E(op, verbund.NotFound, "not found")
	}
	org, err := s.store.Organisation(ctx, u.OrgID)
	if err != nil {
		return err
	}
	if msg := checkRoles(p, org, roles); msg != "" {
		return verbund.InvalidFields(op, map[string]string{"roles": msg})
	}
	roles = sortedRoles(roles)
	if slices.Equal(roles, u.Roles) {
		return nil
	}
	if err := s.keepOneAdmin(ctx, u, roles, u.Disabled); err != nil {
		return err
	}
	before := joinRoles(u.Roles)
	u.Roles, u.UpdatedAt = roles, s.now()
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		e := s.entry(ctx, p, "user.roles", audit.Success)
		e.ObjectType, e.ObjectID, e.Reason = "user", u.ID, "from "+before+" to "+joinRoles(roles)
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// keepOneAdmin refuses a change that would leave the office without an
// enabled office admin, or an organisation without an enabled admin.
func (s *Service) keepOneAdmin(ctx context.Context, u User, roles []Role, disabled bool) error {
	for _, r := range []Role{RoleOfficeAdmin, RoleOrgAdmin} {
		if !u.Has(r) || (slices.Contains(roles, r) && !disabled) {
			continue
		}
		users, err := s.store.ListUsers(ctx, u.OrgID)
		if err != nil {
			return err
		}
		others := 0
		for _, o := range users {
			if o.ID != u.ID && o.Has(r) && !o.Disabled {
				others++
			}
		}
		if others == 0 {
			return verbund.E("identity.keepOneAdmin", verbund.Conflict, "this is the last enabled user with the role "+string(r)+"; give it to somebody else first")
		}
	}
	return nil
}

// SetDisabled disables or enables a user. Disabling ends the user's sessions
// at once.
func (s *Service) SetDisabled(ctx context.Context, p Principal, userID string, disabled bool) error {
	const op = "identity.SetDisabled"
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return err
	}
	if !mayManageOrg(p, u.OrgID) {
		s.denied(ctx, p, "user.disable", "user", userID, "not an administrator of the user's organisation")
		return verbund.E(op, verbund.NotFound, "not found")
	}
	if u.Disabled == disabled {
		return nil
	}
	if disabled {
		if err := s.keepOneAdmin(ctx, u, u.Roles, true); err != nil {
			return err
		}
	}
	u.Disabled, u.UpdatedAt = disabled, s.now()
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		e := s.entry(ctx, p, action, audit.Success)
		e.ObjectType, e.ObjectID = "user", u.ID
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// SetLanguage stores the preferred UI language of the principal's own user.
func (s *Service) SetLanguage(ctx context.Context, p Principal, lang string) error {
	if p.User == nil {
		return nil
	}
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if u.Lang == lang {
		return nil
	}
	u.Lang, u.UpdatedAt = lang, s.now()
	return s.store.Update(ctx, func(tx Tx) error { return tx.UpdateUser(ctx, u) })
}

// Users lists the users of an organisation, for its admins, its own API
// tokens and the office.
func (s *Service) Users(ctx context.Context, p Principal, orgID string) ([]User, error) {
	if !mayReadOrg(p, orgID) {
		return nil, verbund.E("identity.Users", verbund.Forbidden, "only an administrator of the organisation may list its users")
	}
	return s.store.ListUsers(ctx, orgID)
}

// Organisations lists organisations; the office's users and tokens only.
func (s *Service) Organisations(ctx context.Context, p Principal, f OrgFilter) ([]Organisation, error) {
	officeToken := p.Token != nil && p.Org != nil && p.Org.Kind == KindOffice
	if !p.System && !officeToken && (p.User == nil || !p.User.HasOfficeRole()) {
		return nil, verbund.E("identity.Organisations", verbund.Forbidden, "only the office may list all organisations")
	}
	return s.store.ListOrganisations(ctx, f)
}

func sortedRoles(r []Role) []Role {
	r = slices.Clone(r)
	slices.Sort(r)
	return slices.Compact(r)
}

func joinRoles(r []Role) string {
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = string(x)
	}
	return strings.Join(parts, ",")
}

// OrganisationByID returns one organisation. Callers check first that the
// principal may see it.
func (s *Service) OrganisationByID(ctx context.Context, id string) (Organisation, error) {
	return s.store.Organisation(ctx, id)
}

// DisplayNames maps user and organisation ids to names for the office's
// views of the audit log: "Name <e-mail>" for users, the name for
// organisations. Unknown ids (deleted, or not ids at all) are left out.
func (s *Service) DisplayNames(ctx context.Context, p Principal, userIDs, orgIDs []string) (map[string]string, error) {
	if !p.System && (p.User == nil || !p.User.HasOfficeRole()) {
		return nil, verbund.E("identity.DisplayNames", verbund.Forbidden, "only the office may resolve names")
	}
	names := make(map[string]string, len(userIDs)+len(orgIDs))
	if len(orgIDs) > 0 {
		orgs, err := s.store.ListOrganisations(ctx, OrgFilter{})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			names[o.ID] = o.Name
		}
	}
	for _, id := range userIDs {
		if _, done := names[id]; done || id == "" {
			continue
		}
		u, err := s.store.User(ctx, id)
		if verbund.IsKind(err, verbund.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		names[id] = u.Name + " <" + u.Email + ">"
	}
	return names, nil
}
