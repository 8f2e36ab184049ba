package gs1

import (
	"errors"
	"strings"
	"testing"
)

// Check digits worked out by hand. Weights run 3,1,3,1,... from the
// rightmost digit of the body (the check digit itself is excluded):
//
//	GTIN-13 690123456789?  body digits right to left 9 8 7 6 5 4 3 2 1 0 9 6
//	  27+8+21+6+15+4+9+2+3+0+27+6 = 128; (10 - 128 mod 10) mod 10 = 2
//	GTIN-8  9638507?       7 0 5 8 3 6 9: 21+0+15+8+9+6+27 = 86 -> 4
//	GTIN-12 03600029145?   5 4 1 9 2 0 0 0 6 3 0:
//	  15+4+3+9+6+0+0+0+18+3+0 = 58 -> 2
//	GTIN-14 0950600013435? 5 3 4 3 1 0 0 0 6 0 5 9 0:
//	  15+3+12+3+3+0+0+0+18+0+15+9+0 = 78 -> 2
//	GTIN-13 400638133393?  3 9 3 3 3 1 8 3 6 0 0 4:
//	  9+9+9+3+9+1+24+3+18+0+0+4 = 89 -> 1
func TestNormalizeGTIN(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"6901234567892", "06901234567892"},
		{"96385074", "00000096385074"},
		{"036000291452", "00036000291452"},
		{"09506000134352", "09506000134352"},
		{"4006381333931", "04006381333931"},
		{"0000000000017", "00000000000017"}, // 1*3 = 3 -> 7
	}
	for _, tt := range tests {
		got, err := NormalizeGTIN(tt.in)
		if err != nil {
			t.Errorf("NormalizeGTIN(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("NormalizeGTIN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeGTINErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string // substring of the error
	}{
		{"", "has 0 characters, want 8, 12, 13 or 14 digits"},
		{"1234567", "has 7 characters"},
		{"123456789", "has 9 characters"},
		{"069012345678920", "has 15 characters"},
		{"690123456789X", `character 13 is 'X', want a digit`},
		{"69012345 7892", `character 9 is ' ', want a digit`},
		{"６901234567", "character 1 is byte 0xEF"}, // full-width 6 is 3 bytes: 13 in all
		{"6901234567\xef\xbc\x99", "character 11 is byte 0xEF, want a digit"},
		{"6901234567893", "6901234567893 has check digit 3, expected 2"},
		{"96385075", "check digit 5, expected 4"},
		{"09506000134350", "check digit 0, expected 2"},
		{"00000000", "all zeros"},
		{"00000000000000", "all zeros"},
		{"-6901234567892", `character 1 is '-'`},
	}
	for _, tt := range tests {
		_, err := NormalizeGTIN(tt.in)
		checkErr(t, "NormalizeGTIN("+tt.in+")", err, ErrBadGTIN, tt.wantMsg)
	}
}

func TestGTINCheckDigit(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"690123456789", '2'},
		{"9638507", '4'},
		{"03600029145", '2'},
		{"0950600013435", '2'},
		{"400638133393", '1'},
		{"000000000000", '0'},
	}
	for _, tt := range tests {
		got, err := GTINCheckDigit(tt.body)
		if err != nil {
			t.Errorf("GTINCheckDigit(%q): %v", tt.body, err)
			continue
		}
		if got != tt.want {
			t.Errorf("GTINCheckDigit(%q) = %c, want %c", tt.body, got, tt.want)
		}
	}
	for _, bad := range []string{"", "123456", "12345678", "12345678901234", "69012345678a"} {
		if _, err := GTINCheckDigit(bad); !errors.Is(err, ErrBadGTIN) {
			t.Errorf("GTINCheckDigit(%q) error = %v, want ErrBadGTIN", bad, err)
		}
	}
}

