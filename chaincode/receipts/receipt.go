package receipts

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/shopspring/decimal"
)

// Keys of the receipt contract.
const (
	obj = "receipt"
	// idxLot [gtin, lot, receiptId]: one entry per live receipt. The
	// trace contract refuses a warehouse's shipping event for a lot that has
	// one, so goods under a live receipt cannot leave the warehouse.
	idxLot = "receipt~lot"
	// idxCustody [gtin, lot, warehouse, eventId] is written by the trace
	// contract for every receiving or storing event; a receipt needs one.
	idxCustody = "custody~lot"
	// idxBasis [gtin, lot, warehouse, eventId] -> receipt id: the
	// custody events a receipt was issued on. Each custody event backs at
	// most one issuance, ever.
	idxBasis     = "receipt~basis"
	idxHolder    = "receipt~holder"    // [holder, receiptId], current holder
	idxWarehouse = "receipt~warehouse" // [warehouse, receiptId]
)

const (
	maxSplitParts = 10
	maxQtyDigits  = 15
	maxQtyFrac    = 6
	maxListed     = 1000
)

func isLive(r *api.Receipt) bool {
	return r.Status == api.ReceiptIssued || r.Status == api.ReceiptPledged || r.Status == api.ReceiptRedeeming
}

// Receipts is the warehouse-receipt contract, "receipt".
//
// Rules (DESIGN.md §5):
//   - Only a warehouse issues, only for a lot with a custody~lot entry (a
//     trace receiving or storing event) at that warehouse, and only when no
//     live receipt covers the lot anywhere: one live receipt family per lot
//     (a family is an issued receipt and the receipts split from it, whose
//     quantities add up to it). This matches trace's shipping check, which
//     looks at receipt~lot [gtin, lot] whatever the warehouse.
//   - Each custody event backs one issuance ever (receipt~basis): after a
//     redemption or cancellation a new receipt needs a new receiving or
//     storing event, so a stale custody entry cannot back a second receipt.
//   - The quantity is in the lot's unit and at most the lot's quantity and
//     the quantities of the unused custody events (when they all give one).
//   - Ids are derived from the transaction id (WR-<year>-<16 hex>), so
//     issuances never contend on a counter key.
//   - Frozen is not a status but a hold beside it: unfreezing restores
//     nothing, and a frozen pledged receipt stays pledged.
//   - Recalled goods stay in the warehouse: while a recall reaches the
//     receipt's lot (the lot or a lot upstream of it) and no regulator has
//     cleared it on the receipt (ClearRecalledReceipt), the receipt is not
//     redeemed (requested or confirmed) nor cancelled — the two ways its
//     receipt~lot entry, which keeps the warehouse from shipping the goods,
//     goes away (422 RECALLED).
type Receipts struct {
	financings Financings
}

// New is the receipt contract, asking financings, which sit above it, for
// what its due-diligence view shows of them.
func New(financings Financings) *Receipts { return &Receipts{financings: financings} }

