package contracts

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/shopspring/decimal"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/uscc"
)

// Error codes of the receivable contract (the gateway maps both to 409).
const (
	CodeDuplicateInvoice = "DUPLICATE_INVOICE" // the invoice (seller, buyer, number) exists already
	CodeAlreadyFinanced  = "ALREADY_FINANCED"  // the receivable or shipment is collateral of a live financing
	// CodeLikelyDuplicateReceivable: the seller has a receivable to the same
	// buyer for the same amount, currency and lots under another invoice
	// number, and it is still live or defaulted (409).
	CodeLikelyDuplicateReceivable = "LIKELY_DUPLICATE_RECEIVABLE"
)

// Receivable statuses.
const (
	ReceivablePending   = "PENDING"   // the buyer is on the network and has not confirmed yet
	ReceivableOpen      = "OPEN"      // the buyer is not on the network; nobody can confirm it
	ReceivableConfirmed = "CONFIRMED" // the buyer confirmed it owes the amount
	ReceivableRejected  = "REJECTED"  // the buyer disputes it (final)
	ReceivableOverdue   = "OVERDUE"   // past due, marked by the creditor
	ReceivableSettled   = "SETTLED"   // paid in full (final)
	ReceivableDefaulted = "DEFAULTED" // declared unpaid by the creditor (final)
)

const (
	rvObj = "receivable"
	// rvIdxInvoice [seller, buyerCountry, buyerRegistrationId, normalised
	// invoiceNumber] -> receivable id: one receivable per invoice, ever.
	rvIdxInvoice = "receivable~invoice"
	// rvIdxSale [seller, buyerCountry, buyerRegistrationId, currency,
	// amount, lots digest] -> the latest receivable of that sale (see
	// rvCheckLikelyDuplicate).
	rvIdxSale     = "receivable~sale"
	rvIdxParty    = "receivable~party" // [creditCode, receivableId]: seller, buyer, assignee
	rvIdxLot      = "receivable~lot"   // [gtin, lot, receivableId]
	rvMaxPayments = 100
)

// ReceivablePayment is one payment by the buyer. When the receivable is
// assigned to a bank financing it, the payment repays that financing
// first (ToInterest, ToPrincipal) and the rest is the seller's.
type ReceivablePayment struct {
	ValueDate   string `json:"valueDate"`
	Amount      string `json:"amount"`
	OnTime      bool   `json:"onTime"`
	RecordedBy  string `json:"recordedBy"`
	FinancingID string `json:"financingId,omitempty"`
	ToInterest  string `json:"toInterest,omitempty"`
	ToPrincipal string `json:"toPrincipal,omitempty"`
	ToSeller    string `json:"toSeller,omitempty"`
	TxID        string `json:"txId"`
}

// Receivable is an account receivable (应收账款) created by the seller from
// an invoice.
type Receivable struct {
	ID              string              `json:"id"`
	Seller          string              `json:"seller"`
	Creditor        string              `json:"creditor"` // the seller, or the bank that took it on a financing default
	Buyer           Buyer               `json:"buyer"`
	BuyerCreditCode string              `json:"buyerCreditCode,omitempty"` // when the buyer is on the network
	InvoiceNumber   string              `json:"invoiceNumber"`
	Amount          string              `json:"amount"`
	Currency        string              `json:"currency"`
	IssueDate       string              `json:"issueDate"`
	DueDate         string              `json:"dueDate"`
	ShipmentID      string              `json:"shipmentId,omitempty"` // insured shipment of the same invoice
	Lots            []LotRef            `json:"lots"`
	ShippingEvents  []string            `json:"shippingEvents"`
	Paid            string              `json:"paid"`
	Status          string              `json:"status"`
	ConfirmedAt     string              `json:"confirmedAt,omitempty"`
	Note            string              `json:"note,omitempty"`
	Assignee        string              `json:"assignee,omitempty"`    // bank it is assigned to while financed
	FinancingID     string              `json:"financingId,omitempty"` // live (or defaulted) financing it is collateral of
	Payments        []ReceivablePayment `json:"payments"`
	RiskFlags       []string            `json:"riskFlags"` // codes raised at creation
	CreatedAt       string              `json:"createdAt"`
	UpdatedAt       string              `json:"updatedAt"`
	TxID            string              `json:"txId"`
}

