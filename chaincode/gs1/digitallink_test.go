package gs1

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		path string
		want Key
	}{
		{"/01/09506000134352", Key{GTIN: "09506000134352"}},
		{"/01/6901234567892", Key{GTIN: "06901234567892"}}, // GTIN-13 padded
		{"/01/96385074/10/L1", Key{GTIN: "00000096385074", Lot: "L1"}},
		{"/01/09506000134352/10/ABC123/21/12345", Key{"09506000134352", "ABC123", "12345"}},
		{"/01/09506000134352/21/S-0001", Key{GTIN: "09506000134352", Serial: "S-0001"}},
		// Percent-decoding: %2F is a "/" inside the lot, not a separator;
		// "+" in a path is a literal plus, not a space.
		{"/01/09506000134352/10/A%2FB%25C/21/x+y", Key{"09506000134352", "A/B%C", "x+y"}},
		{"/01/09506000134352/10/a%2fb", Key{GTIN: "09506000134352", Lot: "a/b"}}, // lower-case hex accepted
		{"/01/0950600013435%32", Key{GTIN: "09506000134352"}},                    // encoded digit
		{"/01/09506000134352/10/!'()*", Key{GTIN: "09506000134352", Lot: "!'()*"}},
	}
	for _, tt := range tests {
		got, err := ParsePath(tt.path)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", tt.path, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParsePath(%q) = %+v, want %+v", tt.path, got, tt.want)
		}
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		path    string
		also    error // second sentinel wrapped besides ErrBadPath, or nil
		wantMsg string
	}{
		{"", nil, "must start with /01/"},
		{"/", nil, "must start with /01/"},
		{"01/09506000134352", nil, "must start with /01/"},
		{"/10/ABC/01/09506000134352", nil, "must start with /01/{gtin}, found AI 10"},
		{"/01", nil, "AI 01 has no value"},
		{"/01/", nil, "trailing slash"},
		{"/01/09506000134352/", nil, "trailing slash"},
		{"/01/09506000134352/10", nil, "AI 10 has no value"},
		{"/01/09506000134352/10/", nil, "trailing slash"},
		{"/01/09506000134352//10/A", nil, "segment 3 is empty"},
		{"//01/09506000134352", nil, "segment 1 is empty"},
		{"/01/09506000134352/21/S1/10/L1", nil, "AI 10 (lot) must come before AI 21 (serial)"},
		{"/01/09506000134352/10/L1/10/L2", nil, "AI 10 (lot) appears more than once"},
		{"/01/09506000134352/21/S1/21/S2", nil, "AI 21 (serial) appears more than once"},
		{"/01/09506000134352/01/09506000134352", nil, "AI 01 appears more than once"},
		{"/01/09506000134352/22/ABC", nil, `unsupported AI "22" at segment 3`},
		{"/gtin/09506000134352", nil, `unsupported AI "gtin"`},
		{"/01/09506000134352/10/L1/21/S1/junk", nil, `unsupported AI "junk" at segment 7`},
		{"/01/09506000134352/10/L1/21/S1/17/260101", nil, `unsupported AI "17"`},
		{"/01/09506000134352?linkType=all", nil, "contains '?'"},
		{"/01/09506000134352#x", nil, "contains '#'"},
		{"/01/09506000134352/10/A%zz", nil, `segment 4: invalid URL escape "%zz"`},
		{"/01/09506000134353", ErrBadGTIN, "check digit 3, expected 2"},
		{"/01/1234", ErrBadGTIN, "has 4 characters"},
		{"/01/09506000134352/10/A%20B", ErrBadLot, "character 2 is ' '"},
		{"/01/09506000134352/10/123456789012345678901", ErrBadLot, "at most 20"},
		{"/01/09506000134352/21/%E6%89%B9", ErrBadSerial, "byte 0xE6"},
	}
	for _, tt := range tests {
		_, err := ParsePath(tt.path)
		checkErr(t, "ParsePath("+tt.path+")", err, ErrBadPath, tt.wantMsg)
		for _, kind := range []error{ErrBadGTIN, ErrBadLot, ErrBadSerial} {
			if got, want := errors.Is(err, kind), kind == tt.also; got != want {
				t.Errorf("ParsePath(%q): errors.Is(err, %v) = %v, want %v", tt.path, kind, got, want)
			}
		}
	}
}

