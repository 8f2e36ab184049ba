package contracts

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/chaincode/money"
)

// Risk flag codes.
const (
	// RiskNoShippingEvent: a receivable names lots the ledger shows no
	// shipping event for (a shipment declaration is refused outright).
	RiskNoShippingEvent = "NO_SHIPPING_EVENT"
	// RiskValueMismatch: an invoice amount differs from the goods' declared
	// value (customs value, or a warehouse receipt's valuation) by more than
	// a fifth of that value.
	RiskValueMismatch = "VALUE_MISMATCH"
	// RiskPledgedGoods: the same goods are behind a pledged warehouse
	// receipt and a financed receivable or insured shipment.
	RiskPledgedGoods = "PLEDGED_GOODS"
	// RiskRecalledGoods: a recall reaches the goods (one of the lots, or a
	// lot upstream of it) and no regulator has cleared it.
	RiskRecalledGoods = "RECALLED_GOODS"
	// RiskSellerNeverHeld: a receivable names lots its seller never owned
	// nor held (no receiving, storing or hand-over to it): financed, it
	// would encumber someone else's goods.
	RiskSellerNeverHeld = "SELLER_NEVER_HELD"
)

// Severities of risk flags.
const (
	// SeverityBlocking refuses the approval of a financing whose collateral
	// carries the flag, unless the bank overrides it with a reason
	// (risk_block.go) or a regulator resolves it first.
	SeverityBlocking = "BLOCKING"
	// SeverityWarning is shown in due diligence and refuses nothing.
	SeverityWarning = "WARNING"
)

// rkSeverities is the severity of each flag code:
//
//	| Code              | Severity | Why                                                |
//	|-------------------|----------|----------------------------------------------------|
//	| PLEDGED_GOODS     | BLOCKING | the goods already secure another lender            |
//	| RECALLED_GOODS    | BLOCKING | recalled goods cannot be sold: no collateral       |
//	| VALUE_MISMATCH    | WARNING  | BLOCKING when the invoice is more than             |
//	|                   |          | rkValueBlockingRatio (1.5) × the goods' value      |
//	| NO_SHIPPING_EVENT | WARNING  | see below                                          |
//
// NO_SHIPPING_EVENT is a warning: many legs of domestic trade are carried
// by logistics firms not on the ledger, the flag is computed once when the
// receivable is created and stays when the shipping is recorded later,
// and the buyer's confirmation of the receivable is the stronger evidence
// that the goods were delivered. The bank sees it in its due diligence.
// (Insured shipments without a shipping event are refused outright.)
//
// A flag records its severity when raised. A flag stored before
// severities existed has none; it is read with the severity of its code,
// and a VALUE_MISMATCH of unknown ratio as BLOCKING (fail closed: the bank
// overrides it or a regulator resolves it).
var rkSeverities = []struct{ code, severity string }{
	{RiskPledgedGoods, SeverityBlocking},
	{RiskRecalledGoods, SeverityBlocking},
	{RiskSellerNeverHeld, SeverityBlocking},
	{RiskValueMismatch, SeverityWarning}, // BLOCKING beyond rkValueBlockingRatio: rkValueFlag
	{RiskNoShippingEvent, SeverityWarning},
}

// rkSeverityOf is the table's severity of a code (BLOCKING for a code it
// does not know).
func rkSeverityOf(code string) string {
	for _, s := range rkSeverities {
		if s.code == code {
			return s.severity
		}
	}
	return SeverityBlocking
}

// Entities risk flags are raised on.
const (
	rkEntityReceivable = "receivable"
	rkEntityShipment   = "shipment"
)

const (
	rkObjFlag = "riskFlag" // [entity, entityId, code] -> RiskFlag
)

// rkValueTolerance: a deviation above this fraction of the declared value
// is flagged.
var rkValueTolerance = decimal.New(2, -1)

// rkValueBlockingRatio: an invoice more than this multiple of the goods'
// declared value (customs value, or the warehouse receipts' valuation)
// makes the VALUE_MISMATCH flag BLOCKING: a paper worth half again what
// the goods are is the inflated-invoice pattern. An invoice far below the
// goods' value is a warning (the goods cover more than the paper claims).
var rkValueBlockingRatio = decimal.New(15, -1)

