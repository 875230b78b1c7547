package server

import (
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/policy"
)

// explainCases returns a decision for every code, and for CodeShared and
// CodeAmberStrict one for every path they name.
func explainCases() []policy.Decision {
	var ds []policy.Decision
	for _, c := range policy.Codes() {
		d := policy.Decision{Code: c, TLP: policy.Amber, Kind: policy.KindSTIX, Param: "energy"}
		switch c {
		case policy.CodeShared:
			for _, v := range []policy.Via{policy.ViaUser, policy.ViaOrg, policy.ViaCircle, policy.ViaSector, policy.ViaCommunity, policy.ViaNone} {
				d.Via, d.Allow = v, true
				ds = append(ds, d)
			}
			continue
		case policy.CodeAmberStrict:
			for _, v := range []policy.Via{policy.ViaSector, policy.ViaCircle, policy.ViaCommunity} {
				d.Via, d.TLP = v, policy.AmberStrict
				ds = append(ds, d)
			}
			continue
		case policy.CodeOfficeRole:
			d.Param, d.Allow = "analyst", true
		case policy.CodeDesignationCat, policy.CodeDesignationNotYet, policy.CodeDesignationExpired, policy.CodeDesignationRevoked:
			d.Param = "isp"
		case policy.CodeOwner, policy.CodeClear:
			d.Allow = true
		}
		ds = append(ds, d)
	}
	return ds
}

// Every code renders in every language as a full sentence: no missing key,
// no formatting mistake, and in German and Dutch not the English text.
func TestExplainDecisionEveryCodeEveryLanguage(t *testing.T) {
	cat := i18n.MustLoad()
	for _, d := range explainCases() {
		en := explainDecision(cat.For("en"), d)
		for _, l := range i18n.Languages {
			got := explainDecision(cat.For(l.Code), d)
			if strings.Contains(got, "[sharing.") || strings.Contains(got, "%!") || strings.Contains(got, "%[") {
				t.Errorf("%s %s: %q", l.Code, d, got)
			}
			if strings.HasPrefix(got, "allowed (") || strings.HasPrefix(got, "not allowed (") {
				t.Errorf("%s %s falls back to the code: %q", l.Code, d, got)
			}
			if l.Code != "en" && got == en {
				t.Errorf("%s %s is not translated: %q", l.Code, d, got)
			}
		}
	}
}

// The parameters are filled in, translated where the catalogue names them.
func TestExplainDecisionFillsParameters(t *testing.T) {
	cat := i18n.MustLoad()
	for _, tc := range []struct {
		lang string
		d    policy.Decision
		want []string
	}{
		{"de", policy.Decision{Allow: true, Code: policy.CodeShared, Via: policy.ViaSector, Param: "energy", TLP: policy.Amber, Kind: policy.KindSTIX}, []string{"Energie", "TLP:AMBER"}},
		{"en", policy.Decision{Allow: true, Code: policy.CodeShared, Via: policy.ViaSector, Param: "energy", TLP: policy.Green}, []string{"sector Energy", "TLP:GREEN"}},
		{"nl", policy.Decision{Code: policy.CodeDesignationExpired, Param: "oktt", TLP: policy.Amber}, []string{"OKTT", "verlopen"}},
		{"en", policy.Decision{Allow: true, Code: policy.CodeOwner, TLP: policy.Red, Kind: policy.KindWarning}, []string{"owns this warning (TLP:RED)"}},
		{"en", policy.Decision{Code: policy.CodeTokenScope, Param: "intel:read"}, []string{"scope intel:read"}},
		{"en", policy.Decision{Allow: true, Code: policy.CodeShared, Via: policy.ViaCircle, Param: "circle-1", TLP: policy.Amber}, []string{"circle circle-1 under TLP:AMBER"}},
		{"de", policy.Decision{Code: "some-future-code"}, []string{"nicht erlaubt (some-future-code)"}},
	} {
		got := explainDecision(cat.For(tc.lang), tc.d)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s = %q, want it to contain %q", tc.lang, tc.d, got, w)
			}
		}
	}
}

// The English catalogue says what Decision.Explain says, so that the API's
// English text and the page agree.
func TestExplainDecisionEnglishMatchesPolicy(t *testing.T) {
	cat := i18n.MustLoad()
	for _, d := range explainCases() {
		if d.Code == policy.CodeAmberStrict || (d.Code == policy.CodeShared && d.Via == policy.ViaSector) ||
			d.Code == policy.CodeOfficeRole || strings.HasPrefix(string(d.Code), "designation-") ||
			d.Code == policy.CodeOwner || d.Code == policy.CodeTokenKind || d.Code == policy.CodeDraft ||
			d.Code == policy.CodeOfficeDraft || d.Code == policy.CodeAudienceEmpty || d.Code == policy.CodeAudienceNotIncl {
			continue // parameters and kinds are translated, so the words differ
		}
		if got, want := explainDecision(cat.For("en"), d), d.Explain(); got != want {
			t.Errorf("%s: %q, policy says %q", d, got, want)
		}
	}
}
