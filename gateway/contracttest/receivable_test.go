package contracttest

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

func TestReceivableLifecycle(t *testing.T) {
	f := newInsFix(t)
	rv := f.receivable("100000.00", false)
	if !insIDPattern.MatchString(rv.ID) || rv.Status != "PENDING" || rv.Seller != f.trader.CreditCode || rv.Creditor != f.trader.CreditCode ||
		rv.BuyerCreditCode != f.buyer.CreditCode || rv.Buyer.Name != "广州茶叶连锁有限公司" || rv.Buyer.Country != "CN" ||
		rv.Outstanding != "100000.00" || len(rv.ShippingEvents) != 1 || len(rv.RiskFlags) != 0 {
		t.Fatalf("created %+v", rv)
	}
	_, err := f.C.ConfirmReceivable(f.Ctx, f.trader.Identity, rv.ID)
	wantCode(t, err, "FORBIDDEN") // only the buyer confirms
	var got api.ReceivableView
	Result(f.T, &got)(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID))
	if got.Status != "CONFIRMED" || got.ConfirmedAt == "" {
		t.Fatalf("confirmed %+v", got)
	}
	_, err = f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID)
	wantCode(t, err, "CONFLICT")

	// An overseas buyer cannot confirm: the receivable stays OPEN.
	hamburg := f.overseasBuyer()
	lot := f.shippedLot("10")
	var open api.ReceivableView
	Result(f.T, &open)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: rvBuyerOf(hamburg), invoice: "EXP-1", amount: "5000.00", currency: "EUR", issue: "2026-04-01", due: "2026-06-30", lots: []string{lot},
	})))
	if open.Status != "OPEN" || open.BuyerCreditCode != "" || open.Buyer.RegistrationID != hamburg.RegistrationID {
		t.Fatalf("overseas receivable %+v", open)
	}
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "1000.00", "EUR", open.ID))
	wantCode(t, err, "CONFLICT") // never confirmed

	// Payments: partial, then the rest after the due date (late).
	var pv api.ReceivableView
	Result(f.T, &pv)(f.C.RecordReceivablePayment(f.Ctx, f.trader.Identity, rv.ID, "40000.00", f.day()))
	if pv.Status != "CONFIRMED" || pv.Outstanding != "60000.00" || len(pv.Payments) != 1 || !pv.Payments[0].OnTime {
		t.Fatalf("after a partial payment %+v", pv)
	}
	_, err = f.C.MarkReceivableOverdue(f.Ctx, f.trader.Identity, rv.ID)
	wantCode(t, err, "RULE_VIOLATION") // not due yet
	f.setDay("2026-06-01")             // due 2026-05-31
	Result(f.T, &pv)(f.C.MarkReceivableOverdue(f.Ctx, f.trader.Identity, rv.ID))
	if pv.Status != "OVERDUE" || !pv.PastDue {
		t.Fatalf("overdue %+v", pv)
	}
	_, err = f.C.RecordReceivablePayment(f.Ctx, f.trader.Identity, rv.ID, "60000.01", "2026-06-01")
	wantCode(t, err, "RULE_VIOLATION")
	Result(f.T, &pv)(f.C.RecordReceivablePayment(f.Ctx, f.trader.Identity, rv.ID, "60000.00", "2026-06-01"))
	if pv.Status != "SETTLED" || pv.Outstanding != "0.00" || pv.Payments[1].OnTime {
		t.Fatalf("settled %+v", pv)
	}
	// The buyer is on the network: one on-time and one late payment.
	var rec api.CreditRecord
	Into(f.T, &rec)(f.C.GetCreditRecord(f.Ctx, f.bank.Identity, f.buyer.CreditCode))
	if rec.OnTime.Count != 1 || rec.OnTime.Amounts[0].Amount != "40000.00" || rec.Late.Count != 1 || rec.Late.Amounts[0].Amount != "60000.00" {
		t.Fatalf("buyer's record %+v", rec)
	}

	// A default counts against the buyer with what was outstanding.
	rv2 := f.receivable("3000.00", true)
	f.setDay("2026-08-01")
	_, err = f.C.DeclareReceivableDefault(f.Ctx, f.buyer.Identity, rv2.ID)
	wantCode(t, err, "FORBIDDEN")
	Result(f.T, &pv)(f.C.DeclareReceivableDefault(f.Ctx, f.trader.Identity, rv2.ID))
	Into(f.T, &rec)(f.C.GetCreditRecord(f.Ctx, f.bank.Identity, f.buyer.CreditCode))
	if pv.Status != "DEFAULTED" || rec.Defaults.Count != 1 || rec.Defaults.Amounts[0].Amount != "3000.00" {
		t.Fatalf("defaulted %+v record %+v", pv.Status, rec)
	}
	_, err = f.C.RecordReceivablePayment(f.Ctx, f.trader.Identity, rv2.ID, "1.00", f.day())
	wantCode(t, err, "CONFLICT")

	// A rejected receivable keeps its invoice number taken.
	rv3 := f.receivable("10.00", false)
	Result(f.T, &pv)(f.C.RejectReceivable(f.Ctx, f.buyer.Identity, rv3.ID, "goods never received"))
	if pv.Status != "REJECTED" || pv.Note != "goods never received" {
		t.Fatalf("rejected %+v", pv)
	}
	_, err = f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: rv3.InvoiceNumber, amount: "9.00", currency: "CNY",
		issue: f.day(), due: f.dayPlus(30), lots: []string{rv3.Lots[0].Lot},
	}))
	wantCode(t, err, "DUPLICATE_INVOICE")

	var mine []api.ReceivableView
	Into(f.T, &mine)(f.C.ListReceivables(f.Ctx, f.buyer.Identity))
	if len(mine) != 3 {
		t.Errorf("buyer lists %d receivables", len(mine))
	}
}

