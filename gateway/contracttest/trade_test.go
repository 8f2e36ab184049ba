package contracttest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

// tradeFix is the insurance fixture plus customs, for trade verification.
type tradeFix struct {
	*insFix
	customs *Member
	decls   int
	refs    int
}

func newTradeFix(t *testing.T) *tradeFix {
	t.Helper()
	f := &tradeFix{insFix: newInsFix(t)}
	f.customs = f.Enterprise(RegulatorMSP, "清远海关", api.KindCustoms)
	return f
}

func (f *tradeFix) nextDecl() string {
	f.decls++
	return fmt.Sprintf("5168%04d1%09d", 2026, 500000+f.decls)
}

var londonBuyer = api.BuyerInput{Name: "London Leaf Tea Importers Ltd", Country: "GB", RegistrationID: "GB-09876543"}

// exportReceivable ships a lot of qty kg and has the trader invoice it
// to the London buyer at amount USD.
func (f *tradeFix) exportReceivable(qty, amount string) (api.ReceivableView, string) {
	f.T.Helper()
	lot := f.shippedLot(qty)
	var v api.ReceivableView
	Result(f.T, &v)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer:   api.ReceivableBuyerInput{Name: londonBuyer.Name, Country: londonBuyer.Country, RegistrationID: londonBuyer.RegistrationID},
		invoice: f.nextInvoice(), amount: amount, currency: "USD", issue: f.day(), due: f.dayPlus(60), lots: []string{lot},
	})))
	return v, lot
}

func (f *tradeFix) declaration(rv api.ReceivableView, lot, qty, value string) api.DeclarationInput {
	return api.DeclarationInput{Number: f.nextDecl(), TradeMode: api.TradeMode9710, Exporter: f.trader.CreditCode,
		Consignee: londonBuyer, Destination: "GB", Currency: "USD",
		Lines: []api.DeclarationLine{{HSCode: "0902301000", Description: "英德红茶 Yingde black tea", Quantity: qty, Unit: "kg", Value: value,
			Lots: []api.LotRef{{GTIN: f.gtin, Lot: lot}}}},
		Invoices: []string{rv.InvoiceNumber}}
}

// receive has the bank record money for the trader settling an invoice.
func (f *tradeFix) receive(invoice, amount string, payer api.Payer) (api.FXReceipt, error) {
	f.T.Helper()
	f.refs++
	w, err := f.C.RecordFXReceipt(f.Ctx, f.bank.Identity, api.FXReceiptInput{Beneficiary: f.trader.CreditCode, Payer: payer, Amount: amount, Currency: "USD", ValueDate: f.day(),
		Reference: fmt.Sprintf("FX-REF-%04d", f.refs), Settles: []api.FXSettlementInput{{InvoiceNumber: invoice, Amount: amount}}})
	return w.Result, err
}

func (f *tradeFix) view(id string) api.TradeVerification {
	f.T.Helper()
	var v api.TradeVerification
	Into(f.T, &v)(f.C.GetTradeVerification(f.Ctx, f.bank.Identity, id))
	return v
}

