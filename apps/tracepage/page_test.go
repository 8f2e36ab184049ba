package tracepage

import (
	"bytes"
	"strings"
	"testing"
)

func TestUnitsInThePagesLanguage(t *testing.T) {
	for _, tc := range []struct{ lang, unit, want string }{
		{"zh", "tin", "罐"}, {"en", "tin", "tins"}, {"zh", "pack", "盒"}, {"en", "pack", "packs"},
		{"zh", "head", "只"}, {"en", "kg", "kg"}, {"zh", "kg", "千克"}, {"en", "crate", "crate"},
	} {
		if got := unitName(tc.lang, tc.unit); got != tc.want {
			t.Errorf("unitName(%s, %s) = %q, want %q", tc.lang, tc.unit, got, tc.want)
		}
	}
}

func TestProblemPages(t *testing.T) {
	for kind := range problems {
		for _, lang := range []string{"zh", "en"} {
			var buf bytes.Buffer
			if err := RenderProblem(&buf, &Problem{Lang: lang, OtherLang: "en", Kind: kind, Value: "<b>x</b>", Detail: "CODE"}); err != nil {
				t.Fatalf("%s %s: %v", kind, lang, err)
			}
			page := buf.String()
			if !strings.Contains(page, problems[kind][map[string]int{"zh": 0, "en": 1}[lang]]) || !strings.Contains(page, "&lt;b&gt;x&lt;/b&gt;") {
				t.Errorf("%s %s: title or escaped value missing", kind, lang)
			}
		}
	}
	if err := RenderProblem(&bytes.Buffer{}, &Problem{Kind: "nope"}); err == nil {
		t.Error("an unknown kind rendered")
	}
}
