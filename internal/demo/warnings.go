package demo

import (
	"fmt"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/warning"
)

// The warnings of the demo: two years of advisories of the office about
// products of the energy and water sectors' vendors (all invented), in
// several severities and markings; one updated twice, one withdrawn, one
// waiting for the second publisher's approval, a draft, a partner's
// contribution, and the members' acknowledgements.

// demoWarning is one warning of the demo and what happens to it.
type demoWarning struct {
	ago      time.Duration // before now
	tlp      policy.TLP
	sectors  []string // for AMBER
	lang     string
	texts    map[string]warning.Text
	cvss     string
	severity warning.Severity
	cves     []string
	products []warning.Product
	refs     []string
	// by is the slug of a partner that contributes it; "" for the office.
	by       string
	state    warning.State // how far it gets: draft, review or published
	updates  []demoUpdate
	withdraw string // a reason to withdraw it a week later
	acks     map[string]warning.Ack
}

type demoUpdate struct {
	after   time.Duration
	changes string
	edit    func(*warning.Content)
}

const day = 24 * time.Hour

var demoWarnings = []demoWarning{
	{ago: 610 * day, tlp: policy.Clear, lang: "de", state: warning.Published,
		texts: map[string]warning.Text{
			"de": {Title: "Kritische Schwachstelle in VPN-Gateways von Castellan Networks",
				Summary:         "Eine Lücke in der Weboberfläche der SecureGate-VPN-Gateways erlaubt Angreifern ohne Anmeldung, Befehle auszuführen.",
				Details:         "Die Weboberfläche prüft Eingaben beim Hochladen von Konfigurationsdateien nicht. Ein Angreifer kann ohne Anmeldung beliebige Befehle mit Root-Rechten ausführen.\n\nDer Hersteller meldet **gezielte Angriffe** auf Betreiber kritischer Infrastrukturen.",
				Recommendations: "- Auf Version 9.1.3 oder neuer aktualisieren.\n- Die Weboberfläche nicht aus dem Internet erreichbar machen.\n- Protokolle seit Jahresbeginn auf unbekannte Konfigurationsimporte prüfen."},
			"en": {Title: "Critical vulnerability in Castellan Networks VPN gateways",
				Summary: "A flaw in the web interface of SecureGate VPN gateways lets unauthenticated attackers run commands."},
			"nl": {Title: "Kritieke kwetsbaarheid in VPN-gateways van Castellan Networks",
				Summary: "Een fout in de webinterface van SecureGate-VPN-gateways laat aanvallers zonder inloggen opdrachten uitvoeren."}},
		cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", cves: []string{"CVE-2025-10234"},
		products: []warning.Product{{Vendor: "Castellan Networks", Name: "SecureGate VPN", Versions: "< 9.1.3",
			CPE: "cpe:2.3:o:castellan_networks:securegate_firmware:*:*:*:*:*:*:*:*"}},
		refs: []string{"https://psirt.castellan-networks.example/advisories/CN-2025-004"},
		acks: map[string]warning.Ack{"stadtwerke-emsland": warning.AckFixed, "nordsee-netz": warning.AckFixed,
			"datenhafen": warning.AckAffected, "klinikum-weserbergland": warning.AckSeen, "rheinische-volksbank": warning.AckSeen}},
	{ago: 480 * day, tlp: policy.Green, lang: "de", state: warning.Published,
		texts: map[string]warning.Text{
			"de": {Title: "Standard-Zugangsdaten in Fernwirkunterstationen RTU 500",
				Summary:         "Die RTU 500 von Fernwirk werden mit einem festen Wartungszugang ausgeliefert, der sich nicht abschalten lässt.",
				Details:         "Über den Wartungsport (TCP 2404) ist mit einem im Handbuch dokumentierten Passwort ein Vollzugriff möglich. Betroffen sind Unterstationen in Strom- und Wassernetzen.",
				Recommendations: "- Firmware 3.5 einspielen, die den Zugang abschaltbar macht.\n- Den Wartungsport nur aus dem Leitstellennetz erreichbar machen."}},
		cvss: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", cves: []string{"CVE-2025-21877"},
		products: []warning.Product{{Vendor: "Fernwirk GmbH", Name: "RTU 500", Versions: "3.0 bis 3.4",
			CPE: "cpe:2.3:h:fernwirk:rtu_500:-:*:*:*:*:*:*:*"}},
		refs: []string{"https://fernwirk.example/sicherheit/FW-SA-2025-02"},
		acks: map[string]warning.Ack{"stadtwerke-emsland": warning.AckAffected, "wv-oberlausitz": warning.AckFixed, "maas-peel": warning.AckSeen}},
	{ago: 365 * day, tlp: policy.Amber, sectors: []string{"energy"}, lang: "de", state: warning.Published,
		texts: map[string]warning.Text{
			"de": {Title: "Ausgenutzte Lücke im Netzleitsystem GridControl",
				Summary:         "Eine Schwachstelle im Netzleitsystem GridControl erlaubt die Übernahme des Leitstellenservers aus dem Büronetz.",
				Details:         "Der Dienst für die Fernparametrierung deserialisiert Objekte ohne Prüfung. Der Hersteller hat uns vertraulich informiert; bitte **nur im eigenen Haus** weitergeben (TLP:AMBER).",
				Recommendations: "- Den Parametrierdienst bis zum Patch abschalten oder per Firewall auf die Engineering-Stationen beschränken.\n- Auf ungewöhnliche Prozesse auf dem Leitstellenserver achten."}},
		cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", cves: []string{"CVE-2025-33410"},
		products: []warning.Product{{Vendor: "Gridline Energy Software", Name: "GridControl SCADA", Versions: "7.0 bis 7.4.1",
			CPE: "cpe:2.3:a:gridline:gridcontrol_scada:*:*:*:*:*:*:*:*"}},
		refs: []string{"https://gridline.example/psirt/GL-2025-11"},
		updates: []demoUpdate{
			{after: 3 * day, changes: "Ausnutzung beobachtet: zwei Netzbetreiber melden Angriffe über VPN-Zugänge von Dienstleistern.",
				edit: func(c *warning.Content) {
					t := c.Texts["de"]
					t.Details += "\n\n**Update:** Zwei Netzbetreiber haben Angriffe gemeldet; der Zugang erfolgte über VPN-Konten von Dienstleistern."
					c.Texts["de"] = t
				}},
			{after: 12 * day, changes: "Patch 7.4.2 verfügbar; Empfehlungen angepasst.",
				edit: func(c *warning.Content) {
					t := c.Texts["de"]
					t.Recommendations = "- Auf GridControl 7.4.2 aktualisieren.\n- Danach den Parametrierdienst weiter auf die Engineering-Stationen beschränken.\n- VPN-Konten von Dienstleistern überprüfen."
					c.Texts["de"] = t
					c.References = append(c.References, "https://gridline.example/downloads/gridcontrol-7.4.2")
				}},
		},
		acks: map[string]warning.Ack{"stadtwerke-emsland": warning.AckFixed, "nordsee-netz": warning.AckAffected, "energieverband-nord": warning.AckSeen}},
	{ago: 270 * day, tlp: policy.Amber, sectors: []string{"water"}, lang: "de", state: warning.Published,
		texts: map[string]warning.Text{
			"de": {Title: "Unautorisierter Fernzugriff auf Bedienoberfläche AquaView",
				Summary:         "Die Bedienoberfläche AquaView von Hydrotec lässt sich ohne Anmeldung über das Netz bedienen.",
				Details:         "Eine fehlerhafte Sitzungsprüfung erlaubt es, Pumpen und Schieber fernzusteuern. Mehrere Wasserversorger betreiben AquaView aus dem Internet erreichbar.",
				Recommendations: "- Update auf AquaView 5.2.1.\n- Zugriff nur über das Leitstellen-VPN."},
			"nl": {Title: "Ongeautoriseerde toegang op afstand tot bedieningsinterface AquaView",
				Summary:         "De bedieningsinterface AquaView van Hydrotec is zonder inloggen via het netwerk te bedienen.",
				Details:         "Een foutieve sessiecontrole maakt het mogelijk pompen en schuiven op afstand te bedienen.",
				Recommendations: "- Bijwerken naar AquaView 5.2.1.\n- Toegang alleen via de VPN van de meldkamer."}},
		cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", cves: []string{"CVE-2025-40122"},
		products: []warning.Product{{Vendor: "Hydrotec Systems", Name: "AquaView HMI", Versions: "< 5.2.1",
			CPE: "cpe:2.3:a:hydrotec:aquaview_hmi:*:*:*:*:*:*:*:*"}},
		refs: []string{"https://hydrotec.example/security/HT-SA-2025-07"},
		acks: map[string]warning.Ack{"wv-oberlausitz": warning.AckFixed, "maas-peel": warning.AckAffected}},
	{ago: 210 * day, tlp: policy.Clear, lang: "de", state: warning.Published,
		withdraw: "Der Hersteller hat die Meldung zurückgenommen: die Lücke betrifft nur eine nie ausgelieferte Vorabversion.",
		texts: map[string]warning.Text{
			"de": {Title: "Schwachstelle in Messumformern der Serie Aquasense TX",
				Summary:         "Manipulierte Modbus-Telegramme können Messumformer neu starten.",
				Details:         "Ein Pufferüberlauf in der Modbus-Verarbeitung führt zum Neustart.",
				Recommendations: "- Modbus nur aus dem Prozessnetz zulassen."}},
		severity: warning.SeverityLow, cves: []string{"CVE-2025-45001"},
		products: []warning.Product{{Vendor: "Aquasense", Name: "TX 200 Messumformer", Versions: "4.0-beta"}}},
	{ago: 120 * day, tlp: policy.Green, lang: "de", state: warning.Published, by: "cert-nordwest",
		texts: map[string]warning.Text{
			"de": {Title: "Ransomware-Gruppe nutzt Lücke in Backup-Server Vaultkeeper",
				Summary:         "Bei drei Vorfällen in Kommunen und Stadtwerken haben Angreifer zuerst die Sicherungen gelöscht.",
				Details:         "Das CERT Nordwest hat in drei Vorfällen dieselbe Vorgehensweise gesehen: Zugriff auf den Vaultkeeper-Server über eine Lücke in der Anmeldung, Löschen der Sicherungen, dann Verschlüsselung.",
				Recommendations: "- Vaultkeeper 12.2 einspielen.\n- Unveränderliche Offline-Sicherungen vorhalten.\n- Administrative Konten des Backup-Servers vom Domänenkonto trennen."}},
		cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", cves: []string{"CVE-2026-0412"},
		products: []warning.Product{{Vendor: "Vaultkeeper Software", Name: "Vaultkeeper Backup Server", Versions: "< 12.2",
			PURL: "pkg:generic/vaultkeeper/backup-server@12.1"}},
		refs: []string{"https://cert-nordwest.example/lagebild/vaultkeeper"},
		acks: map[string]warning.Ack{"stadtwerke-emsland": warning.AckSeen, "klinikum-weserbergland": warning.AckFixed, "wv-oberlausitz": warning.AckSeen}},
	{ago: 60 * day, tlp: policy.Clear, lang: "en", state: warning.Published,
		texts: map[string]warning.Text{
			"en": {Title: "Remote code execution in the LogCore logging library",
				Summary:         "Log messages with a crafted lookup make applications using LogCore load and run code from a remote server.",
				Details:         "LogCore 2.0 to 2.3.1 resolves lookups in logged strings. Many operator portals and billing systems embed it.",
				Recommendations: "- Update to LogCore 2.3.2.\n- Where that is not possible at once, set `logcore.lookups=false`."},
			"de": {Title: "Codeausführung über die Protokollbibliothek LogCore",
				Summary:         "Präparierte Protokolleinträge bringen Anwendungen mit LogCore dazu, Code von fremden Servern zu laden.",
				Details:         "LogCore 2.0 bis 2.3.1 löst Platzhalter in protokollierten Texten auf.",
				Recommendations: "- Auf LogCore 2.3.2 aktualisieren.\n- Wo das nicht sofort geht: `logcore.lookups=false` setzen."},
			"nl": {Title: "Uitvoering van code via de logbibliotheek LogCore",
				Summary: "Gemanipuleerde logberichten laten toepassingen met LogCore code van een externe server laden en uitvoeren."}},
		cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", cves: []string{"CVE-2026-11873"},
		products: []warning.Product{{Vendor: "LogCore Project", Name: "logcore-core", Versions: "2.0 to 2.3.1",
			PURL: "pkg:maven/org.logcore/logcore-core@2.3.1"}},
		refs: []string{"https://logcore.example/security/2026-01", "https://github.example/logcore/logcore/releases/tag/v2.3.2"},
		acks: map[string]warning.Ack{"datenhafen": warning.AckFixed, "rheinische-volksbank": warning.AckFixed, "bergland-breitband": warning.AckAffected,
			"flughafen-mittelrhein": warning.AckSeen, "nordsee-netz": warning.AckSeen}},
	{ago: 20 * day, tlp: policy.Amber, sectors: []string{"energy", "water"}, lang: "de", state: warning.Review,
		texts: map[string]warning.Text{
			"de": {Title: "Manipulierte Firmware-Updates für Nordwerk-Steuerungen im Umlauf",
				Summary:         "Über einen kompromittierten Update-Server eines Integrators wurden veränderte Firmware-Pakete verteilt.",
				Details:         "Die veränderten Pakete öffnen einen zusätzlichen Dienst auf TCP 4840. Betroffen sind Steuerungen der Baureihe NX.",
				Recommendations: "- Prüfsummen der eingespielten Firmware mit den Angaben des Herstellers vergleichen.\n- Verbindungen zu TCP 4840 aus dem Büronetz sperren."}},
		cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:H/A:H", cves: []string{"CVE-2026-20931"},
		products: []warning.Product{{Vendor: "Nordwerk Automation", Name: "NX-Steuerung", Versions: "Firmware 2.8 bis 2.9.1",
			CPE: "cpe:2.3:o:nordwerk:nx_firmware:*:*:*:*:*:*:*:*"}}},
	{ago: 3 * day, tlp: policy.Green, lang: "de", state: warning.Draft,
		texts: map[string]warning.Text{
			"de": {Title: "DDoS-Erpressung gegen Netzbetreiber",
				Summary: "Mehrere Netzbetreiber haben Erpresserschreiben mit angekündigten Überlastangriffen erhalten."}},
		severity: warning.SeverityMedium},
}

