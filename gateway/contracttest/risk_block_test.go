package contracttest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// rbOverride is one {"code","reason"} of an approval.
type rbOverride struct{ Code, Reason string }

// rbTerms are approval terms with overrides; regNo > 0 adds a (unique,
// 20-digit) registry registration number, which RECEIVABLE financing needs.
func rbTerms(principal string, regNo int, overrides ...rbOverride) api.FinancingTerms {
	t := wrTerms(principal, "0.05", 60, "0.8")
	if regNo > 0 {
		t.RegistrationNo = fmt.Sprintf("2026%016d", regNo)
	}
	for _, o := range overrides {
		t.Overrides = append(t.Overrides, api.RiskOverride{Code: o.Code, Reason: o.Reason})
	}
	return t
}

// rbNotOverridden reads the codes a RISK_BLOCKED refusal names as not
// overridden.
var rbNotOverridden = regexp.MustCompile(`not overridden: ([A-Z_, ]+)\.`)

func rbBlockedCodes(t *testing.T, err error) []string {
	t.Helper()
	wantCode(t, err, "RISK_BLOCKED")
	m := rbNotOverridden.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("RISK_BLOCKED names no codes: %v", err)
	}
	return strings.Split(m[1], ", ")
}

// processedLot commissions a leaf lot and a lot made from it (the
// producer, also a processor, records the transformation): a recall of
// the leaf reaches the product.
func (f *insFix) processedLot(qty string) (leaf, product string) {
	f.T.Helper()
	leaf, product = f.lot(qty), f.lot(qty)
	f.OK(f.C.RecordEvent(f.Ctx, f.producer.Identity, api.EventInput{
		Type: api.TransformationEvent, BizStep: "processing", EventTime: f.today().Format(time.RFC3339Nano),
		Inputs:  []api.LotRef{{GTIN: f.gtin, Lot: leaf, Quantity: qty, Unit: "kg"}},
		Outputs: []api.LotRef{{GTIN: f.gtin, Lot: product, Quantity: qty, Unit: "kg"}},
	}))
	return leaf, product
}

func (f *insFix) lotPath(lot string) string { return "/01/" + f.gtin + "/10/" + lot }

// rbFlags maps the receivable's flags by code to their severities.
func rbSeverities(flags []api.RiskFlag) map[string]string {
	out := map[string]string{}
	for _, fl := range flags {
		out[fl.Code] = fl.Severity
	}
	return out
}