func reasonCodes(v api.TradeVerification) []string {
	out := []string{}
	for _, r := range v.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// A 9710 export of 600 kg invoiced at USD 12000.00, through the ledger:
// PARTIAL while undeclared, unreleased and unpaid, VERIFIED once released
// and paid (less a correspondent bank's USD 15.00), PARTIAL again after a
// refund, with the four flows side by side.
func TestTradeVerifiedExport(t *testing.T) {
	f := newTradeFix(t)
	rv, lot := f.exportReceivable("600", "12000.00")

	steps := []struct {
		name    string
		do      func(t *testing.T)
		verdict string
		reasons []string
		net     string
	}{
		{"shipped and invoiced only", func(*testing.T) {}, api.TradePartial, []string{api.ReasonNotDeclared, api.ReasonUnderpaid}, "0.00"},
		{"declared", func(*testing.T) { f.customsDeclare(f.declaration(rv, lot, "600", "12000.00"), false) }, api.TradePartial,
			[]string{api.ReasonNotReleased, api.ReasonUnderpaid}, "0.00"},
		{"released by customs", func(*testing.T) {
			f.mustDo(nil, f.customs.Identity, api.TxReleaseDeclaration, f.nextDeclSeen(), `{"releaseDate":"`+f.day()+`"}`)
		}, api.TradePartial, []string{api.ReasonUnderpaid}, "0.00"},
		{"paid in part", func(t *testing.T) {
			if _, err := f.receive(rv.InvoiceNumber, "5000.00", api.Payer{Name: "LONDON LEAF TEA IMPORTERS LIMITED", Country: "GB"}); err != nil {
				t.Fatal(err)
			}
		}, api.TradePartial, []string{api.ReasonUnderpaid}, "5000.00"},
		{"paid the rest, less bank charges", func(t *testing.T) {
			if _, err := f.receive(rv.InvoiceNumber, "6985.00", api.Payer{Name: "London Leaf Tea Importers Ltd.", Country: "GB"}); err != nil {
				t.Fatal(err)
			}
		}, api.TradeVerified, []string{}, "11985.00"},
	}
	for _, s := range steps {
		s.do(t)
		got := f.view(rv.ID)
		if got.Verdict != s.verdict || !slices.Equal(reasonCodes(got), s.reasons) || got.Money.Net != s.net {
			t.Fatalf("%s: verdict %s reasons %v net %s, want %s %v %s", s.name, got.Verdict, reasonCodes(got), got.Money.Net, s.verdict, s.reasons, s.net)
		}
	}
	var v api.TradeVerification
	Result(f.T, &v)(f.C.VerifyTrade(f.Ctx, f.bank.Identity, rv.ID))
	if v.Verdict != api.TradeVerified || v.TxID == "" || len(v.Findings) != 0 || !v.Declared.Released || v.Declared.Value != "12000.00" ||
		v.Goods.Quantity != "600" || v.Declared.Quantity != "600" || len(v.Money.Receipts) != 2 {
		t.Fatalf("verified trade %+v", v)
	}
	var flags []api.RiskFlag
	f.MustEvaluate(&flags, f.bank.Identity, api.TxGetRiskFlags, "receivable", rv.ID)
	if len(flags) != 0 {
		t.Errorf("a verified trade raised %+v", flags)
	}

	// A refund of USD 2000.00 of the second receipt: short again.
	fx2 := f.lastFX(t, rv)
	in, _ := json.Marshal(api.FXReceiptInput{Kind: api.FXKindRefund, Beneficiary: f.trader.CreditCode, Amount: "2000.00", Currency: "USD", ValueDate: f.day(),
		Reference: "FX-REFUND-1", RefundOf: fx2, Settles: []api.FXSettlementInput{{InvoiceNumber: rv.InvoiceNumber, Amount: "2000.00"}}})
	var refund api.FXReceipt
	f.mustDo(&refund, f.bank.Identity, api.TxRecordFXReceipt, string(in))
	if refund.Payer.Country != "GB" || refund.Kind != api.FXKindRefund {
		t.Errorf("refund %+v", refund)
	}
	if got := f.view(rv.ID); got.Verdict != api.TradePartial || got.Money.Refunded != "2000.00" || got.Money.Net != "9985.00" {
		t.Errorf("after refund: %s refunded %s net %s", got.Verdict, got.Money.Refunded, got.Money.Net)
	}
	// Refunding more than is left of the receipt is refused.
	in, _ = json.Marshal(api.FXReceiptInput{Kind: api.FXKindRefund, Beneficiary: f.trader.CreditCode, Amount: "4985.01", Currency: "USD", ValueDate: f.day(),
		Reference: "FX-REFUND-2", RefundOf: fx2})
	_, err := f.Submit(f.bank.Identity, api.TxRecordFXReceipt, string(in))
	wantCode(t, err, "RULE_VIOLATION")
}

// nextDeclSeen is the number of the last declaration nextDecl gave.
func (f *tradeFix) nextDeclSeen() string {
	return fmt.Sprintf("5168%04d1%09d", 2026, 500000+f.decls)
}

func (f *tradeFix) lastFX(t *testing.T, rv api.ReceivableView) string {
	t.Helper()
	v := f.view(rv.ID)
	if len(v.Money.Receipts) == 0 {
		t.Fatal("no receipts")
	}
	return v.Money.Receipts[len(v.Money.Receipts)-1]
}

// The mismatched trade of the demo, on an insured shipment: goods worth
// USD 8000.00 declared at USD 80000.00, USD 80000.00 from the British
// Virgin Islands. VerifyTrade raises blocking flags on the shipment, the
// regulator lists it, and the bank's approval of a POLICY financing on it
// is RISK_BLOCKED until it overrides both codes with reasons.
func TestTradeMismatchBlocksPolicyFinancing(t *testing.T) {
	f := newTradeFix(t)
	b := f.overseasBuyer()
	l := f.limit(b, "500000.00", "USD")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"})
	lot := f.shippedLot("400")
	var s api.ShipmentView
	Result(f.T, &s)(f.C.DeclareShipment(f.Ctx, f.trader.Identity, f.shipmentInput(insShip{policy: p.ID, limit: l.ID, amount: "8000.00",
		shipDate: f.day(), dueDate: f.dayPlus(90), lots: []string{lot}}, f.nextInvoice())))
	f.assign(s.ID, f.bank)

	// Without a released declaration the export is not financed.
	var fin api.Financing
	Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("POLICY", f.bank.CreditCode, "5000.00", "USD", s.ID)))
	_, err := f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("5000.00", "0.05", 60, "0.8"))
	wantCode(t, err, string(api.CodeNotReleased))

	f.customsDeclare(api.DeclarationInput{Number: s.CustomsDeclarationNo, TradeMode: api.TradeMode9710, Exporter: f.trader.CreditCode,
		Consignee: api.BuyerInput(b), Destination: b.Country, Currency: "USD",
		Lines: []api.DeclarationLine{{HSCode: "0902301000", Description: "英德红茶", Quantity: "400", Unit: "kg", Value: "80000.00",
			Lots: []api.LotRef{{GTIN: f.gtin, Lot: lot}}}},
		Shipments: []string{s.ID}}, true)
	if _, err := f.receive(s.InvoiceNumber, "80000.00", api.Payer{Name: "Pacific Harbour Holdings Ltd", Country: "VG"}); err != nil {
		t.Fatal(err)
	}
	var v api.TradeVerification
	Result(f.T, &v)(f.C.VerifyTrade(f.Ctx, f.bank.Identity, s.ID))
	wantReasons := []string{api.ReasonDeclaredValue, api.ReasonPayer, api.ReasonOverpaid}
	if v.Verdict != api.TradeMismatch || !slices.Equal(reasonCodes(v), wantReasons) {
		t.Fatalf("verdict %s reasons %v, want MISMATCH %v", v.Verdict, reasonCodes(v), wantReasons)
	}
	var flags []api.RiskFlag
	f.MustEvaluate(&flags, f.bank.Identity, api.TxGetRiskFlags, "shipment", s.ID)
	got := map[string]string{}
	for _, fl := range flags {
		got[fl.Code] = fl.Severity
	}
	if got[api.RiskDeclaredValue] != api.SeverityBlocking || got[api.RiskPayerCountry] != api.SeverityBlocking {
		t.Fatalf("flags %v", got)
	}
	var list []api.TradeVerification
	Into(f.T, &list)(f.C.ListTradeMismatches(f.Ctx, f.reg.Identity))
	if len(list) != 1 || list[0].Invoice.ShipmentID != s.ID {
		t.Fatalf("regulator's list %+v", list)
	}
	_, err = f.C.ListTradeMismatches(f.Ctx, f.bank.Identity)
	wantCode(t, err, "FORBIDDEN")

	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("5000.00", "0.05", 60, "0.8"))
	wantCode(t, err, "RISK_BLOCKED")
	if codes := rbBlockedCodes(t, err); !slices.Equal(codes, []string{api.RiskDeclaredValue, api.RiskPayerCountry}) {
		t.Errorf("blocked by %v", codes)
	}
	Result(f.T, &fin)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, rbTerms("5000.00", 0,
		rbOverride{api.RiskDeclaredValue, "customs value corrected by amendment 2026-11"}, rbOverride{api.RiskPayerCountry, "payment agent documented"})))
	if fin.Status != api.FinancingApproved {
		t.Errorf("status %s", fin.Status)
	}
}

