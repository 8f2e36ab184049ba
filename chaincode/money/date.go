package money

import (
	"errors"
	"fmt"
	"time"
)

// ErrBadDate is wrapped by ParseDate's and NewDate's errors.
var ErrBadDate = errors.New("invalid date")

// Date is a calendar date with no time of day and no zone: loan and
// invoice dates are business days, and tying them to an instant would make
// the day count depend on a time zone. The zero Date means "no date".
type Date struct {
	year       int32
	month, day uint8
}

// Years accepted by ParseDate and NewDate. The range keeps typos such as
// 0202 or 20260 out of the ledger.
const (
	MinYear = 1900
	MaxYear = 2999
)

// ParseDate parses a strict ISO 8601 calendar date, YYYY-MM-DD, that
// exists in the Gregorian calendar (2024-02-29 yes, 2025-02-29 no), with
// the year between 1900 and 2999.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("money: %w %q: want YYYY-MM-DD", ErrBadDate, clip(s))
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("money: %w %q: want YYYY-MM-DD with digits only", ErrBadDate, s)
	}
	return NewDate(y, m, d)
}

// NewDate returns the date year-month-day, checked as ParseDate checks it.
func NewDate(year, month, day int) (Date, error) {
	switch {
	case year < MinYear || year > MaxYear:
		return Date{}, fmt.Errorf("money: %w: year %d is outside %d-%d", ErrBadDate, year, MinYear, MaxYear)
	case month < 1 || month > 12:
		return Date{}, fmt.Errorf("money: %w: month %d is outside 1-12", ErrBadDate, month)
	case day < 1 || day > daysIn(year, month):
		return Date{}, fmt.Errorf("money: %w: %s %d has %d days, not %d",
			ErrBadDate, time.Month(month), year, daysIn(year, month), day)
	}
	return Date{year: int32(year), month: uint8(month), day: uint8(day)}, nil
}

// DateOf returns the calendar date of t in t's location. Chaincode gets t
// from the transaction timestamp; convert it to the business time zone
// first (for China, time.FixedZone("CST", 8*3600)), or dates near midnight
// fall on the UTC day.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{year: int32(y), month: uint8(m), day: uint8(d)}
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// atoi parses a fixed-width field of ASCII digits; strconv.Atoi would also
// take a sign.
func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Year returns the year of d.
func (d Date) Year() int { return int(d.year) }

// Month returns the month of d, 1 to 12.
func (d Date) Month() int { return int(d.month) }

// Day returns the day of the month of d, 1 to 31.
func (d Date) Day() int { return int(d.day) }

// String returns d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.year, d.month, d.day)
}

// time returns midnight UTC at the start of d. UTC has no daylight saving,
// so consecutive days are exactly 86400 seconds apart.
func (d Date) time() time.Time {
	return time.Date(int(d.year), time.Month(d.month), int(d.day), 0, 0, 0, 0, time.UTC)
}

// DaysUntil returns the number of calendar days from d to other: 1 from
// 2026-01-31 to 2026-02-01, negative when other is earlier.
func (d Date) DaysUntil(other Date) int {
	return int((other.time().Unix() - d.time().Unix()) / 86400)
}

// AddDays returns d moved n calendar days (back when n is negative). The
// result is not range-checked.
func (d Date) AddDays(n int) Date {
	return DateOf(d.time().AddDate(0, 0, n))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after other.
func (d Date) Compare(other Date) int {
	switch {
	case d.year != other.year:
		return cmp3(int(d.year), int(other.year))
	case d.month != other.month:
		return cmp3(int(d.month), int(other.month))
	}
	return cmp3(int(d.day), int(other.day))
}

func cmp3(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is earlier than other.
func (d Date) Before(other Date) bool { return d.Compare(other) < 0 }

// After reports whether d is later than other.
func (d Date) After(other Date) bool { return d.Compare(other) > 0 }

// Equal reports whether d and other are the same date.
func (d Date) Equal(other Date) bool { return d == other }

// MarshalText writes d as YYYY-MM-DD (or "" for the zero Date), so a Date
// in a JSON document is a plain string.
func (d Date) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText reads what MarshalText writes, checked as by ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