func TestReceivableCreateRules(t *testing.T) {
	f := newInsFix(t)
	lot := f.shippedLot("10")
	base := insRecvOpts{buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: "INV-1", amount: "1000.00", currency: "CNY", issue: "2026-04-01", due: "2026-05-01", lots: []string{lot}}
	f.OK(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(base)))
	l := f.limit(f.overseasBuyer(), "100000.00", "USD")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"})
	s := f.declare(insShip{policy: p.ID, limit: l.ID, amount: "20000.00", customsValue: "12000.00", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{lot}})
	other := f.Enterprise(PlatformMSP, "另一出口商", api.KindExporter)
	with := func(change func(*insRecvOpts)) string {
		o := base
		o.invoice = f.nextInvoice()
		change(&o)
		return trJSON(f.receivableInput(o))
	}
	tests := []struct {
		name string
		as   *Member
		in   string
		want string
	}{
		{"same invoice, buyer by credit code", f.trader, with(func(o *insRecvOpts) { o.invoice = "INV-1" }), "DUPLICATE_INVOICE"},
		{"same invoice, buyer spelt out", f.trader, with(func(o *insRecvOpts) {
			o.invoice, o.buyer = "INV-1", rvBuyerOf(insBuyer{Name: "别名", Country: "CN", RegistrationID: f.buyer.CreditCode})
		}), "DUPLICATE_INVOICE"},
		{"same invoice, other amount", f.trader, with(func(o *insRecvOpts) { o.invoice, o.amount = "INV-1", "999.00" }), "DUPLICATE_INVOICE"},
		{"due before issue", f.trader, with(func(o *insRecvOpts) { o.due = "2026-03-01" }), "INVALID_ARGUMENT"},
		{"credit of 361 days", f.trader, with(func(o *insRecvOpts) { o.due = "2027-03-28" }), "INVALID_ARGUMENT"},
		{"issued tomorrow", f.trader, with(func(o *insRecvOpts) { o.issue, o.due = "2026-04-02", "2026-05-02" }), "RULE_VIOLATION"},
		{"shipment and lots", f.trader, with(func(o *insRecvOpts) { o.shipment = s.ID }), "INVALID_ARGUMENT"},
		{"neither shipment nor lots", f.trader, with(func(o *insRecvOpts) { o.lots = nil }), "INVALID_ARGUMENT"},
		{"unknown lot", f.trader, with(func(o *insRecvOpts) { o.lots = []string{"NOPE"} }), "NOT_FOUND"},
		{"invoicing itself", f.trader, with(func(o *insRecvOpts) { o.buyer = api.ReceivableBuyerInput{CreditCode: f.trader.CreditCode} }), "RULE_VIOLATION"},
		{"unregistered buyer code", f.trader, with(func(o *insRecvOpts) { o.buyer = api.ReceivableBuyerInput{CreditCode: CreditCode(t, 999)} }), "NOT_FOUND"},
		{"buyer code and name", f.trader, with(func(o *insRecvOpts) { o.buyer = api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode, Name: "x"} }), "INVALID_ARGUMENT"},
		{"country not ISO 3166", f.trader, with(func(o *insRecvOpts) { o.buyer = rvBuyerOf(insBuyer{Name: "X", Country: "EU", RegistrationID: "1"}) }), "INVALID_ARGUMENT"},
		{"Chinese buyer without a credit code", f.trader, with(func(o *insRecvOpts) { o.buyer = rvBuyerOf(insBuyer{Name: "X", Country: "CN", RegistrationID: "12345"}) }), "INVALID_ARGUMENT"},
		{"bad currency", f.trader, with(func(o *insRecvOpts) { o.currency = "RMB" }), "INVALID_ARGUMENT"},
		{"shipment of another invoice", f.trader, with(func(o *insRecvOpts) {
			o.lots, o.shipment, o.buyer, o.amount, o.currency = nil, s.ID, rvBuyerOf(insBuyer(f.shipment(f.trader.Identity, s.ID).Buyer)), "20000.00", "USD"
		}), "RULE_VIOLATION"},
		{"someone else's shipment", other, with(func(o *insRecvOpts) { o.lots, o.shipment = nil, s.ID }), "FORBIDDEN"},
		{"a bank cannot sell", f.bank, with(func(o *insRecvOpts) {}), "FORBIDDEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Submit(tc.as.Identity, api.TxCreateReceivable, tc.in)
			wantCode(t, err, tc.want)
		})
	}
	// Another seller may use the same number with the same buyer.
	f.OK(f.C.CreateReceivable(f.Ctx, other.Identity, f.receivableInput(base)))

	// From the insured shipment of the same invoice: its lots, and the
	// customs value it declared (12,000 against 20,000: flagged).
	sv := f.shipment(f.trader.Identity, s.ID)
	var rv api.ReceivableView
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: rvBuyerOf(insBuyer(sv.Buyer)), invoice: sv.InvoiceNumber, amount: "20000.00", currency: "USD", issue: "2026-04-01", due: "2026-06-30", shipment: s.ID,
	})))
	if rv.ShipmentID != s.ID || len(rv.Lots) != 1 || rv.Lots[0].Lot != lot || !slices.Equal(rv.RiskFlags, []string{"VALUE_MISMATCH"}) {
		t.Fatalf("receivable from shipment %+v", rv)
	}
}

