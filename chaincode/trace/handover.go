package trace

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
)

// HandOver records that the lot's owner or current custodian hands the
// goods over to another enterprise (a carrier collecting at the gate, a
// processor taking a flock in, a warehouse receiving into custody). The
// giver's custody ends here, as with a shipping event, and the receiver
// is the custodian: it may record events on the goods.
// A warehouse holding goods under a live receipt cannot hand them over:
// the receipt must be redeemed or cancelled first.
func (t *Trace) HandOver(ctx contractapi.TransactionContextInterface, gtin, lot, toCreditCode string) (string, error) {
	c, err := registry.RequireEnterprise(ctx, "handing goods over")
	if err != nil {
		return "", err
	}
	l, err := LotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	to, err := registry.LoadEnterprise(ctx, toCreditCode)
	if err != nil {
		return "", err
	}
	if to.Status != api.EnterpriseActive {
		return "", kit.Errf(api.CodeConflict, "enterprise %s is not active", to.CreditCode)
	}
	me := c.Enterprise.CreditCode
	if to.CreditCode == me {
		return "", kit.Errf(api.CodeInvalidArgument, "goods are handed over to another enterprise")
	}
	if err := mayWriteLot(ctx, c, l, "handover"); err != nil {
		return "", err
	}
	held, err := custodian(ctx, l.GTIN, l.Lot, me)
	if err != nil {
		return "", err
	}
	if held {
		// A custodian holding goods under a live receipt keeps them until
		// the receipt is redeemed or cancelled (as its shipping is held
		// back); the owner may still hand over other goods of the lot.
		stored, err := CustodyAt(ctx, l.GTIN, l.Lot, me)
		if err != nil {
			return "", err
		}
		ids, err := t.receipts.OnLot(ctx, l.GTIN, l.Lot)
		if err != nil {
			return "", err
		}
		if stored && len(ids) > 0 {
			return "", kit.Errf(api.CodeConflict, "goods of lot %s of %s are under live warehouse receipt %s; redeem or cancel it before handing them over", l.Lot, l.GTIN, ids[0])
		}
		if err := endCustody(ctx, l.GTIN, l.Lot, me); err != nil {
			return "", err
		}
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	txID := ctx.GetStub().GetTxID()
	if err := kit.PutIndex(ctx, idxHandover, l.GTIN, l.Lot, to.CreditCode, txID); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxHeldBy, l.GTIN, l.Lot, to.CreditCode); err != nil {
		return "", err
	}
	h := api.Handover{GTIN: l.GTIN, Lot: l.Lot, From: ActorOf(c), To: to.CreditCode, At: now.Format(kit.TimeLayout), TxID: txID, Previous: held}
	if err := kit.Emit(ctx, "LotHandedOver", api.Event{Entity: "lot", ID: LotPath(l.GTIN, l.Lot), Action: "handed-over", By: me, Data: map[string]string{"to": to.CreditCode}}); err != nil {
		return "", err
	}
	return kit.ToJSON(h)
}
