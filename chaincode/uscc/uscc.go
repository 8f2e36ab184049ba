// Package uscc checks the unified social credit code (统一社会信用代码) that
// identifies every enterprise and organisation in China, as defined by
// GB 32100-2015.
//
// A code is 18 characters:
//
//	1      registration authority (登记管理部门代码)
//	2      organisation type (机构类别代码)
//	3-8    administrative division code (登记管理机关行政区划码), digits
//	9-17   organisation code (主体标识码, GB 11714)
//	18     check character
//
// drawn from the 31 characters 0-9 and A-Z without I, O, Z, S and V (left
// out because they are easily confused with 1, 0, 2, 5 and U).
package uscc

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error Validate and CheckChar return.
var ErrInvalid = errors.New("invalid unified social credit code")

// MsgCheckMismatch is the whole explanation given for a code whose check
// character is wrong.
const MsgCheckMismatch = "the check character (18th) does not match the first 17 characters"

// Length is the number of characters in a code.
const Length = 18

// charset lists the code characters in order of value: '0' is 0, 'A' is 10,
// 'Y' is 30.
const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// weights are 3^i mod 31 for positions 1..17, as given in GB 32100-2015.
var weights = [Length - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// value returns the value of c in charset, or -1.
func value(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'Y':
		for i := 10; i < len(charset); i++ {
			if charset[i] == c {
				return i
			}
		}
	}
	return -1
}

// Validate checks that code is a well-formed unified social credit code
// with the right check character. Only upper case is accepted: the code is
// a key in our ledger, and accepting two spellings would let one enterprise
// register twice.
func Validate(code string) error {
	if err := checkBody(code, Length); err != nil {
		return err
	}
	// The message names neither the code's check character nor the right
	// one: an error must not hand out a valid code for any 17 characters.
	if code[Length-1] != checkChar(code[:Length-1]) {
		return fmt.Errorf("uscc: %w: %s", ErrInvalid, MsgCheckMismatch)
	}
	return nil
}

// CheckChar returns the check character for the first 17 characters of a
// code. It is meant for making fictional codes for demo data and tests.
func CheckChar(first17 string) (byte, error) {
	if err := checkBody(first17, Length-1); err != nil {
		return 0, err
	}
	return checkChar(first17), nil
}

// checkBody checks length and the characters of s, which is a whole code
// (n = 18) or its first 17 characters (n = 17).
func checkBody(s string, n int) error {
	if len(s) != n {
		return fmt.Errorf("uscc: %w: has %d bytes, want %d characters", ErrInvalid, len(s), n)
	}
	for i := 0; i < n; i++ {
		c := s[i]
		pos := i + 1
		switch {
		case 'a' <= c && c <= 'z':
			return fmt.Errorf("uscc: %w: lowercase %q at position %d; codes are upper case only", ErrInvalid, rune(c), pos)
		case pos >= 3 && pos <= 8 && (c < '0' || c > '9'):
			return fmt.Errorf("uscc: %w: character %d is %s; positions 3-8 (administrative division code) must be digits", ErrInvalid, pos, describe(c))
		case value(c) < 0:
			return fmt.Errorf("uscc: %w: character %d is %s, not one of 0-9 A-Z except I O S V Z", ErrInvalid, pos, describe(c))
		}
	}
	return nil
}

// checkChar computes the check character of a 17-character body already
// known to be in charset: 31 - (sum of value*weight mod 31), where 31
// stands for '0'.
func checkChar(body string) byte {
	sum := 0
	for i := 0; i < Length-1; i++ {
		sum += value(body[i]) * weights[i]
	}
	return charset[(31-sum%31)%31]
}

func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}
