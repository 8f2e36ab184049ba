package finance

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/insurance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/receivables"
	"github.com/qingchain/qingchain/chaincode/risk"
	"github.com/qingchain/qingchain/chaincode/trade"
	"github.com/shopspring/decimal"
)

// collOffer checks one collateral named in an application of type
// RECEIVABLE or POLICY (nothing is locked yet).
func collOffer(ctx contractapi.TransactionContextInterface, typ, id, applicant, bank string, cur money.Currency) (api.Collateral, error) {
	_, today, err := kit.Today(ctx)
	if err != nil {
		return api.Collateral{}, err
	}
	switch typ {
	case api.FinancingReceivable:
		rv, err := receivables.Load(ctx, id)
		if err != nil {
			return api.Collateral{}, err
		}
		if rv.Creditor != applicant && rv.Seller != applicant { // a seller whose receivable passed to a bank learns why below
			return api.Collateral{}, kit.Errf(api.CodeForbidden, "receivable %s is not owed to the applicant %s; only its creditor offers it as collateral", rv.ID, applicant)
		}
		v, err := rvFinanceable(rv, applicant, cur, today)
		if err != nil {
			return api.Collateral{}, err
		}
		return api.Collateral{ReceivableID: rv.ID, Valuation: money.Format(v, cur), Status: api.CollateralOffered}, nil
	case api.FinancingPolicy:
		s, err := insurance.LoadShipment(ctx, id)
		if err != nil {
			return api.Collateral{}, err
		}
		if s.Insured != applicant {
			return api.Collateral{}, kit.Errf(api.CodeForbidden, "shipment %s is not insured for the applicant %s; only the insured offers it as collateral", s.ID, applicant)
		}
		v, err := financeable(s, applicant, bank, cur, today)
		if err != nil {
			return api.Collateral{}, err
		}
		return api.Collateral{ShipmentID: s.ID, Valuation: money.Format(v, cur), Status: api.CollateralOffered}, nil
	}
	return api.Collateral{}, kit.Errf(api.CodeInternal, "financing type %s has no collateral rules here", typ)
}

// collValue re-checks collateral i of f at approval and returns (and
// records) its value: a receivable's outstanding amount; an insured
// shipment's outstanding amount × coverage ratio (what a claim could pay).
func collValue(ctx contractapi.TransactionContextInterface, f *api.Financing, i int, cur money.Currency) (decimal.Decimal, error) {
	_, today, err := kit.Today(ctx)
	if err != nil {
		return decimal.Zero, err
	}
	var v decimal.Decimal
	switch col := f.Collateral[i]; f.Type {
	case api.FinancingReceivable:
		rv, err := receivables.Load(ctx, col.ReceivableID)
		if err != nil {
			return v, err
		}
		if v, err = rvFinanceable(rv, f.Applicant, cur, today); err != nil {
			return v, err
		}
		if err := trade.NewGate(trade.Domains()).RequireReleased(ctx, rv.ID); err != nil {
			return v, err
		}
	case api.FinancingPolicy:
		s, err := insurance.LoadShipment(ctx, col.ShipmentID)
		if err != nil {
			return v, err
		}
		if v, err = financeable(s, f.Applicant, f.Bank, cur, today); err != nil {
			return v, err
		}
		if err := trade.NewGate(trade.Domains()).RequireReleased(ctx, s.ID); err != nil {
			return v, err
		}
	default:
		return v, kit.Errf(api.CodeInternal, "financing type %s has no collateral rules here", f.Type)
	}
	f.Collateral[i].Valuation = money.Format(v, cur)
	return v, nil
}

// collLock locks collateral i to f at approval: a receivable is
// assigned to the bank; a shipment records the financing. The entity is
// read and written, so of two approvals racing for it one commits and the
// other is refused (ALREADY_FINANCED) or invalidated (MVCC_READ_CONFLICT).
// Goods also behind a pledged warehouse receipt are flagged.
func collLock(ctx contractapi.TransactionContextInterface, f *api.Financing, i int, now time.Time) error {
	col := &f.Collateral[i]
	switch f.Type {
	case api.FinancingReceivable:
		rv, err := receivables.Load(ctx, col.ReceivableID)
		if err != nil {
			return err
		}
		rv.FinancingID, rv.Assignee = f.ID, f.Bank
		if err := receivables.Save(ctx, rv, now); err != nil {
			return err
		}
		if err := receivables.IndexParty(ctx, f.Bank, rv.ID); err != nil {
			return err
		}
		flag, err := risk.PledgedGoodsFlag(ctx, rv.Lots, "receivable "+rv.ID+" is financed ("+f.ID+")")
		if err != nil {
			return err
		}
		if flag != nil {
			if _, err := risk.Raise(ctx, api.RiskEntityReceivable, rv.ID, flag, now); err != nil {
				return err
			}
		}
	case api.FinancingPolicy:
		s, err := insurance.LoadShipment(ctx, col.ShipmentID)
		if err != nil {
			return err
		}
		s.FinancingID = f.ID
		if err := insurance.SaveShipment(ctx, s, now); err != nil {
			return err
		}
		flag, err := risk.PledgedGoodsFlag(ctx, s.Lots, "shipment "+s.ID+" is financed ("+f.ID+")")
		if err != nil {
			return err
		}
		if flag != nil {
			if _, err := risk.Raise(ctx, api.RiskEntityShipment, s.ID, flag, now); err != nil {
				return err
			}
		}
	default:
		return kit.Errf(api.CodeInternal, "financing type %s has no collateral rules here", f.Type)
	}
	if err := collateralLife().Apply("pledge", colID(*col), &col.Status); err != nil {
		return err
	}
	col.PledgedAt = now.Format(kit.TimeLayout)
	return nil
}

