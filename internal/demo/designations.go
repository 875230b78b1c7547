package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// seedDesignations gives the hub model something to decide with: a CERT
// designated as sector-wide CSIRT (due for review soon), an internet access
// provider designated to inform its users, a refused assessment and one in
// progress.
func (s *seeder) planDesignations(now time.Time, add func(time.Time, string, func() error)) {
	assessor := func() identity.Principal { return s.admins[string(identity.RoleAssessor)] }
	assess := func(slug string, cat policy.Category, sectorWide bool, findings [3]bool, notes [3]string, evidence [][2]string) (designation.Assessment, error) {
		a, err := s.des.OpenAssessment(s.ctx, assessor(), designation.NewAssessment{OrgID: s.orgs[slug].ID, Category: cat, SectorWide: sectorWide})
		if err != nil {
			return a, err
		}
		for _, e := range evidence {
			sum := sha256.Sum256([]byte(e[0] + e[1]))
			if _, err := s.des.AddEvidence(s.ctx, assessor(), a.ID, designation.NewEvidence{Title: e[0], Reference: e[1], SHA256: hex.EncodeToString(sum[:])}); err != nil {
				return a, fmt.Errorf("evidence: %w", err)
			}
		}
		for i, c := range designation.Criteria {
			if _, err := s.des.RecordFinding(s.ctx, assessor(), a.ID, designation.NewFinding{Criterion: c, Met: findings[i], Note: notes[i]}); err != nil {
				return a, fmt.Errorf("finding %s: %w", c, err)
			}
		}
		return a, nil
	}
	met := [3]bool{true, true, true}

	add(now.AddDate(-1, 0, -10), "assessment of CERT Nordwest", func() error {
		a, err := assess("cert-nordwest", policy.CategoryDesignatedCSIRT, true, met, [3]string{
			"Satzung § 2: Unterstützung der angeschlossenen Kommunen und Versorger bei Sicherheitsvorfällen; betreut den gesamten Sektor Energie in der Region.",
			"ISO/IEC 27001-Zertifikat, geprüfte Geheimhaltungsverpflichtungen aller Beschäftigten, getrennte Netze für TLP:AMBER/RED.",
			"Verzeichnis der Verarbeitungstätigkeiten und Datenschutz-Folgenabschätzung liegen vor; Zweckbindung vertraglich geregelt.",
		}, [][2]string{{"Satzung CERT Nordwest e. V. (2024)", "Vereinsregister Oldenburg VR 20411"}, {"ISO/IEC 27001-Zertifikat", "Zertifikat Nr. 2025-11-0417"}})
		if err != nil {
			return err
		}
		s.clk.set(now.AddDate(-1, 0, 0))
		_, err = s.des.Designate(s.ctx, assessor(), a.ID, designation.Terms{ValidFrom: now.AddDate(-1, 0, 0), ValidUntil: now.AddDate(1, 0, 0),
			ReviewAt: now.AddDate(0, 0, 20), Reason: "Alle drei Kriterien erfüllt; sektorweit für Energie tätig."})
		return err
	})
	add(now.AddDate(0, -4, 0), "assessment of Bergland Breitband", func() error {
		a, err := assess("bergland-breitband", policy.CategoryISP, false, met, [3]string{
			"Internetzugangsanbieter für 38.000 Anschlüsse; informiert betroffene Kundinnen und Kunden über kompromittierte Anschlüsse.",
			"Abuse-Team mit Vertraulichkeitsverpflichtung; Informationen nur im Ticketsystem mit Zugriffsbeschränkung.",
			"Verarbeitung nur zur Information der eigenen Nutzer (Art. 6 Abs. 1 lit. f DSGVO); Löschfrist 90 Tage.",
		}, [][2]string{{"Abuse-Prozessbeschreibung", "Dokument BB-SEC-07, Stand 2026"}})
		if err != nil {
			return err
		}
		_, err = s.des.Designate(s.ctx, assessor(), a.ID, designation.Terms{ValidFrom: s.clk.t, ValidUntil: now.AddDate(1, 8, 0),
			ReviewAt: now.AddDate(0, 6, 0), Reason: "Als Internetzugangsanbieter; Informationen nur zur Information der eigenen Nutzer."})
		return err
	})
	add(now.AddDate(0, -2, 0), "assessment of Datenhafen", func() error {
		a, err := assess("datenhafen", policy.CategoryOKTT, false, [3]bool{true, false, true}, [3]string{
			"Informs its colocation customers about threats as part of its service contract.",
			"No separation of customer-facing staff from the SOC; confidentiality cannot be guaranteed yet.",
			"Processing register present; purpose limitation in customer contracts.",
		}, nil)
		if err != nil {
			return err
		}
		return s.des.Refuse(s.ctx, assessor(), a.ID, "Criterion (b) not met: confidentiality cannot be guaranteed yet. A new assessment is welcome after the planned separation.")
	})
	add(now.Add(-3*24*time.Hour), "assessment of Maas en Peel opened", func() error {
		open, err := s.des.OpenAssessment(s.ctx, assessor(), designation.NewAssessment{OrgID: s.orgs["maas-peel"].ID, Category: policy.CategoryOKTT})
		if err != nil {
			return err
		}
		_, err = s.des.RecordFinding(s.ctx, assessor(), open.ID, designation.NewFinding{Criterion: designation.CriterionTask, Met: true,
			Note: "Informeert de aangesloten gemeenten in de regio over dreigingen voor waterinfrastructuur."})
		return err
	})
}

// seedCircles makes sharing groups by sector, one nested in another.
func (s *seeder) seedCircles() error {
	admin := s.admins[string(identity.RoleOfficeAdmin)]
	circle := func(name, desc string, orgs ...string) (designation.Circle, error) {
		c, err := s.des.CreateCircle(s.ctx, admin, designation.NewCircle{Name: name, Description: desc})
		if err != nil {
			return c, err
		}
		for _, slug := range orgs {
			if err := s.des.AddCircleOrg(s.ctx, admin, c.ID, s.orgs[slug].ID); err != nil {
				return c, err
			}
		}
		return c, nil
	}
	energy, err := circle("Energie-ISAC", "Netzbetreiber und Versorger im Norden", "stadtwerke-emsland", "nordsee-netz", "energieverband-nord")
	if err != nil {
		return err
	}
	water, err := circle("Wasserwirtschaft", "Wasserversorger und Wasserverbände, grenzüberschreitend", "wv-oberlausitz", "maas-peel", "stadtwerke-emsland")
	if err != nil {
		return err
	}
	kritis, err := circle("KRITIS Nord", "Betreiber kritischer Infrastrukturen im Norden: die Energie- und Wasserkreise und weitere", "flughafen-mittelrhein", "klinikum-weserbergland")
	if err != nil {
		return err
	}
	for _, c := range []designation.Circle{energy, water} {
		if err := s.des.AddCircleCircle(s.ctx, admin, kritis.ID, c.ID); err != nil {
			return err
		}
	}
	return nil
}
