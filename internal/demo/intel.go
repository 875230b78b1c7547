package demo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// seedIntel creates the alliance's TAXII collections and what the office
// and the members shared in them during the last weeks: indicators, the
// malware and the technique behind them, relationships, members' own
// indicators, and sightings, attributed and anonymous. A second collection
// belongs to the Energie-ISAC circle at TLP:AMBER; other members see only
// that its objects exist and may ask for access.
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
	stamp := func(i int) string {
		return s.clk.t.Add(time.Duration(i) * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	newID := func(typ string) string { return typ + "--" + uuid.New().String() }
	officeIdentity := cti.IdentityID(s.orgs["office"].ID)
	type ind struct{ name, pattern, desc, tlp string }
	inds := []ind{
		{"Command-and-control server (Emotet-like loader)", "[ipv4-addr:value = '203.0.113.45']", "Seen in phishing waves against municipal utilities.", stix.TLP2Green},
		{"Phishing domain imitating a grid operator", "[domain-name:value = 'nordsee-netz-login.example']", "Credential phishing aimed at control-room staff.", stix.TLP2Green},
		{"Ransomware dropper", "[file:hashes.'SHA-256' = 'a3f5c8d2e1b4967f0c2d8e5a1b3c7f9e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d']", "Dropper of the ransomware reported in the energy sector.", stix.TLP2Green},
		{"Exploit kit landing page", "[url:value = 'http://198.51.100.23/landing/kit.php']", "Drive-by downloads via compromised news sites.", stix.TLP2Clear},
		{"Scanning network for VPN gateways", "[ipv4-addr:value = '192.0.2.0/24']", "Mass scanning for the VPN vulnerability of the last warning.", stix.TLP2Green},
	}
	ids := make([]string, len(inds))
	office0 := s.orgs["office"]
	officeID, _ := json.Marshal(map[string]any{"type": "identity", "spec_version": "2.1", "id": officeIdentity,
		"created": cti.FormatTimestamp(office0.CreatedAt.Truncate(time.Millisecond)), "modified": cti.FormatTimestamp(office0.CreatedAt.Truncate(time.Millisecond)),
		"name": office0.Name, "identity_class": "organization"})
	raw := []json.RawMessage{officeID}
	for i, x := range inds {
		at := stamp(i)
		ids[i] = newID("indicator")
		obj := map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": ids[i], "created_by_ref": officeIdentity,
			"created": at, "modified": at, "name": x.name, "description": x.desc,
			"indicator_types": []string{"malicious-activity"}, "pattern": x.pattern, "pattern_type": "stix",
			"valid_from": at, "object_marking_refs": []string{x.tlp},
		}
		if i == 0 {
			obj["kill_chain_phases"] = []map[string]string{{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "command-and-control"}}
			obj["labels"] = []string{"emotet", "loader"}
		}
		b, _ := json.Marshal(obj)
		raw = append(raw, b)
	}
	// What the indicators point at: the malware family and the technique,
	// tied together with relationships.
	malware, technique := newID("malware"), newID("attack-pattern")
	at := stamp(6)
	more := []map[string]any{
		{"type": "malware", "spec_version": "2.1", "id": malware, "created": at, "modified": at, "created_by_ref": officeIdentity,
			"name": "Emotet-like loader", "is_family": true, "malware_types": []string{"trojan", "dropper"},
			"description":         "Modular loader spread by malicious office documents; downloads ransomware in a second stage.",
			"kill_chain_phases":   []map[string]string{{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}},
			"object_marking_refs": []string{stix.TLP2Green}},
		{"type": "attack-pattern", "spec_version": "2.1", "id": technique, "created": at, "modified": at, "created_by_ref": officeIdentity,
			"name": "Spearphishing Attachment", "description": "Messages with a malicious attachment that imitate invoices of the grid operator.",
			"external_references": []map[string]string{{"source_name": "mitre-attack", "external_id": "T1566.001", "url": "https://attack.mitre.org/techniques/T1566/001/"}},
			"kill_chain_phases":   []map[string]string{{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}},
			"object_marking_refs": []string{stix.TLP2Green}},
	}
	rel := func(typ, src, dst string) map[string]any {
		return map[string]any{"type": "relationship", "spec_version": "2.1", "id": newID("relationship"), "created": at, "modified": at,
			"created_by_ref": officeIdentity, "relationship_type": typ, "source_ref": src, "target_ref": dst,
			"object_marking_refs": []string{stix.TLP2Green}}
	}
	more = append(more, rel("indicates", ids[0], malware), rel("indicates", ids[2], malware), rel("uses", malware, technique),
		rel("indicates", ids[1], technique))
	for _, o := range more {
		b, _ := json.Marshal(o)
		raw = append(raw, b)
	}
	st, err := svc.Add(s.ctx, office, &v, &c, raw)
	if err != nil {
		return fmt.Errorf("indicators: %w", err)
	}
	if len(st.Failures) > 0 {
		return fmt.Errorf("indicators: %d of %d refused: %+v", len(st.Failures), len(raw), st.Failures)
	}

	// Members contribute: an indicator of their own, and sightings.
	member := func(slug string) (identity.Principal, *policy.Viewer, error) {
		p := s.admins[slug]
		mv, err := door.Viewer(s.ctx, p)
		return p, &mv, err
	}
	cert, certV, err := member("cert-nordwest")
	if err != nil {
		return err
	}
	if _, err := svc.AddIndicator(s.ctx, cert, certV, &c, cti.NewIndicator{Kind: "domain", Value: "update-check.example",
		Name: "Fake update server of the loader", Description: "Second-stage downloads seen in our customers' proxy logs.",
		ValidFrom: s.clk.now().Add(-72 * time.Hour)}); err != nil {
		return fmt.Errorf("member indicator: %w", err)
	}
	seen := s.clk.now()
	for _, x := range []struct {
		slug      string
		indicator int
		count     int
		anonymous bool
	}{
		{"stadtwerke-emsland", 0, 14, false},
		{"nordsee-netz", 1, 3, true},
		{"klinikum-weserbergland", 0, 2, true},
		{"rheinische-volksbank", 4, 230, false},
	} {
		p, mv, err := member(x.slug)
		if err != nil {
			return err
		}
		if _, err := svc.AddSighting(s.ctx, p, mv, &c, cti.NewSighting{Indicator: ids[x.indicator], Count: x.count,
			FirstSeen: seen.Add(-96 * time.Hour), LastSeen: seen.Add(-2 * time.Hour), Anonymous: x.anonymous}); err != nil {
			return fmt.Errorf("sighting of %s: %w", x.slug, err)
		}
	}
	return s.seedCircleIntel(svc, door)
}

