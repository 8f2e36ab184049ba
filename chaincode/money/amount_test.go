package money

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func cur(t *testing.T, code string) Currency {
	t.Helper()
	c, err := LookupCurrency(code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func date(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// checkDec fails unless got equals want in value and, formatted for c,
// reads exactly wantStr.
func checkDec(t *testing.T, what string, got decimal.Decimal, c Currency, want string) {
	t.Helper()
	if s := Format(got, c); s != want {
		t.Errorf("%s = %s (%s), want %s", what, got, s, want)
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in, code, want string // want is Format's output
	}{
		{"1234.56", "CNY", "1234.56"},
		{"1234.5", "CNY", "1234.50"},
		{"1234", "CNY", "1234.00"},
		{"0", "CNY", "0.00"},
		{"0.01", "CNY", "0.01"},
		{"0.00", "CNY", "0.00"},
		{"999999999999999.99", "CNY", "999999999999999.99"}, // 15 integer digits
		{"1000", "JPY", "1000"},
		{"0", "JPY", "0"},
		{"1.234", "KWD", "1.234"},
		{"1.5", "KWD", "1.500"},
		{"0.0001", "CLF", "0.0001"},
	}
	for _, tt := range tests {
		c := cur(t, tt.code)
		got, err := ParseAmount(tt.in, c)
		if err != nil {
			t.Errorf("ParseAmount(%q, %s): %v", tt.in, tt.code, err)
			continue
		}
		checkDec(t, "ParseAmount("+tt.in+", "+tt.code+")", got, c, tt.want)
		if !got.Equal(dec(t, tt.in)) {
			t.Errorf("ParseAmount(%q) = %s, value differs", tt.in, got)
		}
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct {
		in, code, wantMsg string
	}{
		{"", "CNY", "empty"},
		{"-1.00", "CNY", "must not be negative"},
		{"-0", "CNY", "must not be negative"},
		{"+1.00", "CNY", "no sign allowed"},
		{"1e3", "CNY", "unexpected 'e' at position 2; exponent notation is not allowed"},
		{"1E3", "CNY", "exponent notation"},
		{"1,234.56", "CNY", "unexpected ',' at position 2; no digit group separators"},
		{"1_000", "CNY", "no digit group separators"},
		{" 1", "CNY", "unexpected ' ' at position 1; no spaces"},
		{"1 ", "CNY", "no spaces"},
		{"1\n", "CNY", "byte 0x0A at position 2; no spaces"},
		{"01", "CNY", "leading zero"},
		{"00.5", "CNY", "leading zero"},
		{"007", "JPY", "leading zero"},
		{".5", "CNY", "missing digit before the decimal point"},
		{"1.", "CNY", "missing digits after the decimal point"},
		{"1.2.3", "CNY", "unexpected '.' at position 4; only one decimal point"},
		{"1..2", "CNY", "unexpected '.' at position 3"},
		{"1.234", "CNY", "CNY allows at most 2 digits after the decimal point"},
		{"1.000", "CNY", "at most 2 digits"},
		{"1.5", "JPY", "JPY has no minor unit; write a whole number"},
		{"1.0", "JPY", "no minor unit"},
		{"1.2345", "KWD", "at most 3 digits"},
		{"1000000000000000", "CNY", "more than 15 digits before the decimal point"},
		{"¥100", "CNY", "unexpected byte 0xC2 at position 1"},
		{"１00", "CNY", "unexpected byte 0xEF at position 1"},
		{"NaN", "CNY", "unexpected 'N'"},
		{"Infinity", "CNY", "unexpected 'I'"},
		{"0x10", "CNY", "unexpected 'x'"},
		{"1/2", "CNY", "unexpected '/'"},
		{".", "CNY", "missing digit before the decimal point"},
	}
	for _, tt := range tests {
		_, err := ParseAmount(tt.in, cur(t, tt.code))
		if !errors.Is(err, ErrBadAmount) || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("ParseAmount(%q, %s) error = %v, want ErrBadAmount containing %q", tt.in, tt.code, err, tt.wantMsg)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "money: invalid amount ") {
			t.Errorf("ParseAmount(%q) error = %q, want prefix", tt.in, err)
		}
	}

	// A Currency not taken from the table is refused rather than trusted.
	for _, c := range []Currency{{}, {"CNY", 3}, {"RMB", 2}} {
		if _, err := ParseAmount("1", c); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("ParseAmount with %+v: %v, want ErrUnknownCurrency", c, err)
		}
	}
}

func TestParsePositiveAmount(t *testing.T) {
	cny := cur(t, "CNY")
	for _, s := range []string{"0", "0.0", "0.00"} {
		_, err := ParsePositiveAmount(s, cny)
		if !errors.Is(err, ErrBadAmount) || !strings.Contains(err.Error(), "must be greater than zero") {
			t.Errorf("ParsePositiveAmount(%q) error = %v", s, err)
		}
	}
	if _, err := ParsePositiveAmount("-1", cny); !errors.Is(err, ErrBadAmount) {
		t.Errorf("ParsePositiveAmount(-1) error = %v", err)
	}
	got, err := ParsePositiveAmount("0.01", cny)
	if err != nil || !got.Equal(dec(t, "0.01")) {
		t.Errorf("ParsePositiveAmount(0.01) = %s, %v", got, err)
	}
}

func TestParseRate(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"0.0435", "0.0435"},
		{"0", "0"},
		{"1", "1"},
		{"1.00000000", "1"},
		{"0.9", "0.9"},
		{"0.00000001", "0.00000001"},
		{"0.12345678", "0.12345678"},
	} {
		got, err := ParseRate(tt.in)
		if err != nil {
			t.Errorf("ParseRate(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(dec(t, tt.want)) {
			t.Errorf("ParseRate(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, wantMsg string }{
		{"4.35", "must be a fraction between 0 and 1 (4.35% is 0.0435)"},
		{"1.00000001", "between 0 and 1"},
		{"1.5", "between 0 and 1"},
		{"10", "between 0 and 1"},
		{"01", "leading zero"},
		{"0.000000001", "at most 8 digits after the decimal point"},
		{"-0.01", "must not be negative"},
		{"+0.01", "no sign allowed"},
		{".0435", "missing digit before the decimal point"},
		{"4.35%", "unexpected '%' at position 5; write a rate as a fraction (4.35% is 0.0435)"},
		{"0.0435%", "unexpected '%' at position 7"},
		{"4.35e-2", "exponent notation"},
		{"", "empty"},
	} {
		_, err := ParseRate(tt.in)
		if !errors.Is(err, ErrBadRate) || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("ParseRate(%q) error = %v, want ErrBadRate containing %q", tt.in, err, tt.wantMsg)
		}
	}
}

func TestRoundAndFormat(t *testing.T) {
	tests := []struct {
		in, code, want string
	}{
		{"0.125", "CNY", "0.13"}, // half goes up
		{"0.165", "CNY", "0.17"}, // banker's would give 0.16
		{"0.145", "CNY", "0.15"}, // banker's would give 0.14
		{"1.005", "CNY", "1.01"}, // the classic float trap: exact here
		{"0.1249999", "CNY", "0.12"},
		{"-0.125", "CNY", "-0.13"}, // away from zero
		{"-0.001", "CNY", "0.00"},  // no negative zero
		{"1234.5", "CNY", "1234.50"},
		{"0", "CNY", "0.00"},
		{"2.5", "JPY", "3"},
		{"1234", "JPY", "1234"},
		{"1.0005", "KWD", "1.001"},
		{"1.5", "KWD", "1.500"},
		{"0.00005", "CLF", "0.0001"},
		{"999999999999999.995", "CNY", "1000000000000000.00"},
	}
	for _, tt := range tests {
		c := cur(t, tt.code)
		d := dec(t, tt.in)
		if got := Format(d, c); got != tt.want {
			t.Errorf("Format(%s, %s) = %q, want %q", tt.in, tt.code, got, tt.want)
		}
		if got := Round(d, c); !got.Equal(dec(t, tt.want)) {
			t.Errorf("Round(%s, %s) = %s, want %s", tt.in, tt.code, got, tt.want)
		}
	}
}

// Worked examples, by hand (actual/360: principal × rate × days / 360, then
// round half-up to the fen once):
//
//  1. CNY 1,000,000.00 at 4.35%, 2026-01-01 to 2026-02-01 = 31 days:
//     1000000 × 0.0435 = 43500; × 31 = 1348500; / 360 = 3745.8333… → 3745.83
//  2. Exactly half a fen: CNY 100.00 at 9%, 1 day:
//     100 × 0.09 × 1 / 360 = 9 / 360 = 0.025 → 0.03 (half-up; banker's
//     rounding or truncation would give 0.02)
//  3. CNY 1,000.00 at 0.18%, 1 day: 1.8 / 360 = 0.005 → 0.01
//  4. Just under half: CNY 100.00 at 8.99%, 1 day: 8.99 / 360 = 0.024972… → 0.02
//  5. Leap February: CNY 500,000.00 at 3.65%, 2024-01-31 to 2024-03-01:
//     Jan 31 → Feb 29 is 29 days, → Mar 1 is 30 days.
//     500000 × 0.0365 = 18250; × 30 = 547500; / 360 = 1520.8333… → 1520.83
//  6. The same span in 2023 (no Feb 29) is 29 days:
//     18250 × 29 = 529250; / 360 = 1470.13888… → 1470.14
//  7. Across the year end: CNY 2,000,000.00 at 3.1%, 2025-12-21 to
//     2026-03-21 = 10 (to Dec 31) + 31 + 28 + 21 = 90 days:
//     2000000 × 0.031 = 62000; × 90 / 360 = 15500.00
//  8. A whole leap year, 2024-01-01 to 2025-01-01 = 366 days, CNY 100,000.00
//     at 4.35%: 4350 × 366 = 1592100; / 360 = 4422.50 (more than 4.35% of
//     the principal: that is what actual/360 means)
//  9. JPY 10,000,000 at 1.5%, 46 days: 150000 × 46 = 6900000;
//     / 360 = 19166.66… → 19167 (yen have no minor unit)
//  10. KWD 12,345.678 at 5%, 100 days: 617.2839 × 100 = 61728.39;
//     / 360 = 171.46775 → 171.468 (fils: 3 digits)
//  11. Month end to month end: CNY 300,000.00 at 4.2%, 2026-01-31 to
//     2026-02-28 = 28 days: 12600 × 28 = 352800; / 360 = 980.00
func TestInterest(t *testing.T) {
	tests := []struct {
		principal, rate, from, to, code, want string
	}{
		{"1000000.00", "0.0435", "2026-01-01", "2026-02-01", "CNY", "3745.83"},
		{"100.00", "0.09", "2026-03-10", "2026-03-11", "CNY", "0.03"},
		{"1000.00", "0.0018", "2026-03-10", "2026-03-11", "CNY", "0.01"},
		{"100.00", "0.0899", "2026-03-10", "2026-03-11", "CNY", "0.02"},
		{"500000.00", "0.0365", "2024-01-31", "2024-03-01", "CNY", "1520.83"},
		{"500000.00", "0.0365", "2023-01-31", "2023-03-01", "CNY", "1470.14"},
		{"2000000.00", "0.031", "2025-12-21", "2026-03-21", "CNY", "15500.00"},
		{"100000.00", "0.0435", "2024-01-01", "2025-01-01", "CNY", "4422.50"},
		{"10000000", "0.015", "2026-01-01", "2026-02-16", "JPY", "19167"},
		{"12345.678", "0.05", "2026-01-01", "2026-04-11", "KWD", "171.468"},
		{"300000.00", "0.042", "2026-01-31", "2026-02-28", "CNY", "980.00"},
		// No time, no interest.
		{"1000000.00", "0.0435", "2026-01-01", "2026-01-01", "CNY", "0.00"},
		{"1000000.00", "0.0435", "2026-02-01", "2026-01-01", "CNY", "0.00"},
		{"1000000.00", "0", "2026-01-01", "2026-12-31", "CNY", "0.00"},
		{"0", "0.0435", "2026-01-01", "2026-12-31", "CNY", "0.00"},
	}
	for _, tt := range tests {
		c := cur(t, tt.code)
		from, to := date(t, tt.from), date(t, tt.to)
		got := Interest(dec(t, tt.principal), dec(t, tt.rate), from, to, c)
		checkDec(t, "Interest("+tt.principal+" at "+tt.rate+" "+tt.from+".."+tt.to+")", got, c, tt.want)
		if !got.Equal(dec(t, tt.want)) {
			t.Errorf("Interest value %s != %s", got, tt.want)
		}
	}

	// The zero Date is "no date", never day zero of some calendar.
	cny := cur(t, "CNY")
	if got := Interest(dec(t, "1000"), dec(t, "0.05"), Date{}, date(t, "2026-01-01"), cny); !got.IsZero() {
		t.Errorf("Interest from the zero Date = %s, want 0", got)
	}
}

// Property: interest is p×r×days/360 rounded once, so it equals Round of
// the exact quotient, and splitting a period never moves the total by more
// than one minor unit per split (each part is rounded separately).
func TestInterestProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 35))
	cny := cur(t, "CNY")
	start := date(t, "2024-01-01")
	for n := 0; n < 2000; n++ {
		p := decimal.New(r.Int64N(1e12), -2) // up to 10^10 yuan
		rate := decimal.New(r.Int64N(1e6), -6)
		from := start.AddDays(r.IntN(1000))
		days := r.IntN(800)
		to := from.AddDays(days)
		got := Interest(p, rate, from, to, cny)
		exact := p.Mul(rate).Mul(decimal.NewFromInt(int64(days)))
		// Half-up rounding: got is the unique fen amount g with
		// g - 0.005 <= exact/360 < g + 0.005, i.e. 360g - 1.8 <= exact < 360g + 1.8.
		lo := got.Mul(decimal.NewFromInt(360)).Sub(dec(t, "1.8"))
		hi := got.Mul(decimal.NewFromInt(360)).Add(dec(t, "1.8"))
		if exact.LessThan(lo) || !exact.LessThan(hi) || got.Exponent() < -2 {
			t.Fatalf("Interest(%s, %s, %d days) = %s; exact×360 = %s", p, rate, days, got, exact)
		}
		mid := from.AddDays(days / 2)
		split := Interest(p, rate, from, mid, cny).Add(Interest(p, rate, mid, to, cny))
		if split.Sub(got).Abs().GreaterThan(dec(t, "0.01")) {
			t.Fatalf("split interest %s vs whole %s", split, got)
		}
	}
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		payment, interest, principal string
		wantI, wantP, wantS          string
	}{
		{"1000.00", "100.00", "5000.00", "100.00", "900.00", "0.00"},    // partial repayment
		{"50.00", "100.00", "5000.00", "50.00", "0.00", "0.00"},         // not even the interest
		{"5100.00", "100.00", "5000.00", "100.00", "5000.00", "0.00"},   // exact payoff
		{"5200.00", "100.00", "5000.00", "100.00", "5000.00", "100.00"}, // overpayment
		{"0", "100.00", "5000.00", "0", "0", "0"},
		{"100.00", "0", "0", "0", "0", "100.00"},
		{"100.00", "-5", "-5", "0", "0", "100.00"}, // negative dues count as zero
		{"-100.00", "10", "10", "0", "0", "0"},     // as does a negative payment
	}
	cny := cur(t, "CNY")
	for _, tt := range tests {
		i, p, s := Allocate(dec(t, tt.payment), dec(t, tt.interest), dec(t, tt.principal))
		what := "Allocate(" + tt.payment + ", " + tt.interest + ", " + tt.principal + ")"
		checkDec(t, what+" toInterest", i, cny, Format(dec(t, tt.wantI), cny))
		checkDec(t, what+" toPrincipal", p, cny, Format(dec(t, tt.wantP), cny))
		checkDec(t, what+" surplus", s, cny, Format(dec(t, tt.wantS), cny))
	}
}

