package contracttest

// Attack probes (review of governance, write binding, the encumbrance
// register and collateral alerts). Each TestAtk* test states what the
// design promises and fails while the chaincode breaks that promise.

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// atkLot commissions lot of gtin by the fixture's producer.
func (f *wrFix) atkLot(gtin, lot, qty string) {
	f.T.Helper()
	f.OK(f.C.CommissionLot(f.Ctx, f.producer.Identity, api.LotInput{
		GTIN: gtin, Lot: lot, Date: f.today().AddDate(0, 0, -1).Format("2006-01-02"),
		Quantity: qty, Unit: "kg",
		Origin: api.Origin{Place: "英德市英红镇", Latitude: "24.1856", Longitude: "113.4049", Country: "CN"},
	}))
}

// atkEvent records an ObjectEvent on lots of gtin by m.
func (f *wrFix) atkEvent(by *Member, step, gtin string, lots []string, extra map[string]any) (string, error) {
	refs := []map[string]string{}
	for _, l := range lots {
		refs = append(refs, map[string]string{"gtin": gtin, "lot": l})
	}
	m := map[string]any{"type": "ObjectEvent", "bizStep": step, "eventTime": f.today().Add(-time.Minute).Format(time.RFC3339Nano), "lots": refs}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	c, err := f.Submit(by.Identity, api.TxRecordEvent, string(b))
	if err != nil {
		return "", err
	}
	return string(c.Payload), nil
}

// atkReceiptOf has the warehouse receive the producer's lot and issue a
// receipt for qty of it to holder.
func (f *wrFix) atkReceiptOf(holder *Member, gtin, lot, qty, amount string) api.Receipt {
	f.T.Helper()
	f.OK(f.C.HandOver(f.Ctx, f.producer.Identity, gtin, lot, f.wh.CreditCode))
	if _, err := f.atkEvent(f.wh, "receiving", gtin, []string{lot}, nil); err != nil {
		f.T.Fatal(err)
	}
	var r api.Receipt
	Result(f.T, &r)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(gtin, lot, qty, amount, "CNY", holder.CreditCode)))
	return r
}

func (f *wrFix) atkChilled(seq int) string {
	f.T.Helper()
	g := wrGTIN(f.T, seq)
	f.OK(f.C.CreateProduct(f.Ctx, f.producer.Identity, api.ProductInput{GTIN: g, NameZh: "清远鸡冰鲜", NameEn: "Chilled chicken", Category: "poultry", GIStatus: "NONE", StorageMinC: "0", StorageMaxC: "4"}))
	return g
}

func (f *wrFix) atkReading(min, max string) []map[string]string {
	return []map[string]string{{"from": f.today().Add(-3 * time.Hour).Format(time.RFC3339), "to": f.today().Add(-2 * time.Hour).Format(time.RFC3339), "type": "temperature", "minValue": min, "maxValue": max, "uom": "CEL"}}
}

// ---------------------------------------------------------------------
// F1. AddCollateral takes a receipt whose goods are recalled at full
// value: the borrower escapes a recall margin call with recalled goods.
func TestAtkAddCollateralRecalledReceiptEndsMarginCall(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	r1 := f.receipt(f.trader, "1000", "100000.00", "CNY")
	r2 := f.receipt(f.trader, "500", "50000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "80000.00", "CNY", r1.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, api.FinancingTerms{Principal: "80000.00", AnnualRate: "0.05", TermDays: 90, MaxLTV: "0.8", Haircuts: &api.Haircuts{Recall: "0.5"}}))
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01"))
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, f.gtin, r1.Lot, "复检不合格"))
	// r2's goods are recalled too (not pledged yet, so no alert anywhere).
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, f.gtin, r2.Lot, "复检不合格"))
	// The same receipt would be RISK_BLOCKED in a new approval:
	fin2 := f.apply(f.trader, f.bank, "1000.00", "CNY", r2.ID)
	_, err := f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin2.ID, wrTerms("1000.00", "0.05", 90, "0.6"))
	wantCode(t, err, "RISK_BLOCKED")
	f.OK(f.C.WithdrawFinancing(f.Ctx, f.trader.Identity, fin2.ID))
	// ... but AddCollateral takes it at its full 50,000.00.
	var topped api.Financing
	_, err = f.do(&topped, f.trader.Identity, api.TxAddCollateral, fin.ID, r2.ID)
	if err == nil && topped.Status != "MARGIN_CALL" {
		t.Fatalf("recalled receipt %s ended the margin call: status %s adjusted %s", r2.ID, topped.Status, topped.AdjustedCollateralValue)
	}
}

