package finance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/insurance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/receivables"
	"github.com/qingchain/qingchain/chaincode/risk"
)

// FinancingLive: approved or active (the collateral is locked).
func FinancingLive(ctx contractapi.TransactionContextInterface, id string) bool {
	f, err := Load(ctx, id)
	return err == nil && live(f)
}

// onReceiptPledged is called when a receipt is pledged: every receivable
// or shipment naming the receipt's lot that is under a live financing gets
// a PLEDGED_GOODS flag.
func onReceiptPledged(ctx contractapi.TransactionContextInterface, r *api.Receipt, now time.Time) error {
	why := fmt.Sprintf("its goods (lot %s of %s) were pledged under receipt %s", r.Lot, r.GTIN, r.ID)
	rvs, err := receivables.OnLot(ctx, r.GTIN, r.Lot)
	if err != nil {
		return err
	}
	for _, id := range rvs {
		rv, err := receivables.Load(ctx, id)
		if err != nil {
			return err
		}
		if rv.FinancingID != "" && FinancingLive(ctx, rv.FinancingID) {
			f := api.RiskFlag{Code: api.RiskPledgedGoods, Refs: []string{r.ID}, Detail: "receivable " + rv.ID + " is financed (" + rv.FinancingID + ") and " + why}
			if _, err := risk.Raise(ctx, api.RiskEntityReceivable, rv.ID, &f, now); err != nil {
				return err
			}
		}
	}
	shs, err := insurance.ShipmentsOnLot(ctx, r.GTIN, r.Lot)
	if err != nil {
		return err
	}
	for _, id := range shs {
		s, err := insurance.LoadShipment(ctx, id)
		if err != nil {
			return err
		}
		if s.FinancingID != "" && FinancingLive(ctx, s.FinancingID) {
			f := api.RiskFlag{Code: api.RiskPledgedGoods, Refs: []string{r.ID}, Detail: "shipment " + s.ID + " is financed (" + s.FinancingID + ") and " + why}
			if _, err := risk.Raise(ctx, api.RiskEntityShipment, s.ID, &f, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkBlocking refuses an approval while a BLOCKING flag stands on the
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
func checkBlocking(ctx contractapi.TransactionContextInterface, f *api.Financing, overrides []api.RiskOverride, now time.Time) ([]api.RiskOverride, error) {
	if len(overrides) > risk.MaxOverrides {
		return nil, kit.Errf(api.CodeInvalidArgument, "overrides: at most %d", risk.MaxOverrides)
	}
	blockers, err := blockingFlags(ctx, f)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, b := range blockers {
		if !slices.Contains(codes, b.Code) {
			codes = append(codes, b.Code)
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
		reason, err := kit.CleanText(field+".reason", o.Reason, true, risk.MaxOverrideReason)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(codes, code) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: no blocking %s flag stands on the collateral of financing %s; override only what blocks (%s)",
				field, kit.Clip(code), f.ID, listOrNone(codes))
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
			f.ID, where(blockers), strings.Join(missing, ", "))
	}
	slices.SortFunc(out, func(a, b api.RiskOverride) int { return strings.Compare(a.Code, b.Code) })
	for _, b := range blockers {
		if b.Fresh != nil && b.Code == api.RiskRecalledGoods && b.Entity != "" {
			if _, err := risk.Raise(ctx, b.Entity, b.ID, b.Fresh, now); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// blockingFlags collects the blocking flags on f's collateral, in
// collateral order.
func blockingFlags(ctx contractapi.TransactionContextInterface, f *api.Financing) ([]risk.Blocker, error) {
	var out []risk.Blocker
	for _, col := range f.Collateral {
		if col.Status == api.CollateralReleased || col.Status == api.CollateralTaken {
			continue
		}
		switch {
		case col.ReceiptID != "":
			r, err := receipts.Load(ctx, col.ReceiptID)
			if err != nil {
				return nil, err
			}
			flag, err := risk.RecalledGoodsFlag(ctx, []api.LotRef{{GTIN: r.GTIN, Lot: r.Lot}}, receipts.ClearedRecalls(r))
			if err != nil {
				return nil, err
			}
			if flag != nil {
				out = append(out, risk.Blocker{Code: flag.Code, Where: "receipt " + r.ID, Fresh: flag})
			}
		case col.ReceivableID != "":
			rv, err := receivables.Load(ctx, col.ReceivableID)
			if err != nil {
				return nil, err
			}
			bs, err := risk.EntityBlockers(ctx, api.RiskEntityReceivable, rv.ID, rv.Lots, "receivable "+rv.ID+" is to be financed ("+f.ID+")")
			if err != nil {
				return nil, err
			}
			out = append(out, bs...)
			if flag, err := risk.SellerNeverHeldFlag(ctx, rv); err != nil {
				return nil, err
			} else if flag != nil {
				out = append(out, risk.Blocker{Code: flag.Code, Where: "receivable " + rv.ID, Fresh: flag})
			}
		case col.ShipmentID != "":
			s, err := insurance.LoadShipment(ctx, col.ShipmentID)
			if err != nil {
				return nil, err
			}
			bs, err := risk.EntityBlockers(ctx, api.RiskEntityShipment, s.ID, s.Lots, "shipment "+s.ID+" is to be financed ("+f.ID+")")
			if err != nil {
				return nil, err
			}
			out = append(out, bs...)
		}
	}
	return out, nil
}

// where lists the blocking codes per collateral: "receivable RV-…:
// PLEDGED_GOODS, RECALLED_GOODS; receipt WR-…: RECALLED_GOODS".
func where(bs []risk.Blocker) string {
	var order []string
	per := map[string][]string{}
	for _, b := range bs {
		if _, ok := per[b.Where]; !ok {
			order = append(order, b.Where)
		}
		if !slices.Contains(per[b.Where], b.Code) {
			per[b.Where] = append(per[b.Where], b.Code)
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

func listOrNone(codes []string) string {
	if len(codes) == 0 {
		return "nothing does"
	}
	return strings.Join(codes, ", ")
}
