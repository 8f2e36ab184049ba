package insurance

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/risk"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/shopspring/decimal"
)

// Keys of the insurance contract.
const (
	objLimit      = "insLimit"
	objPolicy     = "insPolicy"
	objShipment   = "insShipment"
	objAssignment = "insAssignment"
	objClaim      = "insClaim"
	// idxLimit [insurer, exporter, country, registrationId] -> limit id:
	// one limit per insurer, exporter and buyer.
	idxLimit = "insLimit~buyer"
	// idxParty [creditCode, entity, id]: what an enterprise is party to
	// (limits, policies, shipments, assignments and claims).
	idxParty = "ins~party"
	// idxPolicyShipment [policyId, shipmentId]: shipments of a policy.
	idxPolicyShipment = "ins~policyShipment"
	// idxLot [gtin, lot, shipmentId]: shipments naming a lot.
	idxLot = "ins~lot"
	// idxCustoms [declarationNo] -> shipment id: a customs declaration
	// backs one insured shipment.
	idxCustoms = "ins~customs"
	// idxInvoice [insured, country, registrationId, normalised
	// invoiceNumber] -> shipment id: an invoice is declared once.
	idxInvoice = "ins~invoice"
)

const (
	MaxLots        = 100
	maxTermDays    = 1096
	MaxCreditDays  = 360
	maxWaitingDays = 720
	maxListed      = 1000
)

// Insurance is the export credit insurance contract, "insurance".
//
// Rules (DESIGN.md §5):
//   - An insurer sets one limit per exporter and buyer (setting it again
//     revises it in place); it issues policies to exporters.
//   - The insured declares each shipment under its policy within the
//     buyer's available limit (Amount − Used); the declaration reads and
//     writes the limit, so two declarations racing for the last of a limit
//     cannot both commit. Every lot declared must have a shipping event on
//     the ledger (trace's event~lot index). The premium is invoice amount ×
//     premium rate, rounded half-up to the minor unit.
//   - Buyer payments release the limit; a reported default suspends it.
//   - Claim proceeds may be assigned to a bank (requested by the insured,
//     accepted by the insurer); from then on a claim on that shipment pays
//     the bank.
//   - A claim is filed after the default and the policy's waiting period,
//     approved at min(loss × coverage ratio, available cover) where
//     available cover is what the buyer's limit and the policy's maximum
//     liability leave, and paid to the beneficiary; a payment to a bank
//     that financed the shipment repays that financing first.
type Insurance struct {
	lender Lender
}

// New is the insurance contract; lender is the financing side of
// claim proceeds assigned to a bank.
func New(lender Lender) *Insurance { return &Insurance{lender: lender} }

// Lender is what insurance asks of the financings that claim proceeds
// repay; the financing domain, above insurance, answers it.
type Lender interface {
	// BankOf is the bank of a financing, "" when there is none.
	BankOf(ctx contractapi.TransactionContextInterface, financingID string) string
	// ApplyClaimProceeds applies an indemnity paid to bank on shipment s to
	// the financing it repays, and answers that financing ("" when there is
	// none: nothing is applied) and how the money went.
	ApplyClaimProceeds(ctx contractapi.TransactionContextInterface, s *api.Shipment, bank string, amount decimal.Decimal, vd money.Date, by string, now time.Time) (financingID string, toInterest, toPrincipal, surplus decimal.Decimal, err error)
}

