package insurance

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/credit"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/shopspring/decimal"
)

// RequestAssignment is the insured asking that the claim proceeds of a
// shipment declared under policyID be paid to a bank. The shipment is read
// in the same transaction that checks its policy, so MVCC protects the
// check.
func (c *Insurance) RequestAssignment(ctx contractapi.TransactionContextInterface, shipmentID, bank, policyID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "assigning claim proceeds")
	if err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, shipmentID)
	if err != nil {
		return "", err
	}
	if s.Insured != caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the insured %s assigns the proceeds of shipment %s", s.Insured, s.ID)
	}
	if s.PolicyID != policyID {
		return "", kit.Errf(api.CodeNotFound, "shipment %s is not declared under policy %s", s.ID, kit.Clip(policyID))
	}
	b, err := registry.Party(ctx, "bank", bank, api.KindBank)
	if err != nil {
		return "", err
	}
	if err := checkAssignable(s); err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	a := &api.Assignment{
		ID: kit.DeriveID("AS", ctx.GetStub().GetTxID(), now, 0), ShipmentID: s.ID, PolicyID: s.PolicyID,
		Insurer: s.Insurer, Insured: s.Insured, Bank: b, Status: api.AssignmentRequested, RequestedAt: now.Format(kit.TimeLayout),
	}
	if err := kit.PutNew(ctx, objAssignment, a.ID); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objAssignment, a.ID, a, &a.UpdatedAt, &a.TxID, now); err != nil {
		return "", err
	}
	for _, p := range []string{a.Insured, a.Insurer, a.Bank} {
		if err := kit.PutIndex(ctx, idxParty, p, "assignment", a.ID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "AssignmentRequested", api.Event{Entity: "assignment", ID: a.ID, Action: "requested", By: a.Insured,
		Data: map[string]string{"shipmentId": s.ID, "bank": b}}); err != nil {
		return "", err
	}
	return kit.ToJSON(a)
}

// AcceptAssignment is the insurer accepting an assignment: from then on a
// claim on the shipment pays the bank. A shipment has one assignee.
func (c *Insurance) AcceptAssignment(ctx contractapi.TransactionContextInterface, assignmentID string) (string, error) {
	caller, a, err := insurerAssignment(ctx, assignmentID, "accepting an assignment")
	if err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, a.ShipmentID)
	if err != nil {
		return "", err
	}
	if err := checkAssignable(s); err != nil {
		return "", err
	}
	if b, err := registry.LoadEnterprise(ctx, a.Bank); err != nil {
		return "", err
	} else if b.Status != api.EnterpriseActive {
		return "", kit.Errf(api.CodeRuleViolation, "bank %s is %s", b.CreditCode, b.Status)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := assignmentLife().Apply("accept", a.ID, &a.Status); err != nil {
		return "", err
	}
	a.DecidedAt = now.Format(kit.TimeLayout)
	s.Assignee, s.AssignmentID = a.Bank, a.ID
	if err := kit.Save(ctx, objAssignment, a.ID, a, &a.UpdatedAt, &a.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxParty, a.Bank, "shipment", s.ID); err != nil {
		return "", err
	}
	if s.ClaimID != "" {
		if err := kit.PutIndex(ctx, idxParty, a.Bank, "claim", s.ClaimID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "AssignmentAccepted", api.Event{Entity: "assignment", ID: a.ID, Action: "accepted", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"shipmentId": s.ID, "bank": a.Bank}}); err != nil {
		return "", err
	}
	return kit.ToJSON(a)
}

