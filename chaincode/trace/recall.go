package trace

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
)

// A recall's collateral alerts reach down the lineage as far as the
// approval's recall check reaches up it (MaxLineageDepth, MaxLineageLots),
// so no financing approved against goods a recall would have blocked
// escapes its alert.
const (
	maxAlertDepth = MaxLineageDepth
	maxAlertLots  = MaxLineageLots
)

// RecallLot recalls a lot. The lot's producer or a regulator may recall
// it; a lot is recalled once. The recall reaches everything downstream
// when read (see recallStatus).
func (t *Trace) RecallLot(ctx contractapi.TransactionContextInterface, gtin, lot, reason string) (string, error) {
	c, err := registry.RequireEnterprise(ctx, "recalling a lot")
	if err != nil {
		return "", err
	}
	l, err := LotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	why, err := kit.CleanText("reason", reason, true, 500)
	if err != nil {
		return "", err
	}
	if l.Producer.CreditCode != c.Enterprise.CreditCode && !c.HasKind(api.KindRegulator) {
		return "", kit.Errf(api.CodeForbidden, "only the lot's producer %s or a regulator recalls lot %s of %s", l.Producer.CreditCode, l.Lot, l.GTIN)
	}
	k, err := kit.Key(ctx, objRecall, l.GTIN, l.Lot)
	if err != nil {
		return "", err
	}
	var existing api.Recall
	if found, err := kit.GetJSON(ctx, k, &existing); err != nil {
		return "", err
	} else if found {
		return "", kit.Errf(api.CodeConflict, "lot %s of %s was already recalled at %s", l.Lot, l.GTIN, existing.RecallAt)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	r := api.Recall{GTIN: l.GTIN, Lot: l.Lot, Reason: why, By: ActorOf(c), RecallAt: now.Format(kit.TimeLayout), TxID: ctx.GetStub().GetTxID()}
	if err := kit.PutJSON(ctx, k, r); err != nil {
		return "", err
	}
	// Financings resting on the recalled goods, or on goods made from
	// them, learn of it in this transaction (collateral.go).
	down, _, err := walkGoods(ctx, []api.LineageLot{{GTIN: l.GTIN, Lot: l.Lot}}, false, true, maxAlertDepth, maxAlertLots)
	if err != nil {
		return "", err
	}
	lots := make([]LotKey, 0, len(down))
	for _, d := range down {
		lots = append(lots, LotKey{d.GTIN, d.Lot})
	}
	reached, err := t.watch.Alert(ctx, api.AlertRecall, lots, LotPath(l.GTIN, l.Lot), now)
	if err != nil {
		return "", err
	}
	var data any
	if len(reached) > 0 {
		data = map[string]any{"collateralAlerts": reached}
	}
	if err := kit.Emit(ctx, "LotRecalled", api.Event{Entity: "lot", ID: LotPath(l.GTIN, l.Lot), Action: "recalled", By: c.Enterprise.CreditCode, Data: data}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}