func TestKeyPathAndURL(t *testing.T) {
	tests := []struct {
		k        Key
		wantPath string
	}{
		{Key{GTIN: "09506000134352"}, "/01/09506000134352"},
		{Key{GTIN: "6901234567892", Lot: "LOT1"}, "/01/06901234567892/10/LOT1"}, // padded on output
		{Key{GTIN: "09506000134352", Serial: "S-1._"}, "/01/09506000134352/21/S-1._"},
		// Everything outside A-Z a-z 0-9 - . _ ~ is encoded, including the
		// sub-delimiters that url.PathEscape would leave alone.
		{Key{"09506000134352", "A/B%C", `!"&'()*+,:;<=>?`},
			"/01/09506000134352/10/A%2FB%25C/21/%21%22%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F"},
	}
	for _, tt := range tests {
		if got := tt.k.Path(); got != tt.wantPath {
			t.Errorf("%+v.Path() = %q, want %q", tt.k, got, tt.wantPath)
		}
	}

	k := Key{GTIN: "09506000134352", Lot: "L1"}
	for _, base := range []string{"https://id.qingchain.example", "https://id.qingchain.example/", "https://id.qingchain.example//"} {
		if got, want := k.URL(base), "https://id.qingchain.example/01/09506000134352/10/L1"; got != want {
			t.Errorf("URL(%q) = %q, want %q", base, got, want)
		}
	}
	if got, want := k.URL("https://example.cn/dl/"), "https://example.cn/dl/01/09506000134352/10/L1"; got != want {
		t.Errorf("URL with base path = %q, want %q", got, want)
	}
}

func TestNewKey(t *testing.T) {
	k, err := NewKey("6901234567892", "", "SN1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k, (Key{GTIN: "06901234567892", Serial: "SN1"}); got != want {
		t.Errorf("NewKey = %+v, want %+v", got, want)
	}
	for _, tt := range []struct {
		gtin, lot, serial string
		kind              error
	}{
		{"6901234567891", "", "", ErrBadGTIN},
		{"6901234567892", "L 1", "", ErrBadLot},
		{"6901234567892", "L1", "123456789012345678901", ErrBadSerial},
	} {
		if _, err := NewKey(tt.gtin, tt.lot, tt.serial); !errors.Is(err, tt.kind) {
			t.Errorf("NewKey(%q, %q, %q) error = %v, want %v", tt.gtin, tt.lot, tt.serial, err, tt.kind)
		}
	}
}

// Property: every valid key survives Path -> ParsePath unchanged, whatever
// characters of set 82 its lot and serial use.
func TestPathRoundTrip(t *testing.T) {
	const set82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`
	x := uint64(42)
	rnd := func(n int) int {
		x = x*6364136223846793005 + 1442695040888963407
		return int((x >> 33) % uint64(n))
	}
	word := func() string {
		b := make([]byte, 1+rnd(MaxAttrLen))
		for i := range b {
			b[i] = set82[rnd(len(set82))]
		}
		return string(b)
	}
	for n := 0; n < 3000; n++ {
		body := make([]byte, 13)
		for i := range body {
			body[i] = byte('0' + rnd(10))
		}
		body[12] = '1' // never all zeros
		cd, _ := GTINCheckDigit(string(body))
		k := Key{GTIN: string(body) + string(cd)}
		if n%3 != 0 {
			k.Lot = word()
		}
		if n%2 == 0 {
			k.Serial = word()
		}
		got, err := ParsePath(k.Path())
		if err != nil || got != k {
			t.Fatalf("ParsePath(%q) = %+v, %v; want %+v", k.Path(), got, err, k)
		}
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"/01/09506000134352",
		"/01/09506000134352/10/ABC123/21/12345",
		"/01/6901234567892/21/S%2F1",
		"/01/96385074/10/A%25B",
		"/01/09506000134352/21/S1/10/L1",
		"/01/09506000134352/10/L1/10/L2",
		"/01/09506000134352/",
		"/01/09506000134352?x=1",
		"/01/0950600013435%",
		"/",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		k, err := ParsePath(path)
		if err != nil {
			if !errors.Is(err, ErrBadPath) || k != (Key{}) {
				t.Fatalf("ParsePath(%q) = %+v, %v", path, k, err)
			}
			return
		}
		// A parsed key is valid and canonical, and its path parses back to it.
		if k2, err := NewKey(k.GTIN, k.Lot, k.Serial); err != nil || k2 != k {
			t.Fatalf("NewKey(%+v) = %+v, %v", k, k2, err)
		}
		p := k.Path()
		if k3, err := ParsePath(p); err != nil || k3 != k {
			t.Fatalf("ParsePath(%q) = %+v, %v; want %+v", p, k3, err, k)
		}
		if !strings.HasPrefix(p, "/01/"+k.GTIN) {
			t.Fatalf("Path() = %q", p)
		}
	})
}