// RiskFlag is a risk signal recorded on the ledger for banks and
// regulators. Raised once per entity and code; a regulator may resolve it.
type RiskFlag struct {
	Entity         string   `json:"entity"`
	EntityID       string   `json:"entityId"`
	Code           string   `json:"code"`
	Severity       string   `json:"severity"`        // BLOCKING or WARNING (rkSeverities)
	Ratio          string   `json:"ratio,omitempty"` // VALUE_MISMATCH: invoice / declared value, 4 digits
	Detail         string   `json:"detail"`
	Refs           []string `json:"refs"` // related receipts, lots, events
	RaisedAt       string   `json:"raisedAt"`
	RaisedTxID     string   `json:"raisedTxId"`
	Resolved       bool     `json:"resolved"`
	ResolvedBy     string   `json:"resolvedBy,omitempty"`
	ResolvedAt     string   `json:"resolvedAt,omitempty"`
	ResolutionNote string   `json:"resolutionNote,omitempty"`
}

// Risk is the risk-control contract, "risk": risk flags on receivables and
// insured shipments, and regulators' sanctions (risk_sanction.go).
//
// Flags are raised by the transactions that create the risk (a receivable
// created for goods not shipped, a shipment or receivable whose invoice is
// far from the goods' declared value, a financing locking goods that are
// also behind a pledged receipt, a receipt pledged for goods behind a
// financed receivable or shipment) and by AssessRisk, which re-runs every
// check, recalls included. A WARNING informs; a BLOCKING flag refuses the
// approval of a financing on the entity unless the bank overrides it with
// a reason (risk_block.go, where the approval also checks recalls and
// pledged goods afresh).
type Risk struct {
	contractapi.Contract
}

