package contracttest

import (
	"encoding/json"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

var wrIDPattern = regexp.MustCompile(`^WR-2026-[0-9A-F]{16}$`)

func TestReceiptIssue(t *testing.T) {
	f := newWRFix(t)
	lot := f.lot("1000")

	// No receiving yet: nothing to issue a receipt on.
	_, err := f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "1000", "300000.00", "CNY", f.trader.CreditCode))
	wantCode(t, err, "RULE_VIOLATION")

	f.receive(f.wh, lot, "800")
	other := f.Enterprise(WarehouseMSP, "英德物流仓", api.KindWarehouse)
	tests := []struct {
		name string
		as   *Member
		in   string
		want string
	}{
		{"not a warehouse", f.trader, trJSON(wrIssueInput(f.gtin, lot, "800", "300000.00", "CNY", f.trader.CreditCode)), "FORBIDDEN"},
		{"bank", f.bank, trJSON(wrIssueInput(f.gtin, lot, "800", "300000.00", "CNY", f.trader.CreditCode)), "FORBIDDEN"},
		{"goods are in another warehouse", other, trJSON(wrIssueInput(f.gtin, lot, "800", "300000.00", "CNY", f.trader.CreditCode)), "RULE_VIOLATION"},
		{"more than received", f.wh, trJSON(wrIssueInput(f.gtin, lot, "800.5", "300000.00", "CNY", f.trader.CreditCode)), "RULE_VIOLATION"},
		{"another unit", f.wh, `{"gtin":"` + f.gtin + `","lot":"` + lot + `","quantity":"1","unit":"t","valuation":{"amount":"1.00","currency":"CNY"},"holder":"` + f.trader.CreditCode + `"}`, "RULE_VIOLATION"},
		{"unknown holder", f.wh, trJSON(wrIssueInput(f.gtin, lot, "800", "300000.00", "CNY", CreditCode(t, 999))), "NOT_FOUND"},
		{"bad amount", f.wh, trJSON(wrIssueInput(f.gtin, lot, "800", "300000.001", "CNY", f.trader.CreditCode)), "INVALID_ARGUMENT"},
		{"zero amount", f.wh, trJSON(wrIssueInput(f.gtin, lot, "800", "0.00", "CNY", f.trader.CreditCode)), "INVALID_ARGUMENT"},
		{"bad currency", f.wh, trJSON(wrIssueInput(f.gtin, lot, "800", "1.00", "cny", f.trader.CreditCode)), "INVALID_ARGUMENT"},
		{"bad quantity", f.wh, trJSON(wrIssueInput(f.gtin, lot, "-1", "1.00", "CNY", f.trader.CreditCode)), "INVALID_ARGUMENT"},
		{"bad gtin", f.wh, trJSON(wrIssueInput("06901234000013", lot, "800", "1.00", "CNY", f.trader.CreditCode)), "INVALID_ARGUMENT"},
		{"unknown field", f.wh, `{"gtin":"` + f.gtin + `","bogus":1}`, "INVALID_ARGUMENT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Submit(tc.as.Identity, api.TxIssueReceipt, tc.in)
			wantCode(t, err, tc.want)
		})
	}

	var r api.Receipt
	c := f.mustDo(&r, f.wh.Identity, api.TxIssueReceipt, trJSON(wrIssueInput(f.gtin, lot, "800.000", "300000.5", "CNY", f.trader.CreditCode)))
	if !wrIDPattern.MatchString(r.ID) || r.GTIN != f.gtin || r.Lot != lot || r.Quantity != "800" || r.Unit != "kg" ||
		r.Valuation != (api.Money{Amount: "300000.50", Currency: "CNY"}) || r.Warehouse != f.wh.CreditCode ||
		r.Holder != f.trader.CreditCode || r.Status != "ISSUED" || r.Pledge != nil || r.Frozen != nil || len(r.Basis) != 1 || r.TxID != c.TxID {
		t.Fatalf("issued %+v", r)
	}
	// The JSON answer carries "pledge": null.
	var raw map[string]json.RawMessage
	json.Unmarshal(c.Payload, &raw)
	if string(raw["pledge"]) != "null" {
		t.Errorf("pledge = %s, want null", raw["pledge"])
	}

	// A second receipt on the same goods: refused, even after a new
	// receiving event, while the first one is live.
	_, err = f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "1", "1.00", "CNY", f.trader.CreditCode))
	wantCode(t, err, "CONFLICT")
	if _, err := f.event(f.wh, "storing", lot, ""); err != nil {
		t.Fatal(err)
	}
	_, err = f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "1", "1.00", "CNY", f.trader.CreditCode))
	wantCode(t, err, "CONFLICT")

	// Goods under a live receipt cannot be shipped out of the warehouse.
	_, err = f.event(f.wh, "shipping", lot, "")
	wantCode(t, err, "CONFLICT")

	var byHolder, byWarehouse []api.Receipt
	Into(f.T, &byHolder)(f.C.ListReceiptsByHolder(f.Ctx, f.trader.Identity, ""))
	Into(f.T, &byWarehouse)(f.C.ListReceiptsByWarehouse(f.Ctx, f.wh.Identity, f.wh.CreditCode))
	if len(byHolder) != 1 || byHolder[0].ID != r.ID || len(byWarehouse) != 1 || byWarehouse[0].ID != r.ID {
		t.Errorf("lists: holder %v, warehouse %v", byHolder, byWarehouse)
	}
	_, err = f.C.ListReceiptsByHolder(f.Ctx, f.bank.Identity, f.trader.CreditCode)
	wantCode(t, err, "FORBIDDEN")
	Into(f.T, &byHolder)(f.C.ListReceiptsByHolder(f.Ctx, f.reg.Identity, f.trader.CreditCode))
	if len(byHolder) != 1 {
		t.Errorf("regulator's list %v", byHolder)
	}
	// Any registered enterprise may verify a receipt; strangers may not.
	var seen api.Receipt
	Into(f.T, &seen)(f.C.GetReceipt(f.Ctx, f.bank.Identity, r.ID))
	if seen.ID != r.ID {
		t.Errorf("GetReceipt %+v", seen)
	}
	_, err = f.C.GetReceipt(f.Ctx, f.Admins[BankMSP], r.ID)
	wantCode(t, err, "UNREGISTERED")
	_, err = f.C.GetReceipt(f.Ctx, f.bank.Identity, "WR-2026-0000000000000000")
	wantCode(t, err, "NOT_FOUND")
	_, err = f.C.GetReceipt(f.Ctx, f.bank.Identity, "WR-1")
	wantCode(t, err, "INVALID_ARGUMENT")
}

