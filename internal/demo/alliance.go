package demo

import "github.com/verbund/verbund/internal/identity"

type person struct {
	name, email, lang string
	roles             []identity.Role
}

// member is a member organisation of the demo and what happens to it.
type member struct {
	name, legalForm, street, postcode, city, country, size, website string
	sectors                                                         []string
	contact, function, phone                                        string
	admin, soc                                                      string // names of its two users
	slug, lang                                                      string
	pending                                                         bool // registered, address not yet confirmed
	suspended                                                       bool
	hidden                                                          bool // not listed in the member network
	skipsV2                                                         bool // has not accepted agreement version 2 yet
}

var office = struct {
	name, country, contact, phone string
	people                        []person
}{
	name: "Geschäftsstelle der Cyber-Allianz", country: "DE", contact: "Dr. Miriam Albers", phone: "+49 228 555 0100",
	people: []person{
		{"Miriam Albers", "admin@office.verbund.example", "de", []identity.Role{identity.RoleOfficeAdmin, identity.RoleOrgAdmin}},
		{"Jonas Brandt", "reviewer@office.verbund.example", "de", []identity.Role{identity.RoleReviewer}},
		{"Eva de Vries", "assessor@office.verbund.example", "nl", []identity.Role{identity.RoleAssessor}},
		{"Lena Hoffmann", "publisher@office.verbund.example", "de", []identity.Role{identity.RolePublisher}},
		{"Pieter Smit", "publisher2@office.verbund.example", "nl", []identity.Role{identity.RolePublisher}},
		{"Tariq Sandhu", "analyst@office.verbund.example", "en", []identity.Role{identity.RoleAnalyst}},
	},
}

