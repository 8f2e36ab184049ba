package trade

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

const (
	teaGTIN = "06901234567892"
	teaLot  = "YD2026A"
	otherLt = "YD2026B"
	declNo  = "515120260000012345"
)

func d(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	v, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("decimal %q: %v", s, err)
	}
	return v
}

func usd(t *testing.T) money.Currency {
	t.Helper()
	c, err := money.LookupCurrency("USD")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// teaExport is the worked example every case starts from: a 9710 export
// of 1000 kg of Yingde black tea to a London importer, invoiced at
// USD 10000.00, declared and released at that value and weight, paid in
// full by the buyer. It is VERIFIED.
func teaExport(t *testing.T) Input {
	t.Helper()
	return Input{
		Invoice: Invoice{
			Number: "INV-2026-0101", Seller: "91441800QC00000031",
			Buyer:  api.Buyer{Name: "Albion Tea Importers Ltd", Country: "GB", RegistrationID: "01234567"},
			Amount: d(t, "10000.00"), Currency: usd(t),
			Lots:         []api.LotRef{{GTIN: teaGTIN, Lot: teaLot}},
			ReceivableID: "RV-2026-00000000000000A1",
		},
		Shipped: []Shipped{{GTIN: teaGTIN, Lot: teaLot, EventID: "ev-ship-1", Quantity: d(t, "1000"), Unit: "kg"}},
		Declarations: []Declaration{{
			Number: declNo, TradeMode: api.TradeMode9710, Status: api.DeclarationReleased, Currency: "USD",
			Invoices: []string{"INV-2026-0101"},
			Lines: []Line{{Quantity: d(t, "1000"), Unit: "kg", Value: d(t, "10000.00"),
				Lots: []LotQuantity{{GTIN: teaGTIN, Lot: teaLot}}}},
		}},
		Receipts: []Receipt{{ID: "FX-2026-0000000000000001", Kind: api.FXKindReceipt,
			Payer: api.Payer{Name: "ALBION TEA IMPORTERS LIMITED", Country: "GB"}, Currency: "USD", Amount: d(t, "10000.00")}},
		Stock:      []LotQuantity{{GTIN: teaGTIN, Lot: teaLot, Quantity: d(t, "1200"), Unit: "kg"}},
		Tolerances: DefaultTolerances(),
	}
}

func codes(rs []api.TradeReason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func findings(fs []api.TradeFinding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code+"/"+f.Severity)
	}
	return out
}