// ---------------------------------------------------------------------
// F2. collateralAlerts reloads the financing from committed state for
// every register entry, so a second alert on the same financing in one
// transaction overwrites the first (Fabric has no read-your-writes).
func TestAtkOneExcursionOnTwoPledgedLotsLosesAnAlert(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	g := f.atkChilled(60)
	f.atkLot(g, "CKA", "1000")
	f.atkLot(g, "CKB", "1000")
	ra := f.atkReceiptOf(f.trader, g, "CKA", "1000", "100000.00")
	rb := f.atkReceiptOf(f.trader, g, "CKB", "1000", "100000.00")
	fin := f.apply(f.trader, f.bank, "150000.00", "CNY", ra.ID, rb.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, api.FinancingTerms{Principal: "150000.00", AnnualRate: "0.05", TermDays: 90, MaxLTV: "0.8", Haircuts: &api.Haircuts{Excursion: "0.2"}}))
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01"))
	f.setDay("2026-04-02")
	// One reefer, one reading, both lots.
	if _, err := f.atkEvent(f.wh, "sensor_reporting", g, []string{"CKA", "CKB"}, map[string]any{"sensorReadings": f.atkReading("2", "9")}); err != nil {
		t.Fatal(err)
	}
	v := f.getFinancing(f.bank, fin.ID, "2026-04-02")
	// Both collaterals lose 20%: 160,000.00; allowed 128,000.00 < 150,000.00.
	if len(v.Alerts) != 2 || v.AdjustedCollateralValue != "160000.00" || v.Status != "MARGIN_CALL" {
		t.Fatalf("alerts %d adjusted %s status %s; want 2 alerts, 160000.00, MARGIN_CALL", len(v.Alerts), v.AdjustedCollateralValue, v.Status)
	}
}

// F2b. The same through a recall of an upstream lot both pledged lots
// were made from.
func TestAtkUpstreamRecallOfTwoPledgedLotsLosesAnAlert(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	leaf := wrGTIN(t, 61)
	f.product(f.producer, leaf)
	f.atkLot(leaf, "LEAF1", "5000")
	f.atkLot(f.gtin, "TEAA", "1000")
	f.atkLot(f.gtin, "TEAB", "1000")
	for _, out := range []string{"TEAA", "TEAB"} {
		f.OK(f.C.RecordEvent(f.Ctx, f.producer.Identity, api.EventInput{Type: api.TransformationEvent, BizStep: "processing", EventTime: f.today().Add(-time.Minute).Format(time.RFC3339Nano),
			Inputs: []api.LotRef{{GTIN: leaf, Lot: "LEAF1", Quantity: "2000", Unit: "kg"}}, Outputs: []api.LotRef{{GTIN: f.gtin, Lot: out}}}))
	}
	ra := f.atkReceiptOf(f.trader, f.gtin, "TEAA", "1000", "100000.00")
	rb := f.atkReceiptOf(f.trader, f.gtin, "TEAB", "1000", "100000.00")
	fin := f.apply(f.trader, f.bank, "150000.00", "CNY", ra.ID, rb.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, api.FinancingTerms{Principal: "150000.00", AnnualRate: "0.05", TermDays: 90, MaxLTV: "0.8", Haircuts: &api.Haircuts{Recall: "0.5"}}))
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, leaf, "LEAF1", "农残超标"))
	v := f.getFinancing(f.bank, fin.ID, "")
	if len(v.Alerts) != 2 || v.AdjustedCollateralValue != "100000.00" {
		t.Fatalf("alerts %d adjusted %s; want 2 alerts and 100000.00", len(v.Alerts), v.AdjustedCollateralValue)
	}
}