// Property: the parts are never negative, never exceed what is due, add up
// to the payment, and surplus appears only when everything due is paid.
func TestAllocateProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	amt := func() decimal.Decimal {
		if r.IntN(10) == 0 {
			return decimal.Zero
		}
		return decimal.New(r.Int64N(1e9), -2)
	}
	for n := 0; n < 5000; n++ {
		pay, due, prin := amt(), amt(), amt()
		i, p, s := Allocate(pay, due, prin)
		switch {
		case i.Sign() < 0 || p.Sign() < 0 || s.Sign() < 0:
			t.Fatalf("negative part: %s %s %s", i, p, s)
		case !i.Add(p).Add(s).Equal(pay):
			t.Fatalf("Allocate(%s, %s, %s) = %s + %s + %s != payment", pay, due, prin, i, p, s)
		case i.GreaterThan(due) || p.GreaterThan(prin):
			t.Fatalf("Allocate(%s, %s, %s) pays more than due: %s, %s", pay, due, prin, i, p)
		case p.Sign() > 0 && !i.Equal(due):
			t.Fatalf("principal paid before interest: %s, %s, %s", pay, due, prin)
		case s.Sign() > 0 && (!i.Equal(due) || !p.Equal(prin)):
			t.Fatalf("surplus while something is due: %s, %s, %s", pay, due, prin)
		}
	}
}