func TestMatchWorkedExamples(t *testing.T) {
	setValue := func(v string) func(*testing.T, *Input) {
		return func(t *testing.T, in *Input) { in.Declarations[0].Lines[0].Value = d(t, v) }
	}
	setDeclQty := func(q, unit string) func(*testing.T, *Input) {
		return func(t *testing.T, in *Input) {
			in.Declarations[0].Lines[0].Quantity, in.Declarations[0].Lines[0].Unit = d(t, q), unit
		}
	}
	setPaid := func(v string) func(*testing.T, *Input) {
		return func(t *testing.T, in *Input) { in.Receipts[0].Amount = d(t, v) }
	}
	boxes := func(shipped, declared string) func(*testing.T, *Input) {
		return func(t *testing.T, in *Input) {
			in.Shipped[0].Quantity, in.Shipped[0].Unit = d(t, shipped), "box"
			in.Declarations[0].Lines[0].Quantity, in.Declarations[0].Lines[0].Unit = d(t, declared), "box"
		}
	}
	refund := func(v string) func(*testing.T, *Input) {
		return func(t *testing.T, in *Input) {
			in.Receipts = append(in.Receipts, Receipt{ID: "FX-2026-0000000000000009", Kind: api.FXKindRefund,
				Payer: in.Receipts[0].Payer, Currency: "USD", Amount: d(t, v)})
		}
	}
	claim := func(q string) func(*testing.T, *Input) {
		return func(t *testing.T, in *Input) {
			if q != "" {
				in.Declarations[0].Lines[0].Lots[0].Quantity, in.Declarations[0].Lines[0].Lots[0].Unit = d(t, "600"), "kg"
			}
			c := Claim{Declaration: "515120260000099999", LotQuantity: LotQuantity{GTIN: teaGTIN, Lot: teaLot}}
			if q != "" {
				c.Quantity, c.Unit = d(t, q), "kg"
			}
			in.Claims = append(in.Claims, c)
		}
	}
	tests := []struct {
		name     string
		change   func(*testing.T, *Input)
		verdict  string
		reasons  []string
		findings []string
		net      string
	}{
		{name: "the tea export as recorded", verdict: api.TradeVerified, reasons: []string{}, findings: []string{}, net: "10000.00"},

		// Declared value against the invoice: ±5% of USD 10000.00 is
		// USD 500.00, inclusive.
		{name: "declared 5% above, exactly", change: setValue("10500.00"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "declared 5% above and a cent", change: setValue("10500.01"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonDeclaredValue}, findings: []string{api.RiskDeclaredValue + "/WARNING"}},
		{name: "declared 5% below, exactly", change: setValue("9500.00"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "declared 5% below and a cent", change: setValue("9499.99"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonDeclaredValue}, findings: []string{api.RiskDeclaredValue + "/WARNING"}},
		// 1.5 × the invoice is where an inflated declaration blocks.
		{name: "declared 1.5 × the invoice", change: setValue("15000.00"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonDeclaredValue}, findings: []string{api.RiskDeclaredValue + "/WARNING"}},
		{name: "declared 1.5 × the invoice and a cent", change: setValue("15000.01"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonDeclaredValue}, findings: []string{api.RiskDeclaredValue + "/BLOCKING"}},

		// Declared quantity against shipped: weighed goods ±5% of
		// 1000 kg is 50 kg, inclusive, to the gram and beyond.
		{name: "declared 50 kg more, exactly", change: setDeclQty("1050", "kg"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "declared 50.001 kg more", change: setDeclQty("1050.001", "kg"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonQuantity}, findings: []string{api.RiskQuantityMismatch + "/BLOCKING"}},
		{name: "declared 50 kg less, exactly", change: setDeclQty("950", "kg"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "declared 50.001 kg less", change: setDeclQty("949.999", "kg"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonQuantity}, findings: []string{api.RiskQuantityMismatch + "/BLOCKING"}},
		{name: "declared in tonnes, converted exactly", change: setDeclQty("1.05", "t"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "declared in tonnes, a gram over", change: setDeclQty("1.050001", "t"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonQuantity}, findings: []string{api.RiskQuantityMismatch + "/BLOCKING"}},
		// Counted goods agree to the unit.
		{name: "100 boxes shipped, 100 declared", change: boxes("100", "100"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "100 boxes shipped, 101 declared", change: boxes("100", "101"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonQuantity}, findings: []string{api.RiskQuantityMismatch + "/BLOCKING"}},
		{name: "100 boxes shipped, 99 declared", change: boxes("100", "99"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonQuantity}, findings: []string{api.RiskQuantityMismatch + "/BLOCKING"}},
		{name: "boxes declared, kilograms shipped", change: setDeclQty("40", "box"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonUnit}, findings: []string{}},

		// Money against the invoice: ±1% (USD 100.00), inclusive.
		{name: "paid 1% short, exactly (bank charges)", change: setPaid("9900.00"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}, net: "9900.00"},
		{name: "paid 1% short and a cent", change: setPaid("9899.99"), verdict: api.TradePartial,
			reasons: []string{api.ReasonUnderpaid}, findings: []string{}, net: "9899.99"},
		{name: "paid 1% over, exactly", change: setPaid("10100.00"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "paid 1% over and a cent", change: setPaid("10100.01"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonOverpaid}, findings: []string{}},
		{name: "paid in two parts", change: func(t *testing.T, in *Input) {
			in.Receipts[0].Amount = d(t, "4000.00")
			second := in.Receipts[0]
			second.ID, second.Amount = "FX-2026-0000000000000002", d(t, "6000.00")
			in.Receipts = append(in.Receipts, second)
		}, verdict: api.TradeVerified, reasons: []string{}, findings: []string{}, net: "10000.00"},
		{name: "first part only", change: setPaid("4000.00"), verdict: api.TradePartial,
			reasons: []string{api.ReasonUnderpaid}, findings: []string{}, net: "4000.00"},
		{name: "refund of part", change: refund("2000.00"), verdict: api.TradePartial,
			reasons: []string{api.ReasonUnderpaid}, findings: []string{}, net: "8000.00"},
		{name: "refund beyond the receipts", change: refund("10000.01"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonRefundExceeds}, findings: []string{}, net: "-0.01"},
		{name: "money in another currency", change: func(_ *testing.T, in *Input) { in.Receipts[0].Currency = "EUR" },
			verdict: api.TradeMismatch, reasons: []string{api.ReasonCurrency, api.ReasonUnderpaid}, findings: []string{}, net: "0.00"},

		// Who paid.
		{name: "money from a third country", change: func(_ *testing.T, in *Input) {
			in.Receipts[0].Payer = api.Payer{Name: "Albion Tea Importers Ltd", Country: "VG"}
		}, verdict: api.TradeMismatch, reasons: []string{api.ReasonPayer}, findings: []string{api.RiskPayerCountry + "/BLOCKING"}},
		{name: "money from another party in the buyer's country", change: func(_ *testing.T, in *Input) {
			in.Receipts[0].Payer = api.Payer{Name: "Thames Holdings Ltd", Country: "GB"}
		}, verdict: api.TradeMismatch, reasons: []string{api.ReasonPayer}, findings: []string{api.RiskThirdPartyPayment + "/WARNING"}},
		{name: "the buyer's name in another company form", change: func(_ *testing.T, in *Input) {
			in.Receipts[0].Payer.Name = "Albion Tea Importers Co., Ltd."
		}, verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},

		// Missing flows.
		{name: "not shipped yet", change: func(_ *testing.T, in *Input) { in.Shipped = nil },
			verdict: api.TradePartial, reasons: []string{api.ReasonNotShipped}, findings: []string{}},
		{name: "declared, not released", change: func(_ *testing.T, in *Input) { in.Declarations[0].Status = api.DeclarationDeclared },
			verdict: api.TradePartial, reasons: []string{api.ReasonNotReleased}, findings: []string{}},
		{name: "not declared, money in", change: func(_ *testing.T, in *Input) { in.Declarations = nil },
			verdict: api.TradePartial, reasons: []string{api.ReasonNotDeclared}, findings: []string{api.RiskExcessReceipts + "/WARNING"}},
		{name: "not declared, not paid", change: func(_ *testing.T, in *Input) { in.Declarations, in.Receipts = nil, nil },
			verdict: api.TradePartial, reasons: []string{api.ReasonNotDeclared, api.ReasonUnderpaid}, findings: []string{}, net: "0.00"},
		{name: "declared in another currency", change: func(_ *testing.T, in *Input) { in.Declarations[0].Currency = "EUR" },
			verdict: api.TradeMismatch, reasons: []string{api.ReasonCurrency}, findings: []string{api.RiskExcessReceipts + "/WARNING"}},
		{name: "a declared lot not on the invoice", change: func(_ *testing.T, in *Input) {
			in.Declarations[0].Lines[0].Lots = append(in.Declarations[0].Lines[0].Lots, LotQuantity{GTIN: teaGTIN, Lot: otherLt})
		}, verdict: api.TradeMismatch, reasons: []string{api.ReasonLots}, findings: []string{}},

		// The same goods declared twice: 600 + 600 kg of a 1200 kg lot
		// is the whole lot; a gram more is declared twice, and a lot
		// named whole on a second declaration always is.
		{name: "a lot split over two declarations", change: claim("600"), verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "a lot split over two declarations, a gram over", change: claim("600.001"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonDeclaredTwice}, findings: []string{api.RiskDuplicateDeclared + "/BLOCKING"}},
		{name: "a lot declared whole twice", change: claim(""), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonDeclaredTwice}, findings: []string{api.RiskDuplicateDeclared + "/BLOCKING"}},

		// Money far beyond the declared exports: 1.5 × USD 6666.67 is
		// USD 10000.005, so USD 10000.00 is not beyond it; against
		// USD 6666.66 (limit 9999.99) it is.
		{name: "receipts within 1.5 × the declared exports", change: setValue("6666.67"), verdict: api.TradeMismatch,
			reasons: []string{api.ReasonDeclaredValue}, findings: []string{api.RiskDeclaredValue + "/WARNING"}},
		{name: "receipts beyond 1.5 × the declared exports", change: setValue("6666.66"), verdict: api.TradeMismatch,
			reasons:  []string{api.ReasonDeclaredValue, api.ReasonExcessReceipts},
			findings: []string{api.RiskDeclaredValue + "/WARNING", api.RiskExcessReceipts + "/BLOCKING"}},

		// The demo's mismatched trade: goods worth USD 10000.00 declared
		// at USD 100000.00, USD 100000.00 arriving from a third country.
		{name: "inflated declaration paid from a third country", change: func(t *testing.T, in *Input) {
			in.Declarations[0].Lines[0].Value = d(t, "100000.00")
			in.Receipts[0].Amount, in.Receipts[0].Payer = d(t, "100000.00"), api.Payer{Name: "Pacific Rim Trading Ltd", Country: "VG"}
		}, verdict: api.TradeMismatch,
			reasons:  []string{api.ReasonDeclaredValue, api.ReasonPayer, api.ReasonOverpaid},
			findings: []string{api.RiskDeclaredValue + "/BLOCKING", api.RiskPayerCountry + "/BLOCKING"}, net: "100000.00"},

		// A declaration of two invoices counts, for each, the lines of its goods.
		{name: "a declaration of two invoices", change: func(t *testing.T, in *Input) {
			dc := &in.Declarations[0]
			dc.Invoices = []string{"INV-2026-0101", "INV-2026-0102"}
			dc.Lines = append(dc.Lines, Line{Quantity: d(t, "300"), Unit: "kg", Value: d(t, "3000.00"),
				Lots: []LotQuantity{{GTIN: teaGTIN, Lot: otherLt}}})
		}, verdict: api.TradeVerified, reasons: []string{}, findings: []string{}},
		{name: "invoiced quantity against shipped", change: func(_ *testing.T, in *Input) {
			in.Invoice.Lots[0].Quantity, in.Invoice.Lots[0].Unit = "1200", "kg"
		}, verdict: api.TradeMismatch, reasons: []string{api.ReasonQuantity}, findings: []string{api.RiskQuantityMismatch + "/BLOCKING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := teaExport(t)
			if tt.change != nil {
				tt.change(t, &in)
			}
			got := Match(in)
			if got.Verdict != tt.verdict {
				t.Errorf("verdict = %s, want %s (reasons %+v)", got.Verdict, tt.verdict, got.Reasons)
			}
			if g := codes(got.Reasons); !slices.Equal(g, tt.reasons) {
				t.Errorf("reasons = %v, want %v (%+v)", g, tt.reasons, got.Reasons)
			}
			if g := findings(got.Findings); !slices.Equal(g, tt.findings) {
				t.Errorf("findings = %v, want %v (%+v)", g, tt.findings, got.Findings)
			}
			if tt.net != "" && got.Money.Net != tt.net {
				t.Errorf("net money = %s, want %s", got.Money.Net, tt.net)
			}
		})
	}
}

func TestMatchFlows(t *testing.T) {
	got := Match(teaExport(t))
	want := api.TradeVerification{
		Exporter: "91441800QC00000031",
		Invoice: api.TradeInvoice{Number: "INV-2026-0101", Seller: "91441800QC00000031",
			Buyer:  api.Buyer{Name: "Albion Tea Importers Ltd", Country: "GB", RegistrationID: "01234567"},
			Amount: "10000.00", Currency: "USD", ReceivableID: "RV-2026-00000000000000A1"},
		Goods: api.TradeGoods{Lots: []api.LotRef{{GTIN: teaGTIN, Lot: teaLot}}, ShippingEvents: []string{"ev-ship-1"},
			NotShipped: []string{}, Quantity: "1000", Unit: "kg"},
		Declared: api.TradeDeclared{Declarations: []string{declNo}, TradeModes: []string{"9710"}, Released: true,
			Quantity: "1000", Unit: "kg", Value: "10000.00", Currency: "USD"},
		Money: api.TradeMoney{Receipts: []string{"FX-2026-0000000000000001"}, Received: "10000.00", Refunded: "0.00",
			Net: "10000.00", Currency: "USD", Payers: []api.Payer{{Name: "ALBION TEA IMPORTERS LIMITED", Country: "GB"}}},
		Verdict: api.TradeVerified, Reasons: []api.TradeReason{}, Findings: []api.TradeFinding{},
	}
	if !equalJSON(t, got, want) {
		t.Errorf("Match =\n%+v\nwant\n%+v", got, want)
	}
}

func TestSameParty(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Albion Tea Importers Ltd", "ALBION TEA IMPORTERS LIMITED", true},
		{"Albion Tea Importers Co., Ltd.", "Albion Tea Importers", true},
		{"Albion-Tea Importers GmbH", "albion tea importers", true},
		{"Albion Tea Importers", "Albion Tea Import", false},
		{"Albion Tea", "Albion Tea Holdings", false},
		{"Ltd", "Limited", false}, // nothing left to compare is no match
		{"", "", false},
		{"清远茶叶进出口有限公司", "清远茶叶进出口有限公司", true},
	}
	for _, tt := range tests {
		if got := SameParty(tt.a, tt.b); got != tt.want {
			t.Errorf("SameParty(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// Property: the verdict follows from the reasons alone: VERIFIED exactly
// when there are none, MISMATCH exactly when one is a mismatch reason;
// and the money is exact: net = received − refunded, to the cent.
func TestMatchPropertyVerdictAndMoney(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 3))
	cents := func() decimal.Decimal { return decimal.New(r.Int64N(2_000_000), -2) }
	for i := range 2000 {
		in := teaExport(t)
		in.Declarations[0].Lines[0].Value = cents()
		in.Declarations[0].Lines[0].Quantity = decimal.New(r.Int64N(2_000_000), -3)
		in.Receipts[0].Amount = cents()
		if r.IntN(3) == 0 {
			in.Receipts = append(in.Receipts, Receipt{ID: "FX-R", Kind: api.FXKindRefund, Currency: "USD", Amount: cents()})
		}
		if r.IntN(4) == 0 {
			in.Receipts[0].Payer.Country = "HK"
		}
		if r.IntN(4) == 0 {
			in.Declarations[0].Status = api.DeclarationDeclared
		}
		got := Match(in)
		mismatch := slices.ContainsFunc(got.Reasons, func(r api.TradeReason) bool { return slices.Contains(mismatchReasons(), r.Code) })
		switch {
		case len(got.Reasons) == 0 && got.Verdict != api.TradeVerified,
			mismatch && got.Verdict != api.TradeMismatch,
			!mismatch && len(got.Reasons) > 0 && got.Verdict != api.TradePartial:
			t.Fatalf("case %d: verdict %s with reasons %v", i, got.Verdict, codes(got.Reasons))
		}
		received, refunded := d(t, got.Money.Received), d(t, got.Money.Refunded)
		if net := d(t, got.Money.Net); !net.Equal(received.Sub(refunded)) {
			t.Fatalf("case %d: net %s != %s - %s", i, net, received, refunded)
		}
		// The value rule, computed independently: |declared − invoice|
		// ≤ 500.00 agrees.
		declared := in.Declarations[0].Lines[0].Value
		off := declared.Sub(in.Invoice.Amount).Abs().GreaterThan(d(t, "500"))
		if has := slices.Contains(codes(got.Reasons), api.ReasonDeclaredValue); has != off {
			t.Fatalf("case %d: declared %s: DECLARED_VALUE_MISMATCH %v, want %v", i, declared, has, off)
		}
	}
}

// Property: the order in which receipts, declarations' lines and claims
// are found does not change the verdict, reasons or findings' codes.
func TestMatchPropertyOrderFree(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 4))
	for i := range 300 {
		in := teaExport(t)
		in.Declarations[0].Lines[0].Value = d(t, "6000.00")
		in.Declarations[0].Lines = append(in.Declarations[0].Lines, Line{Quantity: d(t, "0.4"), Unit: "t", Value: decimal.New(r.Int64N(800_000), -2),
			Lots: []LotQuantity{{GTIN: teaGTIN, Lot: teaLot, Quantity: d(t, "400"), Unit: "kg"}}})
		for j := range 1 + r.IntN(4) {
			in.Receipts = append(in.Receipts, Receipt{ID: "FX-" + string(rune('A'+j)), Kind: api.FXKindReceipt,
				Payer: api.Payer{Name: "Someone", Country: []string{"GB", "VG"}[r.IntN(2)]}, Currency: "USD", Amount: decimal.New(r.Int64N(500_000), -2)})
		}
		want := Match(in)
		shuffled := in
		shuffled.Receipts = slices.Clone(in.Receipts)
		r.Shuffle(len(shuffled.Receipts), func(a, b int) {
			shuffled.Receipts[a], shuffled.Receipts[b] = shuffled.Receipts[b], shuffled.Receipts[a]
		})
		dc := in.Declarations[0]
		dc.Lines = slices.Clone(dc.Lines)
		slices.Reverse(dc.Lines)
		shuffled.Declarations = []Declaration{dc}
		got := Match(shuffled)
		gf, wf := findings(got.Findings), findings(want.Findings)
		slices.Sort(gf)
		slices.Sort(wf)
		gr, wr := codes(got.Reasons), codes(want.Reasons)
		slices.Sort(gr)
		slices.Sort(wr)
		if got.Verdict != want.Verdict || !slices.Equal(gf, wf) || !slices.Equal(gr, wr) ||
			got.Money.Net != want.Money.Net || got.Declared.Value != want.Declared.Value {
			t.Fatalf("case %d: order changed the answer:\n%+v\n%+v", i, got, want)
		}
	}
}
