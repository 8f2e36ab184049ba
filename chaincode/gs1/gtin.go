// Package gs1 checks GS1 identifiers (GTIN, lot, serial) and parses and
// builds GS1 Digital Link URI paths for them.
//
// Every check is pure string arithmetic, so results are identical on every
// peer that endorses a transaction.
package gs1

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one (or, for
// ParsePath, two) of these, so callers can test them with errors.Is and
// still show the detailed message to users.
var (
	// ErrBadGTIN: wrong length, a non-digit or a wrong check digit.
	ErrBadGTIN = errors.New("invalid GTIN")
	// ErrBadLot: a lot number (AI 10) that is empty, too long or has a
	// character outside GS1 character set 82.
	ErrBadLot = errors.New("invalid lot")
	// ErrBadSerial: as ErrBadLot, for a serial number (AI 21).
	ErrBadSerial = errors.New("invalid serial")
	// ErrBadPath: a Digital Link path that does not have the shape
	// /01/{gtin}[/10/{lot}][/21/{serial}]. It is also wrapped, together
	// with ErrBadGTIN, ErrBadLot or ErrBadSerial, when one of the values in
	// an otherwise well-formed path is invalid.
	ErrBadPath = errors.New("invalid GS1 Digital Link path")
)

// NormalizeGTIN checks a GTIN-8, GTIN-12, GTIN-13 or GTIN-14 and returns it
// as 14 digits, left-padded with zeros. The padded form is what we store and
// index, so the same trade item entered as EAN-13 or as GTIN-14 is one key.
func NormalizeGTIN(s string) (string, error) {
	g, err := normalizeGTIN(s)
	if err != nil {
		return "", fmt.Errorf("gs1: %w", err)
	}
	return g, nil
}

// normalizeGTIN is NormalizeGTIN without the package prefix on errors, so
// ParsePath can embed the message.
func normalizeGTIN(s string) (string, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", fmt.Errorf("%w: has %d characters, want 8, 12, 13 or 14 digits", ErrBadGTIN, len(s))
	}
	if i := firstNonDigit(s); i >= 0 {
		return "", fmt.Errorf("%w: character %d is %s, want a digit", ErrBadGTIN, i+1, describeByte(s[i]))
	}
	// Padding with zeros does not change the check digit: the weights run
	// from the right, and a zero adds nothing to the sum.
	body, got := s[:len(s)-1], s[len(s)-1]
	want := checkDigit(body)
	if got != want {
		return "", fmt.Errorf("%w: %s has check digit %c, expected %c", ErrBadGTIN, s, got, want)
	}
	g := zeros14[:14-len(s)] + s
	if g == zeros14 {
		// Passes the arithmetic but is no one's product; it shows up as a
		// placeholder in spreadsheets.
		return "", fmt.Errorf("%w: all zeros", ErrBadGTIN)
	}
	return g, nil
}

const zeros14 = "00000000000000"

// GTINCheckDigit returns the GS1 mod-10 check digit (as the ASCII digit
// '0'..'9') for the 7, 11, 12 or 13 digits of a GTIN without its check
// digit. It is meant for making demo and test GTINs.
func GTINCheckDigit(body string) (byte, error) {
	switch len(body) {
	case 7, 11, 12, 13:
	default:
		return 0, fmt.Errorf("gs1: %w: body has %d characters, want 7, 11, 12 or 13 digits", ErrBadGTIN, len(body))
	}
	if i := firstNonDigit(body); i >= 0 {
		return 0, fmt.Errorf("gs1: %w: character %d is %s, want a digit", ErrBadGTIN, i+1, describeByte(body[i]))
	}
	return checkDigit(body), nil
}

// checkDigit computes the GS1 mod-10 check digit of an all-digit body:
// weights 3,1,3,1... starting from the rightmost body digit.
func checkDigit(body string) byte {
	sum := 0
	w := 3
	for i := len(body) - 1; i >= 0; i-- {
		sum += int(body[i]-'0') * w
		w = 4 - w // 3 -> 1 -> 3
	}
	return byte('0' + (10-sum%10)%10)
}

func firstNonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}

// MaxAttrLen is the maximum length of a lot (AI 10) or serial (AI 21).
const MaxAttrLen = 20

// ValidateLot checks a batch/lot number, GS1 AI 10: 1 to 20 characters of
// GS1 character set 82.
func ValidateLot(lot string) error {
	if err := validateCSet82(lot, ErrBadLot); err != nil {
		return fmt.Errorf("gs1: %w", err)
	}
	return nil
}

// ValidateSerial checks a serial number, GS1 AI 21: 1 to 20 characters of
// GS1 character set 82.
func ValidateSerial(serial string) error {
	if err := validateCSet82(serial, ErrBadSerial); err != nil {
		return fmt.Errorf("gs1: %w", err)
	}
	return nil
}

func validateCSet82(s string, kind error) error {
	if s == "" {
		return fmt.Errorf("%w: empty", kind)
	}
	if len(s) > MaxAttrLen {
		return fmt.Errorf("%w: %d bytes long, at most %d allowed", kind, len(s), MaxAttrLen)
	}
	for i := 0; i < len(s); i++ {
		if !inCSet82(s[i]) {
			return fmt.Errorf("%w: character %d is %s, not in GS1 character set 82", kind, i+1, describeByte(s[i]))
		}
	}
	return nil
}

// inCSet82 reports whether c is in GS1 AI encodable character set 82:
// ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z.
// Notably absent: space, # $ @ [ \ ] ^ ` { | } ~ and all non-ASCII.
func inCSet82(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		return true
	case '%' <= c && c <= '?': // % & ' ( ) * + , - . / 0-9 : ; < = > ?
		return true
	case c == '!', c == '"', c == '_':
		return true
	}
	return false
}

// describeByte names a byte for an error message. Non-printable and
// non-ASCII bytes are shown in hex: quoting one byte of a UTF-8 sequence as
// a rune would name a character the user never typed.
func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}