// The same goods on two declarations, and inputs nobody may send.
func TestTradeDeclarationRules(t *testing.T) {
	f := newTradeFix(t)
	rv, lot := f.exportReceivable("600", "12000.00")
	first := f.declaration(rv, lot, "600", "12000.00")
	f.customsDeclare(first, true)
	in, _ := json.Marshal(first)
	_, err := f.Submit(f.broker.Identity, api.TxRecordDeclaration, string(in))
	wantCode(t, err, "ALREADY_EXISTS")

	// The lot again, for another invoice: declared twice.
	second := f.declaration(rv, lot, "600", "12000.00")
	second.Invoices = []string{"QY-OTHER-0001"}
	f.customsDeclare(second, true)
	if _, err := f.receive(rv.InvoiceNumber, "12000.00", api.Payer{Name: londonBuyer.Name, Country: "GB"}); err != nil {
		t.Fatal(err)
	}
	if v := f.view(rv.ID); v.Verdict != api.TradeMismatch || !slices.Contains(reasonCodes(v), api.ReasonDeclaredTwice) {
		t.Errorf("declared twice: %s %v", v.Verdict, reasonCodes(v))
	}

	pending := f.customsDeclare(f.declaration(rv, lot, "1", "1.00"), false)
	other := f.Enterprise(PlatformMSP, "另一家报关行", api.KindCustomsBroker)
	bad := func(change func(*api.DeclarationInput)) string {
		d := f.declaration(rv, lot, "1", "1.00")
		change(&d)
		b, _ := json.Marshal(d)
		return string(b)
	}
	tests := []struct {
		name string
		as   *Member
		fn   api.Tx
		args []string
		code string
	}{
		{"exporter records a declaration", f.trader, api.TxRecordDeclaration, []string{bad(func(*api.DeclarationInput) {})}, "FORBIDDEN"},
		{"bank records a declaration", f.bank, api.TxRecordDeclaration, []string{bad(func(*api.DeclarationInput) {})}, "FORBIDDEN"},
		{"17-digit number", f.broker, api.TxRecordDeclaration, []string{bad(func(d *api.DeclarationInput) { d.Number = d.Number[1:] })}, "INVALID_ARGUMENT"},
		{"unknown trade mode", f.broker, api.TxRecordDeclaration, []string{bad(func(d *api.DeclarationInput) { d.TradeMode = "1210" })}, "INVALID_ARGUMENT"},
		{"HS chapter 77", f.broker, api.TxRecordDeclaration, []string{bad(func(d *api.DeclarationInput) { d.Lines[0].HSCode = "7701000000" })}, "INVALID_ARGUMENT"},
		{"three decimals of USD", f.broker, api.TxRecordDeclaration, []string{bad(func(d *api.DeclarationInput) { d.Lines[0].Value = "1.001" })}, "INVALID_ARGUMENT"},
		{"destination China", f.broker, api.TxRecordDeclaration, []string{bad(func(d *api.DeclarationInput) { d.Destination = "CN" })}, "INVALID_ARGUMENT"},
		{"nothing covered", f.broker, api.TxRecordDeclaration, []string{bad(func(d *api.DeclarationInput) { d.Invoices = nil })}, "INVALID_ARGUMENT"},
		{"lot not commissioned", f.broker, api.TxRecordDeclaration, []string{bad(func(d *api.DeclarationInput) { d.Lines[0].Lots[0].Lot = "NOPE" })}, "NOT_FOUND"},
		{"unknown field", f.broker, api.TxRecordDeclaration, []string{`{"number":"516820261000000001","pirate":1}`}, "INVALID_ARGUMENT"},
		{"release twice", f.customs, api.TxReleaseDeclaration, []string{first.Number, `{"releaseDate":"` + f.day() + `"}`}, "CONFLICT"},
		{"release in the future", f.customs, api.TxReleaseDeclaration, []string{pending.Number, `{"releaseDate":"` + f.dayPlus(2) + `"}`}, "RULE_VIOLATION"},
		{"a broker releases another's", other, api.TxReleaseDeclaration, []string{pending.Number, `{"releaseDate":"` + f.day() + `"}`}, "FORBIDDEN"},
		{"exporter verifies another's", f.buyer, api.TxVerifyTrade, []string{rv.ID}, "FORBIDDEN"},
		{"not a paper", f.bank, api.TxVerifyTrade, []string{"WR-2026-0000000000000001"}, "INVALID_ARGUMENT"},
		{"exporter records money", f.trader, api.TxRecordFXReceipt, []string{`{}`}, "FORBIDDEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.Submit(tt.as.Identity, tt.fn, tt.args...)
			wantCode(t, err, tt.code)
		})
	}
	// Refunds of one part of a receipt never exceed that part: USD 100.00
	// settling 60.00 and 40.00; 30.00 of the 40.00 refunded leaves 10.00.
	var fx api.FXReceipt
	Result(f.T, &fx)(f.C.RecordFXReceipt(f.Ctx, f.bank.Identity, api.FXReceiptInput{Beneficiary: f.trader.CreditCode, Payer: api.Payer{Name: londonBuyer.Name, Country: "GB"},
		Amount: "100.00", Currency: "USD", ValueDate: f.day(), Reference: "FX-TWO-PARTS",
		Settles: []api.FXSettlementInput{{InvoiceNumber: "QY-PART-A", Amount: "60.00"}, {InvoiceNumber: "QY-PART-B", Amount: "40.00"}}}))
	refundB := func(ref, amount string) error {
		_, err := f.C.RecordFXReceipt(f.Ctx, f.bank.Identity, api.FXReceiptInput{Kind: api.FXKindRefund, Beneficiary: f.trader.CreditCode, Amount: amount, Currency: "USD",
			ValueDate: f.day(), Reference: ref, RefundOf: fx.ID, Settles: []api.FXSettlementInput{{InvoiceNumber: "QY-PART-B", Amount: amount}}})
		return err
	}
	if err := refundB("FX-TWO-R1", "30.00"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, refundB("FX-TWO-R2", "10.01"), "RULE_VIOLATION")
	if err := refundB("FX-TWO-R3", "10.00"); err != nil {
		t.Fatal(err)
	}

	// One remittance reference per bank.
	_, err = f.Submit(f.bank.Identity, api.TxRecordFXReceipt, trJSON(api.FXReceiptInput{Beneficiary: f.trader.CreditCode,
		Payer: api.Payer{Name: "x", Country: "GB"}, Amount: "1.00", Currency: "USD", ValueDate: f.day(), Reference: "FX-REF-0001"}))
	wantCode(t, err, "ALREADY_EXISTS")
	// Settling more than the amount.
	_, err = f.Submit(f.bank.Identity, api.TxRecordFXReceipt, trJSON(api.FXReceiptInput{Beneficiary: f.trader.CreditCode,
		Payer: api.Payer{Name: "x", Country: "GB"}, Amount: "1.00", Currency: "USD", ValueDate: f.day(), Reference: "FX-REF-X",
		Settles: []api.FXSettlementInput{{InvoiceNumber: rv.InvoiceNumber, Amount: "1.01"}}}))
	wantCode(t, err, "INVALID_ARGUMENT")
}
