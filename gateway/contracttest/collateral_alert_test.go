package contracttest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// A cold-chain excursion and then a recall on pledged chilled chicken,
// worked to the fen:
//
//	receipt 1,000 kg valued 100,000.00; loan 75,000.00 at 5%, maxLtv 0.8
//	(grade B: effective 0.8), haircuts excursion 0.2, recall 0.6, margin
//	call 10 days; disbursed 2026-04-01.
//	2026-04-02 excursion: value 100,000.00 × 0.8 = 80,000.00, allowed
//	  0.8 × 80,000.00 = 64,000.00 < 75,000.00 owed → MARGIN_CALL, shortfall
//	  11,000.00, LTV 0.9375, deadline 2026-04-12.
//	2026-05-01 repayment 11,312.50 = 312.50 interest (75,000.00 × 5% ×
//	  30/360) + 11,000.00 principal → 64,000.00 owed = allowed: met, ACTIVE.
//	2026-05-02 recall: the larger haircut 0.6 (not compounded): value
//	  40,000.00, allowed 32,000.00 < 64,000.00 → MARGIN_CALL, shortfall
//	  32,000.00, LTV 1.6, deadline 2026-05-12; default refused before the
//	  deadline, declared after it.
func TestCollateralAlertsWorked(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	chilled := wrGTIN(t, 50)
	f.OK(f.C.CreateProduct(f.Ctx, f.producer.Identity, api.ProductInput{GTIN: chilled, NameZh: "清远鸡冰鲜", NameEn: "Chilled Qingyuan chicken", Category: "poultry", GIStatus: "NONE", StorageMinC: "0", StorageMaxC: "4"}))
	f.OK(f.C.CommissionLot(f.Ctx, f.producer.Identity, api.LotInput{GTIN: chilled, Lot: "CK1", Date: "2026-03-31", Quantity: "1000", Unit: "kg",
		Origin: api.Origin{Place: "清远市清新区", Latitude: "23.7290", Longitude: "112.9830", Country: "CN"}}))
	f.OK(f.C.HandOver(f.Ctx, f.producer.Identity, chilled, "CK1", f.wh.CreditCode))
	ev := func(step string, extra map[string]any) string {
		m := map[string]any{"type": "ObjectEvent", "bizStep": step, "eventTime": f.today().Add(-time.Minute).Format(time.RFC3339), "lots": []map[string]string{{"gtin": chilled, "lot": "CK1", "quantity": "1000", "unit": "kg"}}}
		for k, v := range extra {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	f.MustSubmit(f.wh.Identity, api.TxRecordEvent, ev("receiving", nil))
	var r api.Receipt
	Result(f.T, &r)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(chilled, "CK1", "1000", "100000.00", "CNY", f.trader.CreditCode)))
	fin := f.apply(f.trader, f.bank, "75000.00", "CNY", r.ID)
	terms := `{"principal":"75000.00","annualRate":"0.05","termDays":180,"maxLtv":"0.8","haircuts":{"recall":"0.6","excursion":"0.2"},"marginCallDays":10}`
	f.mustDo(nil, f.bank.Identity, api.TxApproveFinancing, fin.ID, terms)
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01"))

	check := func(step, status, adjusted, ltv, shortfall, deadline string, alerts int) api.FinancingView {
		t.Helper()
		v := f.getFinancing(f.bank, fin.ID, f.today().Format("2006-01-02"))
		if v.Status != status || v.AdjustedCollateralValue != adjusted || len(v.Alerts) != alerts {
			t.Fatalf("%s: status %s adjusted %s alerts %d, want %s %s %d", step, v.Status, v.AdjustedCollateralValue, len(v.Alerts), status, adjusted, alerts)
		}
		if mc := v.MarginCall; ltv != "" && (mc == nil || mc.LTV != ltv || mc.Shortfall != shortfall || mc.Deadline != deadline) {
			t.Fatalf("%s: margin call %+v, want ltv %s shortfall %s deadline %s", step, mc, ltv, shortfall, deadline)
		}
		return v
	}

	// The excursion, recorded by the warehouse holding the goods.
	f.setDay("2026-04-02")
	reading := []map[string]string{{"from": f.today().Add(-3 * time.Hour).Format(time.RFC3339), "to": f.today().Add(-2 * time.Hour).Format(time.RFC3339), "type": "temperature", "minValue": "2.5", "maxValue": "7.5", "uom": "CEL"}}
	c := f.MustSubmit(f.wh.Identity, api.TxRecordEvent, ev("sensor_reporting", map[string]any{"sensorReadings": reading}))
	var recorded api.TraceEvent
	json.Unmarshal(c.Payload, &recorded)
	v := check("after the excursion", "MARGIN_CALL", "80000.00", "0.9375", "11000.00", "2026-04-12", 1)
	if a := v.Alerts[0]; a.Type != "EXCURSION" || a.Lot != "CK1" || a.Collateral != r.ID || a.Haircut != "0.2" || a.Source != recorded.ID || a.TxID != c.TxID {
		t.Errorf("alert %+v", a)
	}
	if !f.eventOfTxNames(c.TxID, fin.ID) {
		t.Error("the excursion's ledger event does not name the financing")
	}
	// The same excursion event again writes nothing and adds no alert.
	f.MustSubmit(f.wh.Identity, api.TxRecordEvent, ev("sensor_reporting", map[string]any{"sensorReadings": reading, "eventTime": recorded.EventTime}))

	// A default before the deadline (and before maturity) is refused.
	_, err := f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "RULE_VIOLATION")

	// The borrower repays the shortfall with the interest due: met.
	f.setDay("2026-05-01")
	var repaid api.Financing
	Result(f.T, &repaid)(f.C.RecordRepayment(f.Ctx, f.trader.Identity, fin.ID, "11312.50", "2026-05-01"))
	if p := repaid.Postings[len(repaid.Postings)-1]; p.ToInterest != "312.50" || p.ToPrincipal != "11000.00" || p.PrincipalAfter != "64000.00" {
		t.Errorf("posting %+v", p)
	}
	v = check("after the repayment", "ACTIVE", "80000.00", "", "", "", 1)
	if v.MarginCall == nil || v.MarginCall.MetAt == "" {
		t.Errorf("margin call not marked met: %+v", v.MarginCall)
	}

	// The regulator recalls the lot: the larger haircut applies.
	f.setDay("2026-05-02")
	c = f.MustSubmit(f.reg.Identity, api.TxRecallLot, chilled, "CK1", "沙门氏菌检出 salmonella found")
	check("after the recall", "MARGIN_CALL", "40000.00", "1.6", "32000.00", "2026-05-12", 2)
	if !f.eventOfTxNames(c.TxID, fin.ID) {
		t.Error("the recall's ledger event does not name the financing")
	}
	f.setDay("2026-05-12")
	_, err = f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "RULE_VIOLATION")
	f.setDay("2026-05-13")
	f.OK(f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID))
	if v := f.getFinancing(f.bank, fin.ID, "2026-05-13"); v.Status != "DEFAULTED" {
		t.Errorf("after the deadline: %s", v.Status)
	}
	var enc api.Encumbrance
	Into(f.T, &enc)(f.C.GetEncumbrances(f.Ctx, f.bank.Identity, chilled, "CK1"))
	if len(enc.Entries) != 0 {
		t.Errorf("defaulted financing still encumbers the goods: %+v", enc)
	}
}

