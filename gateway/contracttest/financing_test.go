package contracttest

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

var finIDPattern = regexp.MustCompile(`^F-2026-[0-9A-F]{16}$`)

func TestFinancingApplyAndApprove(t *testing.T) {
	f := newWRFix(t)
	r1 := f.receipt(f.trader, "1000", "600000.00", "CNY")
	r2 := f.receipt(f.trader, "500", "400000.00", "CNY")
	usd := f.receipt(f.trader, "500", "50000.00", "USD")
	notMine := f.receipt(f.producer, "100", "1000.00", "CNY")
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)

	for _, tc := range []struct {
		name string
		in   api.FinancingApplication
		want string
	}{
		{"bank is not a bank", wrApplyInput(f.wh.CreditCode, "1.00", "CNY", r1.ID), "RULE_VIOLATION"},
		{"unknown bank", wrApplyInput(CreditCode(t, 997), "1.00", "CNY", r1.ID), "NOT_FOUND"},
		{"someone else's receipt", wrApplyInput(f.bank.CreditCode, "1.00", "CNY", notMine.ID), "FORBIDDEN"},
		{"another currency", wrApplyInput(f.bank.CreditCode, "1.00", "CNY", usd.ID), "RULE_VIOLATION"},
		{"receipt named twice", wrApplyInput(f.bank.CreditCode, "1.00", "CNY", r1.ID, r1.ID), "INVALID_ARGUMENT"},
		{"no collateral", wrApplyInput(f.bank.CreditCode, "1.00", "CNY"), "INVALID_ARGUMENT"},
		{"unknown receipt", wrApplyInput(f.bank.CreditCode, "1.00", "CNY", "WR-2026-0000000000000000"), "NOT_FOUND"},
		{"zero principal", wrApplyInput(f.bank.CreditCode, "0", "CNY", r1.ID), "INVALID_ARGUMENT"},
		{"three decimals", wrApplyInput(f.bank.CreditCode, "1.001", "CNY", r1.ID), "INVALID_ARGUMENT"},
		{"other type", api.FinancingApplication{Type: "RECEIVABLE", Bank: f.bank.CreditCode, Collateral: []string{r1.ID}, RequestedPrincipal: "1.00", Currency: "CNY", Purpose: "x"}, "INVALID_ARGUMENT"},
		{"no purpose", api.FinancingApplication{Bank: f.bank.CreditCode, Collateral: []string{r1.ID}, RequestedPrincipal: "1.00", Currency: "CNY"}, "INVALID_ARGUMENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, tc.in)
			wantCode(t, err, tc.want)
		})
	}
	_, err := f.C.ApplyForFinancing(f.Ctx, f.bank.Identity, wrApplyInput(f.bank.CreditCode, "1.00", "CNY", r1.ID))
	wantCode(t, err, "RULE_VIOLATION") // a bank does not lend to itself (checked before the receipts)

	// Several banks may be asked for the same receipts; nothing is locked.
	a := f.apply(f.trader, f.bank, "800000.00", "CNY", r1.ID, r2.ID)
	b := f.apply(f.trader, bank2, "500000.00", "CNY", r1.ID)
	if !finIDPattern.MatchString(a.ID) || a.Status != "APPLIED" || a.Applicant != f.trader.CreditCode || a.Bank != f.bank.CreditCode ||
		a.RequestedPrincipal != "800000.00" || len(a.Collateral) != 2 || a.Collateral[1].Status != "OFFERED" || a.Terms != nil {
		t.Fatalf("applied %+v", a)
	}
	if r := f.getReceipt(r1.ID); r.Status != "ISSUED" || r.Pledge != nil {
		t.Fatalf("application locked the receipt: %+v", r)
	}

	// Terms: the principal may not exceed the request; loan-to-value.
	for _, tc := range []struct {
		name  string
		as    *Member
		terms api.FinancingTerms
		want  string
	}{
		{"another bank", bank2, wrTerms("800000.00", "0.05", 90, "0.8"), "FORBIDDEN"},
		{"not a bank", f.trader, wrTerms("800000.00", "0.05", 90, "0.8"), "FORBIDDEN"},
		{"more than requested", f.bank, wrTerms("800000.01", "0.05", 90, "0.9"), "RULE_VIOLATION"},
		// 800,000 / (600,000 + 400,000) = 0.8 > 0.79.
		{"loan to value", f.bank, wrTerms("800000.00", "0.05", 90, "0.79"), "LTV_EXCEEDED"},
		{"rate as percent", f.bank, wrTerms("800000.00", "4.35", 90, "0.8"), "INVALID_ARGUMENT"},
		{"no term", f.bank, api.FinancingTerms{Principal: "1.00", AnnualRate: "0.05", MaxLTV: "0.8"}, "INVALID_ARGUMENT"},
		{"term and maturity", f.bank, api.FinancingTerms{Principal: "1.00", AnnualRate: "0.05", MaxLTV: "0.8", TermDays: 5, MaturityDate: "2026-12-31"}, "INVALID_ARGUMENT"},
		{"maturity today", f.bank, api.FinancingTerms{Principal: "1.00", AnnualRate: "0.05", MaxLTV: "0.8", MaturityDate: "2026-04-01"}, "RULE_VIOLATION"},
		{"zero ltv", f.bank, wrTerms("1.00", "0.05", 90, "0"), "INVALID_ARGUMENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.C.ApproveFinancing(f.Ctx, tc.as.Identity, a.ID, tc.terms)
			wantCode(t, err, tc.want)
		})
	}
	var approved api.Financing
	Result(f.T, &approved)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, a.ID, wrTerms("800000.00", "0.05", 90, "0.8")))
	if approved.Status != "APPROVED" || approved.Terms.LTV != "0.8" || approved.Terms.CollateralValue != "1000000.00" || approved.ApprovalDate != "2026-04-01" {
		t.Fatalf("approved %+v", approved)
	}
	for _, id := range []string{r1.ID, r2.ID} {
		if r := f.getReceipt(id); r.Status != "PLEDGED" || r.Pledge.FinancingID != a.ID {
			t.Errorf("%s after approval: %+v", id, r)
		}
	}
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, a.ID, wrTerms("800000.00", "0.05", 90, "0.8"))
	wantCode(t, err, "CONFLICT") // approved already
	// The other bank's approval finds r1 pledged.
	_, err = f.C.ApproveFinancing(f.Ctx, bank2.Identity, b.ID, wrTerms("100.00", "0.05", 90, "0.8"))
	wantCode(t, err, "ALREADY_PLEDGED")
	if err != nil && !regexp.MustCompile(`receipt WR-2026-[0-9A-F]{16} is pledged to financing `+a.ID).MatchString(err.Error()) {
		t.Errorf("message %q", err)
	}
	f.OK(f.C.RejectFinancing(f.Ctx, bank2.Identity, b.ID, "collateral pledged elsewhere"))
	_, err = f.C.RejectFinancing(f.Ctx, bank2.Identity, b.ID, "again")
	wantCode(t, err, "CONFLICT")

	// Withdraw: only the applicant, only while applied.
	c := f.apply(f.trader, bank2, "1000.00", "USD", usd.ID)
	_, err = f.C.WithdrawFinancing(f.Ctx, bank2.Identity, c.ID)
	wantCode(t, err, "FORBIDDEN")
	var w api.Financing
	Result(f.T, &w)(f.C.WithdrawFinancing(f.Ctx, f.trader.Identity, c.ID))
	if w.Status != "WITHDRAWN" {
		t.Errorf("withdrawn %+v", w)
	}
	_, err = f.C.ApproveFinancing(f.Ctx, bank2.Identity, c.ID, wrTerms("1000.00", "0.05", 90, "0.8"))
	wantCode(t, err, "CONFLICT")

	// An approved, never disbursed financing can be closed by the bank,
	// releasing its collateral.
	_, err = f.C.RecordRepayment(f.Ctx, f.trader.Identity, a.ID, "1.00", "2026-04-01")
	wantCode(t, err, "CONFLICT") // not disbursed
	var closed api.Financing
	Result(f.T, &closed)(f.C.CloseFinancing(f.Ctx, f.bank.Identity, a.ID))
	if closed.Status != "CLOSED" || closed.Collateral[0].Status != "RELEASED" || closed.Collateral[1].Status != "RELEASED" {
		t.Errorf("closed %+v", closed)
	}
	if r := f.getReceipt(r2.ID); r.Status != "ISSUED" || r.Pledge != nil {
		t.Errorf("after close %+v", r)
	}

	// Visibility: only the parties read a financing; lists are one's own.
	_, err = f.C.GetFinancing(f.Ctx, bank2.Identity, a.ID, "")
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.GetFinancing(f.Ctx, f.reg.Identity, a.ID, "")
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.GetFinancing(f.Ctx, f.trader.Identity, a.ID, "2026-02-30")
	wantCode(t, err, "INVALID_ARGUMENT")
	_, err = f.C.GetFinancing(f.Ctx, f.trader.Identity, "F-2026-0000000000000000", "")
	wantCode(t, err, "NOT_FOUND")
	list := func(m *Member) []string {
		var fs []api.Financing
		Into(f.T, &fs)(f.C.ListFinancings(f.Ctx, m.Identity))
		var ids []string
		for _, x := range fs {
			ids = append(ids, x.ID)
		}
		slices.Sort(ids)
		return ids
	}
	all := []string{a.ID, b.ID, c.ID}
	slices.Sort(all)
	if got := list(f.trader); !slices.Equal(got, all) {
		t.Errorf("applicant's list %v, want %v", got, all)
	}
	if got := list(f.bank); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("bank's list %v", got)
	}
	if got := list(f.reg); len(got) != 0 {
		t.Errorf("regulator's list %v", got)
	}
}