// RejectAssignment is the insurer refusing an assignment.
func (c *Insurance) RejectAssignment(ctx contractapi.TransactionContextInterface, assignmentID, reason string) (string, error) {
	caller, a, err := insurerAssignment(ctx, assignmentID, "rejecting an assignment")
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 200)
	if err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := assignmentLife().Apply("reject", a.ID, &a.Status); err != nil {
		return "", err
	}
	a.Note, a.DecidedAt = why, now.Format(kit.TimeLayout)
	if err := kit.Save(ctx, objAssignment, a.ID, a, &a.UpdatedAt, &a.TxID, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "AssignmentRejected", api.Event{Entity: "assignment", ID: a.ID, Action: "rejected", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(a)
}

// ReleaseAssignment is the assignee bank giving the proceeds back to the
// insured; not while the shipment is collateral of a financing.
func (c *Insurance) ReleaseAssignment(ctx contractapi.TransactionContextInterface, assignmentID string) (string, error) {
	caller, err := registry.RequireKind(ctx, "releasing an assignment", api.KindBank)
	if err != nil {
		return "", err
	}
	a, err := loadAssignment(ctx, assignmentID)
	if err != nil {
		return "", err
	}
	if a.Bank != caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the assignee bank %s releases assignment %s", a.Bank, a.ID)
	}
	if err := assignmentLife().Check("release", a.ID, a.Status); err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, a.ShipmentID)
	if err != nil {
		return "", err
	}
	if s.FinancingID != "" {
		return "", kit.Errf(api.CodeConflict, "shipment %s is collateral of financing %s; close it first", s.ID, s.FinancingID)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := assignmentLife().Apply("release", a.ID, &a.Status); err != nil {
		return "", err
	}
	a.ReleasedAt = now.Format(kit.TimeLayout)
	s.Assignee, s.AssignmentID = "", ""
	if err := kit.Save(ctx, objAssignment, a.ID, a, &a.UpdatedAt, &a.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "AssignmentReleased", api.Event{Entity: "assignment", ID: a.ID, Action: "released", By: a.Bank}); err != nil {
		return "", err
	}
	return kit.ToJSON(a)
}

// GetAssignment returns an assignment to the insured, the insurer, the bank
// or a regulator.
func (c *Insurance) GetAssignment(ctx contractapi.TransactionContextInterface, assignmentID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading an assignment")
	if err != nil {
		return "", err
	}
	a, err := loadAssignment(ctx, assignmentID)
	if err != nil {
		return "", err
	}
	if !kit.MayRead(caller, a.Insured, a.Insurer, a.Bank) {
		return "", kit.Errf(api.CodeForbidden, "only the insured, the insurer, the bank and regulators read assignment %s", a.ID)
	}
	return kit.ToJSON(a)
}

// ListAssignments lists the assignments the caller is party to, at most
// 1000.
func (c *Insurance) ListAssignments(ctx contractapi.TransactionContextInterface) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing assignments")
	if err != nil {
		return "", err
	}
	ids, err := partyIDs(ctx, caller.Enterprise.CreditCode, "assignment")
	if err != nil {
		return "", err
	}
	out := []*api.Assignment{}
	for _, id := range ids {
		a, err := loadAssignment(ctx, id)
		if err != nil {
			return "", err
		}
		out = append(out, a)
	}
	return kit.ToJSON(out)
}

