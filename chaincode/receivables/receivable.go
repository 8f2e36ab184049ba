package receivables

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/credit"
	"github.com/qingchain/qingchain/chaincode/insurance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/risk"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/shopspring/decimal"
)

const (
	obj = "receivable"
	// idxInvoice [seller, buyerCountry, buyerRegistrationId, normalised
	// invoiceNumber] -> receivable id: one receivable per invoice, ever.
	idxInvoice = "receivable~invoice"
	// idxSale [seller, buyerCountry, buyerRegistrationId, currency,
	// amount, lots digest] -> the latest receivable of that sale (see
	// checkLikelyDuplicate).
	idxSale     = "receivable~sale"
	idxParty    = "receivable~party" // [creditCode, receivableId]: seller, buyer, assignee
	idxLot      = "receivable~lot"   // [gtin, lot, receivableId]
	maxPayments = 100
)

// Receivables is the receivable contract, "receivable".
//
// Rules (DESIGN.md §5):
//   - The seller creates a receivable from an invoice (buyer, number,
//     amount, currency, due date) for lots shipped, or from an insured
//     shipment of the same invoice. The same invoice — seller, buyer
//     (country + registration number) and number — exists once across the
//     ledger: its key receivable~invoice is read and written by the
//     creation, so of concurrent creations one commits and the others are
//     refused (DUPLICATE_INVOICE) or invalidated (MVCC_READ_CONFLICT).
//     Numbers are compared normalised (NormalizeInvoiceNumber): case,
//     full-width forms and surrounding spaces do not make a new invoice.
//   - A second receivable of the same sale — seller, buyer, currency,
//     amount and set of lots — under another invoice number is refused as
//     a likely duplicate (LIKELY_DUPLICATE_RECEIVABLE) while the earlier
//     one is live or defaulted (checkLikelyDuplicate).
//   - A buyer on the network confirms (or rejects) it.
//   - Risk flags: lots without a shipping event; invoice far from the
//     goods' declared value (the shipment's customs value, or live
//     warehouse receipts' valuation).
//   - Financed at most once at a time (RECEIVABLE financing,
//     insurance_finance.go): only confirmed, unfinanced and not yet due;
//     assigned to the bank in the approving transaction.
//   - The buyer's payments are recorded by the creditor (by the assignee
//     bank while assigned); on-time and late payments and a default count
//     in an on-network buyer's credit record.
type Receivables struct {
	lender Lender
}

// New is the receivable contract; lender is the financing side
// of the buyer's payments to an assignee bank.
func New(lender Lender) *Receivables { return &Receivables{lender: lender} }

// Lender is what receivables ask of the financing a receivable secures;
// the financing domain, above receivables, answers it.
type Lender interface {
	// ApplyCollection applies a payment the buyer made to bank, rv's
	// assignee, to the financing rv secures when bank lends it and money is
	// out (active or defaulted), and answers that financing ("" when
	// nothing was applied) and how the money went. rv is the caller's copy,
	// which it saves.
	ApplyCollection(ctx contractapi.TransactionContextInterface, rv *api.Receivable, bank string, amount decimal.Decimal, vd money.Date, now time.Time) (financingID string, toInterest, toPrincipal, surplus decimal.Decimal, err error)
}

