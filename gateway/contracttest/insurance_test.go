package contracttest

import (
	"encoding/json"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

var insIDPattern = regexp.MustCompile(`^(BL|PO|SH|AS|CM|RV|SN)-2026-[0-9A-F]{16}$`)

// Worked claim examples, computed by hand.
//
// Two buyers, two policies (coverage ratio 0.9, premium rate 0.005, a
// waiting period of 60 days), all shipments on 2026-04-01 due 2026-06-30:
//
//	Hamburg (limit 200,000.00 USD) under P1 (maximum liability 95,000.00):
//	  S1 100,000.00  assigned to the bank, POLICY financing 70,000.00 at 6%
//	  S4  20,000.00  not assigned
//	  S5     201.00  premium 201.00 × 0.005 = 1.005 → 1.01 (half-up)
//	  S6  33,333.33  premium 166.66665 → 166.67
//	Rotterdam (limit 50,000.00 USD, revised down to 30,000.00) under P2:
//	  S2  40,000.00  assigned, POLICY financing 30,000.00 at 4.35%
//	  S3  10,000.00  not assigned
func TestInsuranceWorkedClaims(t *testing.T) {
	f := newInsFix(t)
	hamburg, rotterdam := f.overseasBuyer(), f.overseasBuyer()
	rotterdam.Country, rotterdam.Name = "NL", "Rotterdam Thee B.V."
	l1 := f.limit(hamburg, "200000.00", "USD")
	l2 := f.limit(rotterdam, "50000.00", "USD")
	p1 := f.policy(insPolicyOpts{currency: "USD", coverage: "0.90", premium: "0.005", maxLiability: "95000", waitingDays: 60})
	p2 := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.005", waitingDays: 60})
	for _, id := range []string{l1.ID, l2.ID, p1.ID, p2.ID} {
		if !insIDPattern.MatchString(id) {
			t.Fatalf("id %q", id)
		}
	}
	if p1.CoverageRatio != "0.9" || p1.MaxLiability != "95000.00" || p1.Indemnified != "0.00" || l1.Available != "200000.00" || l1.Used != "0.00" {
		t.Fatalf("policy %+v limit %+v", p1, l1)
	}
	ship := func(p api.Policy, l api.CreditLimitView, amount, customs string) api.ShipmentView {
		return f.declare(insShip{policy: p.ID, limit: l.ID, amount: amount, customsValue: customs, shipDate: "2026-04-01", dueDate: "2026-06-30",
			lots: []string{f.shippedLot("100")}})
	}
	s1 := ship(p1, l1, "100000.00", "98000.00")
	s4 := ship(p1, l1, "20000.00", "")
	s5 := ship(p1, l1, "201.00", "")
	s6 := ship(p1, l1, "33333.33", "")
	s2 := ship(p2, l2, "40000.00", "")
	s3 := ship(p2, l2, "10000", "")
	for _, c := range []struct {
		s                api.ShipmentView
		premium, balance string
	}{{s1, "500.00", "100000.00"}, {s4, "100.00", "20000.00"}, {s5, "1.01", "201.00"}, {s6, "166.67", "33333.33"}, {s2, "200.00", "40000.00"}, {s3, "50.00", "10000.00"}} {
		if c.s.Premium != c.premium || c.s.Outstanding != c.balance || c.s.Status != "DECLARED" || len(c.s.ShippingEvents) != 1 || len(c.s.RiskFlags) != 0 {
			t.Errorf("shipment %s: premium %s outstanding %s status %s events %v flags %v, want premium %s", c.s.InvoiceNumber, c.s.Premium, c.s.Outstanding, c.s.Status, c.s.ShippingEvents, c.s.RiskFlags, c.premium)
		}
	}
	// Usage: 100,000 + 20,000 + 201 + 33,333.33 = 153,534.33 of 200,000.
	if l := f.creditLimit(l1.ID); l.Used != "153534.33" || l.Available != "46465.67" {
		t.Fatalf("limit 1 after declarations: used %s available %s", l.Used, l.Available)
	}
	// 40,000 + 10,000 = 50,000: the Rotterdam limit is used up.
	_, err := f.C.DeclareShipment(f.Ctx, f.trader.Identity, f.shipmentInput(insShip{policy: p2.ID, limit: l2.ID, amount: "0.01", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{f.shippedLot("1")}}, f.nextInvoice()))
	wantCode(t, err, "LIMIT_EXCEEDED")

	// The buyer pays S5 in full and 10,000.00 of S6; both amounts are
	// released: 153,534.33 − 201.00 − 10,000.00 = 143,333.33.
	var sv api.ShipmentView
	Result(f.T, &sv)(f.C.RecordShipmentPayment(f.Ctx, f.trader.Identity, s5.ID, "201.00", "2026-04-01"))
	if sv.Status != "PAID" || sv.Outstanding != "0.00" {
		t.Fatalf("S5 after payment: %+v", sv)
	}
	Result(f.T, &sv)(f.C.RecordShipmentPayment(f.Ctx, f.trader.Identity, s6.ID, "10000.00", "2026-04-01"))
	_, err = f.C.RecordShipmentPayment(f.Ctx, f.trader.Identity, s6.ID, "23333.34", "2026-04-01")
	wantCode(t, err, "RULE_VIOLATION") // more than the 23,333.33 outstanding
	if l := f.creditLimit(l1.ID); l.Used != "143333.33" {
		t.Fatalf("limit 1 after payments: used %s, want 153,534.33 − 10,201.00 = 143,333.33", l.Used)
	}

	// S1 and S2 are assigned to the bank and financed against.
	f.assign(s1.ID, f.bank)
	f.assign(s2.ID, f.bank)
	// S1 is worth 100,000.00 × 0.9 = 90,000.00 to the bank; 70,000 is an
	// LTV of 0.777778.
	fin1 := f.finance("POLICY", f.bank, "70000.00", "USD", trJSON(wrTerms("70000.00", "0.06", 120, "0.8")), s1.ID)
	if fin1.Terms.CollateralValue != "90000.00" || fin1.Terms.LTV != "0.777778" || fin1.Terms.Grade != "B" || fin1.Terms.EffectiveMaxLTV != "0.8" ||
		fin1.Collateral[0].ShipmentID != s1.ID || fin1.Collateral[0].Status != "PLEDGED" || fin1.MaturityDate != "2026-07-30" {
		t.Fatalf("POLICY financing 1: %+v terms %+v", fin1, fin1.Terms)
	}
	// S2: 40,000.00 × 0.9 = 36,000.00; 30,000 is 0.833333.
	fin2 := f.finance("POLICY", f.bank, "30000.00", "USD", trJSON(wrTerms("30000.00", "0.0435", 180, "0.85")), s2.ID)
	if fin2.Terms.CollateralValue != "36000.00" || fin2.Terms.LTV != "0.833333" {
		t.Fatalf("POLICY financing 2 terms %+v", fin2.Terms)
	}
	if s := f.shipment(f.bank.Identity, s1.ID); s.FinancingID != fin1.ID || s.Assignee != f.bank.CreditCode {
		t.Fatalf("S1 after financing: %+v", s)
	}
	// The insurer cuts the Rotterdam limit to 30,000.00: same limit, revised.
	if l := f.limit(rotterdam, "30000.00", "USD"); l.ID != l2.ID || l.Revision != 2 || l.Used != "50000.00" || l.Available != "0.00" {
		t.Fatalf("revised limit %+v", l)
	}

	// Defaults: only after the due date.
	f.setDay("2026-06-30")
	_, err = f.C.ReportBuyerDefault(f.Ctx, f.trader.Identity, s1.ID)
	wantCode(t, err, "RULE_VIOLATION")
	f.setDay("2026-07-01")
	f.OK(f.C.ReportBuyerDefault(f.Ctx, f.bank.Identity, s1.ID)) // the assignee may report
	for _, s := range []api.ShipmentView{s4, s2, s3} {
		f.OK(f.C.ReportBuyerDefault(f.Ctx, f.trader.Identity, s.ID))
	}
	if l := f.creditLimit(l1.ID); l.Status != "SUSPENDED" {
		t.Fatalf("limit after a default: %+v", l)
	}
	_, err = f.C.DeclareShipment(f.Ctx, f.trader.Identity, f.shipmentInput(insShip{policy: p1.ID, limit: l1.ID, amount: "1.00", shipDate: "2026-07-01", dueDate: "2026-08-01", lots: []string{f.shippedLot("1")}}, f.nextInvoice()))
	wantCode(t, err, "CONFLICT")

	// Claims: after the waiting period, 60 days from 2026-07-01 = 2026-08-30.
	f.setDay("2026-08-29")
	_, err = f.C.FileClaim(f.Ctx, f.trader.Identity, s1.ID, api.ClaimInput{})
	wantCode(t, err, "RULE_VIOLATION")
	f.setDay("2026-08-31")
	_, err = f.C.FileClaim(f.Ctx, f.bank.Identity, s3.ID, api.ClaimInput{})
	wantCode(t, err, "FORBIDDEN") // S3 is not assigned to the bank
	_, err = f.C.FileClaim(f.Ctx, f.trader.Identity, s4.ID, api.ClaimInput{Loss: "20000.01"})
	wantCode(t, err, "RULE_VIOLATION") // more than outstanding
	file := func(as *Member, s api.ShipmentView) api.Claim {
		var c api.Claim
		Result(f.T, &c)(f.C.FileClaim(f.Ctx, as.Identity, s.ID, api.ClaimInput{Note: "buyer unreachable"}))
		return c
	}
	c1, c4, c2, c3 := file(f.bank, s1), file(f.trader, s4), file(f.trader, s2), file(f.trader, s3)
	_, err = f.C.FileClaim(f.Ctx, f.trader.Identity, s1.ID, api.ClaimInput{})
	wantCode(t, err, "CONFLICT") // one open claim per shipment
	// Covered = loss × 0.9.
	for _, c := range []struct {
		c                   api.Claim
		loss, covered, from string
	}{{c1, "100000.00", "90000.00", f.bank.CreditCode}, {c4, "20000.00", "18000.00", f.trader.CreditCode}, {c2, "40000.00", "36000.00", f.trader.CreditCode}, {c3, "10000.00", "9000.00", f.trader.CreditCode}} {
		if c.c.Loss != c.loss || c.c.Covered != c.covered || c.c.Status != "FILED" || c.c.FiledBy != c.from {
			t.Errorf("claim on %s: %+v", c.c.ShipmentID, c.c)
		}
	}

	f.setDay("2026-09-01")
	approve := func(c api.Claim) api.Claim {
		Result(f.T, &c)(f.C.ApproveClaim(f.Ctx, f.insurer.Identity, c.ID, ""))
		return c
	}
	// C1: min(90,000.00; limit 200,000 − 0; policy 95,000 − 0) = 90,000.00.
	if c := approve(c1); c.Indemnity != "90000.00" || c.AvailableCover != "95000.00" {
		t.Errorf("C1 approved %+v", c)
	}
	// C4: min(18,000.00; 200,000 − 90,000 = 110,000; 95,000 − 90,000 =
	// 5,000) = 5,000.00: the policy's maximum liability caps it.
	if c := approve(c4); c.Indemnity != "5000.00" || c.AvailableCover != "5000.00" {
		t.Errorf("C4 approved %+v", c)
	}
	// C2: min(36,000.00; revised limit 30,000 − 0) = 30,000.00: the limit caps it.
	if c := approve(c2); c.Indemnity != "30000.00" || c.AvailableCover != "30000.00" {
		t.Errorf("C2 approved %+v", c)
	}
	// C3: the Rotterdam limit has 30,000 − 30,000 = 0 left.
	_, err = f.C.ApproveClaim(f.Ctx, f.insurer.Identity, c3.ID, "")
	wantCode(t, err, "RULE_VIOLATION")
	f.OK(f.C.RejectClaim(f.Ctx, f.insurer.Identity, c3.ID, "limit exhausted"))

	f.setDay("2026-09-02")
	_, err = f.C.PayClaim(f.Ctx, f.insurer.Identity, c4.ID, "2026-08-31")
	wantCode(t, err, "RULE_VIOLATION") // before the approval
	pay := func(c api.Claim) api.ClaimPayment {
		Result(f.T, &c)(f.C.PayClaim(f.Ctx, f.insurer.Identity, c.ID, "2026-09-02"))
		if c.Status != "PAID" || c.Payment == nil {
			t.Fatalf("paid claim %+v", c)
		}
		return *c.Payment
	}
	// C1 → the bank, which financed S1. Interest on 70,000.00 at 6% from
	// 2026-04-01 to 2026-09-02 (154 days): 70,000 × 0.06 × 154 / 360 =
	// 1,796.666… → 1,796.67; payoff 71,796.67; the surplus 90,000.00 −
	// 71,796.67 = 18,203.33 goes to the exporter.
	want1 := api.ClaimPayment{PaymentDate: "2026-09-02", Beneficiary: f.bank.CreditCode, FinancingID: fin1.ID,
		ToInterest: "1796.67", ToPrincipal: "70000.00", ToBank: "71796.67", ToInsured: "18203.33"}
	if got := pay(c1); got != want1 {
		t.Errorf("C1 payment %+v, want %+v", got, want1)
	}
	// C4 → the exporter (not assigned): all 5,000.00.
	want4 := api.ClaimPayment{PaymentDate: "2026-09-02", Beneficiary: f.trader.CreditCode, ToInterest: "0.00", ToPrincipal: "0.00", ToBank: "0.00", ToInsured: "5000.00"}
	if got := pay(c4); got != want4 {
		t.Errorf("C4 payment %+v, want %+v", got, want4)
	}
	// C2 → the bank: interest 30,000 × 0.0435 × 154 / 360 = 558.25, then
	// principal 30,000.00 − 558.25 = 29,441.75; nothing left over; the
	// financing still owes 558.25.
	want2 := api.ClaimPayment{PaymentDate: "2026-09-02", Beneficiary: f.bank.CreditCode, FinancingID: fin2.ID,
		ToInterest: "558.25", ToPrincipal: "29441.75", ToBank: "30000.00", ToInsured: "0.00"}
	if got := pay(c2); got != want2 {
		t.Errorf("C2 payment %+v, want %+v", got, want2)
	}

	v1 := f.getFinancing(f.bank, fin1.ID, "2026-09-02")
	last := v1.Postings[len(v1.Postings)-1]
	if v1.PrincipalOutstanding != "0.00" || v1.InterestUnpaid != "0.00" || v1.AsOf.Payoff != "0.00" || v1.InterestPaid != "1796.67" ||
		last.Kind != "CLAIM_PROCEEDS" || last.Days != 154 || last.Amount != "71796.67" || last.OnTime != nil {
		t.Errorf("financing 1 after the claim: %+v last posting %+v", v1.Financing, last)
	}
	v2 := f.getFinancing(f.bank, fin2.ID, "2026-09-02")
	if v2.Status != "ACTIVE" || v2.PrincipalOutstanding != "558.25" || v2.InterestUnpaid != "0.00" || v2.PrincipalRepaid != "29441.75" {
		t.Errorf("financing 2 after the claim: %+v", v2.Financing)
	}
	// Fully repaid by the claim, financing 1 closed in the claim's
	// transaction and freed S1.
	if v1 := f.getFinancing(f.bank, fin1.ID, "2026-09-02"); v1.Status != "CLOSED" {
		t.Errorf("financing 1 after the claim: %s", v1.Status)
	}
	if s := f.shipment(f.trader.Identity, s1.ID); s.Status != "INDEMNIFIED" || s.FinancingID != "" || s.ClaimID != c1.ID {
		t.Errorf("S1 at the end: %+v", s)
	}

	// What is left on the limits and policies: S6's 23,333.33 on Hamburg
	// (S1 and S4 released when their claims were paid); S3's 10,000.00 on
	// Rotterdam (its claim was rejected).
	if l := f.creditLimit(l1.ID); l.Used != "23333.33" || l.Indemnified != "95000.00" {
		t.Errorf("limit 1 at the end: %+v", l)
	}
	if l := f.creditLimit(l2.ID); l.Used != "10000.00" || l.Indemnified != "30000.00" {
		t.Errorf("limit 2 at the end: %+v", l)
	}
	var p api.Policy
	Into(f.T, &p)(f.C.GetPolicy(f.Ctx, f.trader.Identity, p1.ID))
	if p.Indemnified != "95000.00" {
		t.Errorf("policy 1 indemnified %s", p.Indemnified)
	}
	// Three claims paid on the exporter's shipments: 90,000 + 5,000 +
	// 30,000 = 125,000.00; three claims make its grade C.
	g := f.grade(f.trader.CreditCode)
	if g.Record.Claims.Count != 3 || g.Record.Claims.Amounts[0] != (api.Money{Amount: "125000.00", Currency: "USD"}) || g.Grade != "C" || g.LTVFactor != "0.8" {
		t.Errorf("trader's grade after the claims: %+v record %+v", g, g.Record)
	}
	// Claims are listed to their parties: the bank sees the two it was paid.
	var bankClaims []api.Claim
	Into(f.T, &bankClaims)(f.C.ListClaims(f.Ctx, f.bank.Identity))
	if len(bankClaims) != 2 {
		t.Errorf("bank lists %d claims", len(bankClaims))
	}
}

func TestInsuranceDeclarationRules(t *testing.T) {
	f := newInsFix(t)
	b := f.overseasBuyer()
	l := f.limit(b, "100000.00", "USD")
	lCNY := f.limit(f.overseasBuyer(), "100000.00", "CNY")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"})
	other := f.Enterprise(PlatformMSP, "另一出口商", api.KindExporter)
	insurer2 := f.Enterprise(InsurerMSP, "另一保险公司", api.KindInsurer)
	var foreign api.CreditLimitView
	Result(f.T, &foreign)(f.C.SetCreditLimit(f.Ctx, insurer2.Identity, insLimitInput(f.trader.CreditCode, b, "1000.00", "USD", "2026-04-01", "2027-03-31")))
	shipped := f.shippedLot("10")
	notShipped := f.lot("10")
	ok := insShip{policy: p.ID, limit: l.ID, amount: "1000.00", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{shipped}}
	first := f.shipmentInput(ok, "DUP-1")
	f.OK(f.C.DeclareShipment(f.Ctx, f.trader.Identity, first))
	var firstIn map[string]any
	_ = json.Unmarshal([]byte(trJSON(first)), &firstIn)

	mod := func(change func(*insShip)) string {
		s := ok
		change(&s)
		return trJSON(f.shipmentInput(s, f.nextInvoice()))
	}
	raw := func(change func(map[string]any)) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(trJSON(f.shipmentInput(ok, f.nextInvoice()))), &m)
		change(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	tests := []struct {
		name string
		as   *Member
		in   string
		want string
	}{
		{"lot never shipped", f.trader, mod(func(s *insShip) { s.lots = []string{notShipped} }), "RULE_VIOLATION"},
		{"one of two lots not shipped", f.trader, mod(func(s *insShip) { s.lots = []string{shipped, notShipped} }), "RULE_VIOLATION"},
		{"no lots", f.trader, mod(func(s *insShip) { s.lots = nil }), "INVALID_ARGUMENT"},
		{"before the policy term", f.trader, mod(func(s *insShip) { s.shipDate = "2026-03-31" }), "RULE_VIOLATION"},
		{"shipped tomorrow", f.trader, mod(func(s *insShip) { s.shipDate, s.dueDate = "2026-04-02", "2026-06-30" }), "RULE_VIOLATION"},
		{"credit period of 181 days", f.trader, mod(func(s *insShip) { s.dueDate = "2026-09-29" }), "RULE_VIOLATION"},
		{"due before shipped", f.trader, mod(func(s *insShip) { s.dueDate = "2026-03-01" }), "INVALID_ARGUMENT"},
		{"three decimals", f.trader, mod(func(s *insShip) { s.amount = "1.001" }), "INVALID_ARGUMENT"},
		{"zero invoice", f.trader, mod(func(s *insShip) { s.amount = "0" }), "INVALID_ARGUMENT"},
		{"limit in CNY", f.trader, mod(func(s *insShip) { s.limit = lCNY.ID }), "RULE_VIOLATION"},
		{"another insurer's limit", f.trader, mod(func(s *insShip) { s.limit = foreign.ID }), "RULE_VIOLATION"},
		{"unknown policy", f.trader, mod(func(s *insShip) { s.policy = "PO-2026-0000000000000000" }), "NOT_FOUND"},
		{"malformed limit id", f.trader, mod(func(s *insShip) { s.limit = "L1" }), "INVALID_ARGUMENT"},
		{"someone else's policy", other, mod(func(s *insShip) {}), "FORBIDDEN"},
		{"customs number of 17 digits", f.trader, raw(func(m map[string]any) { m["customsDeclarationNo"] = "51682026100000001" }), "INVALID_ARGUMENT"},
		{"same customs declaration", f.trader, raw(func(m map[string]any) { m["customsDeclarationNo"] = firstIn["customsDeclarationNo"] }), "ALREADY_EXISTS"},
		{"same invoice", f.trader, raw(func(m map[string]any) { m["invoiceNumber"] = "DUP-1" }), "ALREADY_EXISTS"},
		{"invoice with a space", f.trader, raw(func(m map[string]any) { m["invoiceNumber"] = "A 1" }), "INVALID_ARGUMENT"},
		{"unknown field", f.trader, raw(func(m map[string]any) { m["vessel"] = "COSCO" }), "INVALID_ARGUMENT"},
		{"above the limit", f.trader, mod(func(s *insShip) { s.amount = "99000.01" }), "LIMIT_EXCEEDED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Submit(tc.as.Identity, api.TxDeclareShipment, tc.in)
			wantCode(t, err, tc.want)
		})
	}

	// Invoice far from the customs value: declared, and flagged
	// (|10,000 − 8,000| = 2,000 > 20% of 8,000 = 1,600).
	s := f.declare(insShip{policy: p.ID, limit: l.ID, amount: "10000.00", customsValue: "8000.00", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{shipped}})
	if !slices.Equal(s.RiskFlags, []string{"VALUE_MISMATCH"}) || s.Premium != "40.00" {
		t.Errorf("mismatched shipment: flags %v premium %s", s.RiskFlags, s.Premium)
	}
	var flags []api.RiskFlag
	Into(f.T, &flags)(f.C.GetRiskFlags(f.Ctx, f.bank.Identity, "shipment", s.ID))
	if len(flags) != 1 || flags[0].Code != "VALUE_MISMATCH" || flags[0].Resolved {
		t.Errorf("flags %+v", flags)
	}
	// |10,000 − 8,333.34| = 1,666.66 ≤ 20% of 8,333.34 = 1,666.668: not flagged.
	s = f.declare(insShip{policy: p.ID, limit: l.ID, amount: "10000.00", customsValue: "8333.34", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{shipped}})
	if len(s.RiskFlags) != 0 {
		t.Errorf("invoice within 20%% of the customs value flagged: %v", s.RiskFlags)
	}
}