// Properties: Format then ParseAmount gives back the same value and the
// same string; Round is idempotent, lands on the minor unit and moves a
// value by at most half a unit.
func TestFormatParseRoundProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 1))
	for n := 0; n < 5000; n++ {
		c := currencies[r.IntN(len(currencies))]
		units := r.Int64N(1e15)
		d := decimal.New(units, -c.MinorUnits)
		s := Format(d, c)
		back, err := ParseAmount(s, c)
		if err != nil || !back.Equal(d) || Format(back, c) != s {
			t.Fatalf("%s: Format(%s) = %q; ParseAmount = %s, %v", c.Code, d, s, back, err)
		}

		x := decimal.New(r.Int64N(1e12)-5e11, -int32(r.IntN(9)))
		rx := Round(x, c)
		if !Round(rx, c).Equal(rx) {
			t.Fatalf("Round not idempotent: %s -> %s -> %s", x, rx, Round(rx, c))
		}
		if !rx.Equal(rx.Truncate(c.MinorUnits)) {
			t.Fatalf("Round(%s, %s) = %s has digits below the minor unit", x, c.Code, rx)
		}
		half := decimal.New(5, -c.MinorUnits-1)
		if rx.Sub(x).Abs().GreaterThan(half) {
			t.Fatalf("Round(%s, %s) = %s moved more than half a unit", x, c.Code, rx)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1234.56", "0", "0.01", "1.5", "1000", "01", "1e3", "-1", "+1",
		"1,000", " 1", "1.", ".5", "1.234", "999999999999999.99", "1000000000000000", "１"} {
		for _, code := range []string{"CNY", "JPY", "KWD", "CLF"} {
			f.Add(s, code)
		}
	}
	f.Fuzz(func(t *testing.T, s, code string) {
		c, err := LookupCurrency(code)
		if err != nil {
			return
		}
		d, err := ParseAmount(s, c)
		if err != nil {
			if !errors.Is(err, ErrBadAmount) {
				t.Fatalf("ParseAmount(%q, %s) = %v, not ErrBadAmount", s, code, err)
			}
			return
		}
		// Accepted input is plain, non-negative, within the minor unit and
		// 15 integer digits, and its canonical form round-trips.
		if d.Sign() < 0 || !d.Equal(Round(d, c)) || strings.ContainsAny(s, "eE+- ,_") {
			t.Fatalf("ParseAmount(%q, %s) = %s", s, code, d)
		}
		if d.GreaterThanOrEqual(decimal.New(1, MaxIntegerDigits)) {
			t.Fatalf("ParseAmount(%q) = %s, too large", s, d)
		}
		f := Format(d, c)
		back, err := ParseAmount(f, c)
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseAmount(Format(%s)) = %s, %v", d, back, err)
		}
		if i := strings.IndexByte(s, '.'); (i < 0 && c.MinorUnits == 0 || i >= 0 && len(s)-i-1 == int(c.MinorUnits)) && f != s {
			t.Fatalf("Format(ParseAmount(%q)) = %q, want the input back", s, f)
		}
		if _, err := ParsePositiveAmount(s, c); (err == nil) != d.IsPositive() {
			t.Fatalf("ParsePositiveAmount(%q) = %v", s, err)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"0.0435", "0", "1", "1.0", "1.00000001", "0.123456789", "4.35", "-0.1", ".5", "0.", "01", "1e-2"} {
		f.Add(s)
	}
	one := decimal.NewFromInt(1)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			if !errors.Is(err, ErrBadRate) {
				t.Fatalf("ParseRate(%q) = %v, not ErrBadRate", s, err)
			}
			return
		}
		if r.Sign() < 0 || r.GreaterThan(one) || !r.Equal(r.Truncate(MaxRateDigits)) {
			t.Fatalf("ParseRate(%q) = %s out of range", s, r)
		}
		if back, err := ParseRate(r.String()); err != nil || !back.Equal(r) {
			t.Fatalf("ParseRate(%q) = %s; ParseRate(String()) = %s, %v", s, r, back, err)
		}
		if want, err := decimal.NewFromString(s); err != nil || !want.Equal(r) {
			t.Fatalf("ParseRate(%q) = %s, decimal says %s, %v", s, r, want, err)
		}
	})
}
