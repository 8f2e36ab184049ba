package finance

import (
	"slices"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/credit"
	"github.com/qingchain/qingchain/chaincode/encumbrance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/risk"
	"github.com/shopspring/decimal"
)

const (
	maxListedFinancings = 1000
	obj                 = "financing"
	idxParty            = "financing~party" // [creditCode, financingId] for applicant and bank
	maxCollateral       = 20
	maxPostings         = 1000
	maxTermDays         = 3660
)

// Finance is the financing contract, "finance".
//
// Rules (DESIGN.md §5):
//   - An application locks nothing; the bank's approval reads and writes
//     every collateral receipt, so of two approvals racing for a receipt
//     one commits and the other is refused (ALREADY_PLEDGED) or invalidated
//     (MVCC_READ_CONFLICT; resubmitted, it gets ALREADY_PLEDGED).
//   - Interest accrues on the principal outstanding at the annual rate /
//     360 per calendar day from the previous posting's value date, rounded
//     half up to the minor unit at each posting; unpaid interest is carried
//     and earns none. A repayment pays interest first, then principal. A
//     payment above the payoff is refused: the ledger holds no surplus.
//   - Value dates are Asia/Shanghai dates, never after the transaction's
//     own date nor before the previous posting (or the approval, for the
//     disbursement).
//   - Interest keeps accruing at the same rate after maturity; a
//     repayment after maturity counts as late in the credit record.
type Finance struct{}

// ApplyForFinancing is an enterprise asking a bank for a loan against
// receipts it holds. It locks nothing: the same receipts may be offered to
// several banks; the first approval pledges them. input: {"type":
// "WAREHOUSE_RECEIPT_PLEDGE","bank","collateral":[receiptId...],
// "requestedPrincipal","currency","purpose"}.
func (c *Finance) ApplyForFinancing(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "applying for financing")
	if err != nil {
		return "", err
	}
	var in api.FinancingApplication
	if err := kit.DecodeArg("application", input, &in); err != nil {
		return "", err
	}
	if in.Type == "" {
		in.Type = api.FinancingWarehouseReceiptPledge
	}
	if in.Type != api.FinancingWarehouseReceiptPledge && in.Type != api.FinancingReceivable && in.Type != api.FinancingPolicy {
		return "", kit.Errf(api.CodeInvalidArgument, "type %q is not one of %s, %s, %s", kit.ClipBytes(in.Type), api.FinancingWarehouseReceiptPledge, api.FinancingReceivable, api.FinancingPolicy)
	}
	cur, err := money.LookupCurrency(in.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "currency: %v", err)
	}
	requested, err := money.ParsePositiveAmount(in.RequestedPrincipal, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "requestedPrincipal: %v", err)
	}
	purpose, err := kit.CleanText("purpose", in.Purpose, true, 200)
	if err != nil {
		return "", err
	}
	if len(in.Collateral) == 0 || len(in.Collateral) > maxCollateral {
		return "", kit.Errf(api.CodeInvalidArgument, "collateral: name 1 to %d receipts", maxCollateral)
	}
	for i, id := range in.Collateral {
		if in.Type == api.FinancingWarehouseReceiptPledge {
			if err := receipts.CheckID(id); err != nil {
				return "", err
			}
		}
		if slices.Contains(in.Collateral[:i], id) {
			return "", kit.Errf(api.CodeInvalidArgument, "collateral: %s is named twice", id)
		}
	}
	applicant := caller.Enterprise.CreditCode
	if err := risk.RefuseSanctioned(ctx, applicant); err != nil {
		return "", err
	}
	bank, err := registry.LoadEnterprise(ctx, in.Bank)
	if err != nil {
		return "", err
	}
	if !slices.Contains(bank.Kinds, api.KindBank) || bank.Status != api.EnterpriseActive {
		return "", kit.Errf(api.CodeRuleViolation, "%s is not an active bank", bank.CreditCode)
	}
	if bank.CreditCode == applicant {
		return "", kit.Errf(api.CodeRuleViolation, "an enterprise cannot finance itself")
	}
	coll := make([]api.Collateral, len(in.Collateral))
	for i, id := range in.Collateral {
		if in.Type != api.FinancingWarehouseReceiptPledge {
			if coll[i], err = collOffer(ctx, in.Type, id, applicant, bank.CreditCode, cur); err != nil {
				return "", err
			}
			continue
		}
		r, err := receipts.Load(ctx, id)
		if err != nil {
			return "", err
		}
		if r.Holder != applicant {
			return "", kit.Errf(api.CodeForbidden, "receipt %s is not held by the applicant %s; only its holder offers it as collateral", r.ID, applicant)
		}
		if err := checkPledgeable(r, applicant, cur); err != nil {
			return "", err
		}
		coll[i] = api.Collateral{ReceiptID: id, Valuation: r.Valuation.Amount, Status: api.CollateralOffered}
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	zero := money.Format(decimal.Zero, cur)
	f := &api.Financing{
		ID: kit.DeriveID("F", ctx.GetStub().GetTxID(), now, 0), Type: in.Type,
		Applicant: applicant, Bank: bank.CreditCode, Currency: cur.Code,
		RequestedPrincipal: money.Format(requested, cur), Purpose: purpose,
		Collateral: coll, Status: api.FinancingApplied, AppliedAt: now.Format(kit.TimeLayout),
		PrincipalOutstanding: zero, InterestUnpaid: zero, InterestPaid: zero, PrincipalRepaid: zero,
		Postings: []api.Posting{},
	}
	k, err := kit.Key(ctx, obj, f.ID)
	if err != nil {
		return "", err
	}
	if old, err := ctx.GetStub().GetState(k); err != nil {
		return "", kit.Errf(api.CodeInternal, "read state: %v", err)
	} else if old != nil {
		return "", kit.Errf(api.CodeAlreadyExists, "financing id %s is taken; submit again", f.ID)
	}
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxParty, applicant, f.ID); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxParty, f.Bank, f.ID); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "FinancingApplied", api.Event{Entity: "financing", ID: f.ID, Action: "applied", By: applicant,
		Data: map[string]any{"bank": f.Bank, "collateral": in.Collateral}}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// ApproveFinancing is the bank setting terms and, in the same transaction,
