package riskreview

import (
	"slices"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/finance"
	"github.com/qingchain/qingchain/chaincode/insurance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/receivables"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/risk"
)

// RiskReview is the risk contract's side that reads across the domains:
// assessing a receivable or shipment against everything the ledger knows,
// and who may read or resolve its flags.
type RiskReview struct{}

// AssessRisk re-runs the risk checks on a receivable or a shipment
// (entity "receivable" or "shipment") and records any flag not raised
// yet. Banks, insurers and regulators may ask. Answers every flag of the
// entity.
func (r *RiskReview) AssessRisk(ctx contractapi.TransactionContextInterface, entity, entityID string) (string, error) {
	caller, err := registry.RequireKind(ctx, "assessing risk", api.KindBank, api.KindInsurer, api.KindRegulator)
	if err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	var found []api.RiskFlag
	switch entity {
	case api.RiskEntityReceivable:
		rv, err := receivables.Load(ctx, entityID)
		if err != nil {
			return "", err
		}
		if err := mayAssessReceivable(ctx, caller, rv); err != nil {
			return "", err
		}
		if found, err = receivables.RiskChecks(ctx, rv); err != nil {
			return "", err
		}
		if f, err := risk.RecalledGoodsFlag(ctx, rv.Lots, nil); err != nil {
			return "", err
		} else if f != nil {
			found = append(found, *f)
		}
		if rv.FinancingID != "" && finance.FinancingLive(ctx, rv.FinancingID) {
			if f, err := risk.PledgedGoodsFlag(ctx, rv.Lots, "receivable "+rv.ID+" is financed ("+rv.FinancingID+")"); err != nil {
				return "", err
			} else if f != nil {
				found = append(found, *f)
			}
		}
	case api.RiskEntityShipment:
		s, err := insurance.LoadShipment(ctx, entityID)
		if err != nil {
			return "", err
		}
		if !kit.MayRead(caller, s.Insurer, s.Assignee, finance.FinancingBank(ctx, s.FinancingID)) {
			return "", kit.Errf(api.CodeForbidden, "only the insurer of shipment %s, the bank its proceeds are assigned to, the bank financing it and regulators assess it", s.ID)
		}
		cur, err := money.LookupCurrency(s.Currency)
		if err != nil {
			return "", kit.Errf(api.CodeInternal, "shipment %s: %v", s.ID, err)
		}
		invoice, declared, err := kit.ParseStoredPair(s.InvoiceAmount, s.CustomsValue, cur)
		if err != nil {
			return "", err
		}
		if f := risk.ValueFlag(invoice, declared, cur, "customs value"); f != nil {
			found = append(found, *f)
		}
		if _, missing, err := risk.ShippingEvents(ctx, s.Lots); err != nil {
			return "", err
		} else if f := risk.NoShippingFlag(missing); f != nil {
			found = append(found, *f)
		}
		if f, err := risk.RecalledGoodsFlag(ctx, s.Lots, nil); err != nil {
			return "", err
		} else if f != nil {
			found = append(found, *f)
		}
		if s.FinancingID != "" && finance.FinancingLive(ctx, s.FinancingID) {
			if f, err := risk.PledgedGoodsFlag(ctx, s.Lots, "shipment "+s.ID+" is financed ("+s.FinancingID+")"); err != nil {
				return "", err
			} else if f != nil {
				found = append(found, *f)
			}
		}
	default:
		return "", kit.Errf(api.CodeInvalidArgument, "entity %q is not %s or %s", kit.Clip(entity), api.RiskEntityReceivable, api.RiskEntityShipment)
	}
	raised := []string{}
	var fresh []api.RiskFlag
	for _, f := range found {
		ok, err := risk.Raise(ctx, entity, entityID, &f, now)
		if err != nil {
			return "", err
		}
		if ok {
			raised = append(raised, f.Code)
			fresh = append(fresh, f)
		}
	}
	if err := kit.Emit(ctx, "RiskAssessed", api.Event{Entity: entity, ID: entityID, Action: "risk-assessed", By: caller.Enterprise.CreditCode,
		Data: map[string]any{"raised": raised}}); err != nil {
		return "", err
	}
	// The flags raised here are not readable in this transaction (no
	// read-your-writes): answer the stored ones and the new ones.
	flags, err := risk.Flags(ctx, entity, entityID)
	if err != nil {
		return "", err
	}
	flags = append(flags, fresh...)
	slices.SortFunc(flags, func(a, b api.RiskFlag) int { return strings.Compare(a.Code, b.Code) })
	return kit.ToJSON(flags)
}