// A margin call can also be answered by pledging another receipt.
func TestCollateralTopUp(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2026-04-01")
	r1 := f.receipt(f.trader, "1000", "100000.00", "CNY")
	r2 := f.receipt(f.trader, "500", "50000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "80000.00", "CNY", r1.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, api.FinancingTerms{Principal: "80000.00", AnnualRate: "0.05", TermDays: 90, MaxLTV: "0.8", Haircuts: &api.Haircuts{Recall: "0.5"}}))
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01"))
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, f.gtin, r1.Lot, "复检不合格"))
	if v := f.getFinancing(f.bank, fin.ID, "2026-04-01"); v.Status != "MARGIN_CALL" || v.MarginCall.Shortfall != "40000.00" {
		t.Fatalf("after the recall: %s %+v", v.Status, v.MarginCall)
	}
	// Another borrower cannot top it up; the bank cannot either.
	other := f.Enterprise(PlatformMSP, "另一贸易公司", api.KindExporter)
	_, err := f.C.AddCollateral(f.Ctx, other.Identity, fin.ID, r2.ID)
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.AddCollateral(f.Ctx, f.bank.Identity, fin.ID, r2.ID)
	wantCode(t, err, "FORBIDDEN")
	var topped api.Financing
	Result(f.T, &topped)(f.C.AddCollateral(f.Ctx, f.trader.Identity, fin.ID, r2.ID))
	// 100,000.00 × 0.5 + 50,000.00 = 100,000.00; allowed 80,000.00 = owed.
	if topped.Status != "ACTIVE" || topped.AdjustedCollateralValue != "100000.00" || len(topped.Collateral) != 2 {
		t.Fatalf("after the top-up: %s %s %d", topped.Status, topped.AdjustedCollateralValue, len(topped.Collateral))
	}
	if got := f.getReceipt(r2.ID); got.Status != "PLEDGED" || got.Pledge == nil || got.Pledge.FinancingID != fin.ID {
		t.Errorf("top-up receipt %+v", got)
	}
}

// eventOfTxNames reports whether the chaincode event of a transaction
// names the financing among its collateral alerts.
func (f *wrFix) eventOfTxNames(txID, financingID string) bool {
	f.T.Helper()
	evs := f.chaincodeEventsOf(txID)
	for _, e := range evs {
		d, _ := e.Data.(map[string]any)
		if ids, ok := d["collateralAlerts"].([]any); ok && slices.Contains(ids, any(financingID)) {
			return true
		}
	}
	return false
}

// chaincodeEventsOf reads the chaincode events of one committed
// transaction from the ledger's event stream.
func (f *wrFix) chaincodeEventsOf(txID string) []api.Event {
	f.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := f.Ledger.Transaction(ctx, txID)
	if err != nil {
		f.T.Fatal(err)
	}
	ch, err := f.Ledger.Events(ctx, tx.BlockNumber)
	if err != nil {
		f.T.Fatal(err)
	}
	var out []api.Event
	for ev := range ch {
		if ev.BlockNumber > tx.BlockNumber {
			break
		}
		if ev.TxID == txID {
			var e api.Event
			if err := json.Unmarshal(ev.Payload, &e); err != nil {
				f.T.Fatal(err)
			}
			out = append(out, e)
			break
		}
	}
	return out
}