// collRelease frees collateral i of f when f closes: the receivable is
// reassigned to its creditor; the shipment may be financed again.
func collRelease(ctx contractapi.TransactionContextInterface, f *api.Financing, i int, now time.Time) (string, error) {
	col := &f.Collateral[i]
	id := col.ReceivableID + col.ShipmentID
	switch f.Type {
	case api.FinancingReceivable:
		rv, err := receivables.Load(ctx, col.ReceivableID)
		if err != nil {
			return "", err
		}
		if rv.FinancingID != f.ID {
			return "", kit.Errf(api.CodeInternal, "receivable %s is not financed by %s as recorded", rv.ID, f.ID)
		}
		rv.FinancingID, rv.Assignee = "", ""
		if err := receivables.Save(ctx, rv, now); err != nil {
			return "", err
		}
	case api.FinancingPolicy:
		s, err := insurance.LoadShipment(ctx, col.ShipmentID)
		if err != nil {
			return "", err
		}
		if s.FinancingID != f.ID {
			return "", kit.Errf(api.CodeInternal, "shipment %s is not financed by %s as recorded", s.ID, f.ID)
		}
		s.FinancingID = ""
		if err := insurance.SaveShipment(ctx, s, now); err != nil {
			return "", err
		}
	default:
		return "", kit.Errf(api.CodeInternal, "financing type %s has no collateral rules here", f.Type)
	}
	if err := collateralLife().Apply("release", colID(*col), &col.Status); err != nil {
		return "", err
	}
	col.ReleasedAt = now.Format(kit.TimeLayout)
	return id, nil
}

// collTake hands collateral i of a defaulted f to the bank: the bank
// becomes the receivable's creditor; a shipment's claim proceeds stay
// assigned to the bank and stay linked to f, so a claim paid later is
// applied to what f still owes.
func collTake(ctx contractapi.TransactionContextInterface, f *api.Financing, i int, now time.Time) (string, error) {
	col := &f.Collateral[i]
	id := col.ReceivableID + col.ShipmentID
	switch f.Type {
	case api.FinancingReceivable:
		rv, err := receivables.Load(ctx, col.ReceivableID)
		if err != nil {
			return "", err
		}
		if rv.FinancingID != f.ID {
			return "", kit.Errf(api.CodeInternal, "receivable %s is not financed by %s as recorded", rv.ID, f.ID)
		}
		rv.Creditor = f.Bank
		if err := receivables.Save(ctx, rv, now); err != nil {
			return "", err
		}
	case api.FinancingPolicy:
		s, err := insurance.LoadShipment(ctx, col.ShipmentID)
		if err != nil {
			return "", err
		}
		if s.FinancingID != f.ID || s.Assignee != f.Bank {
			return "", kit.Errf(api.CodeInternal, "shipment %s is not financed by %s and assigned to %s as recorded", s.ID, f.ID, f.Bank)
		}
	default:
		return "", kit.Errf(api.CodeInternal, "financing type %s has no collateral rules here", f.Type)
	}
	if err := collateralLife().Apply("take", colID(*col), &col.Status); err != nil {
		return "", err
	}
	col.TakenAt = now.Format(kit.TimeLayout)
	return id, nil
}

