package kit

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// Input checks of the trace contract. Each returns the normalised value
// (the one form that is stored, indexed and hashed) or an INVALID_ARGUMENT
// error naming the field.

func CheckGTIN(field, s string) (string, error) {
	g, err := gs1.NormalizeGTIN(s)
	if err != nil {
		return "", Errf(api.CodeInvalidArgument, "%s: %v", field, err)
	}
	return g, nil
}

func CheckLot(field, s string) (string, error) {
	if err := gs1.ValidateLot(s); err != nil {
		return "", Errf(api.CodeInvalidArgument, "%s: %v", field, err)
	}
	return s, nil
}

func CheckSerial(field, s string) (string, error) {
	if err := gs1.ValidateSerial(s); err != nil {
		return "", Errf(api.CodeInvalidArgument, "%s: %v", field, err)
	}
	return s, nil
}

// CheckSSCC checks an 18-digit Serial Shipping Container Code (GS1 AI 00)
// and its mod-10 check digit.
func CheckSSCC(field, s string) (string, error) {
	if len(s) != 18 || strings.Trim(s, "0123456789") != "" {
		return "", Errf(api.CodeInvalidArgument, "%s: an SSCC has 18 digits", field)
	}
	if mod10(s[:17]) != s[17] {
		return "", Errf(api.CodeInvalidArgument, "%s: SSCC %s has a wrong check digit, expected %c", field, s, mod10(s[:17]))
	}
	return s, nil
}