// AssessRisk re-runs the risk checks on a receivable or a shipment
// (entity "receivable" or "shipment") and records any flag not raised
// yet. Banks, insurers and regulators may ask. Answers every flag of the
// entity.
func (r *Risk) AssessRisk(ctx contractapi.TransactionContextInterface, entity, entityID string) (string, error) {
	caller, err := requireKind(ctx, "assessing risk", KindBank, KindInsurer, KindRegulator)
	if err != nil {
		return "", err
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	var found []RiskFlag
	switch entity {
	case rkEntityReceivable:
		rv, err := rvLoad(ctx, entityID)
		if err != nil {
			return "", err
		}
		if err := rkMayAssessReceivable(ctx, caller, rv); err != nil {
			return "", err
		}
		if found, err = rvRiskChecks(ctx, rv); err != nil {
			return "", err
		}
		if f, err := rkRecalledGoodsFlag(ctx, rv.Lots, nil); err != nil {
			return "", err
		} else if f != nil {
			found = append(found, *f)
		}
		if rv.FinancingID != "" && rkFinancingLive(ctx, rv.FinancingID) {
			if f, err := rkPledgedGoodsFlag(ctx, rv.Lots, "receivable "+rv.ID+" is financed ("+rv.FinancingID+")"); err != nil {
				return "", err
			} else if f != nil {
				found = append(found, *f)
			}
		}
	case rkEntityShipment:
		s, err := insLoadShipment(ctx, entityID)
		if err != nil {
			return "", err
		}
		if !insMayRead(caller, s.Insurer, s.Assignee, insFinancingBank(ctx, s.FinancingID)) {
			return "", errf(CodeForbidden, "only the insurer of shipment %s, the bank its proceeds are assigned to, the bank financing it and regulators assess it", s.ID)
		}
		cur, err := money.LookupCurrency(s.Currency)
		if err != nil {
			return "", errf(CodeInternal, "shipment %s: %v", s.ID, err)
		}
		invoice, declared, err := insParse2(s.InvoiceAmount, s.CustomsValue, cur)
		if err != nil {
			return "", err
		}
		if f := rkValueFlag(invoice, declared, cur, "customs value"); f != nil {
			found = append(found, *f)
		}
		if _, missing, err := rkShippingEvents(ctx, s.Lots); err != nil {
			return "", err
		} else if f := rkNoShippingFlag(missing); f != nil {
			found = append(found, *f)
		}
		if f, err := rkRecalledGoodsFlag(ctx, s.Lots, nil); err != nil {
			return "", err
		} else if f != nil {
			found = append(found, *f)
		}
		if s.FinancingID != "" && rkFinancingLive(ctx, s.FinancingID) {
			if f, err := rkPledgedGoodsFlag(ctx, s.Lots, "shipment "+s.ID+" is financed ("+s.FinancingID+")"); err != nil {
				return "", err
			} else if f != nil {
				found = append(found, *f)
			}
		}
	default:
		return "", errf(CodeInvalidArgument, "entity %q is not %s or %s", trClip(entity), rkEntityReceivable, rkEntityShipment)
	}
	raised := []string{}
	var fresh []RiskFlag
	for _, f := range found {
		ok, err := rkRaise(ctx, entity, entityID, &f, now)
		if err != nil {
			return "", err
		}
		if ok {
			raised = append(raised, f.Code)
			fresh = append(fresh, f)
		}
	}
	if err := emit(ctx, "RiskAssessed", Event{Entity: entity, ID: entityID, Action: "risk-assessed", By: caller.Enterprise.CreditCode,
		Data: map[string]any{"raised": raised}}); err != nil {
		return "", err
	}
	// The flags raised here are not readable in this transaction (no
	// read-your-writes): answer the stored ones and the new ones.
	flags, err := rkFlags(ctx, entity, entityID)
	if err != nil {
		return "", err
	}
	flags = append(flags, fresh...)
	slices.SortFunc(flags, func(a, b RiskFlag) int { return strings.Compare(a.Code, b.Code) })
	return toJSON(flags)
}

// GetRiskFlags lists the flags of a receivable or shipment, in code order.
// Banks, insurers and regulators, and the entity's own parties, may read
// them.
func (r *Risk) GetRiskFlags(ctx contractapi.TransactionContextInterface, entity, entityID string) (string, error) {
	caller, err := requireKind(ctx, "reading risk flags", allKinds...)
	if err != nil {
		return "", err
	}
	if err := rkMayRead(ctx, caller, entity, entityID); err != nil {
		return "", err
	}
	flags, err := rkFlags(ctx, entity, entityID)
	if err != nil {
		return "", err
	}
	return toJSON(flags)
}

// ResolveRiskFlag is a regulator closing a flag with a note (the flag
// stays on the ledger, resolved; it is not raised again).
func (r *Risk) ResolveRiskFlag(ctx contractapi.TransactionContextInterface, entity, entityID, code, note string) (string, error) {
	caller, err := requireKind(ctx, "resolving a risk flag", KindRegulator)
	if err != nil {
		return "", err
	}
	n, err := cleanText("note", note, true, 500)
	if err != nil {
		return "", err
	}
	if entity != rkEntityReceivable && entity != rkEntityShipment {
		return "", errf(CodeInvalidArgument, "entity %q is not %s or %s", trClip(entity), rkEntityReceivable, rkEntityShipment)
	}
	if err := rkRefuseOwnFlag(ctx, caller, entity, entityID); err != nil {
		return "", err
	}
	k, err := key(ctx, rkObjFlag, entity, entityID, code)
	if err != nil {
		return "", err
	}
	var f RiskFlag
	if found, err := getJSON(ctx, k, &f); err != nil {
		return "", err
	} else if !found {
		return "", errf(CodeNotFound, "%s %s has no %s flag", entity, trClip(entityID), trClip(code))
	}
	if f.Resolved {
		return "", errf(CodeConflict, "flag %s of %s %s is already resolved", code, entity, entityID)
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	f.Resolved, f.ResolvedBy, f.ResolvedAt, f.ResolutionNote = true, caller.Enterprise.CreditCode, now.Format(timeLayout), n
	if err := putJSON(ctx, k, f); err != nil {
		return "", err
	}
	if err := emit(ctx, "RiskFlagResolved", Event{Entity: entity, ID: entityID, Action: "risk-resolved", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"code": code}}); err != nil {
		return "", err
	}
	return toJSON(f)
}

// rkMayAssessReceivable: any bank (a receivable is offered to banks before
// any of them is its party), the insurer of the shipment it rests on, and
// regulators.
func rkMayAssessReceivable(ctx contractapi.TransactionContextInterface, c *Caller, rv *Receivable) error {
	if c.HasKind(KindBank) || c.HasKind(KindRegulator) {
		return nil
	}
	if rv.ShipmentID != "" {
		s, err := insLoadShipment(ctx, rv.ShipmentID)
		if err != nil {
			return err
		}
		if s.Insurer == c.Enterprise.CreditCode {
			return nil
		}
	}
	return errf(CodeForbidden, "only banks, regulators and the insurer of its shipment assess receivable %s", rv.ID)
}

// rkRefuseOwnFlag: a regulator does not resolve a flag on an entity its
// own enterprise is a party to.
func rkRefuseOwnFlag(ctx contractapi.TransactionContextInterface, c *Caller, entity, id string) error {
	var parties []string
	switch entity {
	case rkEntityReceivable:
		rv, err := rvLoad(ctx, id)
		if err != nil {
			return err
		}
		parties = []string{rv.Seller, rv.Creditor, rv.BuyerCreditCode, rv.Assignee}
	case rkEntityShipment:
		s, err := insLoadShipment(ctx, id)
		if err != nil {
			return err
		}
		parties = []string{s.Insured, s.Insurer, s.Assignee}
	}
	if slices.Contains(parties, c.Enterprise.CreditCode) {
		return errf(CodeForbidden, "%s is a party to %s %s; another regulator resolves its flags", c.Enterprise.CreditCode, entity, id)
	}
	return nil
}

// rkMayRead: parties of the entity, banks, insurers, regulators.
func rkMayRead(ctx contractapi.TransactionContextInterface, c *Caller, entity, id string) error {
	if c.HasKind(KindBank) || c.HasKind(KindInsurer) || c.HasKind(KindRegulator) {
		return nil
	}
	switch entity {
	case rkEntityReceivable:
		rv, err := rvLoad(ctx, id)
		if err != nil {
			return err
		}
		if insMayRead(c, rv.Seller, rv.Creditor, rv.BuyerCreditCode) {
			return nil
		}
	case rkEntityShipment:
		s, err := insLoadShipment(ctx, id)
		if err != nil {
			return err
		}
		if insMayRead(c, s.Insured) {
			return nil
		}
	default:
		return errf(CodeInvalidArgument, "entity %q is not %s or %s", trClip(entity), rkEntityReceivable, rkEntityShipment)
	}
	return errf(CodeForbidden, "only its parties, banks, insurers and regulators read the risk flags of %s %s", entity, id)
}

// rkFlags lists the stored flags of an entity.
func rkFlags(ctx contractapi.TransactionContextInterface, entity, id string) ([]RiskFlag, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(rkObjFlag, []string{entity, id})
	if err != nil {
		return nil, errf(CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	out := []RiskFlag{}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, errf(CodeInternal, "index query: %v", err)
		}
		var f RiskFlag
		if err := jsonUnmarshal(kv.Value, &f); err != nil {
			return nil, err
		}
		if f.Severity == "" { // stored before severities: rkSeverities
			f.Severity = rkSeverityOf(f.Code)
			if f.Code == RiskValueMismatch {
				f.Severity = SeverityBlocking
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// rkRaise records a flag unless the entity has one with that code
// (raised or resolved). It reports whether it wrote one.
func rkRaise(ctx contractapi.TransactionContextInterface, entity, id string, f *RiskFlag, now time.Time) (bool, error) {
	k, err := key(ctx, rkObjFlag, entity, id, f.Code)
	if err != nil {
		return false, err
	}
	old, err := ctx.GetStub().GetState(k)
	if err != nil {
		return false, errf(CodeInternal, "read state: %v", err)
	}
	if old != nil {
		return false, nil
	}
	f.Entity, f.EntityID = entity, id
	if f.Severity == "" {
		f.Severity = rkSeverityOf(f.Code)
	}
	f.RaisedAt, f.RaisedTxID = now.Format(timeLayout), ctx.GetStub().GetTxID()
	if f.Refs == nil {
		f.Refs = []string{}
	}
	if err := putJSON(ctx, k, f); err != nil {
		return false, err
	}
	return true, nil
}

// rkShippingEvents finds, for each lot, the latest shipping event naming it
// (trace's event~lot index, newest first, at most 200 events examined per
// lot). It returns the event ids found and the lots without one.
func rkShippingEvents(ctx contractapi.TransactionContextInterface, lots []LotRef) ([]string, []lotKey, error) {
	events := []string{}
	var missing []lotKey
	for _, r := range lots {
		tails, err := indexTails(ctx, idxEventOfLot, []string{r.GTIN, r.Lot})
		if err != nil {
			return nil, nil, err
		}
		found := ""
		for i, n := len(tails)-1, 0; i >= 0 && n < insMaxEventsExamined; i, n = i-1, n+1 {
			ev, err := loadEvent(ctx, tails[i][1])
			if err != nil {
				return nil, nil, err
			}
			if ev.BizStep == "shipping" {
				found = ev.ID
				break
			}
		}
		if found == "" {
			missing = append(missing, lotKey{r.GTIN, r.Lot})
		} else {
			events = append(events, found)
		}
	}
	return events, missing, nil
}

func rkNoShippingFlag(missing []lotKey) *RiskFlag {
	if len(missing) == 0 {
		return nil
	}
	refs := make([]string, len(missing))
	for i, m := range missing {
		refs[i] = lotPath(m.GTIN, m.Lot)
	}
	return &RiskFlag{Code: RiskNoShippingEvent, Severity: rkSeverityOf(RiskNoShippingEvent), Detail: fmt.Sprintf("the ledger shows no shipping event for %d of its lots", len(missing)), Refs: refs}
}

// rkValueFlag flags an invoice amount more than rkValueTolerance away from
// the goods' declared value; BLOCKING when the invoice is more than
// rkValueBlockingRatio times that value, else WARNING.
func rkValueFlag(invoice, declared decimal.Decimal, cur money.Currency, what string) *RiskFlag {
	if declared.Sign() <= 0 {
		return nil
	}
	if invoice.Sub(declared).Abs().GreaterThan(declared.Mul(rkValueTolerance)) {
		sev, rule := SeverityWarning, ""
		if invoice.GreaterThan(declared.Mul(rkValueBlockingRatio)) {
			sev, rule = SeverityBlocking, fmt.Sprintf("; more than %s times the goods' value blocks financing", rkValueBlockingRatio.String())
		}
		ratio := invoice.DivRound(declared, 4).String()
		return &RiskFlag{Code: RiskValueMismatch, Severity: sev, Ratio: ratio, Refs: []string{},
			Detail: fmt.Sprintf("invoice %s %s is %s of the %s %s %s (tolerance ±%s%s)", money.Format(invoice, cur), cur.Code,
				ratio, what, money.Format(declared, cur), cur.Code, rkValueTolerance.String(), rule)}
	}
	return nil
}

// rkRecalls lists the recalls that reach the lots: of the lots themselves
// and of every lot upstream of them (the trace contract's lineage, as
// recallStatus walks it), nearest first.
func rkRecalls(ctx contractapi.TransactionContextInterface, lots []LotRef) ([]Recall, error) {
	if len(lots) == 0 {
		return nil, nil
	}
	starts := make([]LineageLot, len(lots))
	for i, l := range lots {
		starts[i] = LineageLot{GTIN: l.GTIN, Lot: l.Lot}
	}
	reached, _, err := walkGoods(ctx, starts, true, true, maxLineageDepth, maxLineageLots)
	if err != nil {
		return nil, err
	}
	return recallsOf(ctx, reached)
}

// rkRecalledGoodsFlag flags lots a recall reaches, leaving out the
// recalled lots (GS1 paths) in cleared.
func rkRecalledGoodsFlag(ctx contractapi.TransactionContextInterface, lots []LotRef, cleared []string) (*RiskFlag, error) {
	recalls, err := rkRecalls(ctx, lots)
	if err != nil {
		return nil, err
	}
	refs := []string{}
	var first *Recall
	for i, r := range recalls {
		p := lotPath(r.GTIN, r.Lot)
		if slices.Contains(cleared, p) || slices.Contains(refs, p) {
			continue
		}
		if first == nil {
			first = &recalls[i]
		}
		refs = append(refs, p)
	}
	if first == nil {
		return nil, nil
	}
	more := ""
	if len(refs) > 1 {
		more = fmt.Sprintf(" and %d more recall(s)", len(refs)-1)
	}
	return &RiskFlag{Code: RiskRecalledGoods, Severity: rkSeverityOf(RiskRecalledGoods), Refs: refs,
		Detail: fmt.Sprintf("its goods are under the recall of lot %s of %s (%s, %s)%s", first.Lot, first.GTIN, trClip(first.Reason), first.RecallAt, more)}, nil
}

// rkPledgedReceipts lists the live receipts on the lots that are pledged.
func rkPledgedReceipts(ctx contractapi.TransactionContextInterface, lots []LotRef) ([]string, error) {
	var out []string
	for _, l := range lots {
		tails, err := indexTails(ctx, wrIdxLot, []string{l.GTIN, l.Lot})
		if err != nil {
			return nil, err
		}
		for _, t := range tails {
			r, err := wrLoad(ctx, t[0])
			if err != nil {
				return nil, err
			}
			if r.Pledge != nil {
				out = append(out, r.ID)
			}
		}
	}
	return out, nil
}

// rkPledgedGoodsFlag flags lots behind a pledged receipt; why says what
// else finances them.
func rkPledgedGoodsFlag(ctx contractapi.TransactionContextInterface, lots []LotRef, why string) (*RiskFlag, error) {
	receipts, err := rkPledgedReceipts(ctx, lots)
	if err != nil || len(receipts) == 0 {
		return nil, err
	}
	return &RiskFlag{Code: RiskPledgedGoods, Severity: rkSeverityOf(RiskPledgedGoods), Refs: receipts,
		Detail: fmt.Sprintf("%s while its goods are behind pledged warehouse receipt(s) %s", why, strings.Join(receipts, ", "))}, nil
}

// rkFinancingLive: approved or active (the collateral is locked).
func rkFinancingLive(ctx contractapi.TransactionContextInterface, id string) bool {
	f, err := finLoad(ctx, id)
	return err == nil && finLive(f)
}

// rkOnReceiptPledged is called when a receipt is pledged: every receivable
// or shipment naming the receipt's lot that is under a live financing gets
// a PLEDGED_GOODS flag.
func rkOnReceiptPledged(ctx contractapi.TransactionContextInterface, r *Receipt, now time.Time) error {
	why := fmt.Sprintf("its goods (lot %s of %s) were pledged under receipt %s", r.Lot, r.GTIN, r.ID)
	rvs, err := indexTails(ctx, rvIdxLot, []string{r.GTIN, r.Lot})
	if err != nil {
		return err
	}
	for _, t := range rvs {
		rv, err := rvLoad(ctx, t[0])
		if err != nil {
			return err
		}
		if rv.FinancingID != "" && rkFinancingLive(ctx, rv.FinancingID) {
			f := RiskFlag{Code: RiskPledgedGoods, Refs: []string{r.ID}, Detail: "receivable " + rv.ID + " is financed (" + rv.FinancingID + ") and " + why}
			if _, err := rkRaise(ctx, rkEntityReceivable, rv.ID, &f, now); err != nil {
				return err
			}
		}
	}
	shs, err := indexTails(ctx, insIdxLot, []string{r.GTIN, r.Lot})
	if err != nil {
		return err
	}
	for _, t := range shs {
		s, err := insLoadShipment(ctx, t[0])
		if err != nil {
			return err
		}
		if s.FinancingID != "" && rkFinancingLive(ctx, s.FinancingID) {
			f := RiskFlag{Code: RiskPledgedGoods, Refs: []string{r.ID}, Detail: "shipment " + s.ID + " is financed (" + s.FinancingID + ") and " + why}
			if _, err := rkRaise(ctx, rkEntityShipment, s.ID, &f, now); err != nil {
				return err
			}
		}
	}
	return nil
}