// ReceivableView is a receivable with its outstanding amount, whether it
// is past due today, and its risk flags.
type ReceivableView struct {
	Receivable
	Outstanding string     `json:"outstanding"`
	PastDue     bool       `json:"pastDue"`
	Flags       []RiskFlag `json:"flags"`
}

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
//     one is live or defaulted (rvCheckLikelyDuplicate).
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
	contractapi.Contract
}

type rvBuyerInput struct {
	CreditCode     string `json:"creditCode"`
	Name           string `json:"name"`
	Country        string `json:"country"`
	RegistrationID string `json:"registrationId"`
}

type rvCreateInput struct {
	Buyer         rvBuyerInput `json:"buyer"`
	InvoiceNumber string       `json:"invoiceNumber"`
	Amount        string       `json:"amount"`
	Currency      string       `json:"currency"`
	IssueDate     string       `json:"issueDate"`
	DueDate       string       `json:"dueDate"`
	ShipmentID    string       `json:"shipmentId"`
	Lots          []LotRef     `json:"lots"`
}

// CreateReceivable is the seller recording a receivable. input: {"buyer":
// {"creditCode"} | {"name","country","registrationId"},"invoiceNumber",
// "amount","currency","issueDate","dueDate", and "shipmentId" (an insured
// shipment of this invoice, whose lots it takes) or "lots":[{"gtin",
// "lot"}]}.
func (c *Receivables) CreateReceivable(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	caller, err := requireKind(ctx, "creating a receivable", KindExporter, KindProducer, KindProcessor)
	if err != nil {
		return "", err
	}
	var in rvCreateInput
	if err := decodeArg("receivable", input, &in); err != nil {
		return "", err
	}
	invoiceNo, invoiceKey, err := insCheckInvoiceNumber("invoiceNumber", in.InvoiceNumber)
	if err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(in.Currency)
	if err != nil {
		return "", errf(CodeInvalidArgument, "currency: %v", err)
	}
	amount, err := money.ParsePositiveAmount(in.Amount, cur)
	if err != nil {
		return "", errf(CodeInvalidArgument, "amount: %v", err)
	}
	issue, err := insParseDate("issueDate", in.IssueDate)
	if err != nil {
		return "", err
	}
	due, err := insParseDate("dueDate", in.DueDate)
	if err != nil {
		return "", err
	}
	if !due.After(issue) {
		return "", errf(CodeInvalidArgument, "dueDate %s is not after issueDate %s", due, issue)
	}
	if issue.DaysUntil(due) > insMaxCreditDays {
		return "", errf(CodeInvalidArgument, "a credit period is at most %d days", insMaxCreditDays)
	}
	if (in.ShipmentID == "") == (len(in.Lots) == 0) {
		return "", errf(CodeInvalidArgument, "give shipmentId or lots, one of them")
	}
	var lots []LotRef
	if len(in.Lots) > 0 {
		if len(in.Lots) > insMaxLots {
			return "", errf(CodeInvalidArgument, "lots: at most %d", insMaxLots)
		}
		if lots, err = trCheckLotRefs("lots", in.Lots, false); err != nil {
			return "", err
		}
	}
	seller := caller.Enterprise.CreditCode
	buyer, buyerCode, err := rvBuyer(ctx, in.Buyer)
	if err != nil {
		return "", err
	}
	if buyerCode == seller {
		return "", errf(CodeRuleViolation, "an enterprise cannot invoice itself")
	}
	now, today, err := finToday(ctx)
	if err != nil {
		return "", err
	}
	if issue.After(today) {
		return "", errf(CodeRuleViolation, "issueDate %s is in the future (today is %s)", issue, today)
	}
	// The invoice key: read first, so two creations cannot both commit.
	ik, err := rvInvoiceIndexKey(ctx, seller, buyer, invoiceKey)
	if err != nil {
		return "", err
	}
	if v, err := ctx.GetStub().GetState(ik); err != nil {
		return "", errf(CodeInternal, "read state: %v", err)
	} else if v != nil {
		return "", errf(CodeDuplicateInvoice, "invoice %s from %s to %s is already receivable %s", invoiceNo, seller, buyer.Name, v)
	}
	var s *Shipment
	if in.ShipmentID != "" {
		if s, err = insLoadShipment(ctx, in.ShipmentID); err != nil {
			return "", err
		}
		switch {
		case s.Insured != seller:
			return "", errf(CodeForbidden, "shipment %s was declared by %s", s.ID, s.Insured)
		case s.Buyer.Country != buyer.Country || s.Buyer.RegistrationID != buyer.RegistrationID:
			return "", errf(CodeRuleViolation, "shipment %s is to buyer %s/%s", s.ID, s.Buyer.Country, s.Buyer.RegistrationID)
		case NormalizeInvoiceNumber(s.InvoiceNumber) != invoiceKey || s.Currency != cur.Code || s.InvoiceAmount != money.Format(amount, cur):
			return "", errf(CodeRuleViolation, "shipment %s is for invoice %s of %s %s", s.ID, s.InvoiceNumber, s.InvoiceAmount, s.Currency)
		}
		lots = s.Lots
	}
	saleKey, err := rvCheckLikelyDuplicate(ctx, seller, buyer, cur.Code, money.Format(amount, cur), lots)
	if err != nil {
		return "", err
	}
	for _, r := range lots {
		if _, err := loadLot(ctx, r.GTIN, r.Lot); err != nil {
			return "", err
		}
	}
	zero := money.Format(decimal.Zero, cur)
	rv := &Receivable{
		ID: finDeriveID("RV", ctx.GetStub().GetTxID(), now, 0), Seller: seller, Creditor: seller,
		Buyer: buyer, BuyerCreditCode: buyerCode, InvoiceNumber: invoiceNo, Amount: money.Format(amount, cur), Currency: cur.Code,
		IssueDate: issue.String(), DueDate: due.String(), Lots: lots, Paid: zero, Status: ReceivableOpen,
		Payments: []ReceivablePayment{}, RiskFlags: []string{}, CreatedAt: now.Format(timeLayout),
	}
	if s != nil {
		rv.ShipmentID = s.ID
	}
	if buyerCode != "" {
		rv.Status = ReceivablePending
	}
	if err := insPutNew(ctx, rvObj, rv.ID); err != nil {
		return "", err
	}
	flags, err := rvRiskChecks(ctx, rv)
	if err != nil {
		return "", err
	}
	for i := range flags {
		if raised, err := rkRaise(ctx, rkEntityReceivable, rv.ID, &flags[i], now); err != nil {
			return "", err
		} else if raised {
			rv.RiskFlags = append(rv.RiskFlags, flags[i].Code)
		}
	}
	if err := rvSave(ctx, rv, now); err != nil {
		return "", err
	}
	if err := ctx.GetStub().PutState(ik, []byte(rv.ID)); err != nil {
		return "", errf(CodeInternal, "write index: %v", err)
	}
	if err := ctx.GetStub().PutState(saleKey, []byte(rv.ID)); err != nil {
		return "", errf(CodeInternal, "write index: %v", err)
	}
	for _, p := range []string{seller, buyerCode} {
		if p == "" {
			continue
		}
		if err := putIndex(ctx, rvIdxParty, p, rv.ID); err != nil {
			return "", err
		}
	}
	for _, r := range lots {
		if err := putIndex(ctx, rvIdxLot, r.GTIN, r.Lot, rv.ID); err != nil {
			return "", err
		}
	}
	if err := emit(ctx, "ReceivableCreated", Event{Entity: "receivable", ID: rv.ID, Action: "created", By: seller,
		Data: map[string]any{"invoiceNumber": invoiceNo, "amount": rv.Amount, "currency": rv.Currency, "riskFlags": rv.RiskFlags}}); err != nil {
		return "", err
	}
	return toJSON(rvView(rv, today, nil))
}