// planWarnings adds the demo's warnings to the history.
func (s *seeder) planWarnings(now time.Time, add func(time.Time, string, func() error)) {
	if s.warnings == nil {
		return
	}
	var svc *warning.Service
	var pub1, pub2 identity.Principal
	setup := func() error {
		pol, err := policy.New(policy.DefaultConfig())
		if err != nil {
			return err
		}
		door := sharing.New(pol, s.mem, s.des, s.des, s.ids, s.clk.now)
		svc = warning.NewService(s.warnings, door, warning.Config{Now: s.clk.now, IsPartner: warning.Partners(s.mem)})
		users, err := s.ids.Users(s.ctx, identity.SystemPrincipal(), s.orgs["office"].ID)
		if err != nil {
			return err
		}
		for _, u := range users {
			switch u.Email {
			case "publisher@office.verbund.example":
				pub1, err = s.principal(u.ID)
			case "publisher2@office.verbund.example":
				pub2, err = s.principal(u.ID)
			}
			if err != nil {
				return err
			}
		}
		if pub1.User == nil || pub2.User == nil {
			return fmt.Errorf("the demo office has not two publishers")
		}
		return nil
	}
	for i, dw := range demoWarnings {
		at := now.Add(-dw.ago)
		at = time.Date(at.Year(), at.Month(), at.Day(), 8+i%3, 15, 0, 0, time.UTC)
		add(at, "warning "+dw.texts[dw.lang].Title, func() error {
			if svc == nil {
				if err := setup(); err != nil {
					return err
				}
			}
			return s.seedWarning(svc, dw, at, pub1, pub2)
		})
	}
}

