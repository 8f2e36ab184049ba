package encumbrance

import (
	"slices"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/shopspring/decimal"
)

// The encumbrance register: one entry per thing a live financing's
// collateral ultimately rests on, whatever the instrument:
//
//   - a lot's goods, by quantity (a receipt for 400 of a lot's 800 tins
//     encumbers those 400), or the whole lot when the paper names the lot
//     without a quantity in the lot's unit (a receivable or an insured
//     shipment that says "lot X");
//   - the invoice, keyed by seller and normalised number (a receivable and
//     an insured shipment of the same invoice are one paper);
//   - the customs declaration number;
//   - the insured shipment.
//
// The approval of any financing reads and writes every entry its
// collateral touches, in the same transaction, so MVCC decides races
// between instruments; a conflict is refused with ALREADY_ENCUMBERED naming
// the other financing. Close, default and the pledgee's release free them.
//
// Goods made from encumbered goods: transformations may consume, in all,
// only the unencumbered part of a lot (trace RecordEvent refuses the rest
// with ALREADY_ENCUMBERED). The pledgee's consent is its release: the bank
// releases the pledge (or the borrower repays) before the goods are
// processed. This keeps the register exact instead of carrying estimated
// proportions into products.

const (
	objEncumbrance = "encumbrance"
	KindLot        = "lot"
	KindInvoice    = "invoice"
	KindCustoms    = "customs"
	KindShipment   = "shipment"
	// idxEncOfFinancing [financingId, kind, ref...]: what a financing holds.
	idxEncOfFinancing = "encumbrance~financing"
	// objLotConsumed [gtin, lot]: how much of a lot transformations consumed.
	objLotConsumed = "lot~consumed"
)

// Claim is what one collateral of a financing would encumber.
type Claim struct {
	Kind     string
	Ref      []string
	Via      string
	Quantity decimal.Decimal // for lots; zero with whole
	Unit     string
	Whole    bool
}

func (c Claim) label() string {
	switch c.Kind {
	case KindLot:
		if c.Whole {
			return "lot " + c.Ref[1] + " of " + c.Ref[0]
		}
		return c.Quantity.String() + " " + c.Unit + " of lot " + c.Ref[1] + " of " + c.Ref[0]
	case KindInvoice:
		return "invoice " + c.Ref[1] + " of " + c.Ref[0]
	case KindCustoms:
		return "customs declaration " + c.Ref[0]
	}
	return "shipment " + c.Ref[0]
}

func key(ctx contractapi.TransactionContextInterface, kind string, ref []string) (string, error) {
	return kit.Key(ctx, objEncumbrance, append([]string{kind}, ref...)...)
}

func load(ctx contractapi.TransactionContextInterface, kind string, ref []string) (string, *api.Encumbrance, error) {
	k, err := key(ctx, kind, ref)
	if err != nil {
		return "", nil, err
	}
	e := &api.Encumbrance{Kind: kind, Ref: ref}
	if _, err := kit.GetJSON(ctx, k, e); err != nil {
		return "", nil, err
	}
	return k, e, nil
}

func save(ctx contractapi.TransactionContextInterface, k string, e *api.Encumbrance) error {
	if len(e.Entries) == 0 {
		if err := ctx.GetStub().DelState(k); err != nil {
			return kit.Errf(api.CodeInternal, "delete encumbrance: %v", err)
		}
		return nil
	}
	return kit.PutJSON(ctx, k, e)
}

// Acquire enters every claim of an approving financing (of bank) in
// the register, refusing the approval if any of it backs another
// financing. lotOf reads a lot whose goods a claim counts by quantity.
func Acquire(ctx contractapi.TransactionContextInterface, financingID, bank string, claims []Claim, lotOf func(gtin, lot string) (*api.Lot, error)) error {
	// Claims of one financing on one thing add up (two receipts of one lot).
	type pending struct {
		k string
		e *api.Encumbrance
	}
	var touched []pending
	find := func(kind string, ref []string) (*pending, error) {
		for i := range touched {
			if touched[i].e.Kind == kind && slices.Equal(touched[i].e.Ref, ref) {
				return &touched[i], nil
			}
		}
		k, e, err := load(ctx, kind, ref)
		if err != nil {
			return nil, err
		}
		touched = append(touched, pending{k, e})
		return &touched[len(touched)-1], nil
	}
	for _, c := range claims {
		p, err := find(c.Kind, c.Ref)
		if err != nil {
			return err
		}
		// Already held by this financing through this collateral (collateral
		// added to a live financing re-enters the rest).
		if slices.ContainsFunc(p.e.Entries, func(e api.EncumbranceEntry) bool { return e.FinancingID == financingID && e.Via == c.Via }) {
			continue
		}
		for _, other := range p.e.Entries {
			if other.FinancingID == financingID {
				continue
			}
			if c.Kind != KindLot || c.Whole || other.Quantity == "" {
				return kit.Errf(api.CodeAlreadyEncumbered, "%s already backs financing %s", c.label(), other.FinancingID)
			}
		}
		if c.Kind == KindLot && !c.Whole {
			l, err := lotOf(c.Ref[0], c.Ref[1])
			if err != nil {
				return err
			}
			lotQty, err := decimal.NewFromString(l.Quantity)
			if err != nil {
				return kit.Errf(api.CodeInternal, "lot %s: quantity %q", l.Lot, l.Quantity)
			}
			taken := c.Quantity
			var others []string
			for _, e := range p.e.Entries {
				q, _ := decimal.NewFromString(e.Quantity)
				taken = taken.Add(q)
				if e.FinancingID != financingID && !slices.Contains(others, e.FinancingID) {
					others = append(others, e.FinancingID)
				}
			}
			if taken.GreaterThan(lotQty) {
				return kit.Errf(api.CodeAlreadyEncumbered, "%s would exceed the lot's %s %s; financing %s already holds part of it", c.label(), l.Quantity, l.Unit, strings.Join(others, ", "))
			}
			p.e.Unit = c.Unit
		}
		entry := api.EncumbranceEntry{FinancingID: financingID, Bank: bank, Via: c.Via}
		if c.Kind == KindLot && !c.Whole {
			entry.Quantity = c.Quantity.String()
		}
		p.e.Entries = append(p.e.Entries, entry)
	}
	for _, p := range touched {
		if err := save(ctx, p.k, p.e); err != nil {
			return err
		}
		if err := kit.PutIndex(ctx, idxEncOfFinancing, append([]string{financingID, p.e.Kind}, p.e.Ref...)...); err != nil {
			return err
		}
	}
	return nil
}

