package risk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/shopspring/decimal"
)

// severities is the severity of each flag code:
//
//	| Code              | Severity | Why                                                |
//	|-------------------|----------|----------------------------------------------------|
//	| PLEDGED_GOODS     | BLOCKING | the goods already secure another lender            |
//	| RECALLED_GOODS    | BLOCKING | recalled goods cannot be sold: no collateral       |
//	| VALUE_MISMATCH    | WARNING  | BLOCKING when the invoice is more than             |
//	|                   |          | valueBlockingRatio (1.5) × the goods' value      |
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
func severities() []struct{ code, severity string } {
	return []struct{ code, severity string }{
		{api.RiskPledgedGoods, api.SeverityBlocking},
		{api.RiskRecalledGoods, api.SeverityBlocking},
		{api.RiskSellerNeverHeld, api.SeverityBlocking},
		{api.RiskValueMismatch, api.SeverityWarning}, // BLOCKING beyond valueBlockingRatio: ValueFlag
		{api.RiskNoShippingEvent, api.SeverityWarning},
	}
}

// severityOf is the table's severity of a code (BLOCKING for a code it
// does not know).
func severityOf(code string) string {
	for _, s := range severities() {
		if s.code == code {
			return s.severity
		}
	}
	return api.SeverityBlocking
}

const (
	objFlag = "riskFlag" // [entity, entityId, code] -> RiskFlag
)

// valueTolerance: a deviation above this fraction of the declared value
// is flagged.
var valueTolerance = decimal.New(2, -1)

// valueBlockingRatio: an invoice more than this multiple of the goods'
// declared value (customs value, or the warehouse receipts' valuation)
// makes the VALUE_MISMATCH flag BLOCKING: a paper worth half again what
// the goods are is the inflated-invoice pattern. An invoice far below the
// goods' value is a warning (the goods cover more than the paper claims).
var valueBlockingRatio = decimal.New(15, -1)

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
type Risk struct{}