// SetCreditLimit sets an insurer's credit limit for an exporter on a buyer.
// If the insurer already has a limit for that exporter and buyer it is
// revised in place (same id, usage kept, a suspension lifted). input:
// {"exporter","buyer":{"name","country","registrationId"},"amount",
// "currency","validFrom","validTo"}.
func (c *Insurance) SetCreditLimit(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	caller, err := registry.RequireKind(ctx, "setting a buyer credit limit", api.KindInsurer)
	if err != nil {
		return "", err
	}
	var in api.CreditLimitInput
	if err := kit.DecodeArg("limit", input, &in); err != nil {
		return "", err
	}
	buyer, err := CheckBuyer("buyer", in.Buyer)
	if err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(in.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "currency: %v", err)
	}
	amount, err := money.ParseAmount(in.Amount, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "amount: %v", err)
	}
	from, err := kit.ParseDate("validFrom", in.ValidFrom)
	if err != nil {
		return "", err
	}
	to, err := kit.ParseDate("validTo", in.ValidTo)
	if err != nil {
		return "", err
	}
	if to.Before(from) {
		return "", kit.Errf(api.CodeInvalidArgument, "validTo %s is before validFrom %s", to, from)
	}
	if from.DaysUntil(to) > maxTermDays {
		return "", kit.Errf(api.CodeInvalidArgument, "a limit is valid for at most %d days", maxTermDays)
	}
	exporter, err := registry.Party(ctx, "exporter", in.Exporter, api.KindExporter)
	if err != nil {
		return "", err
	}
	insurer := caller.Enterprise.CreditCode
	if exporter == insurer {
		return "", kit.Errf(api.CodeRuleViolation, "an insurer cannot set a limit for itself")
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	if to.Before(today) {
		return "", kit.Errf(api.CodeRuleViolation, "validTo %s is already past (today is %s)", to, today)
	}
	ik, err := kit.Key(ctx, idxLimit, insurer, exporter, buyer.Country, buyer.RegistrationID)
	if err != nil {
		return "", err
	}
	existing, err := ctx.GetStub().GetState(ik)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "read state: %v", err)
	}
	stamp := now.Format(kit.TimeLayout)
	var l *api.CreditLimit
	action := "set"
	if existing != nil {
		if l, err = loadLimit(ctx, string(existing)); err != nil {
			return "", err
		}
		if l.Currency != cur.Code {
			return "", kit.Errf(api.CodeRuleViolation, "limit %s is in %s; a limit keeps its currency", l.ID, l.Currency)
		}
		l.Buyer.Name = buyer.Name
		l.Revision++
		action = "revised"
	} else {
		zero := money.Format(decimal.Zero, cur)
		l = &api.CreditLimit{
			ID: kit.DeriveID("BL", ctx.GetStub().GetTxID(), now, 0), Insurer: insurer, Exporter: exporter, Buyer: buyer,
			Currency: cur.Code, Used: zero, Indemnified: zero, Revision: 1, SetAt: stamp,
		}
		if err := kit.PutNew(ctx, objLimit, l.ID); err != nil {
			return "", err
		}
		if err := ctx.GetStub().PutState(ik, []byte(l.ID)); err != nil {
			return "", kit.Errf(api.CodeInternal, "write index: %v", err)
		}
		for _, p := range []string{insurer, exporter} {
			if err := kit.PutIndex(ctx, idxParty, p, "limit", l.ID); err != nil {
				return "", err
			}
		}
	}
	l.Amount = money.Format(amount, cur)
	if err := limitLife().Apply("set", l.ID, &l.Status); err != nil {
		return "", err
	}
	l.ValidFrom, l.ValidTo = from.String(), to.String()
	if err := kit.Save(ctx, objLimit, l.ID, l, &l.UpdatedAt, &l.TxID, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "CreditLimitSet", api.Event{Entity: "creditLimit", ID: l.ID, Action: action, By: insurer,
		Data: map[string]string{"exporter": exporter, "buyer": buyer.Country + "/" + buyer.RegistrationID, "amount": l.Amount, "currency": l.Currency}}); err != nil {
		return "", err
	}
	return kit.ToJSON(limitView(l))
}

// GetCreditLimit returns a limit to its insurer, its exporter or a
// regulator.
func (c *Insurance) GetCreditLimit(ctx contractapi.TransactionContextInterface, limitID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a credit limit")
	if err != nil {
		return "", err
	}
	l, err := loadLimit(ctx, limitID)
	if err != nil {
		return "", err
	}
	if !kit.MayRead(caller, l.Insurer, l.Exporter) {
		return "", kit.Errf(api.CodeForbidden, "only the insurer, the exporter and regulators read limit %s", l.ID)
	}
	return kit.ToJSON(limitView(l))
}

// ListCreditLimits lists the limits the caller set (insurer) or holds
// (exporter), at most 1000.
func (c *Insurance) ListCreditLimits(ctx contractapi.TransactionContextInterface) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing credit limits")
	if err != nil {
		return "", err
	}
	ids, err := partyIDs(ctx, caller.Enterprise.CreditCode, "limit")
	if err != nil {
		return "", err
	}
	out := []api.CreditLimitView{}
	for _, id := range ids {
		l, err := loadLimit(ctx, id)
		if err != nil {
			return "", err
		}
		out = append(out, limitView(l))
	}
	return kit.ToJSON(out)
}

