package contracttest

import (
	"encoding/json"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Worked interest examples. Every figure is computed by hand in the
// comments: interest = principal × annual rate × days / 360, rounded half
// up to the minor unit at each posting; a repayment pays accrued interest
// first, then principal.

// wrLoan sets up a disbursed financing: a receipt valued at value, an
// application and approval for principal, disbursement on disburseDay
// (the clock is at approveDay for the application and approval).
func (f *wrFix) wrLoan(approveDay, disburseDay, value, principal, currency, terms string) string {
	f.T.Helper()
	f.setDay(approveDay)
	r := f.receipt(f.trader, "1000", value, currency)
	fin := f.apply(f.trader, f.bank, principal, currency, r.ID)
	f.mustDo(nil, f.bank.Identity, api.TxApproveFinancing, fin.ID, terms)
	f.setDay(disburseDay)
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, disburseDay))
	return fin.ID
}

// repay records a repayment by the applicant and returns its posting.
func (f *wrFix) repay(id, amount, valueDate string) api.Posting {
	f.T.Helper()
	var fin api.Financing
	Result(f.T, &fin)(f.C.RecordRepayment(f.Ctx, f.trader.Identity, id, amount, valueDate))
	return fin.Postings[len(fin.Postings)-1]
}

func checkPosting(t *testing.T, p api.Posting, days int, accrued, toInterest, toPrincipal, principalAfter, unpaidAfter string) {
	t.Helper()
	if p.Days != days || p.InterestAccrued != accrued || p.ToInterest != toInterest || p.ToPrincipal != toPrincipal ||
		p.PrincipalAfter != principalAfter || p.InterestUnpaidAfter != unpaidAfter {
		t.Errorf("posting %s %s: days %d accrued %s → interest %s principal %s; after: principal %s unpaid %s\n"+
			"want days %d accrued %s → interest %s principal %s; after: principal %s unpaid %s",
			p.ValueDate, p.Amount, p.Days, p.InterestAccrued, p.ToInterest, p.ToPrincipal, p.PrincipalAfter, p.InterestUnpaidAfter,
			days, accrued, toInterest, toPrincipal, principalAfter, unpaidAfter)
	}
}

func checkAsOf(t *testing.T, v api.FinancingView, principal, interest, payoff string) {
	t.Helper()
	if v.AsOf.PrincipalOutstanding != principal || v.AsOf.InterestAccrued != interest || v.AsOf.Payoff != payoff {
		t.Errorf("as of %s: principal %s interest %s payoff %s; want %s %s %s",
			v.AsOf.Date, v.AsOf.PrincipalOutstanding, v.AsOf.InterestAccrued, v.AsOf.Payoff, principal, interest, payoff)
	}
}