// Risk flags: goods never shipped; invoice against warehouse receipts;
// goods behind a pledged receipt and a financed receivable, whichever
// comes first; regulators resolve flags.
func TestReceivableRiskFlags(t *testing.T) {
	f := newInsFix(t)
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)
	buyerCode := api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}

	// Not shipped.
	notShipped := f.lot("10")
	var rv api.ReceivableView
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: buyerCode, invoice: f.nextInvoice(), amount: "100.00", currency: "CNY", issue: f.day(), due: f.dayPlus(30), lots: []string{notShipped},
	})))
	if !slices.Equal(rv.RiskFlags, []string{"NO_SHIPPING_EVENT"}) || len(rv.ShippingEvents) != 0 {
		t.Fatalf("unshipped receivable %+v", rv)
	}
	view := f.getReceivable(rv.ID)
	if len(view.Flags) != 1 || view.Flags[0].Refs[0] != "/01/"+f.gtin+"/10/"+notShipped {
		t.Fatalf("flags %+v", view.Flags)
	}
	// Shipped later, AssessRisk raises nothing new and the flag stays.
	f.toTrader(notShipped)
	if _, err := f.event(f.trader, "shipping", notShipped, ""); err != nil {
		t.Fatal(err)
	}
	var flags []api.RiskFlag
	Result(f.T, &flags)(f.C.AssessRisk(f.Ctx, f.bank.Identity, "receivable", rv.ID))
	if !slices.Equal(insFlagCodes(flags), []string{"NO_SHIPPING_EVENT"}) {
		t.Fatalf("assessed %+v", flags)
	}
	_, err := f.C.ResolveRiskFlag(f.Ctx, f.bank.Identity, "receivable", rv.ID, "NO_SHIPPING_EVENT", "shipped on 4/1")
	wantCode(t, err, "FORBIDDEN")
	var fl api.RiskFlag
	Result(f.T, &fl)(f.C.ResolveRiskFlag(f.Ctx, f.reg.Identity, "receivable", rv.ID, "NO_SHIPPING_EVENT", "shipping recorded late"))
	if !fl.Resolved || fl.ResolvedBy != f.reg.CreditCode {
		t.Fatalf("resolved %+v", fl)
	}
	_, err = f.C.ResolveRiskFlag(f.Ctx, f.reg.Identity, "receivable", rv.ID, "NO_SHIPPING_EVENT", "again")
	wantCode(t, err, "CONFLICT")

	// Goods in the warehouse under a receipt valued 600,000.00, pledged to
	// the bank; a receivable of 900,000.00 on the same lot (unshipped: the
	// receipt keeps the goods in the warehouse, whoever would ship them) is 150%
	// of the receipt's value: flagged at creation. A second bank's approval
	// is refused by the encumbrance register: the goods already back the
	// receipt pledge (the finding this register fixes).
	r := f.receipt(f.trader, "1000", "600000.00", "CNY")
	pledge := f.apply(f.trader, f.bank, "300000.00", "CNY", r.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, pledge.ID, wrTerms("300000.00", "0.05", 90, "0.6")))
	_, err = f.event(f.producer, "shipping", r.Lot, "")
	wantCode(t, err, "CONFLICT")
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: buyerCode, invoice: f.nextInvoice(), amount: "900000.00", currency: "CNY", issue: f.day(), due: f.dayPlus(60), lots: []string{r.Lot},
	})))
	if !slices.Equal(rv.RiskFlags, []string{"NO_SHIPPING_EVENT", "VALUE_MISMATCH"}) {
		t.Fatalf("receivable on a receipt's goods %+v", rv)
	}
	f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID))
	var second api.Financing
	Result(f.T, &second)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", bank2.CreditCode, "500000.00", "CNY", rv.ID)))
	_, err = f.C.ApproveFinancing(f.Ctx, bank2.Identity, second.ID, rvTerms("500000.00", "0.05", 30, "0.8"))
	wantCode(t, err, "ALREADY_ENCUMBERED")
	if view = f.getReceivable(rv.ID); view.FinancingID != "" {
		t.Fatalf("refused receivable financed %+v", view)
	}

	// The other way round: a financed receivable first, then the goods
	// received into the warehouse and pledged under a receipt.
	lot := f.shippedLot("500")
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: buyerCode, invoice: f.nextInvoice(), amount: "50000.00", currency: "CNY", issue: f.day(), due: f.dayPlus(60), lots: []string{lot},
	})))
	f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID))
	f.finance("RECEIVABLE", bank2, "40000.00", "CNY", trJSON(rvTerms("40000.00", "0.05", 30, "0.8")), rv.ID)
	if v := f.getReceivable(rv.ID); len(v.Flags) != 0 {
		t.Fatalf("clean receivable flagged %+v", v.Flags)
	}
	f.receive(f.wh, lot, "500")
	var r2 api.Receipt
	Result(f.T, &r2)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "500", "50000.00", "CNY", f.trader.CreditCode)))
	pledge2 := f.apply(f.trader, f.bank, "20000.00", "CNY", r2.ID)
	// The goods back the receivable financing: the pledge is refused.
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, pledge2.ID, wrTerms("20000.00", "0.05", 90, "0.6"))
	wantCode(t, err, "ALREADY_ENCUMBERED")
	if got := f.getReceipt(r2.ID); got.Status != "ISSUED" {
		t.Fatalf("refused pledge changed the receipt %+v", got)
	}
	_, err = f.C.AssessRisk(f.Ctx, f.trader.Identity, "receivable", rv.ID)
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.AssessRisk(f.Ctx, f.bank.Identity, "invoice", rv.ID)
	wantCode(t, err, "INVALID_ARGUMENT")
}