// rvFinanceable insists that a receivable can be financed by applicant in
// cur today, and returns its value (the amount outstanding).
func rvFinanceable(rv *api.Receivable, applicant string, cur money.Currency, today money.Date) (decimal.Decimal, error) {
	switch {
	case rv.FinancingID != "":
		return decimal.Zero, kit.Errf(api.CodeAlreadyFinanced, "receivable %s is collateral of financing %s", rv.ID, rv.FinancingID)
	case rv.Creditor != applicant:
		return decimal.Zero, kit.Errf(api.CodeConflict, "receivable %s is owed to %s, not to the applicant %s", rv.ID, rv.Creditor, applicant)
	case rv.Status != api.ReceivableConfirmed:
		return decimal.Zero, kit.Errf(api.CodeConflict, "receivable %s is %s; only a receivable its buyer confirmed is financed", rv.ID, rv.Status)
	case rv.Currency != cur.Code:
		return decimal.Zero, kit.Errf(api.CodeRuleViolation, "receivable %s is in %s, the financing in %s", rv.ID, rv.Currency, cur.Code)
	case today.After(kit.StoredDate(rv.DueDate)):
		return decimal.Zero, kit.Errf(api.CodeRuleViolation, "receivable %s was due on %s", rv.ID, rv.DueDate)
	}
	total, paid, err := kit.ParseStoredPair(rv.Amount, rv.Paid, cur)
	if err != nil {
		return decimal.Zero, err
	}
	return total.Sub(paid), nil
}

// financeable insists that an insured shipment can secure a POLICY
// financing of applicant at bank in cur today, and returns its value:
// outstanding × coverage ratio, rounded half-up.
func financeable(s *api.Shipment, applicant, bank string, cur money.Currency, today money.Date) (decimal.Decimal, error) {
	switch {
	case s.FinancingID != "":
		return decimal.Zero, kit.Errf(api.CodeAlreadyFinanced, "shipment %s is collateral of financing %s", s.ID, s.FinancingID)
	case s.Insured != applicant:
		return decimal.Zero, kit.Errf(api.CodeConflict, "shipment %s is insured for %s, not for the applicant %s", s.ID, s.Insured, applicant)
	case s.Status != api.ShipmentDeclared:
		return decimal.Zero, kit.Errf(api.CodeConflict, "shipment %s is %s", s.ID, s.Status)
	case s.Assignee != bank:
		return decimal.Zero, kit.Errf(api.CodeRuleViolation, "the claim proceeds of shipment %s are not assigned to bank %s (the insurer must accept an assignment first)", s.ID, bank)
	case s.Currency != cur.Code:
		return decimal.Zero, kit.Errf(api.CodeRuleViolation, "shipment %s is in %s, the financing in %s", s.ID, s.Currency, cur.Code)
	case today.After(kit.StoredDate(s.PaymentDueDate)):
		return decimal.Zero, kit.Errf(api.CodeRuleViolation, "shipment %s was due on %s", s.ID, s.PaymentDueDate)
	}
	invoice, paid, err := kit.ParseStoredPair(s.InvoiceAmount, s.Paid, cur)
	if err != nil {
		return decimal.Zero, err
	}
	ratio, err := money.ParseRate(s.CoverageRatio)
	if err != nil {
		return decimal.Zero, kit.Errf(api.CodeInternal, "shipment %s: coverage ratio: %v", s.ID, err)
	}
	return money.Round(invoice.Sub(paid).Mul(ratio), cur), nil
}

// financingOfShipment is the financing a payment to bank for shipment s
// repays: the POLICY financing on s, else the RECEIVABLE financing on the
// receivable of the same invoice, if bank is its lender and it is active
// or defaulted; nil when there is none.
func financingOfShipment(ctx contractapi.TransactionContextInterface, s *api.Shipment, bank string) (*api.Financing, error) {
	ids := []string{s.FinancingID}
	rvID, err := receivables.OfInvoice(ctx, s.Insured, s.Buyer, insurance.NormalizeInvoiceNumber(s.InvoiceNumber))
	if err != nil {
		return nil, err
	}
	if rvID != "" {
		rv, err := receivables.Load(ctx, rvID)
		if err != nil {
			return nil, err
		}
		ids = append(ids, rv.FinancingID)
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		f, err := Load(ctx, id)
		if err != nil {
			return nil, err
		}
		if f.Bank == bank && (disbursed(f) || f.Status == api.FinancingDefaulted) {
			return f, nil
		}
	}
	return nil, nil
}