func TestReceiptLifecycle(t *testing.T) {
	f := newWRFix(t)
	buyer := f.Enterprise(PlatformMSP, "广州茶商", api.KindExporter)
	r := f.receipt(f.trader, "1000", "500000.00", "CNY")
	lot := r.Lot

	// Transfer: only the holder.
	_, err := f.C.TransferReceipt(f.Ctx, buyer.Identity, r.ID, buyer.CreditCode)
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.TransferReceipt(f.Ctx, f.trader.Identity, r.ID, CreditCode(t, 998))
	wantCode(t, err, "NOT_FOUND")
	_, err = f.C.TransferReceipt(f.Ctx, f.trader.Identity, r.ID, f.trader.CreditCode)
	wantCode(t, err, "INVALID_ARGUMENT")
	Result(f.T, &r)(f.C.TransferReceipt(f.Ctx, f.trader.Identity, r.ID, buyer.CreditCode))
	if r.Holder != buyer.CreditCode {
		t.Fatalf("holder %s", r.Holder)
	}
	var list []api.Receipt
	Into(f.T, &list)(f.C.ListReceiptsByHolder(f.Ctx, f.trader.Identity, ""))
	if len(list) != 0 {
		t.Errorf("old holder still lists %v", list)
	}

	// Split: quantities and valuations must add up exactly.
	split := func(q1, v1, q2, v2 string) string {
		b, _ := json.Marshal(map[string]any{"parts": []map[string]string{{"quantity": q1, "valuation": v1}, {"quantity": q2, "valuation": v2}}})
		return string(b)
	}
	_, err = f.Submit(buyer.Identity, api.TxSplitReceipt, r.ID, split("600", "300000.00", "399.999", "200000.00"))
	wantCode(t, err, "RULE_VIOLATION")
	_, err = f.Submit(buyer.Identity, api.TxSplitReceipt, r.ID, split("600", "300000.00", "400", "199999.99"))
	wantCode(t, err, "RULE_VIOLATION")
	_, err = f.Submit(f.trader.Identity, api.TxSplitReceipt, r.ID, split("600", "300000.00", "400", "200000.00"))
	wantCode(t, err, "FORBIDDEN")
	var parts []api.Receipt
	f.mustDo(&parts, buyer.Identity, api.TxSplitReceipt, r.ID, split("600", "300000.00", "400", "200000.00"))
	if len(parts) != 2 || parts[0].ID == parts[1].ID || parts[0].Parent != r.ID || parts[0].Quantity != "600" ||
		parts[1].Valuation.Amount != "200000.00" || parts[1].Holder != buyer.CreditCode || parts[1].Status != "ISSUED" {
		t.Fatalf("split into %+v", parts)
	}
	r = f.getReceipt(r.ID)
	if r.Status != "SPLIT" || !slices.Equal(r.Children, []string{parts[0].ID, parts[1].ID}) {
		t.Fatalf("parent after split %+v", r)
	}
	_, err = f.C.TransferReceipt(f.Ctx, buyer.Identity, r.ID, f.trader.CreditCode)
	wantCode(t, err, "CONFLICT")

	// Redemption: the holder asks, the issuing warehouse confirms.
	a, b := parts[0], parts[1]
	_, err = f.C.ConfirmRedemption(f.Ctx, f.wh.Identity, a.ID)
	wantCode(t, err, "CONFLICT") // not asked
	_, err = f.C.RequestRedemption(f.Ctx, f.wh.Identity, a.ID)
	wantCode(t, err, "FORBIDDEN")
	Result(f.T, &a)(f.C.RequestRedemption(f.Ctx, buyer.Identity, a.ID))
	if a.Status != "REDEEMING" {
		t.Fatalf("status %s", a.Status)
	}
	_, err = f.C.TransferReceipt(f.Ctx, buyer.Identity, a.ID, f.trader.CreditCode)
	wantCode(t, err, "CONFLICT")
	Result(f.T, &a)(f.C.WithdrawRedemption(f.Ctx, buyer.Identity, a.ID))
	Result(f.T, &a)(f.C.RequestRedemption(f.Ctx, buyer.Identity, a.ID))
	other := f.Enterprise(WarehouseMSP, "别的仓库", api.KindWarehouse)
	_, err = f.C.ConfirmRedemption(f.Ctx, other.Identity, a.ID)
	wantCode(t, err, "FORBIDDEN")
	Result(f.T, &a)(f.C.ConfirmRedemption(f.Ctx, f.wh.Identity, a.ID))
	if a.Status != "REDEEMED" {
		t.Fatalf("status %s", a.Status)
	}
	// b is still live: the lot cannot be shipped.
	_, err = f.event(f.wh, "shipping", lot, "")
	wantCode(t, err, "CONFLICT")

	// Cancel: only the issuing warehouse, with a reason.
	_, err = f.C.CancelReceipt(f.Ctx, buyer.Identity, b.ID, "issued in error")
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.CancelReceipt(f.Ctx, f.wh.Identity, b.ID, " ")
	wantCode(t, err, "INVALID_ARGUMENT")
	Result(f.T, &b)(f.C.CancelReceipt(f.Ctx, f.wh.Identity, b.ID, "盘点差异"))
	if b.Status != "CANCELLED" || b.Reason != "盘点差异" {
		t.Fatalf("cancelled %+v", b)
	}
	_, err = f.C.CancelReceipt(f.Ctx, f.wh.Identity, b.ID, "again")
	wantCode(t, err, "CONFLICT")

	// The receiving event has been used: no new receipt until the goods
	// are received or stored again.
	_, err = f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "400", "200000.00", "CNY", buyer.CreditCode))
	wantCode(t, err, "CONFLICT")
	if _, err := f.event(f.wh, "storing", lot, "400"); err != nil {
		t.Fatal(err)
	}
	_, err = f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "400.1", "200000.00", "CNY", buyer.CreditCode))
	wantCode(t, err, "RULE_VIOLATION") // the stock check counted 400
	var again api.Receipt
	Result(f.T, &again)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "400", "200000.00", "CNY", buyer.CreditCode)))
	Result(f.T, &again)(f.C.CancelReceipt(f.Ctx, f.wh.Identity, again.ID, "wrong holder"))
	// No live receipt: the goods may leave; after that there is no custody.
	if _, err := f.event(f.wh, "shipping", lot, ""); err != nil {
		t.Fatalf("shipping after redemption: %v", err)
	}
	_, err = f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "1", "1.00", "CNY", buyer.CreditCode))
	wantCode(t, err, "RULE_VIOLATION")

	// History: every change, newest first.
	h := f.history(r.ID)
	var statuses []string
	for _, c := range h {
		statuses = append(statuses, c.Receipt.Status+"/"+c.Receipt.Holder[len(c.Receipt.Holder)-4:])
	}
	want := []string{"SPLIT/" + buyer.CreditCode[14:], "ISSUED/" + buyer.CreditCode[14:], "ISSUED/" + f.trader.CreditCode[14:]}
	if !slices.Equal(statuses, want) {
		t.Errorf("history %v, want %v", statuses, want)
	}
	if h[0].TxID != r.TxID {
		t.Errorf("history head %s, receipt last changed by %s", h[0].TxID, r.TxID)
	}
	if n := len(f.history(a.ID)); n != 5 {
		t.Errorf("history of %s has %d entries, want 5 (issue, request, withdraw, request, confirm)", a.ID, n)
	}
}