func TestFinancingDisburseAndDefaultRules(t *testing.T) {
	f := newWRFix(t)
	r := f.receipt(f.trader, "1000", "100000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "50000.00", "CNY", r.ID)
	_, err := f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01")
	wantCode(t, err, "CONFLICT") // not approved
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("50000.00", "0.04", 10, "0.5")))
	_, err = f.C.DisburseFinancing(f.Ctx, f.trader.Identity, fin.ID, "2026-04-01")
	wantCode(t, err, "FORBIDDEN")
	_, err = f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-02")
	wantCode(t, err, "RULE_VIOLATION") // in the future
	_, err = f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026/04/01")
	wantCode(t, err, "INVALID_ARGUMENT")
	var d api.Financing
	Result(f.T, &d)(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01"))
	if d.MaturityDate != "2026-04-11" || len(d.Postings) != 1 || d.Postings[0].Kind != "DISBURSEMENT" || d.Postings[0].Amount != "50000.00" {
		t.Fatalf("disbursed %+v", d)
	}
	_, err = f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2026-04-01")
	wantCode(t, err, "CONFLICT")
	_, err = f.C.CloseFinancing(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "RULE_VIOLATION")
	f.setDay("2026-04-11")
	_, err = f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "RULE_VIOLATION") // on the maturity date
	// The bank records a repayment too.
	f.OK(f.C.RecordRepayment(f.Ctx, f.bank.Identity, fin.ID, "10000.00", "2026-04-11"))
	f.setDay("2026-04-12")
	// Frozen collateral blocks the handover until the regulator lifts it.
	f.OK(f.C.FreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "查封"))
	_, err = f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "CONFLICT")
	f.OK(f.C.UnfreezeReceipt(f.Ctx, f.reg.Identity, r.ID, "解封"))
	// On 04-11: 50,000.00 × 0.04 × 10 / 360 = 55.555… → 55.56, so the
	// 10,000.00 paid 55.56 interest and 9,944.44 principal, leaving
	// 40,055.56. Default on 04-12, 1 day later: 40,055.56 × 0.04 / 360 =
	// 4.4506… → 4.45; owed 40,055.56 + 4.45 = 40,060.01.
	var def api.Financing
	Result(f.T, &def)(f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID))
	if def.Postings[1].ToInterest != "55.56" || def.PrincipalOutstanding != "40055.56" || def.Postings[2].Amount != "40060.01" {
		t.Errorf("default postings %+v", def.Postings)
	}
	_, err = f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "CONFLICT")
	_, err = f.C.CloseFinancing(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "CONFLICT")
}

