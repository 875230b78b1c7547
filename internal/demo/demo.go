// Package demo seeds a believable alliance for `verbund serve --demo`: an
// office with a user for every office role, and member organisations of
// several sectors and sizes, each with an administrator and a member.
//
// All names are invented; addresses use the reserved .example domain.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/identity"
)

// Password is the password of every demo account. It is printed at start-up.
const Password = "verbund-demo-2026"

// seededKey marks a database that holds the demo already.
const seededKey = "demo.seeded"

// Login is one demo account, for the start-up banner.
type Login struct {
	Email string
	Org   string
	Roles string
}

type person struct {
	name, email, lang string
	roles             []identity.Role
}

type org struct {
	name, country, contact, phone string
	status                        identity.OrgStatus
	sectors                       []string
	people                        []person
}

func alliance() (office org, members []org) {
	office = org{
		name: "Geschäftsstelle der Cyber-Allianz", country: "DE", contact: "Dr. Miriam Albers", phone: "+49 228 555 0100",
		status: identity.StatusActive, sectors: []string{"public-administration"},
		people: []person{
			{"Miriam Albers", "admin@office.verbund.example", "de", []identity.Role{identity.RoleOfficeAdmin, identity.RoleOrgAdmin}},
			{"Jonas Brandt", "reviewer@office.verbund.example", "de", []identity.Role{identity.RoleReviewer}},
			{"Eva de Vries", "assessor@office.verbund.example", "nl", []identity.Role{identity.RoleAssessor}},
			{"Lena Hoffmann", "publisher@office.verbund.example", "de", []identity.Role{identity.RolePublisher}},
			{"Tariq Sandhu", "analyst@office.verbund.example", "en", []identity.Role{identity.RoleAnalyst}},
		},
	}
	m := func(name, country, slug, contact, phone string, status identity.OrgStatus, sectors []string, adminName, memberName, lang string) org {
		return org{name: name, country: country, contact: contact, phone: phone, status: status, sectors: sectors,
			people: []person{
				{adminName, "admin@" + slug + ".example", lang, []identity.Role{identity.RoleOrgAdmin}},
				{memberName, "soc@" + slug + ".example", lang, []identity.Role{identity.RoleOrgMember}},
			}}
	}
	active := identity.StatusActive
	members = []org{
		m("Stadtwerke Emsland GmbH", "DE", "stadtwerke-emsland", "Klaus Terhorst", "+49 5931 555 210", active, []string{"energy", "water"}, "Klaus Terhorst", "Anna Wübbels", "de"),
		m("Nordsee Netz AG", "DE", "nordsee-netz", "Friederike Jansen", "+49 421 555 330", active, []string{"energy"}, "Friederike Jansen", "Ole Petersen", "de"),
		m("Klinikum Weserbergland", "DE", "klinikum-weserbergland", "Dr. Sabine Krüger", "+49 5151 555 400", active, []string{"health"}, "Sabine Krüger", "Murat Yılmaz", "de"),
		m("Rheinische Volksbank eG", "DE", "rheinische-volksbank", "Thomas Berger", "+49 221 555 700", active, []string{"finance"}, "Thomas Berger", "Julia Schmitz", "de"),
		m("Wasserverband Oberlausitz", "DE", "wv-oberlausitz", "Andreas Löbel", "+49 3591 555 120", active, []string{"water"}, "Andreas Löbel", "Katrin Noack", "de"),
		m("Spedition Kraus & Söhne KG", "DE", "kraus-logistik", "Markus Kraus", "+49 911 555 610", active, []string{"transport"}, "Markus Kraus", "Dana Weiß", "de"),
		m("Flughafen Mittelrhein GmbH", "DE", "flughafen-mittelrhein", "Peter Lenz", "+49 261 555 900", active, []string{"transport"}, "Peter Lenz", "Sofia Marino", "de"),
		m("Bergland Breitband GmbH", "DE", "bergland-breitband", "Nina Schäfer", "+49 2761 555 440", active, []string{"digital-infrastructure"}, "Nina Schäfer", "Felix Roth", "de"),
		m("Datenhafen Hamburg GmbH", "DE", "datenhafen", "Jan-Hendrik Voss", "+49 40 555 2020", active, []string{"digital-infrastructure", "ict-services"}, "Jan-Hendrik Voss", "Mia Lorenz", "en"),
		m("Landkreis Vogelsberg", "DE", "vogelsberg", "Bernd Appel", "+49 6641 555 300", active, []string{"public-administration"}, "Bernd Appel", "Heike Zinn", "de"),
		m("CERT Nordwest e. V.", "DE", "cert-nordwest", "Dr. Lars Eilers", "+49 441 555 800", active, []string{"ict-services"}, "Lars Eilers", "Aylin Demir", "en"),
		m("Waterschap Maas en Peel", "NL", "maas-peel", "Sanne Verhoeven", "+31 77 555 1400", active, []string{"water"}, "Sanne Verhoeven", "Ruud Janssen", "nl"),
		m("Systemhaus Meier GmbH", "DE", "systemhaus-meier", "Uwe Meier", "+49 731 555 150", identity.StatusSuspended, []string{"ict-services"}, "Uwe Meier", "Paula Brenner", "de"),
		m("Pharmawerk Lübeck AG", "DE", "pharmawerk-luebeck", "Dr. Henrike Lange", "+49 451 555 660", identity.StatusPending, []string{"health", "chemicals"}, "Henrike Lange", "Tobias Falk", "de"),
	}
	return office, members
}