// IssuePolicy issues a policy to an exporter. input: {"insured",
// "currency","coverageRatio" (e.g. "0.9"),"premiumRate" (e.g. "0.0035"),
// "startDate","endDate","waitingPeriodDays","maxCreditDays" (0 for 180),
// "maxLiability" (optional)}.
func (c *Insurance) IssuePolicy(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	caller, err := registry.RequireKind(ctx, "issuing a policy", api.KindInsurer)
	if err != nil {
		return "", err
	}
	var in api.PolicyInput
	if err := kit.DecodeArg("policy", input, &in); err != nil {
		return "", err
	}
	cur, err := money.LookupCurrency(in.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "currency: %v", err)
	}
	ratio, err := money.ParseRate(in.CoverageRatio)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "coverageRatio: %v", err)
	}
	if ratio.Sign() == 0 {
		return "", kit.Errf(api.CodeInvalidArgument, "coverageRatio must be greater than zero")
	}
	rate, err := money.ParseRate(in.PremiumRate)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "premiumRate: %v", err)
	}
	start, err := kit.ParseDate("startDate", in.StartDate)
	if err != nil {
		return "", err
	}
	end, err := kit.ParseDate("endDate", in.EndDate)
	if err != nil {
		return "", err
	}
	if !end.After(start) {
		return "", kit.Errf(api.CodeInvalidArgument, "endDate %s is not after startDate %s", end, start)
	}
	if start.DaysUntil(end) > maxTermDays {
		return "", kit.Errf(api.CodeInvalidArgument, "a policy term is at most %d days", maxTermDays)
	}
	if in.WaitingPeriodDays < 0 || in.WaitingPeriodDays > maxWaitingDays {
		return "", kit.Errf(api.CodeInvalidArgument, "waitingPeriodDays must be 0 to %d", maxWaitingDays)
	}
	if in.MaxCreditDays == 0 {
		in.MaxCreditDays = 180
	}
	if in.MaxCreditDays < 1 || in.MaxCreditDays > MaxCreditDays {
		return "", kit.Errf(api.CodeInvalidArgument, "maxCreditDays must be 1 to %d", MaxCreditDays)
	}
	p := &api.Policy{
		Insurer: caller.Enterprise.CreditCode, Currency: cur.Code, CoverageRatio: ratio.String(), PremiumRate: rate.String(),
		StartDate: start.String(), EndDate: end.String(), WaitingPeriodDays: in.WaitingPeriodDays, MaxCreditDays: in.MaxCreditDays,
		Indemnified: money.Format(decimal.Zero, cur), Status: api.PolicyActive,
	}
	if in.MaxLiability != "" {
		ml, err := money.ParsePositiveAmount(in.MaxLiability, cur)
		if err != nil {
			return "", kit.Errf(api.CodeInvalidArgument, "maxLiability: %v", err)
		}
		p.MaxLiability = money.Format(ml, cur)
	}
	if p.Insured, err = registry.Party(ctx, "insured", in.Insured, api.KindExporter); err != nil {
		return "", err
	}
	if p.Insured == p.Insurer {
		return "", kit.Errf(api.CodeRuleViolation, "an insurer cannot insure itself")
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	if end.Before(today) {
		return "", kit.Errf(api.CodeRuleViolation, "endDate %s is already past (today is %s)", end, today)
	}
	p.ID = kit.DeriveID("PO", ctx.GetStub().GetTxID(), now, 0)
	p.IssuedAt = now.Format(kit.TimeLayout)
	if err := kit.PutNew(ctx, objPolicy, p.ID); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objPolicy, p.ID, p, &p.UpdatedAt, &p.TxID, now); err != nil {
		return "", err
	}
	for _, party := range []string{p.Insurer, p.Insured} {
		if err := kit.PutIndex(ctx, idxParty, party, "policy", p.ID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "PolicyIssued", api.Event{Entity: "policy", ID: p.ID, Action: "issued", By: p.Insurer,
		Data: map[string]string{"insured": p.Insured, "coverageRatio": p.CoverageRatio}}); err != nil {
		return "", err
	}
	return kit.ToJSON(p)
}

// GetPolicy returns a policy to its insurer, the insured or a regulator.
func (c *Insurance) GetPolicy(ctx contractapi.TransactionContextInterface, policyID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a policy")
	if err != nil {
		return "", err
	}
	p, err := loadPolicy(ctx, policyID)
	if err != nil {
		return "", err
	}
	if !kit.MayRead(caller, p.Insurer, p.Insured) {
		return "", kit.Errf(api.CodeForbidden, "only the insurer, the insured and regulators read policy %s", p.ID)
	}
	return kit.ToJSON(p)
}

// ListPolicies lists the policies the caller issued or holds, at most 1000.
func (c *Insurance) ListPolicies(ctx contractapi.TransactionContextInterface) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing policies")
	if err != nil {
		return "", err
	}
	ids, err := partyIDs(ctx, caller.Enterprise.CreditCode, "policy")
	if err != nil {
		return "", err
	}
	out := []*api.Policy{}
	for _, id := range ids {
		p, err := loadPolicy(ctx, id)
		if err != nil {
			return "", err
		}
		out = append(out, p)
	}
	return kit.ToJSON(out)
}