// RECEIVABLE financing: an advance on a confirmed receivable, which is
// assigned to the bank in the approving transaction; the buyer's payment
// to the bank repays it (interest first) and the rest is the seller's.
func TestReceivableFinancing(t *testing.T) {
	f := newInsFix(t)
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)
	pending := f.receivable("100000.00", false)
	_, err := f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "80000.00", "CNY", pending.ID))
	wantCode(t, err, "CONFLICT") // not confirmed
	f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, pending.ID))
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "80000.00", "USD", pending.ID))
	wantCode(t, err, "RULE_VIOLATION") // another currency
	_, err = f.C.ApplyForFinancing(f.Ctx, f.buyer.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "80000.00", "CNY", pending.ID))
	wantCode(t, err, "FORBIDDEN") // not the buyer's to finance

	var a, b api.Financing
	Result(f.T, &a)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "80000.00", "CNY", pending.ID)))
	Result(f.T, &b)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", bank2.CreditCode, "80000.00", "CNY", pending.ID)))
	// Advance ratio 0.8 of 100,000.00.
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, a.ID, rvTerms("80000.00", "0.05", 60, "0.79"))
	wantCode(t, err, "LTV_EXCEEDED")
	Result(f.T, &a)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, a.ID, rvTerms("80000.00", "0.05", 60, "0.8")))
	if a.Terms.LTV != "0.8" || a.Terms.CollateralValue != "100000.00" || a.Collateral[0].ReceivableID != pending.ID {
		t.Fatalf("approved %+v %+v", a.Terms, a.Collateral)
	}
	rv := f.getReceivable(pending.ID)
	if rv.Assignee != f.bank.CreditCode || rv.FinancingID != a.ID || rv.Creditor != f.trader.CreditCode {
		t.Fatalf("receivable after approval %+v", rv)
	}
	_, err = f.C.ApproveFinancing(f.Ctx, bank2.Identity, b.ID, rvTerms("80000.00", "0.05", 60, "0.8"))
	wantCode(t, err, "ALREADY_FINANCED")
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", bank2.CreditCode, "1.00", "CNY", pending.ID))
	wantCode(t, err, "ALREADY_FINANCED")
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, a.ID, "2026-04-01"))
	// Assigned: the seller no longer records the buyer's payments.
	_, err = f.C.RecordReceivablePayment(f.Ctx, f.trader.Identity, pending.ID, "1.00", f.day())
	wantCode(t, err, "FORBIDDEN")

	// The buyer pays the bank 100,000.00 on 2026-05-11, 40 days on:
	// interest 80,000 × 0.05 × 40 / 360 = 444.444… → 444.44, principal
	// 80,000.00, to the bank 80,444.44, to the seller 19,555.56.
	f.setDay("2026-05-11")
	var pv api.ReceivableView
	Result(f.T, &pv)(f.C.RecordReceivablePayment(f.Ctx, f.bank.Identity, pending.ID, "100000.00", "2026-05-11"))
	want := api.ReceivablePayment{ValueDate: "2026-05-11", Amount: "100000.00", OnTime: true, RecordedBy: f.bank.CreditCode,
		FinancingID: a.ID, ToInterest: "444.44", ToPrincipal: "80000.00", ToSeller: "19555.56"}
	got := pv.Payments[0]
	got.TxID = ""
	if pv.Status != "SETTLED" || got != want {
		t.Fatalf("payment %+v, want %+v", got, want)
	}
	v := f.getFinancing(f.bank, a.ID, "")
	if v.PrincipalOutstanding != "0.00" || v.AsOf.Payoff != "0.00" || v.Postings[1].Kind != "COLLECTION" || v.Postings[1].Days != 40 {
		t.Fatalf("financing after the collection %+v", v.Financing)
	}
	// The seller did not repay: its record is untouched; the buyer paid on time.
	var rec api.CreditRecord
	Into(f.T, &rec)(f.C.GetCreditRecord(f.Ctx, f.bank.Identity, f.trader.CreditCode))
	if rec.OnTime.Count != 0 {
		t.Errorf("seller's record %+v", rec)
	}
	Into(f.T, &rec)(f.C.GetCreditRecord(f.Ctx, f.bank.Identity, f.buyer.CreditCode))
	if rec.OnTime.Count != 1 {
		t.Errorf("buyer's record %+v", rec)
	}
	// The collection paid it off: it closed and gave the receivable back.
	if v := f.getFinancing(f.bank, a.ID, f.day()); v.Status != "CLOSED" {
		t.Fatalf("after the collection: %s", v.Status)
	}
	if rv := f.getReceivable(pending.ID); rv.Assignee != "" || rv.FinancingID != "" {
		t.Fatalf("receivable after close %+v", rv)
	}

	// A financing in default: the receivable passes to the bank, which
	// collects what the buyer still pays; that repays the defaulted loan.
	rv2 := f.receivable("50000.00", true)
	fin := f.finance("RECEIVABLE", f.bank, "40000.00", "CNY", trJSON(rvTerms("40000.00", "0.06", 30, "0.8")), rv2.ID)
	f.setDay("2026-06-12") // maturity 2026-06-10
	f.OK(f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID))
	// Interest to 2026-06-12: 40,000 × 0.06 × 32 / 360 = 213.33.
	rv = f.getReceivable(rv2.ID)
	if rv.Creditor != f.bank.CreditCode || rv.Assignee != f.bank.CreditCode {
		t.Fatalf("receivable after the default %+v", rv)
	}
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", bank2.CreditCode, "1.00", "CNY", rv2.ID))
	wantCode(t, err, "ALREADY_FINANCED")
	Result(f.T, &pv)(f.C.RecordReceivablePayment(f.Ctx, f.bank.Identity, rv2.ID, "50000.00", "2026-06-12"))
	// 213.33 interest, 40,000.00 principal, 9,786.67 to the seller.
	if p := pv.Payments[0]; p.ToInterest != "213.33" || p.ToPrincipal != "40000.00" || p.ToSeller != "9786.67" {
		t.Fatalf("collection after default %+v", p)
	}
}

