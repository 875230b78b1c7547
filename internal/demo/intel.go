package demo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// seedIntel creates the alliance's TAXII collection and the indicators the
// office shared in it during the last weeks.
func (s *seeder) seedIntel(now time.Time) error {
	if s.stix == nil {
		return nil
	}
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		return err
	}
	door := sharing.New(pol, s.mem, s.des, s.des, s.ids, s.clk.now)
	svc := cti.NewService(s.stix, door, s.clk.now)
	office := s.admins[string(identity.RoleOfficeAdmin)]
	c, err := svc.CreateCollection(s.ctx, office, cti.NewCollection{
		Title: "Indikatoren der Allianz", Description: "Von der Geschäftsstelle geprüfte Indikatoren für alle Teilnehmenden (TLP:GREEN).",
		Alias: "allianz", OwnerOrg: s.orgs["office"].ID,
		Default:      policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}},
		ReadersWrite: true,
	})
	if err != nil {
		return fmt.Errorf("collection: %w", err)
	}
	v, err := door.Viewer(s.ctx, office)
	if err != nil {
		return err
	}
	type ind struct{ name, pattern, desc, tlp string }
	inds := []ind{
		{"Command-and-control server (Emotet-like loader)", "[ipv4-addr:value = '203.0.113.45']", "Seen in phishing waves against municipal utilities.", stix.TLP2Green},
		{"Phishing domain imitating a grid operator", "[domain-name:value = 'nordsee-netz-login.example']", "Credential phishing aimed at control-room staff.", stix.TLP2Green},
		{"Ransomware dropper", "[file:hashes.'SHA-256' = 'a3f5c8d2e1b4967f0c2d8e5a1b3c7f9e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d']", "Dropper of the ransomware reported in the energy sector.", stix.TLP2Green},
		{"Exploit kit landing page", "[url:value = 'http://198.51.100.23/landing/kit.php']", "Drive-by downloads via compromised news sites.", stix.TLP2Clear},
		{"Scanning network for VPN gateways", "[ipv4-addr:value = '192.0.2.0/24']", "Mass scanning for the VPN vulnerability of the last warning.", stix.TLP2Green},
	}
	var raw []json.RawMessage
	for i, x := range inds {
		at := s.clk.t.Add(time.Duration(i) * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
		obj := map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": "indicator--" + identity.NewID(),
			"created": at, "modified": at, "name": x.name, "description": x.desc,
			"indicator_types": []string{"malicious-activity"}, "pattern": x.pattern, "pattern_type": "stix",
			"valid_from": at, "object_marking_refs": []string{x.tlp},
		}
		b, _ := json.Marshal(obj)
		raw = append(raw, b)
	}
	st, err := svc.Add(s.ctx, office, &v, &c, raw)
	if err != nil {
		return fmt.Errorf("indicators: %w", err)
	}
	if len(st.Failures) > 0 {
		return fmt.Errorf("indicators: %d of %d refused: %+v", len(st.Failures), len(raw), st.Failures)
	}
	return nil
}