// mod10 is the GS1 check digit of an all-digit body: weights 3,1,3,...
// from the rightmost digit.
func mod10(body string) byte {
	sum, w := 0, 3
	for i := len(body) - 1; i >= 0; i-- {
		sum += int(body[i]-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// parseDecimal reads a plain decimal ("12", "0.5", "-3.25" when signed):
// no exponent, no '+', no spaces, no leading zeros, at most maxInt integer
// and maxFrac fraction digits.
func parseDecimal(field, s string, signed bool, maxInt, maxFrac int) (decimal.Decimal, error) {
	fail := func(why string) (decimal.Decimal, error) {
		return decimal.Decimal{}, Errf(api.CodeInvalidArgument, "%s: %q is not a plain decimal: %s", field, Clip(s), why)
	}
	body := s
	if signed && strings.HasPrefix(body, "-") {
		body = body[1:]
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	switch {
	case s == "":
		return fail("empty")
	case intPart == "" || strings.Trim(intPart, "0123456789") != "":
		return fail("want digits, optionally a point and more digits")
	case hasPoint && (frac == "" || strings.Trim(frac, "0123456789") != ""):
		return fail("want digits after the point")
	case len(intPart) > 1 && intPart[0] == '0':
		return fail("leading zero")
	case len(intPart) > maxInt:
		return fail(fmt.Sprintf("more than %d digits before the point", maxInt))
	case len(frac) > maxFrac:
		return fail(fmt.Sprintf("more than %d digits after the point", maxFrac))
	}
	return decimal.NewFromString(s)
}

// CheckQuantity parses a quantity > 0 and returns its canonical form.
func CheckQuantity(field, s string) (string, error) {
	d, err := parseDecimal(field, s, false, 12, 6)
	if err != nil {
		return "", err
	}
	if d.Sign() <= 0 {
		return "", Errf(api.CodeInvalidArgument, "%s must be greater than zero", field)
	}
	return d.String(), nil
}

// CheckBounded parses a signed decimal within [lo, hi] and returns its
// canonical form.
func CheckBounded(field, s string, lo, hi int64, maxFrac int) (string, error) {
	d, err := parseDecimal(field, s, true, 3, maxFrac)
	if err != nil {
		return "", err
	}
	if d.LessThan(decimal.NewFromInt(lo)) || d.GreaterThan(decimal.NewFromInt(hi)) {
		return "", Errf(api.CodeInvalidArgument, "%s %s is outside %d..%d", field, s, lo, hi)
	}
	return d.String(), nil
}

// Decimal reads a decimal this contract stored itself.
func Decimal(s string) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero
	}
	return d
}

// Units a lot or a quantity may be counted in.
func traceUnits() []string {
	return []string{"L", "bag", "bottle", "box", "carton", "case", "g", "head", "kg", "mL", "pack", "piece", "t", "tin"}
}

func CheckUnit(field, s string) (string, error) {
	for _, u := range traceUnits() {
		if s == u {
			return s, nil
		}
	}
	return "", Errf(api.CodeInvalidArgument, "%s: unknown unit %q (one of %s)", field, Clip(s), strings.Join(traceUnits(), ", "))
}

// iso3166 lists the officially assigned ISO 3166-1 alpha-2 codes.
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI " +
	"BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN " +
	"CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK " +
	"FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM " +
	"HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK " +
	"ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP " +
	"NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF " +
	"TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
	"VN VU WF WS YE YT ZA ZM ZW"

func CheckCountry(field, s string) (string, error) {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || !strings.Contains(iso3166, s) {
		return "", Errf(api.CodeInvalidArgument, "%s: %q is not an ISO 3166-1 alpha-2 country code", field, Clip(s))
	}
	return s, nil
}

// CheckDate reads YYYY-MM-DD.
func CheckDate(field, s string) (money.Date, error) {
	d, err := money.ParseDate(s)
	if err != nil {
		return money.Date{}, Errf(api.CodeInvalidArgument, "%s: %v", field, err)
	}
	return d, nil
}

// CheckURI accepts an absolute URI of printable ASCII (urn:epc:id:sgln:...,
// https://id.gs1.org/414/..., geo:23.18,113.02).
func CheckURI(field, s string) (string, error) {
	if s == "" || len(s) > 256 {
		return "", Errf(api.CodeInvalidArgument, "%s: want an absolute URI of 1 to 256 characters", field)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || strings.IndexByte(`"<>\^`+"`{|}", c) >= 0 {
			return "", Errf(api.CodeInvalidArgument, "%s: character %d of %q is not allowed in a URI", field, i+1, Clip(s))
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Opaque == "" && u.Host == "" && u.Path == "") {
		return "", Errf(api.CodeInvalidArgument, "%s: %q is not an absolute URI", field, Clip(s))
	}
	return s, nil
}

// EventTimeLayout writes an instant with its own offset, as given.
const EventTimeLayout = "2006-01-02T15:04:05.999999999Z07:00"

// SortTimeLayout is a fixed-width UTC form whose byte order is time order;
// it orders index entries.
const SortTimeLayout = "2006-01-02T15:04:05.000000000Z"

// CheckTime reads an RFC 3339 timestamp with an explicit offset ("Z" or
// ±hh:mm, at most ±14:00) and returns it with its offset string.
func CheckTime(field, s string) (time.Time, string, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.Contains(s, "T") {
		return time.Time{}, "", Errf(api.CodeInvalidArgument, "%s: %q is not an RFC 3339 date-time with offset (2026-04-01T08:30:00+08:00)", field, Clip(s))
	}
	_, off := t.Zone()
	if off > 14*3600 || off < -14*3600 {
		return time.Time{}, "", Errf(api.CodeInvalidArgument, "%s: offset beyond ±14:00", field)
	}
	if t.Year() < money.MinYear {
		return time.Time{}, "", Errf(api.CodeInvalidArgument, "%s: year before %d", field, money.MinYear)
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return t, fmt.Sprintf("%s%02d:%02d", sign, off/3600, off%3600/60), nil
}

// CheckSHA256 reads 64 hex digits, returned in lower case.
func CheckSHA256(field, s string) (string, error) {
	s = strings.ToLower(s)
	if len(s) != 64 || strings.Trim(s, "0123456789abcdef") != "" {
		return "", Errf(api.CodeInvalidArgument, "%s: want 64 hexadecimal digits", field)
	}
	return s, nil
}

func OneOf(field, s string, allowed ...string) (string, error) {
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", Errf(api.CodeInvalidArgument, "%s: %q is not one of %s", field, Clip(s), strings.Join(allowed, ", "))
}

// Clip shortens user input echoed in an error message.
func Clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return s
}