// Twenty creations of one invoice at once (half naming the buyer by its
// credit code, half spelling it out): exactly one commits. The others are
// refused at endorsement (DUPLICATE_INVOICE) or invalidated at commit
// (MVCC_READ_CONFLICT); resubmitted, those get DUPLICATE_INVOICE.
func TestReceivableDuplicateInvoiceConcurrent(t *testing.T) {
	f := newInsFix(t)
	lot := f.shippedLot("10")
	const n = 20
	inputs := make([]string, n)
	for i := range inputs {
		buyer := api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}
		if i%2 == 1 {
			buyer = rvBuyerOf(insBuyer{Name: "广州茶叶", Country: "CN", RegistrationID: f.buyer.CreditCode})
		}
		inputs[i] = trJSON(f.receivableInput(insRecvOpts{buyer: buyer, invoice: "44031234-0001", amount: "8800.00", currency: "CNY", issue: "2026-04-01", due: "2026-05-01", lots: []string{lot}}))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range inputs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errs[i] = f.Submit(f.trader.Identity, api.TxCreateReceivable, inputs[i])
		}(i)
	}
	close(start)
	wg.Wait()
	codes := map[string]int{}
	for i, err := range errs {
		code := Code(err)
		codes[code]++
		switch code {
		case "", "DUPLICATE_INVOICE":
		case "MVCC_READ_CONFLICT":
			_, err := f.Submit(f.trader.Identity, api.TxCreateReceivable, inputs[i])
			wantCode(t, err, "DUPLICATE_INVOICE")
		default:
			t.Errorf("creation %d: %v", i, err)
		}
	}
	t.Logf("outcomes %v", codes)
	if codes[""] != 1 {
		t.Fatalf("%d creations committed, want 1 (%v)", codes[""], codes)
	}
	var list []api.ReceivableView
	Into(f.T, &list)(f.C.ListReceivables(f.Ctx, f.trader.Identity))
	if len(list) != 1 || list[0].InvoiceNumber != "44031234-0001" {
		t.Fatalf("the seller has %d receivables", len(list))
	}
	raw, _ := json.Marshal(list[0].Buyer)
	if list[0].Buyer.Name != "广州茶叶连锁有限公司" {
		t.Errorf("buyer stored as %s", raw)
	}
}