// DeclareShipment is the insured declaring a shipment under its policy to
// the buyer of one of its limits. input: {"policyId","limitId",
// "invoiceNumber","invoiceAmount","customsDeclarationNo" (18 digits),
// "customsValue","shipmentDate","paymentDueDate","lots":[{"gtin","lot"}]};
// amounts in the policy's currency.
func (c *Insurance) DeclareShipment(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	caller, err := registry.RequireKind(ctx, "declaring a shipment", api.KindExporter)
	if err != nil {
		return "", err
	}
	var in api.ShipmentInput
	if err := kit.DecodeArg("shipment", input, &in); err != nil {
		return "", err
	}
	invoiceNo, invoiceKey, err := CheckInvoiceNumber("invoiceNumber", in.InvoiceNumber)
	if err != nil {
		return "", err
	}
	customsNo, err := checkCustomsNo(in.CustomsDeclarationNo)
	if err != nil {
		return "", err
	}
	shipDate, err := kit.ParseDate("shipmentDate", in.ShipmentDate)
	if err != nil {
		return "", err
	}
	dueDate, err := kit.ParseDate("paymentDueDate", in.PaymentDueDate)
	if err != nil {
		return "", err
	}
	if !dueDate.After(shipDate) {
		return "", kit.Errf(api.CodeInvalidArgument, "paymentDueDate %s is not after shipmentDate %s", dueDate, shipDate)
	}
	if len(in.Lots) == 0 {
		return "", kit.Errf(api.CodeInvalidArgument, "lots: name the lots shipped")
	}
	lots, err := trace.CheckLotRefs("lots", in.Lots, false)
	if err != nil {
		return "", err
	}
	p, err := loadPolicy(ctx, in.PolicyID)
	if err != nil {
		return "", err
	}
	insured := caller.Enterprise.CreditCode
	if p.Insured != insured {
		return "", kit.Errf(api.CodeForbidden, "policy %s insures %s; only the insured declares shipments under it", p.ID, p.Insured)
	}
	cur, err := money.LookupCurrency(p.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "policy %s: %v", p.ID, err)
	}
	invoice, err := money.ParsePositiveAmount(in.InvoiceAmount, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "invoiceAmount: %v", err)
	}
	customsValue, err := money.ParsePositiveAmount(in.CustomsValue, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "customsValue: %v", err)
	}
	l, err := loadLimit(ctx, in.LimitID)
	if err != nil {
		return "", err
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	start, end := kit.StoredDate(p.StartDate), kit.StoredDate(p.EndDate)
	switch {
	case p.Status != api.PolicyActive:
		return "", kit.Errf(api.CodeConflict, "policy %s is %s", p.ID, p.Status)
	case l.Exporter != insured:
		return "", kit.Errf(api.CodeForbidden, "limit %s is not a limit of %s; an exporter declares only against its own limits", l.ID, insured)
	case l.Insurer != p.Insurer:
		return "", kit.Errf(api.CodeRuleViolation, "limit %s is not a limit of insurer %s for %s", l.ID, p.Insurer, insured)
	case l.Currency != p.Currency:
		return "", kit.Errf(api.CodeRuleViolation, "limit %s is in %s, policy %s in %s", l.ID, l.Currency, p.ID, p.Currency)
	case shipDate.After(today):
		return "", kit.Errf(api.CodeRuleViolation, "shipmentDate %s is in the future (today is %s)", shipDate, today)
	case !dueDate.After(today):
		// Declared once the payment is due, a shipment would insure a loss
		// the exporter may already know of.
		return "", kit.Errf(api.CodeRuleViolation, "paymentDueDate %s is not after today (%s); a shipment is declared before its payment falls due", dueDate, today)
	case shipDate.Before(start) || shipDate.After(end):
		return "", kit.Errf(api.CodeRuleViolation, "shipmentDate %s is outside the policy term %s to %s", shipDate, start, end)
	case shipDate.DaysUntil(dueDate) > p.MaxCreditDays:
		return "", kit.Errf(api.CodeRuleViolation, "a credit period of %d days is longer than the policy's %d", shipDate.DaysUntil(dueDate), p.MaxCreditDays)
	case l.Status != api.LimitActive:
		return "", kit.Errf(api.CodeConflict, "limit %s on buyer %s is %s", l.ID, l.Buyer.Name, l.Status)
	case shipDate.Before(kit.StoredDate(l.ValidFrom)) || shipDate.After(kit.StoredDate(l.ValidTo)):
		return "", kit.Errf(api.CodeRuleViolation, "shipmentDate %s is outside the limit's validity %s to %s", shipDate, l.ValidFrom, l.ValidTo)
	}
	limitAmount, used, err := kit.ParseStoredPair(l.Amount, l.Used, cur)
	if err != nil {
		return "", err
	}
	if used.Add(invoice).GreaterThan(limitAmount) {
		return "", kit.Errf(api.CodeLimitExceeded, "invoice %s %s is more than the %s %s available on buyer %s (limit %s, used %s)",
			money.Format(invoice, cur), cur.Code, money.Format(decimal.Max(limitAmount.Sub(used), decimal.Zero), cur), cur.Code, l.Buyer.Name, l.Amount, l.Used)
	}
	// One insured shipment per customs declaration and per invoice.
	ck, err := kit.Key(ctx, idxCustoms, customsNo)
	if err != nil {
		return "", err
	}
	if v, err := ctx.GetStub().GetState(ck); err != nil {
		return "", kit.Errf(api.CodeInternal, "read state: %v", err)
	} else if v != nil {
		return "", kit.Errf(api.CodeAlreadyExists, "customs declaration %s is already declared in shipment %s", customsNo, v)
	}
	// By the normalised number: "HY-1", "hy-1" and "ＨＹ－１" are one invoice.
	vk, err := kit.Key(ctx, idxInvoice, insured, l.Buyer.Country, l.Buyer.RegistrationID, invoiceKey)
	if err != nil {
		return "", err
	}
	if v, err := ctx.GetStub().GetState(vk); err != nil {
		return "", kit.Errf(api.CodeInternal, "read state: %v", err)
	} else if v != nil {
		return "", kit.Errf(api.CodeAlreadyExists, "invoice %s to %s is already declared in shipment %s", invoiceNo, l.Buyer.Name, v)
	}
	// The goods must have left: a shipping event for every lot.
	events, missing, err := risk.ShippingEvents(ctx, lots)
	if err != nil {
		return "", err
	}
	if len(missing) > 0 {
		return "", kit.Errf(api.CodeRuleViolation, "the ledger shows no shipping event for lot %s of %s", missing[0].Lot, missing[0].GTIN)
	}
	// ... and left with the insured: it recorded their shipping, or they
	// are its own goods (its carrier may have recorded it).
	if events, err = shippedBy(ctx, lots, events, insured); err != nil {
		return "", err
	}
	rate, err := money.ParseRate(p.PremiumRate)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "policy %s: premium rate: %v", p.ID, err)
	}
	zero := money.Format(decimal.Zero, cur)
	s := &api.Shipment{
		ID: kit.DeriveID("SH", ctx.GetStub().GetTxID(), now, 0), PolicyID: p.ID, LimitID: l.ID,
		Insurer: p.Insurer, Insured: insured, Buyer: l.Buyer, InvoiceNumber: invoiceNo,
		InvoiceAmount: money.Format(invoice, cur), Currency: cur.Code,
		CustomsDeclarationNo: customsNo, CustomsValue: money.Format(customsValue, cur),
		ShipmentDate: shipDate.String(), PaymentDueDate: dueDate.String(), Lots: lots, ShippingEvents: events,
		CoverageRatio: p.CoverageRatio, PremiumRate: p.PremiumRate,
		Premium: money.Format(invoice.Mul(rate), cur), // Format rounds half-up to the minor unit
		Paid:    zero, Status: api.ShipmentDeclared, RiskFlags: []string{}, DeclaredAt: now.Format(kit.TimeLayout),
	}
	if err := kit.PutNew(ctx, objShipment, s.ID); err != nil {
		return "", err
	}
	// Risk: invoice far from the goods' declared (customs) value.
	if flag := risk.ValueFlag(invoice, customsValue, cur, "customs value"); flag != nil {
		if raised, err := risk.Raise(ctx, api.RiskEntityShipment, s.ID, flag, now); err != nil {
			return "", err
		} else if raised {
			s.RiskFlags = append(s.RiskFlags, flag.Code)
		}
	}
	l.Used = money.Format(used.Add(invoice), cur)
	if err := kit.Save(ctx, objLimit, l.ID, l, &l.UpdatedAt, &l.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	if err := ctx.GetStub().PutState(ck, []byte(s.ID)); err != nil {
		return "", kit.Errf(api.CodeInternal, "write index: %v", err)
	}
	if err := ctx.GetStub().PutState(vk, []byte(s.ID)); err != nil {
		return "", kit.Errf(api.CodeInternal, "write index: %v", err)
	}
	for _, party := range []string{s.Insurer, s.Insured} {
		if err := kit.PutIndex(ctx, idxParty, party, "shipment", s.ID); err != nil {
			return "", err
		}
	}
	if err := kit.PutIndex(ctx, idxPolicyShipment, p.ID, s.ID); err != nil {
		return "", err
	}
	for _, r := range lots {
		if err := kit.PutIndex(ctx, idxLot, r.GTIN, r.Lot, s.ID); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "ShipmentDeclared", api.Event{Entity: "shipment", ID: s.ID, Action: "declared", By: insured,
		Data: map[string]any{"policyId": p.ID, "invoiceAmount": s.InvoiceAmount, "premium": s.Premium, "riskFlags": s.RiskFlags}}); err != nil {
		return "", err
	}
	return kit.ToJSON(shipmentView(s, today))
}