// applyProceeds applies money a third party paid the bank (a claim, the
// buyer's payment) to financing f with value date vd (no earlier than the
// last posting): interest accrued to vd first (an active financing accrues;
// a defaulted one stopped at its default), then principal; the rest is
// surplus, returned for the payer to pass on. f is saved with a posting of
// the part applied. The borrower's credit record is not touched: it did
// not pay.
//
// held is the caller's receivable or shipment the money came through: when
// the payment settles f, f closes and that collateral is released in the
// caller's copy, which the caller saves.
func applyProceeds(ctx contractapi.TransactionContextInterface, f *api.Financing, amount decimal.Decimal, vd money.Date, kind, by string, now time.Time, heldRv *api.Receivable, heldS *api.Shipment) (toInterest, toPrincipal, surplus decimal.Decimal, err error) {
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return decimal.Zero, decimal.Zero, decimal.Zero, kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	st, err := loanOf(f, cur)
	if err != nil {
		return decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	if vd.Before(st.last) {
		vd = st.last
	}
	days, accrued := 0, money.Round(decimal.Zero, cur)
	if disbursed(f) {
		days, accrued = st.accrue(vd)
	}
	due := st.interestUnpaid.Add(accrued)
	toInterest, toPrincipal, surplus = money.Allocate(amount, due, st.principal)
	applied := toInterest.Add(toPrincipal)
	if applied.Sign() == 0 {
		return toInterest, toPrincipal, surplus, nil
	}
	if len(f.Postings) >= maxPostings {
		return decimal.Zero, decimal.Zero, decimal.Zero, kit.Errf(api.CodeRuleViolation, "financing %s has %d postings, the most allowed", f.ID, maxPostings)
	}
	principalAfter, unpaidAfter := st.principal.Sub(toPrincipal), due.Sub(toInterest)
	f.Postings = append(f.Postings, api.Posting{
		Seq: len(f.Postings) + 1, Kind: kind, ValueDate: vd.String(), Amount: money.Format(applied, cur),
		Days: days, InterestAccrued: money.Format(accrued, cur),
		ToInterest: money.Format(toInterest, cur), ToPrincipal: money.Format(toPrincipal, cur),
		PrincipalAfter: money.Format(principalAfter, cur), InterestUnpaidAfter: money.Format(unpaidAfter, cur),
		RecordedBy: by, RecordedAt: now.Format(kit.TimeLayout), TxID: ctx.GetStub().GetTxID(),
	})
	f.PrincipalOutstanding, f.InterestUnpaid, f.LastPostingDate = money.Format(principalAfter, cur), money.Format(unpaidAfter, cur), vd.String()
	if f.InterestPaid, err = kit.AddStored(f.InterestPaid, toInterest, cur); err != nil {
		return decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	if f.PrincipalRepaid, err = kit.AddStored(f.PrincipalRepaid, toPrincipal, cur); err != nil {
		return decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	if live(f) {
		if _, err := settle(ctx, f, now, heldRv, heldS); err != nil {
			return decimal.Zero, decimal.Zero, decimal.Zero, err
		}
	}
	if err := save(ctx, f, now); err != nil {
		return decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	return toInterest, toPrincipal, surplus, nil
}

// Lender answers insurance and receivables about the financings
// their money repays.
type Lender struct{}

// BankOf is the bank of a financing, "" when there is none.
func (Lender) BankOf(ctx contractapi.TransactionContextInterface, financingID string) string {
	return FinancingBank(ctx, financingID)
}

// ApplyClaimProceeds applies an indemnity paid to bank on shipment s to the
// financing it repays (financingOfShipment), if any.
func (Lender) ApplyClaimProceeds(ctx contractapi.TransactionContextInterface, s *api.Shipment, bank string, amount decimal.Decimal, vd money.Date, by string, now time.Time) (string, decimal.Decimal, decimal.Decimal, decimal.Decimal, error) {
	f, err := financingOfShipment(ctx, s, bank)
	if err != nil || f == nil {
		return "", decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	toInterest, toPrincipal, surplus, err := applyProceeds(ctx, f, amount, vd, api.PostingClaimProceeds, by, now, nil, s)
	if err != nil {
		return "", decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	return f.ID, toInterest, toPrincipal, surplus, nil
}

// ApplyCollection applies a buyer's payment to bank to the financing rv
// secures, when bank lends it and money is out.
func (Lender) ApplyCollection(ctx contractapi.TransactionContextInterface, rv *api.Receivable, bank string, amount decimal.Decimal, vd money.Date, now time.Time) (string, decimal.Decimal, decimal.Decimal, decimal.Decimal, error) {
	f, err := Load(ctx, rv.FinancingID)
	if err != nil {
		return "", decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	if f.Bank != bank || !disbursed(f) && f.Status != api.FinancingDefaulted {
		return "", decimal.Zero, decimal.Zero, decimal.Zero, nil
	}
	toInterest, toPrincipal, surplus, err := applyProceeds(ctx, f, amount, vd, api.PostingCollection, bank, now, rv, nil)
	if err != nil {
		return "", decimal.Zero, decimal.Zero, decimal.Zero, err
	}
	return f.ID, toInterest, toPrincipal, surplus, nil
}

// FinancingBank is the bank of a financing, "" when there is none.
func FinancingBank(ctx contractapi.TransactionContextInterface, financingID string) string {
	if financingID == "" {
		return ""
	}
	f, err := Load(ctx, financingID)
	if err != nil {
		return ""
	}
	return f.Bank
}