// GetRiskFlags lists the flags of a receivable or shipment, in code order.
// Banks, insurers and regulators, and the entity's own parties, may read
// them.
func (r *RiskReview) GetRiskFlags(ctx contractapi.TransactionContextInterface, entity, entityID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading risk flags")
	if err != nil {
		return "", err
	}
	if err := mayRead(ctx, caller, entity, entityID); err != nil {
		return "", err
	}
	flags, err := risk.Flags(ctx, entity, entityID)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(flags)
}

// ResolveRiskFlag is a regulator closing a flag with a note (the flag
// stays on the ledger, resolved; it is not raised again).
func (r *RiskReview) ResolveRiskFlag(ctx contractapi.TransactionContextInterface, entity, entityID, code, note string) (string, error) {
	caller, err := registry.RequireKind(ctx, "resolving a risk flag", api.KindRegulator)
	if err != nil {
		return "", err
	}
	n, err := kit.CleanText("note", note, true, 500)
	if err != nil {
		return "", err
	}
	if entity != api.RiskEntityReceivable && entity != api.RiskEntityShipment {
		return "", kit.Errf(api.CodeInvalidArgument, "entity %q is not %s or %s", kit.Clip(entity), api.RiskEntityReceivable, api.RiskEntityShipment)
	}
	if err := refuseOwnFlag(ctx, caller, entity, entityID); err != nil {
		return "", err
	}
	f, err := risk.Resolve(ctx, entity, entityID, code, caller.Enterprise.CreditCode, n)
	if err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "RiskFlagResolved", api.Event{Entity: entity, ID: entityID, Action: "risk-resolved", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"code": code}}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// mayAssessReceivable: any bank (a receivable is offered to banks before
// any of them is its party), the insurer of the shipment it rests on, and
// regulators.
func mayAssessReceivable(ctx contractapi.TransactionContextInterface, c *api.Caller, rv *api.Receivable) error {
	if c.HasKind(api.KindBank) || c.HasKind(api.KindRegulator) {
		return nil
	}
	if rv.ShipmentID != "" {
		s, err := insurance.LoadShipment(ctx, rv.ShipmentID)
		if err != nil {
			return err
		}
		if s.Insurer == c.Enterprise.CreditCode {
			return nil
		}
	}
	return kit.Errf(api.CodeForbidden, "only banks, regulators and the insurer of its shipment assess receivable %s", rv.ID)
}

// refuseOwnFlag: a regulator does not resolve a flag on an entity its
// own enterprise is a party to.
func refuseOwnFlag(ctx contractapi.TransactionContextInterface, c *api.Caller, entity, id string) error {
	var parties []string
	switch entity {
	case api.RiskEntityReceivable:
		rv, err := receivables.Load(ctx, id)
		if err != nil {
			return err
		}
		parties = []string{rv.Seller, rv.Creditor, rv.BuyerCreditCode, rv.Assignee}
	case api.RiskEntityShipment:
		s, err := insurance.LoadShipment(ctx, id)
		if err != nil {
			return err
		}
		parties = []string{s.Insured, s.Insurer, s.Assignee}
	}
	if slices.Contains(parties, c.Enterprise.CreditCode) {
		return kit.Errf(api.CodeForbidden, "%s is a party to %s %s; another regulator resolves its flags", c.Enterprise.CreditCode, entity, id)
	}
	return nil
}

// mayRead: parties of the entity, banks, insurers, regulators.
func mayRead(ctx contractapi.TransactionContextInterface, c *api.Caller, entity, id string) error {
	if c.HasKind(api.KindBank) || c.HasKind(api.KindInsurer) || c.HasKind(api.KindRegulator) {
		return nil
	}
	switch entity {
	case api.RiskEntityReceivable:
		rv, err := receivables.Load(ctx, id)
		if err != nil {
			return err
		}
		if kit.MayRead(c, rv.Seller, rv.Creditor, rv.BuyerCreditCode) {
			return nil
		}
	case api.RiskEntityShipment:
		s, err := insurance.LoadShipment(ctx, id)
		if err != nil {
			return err
		}
		if kit.MayRead(c, s.Insured) {
			return nil
		}
	default:
		return kit.Errf(api.CodeInvalidArgument, "entity %q is not %s or %s", kit.Clip(entity), api.RiskEntityReceivable, api.RiskEntityShipment)
	}
	return kit.Errf(api.CodeForbidden, "only its parties, banks, insurers and regulators read the risk flags of %s %s", entity, id)
}
