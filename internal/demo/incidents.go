package demo

import (
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/stix"
)

// The demo's incident reports over two years: a NIS2 ransomware case at a
// utility with all three stages (the notification late), a phishing wave
// several members reported, a DDoS on a water utility in triage with the
// analyst's question and the answer, a closed case with lessons learned,
// a report from the public with its follow-up, and drafts.

// incidents returns the incident service on the demo's clock, created on
// first use; nil when the demo has no incident store.
func (s *seeder) incidents() *incident.Service {
	if s.inc == nil && s.incStore != nil {
		pol, err := policy.New(policy.DefaultConfig())
		if err != nil {
			return nil
		}
		door := sharing.New(pol, s.mem, s.des, s.des, s.ids, s.clk.now)
		s.inc = incident.NewService(s.incStore, door, incident.Config{Now: s.clk.now, Public: true, MailHeld: true,
			BaseURL: "http://127.0.0.1:8080", Text: s.text})
	}
	return s.inc
}

// soc returns the security analyst of member slug.
func (s *seeder) soc(slug string) (identity.Principal, error) {
	u, err := s.incStore.UserByEmail(s.ctx, "soc@"+slug+".example")
	if err != nil {
		return identity.Principal{}, err
	}
	return s.principal(u.ID)
}

// report saves r as a draft of slug's analyst at the demo's time and, with
// submit, submits it; it returns the report and its case.
func (s *seeder) report(slug string, r incident.Report, submit bool) (incident.Report, incident.Case, error) {
	p, err := s.soc(slug)
	if err != nil {
		return r, incident.Case{}, err
	}
	d, err := s.incidents().SaveDraft(s.ctx, p, r)
	if err != nil || !submit {
		return d, incident.Case{}, err
	}
	return s.incidents().Submit(s.ctx, p, d.ID)
}

func observables(values ...string) []stix.Observable {
	var out []stix.Observable
	for _, v := range values {
		if o, err := stix.NormaliseObservable("", v); err == nil {
			out = append(out, o)
		}
	}
	return out
}

func sectorsMarking(sectors ...string) policy.Marking {
	return policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: sectors}, Confidential: true, Identifiable: true}
}

