package money

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// Sentinel errors wrapped by the parsers.
var (
	ErrBadAmount = errors.New("invalid amount")
	ErrBadRate   = errors.New("invalid rate")
)

// MaxIntegerDigits bounds the integer part of an amount: 10^15 yuan is far
// beyond any invoice, and the bound keeps products of amounts, rates and
// day counts small.
const MaxIntegerDigits = 15

// MaxRateDigits is the most fraction digits a rate may have (0.00000001 is
// a millionth of a percent).
const MaxRateDigits = 8

// ParseAmount parses a non-negative amount written as a plain decimal:
// digits, optionally a point and 1 to c.MinorUnits more digits ("1234.56",
// "0.5", "100"). Refused, each with its own message: signs, exponents,
// spaces, thousands separators, leading zeros ("01"; "0.5" is fine), a
// leading or trailing point, more fraction digits than the currency has
// (even zeros: "1.000" is not a CNY amount), more than 15 integer digits.
// c must come from LookupCurrency.
//
// One spelling per amount would be too strict for user input, so "1.5" and
// "1.50" both parse; Format gives the canonical form.
func ParseAmount(s string, c Currency) (decimal.Decimal, error) {
	if !known(c) {
		return decimal.Decimal{}, fmt.Errorf("money: %w %q (MinorUnits %d): use LookupCurrency", ErrUnknownCurrency, clip(c.Code), c.MinorUnits)
	}
	fail := func(format string, a ...any) (decimal.Decimal, error) {
		return decimal.Decimal{}, fmt.Errorf("money: %w %q: %s", ErrBadAmount, clip(s), fmt.Sprintf(format, a...))
	}
	intPart, frac, msg := splitPlain(s)
	switch {
	case msg != "":
		return fail("%s", msg)
	case len(intPart) > MaxIntegerDigits:
		return fail("more than %d digits before the decimal point", MaxIntegerDigits)
	case len(frac) > 0 && c.MinorUnits == 0:
		return fail("%s has no minor unit; write a whole number", c.Code)
	case len(frac) > int(c.MinorUnits):
		return fail("%s allows at most %d digits after the decimal point", c.Code, c.MinorUnits)
	}
	return decimal.NewFromString(s)
}

// ParsePositiveAmount is ParseAmount, also refusing zero: for payments,
// loan amounts and prices, where zero is a mistake.
func ParsePositiveAmount(s string, c Currency) (decimal.Decimal, error) {
	d, err := ParseAmount(s, c)
	if err != nil {
		return d, err
	}
	if d.Sign() == 0 {
		return decimal.Decimal{}, fmt.Errorf("money: %w %q: must be greater than zero", ErrBadAmount, s)
	}
	return d, nil
}

// ParseRate parses an annual interest rate, premium rate, coverage or
// loan-to-value ratio written as a plain decimal fraction between 0 and 1
// inclusive, with at most 8 digits after the point: 4.35% is "0.0435".
// The syntax rules are those of ParseAmount.
func ParseRate(s string) (decimal.Decimal, error) {
	fail := func(format string, a ...any) (decimal.Decimal, error) {
		return decimal.Decimal{}, fmt.Errorf("money: %w %q: %s", ErrBadRate, clip(s), fmt.Sprintf(format, a...))
	}
	intPart, frac, msg := splitPlain(s)
	switch {
	case msg != "":
		return fail("%s", msg)
	case intPart != "0" && intPart != "1":
		return fail("must be a fraction between 0 and 1 (4.35%% is 0.0435)")
	case intPart == "1" && !allZeros(frac):
		return fail("must be a fraction between 0 and 1 (4.35%% is 0.0435)")
	case len(frac) > MaxRateDigits:
		return fail("at most %d digits after the decimal point", MaxRateDigits)
	}
	return decimal.NewFromString(s)
}