// ---------------------------------------------------------------------
// F3. The alert cap (200 per financing) silently drops a later recall:
// the borrower who owns the goods records 200 mild excursions on its own
// lot (any ObjectEvent step it may record carries sensor readings), each
// a new alert with the small excursion haircut; the recall's 0.5 never
// applies.
func TestAtkAlertCapSwallowsRecall(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	g := f.atkChilled(62)
	f.atkLot(g, "CK1", "1000")
	// The producer is its own borrower: it holds the receipt.
	r := f.atkReceiptOf(f.producer, g, "CK1", "1000", "100000.00")
	fin := f.apply(f.producer, f.bank, "60000.00", "CNY", r.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, api.FinancingTerms{Principal: "60000.00", AnnualRate: "0.05", TermDays: 90, MaxLTV: "0.8", Haircuts: &api.Haircuts{Recall: "0.5", Excursion: "0.2"}}))
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01"))
	for i := 0; i < 200; i++ {
		// 0.8 × 80,000 = 64,000 ≥ 60,000: no margin call from these.
		ev := map[string]any{"sensorReadings": f.atkReading("1", fmt.Sprintf("4.%03d", i+1))}
		if _, err := f.atkEvent(f.producer, "processing", g, []string{"CK1"}, ev); err != nil {
			t.Fatalf("excursion %d: %v", i, err)
		}
	}
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, g, "CK1", "沙门氏菌检出"))
	v := f.getFinancing(f.bank, fin.ID, "")
	if v.Status != "MARGIN_CALL" {
		t.Fatalf("recall of the pledged lot after 200 self-made excursions: status %s, adjusted %s, %d alerts (want MARGIN_CALL at 50000.00)", v.Status, v.AdjustedCollateralValue, len(v.Alerts))
	}
}

// ---------------------------------------------------------------------
// F4. A recall reaches financings only 8 transformations down
// (maxAlertDepth), while approval's RECALLED_GOODS check looks 64 up. A
// borrower who processes in 9 steps is never reached by the recall of the
// raw material, though the same goods are RISK_BLOCKED for anyone else.
func TestAtkRecallNineStepsUpstreamNeverAlerts(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	prev := wrGTIN(t, 70)
	f.product(f.producer, prev)
	f.atkLot(prev, "RAW", "1000")
	prevLot := "RAW"
	for i := 1; i <= 9; i++ {
		g := wrGTIN(t, 70+i)
		if i == 9 {
			g = f.gtin
		}
		if i < 9 {
			f.product(f.producer, g)
		}
		lot := fmt.Sprintf("S%d", i)
		f.atkLot(g, lot, "1000")
		f.OK(f.C.RecordEvent(f.Ctx, f.producer.Identity, api.EventInput{Type: api.TransformationEvent, BizStep: "processing", EventTime: f.today().Add(-time.Minute).Format(time.RFC3339Nano),
			Inputs: []api.LotRef{{GTIN: prev, Lot: prevLot, Quantity: "1000", Unit: "kg"}}, Outputs: []api.LotRef{{GTIN: g, Lot: lot}}}))
		prev, prevLot = g, lot
	}
	r := f.atkReceiptOf(f.trader, f.gtin, "S9", "1000", "100000.00")
	fin := f.apply(f.trader, f.bank, "80000.00", "CNY", r.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, api.FinancingTerms{Principal: "80000.00", AnnualRate: "0.05", TermDays: 90, MaxLTV: "0.8"}))
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, wrGTIN(t, 70), "RAW", "农残超标"))
	v := f.getFinancing(f.bank, fin.ID, "")
	if len(v.Alerts) == 0 {
		t.Errorf("recall 9 steps upstream raised no alert (status %s); approval would have blocked the same goods", v.Status)
	}
}

// ---------------------------------------------------------------------
// F5. A transformation may consume "only the unencumbered part" of a lot,
// but each event is checked against the lot's full quantity: the owner
// consumes the free part again and again, eating the pledged goods.
func TestAtkRepeatedTransformationsEatPledgedGoods(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	lot := f.lot("1000")
	f.receive(f.wh, lot, "1000")
	var r api.Receipt
	Result(f.T, &r)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "600", "60000.00", "CNY", f.trader.CreditCode)))
	fin := f.apply(f.trader, f.bank, "40000.00", "CNY", r.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("40000.00", "0.05", 90, "0.8")))
	out := wrGTIN(t, 80)
	f.product(f.producer, out)
	var errs []error
	for i := 1; i <= 3; i++ {
		o := fmt.Sprintf("OUT%d", i)
		f.atkLot(out, o, "100")
		in, _ := json.Marshal(map[string]any{"type": "TransformationEvent", "bizStep": "processing", "eventTime": f.today().Add(-time.Duration(i) * time.Minute).Format(time.RFC3339Nano),
			"inputs": []map[string]string{{"gtin": f.gtin, "lot": lot, "quantity": "400", "unit": "kg"}}, "outputs": []map[string]string{{"gtin": out, "lot": o}}})
		_, err := f.Submit(f.producer.Identity, api.TxRecordEvent, string(in))
		errs = append(errs, err)
	}
	if errs[0] != nil {
		t.Fatalf("first 400 kg (free part): %v", errs[0])
	}
	if errs[1] == nil && errs[2] == nil {
		t.Fatalf("three transformations of 400 kg each consumed 1,200 kg of a 1,000 kg lot of which 600 kg back financing %s", fin.ID)
	}
}

