package regulator

import (
	"strings"
	"testing"

	"github.com/qingchain/qingchain/gateway/zonestats"
)

func ident(s string) string { return s }

// find is the chart of a figure grouped one way in one currency.
func find(t *testing.T, d *Dashboard, name, by, cur string) Figure {
	t.Helper()
	for _, s := range d.Sections {
		for _, f := range s.Charts {
			if f.Name == name && f.By == by && f.Currency == cur {
				return f
			}
		}
	}
	t.Fatalf("no chart of %s by %s in %q", name, by, cur)
	return Figure{}
}

func TestNewDashboard(t *testing.T) {
	st := &zonestats.Statistics{
		Through: 7,
		Export: zonestats.ExportStats{Value: []zonestats.StatisticsRow{
			{Product: "06901234500028", Country: "BE", Month: "2026-11", Currency: "USD", Sum: "6000.10", Count: 1},
			{Product: "06901234500028", Country: "DE", Month: "2026-10", Currency: "USD", Sum: "0.20", Count: 1},
			{Product: "06901234500127", Country: "BE", Month: "2026-11", Currency: "USD", Sum: "0.1", Count: 2},
			{Product: "06901234500127", Country: "BE", Month: "2026-11", Currency: "EUR", Sum: "50", Count: 1},
		}},
		Financing: zonestats.FinancingStats{Outstanding: []zonestats.StatisticsRow{
			{Bank: "B1", Instrument: "WAREHOUSE_RECEIPT_PLEDGE", Currency: "CNY", Sum: "170598.69", Count: 2},
			{Bank: "B1", Instrument: "RECEIVABLE", Currency: "CNY", Sum: "0.31", Count: 1},
		}},
		Recalls: []zonestats.StatisticsRow{{Product: "06901234500127", Count: 3}},
	}
	d, err := NewDashboard(st, ident, ident)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, by, cur string
		want          []string // key=value, in the order drawn
	}{
		{"export.value", "month", "USD", []string{"2026-10=0.2", "2026-11=6000.2"}},
		{"export.value", "product", "USD", []string{"06901234500028=6000.3", "06901234500127=0.1"}},
		{"export.value", "country", "USD", []string{"BE=6000.2", "DE=0.2"}},
		{"export.value", "country", "EUR", []string{"BE=50"}},
		{"financing.outstanding", "bank", "CNY", []string{"B1=170599"}},
		{"financing.outstanding", "instrument", "CNY", []string{"WAREHOUSE_RECEIPT_PLEDGE=170598.69", "RECEIVABLE=0.31"}},
		{"recalls", "product", "", []string{"06901234500127=3"}},
	} {
		f := find(t, d, tc.name, tc.by, tc.cur)
		var got []string
		for _, r := range f.Rows {
			got = append(got, r.Key+"="+r.Value)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s by %s (%s) = %v, want %v", tc.name, tc.by, tc.cur, got, tc.want)
		}
	}
	if d.Through != 7 {
		t.Errorf("through = %d, want 7", d.Through)
	}
}

func TestNewDashboardRefusesABadSum(t *testing.T) {
	st := &zonestats.Statistics{Export: zonestats.ExportStats{Value: []zonestats.StatisticsRow{{Month: "2026-11", Currency: "USD", Sum: "1e", Count: 1}}}}
	if _, err := NewDashboard(st, ident, ident); err == nil {
		t.Fatal("a sum that is not a decimal was drawn")
	}
}