// CNY 1,000,000.00 at 4.35% a year for 90 days from a month end
// (2026-01-31), repaid in three postings on month ends.
func TestInterestMonthEnds(t *testing.T) {
	f := newWRFix(t)
	// Collateral 2,000,000.00; LTV 1,000,000 / 2,000,000 = 0.5 = the
	// maximum, which is allowed.
	id := f.wrLoan("2026-01-31", "2026-01-31", "2000000.00", "1000000.00", "CNY", trJSON(wrTerms("1000000.00", "0.0435", 90, "0.5")))
	v := f.getFinancing(f.trader, id, "")
	// 2026-01-31 + 90 days: +1 → Feb 1, +28 → Mar 1, +31 → Apr 1, +30 → May 1.
	if v.Status != "ACTIVE" || v.MaturityDate != "2026-05-01" || v.PrincipalOutstanding != "1000000.00" || v.Terms.LTV != "0.5" {
		t.Fatalf("disbursed: %+v", v.Financing)
	}

	// 2026-01-31 → 2026-02-28 is 28 days:
	// 1,000,000.00 × 0.0435 × 28 / 360 = 1,218,000 / 360 = 3,383.333… → 3,383.33.
	checkAsOf(t, f.getFinancing(f.bank, id, "2026-02-28"), "1000000.00", "3383.33", "1003383.33")

	// The repayment is recorded at 01:30 on 28 February in Shanghai,
	// which is still 27 February in UTC: the value date is Shanghai's.
	f.Clock.Set(mustTime(t, "2026-02-27T17:30:00Z"))
	_, err := f.C.RecordRepayment(f.Ctx, f.trader.Identity, id, "1.00", "2026-03-01")
	wantCode(t, err, "RULE_VIOLATION") // after today
	// 300,000.00: 3,383.33 to interest, 296,616.67 to principal;
	// 1,000,000.00 − 296,616.67 = 703,383.33 outstanding.
	checkPosting(t, f.repay(id, "300000", "2026-02-28"), 28, "3383.33", "3383.33", "296616.67", "703383.33", "0.00")

	f.setDay("2026-04-01")
	_, err = f.C.RecordRepayment(f.Ctx, f.trader.Identity, id, "1.00", "2026-02-27")
	wantCode(t, err, "RULE_VIOLATION") // before the previous posting
	// 2026-02-28 → 2026-03-31 is 31 days:
	// 703,383.33 × 0.0435 = 30,597.174855; × 31 = 948,512.420505;
	// / 360 = 2,634.7567… → 2,634.76.
	// 100,000.00: 2,634.76 to interest, 97,365.24 to principal;
	// 703,383.33 − 97,365.24 = 606,018.09.
	checkPosting(t, f.repay(id, "100000.00", "2026-03-31"), 31, "2634.76", "2634.76", "97365.24", "606018.09", "0.00")

	// 2026-03-31 → 2026-04-30 is 30 days:
	// 606,018.09 × 0.0435 × 30 / 360 = 26,361.786915 / 12 = 2,196.8155… → 2,196.82;
	// payoff 606,018.09 + 2,196.82 = 608,214.91.
	checkAsOf(t, f.getFinancing(f.trader, id, "2026-04-30"), "606018.09", "2196.82", "608214.91")
	f.setDay("2026-04-30")
	_, err = f.C.RecordRepayment(f.Ctx, f.trader.Identity, id, "608214.92", "2026-04-30")
	wantCode(t, err, "RULE_VIOLATION") // one fen more than the payoff
	_, err = f.C.CloseFinancing(f.Ctx, f.bank.Identity, id)
	wantCode(t, err, "RULE_VIOLATION") // still owed
	checkPosting(t, f.repay(id, "608214.91", "2026-04-30"), 30, "2196.82", "2196.82", "606018.09", "0.00", "0.00")
	_, err = f.C.RecordRepayment(f.Ctx, f.trader.Identity, id, "0.01", "2026-04-30")
	wantCode(t, err, "CONFLICT") // nothing owed: the payoff closed it

	// Paid off, it closed and released its collateral in that transaction.
	closed := f.getFinancing(f.bank, id, "2026-04-30").Financing
	// Interest paid 3,383.33 + 2,634.76 + 2,196.82 = 8,214.91.
	if closed.Status != "CLOSED" || closed.InterestPaid != "8214.91" || closed.PrincipalRepaid != "1000000.00" || closed.Collateral[0].Status != "RELEASED" {
		t.Errorf("closed: %+v", closed)
	}
	if r := f.getReceipt(closed.Collateral[0].ReceiptID); r.Status != "ISSUED" || r.Pledge != nil {
		t.Errorf("collateral after close: %+v", r)
	}
	// Three on-time repayments: 300,000.00 + 100,000.00 + 608,214.91 = 1,008,214.91.
	var rec api.CreditRecord
	Into(f.T, &rec)(f.C.GetCreditRecord(f.Ctx, f.bank.Identity, f.trader.CreditCode))
	if rec.OnTime.Count != 3 || len(rec.OnTime.Amounts) != 1 || rec.OnTime.Amounts[0] != (api.Money{Amount: "1008214.91", Currency: "CNY"}) ||
		rec.Late.Count != 0 || rec.Defaults.Count != 0 {
		t.Errorf("credit record %+v", rec)
	}
}

