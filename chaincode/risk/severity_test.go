package risk

import (
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// The severity table and the VALUE_MISMATCH ratio that makes it blocking.
func TestRiskSeverity(t *testing.T) {
	for code, want := range map[string]string{
		api.RiskPledgedGoods: api.SeverityBlocking, api.RiskRecalledGoods: api.SeverityBlocking,
		api.RiskValueMismatch: api.SeverityWarning, api.RiskNoShippingEvent: api.SeverityWarning,
		"SOMETHING_NEW": api.SeverityBlocking,
	} {
		if got := severityOf(code); got != want {
			t.Errorf("rkSeverityOf(%s) = %s, want %s", code, got, want)
		}
	}
	cny, err := money.LookupCurrency("CNY")
	if err != nil {
		t.Fatal(err)
	}
	declared := decimal.RequireFromString("10000.00")
	tests := []struct {
		invoice, severity, ratio string // severity "" for no flag
	}{
		{"12000.00", "", ""},                     // within ±20%
		{"8000.00", "", ""},                      // within ±20%
		{"12000.01", api.SeverityWarning, "1.2"}, // just outside
		{"15000.00", api.SeverityWarning, "1.5"}, // at the ratio: not beyond it
		{"15000.01", api.SeverityBlocking, "1.5"},
		{"20000.00", api.SeverityBlocking, "2"},
		{"1000.00", api.SeverityWarning, "0.1"}, // far below the goods' value
	}
	for _, tc := range tests {
		f := ValueFlag(decimal.RequireFromString(tc.invoice), declared, cny, "customs value")
		switch {
		case tc.severity == "" && f != nil:
			t.Errorf("invoice %s: flagged %+v", tc.invoice, f)
		case tc.severity != "" && f == nil:
			t.Errorf("invoice %s: not flagged", tc.invoice)
		case f != nil && (f.Severity != tc.severity || f.Ratio != tc.ratio || f.Code != api.RiskValueMismatch):
			t.Errorf("invoice %s: %s %s ratio %s, want %s ratio %s", tc.invoice, f.Code, f.Severity, f.Ratio, tc.severity, tc.ratio)
		}
	}
}