// FileClaim files a claim on a shipment whose buyer defaulted, once the
// policy's waiting period after the default date has passed; by the
// insured or the assignee bank. input: {"loss" (optional: at most, and by
// default, the amount outstanding),"note"}.
func (c *Insurance) FileClaim(ctx contractapi.TransactionContextInterface, shipmentID, input string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "filing a claim")
	if err != nil {
		return "", err
	}
	var in api.ClaimInput
	if err := kit.DecodeArg("claim", input, &in); err != nil {
		return "", err
	}
	note, err := kit.CleanText("note", in.Note, false, 500)
	if err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, shipmentID)
	if err != nil {
		return "", err
	}
	by := caller.Enterprise.CreditCode
	if by != s.Insured && (s.Assignee == "" || by != s.Assignee) {
		return "", kit.Errf(api.CodeForbidden, "only the insured or the assignee bank files a claim on shipment %s", s.ID)
	}
	if err := shipmentLife().Check("claim", s.ID, s.Status); err != nil {
		return "", err
	}
	if s.ClaimID != "" {
		return "", kit.Errf(api.CodeConflict, "shipment %s already has claim %s", s.ID, s.ClaimID)
	}
	p, err := loadPolicy(ctx, s.PolicyID)
	if err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(s.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "shipment %s: %v", s.ID, err)
	}
	invoice, paid, err := kit.ParseStoredPair(s.InvoiceAmount, s.Paid, cur)
	if err != nil {
		return "", err
	}
	outstanding := invoice.Sub(paid)
	loss := outstanding
	if in.Loss != "" {
		if loss, err = money.ParsePositiveAmount(in.Loss, cur); err != nil {
			return "", kit.Errf(api.CodeInvalidArgument, "loss: %v", err)
		}
		if loss.GreaterThan(outstanding) {
			return "", kit.Errf(api.CodeRuleViolation, "loss %s is more than the %s outstanding on shipment %s", money.Format(loss, cur), money.Format(outstanding, cur), s.ID)
		}
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	if ends := kit.StoredDate(s.DefaultDate).AddDays(p.WaitingPeriodDays); today.Before(ends) {
		return "", kit.Errf(api.CodeRuleViolation, "the waiting period of %d days after the default on %s ends on %s", p.WaitingPeriodDays, s.DefaultDate, ends)
	}
	ratio, err := money.ParseRate(s.CoverageRatio)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "shipment %s: coverage ratio: %v", s.ID, err)
	}
	cl := &api.Claim{
		ID: kit.DeriveID("CM", ctx.GetStub().GetTxID(), now, 0), ShipmentID: s.ID, PolicyID: s.PolicyID, LimitID: s.LimitID,
		Insurer: s.Insurer, Insured: s.Insured, FiledBy: by, Currency: cur.Code,
		Loss: money.Format(loss, cur), CoverageRatio: s.CoverageRatio, Covered: money.Format(loss.Mul(ratio), cur),
		Status: api.ClaimFiled, Note: note, FiledAt: now.Format(kit.TimeLayout),
	}
	if err := kit.PutNew(ctx, objClaim, cl.ID); err != nil {
		return "", err
	}
	s.ClaimID = cl.ID
	if err := kit.Save(ctx, objClaim, cl.ID, cl, &cl.UpdatedAt, &cl.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	for _, party := range []string{cl.Insurer, cl.Insured, s.Assignee} {
		if party == "" {
			continue
		}
		if err := kit.PutIndex(ctx, idxParty, party, "claim", cl.ID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "ClaimFiled", api.Event{Entity: "claim", ID: cl.ID, Action: "filed", By: by,
		Data: map[string]string{"shipmentId": s.ID, "loss": cl.Loss, "covered": cl.Covered}}); err != nil {
		return "", err
	}
	return kit.ToJSON(cl)
}

// ApproveClaim is the insurer approving a filed claim at min(loss ×
// coverage ratio, available cover): available cover is the buyer limit's
// amount less what claims on it were approved at, and, when the policy has
// a maximum liability, no more than what that leaves. The limit and the
// policy are read and written, so two approvals cannot spend one cover.
func (c *Insurance) ApproveClaim(ctx contractapi.TransactionContextInterface, claimID, note string) (string, error) {
	caller, cl, err := insurerClaim(ctx, claimID, "approving a claim")
	if err != nil {
		return "", err
	}
	n, err := kit.CleanText("note", note, false, 500)
	if err != nil {
		return "", err
	}
	if err := claimLife().Check("approve", cl.ID, cl.Status); err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(cl.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "claim %s: %v", cl.ID, err)
	}
	l, err := loadLimit(ctx, cl.LimitID)
	if err != nil {
		return "", err
	}
	p, err := loadPolicy(ctx, cl.PolicyID)
	if err != nil {
		return "", err
	}
	limitAmount, limitIndemnified, err := kit.ParseStoredPair(l.Amount, l.Indemnified, cur)
	if err != nil {
		return "", err
	}
	available := decimal.Max(limitAmount.Sub(limitIndemnified), decimal.Zero)
	policyIndemnified, err := kit.ParseStored(p.Indemnified, cur)
	if err != nil {
		return "", err
	}
	if p.MaxLiability != "" {
		ml, err := kit.ParseStored(p.MaxLiability, cur)
		if err != nil {
			return "", err
		}
		available = decimal.Min(available, decimal.Max(ml.Sub(policyIndemnified), decimal.Zero))
	}
	covered, err := kit.ParseStored(cl.Covered, cur)
	if err != nil {
		return "", err
	}
	indemnity := decimal.Min(covered, available)
	if indemnity.Sign() == 0 {
		return "", kit.Errf(api.CodeRuleViolation, "no cover is left on limit %s or policy %s; reject the claim instead", l.ID, p.ID)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	cl.AvailableCover, cl.Indemnity = money.Format(available, cur), money.Format(indemnity, cur)
	if err := claimLife().Apply("approve", cl.ID, &cl.Status); err != nil {
		return "", err
	}
	cl.DecidedAt = now.Format(kit.TimeLayout)
	if n != "" {
		cl.Note = n
	}
	l.Indemnified = money.Format(limitIndemnified.Add(indemnity), cur)
	p.Indemnified = money.Format(policyIndemnified.Add(indemnity), cur)
	if err := kit.Save(ctx, objLimit, l.ID, l, &l.UpdatedAt, &l.TxID, now); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objPolicy, p.ID, p, &p.UpdatedAt, &p.TxID, now); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objClaim, cl.ID, cl, &cl.UpdatedAt, &cl.TxID, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ClaimApproved", api.Event{Entity: "claim", ID: cl.ID, Action: "approved", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"indemnity": cl.Indemnity, "covered": cl.Covered, "availableCover": cl.AvailableCover}}); err != nil {
		return "", err
	}
	return kit.ToJSON(cl)
}