// Release frees the financing's entries; with via set, only those that
// rest on that collateral (a receipt released by its pledgee).
func Release(ctx contractapi.TransactionContextInterface, financingID, via string) error {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(idxEncOfFinancing, []string{financingID})
	if err != nil {
		return kit.Errf(api.CodeInternal, "index query: %v", err)
	}
	var refs [][]string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			it.Close()
			return kit.Errf(api.CodeInternal, "index query: %v", err)
		}
		_, attrs, err := ctx.GetStub().SplitCompositeKey(kv.Key)
		if err != nil {
			it.Close()
			return kit.Errf(api.CodeInternal, "index key: %v", err)
		}
		refs = append(refs, attrs[1:])
	}
	it.Close()
	for _, r := range refs {
		k, e, err := load(ctx, r[0], r[1:])
		if err != nil {
			return err
		}
		kept := e.Entries[:0]
		for _, en := range e.Entries {
			if en.FinancingID != financingID || via != "" && en.Via != via {
				kept = append(kept, en)
			}
		}
		e.Entries = kept
		if err := save(ctx, k, e); err != nil {
			return err
		}
		if !slices.ContainsFunc(e.Entries, func(en api.EncumbranceEntry) bool { return en.FinancingID == financingID }) {
			if err := kit.DelIndex(ctx, idxEncOfFinancing, append([]string{financingID}, r...)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// OfLot is the register entry of a lot's goods (no entries when free).
func OfLot(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.Encumbrance, error) {
	_, e, err := load(ctx, KindLot, []string{gtin, lot})
	return e, err
}

// Consume records that a transformation consumes qty of a lot (zero:
// all of it) and refuses it beyond the lot's unencumbered part, counting
// what earlier transformations consumed (objLotConsumed, read and written
// here, so two transformations of one lot are ordered by MVCC).
func Consume(ctx contractapi.TransactionContextInterface, l *api.Lot, qty decimal.Decimal) error {
	lotQty, _ := decimal.NewFromString(l.Quantity)
	ck, err := kit.Key(ctx, objLotConsumed, l.GTIN, l.Lot)
	if err != nil {
		return err
	}
	var consumedS string
	if _, err := kit.GetJSON(ctx, ck, &consumedS); err != nil {
		return err
	}
	consumed, _ := decimal.NewFromString(consumedS)
	e, err := OfLot(ctx, l.GTIN, l.Lot)
	if err != nil {
		return err
	}
	if len(e.Entries) > 0 {
		taken := decimal.Zero
		for _, en := range e.Entries {
			if en.Quantity == "" {
				return kit.Errf(api.CodeAlreadyEncumbered, "lot %s of %s backs financing %s; its pledgee releases it before the goods are processed", l.Lot, l.GTIN, en.FinancingID)
			}
			q, _ := decimal.NewFromString(en.Quantity)
			taken = taken.Add(q)
		}
		free := lotQty.Sub(taken).Sub(consumed)
		if free.IsNegative() {
			free = decimal.Zero
		}
		if qty.Sign() == 0 || qty.GreaterThan(free) {
			return kit.Errf(api.CodeAlreadyEncumbered, "%s %s of lot %s of %s back financing %s and %s %s were processed before; only %s %s are free to process",
				taken.String(), l.Unit, l.Lot, l.GTIN, e.Entries[0].FinancingID, consumed.String(), l.Unit, free.String(), l.Unit)
		}
	}
	used := qty
	if qty.Sign() == 0 {
		used = lotQty
	}
	return kit.PutJSON(ctx, ck, consumed.Add(used).String())
}
