package contracts

import (
	"fmt"
	"slices"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

const (
	rkMaxOverrides      = 20
	rkMaxOverrideReason = 500 // runes
)

// rkEntityBlockers: a receivable's or shipment's open blocking flags and
// the fresh recall and pledged-goods checks of its lots.
func rkEntityBlockers(ctx contractapi.TransactionContextInterface, entity, id string, lots []api.LotRef, why string) ([]rkBlocker, error) {
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
		if !fl.Resolved && fl.Severity == api.SeverityBlocking {
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
	recall, err := rkRecalledGoodsFlag(ctx, lots, resolved(api.RiskRecalledGoods))
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
		done := resolved(api.RiskPledgedGoods)
		if slices.ContainsFunc(pledged.Refs, func(r string) bool { return !slices.Contains(done, r) }) {
			add(rkBlocker{code: pledged.Code, where: where, fresh: pledged})
		}
	}
	return out, nil
}

// rkSellerNeverHeldFlag flags a receivable whose seller never owned nor
// held some of the lots it names.
func rkSellerNeverHeldFlag(ctx contractapi.TransactionContextInterface, rv *api.Receivable) (*api.RiskFlag, error) {
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
	return &api.RiskFlag{Code: api.RiskSellerNeverHeld, Severity: rkSeverityOf(api.RiskSellerNeverHeld), Refs: refs,
		Detail: fmt.Sprintf("the seller %s never owned nor held %d of its lots (first %s)", rv.Seller, len(refs), refs[0])}, nil
}

// heldBy reports whether the enterprise owns the lot, ever held its
// goods, or holds a live warehouse receipt for them (title to the goods
// in the warehouse).
func heldBy(ctx contractapi.TransactionContextInterface, l *api.Lot, creditCode string) (bool, error) {
	if held, err := everHeld(ctx, l, creditCode); err != nil || held {
		return held, err
	}
	ids, err := wrOnLot(ctx, l.GTIN, l.Lot)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		r, err := wrLoad(ctx, id)
		if err != nil {
			return false, err
		}
		if r.Holder == creditCode {
			return true, nil
		}
	}
	return false, nil
}

// rkBlocker is one blocking flag standing on one collateral.
type rkBlocker struct {
	code  string
	where string // "receipt WR-…", "receivable RV-…", "shipment SH-…"
	fresh *api.RiskFlag
	// entity and id to record a fresh recall flag on (receivables and
	// shipments; receipts carry no flags).
	entity, id string
}
