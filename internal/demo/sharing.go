package demo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/sharing/stixrelay"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The sharing policy at work in the demo, in the last days before now:
//
//   - Nordsee Netz shares three TLP:AMBER indicators only with the circle
//     "Leitstellen Nord" (itself and Energieverband Nord), in its
//     collection "Netzleittechnik – Leitstellen Nord".
//   - CERT Nordwest asked for access to the first and Nordsee Netz granted
//     it; Flughafen Mittelrhein asked for the second and was refused; the
//     Klinikum Weserbergland has asked for the third, and Friederike Jansen
//     (admin@nordsee-netz.example) sees the open request in her member area.
//   - The office received an indicator from an incident at the Klinikum
//     Weserbergland, shared with the health and digital-infrastructure
//     sectors with the reporter's contact in its description, and its
//     analyst relayed a sanitised copy to the health sector only, linked to
//     the original by an external reference.

// sharingDemo holds what the sharing events make, for the later ones.
type sharingDemo struct {
	door     *sharing.Door
	stix     *cti.Service
	access   *sharing.Access
	energy   []string // marking ids of Nordsee Netz's indicators
	incident string   // marking id of the office's incident indicator
	health   cti.Collection
	requests []string
}

// planSharing adds the sharing events to the history. It needs the TAXII
// collections and the storage of requests for access.
func (s *seeder) planSharing(now time.Time, add func(time.Time, string, func() error)) {
	if s.stix == nil || s.access == nil {
		return
	}
	day := 24 * time.Hour
	d := &sharingDemo{}
	add(now.Add(-5*day), "indicators for a circle of control rooms", func() error { return s.seedSharedIndicators(d) })
	add(now.Add(-5*day+time.Hour), "CERT Nordwest asks for access", func() error {
		return s.askAccess(d, "cert-nordwest", 0, "Wir betreuen mehrere Stadtwerke als CERT und wollen den C2-Server in unseren Sensoren erkennen.")
	})
	add(now.Add(-4*day), "Nordsee Netz grants the request", func() error {
		return s.decideAccess(d, 0, true, "Als CERT eurer Versorger gern; bitte nur für die Detektion verwenden.")
	})
	add(now.Add(-4*day+2*time.Hour), "Flughafen Mittelrhein asks for access", func() error {
		return s.askAccess(d, "flughafen-mittelrhein", 1, "Wir haben ähnliche Anmeldeversuche an unseren Fernwartungszugängen gesehen.")
	})
	add(now.Add(-3*day), "Nordsee Netz refuses the request", func() error {
		return s.decideAccess(d, 1, false, "Der Indikator betrifft nur Leitstellen der Energieversorgung; die Geschäftsstelle gibt eine allgemeine Warnung heraus.")
	})
	add(now.Add(-2*day), "the office relays a sanitised copy to the health sector", func() error { return s.relayToHealth(d) })
	add(now.Add(-1*day), "the Klinikum asks for access", func() error {
		return s.askAccess(d, "klinikum-weserbergland", 2, "Unsere Notstromversorgung hängt an derselben Fernwirktechnik; wir möchten die Adresse sperren.")
	})
}