// Ten declarations of 30,000.00 at once against a 100,000.00 limit: the
// limit is read and written by each, so they cannot overspend it. After
// resubmitting the ones invalidated by MVCC, exactly three are declared.
func TestInsuranceConcurrentDeclarations(t *testing.T) {
	f := newInsFix(t)
	l := f.limit(f.overseasBuyer(), "100000.00", "USD")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"})
	lot := f.shippedLot("10")
	const n = 10
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = trJSON(f.shipmentInput(insShip{policy: p.ID, limit: l.ID, amount: "30000.00", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{lot}}, f.nextInvoice()))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range inputs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errs[i] = f.Submit(f.trader.Identity, api.TxDeclareShipment, inputs[i])
		}(i)
	}
	close(start)
	wg.Wait()
	codes := map[string]int{}
	for i, err := range errs {
		code := Code(err)
		for code == "MVCC_READ_CONFLICT" {
			_, err = f.Submit(f.trader.Identity, api.TxDeclareShipment, inputs[i])
			code = Code(err)
		}
		codes[code]++
	}
	if codes[""] != 3 || codes["LIMIT_EXCEEDED"] != 7 {
		t.Fatalf("outcomes %v, want 3 declared and 7 LIMIT_EXCEEDED", codes)
	}
	if got := f.creditLimit(l.ID); got.Used != "90000.00" || got.Available != "10000.00" {
		t.Fatalf("limit %+v", got)
	}
}