// IssueReceipt issues a receipt for a lot the ledger shows received into
// the caller's warehouse (a custody~lot entry for [gtin, lot, warehouse]
// from a trace receiving or storing event not used by an earlier receipt),
// with no live receipt on the lot. input: {"gtin","lot","quantity","unit",
// "grade","valuation":{"amount","currency"},"holder"}.
func (c *Receipts) IssueReceipt(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	caller, err := registry.RequireKind(ctx, "issuing a warehouse receipt", api.KindWarehouse)
	if err != nil {
		return "", err
	}
	var in api.ReceiptInput
	if err := kit.DecodeArg("receipt", input, &in); err != nil {
		return "", err
	}
	gtin, err := gs1.NormalizeGTIN(in.GTIN)
	if err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "gtin: %v", err)
	}
	if err := gs1.ValidateLot(in.Lot); err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "lot: %v", err)
	}
	qty, err := parseQuantity("quantity", in.Quantity)
	if err != nil {
		return "", err
	}
	unit, err := kit.CleanText("unit", in.Unit, true, 16)
	if err != nil {
		return "", err
	}
	grade, err := kit.CleanText("grade", in.Grade, false, 40)
	if err != nil {
		return "", err
	}
	val, cur, err := parseMoney("valuation", in.Valuation)
	if err != nil {
		return "", err
	}
	holder, err := registry.ActiveEnterprise(ctx, "holder", in.Holder)
	if err != nil {
		return "", err
	}
	wh := caller.Enterprise.CreditCode

	// Custody: the goods were received into this warehouse (a range read,
	// so a concurrent change to the custody index invalidates us).
	events, err := kit.IndexTails(ctx, idxCustody, []string{gtin, in.Lot, wh})
	if err != nil {
		return "", err
	}
	if len(events) == 0 {
		return "", kit.Errf(api.CodeRuleViolation, "the ledger shows no receiving of %s lot %s into warehouse %s", gtin, in.Lot, wh)
	}
	// One live receipt family per lot (a range read: phantom-protected).
	liveOnLot, err := kit.IndexTails(ctx, idxLot, []string{gtin, in.Lot})
	if err != nil {
		return "", err
	}
	if len(liveOnLot) > 0 {
		return "", kit.Errf(api.CodeConflict, "%s lot %s is already covered by live receipt %s", gtin, in.Lot, liveOnLot[0][0])
	}
	// Each custody event backs one issuance: after a redemption the goods
	// must be received (or stored) again before a new receipt is issued.
	var basis []string
	for _, t := range events {
		bk, err := kit.Key(ctx, idxBasis, gtin, in.Lot, wh, t[0])
		if err != nil {
			return "", err
		}
		used, err := ctx.GetStub().GetState(bk)
		if err != nil {
			return "", kit.Errf(api.CodeInternal, "read state: %v", err)
		}
		if used == nil {
			basis = append(basis, t[0])
		}
	}
	if len(basis) == 0 {
		return "", kit.Errf(api.CodeConflict, "every receiving of %s lot %s into %s is already covered by an earlier receipt; record a new receiving or storing event first", gtin, in.Lot, wh)
	}
	// The goods must still be here: a custody event counts only if no
	// shipping of the lot, and no receiving or storing of it elsewhere,
	// came after it (a custody entry can outlive the goods' departure when
	// someone else records the shipping).
	if basis, err = stillInCustody(ctx, gtin, in.Lot, wh, basis); err != nil {
		return "", err
	}
	// Nor on goods a recall reaches (the lot or any lot it was made from).
	rs, err := trace.RecallStatusOf(ctx, []api.LineageLot{{GTIN: gtin, Lot: in.Lot}}, true)
	if err != nil {
		return "", err
	}
	if rs.Recalled {
		return "", kit.Errf(api.CodeRecalled, "%s lot %s is under the recall of lot %s of %s (%s); no receipt is issued on recalled goods", gtin, in.Lot, rs.Recall.Lot, rs.Recall.GTIN, rs.Recall.Reason)
	}
	// Quantity: in the lot's unit, and no more than the lot holds and the
	// unused custody events received (when all of them carry a quantity).
	bound, err := receivedBound(ctx, gtin, in.Lot, unit, basis)
	if err != nil {
		return "", err
	}
	if qty.GreaterThan(bound) {
		return "", kit.Errf(api.CodeRuleViolation, "quantity %s %s is more than the %s %s the ledger shows received of %s lot %s", qty.String(), unit, bound.String(), unit, gtin, in.Lot)
	}

	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	id := newID(ctx, now, 0)
	r := &api.Receipt{
		ID: id, GTIN: gtin, Lot: in.Lot, Quantity: qty.String(), Unit: unit, Grade: grade,
		Valuation: api.Money{Amount: money.Format(val, cur), Currency: cur.Code},
		Warehouse: wh, Holder: holder, Status: api.ReceiptIssued, Basis: basis,
		IssuedAt: now.Format(kit.TimeLayout),
	}
	for _, ev := range basis {
		bk, err := kit.Key(ctx, idxBasis, gtin, in.Lot, wh, ev)
		if err != nil {
			return "", err
		}
		if err := ctx.GetStub().PutState(bk, []byte(id)); err != nil {
			return "", kit.Errf(api.CodeInternal, "write index: %v", err)
		}
	}
	if err := putNew(ctx, r, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptIssued", api.Event{Entity: "receipt", ID: id, Action: "issued", By: wh,
		Data: map[string]string{"gtin": gtin, "lot": in.Lot, "holder": holder}}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// TransferReceipt passes a receipt to another enterprise. Only the holder,
