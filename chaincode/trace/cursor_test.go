package trace

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

func TestEventCursor(t *testing.T) {
	r := Ref{"2026-03-30T01:02:03.000000000Z", strings.Repeat("0a", 32)}
	c := formatEventCursor(r)
	got, err := parseEventCursor(c)
	if err != nil || got != r {
		t.Fatalf("parse(format(%v)) = %v, %v", r, got, err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	for _, bad := range []string{
		"", "x", c + "=", c[:len(c)-1], strings.ToUpper(c), c + "A",
		enc([]byte("2026-03-30T01:02:03.000000000Z/" + strings.Repeat("0A", 32))),       // uppercase hex
		enc([]byte("2026-03-30T01:02:03.000000000Z/" + strings.Repeat("0a", 31))),       // short digest
		enc([]byte("2026-13-30T01:02:03.000000000Z/" + strings.Repeat("0a", 32))),       // no such month
		enc([]byte("2026-03-30T01:02:03.000000000+" + "/" + strings.Repeat("0a", 32))),  // not UTC
		enc([]byte("2026-03-30T01:02:03.000000000Z" + strings.Repeat("0a", 32) + "/")),  // wrong order
		enc([]byte("2026-03-30T01:02:03.000000000Z/" + strings.Repeat("0a", 32) + "/")), // trailing
		strings.Repeat("A", maxEventCursor+1),
	} {
		if _, err := parseEventCursor(bad); err == nil || !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+":") {
			t.Errorf("parseEventCursor(%q) = %v, want INVALID_ARGUMENT", bad, err)
		}
	}
}

// FuzzEventCursor: any input either is refused with INVALID_ARGUMENT or is
// a canonical cursor, which formats back to itself.
func FuzzEventCursor(f *testing.F) {
	f.Add(formatEventCursor(Ref{"2026-03-30T01:02:03.000000000Z", strings.Repeat("ab", 32)}))
	f.Add("")
	f.Add("MjAyNi0wMy0zMFQwMTowMjowMy4wMDAwMDAwMDBaLw")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseEventCursor(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+":") {
				t.Fatalf("parseEventCursor(%q): %v", s, err)
			}
			return
		}
		if got := formatEventCursor(r); got != s {
			t.Fatalf("parseEventCursor(%q) = %v, which formats as %q", s, r, got)
		}
	})
}
