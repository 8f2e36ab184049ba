package contracts

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingchain/qingchain/chaincode/kit"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
)

// rkFinancingLive: approved or active (the collateral is locked).
func rkFinancingLive(ctx contractapi.TransactionContextInterface, id string) bool {
	f, err := finLoad(ctx, id)
	return err == nil && finLive(f)
}

// rkOnReceiptPledged is called when a receipt is pledged: every receivable
// or shipment naming the receipt's lot that is under a live financing gets
// a PLEDGED_GOODS flag.
func rkOnReceiptPledged(ctx contractapi.TransactionContextInterface, r *api.Receipt, now time.Time) error {
	why := fmt.Sprintf("its goods (lot %s of %s) were pledged under receipt %s", r.Lot, r.GTIN, r.ID)
	rvs, err := rvOnLot(ctx, r.GTIN, r.Lot)
	if err != nil {
		return err
	}
	for _, id := range rvs {
		rv, err := rvLoad(ctx, id)
		if err != nil {
			return err
		}
		if rv.FinancingID != "" && rkFinancingLive(ctx, rv.FinancingID) {
			f := api.RiskFlag{Code: api.RiskPledgedGoods, Refs: []string{r.ID}, Detail: "receivable " + rv.ID + " is financed (" + rv.FinancingID + ") and " + why}
			if _, err := rkRaise(ctx, api.RiskEntityReceivable, rv.ID, &f, now); err != nil {
				return err
			}
		}
	}
	shs, err := insShipmentsOnLot(ctx, r.GTIN, r.Lot)
	if err != nil {
		return err
	}
	for _, id := range shs {
		s, err := insLoadShipment(ctx, id)
		if err != nil {
			return err
		}
		if s.FinancingID != "" && rkFinancingLive(ctx, s.FinancingID) {
			f := api.RiskFlag{Code: api.RiskPledgedGoods, Refs: []string{r.ID}, Detail: "shipment " + s.ID + " is financed (" + s.FinancingID + ") and " + why}
			if _, err := rkRaise(ctx, api.RiskEntityShipment, s.ID, &f, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// rkCheckBlocking refuses an approval while a BLOCKING flag stands on the
// financing's collateral, unless the bank overrides each blocking code
// with a reason. What blocks, per collateral:
//
//   - a warehouse receipt: a recall reaching its lot (the lot or a lot
//     upstream of it) that no regulator has cleared on the receipt
//     (ClearRecalledReceipt) — RECALLED_GOODS;
//   - a receivable or an insured shipment: its stored flags that are
//     BLOCKING and not resolved, and, checked afresh, a recall reaching its
//     lots (RECALLED_GOODS) and its lots behind a pledged warehouse receipt
//     (PLEDGED_GOODS). A fresh flag whose every ref a regulator already
//     resolved in a stored flag of the same code is not raised again.
//
// An override names a code and gives a reason (1 to 500 runes); one per
// code covers that code on every collateral. An override of a code that
// is not blocking here, a repeated code or an empty reason is
// INVALID_ARGUMENT; a blocking code without an override is RISK_BLOCKED,
// naming the codes. The overrides are answered in code order with By (the
// bank) and At (now), for Terms.Overrides; nil when nothing blocks. A
// fresh RECALLED_GOODS flag is recorded on its receivable or shipment, so
// due diligence shows what the bank overrode.
func rkCheckBlocking(ctx contractapi.TransactionContextInterface, f *api.Financing, overrides []api.RiskOverride, now time.Time) ([]api.RiskOverride, error) {
	if len(overrides) > rkMaxOverrides {
		return nil, kit.Errf(api.CodeInvalidArgument, "overrides: at most %d", rkMaxOverrides)
	}
	blockers, err := rkBlockingFlags(ctx, f)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, b := range blockers {
		if !slices.Contains(codes, b.code) {
			codes = append(codes, b.code)
		}
	}
	slices.Sort(codes)
	stamp := now.Format(kit.TimeLayout)
	var out []api.RiskOverride
	var named []string
	for i, o := range overrides {
		field := fmt.Sprintf("overrides[%d]", i)
		code := strings.TrimSpace(o.Code)
		if code == "" {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s.code is required", field)
		}
		if slices.Contains(named, code) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: %s is overridden twice", field, kit.Clip(code))
		}
		named = append(named, code)
		reason, err := kit.CleanText(field+".reason", o.Reason, true, rkMaxOverrideReason)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(codes, code) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: no blocking %s flag stands on the collateral of financing %s; override only what blocks (%s)",
				field, kit.Clip(code), f.ID, rkListOrNone(codes))
		}
		out = append(out, api.RiskOverride{Code: code, Reason: reason, By: f.Bank, At: stamp})
	}
	var missing []string
	for _, c := range codes {
		if !slices.Contains(named, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, kit.Errf(api.CodeRiskBlocked, "financing %s: blocking risk flags on its collateral (%s); not overridden: %s. Approve with an override and reason for each, or have a regulator resolve them",
			f.ID, rkWhere(blockers), strings.Join(missing, ", "))
	}
	slices.SortFunc(out, func(a, b api.RiskOverride) int { return strings.Compare(a.Code, b.Code) })
	for _, b := range blockers {
		if b.fresh != nil && b.code == api.RiskRecalledGoods && b.entity != "" {
			if _, err := rkRaise(ctx, b.entity, b.id, b.fresh, now); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// rkBlockingFlags collects the blocking flags on f's collateral, in
// collateral order.
func rkBlockingFlags(ctx contractapi.TransactionContextInterface, f *api.Financing) ([]rkBlocker, error) {
	var out []rkBlocker
	for _, col := range f.Collateral {
		if col.Status == api.CollateralReleased || col.Status == api.CollateralTaken {
			continue
		}
		switch {
		case col.ReceiptID != "":
			r, err := wrLoad(ctx, col.ReceiptID)
			if err != nil {
				return nil, err
			}
			flag, err := rkRecalledGoodsFlag(ctx, []api.LotRef{{GTIN: r.GTIN, Lot: r.Lot}}, wrClearedRecalls(r))
			if err != nil {
				return nil, err
			}
			if flag != nil {
				out = append(out, rkBlocker{code: flag.Code, where: "receipt " + r.ID, fresh: flag})
			}
		case col.ReceivableID != "":
			rv, err := rvLoad(ctx, col.ReceivableID)
			if err != nil {
				return nil, err
			}
			bs, err := rkEntityBlockers(ctx, api.RiskEntityReceivable, rv.ID, rv.Lots, "receivable "+rv.ID+" is to be financed ("+f.ID+")")
			if err != nil {
				return nil, err
			}
			out = append(out, bs...)
			if flag, err := rkSellerNeverHeldFlag(ctx, rv); err != nil {
				return nil, err
			} else if flag != nil {
				out = append(out, rkBlocker{code: flag.Code, where: "receivable " + rv.ID, fresh: flag})
			}
		case col.ShipmentID != "":
			s, err := insLoadShipment(ctx, col.ShipmentID)
			if err != nil {
				return nil, err
			}
			bs, err := rkEntityBlockers(ctx, api.RiskEntityShipment, s.ID, s.Lots, "shipment "+s.ID+" is to be financed ("+f.ID+")")
			if err != nil {
				return nil, err
			}
			out = append(out, bs...)
		}
	}
	return out, nil
}

// rkWhere lists the blocking codes per collateral: "receivable RV-…:
// PLEDGED_GOODS, RECALLED_GOODS; receipt WR-…: RECALLED_GOODS".
func rkWhere(bs []rkBlocker) string {
	var order []string
	per := map[string][]string{}
	for _, b := range bs {
		if _, ok := per[b.where]; !ok {
			order = append(order, b.where)
		}
		if !slices.Contains(per[b.where], b.code) {
			per[b.where] = append(per[b.where], b.code)
		}
	}
	parts := make([]string, len(order))
	for i, w := range order {
		codes := per[w]
		slices.Sort(codes)
		parts[i] = w + ": " + strings.Join(codes, ", ")
	}
	return strings.Join(parts, "; ")
}

func rkListOrNone(codes []string) string {
	if len(codes) == 0 {
		return "nothing does"
	}
	return strings.Join(codes, ", ")
}