// CNY 500,000.00 at 6% with a fixed maturity of 2028-03-31, across the
// leap-year February; a repayment smaller than the interest; a late
// repayment; a default.
func TestInterestLeapYearAndDefault(t *testing.T) {
	f := newWRFix(t)
	f.setDay("2028-01-20")
	r := f.receipt(f.trader, "1000", "800000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "500000.00", "CNY", r.ID)
	terms, _ := json.Marshal(map[string]string{"principal": "500000.00", "annualRate": "0.06", "maturityDate": "2028-03-31", "maxLtv": "0.7"})
	f.mustDo(nil, f.bank.Identity, api.TxApproveFinancing, fin.ID, string(terms))
	f.setDay("2028-02-01")
	_, err := f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2028-01-19")
	wantCode(t, err, "RULE_VIOLATION") // before the approval
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, "2028-02-01"))

	// 2028-02-01 → 2028-03-01 is 29 days (2028 is a leap year):
	// 500,000.00 × 0.06 × 29 / 360 = 870,000 / 360 = 2,416.666… → 2,416.67.
	// A payment of 2,000.00 covers only part of it: 416.67 stays unpaid
	// (and earns no interest itself).
	f.setDay("2028-03-01")
	checkPosting(t, f.repay(fin.ID, "2000.00", "2028-03-01"), 29, "2416.67", "2000.00", "0.00", "500000.00", "416.67")

	// 2028-03-01 → 2028-03-31 is 30 days: 500,000.00 × 0.06 × 30 / 360 = 2,500.00;
	// due 416.67 + 2,500.00 = 2,916.67. 102,916.67 pays that and 100,000.00
	// of principal. On the maturity date: on time.
	f.setDay("2028-03-31")
	p := f.repay(fin.ID, "102916.67", "2028-03-31")
	checkPosting(t, p, 30, "2500.00", "2916.67", "100000.00", "400000.00", "0.00")
	if p.OnTime == nil || !*p.OnTime {
		t.Errorf("repayment on the maturity date is not on time")
	}
	_, err = f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID)
	wantCode(t, err, "RULE_VIOLATION") // not after maturity yet

	// 2028-03-31 → 2028-04-10 is 10 days: 400,000.00 × 0.06 × 10 / 360 = 666.666… → 666.67. Late.
	f.setDay("2028-04-10")
	p = f.repay(fin.ID, "666.67", "2028-04-10")
	checkPosting(t, p, 10, "666.67", "666.67", "0.00", "400000.00", "0.00")
	if p.OnTime == nil || *p.OnTime {
		t.Errorf("repayment after maturity counted on time")
	}

	// 2028-04-10 → 2028-04-20 is 10 days: 666.67 again; payoff 400,666.67.
	f.setDay("2028-04-20")
	v := f.getFinancing(f.trader, fin.ID, "")
	checkAsOf(t, v, "400000.00", "666.67", "400666.67")
	if !v.AsOf.PastMaturity || v.AsOf.Date != "2028-04-20" {
		t.Errorf("asOf %+v", v.AsOf)
	}
	other := f.Enterprise(BankMSP, "别的银行", api.KindBank)
	_, err = f.C.DeclareDefault(f.Ctx, other.Identity, fin.ID)
	wantCode(t, err, "FORBIDDEN")
	var d api.Financing
	Result(f.T, &d)(f.C.DeclareDefault(f.Ctx, f.bank.Identity, fin.ID))
	last := d.Postings[len(d.Postings)-1]
	if d.Status != "DEFAULTED" || last.Kind != "DEFAULT" || last.Amount != "400666.67" || last.InterestAccrued != "666.67" || d.Collateral[0].Status != "TAKEN" {
		t.Errorf("defaulted: %+v", d)
	}
	// The collateral passes to the bank, unpledged.
	got := f.getReceipt(r.ID)
	if got.Holder != f.bank.CreditCode || got.Pledge != nil || got.Status != "ISSUED" {
		t.Errorf("collateral after default: %+v", got)
	}
	_, err = f.C.RecordRepayment(f.Ctx, f.trader.Identity, fin.ID, "1.00", "2028-04-20")
	wantCode(t, err, "CONFLICT")
	f.OK(f.C.TransferReceipt(f.Ctx, f.bank.Identity, r.ID, other.CreditCode))

	// Credit record: on time 2,000.00 + 102,916.67 = 104,916.67 (2);
	// late 666.67 (1); one default owing 400,666.67.
	var rec api.CreditRecord
	Into(f.T, &rec)(f.C.GetCreditRecord(f.Ctx, f.trader.Identity, f.trader.CreditCode))
	if rec.OnTime.Count != 2 || rec.OnTime.Amounts[0].Amount != "104916.67" || rec.Late.Count != 1 || rec.Late.Amounts[0].Amount != "666.67" ||
		rec.Defaults.Count != 1 || rec.Defaults.Amounts[0].Amount != "400666.67" {
		t.Errorf("credit record %+v", rec)
	}
	_, err = f.C.GetCreditRecord(f.Ctx, f.wh.Identity, f.trader.CreditCode)
	wantCode(t, err, "FORBIDDEN")
}