// Flags lists the stored flags of an entity.
func Flags(ctx contractapi.TransactionContextInterface, entity, id string) ([]api.RiskFlag, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(objFlag, []string{entity, id})
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	out := []api.RiskFlag{}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, kit.Errf(api.CodeInternal, "index query: %v", err)
		}
		var f api.RiskFlag
		if err := kit.UnmarshalState(kv.Value, &f); err != nil {
			return nil, err
		}
		if f.Severity == "" { // stored before severities: severities
			f.Severity = severityOf(f.Code)
			if f.Code == api.RiskValueMismatch {
				f.Severity = api.SeverityBlocking
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// Raise records a flag unless the entity has one with that code
// (raised or resolved). It reports whether it wrote one.
func Raise(ctx contractapi.TransactionContextInterface, entity, id string, f *api.RiskFlag, now time.Time) (bool, error) {
	k, err := kit.Key(ctx, objFlag, entity, id, f.Code)
	if err != nil {
		return false, err
	}
	old, err := ctx.GetStub().GetState(k)
	if err != nil {
		return false, kit.Errf(api.CodeInternal, "read state: %v", err)
	}
	if old != nil {
		return false, nil
	}
	f.Entity, f.EntityID = entity, id
	if f.Severity == "" {
		f.Severity = severityOf(f.Code)
	}
	f.RaisedAt, f.RaisedTxID = now.Format(kit.TimeLayout), ctx.GetStub().GetTxID()
	if f.Refs == nil {
		f.Refs = []string{}
	}
	if err := kit.PutJSON(ctx, k, f); err != nil {
		return false, err
	}
	return true, nil
}

// ShippingEvents finds, for each lot, the latest shipping event naming it
// (trace's event~lot index, newest first, at most 200 events examined per
// lot). It returns the event ids found and the lots without one.
func ShippingEvents(ctx contractapi.TransactionContextInterface, lots []api.LotRef) ([]string, []trace.LotKey, error) {
	events := []string{}
	var missing []trace.LotKey
	for _, r := range lots {
		ev, err := LatestShipping(ctx, r.GTIN, r.Lot)
		if err != nil {
			return nil, nil, err
		}
		if ev == nil {
			missing = append(missing, trace.LotKey{GTIN: r.GTIN, Lot: r.Lot})
		} else {
			events = append(events, ev.ID)
		}
	}
	return events, missing, nil
}

// LatestShipping is the latest shipping event naming the lot, nil when
// none is among its newest MaxEventsExamined events.
func LatestShipping(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.TraceEvent, error) {
	refs, err := trace.LotEventRefs(ctx, gtin, lot)
	if err != nil {
		return nil, err
	}
	for i, n := len(refs)-1, 0; i >= 0 && n < MaxEventsExamined; i, n = i-1, n+1 {
		ev, err := trace.LoadEvent(ctx, refs[i].Hex)
		if err != nil {
			return nil, err
		}
		if ev.BizStep == "shipping" {
			return ev, nil
		}
	}
	return nil, nil
}

func NoShippingFlag(missing []trace.LotKey) *api.RiskFlag {
	if len(missing) == 0 {
		return nil
	}
	refs := make([]string, len(missing))
	for i, m := range missing {
		refs[i] = trace.LotPath(m.GTIN, m.Lot)
	}
	return &api.RiskFlag{Code: api.RiskNoShippingEvent, Severity: severityOf(api.RiskNoShippingEvent), Detail: fmt.Sprintf("the ledger shows no shipping event for %d of its lots", len(missing)), Refs: refs}
}

// ValueFlag flags an invoice amount more than valueTolerance away from
// the goods' declared value; BLOCKING when the invoice is more than
// valueBlockingRatio times that value, else WARNING.
func ValueFlag(invoice, declared decimal.Decimal, cur money.Currency, what string) *api.RiskFlag {
	if declared.Sign() <= 0 {
		return nil
	}
	if invoice.Sub(declared).Abs().GreaterThan(declared.Mul(valueTolerance)) {
		sev, rule := api.SeverityWarning, ""
		if invoice.GreaterThan(declared.Mul(valueBlockingRatio)) {
			sev, rule = api.SeverityBlocking, fmt.Sprintf("; more than %s times the goods' value blocks financing", valueBlockingRatio.String())
		}
		ratio := invoice.DivRound(declared, 4).String()
		return &api.RiskFlag{Code: api.RiskValueMismatch, Severity: sev, Ratio: ratio, Refs: []string{},
			Detail: fmt.Sprintf("invoice %s %s is %s of the %s %s %s (tolerance ±%s%s)", money.Format(invoice, cur), cur.Code,
				ratio, what, money.Format(declared, cur), cur.Code, valueTolerance.String(), rule)}
	}
	return nil
}

// RecalledGoodsFlag flags lots a recall reaches, leaving out the
// recalled lots (GS1 paths) in cleared.
func RecalledGoodsFlag(ctx contractapi.TransactionContextInterface, lots []api.LotRef, cleared []string) (*api.RiskFlag, error) {
	recalls, err := trace.Recalls(ctx, lots)
	if err != nil {
		return nil, err
	}
	refs := []string{}
	var first *api.Recall
	for i, r := range recalls {
		p := trace.LotPath(r.GTIN, r.Lot)
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
	return &api.RiskFlag{Code: api.RiskRecalledGoods, Severity: severityOf(api.RiskRecalledGoods), Refs: refs,
		Detail: fmt.Sprintf("its goods are under the recall of lot %s of %s (%s, %s)%s", first.Lot, first.GTIN, kit.Clip(first.Reason), first.RecallAt, more)}, nil
}

// pledgedReceipts lists the live receipts on the lots that are pledged.
func pledgedReceipts(ctx contractapi.TransactionContextInterface, lots []api.LotRef) ([]string, error) {
	var out []string
	for _, l := range lots {
		ids, err := receipts.OnLot(ctx, l.GTIN, l.Lot)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			r, err := receipts.Load(ctx, id)
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

// PledgedGoodsFlag flags lots behind a pledged receipt; why says what
// else finances them.
func PledgedGoodsFlag(ctx contractapi.TransactionContextInterface, lots []api.LotRef, why string) (*api.RiskFlag, error) {
	receipts, err := pledgedReceipts(ctx, lots)
	if err != nil || len(receipts) == 0 {
		return nil, err
	}
	return &api.RiskFlag{Code: api.RiskPledgedGoods, Severity: severityOf(api.RiskPledgedGoods), Refs: receipts,
		Detail: fmt.Sprintf("%s while its goods are behind pledged warehouse receipt(s) %s", why, strings.Join(receipts, ", "))}, nil
}

const MaxEventsExamined = 200

// Resolve closes an open flag of an entity, by a regulator, with a note.
func Resolve(ctx contractapi.TransactionContextInterface, entity, id, code, by, note string) (*api.RiskFlag, error) {
	k, err := kit.Key(ctx, objFlag, entity, id, code)
	if err != nil {
		return nil, err
	}
	var f api.RiskFlag
	if found, err := kit.GetJSON(ctx, k, &f); err != nil {
		return nil, err
	} else if !found {
		return nil, kit.Errf(api.CodeNotFound, "%s %s has no %s flag", entity, kit.Clip(id), kit.Clip(code))
	}
	if f.Resolved {
		return nil, kit.Errf(api.CodeConflict, "flag %s of %s %s is already resolved", code, entity, id)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return nil, err
	}
	f.Resolved, f.ResolvedBy, f.ResolvedAt, f.ResolutionNote = true, by, now.Format(kit.TimeLayout), note
	if err := kit.PutJSON(ctx, k, f); err != nil {
		return nil, err
	}
	return &f, nil
}
