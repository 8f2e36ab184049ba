package money

import (
	"errors"
	"strings"
	"testing"
)

func TestLookupCurrency(t *testing.T) {
	tests := []struct {
		code string
		want int32
	}{
		{"CNY", 2}, {"USD", 2}, {"EUR", 2}, {"HKD", 2}, {"GBP", 2},
		{"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"ISK", 0}, {"XOF", 0}, {"CLP", 0},
		{"KWD", 3}, {"BHD", 3}, {"JOD", 3}, {"OMR", 3}, {"TND", 3}, {"IQD", 3}, {"LYD", 3},
		{"CLF", 4}, {"UYW", 4},
		{"XCG", 2}, {"ZWG", 2}, {"SLE", 2}, {"VED", 2}, {"XAD", 2}, // recent additions
	}
	for _, tt := range tests {
		c, err := LookupCurrency(tt.code)
		if err != nil {
			t.Errorf("LookupCurrency(%q): %v", tt.code, err)
			continue
		}
		if got := c; got != (Currency{tt.code, tt.want}) {
			t.Errorf("LookupCurrency(%q) = %+v, want MinorUnits %d", tt.code, got, tt.want)
		}
	}
}

func TestLookupCurrencyErrors(t *testing.T) {
	tests := []struct {
		code, wantMsg string
	}{
		{"cny", `unknown currency "cny": ISO 4217 codes are upper case (CNY)`},
		{"Usd", "upper case (USD)"},
		{"", "not an active ISO 4217 code"},
		{"RMB", "not an active ISO 4217 code"},
		{"CNH", "not an active"},  // offshore yuan is a market convention, not ISO
		{"XAU", "not an active"},  // gold: minor unit N.A.
		{"XXX", "not an active"},  // no currency
		{"HRK", "not an active"},  // withdrawn 2023
		{"BGN", "not an active"},  // withdrawn 2026
		{"ANG", "not an active"},  // withdrawn 2025
		{"ZWL", "not an active"},  // withdrawn 2024
		{"CNY ", "not an active"}, // no trimming
		{"xau", "not an active"},
	}
	for _, tt := range tests {
		_, err := LookupCurrency(tt.code)
		if !errors.Is(err, ErrUnknownCurrency) || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("LookupCurrency(%q) error = %v, want ErrUnknownCurrency containing %q", tt.code, err, tt.wantMsg)
		}
	}
}

// The table must stay sorted and unique for binary search, and every entry
// must look like an ISO 4217 code with a minor unit ISO actually uses.
func TestCurrencyTable(t *testing.T) {
	all := Currencies()
	if len(all) < 150 {
		t.Errorf("only %d currencies", len(all))
	}
	for i, c := range all {
		if len(c.Code) != 3 || strings.ToUpper(c.Code) != c.Code || strings.ContainsAny(c.Code, "0123456789") {
			t.Errorf("bad code %q", c.Code)
		}
		switch c.MinorUnits {
		case 0, 2, 3, 4:
		default:
			t.Errorf("%s: minor units %d", c.Code, c.MinorUnits)
		}
		if i > 0 && all[i-1].Code >= c.Code {
			t.Errorf("table not sorted/unique at %s, %s", all[i-1].Code, c.Code)
		}
		if got, err := LookupCurrency(c.Code); err != nil || got != c {
			t.Errorf("LookupCurrency(%q) = %+v, %v", c.Code, got, err)
		}
	}
	// Currencies returns a copy.
	all[0].MinorUnits = 9
	if Currencies()[0].MinorUnits == 9 {
		t.Error("Currencies exposes the table")
	}
}
