package membership

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// NewRegistration is what an organisation fills in to join: itself, its
// contact person, its first user (who becomes its administrator) and its
// acceptance of the current agreement in the language its user read.
type NewRegistration struct {
	Name      string
	LegalForm string
	Street    string
	Postcode  string
	City      string
	Country   string // ISO 3166-1 alpha-2
	Sectors   []string
	SizeClass string // one of SizeClasses
	Website   string // optional

	ContactName     string
	ContactFunction string // optional
	ContactEmail    string
	ContactPhone    string // optional

	UserName  string
	UserEmail string
	Password  string

	AgreementVersion int
	AgreementLang    string // de, nl or en: the language the user read
	AcceptAgreement  bool
}

// Registration is a registered organisation with its first user and its
// signature of the agreement.
type Registration struct {
	Org       identity.Organisation
	Profile   Profile
	User      identity.User
	Signature Signature
}

// text checks a trimmed text field: required or not, and at most max runes.
func text(f map[string]string, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch n := utf8.RuneCountInString(*v); {
	case n == 0 && required:
		f[field] = "required"
	case n > max:
		f[field] = fmt.Sprintf("at most %d characters", max)
	case strings.ContainsAny(*v, "\r\n\x00"):
		f[field] = "must be one line"
	}
}

// email checks and lower-cases an e-mail address field.
func email(f map[string]string, field string, v *string) {
	*v = strings.ToLower(strings.TrimSpace(*v))
	if *v == "" {
		f[field] = "required"
		return
	}
	if a, err := mail.ParseAddress(*v); err != nil || a.Address != *v || len(*v) > 254 {
		f[field] = "not a valid e-mail address"
	}
}

// validate normalises in and returns its per-field problems.
func (s *Service) validate(in *NewRegistration) (fields map[string]string, ineligible bool) {
	f := map[string]string{}
	text(f, "name", &in.Name, true, 200)
	text(f, "legal_form", &in.LegalForm, true, 100)
	text(f, "street", &in.Street, true, 200)
	text(f, "postcode", &in.Postcode, true, 20)
	text(f, "city", &in.City, true, 100)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	switch {
	case in.Country == "":
		f["country"] = "required"
	case len(in.Country) != 2 || strings.Trim(in.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		f["country"] = "a two-letter country code (ISO 3166-1), e.g. DE"
	case !slices.Contains(s.cfg.AllowedCountries, in.Country):
		f["country"] = "we are sorry: only organisations seated in " + strings.Join(s.cfg.AllowedCountries, ", ") +
			" can register with this alliance"
		ineligible = true
	}
	if len(in.Sectors) == 0 {
		f["sectors"] = "choose at least one sector"
	}
	for _, sec := range in.Sectors {
		if !identity.ValidSector(sec) {
			f["sectors"] = "unknown sector " + sec
		}
	}
	in.Sectors = slices.Compact(slices.Sorted(slices.Values(in.Sectors)))
	if in.SizeClass = strings.TrimSpace(in.SizeClass); !slices.Contains(SizeClasses, in.SizeClass) {
		f["size_class"] = "choose one of " + strings.Join(SizeClasses, ", ")
	}
	if in.Website = strings.TrimSpace(in.Website); in.Website != "" {
		if w, ok := NormaliseWebsite(in.Website); ok {
			in.Website = w
		} else {
			f["website"] = "not a web address, e.g. https://example.org"
		}
	}
	text(f, "contact_name", &in.ContactName, true, 200)
	text(f, "contact_function", &in.ContactFunction, false, 100)
	email(f, "contact_email", &in.ContactEmail)
	text(f, "contact_phone", &in.ContactPhone, false, 50)
	text(f, "user_name", &in.UserName, true, 200)
	email(f, "user_email", &in.UserEmail)
	if in.Password == "" {
		f["password"] = "required"
	} else if msg := identity.CheckPasswordPolicy(in.Password); msg != "" {
		f["password"] = msg
	}
	if !in.AcceptAgreement {
		f["accept_agreement"] = "required: read and accept the agreement"
	}
	if in.AgreementLang = strings.ToLower(strings.TrimSpace(in.AgreementLang)); !slices.Contains(Languages, in.AgreementLang) {
		f["agreement_lang"] = "de, nl or en"
	}
	return f, ineligible
}

// Register registers an organisation as pending, with its first user as its
// administrator and its signature of the current agreement, and sends the
// user a link to confirm the e-mail address.
//
// Problems with the input are a verbund.Invalid error with Fields; a country
// outside Config.AllowedCountries has the code "country-not-eligible", an
// agreement version that is no longer current "agreement-outdated". An
// organisation of the same name in the same country is a Conflict with code
// "org-exists", an address already in use one with code "email-in-use".
func (s *Service) Register(ctx context.Context, in NewRegistration) (Registration, error) {
	const op = "membership.Register"
	fields, ineligible := s.validate(&in)
	agr, err := s.store.CurrentAgreement(ctx)
	if verbund.IsKind(err, verbund.NotFound) {
		return Registration{}, &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "no-agreement",
			Msg: "registration is not open yet: the alliance has not published its agreement; please try again later"}
	}
	if err != nil {
		return Registration{}, err
	}
	code := ""
	if in.AgreementVersion != agr.Version && fields["accept_agreement"] == "" {
		fields["agreement_version"] = "a newer version of the agreement was published: please read it and accept it"
		code = "agreement-outdated"
	}
	if _, ok := agr.Texts[in.AgreementLang]; !ok && fields["agreement_lang"] == "" {
		fields["agreement_lang"] = "the agreement is not available in this language"
	}
	if ineligible {
		code = "country-not-eligible"
	}
	if len(fields) > 0 {
		e := verbund.InvalidFields(op, fields)
		e.Code = code
		if ineligible {
			e.Msg = "thank you for your interest; " + fields["country"]
		}
		return Registration{}, e
	}
	hash, err := identity.HashPassword(in.Password, s.cfg.Argon2)
	if err != nil {
		return Registration{}, verbund.Errorf(op, err)
	}
	now := s.now()
	r := Registration{
		Org: identity.Organisation{
			ID: identity.NewID(), Name: in.Name, Kind: identity.KindMember, Status: identity.StatusPending,
			Country: in.Country, Sectors: in.Sectors, ContactName: in.ContactName,
			ContactEmail: in.ContactEmail, ContactPhone: in.ContactPhone, CreatedAt: now, UpdatedAt: now,
		},
		User: identity.User{
			ID: identity.NewID(), Email: in.UserEmail, Name: in.UserName, Lang: in.AgreementLang,
			PasswordHash: hash, Roles: []identity.Role{identity.RoleOrgAdmin}, CreatedAt: now, UpdatedAt: now,
		},
	}
	r.User.OrgID = r.Org.ID
	r.Profile = Profile{
		OrgID: r.Org.ID, LegalForm: in.LegalForm, Street: in.Street, Postcode: in.Postcode, City: in.City,
		Website: in.Website, SizeClass: in.SizeClass, ContactFunction: in.ContactFunction, Lang: in.AgreementLang,
		RegisteredBy: r.User.ID, CreatedAt: now, UpdatedAt: now,
	}
	r.Signature = s.signature(ctx, r.Org.ID, r.User.ID, agr, in.AgreementLang)
	actor := identity.Principal{User: &r.User, Org: &r.Org}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateOrganisation(ctx, r.Org); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "org-exists",
					Msg:    "an organisation with this name is already registered in this country; if it is yours, ask its administrator or the office for an account",
					Fields: map[string]string{"name": "already registered"}}
			}
			return err
		}
		if err := checkAddresses(ctx, tx, op, r.Org.ID, in); err != nil {
			return err
		}
		if err := tx.CreateProfile(ctx, r.Profile); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, r.User); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return emailInUse(op, "user_email")
			}
			return err
		}
		if err := tx.CreateSignature(ctx, r.Signature); err != nil {
			return err
		}
		if err := record(ctx, tx, s.entry(ctx, actor, "membership.register", audit.Success, "organisation", r.Org.ID), "registered as pending"); err != nil {
			return err
		}
		if err := record(ctx, tx, s.entry(ctx, actor, "agreement.sign", audit.Success, "signature", r.Signature.ID),
			fmt.Sprintf("version %d (%s) at registration", agr.Version, in.AgreementLang)); err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, r.User)
	})
	if err != nil {
		return Registration{}, verbund.Errorf(op, err)
	}
	return r, nil
}