// splitPlain splits a plain non-negative decimal into its integer and
// fraction digits, or says in msg what is wrong with it. Parsing by hand
// rather than with decimal.NewFromString is what lets us refuse "1e3",
// "+1", " 1" and "1_000", which that function would accept or misreport.
func splitPlain(s string) (intPart, frac, msg string) {
	if s == "" {
		return "", "", "empty"
	}
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart = s[:i]
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		frac = s[i+1 : j]
		if intPart == "" {
			return "", "", "missing digit before the decimal point (write 0.5, not .5)"
		}
		if frac == "" && j == len(s) {
			return "", "", "missing digits after the decimal point"
		}
		i = j
	}
	if i < len(s) {
		return "", "", unexpected(s, i)
	}
	if intPart == "" {
		return "", "", "no digits"
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return "", "", "leading zero (write 1, not 01)"
	}
	return intPart, frac, ""
}

// unexpected explains the character at s[i] that cannot be part of a plain
// decimal, naming the likely intent.
func unexpected(s string, i int) string {
	c := s[i]
	var why string
	switch {
	case c == '-' && i == 0:
		return "must not be negative"
	case c == '+' && i == 0:
		return "no sign allowed (write 1, not +1)"
	case c == 'e' || c == 'E':
		why = "; exponent notation is not allowed"
	case c == ',' || c == '_' || c == '\'':
		why = "; no digit group separators (write 1234.56, not 1,234.56)"
	case c == '.':
		why = "; only one decimal point"
	case c == '%':
		why = "; write a rate as a fraction (4.35% is 0.0435)"
	case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		why = "; no spaces"
	}
	return fmt.Sprintf("unexpected %s at position %d%s", describe(c), i+1, why)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// Round rounds d to c's minor unit, halves away from zero (四舍五入):
// 0.125 -> 0.13 and -0.125 -> -0.13 for CNY. For the non-negative amounts
// the ledger posts this is round half-up.
func Round(d decimal.Decimal, c Currency) decimal.Decimal {
	return d.Round(c.MinorUnits)
}

// Format writes d with exactly c.MinorUnits digits after the point
// ("1234.50" for CNY, "1235" for JPY), rounding as Round does if d has more
// digits. No group separators, no currency sign: the output is what
// ParseAmount reads.
func Format(d decimal.Decimal, c Currency) string {
	return Round(d, c).StringFixed(c.MinorUnits)
}

// Interest is simple interest on principal at annualRate for the calendar
// days from `from` up to `to` (the first day counts, the last does not), on
// the actual/360 basis the PBoC sets for CNY loans:
//
//	principal × annualRate × days / 360
//
// computed exactly and rounded once, halves away from zero, to c's minor
// unit. It is zero when to is not after from, or either date is the zero
// Date.
func Interest(principal, annualRate decimal.Decimal, from, to Date, c Currency) decimal.Decimal {
	days := from.DaysUntil(to)
	if days <= 0 || from.IsZero() || to.IsZero() {
		return Round(decimal.Zero, c)
	}
	n := principal.Mul(annualRate).Mul(decimal.NewFromInt(int64(days)))
	// DivRound divides exactly (quotient and remainder) and rounds half
	// away from zero; plain Div would first cut at DivisionPrecision digits.
	return n.DivRound(decimal.NewFromInt(360), c.MinorUnits)
}

// Allocate splits a repayment: accrued interest is paid first, then
// principal, and what is left is surplus (to refund or hold). Negative
// inputs count as zero, so no part is ever negative, and for a non-negative
// payment toInterest + toPrincipal + surplus == payment.
func Allocate(payment, interestDue, principal decimal.Decimal) (toInterest, toPrincipal, surplus decimal.Decimal) {
	rest := nonNegative(payment)
	toInterest = decimal.Min(rest, nonNegative(interestDue))
	rest = rest.Sub(toInterest)
	toPrincipal = decimal.Min(rest, nonNegative(principal))
	surplus = rest.Sub(toPrincipal)
	return toInterest, toPrincipal, surplus
}

func nonNegative(d decimal.Decimal) decimal.Decimal {
	if d.Sign() < 0 {
		return decimal.Zero
	}
	return d
}
