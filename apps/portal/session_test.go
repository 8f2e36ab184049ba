package portal

import (
	"strings"
	"testing"
)

func TestPreferredLang(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "zh"},
		{"en-US,en;q=0.9", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"en;q=0.5,zh;q=0.7", "zh"},
		{"fr-FR,en;q=0.3", "en"},
		{"fr", "zh"},
		{"en;q=0", "zh"},
		{"en;q=abc,zh-TW", "zh"},
		{"EN-gb", "en"},
		{"en;q=2", "zh"},
		{strings.Repeat("x,", 400) + "en", "zh"}, // past the bound: not read
	} {
		if got := preferredLang(tc.header); got != tc.want {
			t.Errorf("preferredLang(%.40q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func FuzzPreferredLang(f *testing.F) {
	for _, s := range []string{"en-US,en;q=0.9", "zh;q=0.1,en;q=0.2", ";;,,q=", "en;q=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := preferredLang(s); !validLang(got) {
			t.Fatalf("preferredLang(%q) = %q", s, got)
		}
	})
}

func TestTokens(t *testing.T) {
	a, err := newToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newToken()
	if a == b {
		t.Fatal("two tokens alike")
	}
	ra, err := parseToken(a)
	if err != nil {
		t.Fatalf("parseToken(%s): %v", a, err)
	}
	rb, _ := parseToken(b)
	for _, bad := range []string{"", "x", a[:42], a + "A", strings.Repeat("=", 43), a[:42] + "+", a[:42] + "/"} {
		if _, err := parseToken(bad); err == nil {
			t.Errorf("parseToken(%q) accepted", bad)
		}
	}
	if tokenHash(ra) == tokenHash(rb) || len(tokenHash(ra)) != 64 {
		t.Error("token hashes")
	}
	for _, tc := range []struct {
		name   string
		token  []byte
		posted string
		want   bool
	}{
		{"own", ra, csrfToken(ra), true},
		{"missing", ra, "", false},
		{"other session's", ra, csrfToken(rb), false},
		{"truncated", ra, csrfToken(ra)[:20], false},
		{"the session token itself", ra, a, false},
	} {
		if got := csrfValid(tc.token, tc.posted); got != tc.want {
			t.Errorf("%s: csrfValid = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	tok, _ := newToken()
	f.Add(tok)
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseToken(s)
		if err == nil && (len(b) != tokenBytes || len(s) != 43) {
			t.Fatalf("parseToken(%q) = %d bytes", s, len(b))
		}
	})
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/ui/bank", "/ui/bank"},
		{"/ui/bank/applications/F-1?x=1", "/ui/bank/applications/F-1?x=1"},
		{"/ui", "/ui"},
		{"", ""},
		{"//evil.example/ui", ""},
		{"/\\evil.example", ""},
		{"https://evil.example/ui", ""},
		{"/api/v1/me", ""},
		{"/uix", ""},
		{"ui/bank", ""},
		{"/ui/\r\nSet-Cookie: x", ""},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