// seedCircleIntel creates the Energie-ISAC's collection at TLP:AMBER, with
// an indicator that shares its address with one of the alliance's.
func (s *seeder) seedCircleIntel(svc *cti.Service, door *sharing.Door) error {
	office := s.admins[string(identity.RoleOfficeAdmin)]
	circles, err := s.des.ListCircles(s.ctx, office)
	if err != nil {
		return err
	}
	var circle string
	for _, ci := range circles {
		if ci.Name == "Energie-ISAC" {
			circle = ci.ID
		}
	}
	if circle == "" {
		return fmt.Errorf("no circle Energie-ISAC")
	}
	c, err := svc.CreateCollection(s.ctx, office, cti.NewCollection{
		Title: "Energie-ISAC: Indikatoren", Description: "Indikatoren aus Vorfällen bei Netzbetreibern, nur für den Kreis Energie-ISAC (TLP:AMBER).",
		Alias: "energie-isac", OwnerOrg: s.orgs["office"].ID,
		Default:      policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Circles: []string{circle}}},
		ReadersWrite: true,
	})
	if err != nil {
		return fmt.Errorf("circle collection: %w", err)
	}
	p := s.admins["stadtwerke-emsland"]
	v, err := door.Viewer(s.ctx, p)
	if err != nil {
		return err
	}
	for _, in := range []cti.NewIndicator{
		{Kind: "ipv4", Value: "203.0.113.45", Name: "C2 contacted from a substation's engineering workstation",
			Description: "Beaconing every 300 s over HTTPS; the workstation was isolated."},
		{Kind: "sha256", Value: "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
			Name: "Modified firmware updater", Description: "Found on two remote terminal units after the incident."},
	} {
		if _, err := svc.AddIndicator(s.ctx, p, &v, &c, in); err != nil {
			return fmt.Errorf("circle indicator: %w", err)
		}
	}
	return nil
}