// RejectClaim is the insurer refusing a filed claim; the shipment may be
// claimed on again.
func (c *Insurance) RejectClaim(ctx contractapi.TransactionContextInterface, claimID, reason string) (string, error) {
	caller, cl, err := insurerClaim(ctx, claimID, "rejecting a claim")
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 500)
	if err != nil {
		return "", err
	}
	if err := claimLife().Check("approve", cl.ID, cl.Status); err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, cl.ShipmentID)
	if err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := claimLife().Apply("reject", cl.ID, &cl.Status); err != nil {
		return "", err
	}
	cl.Note, cl.DecidedAt = why, now.Format(kit.TimeLayout)
	if s.ClaimID == cl.ID {
		s.ClaimID = ""
	}
	if err := kit.Save(ctx, objClaim, cl.ID, cl, &cl.UpdatedAt, &cl.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ClaimRejected", api.Event{Entity: "claim", ID: cl.ID, Action: "rejected", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(cl)
}

// PayClaim is the insurer paying an approved claim, with value date
// paymentDate (not after today, not before the approval). The beneficiary
// is the assignee bank if the proceeds are assigned, else the insured.
// When the beneficiary bank finances the shipment (POLICY financing) or
// its receivable (RECEIVABLE financing), the payment repays that
// financing in the same transaction, accrued interest first, then
// principal, and the surplus goes to the insured. The shipment is
// INDEMNIFIED and what it still used of the buyer's limit is released.
func (c *Insurance) PayClaim(ctx contractapi.TransactionContextInterface, claimID, paymentDate string) (string, error) {
	caller, cl, err := insurerClaim(ctx, claimID, "paying a claim")
	if err != nil {
		return "", err
	}
	if err := claimLife().Check("pay", cl.ID, cl.Status); err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(cl.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "claim %s: %v", cl.ID, err)
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	vd, err := kit.ParseValueDate(paymentDate, today)
	if err != nil {
		return "", err
	}
	if approved, err := txDate(cl.DecidedAt); err == nil && vd.Before(approved) {
		return "", kit.Errf(api.CodeRuleViolation, "paymentDate %s is before the approval on %s", vd, approved)
	}
	s, err := LoadShipment(ctx, cl.ShipmentID)
	if err != nil {
		return "", err
	}
	l, err := loadLimit(ctx, s.LimitID)
	if err != nil {
		return "", err
	}
	indemnity, err := kit.ParseStored(cl.Indemnity, cur)
	if err != nil {
		return "", err
	}
	zero := money.Format(decimal.Zero, cur)
	pay := &api.ClaimPayment{PaymentDate: vd.String(), Beneficiary: s.Insured, ToInterest: zero, ToPrincipal: zero, ToBank: zero, ToInsured: money.Format(indemnity, cur)}
	if s.Assignee != "" {
		pay.Beneficiary = s.Assignee
		pay.ToBank, pay.ToInsured = money.Format(indemnity, cur), zero
		financingID, toInterest, toPrincipal, surplus, err := c.lender.ApplyClaimProceeds(ctx, s, s.Assignee, indemnity, vd, caller.Enterprise.CreditCode, now)
		if err != nil {
			return "", err
		}
		if financingID != "" {
			pay.FinancingID = financingID
			pay.ToInterest, pay.ToPrincipal = money.Format(toInterest, cur), money.Format(toPrincipal, cur)
			pay.ToBank, pay.ToInsured = money.Format(toInterest.Add(toPrincipal), cur), money.Format(surplus, cur)
		}
	}
	invoice, paid, err := kit.ParseStoredPair(s.InvoiceAmount, s.Paid, cur)
	if err != nil {
		return "", err
	}
	if err := releaseLimit(l, invoice.Sub(paid), cur); err != nil {
		return "", err
	}
	if err := shipmentLife().Apply("indemnify", s.ID, &s.Status); err != nil {
		return "", err
	}
	if err := claimLife().Apply("pay", cl.ID, &cl.Status); err != nil {
		return "", err
	}
	cl.PaidAt, cl.Payment = now.Format(kit.TimeLayout), pay
	if err := credit.RecordClaim(ctx, s.Insured, indemnity, cur, now); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objLimit, l.ID, l, &l.UpdatedAt, &l.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objClaim, cl.ID, cl, &cl.UpdatedAt, &cl.TxID, now); err != nil {
		return "", err
	}
	if pay.Beneficiary != s.Insured {
		if err := kit.PutIndex(ctx, idxParty, pay.Beneficiary, "claim", cl.ID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "ClaimPaid", api.Event{Entity: "claim", ID: cl.ID, Action: "paid", By: caller.Enterprise.CreditCode, Data: pay}); err != nil {
		return "", err
	}
	return kit.ToJSON(cl)
}