// GetShipment returns a shipment to its insurer, the insured, the bank its
// claim proceeds are assigned to, the bank financing it, or a regulator.
func (c *Insurance) GetShipment(ctx contractapi.TransactionContextInterface, shipmentID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a shipment")
	if err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, shipmentID)
	if err != nil {
		return "", err
	}
	if !kit.MayRead(caller, s.Insurer, s.Insured, s.Assignee, c.lender.BankOf(ctx, s.FinancingID)) {
		return "", kit.Errf(api.CodeForbidden, "only the insurer, the insured, the assignee bank and regulators read shipment %s", s.ID)
	}
	_, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(shipmentView(s, today))
}

// ListShipments lists the shipments of a policy (for its insurer, insured
// or a regulator), or with policyID empty those the caller is party to:
// as insurer, insured, or bank the proceeds are assigned to. At most 1000.
func (c *Insurance) ListShipments(ctx contractapi.TransactionContextInterface, policyID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing shipments")
	if err != nil {
		return "", err
	}
	var ids []string
	if policyID == "" {
		if ids, err = partyIDs(ctx, caller.Enterprise.CreditCode, "shipment"); err != nil {
			return "", err
		}
	} else {
		p, err := loadPolicy(ctx, policyID)
		if err != nil {
			return "", err
		}
		if !kit.MayRead(caller, p.Insurer, p.Insured) {
			return "", kit.Errf(api.CodeForbidden, "only the insurer, the insured and regulators list the shipments of policy %s", p.ID)
		}
		tails, err := kit.IndexTails(ctx, idxPolicyShipment, []string{p.ID})
		if err != nil {
			return "", err
		}
		for _, t := range tails {
			ids = append(ids, t[0])
		}
	}
	_, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	out := []api.ShipmentView{}
	for _, id := range ids {
		if len(out) >= maxListed {
			break
		}
		s, err := LoadShipment(ctx, id)
		if err != nil {
			return "", err
		}
		out = append(out, shipmentView(s, today))
	}
	return kit.ToJSON(out)
}

