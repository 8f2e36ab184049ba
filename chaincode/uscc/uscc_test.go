package uscc

import (
	"errors"
	"strings"
	"testing"
)

// Hand-checked vectors.
//
// 91350100M000100Y43, the sample printed in many explanations of the
// standard. Values (0-9 as themselves, A=10 ... M=21 ... Y=30) times weights:
//
//	9*1 + 1*3 + 3*9 + 5*27 + 0*19 + 1*26 + 0*16 + 0*17 + M(21)*20
//	+ 0*29 + 0*25 + 0*13 + 1*8 + 0*24 + 0*10 + Y(30)*30 + 4*28
//	= 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640
//	1640 mod 31 = 28 (31*52 = 1612); 31 - 28 = 3 -> '3'
//
// 91370200MA3CXY0010, a fictional Qingdao (370200) code whose sum is a
// multiple of 31, so the check value is 31, written '0':
//
//	9*1 + 1*3 + 3*9 + 7*27 + 0*19 + 2*26 + 0*16 + 0*17 + M(21)*20
//	+ A(10)*29 + 3*25 + C(12)*13 + X(29)*8 + Y(30)*24 + 0*10 + 0*30 + 1*28
//	= 9 + 3 + 27 + 189 + 52 + 420 + 290 + 75 + 156 + 232 + 720 + 28 = 2201
//	2201 = 31*71, mod 31 = 0; 31 - 0 = 31 -> 0 -> '0'
var handChecked = []string{
	"91350100M000100Y43",
	"91370200MA3CXY0010",
}

// Fictional codes made with CheckChar (and re-checked by the test below),
// for demo data: Qingdao enterprises (9 = market regulation, 1 = company),
// a public institution (1, 2) and a social organisation (5, 2).
var generated = []string{
	"91370200MA3C6QN5XB",
	"91370211MA3QA0B8KF",
	"91370211MA3Q12341Y", // check character Y = 30, the largest value
	"12370200MB12345671",
	"52370200MJD1HJKL10",
}

func TestValidate(t *testing.T) {
	for _, code := range append(handChecked, generated...) {
		if err := Validate(code); err != nil {
			t.Errorf("Validate(%q): %v", code, err)
		}
	}
}