// emailInUse is the answer for an address that belongs to somebody already.
func emailInUse(op, field string) error {
	return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "email-in-use",
		Msg:    "this e-mail address is already in use; if it is yours, use the password reset, or ask the office",
		Fields: map[string]string{field: "already in use"}}
}

// checkAddresses refuses a registration whose user or contact address is in
// use: by a user, or as the contact of another organisation that is a
// member. Register calls it after creating the organisation, so that a
// second registration of the same organisation hears "org-exists".
func checkAddresses(ctx context.Context, r Reader, op, orgID string, in NewRegistration) error {
	for _, c := range []struct{ field, addr string }{{"user_email", in.UserEmail}, {"contact_email", in.ContactEmail}} {
		_, err := r.UserByEmail(ctx, c.addr)
		if err == nil {
			return emailInUse(op, c.field)
		}
		if !verbund.IsKind(err, verbund.NotFound) {
			return err
		}
	}
	used, err := r.ContactEmailInUse(ctx, in.ContactEmail, orgID)
	if err != nil {
		return err
	}
	if used {
		return emailInUse(op, "contact_email")
	}
	return nil
}

// signature returns a signature of agr in lang by user for org, now, from
// the client's address.
func (s *Service) signature(ctx context.Context, orgID, userID string, agr Agreement, lang string) Signature {
	sum := sha256.Sum256([]byte(agr.Texts[lang]))
	return Signature{
		ID: identity.NewID(), OrgID: orgID, UserID: userID, Version: agr.Version, Lang: lang,
		TextSHA256: hex.EncodeToString(sum[:]), SignedAt: s.now(), IP: audit.RequestFrom(ctx).IP,
	}
}
