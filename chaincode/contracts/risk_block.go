package contracts

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// CodeRiskBlocked refuses an approval while a BLOCKING risk flag stands on
// the financing's collateral and the bank has not overridden it (422).
const CodeRiskBlocked = "RISK_BLOCKED"

const (
	rkMaxOverrides      = 20
	rkMaxOverrideReason = 500 // runes
)

// RiskOverride is a bank's decision to approve despite a blocking risk
// flag, with its reason; it is kept on the financing (Terms.Overrides).
// By is the bank's credit code, At the approving transaction's time.
type RiskOverride struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
	By     string `json:"by,omitempty"`
	At     string `json:"at,omitempty"`
}

// rkBlocker is one blocking flag standing on one collateral.
type rkBlocker struct {
	code  string
	where string // "receipt WR-…", "receivable RV-…", "shipment SH-…"
	fresh *RiskFlag
	// entity and id to record a fresh recall flag on (receivables and
	// shipments; receipts carry no flags).
	entity, id string
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
func rkCheckBlocking(ctx contractapi.TransactionContextInterface, f *Financing, overrides []RiskOverride, now time.Time) ([]RiskOverride, error) {
	if len(overrides) > rkMaxOverrides {
		return nil, errf(CodeInvalidArgument, "overrides: at most %d", rkMaxOverrides)
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
	stamp := now.Format(timeLayout)
	var out []RiskOverride
	var named []string
	for i, o := range overrides {
		field := fmt.Sprintf("overrides[%d]", i)
		code := strings.TrimSpace(o.Code)
		if code == "" {
			return nil, errf(CodeInvalidArgument, "%s.code is required", field)
		}
		if slices.Contains(named, code) {
			return nil, errf(CodeInvalidArgument, "%s: %s is overridden twice", field, trClip(code))
		}
		named = append(named, code)
		reason, err := cleanText(field+".reason", o.Reason, true, rkMaxOverrideReason)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(codes, code) {
			return nil, errf(CodeInvalidArgument, "%s: no blocking %s flag stands on the collateral of financing %s; override only what blocks (%s)",
				field, trClip(code), f.ID, rkListOrNone(codes))
		}
		out = append(out, RiskOverride{Code: code, Reason: reason, By: f.Bank, At: stamp})
	}
	var missing []string
	for _, c := range codes {
		if !slices.Contains(named, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, errf(CodeRiskBlocked, "financing %s: blocking risk flags on its collateral (%s); not overridden: %s. Approve with an override and reason for each, or have a regulator resolve them",
			f.ID, rkWhere(blockers), strings.Join(missing, ", "))
	}
	slices.SortFunc(out, func(a, b RiskOverride) int { return strings.Compare(a.Code, b.Code) })
	for _, b := range blockers {
		if b.fresh != nil && b.code == RiskRecalledGoods && b.entity != "" {
			if _, err := rkRaise(ctx, b.entity, b.id, b.fresh, now); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// rkBlockingFlags collects the blocking flags on f's collateral, in
// collateral order.
func rkBlockingFlags(ctx contractapi.TransactionContextInterface, f *Financing) ([]rkBlocker, error) {
	var out []rkBlocker
	for _, col := range f.Collateral {
		if col.Status == CollateralReleased || col.Status == CollateralTaken {
			continue
		}
		switch {
		case col.ReceiptID != "":
			r, err := wrLoad(ctx, col.ReceiptID)
			if err != nil {
				return nil, err
			}
			flag, err := rkRecalledGoodsFlag(ctx, []LotRef{{GTIN: r.GTIN, Lot: r.Lot}}, wrClearedRecalls(r))
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
			bs, err := rkEntityBlockers(ctx, rkEntityReceivable, rv.ID, rv.Lots, "receivable "+rv.ID+" is to be financed ("+f.ID+")")
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
			bs, err := rkEntityBlockers(ctx, rkEntityShipment, s.ID, s.Lots, "shipment "+s.ID+" is to be financed ("+f.ID+")")
			if err != nil {
				return nil, err
			}
			out = append(out, bs...)
		}
	}
	return out, nil
}

// rkEntityBlockers: a receivable's or shipment's open blocking flags and
// the fresh recall and pledged-goods checks of its lots.
func rkEntityBlockers(ctx contractapi.TransactionContextInterface, entity, id string, lots []LotRef, why string) ([]rkBlocker, error) {
	stored, err := rkFlags(ctx, entity, id)
	if err != nil {
		return nil, err
	}
	where := entity + " " + id
	var out []rkBlocker
	add := func(b rkBlocker) {
		if !slices.ContainsFunc(out, func(o rkBlocker) bool { return o.code == b.code }) {
			out = append(out, b)
		}
	}
	for _, fl := range stored {
		if !fl.Resolved && fl.Severity == SeverityBlocking {
			add(rkBlocker{code: fl.Code, where: where})
		}
	}
	// Refs a regulator resolved, per code: a fresh flag within them is the
	// risk already judged.
	resolved := func(code string) []string {
		for _, fl := range stored {
			if fl.Code == code && fl.Resolved {
				return fl.Refs
			}
		}
		return nil
	}
	recall, err := rkRecalledGoodsFlag(ctx, lots, resolved(RiskRecalledGoods))
	if err != nil {
		return nil, err
	}
	if recall != nil {
		add(rkBlocker{code: recall.Code, where: where, fresh: recall, entity: entity, id: id})
	}
	pledged, err := rkPledgedGoodsFlag(ctx, lots, why)
	if err != nil {
		return nil, err
	}
	if pledged != nil {
		done := resolved(RiskPledgedGoods)
		if slices.ContainsFunc(pledged.Refs, func(r string) bool { return !slices.Contains(done, r) }) {
			add(rkBlocker{code: pledged.Code, where: where, fresh: pledged})
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

// rkSellerNeverHeldFlag flags a receivable whose seller never owned nor
// held some of the lots it names.
func rkSellerNeverHeldFlag(ctx contractapi.TransactionContextInterface, rv *Receivable) (*RiskFlag, error) {
	refs := []string{}
	for _, r := range rv.Lots {
		l, err := loadLot(ctx, r.GTIN, r.Lot)
		if err != nil {
			return nil, err
		}
		held, err := heldBy(ctx, l, rv.Seller)
		if err != nil {
			return nil, err
		}
		if !held {
			refs = append(refs, lotPath(l.GTIN, l.Lot))
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	return &RiskFlag{Code: RiskSellerNeverHeld, Severity: rkSeverityOf(RiskSellerNeverHeld), Refs: refs,
		Detail: fmt.Sprintf("the seller %s never owned nor held %d of its lots (first %s)", rv.Seller, len(refs), refs[0])}, nil
}
