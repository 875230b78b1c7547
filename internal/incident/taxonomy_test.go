package incident_test

import (
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/incident"
)

// Every class and type of the taxonomy has a name and a description in
// each language, and names differ from the raw keys.
func TestTaxonomyInEveryLanguage(t *testing.T) {
	cat := i18n.MustLoad()
	all := incident.Classifications()
	if len(all) != 39 {
		t.Fatalf("%d classifications, want the RSIT's 39", len(all))
	}
	for _, l := range i18n.Languages {
		for _, c := range all {
			for _, key := range []string{"rsit." + c.Class, c.Key(), c.Key() + ".desc"} {
				text, ok := cat.Lookup(l.Code, key)
				if !ok || strings.TrimSpace(text) == "" || text == key {
					t.Errorf("%s: %s has no text", l.Code, key)
				}
			}
		}
		for _, s := range incident.Stages() {
			if _, ok := cat.Lookup(l.Code, "nis2.stage."+string(s)); !ok {
				t.Errorf("%s: stage %s has no name", l.Code, s)
			}
		}
		for _, s := range []incident.DeadlineState{incident.Open, incident.DueSoon, incident.Overdue,
			incident.OnTime, incident.Late, incident.Waiting} {
			if _, ok := cat.Lookup(l.Code, "nis2.state."+string(s)); !ok {
				t.Errorf("%s: deadline state %s has no name", l.Code, s)
			}
		}
	}
	// The mail the service sends, in every language.
	for _, l := range i18n.Languages {
		for _, k := range []string{"mail.incident.submitted", "mail.incident.answered", "mail.incident.question",
			"mail.incident.reminder", "mail.incident.overdue"} {
			for _, part := range []string{".subject", ".body"} {
				if _, ok := cat.Lookup(l.Code, k+part); !ok {
					t.Errorf("%s: mail %s%s has no text", l.Code, k, part)
				}
			}
		}
	}
	// The German names are German, not the English ones copied.
	if de, en := cat.T("de", "rsit.intrusions.burglary"), cat.T("en", "rsit.intrusions.burglary"); de == en {
		t.Errorf("German name of burglary is the English %q", en)
	}
}

func TestClassificationValidate(t *testing.T) {
	for _, c := range incident.Classifications() {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, tc := range []struct {
		c     incident.Classification
		field string
	}{
		{incident.Classification{}, "class"},
		{incident.Classification{Class: "ransomware", Type: "other"}, "class"},
		{incident.Classification{Class: "fraud"}, "type"},
		{incident.Classification{Class: "fraud", Type: "burglary"}, "type"},
		{incident.Classification{Class: "Fraud", Type: "phishing"}, "class"},
	} {
		err := tc.c.Validate()
		if !verbund.IsKind(err, verbund.Invalid) || verbund.ErrorFields(err)[tc.field] == "" {
			t.Errorf("%+v: err = %v, want a problem with %s", tc.c, err, tc.field)
		}
	}
	c := incident.Classification{Class: "intrusions", Type: "system-compromise"}
	if got := c.MachineTag(); got != `rsit:intrusions="system-compromise"` {
		t.Errorf("machine tag = %s", got)
	}
}