// ---------------------------------------------------------------------
// F7. Goods under a live receipt can be shipped out by their owner (the
// receipt check applies to warehouse-kind shippers only), and handed to
// anyone: the ledger then shows the pledged goods leaving while the
// receipt stays PLEDGED.
func TestAtkOwnerShipsGoodsUnderPledgedReceipt(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	r := f.receipt(f.trader, "1000", "100000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "50000.00", "CNY", r.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("50000.00", "0.05", 90, "0.8")))
	buyer := f.Enterprise(PlatformMSP, "汕头茶叶出口", api.KindExporter)
	_, err := f.atkEvent(f.producer, "shipping", f.gtin, []string{r.Lot}, map[string]any{"destination": buyer.CreditCode})
	if err == nil {
		t.Errorf("the owner shipped lot %s out while receipt %s is pledged to %s", r.Lot, r.ID, fin.ID)
	}
}

// ---------------------------------------------------------------------
// F8. A receipt released from a financing and added back to it by
// AddCollateral leaves two collateral rows with one receipt id; finRelease
// finds the released row first and answers INTERNAL, so the financing can
// no longer be closed, its pledge no longer released, and its payoff
// repayment (which closes it) is refused: the encumbrance stays for good.
func TestAtkReaddedReceiptMakesFinancingUnclosable(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	r1 := f.receipt(f.trader, "1000", "100000.00", "CNY")
	r2 := f.receipt(f.trader, "500", "50000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "50000.00", "CNY", r1.ID, r2.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("50000.00", "0.05", 90, "0.8")))
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01"))
	f.OK(f.C.ReleasePledge(f.Ctx, f.bank.Identity, r2.ID))
	f.OK(f.C.AddCollateral(f.Ctx, f.trader.Identity, fin.ID, r2.ID))
	_, err := f.C.ReleasePledge(f.Ctx, f.bank.Identity, r2.ID)
	if Code(err) == "INTERNAL" {
		t.Errorf("ReleasePledge of the re-added receipt: %v", err)
	}
	_, err = f.C.RecordRepayment(f.Ctx, f.trader.Identity, fin.ID, "50000.00", "2026-04-01")
	if Code(err) == "INTERNAL" {
		t.Errorf("payoff repayment: %v", err)
	}
}

// ---------------------------------------------------------------------
// Held: governance. One organisation cannot move the regulator role or
// drop the others; approvals of the same org, non-admins and stale
// proposals do not count; a majority of 3 of 5 adopts.
func TestAtkGovernanceHeld(t *testing.T) {
	n := New(t)
	capture, _ := json.Marshal(map[string]any{"regulatorMsp": BankMSP, "orgs": []map[string]any{{"mspId": BankMSP, "kinds": []string{"bank", "regulator", "warehouse"}}}, "trustKinds": []string{}})
	c := n.MustSubmit(n.Admins[BankMSP], api.TxProposeGovernance, string(capture))
	var p api.GovernanceProposal
	json.Unmarshal(c.Payload, &p)
	if p.Status != "OPEN" {
		t.Fatalf("one org adopted %+v", p)
	}
	_, err := n.C.ApproveGovernance(n.Ctx, n.Admins[BankMSP], p.ID)
	wantCode(t, err, "CONFLICT")
	clerk := n.Enterprise(BankMSP, "clerk bank", "bank")
	_, err = n.C.ApproveGovernance(n.Ctx, clerk.Identity, p.ID)
	wantCode(t, err, "FORBIDDEN")
	n.OK(n.C.ApproveGovernance(n.Ctx, n.Admins[InsurerMSP], p.ID))
	// A competing proposal adopted first makes p stale.
	other, _ := json.Marshal(map[string]any{"regulatorMsp": RegulatorMSP, "orgs": []map[string]any{
		{"mspId": BankMSP, "kinds": []string{"bank"}}, {"mspId": InsurerMSP, "kinds": []string{"insurer"}}, {"mspId": PlatformMSP, "kinds": []string{"producer"}},
		{"mspId": RegulatorMSP, "kinds": []string{"inspector", "regulator"}}, {"mspId": WarehouseMSP, "kinds": []string{"warehouse"}}}, "trustKinds": []string{"bank", "regulator", "warehouse", "insurer", "inspector"}})
	c = n.MustSubmit(n.Admins[PlatformMSP], api.TxProposeGovernance, string(other))
	var q api.GovernanceProposal
	json.Unmarshal(c.Payload, &q)
	n.OK(n.C.ApproveGovernance(n.Ctx, n.Admins[WarehouseMSP], q.ID))
	n.OK(n.C.ApproveGovernance(n.Ctx, n.Admins[RegulatorMSP], q.ID))
	_, err = n.C.ApproveGovernance(n.Ctx, n.Admins[PlatformMSP], p.ID)
	wantCode(t, err, "CONFLICT")
	var g api.Governance
	Into(n.T, &g)(n.C.GetGovernance(n.Ctx, n.Admins[BankMSP]))
	if g.Version != 1 || g.RegulatorMSP != RegulatorMSP {
		t.Fatalf("governance %+v", g)
	}
}

// ---------------------------------------------------------------------
// Held: kinds and custody.
func TestAtkKindsAndCustodyHeld(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	// A bank admin granting a kind to a platform enterprise; registering a
	// warehouse; binding a platform identity.
	_, err := f.C.GrantKind(f.Ctx, f.Admins[BankMSP], f.trader.CreditCode, "bank")
	wantCode(t, err, "FORBIDDEN")
	in, _ := json.Marshal(map[string]any{"creditCode": CreditCode(t, 900), "name": "fake wh", "kinds": []string{"warehouse"}})
	_, err = f.Submit(f.Admins[BankMSP], api.TxRegisterEnterprise, string(in))
	wantCode(t, err, "KIND_NOT_GRANTABLE")
	b, _ := json.Marshal(map[string]string{"id": f.trader.ID(), "label": "x"})
	_, err = f.Submit(f.Admins[BankMSP], api.TxBindMember, f.bank.CreditCode, string(b))
	wantCode(t, err, "FORBIDDEN")
	// A bank approving its own bank kind.
	code := f.Register(BankMSP, "second bank", "bank")
	_, err = f.C.ApproveKind(f.Ctx, f.bank.Identity, code, "bank")
	wantCode(t, err, "FORBIDDEN")
	// A revoked regulator stops approving in the next transaction.
	f.OK(f.C.RevokeKind(f.Ctx, f.Admins[RegulatorMSP], f.reg.CreditCode, "regulator", "test"))
	_, err = f.C.ApproveKind(f.Ctx, f.reg.Identity, code, "bank")
	wantCode(t, err, "FORBIDDEN")

	// A -> B -> C: the giver loses custody each time.
	lot := f.lot("100")
	logi := f.Enterprise(WarehouseMSP, "清远冷链物流", api.KindLogistics)
	f.receive(f.wh, lot, "100")
	f.OK(f.C.HandOver(f.Ctx, f.wh.Identity, f.gtin, lot, logi.CreditCode))
	_, err = f.atkEvent(f.wh, "storing", f.gtin, []string{lot}, nil)
	wantCode(t, err, "NOT_CUSTODIAN")
	f.OK(f.C.HandOver(f.Ctx, logi.Identity, f.gtin, lot, f.trader.CreditCode))
	_, err = f.atkEvent(logi, "departing", f.gtin, []string{lot}, nil)
	wantCode(t, err, "NOT_CUSTODIAN")
	if _, err = f.atkEvent(f.trader, "receiving", f.gtin, []string{lot}, nil); err != nil {
		t.Fatal(err)
	}
	// The trader ships it with a destination: its custody ends.
	if _, err = f.atkEvent(f.trader, "shipping", f.gtin, []string{lot}, map[string]any{"destination": logi.CreditCode}); err != nil {
		t.Fatal(err)
	}
	_, err = f.atkEvent(f.trader, "receiving", f.gtin, []string{lot}, nil)
	wantCode(t, err, "NOT_CUSTODIAN")
	// Capture window.
	old := map[string]any{"eventTime": f.today().Add(-8 * 24 * time.Hour).Format(time.RFC3339)}
	_, err = f.atkEvent(f.producer, "processing", f.gtin, []string{lot}, old)
	wantCode(t, err, "EVENT_TOO_OLD")
	sr := []map[string]string{{"from": f.today().Add(-8 * 24 * time.Hour).Format(time.RFC3339), "to": f.today().Add(-time.Hour).Format(time.RFC3339), "type": "temperature", "minValue": "1", "maxValue": "2", "uom": "CEL"}}
	_, err = f.atkEvent(f.producer, "processing", f.gtin, []string{lot}, map[string]any{"sensorReadings": sr})
	wantCode(t, err, "EVENT_TOO_OLD")
	fut := map[string]any{"eventTime": f.today().Add(11 * time.Minute).Format(time.RFC3339)}
	_, err = f.atkEvent(f.producer, "processing", f.gtin, []string{lot}, fut)
	wantCode(t, err, "INVALID_ARGUMENT")
}

// ---------------------------------------------------------------------
// Sweep: odd client input must never yield INTERNAL.
func TestAtkNoInternalFromInput(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	calls := []struct {
		who  *Member
		fn   api.Tx
		args []string
	}{
		{f.bank, api.TxGetEncumbrances, []string{"x", "y"}},
		{f.bank, api.TxGetEncumbrances, []string{f.gtin, "NOPE"}},
		{f.bank, api.TxAddCollateral, []string{"F-x", "WR-y"}},
		{f.trader, api.TxAddCollateral, []string{"F-2026-0000000000000001", "WR-2026-0000000000000001"}},
		{f.producer, api.TxHandOver, []string{f.gtin, "NOPE", f.trader.CreditCode}},
		{f.producer, api.TxHandOver, []string{f.gtin, "NOPE", "bad"}},
		{f.producer, api.TxRecordEvent, []string{`{"type":"ObjectEvent","bizStep":"shipping","eventTime":"2026-04-01T09:59:00+08:00","lots":[{"gtin":"` + f.gtin + `","lot":"NOPE"}],"destination":"91441800MA5000001X"}`}},
		{f.producer, api.TxRecordEvent, []string{`{"type":"ObjectEvent","bizStep":"processing","eventTime":"2026-04-01T09:59:00+08:00","lots":[],"items":[{"gtin":"` + f.gtin + `","serial":"nope"}]}`}},
		{f.producer, api.TxRecordEvent, []string{`{"type":"AggregationEvent","action":"DELETE","bizStep":"packing","eventTime":"2026-04-01T09:59:00+08:00","parent":{"sscc":"106141411234567897"},"childLots":[{"gtin":"` + f.gtin + `","lot":"NOPE"}]}`}},
		{f.producer, api.TxRecordEvent, []string{`{"type":"TransformationEvent","bizStep":"processing","eventTime":"2026-04-01T09:59:00+08:00","inputs":[{"gtin":"` + f.gtin + `","lot":"NOPE","quantity":"1e400","unit":"kg"}],"outputs":[{"gtin":"` + f.gtin + `","lot":"NOPE2"}]}`}},
		{f.producer, api.TxRecordEvent, []string{`{"type":"ObjectEvent","bizStep":"processing","eventTime":"2026-04-01T09:59:00+08:00","lots":[{"gtin":"` + f.gtin + `","lot":"NOPE"}],"sensorReadings":[{"from":"2026-04-01T09:00:00+08:00","to":"2026-04-01T09:30:00+08:00","type":"temperature","minValue":"1e9","maxValue":"NaN","uom":"CEL"}]}`}},
		{f.reg, api.TxApproveGovernance, []string{"ABC"}},
		{f.reg, api.TxGetGovernanceProposal, []string{"0000000000000000000000000000000000000000000000000000000000000000"}},
		{f.reg, api.TxGetEnterpriseHistory, []string{"x"}},
		{f.reg, api.TxRecallLot, []string{f.gtin, "NOPE", "r"}},
	}
	for i, c := range calls {
		if _, err := f.Submit(c.who.Identity, c.fn, c.args...); Code(err) == "INTERNAL" || Code(err) == "" && err != nil {
			t.Errorf("%d %s: %v", i, c.fn, err)
		}
	}
	for _, fn := range []api.Tx{api.TxProposeGovernance} {
		for _, a := range []string{`{}`, `{"orgs":[{"mspId":"A"}],"regulatorMsp":"A"}`, `{"orgs":[{"mspId":"A","kinds":["regulator"]}],"regulatorMsp":"A","trustKinds":["nope"]}`, `null`, `[]`} {
			if _, err := f.Submit(f.Admins[BankMSP], fn, a); Code(err) == "INTERNAL" {
				t.Errorf("%s %s: %v", fn, a, err)
			}
		}
	}
}

// ---------------------------------------------------------------------
// F9. A receivable may name any lot on the ledger, held or not: once a
// bank finances it (NO_SHIPPING_EVENT only warns), the stranger's whole
// lot is encumbered, so its owner can neither finance its own goods nor
// process them.
func TestAtkReceivableOnStrangersLotEncumbersIt(t *testing.T) {
	f := newInsFix(t)
	f.setDay("2026-04-01")
	lot := f.lot("1000") // the producer's, never handed to the trader
	var rv api.ReceivableView
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: "ATK-0001", amount: "30000.00", currency: "CNY",
		issue: f.day(), due: f.dayPlus(60), lots: []string{lot},
	})))
	f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID))
	var fin api.Financing
	Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "10000.00", "CNY", rv.ID)))
	terms, _ := json.Marshal(map[string]any{"principal": "10000.00", "annualRate": "0.05", "termDays": 90, "maxLtv": "0.8", "registrationNo": f.encRegistration()})
	_, err := f.Submit(f.bank.Identity, api.TxApproveFinancing, fin.ID, string(terms))
	if err != nil {
		t.Logf("approval refused: %v (held)", err)
		return
	}
	// The owner's own processing of its own goods is now refused.
	out := wrGTIN(t, 95)
	f.product(f.producer, out)
	f.atkLot(out, "P1", "10")
	in, _ := json.Marshal(map[string]any{"type": "TransformationEvent", "bizStep": "processing", "eventTime": f.today().Add(-time.Minute).Format(time.RFC3339Nano),
		"inputs": []map[string]string{{"gtin": f.gtin, "lot": lot, "quantity": "10", "unit": "kg"}}, "outputs": []map[string]string{{"gtin": out, "lot": "P1"}}})
	_, err = f.Submit(f.producer.Identity, api.TxRecordEvent, string(in))
	t.Errorf("a receivable of %s (never custodian of lot %s) was financed and encumbers the whole lot; the owner's processing now answers %q", f.trader.CreditCode, lot, Code(err))
}