// seedWarning writes, reviews and publishes one warning, then updates,
// withdraws and acknowledges it as dw says.
func (s *seeder) seedWarning(svc *warning.Service, dw demoWarning, at time.Time, pub1, pub2 identity.Principal) error {
	ctx := s.ctx
	author := pub1
	if dw.by != "" {
		author = s.admins[dw.by]
	}
	m := policy.Marking{TLP: dw.tlp}
	switch dw.tlp {
	case policy.Green:
		m.Audience.Community = true
	case policy.Amber:
		m.Audience.Sectors = dw.sectors
	}
	in := warning.Input{Content: warning.Content{Lang: dw.lang, Texts: dw.texts, Severity: dw.severity, CVSS: dw.cvss,
		CVEs: dw.cves, Products: dw.products, References: dw.refs}, Marking: m}
	w, err := svc.Create(ctx, author, in)
	if err != nil {
		return err
	}
	if dw.state == warning.Draft {
		return nil
	}
	s.clk.set(at.Add(40 * time.Minute))
	if _, err := svc.Submit(ctx, author, w.ID); err != nil {
		return err
	}
	if dw.state == warning.Review {
		return nil
	}
	s.clk.set(at.Add(2 * time.Hour))
	if _, err := svc.Approve(ctx, pub2, w.ID); err != nil {
		return err
	}
	if _, err := svc.Publish(ctx, pub1, w.ID); err != nil {
		return err
	}
	for _, u := range dw.updates {
		s.clk.set(at.Add(u.after))
		cur, err := s.warnings.Warning(ctx, w.ID)
		if err != nil {
			return err
		}
		c := cloneContent(cur.Current())
		u.edit(&c)
		if _, err := svc.Update(ctx, pub1, w.ID, warning.Input{Content: c, Marking: cur.Marking}, u.changes); err != nil {
			return err
		}
	}
	i := 0
	for slug, a := range dw.acks {
		p, ok := s.admins[slug]
		if !ok {
			continue
		}
		s.clk.set(at.Add(time.Duration(5+i*7) * time.Hour))
		i++
		v, err := svc.Door().Viewer(ctx, p)
		if err != nil {
			return err
		}
		if _, err := svc.Acknowledge(ctx, p, &v, w.ID, a); err != nil {
			return fmt.Errorf("acknowledgement of %s: %w", slug, err)
		}
	}
	if dw.withdraw != "" {
		s.clk.set(at.Add(7 * day))
		if _, err := svc.Withdraw(ctx, pub2, w.ID, dw.withdraw); err != nil {
			return err
		}
	}
	return nil
}

// cloneContent copies c deeply enough that editing the copy leaves c alone.
func cloneContent(c warning.Content) warning.Content {
	texts := make(map[string]warning.Text, len(c.Texts))
	for k, v := range c.Texts {
		texts[k] = v
	}
	c.Texts = texts
	c.References = append([]string(nil), c.References...)
	c.CVEs = append([]string(nil), c.CVEs...)
	c.Products = append([]warning.Product(nil), c.Products...)
	return c
}