// The finding: a receivable on goods whose warehouse receipt is already
// pledged, never shipped, invoiced at twice the goods' value, made from a
// lot that is then recalled. The approval is refused, naming the blocking
// codes (NO_SHIPPING_EVENT only warns), until the bank overrides each with
// a reason; the overrides stay on the financing.
func TestRiskBlockFinding(t *testing.T) {
	f := newInsFix(t)
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)

	// 500 of the lot's 1000 kg in the warehouse under a receipt valued
	// 50,000.00, pledged to the first bank.
	leaf, lot := f.processedLot("1000")
	f.receive(f.wh, lot, "500")
	var r api.Receipt
	Result(f.T, &r)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "500", "50000.00", "CNY", f.trader.CreditCode)))
	pledge := f.apply(f.trader, f.bank, "25000.00", "CNY", r.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, pledge.ID, wrTerms("25000.00", "0.05", 90, "0.6")))

	// A receivable of 100,000.00 on the other 500 kg: no shipping event,
	// twice the receipt's valuation.
	in, _ := json.Marshal(map[string]any{
		"buyer": map[string]string{"creditCode": f.buyer.CreditCode}, "invoiceNumber": f.nextInvoice(), "amount": "100000.00", "currency": "CNY",
		"issueDate": f.day(), "dueDate": f.dayPlus(60), "lots": []map[string]string{{"gtin": f.gtin, "lot": lot, "quantity": "500", "unit": "kg"}},
	})
	var rv api.ReceivableView
	f.mustDo(&rv, f.trader.Identity, api.TxCreateReceivable, string(in))
	f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID))
	view := f.getReceivable(rv.ID)
	sev := rbSeverities(view.Flags)
	if len(sev) != 2 || sev["NO_SHIPPING_EVENT"] != "WARNING" || sev["VALUE_MISMATCH"] != "BLOCKING" {
		t.Fatalf("flags at creation %+v", view.Flags)
	}
	if i := slices.IndexFunc(view.Flags, func(fl api.RiskFlag) bool { return fl.Code == "VALUE_MISMATCH" }); view.Flags[i].Ratio != "2" {
		t.Errorf("VALUE_MISMATCH ratio %q, want 2", view.Flags[i].Ratio)
	}
	// The leaf it was made from is recalled.
	f.OK(f.C.RecallLot(f.Ctx, f.producer.Identity, f.gtin, leaf, "农残超标 pesticide residue above limit"))

	var fin api.Financing
	Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", bank2.CreditCode, "40000.00", "CNY", rv.ID)))
	_, err := f.C.ApproveFinancing(f.Ctx, bank2.Identity, fin.ID, rbTerms("40000.00", 1))
	if got := rbBlockedCodes(t, err); !slices.Equal(got, []string{"PLEDGED_GOODS", "RECALLED_GOODS", "VALUE_MISMATCH"}) {
		t.Fatalf("blocked on %v (%v)", got, err)
	}
	if !strings.Contains(err.Error(), "receivable "+rv.ID) {
		t.Errorf("the refusal does not say where: %v", err)
	}

	why := func(code string) rbOverride {
		return rbOverride{code, "信贷审批委员会 2026-17 号决议: " + code + " 已核实"}
	}
	all := []rbOverride{why("VALUE_MISMATCH"), why("PLEDGED_GOODS"), why("RECALLED_GOODS")}
	// Two of three: still blocked, on the third.
	_, err = f.C.ApproveFinancing(f.Ctx, bank2.Identity, fin.ID, rbTerms("40000.00", 1, all[:2]...))
	if got := rbBlockedCodes(t, err); !slices.Equal(got, []string{"RECALLED_GOODS"}) {
		t.Fatalf("with two overrides blocked on %v", got)
	}
	bad := []struct {
		name      string
		overrides []rbOverride
	}{
		{"a warning is not overridden", append(slices.Clone(all), why("NO_SHIPPING_EVENT"))},
		{"a code not raised", append(slices.Clone(all), why("SANCTIONED"))},
		{"a code twice", append(slices.Clone(all), why("PLEDGED_GOODS"))},
		{"no reason", append(slices.Clone(all[:2]), rbOverride{"RECALLED_GOODS", "  "})},
		{"a reason too long", append(slices.Clone(all[:2]), rbOverride{"RECALLED_GOODS", strings.Repeat("理", 501)})},
		{"no code", append(slices.Clone(all), rbOverride{"", "why"})},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.C.ApproveFinancing(f.Ctx, bank2.Identity, fin.ID, rbTerms("40000.00", 1, tc.overrides...))
			wantCode(t, err, "INVALID_ARGUMENT")
		})
	}
	// Nothing was locked by the refusals.
	if v := f.getReceivable(rv.ID); v.FinancingID != "" || v.Assignee != "" {
		t.Fatalf("receivable after refusals %+v", v.Receivable)
	}

	// Each overridden, with a reason: approved; the overrides are on the
	// financing, in code order, by the bank, at the approval's time.
	long := rbOverride{"RECALLED_GOODS", strings.Repeat("理", 500)}
	Result(f.T, &fin)(f.C.ApproveFinancing(f.Ctx, bank2.Identity, fin.ID, rbTerms("40000.00", 1, all[0], all[1], long)))
	if fin.Status != "APPROVED" || fin.Terms == nil {
		t.Fatalf("approved %+v", fin)
	}
	stored := f.getFinancing(bank2, fin.ID, "")
	ov := stored.Terms.Overrides
	var codes []string
	for _, o := range ov {
		codes = append(codes, o.Code)
		if o.By != bank2.CreditCode || o.At == "" || o.At != stored.DecidedAt {
			t.Errorf("override %+v (approved at %s)", o, stored.DecidedAt)
		}
		want := why(o.Code).Reason
		if o.Code == "RECALLED_GOODS" {
			want = long.Reason
		}
		if o.Reason != want {
			t.Errorf("override %s reason %q, want %q", o.Code, o.Reason, want)
		}
	}
	if !slices.Equal(codes, []string{"PLEDGED_GOODS", "RECALLED_GOODS", "VALUE_MISMATCH"}) {
		t.Fatalf("overrides on the financing %+v", ov)
	}
	// Due diligence shows every flag with its severity, the recall and
	// the pledged goods recorded by the approval.
	view = f.getReceivable(rv.ID)
	sev = rbSeverities(view.Flags)
	if want := map[string]string{"NO_SHIPPING_EVENT": "WARNING", "PLEDGED_GOODS": "BLOCKING", "RECALLED_GOODS": "BLOCKING", "VALUE_MISMATCH": "BLOCKING"}; fmt.Sprint(sev) != fmt.Sprint(want) {
		t.Fatalf("flags after approval %+v", view.Flags)
	}
	for _, fl := range view.Flags {
		if fl.Code == "RECALLED_GOODS" && !slices.Equal(fl.Refs, []string{f.lotPath(leaf)}) {
			t.Errorf("recall flag refs %v", fl.Refs)
		}
	}
	if view.FinancingID != fin.ID || view.Assignee != bank2.CreditCode {
		t.Errorf("receivable after approval %+v", view.Receivable)
	}
}