// An exporter cannot insure a loss it may already know of: a shipment
// whose payment is already due is not declared.
func TestAtkDeclareAfterPaymentDue(t *testing.T) {
	f := newInsFix(t)
	f.setDay("2026-06-01")
	lot := f.shippedLot("100")
	pol := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.006", waitingDays: 10})
	lim := f.limit(f.overseasBuyer(), "100000.00", "USD")
	in := f.shipmentInput(insShip{policy: pol.ID, limit: lim.ID, amount: "10000.00", shipDate: "2026-04-20", dueDate: "2026-05-20", lots: []string{lot}}, f.nextInvoice())
	_, err := f.C.DeclareShipment(f.Ctx, f.trader.Identity, in)
	wantCode(t, err, "RULE_VIOLATION")
	in = f.shipmentInput(insShip{policy: pol.ID, limit: lim.ID, amount: "10000.00", shipDate: "2026-05-25", dueDate: "2026-07-20", lots: []string{lot}}, f.nextInvoice())
	f.OK(f.C.DeclareShipment(f.Ctx, f.trader.Identity, in))
}

// ---------------------------------------------------------------------
// F6. Goods packed (aggregated) into another lot's gift boxes escape a
// recall: the walk follows transformations only, so a pledged lot of gift
// boxes full of recalled tins gets no alert, and is not blocked at
// approval either.
func TestAtkRecallOfTinsInPledgedGiftBoxes(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	tins, boxes := wrGTIN(t, 90), wrGTIN(t, 91)
	f.product(f.producer, tins)
	f.product(f.producer, boxes)
	f.atkLot(tins, "TIN1", "2")
	f.atkLot(boxes, "BOX1", "1")
	f.OK(f.C.CommissionItems(f.Ctx, f.producer.Identity, tins, "TIN1", []string{"T0001", "T0002"}))
	f.OK(f.C.CommissionItems(f.Ctx, f.producer.Identity, boxes, "BOX1", []string{"B0001"}))
	f.OK(f.C.RecordEvent(f.Ctx, f.producer.Identity, api.EventInput{Type: api.AggregationEvent, Action: "ADD", BizStep: "packing", EventTime: f.today().Add(-time.Minute).Format(time.RFC3339Nano),
		Parent: &api.ParentInput{GTIN: boxes, Serial: "B0001"}, ChildItems: []api.ItemRef{{GTIN: tins, Serial: "T0001"}, {GTIN: tins, Serial: "T0002"}}}))
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, tins, "TIN1", "铅超标"))
	// The shopper's trace of the box shows the recall ...
	var doc api.TraceDocument
	Into(f.T, &doc)(f.C.GetTrace(f.Ctx, f.reg.Identity, boxes, "BOX1", "B0001"))
	docJSON, _ := json.Marshal(doc)
	t.Logf("box trace mentions the recall: %v", json.Valid(docJSON) && len(doc.Recalls) > 0)
	// ... and so does the ledger for the lot: no receipt on the boxes.
	f.atkCustody(boxes, "BOX1")
	_, err := f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(boxes, "BOX1", "1", "100000.00", "CNY", f.trader.CreditCode))
	if Code(err) != "RECALLED" {
		t.Errorf("a receipt on gift boxes of recalled tins: %v (shopper trace recalls: %d)", err, len(doc.Recalls))
	}
}