// Property: a body plus its computed check digit always normalises, and
// every other final digit is rejected.
func TestGTINCheckDigitProperty(t *testing.T) {
	// A fixed linear congruential walk gives varied, reproducible bodies.
	x := uint64(20260101)
	next := func() byte {
		x = x*6364136223846793005 + 1442695040888963407
		return byte('0' + (x>>33)%10)
	}
	for n := 0; n < 2000; n++ {
		size := []int{7, 11, 12, 13}[n%4]
		b := make([]byte, size)
		for i := range b {
			b[i] = next()
		}
		b[0] = '1' + byte(n%9) // avoid the all-zero body
		body := string(b)
		cd, err := GTINCheckDigit(body)
		if err != nil {
			t.Fatalf("GTINCheckDigit(%q): %v", body, err)
		}
		for d := byte('0'); d <= '9'; d++ {
			g, err := NormalizeGTIN(body + string(d))
			if d == cd {
				if err != nil || len(g) != 14 || !strings.HasSuffix(g, body+string(d)) {
					t.Fatalf("NormalizeGTIN(%q) = %q, %v", body+string(d), g, err)
				}
			} else if !errors.Is(err, ErrBadGTIN) {
				t.Fatalf("NormalizeGTIN(%q) accepted wrong check digit", body+string(d))
			}
		}
	}
}

func TestValidateLotSerial(t *testing.T) {
	all82 := `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`
	if len(all82) != 82 {
		t.Fatalf("test set has %d characters, want 82", len(all82))
	}
	// Every member of the set is accepted on its own...
	for i := 0; i < len(all82); i++ {
		if err := ValidateLot(all82[i : i+1]); err != nil {
			t.Errorf("ValidateLot(%q): %v", all82[i:i+1], err)
		}
	}
	// ...and every other byte is rejected.
	n := 0
	for c := 0; c < 256; c++ {
		if ValidateSerial(string([]byte{byte(c)})) == nil {
			n++
		}
	}
	if n != 82 {
		t.Errorf("%d single bytes accepted, want 82", n)
	}

	tests := []struct {
		in      string
		wantMsg string // "" means valid
	}{
		{"LOT2026-03A", ""},
		{"A", ""},
		{"12345678901234567890", ""},
		{"a/b+c%d&e", ""},
		{"", "empty"},
		{"123456789012345678901", "21 bytes long, at most 20 allowed"},
		{"LOT 1", "character 4 is ' ', not in GS1 character set 82"},
		{"LOT#1", `character 4 is '#'`},
		{"批次1", "character 1 is byte 0xE6"},
		{"tab\tx", `character 4 is byte 0x09`},
		{"~", `character 1 is '~'`},
	}
	for _, tt := range tests {
		errLot, errSer := ValidateLot(tt.in), ValidateSerial(tt.in)
		if tt.wantMsg == "" {
			if errLot != nil || errSer != nil {
				t.Errorf("ValidateLot/Serial(%q) = %v, %v; want valid", tt.in, errLot, errSer)
			}
			continue
		}
		checkErr(t, "ValidateLot("+tt.in+")", errLot, ErrBadLot, tt.wantMsg)
		checkErr(t, "ValidateSerial("+tt.in+")", errSer, ErrBadSerial, tt.wantMsg)
	}
}

// checkErr fails unless err wraps kind and its message contains msg.
func checkErr(t *testing.T, call string, err, kind error, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one containing %q", call, msg)
		return
	}
	if !errors.Is(err, kind) {
		t.Errorf("%s: error %q does not wrap %q", call, err, kind)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: error %q does not contain %q", call, err, msg)
	}
	if !strings.HasPrefix(err.Error(), "gs1: ") {
		t.Errorf("%s: error %q lacks the gs1: prefix", call, err)
	}
}

func FuzzNormalizeGTIN(f *testing.F) {
	for _, s := range []string{"6901234567892", "96385074", "036000291452", "09506000134352",
		"6901234567893", "", "0", "00000000", "abcdefgh", "12345678901234567890", "069012345678９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := NormalizeGTIN(s)
		if err != nil {
			if !errors.Is(err, ErrBadGTIN) || g != "" {
				t.Fatalf("NormalizeGTIN(%q) = %q, %v", s, g, err)
			}
			return
		}
		if len(g) != 14 || !strings.HasSuffix(g, s) || strings.Trim(g[:14-len(s)], "0") != "" {
			t.Fatalf("NormalizeGTIN(%q) = %q, not s left-padded to 14", s, g)
		}
		// Idempotent, and the check digit agrees with GTINCheckDigit.
		if g2, err := NormalizeGTIN(g); err != nil || g2 != g {
			t.Fatalf("NormalizeGTIN(%q) = %q, %v; not idempotent", g, g2, err)
		}
		if cd, err := GTINCheckDigit(g[:13]); err != nil || cd != g[13] {
			t.Fatalf("GTINCheckDigit(%q) = %c, %v; GTIN %q", g[:13], cd, err, g)
		}
	})
}