// RecordShipmentPayment records a payment by the buyer on a declared
// shipment, reported by the insured (or the assignee bank, which the buyer
// pays once notified of the assignment). The amount paid is released from
// the buyer's limit; paid in full, the shipment is PAID. valueDate may not
// be after today nor before the shipment date.
func (c *Insurance) RecordShipmentPayment(ctx contractapi.TransactionContextInterface, shipmentID, amount, valueDate string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "recording a buyer payment")
	if err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, shipmentID)
	if err != nil {
		return "", err
	}
	by := caller.Enterprise.CreditCode
	if by != s.Insured && (s.Assignee == "" || by != s.Assignee) {
		return "", kit.Errf(api.CodeForbidden, "only the insured or the assignee bank records payments on shipment %s", s.ID)
	}
	if err := shipmentLife().Check("pay", s.ID, s.Status); err != nil {
		return "", err
	}
	checked, err := kit.CheckPayment(ctx, kit.Debt{Kind: "shipment", ID: s.ID, Currency: s.Currency, Total: s.InvoiceAmount, Paid: s.Paid,
		Since: s.ShipmentDate, SinceWhat: "the shipment on"}, amount, valueDate)
	if err != nil {
		return "", err
	}
	pay, cur, vd, paid, outstanding, now, today := checked.Amount, checked.Currency, checked.ValueDate, checked.Paid, checked.Outstanding, checked.Now, checked.Today
	l, err := loadLimit(ctx, s.LimitID)
	if err != nil {
		return "", err
	}
	if err := releaseLimit(l, pay, cur); err != nil {
		return "", err
	}
	s.Paid = money.Format(paid.Add(pay), cur)
	if pay.Equal(outstanding) {
		if err := shipmentLife().Apply("pay", s.ID, &s.Status); err != nil {
			return "", err
		}
	}
	if err := kit.Save(ctx, objLimit, l.ID, l, &l.UpdatedAt, &l.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ShipmentPaid", api.Event{Entity: "shipment", ID: s.ID, Action: "payment-recorded", By: by,
		Data: map[string]string{"amount": money.Format(pay, cur), "valueDate": vd.String(), "status": s.Status}}); err != nil {
		return "", err
	}
	return kit.ToJSON(shipmentView(s, today))
}

