package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// plan adds the events of the alliance's history, relative to now.
func (s *seeder) plan(now time.Time, add func(time.Time, string, func() error)) {
	day := 24 * time.Hour
	t0 := now.AddDate(-2, 0, 0)
	add(t0, "office", s.office)
	add(t0.Add(day), "agreement version 1", func() error {
		_, err := s.mem.PublishAgreement(s.ctx, s.admins[string(identity.RoleOfficeAdmin)], agreementV1)
		return err
	})

	// Members join over the two years, on working days in office hours.
	first, last := t0.Add(7*day), now.AddDate(0, -1, 0)
	step := last.Sub(first) / time.Duration(len(members))
	for i, m := range members {
		at := first.Add(time.Duration(i) * step)
		at = time.Date(at.Year(), at.Month(), at.Day(), 9+i%4, 10*(i%5), 0, 0, time.UTC)
		if m.pending {
			at = now.Add(-50 * time.Hour)
		}
		add(at, "registration of "+m.name, func() error { return s.join(m) })
	}

	// Partners: CERT Nordwest and Datenhafen; Bergland's application waits.
	rev := func() identity.Principal { return s.admins[string(identity.RoleReviewer)] }
	var certApp, dhApp, mvApp membership.Application
	add(now.AddDate(0, -8, 0), "CERT Nordwest applies as partner", func() (err error) {
		certApp, err = s.apply("cert-nordwest", membership.Partner, []string{"incident response", "forensics", "malware analysis"}, "",
			"Wir betreiben seit 2014 ein CERT für Kommunen und Versorger in Nordwestdeutschland.")
		return err
	})
	add(now.AddDate(0, -8, 3), "partner application approved", func() error {
		_, err := s.mem.DecideApplication(s.ctx, rev(), certApp.ID, membership.Decision{Approve: true,
			Reason: "Nachgewiesene Expertise in Vorfallsbehandlung; wir freuen uns auf Ihre Beiträge."})
		return err
	})
	s.contribution(add, rev, now.AddDate(0, -7, 0), "cert-nordwest", "event", "Workshop: Ransomware-Abwehr für Stadtwerke",
		"Ganztägiger Workshop für Teilnehmende mit Übung an einer nachgebauten Leitstelle.", true)
	s.contribution(add, rev, now.AddDate(0, -4, 0), "cert-nordwest", "tool", "Nordwest-Triage: Erstsichtung kompromittierter Windows-Systeme",
		"Freie Software; sammelt die wichtigsten Artefakte in zehn Minuten.", true)
	s.contribution(add, rev, now.AddDate(0, 0, -6), "cert-nordwest", "publication", "Lagebild Q3: Angriffe auf Fernwirktechnik",
		"Auswertung der Meldungen aus dem dritten Quartal.", false)

	add(now.AddDate(0, -5, 0), "Datenhafen applies as partner", func() (err error) {
		dhApp, err = s.apply("datenhafen", membership.Partner, []string{"cloud security", "DDoS protection", "security operations"}, "",
			"We run a carrier-neutral data centre and a 24/7 SOC for critical infrastructure customers.")
		return err
	})
	add(now.AddDate(0, -5, 2), "partner application approved", func() error {
		_, err := s.mem.DecideApplication(s.ctx, rev(), dhApp.ID, membership.Decision{Approve: true, Reason: "SOC-Expertise für Betreiber kritischer Infrastrukturen."})
		return err
	})
	s.contribution(add, rev, now.AddDate(0, -4, 10), "datenhafen", "publication", "Hardening guide for colocation customers",
		"A checklist for physical and network security of colocated systems.", true)
	add(now.AddDate(0, 0, -9), "Bergland Breitband applies as partner", func() error {
		_, err := s.apply("bergland-breitband", membership.Partner, []string{"DDoS protection", "BGP security"}, "",
			"Wir betreiben ein regionales Glasfasernetz und beraten Kommunen zur Netzsicherheit.")
		return err
	})

	// A multiplier: the energy association, approved against the checklist.
	add(now.AddDate(0, -4, 0), "Energieverband applies as multiplier", func() (err error) {
		mvApp, err = s.apply("energieverband-nord", membership.Multiplier, nil, "association",
			"Verband von 140 kommunalen Energieversorgern in Norddeutschland.")
		return err
	})
	add(now.AddDate(0, -4, 5), "multiplier application approved", func() error {
		checklist, err := s.mem.MultiplierChecklist(s.ctx)
		if err != nil {
			return err
		}
		_, err = s.mem.DecideApplication(s.ctx, rev(), mvApp.ID, membership.Decision{Approve: true, Checked: checklist,
			Reason: "Geeignet: große Reichweite unter Versorgern, eigene Veranstaltungen."})
		return err
	})
	s.contribution(add, rev, now.AddDate(0, -3, 0), "energieverband-nord", "member-event", "Mitgliederforum Cyber-Sicherheit 2026",
		"Vorstellung der Allianz vor 90 Mitgliedsunternehmen.", true)

	// Version 2 of the agreement; most members accept it, two have not yet.
	agrAt := now.Add(-21 * day)
	add(agrAt, "agreement version 2", func() error {
		_, err := s.mem.PublishAgreement(s.ctx, s.admins[string(identity.RoleOfficeAdmin)], agreementV2)
		return err
	})
	for i, m := range members {
		if m.pending || m.suspended || m.skipsV2 {
			continue
		}
		add(agrAt.Add(day+time.Duration(i)*19*time.Hour), m.name+" accepts version 2", func() error {
			_, err := s.mem.Sign(s.ctx, s.admins[m.slug], s.orgs[m.slug].ID, 2, m.lang)
			return err
		})
	}
	add(now.Add(-10*day), "suspension of Systemhaus Meier", func() error {
		return s.mem.Suspend(s.ctx, s.admins[string(identity.RoleOfficeAdmin)], s.orgs["systemhaus-meier"].ID,
			"Vertrauliche Informationen (TLP:AMBER) wurden an Kunden weitergegeben; bis zur Klärung ausgesetzt.")
	})
	s.planDesignations(now, add)
	s.planIncidents(now, add)
	add(now.Add(-15*day), "circles", func() error { return s.seedCircles() })
	add(now.Add(-6*day), "indicators", func() error { return s.seedIntel(now) })
	add(now.Add(-6*day+time.Hour), "taxii remote", func() error { return s.seedRemotes(now) })
}

