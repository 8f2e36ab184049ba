package risk

import (
	"fmt"
	"slices"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/trace"
)

const (
	MaxOverrides      = 20
	MaxOverrideReason = 500 // runes
)

// EntityBlockers: a receivable's or shipment's open blocking flags and
// the fresh recall and pledged-goods checks of its lots.
func EntityBlockers(ctx contractapi.TransactionContextInterface, entity, id string, lots []api.LotRef, why string) ([]Blocker, error) {
	stored, err := Flags(ctx, entity, id)
	if err != nil {
		return nil, err
	}
	where := entity + " " + id
	var out []Blocker
	add := func(b Blocker) {
		if !slices.ContainsFunc(out, func(o Blocker) bool { return o.Code == b.Code }) {
			out = append(out, b)
		}
	}
	for _, fl := range stored {
		if !fl.Resolved && fl.Severity == api.SeverityBlocking {
			add(Blocker{Code: fl.Code, Where: where})
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
	recall, err := RecalledGoodsFlag(ctx, lots, resolved(api.RiskRecalledGoods))
	if err != nil {
		return nil, err
	}
	if recall != nil {
		add(Blocker{Code: recall.Code, Where: where, Fresh: recall, Entity: entity, ID: id})
	}
	pledged, err := PledgedGoodsFlag(ctx, lots, why)
	if err != nil {
		return nil, err
	}
	if pledged != nil {
		done := resolved(api.RiskPledgedGoods)
		if slices.ContainsFunc(pledged.Refs, func(r string) bool { return !slices.Contains(done, r) }) {
			add(Blocker{Code: pledged.Code, Where: where, Fresh: pledged})
		}
	}
	return out, nil
}

// SellerNeverHeldFlag flags a receivable whose seller never owned nor
// held some of the lots it names.
func SellerNeverHeldFlag(ctx contractapi.TransactionContextInterface, rv *api.Receivable) (*api.RiskFlag, error) {
	refs := []string{}
	for _, r := range rv.Lots {
		l, err := trace.LoadLot(ctx, r.GTIN, r.Lot)
		if err != nil {
			return nil, err
		}
		held, err := heldBy(ctx, l, rv.Seller)
		if err != nil {
			return nil, err
		}
		if !held {
			refs = append(refs, trace.LotPath(l.GTIN, l.Lot))
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	return &api.RiskFlag{Code: api.RiskSellerNeverHeld, Severity: severityOf(api.RiskSellerNeverHeld), Refs: refs,
		Detail: fmt.Sprintf("the seller %s never owned nor held %d of its lots (first %s)", rv.Seller, len(refs), refs[0])}, nil
}

// heldBy reports whether the enterprise owns the lot, ever held its
// goods, or holds a live warehouse receipt for them (title to the goods
// in the warehouse).
func heldBy(ctx contractapi.TransactionContextInterface, l *api.Lot, creditCode string) (bool, error) {
	if held, err := trace.EverHeld(ctx, l, creditCode); err != nil || held {
		return held, err
	}
	ids, err := receipts.OnLot(ctx, l.GTIN, l.Lot)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		r, err := receipts.Load(ctx, id)
		if err != nil {
			return false, err
		}
		if r.Holder == creditCode {
			return true, nil
		}
	}
	return false, nil
}

// Blocker is one blocking flag standing on one collateral.
type Blocker struct {
	Code  string
	Where string // "receipt WR-…", "receivable RV-…", "shipment SH-…"
	Fresh *api.RiskFlag
	// Entity and id to record a fresh recall flag on (receivables and
	// shipments; receipts carry no flags).
	Entity, ID string
}