func (s *seeder) planIncidents(now time.Time, add func(time.Time, string, func() error)) {
	if s.incStore == nil {
		return
	}
	day, hour := 24*time.Hour, time.Hour
	analyst := func() identity.Principal { return s.admins[string(identity.RoleAnalyst)] }

	// Ransomware at a utility under NIS2: early warning on time, the
	// notification a day late, the final report on time.
	rw := now.AddDate(0, -5, 0).Add(-3 * day)
	var rwCase incident.Case
	base := incident.Report{
		Title:          "Ransomware auf Dateiservern und im Abrechnungssystem",
		Description:    "In der Nacht wurden zwei Dateiserver und das Abrechnungssystem verschlüsselt; eine Lösegeldforderung liegt vor. Die Netzleittechnik ist nach bisherigem Stand nicht betroffen. Die Systeme sind vom Netz getrennt, die Wiederherstellung aus der Offline-Sicherung läuft.",
		Classification: incident.Classification{Class: "malicious-code", Type: "infected-system"},
		Sectors:        []string{"energy", "water"}, Services: "Abrechnung, Kundenportal, interne Dateiablage", Impact: incident.ImpactHigh,
		Timeline:   incident.Timeline{Started: rw.Add(-11 * hour), Detected: rw.Add(-5 * hour)},
		Indicators: observables("185.220.101.47", "update-microsoft-cdn.example", "8f14e45fceea167a5a36dedd4bea2543e4b9c1d7a1f2e3b4c5d6e7f8a9b0c1d2"),
		Marking:    sectorsMarking("energy", "water"), RelayAllowed: true, NIS2: true, Stage: incident.EarlyWarning,
	}
	add(rw, "ransomware: early warning", func() (err error) {
		_, rwCase, err = s.report("stadtwerke-emsland", base, true)
		return err
	})
	add(rw.Add(2*hour), "ransomware: triage", func() error {
		if _, err := s.incidents().Assign(s.ctx, analyst(), rwCase.ID, analyst().User.ID); err != nil {
			return err
		}
		_, err := s.incidents().SetStatus(s.ctx, analyst(), rwCase.ID, incident.StatusTriaged, "")
		return err
	})
	add(rw.Add(3*hour), "ransomware: question", func() error {
		_, err := s.incidents().Post(s.ctx, analyst(), rwCase.ID, "Danke für die Frühwarnung. Können Sie uns die Lösegeldnotiz (ohne Zahlungsdaten) und den Zeitpunkt der ersten Verschlüsselung schicken? Gibt es Hinweise auf Datenabfluss?")
		return err
	})
	add(rw.Add(9*hour), "ransomware: answer", func() error {
		p, err := s.soc("stadtwerke-emsland")
		if err == nil {
			_, err = s.incidents().Post(s.ctx, p, rwCase.ID, "Erste Verschlüsselung 02:14 Uhr. Die Firewall zeigt 38 GB ausgehend zu 185.220.101.47 in den zwei Stunden davor – wir gehen von Abfluss aus. Notiz folgt mit der Meldung.")
		}
		return err
	})
	add(rw.Add(90*hour), "ransomware: notification (late)", func() error {
		n := base
		n.Stage, n.CaseID = incident.Notification, rwCase.ID
		n.Description += "\n\nStand Meldung: Wiederherstellung abgeschlossen, Passwörter aller Konten zurückgesetzt, Anzeige bei der ZAC erstattet. Betroffen sind Abrechnungsdaten von etwa 41.000 Kundinnen und Kunden."
		n.Timeline.Ended = rw.Add(70 * hour)
		n.Impact = incident.ImpactCritical
		_, _, err := s.report("stadtwerke-emsland", n, true)
		if err == nil {
			_, err = s.incidents().SetStatus(s.ctx, analyst(), rwCase.ID, incident.StatusInProgress, "")
		}
		return err
	})
	add(rw.Add(24*day), "ransomware: final report", func() error {
		f := base
		f.Stage, f.CaseID = incident.Final, rwCase.ID
		f.Title = "Abschlussbericht: Ransomware auf Dateiservern und im Abrechnungssystem"
		f.Description = "Ursache: ein VPN-Zugang eines Dienstleisters ohne zweiten Faktor, Zugangsdaten aus einem Infostealer-Log. Maßnahmen: zweiter Faktor für alle Fernzugänge, Dienstleisterzugänge nur noch zeitlich begrenzt, Offline-Sicherung täglich geprüft. Grenzüberschreitende Auswirkungen: keine."
		f.Timeline.Ended = rw.Add(70 * hour)
		_, _, err := s.report("stadtwerke-emsland", f, true)
		return err
	})

	// A closed case with lessons learned: a compromised VPN account.
	vpn := now.AddDate(-1, 0, -12)
	var vpnCase incident.Case
	add(vpn, "VPN account compromise", func() (err error) {
		_, vpnCase, err = s.report("datenhafen", incident.Report{
			Title:          "Kompromittiertes VPN-Konto eines Administrators",
			Description:    "Anmeldungen am VPN aus zwei Ländern innerhalb einer Stunde; das Konto wurde gesperrt. Auf zwei Jump-Hosts wurden Werkzeuge zur Rechteausweitung gefunden.",
			Classification: incident.Classification{Class: "intrusions", Type: "privileged-account-compromise"},
			Sectors:        []string{"digital-infrastructure"}, Services: "Fernwartung für Kunden", Impact: incident.ImpactMedium,
			Timeline:   incident.Timeline{Started: vpn.Add(-30 * hour), Detected: vpn.Add(-4 * hour), Ended: vpn.Add(-hour)},
			Indicators: observables("45.155.205.233", "198.51.100.23"),
			Marking:    sectorsMarking("digital-infrastructure", "ict-services"), RelayAllowed: true,
		}, true)
		return err
	})
	add(vpn.Add(day), "VPN case triaged", func() error {
		_, err := s.incidents().SetStatus(s.ctx, analyst(), vpnCase.ID, incident.StatusTriaged, "")
		return err
	})
	add(vpn.Add(9*day), "VPN case closed", func() error {
		_, err := s.incidents().SetStatus(s.ctx, analyst(), vpnCase.ID, incident.StatusClosed,
			"Zugangsdaten stammten aus einem Infostealer auf einem privaten Gerät. Empfehlung an alle Teilnehmenden: Fernzugänge nur mit phishing-resistentem zweiten Faktor und nur von verwalteten Geräten; die Indikatoren sind in der Sammlung der Allianz.")
		return err
	})

	// A phishing wave several members reported within days.
	wave := now.AddDate(0, 0, -19)
	for i, r := range []struct{ slug, title, sector string }{
		{"rheinische-volksbank", "Phishing-Welle mit gefälschten Rechnungen an die Buchhaltung", "finance"},
		{"klinikum-weserbergland", "Phishing-Mails „Offene Rechnung“ an die Verwaltung", "health"},
		{"kraus-logistik", "Gefälschte Rechnungen mit Link auf Anmeldeseite", "transport"},
	} {
		at := wave.Add(time.Duration(i)*31*hour + 9*hour)
		add(at, "phishing: "+r.slug, func() error {
			_, c, err := s.report(r.slug, incident.Report{
				Title:          r.title,
				Description:    "Seit dem Morgen gehen Mails mit dem Betreff „Offene Rechnung Nr. 2024-5581“ ein. Der Link führt auf eine nachgebaute Microsoft-Anmeldeseite. Mindestens ein Konto hat Zugangsdaten eingegeben; das Passwort wurde zurückgesetzt.",
				Classification: incident.Classification{Class: "fraud", Type: "phishing"},
				Sectors:        []string{r.sector}, Services: "E-Mail", Impact: incident.ImpactLow,
				Timeline:   incident.Timeline{Started: at.Add(-6 * hour), Detected: at.Add(-4 * hour), Ended: at.Add(-hour)},
				Indicators: observables("https://rechnung-login.example/o365/", "rechnung-login.example", "noreply@rechnungsportal-de.example"),
				Marking:    policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}, RelayAllowed: true,
			}, true)
			if err == nil && i < 2 {
				_, err = s.incidents().SetStatus(s.ctx, analyst(), c.ID, incident.StatusTriaged, "")
			}
			return err
		})
	}

	// A DDoS on a water utility: in triage, with a question and the answer.
	ddos := now.Add(-50 * hour)
	var ddosCase incident.Case
	add(ddos, "DDoS on a water utility", func() (err error) {
		_, ddosCase, err = s.report("wv-oberlausitz", incident.Report{
			Title:          "DDoS auf Kundenportal und Störungsmelder",
			Description:    "Seit 06:40 Uhr rund 9 Gbit/s UDP-Verkehr auf unsere Internetanbindung; Kundenportal und Online-Störungsmeldung sind nicht erreichbar. Die Trinkwasserversorgung ist nicht betroffen. Der Provider filtert seit 08:15 Uhr.",
			Classification: incident.Classification{Class: "availability", Type: "ddos"},
			Sectors:        []string{"water"}, Services: "Kundenportal, Online-Störungsmeldung", Impact: incident.ImpactMedium,
			Timeline:   incident.Timeline{Started: ddos.Add(-3 * hour), Detected: ddos.Add(-150 * time.Minute)},
			Indicators: observables("203.0.113.0/24", "198.51.100.77"),
			Marking:    sectorsMarking("water"), RelayAllowed: true, NIS2: true, Stage: incident.EarlyWarning,
		}, true)
		return err
	})
	add(ddos.Add(5*hour), "DDoS triaged", func() error {
		if _, err := s.incidents().SetStatus(s.ctx, analyst(), ddosCase.ID, incident.StatusTriaged, ""); err != nil {
			return err
		}
		_, err := s.incidents().Post(s.ctx, analyst(), ddosCase.ID, "Gab es vorab eine Erpressungsmail oder eine Ankündigung in sozialen Medien? Zwei weitere Versorger melden seit gestern ähnliche Muster.")
		return err
	})
	add(ddos.Add(8*hour), "DDoS answer", func() error {
		p, err := s.soc("wv-oberlausitz")
		if err == nil {
			_, err = s.incidents().Post(s.ctx, p, ddosCase.ID, "Ja: am Vortag kam eine Mail an info@ mit der Drohung „heute ist nur ein Test“ und einer Forderung in Bitcoin. Wir leiten sie als Anhang zur Meldung weiter.")
		}
		return err
	})

	// A report from the public: a citizen forwards a smishing campaign.
	pub := now.Add(-6 * day)
	var fu incident.FollowUp
	var pubCase incident.Case
	add(pub, "report from the public", func() (err error) {
		_, pubCase, fu, err = s.incidents().SubmitPublic(s.ctx, incident.Report{
			Title:          "SMS „Ihr Wasserzähler muss abgelesen werden“ mit Link",
			Description:    "Ich habe heute eine SMS im Namen meines Wasserversorgers bekommen, die auf eine Seite zur Eingabe der Bankdaten führt. Nachbarn haben dieselbe SMS bekommen.",
			Classification: incident.Classification{Class: "fraud", Type: "phishing"},
			Sectors:        []string{"water"}, Impact: incident.ImpactLow,
			Timeline:     incident.Timeline{Detected: pub.Add(-2 * hour)},
			Indicators:   observables("https://zaehlerstand-melden.example/"),
			ContactEmail: "hinweisgeber@example.org",
		})
		return err
	})
	add(pub.Add(20*hour), "question to the public reporter", func() error {
		_, err := s.incidents().Post(s.ctx, analyst(), pubCase.ID, "Vielen Dank. Von welcher Absendernummer kam die SMS?")
		return err
	})
	add(pub.Add(26*hour), "answer of the public reporter", func() error {
		_, err := s.incidents().PostPublic(s.ctx, fu.Reference, fu.Secret, "Von +49 1521 0000 417, um 10:12 Uhr.")
		return err
	})

	// Drafts: one half written, one nearly complete.
	add(now.Add(-26*hour), "draft of an airport", func() error {
		_, _, err := s.report("flughafen-mittelrhein", incident.Report{
			Title:          "Auffällige Scans auf das Gepäckfördersystem",
			Description:    "Seit gestern Abend Portscans aus einem Hosting-Netz auf die Fernwartung der Gepäckförderanlage. Noch in Klärung mit dem Hersteller.",
			Classification: incident.Classification{Class: "information-gathering", Type: "scanner"},
			Sectors:        []string{"transport"}, Impact: incident.ImpactLow,
			Timeline: incident.Timeline{Detected: now.Add(-30 * hour)},
			Marking:  sectorsMarking("transport"),
		}, false)
		return err
	})
	add(now.Add(-4*hour), "draft of a grid operator", func() error {
		_, _, err := s.report("nordsee-netz", incident.Report{Title: "Verdächtige Anmeldungen am Leitstellen-Jumphost"}, false)
		return err
	})
}