// Warnings do not block: a receivable never shipped, invoiced 30% above
// the receipt on its goods (within the 1.5× that blocks), is approved
// without overrides, and overriding a warning is refused.
func TestRiskBlockWarningOnly(t *testing.T) {
	f := newInsFix(t)
	r := f.receipt(f.trader, "100", "10000.00", "CNY")
	var rv api.ReceivableView
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: f.nextInvoice(), amount: "13000.00", currency: "CNY",
		issue: f.day(), due: f.dayPlus(60), lots: []string{r.Lot},
	})))
	f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID))
	sev := rbSeverities(f.getReceivable(rv.ID).Flags)
	if len(sev) != 2 || sev["NO_SHIPPING_EVENT"] != "WARNING" || sev["VALUE_MISMATCH"] != "WARNING" {
		t.Fatalf("flags %v", sev)
	}
	var fin api.Financing
	Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "10000.00", "CNY", rv.ID)))
	_, err := f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, rbTerms("10000.00", 2, rbOverride{"VALUE_MISMATCH", "1.3× only"}))
	wantCode(t, err, "INVALID_ARGUMENT")
	Result(f.T, &fin)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, rbTerms("10000.00", 2)))
	if fin.Status != "APPROVED" || len(fin.Terms.Overrides) != 0 {
		t.Fatalf("approved %+v", fin.Terms)
	}
}