// Half-up rounding, other currencies, a year end.
func TestInterestRoundingAndCurrencies(t *testing.T) {
	t.Run("half up", func(t *testing.T) {
		f := newWRFix(t)
		// 3,600.00 × 0.0125 × 1 / 360 = 45 / 360 = 0.125 → 0.13 (half up;
		// banker's rounding would give 0.12).
		id := f.wrLoan("2026-04-01", "2026-04-01", "10000.00", "3600.00", "CNY", trJSON(wrTerms("3600.00", "0.0125", 30, "0.5")))
		f.setDay("2026-04-02")
		checkAsOf(t, f.getFinancing(f.trader, id, ""), "3600.00", "0.13", "3600.13")
		checkPosting(t, f.repay(id, "3600.13", "2026-04-02"), 1, "0.13", "0.13", "3600.00", "0.00", "0.00")
	})
	t.Run("USD over a year end", func(t *testing.T) {
		f := newWRFix(t)
		// 2026-12-31 → 2027-01-31 is 31 days:
		// 250,000.00 × 0.055 × 31 / 360 = 426,250 / 360 = 1,184.0277… → 1,184.03.
		id := f.wrLoan("2026-12-31", "2026-12-31", "400000.00", "250000.00", "USD", trJSON(wrTerms("250000.00", "0.055", 60, "0.65")))
		f.setDay("2027-01-31")
		// 50,000.00: 1,184.03 interest, 48,815.97 principal; 201,184.03 left.
		checkPosting(t, f.repay(id, "50000.00", "2027-01-31"), 31, "1184.03", "1184.03", "48815.97", "201184.03", "0.00")
		// Same day again: 0 days, no interest; all principal.
		checkPosting(t, f.repay(id, "1184.03", "2027-01-31"), 0, "0.00", "0.00", "1184.03", "200000.00", "0.00")
	})
	t.Run("JPY has no minor unit", func(t *testing.T) {
		f := newWRFix(t)
		// 10,000,000 × 0.015 × 7 / 360 = 1,050,000 / 360 = 2,916.67 → 2,917 yen.
		id := f.wrLoan("2026-04-01", "2026-04-01", "30000000", "10000000", "JPY", trJSON(wrTerms("10000000", "0.015", 30, "0.5")))
		f.setDay("2026-04-08")
		_, err := f.C.RecordRepayment(f.Ctx, f.trader.Identity, id, "2917.00", "2026-04-08")
		wantCode(t, err, "INVALID_ARGUMENT") // yen have no decimals
		checkPosting(t, f.repay(id, "2917", "2026-04-08"), 7, "2917", "2917", "0", "10000000", "0")
	})
	t.Run("zero rate", func(t *testing.T) {
		f := newWRFix(t)
		id := f.wrLoan("2026-04-01", "2026-04-01", "10000.00", "5000.00", "CNY", trJSON(wrTerms("5000.00", "0", 30, "0.5")))
		f.setDay("2026-04-20")
		checkPosting(t, f.repay(id, "5000.00", "2026-04-20"), 19, "0.00", "0.00", "5000.00", "0.00", "0.00")
	})
}