// Every writing transaction sets exactly one event naming the entity and
// the action.
func TestFinancingEvents(t *testing.T) {
	f := newWRFix(t)
	from, _ := f.Ledger.Height(context.Background())
	r := f.receipt(f.trader, "1000", "100000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "50000.00", "CNY", r.ID)
	var txs []string
	txs = append(txs, f.mustDo(nil, f.bank.Identity, api.TxApproveFinancing, fin.ID, trJSON(wrTerms("50000.00", "0.04", 10, "0.5"))).TxID)
	txs = append(txs, f.mustDo(nil, f.bank.Identity, api.TxDisburseFinancing, fin.ID, "2026-04-01").TxID)
	// The payoff closes the financing in its own transaction.
	txs = append(txs, f.mustDo(nil, f.trader.Identity, api.TxRecordRepayment, fin.ID, "50000.00", "2026-04-01").TxID)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := f.Ledger.Events(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	byTx := map[string][]api.Event{}
	height, _ := f.Ledger.Height(context.Background())
	for ev := range ch {
		var e api.Event
		if err := json.Unmarshal(ev.Payload, &e); err != nil {
			t.Fatal(err)
		}
		byTx[ev.TxID] = append(byTx[ev.TxID], e)
		if ev.BlockNumber+1 >= height && ev.TxID == txs[len(txs)-1] {
			break
		}
	}
	want := []string{"financing/approved", "financing/disbursed", "financing/repaid"}
	for i, tx := range txs {
		evs := byTx[tx]
		if len(evs) != 1 || evs[0].Entity+"/"+evs[0].Action != want[i] || evs[0].ID != fin.ID {
			t.Errorf("tx %d events %+v, want one %s", i, evs, want[i])
		}
	}
	if evs := byTx[r.TxID]; len(evs) != 1 || evs[0].Entity != "receipt" || evs[0].Action != "issued" || evs[0].ID != r.ID {
		t.Errorf("issue events %+v", evs)
	}
	if repaid := byTx[txs[2]]; len(repaid) == 1 {
		if d, _ := repaid[0].Data.(map[string]any); d["status"] != "CLOSED" || len(d["released"].([]any)) != 1 {
			t.Errorf("payoff event data %+v, want status CLOSED and the receipt released", repaid[0].Data)
		}
	}
	if v := f.getFinancing(f.bank, fin.ID, "2026-04-01"); v.Status != "CLOSED" {
		t.Errorf("after the payoff: %s", v.Status)
	}
}
