package receivables

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/insurance"
)

func TestNormalizeInvoiceNumber(t *testing.T) {
	cases := []struct{ in, want string }{
		{"HY-2026-0611", "hy-2026-0611"},
		{"hy-2026-0611", "hy-2026-0611"},
		{"ＨＹ－２０２６－０６１１", "hy-2026-0611"},             // full-width
		{"  HY-2026-0611\t\n", "hy-2026-0611"},       // ASCII white space
		{"\u3000HY-2026-0611\u3000", "hy-2026-0611"}, // ideographic space
		{"\u00a0HY-2026-0611\u2003", "hy-2026-0611"}, // no-break and em space
		{"INV-①②", "inv-12"},                         // circled digits
		{"ﬁ-7", "fi-7"},                              // ligature
		{"Ⅻ-3", "xii-3"},                             // roman numeral
		{"\u212a-5", "k-5"},                          // kelvin sign
		{"STRAßE", "strasse"},                        // full case folding
		{"ΣΑΣ", "σασ"},                               // final sigma folds to σ
		{"e\u0301", "é"},                             // composed
		{"HY 2026", "hy 2026"},                       // inner space kept (refused by the check)
		{"", ""},
		{" \u3000 ", ""},
		{"\u00a8", "\u0308"}, // NFKC gives space + diaeresis; the space is trimmed
		// Folding can undo NFKC: ß + acute folds to s, s, acute, which
		// composes to s, ś; without the second NFKC the two would differ.
		{"\u00df\u0301", "s\u015b"},
		{"s\u015b", "s\u015b"},
	}
	for _, tc := range cases {
		if got := insurance.NormalizeInvoiceNumber(tc.in); got != tc.want {
			t.Errorf("NormalizeInvoiceNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := insurance.NormalizeInvoiceNumber(insurance.NormalizeInvoiceNumber(tc.in)); got != tc.want {
			t.Errorf("not idempotent on %q: %q", tc.in, got)
		}
	}
}

func TestCheckInvoiceNumber(t *testing.T) {
	cases := []struct {
		in, display, key string
		ok               bool
	}{
		{"HY-2026-0611", "HY-2026-0611", "hy-2026-0611", true},
		{" ＨＹ－２０２６－０６１１ ", "ＨＹ－２０２６－０６１１", "hy-2026-0611", true},
		{"INV-①", "INV-①", "inv-1", true},
		{strings.Repeat("A", 40), strings.Repeat("A", 40), strings.Repeat("a", 40), true},
		{strings.Repeat("A", 41), "", "", false},
		{strings.Repeat("ﬃ", 14), "", "", false}, // 42 letters once normalised
		{"HY 2026", "", "", false},
		{"HY\u200b2026", "", "", false},
		{"发票1", "", "", false},
		{"HÉ-1", "", "", false},
		{"HY-\x00", "", "", false},
		{"HY-\xff", "", "", false},
		{"", "", "", false},
		{"\u00a8", "", "", false},
	}
	for _, tc := range cases {
		display, key, err := insurance.CheckInvoiceNumber("invoiceNumber", tc.in)
		if (err == nil) != tc.ok || display != tc.display || key != tc.key {
			t.Errorf("insCheckInvoiceNumber(%q) = %q, %q, %v; want %q, %q, ok %v", tc.in, display, key, err, tc.display, tc.key, tc.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") {
			t.Errorf("%q: error %v", tc.in, err)
		}
	}
}

func TestLotsDigest(t *testing.T) {
	a := api.LotRef{GTIN: "06901230000010", Lot: "YD0001"}
	b := api.LotRef{GTIN: "06901230000010", Lot: "YD0002"}
	c := api.LotRef{GTIN: "06901230000027", Lot: "YD0001"}
	if lotsDigest([]api.LotRef{a, b}) != lotsDigest([]api.LotRef{b, a}) {
		t.Error("order matters")
	}
	if lotsDigest([]api.LotRef{a, b}) != lotsDigest([]api.LotRef{a, b, a}) {
		t.Error("a repeat matters")
	}
	for _, other := range [][]api.LotRef{{}, {a}, {a, c}, {a, b, c}, {{GTIN: a.GTIN, Lot: "yd0001"}, b}, {{GTIN: "0690123000001", Lot: "0YD0001"}, b}} {
		if lotsDigest([]api.LotRef{a, b}) == lotsDigest(other) {
			t.Errorf("%v has the digest of {a, b}", other)
		}
	}
}

// FuzzNormalizeInvoiceNumber: never panics, idempotent, valid UTF-8 in,
// valid UTF-8 out; and what the check accepts is printable ASCII, the
// normalised form of the display, itself accepted as the same invoice.
func FuzzNormalizeInvoiceNumber(f *testing.F) {
	for _, s := range []string{"HY-2026-0611", "ＨＹ－２０２６－０６１１", " hy-2026-0611 ", "INV-①", "ﬁ", "Ⅻ", "\u212a", "ß", "ΣΑΣ",
		"\u00a8", "e\u0301", "\u0345\u0307", "ǅ", "ᾈ", "ﬃ", "İ", "\u3000", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := insurance.NormalizeInvoiceNumber(s)
		if insurance.NormalizeInvoiceNumber(n) != n {
			t.Fatalf("N(N(%q)) = %q, N = %q", s, insurance.NormalizeInvoiceNumber(n), n)
		}
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Fatalf("N(%q) = %q is not valid UTF-8", s, n)
		}
		display, key, err := insurance.CheckInvoiceNumber("invoiceNumber", s)
		if err != nil {
			return
		}
		if key != insurance.NormalizeInvoiceNumber(display) || key == "" || len(key) > 40 {
			t.Fatalf("%q: key %q of display %q", s, key, display)
		}
		for i := 0; i < len(key); i++ {
			if key[i] <= 0x20 || key[i] >= 0x7f {
				t.Fatalf("%q: key %q is not printable ASCII", s, key)
			}
		}
		if _, k2, err := insurance.CheckInvoiceNumber("invoiceNumber", key); err != nil || k2 != key {
			t.Fatalf("%q: its key %q is not accepted as itself (%q, %v)", s, key, k2, err)
		}
	})
}