// A recall reaching a receipt's goods keeps them in the warehouse:
// redemption (asked or confirmed) and cancellation are refused RECALLED
// until a regulator that is not a party clears the receipt; a later
// recall needs a new clearance. Pledging the receipt is blocked unless
// overridden.
func TestRiskBlockRecalledReceipt(t *testing.T) {
	f := newInsFix(t)
	reg2 := f.Enterprise(RegulatorMSP, "广东省市场监管局", api.KindRegulator)
	from, _ := f.Ledger.Height(context.Background())

	leaf, lot := f.processedLot("100")
	f.receive(f.wh, lot, "100")
	var r api.Receipt
	Result(f.T, &r)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "100", "10000.00", "CNY", f.trader.CreditCode)))
	_, err := f.C.ClearRecalledReceipt(f.Ctx, f.reg.Identity, r.ID, "nothing recalled")
	wantCode(t, err, "CONFLICT")
	f.OK(f.C.RecallLot(f.Ctx, f.reg.Identity, f.gtin, leaf, "农残超标"))

	_, err = f.C.RequestRedemption(f.Ctx, f.trader.Identity, r.ID)
	wantCode(t, err, "RECALLED")
	_, err = f.C.CancelReceipt(f.Ctx, f.wh.Identity, r.ID, "issued in error")
	wantCode(t, err, "RECALLED")
	// The warehouse still cannot ship the goods: the receipt is live.
	_, err = f.event(f.wh, "shipping", lot, "")
	if err == nil {
		t.Fatal("the warehouse shipped goods under a live receipt")
	}

	// Who clears: a regulator, not a party, with a note.
	_, err = f.C.ClearRecalledReceipt(f.Ctx, f.bank.Identity, r.ID, "not mine to clear")
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.ClearRecalledReceipt(f.Ctx, f.reg.Identity, r.ID, " ")
	wantCode(t, err, "INVALID_ARGUMENT")
	var cleared api.Receipt
	clearTx := f.mustDo(&cleared, f.reg.Identity, api.TxClearRecalledReceipt, r.ID, "复检合格 retested: residue within limit").TxID
	if len(cleared.RecallClearances) != 1 {
		t.Fatalf("cleared %+v", cleared)
	}
	if c := cleared.RecallClearances[0]; c.By != f.reg.CreditCode || c.Note != "复检合格 retested: residue within limit" || c.At == "" || c.TxID != clearTx ||
		!slices.Equal(c.Recalls, []string{f.lotPath(leaf)}) {
		t.Fatalf("clearance %+v", c)
	}
	if h := f.history(r.ID); len(h) < 2 || len(h[0].Receipt.RecallClearances) != 1 || len(h[1].Receipt.RecallClearances) != 0 {
		t.Fatalf("history %+v", h)
	}
	_, err = f.C.ClearRecalledReceipt(f.Ctx, reg2.Identity, r.ID, "again")
	wantCode(t, err, "CONFLICT")

	// Redemption asked; a second recall (the lot itself) before the
	// warehouse confirms: refused until cleared again.
	f.OK(f.C.RequestRedemption(f.Ctx, f.trader.Identity, r.ID))
	f.OK(f.C.RecallLot(f.Ctx, f.producer.Identity, f.gtin, lot, "包装破损 damaged packing"))
	_, err = f.C.ConfirmRedemption(f.Ctx, f.wh.Identity, r.ID)
	wantCode(t, err, "RECALLED")
	Result(f.T, &cleared)(f.C.ClearRecalledReceipt(f.Ctx, reg2.Identity, r.ID, "已重新包装 repacked"))
	if n := len(cleared.RecallClearances); n != 2 || !slices.Equal(cleared.RecallClearances[1].Recalls, []string{f.lotPath(lot)}) {
		t.Fatalf("second clearance %+v", cleared.RecallClearances)
	}
	var redeemed api.Receipt
	Result(f.T, &redeemed)(f.C.ConfirmRedemption(f.Ctx, f.wh.Identity, r.ID))
	if redeemed.Status != "REDEEMED" {
		t.Fatalf("redeemed %+v", redeemed)
	}
	if _, err := f.event(f.wh, "shipping", lot, ""); err != nil {
		t.Fatalf("shipping the redeemed goods: %v", err)
	}

	// A regulator that holds a receipt does not clear it; another does.
	leaf2, lot2 := f.processedLot("50")
	f.receive(f.wh, lot2, "50")
	var held api.Receipt
	Result(f.T, &held)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot2, "50", "5000.00", "CNY", reg2.CreditCode)))
	f.OK(f.C.RecallLot(f.Ctx, f.producer.Identity, f.gtin, leaf2, "农残超标"))
	_, err = f.C.ClearRecalledReceipt(f.Ctx, reg2.Identity, held.ID, "my own goods are fine")
	wantCode(t, err, "FORBIDDEN")
	if got := f.getReceipt(held.ID); len(got.RecallClearances) != 0 {
		t.Fatalf("cleared by its holder %+v", got.RecallClearances)
	}
	f.OK(f.C.ClearRecalledReceipt(f.Ctx, f.reg.Identity, held.ID, "抽检合格"))

	// Pledging a recalled receipt: blocked, RECALLED_GOODS; with an
	// override, approved.
	leaf3, lot3 := f.processedLot("100")
	f.receive(f.wh, lot3, "100")
	var r3 api.Receipt
	Result(f.T, &r3)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot3, "100", "10000.00", "CNY", f.trader.CreditCode)))
	f.OK(f.C.RecallLot(f.Ctx, f.producer.Identity, f.gtin, leaf3, "农残超标"))
	fin := f.apply(f.trader, f.bank, "5000.00", "CNY", r3.ID)
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, rbTerms("5000.00", 0))
	if got := rbBlockedCodes(t, err); !slices.Equal(got, []string{"RECALLED_GOODS"}) || !strings.Contains(err.Error(), "receipt "+r3.ID) {
		t.Fatalf("pledge of a recalled receipt: %v", err)
	}
	Result(f.T, &fin)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, rbTerms("5000.00", 0, rbOverride{"RECALLED_GOODS", "召回仅涉及另一批次 the recall is of another batch"})))
	if fin.Status != "APPROVED" || len(fin.Terms.Overrides) != 1 || fin.Terms.Overrides[0].Code != "RECALLED_GOODS" {
		t.Fatalf("approved %+v", fin.Terms)
	}

	// The clearance set exactly one event naming the receipt.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := f.Ledger.Events(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	var evs []api.Event
	for ev := range ch { // a transaction's events come together
		if ev.TxID != clearTx {
			if len(evs) > 0 {
				break
			}
			continue
		}
		var e api.Event
		if err := json.Unmarshal(ev.Payload, &e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	if len(evs) != 1 || evs[0].Entity != "receipt" || evs[0].ID != r.ID || evs[0].Action != "recall-cleared" {
		t.Fatalf("clearance events %+v", evs)
	}
}