func TestReceiptFreezeAndPledge(t *testing.T) {
	f := newWRFix(t)
	r := f.receipt(f.trader, "1000", "500000.00", "CNY")

	_, err := f.C.FreezeReceipt(f.Ctx, f.bank.Identity, r.ID, "court order")
	wantCode(t, err, "FORBIDDEN")
	Result(f.T, &r)(f.C.FreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "涉案冻结"))
	if r.Frozen == nil || r.Frozen.By != f.reg.CreditCode {
		t.Fatalf("frozen %+v", r.Frozen)
	}
	_, err = f.C.FreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "again")
	wantCode(t, err, "CONFLICT")
	_, err = f.C.TransferReceipt(f.Ctx, f.trader.Identity, r.ID, f.bank.CreditCode)
	wantCode(t, err, "CONFLICT")
	_, err = f.C.RequestRedemption(f.Ctx, f.trader.Identity, r.ID)
	wantCode(t, err, "CONFLICT")
	_, err = f.C.CancelReceipt(f.Ctx, f.wh.Identity, r.ID, "x")
	wantCode(t, err, "CONFLICT")
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, wrApplyInput(f.bank.CreditCode, "100000.00", "CNY", r.ID))
	wantCode(t, err, "CONFLICT")
	Result(f.T, &r)(f.C.UnfreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "解除"))
	_, err = f.C.UnfreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "again")
	wantCode(t, err, "CONFLICT")

	// Apply while unfrozen, freeze, then the approval is refused.
	fin := f.apply(f.trader, f.bank, "300000.00", "CNY", r.ID)
	Result(f.T, &r)(f.C.FreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "涉案冻结"))
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("300000.00", "0.0435", 90, "0.7"))
	wantCode(t, err, "CONFLICT")
	Result(f.T, &r)(f.C.UnfreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "解除"))
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("300000.00", "0.0435", 90, "0.7")))
	r = f.getReceipt(r.ID)
	if r.Status != "PLEDGED" || r.Pledge == nil || r.Pledge.FinancingID != fin.ID || r.Pledge.Pledgee != f.bank.CreditCode {
		t.Fatalf("pledged receipt %+v", r)
	}

	// A pledged receipt: nothing but a release.
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)
	split := `{"parts":[{"quantity":"500","valuation":"250000.00"},{"quantity":"500","valuation":"250000.00"}]}`
	for _, tc := range []struct {
		as   *Member
		fn   api.Tx
		args []string
		want string
	}{
		{f.trader, api.TxTransferReceipt, []string{r.ID, bank2.CreditCode}, "CONFLICT"},
		{f.trader, api.TxSplitReceipt, []string{r.ID, split}, "CONFLICT"},
		{f.trader, api.TxRequestRedemption, []string{r.ID}, "CONFLICT"},
		{f.wh, api.TxCancelReceipt, []string{r.ID, "x"}, "CONFLICT"},
		{f.trader, api.TxApplyForFinancing, []string{trJSON(wrApplyInput(bank2.CreditCode, "1.00", "CNY", r.ID))}, "ALREADY_PLEDGED"},
		{bank2, api.TxReleasePledge, []string{r.ID}, "FORBIDDEN"},
		{f.trader, api.TxReleasePledge, []string{r.ID}, "FORBIDDEN"},
	} {
		_, err := f.Submit(tc.as.Identity, tc.fn, tc.args...)
		if got := Code(err); got != tc.want {
			t.Errorf("%s: code %q, want %q (%v)", tc.fn, got, tc.want, err)
		}
	}
	// Freezing a pledged receipt is allowed, and the pledgee can still
	// release it.
	Result(f.T, &r)(f.C.FreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "涉案冻结"))
	Result(f.T, &r)(f.C.ReleasePledge(f.Ctx, f.bank.Identity, r.ID))
	if r.Status != "ISSUED" || r.Pledge != nil || r.Frozen == nil {
		t.Fatalf("released %+v", r)
	}
	v := f.getFinancing(f.bank, fin.ID, "")
	if v.Collateral[0].Status != "RELEASED" || v.Status != "APPROVED" {
		t.Errorf("financing after release %+v", v.Financing)
	}
	_, err = f.C.ReleasePledge(f.Ctx, f.bank.Identity, r.ID)
	wantCode(t, err, "CONFLICT")
}

