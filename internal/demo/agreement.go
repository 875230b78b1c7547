package demo

// The demo's confidentiality agreement, in two versions: the first was
// signed by everybody at joining; the second, published a few weeks ago,
// has not been accepted by every member yet (their administrators see a
// banner). The texts are modelled on the kind of agreement alliances use;
// they are not legal advice.

var agreementV1 = map[string]string{
	"de": `Vereinbarung über den Umgang mit vertraulichen Informationen (Fassung 1)

1. Zweck. Die Teilnehmenden der Cyber-Allianz tauschen Warnungen, Meldungen über Angriffe und Informationen über Bedrohungen aus, um einander zu schützen.

2. Kennzeichnung. Jede Information trägt eine Kennzeichnung nach dem Traffic Light Protocol (TLP 2.0). Die Teilnehmenden geben Informationen nur in dem Rahmen weiter, den die Kennzeichnung erlaubt: TLP:CLEAR ohne Einschränkung, TLP:GREEN innerhalb der Allianz, TLP:AMBER nur an die genannten Organisationen und dort nur nach dem Need-to-know-Prinzip, TLP:AMBER+STRICT nur innerhalb der eigenen Organisation, TLP:RED nur an die namentlich genannten Personen.

3. Schutz. Die Teilnehmenden schützen erhaltene Informationen mindestens so sorgfältig wie eigene vertrauliche Informationen und verwenden sie nur zur Abwehr von Gefahren für die Informationssicherheit.

4. Personenbezogene Daten. Informationen, die auf Personen zurückführbar sind, werden nach der DSGVO und nur zu dem Zweck verarbeitet, zu dem sie übermittelt wurden.

5. Ende. Die Teilnahme kann jederzeit beendet werden. Die Pflichten aus dieser Vereinbarung gelten für erhaltene Informationen fort.`,
	"nl": `Overeenkomst over de omgang met vertrouwelijke informatie (versie 1)

1. Doel. De deelnemers aan de cyberalliantie wisselen waarschuwingen, meldingen van aanvallen en dreigingsinformatie uit om elkaar te beschermen.

2. Markering. Elke informatie draagt een markering volgens het Traffic Light Protocol (TLP 2.0). De deelnemers delen informatie alleen binnen de grenzen die de markering toestaat: TLP:CLEAR zonder beperking, TLP:GREEN binnen de alliantie, TLP:AMBER alleen met de genoemde organisaties en daar alleen op need-to-know-basis, TLP:AMBER+STRICT alleen binnen de eigen organisatie, TLP:RED alleen met de bij naam genoemde personen.

3. Bescherming. De deelnemers beschermen ontvangen informatie minstens zo zorgvuldig als hun eigen vertrouwelijke informatie en gebruiken haar alleen om gevaren voor de informatiebeveiliging af te wenden.

4. Persoonsgegevens. Informatie die herleidbaar is tot personen wordt verwerkt volgens de AVG en alleen voor het doel waarvoor zij is verstrekt.

5. Einde. De deelname kan op elk moment worden beëindigd. De plichten uit deze overeenkomst blijven gelden voor ontvangen informatie.`,
	"en": `Agreement on the handling of confidential information (version 1)

1. Purpose. The participants of the cyber alliance exchange warnings, reports of attacks and threat information to protect one another.

2. Marking. Every piece of information carries a marking under the Traffic Light Protocol (TLP 2.0). Participants share information only as far as its marking allows: TLP:CLEAR without restriction, TLP:GREEN within the alliance, TLP:AMBER only with the organisations named and there only on a need-to-know basis, TLP:AMBER+STRICT only within their own organisation, TLP:RED only with the persons named.

3. Protection. Participants protect information they receive at least as carefully as their own confidential information and use it only to defend against threats to information security.

4. Personal data. Information traceable to persons is processed under the GDPR and only for the purpose it was given for.

5. End. Participation can be ended at any time. The duties of this agreement continue for information received.`,
}

// agreementV2 adds the rules for relaying sanitised reports.
var agreementV2 = map[string]string{
	"de": agreementV1["de"][:len("Vereinbarung über den Umgang mit vertraulichen Informationen (Fassung ")] + "2)" +
		agreementV1["de"][len("Vereinbarung über den Umgang mit vertraulichen Informationen (Fassung 1)"):] + `

6. Weitergabe durch die Geschäftsstelle. Die Geschäftsstelle darf Meldungen, deren Weitergabe die meldende Organisation erlaubt hat, in bereinigter Form an andere Sektoren weitergeben. Dabei werden die meldende Organisation und Daten von Betroffenen entfernt oder pseudonymisiert; die Kennzeichnung wird nie erweitert.`,
	"nl": agreementV1["nl"][:len("Overeenkomst over de omgang met vertrouwelijke informatie (versie ")] + "2)" +
		agreementV1["nl"][len("Overeenkomst over de omgang met vertrouwelijke informatie (versie 1)"):] + `

6. Doorgifte door het bureau. Het bureau mag meldingen waarvan de melder doorgifte heeft toegestaan in opgeschoonde vorm aan andere sectoren doorgeven. Daarbij worden de meldende organisatie en gegevens van betrokkenen verwijderd of gepseudonimiseerd; de markering wordt nooit verruimd.`,
	"en": agreementV1["en"][:len("Agreement on the handling of confidential information (version ")] + "2)" +
		agreementV1["en"][len("Agreement on the handling of confidential information (version 1)"):] + `

6. Relay by the office. The office may pass reports whose reporter allowed it on to other sectors in sanitised form. The reporting organisation and data of those affected are removed or pseudonymised; the marking is never widened.`,
}