// only an unpledged, unfrozen receipt not being redeemed.
func (c *Receipts) TransferReceipt(ctx contractapi.TransactionContextInterface, receiptID, toCreditCode string) (string, error) {
	caller, r, err := holderAction(ctx, receiptID, "transfer")
	if err != nil {
		return "", err
	}
	to, err := registry.ActiveEnterprise(ctx, "to", toCreditCode)
	if err != nil {
		return "", err
	}
	if to == r.Holder {
		return "", kit.Errf(api.CodeInvalidArgument, "%s already holds receipt %s", to, r.ID)
	}
	from := r.Holder
	if err := SetHolder(ctx, r, to); err != nil {
		return "", err
	}
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptTransferred", api.Event{Entity: "receipt", ID: r.ID, Action: "transferred", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"from": from, "to": to}}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// SplitReceipt replaces an unpledged receipt by 2 to 10 receipts for parts
// of its goods, held by the same holder; quantities and valuations must add
// up exactly to the original's. input: {"parts":[{"quantity","valuation"},...]}.
// The answer lists the new receipts.
func (c *Receipts) SplitReceipt(ctx contractapi.TransactionContextInterface, receiptID, input string) (string, error) {
	caller, r, err := holderAction(ctx, receiptID, "split")
	if err != nil {
		return "", err
	}
	var in api.SplitInput
	if err := kit.DecodeArg("split", input, &in); err != nil {
		return "", err
	}
	if len(in.Parts) < 2 || len(in.Parts) > maxSplitParts {
		return "", kit.Errf(api.CodeInvalidArgument, "parts: split into 2 to %d parts, not %d", maxSplitParts, len(in.Parts))
	}
	cur, err := money.LookupCurrency(r.Valuation.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "receipt %s: %v", r.ID, err)
	}
	total, err := money.ParseAmount(r.Valuation.Amount, cur)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "receipt %s: %v", r.ID, err)
	}
	qtyTotal, err := decimal.NewFromString(r.Quantity)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "receipt %s: %v", r.ID, err)
	}
	sumQ, sumV := decimal.Zero, decimal.Zero
	qs := make([]decimal.Decimal, len(in.Parts))
	vs := make([]decimal.Decimal, len(in.Parts))
	for i, p := range in.Parts {
		if qs[i], err = parseQuantity(fmt.Sprintf("parts[%d].quantity", i), p.Quantity); err != nil {
			return "", err
		}
		if vs[i], err = money.ParsePositiveAmount(p.Valuation, cur); err != nil {
			return "", kit.Errf(api.CodeInvalidArgument, "parts[%d].valuation: %v", i, err)
		}
		sumQ, sumV = sumQ.Add(qs[i]), sumV.Add(vs[i])
	}
	if !sumQ.Equal(qtyTotal) {
		return "", kit.Errf(api.CodeRuleViolation, "part quantities add up to %s, receipt %s is for %s %s", sumQ.String(), r.ID, r.Quantity, r.Unit)
	}
	if !sumV.Equal(total) {
		return "", kit.Errf(api.CodeRuleViolation, "part valuations add up to %s, receipt %s is valued at %s %s", money.Format(sumV, cur), r.ID, r.Valuation.Amount, cur.Code)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	children := make([]*api.Receipt, len(in.Parts))
	for i := range in.Parts {
		id := newID(ctx, now, i+1)
		children[i] = &api.Receipt{
			ID: id, GTIN: r.GTIN, Lot: r.Lot, Quantity: qs[i].String(), Unit: r.Unit, Grade: r.Grade,
			Valuation: api.Money{Amount: money.Format(vs[i], cur), Currency: cur.Code},
			Warehouse: r.Warehouse, Holder: r.Holder, Status: api.ReceiptIssued,
			Basis: r.Basis, Parent: r.ID, IssuedAt: now.Format(kit.TimeLayout),
			RecallClearances: r.RecallClearances, // the same goods
		}
		r.Children = append(r.Children, id)
	}
	if err := Life().Apply("split", r.ID, &r.Status); err != nil {
		return "", err
	}
	if err := kit.DelIndex(ctx, idxLot, r.GTIN, r.Lot, r.ID); err != nil {
		return "", err
	}
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	for _, ch := range children {
		if err := putNew(ctx, ch, now); err != nil {
			return "", err
		}
	}
	if err := kit.Emit(ctx, "ReceiptSplit", api.Event{Entity: "receipt", ID: r.ID, Action: "split", By: caller.Enterprise.CreditCode,
		Data: map[string]any{"children": r.Children}}); err != nil {
		return "", err
	}
	return kit.ToJSON(children)
}