// atkCustody has the producer hand a lot to the warehouse, which receives it.
func (f *wrFix) atkCustody(gtin, lot string) {
	f.T.Helper()
	f.OK(f.C.HandOver(f.Ctx, f.producer.Identity, gtin, lot, f.wh.CreditCode))
	if _, err := f.atkEvent(f.wh, "receiving", gtin, []string{lot}, nil); err != nil {
		f.T.Fatal(err)
	}
}

// Packing links follow unpacking: boxes emptied of a recalled lot's tins
// are no longer reached by its recall; boxes still holding some are.
func TestAtkPackingLinksFollowUnpacking(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	tins, boxes := wrGTIN(t, 92), wrGTIN(t, 93)
	f.product(f.producer, tins)
	f.product(f.producer, boxes)
	f.atkLot(tins, "TIN2", "2")
	f.atkLot(boxes, "BOX2", "1")
	f.OK(f.C.CommissionItems(f.Ctx, f.producer.Identity, tins, "TIN2", []string{"T1001", "T1002"}))
	f.OK(f.C.CommissionItems(f.Ctx, f.producer.Identity, boxes, "BOX2", []string{"B1001"}))
	agg := func(action, step string, serials ...string) {
		children := []api.ItemRef{}
		for _, s := range serials {
			children = append(children, api.ItemRef{GTIN: tins, Serial: s})
		}
		f.OK(f.C.RecordEvent(f.Ctx, f.producer.Identity, api.EventInput{Type: api.AggregationEvent, Action: action, BizStep: step, EventTime: f.today().Add(-time.Minute).Format(time.RFC3339Nano),
			Parent: &api.ParentInput{GTIN: boxes, Serial: "B1001"}, ChildItems: children}))
	}
	agg("ADD", "packing", "T1001", "T1002")
	agg("DELETE", "unpacking", "T1001")
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, tins, "TIN2", "铅超标"))
	f.atkCustody(boxes, "BOX2")
	// One tin is still in the box: the lot is reached.
	_, err := f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(boxes, "BOX2", "1", "100.00", "CNY", f.trader.CreditCode))
	wantCode(t, err, "RECALLED")
	agg("DELETE", "unpacking", "T1002")
	// Emptied, the box's lot is free of the tins' recall.
	_, err = f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(boxes, "BOX2", "1", "100.00", "CNY", f.trader.CreditCode))
	if err != nil {
		t.Errorf("emptied boxes: %v", err)
	}
}