// ReportBuyerDefault is the insured (or the assignee bank) reporting that
// the buyer has not paid a shipment by its due date: only after the
// payment due date, with something outstanding. The default date (today)
// starts the policy's waiting period, and the buyer's limit is suspended
// for new declarations.
func (c *Insurance) ReportBuyerDefault(ctx contractapi.TransactionContextInterface, shipmentID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reporting a buyer default")
	if err != nil {
		return "", err
	}
	s, err := LoadShipment(ctx, shipmentID)
	if err != nil {
		return "", err
	}
	by := caller.Enterprise.CreditCode
	if by != s.Insured && (s.Assignee == "" || by != s.Assignee) {
		return "", kit.Errf(api.CodeForbidden, "only the insured or the assignee bank reports a default on shipment %s", s.ID)
	}
	if err := shipmentLife().Check("default", s.ID, s.Status); err != nil {
		return "", err
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	if !today.After(kit.StoredDate(s.PaymentDueDate)) {
		return "", kit.Errf(api.CodeRuleViolation, "shipment %s is due on %s; a default can be reported only after that", s.ID, s.PaymentDueDate)
	}
	l, err := loadLimit(ctx, s.LimitID)
	if err != nil {
		return "", err
	}
	if err := shipmentLife().Apply("default", s.ID, &s.Status); err != nil {
		return "", err
	}
	s.DefaultDate = today.String()
	if err := limitLife().Apply("suspend", l.ID, &l.Status); err != nil {
		return "", err
	}
	if err := kit.Save(ctx, objLimit, l.ID, l, &l.UpdatedAt, &l.TxID, now); err != nil {
		return "", err
	}
	if err := SaveShipment(ctx, s, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "BuyerDefaultReported", api.Event{Entity: "shipment", ID: s.ID, Action: "buyer-defaulted", By: by,
		Data: map[string]string{"limitId": l.ID, "defaultDate": s.DefaultDate}}); err != nil {
		return "", err
	}
	return kit.ToJSON(shipmentView(s, today))
}

// shippedBy checks that every lot was shipped by the insured: a
// shipping event it recorded (the newest, at most risk.MaxEventsExamined
// events back), unless the lot is its own, when any shipping event
// (found[i], from risk.ShippingEvents) does. It returns the events the
// declaration rests on.
func shippedBy(ctx contractapi.TransactionContextInterface, lots []api.LotRef, found []string, insured string) ([]string, error) {
	out := make([]string, len(lots))
	for i, r := range lots {
		l, err := trace.LoadLot(ctx, r.GTIN, r.Lot)
		if err != nil {
			return nil, err
		}
		if l.Producer.CreditCode == insured {
			out[i] = found[i]
			continue
		}
		refs, err := trace.LotEventRefs(ctx, r.GTIN, r.Lot)
		if err != nil {
			return nil, err
		}
		for j, n := len(refs)-1, 0; j >= 0 && n < risk.MaxEventsExamined && out[i] == ""; j, n = j-1, n+1 {
			ev, err := trace.LoadEvent(ctx, refs[j].Hex)
			if err != nil {
				return nil, err
			}
			if ev.BizStep == "shipping" && ev.RecordedBy.CreditCode == insured {
				out[i] = ev.ID
			}
		}
		if out[i] == "" {
			return nil, kit.Errf(api.CodeForbidden, "lot %s of %s was shipped, but not by %s; an exporter insures only goods it shipped", r.Lot, r.GTIN, insured)
		}
	}
	return out, nil
}

// releaseLimit takes amount off a limit's usage (never below zero).
func releaseLimit(l *api.CreditLimit, amount decimal.Decimal, cur money.Currency) error {
	used, err := kit.ParseStored(l.Used, cur)
	if err != nil {
		return err
	}
	l.Used = money.Format(decimal.Max(used.Sub(amount), decimal.Zero), cur)
	return nil
}

func limitView(l *api.CreditLimit) api.CreditLimitView {
	v := api.CreditLimitView{CreditLimit: *l}
	cur, err := money.LookupCurrency(l.Currency)
	if err != nil {
		return v
	}
	amount, used, err := kit.ParseStoredPair(l.Amount, l.Used, cur)
	if err != nil {
		return v
	}
	v.Available = money.Format(decimal.Max(amount.Sub(used), decimal.Zero), cur)
	return v
}

func shipmentView(s *api.Shipment, today money.Date) api.ShipmentView {
	v := api.ShipmentView{Shipment: *s}
	cur, err := money.LookupCurrency(s.Currency)
	if err != nil {
		return v
	}
	invoice, paid, err := kit.ParseStoredPair(s.InvoiceAmount, s.Paid, cur)
	if err != nil {
		return v
	}
	out := invoice.Sub(paid)
	v.Outstanding = money.Format(out, cur)
	v.Overdue = (s.Status == api.ShipmentDeclared || s.Status == api.ShipmentDefaulted) && out.Sign() > 0 && today.After(kit.StoredDate(s.PaymentDueDate))
	return v
}

// CheckBuyer checks and normalises a buyer: name, ISO 3166 country,
// registration number (letters, digits, '-', '.', '/'; upper-cased). A
// Chinese buyer is named by its unified social credit code.
func CheckBuyer(field string, in api.BuyerInput) (api.Buyer, error) {
	var b api.Buyer
	var err error
	if b.Name, err = kit.CleanText(field+".name", in.Name, true, 200); err != nil {
		return b, err
	}
	if b.Country, err = kit.CheckCountry(field+".country", in.Country); err != nil {
		return b, err
	}
	if b.RegistrationID, err = checkRegID(field+".registrationId", in.RegistrationID); err != nil {
		return b, err
	}
	if b.Country == "CN" {
		if err := uscc.Validate(b.RegistrationID); err != nil {
			return b, kit.Errf(api.CodeInvalidArgument, "%s.registrationId: a Chinese buyer is named by its unified social credit code: %v", field, err)
		}
	}
	return b, nil
}

func checkRegID(field, s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" || len(s) > 40 {
		return "", kit.Errf(api.CodeInvalidArgument, "%s: want 1 to 40 characters", field)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') && c != '-' && c != '.' && c != '/' {
			return "", kit.Errf(api.CodeInvalidArgument, "%s: %q has a character other than letters, digits, '-', '.' and '/'", field, kit.Clip(s))
		}
	}
	return s, nil
}