// Seed creates the demo alliance unless the database holds it already, and
// returns the demo logins either way.
func Seed(ctx context.Context, st identity.Store, text func(lang, key string, args ...any) string) ([]Login, error) {
	office, members := alliance()
	logins := loginsOf(append([]org{office}, members...))
	seeded, err := st.Setting(ctx, seededKey)
	if err != nil {
		return nil, err
	}
	if seeded != "" {
		return logins, nil
	}
	cfg := identity.DefaultConfig()
	// The minimum of the OWASP recommendation keeps seeding quick; logins
	// verify with the parameters stored in each hash.
	cfg.Argon2 = identity.Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}
	cfg.MailHeld = true
	cfg.Text = text
	// The alliance grew over two years: the office first, then members
	// every few weeks, each with its users created the same day. Times
	// advance with every change, so the audit log reads in order.
	now := time.Now().UTC().Truncate(time.Minute)
	at := now.AddDate(-2, 0, 0)
	cfg.Now = func() time.Time { at = at.Add(time.Second); return at }
	svc := identity.NewService(st, cfg)
	sys := identity.SystemPrincipal()
	all := append([]org{office}, members...)
	step := now.Sub(at) / time.Duration(len(all)+1)
	for i, o := range all {
		at = now.AddDate(-2, 0, 0).Add(time.Duration(i) * step).Truncate(time.Hour).Add(9 * time.Hour)
		kind := identity.KindMember
		if i == 0 {
			kind = identity.KindOffice
		}
		created, err := svc.CreateOrganisation(ctx, sys, identity.NewOrganisation{
			Name: o.name, Kind: kind, Status: o.status, Country: o.country, Sectors: o.sectors,
			ContactName: o.contact, ContactEmail: o.people[0].email, ContactPhone: o.phone,
		})
		if err != nil {
			return nil, fmt.Errorf("organisation %s: %w", o.name, err)
		}
		for _, p := range o.people {
			if _, err := svc.CreateUser(ctx, sys, identity.NewUser{
				OrgID: created.ID, Email: p.email, Name: p.name, Lang: p.lang, Password: Password, Roles: p.roles,
			}); err != nil {
				return nil, fmt.Errorf("user %s: %w", p.email, err)
			}
		}
	}
	if err := st.Update(ctx, func(tx identity.Tx) error {
		return tx.SetSetting(ctx, seededKey, time.Now().UTC().Format(time.RFC3339))
	}); err != nil {
		return nil, err
	}
	return logins, nil
}

func loginsOf(orgs []org) []Login {
	var out []Login
	for _, o := range orgs {
		for _, p := range o.people {
			roles := make([]string, len(p.roles))
			for i, r := range p.roles {
				roles[i] = string(r)
			}
			name := o.name
			if o.status != identity.StatusActive {
				name += " (" + string(o.status) + ")"
			}
			out = append(out, Login{Email: p.email, Org: name, Roles: strings.Join(roles, ", ")})
		}
	}
	return out
}