func (s *seeder) seedSharedIndicators(d *sharingDemo) error {
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		return err
	}
	d.door = sharing.New(pol, s.mem, s.des, s.des, s.ids, s.clk.now)
	d.stix = cti.NewService(s.stix, d.door, s.clk.now)
	d.access = sharing.NewAccess(d.door, s.access, sharing.AccessConfig{Now: s.clk.now, MailHeld: true, Text: s.text})
	owner, err := s.principal(s.admins["nordsee-netz"].User.ID)
	if err != nil {
		return err
	}
	office := s.admins[string(identity.RoleOfficeAdmin)]
	circle, err := s.des.CreateCircle(s.ctx, office, designation.NewCircle{Name: "Leitstellen Nord",
		Description: "Leitstellen der Übertragungs- und Verteilnetze im Norden"})
	if err != nil {
		return err
	}
	for _, slug := range []string{"nordsee-netz", "energieverband-nord"} {
		if err := s.des.AddCircleOrg(s.ctx, office, circle.ID, s.orgs[slug].ID); err != nil {
			return err
		}
	}
	energy, err := d.stix.CreateCollection(s.ctx, owner, cti.NewCollection{
		Title: "Netzleittechnik – Leitstellen Nord", Description: "Indikatoren aus unseren Leitstellen, nur für den Kreis Leitstellen Nord (TLP:AMBER).",
		OwnerOrg: owner.Org.ID, Default: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Circles: []string{circle.ID}}},
	})
	if err != nil {
		return fmt.Errorf("energy collection: %w", err)
	}
	ids, err := s.addIndicators(d, owner, &energy, []demoIndicator{
		{"C2 server of a campaign against grid control rooms", "[ipv4-addr:value = '198.51.100.77']", "Beaconing from an engineering workstation every 300 seconds."},
		{"Brute force against remote maintenance gateways", "[ipv4-addr:value = '203.0.113.201']", "Password spraying against the remote access of substations."},
		{"Malicious firmware update server", "[domain-name:value = 'rtu-update.example']", "Serves manipulated firmware for remote terminal units."},
	})
	if err != nil {
		return err
	}
	d.energy = ids

	incidents, err := d.stix.CreateCollection(s.ctx, office, cti.NewCollection{
		Title: "Vorfallsindikatoren Gesundheit und digitale Infrastruktur", Description: "Indikatoren aus gemeldeten Vorfällen, für Kliniken und Rechenzentren (TLP:AMBER).",
		OwnerOrg: s.orgs["office"].ID, Default: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"health", "digital-infrastructure"}}},
	})
	if err != nil {
		return fmt.Errorf("incident collection: %w", err)
	}
	if d.health, err = d.stix.CreateCollection(s.ctx, office, cti.NewCollection{
		Title: "Weitergaben Gesundheitswesen", Description: "Bereinigte Weitergaben der Geschäftsstelle an Kliniken und Pharma (TLP:AMBER).",
		OwnerOrg: s.orgs["office"].ID, Default: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"health"}}},
	}); err != nil {
		return fmt.Errorf("health collection: %w", err)
	}
	analyst, err := s.principal(s.admins[string(identity.RoleAnalyst)].User.ID)
	if err != nil {
		return err
	}
	ids, err = s.addIndicators(d, analyst, &incidents, []demoIndicator{
		{"Phishing sender in the incident at a hospital", "[email-addr:value = 'befund@labor-portal.example']",
			"Reported by Murat Yılmaz (soc@klinikum-weserbergland.example, +49 5151 404 112): lab reports with a macro loader to the admissions desk."},
	})
	if err != nil {
		return err
	}
	d.incident = ids[0]
	return nil
}

// demoIndicator is the name, STIX pattern and description of an indicator.
type demoIndicator struct{ name, pattern, desc string }

// addIndicators adds indicators as p to c and returns their marking ids.
func (s *seeder) addIndicators(d *sharingDemo, p identity.Principal, c *cti.Collection, inds []demoIndicator) ([]string, error) {
	v, err := d.door.Viewer(s.ctx, p)
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	var out []string
	for i, x := range inds {
		at := s.clk.t.Add(time.Duration(i) * time.Minute).UTC().Truncate(time.Millisecond)
		ts := at.Format("2006-01-02T15:04:05.000Z")
		id := "indicator--" + identity.NewID()
		b, _ := json.Marshal(map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": id, "created": ts, "modified": ts,
			"created_by_ref": "identity--" + identity.NewID(), "name": x.name, "description": x.desc,
			"indicator_types": []string{"malicious-activity"}, "pattern": x.pattern, "pattern_type": "stix",
			"valid_from": ts, "object_marking_refs": []string{stix.TLP2Amber},
		})
		raw = append(raw, b)
		out = append(out, cti.MarkingID(c.ID, id, at))
	}
	st, err := d.stix.Add(s.ctx, p, &v, c, raw)
	if err != nil {
		return nil, err
	}
	if len(st.Failures) > 0 {
		return nil, fmt.Errorf("indicators: %d refused: %+v", len(st.Failures), st.Failures)
	}
	return out, nil
}

func (s *seeder) askAccess(d *sharingDemo, slug string, i int, reason string) error {
	p, err := s.principal(s.admins[slug].User.ID)
	if err != nil {
		return err
	}
	r, err := d.access.RequestAccess(s.ctx, p, policy.KindSTIX, d.energy[i], reason)
	if err != nil {
		return err
	}
	d.requests = append(d.requests, r.ID)
	return nil
}

func (s *seeder) decideAccess(d *sharingDemo, i int, grant bool, reason string) error {
	p, err := s.principal(s.admins["nordsee-netz"].User.ID)
	if err != nil {
		return err
	}
	_, err = d.access.DecideAccess(s.ctx, p, d.requests[i], grant, reason)
	return err
}

func (s *seeder) relayToHealth(d *sharingDemo) error {
	analyst, err := s.principal(s.admins[string(identity.RoleAnalyst)].User.ID)
	if err != nil {
		return err
	}
	relay := stixrelay.New(d.door, d.stix, sharing.NewSanitiser(sharing.DefaultRules(), stixrelay.Key([]byte("verbund demo"))), s.ids, s.clk.now)
	_, err = relay.Relay(s.ctx, analyst, stixrelay.Request{MarkingID: d.incident, Collection: d.health.ID})
	return err
}