// CheckInvoiceNumber checks an invoice number and returns it as the
// seller wrote it (display, surrounding white space trimmed) and in the
// form the ledger compares and indexes it (NormalizeInvoiceNumber). The
// normalised form must be 1 to 40 printable ASCII characters without
// spaces; so full-width forms (ＨＹ－０６１１), ligatures (ﬁ) and circled
// digits (①) are accepted and compare equal to their ASCII letters and
// digits, and anything that stays outside ASCII after normalisation
// (CJK, accented letters, zero-width or control characters) is refused.
func CheckInvoiceNumber(field, s string) (display, normalised string, err error) {
	if !utf8.ValidString(s) {
		return "", "", kit.Errf(api.CodeInvalidArgument, "%s: not valid UTF-8", field)
	}
	display = strings.TrimSpace(s)
	if display == "" || utf8.RuneCountInString(display) > 40 {
		return "", "", kit.Errf(api.CodeInvalidArgument, "%s: want 1 to 40 characters", field)
	}
	normalised = NormalizeInvoiceNumber(display)
	if normalised == "" || len(normalised) > 40 {
		return "", "", kit.Errf(api.CodeInvalidArgument, "%s: %q is %d characters once normalised, want 1 to 40", field, kit.Clip(display), len(normalised))
	}
	for i := 0; i < len(normalised); i++ {
		if c := normalised[i]; c <= 0x20 || c >= 0x7f {
			return "", "", kit.Errf(api.CodeInvalidArgument, "%s: %q has a space or a character outside printable ASCII", field, kit.Clip(display))
		}
	}
	return display, normalised, nil
}

// checkCustomsNo checks a China customs declaration number (报关单号):
// 18 digits.
func checkCustomsNo(s string) (string, error) {
	if len(s) != 18 || strings.Trim(s, "0123456789") != "" {
		return "", kit.Errf(api.CodeInvalidArgument, "customsDeclarationNo: a customs declaration number has 18 digits")
	}
	return s, nil
}

func partyIDs(ctx contractapi.TransactionContextInterface, creditCode, entity string) ([]string, error) {
	tails, err := kit.IndexTails(ctx, idxParty, []string{creditCode, entity})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(tails))
	for _, t := range tails {
		if len(ids) >= maxListed {
			break
		}
		ids = append(ids, t[0])
	}
	return ids, nil
}

func loadLimit(ctx contractapi.TransactionContextInterface, id string) (*api.CreditLimit, error) {
	var l api.CreditLimit
	if err := kit.Load(ctx, objLimit, "BL", "credit limit", id, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

func loadPolicy(ctx contractapi.TransactionContextInterface, id string) (*api.Policy, error) {
	var p api.Policy
	if err := kit.Load(ctx, objPolicy, "PO", "policy", id, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func LoadShipment(ctx contractapi.TransactionContextInterface, id string) (*api.Shipment, error) {
	var s api.Shipment
	if err := kit.Load(ctx, objShipment, "SH", "shipment", id, &s); err != nil {
		return nil, err
	}
	if s.RiskFlags == nil {
		s.RiskFlags = []string{}
	}
	return &s, nil
}

// ShipmentsOnLot lists the insured shipments naming a lot, in id order.
func ShipmentsOnLot(ctx contractapi.TransactionContextInterface, gtin, lot string) ([]string, error) {
	return kit.TailIDs(ctx, idxLot, gtin, lot)
}

// SaveShipment stamps and writes a shipment.
func SaveShipment(ctx contractapi.TransactionContextInterface, s *api.Shipment, now time.Time) error {
	return kit.Save(ctx, objShipment, s.ID, s, &s.UpdatedAt, &s.TxID, now)
}