// Concurrent issuances on one lot, and an issuance racing the warehouse's
// own shipping of the lot: the range reads of receipt~lot and custody~lot
// (and the basis keys) let exactly one of them commit.
func TestReceiptConcurrentIssue(t *testing.T) {
	f := newWRFix(t)
	lot := f.lot("1000")
	f.receive(f.wh, lot, "1000")
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.Submit(f.wh.Identity, api.TxIssueReceipt, trJSON(wrIssueInput(f.gtin, lot, "1000", "100000.00", "CNY", f.trader.CreditCode)))
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch Code(err) {
		case "":
			ok++
		case "CONFLICT", "MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT":
		default:
			t.Errorf("issue: %v", err)
		}
	}
	var live []api.Receipt
	Into(f.T, &live)(f.C.ListReceiptsByWarehouse(f.Ctx, f.wh.Identity, ""))
	if ok != 1 || len(live) != 1 {
		t.Fatalf("%d issuances committed, %d receipts", ok, len(live))
	}

	// Issue and ship at once, many times: never both.
	for i := 0; i < 8; i++ {
		lot := f.lot("10")
		f.receive(f.wh, lot, "10")
		var issueErr, shipErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, issueErr = f.Submit(f.wh.Identity, api.TxIssueReceipt, trJSON(wrIssueInput(f.gtin, lot, "10", "1000.00", "CNY", f.trader.CreditCode)))
		}()
		go func() { defer wg.Done(); _, shipErr = f.event(f.wh, "shipping", lot, "") }()
		wg.Wait()
		if issueErr == nil && shipErr == nil {
			t.Fatalf("lot %s shipped and put under a receipt at once", lot)
		}
		if issueErr != nil && shipErr != nil {
			t.Logf("both refused: %v / %v", issueErr, shipErr)
		}
	}
}