// GetClaim returns a claim to the insurer, the insured, the assignee bank
// or a regulator.
func (c *Insurance) GetClaim(ctx contractapi.TransactionContextInterface, claimID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a claim")
	if err != nil {
		return "", err
	}
	cl, err := loadClaim(ctx, claimID)
	if err != nil {
		return "", err
	}
	beneficiary := ""
	if cl.Payment != nil {
		beneficiary = cl.Payment.Beneficiary
	}
	assignee := ""
	if s, err := LoadShipment(ctx, cl.ShipmentID); err == nil {
		assignee = s.Assignee
	}
	if !kit.MayRead(caller, cl.Insurer, cl.Insured, beneficiary, assignee) {
		return "", kit.Errf(api.CodeForbidden, "only the insurer, the insured, the assignee bank and regulators read claim %s", cl.ID)
	}
	return kit.ToJSON(cl)
}

// ListClaims lists the claims the caller is party to, at most 1000.
func (c *Insurance) ListClaims(ctx contractapi.TransactionContextInterface) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing claims")
	if err != nil {
		return "", err
	}
	ids, err := partyIDs(ctx, caller.Enterprise.CreditCode, "claim")
	if err != nil {
		return "", err
	}
	out := []*api.Claim{}
	for _, id := range ids {
		cl, err := loadClaim(ctx, id)
		if err != nil {
			return "", err
		}
		out = append(out, cl)
	}
	return kit.ToJSON(out)
}

// checkAssignable: proceeds can be assigned while a claim can still
// arise and nobody holds them yet.
func checkAssignable(s *api.Shipment) error {
	switch {
	case s.Assignee != "":
		return kit.Errf(api.CodeConflict, "the proceeds of shipment %s are already assigned to %s", s.ID, s.Assignee)
	case s.Status != api.ShipmentDeclared && s.Status != api.ShipmentDefaulted:
		return kit.Errf(api.CodeConflict, "shipment %s is %s", s.ID, s.Status)
	}
	return nil
}

func insurerAssignment(ctx contractapi.TransactionContextInterface, id, what string) (*api.Caller, *api.Assignment, error) {
	caller, err := registry.RequireKind(ctx, what, api.KindInsurer)
	if err != nil {
		return nil, nil, err
	}
	a, err := loadAssignment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if a.Insurer != caller.Enterprise.CreditCode {
		return nil, nil, kit.Errf(api.CodeForbidden, "assignment %s is for insurer %s", a.ID, a.Insurer)
	}
	// Accepting and rejecting both start from REQUESTED.
	if err := assignmentLife().Check("accept", a.ID, a.Status); err != nil {
		return nil, nil, err
	}
	return caller, a, nil
}

func insurerClaim(ctx contractapi.TransactionContextInterface, id, what string) (*api.Caller, *api.Claim, error) {
	caller, err := registry.RequireKind(ctx, what, api.KindInsurer)
	if err != nil {
		return nil, nil, err
	}
	cl, err := loadClaim(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if cl.Insurer != caller.Enterprise.CreditCode {
		return nil, nil, kit.Errf(api.CodeForbidden, "claim %s is on a policy of insurer %s", cl.ID, cl.Insurer)
	}
	return caller, cl, nil
}

func loadAssignment(ctx contractapi.TransactionContextInterface, id string) (*api.Assignment, error) {
	var a api.Assignment
	if err := kit.Load(ctx, objAssignment, "AS", "assignment", id, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func loadClaim(ctx contractapi.TransactionContextInterface, id string) (*api.Claim, error) {
	var cl api.Claim
	if err := kit.Load(ctx, objClaim, "CM", "claim", id, &cl); err != nil {
		return nil, err
	}
	return &cl, nil
}

// txDate is the Asia/Shanghai date of a timestamp this chaincode wrote.
func txDate(stamp string) (money.Date, error) {
	t, err := time.Parse(kit.TimeLayout, stamp)
	if err != nil {
		return money.Date{}, err
	}
	return kit.DateOf(t), nil
}