// pledging every collateral receipt (each is read and written, so two
// approvals racing for one receipt cannot both commit); a receivable or an
// insured shipment is locked the same way (ALREADY_FINANCED otherwise).
// The loan-to-value may not exceed maxLtv × the factor of the applicant's
// credit grade (1 for A and B, 0.8 for C, 0.5 for D); a sanctioned
// applicant is refused (SANCTIONED). input:
// {"principal","annualRate","termDays" | "maturityDate","maxLtv"}.
func (c *Finance) ApproveFinancing(ctx contractapi.TransactionContextInterface, financingID, input string) (string, error) {
	caller, f, err := BankAction(ctx, financingID, "approving financing")
	if err != nil {
		return "", err
	}
	var in api.FinancingTerms
	if err := kit.DecodeArg("terms", input, &in); err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	principal, err := money.ParsePositiveAmount(in.Principal, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "principal: %v", err)
	}
	rate, err := money.ParseRate(in.AnnualRate)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "annualRate: %v", err)
	}
	maxLTV, err := money.ParseRate(in.MaxLTV)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "maxLtv: %v", err)
	}
	if maxLTV.Sign() == 0 {
		return "", kit.Errf(api.CodeInvalidArgument, "maxLtv must be greater than zero")
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	var maturity money.Date
	switch {
	case in.TermDays != 0 && in.MaturityDate != "":
		return "", kit.Errf(api.CodeInvalidArgument, "give termDays or maturityDate, not both")
	case in.TermDays != 0:
		if in.TermDays < 1 || in.TermDays > maxTermDays {
			return "", kit.Errf(api.CodeInvalidArgument, "termDays must be 1 to %d", maxTermDays)
		}
	case in.MaturityDate != "":
		if maturity, err = money.ParseDate(in.MaturityDate); err != nil {
			return "", kit.Errf(api.CodeInvalidArgument, "maturityDate: %v", err)
		}
		if !maturity.After(today) {
			return "", kit.Errf(api.CodeRuleViolation, "maturityDate %s is not after today (%s)", maturity, today)
		}
	default:
		return "", kit.Errf(api.CodeInvalidArgument, "termDays or maturityDate is required")
	}
	if err := financingLife().Check("approve", f.ID, f.Status); err != nil {
		return "", err
	}
	requested, err := kit.ParseStored(f.RequestedPrincipal, cur)
	if err != nil {
		return "", err
	}
	if principal.GreaterThan(requested) {
		return "", kit.Errf(api.CodeRuleViolation, "principal %s is more than the %s requested", money.Format(principal, cur), f.RequestedPrincipal)
	}
	if err := risk.RefuseSanctioned(ctx, f.Applicant); err != nil {
		return "", err
	}
	haircuts, err := checkHaircuts(in.Haircuts)
	if err != nil {
		return "", err
	}
	marginDays := in.MarginCallDays
	if marginDays == 0 {
		marginDays = defaultMarginCallDays
	}
	if marginDays < 1 || marginDays > 90 {
		return "", kit.Errf(api.CodeInvalidArgument, "marginCallDays must be 1 to 90")
	}
	if in.RegistrationNo != "" && f.Type != api.FinancingReceivable {
		return "", kit.Errf(api.CodeInvalidArgument, "registrationNo applies to RECEIVABLE financing; this is %s", f.Type)
	}
	// Read every receipt; refuse if any is pledged, frozen, not live, not
	// the applicant's or in another currency.
	pledged := make([]*api.Receipt, len(f.Collateral))
	total := decimal.Zero
	for i, col := range f.Collateral {
		if f.Type != api.FinancingWarehouseReceiptPledge {
			v, err := collValue(ctx, f, i, cur)
			if err != nil {
				return "", err
			}
			total = total.Add(v)
			continue
		}
		r, err := receipts.Load(ctx, col.ReceiptID)
		if err != nil {
			return "", err
		}
		if err := checkPledgeable(r, f.Applicant, cur); err != nil {
			return "", err
		}
		v, err := kit.ParseStored(r.Valuation.Amount, cur)
		if err != nil {
			return "", err
		}
		total = total.Add(v)
		pledged[i] = r
	}
	cg, err := credit.GradeOf(ctx, f.Applicant)
	if err != nil {
		return "", err
	}
	effMaxLTV := maxLTV.Mul(credit.GradeFactor(cg.Grade))
	// principal / total > effMaxLTV, without dividing.
	if principal.GreaterThan(effMaxLTV.Mul(total)) {
		return "", kit.Errf(api.CodeLTVExceeded, "principal %s is %s of collateral valued at %s; the maximum loan-to-value is %s (maxLtv %s × %s for credit grade %s)",
			money.Format(principal, cur), principal.DivRound(total, 6).String(), money.Format(total, cur), effMaxLTV.String(), maxLTV.String(), cg.LTVFactor, cg.Grade)
	}
	// The goods, invoice, declaration and shipment behind the collateral
	// back this financing alone (encumbrance.go).
	if err := encumber(ctx, f); err != nil {
		return "", err
	}
	// Blocking risk flags refuse the approval unless the bank overrides
	// each with a reason (risk_block.go). After the register: goods that
	// back another financing are refused whatever the bank overrides.
	overrides, err := checkBlocking(ctx, f, in.Overrides, now)
	if err != nil {
		return "", err
	}
	stamp := now.Format(kit.TimeLayout)
	txID := ctx.GetStub().GetTxID()
	for i := range f.Collateral {
		if f.Type != api.FinancingWarehouseReceiptPledge {
			if err := collLock(ctx, f, i, now); err != nil {
				return "", err
			}
		}
	}
	for i, r := range pledged {
		if r == nil {
			continue
		}
		if err := receipts.Life().Apply("pledge", r.ID, &r.Status); err != nil {
			return "", err
		}
		r.Pledge = &api.Pledge{FinancingID: f.ID, Pledgee: f.Bank, Since: stamp, TxID: txID}
		if err := receipts.Save(ctx, r); err != nil {
			return "", err
		}
		f.Collateral[i].Valuation = r.Valuation.Amount
		if err := collateralLife().Apply("pledge", colID(f.Collateral[i]), &f.Collateral[i].Status); err != nil {
			return "", err
		}
		f.Collateral[i].PledgedAt = stamp
		if err := onReceiptPledged(ctx, r, now); err != nil {
			return "", err
		}
	}
	f.Terms = &api.Terms{
		Principal: money.Format(principal, cur), AnnualRate: rate.String(), TermDays: in.TermDays,
		MaxLTV: maxLTV.String(), CollateralValue: money.Format(total, cur), LTV: principal.DivRound(total, 6).String(),
		Grade: cg.Grade, EffectiveMaxLTV: effMaxLTV.String(),
		Haircuts: haircuts, MarginCallDays: marginDays, Overrides: overrides,
	}
	if f.Type == api.FinancingReceivable {
		// The pledge's public registration (receivable_registry.go).
		if err := recordRegistration(ctx, f, in.RegistrationNo); err != nil {
			return "", err
		}
	}
	if !maturity.IsZero() {
		f.Terms.MaturityDate = maturity.String()
		f.MaturityDate = maturity.String()
	}
	if err := financingLife().Apply("approve", f.ID, &f.Status); err != nil {
		return "", err
	}
	f.DecidedAt, f.ApprovalDate = stamp, today.String()
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	ids := make([]string, len(f.Collateral))
	for i, col := range f.Collateral {
		ids[i] = col.ReceiptID + col.ReceivableID + col.ShipmentID
	}
	if err := kit.Emit(ctx, "FinancingApproved", api.Event{Entity: "financing", ID: f.ID, Action: "approved", By: caller.Enterprise.CreditCode,
		Data: map[string]any{"pledged": ids, "principal": f.Terms.Principal}}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// RejectFinancing is the bank turning an application down.
func (c *Finance) RejectFinancing(ctx contractapi.TransactionContextInterface, financingID, reason string) (string, error) {
	caller, f, err := BankAction(ctx, financingID, "rejecting financing")
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 200)
	if err != nil {
		return "", err
	}
	if err := financingLife().Check("reject", f.ID, f.Status); err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := financingLife().Apply("reject", f.ID, &f.Status); err != nil {
		return "", err
	}
	f.Note, f.DecidedAt = why, now.Format(kit.TimeLayout)
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "FinancingRejected", api.Event{Entity: "financing", ID: f.ID, Action: "rejected", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// WithdrawFinancing is the applicant taking back an application the bank
// has not decided.
func (c *Finance) WithdrawFinancing(ctx contractapi.TransactionContextInterface, financingID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "withdrawing an application")
	if err != nil {
		return "", err
	}
	f, err := Load(ctx, financingID)
	if err != nil {
		return "", err
	}
	if f.Applicant != caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the applicant withdraws financing %s", f.ID)
	}
	if err := financingLife().Check("withdraw", f.ID, f.Status); err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := financingLife().Apply("withdraw", f.ID, &f.Status); err != nil {
		return "", err
	}
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "FinancingWithdrawn", api.Event{Entity: "financing", ID: f.ID, Action: "withdrawn", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// DisburseFinancing is the bank paying out the approved principal with
// value date valueDate (YYYY-MM-DD, not after today in Asia/Shanghai, not
// before the approval). With termDays, maturity is valueDate + termDays.
func (c *Finance) DisburseFinancing(ctx contractapi.TransactionContextInterface, financingID, valueDate string) (string, error) {
	caller, f, err := BankAction(ctx, financingID, "disbursing financing")
	if err != nil {
		return "", err
	}
	if err := financingLife().Check("disburse", f.ID, f.Status); err != nil {
		return "", err
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	vd, err := kit.ParseValueDate(valueDate, today)
	if err != nil {
		return "", err
	}
	approved, err := money.ParseDate(f.ApprovalDate)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: approval date: %v", f.ID, err)
	}
	if vd.Before(approved) {
		return "", kit.Errf(api.CodeRuleViolation, "valueDate %s is before the approval on %s", vd, approved)
	}
	maturity := vd.AddDays(f.Terms.TermDays)
	if f.Terms.TermDays == 0 {
		if maturity, err = money.ParseDate(f.Terms.MaturityDate); err != nil {
			return "", kit.Errf(api.CodeInternal, "financing %s: maturity: %v", f.ID, err)
		}
	}
	if !maturity.After(vd) {
		return "", kit.Errf(api.CodeRuleViolation, "valueDate %s is not before maturity %s", vd, maturity)
	}
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	principal, err := kit.ParseStored(f.Terms.Principal, cur)
	if err != nil {
		return "", err
	}
	zero := money.Format(decimal.Zero, cur)
	if err := financingLife().Apply("disburse", f.ID, &f.Status); err != nil {
		return "", err
	}
	f.DisbursementDate, f.MaturityDate, f.LastPostingDate = vd.String(), maturity.String(), vd.String()
	f.PrincipalOutstanding = money.Format(principal, cur)
	f.Postings = append(f.Postings, api.Posting{
		Seq: 1, Kind: api.PostingDisbursement, ValueDate: vd.String(), Amount: f.PrincipalOutstanding,
		InterestAccrued: zero, ToInterest: zero, ToPrincipal: zero,
		PrincipalAfter: f.PrincipalOutstanding, InterestUnpaidAfter: zero,
		RecordedBy: caller.Enterprise.CreditCode, RecordedAt: now.Format(kit.TimeLayout), TxID: ctx.GetStub().GetTxID(),
	})
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "FinancingDisbursed", api.Event{Entity: "financing", ID: f.ID, Action: "disbursed", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"amount": f.PrincipalOutstanding, "valueDate": vd.String(), "maturityDate": f.MaturityDate}}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// RecordRepayment records a repayment of amount with value date valueDate,
// by the applicant or the bank. Interest accrued since the previous
// posting is paid first, then principal. A payment above the payoff on
// that date is refused: the ledger holds no surplus.
func (c *Finance) RecordRepayment(ctx contractapi.TransactionContextInterface, financingID, amount, valueDate string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "recording a repayment")
	if err != nil {
		return "", err
	}
	f, err := Load(ctx, financingID)
	if err != nil {
		return "", err
	}
	by := caller.Enterprise.CreditCode
	if by != f.Applicant && by != f.Bank {
		return "", kit.Errf(api.CodeForbidden, "only the applicant or the bank records repayments of financing %s", f.ID)
	}
	if !disbursed(f) {
		return "", kit.Errf(api.CodeConflict, "financing %s is %s, not %s", f.ID, f.Status, api.FinancingActive)
	}
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	pay, err := money.ParsePositiveAmount(amount, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "amount: %v", err)
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	vd, err := kit.ParseValueDate(valueDate, today)
	if err != nil {
		return "", err
	}
	st, err := loanOf(f, cur)
	if err != nil {
		return "", err
	}
	if vd.Before(st.last) {
		return "", kit.Errf(api.CodeRuleViolation, "valueDate %s is before the previous posting on %s", vd, st.last)
	}
	if len(f.Postings) >= maxPostings {
		return "", kit.Errf(api.CodeRuleViolation, "financing %s has %d postings, the most allowed", f.ID, maxPostings)
	}
	days, accrued := st.accrue(vd)
	due := st.interestUnpaid.Add(accrued)
	payoff := due.Add(st.principal)
	if payoff.Sign() == 0 {
		return "", kit.Errf(api.CodeRuleViolation, "nothing is owed on financing %s", f.ID)
	}
	if pay.GreaterThan(payoff) {
		return "", kit.Errf(api.CodeRuleViolation, "payment %s is more than the payoff of %s on %s", money.Format(pay, cur), money.Format(payoff, cur), vd)
	}
	toInterest, toPrincipal, _ := money.Allocate(pay, due, st.principal)
	principalAfter := st.principal.Sub(toPrincipal)
	unpaidAfter := due.Sub(toInterest)
	maturity, err := money.ParseDate(f.MaturityDate)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: maturity: %v", f.ID, err)
	}
	onTime := !vd.After(maturity)
	f.Postings = append(f.Postings, api.Posting{
		Seq: len(f.Postings) + 1, Kind: api.PostingRepayment, ValueDate: vd.String(), Amount: money.Format(pay, cur),
		Days: days, InterestAccrued: money.Format(accrued, cur),
		ToInterest: money.Format(toInterest, cur), ToPrincipal: money.Format(toPrincipal, cur),
		PrincipalAfter: money.Format(principalAfter, cur), InterestUnpaidAfter: money.Format(unpaidAfter, cur),
		OnTime: &onTime, RecordedBy: by, RecordedAt: now.Format(kit.TimeLayout), TxID: ctx.GetStub().GetTxID(),
	})
	f.PrincipalOutstanding = money.Format(principalAfter, cur)
	f.InterestUnpaid = money.Format(unpaidAfter, cur)
	f.LastPostingDate = vd.String()
	if f.InterestPaid, err = kit.AddStored(f.InterestPaid, toInterest, cur); err != nil {
		return "", err
	}
	if f.PrincipalRepaid, err = kit.AddStored(f.PrincipalRepaid, toPrincipal, cur); err != nil {
		return "", err
	}
	if err := credit.RecordRepayment(ctx, f.Applicant, pay, cur, onTime, now); err != nil {
		return "", err
	}
	// Paid off: the financing closes and releases its collateral here; a
	// repayment during a margin call may end it.
	released, err := settle(ctx, f, now, nil, nil)
	if err != nil {
		return "", err
	}
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	data := map[string]any{"amount": money.Format(pay, cur), "valueDate": vd.String(), "principalOutstanding": f.PrincipalOutstanding, "status": f.Status}
	if released != nil {
		data["released"] = released
	}
	if err := kit.Emit(ctx, "FinancingRepaid", api.Event{Entity: "financing", ID: f.ID, Action: "repaid", By: by, Data: data}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// settle, after money reached a disbursed financing: with principal
// and interest at zero it closes the financing and releases its
// collateral (returning what was released); otherwise a margin call is
// re-assessed. heldRv and heldS are the caller's in-memory receivable or
// shipment, changed here rather than reloaded, since a transaction does
// not read its own writes and the caller saves them.
func settle(ctx contractapi.TransactionContextInterface, f *api.Financing, now time.Time, heldRv *api.Receivable, heldS *api.Shipment) ([]string, error) {
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	st, err := loanOf(f, cur)
	if err != nil {
		return nil, err
	}
	if st.principal.Sign() != 0 || st.interestUnpaid.Sign() != 0 {
		if f.Status == api.FinancingMarginCall {
			return nil, revalue(ctx, f, now)
		}
		return nil, nil
	}
	return closeAndRelease(ctx, f, now, heldRv, heldS)
}

// closeAndRelease closes f and releases every collateral still pledged
// to it, and its encumbrances, in the calling transaction.
func closeAndRelease(ctx contractapi.TransactionContextInterface, f *api.Financing, now time.Time, heldRv *api.Receivable, heldS *api.Shipment) ([]string, error) {
	released := []string{}
	for i := range f.Collateral {
		col := &f.Collateral[i]
		if col.Status != api.CollateralPledged {
			continue
		}
		switch {
		case heldRv != nil && col.ReceivableID == heldRv.ID:
			heldRv.FinancingID, heldRv.Assignee = "", ""
			if err := collateralLife().Apply("release", colID(*col), &col.Status); err != nil {
				return nil, err
			}
			col.ReleasedAt = now.Format(kit.TimeLayout)
			released = append(released, heldRv.ID)
		case heldS != nil && col.ShipmentID == heldS.ID:
			heldS.FinancingID = ""
			if err := collateralLife().Apply("release", colID(*col), &col.Status); err != nil {
				return nil, err
			}
			col.ReleasedAt = now.Format(kit.TimeLayout)
			released = append(released, heldS.ID)
		case f.Type != api.FinancingWarehouseReceiptPledge:
			id, err := collRelease(ctx, f, i, now)
			if err != nil {
				return nil, err
			}
			released = append(released, id)
		default:
			r, err := receipts.Load(ctx, col.ReceiptID)
			if err != nil {
				return nil, err
			}
			if err := release(ctx, f, r, now); err != nil {
				return nil, err
			}
			if err := receipts.Save(ctx, r); err != nil {
				return nil, err
			}
			released = append(released, r.ID)
		}
	}
	if err := encumbrance.Release(ctx, f.ID, ""); err != nil {
		return nil, err
	}
	if f.MarginCall != nil && f.MarginCall.MetAt == "" {
		f.MarginCall.MetAt = now.Format(kit.TimeLayout)
	}
	if err := financingLife().Apply("close", f.ID, &f.Status); err != nil {
		return nil, err
	}
	f.ClosedAt = now.Format(kit.TimeLayout)
	return released, nil
}

// CloseFinancing is the bank closing a financing that is fully repaid (or
// approved and never disbursed); every receipt still pledged to it is
// released in the same transaction (a receivable is reassigned to its
// seller; an insured shipment is freed for another financing).
func (c *Finance) CloseFinancing(ctx contractapi.TransactionContextInterface, financingID string) (string, error) {
	caller, f, err := BankAction(ctx, financingID, "closing financing")
	if err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	if err := financingLife().Check("close", f.ID, f.Status); err != nil {
		return "", err
	}
	// Approved, or called before disbursement: nothing is owed.
	if disbursed(f) {
		st, err := loanOf(f, cur)
		if err != nil {
			return "", err
		}
		if st.principal.Sign() != 0 || st.interestUnpaid.Sign() != 0 {
			return "", kit.Errf(api.CodeRuleViolation, "financing %s still owes principal %s and interest %s", f.ID, f.PrincipalOutstanding, f.InterestUnpaid)
		}
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	released, err := closeAndRelease(ctx, f, now, nil, nil)
	if err != nil {
		return "", err
	}
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "FinancingClosed", api.Event{Entity: "financing", ID: f.ID, Action: "closed", By: caller.Enterprise.CreditCode,
		Data: map[string]any{"released": released}}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// DeclareDefault is the bank declaring an active financing in default: only
// after the maturity date, with something still owed. Interest is accrued
// to today; every receipt still pledged passes to the bank as holder and
// the pledge ends (a receivable passes to the bank as creditor; an insured
// shipment's claim proceeds stay assigned to the bank, and a later claim
// payment is applied to the financing); the applicant's credit record
// counts the default. A frozen collateral receipt blocks it until the
// regulator lifts the freeze.
func (c *Finance) DeclareDefault(ctx contractapi.TransactionContextInterface, financingID string) (string, error) {
	caller, f, err := BankAction(ctx, financingID, "declaring a default")
	if err != nil {
		return "", err
	}
	if !disbursed(f) {
		return "", kit.Errf(api.CodeConflict, "financing %s is %s, not %s", f.ID, f.Status, api.FinancingActive)
	}
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	maturity, err := money.ParseDate(f.MaturityDate)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: maturity: %v", f.ID, err)
	}
	marginLapsed := false
	if f.Status == api.FinancingMarginCall && f.MarginCall != nil {
		deadline, err := money.ParseDate(f.MarginCall.Deadline)
		if err != nil {
			return "", kit.Errf(api.CodeInternal, "financing %s: margin call deadline: %v", f.ID, err)
		}
		marginLapsed = today.After(deadline)
	}
	if !today.After(maturity) && !marginLapsed {
		if f.Status == api.FinancingMarginCall {
			return "", kit.Errf(api.CodeRuleViolation, "financing %s is in a margin call until %s; a default can be declared after that or after maturity on %s", f.ID, f.MarginCall.Deadline, maturity)
		}
		return "", kit.Errf(api.CodeRuleViolation, "financing %s matures on %s; a default can be declared only after that", f.ID, maturity)
	}
	st, err := loanOf(f, cur)
	if err != nil {
		return "", err
	}
	vd := today
	if vd.Before(st.last) {
		vd = st.last
	}
	days, accrued := st.accrue(vd)
	due := st.interestUnpaid.Add(accrued)
	owed := due.Add(st.principal)
	if owed.Sign() == 0 {
		return "", kit.Errf(api.CodeRuleViolation, "financing %s owes nothing; close it instead", f.ID)
	}
	stamp := now.Format(kit.TimeLayout)
	taken := []string{}
	for i := range f.Collateral {
		if f.Collateral[i].Status != api.CollateralPledged {
			continue
		}
		if f.Type != api.FinancingWarehouseReceiptPledge {
			id, err := collTake(ctx, f, i, now)
			if err != nil {
				return "", err
			}
			taken = append(taken, id)
			continue
		}
		r, err := receipts.Load(ctx, f.Collateral[i].ReceiptID)
		if err != nil {
			return "", err
		}
		if r.Pledge == nil || r.Pledge.FinancingID != f.ID {
			return "", kit.Errf(api.CodeInternal, "receipt %s is not pledged to financing %s as recorded", r.ID, f.ID)
		}
		if r.Frozen != nil {
			return "", kit.Errf(api.CodeConflict, "collateral receipt %s is frozen by %s: %s", r.ID, r.Frozen.By, r.Frozen.Reason)
		}
		if err := receipts.Life().Apply("take", r.ID, &r.Status); err != nil {
			return "", err
		}
		r.Pledge = nil
		if err := receipts.SetHolder(ctx, r, f.Bank); err != nil {
			return "", err
		}
		if err := receipts.Save(ctx, r); err != nil {
			return "", err
		}
		if err := collateralLife().Apply("take", colID(f.Collateral[i]), &f.Collateral[i].Status); err != nil {
			return "", err
		}
		f.Collateral[i].TakenAt = stamp
		taken = append(taken, r.ID)
	}
	zero := money.Format(decimal.Zero, cur)
	f.Postings = append(f.Postings, api.Posting{
		Seq: len(f.Postings) + 1, Kind: api.PostingDefault, ValueDate: vd.String(), Amount: money.Format(owed, cur),
		Days: days, InterestAccrued: money.Format(accrued, cur), ToInterest: zero, ToPrincipal: zero,
		PrincipalAfter: f.PrincipalOutstanding, InterestUnpaidAfter: money.Format(due, cur),
		RecordedBy: caller.Enterprise.CreditCode, RecordedAt: stamp, TxID: ctx.GetStub().GetTxID(),
	})
	f.InterestUnpaid, f.LastPostingDate = money.Format(due, cur), vd.String()
	if err := financingLife().Apply("default", f.ID, &f.Status); err != nil {
		return "", err
	}
	f.ClosedAt = stamp
	// The collateral is the bank's now: it backs no financing.
	if err := encumbrance.Release(ctx, f.ID, ""); err != nil {
		return "", err
	}
	if err := credit.RecordDefault(ctx, f.Applicant, owed, cur, now); err != nil {
		return "", err
	}
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "FinancingDefaulted", api.Event{Entity: "financing", ID: f.ID, Action: "defaulted", By: caller.Enterprise.CreditCode,
		Data: map[string]any{"owed": money.Format(owed, cur), "taken": taken}}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// GetFinancing returns a financing with its balance as of asOfDate
// (YYYY-MM-DD; "" for today in Asia/Shanghai; a future date projects the
// payoff). Only the applicant and the bank may read it.
func (c *Finance) GetFinancing(ctx contractapi.TransactionContextInterface, financingID, asOfDate string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a financing")
	if err != nil {
		return "", err
	}
	f, err := Load(ctx, financingID)
	if err != nil {
		return "", err
	}
	if !MayRead(caller, f) {
		return "", kit.Errf(api.CodeForbidden, "only the applicant and the bank may read financing %s", f.ID)
	}
	_, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	date := today
	if asOfDate != "" {
		if date, err = money.ParseDate(asOfDate); err != nil {
			return "", kit.Errf(api.CodeInvalidArgument, "asOfDate: %v", err)
		}
	}
	v, err := view(f, date)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(v)
}

// MayRead: a financing is its applicant's and its bank's to read.
func MayRead(c *api.Caller, f *api.Financing) bool {
	by := c.Enterprise.CreditCode
	return by == f.Applicant || by == f.Bank
}

// view is a financing with what it owes as of date.
func view(f *api.Financing, date money.Date) (*api.FinancingView, error) {
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	v := api.FinancingView{Financing: *f}
	v.AsOf, err = balanceAsOf(f, cur, date)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ListFinancings lists the financings the caller is a party to, as
// applicant or bank, at most 1000, in id order.
func (c *Finance) ListFinancings(ctx contractapi.TransactionContextInterface) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing financings")
	if err != nil {
		return "", err
	}
	tails, err := kit.IndexTails(ctx, idxParty, []string{caller.Enterprise.CreditCode})
	if err != nil {
		return "", err
	}
	out := []*api.Financing{}
	for _, t := range tails {
		if len(out) >= maxListedFinancings {
			break
		}
		f, err := Load(ctx, t[0])
		if err != nil {
			return "", err
		}
		out = append(out, f)
	}
	return kit.ToJSON(out)
}

// balanceAsOf computes what is owed on date. Only an active financing
// accrues; a date before the last posting is refused.
func balanceAsOf(f *api.Financing, cur money.Currency, date money.Date) (api.AsOf, error) {
	a := api.AsOf{Date: date.String(), PrincipalOutstanding: f.PrincipalOutstanding, InterestAccrued: f.InterestUnpaid}
	st, err := loanOf(f, cur)
	if err != nil {
		return a, err
	}
	interest := st.interestUnpaid
	if disbursed(f) {
		if date.Before(st.last) {
			return a, kit.Errf(api.CodeInvalidArgument, "asOfDate %s is before the last posting on %s", date, st.last)
		}
		days, accrued := st.accrue(date)
		a.DaysSinceLastPosting = days
		interest = interest.Add(accrued)
	}
	a.InterestAccrued = money.Format(interest, cur)
	a.Payoff = money.Format(interest.Add(st.principal), cur)
	if f.MaturityDate != "" {
		if m, err := money.ParseDate(f.MaturityDate); err == nil {
			a.PastMaturity = date.After(m)
		}
	}
	return a, nil
}

// loan is the interest-bearing state of a financing.
type loan struct {
	principal, interestUnpaid, rate decimal.Decimal
	last                            money.Date
	cur                             money.Currency
}

func loanOf(f *api.Financing, cur money.Currency) (loan, error) {
	var l loan
	var err error
	l.cur = cur
	if l.principal, err = kit.ParseStored(f.PrincipalOutstanding, cur); err != nil {
		return l, err
	}
	if l.interestUnpaid, err = kit.ParseStored(f.InterestUnpaid, cur); err != nil {
		return l, err
	}
	if f.Terms != nil {
		if l.rate, err = money.ParseRate(f.Terms.AnnualRate); err != nil {
			return l, kit.Errf(api.CodeInternal, "financing %s: rate: %v", f.ID, err)
		}
	}
	if f.LastPostingDate != "" {
		if l.last, err = money.ParseDate(f.LastPostingDate); err != nil {
			return l, kit.Errf(api.CodeInternal, "financing %s: last posting: %v", f.ID, err)
		}
	}
	return l, nil
}

// accrue is the interest on the outstanding principal from the last
// posting to date: principal × rate × days / 360, rounded half-up to the
// minor unit once, here, at the posting.
func (l loan) accrue(date money.Date) (int, decimal.Decimal) {
	if l.last.IsZero() {
		return 0, money.Round(decimal.Zero, l.cur)
	}
	days := l.last.DaysUntil(date)
	if days < 0 {
		days = 0
	}
	return days, money.Interest(l.principal, l.rate, l.last, date, l.cur)
}

// checkPledgeable insists that a receipt can be pledged by applicant for a
// loan in cur.
func checkPledgeable(r *api.Receipt, applicant string, cur money.Currency) error {
	switch {
	case r.Pledge != nil:
		return kit.Errf(api.CodeAlreadyPledged, "receipt %s is pledged to financing %s", r.ID, r.Pledge.FinancingID)
	case r.Frozen != nil:
		return kit.Errf(api.CodeConflict, "receipt %s is frozen by %s: %s", r.ID, r.Frozen.By, r.Frozen.Reason)
	case r.Status != api.ReceiptIssued:
		return receipts.Life().Check("pledge", r.ID, r.Status)
	case r.Holder != applicant:
		return kit.Errf(api.CodeConflict, "receipt %s is held by %s, not by the applicant %s", r.ID, r.Holder, applicant)
	case r.Valuation.Currency != cur.Code:
		return kit.Errf(api.CodeRuleViolation, "receipt %s is valued in %s, the financing is in %s", r.ID, r.Valuation.Currency, cur.Code)
	}
	return nil
}

// release ends a receipt's pledge to f (both are saved by the
// caller).
func release(ctx contractapi.TransactionContextInterface, f *api.Financing, r *api.Receipt, now time.Time) error {
	if r.Pledge == nil || r.Pledge.FinancingID != f.ID {
		return kit.Errf(api.CodeInternal, "receipt %s is not pledged to financing %s as recorded", r.ID, f.ID)
	}
	if err := encumbrance.Release(ctx, f.ID, r.ID); err != nil {
		return err
	}
	// The pledged row: a receipt released and pledged again has two.
	i := slices.IndexFunc(f.Collateral, func(c api.Collateral) bool { return c.ReceiptID == r.ID && c.Status == api.CollateralPledged })
	if i < 0 {
		return kit.Errf(api.CodeInternal, "financing %s does not record receipt %s as pledged", f.ID, r.ID)
	}
	if err := receipts.Life().Apply("release", r.ID, &r.Status); err != nil {
		return err
	}
	r.Pledge = nil
	if err := collateralLife().Apply("release", colID(f.Collateral[i]), &f.Collateral[i].Status); err != nil {
		return err
	}
	f.Collateral[i].ReleasedAt = now.Format(kit.TimeLayout)
	return nil
}

// BankAction loads a financing for a decision by its bank.
func BankAction(ctx contractapi.TransactionContextInterface, financingID, what string) (*api.Caller, *api.Financing, error) {
	caller, err := registry.RequireKind(ctx, what, api.KindBank)
	if err != nil {
		return nil, nil, err
	}
	f, err := Load(ctx, financingID)
	if err != nil {
		return nil, nil, err
	}
	if f.Bank != caller.Enterprise.CreditCode {
		return nil, nil, kit.Errf(api.CodeForbidden, "financing %s was asked of bank %s", f.ID, f.Bank)
	}
	return caller, f, nil
}

// Load reads a financing by id.
func Load(ctx contractapi.TransactionContextInterface, id string) (*api.Financing, error) {
	if !kit.WellFormedID(id, "F") {
		return nil, kit.Errf(api.CodeInvalidArgument, "financing id %q is not of the form F-YYYY-XXXXXXXXXXXXXXXX", kit.ClipBytes(id))
	}
	k, err := kit.Key(ctx, obj, id)
	if err != nil {
		return nil, err
	}
	var f api.Financing
	found, err := kit.GetJSON(ctx, k, &f)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, kit.Errf(api.CodeNotFound, "financing %s does not exist", id)
	}
	return &f, nil
}

// RecordPrivateTermsHash puts the hash of the bank's private term sheet
// (see terms) on the financing and saves it.
func RecordPrivateTermsHash(ctx contractapi.TransactionContextInterface, f *api.Financing, hash string, now time.Time) error {
	f.PrivateTermsHash = hash
	return save(ctx, f, now)
}

func save(ctx contractapi.TransactionContextInterface, f *api.Financing, now time.Time) error {
	f.UpdatedAt, f.TxID = now.Format(kit.TimeLayout), ctx.GetStub().GetTxID()
	k, err := kit.Key(ctx, obj, f.ID)
	if err != nil {
		return err
	}
	if err := kit.PutJSON(ctx, k, f); err != nil {
		return err
	}
	// Every later step of a financing needs the peers of its bank's
	// organisation and of the applicant's (one organisation when they
	// share one).
	var orgs []string
	for _, code := range []string{f.Bank, f.Applicant} {
		e, err := registry.LoadEnterprise(ctx, code)
		if err != nil {
			return err
		}
		orgs = append(orgs, e.MSPID)
	}
	return kit.RequireEndorsers(ctx, k, orgs...)
}