func TestInsuranceAssignmentsAndPolicyFinancing(t *testing.T) {
	f := newInsFix(t)
	l := f.limit(f.overseasBuyer(), "500000.00", "USD")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.8", premium: "0.004"})
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)
	s := f.declare(insShip{policy: p.ID, limit: l.ID, amount: "50000.00", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{f.shippedLot("5")}})

	// Not assigned yet: no POLICY financing.
	_, err := f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("POLICY", f.bank.CreditCode, "1000.00", "USD", s.ID))
	wantCode(t, err, "RULE_VIOLATION")
	var a, a2 api.Assignment
	Result(f.T, &a)(f.C.RequestAssignment(f.Ctx, f.trader.Identity, s.ID, f.bank.CreditCode, p.ID))
	Result(f.T, &a2)(f.C.RequestAssignment(f.Ctx, f.trader.Identity, s.ID, bank2.CreditCode, p.ID))
	if a.Status != "REQUESTED" || a.Bank != f.bank.CreditCode || a.ShipmentID != s.ID || a.Insurer != f.insurer.CreditCode {
		t.Fatalf("requested %+v", a)
	}
	_, err = f.C.RequestAssignment(f.Ctx, f.trader.Identity, s.ID, f.wh.CreditCode, p.ID)
	wantCode(t, err, "RULE_VIOLATION") // not a bank
	Result(f.T, &a)(f.C.AcceptAssignment(f.Ctx, f.insurer.Identity, a.ID))
	_, err = f.C.AcceptAssignment(f.Ctx, f.insurer.Identity, a2.ID)
	wantCode(t, err, "CONFLICT") // the proceeds already belong to the first bank
	_, err = f.C.RequestAssignment(f.Ctx, f.trader.Identity, s.ID, bank2.CreditCode, p.ID)
	wantCode(t, err, "CONFLICT")
	f.OK(f.C.RejectAssignment(f.Ctx, f.insurer.Identity, a2.ID, "already assigned"))

	// The bank sees the assigned shipment; the other bank does not.
	var list []api.ShipmentView
	Into(f.T, &list)(f.C.ListShipments(f.Ctx, f.bank.Identity, ""))
	if len(list) != 1 || list[0].ID != s.ID || list[0].Assignee != f.bank.CreditCode {
		t.Fatalf("bank's shipments %+v", list)
	}
	_, err = f.C.GetShipment(f.Ctx, bank2.Identity, s.ID)
	wantCode(t, err, "FORBIDDEN")

	// Assigned to the first bank: the second cannot lend against it.
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("POLICY", bank2.CreditCode, "1000.00", "USD", s.ID))
	wantCode(t, err, "RULE_VIOLATION")
	// Value 50,000.00 × 0.8 = 40,000.00; 30,000 is an LTV of 0.75.
	var fa, fb api.Financing
	Result(f.T, &fa)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("POLICY", f.bank.CreditCode, "30000.00", "USD", s.ID)))
	Result(f.T, &fb)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("POLICY", f.bank.CreditCode, "30000.00", "USD", s.ID)))
	if fa.Collateral[0].Valuation != "40000.00" || fa.Collateral[0].Status != "OFFERED" {
		t.Fatalf("applied %+v", fa.Collateral)
	}
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fa.ID, wrTerms("30000.00", "0.05", 60, "0.74"))
	wantCode(t, err, "LTV_EXCEEDED")
	Result(f.T, &fa)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fa.ID, wrTerms("30000.00", "0.05", 60, "0.75")))
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fb.ID, wrTerms("30000.00", "0.05", 60, "0.75"))
	wantCode(t, err, "ALREADY_FINANCED")
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("POLICY", f.bank.CreditCode, "1.00", "USD", s.ID))
	wantCode(t, err, "ALREADY_FINANCED")
	_, err = f.C.ReleaseAssignment(f.Ctx, f.bank.Identity, a.ID)
	wantCode(t, err, "CONFLICT") // not while financed
	// Closed before disbursement, the shipment is free again.
	f.OK(f.C.CloseFinancing(f.Ctx, f.bank.Identity, fa.ID))
	if got := f.shipment(f.trader.Identity, s.ID); got.FinancingID != "" || got.Assignee != f.bank.CreditCode {
		t.Fatalf("after close %+v", got)
	}
	f.OK(f.C.RejectFinancing(f.Ctx, f.bank.Identity, fb.ID, "duplicate"))
	Result(f.T, &a)(f.C.ReleaseAssignment(f.Ctx, f.bank.Identity, a.ID))
	if got := f.shipment(f.trader.Identity, s.ID); a.Status != "RELEASED" || got.Assignee != "" {
		t.Fatalf("released %+v shipment %+v", a, got)
	}

	// A buyer payment recorded by the assignee bank on a financed shipment
	// is the buyer paying the bank: it stays a plain payment here (only
	// claims and receivable collections repay financings); the insured
	// repays the loan itself.
	f.assign(s.ID, bank2)
	fin := f.finance("POLICY", bank2, "20000.00", "USD", trJSON(wrTerms("20000.00", "0.05", 60, "0.8")), s.ID)
	f.OK(f.C.RecordShipmentPayment(f.Ctx, bank2.Identity, s.ID, "50000.00", f.day()))
	if got := f.shipment(bank2.Identity, s.ID); got.Status != "PAID" {
		t.Fatalf("paid shipment %+v", got)
	}
	f.OK(f.C.RecordRepayment(f.Ctx, f.trader.Identity, fin.ID, "20000.00", f.day()))
	// The payoff closed it.
	if v := f.getFinancing(bank2, fin.ID, f.day()); v.Status != "CLOSED" {
		t.Errorf("after the payoff: %s", v.Status)
	}
}