// members in the order they joined.
var members = []member{
	{name: "Stadtwerke Emsland GmbH", legalForm: "GmbH", street: "Ludwig-Erhard-Straße 12", postcode: "49716", city: "Meppen", country: "DE",
		size: "250-999", website: "https://stadtwerke-emsland.example", sectors: []string{"energy", "water"},
		contact: "Klaus Terhorst", function: "Informationssicherheitsbeauftragter", phone: "+49 5931 555 210",
		admin: "Klaus Terhorst", soc: "Anna Wübbels", slug: "stadtwerke-emsland", lang: "de"},
	{name: "CERT Nordwest e. V.", legalForm: "e. V.", street: "Marie-Curie-Straße 1", postcode: "26129", city: "Oldenburg", country: "DE",
		size: "10-49", website: "https://cert-nordwest.example", sectors: []string{"ict-services"},
		contact: "Dr. Lars Eilers", function: "Leiter des CERT", phone: "+49 441 555 800",
		admin: "Lars Eilers", soc: "Aylin Demir", slug: "cert-nordwest", lang: "en"},
	{name: "Nordsee Netz AG", legalForm: "AG", street: "Am Kaiserhafen 3", postcode: "27568", city: "Bremerhaven", country: "DE",
		size: "1000+", website: "https://nordsee-netz.example", sectors: []string{"energy"},
		contact: "Friederike Jansen", function: "CISO", phone: "+49 421 555 330",
		admin: "Friederike Jansen", soc: "Ole Petersen", slug: "nordsee-netz", lang: "de"},
	{name: "Klinikum Weserbergland", legalForm: "gGmbH", street: "Saint-Maur-Platz 1", postcode: "31785", city: "Hameln", country: "DE",
		size: "1000+", website: "https://klinikum-weserbergland.example", sectors: []string{"health"},
		contact: "Dr. Sabine Krüger", function: "Leiterin IT", phone: "+49 5151 555 400",
		admin: "Sabine Krüger", soc: "Murat Yılmaz", slug: "klinikum-weserbergland", lang: "de"},
	{name: "Rheinische Volksbank eG", legalForm: "eG", street: "Domstraße 20", postcode: "50668", city: "Köln", country: "DE",
		size: "250-999", website: "https://rheinische-volksbank.example", sectors: []string{"finance"},
		contact: "Thomas Berger", function: "Informationssicherheit", phone: "+49 221 555 700",
		admin: "Thomas Berger", soc: "Julia Schmitz", slug: "rheinische-volksbank", lang: "de"},
	{name: "Datenhafen Hamburg GmbH", legalForm: "GmbH", street: "Kehrwieder 8", postcode: "20457", city: "Hamburg", country: "DE",
		size: "50-249", website: "https://datenhafen.example", sectors: []string{"digital-infrastructure", "ict-services"},
		contact: "Jan-Hendrik Voss", function: "Head of Security Operations", phone: "+49 40 555 2020",
		admin: "Jan-Hendrik Voss", soc: "Mia Lorenz", slug: "datenhafen", lang: "en"},
	{name: "Wasserverband Oberlausitz", legalForm: "KdöR", street: "Talsperrenweg 5", postcode: "02625", city: "Bautzen", country: "DE",
		size: "50-249", website: "https://wv-oberlausitz.example", sectors: []string{"water"},
		contact: "Andreas Löbel", function: "Technischer Leiter", phone: "+49 3591 555 120",
		admin: "Andreas Löbel", soc: "Katrin Noack", slug: "wv-oberlausitz", lang: "de"},
	{name: "Spedition Kraus & Söhne KG", legalForm: "KG", street: "Hafenstraße 44", postcode: "90451", city: "Nürnberg", country: "DE",
		size: "50-249", website: "https://kraus-logistik.example", sectors: []string{"transport"},
		contact: "Markus Kraus", function: "Geschäftsführer", phone: "+49 911 555 610",
		admin: "Markus Kraus", soc: "Dana Weiß", slug: "kraus-logistik", lang: "de", skipsV2: true},
	{name: "Bergland Breitband GmbH", legalForm: "GmbH", street: "Kölner Straße 91", postcode: "57072", city: "Siegen", country: "DE",
		size: "50-249", website: "https://bergland-breitband.example", sectors: []string{"digital-infrastructure"},
		contact: "Nina Schäfer", function: "Network Operations Center", phone: "+49 2761 555 440",
		admin: "Nina Schäfer", soc: "Felix Roth", slug: "bergland-breitband", lang: "de"},
	{name: "Flughafen Mittelrhein GmbH", legalForm: "GmbH", street: "Flughafenstraße 1", postcode: "56072", city: "Koblenz", country: "DE",
		size: "250-999", website: "https://flughafen-mittelrhein.example", sectors: []string{"transport"},
		contact: "Peter Lenz", function: "Security Manager", phone: "+49 261 555 900",
		admin: "Peter Lenz", soc: "Sofia Marino", slug: "flughafen-mittelrhein", lang: "de"},
	{name: "Landkreis Vogelsberg", legalForm: "KdöR", street: "Goldhelg 20", postcode: "36341", city: "Lauterbach", country: "DE",
		size: "250-999", website: "https://vogelsberg.example", sectors: []string{"public-administration"},
		contact: "Bernd Appel", function: "Informationssicherheitsbeauftragter", phone: "+49 6641 555 300",
		admin: "Bernd Appel", soc: "Heike Zinn", slug: "vogelsberg", lang: "de", skipsV2: true, hidden: true},
	{name: "Waterschap Maas en Peel", legalForm: "Waterschap", street: "Maasboulevard 7", postcode: "5911 AA", city: "Venlo", country: "NL",
		size: "250-999", website: "https://maas-peel.example", sectors: []string{"water"},
		contact: "Sanne Verhoeven", function: "CISO", phone: "+31 77 555 1400",
		admin: "Sanne Verhoeven", soc: "Ruud Janssen", slug: "maas-peel", lang: "nl"},
	{name: "Energieverband Nord e. V.", legalForm: "e. V.", street: "Schiffbauerdamm 2", postcode: "24103", city: "Kiel", country: "DE",
		size: "10-49", website: "https://energieverband-nord.example", sectors: []string{"energy"},
		contact: "Hauke Carstensen", function: "Geschäftsführer", phone: "+49 431 555 77",
		admin: "Hauke Carstensen", soc: "Lina Brodersen", slug: "energieverband-nord", lang: "de"},
	{name: "Systemhaus Meier GmbH", legalForm: "GmbH", street: "Neue Straße 15", postcode: "89073", city: "Ulm", country: "DE",
		size: "10-49", website: "https://systemhaus-meier.example", sectors: []string{"ict-services"},
		contact: "Uwe Meier", function: "Geschäftsführer", phone: "+49 731 555 150",
		admin: "Uwe Meier", soc: "Paula Brenner", slug: "systemhaus-meier", lang: "de", suspended: true, hidden: true},
	{name: "Pharmawerk Lübeck AG", legalForm: "AG", street: "Travemünder Allee 60", postcode: "23568", city: "Lübeck", country: "DE",
		size: "1000+", website: "https://pharmawerk-luebeck.example", sectors: []string{"health", "chemicals"},
		contact: "Dr. Henrike Lange", function: "CISO", phone: "+49 451 555 660",
		admin: "Henrike Lange", soc: "Tobias Falk", slug: "pharmawerk-luebeck", lang: "de", pending: true},
}

func (m member) adminEmail() string { return "admin@" + m.slug + ".example" }
func (m member) socEmail() string   { return "soc@" + m.slug + ".example" }