// CreateReceivable is the seller recording a receivable. input: {"buyer":
// {"creditCode"} | {"name","country","registrationId"},"invoiceNumber",
// "amount","currency","issueDate","dueDate", and "shipmentId" (an insured
// shipment of this invoice, whose lots it takes) or "lots":[{"gtin",
// "lot"}]}.
func (c *Receivables) CreateReceivable(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	caller, err := registry.RequireKind(ctx, "creating a receivable", api.KindExporter, api.KindProducer, api.KindProcessor)
	if err != nil {
		return "", err
	}
	var in api.ReceivableInput
	if err := kit.DecodeArg("receivable", input, &in); err != nil {
		return "", err
	}
	invoiceNo, invoiceKey, err := insurance.CheckInvoiceNumber("invoiceNumber", in.InvoiceNumber)
	if err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(in.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "currency: %v", err)
	}
	amount, err := money.ParsePositiveAmount(in.Amount, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "amount: %v", err)
	}
	issue, err := kit.ParseDate("issueDate", in.IssueDate)
	if err != nil {
		return "", err
	}
	due, err := kit.ParseDate("dueDate", in.DueDate)
	if err != nil {
		return "", err
	}
	if !due.After(issue) {
		return "", kit.Errf(api.CodeInvalidArgument, "dueDate %s is not after issueDate %s", due, issue)
	}
	if issue.DaysUntil(due) > insurance.MaxCreditDays {
		return "", kit.Errf(api.CodeInvalidArgument, "a credit period is at most %d days", insurance.MaxCreditDays)
	}
	if (in.ShipmentID == "") == (len(in.Lots) == 0) {
		return "", kit.Errf(api.CodeInvalidArgument, "give shipmentId or lots, one of them")
	}
	var lots []api.LotRef
	if len(in.Lots) > 0 {
		if len(in.Lots) > insurance.MaxLots {
			return "", kit.Errf(api.CodeInvalidArgument, "lots: at most %d", insurance.MaxLots)
		}
		if lots, err = trace.CheckLotRefs("lots", in.Lots, false); err != nil {
			return "", err
		}
	}
	seller := caller.Enterprise.CreditCode
	buyer, buyerCode, err := buyer(ctx, in.Buyer)
	if err != nil {
		return "", err
	}
	if buyerCode == seller {
		return "", kit.Errf(api.CodeRuleViolation, "an enterprise cannot invoice itself")
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	if issue.After(today) {
		return "", kit.Errf(api.CodeRuleViolation, "issueDate %s is in the future (today is %s)", issue, today)
	}
	// The invoice key: read first, so two creations cannot both commit.
	ik, err := invoiceIndexKey(ctx, seller, buyer, invoiceKey)
	if err != nil {
		return "", err
	}
	if v, err := ctx.GetStub().GetState(ik); err != nil {
		return "", kit.Errf(api.CodeInternal, "read state: %v", err)
	} else if v != nil {
		return "", kit.Errf(api.CodeDuplicateInvoice, "invoice %s from %s to %s is already receivable %s", invoiceNo, seller, buyer.Name, v)
	}
	var s *api.Shipment
	if in.ShipmentID != "" {
		if s, err = insurance.LoadShipment(ctx, in.ShipmentID); err != nil {
			return "", err
		}
		switch {
		case s.Insured != seller:
			return "", kit.Errf(api.CodeForbidden, "shipment %s was declared by %s", s.ID, s.Insured)
		case s.Buyer.Country != buyer.Country || s.Buyer.RegistrationID != buyer.RegistrationID:
			return "", kit.Errf(api.CodeRuleViolation, "shipment %s is to buyer %s/%s", s.ID, s.Buyer.Country, s.Buyer.RegistrationID)
		case insurance.NormalizeInvoiceNumber(s.InvoiceNumber) != invoiceKey || s.Currency != cur.Code || s.InvoiceAmount != money.Format(amount, cur):
			return "", kit.Errf(api.CodeRuleViolation, "shipment %s is for invoice %s of %s %s", s.ID, s.InvoiceNumber, s.InvoiceAmount, s.Currency)
		}
		lots = s.Lots
	}
	saleKey, err := checkLikelyDuplicate(ctx, seller, buyer, cur.Code, money.Format(amount, cur), lots)
	if err != nil {
		return "", err
	}
	for _, r := range lots {
		if _, err := trace.LoadLot(ctx, r.GTIN, r.Lot); err != nil {
			return "", err
		}
	}
	zero := money.Format(decimal.Zero, cur)
	rv := &api.Receivable{
		ID: kit.DeriveID("RV", ctx.GetStub().GetTxID(), now, 0), Seller: seller, Creditor: seller,
		Buyer: buyer, BuyerCreditCode: buyerCode, InvoiceNumber: invoiceNo, Amount: money.Format(amount, cur), Currency: cur.Code,
		IssueDate: issue.String(), DueDate: due.String(), Lots: lots, Paid: zero, Status: api.ReceivableOpen,
		Payments: []api.ReceivablePayment{}, RiskFlags: []string{}, CreatedAt: now.Format(kit.TimeLayout),
	}
	if s != nil {
		rv.ShipmentID = s.ID
	}
	if buyerCode != "" {
		if err := receivableLife().Apply("await buyer", rv.ID, &rv.Status); err != nil {
			return "", err
		}
	}
	if err := kit.PutNew(ctx, obj, rv.ID); err != nil {
		return "", err
	}
	flags, err := RiskChecks(ctx, rv)
	if err != nil {
		return "", err
	}
	for i := range flags {
		if raised, err := risk.Raise(ctx, api.RiskEntityReceivable, rv.ID, &flags[i], now); err != nil {
			return "", err
		} else if raised {
			rv.RiskFlags = append(rv.RiskFlags, flags[i].Code)
		}
	}
	if err := Save(ctx, rv, now); err != nil {
		return "", err
	}
	if err := ctx.GetStub().PutState(ik, []byte(rv.ID)); err != nil {
		return "", kit.Errf(api.CodeInternal, "write index: %v", err)
	}
	if err := ctx.GetStub().PutState(saleKey, []byte(rv.ID)); err != nil {
		return "", kit.Errf(api.CodeInternal, "write index: %v", err)
	}
	for _, p := range []string{seller, buyerCode} {
		if p == "" {
			continue
		}
		if err := kit.PutIndex(ctx, idxParty, p, rv.ID); err != nil {
			return "", err
		}
	}
	for _, r := range lots {
		if err := kit.PutIndex(ctx, idxLot, r.GTIN, r.Lot, rv.ID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "ReceivableCreated", api.Event{Entity: "receivable", ID: rv.ID, Action: "created", By: seller,
		Data: map[string]any{"invoiceNumber": invoiceNo, "amount": rv.Amount, "currency": rv.Currency, "riskFlags": rv.RiskFlags}}); err != nil {
		return "", err
	}
	return kit.ToJSON(view(rv, today, nil))
}

// ConfirmReceivable is the buyer confirming that it owes a receivable.
func (c *Receivables) ConfirmReceivable(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	return buyerDecision(ctx, receivableID, "")
}

// RejectReceivable is the buyer disputing a receivable; it can then never
// be financed, and the invoice number stays taken.
func (c *Receivables) RejectReceivable(ctx contractapi.TransactionContextInterface, receivableID, reason string) (string, error) {
	why, err := kit.CleanText("reason", reason, true, 500)
	if err != nil {
		return "", err
	}
	return buyerDecision(ctx, receivableID, why)
}

func buyerDecision(ctx contractapi.TransactionContextInterface, id, rejection string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "answering a receivable")
	if err != nil {
		return "", err
	}
	rv, err := Load(ctx, id)
	if err != nil {
		return "", err
	}
	if rv.BuyerCreditCode == "" || rv.BuyerCreditCode != caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the buyer answers receivable %s", rv.ID)
	}
	if err := receivableLife().Check("confirm", rv.ID, rv.Status); err != nil {
		return "", err
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	name, action := "ReceivableConfirmed", "confirmed"
	if rejection == "" {
		if err := receivableLife().Apply("confirm", rv.ID, &rv.Status); err != nil {
			return "", err
		}
		rv.ConfirmedAt = now.Format(kit.TimeLayout)
	} else {
		if err := receivableLife().Apply("reject", rv.ID, &rv.Status); err != nil {
			return "", err
		}
		rv.Note = rejection
		name, action = "ReceivableRejected", "rejected"
	}
	if err := Save(ctx, rv, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, name, api.Event{Entity: "receivable", ID: rv.ID, Action: action, By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(view(rv, today, nil))
}

// RecordReceivablePayment records a payment by the buyer with value date
// valueDate: by the creditor, or by the assignee bank while the receivable
// is assigned (the buyer then pays the bank). A payment to the bank
// financing the receivable repays that financing in the same transaction
// (interest first, then principal); the rest is the seller's. Paid in full
// the receivable is SETTLED; an on-network buyer's credit record counts
// the payment as on time (value date on or before the due date) or late.
func (c *Receivables) RecordReceivablePayment(ctx contractapi.TransactionContextInterface, receivableID, amount, valueDate string) (string, error) {
	caller, rv, err := creditorAction(ctx, receivableID, "recording a payment")
	if err != nil {
		return "", err
	}
	if err := receivableLife().Check("pay", rv.ID, rv.Status); err != nil {
		return "", err
	}
	if len(rv.Payments) >= maxPayments {
		return "", kit.Errf(api.CodeRuleViolation, "receivable %s has %d payments, the most allowed", rv.ID, maxPayments)
	}
	checked, err := kit.CheckPayment(ctx, kit.Debt{Kind: "receivable", ID: rv.ID, Currency: rv.Currency, Total: rv.Amount, Paid: rv.Paid,
		Since: rv.IssueDate, SinceWhat: "the invoice date"}, amount, valueDate)
	if err != nil {
		return "", err
	}
	pay, cur, vd, paid, outstanding, now, today := checked.Amount, checked.Currency, checked.ValueDate, checked.Paid, checked.Outstanding, checked.Now, checked.Today
	by := caller.Enterprise.CreditCode
	onTime := !vd.After(kit.StoredDate(rv.DueDate))
	p := api.ReceivablePayment{ValueDate: vd.String(), Amount: money.Format(pay, cur), OnTime: onTime, RecordedBy: by, TxID: ctx.GetStub().GetTxID()}
	if rv.FinancingID != "" && rv.Assignee == by {
		financingID, toInterest, toPrincipal, surplus, err := c.lender.ApplyCollection(ctx, rv, by, pay, vd, now)
		if err != nil {
			return "", err
		}
		if financingID != "" {
			p.FinancingID = financingID
			p.ToInterest, p.ToPrincipal, p.ToSeller = money.Format(toInterest, cur), money.Format(toPrincipal, cur), money.Format(surplus, cur)
		}
	}
	rv.Payments = append(rv.Payments, p)
	rv.Paid = money.Format(paid.Add(pay), cur)
	if pay.Equal(outstanding) {
		if err := receivableLife().Apply("pay", rv.ID, &rv.Status); err != nil {
			return "", err
		}
	}
	if rv.BuyerCreditCode != "" {
		if err := credit.RecordRepayment(ctx, rv.BuyerCreditCode, pay, cur, onTime, now); err != nil {
			return "", err
		}
	}
	if err := Save(ctx, rv, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceivablePaid", api.Event{Entity: "receivable", ID: rv.ID, Action: "payment-recorded", By: by, Data: p}); err != nil {
		return "", err
	}
	return kit.ToJSON(view(rv, today, nil))
}

// MarkReceivableOverdue is the creditor (or the assignee bank) recording
// that a receivable is past its due date unpaid.
func (c *Receivables) MarkReceivableOverdue(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	return pastDueAction(ctx, receivableID, api.ReceivableOverdue)
}

// DeclareReceivableDefault is the creditor (or the assignee bank)
// declaring a past-due receivable unpaid for good; an on-network buyer's
// credit record counts the default with the amount outstanding.
func (c *Receivables) DeclareReceivableDefault(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	return pastDueAction(ctx, receivableID, api.ReceivableDefaulted)
}

func pastDueAction(ctx contractapi.TransactionContextInterface, id, to string) (string, error) {
	what := "marking a receivable overdue"
	if to == api.ReceivableDefaulted {
		what = "declaring a receivable in default"
	}
	caller, rv, err := creditorAction(ctx, id, what)
	if err != nil {
		return "", err
	}
	move := "mark overdue"
	if to == api.ReceivableDefaulted {
		move = "declare default"
	}
	if err := receivableLife().Check(move, rv.ID, rv.Status); err != nil {
		return "", err
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	if !today.After(kit.StoredDate(rv.DueDate)) {
		return "", kit.Errf(api.CodeRuleViolation, "receivable %s is due on %s", rv.ID, rv.DueDate)
	}
	cur, err := money.LookupCurrency(rv.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "receivable %s: %v", rv.ID, err)
	}
	total, paid, err := kit.ParseStoredPair(rv.Amount, rv.Paid, cur)
	if err != nil {
		return "", err
	}
	if err := receivableLife().Apply(move, rv.ID, &rv.Status); err != nil {
		return "", err
	}
	if to == api.ReceivableDefaulted && rv.BuyerCreditCode != "" {
		if err := credit.RecordDefault(ctx, rv.BuyerCreditCode, total.Sub(paid), cur, now); err != nil {
			return "", err
		}
	}
	if err := Save(ctx, rv, now); err != nil {
		return "", err
	}
	name, action := "ReceivableOverdue", "overdue"
	if to == api.ReceivableDefaulted {
		name, action = "ReceivableDefaulted", "defaulted"
	}
	if err := kit.Emit(ctx, name, api.Event{Entity: "receivable", ID: rv.ID, Action: action, By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(view(rv, today, nil))
}

// GetReceivable returns a receivable with its risk flags to its seller,
// creditor, buyer, any bank or a regulator.
func (c *Receivables) GetReceivable(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a receivable")
	if err != nil {
		return "", err
	}
	rv, err := Load(ctx, receivableID)
	if err != nil {
		return "", err
	}
	if !caller.HasKind(api.KindBank) && !kit.MayRead(caller, rv.Seller, rv.Creditor, rv.BuyerCreditCode) {
		return "", kit.Errf(api.CodeForbidden, "only the seller, the buyer, banks and regulators read receivable %s", rv.ID)
	}
	flags, err := risk.Flags(ctx, api.RiskEntityReceivable, rv.ID)
	if err != nil {
		return "", err
	}
	_, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(view(rv, today, flags))
}

// ListReceivables lists the receivables the caller is seller, buyer or
// assignee of, at most 1000.
func (c *Receivables) ListReceivables(ctx contractapi.TransactionContextInterface) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing receivables")
	if err != nil {
		return "", err
	}
	tails, err := kit.IndexTails(ctx, idxParty, []string{caller.Enterprise.CreditCode})
	if err != nil {
		return "", err
	}
	_, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	out := []api.ReceivableView{}
	for _, t := range tails {
		if len(out) >= maxListed {
			break
		}
		rv, err := Load(ctx, t[0])
		if err != nil {
			return "", err
		}
		out = append(out, view(rv, today, nil))
	}
	return kit.ToJSON(out)
}

// buyer normalises a buyer: an enterprise on the network by its credit
// code (name from the registry), or an overseas buyer. A Chinese buyer
// named by a registered credit code is the network enterprise.
func buyer(ctx contractapi.TransactionContextInterface, in api.ReceivableBuyerInput) (api.Buyer, string, error) {
	if in.CreditCode != "" {
		if in.Name != "" || in.Country != "" || in.RegistrationID != "" {
			return api.Buyer{}, "", kit.Errf(api.CodeInvalidArgument, "buyer: give creditCode, or name, country and registrationId")
		}
		if err := uscc.Validate(in.CreditCode); err != nil {
			return api.Buyer{}, "", kit.Errf(api.CodeInvalidArgument, "buyer.creditCode: %v", err)
		}
		in.Country, in.RegistrationID = "CN", in.CreditCode
	}
	if in.Country == "CN" {
		if uscc.Validate(in.RegistrationID) == nil {
			e, err := registry.LoadEnterprise(ctx, in.RegistrationID)
			if err == nil {
				if e.Status != api.EnterpriseActive {
					return api.Buyer{}, "", kit.Errf(api.CodeRuleViolation, "buyer %s is %s", e.CreditCode, e.Status)
				}
				return api.Buyer{Name: e.Name, Country: "CN", RegistrationID: e.CreditCode}, e.CreditCode, nil
			}
			if in.CreditCode != "" {
				return api.Buyer{}, "", err
			}
		}
	}
	b, err := insurance.CheckBuyer("buyer", api.BuyerInput{Name: in.Name, Country: in.Country, RegistrationID: in.RegistrationID})
	return b, "", err
}

// RiskChecks runs the receivable's checks: shipping events for its lots
// (recording the ones found on rv) and invoice against declared value.
func RiskChecks(ctx contractapi.TransactionContextInterface, rv *api.Receivable) ([]api.RiskFlag, error) {
	var out []api.RiskFlag
	events, missing, err := risk.ShippingEvents(ctx, rv.Lots)
	if err != nil {
		return nil, err
	}
	rv.ShippingEvents = events
	if f := risk.NoShippingFlag(missing); f != nil {
		out = append(out, *f)
	}
	cur, err := money.LookupCurrency(rv.Currency)
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "receivable %s: %v", rv.ID, err)
	}
	amount, err := kit.ParseStored(rv.Amount, cur)
	if err != nil {
		return nil, err
	}
	declared, what := decimal.Zero, ""
	var refs []string
	if rv.ShipmentID != "" {
		s, err := insurance.LoadShipment(ctx, rv.ShipmentID)
		if err != nil {
			return nil, err
		}
		if declared, err = kit.ParseStored(s.CustomsValue, cur); err != nil {
			return nil, err
		}
		what, refs = "customs value of shipment "+s.ID, []string{s.ID}
	} else {
		// Goods still in a warehouse: the live receipts' valuations.
		for _, l := range rv.Lots {
			ids, err := receipts.OnLot(ctx, l.GTIN, l.Lot)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				r, err := receipts.Load(ctx, id)
				if err != nil {
					return nil, err
				}
				if r.Valuation.Currency != cur.Code {
					continue
				}
				v, err := kit.ParseStored(r.Valuation.Amount, cur)
				if err != nil {
					return nil, err
				}
				declared, what, refs = declared.Add(v), "valuation of warehouse receipts", append(refs, r.ID)
			}
		}
	}
	if f := risk.ValueFlag(amount, declared, cur, what); f != nil {
		f.Refs = append(f.Refs, refs...)
		out = append(out, *f)
	}
	return out, nil
}