// RequestRedemption is the holder asking the warehouse for the goods. The
// receipt is locked (no transfer, split or pledge) until the warehouse
// confirms or the holder withdraws the request. Goods a recall reaches
// are not redeemed until a regulator clears the receipt (RECALLED).
func (c *Receipts) RequestRedemption(ctx contractapi.TransactionContextInterface, receiptID string) (string, error) {
	caller, r, err := holderAction(ctx, receiptID, "redeem")
	if err != nil {
		return "", err
	}
	if err := refuseRecalled(ctx, r, "redeemed"); err != nil {
		return "", err
	}
	if err := Life().Apply("request redemption", r.ID, &r.Status); err != nil {
		return "", err
	}
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptRedemptionRequested", api.Event{Entity: "receipt", ID: r.ID, Action: "redemption-requested", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// WithdrawRedemption takes back the holder's redemption request.
func (c *Receipts) WithdrawRedemption(ctx contractapi.TransactionContextInterface, receiptID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "withdrawing a redemption")
	if err != nil {
		return "", err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	if r.Holder != caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the holder withdraws a redemption of receipt %s", r.ID)
	}
	if err := Life().Apply("withdraw redemption", r.ID, &r.Status); err != nil {
		return "", err
	}
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptRedemptionWithdrawn", api.Event{Entity: "receipt", ID: r.ID, Action: "redemption-withdrawn", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// ConfirmRedemption is the issuing warehouse confirming that it hands the
// goods to the holder: the receipt is REDEEMED and no longer covers the lot,
// so the warehouse may record their shipping. Refused (RECALLED) while a
// recall the regulator has not cleared on the receipt reaches the goods
// (one may come between the request and the confirmation).
func (c *Receipts) ConfirmRedemption(ctx contractapi.TransactionContextInterface, receiptID string) (string, error) {
	caller, r, err := warehouseAction(ctx, receiptID, "confirming a redemption")
	if err != nil {
		return "", err
	}
	if r.Frozen != nil {
		return "", kit.Errf(api.CodeConflict, "receipt %s is frozen by %s: %s", r.ID, r.Frozen.By, r.Frozen.Reason)
	}
	if err := Life().Check("confirm redemption", r.ID, r.Status); err != nil {
		return "", err
	}
	if err := refuseRecalled(ctx, r, "redeemed"); err != nil {
		return "", err
	}
	if err := Life().Apply("confirm redemption", r.ID, &r.Status); err != nil {
		return "", err
	}
	if err := kit.DelIndex(ctx, idxLot, r.GTIN, r.Lot, r.ID); err != nil {
		return "", err
	}
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptRedeemed", api.Event{Entity: "receipt", ID: r.ID, Action: "redeemed", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"holder": r.Holder}}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// CancelReceipt is the issuing warehouse withdrawing an unpledged, unfrozen
// receipt (issued in error). Its custody events stay used: to issue again,
// the warehouse records a new storing event (a stock check). A receipt on
// recalled goods is cancelled only once a regulator has cleared it: the
// cancellation would free the goods to be shipped (RECALLED).
func (c *Receipts) CancelReceipt(ctx contractapi.TransactionContextInterface, receiptID, reason string) (string, error) {
	caller, r, err := warehouseAction(ctx, receiptID, "cancelling a receipt")
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 200)
	if err != nil {
		return "", err
	}
	if err := refuseUnlessFree(r, "cancelled"); err != nil {
		return "", err
	}
	if err := refuseRecalled(ctx, r, "cancelled"); err != nil {
		return "", err
	}
	if err := Life().Apply("cancel", r.ID, &r.Status); err != nil {
		return "", err
	}
	r.Reason = why
	if err := kit.DelIndex(ctx, idxLot, r.GTIN, r.Lot, r.ID); err != nil {
		return "", err
	}
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptCancelled", api.Event{Entity: "receipt", ID: r.ID, Action: "cancelled", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// FreezeReceipt is a regulator's hold on a live receipt: while frozen it
// cannot change holder, be split, pledged, redeemed or cancelled; a pledge
// on it can still be released.
func (c *Receipts) FreezeReceipt(ctx contractapi.TransactionContextInterface, receiptID, reason string) (string, error) {
	caller, err := registry.RequireKind(ctx, "freezing a receipt", api.KindRegulator)
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 200)
	if err != nil {
		return "", err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	if err := refuseOwnInterest(caller, r, "freezes"); err != nil {
		return "", err
	}
	if !isLive(r) {
		return "", kit.Errf(api.CodeConflict, "receipt %s is %s", r.ID, r.Status)
	}
	if r.Frozen != nil {
		return "", kit.Errf(api.CodeConflict, "receipt %s is already frozen by %s", r.ID, r.Frozen.By)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	r.Frozen = &api.Freeze{By: caller.Enterprise.CreditCode, Reason: why, Since: now.Format(kit.TimeLayout)}
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptFrozen", api.Event{Entity: "receipt", ID: r.ID, Action: "frozen", By: caller.Enterprise.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// ClearRecalledReceipt is a regulator clearing the recalls that reach a
// live receipt's goods (its lot, or lots upstream of it), so that the
// goods may be redeemed and leave the warehouse, and the receipt pledged.
// The regulator must not be a party to the receipt (its holder, warehouse
// or pledgee). The clearance (who, when, note, the recalls it clears) is
// kept on the receipt and so in its history; it covers the recalls
// standing now, not later ones. A receipt no recall reaches, or whose
// recalls are all cleared, is CONFLICT.
func (c *Receipts) ClearRecalledReceipt(ctx contractapi.TransactionContextInterface, receiptID, note string) (string, error) {
	caller, err := registry.RequireKind(ctx, "clearing a recalled receipt", api.KindRegulator)
	if err != nil {
		return "", err
	}
	n, err := kit.CleanText("note", note, true, 500)
	if err != nil {
		return "", err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	if err := refuseOwnInterest(caller, r, "clears"); err != nil {
		return "", err
	}
	if !isLive(r) {
		return "", kit.Errf(api.CodeConflict, "receipt %s is %s", r.ID, r.Status)
	}
	open, err := unclearedRecalls(ctx, r)
	if err != nil {
		return "", err
	}
	if len(open) == 0 {
		return "", kit.Errf(api.CodeConflict, "no uncleared recall reaches the goods of receipt %s", r.ID)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	paths := make([]string, len(open))
	for i, rc := range open {
		paths[i] = trace.LotPath(rc.GTIN, rc.Lot)
	}
	r.RecallClearances = append(r.RecallClearances, api.RecallClearance{
		By: caller.Enterprise.CreditCode, At: now.Format(kit.TimeLayout), Note: n, Recalls: paths, TxID: ctx.GetStub().GetTxID(),
	})
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptRecallCleared", api.Event{Entity: "receipt", ID: r.ID, Action: "recall-cleared", By: caller.Enterprise.CreditCode,
		Data: map[string]any{"recalls": paths}}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// UnfreezeReceipt lifts a freeze; any regulator may.
func (c *Receipts) UnfreezeReceipt(ctx contractapi.TransactionContextInterface, receiptID, reason string) (string, error) {
	caller, err := registry.RequireKind(ctx, "unfreezing a receipt", api.KindRegulator)
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 200)
	if err != nil {
		return "", err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	if err := refuseOwnInterest(caller, r, "unfreezes"); err != nil {
		return "", err
	}
	if r.Frozen == nil {
		return "", kit.Errf(api.CodeConflict, "receipt %s is not frozen", r.ID)
	}
	r.Frozen = nil
	if err := Save(ctx, r); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptUnfrozen", api.Event{Entity: "receipt", ID: r.ID, Action: "unfrozen", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"reason": why}}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// GetReceipt returns a receipt; any registered enterprise may verify one.
func (c *Receipts) GetReceipt(ctx contractapi.TransactionContextInterface, receiptID string) (string, error) {
	if _, err := registry.RequireEnterprise(ctx, "reading a receipt"); err != nil {
		return "", err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}

// GetReceiptHistory returns every committed version of a receipt, newest
// first (GetHistoryForKey).
func (c *Receipts) GetReceiptHistory(ctx contractapi.TransactionContextInterface, receiptID string) (string, error) {
	if _, err := registry.RequireEnterprise(ctx, "reading a receipt"); err != nil {
		return "", err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	out, err := history(ctx, r)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(out)
}

// history reads every committed version of a receipt, newest first.
func history(ctx contractapi.TransactionContextInterface, r *api.Receipt) ([]api.ReceiptChange, error) {
	k, err := kit.Key(ctx, obj, r.ID)
	if err != nil {
		return nil, err
	}
	it, err := ctx.GetStub().GetHistoryForKey(k)
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "history: %v", err)
	}
	defer it.Close()
	out := []api.ReceiptChange{}
	for it.HasNext() {
		m, err := it.Next()
		if err != nil {
			return nil, kit.Errf(api.CodeInternal, "history: %v", err)
		}
		ch := api.ReceiptChange{TxID: m.TxId, IsDelete: m.IsDelete}
		if m.Timestamp != nil {
			ch.Timestamp = m.Timestamp.AsTime().UTC().Format(kit.TimeLayout)
		}
		if !m.IsDelete {
			ch.Receipt = &api.Receipt{}
			if err := kit.UnmarshalState(m.Value, ch.Receipt); err != nil {
				return nil, err
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

// ListReceiptsByHolder lists the receipts an enterprise holds now (all
// statuses), at most 1000. Only that enterprise or a regulator may ask;
// an empty creditCode means the caller's own.
func (c *Receipts) ListReceiptsByHolder(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	return list(ctx, idxHolder, creditCode, "holder")
}

// ListReceiptsByWarehouse lists the receipts a warehouse has issued, at
// most 1000. Only that warehouse or a regulator may ask; an empty
// creditCode means the caller's own.
func (c *Receipts) ListReceiptsByWarehouse(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	return list(ctx, idxWarehouse, creditCode, "warehouse")
}

func list(ctx contractapi.TransactionContextInterface, index, creditCode, role string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "listing receipts")
	if err != nil {
		return "", err
	}
	if creditCode == "" {
		creditCode = caller.Enterprise.CreditCode
	}
	if creditCode != caller.Enterprise.CreditCode && !caller.HasKind(api.KindRegulator) {
		return "", kit.Errf(api.CodeForbidden, "only %s itself or a regulator lists its receipts as %s", creditCode, role)
	}
	if _, err := registry.LoadEnterprise(ctx, creditCode); err != nil {
		return "", err
	}
	tails, err := kit.IndexTails(ctx, index, []string{creditCode})
	if err != nil {
		return "", err
	}
	out := []*api.Receipt{}
	for _, t := range tails {
		if len(out) >= maxListed {
			break
		}
		r, err := Load(ctx, t[0])
		if err != nil {
			return "", err
		}
		out = append(out, r)
	}
	return kit.ToJSON(out)
}

// holderAction loads a receipt for a change by its holder: the caller must
// hold it, and it must be ISSUED (not pledged, not being redeemed), not
// frozen.
func holderAction(ctx contractapi.TransactionContextInterface, receiptID, what string) (*api.Caller, *api.Receipt, error) {
	caller, err := registry.RequireEnterprise(ctx, what+" of a receipt")
	if err != nil {
		return nil, nil, err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return nil, nil, err
	}
	if r.Holder != caller.Enterprise.CreditCode {
		return nil, nil, kit.Errf(api.CodeForbidden, "only the holder may %s receipt %s", what, r.ID)
	}
	if err := refuseUnlessFree(r, what); err != nil {
		return nil, nil, err
	}
	return caller, r, nil
}

// warehouseAction loads a receipt for a change by its issuing warehouse.
func warehouseAction(ctx contractapi.TransactionContextInterface, receiptID, what string) (*api.Caller, *api.Receipt, error) {
	caller, err := registry.RequireKind(ctx, what, api.KindWarehouse)
	if err != nil {
		return nil, nil, err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return nil, nil, err
	}
	if r.Warehouse != caller.Enterprise.CreditCode {
		return nil, nil, kit.Errf(api.CodeForbidden, "only the issuing warehouse %s may do this to receipt %s", r.Warehouse, r.ID)
	}
	return caller, r, nil
}

// refuseOwnInterest: a regulator does not freeze, unfreeze or clear a
// receipt its own enterprise issued, holds or has a pledge on.
func refuseOwnInterest(c *api.Caller, r *api.Receipt, verb string) error {
	me := c.Enterprise.CreditCode
	if me == r.Holder || me == r.Warehouse || (r.Pledge != nil && me == r.Pledge.Pledgee) {
		return kit.Errf(api.CodeForbidden, "%s is a party to receipt %s; another regulator %s it", me, r.ID, verb)
	}
	return nil
}

// ClearedRecalls lists the recalled lots (GS1 paths) regulators have
// cleared on the receipt.
func ClearedRecalls(r *api.Receipt) []string {
	var out []string
	for _, c := range r.RecallClearances {
		out = append(out, c.Recalls...)
	}
	return out
}

// unclearedRecalls lists the recalls reaching the receipt's lot (the
// lot or a lot upstream of it) that no clearance on the receipt names.
func unclearedRecalls(ctx contractapi.TransactionContextInterface, r *api.Receipt) ([]api.Recall, error) {
	recalls, err := trace.Recalls(ctx, []api.LotRef{{GTIN: r.GTIN, Lot: r.Lot}})
	if err != nil {
		return nil, err
	}
	cleared := ClearedRecalls(r)
	var out []api.Recall
	for _, rc := range recalls {
		if !slices.Contains(cleared, trace.LotPath(rc.GTIN, rc.Lot)) {
			out = append(out, rc)
		}
	}
	return out, nil
}

// refuseRecalled refuses (RECALLED) what would let the goods of a
// receipt leave the warehouse while an uncleared recall reaches them.
func refuseRecalled(ctx contractapi.TransactionContextInterface, r *api.Receipt, what string) error {
	open, err := unclearedRecalls(ctx, r)
	if err != nil || len(open) == 0 {
		return err
	}
	rc := open[0]
	return kit.Errf(api.CodeRecalled, "receipt %s cannot be %s: %s lot %s is under the recall of lot %s of %s (%s); the goods stay in the warehouse until a regulator clears the receipt",
		r.ID, what, r.GTIN, r.Lot, rc.Lot, rc.GTIN, kit.Clip(rc.Reason))
}

// stillInCustody keeps the custody events (of wh, on the lot) after
// which the ledger shows the goods did not move on: no shipping event of
// the lot by anyone, and no receiving or storing of it by another
// enterprise, at or after the custody event's time. It refuses when none
// is left. It reads the lot's events from the newest back to the oldest
// candidate only.
func stillInCustody(ctx contractapi.TransactionContextInterface, gtin, lot, wh string, candidates []string) ([]string, error) {
	times := make([]string, len(candidates))
	oldest := ""
	for i, id := range candidates {
		ev, err := trace.LoadEvent(ctx, id)
		if err != nil {
			return nil, err
		}
		t, err := time.Parse(kit.EventTimeLayout, ev.EventTime)
		if err != nil {
			return nil, kit.Errf(api.CodeInternal, "event %s: time %q: %v", id, ev.EventTime, err)
		}
		times[i] = t.UTC().Format(kit.SortTimeLayout)
		if oldest == "" || times[i] < oldest {
			oldest = times[i]
		}
	}
	refs, err := trace.LotEventRefs(ctx, gtin, lot)
	if err != nil {
		return nil, err
	}
	moved, movedBy := "", ""
	for i := len(refs) - 1; i >= 0 && refs[i].Time >= oldest; i-- {
		ev, err := trace.LoadEvent(ctx, refs[i].Hex)
		if err != nil {
			return nil, err
		}
		away := ev.BizStep == "shipping" ||
			((ev.BizStep == "receiving" || ev.BizStep == "storing") && ev.RecordedBy.CreditCode != wh)
		if away {
			moved, movedBy = refs[i].Time, ev.BizStep+" by "+ev.RecordedBy.CreditCode
			break
		}
	}
	if moved == "" {
		return candidates, nil
	}
	var out []string
	for i, id := range candidates {
		if times[i] > moved {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, kit.Errf(api.CodeRuleViolation, "the goods of %s lot %s left warehouse %s after it last received or stored them (%s at %s); record a new receiving or storing event when they are back", gtin, lot, wh, movedBy, moved)
	}
	return out, nil
}

// refuseUnlessFree insists that a receipt is ISSUED and not frozen: the
// only state in which its holder or warehouse may change it.
func refuseUnlessFree(r *api.Receipt, what string) error {
	switch {
	case r.Pledge != nil:
		return kit.Errf(api.CodeConflict, "receipt %s is pledged to financing %s and cannot be %s", r.ID, r.Pledge.FinancingID, pastTense(what))
	case r.Frozen != nil:
		return kit.Errf(api.CodeConflict, "receipt %s is frozen by %s: %s", r.ID, r.Frozen.By, r.Frozen.Reason)
	case r.Status != api.ReceiptIssued:
		return kit.Errf(api.CodeConflict, "receipt %s is %s and cannot be %s", r.ID, r.Status, pastTense(what))
	}
	return nil
}

func pastTense(verb string) string {
	switch verb {
	case "split":
		return "split"
	case "transfer":
		return "transferred"
	case "redeem":
		return "redeemed"
	}
	return verb
}

func Load(ctx contractapi.TransactionContextInterface, id string) (*api.Receipt, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	k, err := kit.Key(ctx, obj, id)
	if err != nil {
		return nil, err
	}
	var r api.Receipt
	found, err := kit.GetJSON(ctx, k, &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, kit.Errf(api.CodeNotFound, "receipt %s does not exist", id)
	}
	return &r, nil
}

// Save writes a receipt that exists already, stamping the change.
func Save(ctx contractapi.TransactionContextInterface, r *api.Receipt) error {
	now, err := kit.TxTime(ctx)
	if err != nil {
		return err
	}
	r.UpdatedAt, r.TxID = now.Format(kit.TimeLayout), ctx.GetStub().GetTxID()
	k, err := kit.Key(ctx, obj, r.ID)
	if err != nil {
		return err
	}
	if err := kit.PutJSON(ctx, k, r); err != nil {
		return err
	}
	return guard(ctx, k, r)
}

// guard gives a receipt's key the endorsement its state calls for: while
// it is pledged, the peers of the pledgee bank's organisation and of the
// warehouse's organisation must both endorse every write to it (release,
// transfer, split, redemption, default), so no other organisations can
// forge one however many of them collude; a free receipt is under the
// chaincode's policy.
func guard(ctx contractapi.TransactionContextInterface, key string, r *api.Receipt) error {
	var orgs []string
	if r.Pledge != nil {
		for _, code := range []string{r.Pledge.Pledgee, r.Warehouse} {
			e, err := registry.LoadEnterprise(ctx, code)
			if err != nil {
				return err
			}
			orgs = append(orgs, e.MSPID)
		}
	}
	return kit.RequireEndorsers(ctx, key, orgs...)
}

// putNew writes a new live receipt and its index entries. The key
// is read first: a (never yet seen) id collision is refused rather than
// overwriting a receipt.
func putNew(ctx contractapi.TransactionContextInterface, r *api.Receipt, now time.Time) error {
	k, err := kit.Key(ctx, obj, r.ID)
	if err != nil {
		return err
	}
	if old, err := ctx.GetStub().GetState(k); err != nil {
		return kit.Errf(api.CodeInternal, "read state: %v", err)
	} else if old != nil {
		return kit.Errf(api.CodeAlreadyExists, "receipt id %s is taken; submit again", r.ID)
	}
	r.UpdatedAt, r.TxID = now.Format(kit.TimeLayout), ctx.GetStub().GetTxID()
	if err := kit.PutJSON(ctx, k, r); err != nil {
		return err
	}
	if err := kit.PutIndex(ctx, idxLot, r.GTIN, r.Lot, r.ID); err != nil {
		return err
	}
	if err := kit.PutIndex(ctx, idxHolder, r.Holder, r.ID); err != nil {
		return err
	}
	return kit.PutIndex(ctx, idxWarehouse, r.Warehouse, r.ID)
}

// SetHolder moves a receipt to a new holder, keeping the holder index.
func SetHolder(ctx contractapi.TransactionContextInterface, r *api.Receipt, to string) error {
	if err := kit.DelIndex(ctx, idxHolder, r.Holder, r.ID); err != nil {
		return err
	}
	r.Holder = to
	return kit.PutIndex(ctx, idxHolder, to, r.ID)
}

// newID derives a receipt id from the transaction id: WR-<year>-<16
// hex digits of sha256(txId/n)>. Every endorser computes the same id, and
// issuances never contend on a shared counter key.
func newID(ctx contractapi.TransactionContextInterface, now time.Time, n int) string {
	return kit.DeriveID("WR", ctx.GetStub().GetTxID(), now, n)
}

// CheckID checks the shape WR-YYYY-XXXXXXXXXXXXXXXX.
func CheckID(id string) error {
	if !kit.WellFormedID(id, "WR") {
		return kit.Errf(api.CodeInvalidArgument, "receipt id %q is not of the form WR-YYYY-XXXXXXXXXXXXXXXX", kit.ClipBytes(id))
	}
	return nil
}

// parseQuantity reads a positive plain decimal with at most 15 integer and
// 6 fraction digits ("1200", "0.5", "12.125").
func parseQuantity(field, s string) (decimal.Decimal, error) {
	fail := func(why string) (decimal.Decimal, error) {
		return decimal.Decimal{}, kit.Errf(api.CodeInvalidArgument, "%s %q: %s", field, kit.ClipBytes(s), why)
	}
	intPart, frac, hasPoint := s, "", false
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac, hasPoint = s[:i], s[i+1:], true
	}
	switch {
	case intPart == "" || (hasPoint && frac == ""):
		return fail("want a plain decimal such as 1200 or 12.5")
	case !allDigits(intPart) || !allDigits(frac):
		return fail("want digits and at most one decimal point")
	case len(intPart) > 1 && intPart[0] == '0':
		return fail("leading zero")
	case len(intPart) > maxQtyDigits:
		return fail(fmt.Sprintf("more than %d digits before the point", maxQtyDigits))
	case len(frac) > maxQtyFrac:
		return fail(fmt.Sprintf("more than %d digits after the point", maxQtyFrac))
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fail(err.Error())
	}
	if d.Sign() <= 0 {
		return fail("must be greater than zero")
	}
	return d, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseMoney reads a positive amount in a known currency.
func parseMoney(field string, m api.Money) (decimal.Decimal, money.Currency, error) {
	cur, err := money.LookupCurrency(m.Currency)
	if err != nil {
		return decimal.Decimal{}, money.Currency{}, kit.Errf(api.CodeInvalidArgument, "%s.currency: %v", field, err)
	}
	d, err := money.ParsePositiveAmount(m.Amount, cur)
	if err != nil {
		return decimal.Decimal{}, money.Currency{}, kit.Errf(api.CodeInvalidArgument, "%s.amount: %v", field, err)
	}
	return d, cur, nil
}

// receivedBound is the most a receipt on the lot may be for: the lot's
// commissioned quantity and, when every custody event the receipt rests on
// gives a quantity for the lot, their sum. (A receiving and a later
// storing of the same goods count twice; the lot's quantity caps that.)
// The unit must be the lot's.
func receivedBound(ctx contractapi.TransactionContextInterface, gtin, lot, unit string, basis []string) (decimal.Decimal, error) {
	l, err := trace.LoadLot(ctx, gtin, lot)
	if err != nil {
		return decimal.Zero, err
	}
	if unit != l.Unit {
		return decimal.Zero, kit.Errf(api.CodeRuleViolation, "lot %s of %s is counted in %s, not %s", lot, gtin, l.Unit, unit)
	}
	bound, err := decimal.NewFromString(l.Quantity)
	if err != nil {
		return decimal.Zero, kit.Errf(api.CodeInternal, "lot %s of %s: quantity: %v", lot, gtin, err)
	}
	sum, all := decimal.Zero, true
	for _, id := range basis {
		ev, err := trace.LoadEvent(ctx, id)
		if err != nil {
			return decimal.Zero, err
		}
		found := false
		for _, list := range [][]api.LotRef{ev.Lots, ev.ChildLots} {
			for _, r := range list {
				if r.GTIN != gtin || r.Lot != lot || r.Quantity == "" {
					continue
				}
				q, err := decimal.NewFromString(r.Quantity)
				if err != nil || r.Unit != l.Unit {
					return decimal.Zero, kit.Errf(api.CodeInternal, "event %s: quantity of lot %s: %q %s", id, lot, r.Quantity, r.Unit)
				}
				sum, found = sum.Add(q), true
			}
		}
		all = all && found
	}
	if all && sum.LessThan(bound) {
		bound = sum
	}
	return bound, nil
}

// Quantities answers trace about the goods under live receipts.
type Quantities struct{}

// OnLot lists the live receipts on a lot's goods, in id order.
func (Quantities) OnLot(ctx contractapi.TransactionContextInterface, gtin, lot string) ([]string, error) {
	return OnLot(ctx, gtin, lot)
}

// Quantity is the quantity of goods a receipt is for.
func (Quantities) Quantity(ctx contractapi.TransactionContextInterface, receiptID string) (string, bool) {
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", false
	}
	return r.Quantity, true
}

// OnLot lists the live receipts on a lot's goods, in id order.
func OnLot(ctx contractapi.TransactionContextInterface, gtin, lot string) ([]string, error) {
	return kit.TailIDs(ctx, idxLot, gtin, lot)
}
