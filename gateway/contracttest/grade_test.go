package contracttest

import (
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

// The grade from the ledger's own records: a clean new enterprise is B;
// three invoices paid on time make the buyer A; a sanction makes the
// trader D and bars it from financing until lifted; a default makes it C,
// which cuts the bank's maximum loan-to-value to 0.8 of what it set.
func TestGradeFromLedger(t *testing.T) {
	f := newInsFix(t)
	g := f.grade(f.buyer.CreditCode)
	if g.Grade != "B" || g.LTVFactor != "1" || g.Inputs != (api.GradeInputs{}) || len(g.Reasons) == 0 {
		t.Fatalf("new enterprise %+v", g)
	}
	for i := 0; i < 3; i++ {
		rv := f.receivable("1000.00", true)
		f.OK(f.C.RecordReceivablePayment(f.Ctx, f.trader.Identity, rv.ID, "1000.00", f.day()))
	}
	if g = f.grade(f.buyer.CreditCode); g.Grade != "A" || g.Inputs.OnTime != 3 || !strings.Contains(g.Reasons[0], "3 on-time") {
		t.Fatalf("buyer after three on-time payments %+v", g)
	}
	_, err := f.C.GetCreditGrade(f.Ctx, f.wh.Identity, f.buyer.CreditCode)
	wantCode(t, err, "FORBIDDEN")
	Into(f.T, &g)(f.C.GetCreditGrade(f.Ctx, f.buyer.Identity, f.buyer.CreditCode)) // its own

	// A sanction: grade D, no financing.
	r := f.receipt(f.trader, "100", "10000.00", "CNY")
	applied := f.apply(f.trader, f.bank, "5000.00", "CNY", r.ID)
	var sn api.Sanction
	Result(f.T, &sn)(f.C.RecordSanction(f.Ctx, f.reg.Identity, f.trader.CreditCode, api.SanctionInput{Reason: "虚开增值税发票", Basis: "清市监罚〔2026〕12号"}))
	if !insIDPattern.MatchString(sn.ID) || sn.Status != "ACTIVE" || sn.Regulator != f.reg.CreditCode {
		t.Fatalf("sanction %+v", sn)
	}
	if g = f.grade(f.trader.CreditCode); g.Grade != "D" || g.LTVFactor != "0.5" || g.Record.Sanctions != (api.SanctionCount{Recorded: 1, Active: 1}) {
		t.Fatalf("sanctioned %+v", g)
	}
	_, err = f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, wrApplyInput(f.bank.CreditCode, "1000.00", "CNY", r.ID))
	wantCode(t, err, "SANCTIONED")
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, applied.ID, wrTerms("5000.00", "0.05", 10, "0.6"))
	wantCode(t, err, "SANCTIONED")
	_, err = f.C.LiftSanction(f.Ctx, f.trader.Identity, sn.ID, "paid the fine")
	wantCode(t, err, "FORBIDDEN")
	var list []api.Sanction
	Into(f.T, &list)(f.C.ListSanctions(f.Ctx, f.bank.Identity, f.trader.CreditCode))
	if len(list) != 1 || list[0].ID != sn.ID {
		t.Fatalf("sanctions %+v", list)
	}
	Result(f.T, &sn)(f.C.LiftSanction(f.Ctx, f.reg.Identity, sn.ID, "整改完成"))
	_, err = f.C.LiftSanction(f.Ctx, f.reg.Identity, sn.ID, "again")
	wantCode(t, err, "CONFLICT")
	if g = f.grade(f.trader.CreditCode); g.Grade != "B" || !strings.Contains(strings.Join(g.Reasons, ";"), "lifted") {
		t.Fatalf("after the lift %+v", g)
	}
	var fin api.Financing
	Result(f.T, &fin)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, applied.ID, wrTerms("5000.00", "0.05", 10, "0.6")))
	if fin.Terms.Grade != "B" || fin.Terms.EffectiveMaxLTV != "0.6" {
		t.Fatalf("terms %+v", fin.Terms)
	}

	// A default: grade C.
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, f.day()))
	f.setDay("2026-04-15") // maturity 2026-04-11
	f.OK(f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID))
	if g = f.grade(f.trader.CreditCode); g.Grade != "C" || g.LTVFactor != "0.8" || g.Inputs.Defaults != 1 {
		t.Fatalf("after a default %+v", g)
	}
	// maxLtv 0.8 × 0.8 = 0.64: 7,000 of 10,000 (0.7) is refused, 6,400 is not.
	r2 := f.receipt(f.trader, "100", "10000.00", "CNY")
	a2 := f.apply(f.trader, f.bank, "7000.00", "CNY", r2.ID)
	_, err = f.C.ApproveFinancing(f.Ctx, f.bank.Identity, a2.ID, wrTerms("7000.00", "0.05", 30, "0.8"))
	wantCode(t, err, "LTV_EXCEEDED")
	Result(f.T, &fin)(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, a2.ID, wrTerms("6400.00", "0.05", 30, "0.8")))
	if fin.Terms.Grade != "C" || fin.Terms.EffectiveMaxLTV != "0.64" || fin.Terms.MaxLTV != "0.8" || fin.Terms.LTV != "0.64" {
		t.Fatalf("terms under grade C %+v", fin.Terms)
	}
}