// creditorAction: the creditor, or the assignee bank while assigned.
func creditorAction(ctx contractapi.TransactionContextInterface, id, what string) (*api.Caller, *api.Receivable, error) {
	caller, err := registry.RequireEnterprise(ctx, what)
	if err != nil {
		return nil, nil, err
	}
	rv, err := Load(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	by := caller.Enterprise.CreditCode
	if rv.Assignee != "" {
		if by != rv.Assignee {
			return nil, nil, kit.Errf(api.CodeForbidden, "receivable %s is assigned to %s; only it may do this", rv.ID, rv.Assignee)
		}
	} else if by != rv.Creditor {
		return nil, nil, kit.Errf(api.CodeForbidden, "only the creditor %s may do this to receivable %s", rv.Creditor, rv.ID)
	}
	return caller, rv, nil
}

func view(rv *api.Receivable, today money.Date, flags []api.RiskFlag) api.ReceivableView {
	v := api.ReceivableView{Receivable: *rv, Flags: flags}
	if v.Flags == nil {
		v.Flags = []api.RiskFlag{}
	}
	cur, err := money.LookupCurrency(rv.Currency)
	if err != nil {
		return v
	}
	total, paid, err := kit.ParseStoredPair(rv.Amount, rv.Paid, cur)
	if err != nil {
		return v
	}
	out := total.Sub(paid)
	v.Outstanding = money.Format(out, cur)
	v.PastDue = out.Sign() > 0 && today.After(kit.StoredDate(rv.DueDate)) && rv.Status != api.ReceivableRejected && rv.Status != api.ReceivableDefaulted
	return v
}

func Load(ctx contractapi.TransactionContextInterface, id string) (*api.Receivable, error) {
	var rv api.Receivable
	if err := kit.Load(ctx, obj, "RV", "receivable", id, &rv); err != nil {
		return nil, err
	}
	if rv.Payments == nil {
		rv.Payments = []api.ReceivablePayment{}
	}
	if rv.RiskFlags == nil {
		rv.RiskFlags = []string{}
	}
	if rv.ShippingEvents == nil {
		rv.ShippingEvents = []string{}
	}
	return &rv, nil
}

func Save(ctx contractapi.TransactionContextInterface, rv *api.Receivable, now time.Time) error {
	rv.UpdatedAt, rv.TxID = now.Format(kit.TimeLayout), ctx.GetStub().GetTxID()
	k, err := kit.Key(ctx, obj, rv.ID)
	if err != nil {
		return err
	}
	return kit.PutJSON(ctx, k, rv)
}

// invoiceIndexKey is the receivable~invoice key of an invoice: seller,
// buyer (country and registration number) and the normalised number
// (the second result of insurance.CheckInvoiceNumber, or NormalizeInvoiceNumber
// of a stored number).
func invoiceIndexKey(ctx contractapi.TransactionContextInterface, seller string, buyer api.Buyer, normalisedNo string) (string, error) {
	return kit.Key(ctx, idxInvoice, seller, buyer.Country, buyer.RegistrationID, normalisedNo)
}

// lotsDigest is the hex SHA-256 of a set of lots: (GTIN-14, lot) pairs,
// sorted and without repeats, so the order in which the seller listed them
// does not matter. Lots are compared exactly (GS1 AI 10 is case-sensitive);
// quantities are not part of it.
func lotsDigest(lots []api.LotRef) string {
	pairs := make([]string, 0, len(lots))
	for _, l := range lots {
		pairs = append(pairs, l.GTIN+"\x00"+l.Lot)
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	h := sha256.New()
	for _, p := range pairs {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// blocksSameSale: whether an earlier receivable of a sale still stands
// in the way of another under a new invoice number. A live one (pending,
// open, confirmed, overdue) does: the goods are invoiced already, and a
// second invoice is the classic way to finance them twice. A defaulted one
// does too: re-invoicing goods the buyer did not pay for is a fresh claim
// on an old debt. A rejected one does not (the buyer disputed it; a
// corrected invoice replaces it), nor a settled one (paid in full, it can
// no longer be financed; a repeat sale of the same lots for the same
// amount, say a second delivery out of one lot, is genuinely new).
func blocksSameSale(status string) bool {
	switch status {
	case api.ReceivableRejected, api.ReceivableSettled:
		return false
	}
	return true
}

// checkLikelyDuplicate applies the likely-duplicate rule to a new
// receivable of seller: if the receivable~sale index names an earlier
// receivable of the same buyer, currency, amount (as formatted to the
// currency's minor unit) and set of lots that still blocks
// (blocksSameSale), it refuses with LIKELY_DUPLICATE_RECEIVABLE naming
// it — the seller's own receivable, so nothing leaks. It reads the index
// and the earlier receivable (so a concurrent settlement or creation
// conflicts under MVCC) and returns the key, which the creation then
// writes with the new receivable's id.
func checkLikelyDuplicate(ctx contractapi.TransactionContextInterface, seller string, buyer api.Buyer, currency, amount string, lots []api.LotRef) (string, error) {
	sk, err := kit.Key(ctx, idxSale, seller, buyer.Country, buyer.RegistrationID, currency, amount, lotsDigest(lots))
	if err != nil {
		return "", err
	}
	v, err := ctx.GetStub().GetState(sk)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "read state: %v", err)
	}
	if v == nil {
		return sk, nil
	}
	other, err := Load(ctx, string(v))
	if err != nil {
		return "", err
	}
	if blocksSameSale(other.Status) {
		return "", kit.Errf(api.CodeLikelyDuplicateReceivable,
			"receivable %s (invoice %s, %s) is for the same buyer, amount %s %s and lots; a second invoice for one sale is refused while the first is not settled or rejected",
			other.ID, other.InvoiceNumber, other.Status, amount, currency)
	}
	return sk, nil
}

// maxListed bounds the receivables a list answers.
const maxListed = 1000

// OnLot lists the receivables naming a lot, in id order.
func OnLot(ctx contractapi.TransactionContextInterface, gtin, lot string) ([]string, error) {
	return kit.TailIDs(ctx, idxLot, gtin, lot)
}

// OfInvoice is the receivable of an invoice (seller, buyer, normalised
// number), "" when there is none.
func OfInvoice(ctx contractapi.TransactionContextInterface, seller string, buyer api.Buyer, normalisedNo string) (string, error) {
	ik, err := invoiceIndexKey(ctx, seller, buyer, normalisedNo)
	if err != nil {
		return "", err
	}
	id, err := ctx.GetStub().GetState(ik)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "read state: %v", err)
	}
	return string(id), nil
}

// IndexParty lists a receivable among those of a party (the assignee
// bank, once it is financed).
func IndexParty(ctx contractapi.TransactionContextInterface, party, id string) error {
	return kit.PutIndex(ctx, idxParty, party, id)
}
