package trade

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

func TestCheckDeclarationNoAndHSCode(t *testing.T) {
	tests := []struct {
		check func(string, string) (string, error)
		in    string
		ok    bool
	}{
		{CheckDeclarationNo, "516820261000000801", true},
		{CheckDeclarationNo, "51682026100000080", false},   // 17 digits
		{CheckDeclarationNo, "5168202610000008011", false}, // 19
		{CheckDeclarationNo, "51682026100000080A", false},
		{CheckDeclarationNo, "５16820261000000801", false}, // a full-width digit
		{CheckDeclarationNo, "", false},
		{CheckHSCode, "0902301000", true}, // black tea, fermented, in packings of 3 kg or less
		{CheckHSCode, "0207111000", true},
		{CheckHSCode, "9701100000", true},
		{CheckHSCode, "0002301000", false}, // chapter 00
		{CheckHSCode, "7701000000", false}, // chapter 77 is reserved
		{CheckHSCode, "9801000000", false}, // beyond 97
		{CheckHSCode, "090230100", false},
		{CheckHSCode, "0902.30.10", false},
	}
	for _, tt := range tests {
		got, err := tt.check("f", tt.in)
		if (err == nil) != tt.ok || tt.ok && got != tt.in {
			t.Errorf("check(%q) = %q, %v; want ok %v", tt.in, got, err, tt.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") {
			t.Errorf("check(%q): error %q has no INVALID_ARGUMENT code", tt.in, err)
		}
	}
}

func validDeclaration() api.DeclarationInput {
	return api.DeclarationInput{Number: "516820261000000801", TradeMode: api.TradeMode9710, Exporter: "91441800QC00000059",
		Consignee:   api.BuyerInput{Name: "London Leaf Tea Importers Ltd", Country: "GB", RegistrationID: "GB-09876543"},
		Destination: "GB", Currency: "USD",
		Lines: []api.DeclarationLine{
			{HSCode: "0902301000", Description: "black tea", Quantity: "600", Unit: "kg", Value: "12000.5", Lots: []api.LotRef{{GTIN: "06901234500028", Lot: "BT-2026-07A"}}},
			{HSCode: "0902301000", Description: "black tea", Quantity: "12", Unit: "box", Value: "0.50", Lots: []api.LotRef{{GTIN: "06901234500028", Lot: "BT-2026-07B", Quantity: "12", Unit: "box"}}},
		},
		Invoices: []string{"QYX-2026-0801"}}
}

func TestCheckDeclaration(t *testing.T) {
	d, err := checkDeclaration(validDeclaration())
	if err != nil {
		t.Fatal(err)
	}
	// Values are written to the cent; the total is their exact sum.
	if d.Lines[0].Value != "12000.50" || d.TotalValue != "12001.00" || d.Shipments == nil {
		t.Errorf("checked %+v", d.Declaration)
	}
	tests := []struct {
		name   string
		change func(*api.DeclarationInput)
	}{
		{"no lines", func(d *api.DeclarationInput) { d.Lines = nil }},
		{"51 lines", func(d *api.DeclarationInput) {
			for len(d.Lines) <= maxLines {
				d.Lines = append(d.Lines, d.Lines[0])
			}
		}},
		{"zero value", func(d *api.DeclarationInput) { d.Lines[0].Value = "0" }},
		{"negative quantity", func(d *api.DeclarationInput) { d.Lines[0].Quantity = "-1" }},
		{"unknown unit", func(d *api.DeclarationInput) { d.Lines[0].Unit = "bale" }},
		{"a lot twice on a line", func(d *api.DeclarationInput) { d.Lines[0].Lots = append(d.Lines[0].Lots, d.Lines[0].Lots[0]) }},
		{"a lot's quantity without unit", func(d *api.DeclarationInput) { d.Lines[0].Lots[0].Quantity = "1" }},
		{"an invoice twice", func(d *api.DeclarationInput) { d.Invoices = append(d.Invoices, d.Invoices[0]) }},
		{"a malformed shipment", func(d *api.DeclarationInput) { d.Shipments = []string{"SH-1"} }},
		{"lower-case currency", func(d *api.DeclarationInput) { d.Currency = "usd" }},
		{"JPY with cents", func(d *api.DeclarationInput) { d.Currency = "JPY" }},
		{"consignee without name", func(d *api.DeclarationInput) { d.Consignee.Name = " " }},
		{"control character", func(d *api.DeclarationInput) { d.Lines[0].Description = "tea\x00" }},
	}
	for _, tt := range tests {
		in := validDeclaration()
		tt.change(&in)
		if _, err := checkDeclaration(in); err == nil || !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") {
			t.Errorf("%s: err %v, want INVALID_ARGUMENT", tt.name, err)
		}
	}
}

// FuzzCheckDeclaration: no input panics; an accepted declaration has a
// total equal to the exact sum of its lines, every value in the
// currency's minor unit.
func FuzzCheckDeclaration(f *testing.F) {
	seed, _ := json.Marshal(validDeclaration())
	f.Add(string(seed))
	f.Add(`{"number":"516820261000000801","lines":[{"value":"1e3"}]}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var in api.DeclarationInput
		if json.Unmarshal([]byte(raw), &in) != nil {
			return
		}
		d, err := checkDeclaration(in)
		if err != nil {
			return
		}
		sum := decimal.Zero
		for _, l := range d.Lines {
			v, err := money.ParseAmount(l.Value, d.cur)
			if err != nil || money.Format(v, d.cur) != l.Value {
				t.Fatalf("line value %q not canonical: %v", l.Value, err)
			}
			sum = sum.Add(v)
		}
		if money.Format(sum, d.cur) != d.TotalValue {
			t.Fatalf("total %s, lines sum %s", d.TotalValue, sum)
		}
	})
}

// FuzzCheckReceipt: no input panics; an accepted receipt's parts and
// unallocated rest add up to its amount exactly.
func FuzzCheckReceipt(f *testing.F) {
	today, _ := money.ParseDate("2026-12-02")
	seed, _ := json.Marshal(api.FXReceiptInput{Beneficiary: "91441800QC00000059", Payer: api.Payer{Name: "A", Country: "GB"}, Amount: "100.00",
		Currency: "USD", ValueDate: "2026-12-01", Reference: "R1", Settles: []api.FXSettlementInput{{InvoiceNumber: "I1", Amount: "40.01"}, {InvoiceNumber: "I2", Amount: "59.99"}}})
	f.Add(string(seed))
	f.Add(`{"kind":"REFUND","refundOf":"FX-2026-0000000000000001","amount":"1","currency":"JPY"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var in api.FXReceiptInput
		if json.Unmarshal([]byte(raw), &in) != nil {
			return
		}
		r, err := checkReceipt(in, today)
		if err != nil {
			return
		}
		total, _ := money.ParseAmount(r.Unallocated, r.cur)
		for _, s := range r.Settles {
			v, err := money.ParseAmount(s.Amount, r.cur)
			if err != nil || v.Sign() <= 0 {
				t.Fatalf("part %q: %v", s.Amount, err)
			}
			total = total.Add(v)
		}
		if !total.Equal(r.amount) || r.valueDate.After(today) {
			t.Fatalf("parts %s != amount %s (value date %s)", total, r.Amount, r.ValueDate)
		}
	})
}
