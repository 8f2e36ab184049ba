package api

import (
	"regexp"
	"strings"
)

// IDPrefix is the prefix of an identifier the chaincode assigns:
// PREFIX-YYYY-XXXXXXXXXXXXXXXX (the year in the zone's time zone, then 16
// upper-case hex digits of the transaction's hash).
type IDPrefix string

// Prefixes of assigned identifiers.
const (
	PrefixReceipt    IDPrefix = "WR"
	PrefixFinancing  IDPrefix = "F"
	PrefixLimit      IDPrefix = "BL"
	PrefixPolicy     IDPrefix = "PO"
	PrefixShipment   IDPrefix = "SH"
	PrefixAssignment IDPrefix = "AS"
	PrefixClaim      IDPrefix = "CM"
	PrefixReceivable IDPrefix = "RV"
	PrefixSanction   IDPrefix = "SN"
	PrefixFXReceipt  IDPrefix = "FX" // a foreign-exchange receipt or refund (trade)
)

// assignedID is the shape of every assigned identifier after its prefix.
var assignedID = regexp.MustCompile(`^[0-9]{4}-[0-9A-F]{16}$`)

// Valid reports whether id is an identifier of this kind.
func (p IDPrefix) Valid(id string) bool {
	rest, ok := strings.CutPrefix(id, string(p)+"-")
	return ok && assignedID.MatchString(rest)
}

// Pattern is the identifier's format as a regular expression (for OpenAPI).
func (p IDPrefix) Pattern() string {
	return `^` + string(p) + `-[0-9]{4}-[0-9A-F]{16}$`
}