func TestCheckChar(t *testing.T) {
	for _, code := range append(handChecked, generated...) {
		got, err := CheckChar(code[:17])
		if err != nil {
			t.Errorf("CheckChar(%q): %v", code[:17], err)
			continue
		}
		if want := code[17]; got != want {
			t.Errorf("CheckChar(%q) = %c, want %c", code[:17], got, want)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		code, wantMsg string
	}{
		{"", "has 0 bytes, want 18 characters"},
		{"91350100M000100Y4", "has 17 bytes"},
		{"91350100M000100Y433", "has 19 bytes"},
		{"91350100M000100Y44", "check character (18th) does not match the first 17 characters"},
		{"91350100M000100Y4Z", "character 18 is 'Z', not one of 0-9 A-Z except I O S V Z"},
		{"91350100m000100Y43", "lowercase 'm' at position 9; codes are upper case only"},
		{"91350100M000100y43", "lowercase 'y' at position 16"},
		{"91350I00M000100Y43", "character 6 is 'I'; positions 3-8 (administrative division code) must be digits"},
		{"913501A0M000100Y43", "character 7 is 'A'; positions 3-8"},
		{"9135010OM000100Y43", "character 8 is 'O'; positions 3-8"},
		{"S1350100M000100Y43", "character 1 is 'S', not one of"},
		{"9V350100M000100Y43", "character 2 is 'V'"},
		{"91350100M00O100Y43", "character 12 is 'O'"},
		{"91350100M000100-43", "character 16 is '-'"},
		{"91350100M000100 43", "character 16 is ' '"},
		{"91350100M00０00Y4", "character 12 is byte 0xEF"}, // full-width zero is 3 bytes
	}
	for _, tt := range tests {
		err := Validate(tt.code)
		if err == nil {
			t.Errorf("Validate(%q): no error, want %q", tt.code, tt.wantMsg)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Validate(%q): %v does not wrap ErrInvalid", tt.code, err)
		}
		if got := err.Error(); !strings.Contains(got, tt.wantMsg) || !strings.HasPrefix(got, "uscc: ") {
			t.Errorf("Validate(%q) = %q, want it to contain %q", tt.code, got, tt.wantMsg)
		}
	}
	if _, err := CheckChar("91350100M000100Y43"); !errors.Is(err, ErrInvalid) {
		t.Errorf("CheckChar of 18 characters: %v, want ErrInvalid", err)
	}
}

// A wrong check character gets one and the same message whatever the code
// and whatever the right character is, so the error cannot be used to learn
// the check character of any 17 characters.
func TestCheckMismatchRevealsNothing(t *testing.T) {
	want := "uscc: " + ErrInvalid.Error() + ": " + MsgCheckMismatch
	for _, code := range append(handChecked, generated...) {
		for i := 0; i < len(charset); i++ {
			if charset[i] == code[17] {
				continue
			}
			bad := code[:17] + charset[i:i+1]
			err := Validate(bad)
			if err == nil {
				t.Fatalf("Validate(%q) accepted a wrong check character", bad)
			}
			if got := err.Error(); got != want {
				t.Fatalf("Validate(%q) = %q, want exactly %q", bad, got, want)
			}
		}
	}
}

// Property: for any body, exactly one of the 31 possible final characters
// validates, the one CheckChar gives; and changing any single character of
// a valid code to another charset character breaks it (the weights are
// non-zero mod 31, a prime, so a single substitution always changes the sum).
func TestCheckCharProperty(t *testing.T) {
	x := uint64(32100)
	rnd := func(n int) int {
		x = x*6364136223846793005 + 1442695040888963407
		return int((x >> 33) % uint64(n))
	}
	for n := 0; n < 500; n++ {
		b := make([]byte, 17)
		for i := range b {
			if i >= 2 && i <= 7 {
				b[i] = byte('0' + rnd(10))
			} else {
				b[i] = charset[rnd(len(charset))]
			}
		}
		cc, err := CheckChar(string(b))
		if err != nil {
			t.Fatalf("CheckChar(%q): %v", b, err)
		}
		valid := 0
		for i := 0; i < len(charset); i++ {
			if Validate(string(b)+charset[i:i+1]) == nil {
				valid++
				if charset[i] != cc {
					t.Fatalf("%s%c validates, CheckChar says %c", b, charset[i], cc)
				}
			}
		}
		if valid != 1 {
			t.Fatalf("%d final characters validate for %s", valid, b)
		}
		code := []byte(string(b) + string(cc))
		pos := rnd(17)
		for i := 0; i < len(charset); i++ {
			c := charset[i]
			if c == code[pos] || (pos >= 2 && pos <= 7 && c > '9') {
				continue
			}
			mutated := append([]byte(nil), code...)
			mutated[pos] = c
			if Validate(string(mutated)) == nil {
				t.Fatalf("%s validates after changing position %d of %s", mutated, pos+1, code)
			}
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range append(append([]string{}, handChecked...), generated...) {
		f.Add(s)
	}
	for _, s := range []string{"", "91350100m000100y43", "91350100M000100Y44", "ZZZZZZZZZZZZZZZZZZ", "913501００M000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		err := Validate(code)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate(%q) = %v, does not wrap ErrInvalid", code, err)
			}
			return
		}
		// A valid code is 18 upper-case charset characters whose last one is
		// what CheckChar computes.
		if len(code) != Length || strings.ToUpper(code) != code {
			t.Fatalf("Validate accepted %q", code)
		}
		for i := 0; i < len(code); i++ {
			if !strings.Contains(charset, code[i:i+1]) {
				t.Fatalf("Validate accepted %q with %q", code, code[i])
			}
		}
		if cc, err := CheckChar(code[:17]); err != nil || cc != code[17] {
			t.Fatalf("CheckChar(%q) = %c, %v; code %q", code[:17], cc, err, code)
		}
	})
}