func (s *seeder) office() error {
	sys := identity.SystemPrincipal()
	o, err := s.ids.CreateOrganisation(s.ctx, sys, identity.NewOrganisation{
		Name: office.name, Kind: identity.KindOffice, Status: identity.StatusActive, Country: office.country,
		Sectors: []string{"public-administration"}, ContactName: office.contact, ContactEmail: office.people[0].email, ContactPhone: office.phone,
	})
	if err != nil {
		return err
	}
	s.orgs["office"] = o
	for _, p := range office.people {
		u, err := s.ids.CreateUser(s.ctx, sys, identity.NewUser{OrgID: o.ID, Email: p.email, Name: p.name, Lang: p.lang, Password: Password, Roles: p.roles})
		if err != nil {
			return fmt.Errorf("user %s: %w", p.email, err)
		}
		if s.admins[string(p.roles[0])], err = s.principal(u.ID); err != nil {
			return err
		}
	}
	return nil
}

// join registers m through the public registration path, confirms the
// address a few hours later (which activates it), then adds a second user
// and the network opt-in.
func (s *seeder) join(m member) error {
	s.link = ""
	agr, err := s.mem.CurrentAgreement(s.ctx)
	if err != nil {
		return err
	}
	reg, err := s.mem.Register(s.ctx, membership.NewRegistration{
		Name: m.name, LegalForm: m.legalForm, Street: m.street, Postcode: m.postcode, City: m.city, Country: m.country,
		Sectors: m.sectors, SizeClass: m.size, Website: m.website,
		ContactName: m.contact, ContactFunction: m.function, ContactEmail: m.adminEmail(), ContactPhone: m.phone,
		UserName: m.admin, UserEmail: m.adminEmail(), Password: Password,
		AgreementVersion: agr.Version, AgreementLang: m.lang, AcceptAgreement: true,
	})
	if err != nil {
		return err
	}
	s.orgs[m.slug] = reg.Org
	if m.pending {
		return nil // the address is not confirmed yet: a registration in the office's queue
	}
	secret := s.link[strings.LastIndex(s.link, "/")+1:]
	if secret == "" {
		return fmt.Errorf("no verification link was mailed")
	}
	s.clk.set(s.clk.t.Add(3 * time.Hour))
	if s.orgs[m.slug], err = s.mem.Verify(s.ctx, secret); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	admin, err := s.principal(reg.User.ID)
	if err != nil {
		return err
	}
	s.admins[m.slug] = admin
	if _, err := s.ids.CreateUser(s.ctx, admin, identity.NewUser{OrgID: reg.Org.ID, Email: m.socEmail(), Name: m.soc, Lang: m.lang,
		Password: Password, Roles: []identity.Role{identity.RoleOrgMember}}); err != nil {
		return fmt.Errorf("user %s: %w", m.socEmail(), err)
	}
	return s.mem.SetNetworkVisible(s.ctx, admin, reg.Org.ID, !m.hidden)
}

func (s *seeder) apply(slug string, kind membership.Status, expertise []string, orgType, why string) (membership.Application, error) {
	return s.mem.Apply(s.ctx, s.admins[slug], membership.NewApplication{OrgID: s.orgs[slug].ID, Kind: kind,
		Expertise: expertise, OrgType: orgType, Description: why})
}

// contribution adds a contribution (or activity) at at, and its acceptance
// three days later unless it is still waiting for the office.
func (s *seeder) contribution(add func(time.Time, string, func() error), rev func() identity.Principal, at time.Time, slug, typ, title, desc string, accept bool) {
	var c membership.Contribution
	add(at, "contribution "+title, func() (err error) {
		c, err = s.mem.Contribute(s.ctx, s.admins[slug], membership.NewContribution{OrgID: s.orgs[slug].ID, Type: typ, Title: title,
			Description: desc, Link: "https://" + slug + ".example/allianz/" + strings.ToLower(strings.Fields(title)[0])})
		return err
	})
	if accept {
		add(at.Add(3*24*time.Hour), "contribution accepted", func() error {
			_, err := s.mem.DecideContribution(s.ctx, rev(), c.ID, true, "")
			return err
		})
	}
}