// ConfirmReceivable is the buyer confirming that it owes a receivable.
func (c *Receivables) ConfirmReceivable(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	return rvBuyerDecision(ctx, receivableID, "")
}

// RejectReceivable is the buyer disputing a receivable; it can then never
// be financed, and the invoice number stays taken.
func (c *Receivables) RejectReceivable(ctx contractapi.TransactionContextInterface, receivableID, reason string) (string, error) {
	why, err := cleanText("reason", reason, true, 500)
	if err != nil {
		return "", err
	}
	return rvBuyerDecision(ctx, receivableID, why)
}

func rvBuyerDecision(ctx contractapi.TransactionContextInterface, id, rejection string) (string, error) {
	caller, err := requireKind(ctx, "answering a receivable", allKinds...)
	if err != nil {
		return "", err
	}
	rv, err := rvLoad(ctx, id)
	if err != nil {
		return "", err
	}
	if rv.BuyerCreditCode == "" || rv.BuyerCreditCode != caller.Enterprise.CreditCode {
		return "", errf(CodeForbidden, "only the buyer answers receivable %s", rv.ID)
	}
	if rv.Status != ReceivablePending {
		return "", errf(CodeConflict, "receivable %s is %s, not %s", rv.ID, rv.Status, ReceivablePending)
	}
	now, today, err := finToday(ctx)
	if err != nil {
		return "", err
	}
	name, action := "ReceivableConfirmed", "confirmed"
	if rejection == "" {
		rv.Status, rv.ConfirmedAt = ReceivableConfirmed, now.Format(timeLayout)
	} else {
		rv.Status, rv.Note = ReceivableRejected, rejection
		name, action = "ReceivableRejected", "rejected"
	}
	if err := rvSave(ctx, rv, now); err != nil {
		return "", err
	}
	if err := emit(ctx, name, Event{Entity: "receivable", ID: rv.ID, Action: action, By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return toJSON(rvView(rv, today, nil))
}

// RecordReceivablePayment records a payment by the buyer with value date
// valueDate: by the creditor, or by the assignee bank while the receivable
// is assigned (the buyer then pays the bank). A payment to the bank
// financing the receivable repays that financing in the same transaction
// (interest first, then principal); the rest is the seller's. Paid in full
// the receivable is SETTLED; an on-network buyer's credit record counts
// the payment as on time (value date on or before the due date) or late.
func (c *Receivables) RecordReceivablePayment(ctx contractapi.TransactionContextInterface, receivableID, amount, valueDate string) (string, error) {
	caller, rv, err := rvCreditorAction(ctx, receivableID, "recording a payment")
	if err != nil {
		return "", err
	}
	switch rv.Status {
	case ReceivablePending, ReceivableOpen, ReceivableConfirmed, ReceivableOverdue:
	default:
		return "", errf(CodeConflict, "receivable %s is %s", rv.ID, rv.Status)
	}
	if len(rv.Payments) >= rvMaxPayments {
		return "", errf(CodeRuleViolation, "receivable %s has %d payments, the most allowed", rv.ID, rvMaxPayments)
	}
	cur, err := money.LookupCurrency(rv.Currency)
	if err != nil {
		return "", errf(CodeInternal, "receivable %s: %v", rv.ID, err)
	}
	pay, err := money.ParsePositiveAmount(amount, cur)
	if err != nil {
		return "", errf(CodeInvalidArgument, "amount: %v", err)
	}
	now, today, err := finToday(ctx)
	if err != nil {
		return "", err
	}
	vd, err := finParseValueDate(valueDate, today)
	if err != nil {
		return "", err
	}
	if vd.Before(insStoredDate(rv.IssueDate)) {
		return "", errf(CodeRuleViolation, "valueDate %s is before the invoice date %s", vd, rv.IssueDate)
	}
	total, paid, err := insParse2(rv.Amount, rv.Paid, cur)
	if err != nil {
		return "", err
	}
	outstanding := total.Sub(paid)
	if pay.GreaterThan(outstanding) {
		return "", errf(CodeRuleViolation, "payment %s is more than the %s outstanding on receivable %s", money.Format(pay, cur), money.Format(outstanding, cur), rv.ID)
	}
	by := caller.Enterprise.CreditCode
	onTime := !vd.After(insStoredDate(rv.DueDate))
	p := ReceivablePayment{ValueDate: vd.String(), Amount: money.Format(pay, cur), OnTime: onTime, RecordedBy: by, TxID: ctx.GetStub().GetTxID()}
	if rv.FinancingID != "" && rv.Assignee == by {
		f, err := finLoad(ctx, rv.FinancingID)
		if err != nil {
			return "", err
		}
		if f.Bank == by && (finDisbursed(f) || f.Status == FinancingDefaulted) {
			toInterest, toPrincipal, surplus, err := insApplyProceeds(ctx, f, pay, vd, PostingCollection, by, now, rv, nil)
			if err != nil {
				return "", err
			}
			p.FinancingID = f.ID
			p.ToInterest, p.ToPrincipal, p.ToSeller = money.Format(toInterest, cur), money.Format(toPrincipal, cur), money.Format(surplus, cur)
		}
	}
	rv.Payments = append(rv.Payments, p)
	rv.Paid = money.Format(paid.Add(pay), cur)
	if pay.Equal(outstanding) {
		rv.Status = ReceivableSettled
	}
	if rv.BuyerCreditCode != "" {
		if err := crRecordRepayment(ctx, rv.BuyerCreditCode, pay, cur, onTime, now); err != nil {
			return "", err
		}
	}
	if err := rvSave(ctx, rv, now); err != nil {
		return "", err
	}
	if err := emit(ctx, "ReceivablePaid", Event{Entity: "receivable", ID: rv.ID, Action: "payment-recorded", By: by, Data: p}); err != nil {
		return "", err
	}
	return toJSON(rvView(rv, today, nil))
}

// MarkReceivableOverdue is the creditor (or the assignee bank) recording
// that a receivable is past its due date unpaid.
func (c *Receivables) MarkReceivableOverdue(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	return rvPastDueAction(ctx, receivableID, ReceivableOverdue)
}

// DeclareReceivableDefault is the creditor (or the assignee bank)
// declaring a past-due receivable unpaid for good; an on-network buyer's
// credit record counts the default with the amount outstanding.
func (c *Receivables) DeclareReceivableDefault(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	return rvPastDueAction(ctx, receivableID, ReceivableDefaulted)
}

func rvPastDueAction(ctx contractapi.TransactionContextInterface, id, to string) (string, error) {
	what := "marking a receivable overdue"
	if to == ReceivableDefaulted {
		what = "declaring a receivable in default"
	}
	caller, rv, err := rvCreditorAction(ctx, id, what)
	if err != nil {
		return "", err
	}
	switch {
	case rv.Status == ReceivableOverdue && to == ReceivableDefaulted:
	case rv.Status == ReceivablePending || rv.Status == ReceivableOpen || rv.Status == ReceivableConfirmed:
	default:
		return "", errf(CodeConflict, "receivable %s is %s", rv.ID, rv.Status)
	}
	now, today, err := finToday(ctx)
	if err != nil {
		return "", err
	}
	if !today.After(insStoredDate(rv.DueDate)) {
		return "", errf(CodeRuleViolation, "receivable %s is due on %s", rv.ID, rv.DueDate)
	}
	cur, err := money.LookupCurrency(rv.Currency)
	if err != nil {
		return "", errf(CodeInternal, "receivable %s: %v", rv.ID, err)
	}
	total, paid, err := insParse2(rv.Amount, rv.Paid, cur)
	if err != nil {
		return "", err
	}
	rv.Status = to
	if to == ReceivableDefaulted && rv.BuyerCreditCode != "" {
		if err := crRecordDefault(ctx, rv.BuyerCreditCode, total.Sub(paid), cur, now); err != nil {
			return "", err
		}
	}
	if err := rvSave(ctx, rv, now); err != nil {
		return "", err
	}
	name, action := "ReceivableOverdue", "overdue"
	if to == ReceivableDefaulted {
		name, action = "ReceivableDefaulted", "defaulted"
	}
	if err := emit(ctx, name, Event{Entity: "receivable", ID: rv.ID, Action: action, By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return toJSON(rvView(rv, today, nil))
}

// GetReceivable returns a receivable with its risk flags to its seller,
// creditor, buyer, any bank or a regulator.
func (c *Receivables) GetReceivable(ctx contractapi.TransactionContextInterface, receivableID string) (string, error) {
	caller, err := requireKind(ctx, "reading a receivable", allKinds...)
	if err != nil {
		return "", err
	}
	rv, err := rvLoad(ctx, receivableID)
	if err != nil {
		return "", err
	}
	if !caller.HasKind(KindBank) && !insMayRead(caller, rv.Seller, rv.Creditor, rv.BuyerCreditCode) {
		return "", errf(CodeForbidden, "only the seller, the buyer, banks and regulators read receivable %s", rv.ID)
	}
	flags, err := rkFlags(ctx, rkEntityReceivable, rv.ID)
	if err != nil {
		return "", err
	}
	_, today, err := finToday(ctx)
	if err != nil {
		return "", err
	}
	return toJSON(rvView(rv, today, flags))
}

// ListReceivables lists the receivables the caller is seller, buyer or
// assignee of, at most 1000.
func (c *Receivables) ListReceivables(ctx contractapi.TransactionContextInterface) (string, error) {
	caller, err := requireKind(ctx, "listing receivables", allKinds...)
	if err != nil {
		return "", err
	}
	tails, err := indexTails(ctx, rvIdxParty, []string{caller.Enterprise.CreditCode})
	if err != nil {
		return "", err
	}
	_, today, err := finToday(ctx)
	if err != nil {
		return "", err
	}
	out := []ReceivableView{}
	for _, t := range tails {
		if len(out) >= insMaxListed {
			break
		}
		rv, err := rvLoad(ctx, t[0])
		if err != nil {
			return "", err
		}
		out = append(out, rvView(rv, today, nil))
	}
	return toJSON(out)
}

// rvBuyer normalises a buyer: an enterprise on the network by its credit
// code (name from the registry), or an overseas buyer. A Chinese buyer
// named by a registered credit code is the network enterprise.
func rvBuyer(ctx contractapi.TransactionContextInterface, in rvBuyerInput) (Buyer, string, error) {
	if in.CreditCode != "" {
		if in.Name != "" || in.Country != "" || in.RegistrationID != "" {
			return Buyer{}, "", errf(CodeInvalidArgument, "buyer: give creditCode, or name, country and registrationId")
		}
		if err := uscc.Validate(in.CreditCode); err != nil {
			return Buyer{}, "", errf(CodeInvalidArgument, "buyer.creditCode: %v", err)
		}
		in.Country, in.RegistrationID = "CN", in.CreditCode
	}
	if in.Country == "CN" {
		if uscc.Validate(in.RegistrationID) == nil {
			e, err := loadEnterprise(ctx, in.RegistrationID)
			if err == nil {
				if e.Status != enterpriseActive {
					return Buyer{}, "", errf(CodeRuleViolation, "buyer %s is %s", e.CreditCode, e.Status)
				}
				return Buyer{Name: e.Name, Country: "CN", RegistrationID: e.CreditCode}, e.CreditCode, nil
			}
			if in.CreditCode != "" {
				return Buyer{}, "", err
			}
		}
	}
	b, err := insCheckBuyer("buyer", insBuyerInput{Name: in.Name, Country: in.Country, RegistrationID: in.RegistrationID})
	return b, "", err
}

// rvRiskChecks runs the receivable's checks: shipping events for its lots
// (recording the ones found on rv) and invoice against declared value.
func rvRiskChecks(ctx contractapi.TransactionContextInterface, rv *Receivable) ([]RiskFlag, error) {
	var out []RiskFlag
	events, missing, err := rkShippingEvents(ctx, rv.Lots)
	if err != nil {
		return nil, err
	}
	rv.ShippingEvents = events
	if f := rkNoShippingFlag(missing); f != nil {
		out = append(out, *f)
	}
	cur, err := money.LookupCurrency(rv.Currency)
	if err != nil {
		return nil, errf(CodeInternal, "receivable %s: %v", rv.ID, err)
	}
	amount, err := finParseStored(rv.Amount, cur)
	if err != nil {
		return nil, err
	}
	declared, what := decimal.Zero, ""
	var refs []string
	if rv.ShipmentID != "" {
		s, err := insLoadShipment(ctx, rv.ShipmentID)
		if err != nil {
			return nil, err
		}
		if declared, err = finParseStored(s.CustomsValue, cur); err != nil {
			return nil, err
		}
		what, refs = "customs value of shipment "+s.ID, []string{s.ID}
	} else {
		// Goods still in a warehouse: the live receipts' valuations.
		for _, l := range rv.Lots {
			tails, err := indexTails(ctx, wrIdxLot, []string{l.GTIN, l.Lot})
			if err != nil {
				return nil, err
			}
			for _, t := range tails {
				r, err := wrLoad(ctx, t[0])
				if err != nil {
					return nil, err
				}
				if r.Valuation.Currency != cur.Code {
					continue
				}
				v, err := finParseStored(r.Valuation.Amount, cur)
				if err != nil {
					return nil, err
				}
				declared, what, refs = declared.Add(v), "valuation of warehouse receipts", append(refs, r.ID)
			}
		}
	}
	if f := rkValueFlag(amount, declared, cur, what); f != nil {
		f.Refs = append(f.Refs, refs...)
		out = append(out, *f)
	}
	return out, nil
}

// rvCreditorAction: the creditor, or the assignee bank while assigned.
func rvCreditorAction(ctx contractapi.TransactionContextInterface, id, what string) (*Caller, *Receivable, error) {
	caller, err := requireKind(ctx, what, allKinds...)
	if err != nil {
		return nil, nil, err
	}
	rv, err := rvLoad(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	by := caller.Enterprise.CreditCode
	if rv.Assignee != "" {
		if by != rv.Assignee {
			return nil, nil, errf(CodeForbidden, "receivable %s is assigned to %s; only it may do this", rv.ID, rv.Assignee)
		}
	} else if by != rv.Creditor {
		return nil, nil, errf(CodeForbidden, "only the creditor %s may do this to receivable %s", rv.Creditor, rv.ID)
	}
	return caller, rv, nil
}

func rvView(rv *Receivable, today money.Date, flags []RiskFlag) ReceivableView {
	v := ReceivableView{Receivable: *rv, Flags: flags}
	if v.Flags == nil {
		v.Flags = []RiskFlag{}
	}
	cur, err := money.LookupCurrency(rv.Currency)
	if err != nil {
		return v
	}
	total, paid, err := insParse2(rv.Amount, rv.Paid, cur)
	if err != nil {
		return v
	}
	out := total.Sub(paid)
	v.Outstanding = money.Format(out, cur)
	v.PastDue = out.Sign() > 0 && today.After(insStoredDate(rv.DueDate)) && rv.Status != ReceivableRejected && rv.Status != ReceivableDefaulted
	return v
}

func rvLoad(ctx contractapi.TransactionContextInterface, id string) (*Receivable, error) {
	var rv Receivable
	if err := insLoad(ctx, rvObj, "RV", "receivable", id, &rv); err != nil {
		return nil, err
	}
	if rv.Payments == nil {
		rv.Payments = []ReceivablePayment{}
	}
	if rv.RiskFlags == nil {
		rv.RiskFlags = []string{}
	}
	if rv.ShippingEvents == nil {
		rv.ShippingEvents = []string{}
	}
	return &rv, nil
}

func rvSave(ctx contractapi.TransactionContextInterface, rv *Receivable, now time.Time) error {
	rv.UpdatedAt, rv.TxID = now.Format(timeLayout), ctx.GetStub().GetTxID()
	k, err := key(ctx, rvObj, rv.ID)
	if err != nil {
		return err
	}
	return putJSON(ctx, k, rv)
}

// NormalizeInvoiceNumber is the form in which two invoice numbers are
// compared: Unicode NFKC, then full case folding, then NFKC again (folding
// can leave a string that is not in NFKC), then surrounding white space
// trimmed. "HY-2026-0611", "hy-2026-0611", " HY-2026-0611 " and the
// full-width "ＨＹ－２０２６－０６１１" all normalise to "hy-2026-0611".
// It is pure and deterministic (no locale: the Turkic dotless-i rules are
// not applied) and idempotent: N(N(s)) == N(s). The ledger stores an
// invoice number as the seller wrote it and indexes it by this form.
func NormalizeInvoiceNumber(s string) string {
	s = norm.NFKC.String(s)
	s = cases.Fold().String(s)
	s = norm.NFKC.String(s)
	return strings.TrimSpace(s)
}

// rvInvoiceIndexKey is the receivable~invoice key of an invoice: seller,
// buyer (country and registration number) and the normalised number
// (the second result of insCheckInvoiceNumber, or NormalizeInvoiceNumber
// of a stored number).
func rvInvoiceIndexKey(ctx contractapi.TransactionContextInterface, seller string, buyer Buyer, normalisedNo string) (string, error) {
	return key(ctx, rvIdxInvoice, seller, buyer.Country, buyer.RegistrationID, normalisedNo)
}

// rvLotsDigest is the hex SHA-256 of a set of lots: (GTIN-14, lot) pairs,
// sorted and without repeats, so the order in which the seller listed them
// does not matter. Lots are compared exactly (GS1 AI 10 is case-sensitive);
// quantities are not part of it.
func rvLotsDigest(lots []LotRef) string {
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

// rvBlocksSameSale: whether an earlier receivable of a sale still stands
// in the way of another under a new invoice number. A live one (pending,
// open, confirmed, overdue) does: the goods are invoiced already, and a
// second invoice is the classic way to finance them twice. A defaulted one
// does too: re-invoicing goods the buyer did not pay for is a fresh claim
// on an old debt. A rejected one does not (the buyer disputed it; a
// corrected invoice replaces it), nor a settled one (paid in full, it can
// no longer be financed; a repeat sale of the same lots for the same
// amount, say a second delivery out of one lot, is genuinely new).
func rvBlocksSameSale(status string) bool {
	switch status {
	case ReceivableRejected, ReceivableSettled:
		return false
	}
	return true
}

// rvCheckLikelyDuplicate applies the likely-duplicate rule to a new
// receivable of seller: if the receivable~sale index names an earlier
// receivable of the same buyer, currency, amount (as formatted to the
// currency's minor unit) and set of lots that still blocks
// (rvBlocksSameSale), it refuses with LIKELY_DUPLICATE_RECEIVABLE naming
// it — the seller's own receivable, so nothing leaks. It reads the index
// and the earlier receivable (so a concurrent settlement or creation
// conflicts under MVCC) and returns the key, which the creation then
// writes with the new receivable's id.
func rvCheckLikelyDuplicate(ctx contractapi.TransactionContextInterface, seller string, buyer Buyer, currency, amount string, lots []LotRef) (string, error) {
	sk, err := key(ctx, rvIdxSale, seller, buyer.Country, buyer.RegistrationID, currency, amount, rvLotsDigest(lots))
	if err != nil {
		return "", err
	}
	v, err := ctx.GetStub().GetState(sk)
	if err != nil {
		return "", errf(CodeInternal, "read state: %v", err)
	}
	if v == nil {
		return sk, nil
	}
	other, err := rvLoad(ctx, string(v))
	if err != nil {
		return "", err
	}
	if rvBlocksSameSale(other.Status) {
		return "", errf(CodeLikelyDuplicateReceivable,
			"receivable %s (invoice %s, %s) is for the same buyer, amount %s %s and lots; a second invoice for one sale is refused while the first is not settled or rejected",
			other.ID, other.InvoiceNumber, other.Status, amount, currency)
	}
	return sk, nil
}
